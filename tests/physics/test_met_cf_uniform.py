"""A uniform mixing ratio stays uniform for 48 hours under winds, density and Kz read from CF (ERA5-like) files.

The files (tests/unit/test_met_cf.py) put the model domain on a 0-925 m slope, so the 1000-925 hPa levels lie below
ground over part of it; the transport derives the vertical air-mass flux from the discrete continuity equation with
the air density at the start and end of each step, so q = tracer / air must stay uniform to round-off whatever
the regridded fields are, as long as they are finite and consistent (see test_met_uniform_mixing_ratio.py).
"""
import numpy as np

import airmodel
from tests.physics.test_met_uniform_mixing_ratio import check_uniform, uniform_scenario
from tests.unit.test_met_cf import write_era5


def test_uniform_mixing_ratio_cf_winds(tmp_path):
    """48 h, 6-hourly records in three daily pairs of pressure-level and single-level files: max |q/q0 - 1| <= 1e-13."""
    files = []
    for day, hours in (("20080801", range(0, 24, 6)), ("20080802", range(24, 48, 6)), ("20080803", [48])):
        files += [str(p) for p in write_era5(tmp_path, day, hours)]
    domain = {"grid": "lonlat", "lon_min": 115.0, "lon_max": 117.5, "lat_min": 39.0, "lat_max": 41.0,
              "resolution": 0.25, "layer_interfaces": [0.0, 50.0, 120.0, 220.0, 350.0, 520.0, 750.0, 1050.0,
                                                       1450.0, 2000.0, 3000.0]}
    scenario = uniform_scenario({"source": "cf", "files": files}, domain)
    scenario["run"]["threads"] = 1  # a grid of 800 cells: threads only add overhead (17 s against 1 s here)
    ds = airmodel.run(scenario, output=tmp_path / "u.nc")
    check_uniform(ds, 48)
    assert np.ptp(ds["mixing_height"].values) > 100.0  # the meteorology really varies in space and time
