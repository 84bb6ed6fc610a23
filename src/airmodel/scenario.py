"""Scenario files: TOML, one section per concern, validated on load with errors that name the key.

A scenario may ``extends = "other.toml"`` (a path relative to the file) and override a few keys; ``--set
section.key=value`` overrides come last (both read by airmodel/config_files.py, which the box model shares).
Scenario files are data: nothing in them is executed.

``SCHEMA`` (with the section schemas it takes from airmodel/met/settings.py and airmodel/emissions/settings.py, and
``SPECIES_SCHEMA``) is the single place that says which keys exist, their types, defaults and valid choices; the
choices come from the modules that implement them. README.md's key table and docs/scenario_keys.md are generated
from it (``python tools/schema_docs.py``).
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .analytic import INITIAL_SHAPES
from .boundary import PM25_COMPONENTS
from .boundary import SOURCES as BOUNDARY_SOURCES
from .chemistry.mechanism import available_mechanisms, load_mechanism
from .chemistry.process import PHOTOLYSIS_MODES, solver_tolerance
from .config_files import apply_overrides, parse_time, read_toml
from .data import resolve_scenario
from .emissions.settings import POINT_SOURCE_SCHEMA, validate_controls, validate_emissions
from .errors import InputError
from .grid import grid_shape
from .kernels.rosenbrock import METHODS
from .met.deposition import DEPOSITION_CLASSES
from .met.settings import METEOROLOGY_SCHEMA
from .schema import NUMBER, Key, fill_table, key
from .transport import ADVECTION_SCHEMES
from .units import (CONCENTRATION_UNITS, EMISSION_RATE_TO_SI, MASS_CONCENTRATION_TO_SI, MASS_MIXING_RATIO_TO_SI,
                    MOLE_FRACTION_TO_SI)
from .variables import REGISTRY

#: The upper bounds are physical ranges, generous, beyond which a value is a typo or a unit slip (and could overflow
#: on its way to a kernel): a time step of a day, cells of 90 degrees or 1000 km, layers up to 50 km (the
#: stratopause), air from 0 to 400 K, fractions up to 1, molar masses up to 10 kg/mol, deposition velocities up to
#: 1 m/s (the fastest, nitric acid's, are a few cm/s); cfl_max <= 1 is the advection schemes' own limit.
SCHEMA: dict[str, dict[str, Key]] = {
    "run": {
        "name": key(str, "airmodel run", doc="a short title for the run"),
        "start": key(str, doc="start time, ISO 8601 in UTC, e.g. 2008-08-01T00:00:00Z"),
        "end": key(str, None, doc="end time (UTC); or give hours, or steps"),
        "hours": key(NUMBER, None, doc="run length in hours", minimum=0, exclusive_minimum=True),
        "steps": key(int, None, doc="run length in time steps", minimum=1),
        "time_step": key(NUMBER, doc="model time step (s); advection sub-steps adapt to the Courant number",
                         minimum=0, exclusive_minimum=True, maximum=86400.0),
        "threads": key(int, 0, doc="Numba threads (0: all cores)", minimum=0),
        "progress": key(bool, True, doc="show a progress line on stderr"),
    },
    "domain": {
        "grid": key(str, "lonlat", choices=("lonlat", "projected"),
                    doc="lonlat: regular in longitude and latitude (lon_min .. lat_max, resolution); projected: a "
                        "plane of nx by ny cells of dx by dy metres from (x0, y0)"),
        "lon_min": key(NUMBER, 113.5, doc="lonlat: western edge (deg E)"),
        "lon_max": key(NUMBER, 119.5, doc="lonlat: eastern edge (deg E)"),
        "lat_min": key(NUMBER, 37.0, doc="lonlat: southern edge (deg N)"),
        "lat_max": key(NUMBER, 42.5, doc="lonlat: northern edge (deg N)"),
        "resolution": key(NUMBER, 0.1, doc="lonlat: cell size (degrees)",
                          minimum=0, exclusive_minimum=True, maximum=90.0),
        "nx": key(int, None, doc="projected: number of cells along x", minimum=1),
        "ny": key(int, None, doc="projected: number of cells along y", minimum=1),
        "dx": key(NUMBER, None, doc="projected: cell size along x (m)",
                  minimum=0, exclusive_minimum=True, maximum=1000000.0),
        "dy": key(NUMBER, None, doc="projected: cell size along y (m)",
                  minimum=0, exclusive_minimum=True, maximum=1000000.0),
        "x0": key(NUMBER, 0.0, doc="projected: x of the south-west corner (m)"),
        "y0": key(NUMBER, 0.0, doc="projected: y of the south-west corner (m)"),
        "layer_interfaces": key(list, None, doc="layer interface heights above ground (m), from 0"),
        "layer_thickness": key(NUMBER, None, doc="uniform layer thickness (m), with layers",
                               minimum=0, exclusive_minimum=True, maximum=50000.0),
        "layers": key(int, None, doc="number of layers of layer_thickness", minimum=1),
    },
    "meteorology": METEOROLOGY_SCHEMA,
    "transport": {
        "advection": key(str, "walcek", choices=ADVECTION_SCHEMES,
                         doc="horizontal and vertical advection scheme: Walcek (2000) monotone, PPM (Colella and "
                             "Woodward 1984), or PPM with the Colella and Sekora (2008) limiter"),
        "cfl_max": key(NUMBER, 0.9, doc="largest Courant number of an advection sub-step", minimum=0,
                       exclusive_minimum=True, maximum=1.0),
        "horizontal_advection": key(bool, True, doc="advection along x and y"),
        "vertical_advection": key(bool, True, doc="advection through the layer interfaces"),
        "horizontal_diffusion": key(bool, True, doc="horizontal eddy diffusion (the meteorology's kx, ky)"),
        "vertical_diffusion": key(bool, True, doc="vertical eddy diffusion (the meteorology's kz)"),
    },
    "chemistry": {
        "mechanism": key(str, "none", doc='"none" (transport only), a built-in mechanism ('
                                         + ", ".join(available_mechanisms()) + "), or the path of a .mech file"),
        "method": key(str, "rodas3", choices=tuple(METHODS), doc="Rosenbrock method"),
        "rtol": key(NUMBER, None, doc="relative tolerance of the chemistry solver (unset: the mechanism's "
                    "tolerance line, else 1e-3)", minimum=0, exclusive_minimum=True, maximum=1.0),
        "atol": key(NUMBER, None, doc="absolute tolerance (ppb; unset: the mechanism's tolerance line, else 1e-6; "
                    "cb05_aero: 1e-4)", minimum=0, exclusive_minimum=True),
        "max_steps": key(int, 100000, doc="most solver steps a cell may take in one model step", minimum=1),
        "photolysis": key(str, "per_step", choices=PHOTOLYSIS_MODES,
                          doc="photolysis at the middle of each model step, held over it (CMAQ, CAMx practice; "
                             "half the solver cost), or following the sun within the step"),
        "temperature": key(NUMBER, 298.15, doc="K, where the meteorology gives none", minimum=0,
                           exclusive_minimum=True, maximum=400.0),
        "relative_humidity": key(NUMBER, 0.6, doc="fraction, where the meteorology gives none", minimum=0, maximum=1.0),
        "cloud_fraction": key(NUMBER, 0.0, doc="where the meteorology gives none", minimum=0, maximum=1.0),
        "wet_deposition": key(bool, False, doc="scavenging by rain in and below clouds with the mechanism's "
                                               "coefficients (airmodel/wet_deposition.py), where the meteorology "
                                               "gives precipitation"),
        "aqueous_sulfate": key(bool, None, doc="SO2 oxidised to sulfate by H2O2 and O3 in cloud water at the "
                                               "mechanism's cloud-water pH (airmodel/aqueous_chemistry.py), where "
                                               "the meteorology gives cloud water; needs SO2, SULF and H2O2 or O3 "
                                               "(unset: the mechanism's aqueous_sulfate line, else off; on with "
                                               "cb05_aero, off with grs_aero, which has its own in-cloud term)"),
        "longitude": key(NUMBER, 116.4, doc="deg E of a projected (idealized) grid, for the sun",
                         minimum=-360.0, maximum=360.0),
        "latitude": key(NUMBER, 39.9, doc="deg N of a projected (idealized) grid, for the sun",
                        minimum=-90.0, maximum=90.0),
    },
    "boundary": {
        "source": key(str, "species", choices=BOUNDARY_SOURCES,
                      doc="lateral and top boundary values: each species' inflow value, the profile table, or a CF "
                         "NetCDF file of a larger model (airmodel/boundary.py)"),
        "file": key(str, "", doc="profile table (climatology; default: the embedded summer North China profiles; "
                                "an embedded table by name, e.g. summer_parent_north_china) "
                                "or the CF NetCDF file (cf)"),
        "variables": key(dict, {}, doc="cf: model species -> variable name in the file, where they differ"),
        "scale": key(NUMBER, 1.0, doc="multiplies every boundary value (0: zero-boundary sensitivity)", minimum=0),
        "tracers": key(bool, False, doc="add the inert boundary tracers BND_O3 and BND_PM25 (the boundary's "
                                       "contribution at every cell and station)"),
    },
    "output": {
        "hourly_means": key(bool, True, doc="write hourly means"),
        "snapshots": key(list, [], doc='instants to write: "start", "end", or hours after the start'),
        "levels": key(str, "surface", choices=("surface", "all"), doc="the lowest layer only, or every layer"),
        "precision": key(str, "single", choices=("single", "double"), doc="floating-point width of the fields"),
        "variables": key(list, None, doc="species to write (default: all)"),
        "checkpoint_interval_hours": key(NUMBER, 0, doc="write a restart checkpoint this often (0: never)",
                                         minimum=0),
        "checkpoint_dir": key(str, "", doc="folder for checkpoints, relative to the scenario's folder "
                                           "(default: OUT.nc.checkpoints beside the output)"),
        "daily": key(bool, True, doc="add daily fields by local (UTC+8) day: 24-h means, daily max 1-h and 8-h O3, "
                                    "the HJ 633-2012 AQI (needs hourly_means)"),
        "stations": key(str, "beijing", doc='station time series: "beijing" (the 12 national stations), a CSV '
                                          'station list (code,name,lat,lon), or "none"'),
    },
}

#: ``[parent]``: an outer domain around ``[domain]`` (one-way nesting, airmodel/nesting.py, docs/nesting.md). The
#: parent takes every other section of the scenario (weather, emissions, chemistry, species, output) on its own grid;
#: ``[boundary]`` gives the parent's lateral and top boundary values, and ``[domain]``'s come from the parent.
PARENT_SCHEMA: dict[str, Key] = {
    "name": key(str, "d01", doc="the parent's name: its output is written beside OUT.nc as OUT.NAME.nc"),
    "grid": replace(SCHEMA["domain"]["grid"], doc="the same kind of grid as [domain]"),
    # the box of a lon-lat parent has no default: it must be given
    **{k: replace(SCHEMA["domain"][k], default=None) for k in ("lon_min", "lon_max", "lat_min", "lat_max")},
    "resolution": replace(SCHEMA["domain"]["resolution"], default=None,
                          doc="lonlat: cell size (degrees), at least domain.resolution"),
    **{k: SCHEMA["domain"][k] for k in ("nx", "ny", "dx", "dy", "x0", "y0")},
    "layer_interfaces": key(list, None, doc="layer interface heights (m); default and only valid value: "
                                            "[domain]'s layers"),
    "time_step_ratio": key(int, 1, doc="the parent's time step in domain time steps (run.time_step); [domain] "
                                       "takes this many steps per parent step", minimum=1, maximum=100),
}

SPECIES_SCHEMA: dict[str, Key] = {
    "units": key(str, "", doc="output units: " + ", ".join(CONCENTRATION_UNITS)
                              + "; default: the mechanism's, or ug m-3"),
    "molar_mass": key(NUMBER, None, doc="g/mol; needed for ppb or ppm of a species the mechanism does not define",
                      minimum=0, exclusive_minimum=True, maximum=10000.0),
    "long_name": key(str, "", doc="long_name of the output variable (default: the mechanism's, else the species "
                                  "name)"),
    "standard_name": key(str, "", doc="CF standard_name of the output variable (default: the mechanism's, else "
                                      "none)"),
    "initial": key((int, float, dict), 0.0, doc="initial value (output units), or a shape table"),
    "inflow": key(NUMBER, 0.0, doc="lateral inflow value (output units)", minimum=0),
    "dry_deposition_velocity": key(NUMBER, 0.0, doc="constant dry-deposition velocity (m/s), used when no "
                                                   "deposition_class is given", minimum=0, maximum=1.0),
    "deposition_class": key(str, "", doc="dry-deposition class for the resistance model (airmodel/met/"
                                        "deposition.py): " + ", ".join(DEPOSITION_CLASSES)
                                        + "; empty: the constant velocity"),
}

#: Names of run-output variables that are not species (coordinates, surface meteorology, daily products, station
#: series): a species of one of these names would clash with them in the output file.
RESERVED_NAMES = frozenset(v.name for v in REGISTRY["run output"] if "<" not in v.name and ", " not in v.name)

#: The highest layer interface (m above ground): the top of the stratosphere (the stratopause, about 50 km; U.S.
#: Standard Atmosphere 1976). A regional air-quality model's top lies far below (CMAQ and WRF: 50-100 hPa, about
#: 16-20 km); higher means a typo or a unit slip.
MODEL_TOP_MAX = 50_000.0

#: The largest rate of one idealized point source (kg/s): 1e11 t/yr, more than the world's fossil CO2 emissions
#: (about 3.7e10 t/yr; Friedlingstein et al. 2022, the Global Carbon Budget), as for one row of an inventory.
MAX_POINT_RATE = 1e14 / 31_557_600.0

#: The largest concentration a species may start with or flow in with, in each output unit: the whole air as the
#: species (a mixing ratio of 1, or 10 kg m-3, about eight times the density of air at the ground); beyond it a
#: value is a typo or a unit slip, and its conversion to SI could overflow.
MAX_CONCENTRATION = {**{u: 10.0 / f for u, f in MASS_CONCENTRATION_TO_SI.items()},
                     **{u: 1.0 / f for u, f in MASS_MIXING_RATIO_TO_SI.items()},
                     **{u: 1.0 / f for u, f in MOLE_FRACTION_TO_SI.items()}}

TOP_LEVEL = {"extends", "description", "species", "emissions", "controls", "parent"} | set(SCHEMA)

__all__ = ["PARENT_SCHEMA", "SCHEMA", "SPECIES_SCHEMA", "ResourceEstimate", "Scenario", "apply_overrides", "check_resources",
           "dump_toml", "estimate_resources", "load", "parse_time", "read_toml", "state_identity", "validate"]

#: What does not determine the model state at a given step: the run's length (so that a longer run continues from a
#: shorter run's checkpoint), its title, threads (results are identical for any count) and progress line, the
#: description, and what is written (the output section). Everything else goes into a checkpoint's identity.
NOT_STATE = {"run": ("name", "end", "hours", "steps", "threads", "progress"), "output": tuple(SCHEMA["output"]),
             "description": None}


@dataclass
class Scenario:
    """A validated scenario: plain dictionaries per section, with defaults filled in, and derived times.

    ``folder`` is where the scenario's relative input paths (meteorology files, inventories, the boundary file, a
    mechanism or station list given as a path) are read from: the scenario file's folder, or for a dictionary the
    folder given to :func:`validate` (default: the current folder)."""

    data: dict
    source: str  # the file it came from, or "<dict>"
    start: datetime
    n_steps: int
    time_step: float
    folder: Path

    def __getitem__(self, section: str) -> dict:
        return self.data[section]

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.n_steps * self.time_step)

    def to_toml(self) -> str:
        """The resolved scenario as TOML text (recorded in every output file)."""
        return dump_toml(self.data)


def _canonical(value):
    """A value in a form whose JSON text is the same for equal settings (120 and 120.0 s are one time step)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return str(value)


