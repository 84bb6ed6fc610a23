"""Lateral and top boundary conditions: the mixing ratio of the air that flows into the domain.

Sources (``[boundary] source``):
- ``species``: each species' ``inflow`` value, the same on every side and height (the idealized cases);
- ``climatology``: profiles by species, side and height above ground from a table (default: the embedded summer
  North China profiles, ``data/boundary/summer_north_china.csv``, documented in ``data/boundary/SOURCES.md``),
  linear in height between the table's nodes and constant beyond them; species the table lacks use their
  ``inflow`` value;
- ``cf``: a CF NetCDF file from a larger model: variables named as the model species (or mapped by
  ``[boundary.variables]``), on lon, lat, height above ground (m) and time; each side takes the values one cell
  outside the domain (linear in lon, lat and height), linear in time between records.

``scale`` multiplies every boundary value (0: the zero-boundary sensitivity). ``tracers = true`` adds two inert
tracers, ``BND_O3`` (ozone that entered through the boundaries: dry deposition as O3, no chemistry, so an upper
bound of the boundary's share) and ``BND_PM25`` (the boundary's PM2.5: deposited as fine particles, no
chemistry), whose station series give the boundary contribution directly; their initial values are those of O3
and of the PM2.5 components, the background air the run starts in.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from .boundary_cf import CFBoundary
from .data import data_path
from .emissions.tables import read_table
from .errors import InputError
from .species import Species
from .units import check_concentration_unit, concentration_to_si

DEFAULT_PROFILES = data_path("boundary", "summer_north_china.csv")
SIDES = ("west", "east", "south", "north", "top")
SOURCES = ("species", "climatology", "cf")
PM25_COMPONENTS = ("SULF", "NO3A", "NH4A", "SOA", "POA", "EC", "PM25_OTHER")
TRACERS = ("BND_O3", "BND_PM25")


def _resolve(path: str, base_dir: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else Path(base_dir) / p


def embedded_tables() -> list[str]:
    """The names of the profile tables shipped with airmodel (data/boundary/NAME.csv)."""
    return sorted(p.stem for p in Path(str(data_path("boundary"))).glob("*.csv"))


def _profile_table(name: str, base_dir: str) -> Path:
    """A climatology table: the embedded default (empty name), an embedded table by its name (no folder, no
    extension: the ready scenarios name theirs so, which keeps working for a scenario that extends them from another
    folder), or a file, relative paths from the scenario's folder."""
    if not name:
        return DEFAULT_PROFILES
    if name in embedded_tables():
        return Path(str(data_path("boundary", f"{name}.csv")))
    return _resolve(name, base_dir)


# -- the profile table --------------------------------------------------------------------------------------------
def read_profiles(path: Path) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray, str]]:
    """(species, side) -> (heights m, values, unit) from a profile table (species,side,height[m],value,unit)."""
    table = read_table(path)
    cols = table.require("species", "side", "height", "value", "unit")
    nodes: dict[tuple[str, str], list] = {}
    units: dict[tuple[str, str], str] = {}
    for line, f in table.rows:
        species = table.text(line, f, cols["species"])
        side = table.text(line, f, cols["side"]).lower()
        if side not in SIDES + ("all",):
            raise InputError(f"{table.where(line, cols['side'])}: side {side!r}; choose one of "
                             f"{', '.join(SIDES + ('all',))}")
        height = table.number(line, f, cols["height"], minimum=0.0)
        value = table.number(line, f, cols["value"], minimum=0.0)
        unit = table.text(line, f, cols["unit"])
        key = (species, side)
        if key in units and units[key] != unit:
            raise InputError(f"{table.where(line, cols['unit'])}: unit {unit!r} differs from {units[key]!r} in "
                             f"earlier rows of {species} / {side}")
        units[key] = unit
        nodes.setdefault(key, []).append((height, value, line))
    out = {}
    for key, rows in nodes.items():
        rows.sort()
        heights = np.array([r[0] for r in rows])
        if np.any(np.diff(heights) == 0):
            line = rows[int(np.argmin(np.diff(heights))) + 1][2]
            raise InputError(f"{path}, line {line}: height given twice for {key[0]} / {key[1]}")
        out[key] = (heights, np.array([r[1] for r in rows]), units[key])
    return out


