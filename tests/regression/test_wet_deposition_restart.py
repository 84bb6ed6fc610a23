"""Wet deposition in a full run: restarts stay bitwise, and the N and S budgets close with the wet term.

The demo (2008 inventory, grs_aero, climatological boundaries) on a 0.5-degree grid with
``chemistry.wet_deposition = true``, from 04 UTC on 8 August 2008, when the synthetic weather's showers cross the
domain (up to 16 mm/h in its cells). Two hours straight against one hour, then --restart from the checkpoint:
every output variable (the hourly wet and dry deposition fluxes of N and S and their totals included) and every
budget attribute bit for bit. The element budgets: for E = N, S,

    sum_s m_E(s) [emitted + inflow - outflow - deposited - wet_deposited] = sum_s m_E(s) [burden_end - burden_start]

to 1e-10 of the largest term, with the wet term a real share of the sinks.
"""
from pathlib import Path

import netCDF4
import numpy as np
import pytest

from airmodel.output import ATOMIC_WEIGHT
from tests.regression.test_restart import straight_and_restarted, assert_identical

WET = ["domain.resolution=0.5", "output.checkpoint_interval_hours=1", "chemistry.wet_deposition=true",
       "run.start=\"2008-08-08T04:00:00Z\""]
#: atoms of N or S per molecule and the model's molar mass (g mol-1) of each grs_aero species that holds them
CARRIERS = {"NO": ("N", 30.006), "NO2": ("N", 46.006), "HNO3": ("N", 63.013),
            "NH3": ("N", 17.031), "NO3A": ("N", 62.005), "NH4A": ("N", 18.038), "SO2": ("S", 64.064),
            "SULF": ("S", 96.06)}


@pytest.fixture(scope="module")
def runs(scenarios, tmp_path_factory):
    return straight_and_restarted(scenarios / "demo.toml", tmp_path_factory.mktemp("wet"), WET, 1,
                                  "checkpoint_20080808T050000.nc")


@pytest.mark.slow
def test_wet_deposition_restarts_bitwise(runs):
    straight, resumed = runs
    assert_identical(straight, resumed)
    with netCDF4.Dataset(straight) as ds:
        assert float(np.max(ds["wet_deposition_N"][:])) > 0 and float(np.max(ds["wet_deposition_S_total"][:])) > 0


@pytest.mark.slow
@pytest.mark.parametrize("element", ["N", "S"])
def test_element_budget_closes_with_wet_deposition(runs, element):
    straight, _ = runs
    with netCDF4.Dataset(straight) as ds:
        budget = {key: float(ds.getncattr(key)) for key in ds.ncattrs() if key.startswith("budget_")}
        hourly_total = float(np.sum(np.asarray(ds[f"wet_deposition_{element}_total"][:], dtype=float)
                                    * np.asarray(cell_area_ha(ds))))

    def total(term):
        return sum(ATOMIC_WEIGHT[e] / mw * budget[f"budget_{s}_{term}_kg"] for s, (e, mw) in CARRIERS.items()
                   if e == element)

    terms = {t: total(t) for t in ("emitted", "inflow", "outflow", "deposited", "wet_deposited", "burden_start",
                                   "burden_end")}
    net = terms["emitted"] + terms["inflow"] - terms["outflow"] - terms["deposited"] - terms["wet_deposited"]
    scale = max(abs(v) for v in terms.values())
    assert abs(terms["burden_end"] - terms["burden_start"] - net) <= 1e-10 * scale, terms
    assert terms["wet_deposited"] > 1e-3 * (terms["deposited"] + terms["outflow"]), terms
    # the map of the run's wet deposition (kg ha-1) adds up to the budget's wet term (float32 hourly records)
    assert hourly_total == pytest.approx(terms["wet_deposited"], rel=1e-5)


def cell_area_ha(ds) -> np.ndarray:
    """Cell areas (ha) of the output's lon-lat grid, on the sphere of airmodel.grid."""
    from airmodel.grid import EARTH_RADIUS

    lon_b, lat_b = np.asarray(ds["lon_bnds"][:]), np.asarray(ds["lat_bnds"][:])
    dlon = np.deg2rad(lon_b[:, 1] - lon_b[:, 0])
    band = np.sin(np.deg2rad(lat_b[:, 1])) - np.sin(np.deg2rad(lat_b[:, 0]))
    return EARTH_RADIUS ** 2 * band[:, None] * dlon[None, :] / 1.0e4
