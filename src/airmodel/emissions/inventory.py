"""The emissions of a run: inventories read once, controlled, speciated and gridded; hourly rates on demand.

    emissions = Emissions(section, controls, grid, species_names, start, end, base_dir)
    rates = emissions.rates(time_utc, met)        # EmissionRates: surface [ns, ny, nx] kg/s + elevated (sparse)
    emitted = emissions.emitted_mass(t0, t1)      # kg per species in [t0, t1): what the rates integrate to

Order of work, once per run: read every inventory file into components (components.py) -> check profiles and ids ->
controls (controls.py) -> per set of active controls, grid the area, gridded and mobile components by pollutant
(kg/yr on the model cells) and speciate them by sector (speciation.py). Per hour: temporal profile fractions
(profiles.py, local time) x the gridded amounts, split over layers by each sector's vertical profile; stacks by
Briggs plume rise with the meteorology at the stack (plume_rise.py). Rates are constant within each local hour and
each control state, so ``emitted_mass`` (computed from the profiles, not by summing rates) equals the sum of
``rates x dt`` over steps that do not straddle a local hour or a control's start or end.
"""
from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..chemistry.mechanism import load_mechanism
from ..data import data_path
from ..errors import InputError
from ..grid import Grid
from ..kernels.emission import add_by_species, add_sparse
from ..met.constants import GRAVITY
from .area import read_gridded, read_region_totals
from .biogenic import BiogenicEmissions
from .components import N_POLLUTANTS, Component
from .controls import ControlFactors, build_controls, control_states
from .mobile import read_emission_factors, read_fleets, read_road_links, read_vehicle_activity
from .plume_rise import final_rise, potential_temperature_gradient, stack_tip_downwash
from .profiles import (SURFACE, LocalClock, TemporalProfile, hour_fraction, read_temporal_profiles,
                       read_vertical_profiles, window_fractions)
from .quantities import POLLUTANTS, SECTORS
from .regions import Frame
from .settings import validate_controls, validate_emissions
from .speciation import read_speciation
from .stacks import read_stacks

log = logging.getLogger("airmodel")

EMISSIONS_DIR = data_path("emissions")
DEFAULT_TEMPORAL = EMISSIONS_DIR / "temporal_profiles.csv"
DEFAULT_VERTICAL = EMISSIONS_DIR / "vertical_profiles.csv"
#: the speciation table (and mechanism) of an inventory in a run without chemistry, where emissions.speciation is empty
DEFAULT_SPECIATION = "grs_aero"
#: Without meteorology (or where it lacks a field) stacks see these (assumed typical summer values).
DEFAULT_AMBIENT_TEMPERATURE = 293.15  # K
DEFAULT_WIND_SPEED = 3.0  # m/s
FILE_KEYS = ("point_files", "region_totals_files", "gridded_files", "road_files", "vehicle_activity_files",
             "emission_factors", "fleets", "temporal_profiles", "vertical_profiles")


@dataclass
class EmissionRates:
    """Emission rates at one instant, kg/s. ``surface`` goes into the lowest layer (the surface flux of the vertical
    mixing), the lowest-layer part of stack plumes and of the area sectors' release heights included; the rest is
    sparse: ``index[n] = (species, k, j, i)`` with ``rate[n]`` and k >= 1; an index may repeat. The sparse entries
    are held as ``parts``, pairs (index, rate) in order (the area sources of the hour, which are reused for every
    step of the hour, then the stacks of the step), so that no step copies the hour's 100,000-odd entries; ``index``
    and ``rate`` are their concatenation."""

    surface: np.ndarray  # [ns, ny, nx]
    parts: tuple  # ((index [n, 4] int64, rate [n]), ...)

    @property
    def index(self) -> np.ndarray:
        return np.concatenate([index for index, _ in self.parts] + [np.zeros((0, 4), dtype=np.int64)])

    @property
    def rate(self) -> np.ndarray:
        return np.concatenate([rate for _, rate in self.parts] + [np.zeros(0)])

    def by_species(self) -> np.ndarray:
        """Total rate of each species (kg/s): the surface sums plus the sparse entries' sums, added entry by entry
        in order (as ``np.bincount`` adds its weights)."""
        total = self.surface.sum(axis=(1, 2))
        if any(rate.size for _, rate in self.parts):
            sparse = np.zeros(total.size)
            for index, rate in self.parts:
                add_by_species(index, rate, sparse)
            total = total + sparse
        return total

    def add_elevated(self, tracer_mass: np.ndarray, dt: float) -> None:
        """tracer_mass[s, k, j, i] += rate dt (kg) for the elevated part."""
        for index, rate in self.parts:
            if rate.size:
                add_sparse(tracer_mass, index, rate, float(dt))