def state_identity(scenario: Scenario) -> dict[str, str]:
    """A short SHA-256 of each setting that determines the model state, by its key ("domain.nx",
    "species.O3.inflow", "run.start", "controls"...), so that two scenarios' identities can be compared key by key
    and the keys that differ named. The start is taken as the parsed instant, so that equal times written
    differently agree; the run's length, the output settings and where the file lies are left out (NOT_STATE)."""
    settings: dict[str, Any] = {}
    for section, table in scenario.data.items():
        skipped = NOT_STATE.get(section, ())
        if skipped is None:
            continue
        if section == "species":
            settings["species"] = list(table)  # their order is the order of the state's species axis
            for name, sp in table.items():
                settings.update({f"species.{name}.{k}": v for k, v in sp.items()})
        elif isinstance(table, dict):
            settings.update({f"{section}.{k}": v for k, v in table.items() if k not in skipped})
        else:
            settings[section] = table
    settings["run.start"] = f"{scenario.start:%Y-%m-%dT%H:%M:%S}"
    settings["run.time_step"] = scenario.time_step
    return {k: hashlib.sha256(json.dumps(_canonical(v), sort_keys=True).encode()).hexdigest()[:16]
            for k, v in sorted(settings.items())}


def validate(raw: dict, source: str = "<dict>", folder: Path | str | None = None) -> Scenario:
    """Check a scenario's tables against the schema and fill in the defaults. ``folder``: where its relative input
    paths are read from (default: the current folder)."""
    where = source
    unknown = set(raw) - TOP_LEVEL
    if unknown:
        raise InputError(f"{where}: unknown section or key {sorted(unknown)[0]!r}; "
                         f"valid: {', '.join(sorted(TOP_LEVEL))}")
    data: dict[str, Any] = {}
    for section, schema in SCHEMA.items():
        data[section] = fill_table(raw.get(section, {}), schema, f"{where}: {section}")
    if "description" in raw:
        data["description"] = str(raw["description"])

    species = raw.get("species", {})
    if not isinstance(species, dict) or (not species and data["chemistry"]["mechanism"] == "none"):
        raise InputError(f"{where}: species: give at least one species table, e.g. [species.tracer], "
                         f"or a chemistry.mechanism")
    data["species"] = {}
    for name, table in species.items():
        sp = fill_table(table, SPECIES_SCHEMA, f"{where}: species.{name}")
        if sp["deposition_class"] and sp["deposition_class"] not in DEPOSITION_CLASSES:
            raise InputError(f"{where}: species.{name}.deposition_class: unknown class {sp['deposition_class']!r}; "
                             f"choose one of: {', '.join(DEPOSITION_CLASSES)}")
        _check_concentrations(sp, f"{where}: species.{name}")
        init = sp["initial"]
        if isinstance(init, dict):
            shape = init.get("shape")
            if shape not in INITIAL_SHAPES:
                raise InputError(f"{where}: species.{name}.initial.shape: unknown shape {shape!r}; "
                                 f"choose one of: {', '.join(INITIAL_SHAPES)}")
            missing = [k for k in INITIAL_SHAPES[shape] if k not in init]
            if missing:
                raise InputError(f"{where}: species.{name}.initial: shape {shape!r} needs {', '.join(missing)}")
        data["species"][name] = sp

    emissions = raw.get("emissions", {})
    if not isinstance(emissions, dict):
        raise InputError(f"{where}: emissions: expected a table")
    inventory = validate_emissions({k: v for k, v in emissions.items() if k != "point"}, f"{where}: emissions")
    points = []
    for n, table in enumerate(emissions.get("point", [])):
        p = fill_table(table, POINT_SOURCE_SCHEMA, f"{where}: emissions.point[{n}]")
        if p["rate_units"] in EMISSION_RATE_TO_SI:
            kg_s = p["rate"] * EMISSION_RATE_TO_SI[p["rate_units"]]
            if not (math.isfinite(kg_s) and kg_s <= MAX_POINT_RATE):
                raise InputError(f"{where}: emissions.point[{n}].rate: {p['rate']!r} {p['rate_units']} is "
                                 f"{kg_s:.3g} kg s-1, out of the physical range 0..{MAX_POINT_RATE:.3g} kg s-1")
        if p["species"] not in data["species"]:
            raise InputError(f"{where}: emissions.point[{n}].species: unknown species {p['species']!r}; "
                             f"defined: {', '.join(data['species'])}")
        points.append(p)
    data["emissions"] = {"point": points, **inventory}
    data["controls"] = validate_controls(raw.get("controls", []), f"{where}: controls",
                                         float(inventory["utc_offset_hours"]))

    run = data["run"]
    start = parse_time(run["start"], f"{where}: run.start")
    dt = float(run["time_step"])
    given = [k for k in ("end", "hours", "steps") if run[k] is not None]
    if len(given) != 1:
        raise InputError(f"{where}: run: give exactly one of end, hours or steps (got {', '.join(given) or 'none'})")
    if run["steps"] is not None:
        n_steps = run["steps"]
    else:
        if run["end"] is not None:
            end = parse_time(run["end"], f"{where}: run.end")
            if end <= start:
                raise InputError(f"{where}: run.end {run['end']!r} is not after run.start {run['start']!r}")
            seconds = (end - start).total_seconds()
        else:
            seconds = float(run["hours"]) * 3600.0
        n_steps = int(round(seconds / dt))
        if abs(n_steps * dt - seconds) > 1e-6 * dt:
            raise InputError(f"{where}: run.time_step {dt} s does not divide the run length {seconds} s")
    try:
        start + timedelta(seconds=n_steps * dt)
    except OverflowError:
        raise InputError(f"{where}: run: {n_steps} steps of {dt:g} s from {run['start']} end after the year 9999; "
                         "give a shorter run") from None
    if data["output"]["hourly_means"] and (3600.0 / dt) != round(3600.0 / dt):
        raise InputError(f"{where}: run.time_step {dt} s must divide one hour (3600 s) for hourly means; "
                         f"e.g. 60, 90, 100, 120, 180, 300")
    _check_domain(data["domain"], where)
    if "parent" in raw:
        data["parent"] = _check_parent(fill_table(raw["parent"], PARENT_SCHEMA, f"{where}: parent"), data, n_steps,
                                       dt, where)
    folder = Path.cwd() if folder is None else Path(folder)
    _fill_mechanism_defaults(data["chemistry"], folder)
    _check_snapshots(data["output"]["snapshots"], n_steps * dt, dt, where)
    _check_output_variables(data, folder, where)
    return Scenario(data=data, source=source, start=start, n_steps=n_steps, time_step=dt, folder=folder)