class BoundaryConditions:
    """Mixing ratios (kg/kg) of the air entering through each side and the top, at a model time."""

    def __init__(self, settings: dict, species: list[Species], grid, base_dir: str, start, end, where="boundary"):
        self.settings = settings
        self.species = species
        self.grid = grid
        self.scale = float(settings["scale"])
        self.source = settings["source"]
        self.where = where
        self.start = start
        heights = grid.layers.midpoints
        self.top_height = float(grid.layers.interfaces[-1])
        self.profiles = None
        self.cf = None
        if self.source == "climatology":
            path = _profile_table(settings["file"], base_dir)
            if not path.is_file():
                raise InputError(f"{where}.file: {str(path)!r} is not a file (a profile table: "
                                 f"species,side,height[m],value,unit; or an embedded table by name: "
                                 f"{', '.join(embedded_tables())})")
            self.profiles = self._profile_values(read_profiles(path), heights, path)
        elif self.source == "cf":
            if not settings["file"]:
                raise InputError(f"{where}.file: source = \"cf\" needs the NetCDF file of the larger model")
            self.cf = CFBoundary(_resolve(settings["file"], base_dir), settings["variables"], species, grid,
                                 start, end, where)

    # -- climatology ----------------------------------------------------------------------------------------------
    def _profile_values(self, table, heights, path):
        """For every species and side: (values at the layer midpoints (or the top), unit), or None."""
        out = {}
        for s, sp in enumerate(self.species):
            name = sp.name
            if name in TRACERS:
                continue
            for side in SIDES:
                key = (name, side) if (name, side) in table else (name, "all")
                if key not in table:
                    out[(s, side)] = None
                    continue
                h, v, unit = table[key]
                check_concentration_unit(unit, f"{path}: {name} / {key[1]}", sp.molar_mass)
                at = np.array([self.top_height]) if side == "top" else heights
                out[(s, side)] = (np.interp(at, h, v), unit)
        # the tracers take the profiles of what they trace
        index = {sp.name: s for s, sp in enumerate(self.species)}
        for s, sp in enumerate(self.species):
            if sp.name not in TRACERS:
                continue
            parts = ("O3",) if sp.name == "BND_O3" else PM25_COMPONENTS
            for side in SIDES:
                found = [out.get((index[p], side)) for p in parts if p in index]
                found = [f for f in found if f is not None]
                if not found:
                    out[(s, side)] = None
                    continue
                units = {f[1] for f in found}
                if len(units) != 1:
                    raise InputError(f"{path}: the PM2.5 components' {side} profiles use different units "
                                     f"({', '.join(sorted(units))}); give them all in ug m-3")
                out[(s, side)] = (sum(f[0] for f in found), found[0][1])
        return out

    def _value(self, s: int, side: str, rho: np.ndarray) -> np.ndarray:
        """kg/kg for species s on one side, rho the air density of the boundary cells ([nz, n] or [ny, nx])."""
        sp = self.species[s]
        prof = None if self.profiles is None else self.profiles.get((s, side))
        if prof is None:
            return concentration_to_si(sp.inflow, sp.units, rho, sp.molar_mass) / rho
        values, unit = prof
        if side == "top":
            v = np.full(rho.shape, values[0])
        else:
            v = np.broadcast_to(values[:, None], rho.shape)
        return concentration_to_si(v, unit, rho, sp.molar_mass) / rho

    def mixing_ratios(self, elapsed: float, air_density: np.ndarray):
        """((west, east) [ns, nz, ny], (south, north) [ns, nz, nx], top [ns, ny, nx]) in kg/kg."""
        if self.cf is not None:
            (w, e), (s_, n), top = self.cf.mixing_ratios(elapsed, air_density, self._value)
            return (w * self.scale, e * self.scale), (s_ * self.scale, n * self.scale), top * self.scale
        ns = len(self.species)
        nz, ny, nx = self.grid.shape
        west, east = np.empty((ns, nz, ny)), np.empty((ns, nz, ny))
        south, north = np.empty((ns, nz, nx)), np.empty((ns, nz, nx))
        top = np.empty((ns, ny, nx))
        for s in range(ns):
            west[s] = self._value(s, "west", air_density[:, :, 0])
            east[s] = self._value(s, "east", air_density[:, :, -1])
            south[s] = self._value(s, "south", air_density[:, 0, :])
            north[s] = self._value(s, "north", air_density[:, -1, :])
            top[s] = self._value(s, "top", air_density[-1])
        if self.scale != 1.0:
            for a in (west, east, south, north, top):
                a *= self.scale
        return (west, east), (south, north), top


