"""Helpers shared by the file readers (wrf.py, cf.py): input files, finding variables and coordinates by their CF
attributes (standard_name, units, axis; CF Conventions 1.8, sections 4 and 5), and horizontal and vertical
regridding to the model grid.
"""
from __future__ import annotations

import glob
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..grid import Grid
from ..units import HEIGHT_TO_SI, PRESSURE_COORDINATE_TO_PA, canonical_units
from .constants import GRAVITY, R_DRY

HEIGHT_IN_NAME = re.compile(r"(\d+(?:\.\d+)?)\s*(?:m|metres?|meters?)\b", re.IGNORECASE)
ACCUMULATION_INTERVAL = re.compile(r"interval:\s*([\d.]+)\s*(hours?|hr|h|minutes?|min|seconds?|s|days?)\b",
                                   re.IGNORECASE)


def read_finite(var, index, where: str, dims=None) -> np.ndarray:
    """``var[index]`` of a netCDF4 variable as float64, refused with an InputError if any element is NaN, infinite
    or missing (masked: its _FillValue or outside valid_min..valid_max), naming ``where`` (the file and variable),
    the first bad element's index in the file and its value, so that no NaN or infinity from a file reaches a
    kernel. ``dims``: the file index of a position in the array read (default: ``index`` followed by it)."""
    raw = var[index]
    values = np.ma.filled(np.ma.asarray(raw).astype(float), np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        pos = np.unravel_index(int(np.argmax(bad)), values.shape)
        at = dims(pos) if dims is not None else _file_index(index, pos)
        value = "a missing value" if np.ma.is_masked(raw) and np.ma.getmaskarray(raw)[pos] else \
            repr(float(np.ma.getdata(raw)[pos]))
        names = getattr(var, "dimensions", ())
        text = ", ".join(f"{n}={i}" for n, i in zip(names, at)) if len(names) == len(at) else str(tuple(at))
        raise InputError(f"{where}: {value} at index [{text}] is not a finite number; the file's data must be "
                         "finite numbers (no NaN, infinity or missing values)")
    return values


def _file_index(index, pos) -> tuple:
    """The file index of position ``pos`` of ``var[index]``, for an index of integers and slices."""
    index = index if isinstance(index, tuple) else (index,)
    out, k = [], 0
    for i in index:
        if isinstance(i, slice):
            out.append((i.start or 0) + pos[k])
            k += 1
        else:
            out.append(int(i))
    return tuple(out) + tuple(pos[k:])


def require_lonlat(grid: Grid, source: str) -> None:
    if grid.kind != "lonlat":
        raise InputError(f"meteorology.source = {source!r} needs a lon-lat model grid (domain.grid = 'lonlat')")


def open_dataset(path):
    """A netCDF4 Dataset of an input file, or an InputError naming it."""
    import netCDF4

    try:
        return netCDF4.Dataset(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot open as NetCDF ({exc})") from None


def resolve_files(patterns, where: str = "meteorology.files", base: Path | None = None) -> list[Path]:
    """The files named by a list of paths or glob patterns (relative ones under ``base``), each pattern sorted."""
    if not patterns:
        raise InputError(f"{where}: give the input files (a list of paths or glob patterns)")
    files = []
    for p in patterns:
        p = str(p)
        if base is not None and not Path(p).is_absolute():
            p = str(Path(base) / p)
        matches = sorted(glob.glob(p))
        if not matches:
            raise InputError(f"{where}: no file matches {p!r}")
        files += [Path(m) for m in matches]
    return files


class Bilinear:
    """Bilinear interpolation weights from a [ny, nx] source grid to fractional indices (clamped at the edges)."""

    def __init__(self, fi, fj, shape):
        ny, nx = shape
        fi = np.clip(fi, 0.0, nx - 1.0)
        fj = np.clip(fj, 0.0, ny - 1.0)
        self.i0 = np.minimum(np.floor(fi).astype(np.int64), nx - 2)
        self.j0 = np.minimum(np.floor(fj).astype(np.int64), ny - 2)
        self.wx = fi - self.i0
        self.wy = fj - self.j0
        self.nearest = (np.rint(fj).astype(np.int64), np.rint(fi).astype(np.int64))

    def __call__(self, field):
        """field [..., ny, nx] -> [..., *target shape]."""
        i0, j0, wx, wy = self.i0, self.j0, self.wx, self.wy
        return ((1 - wx) * (1 - wy) * field[..., j0, i0] + wx * (1 - wy) * field[..., j0, i0 + 1]
                + (1 - wx) * wy * field[..., j0 + 1, i0] + wx * wy * field[..., j0 + 1, i0 + 1])

    def pick(self, field):
        return field[..., self.nearest[0], self.nearest[1]]


def interpolate_in_height(z_src, field, z_target):
    """Linear interpolation along axis 0 from column heights z_src [nk, ...] to the heights z_target [nt].

    ``z_src`` must not decrease upwards in any column; repeated heights are allowed (the lowest of a run of equal
    heights is then used below it, the highest above it). Below the lowest level the lowest value is taken, above
    the highest the highest.
    """
    nk = z_src.shape[0]
    out = np.empty((len(z_target),) + field.shape[1:])
    for n, zt in enumerate(z_target):
        k = np.clip((z_src < zt).sum(axis=0) - 1, 0, nk - 2)
        zl = np.take_along_axis(z_src, k[None], 0)[0]
        zu = np.take_along_axis(z_src, k[None] + 1, 0)[0]
        fl = np.take_along_axis(field, k[None], 0)[0]
        fu = np.take_along_axis(field, k[None] + 1, 0)[0]
        w = np.clip((zt - zl) / np.maximum(zu - zl, 1e-6), 0.0, 1.0)
        out[n] = fl + w * (fu - fl)
    return out


# -- finding coordinates and variables --------------------------------------------------------------------------
def find_coordinate(ds, names, standard_name, units, axis):
    """The name of a 1-D coordinate variable recognized by standard_name, units, axis or name, or None."""
    candidates = []
    for name, var in ds.variables.items():
        if var.dimensions != (name,):
            continue
        sn = str(getattr(var, "standard_name", "")).strip()
        un = canonical_units(getattr(var, "units", "none"))
        if sn == standard_name or un == units or str(getattr(var, "axis", "")).upper() == axis:
            candidates.append(name)
        elif name.lower() in names:
            candidates.append(name)
    return candidates[0] if candidates else None


def time_coordinate(ds):
    """The name of the time coordinate (CF units "... since ...", standard_name time or axis T), or None."""
    for name, var in ds.variables.items():
        if var.ndim != 1 or var.dimensions[0] != name:
            continue
        units = str(getattr(var, "units", ""))
        if " since " in units and (getattr(var, "standard_name", "") == "time"
                                   or str(getattr(var, "axis", "")).upper() == "T"
                                   or name.lower() in ("time", "valid_time", "t")):
            return name
    return None


def calendar_of(var) -> str:
    """The CF calendar of a time variable, "standard" for its synonyms."""
    cal = str(getattr(var, "calendar", "standard")).strip().lower()
    return "standard" if cal in ("gregorian", "standard", "") else cal


def height_of(ds, var) -> float | None:
    """Height (m) of a single-level field: a scalar height coordinate, or the number in its long_name."""
    for cname in str(getattr(var, "coordinates", "")).split():
        if cname in ds.variables:
            c = ds.variables[cname]
            if c.size == 1 and (getattr(c, "standard_name", "") == "height" or "height" in cname.lower()):
                value = float(np.ravel(c[:])[0])
                return value * HEIGHT_TO_SI.get(canonical_units(getattr(c, "units", "m")), (1.0,))[0]
    for dim in var.dimensions:
        if dim in ds.variables and ds.dimensions[dim].size == 1 and \
                getattr(ds.variables[dim], "standard_name", "") == "height":
            return float(ds.variables[dim][0])
    match = HEIGHT_IN_NAME.search(str(getattr(var, "long_name", "")))
    return float(match.group(1)) if match else None


def accumulation_seconds(var, setting) -> float:
    """The accumulation period (s) of an accumulated field: ``setting`` hours, else the cell_methods interval,
    else one hour (ERA5)."""
    if setting:
        return float(setting) * 3600.0
    match = ACCUMULATION_INTERVAL.search(str(getattr(var, "cell_methods", "")))
    if match:
        value, unit = float(match.group(1)), match.group(2).lower()
        scale = 86400.0 if unit.startswith("d") else 3600.0 if unit.startswith("h") else \
            60.0 if unit.startswith("min") else 1.0
        return value * scale
    return 3600.0



@dataclass
class Levels:
    """A vertical coordinate: pressure levels (``p`` in Pa) or hybrid sigma-pressure levels (p = a + b ps)."""

    path: Path
    name: str
    a: np.ndarray  # Pa
    b: np.ndarray  # 1
    order: np.ndarray  # indices from the highest pressure (the ground) upwards

    @property
    def key(self):
        return (tuple(np.round(self.a, 3)), tuple(np.round(self.b, 6)))

    @property
    def hybrid(self) -> bool:
        return bool(np.any(self.b != 0))

    def pressure(self, ps):
        """[nk, ...] pressure (Pa) of the levels, in ``order`` (highest first), over surface pressures ps."""
        a, b = self.a[self.order], self.b[self.order]
        shape = (-1,) + (1,) * np.ndim(ps)
        return a.reshape(shape) + b.reshape(shape) * np.asarray(ps)[None]

    def describe(self, k: int) -> str:
        if self.hybrid:
            return f"model level {int(self.order[k])} of {self.name}"
        return f"{self.a[self.order[k]] / 100.0:g} hPa"



def is_vertical(ds, dim) -> bool:
    """Whether ``dim`` is a vertical coordinate the readers understand: pressure or hybrid sigma-pressure."""
    if dim not in ds.variables:
        return False
    coord = ds.variables[dim]
    sn = str(getattr(coord, "standard_name", ""))
    if sn == "atmosphere_hybrid_sigma_pressure_coordinate":
        return True
    return canonical_units(getattr(coord, "units", "none")) in PRESSURE_COORDINATE_TO_PA

def read_levels(path, ds, dim) -> Levels:
    """The pressure or hybrid sigma-pressure levels of the vertical coordinate ``dim``."""
    coord = ds.variables[dim]
    sn = str(getattr(coord, "standard_name", ""))
    if sn == "atmosphere_hybrid_sigma_pressure_coordinate":
        terms = dict(re.findall(r"(\w+):\s*(\w+)", str(getattr(coord, "formula_terms", ""))))

        def term(key, units=True):
            if key not in terms or terms[key] not in ds.variables:
                raise InputError(f"{path}: {dim}: formula_terms {getattr(coord, 'formula_terms', '')!r} "
                                 f"lacks the term {key!r} (or its variable)")
            var = ds.variables[terms[key]]
            values = np.asarray(var[:], dtype=float)
            if units:
                u = canonical_units(getattr(var, "units", "Pa"))
                if u not in PRESSURE_COORDINATE_TO_PA:
                    raise InputError(f"{path}: {terms[key]} has units {getattr(var, 'units', '')!r}; "
                                     f"expected 'Pa' or 'hPa'")
                values = values * PRESSURE_COORDINATE_TO_PA[u]
            return values

        b = term("b", units=False)
        a = term("ap") if "ap" in terms else term("a", units=False) * float(term("p0"))
    else:
        a = np.asarray(coord[:], dtype=float) * PRESSURE_COORDINATE_TO_PA[canonical_units(coord.units)]
        b = np.zeros_like(a)
    order = np.argsort(-(a + b * 1.0e5), kind="stable")
    return Levels(path, dim, a, b, order)



# -- horizontal: a regular lon-lat grid -----------------------------------------------------------------------
class SourceGrid:
    """A file's regular lon-lat grid: the window around the model domain and bilinear weights to the targets."""

    def __init__(self, path, lat, lon, grid: Grid):
        lat = np.asarray(lat, dtype=float)
        lon = np.asarray(lon, dtype=float)
        if lat.size < 2 or lon.size < 2:
            raise InputError(f"{path}: the grid needs at least two latitudes and two longitudes")
        dlat = np.diff(lat)
        if not (np.all(dlat > 0) or np.all(dlat < 0)):
            raise InputError(f"{path}: latitude is not monotonic")
        if not np.all(np.diff(lon) > 0):
            raise InputError(f"{path}: longitude does not increase monotonically (the cf source reads regular "
                             f"lon-lat grids, longitude 0..360 or -180..180)")
        nlon = lon.size
        dlon = float(np.median(np.diff(lon)))
        self.periodic = abs(lon[-1] - lon[0] + dlon - 360.0) < 1e-3 * dlon
        half_lat = 0.5 * float(np.abs(dlat).max())
        lat_lo, lat_hi = float(lat.min()), float(lat.max())
        lon_c, lat_c = np.meshgrid(grid.x, grid.y)
        lon_xf, lat_xf = np.meshgrid(grid.x_bounds, grid.y)
        lon_yf, lat_yf = np.meshgrid(grid.x, grid.y_bounds)
        targets = {"c": (lon_c, lat_c), "x": (lon_xf, lat_xf), "y": (lon_yf, lat_yf)}
        lon_ext, idx_ext = lon, np.arange(nlon, dtype=float)
        if self.periodic:
            lon_ext = np.append(lon, lon[0] + 360.0)
            idx_ext = np.append(idx_ext, float(nlon))
        lat_asc, idx_lat = (lat, np.arange(lat.size, dtype=float)) if dlat[0] > 0 else \
            (lat[::-1], np.arange(lat.size, dtype=float)[::-1])
        fractional = {}
        for key, (tlon, tlat) in targets.items():
            mapped = lon[0] + np.mod(tlon - lon[0], 360.0)  # the file's longitude convention
            if not self.periodic:
                # A point just west of the first longitude maps to near lon[0] + 360: bring it back.
                mapped = np.where(mapped > lon[-1] + 0.5 * dlon, mapped - 360.0, mapped)
                if np.any(mapped < lon[0] - 0.5 * dlon) or np.any(mapped > lon[-1] + 0.5 * dlon):
                    self._outside(path, grid, lat, lon)
            if np.any(tlat < lat_lo - half_lat) or np.any(tlat > lat_hi + half_lat):
                self._outside(path, grid, lat, lon)
            fractional[key] = (np.interp(mapped, lon_ext, idx_ext), np.interp(tlat, lat_asc, idx_lat))
        fi_all = np.concatenate([f[0].ravel() for f in fractional.values()])
        fj_all = np.concatenate([f[1].ravel() for f in fractional.values()])
        i_lo, i_hi = int(np.floor(fi_all.min())), int(np.ceil(fi_all.max()))
        j_lo, j_hi = int(np.floor(fj_all.min())), int(np.ceil(fj_all.max()))
        i_hi = max(i_hi, i_lo + 1)
        if j_hi <= j_lo:
            j_lo, j_hi = (j_lo, j_lo + 1) if j_lo + 1 < lat.size else (j_lo - 1, j_lo)
        if not self.periodic and i_hi > nlon - 1:
            i_lo, i_hi = nlon - 2, nlon - 1
        self.rows = slice(j_lo, j_hi + 1)
        cols = np.arange(i_lo, i_hi + 1)
        self.cols = cols % nlon
        self.contiguous = bool(np.all(np.diff(self.cols) == 1))
        shape = (j_hi - j_lo + 1, cols.size)
        self.at = {key: Bilinear(fi - i_lo, fj - j_lo, shape) for key, (fi, fj) in fractional.items()}

    @staticmethod
    def _outside(path, grid, lat, lon):
        raise InputError(f"{path}: the model domain {grid.x_bounds[0]}..{grid.x_bounds[-1]} E, {grid.y_bounds[0]}.."
                         f"{grid.y_bounds[-1]} N reaches outside the file's grid (longitude {lon.min():g}.."
                         f"{lon.max():g}, latitude {lat.min():g}..{lat.max():g})")

    def column_index(self):
        return slice(int(self.cols[0]), int(self.cols[-1]) + 1) if self.contiguous else slice(None)



# -- vertical ---------------------------------------------------------------------------------------------------
def hypsometric_heights(pressure, virtual_temperature, surface_pressure, surface_tv, surface_altitude):
    """Altitude (m) of levels [nk, ...] ordered by decreasing pressure, integrating dz = R_d Tv / g d(ln p)
    upwards from the ground with the layer-mean virtual temperature (the hypsometric equation); levels at or below
    the ground are placed below it with the surface virtual temperature."""
    z = np.empty(np.shape(pressure))
    p_a, tv_a, z_a = surface_pressure, surface_tv, surface_altitude
    for k in range(z.shape[0]):
        p, tv = pressure[k], virtual_temperature[k]
        above = p < surface_pressure
        z_up = z_a + R_DRY / GRAVITY * 0.5 * (tv_a + tv) * np.log(p_a / p)
        z_down = surface_altitude - R_DRY / GRAVITY * surface_tv * np.log(p / surface_pressure)
        z[k] = np.where(above, z_up, z_down)
        p_a = np.where(above, p, p_a)
        tv_a = np.where(above, tv, tv_a)
        z_a = np.where(above, z[k], z_a)
    return z


def to_heights(z_agl, values, z_target, surface=None):
    """Columns on levels (heights above ground z_agl [nk, ...], increasing upwards) to the heights z_target.

    ``surface`` = (height, value [...]): the value at a fixed height above ground (10-m wind, 2-m temperature,
    the pressure at 0 m), which replaces every level at or below that height. Without it the levels at or below
    the ground take the value of the lowest level above it.
    """
    z = np.asarray(z_agl, dtype=float)
    f = np.asarray(values, dtype=float)
    if surface is not None:
        h, fs = surface
        fs = np.broadcast_to(fs, z.shape[1:])
        below = z <= h
        z = np.concatenate([np.full((1,) + z.shape[1:], h), np.where(below, h, z)])
        f = np.concatenate([fs[None], np.where(below, fs[None], f)])
    else:
        nk = z.shape[0]
        n_below = (z <= 0.0).sum(axis=0)
        first = np.minimum(n_below, nk - 1)[None]
        below = np.arange(nk).reshape((nk,) + (1,) * (z.ndim - 1)) < n_below[None]
        z = np.where(below, np.take_along_axis(z, first, 0), z)
        f = np.where(below, np.take_along_axis(f, first, 0), f)
    return interpolate_in_height(z, f, z_target)