def _check_concentrations(sp: dict, where: str) -> None:
    """initial (or a shape's height and background) and inflow at most MAX_CONCENTRATION in the species' units
    (unset units: the largest bound of any unit, as the mechanism's units are not known here)."""
    unit = sp["units"]
    limit = MAX_CONCENTRATION.get(unit, max(MAX_CONCENTRATION.values()))
    init = sp["initial"]
    values = {"inflow": sp["inflow"]}
    if isinstance(init, dict):
        values.update({f"initial.{k}": init[k] for k in ("height", "background") if k in init})
    else:
        values["initial"] = init
    for k, v in values.items():
        if isinstance(v, NUMBER) and not isinstance(v, bool) and abs(v) > limit:
            raise InputError(f"{where}.{k}: {v!r} {unit or '(output units)'} is out of the physical range; at most "
                             f"{limit:g} {unit or ''} (the whole air as this species)".rstrip())


def _check_snapshots(items: list, seconds: float, dt: float, where: str) -> None:
    """Each snapshot is "start", "end" or a number of hours from 0 to the run's length, on a time step."""
    for n, item in enumerate(items):
        place = f"{where}: output.snapshots[{n}]"
        if item in ("start", "end"):
            continue
        if not isinstance(item, NUMBER) or isinstance(item, bool):
            raise InputError(f"{place}: {item!r} is not \"start\", \"end\" or a number of hours after the start")
        hours = float(item)
        if not 0.0 <= hours * 3600.0 <= seconds + 1e-6 * dt:
            raise InputError(f"{place}: {item!r} h lies outside the run, which lasts {seconds / 3600.0:g} h; give "
                             f"0..{seconds / 3600.0:g} h, \"start\" or \"end\"")
        steps = hours * 3600.0 / dt
        if abs(steps - round(steps)) > 1e-6:
            raise InputError(f"{place}: {item!r} h is not a whole number of {dt:g} s time steps")


