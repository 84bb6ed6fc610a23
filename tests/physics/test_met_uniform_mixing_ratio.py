"""A uniform mixing ratio stays uniform under the synthetic August winds and under winds read from WRF files.

The vertical air-mass flux is not read from the meteorology: the transport derives it from the discrete continuity
equation F_z[k+1] = F_z[k] + (horizontal convergence)_k - (m_end - m_start)_k / dt with the air density at the start
and end of every step, so whatever the winds, terrain, time-varying density and diffusivities the meteorology gives,
q = tracer / air stays exactly uniform if the fields are finite and consistent: max |q/q0 - 1| <= 1e-13 for 48 h
(round-off of some 300 steps).
"""
import numpy as np

import airmodel


def uniform_scenario(meteorology: dict, domain: dict, hours: float = 48, start="2008-08-01T00:00:00Z") -> dict:
    return {
        "run": {"start": start, "hours": hours, "time_step": 600.0, "progress": False},
        "domain": domain,
        "meteorology": meteorology,
        "transport": {},
        "species": {"tracer": {"units": "kg kg-1", "initial": 1.0e-6, "inflow": 1.0e-6}},
        "output": {"hourly_means": True, "levels": "all", "precision": "double"},
    }


def check_uniform(ds, hours):
    q = ds.tracer.values
    assert q.shape[0] == hours
    assert np.isfinite(q).all()
    deviation = np.abs(q / 1e-6 - 1).max()
    assert deviation <= 1e-13, deviation
    assert float(ds.attrs["budget_tracer_inflow_kg"]) > 0  # air really crosses the boundaries


def test_uniform_mixing_ratio_synthetic_winds(tmp_path):
    """48 h over the real terrain, through a cold front (regimes front, northerly), 0.25 degree grid."""
    domain = {"grid": "lonlat", "resolution": 0.25,
              "layer_interfaces": [0.0, 50.0, 120.0, 220.0, 350.0, 520.0, 750.0, 1050.0, 1450.0, 2000.0, 3000.0]}
    met = {"source": "synthetic", "regimes": ["front", "northerly"]}
    ds = airmodel.run(uniform_scenario(met, domain), output=tmp_path / "u.nc")
    check_uniform(ds, 48)


def test_uniform_mixing_ratio_wrf_winds(tmp_path):
    """48 h under winds, density and Kz read from two WRF files (6-hourly records) over a 600-1200 m slope."""
    from datetime import datetime, timedelta, timezone

    from tests.unit.test_met_wrf import write_wrfout

    start = datetime(2008, 8, 1, tzinfo=timezone.utc)
    f1, f2 = tmp_path / "wrfout_d01_a", tmp_path / "wrfout_d01_b"
    write_wrfout(f1, [start + timedelta(hours=h) for h in range(0, 30, 6)])
    write_wrfout(f2, [start + timedelta(hours=h) for h in range(30, 54, 6)])
    domain = {"grid": "lonlat", "lon_min": 114.5, "lon_max": 117.5, "lat_min": 38.75, "lat_max": 41.25,
              "resolution": 0.25, "layer_interfaces": [0.0, 50.0, 120.0, 220.0, 350.0, 520.0, 750.0, 1050.0,
                                                       1450.0, 2000.0, 3000.0]}
    met = {"source": "wrf", "files": [str(f1), str(f2)]}
    ds = airmodel.run(uniform_scenario(met, domain), output=tmp_path / "u.nc")
    check_uniform(ds, 48)
    assert float(ds.attrs["budget_tracer_inflow_kg"]) > 0
