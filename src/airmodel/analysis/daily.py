"""Daily statistics by local (UTC+8) natural day, as the Chinese standards take them.

Hourly means are labelled by the end of their hour (CF ``time_bnds`` hold the start): an hourly mean belongs to
the local day in which its hour starts.

Validity (GB 3095-2012, section 7 and Table 4; HJ 663-2013, Technical Regulation for Ambient Air Quality
Assessment, section 4):
- a 24-hour mean needs at least 20 valid hourly values in the day;
- an 8-hour moving mean needs at least 6 valid hourly values of its 8 hours;
- the daily maximum 8-hour O3 is the largest of the 8-hour moving means that end at 08:00, 09:00, ..., 24:00
  local time of the day (17 windows, together covering the whole day), and needs at least 14 of them valid.
Days that fail these rules are NaN (missing), never a mean of what there is.
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from ..errors import InputError

LOCAL_UTC_OFFSET_HOURS = 8
MIN_HOURS_24H_MEAN = 20
MIN_HOURS_8H_MEAN = 6
MIN_WINDOWS_MDA8 = 14
FIRST_MDA8_WINDOW_START_HOUR = 7  # the window ending at 08:00 covers 00:00-08:00: its last hour starts at 07:00

_HOUR = np.timedelta64(3600, "s")
_DAY = np.timedelta64(86400, "s")
_OFFSET = np.timedelta64(LOCAL_UTC_OFFSET_HOURS * 3600, "s")


def hour_starts(ds_or_da) -> np.ndarray:
    """Start (UTC, datetime64[s]) of each hourly mean: ``time_bnds[:, 0]`` where the file has them, else
    ``time`` - 1 h. The series must be contiguous hours."""
    if isinstance(ds_or_da, xr.Dataset) and "time_bnds" in ds_or_da:
        starts = np.asarray(ds_or_da["time_bnds"].values[:, 0]).astype("datetime64[s]")
    else:
        starts = np.asarray(ds_or_da["time"].values).astype("datetime64[s]") - _HOUR
    if starts.size > 1 and np.any(np.diff(starts) != _HOUR):
        raise InputError("daily statistics: the hourly series is not contiguous (steps other than 1 h); "
                         "write hourly means for the whole run (output.hourly_means = true)")
    return starts


def local_days(starts_utc: np.ndarray) -> np.ndarray:
    """Local calendar day (datetime64[D]) of each hour start."""
    return (starts_utc + _OFFSET).astype("datetime64[D]")


def day_coordinates(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For local days (datetime64[D]): the UTC instant of each local midnight and the [start, end] bounds."""
    start = days.astype("datetime64[s]") - _OFFSET
    return start, np.stack([start, start + _DAY], axis=1)


def _grouped(values: np.ndarray, starts: np.ndarray):
    days = local_days(starts)
    unique = np.unique(days)
    return unique, [np.nonzero(days == d)[0] for d in unique]


def _as_result(da: xr.DataArray, data: np.ndarray, unique_days: np.ndarray, name_suffix: str) -> xr.DataArray:
    start, _ = day_coordinates(unique_days)
    dims = ("day",) + tuple(d for d in da.dims if d != "time")
    coords = {c: da.coords[c] for c in da.coords if "time" not in da.coords[c].dims}
    coords["day"] = ("day", start.astype("datetime64[ns]"))
    out = xr.DataArray(data, dims=dims, coords=coords, name=(da.name or "value") + name_suffix,
                       attrs=dict(da.attrs))
    out.attrs.pop("cell_methods", None)
    return out


def _time_first(da: xr.DataArray) -> np.ndarray:
    return np.asarray(da.transpose("time", ...).values, dtype=float)


def _by_day(da: xr.DataArray, starts, min_hours: int, reduce, suffix: str) -> xr.DataArray:
    """Reduce the valid hours of each local day (NaN where fewer than ``min_hours``)."""
    starts = hour_starts(da) if starts is None else starts
    values = _time_first(da)
    unique, groups = _grouped(values, starts)
    out = np.full((unique.size,) + values.shape[1:], np.nan)
    for n, idx in enumerate(groups):
        block = values[idx]
        valid = np.isfinite(block)
        count = valid.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[n] = np.where(count >= min_hours, reduce(block, valid, count), np.nan)
    return _as_result(da.transpose("time", ...), out, unique, suffix)


def _mean(block, valid, count):
    return np.where(valid, block, 0.0).sum(axis=0) / np.maximum(count, 1)


def _maximum(block, valid, count):
    return np.max(np.where(valid, block, -np.inf), axis=0)


def daily_mean(da: xr.DataArray, starts: np.ndarray | None = None,
               min_hours: int = MIN_HOURS_24H_MEAN) -> xr.DataArray:
    """24-hour means by local day (NaN where fewer than ``min_hours`` valid hours)."""
    return _by_day(da, starts, min_hours, _mean, "_24h")


def daily_max_1h(da: xr.DataArray, starts: np.ndarray | None = None,
                 min_hours: int = MIN_HOURS_24H_MEAN) -> xr.DataArray:
    """Daily maximum hourly value by local day (NaN where fewer than ``min_hours`` valid hours)."""
    return _by_day(da, starts, min_hours, _maximum, "_max1h")


def moving_8h_means(values: np.ndarray, min_hours: int = MIN_HOURS_8H_MEAN) -> np.ndarray:
    """8-hour moving means ending with each hour (index n: hours n-7..n), NaN with fewer than ``min_hours``
    valid hours in the window; values is [time, ...]."""
    finite = np.isfinite(values)
    filled = np.where(finite, values, 0.0)
    csum = np.concatenate([np.zeros((1,) + values.shape[1:]), np.cumsum(filled, axis=0)])
    ccount = np.concatenate([np.zeros((1,) + values.shape[1:]), np.cumsum(finite, axis=0)])
    n = np.arange(values.shape[0])
    lo = np.maximum(n - 7, 0)
    total = csum[n + 1] - csum[lo]
    count = ccount[n + 1] - ccount[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count >= min_hours, total / np.maximum(count, 1), np.nan)


def daily_max_8h(da: xr.DataArray, starts: np.ndarray | None = None, min_hours: int = MIN_HOURS_8H_MEAN,
                 min_windows: int = MIN_WINDOWS_MDA8) -> xr.DataArray:
    """Daily maximum 8-hour mean (MDA8) by local day, HJ 663-2013: the largest of the moving means ending at
    08:00..24:00 local, valid with at least ``min_windows`` of those 17 windows valid."""
    starts = hour_starts(da) if starts is None else starts
    values = _time_first(da)
    windows = moving_8h_means(values, min_hours)
    local_hour = ((starts + _OFFSET).astype("datetime64[h]").astype(np.int64)) % 24
    unique, groups = _grouped(values, starts)
    out = np.full((unique.size,) + values.shape[1:], np.nan)
    for n, idx in enumerate(groups):
        idx = idx[local_hour[idx] >= FIRST_MDA8_WINDOW_START_HOUR]
        block = windows[idx]
        count = np.sum(np.isfinite(block), axis=0)
        top = np.max(np.where(np.isfinite(block), block, -np.inf), axis=0) if idx.size else np.full(
            values.shape[1:], -np.inf)
        out[n] = np.where(count >= min_windows, top, np.nan)
    return _as_result(da.transpose("time", ...), out, unique, "_mda8")