def _resolve(path: str, base: Path) -> Path:
    p = Path(path)
    return p if p.is_absolute() else (base / p)


def resolve_files(section: dict, base_dir) -> tuple[dict, int | None, str]:
    """The file keys after filling the empty ones from the built-in inventory's manifest; paths made absolute.
    Returns (files, the manifest's year or None, a description of where the files came from)."""
    base = Path(base_dir or ".")
    files = {}
    year = None
    described = "scenario"
    manifest: dict = {}
    mbase = base
    if section["inventory"] != "none":
        mpath = EMISSIONS_DIR / section["inventory"] / "inventory.toml"
        try:
            manifest = tomllib.loads(mpath.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"emissions.inventory: {mpath} is missing; reinstall airmodel") from None
        mbase = mpath.parent
        year = manifest.get("year")
        described = f"built-in inventory {section['inventory']} ({mpath.parent})"
    for key in FILE_KEYS:
        value = section[key]
        if value:
            files[key] = [_resolve(v, base) for v in value] if isinstance(value, list) else _resolve(value, base)
        elif key in manifest:
            m = manifest[key]
            files[key] = [_resolve(v, mbase) for v in m] if isinstance(m, list) else _resolve(m, mbase)
        else:
            files[key] = [] if isinstance(value, list) else None
    if files["temporal_profiles"] is None:
        files["temporal_profiles"] = DEFAULT_TEMPORAL
    if files["vertical_profiles"] is None:
        files["vertical_profiles"] = DEFAULT_VERTICAL
    return files, year, described


def inventory_requested(section: dict) -> bool:
    """Whether an [emissions] table asks for inventory emissions (a built-in inventory or any inventory file)."""
    if section.get("inventory", "none") != "none" or section.get("biogenic", False):
        return True
    return any(section.get(k) for k in ("point_files", "region_totals_files", "gridded_files", "road_files",
                                        "vehicle_activity_files"))


def speciation_path(name: str, base_dir) -> Path:
    if name.endswith(".csv"):
        return _resolve(name, Path(base_dir or "."))
    path = EMISSIONS_DIR / "speciation" / f"{name}.csv"
    if not path.exists():
        have = sorted(p.stem for p in (EMISSIONS_DIR / "speciation").glob("*.csv"))
        raise InputError(f"emissions.speciation: no speciation table for {name!r}; choose one of: {', '.join(have)} "
                         f"or give a CSV path")
    return path