def _mechanism(chemistry: dict, folder: Path):
    """The scenario's mechanism (a .mech path relative to the scenario's folder), None for "none"."""
    name = chemistry["mechanism"]
    if name == "none":
        return None
    path = Path(name)
    if name.endswith(".mech") and not path.is_absolute():
        path = folder / path
    return load_mechanism(str(path) if name.endswith(".mech") else name)


def _mechanism_species(chemistry: dict, folder: Path) -> list[str]:
    mechanism = _mechanism(chemistry, folder)
    return [] if mechanism is None else [sp.name for sp in mechanism.species]


def _fill_mechanism_defaults(chemistry: dict, folder: Path) -> None:
    """chemistry.rtol, atol and aqueous_sulfate left unset take the mechanism's (its ``tolerance`` and
    ``aqueous_sulfate`` lines; else 1e-3, 1e-6 ppb and off), so that the resolved scenario, which outputs and
    checkpoints record and restarts and ensembles compare, holds the values in effect."""
    mechanism = _mechanism(chemistry, folder)
    own = solver_tolerance(mechanism)
    for n, name in enumerate(("rtol", "atol")):
        if chemistry[name] is None:
            chemistry[name] = own[n]
    if chemistry["aqueous_sulfate"] is None:
        chemistry["aqueous_sulfate"] = mechanism is not None and mechanism.aqueous_sulfate


