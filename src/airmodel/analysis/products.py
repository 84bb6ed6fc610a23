"""Daily fields and station time series, added to a run's output file when the run finishes.

- Daily fields by local (UTC+8) natural day (airmodel/analysis/daily.py for the rules of validity): ``<V>_24h``
  for every hourly surface field V (same units), ``O3_max1h`` and ``O3_mda8`` (the daily maximum 1-hour and
  8-hour O3, HJ 663-2013), ``AQI`` and ``AQI_primary_pollutant`` (HJ 633-2012, airmodel/analysis/standards.py).
- Station series: the hourly surface fields in the cells that hold the stations, ``station_<V>`` (time, station),
  and the same daily products computed from those series, ``station_<D>`` (day, station). They are computed from
  the series, not sampled from the daily fields, so that the two paths check each other (tests/regression).
  Station variables are (station, time): CF's orthogonal time-series layout (CF 1.8, section 9 and appendix
  H.2.1), which its checker requires at strict level. (CDO reads the file but skips these variables: it wants
  time first.)
"""
from __future__ import annotations

import logging

import netCDF4
import numpy as np

from .daily import day_coordinates, local_days
from .daily import daily_max_1h as _daily_max_1h
from .daily import daily_max_8h as _daily_max_8h
from .daily import daily_mean as _daily_mean
from ..variables import lookup
from .standards import DAILY_METRICS, PRIMARY_NAMES, REFERENCE_STATE, daily_aqi, to_standard_units

log = logging.getLogger("airmodel")

_HOUR = np.timedelta64(3600, "s")
#: The daily field that holds each AQI metric.
METRIC_FIELD = {("O3", "1h"): "O3_max1h", ("O3", "8h"): "O3_mda8"}
METRIC_FIELD.update({(p, a): f"{p}_24h" for p, a in DAILY_METRICS if a == "24h"})


def _entry(name: str):
    return lookup("run output", name)


def _as_dataarray(values: np.ndarray, starts: np.ndarray):
    import xarray as xr

    dims = ("time",) + tuple(f"d{n}" for n in range(values.ndim - 1))
    return xr.DataArray(values, dims=dims, coords={"time": starts + _HOUR})


def daily_products(hourly: dict, starts: np.ndarray) -> dict:
    """Daily products from hourly series: ``hourly`` maps a name to (values [time, ...], attrs); returns name ->
    (values [day, ...], attrs) in the order written."""
    out = {}
    for name, (values, attrs) in hourly.items():
        mean = _daily_mean(_as_dataarray(values, starts), starts).values
        attrs = dict(attrs, long_name=attrs.get("long_name", name))
        out[f"{name}_24h"] = (mean, _entry("<V>_24h").attributes(attrs))
    if "O3" in hourly:
        values, attrs = hourly["O3"]
        da = _as_dataarray(values, starts)
        out["O3_max1h"] = (_daily_max_1h(da, starts).values, _entry("O3_max1h").attributes(attrs))
        out["O3_mda8"] = (_daily_max_8h(da, starts).values, _entry("O3_mda8").attributes(attrs))
    metrics = {}
    for key, field in METRIC_FIELD.items():
        if field in out:
            values, attrs = out[field]
            metrics[key] = to_standard_units(key[0], values, attrs["units"], where=field)
    if metrics:
        aqi, primary = daily_aqi(metrics)
        used = ", ".join(f"{p} {a}" for p, a in DAILY_METRICS if (p, a) in metrics)
        out["AQI"] = (aqi, _entry("AQI").attributes(dict(used=used, reference_state=REFERENCE_STATE)))
        out["AQI_primary_pollutant"] = (primary, _entry("AQI_primary_pollutant").attributes(
            flag_values=np.arange(len(PRIMARY_NAMES), dtype=np.int8), flag_meanings=" ".join(PRIMARY_NAMES)))
    return out