def tracer_species(species: list[Species]) -> list[Species]:
    """The inert boundary tracers BND_O3 and BND_PM25, shaped after the species they trace."""
    by_name = {sp.name: sp for sp in species}
    out = []
    if "O3" in by_name:
        o3 = by_name["O3"]
        out.append(replace(o3, name="BND_O3", long_name="ozone that entered through the boundaries (inert tracer: "
                           "dry deposition as O3, no chemistry)", standard_name=""))
    present = [by_name[p] for p in PM25_COMPONENTS if p in by_name]
    if present:
        initial = sum(float(p.initial) for p in present if not isinstance(p.initial, dict))
        if any(p.units != "ug m-3" for p in present):
            raise InputError("boundary.tracers: BND_PM25 needs the PM2.5 components in ug m-3")
        out.append(Species(name="BND_PM25", units="ug m-3", long_name="PM2.5 that entered through the boundaries "
                           "(inert tracer: deposited as fine particles, no chemistry)", standard_name="",
                           initial=initial, inflow=sum(p.inflow for p in present), dry_deposition_velocity=0.0,
                           deposition_class="pm_fine"))
    if not out:
        raise InputError("boundary.tracers = true needs O3 or the PM2.5 components (chemistry.mechanism = "
                         "\"grs_aero\")")
    return out


