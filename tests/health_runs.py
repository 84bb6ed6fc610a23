"""Small synthetic run files for the health tests: the variables ``airmodel health`` reads (hourly PM25 with
time_bnds, daily PM25_24h and O3_mda8 by local day, lon/lat with bounds), on a grid of square 0.1 degree cells whose
first cell lies in central Beijing."""
from __future__ import annotations

import numpy as np
import xarray as xr

LON0, LAT0, RES = 116.35, 39.9, 0.1


def write_run(path, pm25_hourly, pm25_daily, o3_daily_ppb, lon0=LON0, lat0=LAT0, start="2008-08-07T16:00",
              title="synthetic"):
    """A run file; ``pm25_hourly`` [time, lat, lon] (ug m-3), daily fields [day, lat, lon]. Hours start at
    ``start`` (UTC; 16:00 UTC is local midnight) and days are local days."""
    pm25_hourly = np.asarray(pm25_hourly, float)
    nt, ny, nx = pm25_hourly.shape
    nd = np.asarray(pm25_daily).shape[0]
    t0 = np.datetime64(start, "s")
    starts = t0 + np.arange(nt) * np.timedelta64(3600, "s")
    day0 = t0 + np.arange(nd) * np.timedelta64(86400, "s")
    lon = lon0 + RES * (np.arange(nx) + 0.5)
    lat = lat0 + RES * (np.arange(ny) + 0.5)
    ds = xr.Dataset(
        {"PM25": (("time", "lat", "lon"), pm25_hourly, {"units": "ug m-3"}),
         "PM25_24h": (("day", "lat", "lon"), np.asarray(pm25_daily, float), {"units": "ug m-3"}),
         "O3_mda8": (("day", "lat", "lon"), np.asarray(o3_daily_ppb, float), {"units": "ppb"}),
         "time_bnds": (("time", "nv"), np.stack([starts, starts + np.timedelta64(3600, "s")], 1)),
         "day_bnds": (("day", "nv"), np.stack([day0, day0 + np.timedelta64(86400, "s")], 1)),
         "lon_bnds": (("lon", "nv"), np.stack([lon - RES / 2, lon + RES / 2], 1)),
         "lat_bnds": (("lat", "nv"), np.stack([lat - RES / 2, lat + RES / 2], 1))},
        coords={"time": starts + np.timedelta64(3600, "s"), "day": day0, "lon": lon, "lat": lat},
        attrs={"title": title})
    ds.to_netcdf(path)
    return path


def constant_pair(tmp_path, base_pm=60.0, case_pm=50.0, base_o3=70.0, case_o3=65.0, days=2, ny=1, nx=1):
    """Base and case runs with uniform constant fields over ``days`` local days."""
    shape_h, shape_d = (24 * days, ny, nx), (days, ny, nx)
    b = write_run(tmp_path / "base.nc", np.full(shape_h, base_pm), np.full(shape_d, base_pm),
                  np.full(shape_d, base_o3), title="base")
    c = write_run(tmp_path / "case.nc", np.full(shape_h, case_pm), np.full(shape_d, case_pm),
                  np.full(shape_d, case_o3), title="case")
    return b, c
