"""Spatial proxies that spread a region's total over the cells: ``population``, ``urban`` and ``area``.

- ``area``: in proportion to the area of each cell inside the region.
- ``population``: the population of each unit in the population table (``population.csv``: prefectures of Hebei,
  the municipalities of Beijing and Tianjin) spread evenly over that unit's area, then cut to the region. A region
  that holds several units shares its total by their populations; a region inside one unit (a district) takes that
  unit's density.
- ``urban``: around each city centre of the cities table (``cities.csv``) whose centre lies in the region, a
  Gaussian of the city's scale radius, weighted by its prefecture's population:
  w(cell) ~ sum_c P_c exp(-r^2 / (2 R_c^2)) / (2 pi R_c^2) x (area of the cell inside the region).

Weights are computed on the global lattice (regions.Frame) and normalized over every cell the region covers,
inside the model domain or not, so the part of a region outside the domain is known exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..data import data_path
from ..errors import InputError
from .regions import Frame, Region, find_region, region_fractions
from .tables import read_table

PROXIES = ("population", "urban", "area")
POPULATION_TABLE = data_path("emissions", "population.csv")
CITIES_TABLE = data_path("emissions", "cities.csv")


@dataclass(frozen=True)
class City:
    name: str
    lat: float
    lon: float
    radius_km: float
    prefecture: str  # code of the unit of the population table that holds it


@lru_cache(maxsize=4)
def population_units(path: str = str(POPULATION_TABLE)) -> tuple[tuple[str, float], ...]:
    table = read_table(Path(path))
    cols = table.require("code", "population")
    unit = table.unit(cols["population"])
    factor = {None: 1.0, "persons": 1.0, "1e4 persons": 1e4, "10000 persons": 1e4, "million": 1e6}.get(unit)
    if factor is None:
        raise InputError(f"{table.path}: column {table.headers[cols['population']]!r}: unknown unit {unit!r}; "
                         f"use persons, 1e4 persons or million")
    table.unique(cols["code"])
    return tuple((table.text(line, f, cols["code"]), table.number(line, f, cols["population"], minimum=0.0) * factor)
                 for line, f in table.rows)


@lru_cache(maxsize=4)
def cities(path: str = str(CITIES_TABLE)) -> tuple[City, ...]:
    table = read_table(Path(path))
    cols = table.require("name", "lat", "lon", "radius", "prefecture")
    return tuple(City(table.text(line, f, cols["name"]), table.number(line, f, cols["lat"], minimum=-90.0),
                      table.number(line, f, cols["lon"], minimum=-180.0),
                      table.number(line, f, cols["radius"], minimum=0.0, exclusive=True),
                      table.text(line, f, cols["prefecture"])) for line, f in table.rows)


def code_within(inner: str, outer: str) -> bool:
    """Whether the unit with code ``inner`` lies inside ``outer`` by the code hierarchy (province XX0000,
    prefecture XXYY00, district XXYYZZ)."""
    if outer.endswith("0000"):
        return inner[:2] == outer[:2]
    if outer.endswith("00"):
        return inner[:4] == outer[:4]
    return inner == outer


_CACHE: dict = {}


def proxy_weights(proxy: str, region: Region, frame: Frame, where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, weight) over the global lattice for a region's total; the weights add up to 1."""
    key = (proxy, region.code, frame.key())
    if key in _CACHE:
        return _CACHE[key]
    if proxy not in PROXIES:
        raise InputError(f"{where}: unknown proxy {proxy!r}; choose one of: {', '.join(PROXIES)}")
    cells = region_fractions(region, frame)
    area = frame.cell_area(cells.j) * cells.fraction  # m2 of each cell inside the region
    if proxy == "area":
        raw = area
    elif proxy == "population":
        raw = np.zeros(cells.i.size)
        for code, people in population_units():
            if code_within(code, region.code):  # the unit lies in the region: its own outline
                unit = region_fractions(find_region(code, str(POPULATION_TABLE)), frame)
                unit_area = np.sum(frame.cell_area(unit.j) * unit.fraction)
                density = people / unit_area
                raw += density * frame.cell_area(cells.j) * unit.lookup(cells.i, cells.j) * (cells.fraction > 0)
            elif code_within(region.code, code):  # the region lies in the unit: the unit's density
                unit = region_fractions(find_region(code, str(POPULATION_TABLE)), frame)
                unit_area = np.sum(frame.cell_area(unit.j) * unit.fraction)
                raw += people / unit_area * area
    else:  # urban
        import shapely

        raw = np.zeros(cells.i.size)
        people = dict(population_units())
        lon, lat = frame.centres(cells.i, cells.j)
        found = False
        for city in cities():
            if not shapely.contains_xy(region.geometry, city.lon, city.lat):
                continue
            found = True
            dx = (lon - city.lon) * np.cos(np.deg2rad(city.lat)) * 111.195
            dy = (lat - city.lat) * 111.195
            r2 = (dx * dx + dy * dy) / (city.radius_km ** 2)
            raw += people.get(city.prefecture, 1.0) * np.exp(-0.5 * r2) / (2 * np.pi * city.radius_km ** 2) * area
        if not found:
            raise InputError(f"{where}: region {region.name} ({region.code}) holds no city of {CITIES_TABLE.name} "
                             f"for the urban proxy; use population or area")
    total = raw.sum()
    if total <= 0.0:
        raise InputError(f"{where}: proxy {proxy!r} is zero everywhere in region {region.name} ({region.code}); "
                         f"the population table has no unit there: use area")
    keep = raw > 0.0
    out = (cells.i[keep], cells.j[keep], raw[keep] / total)
    _CACHE[key] = out
    return out
