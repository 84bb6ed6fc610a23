"""Boundary conditions from a larger model's output in CF NetCDF (``[boundary] source = "cf"``).

The file holds the model species (named as in airmodel, or mapped by ``[boundary.variables]``) as
(time, height, lat, lon) with CF coordinates: ``lon``/``lat`` in degrees (1-D, increasing), a vertical coordinate
of height above ground in m (``standard_name = "height"``; a 3-D field without one is taken as the same at every
height), and ``time`` (CF units, UTC). ``units`` on each variable: ppb, ppm or a mass concentration (ug m-3, ...).
Each side of the domain takes the values one cell outside it (so the inflow is what lies upwind of the first
cell), interpolated linearly in lon, lat and height; the top takes the highest level's values above each cell.
Records are linear in time; the file must cover the run. Species the file lacks keep their ``inflow`` values.
"""
from __future__ import annotations

from datetime import timezone
from pathlib import Path

import netCDF4
import numpy as np
from scipy.interpolate import RegularGridInterpolator

from .errors import InputError
from .units import check_concentration_unit, concentration_to_si


def _coord(ds, names, standard_names, path, what):
    for name, var in ds.variables.items():
        if name in names or getattr(var, "standard_name", None) in standard_names:
            if var.ndim == 1:
                return name, np.asarray(var[:], dtype=float)
    raise InputError(f"{path}: no {what} coordinate (a 1-D variable named {' or '.join(names)} or with "
                     f"standard_name {' or '.join(standard_names)})")