class Inventory:
    """The inventory as components, with profiles and controls, independent of any species list (for summaries)."""

    def __init__(self, section: dict, controls: list, grid: Grid, base_dir=None, start: datetime | None = None):
        section = validate_emissions(section)
        self.section = section
        self.clock = LocalClock(float(section["utc_offset_hours"]))
        controls = validate_controls(list(controls or []), "controls", self.clock.offset_hours)
        self.grid = grid
        self.frame = Frame.from_grid(grid)
        files, manifest_year, self.described = resolve_files(section, base_dir)
        self.files = files
        self.year = int(section["year"] or manifest_year or (start.year if start else 2008))
        self.temporal = read_temporal_profiles(files["temporal_profiles"])
        self.vertical = read_vertical_profiles(files["vertical_profiles"])
        self.emission_factors = read_emission_factors(files["emission_factors"]) if files["emission_factors"] else {}
        self.fleets = read_fleets(files["fleets"], self.emission_factors) if files["fleets"] else {}
        self.components = self._read_components(files)
        self._check_profiles()
        self.vehicle_classes = list(self.emission_factors)
        self.controls = build_controls(controls, self.clock.offset_hours, self.components, self.vehicle_classes)
        self.control_factors = ControlFactors(self.controls, self.components, self.frame)
        self.in_domain = [self.frame.in_domain(c.i, c.j) for c in self.components]
        self._report_outside()

    # -- reading ------------------------------------------------------------------------------------------------
    def _read_components(self, files) -> list[Component]:
        ids: dict[str, str] = {}
        out: list[Component] = []
        g = self.grid
        box = (float(g.x_bounds[0]), float(g.x_bounds[-1]), float(g.y_bounds[0]), float(g.y_bounds[-1]))
        for path in files["point_files"]:
            out += read_stacks(path, self.frame, self.year, ids)
        for path in files["region_totals_files"]:
            out += read_region_totals(path, self.frame, self.year, ids)
        for path in files["gridded_files"]:
            out += read_gridded(path, self.frame, self.year, box)
        mobile = files["road_files"] or files["vehicle_activity_files"]
        if mobile and not self.emission_factors:
            raise InputError("emissions: road links and vehicle activity need emission_factors (a CSV of "
                             "vehicle_class,NOx[g/km],...)")
        for path in files["road_files"]:
            out += read_road_links(path, self.frame, self.year, self.fleets, self.emission_factors, ids)
        for path in files["vehicle_activity_files"]:
            out += read_vehicle_activity(path, self.frame, self.year, self.fleets, self.emission_factors, ids)
        return out

    def _check_profiles(self) -> None:
        for c in self.components:
            if c.profile not in self.temporal:
                raise InputError(f"{c.origin}: no temporal profile {c.profile!r} in {self.files['temporal_profiles']}"
                                 f"; it has: {', '.join(self.temporal)}")
            if c.stack is None:
                if not c.vertical:
                    c.vertical = c.sector if c.sector in self.vertical else SURFACE
                if c.vertical not in self.vertical:
                    raise InputError(f"{c.origin}: no vertical profile {c.vertical!r} in "
                                     f"{self.files['vertical_profiles']}; it has: {', '.join(self.vertical)}")

    def _report_outside(self) -> None:
        """List the sources that lie wholly or partly outside the domain (by source id: the share of its mass
        outside), and the share of each pollutant outside."""
        outside_total = np.zeros(N_POLLUTANTS)
        total = np.zeros(N_POLLUTANTS)
        by_id: dict[str, list] = {}
        for c, inside in zip(self.components, self.in_domain):
            out_share = float(np.sum(c.weight[~inside]))
            total += c.amounts
            outside_total += c.amounts * out_share
            mass = float(c.amounts.sum()) or 1.0
            entry = by_id.setdefault(c.source_id, [c, 0.0, 0.0])
            entry[1] += mass * out_share
            entry[2] += mass
        listed = [(c, out / mass) for c, out, mass in by_id.values() if out > 0.0]
        self.outside = listed
        self.outside_share = np.divide(outside_total, total, out=np.zeros(N_POLLUTANTS), where=total > 0)
        points = [(c, s) for c, s in listed if c.kind == "point"]
        if points and self.section["out_of_domain"] == "error":
            c = points[0][0]
            raise InputError(f"{c.origin}: stack {c.source_id!r} at {c.lon:g} E, {c.lat:g} N lies outside the model "
                             f"domain (emissions.out_of_domain = \"error\")")
        if listed:
            names = ", ".join(f"{c.source_id} ({100 * s:.0f} %)" for c, s in listed[:8])
            shares = ", ".join(f"{p} {100 * s:.1f} %" for p, s in zip(POLLUTANTS, self.outside_share) if s > 0)
            log.warning("emissions: %d sources lie wholly or partly outside the domain and are left out: %s%s; "
                        "share of the inventory outside: %s", len(listed), names,
                        ", ..." if len(listed) > 8 else "", shares)

    # -- amounts ------------------------------------------------------------------------------------------------
    def profile(self, c: Component) -> TemporalProfile:
        return self.temporal[c.profile]

    def window_fraction(self, c: Component, start: datetime, end: datetime) -> float:
        return window_fractions(self.temporal[c.profile], self.clock, start, end, c.month)

    def controlled_amounts(self, n: int, active: frozenset) -> np.ndarray:
        """[N_POLLUTANTS, ncells] kg per year (or month) of component n in each of its cells under the controls."""
        c = self.components[n]
        base = c.amounts[:, None] * c.weight[None, :]
        f = self.control_factors.factors(n, active)
        return base if f is None else base * f

    def states(self, start: datetime, end: datetime):
        return control_states(self.controls, _utc(start), _utc(end))


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None:
        return t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc)