# -- a nested domain's boundary from its parent ---------------------------------------------------------------------
def _linear_weights(centres: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index of the centre below, weight of the one above) for linear interpolation between ``centres``
    (increasing) at the points ``at``; held at the end values beyond them."""
    i = np.clip(np.searchsorted(centres, at, side="right") - 1, 0, max(centres.size - 2, 0))
    if centres.size < 2:
        return i, np.zeros(at.shape)
    w = np.clip((at - centres[i]) / (centres[i + 1] - centres[i]), 0.0, 1.0)
    return i, w


class Bilinear:
    """Bilinear interpolation from a parent grid's cell centres to points (x, y) in the parent's units."""

    def __init__(self, parent, x: np.ndarray, y: np.ndarray):
        self.i, self.wx = _linear_weights(parent.x, np.asarray(x, dtype=float))
        self.j, self.wy = _linear_weights(parent.y, np.asarray(y, dtype=float))
        self.i1 = np.minimum(self.i + 1, parent.nx - 1)
        self.j1 = np.minimum(self.j + 1, parent.ny - 1)

    def __call__(self, field: np.ndarray) -> np.ndarray:
        """field [..., ny, nx] -> [..., n] at the points."""
        wx, wy = self.wx, self.wy
        return ((field[..., self.j, self.i] * (1.0 - wx) + field[..., self.j, self.i1] * wx) * (1.0 - wy)
                + (field[..., self.j1, self.i] * (1.0 - wx) + field[..., self.j1, self.i1] * wx) * wy)


class NestedBoundary:
    """The lateral and top boundary of a nested domain from its parent (one-way nesting, airmodel/nesting.py).

    The same interface as :meth:`BoundaryConditions.mixing_ratios`. The parent's state is recorded at the start and
    the end of each parent step (:meth:`record`); the values a child step asks for are linear in time between the
    two. In space, each lateral value is the parent's mixing ratio interpolated bilinearly (in the parent's cell
    centres) to the centre of the child's ghost cell, half a child cell outside the child's face, layer by layer
    (the two domains share their layers); the top value is the parent's own top boundary value, interpolated
    bilinearly to the child's columns (the air above the child's top is the air above the parent's top)."""

    def __init__(self, parent_grid, child_grid):
        c = child_grid
        half_x = 0.5 * (c.x_bounds[1] - c.x_bounds[0]), 0.5 * (c.x_bounds[-1] - c.x_bounds[-2])
        half_y = 0.5 * (c.y_bounds[1] - c.y_bounds[0]), 0.5 * (c.y_bounds[-1] - c.y_bounds[-2])
        self.sides = {
            "west": Bilinear(parent_grid, np.full(c.ny, c.x_bounds[0] - half_x[0]), c.y),
            "east": Bilinear(parent_grid, np.full(c.ny, c.x_bounds[-1] + half_x[1]), c.y),
            "south": Bilinear(parent_grid, c.x, np.full(c.nx, c.y_bounds[0] - half_y[0])),
            "north": Bilinear(parent_grid, c.x, np.full(c.nx, c.y_bounds[-1] + half_y[1])),
        }
        lon, lat = np.meshgrid(c.x, c.y, indexing="xy")
        self.columns = Bilinear(parent_grid, lon.ravel(), lat.ravel())
        self.child_shape = (c.ny, c.nx)
        self.states: list[tuple[float, dict]] = []  # (elapsed s, values by side) at most two

    @property
    def latest(self) -> float | None:
        """The time (s since the start) of the last recorded parent state, or None."""
        return self.states[-1][0] if self.states else None

    def record(self, elapsed: float, mixing_ratio: np.ndarray, top: np.ndarray) -> None:
        """The parent's state at ``elapsed``: mixing ratios [ns, nz, ny, nx] (kg/kg) and its top boundary values
        [ns, ny, nx] (kg/kg); the earlier of the two states held before is dropped."""
        self.push(self.sample(elapsed, mixing_ratio, top))

    def sample(self, elapsed: float, mixing_ratio: np.ndarray, top: np.ndarray) -> tuple[float, dict]:
        """(elapsed, the values by side) that :meth:`record` keeps, without keeping them: the parent's state
        interpolated to the child's ghost cells and columns, for :meth:`push` (a parent stepping in a thread of its
        own samples its state after each step and the child pushes it when its steps reach that time)."""
        values = {side: f(mixing_ratio) for side, f in self.sides.items()}
        values["top"] = self.columns(top).reshape(top.shape[:1] + self.child_shape)
        return float(elapsed), values

    def push(self, state: tuple[float, dict]) -> None:
        """Keep a state from :meth:`sample` as the latest; the earlier of the two held before is dropped."""
        self.states = self.states[-1:] + [state]

    def mixing_ratios(self, elapsed: float, air_density: np.ndarray):
        """((west, east) [ns, nz, ny], (south, north) [ns, nz, nx], top [ns, ny, nx]) in kg/kg at ``elapsed`` s,
        linear in time between the recorded parent states (``air_density`` is not needed: the values are mixing
        ratios already)."""
        if not self.states:
            raise RuntimeError("NestedBoundary: no parent state recorded")
        (t0, a), (t1, b) = self.states[0], self.states[-1]
        if not t0 - 1e-6 <= elapsed <= t1 + 1e-6:
            raise RuntimeError(f"NestedBoundary: time {elapsed} s lies outside the parent states {t0}..{t1} s")
        w = 0.0 if t1 == t0 else (elapsed - t0) / (t1 - t0)
        v = {side: a[side] if w == 0.0 else (1.0 - w) * a[side] + w * b[side] for side in a}
        return (v["west"], v["east"]), (v["south"], v["north"]), v["top"]
