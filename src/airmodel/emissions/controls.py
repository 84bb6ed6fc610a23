"""Control measures: what, where, how much, when; applied to the inventory's components before gridding.

A measure selects components by sector, source id, vehicle class and road type (every list it gives must match;
an empty list matches all, but vehicle classes and road types select mobile components only) and pollutants, and
acts where it applies: in a region, box or polygon (points exactly; spread sources by the fraction of each cell
inside it) or everywhere, between its start and end (local time; end exclusive).

Composition (documented order): for every component and pollutant, at each cell,

1. new emission factors, in the order the measures are written (where two apply to the same class, pollutant and
   cell, the later one wins): EF <- EF (1 - g) + EF_new g, with g the fraction of the cell where it applies;
2. then every reduction multiplies what is left: E <- E (1 - r g) (a ``scale`` s is the reduction 1 - s, so growth
   is a negative reduction). Products commute, so the reductions' order does
   not matter, and two 30 % cuts leave 49 %, not 40 %.

A vehicle class's share off the road is a reduction of that class's vehicle-km, so it is applied the same way.

A control may name a measure of the catalogue (airmodel/emissions/measures.py). Alone, the measure's removal
efficiency of each pollutant is that pollutant's reduction (a negative efficiency, an increase of CO2, multiplies
by more than 1), on the measure's sector unless the control selects sectors, sources or vehicle classes itself;
BC and OC take the efficiency of PM2.5. With a ``reduction`` or ``scale``, the fraction given acts (it encodes what
was done) and the measure prices it. The result is the same product either way: a measure of efficiency r on one
pollutant and a bare ``reduction = r`` on that pollutant give the same emissions to round-off.

The tonnes a measure removes (``ControlFactors.measure_shares``) are credited in the order the measures are written:
every control without a measure acts first (growth included, so measures act on grown emissions), then each
measure removes its fraction of what the measures before it left. The shares add up to the whole change the
measures make.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ..errors import InputError
from .components import N_POLLUTANTS, Component
from .measures import Measure, find_measure
from .proxies import code_within
from .quantities import POLLUTANTS, emission_factor_factor, expand_sectors
from .regions import Frame, find_region, polygon_fractions
from .settings import control_window


@dataclass
class Control:
    index: int
    name: str
    where_text: str
    sectors: frozenset
    pollutants: np.ndarray  # [N_POLLUTANTS] bool
    source_ids: frozenset
    vehicle_classes: frozenset
    road_types: frozenset
    geometry: object | None  # shapely geometry or None (everywhere)
    region_code: str | None  # when 'where' is an administrative region
    reduction: float | None
    reductions: np.ndarray | None  # [N_POLLUTANTS] fraction removed of each selected pollutant (None: EF control)
    measure: Measure | None
    emission_factor: np.ndarray | None  # [N_POLLUTANTS] kg/veh-km, NaN where not replaced
    start: datetime | None
    end: datetime | None

    def label(self) -> str:
        return self.name or f"controls[{self.index}]"

    def active(self, t: datetime) -> bool:
        return (self.start is None or t >= self.start) and (self.end is None or t < self.end)

    def selects(self, c: Component) -> bool:
        if self.sectors and c.sector not in self.sectors:
            return False
        if self.source_ids and c.source_id not in self.source_ids:
            return False
        if self.vehicle_classes and c.vehicle_class not in self.vehicle_classes:
            return False
        if self.road_types and c.road_type not in self.road_types:
            return False
        if self.emission_factor is not None and c.emission_factor is None:
            return False
        return True


def build_controls(entries: list[dict], offset_hours: float, components: list[Component],
                   vehicle_classes: list[str]) -> list[Control]:
    """Controls from validated entries (settings.validate_control), checked against the inventory."""
    import shapely

    ids = {c.source_id for c in components}
    road_types = {c.road_type for c in components if c.road_type}
    out = []
    for n, e in enumerate(entries):
        where = f"controls[{n}]" + (f" ({e['name']})" if e["name"] else "")
        for sid in e["source_ids"]:
            if sid not in ids:
                sample = ", ".join(sorted(ids)[:12]) + (", ..." if len(ids) > 12 else "")
                raise InputError(f"{where}.source_ids: {sid!r} is not a source of the inventory; its ids: {sample}")
        for vc in e["vehicle_classes"]:
            if vc not in vehicle_classes:
                raise InputError(f"{where}.vehicle_classes: unknown vehicle class {vc!r}; choose one of: "
                                 f"{', '.join(vehicle_classes) or '(the inventory has no mobile sources)'}")
        for rt in e["road_types"]:
            if rt not in road_types:
                raise InputError(f"{where}.road_types: unknown road type {rt!r}; the inventory has: "
                                 f"{', '.join(sorted(road_types)) or '(none)'}")
        geometry, where_text, region_code = None, "everywhere", None
        if e["region"]:
            region = find_region(e["region"], f"{where}.region")
            geometry, where_text, region_code = region.geometry, f"{region.name} ({region.code})", region.code
        elif e["box"]:
            geometry, where_text = shapely.box(*e["box"]), f"box {e['box']}"
        elif e["polygon"]:
            geometry = shapely.Polygon(e["polygon"])
            if not geometry.is_valid:
                raise InputError(f"{where}.polygon: the polygon is not valid (its edges cross)")
            where_text = "polygon"
        if geometry is not None:
            shapely.prepare(geometry)
        pollutants = np.ones(N_POLLUTANTS, dtype=bool)
        if e["pollutants"]:
            pollutants[:] = False
            for p in e["pollutants"]:
                pollutants[POLLUTANTS.index(p)] = True
        factor = None
        if e["emission_factor"]:
            unit = emission_factor_factor(e["emission_factor_units"], f"{where}.emission_factor_units")
            factor = np.full(N_POLLUTANTS, np.nan)
            for p, value in e["emission_factor"].items():
                factor[POLLUTANTS.index(p)] = value * unit
                pollutants[POLLUTANTS.index(p)] = True
            pollutants &= ~np.isnan(factor)
        start, end = control_window(e, offset_hours, where)
        reduction = e["reduction"] if e["scale"] is None else 1.0 - e["scale"]
        sectors = expand_sectors(e["sectors"])  # industry stands for the industry sectors
        measure = find_measure(e["measure"], where) if e.get("measure") else None
        reductions = None
        if factor is None and reduction is not None:
            reductions = np.where(pollutants, reduction, 0.0)
        if measure is not None:
            if factor is not None:
                raise InputError(f"{where}: a measure prices a reduction or a scale, or acts alone; it cannot "
                                 f"be combined with emission_factor")
            if reduction is None:
                eff = measure.inventory_efficiencies()
                acts = ~np.isnan(eff) & (eff != 0.0)
                if e["pollutants"]:
                    acts &= pollutants
                if not acts.any():
                    raise InputError(f"{where}.measure: {measure.id!r} has no removal efficiency for an inventory "
                                     f"pollutant{' among ' + ', '.join(e['pollutants']) if e['pollutants'] else ''}"
                                     f" ({measure.applicability}); give a reduction and let the measure price it")
                pollutants = acts
                reductions = np.where(acts, np.nan_to_num(eff), 0.0)
                if not (sectors or e["source_ids"] or e["vehicle_classes"] or e["road_types"]):
                    sectors = expand_sectors([measure.sector])
        out.append(Control(n, e["name"], where_text, sectors, pollutants, frozenset(e["source_ids"]),
                           frozenset(e["vehicle_classes"]), frozenset(e["road_types"]), geometry, region_code,
                           reduction, reductions, measure, factor, start, end))
    return out


class ControlFactors:
    """Multipliers of each component's emissions, per pollutant and cell, for a set of active controls."""

    def __init__(self, controls: list[Control], components: list[Component], frame: Frame):
        self.controls = controls
        self.components = components
        self.frame = frame
        self._inside: dict[tuple[int, int], np.ndarray] = {}
        self._cache: dict[tuple[int, frozenset], np.ndarray | None] = {}
        self.selected = [[c for c in controls if c.selects(comp)] for comp in components]

    def inside(self, control: Control, n: int) -> np.ndarray:
        """Fraction of each of component n's cells where the control applies (0..1)."""
        key = (control.index, n)
        if key not in self._inside:
            comp = self.components[n]
            import shapely

            code = comp.extra.get("region_code")
            if control.geometry is None:
                g = np.ones(comp.i.size)
            elif comp.lon is not None:  # a point: exactly in or out
                g = np.array([1.0 if shapely.contains_xy(control.geometry, comp.lon, comp.lat) else 0.0])
            elif control.region_code and code and code_within(code, control.region_code):
                g = np.ones(comp.i.size)  # a region row inside the control's region: all of it
            elif control.region_code and code and not code_within(control.region_code, code):
                g = np.zeros(comp.i.size)  # administrative units that do not nest do not overlap
            elif "pieces" in comp.extra:  # a road: the length of road inside, exactly, per cell
                pc = comp.extra["pieces"]
                inside = shapely.contains_xy(control.geometry, pc["lon"], pc["lat"])
                km = np.bincount(pc["cell"], weights=pc["km"], minlength=comp.i.size)
                g = np.bincount(pc["cell"], weights=pc["km"] * inside, minlength=comp.i.size) / km
            else:
                cells = _geometry_fractions(control, self.frame)
                g = cells.lookup(comp.i, comp.j)
            self._inside[key] = g
        return self._inside[key]

    def factors(self, n: int, active: frozenset) -> np.ndarray | None:
        """[N_POLLUTANTS, ncells] multipliers for component n under the active controls (indices), or None for
        no change."""
        relevant = frozenset(c.index for c in self.selected[n] if c.index in active)
        if not relevant:
            return None
        key = (n, relevant)
        if key in self._cache:
            return self._cache[key]
        comp = self.components[n]
        f = np.ones((N_POLLUTANTS, comp.i.size))
        ordered = [c for c in self.controls if c.index in relevant]
        ef_controls = [c for c in ordered if c.emission_factor is not None]
        if ef_controls:
            ef = np.repeat(comp.emission_factor[:, None], comp.i.size, axis=1)
            for c in ef_controls:
                g = self.inside(c, n)
                for p in np.nonzero(c.pollutants)[0]:
                    ef[p] = ef[p] * (1.0 - g) + c.emission_factor[p] * g
            base = comp.emission_factor[:, None]
            changed = np.any(ef != base, axis=1)
            zero = changed & (comp.emission_factor == 0.0)
            if zero.any():
                p = int(np.nonzero(zero)[0][0])
                names = ", ".join(c.label() for c in ef_controls)
                raise InputError(f"{names}: sets an emission factor for {POLLUTANTS[p]} of class "
                                 f"{comp.vehicle_class!r}, whose factor in the inventory is 0; give it a non-zero "
                                 f"factor in the emission-factor table first")
            with np.errstate(invalid="ignore", divide="ignore"):
                f = np.where(base > 0, ef / np.where(base > 0, base, 1.0), 1.0)
        for c in ordered:
            if c.reductions is None:
                continue
            g = self.inside(c, n)
            for p in np.nonzero(c.pollutants)[0]:
                f[p] *= 1.0 - c.reductions[p] * g
        self._cache[key] = f
        return f

    def measure_shares(self, n: int, active: frozenset) -> dict[int, np.ndarray]:
        """{control index: [N_POLLUTANTS, ncells] fraction of component n's uncontrolled emission that the measure
        removes (negative: adds)}, for the active controls that name a measure (crediting order: module
        docstring). Empty when no measure selects the component."""
        selected = {c.index for c in self.selected[n]}
        relevant = [c for c in self.controls if c.index in active and c.index in selected]
        measures = [c for c in relevant if c.measure is not None]
        if not measures:
            return {}
        others = frozenset(c.index for c in relevant if c.measure is None)
        before = self.factors(n, others)
        left = np.ones((N_POLLUTANTS, self.components[n].i.size)) if before is None else before.copy()
        out = {}
        for c in measures:
            g = self.inside(c, n)
            removed = np.zeros_like(left)
            for p in np.nonzero(c.pollutants)[0]:
                removed[p] = left[p] * c.reductions[p] * g
                left[p] -= removed[p]
            out[c.index] = removed
        return out


_GEOMETRY_CELLS: dict = {}


def _geometry_fractions(control: Control, frame: Frame):
    key = (id(control.geometry), frame.key())
    if key not in _GEOMETRY_CELLS:
        _GEOMETRY_CELLS[key] = (control.geometry, polygon_fractions(control.geometry, frame))
    return _GEOMETRY_CELLS[key][1]


def control_states(controls: list[Control], start: datetime, end: datetime) -> list[tuple[datetime, datetime,
                                                                                               frozenset]]:
    """The window [start, end) cut where controls start or end: (from, to, indices of the active controls)."""
    cuts = {start, end}
    for c in controls:
        for t in (c.start, c.end):
            if t is not None and start < t < end:
                cuts.add(t)
    times = sorted(cuts)
    return [(a, b, frozenset(c.index for c in controls if c.active(a))) for a, b in zip(times[:-1], times[1:])]
