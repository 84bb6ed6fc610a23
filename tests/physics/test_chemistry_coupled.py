"""Chemistry coupled into the three-dimensional model step.

In a closed domain (no wind, no diffusion, no emission or deposition) every cell is its own box, so:
- cells that start equal stay equal (the 3-D driver treats cells alike, whatever the thread),
- nitrogen and sulfur (moles, summed over the species that carry them) are conserved to 1e-10 relative,
- the budget closes with the chemical term to 1e-10, and nothing goes negative;
and in the afternoon sun ozone rises from its initial 40 ppb in this VOC-rich air.
"""
import numpy as np

import airmodel

INITIAL = {"NO": 10.0, "NO2": 20.0, "O3": 40.0, "ROC": 400.0, "SO2": 8.0, "NH3": 15.0, "CO": 0.5, "CO2": 385.0,
           "HNO3": 1.0}
NITROGEN = {"NO": 30.006, "NO2": 46.006, "HNO3": 63.013, "NH3": 17.031, "NO3A": 62.005,
            "NH4A": 18.038}


def scenario(mechanism="grs_aero", initial=None, hours=3):
    """A closed 4 x 3 x 2 domain, uniform air, from 11 local time; ``initial`` (default INITIAL) in ppb/ppm."""
    initial = INITIAL if initial is None else initial
    return {
        "run": {"start": "2008-08-01T03:00:00Z", "hours": hours, "time_step": 600.0, "progress": False},
        "domain": {"grid": "projected", "nx": 4, "ny": 3, "dx": 5000.0, "dy": 5000.0,
                   "layer_thickness": 100.0, "layers": 2},
        "meteorology": {"flow": "uniform", "air_density": 1.15},
        "transport": {"horizontal_diffusion": False, "vertical_diffusion": False},
        "chemistry": {"mechanism": mechanism, "temperature": 300.0, "relative_humidity": 0.5},
        "species": {name: {"initial": value, "inflow": value} for name, value in initial.items()},
        "output": {"levels": "all", "precision": "double"},
    }


def assert_cells_alike_and_non_negative(ds):
    """Every time-dependent variable is non-negative and equal in all cells (they started alike)."""
    for name in ds.data_vars:
        if name.endswith("_bnds") or "time" not in ds[name].dims:
            continue
        values = ds[name].values
        assert np.all(values >= 0.0), name
        assert np.all(values == values[..., :1, :1]), f"{name}: cells that started alike differ"


def test_closed_domain_conserves_nitrogen_and_sulfur(tmp_path):
    ds = airmodel.run(scenario(), output=tmp_path / "chem.nc")
    assert_cells_alike_and_non_negative(ds)
    for name, residual in ds.attrs.items():
        if name.endswith("relative_residual"):
            assert residual < 1e-10, (name, residual)
    # Nitrogen in kg of N, from the budgets: the burden change of every N species is its chemical production.
    n_change = sum(ds.attrs[f"budget_{s}_chemical_kg"] / m * 14.007 for s, m in NITROGEN.items())
    n_total = sum(ds.attrs[f"budget_{s}_burden_start_kg"] / m * 14.007 for s, m in NITROGEN.items())
    assert abs(n_change) / n_total < 1e-10
    s_change = ds.attrs["budget_SO2_chemical_kg"] / 64.064 + ds.attrs["budget_SULF_chemical_kg"] / 96.06
    assert abs(s_change) / (ds.attrs["budget_SO2_burden_start_kg"] / 64.064) < 1e-10
    assert ds.attrs["budget_SULF_chemical_kg"] > 0  # sulfate forms in daylight
    o3 = ds["O3"].values
    assert o3[-1].mean() > 40.0 and ds["O3"].units == "ppb"
    assert ds["PM25"].attrs["standard_name"] == "mass_concentration_of_pm2p5_ambient_aerosol_particles_in_air"
