"""One-way nesting: a parent domain around the scenario's ``[domain]``, stepped together (docs/nesting.md).

A scenario with a ``[parent]`` table runs two domains:

- the **parent** (``[parent]``: its grid, name and time step ratio) takes every other section of the scenario on its
  own grid: the same meteorology settings (the synthetic weather with the same seed and regime calendar, on the
  terrain of its grid; the domain-mean state that sets each hour's stability and the shower cells are the parent's,
  so that both domains see the same weather over the inner one), the emissions (the inventory gridded onto its
  cells; idealized point sources wherever they lie in it), chemistry, species, budget, budget guard and health
  checks; its lateral and top boundary values are the scenario's ``[boundary]``;
- the **inner domain** (``[domain]``, where the stations are; its output is the run's output as for a run without
  a parent) takes its lateral and top boundary values from the parent (airmodel.boundary.NestedBoundary): the
  parent's mixing ratios at the centres of the inner domain's ghost cells (bilinear in the parent's cell centres),
  linear in time between the parent's states at the start and the end of each parent step; the parent's top
  boundary values above the inner domain's columns.

One parent step of ``time_step_ratio`` inner steps goes first, then the inner domain takes its steps; nothing goes
back from the inner domain to the parent (one-way), so the parent's fields are those of a run of the parent alone.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from .boundary import NestedBoundary
from .emissions.point import point_sources
from .errors import InputError
from .grid import build_grid
from .model import Model
from .domains import INNER_DOMAIN
from .scenario import Scenario, parent_domain



@dataclass
class Domain:
    """One domain of a run: its model, its name, its parent's name ("" for the outermost) and how many inner time
    steps one of its steps spans."""

    model: Model
    name: str
    parent: str
    every: int


def parent_scenario(scenario: Scenario) -> Scenario:
    """The scenario of the parent alone: ``[domain]`` replaced by the parent's grid (with the same layers), the time
    step multiplied by ``time_step_ratio``; everything else as given."""
    p = scenario["parent"]
    ratio = int(p["time_step_ratio"])
    data = copy.deepcopy(scenario.data)
    data.pop("parent")
    data["domain"] = parent_domain(scenario.data)
    data["run"]["time_step"] = scenario.time_step * ratio
    return Scenario(data=data, source=f"{scenario.source} [parent {p['name']}]", start=scenario.start,
                    n_steps=scenario.n_steps // ratio, time_step=scenario.time_step * ratio, folder=scenario.folder)


def inner_scenario(scenario: Scenario) -> Scenario:
    """The scenario of the inner domain: as given, less the idealized point sources that lie outside it (they are
    the parent's alone; a source outside the parent too is refused when the parent is built)."""
    grid = build_grid(scenario["domain"])
    points = scenario["emissions"]["point"]
    species = list(scenario["species"])
    inside = []
    for p in points:
        try:
            point_sources([p], species, grid)
        except InputError:
            continue
        inside.append(p)
    if len(inside) == len(points):
        return scenario
    data = copy.deepcopy(scenario.data)
    data["emissions"]["point"] = inside
    return Scenario(data=data, source=scenario.source, start=scenario.start, n_steps=scenario.n_steps,
                    time_step=scenario.time_step, folder=scenario.folder)


class Nest:
    """The domains of a run, outermost first, and the step that advances each (a run without ``[parent]`` has one
    domain, stepped as always)."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.boundary = None
        if "parent" not in scenario.data:
            self.domains = [Domain(Model(scenario), INNER_DOMAIN, "", 1)]
            return
        p = scenario["parent"]
        ratio = int(p["time_step_ratio"])
        parent = Model(parent_scenario(scenario))
        outer = parent.met if hasattr(parent.met, "follow") else None
        inner = Model(inner_scenario(scenario), outer_met=outer)
        if inner.species_names != parent.species_names:  # the same sections make the same species
            raise InputError(f"{scenario.source}: parent: the parent's species {parent.species_names} differ from "
                             f"[domain]'s {inner.species_names}")
        self.boundary = NestedBoundary(parent.grid, inner.grid)
        inner.boundary = self.boundary
        self.domains = [Domain(parent, p["name"], "", ratio), Domain(inner, INNER_DOMAIN, p["name"], 1)]

    @property
    def inner(self) -> Model:
        return self.domains[-1].model

    @property
    def nested(self) -> bool:
        return len(self.domains) > 1

    def record_parent(self) -> None:
        """Give the inner domain's boundary the parent's state now: its mixing ratios and top boundary values."""
        self.boundary.record(*self.parent_state())

    def parent_state(self) -> tuple[float, np.ndarray, np.ndarray]:
        """(elapsed s, the parent's mixing ratios [ns, nz, ny, nx] and top boundary values [ns, ny, nx], kg/kg) now,
        in arrays of their own: what NestedBoundary.sample interpolates."""
        parent = self.domains[0].model
        rho = parent.met.at(parent.elapsed).air_density
        mixing_ratio = parent.concentration / rho[None]
        top = parent.boundary.mixing_ratios(parent.elapsed, rho)[2]
        return parent.elapsed, mixing_ratio, top

    def due(self) -> list[Domain]:
        """The domains that step before the inner domain's next step (outermost first)."""
        i = self.inner.step_index
        return [d for d in self.domains if i % d.every == 0]

    def step(self, domain: Domain) -> None:
        """One step of ``domain``; a parent's step is recorded, at its start and end, for the inner boundary."""
        if domain is self.domains[-1] or self.boundary is None:
            domain.model.step()
            return
        if self.boundary.latest != domain.model.elapsed:
            self.record_parent()  # the first step, or the first after a restart
        domain.model.step()
        self.record_parent()
