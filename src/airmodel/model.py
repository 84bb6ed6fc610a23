"""The model: the state c[species, z, y, x] and the step that advances it.

One step of length dt, in this order (read ``Model.step`` top to bottom):

1. emissions: point sources into the cells that hold them, and the inventory's stacks and elevated area sources
   into the layers their plumes reach (its surface share becomes the lower boundary flux of vertical mixing);
2. advection, dimension split (x, y, z, then z, y, x on the next step), with the boundary inflow;
3. horizontal diffusion (explicit, stability-limited sub-steps), where the scenario turns it on;
4. vertical mixing, implicit, with surface emissions and dry deposition as its lower boundary condition, where
   the scenario turns it on;
5. wet deposition: scavenging by rain in and below clouds (airmodel/wet_deposition.py), where the scenario turns
   it on (``chemistry.wet_deposition``);
6. aqueous sulfate: SO2 oxidised by H2O2 and O3 in cloud water (airmodel/aqueous_chemistry.py), where the scenario
   turns it on (``chemistry.aqueous_sulfate``); its net production goes into the budget's chemical term;
7. chemistry and aerosol (gas phase and aerosol of the scenario's mechanism, with the meteorology at the end of
   the step), where the scenario has a mechanism; its net production goes into the budget's chemical term.

After every process a health check stops the run at the first NaN, infinity or negative value and names the
species, cell, process and time. Every process's tracer-mass exchange with the outside (emitted, flowed in and out,
deposited) is added up in the budget, which must close against the change in burden to round-off: the budget guard
(airmodel/budget_guard.py) stops the run, after the process at fault, where it does not (to 1e-6) or where a process
makes mass from nowhere.
"""
from __future__ import annotations

import time as wallclock
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np

from .emissions.inventory import Emissions, inventory_requested
from .emissions.point import emit_point_sources, point_sources
from .errors import InputError, ModelHealthError
from .grid import build_grid
from .kernels import diagnostics
from .met import build_meteorology
from .chemistry import Chemistry, load_mechanism
from .met.deposition import DryDeposition
from .scenario import Scenario
from .boundary import BoundaryConditions, tracer_species
from .budget_guard import BudgetGuard, cell_text
from .species import initial_field, species_table
from .transport import BoundaryExchange, Transport
from .wet_deposition import WetDeposition
from .aqueous_chemistry import AqueousSulfate


def _mechanism_path(name: str, folder) -> str:
    """A mechanism by name (shipped with airmodel) or a .mech file, relative paths from the scenario's folder."""
    if name.endswith(".mech"):
        path = Path(name)
        return str(path if path.is_absolute() else Path(folder) / path)
    return name


@dataclass
class Budget:
    """Mass budget by species (kg): burden_end - burden_start = emitted + inflow - outflow - deposited (dry)
    - wet_deposited + chemical (net chemical production)."""

    names: list[str]
    burden_start: np.ndarray
    exchange: BoundaryExchange
    emitted: np.ndarray
    chemical: np.ndarray
    wet_deposited: np.ndarray

    @classmethod
    def start(cls, names: list[str], burden: np.ndarray) -> "Budget":
        n = len(names)
        return cls(names, burden.copy(), BoundaryExchange(np.zeros(n), np.zeros(n), np.zeros(n)), np.zeros(n),
                   np.zeros(n), np.zeros(n))

    def residual(self, burden_end: np.ndarray) -> np.ndarray:
        """Relative imbalance: |change in burden - net sources| over the largest term."""
        e = self.exchange
        net = self.emitted + e.inflow - e.outflow - e.deposited - self.wet_deposited + self.chemical
        scale = np.maximum.reduce([self.burden_start, burden_end, self.emitted, e.inflow, e.outflow, e.deposited,
                                   self.wet_deposited, np.abs(self.chemical)])
        return np.abs(burden_end - self.burden_start - net) / np.where(scale > 0, scale, 1.0)

    def table(self, burden_end: np.ndarray) -> list[dict]:
        e = self.exchange
        res = self.residual(burden_end)
        return [dict(species=n, burden_start=self.burden_start[s], emitted=self.emitted[s], inflow=e.inflow[s],
                     outflow=e.outflow[s], deposited=e.deposited[s], wet_deposited=self.wet_deposited[s],
                     chemical=self.chemical[s],
                     burden_end=burden_end[s],
                     relative_residual=res[s]) for s, n in enumerate(self.names)]

    def as_arrays(self) -> dict[str, np.ndarray]:
        e = self.exchange
        return dict(burden_start=self.burden_start, emitted=self.emitted, inflow=e.inflow, outflow=e.outflow,
                    deposited=e.deposited, wet_deposited=self.wet_deposited, chemical=self.chemical)

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        self.burden_start[:] = arrays["burden_start"]
        self.emitted[:] = arrays["emitted"]
        self.exchange.inflow[:] = arrays["inflow"]
        self.exchange.outflow[:] = arrays["outflow"]
        self.exchange.deposited[:] = arrays["deposited"]
        self.chemical[:] = arrays["chemical"]
        self.wet_deposited[:] = arrays["wet_deposited"]

    # -- restart state (airmodel/checkpoint.py) -----------------------------------------------------------------
    def restart_state(self) -> dict:
        return {f"budget_{term}": values for term, values in self.as_arrays().items()}

    def restore_state(self, state: dict) -> None:
        self.restore({term: state[f"budget_{term}"] for term in self.as_arrays()})


