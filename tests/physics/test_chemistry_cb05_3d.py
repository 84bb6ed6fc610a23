"""cb05_aero in the three-dimensional model step (scenario key chemistry.mechanism = "cb05_aero"): in a closed
domain every cell is its own box, so cells that start alike stay alike, N and S are conserved through the budgets,
nothing goes negative, OH is computed (not a proxy) and ozone forms in the afternoon sun; a run restarted from its
checkpoint equals the straight run bit for bit."""
from pathlib import Path

import netCDF4
import numpy as np

import airmodel

from . import test_chemistry_coupled as coupled
from .test_chemistry_coupled import assert_cells_alike_and_non_negative

INITIAL = {"NO": 10.0, "NO2": 20.0, "O3": 40.0, "PAR": 200.0, "OLE": 5.0, "TOL": 4.0, "XYL": 3.0, "FORM": 5.0,
           "ALD2": 3.0, "ISOP": 1.0, "SO2": 8.0, "NH3": 15.0, "CO": 0.5, "CO2": 385.0, "HNO3": 1.0, "SULF": 5.0}
# molar masses of the N and S carriers (g mol-1) and their atoms, written out by hand
NITROGEN = {"NO": (30.006, 1), "NO2": (46.006, 1), "NO3": (62.005, 1), "N2O5": (108.01, 2), "HONO": (47.013, 1),
            "PNA": (79.012, 1), "HNO3": (63.013, 1), "PAN": (121.05, 1), "PANX": (135.08, 1), "NTR": (119.08, 1),
            "NH3": (17.031, 1), "NO3A": (62.005, 1), "NH4A": (18.038, 1)}


def scenario(hours=3):
    out = coupled.scenario("cb05_aero", INITIAL, hours)
    out["output"]["checkpoint_interval_hours"] = 1
    return out


def test_closed_domain_with_cb05(tmp_path):
    ds = airmodel.run(scenario(), output=tmp_path / "chem.nc")
    assert_cells_alike_and_non_negative(ds)
    n_change = sum(ds.attrs[f"budget_{s}_chemical_kg"] / m * a for s, (m, a) in NITROGEN.items())
    n_total = sum(ds.attrs[f"budget_{s}_burden_start_kg"] / m * a for s, (m, a) in NITROGEN.items())
    assert abs(n_change) / n_total < 1e-10
    s_change = ds.attrs["budget_SO2_chemical_kg"] / 64.064 + ds.attrs["budget_SULF_chemical_kg"] / 96.06
    assert abs(s_change) / (ds.attrs["budget_SO2_burden_start_kg"] / 64.064) < 1e-10
    assert ds.attrs["budget_SULF_chemical_kg"] > 0 and ds.attrs["budget_PAN_chemical_kg"] > 0
    assert ds["O3"].values[-1].mean() > 40.0
    oh = ds["OH"].values[-1].mean() * 1e-9 * 1.15 / 28.9647e-3 * 6.02214076e23 * 1e-6  # ppb -> molecule cm-3
    assert 1e6 < oh < 3e7  # daytime OH of a polluted boundary layer


def _variables(path: Path) -> dict:
    with netCDF4.Dataset(path) as ds:
        return {name: np.array(var[:]) for name, var in ds.variables.items()}


def test_cb05_restart_is_bitwise(tmp_path):
    """2 h straight = 1 h, then --restart from its checkpoint for the second hour: every variable bit for bit."""
    straight, first, resumed = tmp_path / "straight.nc", tmp_path / "first.nc", tmp_path / "resumed.nc"
    airmodel.run(scenario(2), output=straight)
    airmodel.run(scenario(1), output=first)
    checkpoint = Path(f"{first}.checkpoints") / "checkpoint_20080801T040000.nc"
    assert checkpoint.is_file()
    airmodel.run(scenario(2), output=resumed, restart=checkpoint)
    a, b = _variables(straight), _variables(resumed)
    assert a.keys() == b.keys() and "PAN" in a
    for name in a:
        assert np.array_equal(a[name], b[name], equal_nan=a[name].dtype.kind == "f"), name