class Emissions:
    """Emission rates on the model grid for the transported species (module docstring)."""

    def __init__(self, section: dict, controls: list, grid: Grid, species_names: list[str],
                 start: datetime | None = None, end: datetime | None = None, base_dir=None,
                 chemistry: str | None = None):
        self.inventory = inv = Inventory(section, controls, grid, base_dir, start)
        self.grid = grid
        self.species_names = list(species_names)
        # an empty emissions.speciation / emissions.mechanism follows the run's chemistry mechanism
        own = chemistry if chemistry not in (None, "none") else DEFAULT_SPECIATION
        mechanism_name = inv.section["mechanism"] or own
        mechanism = load_mechanism(mechanism_name)
        molar_mass = {s.name: s.molar_mass for s in mechanism.species}
        self.speciation = read_speciation(speciation_path(inv.section["speciation"] or own, base_dir), molar_mass,
                                          mechanism_name)
        self.matrix = {sector: self.speciation.matrix(sector, self.species_names) for sector in SECTORS}
        if inv.components and not set(self.speciation.species_made()) & set(self.species_names):
            log.warning("emissions: none of the transported species (%s) is made by the speciation table %s; the "
                        "inventory emits nothing into this run", ", ".join(self.species_names), self.speciation.source)
        if chemistry not in (None, "none"):
            self._check_every_pollutant_lands(chemistry)
        self._report_unspeciated()
        unused = sorted(self.speciation.species_made() - set(self.species_names))
        if unused:
            log.info("emissions: species made by the speciation but not transported (their mass is counted in the "
                     "inventory summaries only): %s", ", ".join(unused))
        self.layer_fractions = {name: vp.layer_fractions(grid.layers.interfaces) for name, vp in inv.vertical.items()}
        self.start, self.end = (_utc(start) if start else None), (_utc(end) if end else None)
        ns, ny, nx = len(self.species_names), grid.ny, grid.nx
        self.shape = (ns, ny, nx)
        self._grids: dict[frozenset, dict] = {}
        self._points: dict[frozenset, tuple] = {}
        self._hour_cache: tuple | None = None
        self._nonzero: dict = {}  # (active, field key) -> the field's nonzero entries (_nonzero_entries)
        self.points = [n for n, c in enumerate(inv.components) if c.stack is not None and inv.in_domain[n][0]]
        self.spread = [n for n, c in enumerate(inv.components) if c.stack is None]
        self._check_species_nonnegative()
        #: isoprene and monoterpenes of the land use (emissions.biogenic), added to the surface rates
        self.biogenic = BiogenicEmissions(grid, self.species_names, molar_mass) if inv.section["biogenic"] else None

    # -- gridding -----------------------------------------------------------------------------------------------
    def _gridded(self, active: frozenset) -> dict:
        """{(sector, profile, vertical, month): [ns, ny*nx] kg per year (month)} under the active controls."""
        if active in self._grids:
            return self._grids[active]
        inv = self.inventory
        ncell = self.grid.ny * self.grid.nx
        by_pollutant: dict[tuple, np.ndarray] = {}
        for n in self.spread:
            c = inv.components[n]
            inside = inv.in_domain[n]
            if not inside.any():
                continue
            key = (c.sector, c.profile, c.vertical, c.month)
            acc = by_pollutant.get(key)
            if acc is None:
                acc = by_pollutant[key] = np.zeros((N_POLLUTANTS, ncell))
            amounts = inv.controlled_amounts(n, active)[:, inside]
            flat = inv.frame.flat(c.i[inside], c.j[inside])
            for p in np.nonzero(c.amounts)[0]:
                acc[p] += np.bincount(flat, weights=amounts[p], minlength=ncell)
        out = {key: self.matrix[key[0]].T @ acc for key, acc in by_pollutant.items()}
        self._grids[active] = out
        return out

    def _point_amounts(self, active: frozenset) -> np.ndarray:
        """[n_points, ns] kg per year of each stack in the domain, speciated, under the active controls."""
        if active not in self._points:
            inv = self.inventory
            rows = []
            for n in self.points:
                c = inv.components[n]
                amounts = inv.controlled_amounts(n, active)[:, 0]
                rows.append(amounts @ self.matrix[c.sector])
            self._points[active] = np.array(rows).reshape(len(self.points), len(self.species_names))
        return self._points[active]

    def _check_every_pollutant_lands(self, chemistry: str) -> None:
        """With a chemistry mechanism, every inventory pollutant emitted in the domain must become at least one
        transported species: a table made for another mechanism (grs_aero's NMVOC -> ROC in a cb05_aero run) would
        otherwise drop that pollutant without a word."""
        inv = self.inventory
        for n, c in enumerate(inv.components):
            if not inv.in_domain[n].any():
                continue
            for p in np.nonzero(c.amounts)[0]:
                if np.any(self.matrix[c.sector][p] != 0.0):
                    continue
                pollutant = POLLUTANTS[p]
                named = sorted(self.speciation.species_for(c.sector, pollutant))
                raise InputError(
                    f"emissions: the inventory emits {pollutant} (sector {c.sector}) but the speciation table "
                    f"{self.speciation.source} maps it to "
                    f"{', '.join(named) + ', not species of' if named else 'no species of'} mechanism "
                    f"{chemistry!r}, so it would be dropped; set emissions.speciation to a table made for "
                    f"{chemistry!r} (airmodel/data/emissions/speciation/<name>.csv, or a CSV path) and "
                    f"emissions.mechanism = {chemistry!r}")

    def _report_unspeciated(self) -> None:
        """Log, per sector and pollutant emitted in the domain, the mass fraction that the table sends to no species
        (basis none: e.g. the unreactive carbon and ethane of an NMVOC profile), so that it is seen, not lost."""
        inv = self.inventory
        seen = set()
        for n, c in enumerate(inv.components):
            if not inv.in_domain[n].any():
                continue
            for p in np.nonzero(c.amounts)[0]:
                key = (c.sector, POLLUTANTS[p])
                parts = self.speciation.unspeciated(*key)
                if key in seen or not parts:
                    continue
                seen.add(key)
                log.info("emissions: %.1f %% of the %s of sector %s becomes no species (%s)", 100 * sum(parts.values()),
                         key[1], key[0], ", ".join(f"{k} {100 * v:.1f} %" for k, v in parts.items()))

    def _check_species_nonnegative(self) -> None:
        for active in {s for _, _, s in self.inventory.states(*self._span())}:
            for key, field in self._gridded(active).items():
                if (field < -1e-9 * max(1.0, float(np.abs(field).max()))).any():
                    s = int(np.nonzero((field < 0).any(axis=1))[0][0])
                    raise InputError(f"emissions: speciation gives a negative {self.species_names[s]} in sector "
                                     f"{key[0]}: a source has PM10 < PM2.5 or BC + OM > PM2.5 (or a control cuts "
                                     f"PM2.5 but not PM10); check the inventory and the controls")

    def _span(self) -> tuple[datetime, datetime]:
        if self.start is not None and self.end is not None:
            return self.start, self.end
        y = self.inventory.year
        return self.inventory.clock.utc(datetime(y, 1, 1)), self.inventory.clock.utc(datetime(y + 1, 1, 1))

    def _active(self, t: datetime) -> frozenset:
        return frozenset(c.index for c in self.inventory.controls if c.active(t))

    # -- rates --------------------------------------------------------------------------------------------------
    def rates(self, time_utc: datetime, met=None) -> EmissionRates:
        """Emission rates (kg/s) during the local hour that holds ``time_utc``; stacks use ``met`` (a MetSnapshot)
        for plume rise, and the biogenic emissions (where the scenario has them) its land use, temperature and
        radiation at that instant."""
        t = _utc(time_utc)
        inv = self.inventory
        active = self._active(t)
        year, hour, _ = inv.clock.position(t)
        key = (year, hour, active)
        if self._hour_cache is not None and self._hour_cache[0] == key:
            surface, idx, rate = self._hour_cache[1]
            surface = surface.copy()
        else:
            surface, idx, rate = self._spread_rates(t, active)
            self._hour_cache = (key, (surface.copy(), idx, rate))
        p_idx, p_rate, p_surface = self._point_rates(t, active, met)
        surface += p_surface
        ns, ny, nx = self.shape
        if self.biogenic is not None:
            self.biogenic.add_rates(surface.reshape(ns, ny, nx), met)
        return EmissionRates(surface.reshape(ns, ny, nx), tuple((np.ascontiguousarray(index, dtype=np.int64),
                                                                  np.ascontiguousarray(values, dtype=np.float64))
                                                                 for index, values in ((idx, rate), (p_idx, p_rate))))

    def _spread_rates(self, t: datetime, active: frozenset):
        inv = self.inventory
        ns, ny, nx = self.shape
        surface = np.zeros((ns, ny * nx))
        idx, rate = [np.zeros((0, 4), dtype=np.int64)], [np.zeros(0)]
        for key, field in self._gridded(active).items():
            sector, profile, vertical, month = key
            f = hour_fraction(inv.temporal[profile], inv.clock, t, month) / 3600.0
            if f == 0.0:
                continue
            layers = self.layer_fractions[vertical]
            surface += field * (f * layers[0])
            elevated = np.nonzero(layers[1:])[0] + 1
            if not elevated.size:
                continue
            s, j, i, nonzero = self._nonzero_entries(active, key, field)
            for k in elevated:
                idx.append(np.stack([s, np.full(s.size, k), j, i], axis=1))
                rate.append(nonzero * (f * layers[k]))
        return surface, np.concatenate(idx), np.concatenate(rate)

    def _nonzero_entries(self, active: frozenset, key: tuple, field: np.ndarray):
        """(species, row, column, value) of the nonzero entries of one gridded field [ns, ny*nx], in np.nonzero's
        order; remembered with the field (the fields stay the same for a set of active controls, and finding the
        entries anew for every layer and hour took most of the hourly emission rates' time)."""
        entries = self._nonzero.get((active, key))
        if entries is None:
            s, cell = np.nonzero(field)
            j, i = np.divmod(cell, self.grid.nx)
            entries = self._nonzero[(active, key)] = (s, j, i, field[s, cell])
        return entries

    def _point_rates(self, t: datetime, active: frozenset, met):
        inv = self.inventory
        ns, ny, nx = self.shape
        surface = np.zeros((ns, ny * nx))
        if not self.points:
            return np.zeros((0, 4), dtype=np.int64), np.zeros(0), surface
        amounts = self._point_amounts(active)  # kg/yr per species
        comps = [inv.components[n] for n in self.points]
        f = np.array([hour_fraction(inv.temporal[c.profile], inv.clock, t, c.month) for c in comps]) / 3600.0
        layers = self.plume_layers(comps, met)  # [n_points, nz]
        idx, rate = [], []
        for m, c in enumerate(comps):
            per_second = amounts[m] * f[m]
            if not per_second.any():
                continue
            i, j = int(c.i[0]), int(c.j[0])
            surface[:, j * nx + i] += per_second * layers[m, 0]
            for k in np.nonzero(layers[m, 1:])[0] + 1:
                s = np.nonzero(per_second)[0]
                idx.append(np.stack([s, np.full(s.size, k), np.full(s.size, j), np.full(s.size, i)], axis=1))
                rate.append(per_second[s] * layers[m, k])
        if not idx:
            return np.zeros((0, 4), dtype=np.int64), np.zeros(0), surface
        return np.concatenate(idx), np.concatenate(rate), surface

    def plume_layers(self, comps: list[Component], met) -> np.ndarray:
        """[n, nz] fraction of each stack's release in each layer, after plume rise with the met at the stack."""
        interfaces = self.grid.layers.interfaces
        nz = interfaces.size - 1
        out = np.zeros((len(comps), nz))
        info = self.plume_heights(comps, met)
        for m, (bottom, top) in enumerate(zip(info["bottom"], info["top"])):
            b, tp = min(bottom, interfaces[-1]), min(top, interfaces[-1])
            if tp <= b:
                k = min(int(np.searchsorted(interfaces, b, side="right")) - 1, nz - 1)
                out[m, k] = 1.0
            else:
                overlap = np.clip(np.minimum(interfaces[1:], tp) - np.maximum(interfaces[:-1], b), 0.0, None)
                out[m] = overlap / (tp - b)
        return out

    def plume_heights(self, comps: list[Component], met) -> dict[str, np.ndarray]:
        """Stack-top conditions, plume rise and the plume's bottom and top (m above ground) for each stack."""
        mid = self.grid.layers.midpoints
        n = len(comps)
        hs = np.array([c.stack.height for c in comps])
        d = np.array([c.stack.diameter for c in comps])
        vs = np.array([c.stack.exit_velocity for c in comps])
        ts = np.array([c.stack.exit_temperature for c in comps])
        ta = np.full(n, DEFAULT_AMBIENT_TEMPERATURE)
        us = np.full(n, DEFAULT_WIND_SPEED)
        stable = np.zeros(n, dtype=bool)
        s = np.ones(n)
        for m, c in enumerate(comps):
            i, j = int(c.i[0]), int(c.j[0])
            if met is None:
                continue
            if met.temperature is not None:
                ta[m] = float(np.interp(hs[m], mid, met.temperature[:, j, i]))
            if met.u is not None and met.v is not None:
                u = 0.5 * (met.u[:, j, i] + met.u[:, j, i + 1])
                v = 0.5 * (met.v[:, j, i] + met.v[:, j + 1, i])
                z, speed = mid, np.hypot(u, v)
                if met.u10 is not None and met.v10 is not None and mid[0] > 10.0:
                    z = np.concatenate([[10.0], mid])
                    speed = np.concatenate([[np.hypot(met.u10[j, i], met.v10[j, i])], speed])
                us[m] = float(np.interp(hs[m], z, speed))
            if met.monin_obukhov_length is not None and met.temperature is not None and met.pressure is not None:
                length = float(met.monin_obukhov_length[j, i])
                gradient = potential_temperature_gradient(mid, met.temperature[:, j, i], met.pressure[:, j, i], hs[m])
                if 0.0 < length < np.inf and gradient > 0.0:
                    stable[m] = True
                    s[m] = GRAVITY * gradient / ta[m]
        us = np.maximum(us, 1.0)
        if self.inventory.section["plume_rise"] == "none":
            rise = np.zeros(n)
            release = hs
        else:
            release = stack_tip_downwash(hs, d, vs, us)
            neutral = final_rise(vs, d, ts, ta, us, stable=False)
            stable_rise = final_rise(vs, d, ts, ta, us, stable=True, stability=s)
            rise = np.where(stable, np.minimum(stable_rise, neutral), neutral)
        depth = float(self.inventory.section["plume_depth"])
        return {"release": release, "rise": rise, "ambient_temperature": ta, "wind_speed": us, "stable": stable,
                "bottom": release + (1.0 - depth / 2.0) * rise, "top": release + (1.0 + depth / 2.0) * rise}

    # -- budgets ------------------------------------------------------------------------------------------------
    def emitted_mass(self, start: datetime, end: datetime) -> np.ndarray:
        """kg of each transported species emitted into the domain in [start, end), from the profiles and controls
        (not from summing rates): the budget's 'emitted' term. The inventory's sources only: the biogenic
        emissions follow the meteorology and are booked from the rates by the model step."""
        inv = self.inventory
        total = np.zeros(len(self.species_names))
        for a, b, active in inv.states(start, end):
            for (sector, profile, vertical, month), field in self._gridded(active).items():
                total += field.sum(axis=1) * window_fractions(inv.temporal[profile], inv.clock, a, b, month)
            if self.points:
                amounts = self._point_amounts(active)
                for m, n in enumerate(self.points):
                    total += amounts[m] * inv.window_fraction(inv.components[n], a, b)
        return total