def _check_output_variables(data: dict, folder: Path, where: str) -> None:
    """output.variables names transported species (the scenario's, the mechanism's, the boundary tracers); the
    species' names must not take the name of another output variable (a file cannot hold two of one name)."""
    for name in data["species"]:
        if name in RESERVED_NAMES:
            raise InputError(f"{where}: species.{name}: {name!r} is the name of another output variable; reserved: "
                             f"{', '.join(sorted(RESERVED_NAMES))}")
    chosen = data["output"]["variables"]
    if chosen is None:
        return
    if not all(isinstance(v, str) for v in chosen):
        raise InputError(f"{where}: output.variables: expected a list of species names, got {chosen!r}")
    names = list(data["species"])
    names += [n for n in _mechanism_species(data["chemistry"], folder) if n not in names]
    if data["boundary"]["tracers"]:
        names += ["BND_O3"] * ("O3" in names) + ["BND_PM25"] * any(p in names for p in PM25_COMPONENTS)
    for n, v in enumerate(chosen):
        if v not in names:
            raise InputError(f"{where}: output.variables[{n}]: unknown species {v!r}; valid: {', '.join(names)}")


def domain_interfaces(d: dict) -> list[float]:
    """The layer interface heights (m) of a validated ``[domain]`` table, as a list of floats."""
    if d["layer_interfaces"] is not None:
        return [float(z) for z in d["layer_interfaces"]]
    return [float(d["layer_thickness"]) * k for k in range(int(d["layers"]) + 1)]