class CFBoundary:
    def __init__(self, path: Path, variables: dict, species, grid, start, end, where: str):
        self.path = path = Path(path)
        if not path.is_file():
            raise InputError(f"{where}.file: {str(path)!r} is not a file (a CF NetCDF file of boundary values)")
        if grid.kind != "lonlat":
            raise InputError(f"{where}: boundary values from a CF file need a lon-lat model grid")
        self.species, self.grid, self.start = species, grid, start
        try:
            self.ds = ds = netCDF4.Dataset(path)
        except OSError as exc:
            raise InputError(f"{path}: cannot read as NetCDF ({exc})") from None
        try:
            self._setup(ds, path, variables, species, grid, start, end, where)
        except BaseException:
            ds.close()
            raise

    def _setup(self, ds, path, variables, species, grid, start, end, where):
        lonname, self.lon = _coord(ds, ("lon", "longitude"), ("longitude",), path, "longitude")
        latname, self.lat = _coord(ds, ("lat", "latitude"), ("latitude",), path, "latitude")
        tname, _ = _coord(ds, ("time",), ("time",), path, "time")
        tvar = ds[tname]
        try:
            times = netCDF4.num2date(tvar[:], tvar.units, getattr(tvar, "calendar", "standard"),
                                     only_use_cftime_datetimes=False, only_use_python_datetimes=True)
        except (AttributeError, ValueError) as exc:
            raise InputError(f"{path}: variable {tname}: cannot read its times ({exc})") from None
        t0 = start.replace(tzinfo=None) if start.tzinfo is None else start.astimezone(timezone.utc).replace(
            tzinfo=None)
        self.seconds = np.array([(t - t0).total_seconds() for t in times])
        run = (end - start).total_seconds()
        if self.seconds.size == 0 or self.seconds[0] > 0 or self.seconds[-1] < run:
            raise InputError(f"{path}: its times ({times[0] if len(times) else 'none'} .. "
                             f"{times[-1] if len(times) else 'none'}) do not cover the run "
                             f"({start:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M} UTC)")
        try:
            zname, self.height = _coord(ds, ("height", "z", "level"), ("height",), path, "height")
        except InputError:
            zname, self.height = None, None
        # where each side samples: one cell outside the domain
        dx = grid.x_bounds[1] - grid.x_bounds[0]
        dy = grid.y_bounds[1] - grid.y_bounds[0]
        x, y = grid.x, grid.y
        self.points = {"west": (np.full(y.size, x[0] - dx), y), "east": (np.full(y.size, x[-1] + dx), y),
                       "south": (x, np.full(x.size, y[0] - dy)), "north": (x, np.full(x.size, y[-1] + dy))}
        for side, (px, py) in self.points.items():
            if px.min() < self.lon.min() or px.max() > self.lon.max() or py.min() < self.lat.min() \
                    or py.max() > self.lat.max():
                raise InputError(f"{path}: its grid ({self.lon.min():.2f}..{self.lon.max():.2f} E, "
                                 f"{self.lat.min():.2f}..{self.lat.max():.2f} N) does not reach one cell beyond the "
                                 f"domain's {side} side (needs {px.min():.2f}..{px.max():.2f} E, "
                                 f"{py.min():.2f}..{py.max():.2f} N)")
        self.mid = grid.layers.midpoints
        self.vars = {}
        for s, sp in enumerate(species):
            name = variables.get(sp.name, sp.name)
            if name not in ds.variables:
                if sp.name in variables:
                    raise InputError(f"{path}: no variable {name!r} (mapped to species {sp.name} in "
                                     f"{where}.variables)")
                continue
            var = ds[name]
            unit = getattr(var, "units", None)
            if unit is None:
                raise InputError(f"{path}: variable {name} has no units attribute (ppb, ppm or ug m-3)")
            check_concentration_unit(unit, f"{path}: variable {name}", sp.molar_mass)
            dims = var.dimensions
            expected = (tname, zname, latname, lonname) if zname else (tname, latname, lonname)
            if dims != expected and dims != (tname, latname, lonname):
                raise InputError(f"{path}: variable {name} has dimensions {dims}; expected (time, height, lat, lon)"
                                 " or (time, lat, lon)")
            self.vars[s] = (var, unit)
        self._cache: dict = {}

    def _record(self, n: int, s: int):
        key = (n, s)
        if key not in self._cache:
            if len(self._cache) > 4 * max(1, len(self.vars)):
                self._cache.clear()
            var, _ = self.vars[s]
            field = np.ma.filled(np.asarray(var[n], dtype=float), np.nan)
            if not np.all(np.isfinite(field)):
                raise InputError(f"{self.path}: variable {var.name}, record {n}: missing or non-finite values")
            if field.ndim == 2:
                field = np.broadcast_to(field, (2,) + field.shape)
                heights = np.array([0.0, 1e5])
            else:
                heights = self.height
            interp = RegularGridInterpolator((heights, self.lat, self.lon), field, bounds_error=False,
                                             fill_value=None)
            out = {}
            for side, (px, py) in self.points.items():
                z = np.clip(self.mid, heights.min(), heights.max())
                zz, pp = np.meshgrid(z, np.arange(px.size), indexing="ij")
                out[side] = interp(np.stack([zz.ravel(), py[pp.ravel()], px[pp.ravel()]], axis=1)).reshape(zz.shape)
            gx, gy = np.meshgrid(self.grid.x, self.grid.y)
            out["top"] = interp(np.stack([np.full(gx.size, heights.max()), gy.ravel(), gx.ravel()], axis=1)
                                ).reshape(gx.shape)
            self._cache[key] = out
        return self._cache[key]

    def mixing_ratios(self, elapsed: float, air_density: np.ndarray, fallback):
        ns = len(self.species)
        nz, ny, nx = self.grid.shape
        n = int(np.clip(np.searchsorted(self.seconds, elapsed, side="right") - 1, 0, self.seconds.size - 2)) \
            if self.seconds.size > 1 else 0
        w = 0.0 if self.seconds.size == 1 else (elapsed - self.seconds[n]) / (self.seconds[n + 1] - self.seconds[n])
        rho = {"west": air_density[:, :, 0], "east": air_density[:, :, -1], "south": air_density[:, 0, :],
               "north": air_density[:, -1, :], "top": air_density[-1]}
        out = {"west": np.empty((ns, nz, ny)), "east": np.empty((ns, nz, ny)), "south": np.empty((ns, nz, nx)),
               "north": np.empty((ns, nz, nx)), "top": np.empty((ns, ny, nx))}
        for s in range(ns):
            for side in out:
                if s not in self.vars:
                    out[side][s] = fallback(s, side, rho[side])
                    continue
                a = self._record(n, s)[side]
                value = a if w == 0.0 else (1.0 - w) * a + w * self._record(n + 1, s)[side]
                sp = self.species[s]
                unit = self.vars[s][1]
                out[side][s] = concentration_to_si(np.maximum(value, 0.0), unit, rho[side], sp.molar_mass) / rho[side]
        return (out["west"], out["east"]), (out["south"], out["north"]), out["top"]
