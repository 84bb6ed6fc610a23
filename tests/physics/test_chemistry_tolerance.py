"""The solver tolerance a mechanism names (its ``tolerance`` line): cb05_aero's, CMAQ's Rosenbrock defaults (rtol
1e-3, atol 1e-4 ppb), is what a 3-D run uses unless the scenario says otherwise, takes about half the steps of the
general 1e-6 ppb over an evening of polluted air, and costs the accuracy stated here against a reference
integration (rtol 1e-6, atol 1e-10 ppb): the numbers of airmodel/chemistry/README.md ("Solver")."""
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

import airmodel
from airmodel.chemistry import Chemistry
from airmodel.kernels import chemistry as kc

from . import test_chemistry_coupled as coupled

# a polluted boundary layer, ppb (each cell a random 0.3-1.7 times these)
POLLUTED = {"NO": 10.0, "NO2": 20.0, "O3": 40.0, "PAR": 200.0, "OLE": 5.0, "TOL": 4.0, "XYL": 3.0, "FORM": 5.0,
            "ALD2": 3.0, "ISOP": 1.0, "SO2": 8.0, "NH3": 15.0, "CO": 500.0, "CO2": 385.0e3, "HNO3": 1.0,
            "SULF": 5.0, "NO3A": 2.0, "NH4A": 4.0}
MAIN = ("O3", "NO2", "HNO3", "SULF", "NO3A", "NH4A")


def _evening(**tolerance):
    """Six cells through 16-22 h local time (24 calls of 900 s): mixing ratios (ppb) and the solver's steps."""
    chem = Chemistry("cb05_aero", **tolerance)
    rng = np.random.default_rng(3)
    shape = (1, 2, 3)
    rho = np.full(shape, 1.15)
    c = np.zeros((len(chem.names),) + shape)
    for s, sp in enumerate(chem.species):
        ppb = POLLUTED.get(sp.name, 0.0) * rng.uniform(0.3, 1.7, shape)
        c[s] = ppb * 1e-9 * sp.molar_mass / kc.MOLAR_MASS_AIR * rho
    temperature = 295.0 + 8.0 * rng.random(shape)
    start = datetime(2008, 8, 1, 8, tzinfo=timezone.utc)
    steps = 0
    for n in range(24):
        chem.step(c, rho, temperature, 0.6, 0.1, 116.4, 39.9, start + timedelta(seconds=900.0 * n), 900.0,
                  cell_volume=np.ones(shape))
        steps += int(chem.last_steps.sum())
    ppb = c / rho / kc.PPB * (kc.MOLAR_MASS_AIR / chem.mechanism.molar_mass)[:, None, None, None]
    return chem, ppb, steps


@pytest.fixture(scope="module")
def evening():
    return {"reference": _evening(rtol=1e-6, atol=1e-10), "own": _evening(), "tight": _evening(atol=1e-6)}


def _worst(chem, y, ref, above):
    """The largest relative error of each species over the cells where the reference exceeds ``above`` ppb."""
    out = {}
    for s, name in enumerate(chem.names):
        big = ref[s] > above
        if big.any():
            out[name] = float(np.max(np.abs(y[s][big] - ref[s][big]) / ref[s][big]))
    return out


def test_cb05_uses_its_own_tolerance_and_half_the_steps(evening):
    chem, _, steps = evening["own"]
    assert (chem.rtol, chem.atol) == (1e-3, 1e-4)
    _, _, tight_steps = evening["tight"]
    assert steps < 0.55 * tight_steps  # measured 461 against 903


def test_cb05_accuracy_at_its_own_tolerance(evening):
    chem, ref, _ = evening["reference"]
    _, y, _ = evening["own"]
    main = _worst(chem, y, ref, 0.1)
    assert max(main[name] for name in MAIN) < 2.5e-3  # measured 2.2e-3 (NO3A); O3 6.8e-4, NO2 7.4e-4
    assert max(main.values()) < 5.5e-3  # every species above 0.1 ppb; measured 4.9e-3 (ROOH)
    small = _worst(chem, y, ref, 1e-2)
    assert max(small, key=small.get) == "HONO"  # at about 0.01 ppb, 100 times atol: where the cost falls
    assert max(small.values()) < 4.5e-2  # measured 4.1e-2
    # the general 1e-6 ppb, for comparison: every species above 0.01 ppb within 6e-4
    _, y_tight, _ = evening["tight"]
    assert max(_worst(chem, y_tight, ref, 1e-2).values()) < 6e-4


def test_scenario_defaults_from_the_mechanism_reach_the_run(tmp_path):
    """A 3-D run records the solver tolerances in effect and whether aqueous sulfate ran: the mechanism's when the
    scenario gives none (cb05_aero: atol 1e-4 ppb, aqueous sulfate on; grs_aero: 1e-6, off), else the
    scenario's."""
    scenario = coupled.scenario("cb05_aero", {"NO": 10.0, "NO2": 20.0, "O3": 40.0}, 1)
    ds = airmodel.run(scenario, output=tmp_path / "own.nc")
    assert (ds.attrs["chemistry_rtol"], ds.attrs["chemistry_atol_ppb"]) == (1e-3, 1e-4)
    assert ds.attrs["chemistry_aqueous_sulfate"] == "on"
    scenario["chemistry"].update(atol=1e-6, aqueous_sulfate=False)
    ds = airmodel.run(scenario, output=tmp_path / "given.nc")
    assert ds.attrs["chemistry_atol_ppb"] == 1e-6 and ds.attrs["chemistry_aqueous_sulfate"] == "off"
    grs = coupled.scenario("grs_aero", {"NO": 10.0, "NO2": 20.0, "O3": 40.0}, 1)
    ds = airmodel.run(grs, output=tmp_path / "grs.nc")
    assert (ds.attrs["chemistry_rtol"], ds.attrs["chemistry_atol_ppb"]) == (1e-3, 1e-6)
    assert ds.attrs["chemistry_aqueous_sulfate"] == "off"
    grs["chemistry"]["aqueous_sulfate"] = True
    assert airmodel.run(grs, output=tmp_path / "grs_on.nc").attrs["chemistry_aqueous_sulfate"] == "on"


def test_resolved_scenario_holds_the_values_in_effect():
    """The mechanism's defaults are filled in when the scenario is read, so that the recorded scenario and the
    identity that restarts and ensembles compare hold the values in effect: cb05_aero unset equals cb05_aero with
    its values given, grs_aero unset equals its former explicit defaults."""
    from airmodel.scenario import state_identity, validate

    def resolved(mechanism, **given):
        raw = coupled.scenario(mechanism, {"NO": 10.0}, 1)
        raw["chemistry"].update(given)
        return validate(raw)

    own = resolved("cb05_aero")
    assert (own["chemistry"]["rtol"], own["chemistry"]["atol"], own["chemistry"]["aqueous_sulfate"]) == \
        (1e-3, 1e-4, True)
    assert state_identity(own) == state_identity(resolved("cb05_aero", rtol=1e-3, atol=1e-4, aqueous_sulfate=True))
    assert state_identity(own) != state_identity(resolved("cb05_aero", atol=1e-6))
    assert "atol = 0.0001" in own.to_toml()
    grs = resolved("grs_aero")
    assert state_identity(grs) == state_identity(resolved("grs_aero", rtol=1e-3, atol=1e-6, aqueous_sulfate=False))