def parent_domain(scenario_data: dict) -> dict:
    """The ``[domain]``-like table of a scenario's ``[parent]`` (its grid, with ``[domain]``'s layers), ready for
    airmodel.grid.build_grid."""
    p, d = scenario_data["parent"], scenario_data["domain"]
    table = {k: p[k] for k in ("grid", "lon_min", "lon_max", "lat_min", "lat_max", "resolution", "nx", "ny", "dx",
                               "dy", "x0", "y0")}
    table.update(layer_interfaces=domain_interfaces(d), layer_thickness=None, layers=None)
    return table


def _check_parent(p: dict, data: dict, n_steps: int, dt: float, where: str) -> dict:
    """A ``[parent]`` table: a grid of [domain]'s kind, no finer, holding [domain] with a margin of at least one
    parent cell on every side; the same layers; a time step ratio that divides the run, the hour (for hourly means),
    the checkpoint interval and every snapshot."""
    d = data["domain"]
    here = f"{where}: parent"
    if not p["name"] or not all(c.isalnum() or c in "_-" for c in p["name"]):
        raise InputError(f"{here}.name: {p['name']!r}; use letters, digits, '_' and '-' (it names the output "
                         "file OUT.NAME.nc)")
    if p["grid"] != d["grid"]:
        raise InputError(f"{here}.grid: {p['grid']!r} differs from domain.grid {d['grid']!r}; a parent is a grid "
                         "of the same kind")
    if p["grid"] == "lonlat":
        names = ("lon_min", "lon_max", "lat_min", "lat_max", "resolution")
        low, high, sizes = ("lon_min", "lat_min"), ("lon_max", "lat_max"), ("resolution", "resolution")
        child = {"lon_min": d["lon_min"], "lon_max": d["lon_max"], "lat_min": d["lat_min"],
                 "lat_max": d["lat_max"], "resolution": d["resolution"]}
    else:
        names = ("nx", "ny", "dx", "dy")
        low, high, sizes = ("x0", "y0"), ("x1", "y1"), ("dx", "dy")
        child = {"x0": d["x0"], "y0": d["y0"], "x1": d["x0"] + d["nx"] * d["dx"], "y1": d["y0"] + d["ny"] * d["dy"],
                 "dx": d["dx"], "dy": d["dy"]}
    missing = [k for k in names if p[k] is None]
    if missing:
        raise InputError(f"{here}: a {p['grid']} parent needs {', '.join(missing)}")
    outer = dict(p)
    if p["grid"] == "lonlat":
        for a, b in (("lon_min", "lon_max"), ("lat_min", "lat_max")):
            if not p[a] < p[b]:
                raise InputError(f"{here}: need {a} < {b}; got {a} = {p[a]!r}, {b} = {p[b]!r}")
        for name in ("lat_min", "lat_max"):
            if not -90 <= p[name] <= 90:
                raise InputError(f"{here}.{name}: {p[name]!r} is not a latitude; give -90..90 degrees N")
        res = float(p["resolution"])
        for a, b in (("lon_min", "lon_max"), ("lat_min", "lat_max")):
            n = (p[b] - p[a]) / res
            if abs(n - round(n)) > 1e-6:
                raise InputError(f"{here}: the box {p[a]}..{p[b]} is not a whole number of {res} degree cells "
                                 f"(parent.resolution)")
    else:
        outer["x1"] = p["x0"] + p["nx"] * p["dx"]
        outer["y1"] = p["y0"] + p["ny"] * p["dy"]
    for size in sizes:
        if float(outer[size]) < float(child[size]) * (1 - 1e-9):
            raise InputError(f"{here}.{size}: {outer[size]!r} is finer than domain.{size} {child[size]!r}; the "
                             f"parent's cells must be at least as large as [domain]'s")
    for lo, hi, size in zip(low, high, sizes):
        margin = float(outer[size])
        tol = 1e-9 * margin
        for side, bad in ((lo, child[lo] < outer[lo] + margin - tol), (hi, child[hi] > outer[hi] - margin + tol)):
            if bad:
                name = {"x1": "x0, nx, dx", "y1": "y0, ny, dy"}.get(side, side)
                raise InputError(f"{here}.{name}: the parent's {side} {outer[side]!r} leaves no margin of one parent "
                                 f"cell ({margin!r}) beyond [domain]'s {side} {child[side]!r}; [domain] must lie "
                                 f"inside the parent with a margin of at least one parent cell: widen the parent")
    layers = domain_interfaces(d)
    if p["layer_interfaces"] is not None and [float(z) for z in p["layer_interfaces"]
                                              if isinstance(z, NUMBER)] != layers:
        raise InputError(f"{here}.layer_interfaces: {p['layer_interfaces']!r} differs from [domain]'s layer "
                         f"interfaces {layers!r}; a parent takes the same layers (leave the key out)")
    ratio = int(p["time_step_ratio"])
    step = dt * ratio
    if n_steps % ratio:
        raise InputError(f"{here}.time_step_ratio: {ratio} does not divide the run's {n_steps} time steps")
    out = data["output"]
    if out["hourly_means"] and 3600.0 / step != round(3600.0 / step):
        raise InputError(f"{here}.time_step_ratio: {ratio} makes the parent's step {step:g} s, which does not "
                         "divide one hour (needed for hourly means)")
    interval = float(out["checkpoint_interval_hours"]) * 3600.0
    if interval and interval / step != round(interval / step):
        raise InputError(f"{where}: output.checkpoint_interval_hours: {out['checkpoint_interval_hours']!r} h is not "
                         f"a whole number of the parent's {step:g} s steps (parent.time_step_ratio = {ratio})")
    for n, item in enumerate(out["snapshots"]):
        if isinstance(item, NUMBER) and not isinstance(item, bool):
            steps = float(item) * 3600.0 / step
            if abs(steps - round(steps)) > 1e-6:
                raise InputError(f"{where}: output.snapshots[{n}]: {item!r} h is not a whole number of the "
                                 f"parent's {step:g} s steps (parent.time_step_ratio = {ratio})")
    return p


