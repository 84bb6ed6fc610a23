"""CF-1.8 NetCDF output, written hour by hour as the run goes, under a temporary name renamed at the end.

- Hourly means: each record is the mean over the hour that ends at its time, with ``time_bnds`` and
  ``cell_methods = "time: mean"``.
- Snapshots: instantaneous fields at the instants the scenario names ("start", "end", or hours after the start).
  Alone they use the ``time`` axis; beside hourly means they go on a ``time_instant`` axis as ``<name>_instant``.
- Time is float64 "hours since" the run's start, in UTC; coordinate variables carry no _FillValue (what CF
  checkers and CDO expect).
- Provenance in the global attributes: the resolved scenario, the package version, the command line, the
  chemistry solver's tolerances in effect (``chemistry_rtol``, ``chemistry_atol_ppb``: the scenario's or the
  mechanism's) and whether aqueous sulfate ran (``chemistry_aqueous_sulfate``); the budget by species is added
  when the run finishes.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import netCDF4
import numpy as np

from .analysis.products import add_products
from .analysis.stations import DEFAULT_STATION_LIST, cells_from_edges, inside_grid, read_station_list
from .errors import InputError
from .files import create_temporary, partial_path, publish
from .grid import Grid
from .met.variables import SURFACE_OUTPUT
from .units import concentration_from_si
from .version import __version__
from .variables import define_grid_coordinates, define_height, define_time, lookup

OUTPUT = "run output"
#: Atomic weights (g mol-1; IUPAC 2021 abridged values) of the elements whose deposition is written.
ATOMIC_WEIGHT = {"N": 14.007, "S": 32.06}
#: The processes whose deposition fluxes are written, by variable-name prefix.
DEPOSITION_PROCESSES = ("dry", "wet")
#: The element's name and the species that carry it in grs_aero, for the long names.
ELEMENT_NAMES = {"N": "nitrogen", "S": "sulfur"}
ELEMENT_GROUPS = {"N": "oxidized and reduced nitrogen: NOx, HNO3, nitrate, organic nitrates, NH3, ammonium",
                  "S": "SO2 and sulfate"}
#: m2 per hectare.
M2_PER_HECTARE = 1.0e4


def deposition_weights(model) -> dict[str, np.ndarray]:
    """Mass of each element (N, S) per kg of each model species [ns], from the mechanism's element tags; empty
    without a mechanism or where it declares neither element."""
    chem = model.chemistry
    if chem is None:
        return {}
    info = {sp.name: sp for sp in chem.mechanism.species}
    out = {}
    for element, weight in ATOMIC_WEIGHT.items():
        w = np.array([info[n].elements.get(element, 0.0) * weight / info[n].molar_mass if n in info else 0.0
                      for n in model.species_names])
        if w.any():
            out[element] = w
    return out


def resolve_stations(setting: str, sc, grid: Grid):
    """The stations whose series a run writes, and their cells: output.stations is "beijing" (the 12 national
    stations; those outside the domain are left out), "none", or a station list CSV (every station must lie in
    the domain)."""
    if setting == "none" or not setting:
        return (), None
    where = f"{sc.source}: output.stations"
    if grid.kind != "lonlat":
        if setting != "beijing":
            raise InputError(f"{where}: station series need a lon-lat grid (domain.grid = \"lonlat\")")
        return (), None
    if setting == "beijing":
        stations = tuple(st for st in read_station_list(DEFAULT_STATION_LIST)
                         if inside_grid(grid.x_bounds, grid.y_bounds, st))
    else:
        path = Path(setting)
        if not path.is_absolute():
            path = sc.folder / path
        if not path.is_file():
            raise InputError(f"{where}: {str(path)!r} is not a file; give \"beijing\", \"none\" or a CSV "
                             "station list with the header code,name,lat,lon")
        stations = read_station_list(path)
    if not stations:
        return (), None
    return stations, cells_from_edges(grid.x_bounds, grid.y_bounds, stations, where)


class OutputWriter:
    """Writes a run's fields as they are produced; ``restart_state()``/``restore_state()`` carry it across a
    restart."""

    def __init__(self, path: Path, model, command_line: str, overwrite_partial: bool = True):
        self.path = Path(path)
        self.tmp = partial_path(self.path)
        self.model = model
        sc = model.scenario
        out = sc["output"]
        self.levels = out["levels"]
        names = out["variables"] or model.species_names
        self.indices = [model.species_names.index(n) for n in names]
        # Derived fields (PM2.5 and PM10 as sums of their components) come from the chemistry mechanism.
        chem = model.chemistry
        self.derived = [] if chem is None else [
            (d.name, dict(units=d.units, long_name=d.long_name, standard_name=d.standard_name))
            for d in chem.mechanism.diagnostics]
        self.hourly = bool(out["hourly_means"])
        self.snapshot_steps = self._snapshot_steps(out["snapshots"], sc)
        self.steps_per_hour = int(round(3600.0 / sc.time_step)) if self.hourly else 0
        self.dtype = "f8" if out["precision"] == "double" else "f4"
        self.accumulator = None
        self.met_accumulator = None
        self.records = {"time": 0, "time_instant": 0}
        self.daily = bool(out["daily"]) and self.hourly
        self.stations, self.station_cells = resolve_stations(out["stations"], sc, model.grid)
        #: element -> kg of the element per kg of each species, for the hourly deposition fluxes of N and S
        self.deposition_weights = deposition_weights(model) if self.hourly else {}
        self.deposition_accumulator = None
        create_temporary(self.path, fixed=True)
        self.ds = netCDF4.Dataset(self.tmp, "w", format="NETCDF4")
        try:
            self._define(command_line)
        except BaseException:
            self.ds.close()
            self.tmp.unlink(missing_ok=True)
            raise

    @staticmethod
    def _snapshot_steps(items, sc) -> set[int]:
        steps = set()
        for item in items:
            if item == "start":
                steps.add(0)
            elif item == "end":
                steps.add(sc.n_steps)
            else:
                steps.add(int(round(float(item) * 3600.0 / sc.time_step)))
        return steps

    # -- file layout --------------------------------------------------------------------------------------------
    def _define(self, command_line: str) -> None:
        m, ds = self.model, self.ds
        sc = m.scenario
        ds.setncatts(dict(
            Conventions="CF-1.8",
            title=sc["run"]["name"],
            institution="airmodel",
            source=f"airmodel {__version__}",
            history=f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ} {command_line}",
            airmodel_version=__version__,
            command_line=command_line,
            scenario=sc.to_toml(),
            scenario_file=str(sc.source),
            time_step_seconds=sc.time_step,
            advection_scheme=sc["transport"]["advection"],
            output_schedule=("hourly means" if self.hourly else "")
            + (", " if self.hourly and self.snapshot_steps else "")
            + (f"snapshots at steps {sorted(self.snapshot_steps)}" if self.snapshot_steps else ""),
        ))
        if m.chemistry is not None:  # the solver tolerances in effect (the scenario may leave them to the mechanism)
            ds.setncatts(dict(chemistry_rtol=m.chemistry.rtol, chemistry_atol_ppb=m.chemistry.atol,
                              chemistry_aqueous_sulfate="on" if m.aqueous is not None else "off"))
        dims = define_grid_coordinates(ds, m.grid, self.levels)
        time_units = f"hours since {sc.start:%Y-%m-%d %H:%M:%S}"
        axes = []
        if self.hourly:
            axes.append(("time", "time: mean", ""))
        if self.snapshot_steps:
            # CF 7.3: cell_methods names the dimension itself, so snapshots beside hourly means are points in
            # "time_instant", not in "time".
            instant = "time_instant" if self.hourly else "time"
            axes.append((instant, f"{instant}: point", "_instant" if self.hourly else ""))
        self.axes = axes
        coordinates = "height" if self.levels == "surface" else None
        for axis, methods, suffix in axes:
            define_time(ds, axis, time_units, bounds=methods == "time: mean", entry=lookup(OUTPUT, axis))
            chunks = (1,) + tuple(len(ds.dimensions[d]) for d in dims)
            for name, attrs in self.field_names_and_attributes():
                var = ds.createVariable(name + suffix, self.dtype, (axis,) + dims, zlib=True, complevel=4,
                                        shuffle=True, chunksizes=chunks)
                more = dict(cell_methods=methods, coordinates=coordinates or "")
                var.setncatts(lookup(OUTPUT, "<species>" + suffix).attributes(attrs, **more))
        self._define_met(dims[-2:])
        self._define_deposition(dims[-2:])

    def name_domain(self, name: str, parent: str) -> None:
        """Name the domain this file holds and its parent ("none" for the outermost) in the global attributes, in
        a run with a parent domain (airmodel/nesting.py)."""
        self.ds.setncatts(dict(domain_name=name, parent_domain=parent or "none"))

    def deposition_names(self) -> list[str]:
        """The hourly deposition flux variables: dry and wet deposition of each element, in that order."""
        return [f"{process}_deposition_{element}" for element in self.deposition_weights
                for process in DEPOSITION_PROCESSES]

    def _define_deposition(self, horizontal_dims: tuple[str, str]) -> None:
        """Hourly-mean dry and wet deposition fluxes of N and S (kg m-2 s-1) and, at the end, their totals over
        the run (kg ha-1)."""
        ds = self.ds
        chunks = (1,) + tuple(len(ds.dimensions[d]) for d in horizontal_dims)
        for name in self.deposition_names():
            var = ds.createVariable(name, self.dtype, ("time",) + horizontal_dims, zlib=True, complevel=4,
                                    shuffle=True, chunksizes=chunks)
            process, _, element = name.split("_")
            var.setncatts(lookup(OUTPUT, f"{process}_deposition_<E>").attributes(
                dict(element=ELEMENT_NAMES[element], group=ELEMENT_GROUPS[element])))

    def field_names_and_attributes(self) -> list[tuple[str, dict]]:
        """The written fields in order: the chosen species, then the derived fields."""
        out = []
        for s in self.indices:
            sp = self.model.species[s]
            out.append((sp.name, dict(units=sp.units, long_name=sp.long_name, standard_name=sp.standard_name)))
        return out + self.derived

    def _define_met(self, horizontal_dims: tuple[str, str]) -> None:
        """Hourly-mean surface meteorology (wind at 10 m, 2-m temperature, mixing height, precipitation), where the
        meteorology provides it."""
        self.met_variables = []
        if not self.hourly:
            return
        snapshot = self.model.met.at(0.0)
        self.met_variables = [v for v in SURFACE_OUTPUT if getattr(snapshot, v.field) is not None]
        ds = self.ds
        for v in self.met_variables:
            coordinates = define_height(ds, v.height) if v.height is not None else ""
            chunks = (1,) + tuple(len(ds.dimensions[d]) for d in horizontal_dims)
            var = ds.createVariable(v.name, self.dtype, ("time",) + horizontal_dims, zlib=True, complevel=4,
                                    shuffle=True, chunksizes=chunks)
            var.setncatts(lookup(OUTPUT, v.name).attributes(coordinates=coordinates))

    # -- per step -----------------------------------------------------------------------------------------------
    def _fields(self, with_met: bool = False) -> np.ndarray:
        """The written species in output units, at the written levels, from the model state now; with the surface
        meteorology after them (those are 2-D: they are accumulated separately)."""
        m = self.model
        met = m.met.at(m.elapsed)
        rho = met.air_density
        c = m.concentration[self.indices]
        if self.levels == "surface":
            c, rho = c[:, 0], rho[0]
        rows = [concentration_from_si(c[n], m.species[s].units, rho, m.species[s].molar_mass)
                for n, s in enumerate(self.indices)]
        if self.derived:
            full = m.concentration[:, 0] if self.levels == "surface" else m.concentration
            diagnostics = m.chemistry.diagnostics(full)
            rows += [diagnostics[name] for name, _ in self.derived]
        species = np.stack(rows)
        if not with_met:
            return species
        surface = [getattr(met, v.field) * v.scale for v in self.met_variables]
        return species, (np.stack(surface) if surface else None)

    def after_step(self) -> None:
        """Called after every model step (and once at step 0 before the first)."""
        m = self.model
        step = m.step_index
        if self.hourly and step > 0:
            f, surface = self._fields(with_met=True)
            if self.accumulator is None:
                self.accumulator = np.zeros_like(f)
                self.met_accumulator = None if surface is None else np.zeros_like(surface)
            self.accumulator += f
            if surface is not None:
                self.met_accumulator += surface
            if self.deposition_weights:
                deposition = self._deposition_fluxes()
                if self.deposition_accumulator is None:
                    self.deposition_accumulator = np.zeros_like(deposition)
                self.deposition_accumulator += deposition
            if step % self.steps_per_hour == 0:
                hour = step * m.time_step / 3600.0
                n = self.records["time"]
                self._write("time", hour, self.accumulator / self.steps_per_hour, "", bounds=(hour - 1.0, hour))
                for v, mean in zip(self.met_variables, () if surface is None
                                   else self.met_accumulator / self.steps_per_hour):
                    self.ds[v.name][n] = mean
                for name, mean in zip(self.deposition_names(), () if self.deposition_accumulator is None
                                      else self.deposition_accumulator / self.steps_per_hour):
                    self.ds[name][n] = mean
                if self.met_variables or self.deposition_weights:
                    self.ds.sync()  # the hour's surface fields too, before a checkpoint can count the record
                self.accumulator[...] = 0.0
                if surface is not None:
                    self.met_accumulator[...] = 0.0
                if self.deposition_accumulator is not None:
                    self.deposition_accumulator[...] = 0.0
        if step in self.snapshot_steps:
            axis, _, suffix = self.axes[-1]
            self._write(axis, step * m.time_step / 3600.0, self._fields(), suffix)

    def _deposition_fluxes(self) -> np.ndarray:
        """[dry N, wet N, dry S, wet S, ...] fluxes (kg m-2 s-1) [n, ny, nx] over the last step."""
        m = self.model
        dry, wet = m.deposited_by_cell()
        per_second_and_area = 1.0 / (m.time_step * m.grid.cell_area)
        rows = []
        for weights in self.deposition_weights.values():
            for by_species in (dry, wet):
                rows.append(np.einsum("s,sji->ji", weights, by_species) * per_second_and_area)
        return np.stack(rows)

    def _write(self, axis: str, hours: float, fields: np.ndarray, suffix: str, bounds=None) -> None:
        n = self.records[axis]
        self.ds[axis][n] = hours
        if bounds is not None:
            self.ds[f"{axis}_bnds"][n, :] = bounds
        for f, (name, _) in zip(fields, self.field_names_and_attributes()):
            self.ds[name + suffix][n] = f
        self.records[axis] = n + 1
        self.ds.sync()  # a killed run keeps every finished record, for --restart

    # -- restart ------------------------------------------------------------------------------------------------
    def restart_state(self) -> dict:
        """The records written and the running hourly sums; and where the output goes, so that a restart can carry
        over the records written before the checkpoint."""
        state = dict(records_time=self.records["time"], records_time_instant=self.records["time_instant"],
                     output_path=str(self.path.resolve()), partial_path=str(self.tmp.resolve()))
        for name in ("accumulator", "met_accumulator", "deposition_accumulator"):
            if getattr(self, name) is not None:
                state[f"hourly_{name}"] = getattr(self, name)
        return state

    def restore_state(self, state: dict) -> None:
        """Continue from a checkpoint's state; ``carry_over`` then copies the records written before it."""
        self.accumulator = state.get("hourly_accumulator")
        self.met_accumulator = state.get("hourly_met_accumulator")
        self.deposition_accumulator = state.get("hourly_deposition_accumulator")
        self.resumed_records = {"time": int(state["records_time"]),
                                "time_instant": int(state["records_time_instant"])}

    def carry_over(self, earlier: Path | None) -> None:
        """Copy the records written before the checkpoint from ``earlier`` (a partial or finished output of the
        interrupted run); without one the output starts at the checkpoint."""
        if earlier is None:
            return
        with netCDF4.Dataset(earlier) as old:
            for axis, n in self.resumed_records.items():
                if n == 0 or axis not in self.ds.dimensions:
                    continue
                for name, var in self.ds.variables.items():
                    if var.dimensions and var.dimensions[0] == axis:
                        var[:n] = old[name][:n]
                self.records[axis] = n
        self.ds.sync()

    # -- the end ------------------------------------------------------------------------------------------------
    def finish(self, budget_rows: list[dict]) -> Path:
        """Store the budget, close, and rename the temporary file to the output path."""
        for row in budget_rows:
            for key, value in row.items():
                if key != "species":
                    unit = "" if key == "relative_residual" else "_kg"
                    self.ds.setncattr(f"budget_{row['species']}_{key}{unit}", float(value))
        if self.hourly:
            horizontal = ("lat", "lon") if self.model.grid.kind == "lonlat" else ("y", "x")
            self._deposition_totals(horizontal)
            add_products(self.ds, np.datetime64(self.model.scenario.start.replace(tzinfo=None), "s"), horizontal,
                         self.stations, self.station_cells, daily=self.daily, dtype=self.dtype)
        self.ds.close()
        return publish(self.tmp, self.path)  # the driver asked for --force before the run

    def _deposition_totals(self, horizontal: tuple[str, str]) -> None:
        """The deposition over the whole run (kg ha-1) from the hourly means of the file (restarts included)."""
        for name in self.deposition_names():
            total = np.zeros(tuple(len(self.ds.dimensions[d]) for d in horizontal))
            for n in range(self.records["time"]):
                total += np.asarray(self.ds[name][n], dtype=np.float64)
            process, _, element = name.split("_")
            var = self.ds.createVariable(f"{name}_total", "f8", horizontal)
            var.setncatts(lookup(OUTPUT, "dry_deposition_<E>_total, wet_deposition_<E>_total").attributes(
                dict(element=ELEMENT_NAMES[element], group=ELEMENT_GROUPS[element])))
            var[:] = total * 3600.0 * M2_PER_HECTARE

    def abandon(self) -> None:
        """Close after a failure; the temporary file stays for a restart, the output path is untouched."""
        try:
            self.ds.close()
        except RuntimeError:
            pass