@dataclass
class ProcessTimers:
    """Wall time spent in each process, printed as a table at the end of a run."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, process: str):
        t0 = wallclock.perf_counter()
        try:
            yield
        finally:
            self.seconds[process] = self.seconds.get(process, 0.0) + wallclock.perf_counter() - t0

    def table(self) -> str:
        total = sum(self.seconds.values()) or 1.0
        rows = [f"{'process':<22}{'seconds':>10}{'share':>8}"]
        rows += [f"{p:<22}{s:>10.2f}{100 * s / total:>7.1f}%" for p, s in self.seconds.items()]
        return "\n".join(rows)


class Model:
    def __init__(self, scenario: Scenario, outer_met=None):
        self.scenario = scenario
        self.time_step = scenario.time_step
        self.grid = build_grid(scenario["domain"])
        self.met = build_meteorology(scenario["meteorology"], self.grid, start=scenario.start, end=scenario.end,
                                     folder=scenario.folder)
        if outer_met is not None:  # a nested domain shares its parent's synthetic weather (airmodel/nesting.py)
            self.met.follow(outer_met)
        chem = scenario["chemistry"]
        self.chemistry = None
        mechanism = None
        if chem["mechanism"] != "none":
            mechanism = load_mechanism(_mechanism_path(chem["mechanism"], scenario.folder))
        self.species = species_table(scenario["species"], mechanism.species if mechanism else ())
        if scenario["boundary"]["tracers"]:
            self.species = self.species + tracer_species(self.species)
        if mechanism is not None:
            self.chemistry = Chemistry(mechanism, rtol=chem["rtol"], atol=chem["atol"], method=chem["method"],
                                       max_steps=chem["max_steps"], model_species=[sp.name for sp in self.species],
                                       photolysis=chem["photolysis"])
        self.species_names = [sp.name for sp in self.species]
        self.point_sources = point_sources(scenario["emissions"]["point"], self.species_names, self.grid)
        self.emissions = None
        if inventory_requested(scenario["emissions"]):
            self.emissions = Emissions(scenario["emissions"], scenario["controls"], self.grid, self.species_names,
                                       scenario.start, scenario.end, scenario.folder, chemistry=chem["mechanism"])
        self.transport = Transport(self.grid, scenario["transport"], len(self.species))
        self.boundary = BoundaryConditions(scenario["boundary"], self.species, self.grid,
                                           scenario.folder, scenario.start, scenario.end,
                                           where=f"{scenario.source}: boundary")
        self.deposition_classes = [sp.deposition_class for sp in self.species]
        self.dry_deposition = DryDeposition(self.grid) if any(self.deposition_classes) else None
        self.wet_deposition = None
        if chem["wet_deposition"]:
            if mechanism is None:
                raise InputError(f"{scenario.source}: chemistry.wet_deposition = true needs a mechanism (its species "
                                 f"carry the scavenging coefficients); set chemistry.mechanism")
            self.wet_deposition = WetDeposition(self.species, mechanism, self.grid)
        self.aqueous = None
        if chem["aqueous_sulfate"]:  # set, or the mechanism's default (scenario.validate)
            if mechanism is None:
                raise InputError(f"{scenario.source}: chemistry.aqueous_sulfate = true needs a mechanism; set "
                                 f"chemistry.mechanism")
            self.aqueous = AqueousSulfate(self.species_names, mechanism, self.grid,
                                          where=f"{scenario.source}: chemistry")
        self.surface_emission = np.zeros((len(self.species), self.grid.ny, self.grid.nx))
        met0 = self.met.at(0.0)
        self.concentration = np.ascontiguousarray(
            np.stack([initial_field(sp, self.grid, met0.air_density) for sp in self.species]))
        self.step_index = 0
        self.budget = Budget.start(self.species_names, self.burden())
        self.guard = BudgetGuard(self.budget, self.species_names, self.grid, self.chemistry)
        self.timers = ProcessTimers()

    # -- time ---------------------------------------------------------------------------------------------------
    @property
    def elapsed(self) -> float:
        """Seconds since the start of the run (exact multiples of the time step)."""
        return self.step_index * self.time_step

    @property
    def now(self):
        return self.scenario.start + timedelta(seconds=self.elapsed)

    # -- restart state (airmodel/checkpoint.py) -----------------------------------------------------------------
    def restart_state(self) -> dict:
        """The concentrations and the step; the time, species and scenario go along to be read by people and
        checked by ``--restart``."""
        return dict(concentration=self.concentration, step_index=self.step_index, time=f"{self.now:%Y-%m-%dT%H:%M:%SZ}",
                    species=",".join(self.species_names), scenario=self.scenario.to_toml())

    def restore_state(self, state: dict) -> None:
        self.concentration[...] = state["concentration"]
        self.step_index = int(state["step_index"])

    def restart_components(self) -> list:
        """The parts of the model that carry state from step to step, each with ``restart_state``/``restore_state``."""
        return [self] + ([self.chemistry] if self.chemistry is not None else []) + [self.budget]

    def burden(self) -> np.ndarray:
        """Tracer mass in the domain by species (kg)."""
        return np.einsum("skji,kji->s", self.concentration, self.grid.cell_volume)

    # -- the step -----------------------------------------------------------------------------------------------
    def step(self) -> None:
        dt = self.time_step
        t = self.elapsed
        met_start, met_end = self.met.at(t), self.met.at(t + dt)
        coeffs = self.transport.coefficients(met_start, met_end, dt, self.met.static)
        volume = self.transport.volume
        tracer_mass = self.concentration * volume[None]
        air_mass = coeffs.air_mass_start.copy()
        exchange = self.budget.exchange
        self.guard.start_step(tracer_mass)
        in_transit = np.zeros(len(self.species))  # kg booked as emitted that the vertical mixing puts in

        def check(process: str) -> None:
            self._check(tracer_mass, process, in_transit)

        with self.timers("emissions"):
            emit_point_sources(tracer_mass, self.point_sources, dt, self.budget.emitted)
            if self.emissions is not None:
                # Inventory sources: stacks and elevated area sources into the layers their plumes reach; the
                # lowest layer's share is the surface flux of the vertical mixing (or added here without it).
                rates = self.emissions.rates(self.now, met_start)
                rates.add_elevated(tracer_mass, dt)
                if self.scenario["transport"]["vertical_diffusion"]:
                    self.surface_emission[...] = rates.surface
                    in_transit[:] = rates.surface.sum(axis=(1, 2)) * dt
                else:
                    tracer_mass[:, 0] += rates.surface * dt
                self.budget.emitted += rates.by_species() * dt
            check("emissions")
        with self.timers("advection"):
            inflow_x, inflow_y, inflow_top = self.boundary.mixing_ratios(self.elapsed + 0.5 * dt,
                                                                         met_end.air_density)
            self.transport.advect(tracer_mass, air_mass, coeffs, dt, self.step_index, inflow_x, inflow_y,
                                  inflow_top, exchange, check)
        if self.scenario["transport"]["horizontal_diffusion"]:
            with self.timers("horizontal diffusion"):
                self.transport.diffuse_horizontally(tracer_mass, air_mass, coeffs, dt)
                check("horizontal diffusion")
        if self.scenario["transport"]["vertical_diffusion"]:
            with self.timers("vertical mixing"):
                self.transport.mix_vertically(tracer_mass, air_mass, coeffs, dt, self.surface_emission,
                                              self.deposition_velocities(met_end), met_end.air_density[0],
                                              exchange)
                in_transit[:] = 0.0
                check("vertical mixing")
        if self.wet_deposition is not None:
            with self.timers("wet deposition"):
                self.budget.wet_deposited += self.wet_deposition.step(tracer_mass, met_end, dt)
                check("wet deposition")
        if self.aqueous is not None:
            with self.timers("aqueous sulfate"):
                self.budget.chemical += self.aqueous.step(tracer_mass, met_end, volume, dt)
                check("aqueous sulfate")
        np.divide(tracer_mass, volume[None], out=self.concentration)
        if self.chemistry is not None:
            with self.timers("chemistry"):
                self.budget.chemical += self._chemistry_step(met_end, dt)
                self._check(self.concentration * volume[None], "chemistry")
        self.step_index += 1

    # -- helpers ------------------------------------------------------------------------------------------------
    def _chemistry_step(self, met, dt: float) -> np.ndarray:
        """Gas-phase chemistry and aerosol over the step, with the meteorology at its end (fallbacks from the
        [chemistry] section where the meteorology has no such field, as the idealized source has not)."""
        chem = self.scenario["chemistry"]
        g = self.grid
        if g.kind == "lonlat":
            lon, lat = np.meshgrid(g.x, g.y, indexing="xy")
        else:
            lon, lat = chem["longitude"], chem["latitude"]

        def field(name, fallback):
            value = getattr(met, name)
            return fallback if value is None else value

        return self.chemistry.step(
            self.concentration, met.air_density, field("temperature", chem["temperature"]),
            field("relative_humidity", chem["relative_humidity"]), field("cloud_fraction", chem["cloud_fraction"]),
            lon, lat, self.now, dt, cell_volume=self.transport.volume, cloud_cover=met.cloud_cover)

    def deposition_velocities(self, met) -> np.ndarray:
        """[ns, ny, nx] dry-deposition velocities (m/s): the resistance model for species with a deposition
        class, the species' constant velocity for the others."""
        ny, nx = self.grid.ny, self.grid.nx
        v = np.empty((len(self.species), ny, nx))
        for s, sp in enumerate(self.species):
            v[s] = sp.dry_deposition_velocity
        if self.dry_deposition is not None:
            with_class = [s for s, c in enumerate(self.deposition_classes) if c]
            v[with_class] = self.dry_deposition.velocities([self.deposition_classes[s] for s in with_class], met)
        return v

    def deposited_by_cell(self) -> tuple[np.ndarray, np.ndarray]:
        """(dry, wet) [ns, ny, nx]: the mass (kg) each column lost to dry and to wet deposition in the last step."""
        dry = self.transport.deposited_by_cell if self.scenario["transport"]["vertical_diffusion"] else None
        wet = self.wet_deposition.deposited_by_cell if self.wet_deposition is not None else None
        zeros = np.zeros((len(self.species), self.grid.ny, self.grid.nx))
        return (zeros if dry is None else dry), (zeros if wet is None else wet)

    def _check(self, tracer_mass: np.ndarray, process: str, in_transit=0.0) -> None:
        """After ``process``: no NaN, infinity or negative value, then the budget guard (``in_transit``: mass
        booked by the budget that is not in ``tracer_mass`` yet)."""
        when = f"during the step from {self.now:%Y-%m-%d %H:%M:%S} UTC (step {self.step_index})"
        index = diagnostics.first_invalid(tracer_mass.ravel())
        if index < 0:
            self.guard.check(tracer_mass, process, when, in_transit)
            return
        s, k, j, i = np.unravel_index(index, tracer_mass.shape)
        value = tracer_mass[s, k, j, i] / self.transport.volume[k, j, i]
        raise ModelHealthError(
            f"{process} produced an invalid concentration {float(value)!r} kg m-3 for species "
            f"{self.species_names[s]!r} in {cell_text(self.grid, k, j, i)}, {when}")