def _check_domain(d: dict, where: str):
    if d["grid"] == "projected":
        missing = [k for k in ("nx", "ny", "dx", "dy") if d[k] is None]
        if missing:
            raise InputError(f"{where}: domain: a projected grid needs {', '.join(missing)}")
    else:
        if not d["lon_min"] < d["lon_max"]:
            raise InputError(f"{where}: domain: need lon_min < lon_max; got lon_min = {d['lon_min']!r}, "
                             f"lon_max = {d['lon_max']!r}")
        if not d["lat_min"] < d["lat_max"]:
            raise InputError(f"{where}: domain: need lat_min < lat_max; got lat_min = {d['lat_min']!r}, "
                             f"lat_max = {d['lat_max']!r}")
        for name in ("lat_min", "lat_max"):
            if not -90 <= d[name] <= 90:
                raise InputError(f"{where}: domain.{name}: {d[name]!r} is not a latitude; give -90..90 degrees N")
        for name in ("lon_min", "lon_max"):
            if not -360 <= d[name] <= 360:
                raise InputError(f"{where}: domain.{name}: {d[name]!r} is not a longitude; give -360..360 "
                                 "degrees E")
    has_list = d["layer_interfaces"] is not None
    if has_list and not all(isinstance(z, NUMBER) and not isinstance(z, bool) for z in d["layer_interfaces"]):
        raise InputError(f"{where}: domain.layer_interfaces: expected a list of heights above ground (m), "
                         f"got {d['layer_interfaces']!r}")
    has_uniform = d["layer_thickness"] is not None or d["layers"] is not None
    if has_list == has_uniform:
        raise InputError(f"{where}: domain: give either layer_interfaces or layer_thickness with layers")
    if has_uniform and (d["layer_thickness"] is None or d["layers"] is None):
        raise InputError(f"{where}: domain: layer_thickness and layers go together")
    if has_list:
        for n, z in enumerate(d["layer_interfaces"]):
            if not 0.0 <= z <= MODEL_TOP_MAX:
                raise InputError(f"{where}: domain.layer_interfaces[{n}]: {z!r} m is outside the physical range "
                                 f"0..{MODEL_TOP_MAX:g} m above ground")
    else:
        top = float(d["layer_thickness"]) * d["layers"]
        if top > MODEL_TOP_MAX:
            raise InputError(f"{where}: domain: layer_thickness {d['layer_thickness']!r} m times layers "
                             f"{d['layers']!r} puts the model top at {top:g} m, above the physical range "
                             f"0..{MODEL_TOP_MAX:g} m")


#: What a run holds per grid cell, in 8-byte numbers, measured with the peak resident memory of one-step runs of
#: 3.3 million cells (a 0.01-degree lon-lat grid of 600 x 550 x 10): 3.10 GB with one species, 3.63 GB with ten:
#: about 108 numbers a cell for the meteorology, geometry and transport work arrays, and 2.2 more per species
#: (the concentrations, their hourly means and the budget's work arrays), rounded up to 110 and 3.
BYTES_PER_CELL = 8 * 110
BYTES_PER_CELL_AND_SPECIES = 8 * 3
#: Memory of the interpreter and its libraries before the model allocates anything (about 0.3 GB measured).
BASE_BYTES = 300 * 2**20
#: Rough seconds of one time step per cell (meteorology and geometry) and per cell and species (transport; with
#: chemistry, whose solver dominates, about six times more), from the same runs (2.8 s and 7.6 s a step) and the
#: August 2008 month runs (about 0.5 h) on one core: a guide to the order of magnitude, not a promise.
SECONDS_PER_CELL_STEP = 7e-7
SECONDS_PER_CELL_SPECIES_STEP = 1.6e-7
SECONDS_PER_CELL_SPECIES_STEP_CHEMISTRY = 1e-6
#: The largest estimated memory a run may need without ``--allow-large``.
MEMORY_LIMIT_BYTES = 16 * 2**30


