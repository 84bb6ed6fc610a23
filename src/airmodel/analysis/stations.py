"""Monitoring stations: the station list, the grid cell that holds each station, and time series sampled there.

The default list is Beijing's twelve national (CNEMC) stations, ``data/stations/beijing_national.csv``, with
approximate coordinates as commonly published, not verified (other published lists differ by up to about 7 km,
Huairou most). A model value at a station is the value of the surface-layer cell that contains it (no
interpolation: the cell mean is what the model claims for that area, as in AMET and MELODIES-MONET's nearest-cell
pairing).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from ..data import data_path
from ..errors import InputError
from ..files import read_text

DEFAULT_STATION_LIST = data_path("stations", "beijing_national.csv")
STATION_LIST_COLUMNS = ("code", "name", "lat", "lon")


@dataclass(frozen=True)
class Station:
    code: str
    name: str
    lat: float
    lon: float


def read_station_list(path: str | Path = DEFAULT_STATION_LIST) -> tuple[Station, ...]:
    """Read a station list: a CSV file with the header ``code,name,lat,lon`` (degrees north and east)."""
    path = Path(path)
    text = read_text(path, "station list")
    rows = list(csv.reader(text.splitlines()))
    if not rows or [c.strip().lower() for c in rows[0]] != list(STATION_LIST_COLUMNS):
        found = ",".join(rows[0]) if rows else "an empty file"
        raise InputError(f"{path}, line 1: the header must be {','.join(STATION_LIST_COLUMNS)}; found {found!r}")
    stations: list[Station] = []
    seen: set[str] = set()
    for line, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != 4:
            raise InputError(f"{path}, line {line}: expected 4 columns (code,name,lat,lon), found {len(row)}")
        code, name = row[0].strip(), row[1].strip()
        try:
            lat, lon = float(row[2]), float(row[3])
        except ValueError:
            raise InputError(f"{path}, line {line}: lat {row[2]!r} and lon {row[3]!r} must be numbers "
                             "(degrees north and east)") from None
        if not (-90.0 <= lat <= 90.0) or not (-180.0 <= lon <= 360.0):
            raise InputError(f"{path}, line {line}: lat {lat} / lon {lon} out of range "
                             "(lat -90..90, lon -180..360)")
        if not code:
            raise InputError(f"{path}, line {line}: empty station code")
        if code in seen:
            raise InputError(f"{path}, line {line}: station code {code!r} appears twice")
        seen.add(code)
        stations.append(Station(code, name or code, lat, lon))
    if not stations:
        raise InputError(f"{path}: the station list holds no stations")
    return tuple(stations)


def _edges(centres: np.ndarray, bounds: np.ndarray | None) -> np.ndarray:
    if bounds is not None:
        return np.append(bounds[:, 0], bounds[-1, 1])
    mid = 0.5 * (centres[1:] + centres[:-1])
    return np.concatenate([[centres[0] - (mid[0] - centres[0])], mid, [centres[-1] + (centres[-1] - mid[-1])]])


def station_cells(ds: xr.Dataset, stations, where: str = "stations") -> tuple[np.ndarray, np.ndarray]:
    """(j, i) indices of the lat-lon cells that contain each station; a station outside the grid is an error."""
    if "lon" not in ds.coords or "lat" not in ds.coords:
        raise InputError(f"{where}: the file has no 1-D lon/lat coordinates to place stations on")
    lon, lat = np.asarray(ds["lon"], float), np.asarray(ds["lat"], float)
    lon_edges = _edges(lon, np.asarray(ds["lon_bnds"]) if "lon_bnds" in ds else None)
    lat_edges = _edges(lat, np.asarray(ds["lat_bnds"]) if "lat_bnds" in ds else None)
    return cells_from_edges(lon_edges, lat_edges, stations, where)


def inside_grid(lon_edges: np.ndarray, lat_edges: np.ndarray, station: Station) -> bool:
    return bool(lon_edges[0] <= station.lon < lon_edges[-1] and lat_edges[0] <= station.lat < lat_edges[-1])


def cells_from_edges(lon_edges, lat_edges, stations, where: str = "stations") -> tuple[np.ndarray, np.ndarray]:
    """(j, i) of the cells holding the stations, from the cell edges; a station outside is an error."""
    j = np.empty(len(stations), dtype=np.int64)
    i = np.empty(len(stations), dtype=np.int64)
    for n, st in enumerate(stations):
        if not inside_grid(lon_edges, lat_edges, st):
            raise InputError(f"{where}: station {st.code} ({st.name}) at {st.lat:.4f} N, {st.lon:.4f} E lies "
                             f"outside the grid ({lon_edges[0]:.3f}..{lon_edges[-1]:.3f} E, "
                             f"{lat_edges[0]:.3f}..{lat_edges[-1]:.3f} N)")
        i[n] = int(np.searchsorted(lon_edges, st.lon, side="right")) - 1
        j[n] = int(np.searchsorted(lat_edges, st.lat, side="right")) - 1
    return j, i


def station_coordinates(stations) -> dict[str, tuple]:
    """Coordinates of a ``station`` dimension (code as the index, name, lat, lon)."""
    return {
        "station": ("station", np.array([s.code for s in stations], dtype=object)),
        "station_name": ("station", np.array([s.name for s in stations], dtype=object)),
        "station_lat": ("station", np.array([s.lat for s in stations])),
        "station_lon": ("station", np.array([s.lon for s in stations])),
    }


def sample(ds: xr.Dataset, stations=None, variables=None, where: str = "stations") -> xr.Dataset:
    """Values of the cells that contain the stations: every variable with (lat, lon) among its dimensions (or
    those named), surface level where there is a level dimension; the result has a ``station`` dimension in
    place of (lat, lon)."""
    stations = tuple(stations) if stations is not None else read_station_list()
    j, i = station_cells(ds, stations, where)
    if variables is None:
        variables = [v for v in ds.data_vars if {"lat", "lon"} <= set(ds[v].dims)]
    pick = {"lat": xr.DataArray(j, dims="station"), "lon": xr.DataArray(i, dims="station")}
    out = {}
    for v in variables:
        da = ds[v]
        for level_dim in ("level", "z", "lev"):
            if level_dim in da.dims:
                da = da.isel({level_dim: 0})
        out[v] = da.isel(pick).drop_vars([c for c in ("lat", "lon") if c in da.coords], errors="ignore")
    result = xr.Dataset(out).assign_coords(station_coordinates(stations))
    return result