def hourly_surface_fields(ds: netCDF4.Dataset, horizontal: tuple[str, str]) -> list[str]:
    """Names of the hourly-mean fields of an output file (time, [z,] y, x)."""
    names = []
    for name, var in ds.variables.items():
        dims = var.dimensions
        if dims[:1] == ("time",) and dims[-2:] == horizontal and len(dims) in (3, 4):
            names.append(name)
    return names


def _read_surface(var) -> np.ndarray:
    data = var[:, 0] if var.ndim == 4 else var[:]
    return np.ma.filled(data.astype(np.float64), np.nan)


def _define(ds, name, dims, values, attrs, dtype):
    attrs = {k: v for k, v in attrs.items() if not (isinstance(v, str) and v == "")}
    if values.dtype == np.int8:
        var = ds.createVariable(name, "i1", dims, zlib=True, complevel=4)
    else:
        var = ds.createVariable(name, dtype, dims, zlib=True, complevel=4, fill_value=np.float32(np.nan)
                                if dtype == "f4" else np.nan)
    var.setncatts(attrs)
    var[:] = values
    return var


def add_products(ds: netCDF4.Dataset, start_utc: np.datetime64, horizontal: tuple[str, str], stations=(),
                 station_cells=None, daily: bool = True, dtype: str = "f4") -> None:
    """Append the daily fields and the station series to an open output file whose hourly records are written."""
    if "time_bnds" not in ds.variables or len(ds.dimensions["time"]) == 0:
        return
    starts = start_utc + np.round(np.asarray(ds["time_bnds"][:, 0]) * 3600.0).astype("timedelta64[s]")
    names = hourly_surface_fields(ds, horizontal)
    hourly = {n: (_read_surface(ds[n]), {a: ds[n].getncattr(a) for a in ds[n].ncattrs()}) for n in names}
    time_units = ds["time"].units
    if daily:
        days = np.unique(local_days(starts))
        day_start, day_bounds = day_coordinates(days)
        ds.createDimension("day", days.size)
        dv = ds.createVariable("day", "f8", ("day",))
        dv.setncatts(_entry("day").attributes(units=time_units))
        origin = start_utc.astype("datetime64[s]")
        dv[:] = (day_start - origin) / _HOUR
        ds.createVariable("day_bnds", "f8", ("day", "nv"))[:] = (day_bounds - origin) / _HOUR
        for name, (values, attrs) in daily_products(hourly, starts).items():
            _define(ds, name, ("day",) + horizontal, values, attrs, dtype)
        log.info("daily fields for %d local days added", days.size)
    if stations:
        j, i = station_cells
        ds.createDimension("station", len(stations))
        sv = ds.createVariable("station_code", str, ("station",))
        sv.setncatts(_entry("station_code").attributes())
        for n, st in enumerate(stations):
            sv[n] = st.code
        nv = ds.createVariable("station_name", str, ("station",))
        nv.setncatts(_entry("station_name").attributes())
        for n, st in enumerate(stations):
            nv[n] = st.name
        for coord in ("lat", "lon"):
            v = ds.createVariable(f"station_{coord}", "f8", ("station",))
            v.setncatts(_entry(f"station_{coord}").attributes())
            v[:] = [getattr(st, coord) for st in stations]
        series = {n: (values[:, j, i], attrs) for n, (values, attrs) in hourly.items()}
        coords = "station_lat station_lon"
        for name, (values, attrs) in series.items():
            attrs = _entry("station_<V>").attributes(dict(attrs, long_name=attrs.get("long_name", name)),
                                                     coordinates=coords)
            _define(ds, f"station_{name}", ("station", "time"), values.T, attrs, dtype)
        if daily:
            for name, (values, attrs) in daily_products(series, starts).items():
                attrs = dict(attrs, coordinates=coords)
                _define(ds, f"station_{name}", ("station", "day"), values.T, attrs, dtype)
        log.info("station series at %d stations added", len(stations))