@dataclass(frozen=True)
class ResourceEstimate:
    """What a run will roughly need: its grid, species, steps, memory (bytes) and single-core time (s); with a
    parent domain, ``parent`` holds the parent's (nz, ny, nx) and steps, counted in ``memory`` and ``seconds``."""

    shape: tuple[int, int, int]
    species: int
    steps: int
    memory: float
    seconds: float
    parent: tuple | None = None

    @property
    def cells(self) -> int:
        nz, ny, nx = self.shape
        return nz * ny * nx

    def text(self) -> str:
        nz, ny, nx = self.shape
        hours = self.seconds / 3600.0
        grid = f"{nx} x {ny} x {nz} cells ({self.cells:.3g})"
        if self.parent is not None:
            (pz, py, px), steps = self.parent
            grid += f" with a parent of {px} x {py} x {pz} cells ({pz * py * px:.3g}, {steps} steps)"
        return (f"{grid} and {self.species} species need about "
                f"{self.memory / 2**30:.3g} GiB of memory and roughly {hours:.3g} h on one core for "
                f"{self.steps} time steps")


def estimate_resources(scenario: Scenario) -> ResourceEstimate:
    """A rough estimate of a run's memory and time, from the grid's size (computed, nothing allocated), the number
    of species and steps (the coefficients above); every domain of a nested run counted."""
    shape = grid_shape(scenario["domain"])
    names = list(scenario["species"])
    mechanism = _mechanism_species(scenario["chemistry"], scenario.folder)
    species = len(names) + len([n for n in mechanism if n not in names]) + 2 * bool(scenario["boundary"]["tracers"])
    per_species = SECONDS_PER_CELL_SPECIES_STEP_CHEMISTRY if mechanism else SECONDS_PER_CELL_SPECIES_STEP
    domains = [(shape, scenario.n_steps)]
    parent = None
    if "parent" in scenario.data:
        parent = (grid_shape(parent_domain(scenario.data)),
                  scenario.n_steps // int(scenario["parent"]["time_step_ratio"]))
        domains.append(parent)
    memory, seconds = BASE_BYTES, 0.0
    for (nz, ny, nx), steps in domains:
        cells = float(nz) * ny * nx
        memory += cells * (BYTES_PER_CELL + BYTES_PER_CELL_AND_SPECIES * species)
        seconds += steps * cells * (SECONDS_PER_CELL_STEP + per_species * species)
    return ResourceEstimate(shape, species, scenario.n_steps, memory, seconds, parent)


def check_resources(scenario: Scenario, allow_large: bool = False, limit: float | None = None) -> ResourceEstimate:
    """Refuse, before anything is allocated, a run whose estimated memory exceeds ``limit`` (default
    MEMORY_LIMIT_BYTES, 16 GiB), unless ``allow_large`` (``--allow-large``); returns the estimate."""
    limit = MEMORY_LIMIT_BYTES if limit is None else limit
    estimate = estimate_resources(scenario)
    if estimate.memory > limit and not allow_large:
        d = scenario["domain"]
        size = (f"domain.resolution = {d['resolution']!r}" if d["grid"] == "lonlat"
                else f"domain.nx = {d['nx']!r}, domain.ny = {d['ny']!r}")
        raise InputError(f"{scenario.source}: {size}: {estimate.text()}, more than the limit of "
                         f"{limit / 2**30:g} GiB; coarsen the grid or shrink the domain, or give --allow-large to "
                         "run it anyway")
    return estimate


def load(source, overrides: list[str] | None = None) -> Scenario:
    """Load a scenario from a TOML path or a dictionary, apply ``--set`` overrides and validate it.

    Relative input paths are read from the file's folder (a dictionary's: the current folder). A Scenario already
    validated (e.g. an ensemble member with its base scenario's folder) is taken as it is, or with the overrides
    applied to it and validated again."""
    if isinstance(source, Scenario):
        if not overrides:
            return source
        return validate(apply_overrides(source.data, overrides), source.source, source.folder)
    if isinstance(source, dict):
        raw, name, folder = copy.deepcopy(source), "<dict>", Path.cwd()
    else:
        source = resolve_scenario(source)  # a file, or a ready scenario's name
        raw, name, folder = read_toml(Path(source)), str(source), Path(source).resolve().parent
    return validate(apply_overrides(raw, overrides or []), name, folder)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items() if x is not None) + " }"
    if v is None:
        raise TypeError
    return _toml_value(str(v))


def dump_toml(data: dict) -> str:
    """Write the resolved scenario as TOML (keys whose value is unset are left out)."""
    lines = []
    for k, v in data.items():
        if not isinstance(v, dict) and v is not None:
            lines.append(f"{k} = {_toml_value(v)}")
    for section, table in data.items():
        if not isinstance(table, dict):
            continue
        if section == "species":
            for name, sp in table.items():
                lines.append(f"\n[species.{name}]")
                lines += [f"{k} = {_toml_value(x)}" for k, x in sp.items() if x is not None]
        elif section == "emissions":
            lines.append("\n[emissions]")
            lines += [f"{k} = {_toml_value(x)}" for k, x in table.items() if k != "point" and x is not None]
            for p in table.get("point", []):
                lines.append("\n[[emissions.point]]")
                lines += [f"{k} = {_toml_value(x)}" for k, x in p.items() if x is not None]
        else:
            lines.append(f"\n[{section}]")
            lines += [f"{k} = {_toml_value(x)}" for k, x in table.items() if x is not None]
    return "\n".join(lines) + "\n"

