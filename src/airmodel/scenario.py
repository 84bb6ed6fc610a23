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
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .boundary import SOURCES as BOUNDARY_SOURCES
from .chemistry.mechanism import available_mechanisms
from .chemistry.process import PHOTOLYSIS_MODES
from .config_files import apply_overrides, parse_time, read_toml
from .data import resolve_scenario
from .emissions.settings import POINT_SOURCE_SCHEMA, validate_controls, validate_emissions
from .errors import InputError
from .kernels.rosenbrock import METHODS
from .met.deposition import DEPOSITION_CLASSES
from .met.settings import METEOROLOGY_SCHEMA
from .schema import NUMBER, Key, fill_table, key
from .transport import ADVECTION_SCHEMES
from .units import CONCENTRATION_UNITS

SCHEMA: dict[str, dict[str, Key]] = {
    "run": {
        "name": key(str, "airmodel run", doc="a short title for the run"),
        "start": key(str, doc="start time, ISO 8601 in UTC, e.g. 2008-08-01T00:00:00Z"),
        "end": key(str, None, doc="end time (UTC); or give hours, or steps"),
        "hours": key(NUMBER, None, doc="run length in hours", minimum=0, exclusive_minimum=True),
        "steps": key(int, None, doc="run length in time steps", minimum=1),
        "time_step": key(NUMBER, doc="model time step (s); advection sub-steps adapt to the Courant number",
                         minimum=0, exclusive_minimum=True),
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
        "resolution": key(NUMBER, 0.1, doc="lonlat: cell size (degrees)", minimum=0, exclusive_minimum=True),
        "nx": key(int, None, doc="projected: number of cells along x", minimum=1),
        "ny": key(int, None, doc="projected: number of cells along y", minimum=1),
        "dx": key(NUMBER, None, doc="projected: cell size along x (m)", minimum=0, exclusive_minimum=True),
        "dy": key(NUMBER, None, doc="projected: cell size along y (m)", minimum=0, exclusive_minimum=True),
        "x0": key(NUMBER, 0.0, doc="projected: x of the south-west corner (m)"),
        "y0": key(NUMBER, 0.0, doc="projected: y of the south-west corner (m)"),
        "layer_interfaces": key(list, None, doc="layer interface heights above ground (m), from 0"),
        "layer_thickness": key(NUMBER, None, doc="uniform layer thickness (m), with layers",
                               minimum=0, exclusive_minimum=True),
        "layers": key(int, None, doc="number of layers of layer_thickness", minimum=1),
    },
    "meteorology": METEOROLOGY_SCHEMA,
    "transport": {
        "advection": key(str, "walcek", choices=ADVECTION_SCHEMES,
                         doc="horizontal and vertical advection scheme: Walcek (2000) monotone, PPM (Colella and "
                             "Woodward 1984), or PPM with the Colella and Sekora (2008) limiter"),
        "cfl_max": key(NUMBER, 0.9, doc="largest Courant number of an advection sub-step", minimum=0,
                       exclusive_minimum=True),
        "horizontal_advection": key(bool, True, doc="advection along x and y"),
        "vertical_advection": key(bool, True, doc="advection through the layer interfaces"),
        "horizontal_diffusion": key(bool, True, doc="horizontal eddy diffusion (the meteorology's kx, ky)"),
        "vertical_diffusion": key(bool, True, doc="vertical eddy diffusion (the meteorology's kz)"),
    },
    "chemistry": {
        "mechanism": key(str, "none", doc='"none" (transport only), a built-in mechanism ('
                                         + ", ".join(available_mechanisms()) + "), or the path of a .mech file"),
        "method": key(str, "rodas3", choices=tuple(METHODS), doc="Rosenbrock method"),
        "rtol": key(NUMBER, 1e-3, doc="relative tolerance of the chemistry solver", minimum=0,
                    exclusive_minimum=True),
        "atol": key(NUMBER, 1e-6, doc="absolute tolerance (ppb)", minimum=0, exclusive_minimum=True),
        "max_steps": key(int, 100000, doc="most solver steps a cell may take in one model step", minimum=1),
        "photolysis": key(str, "per_step", choices=PHOTOLYSIS_MODES,
                          doc="photolysis at the middle of each model step, held over it (CMAQ, CAMx practice; "
                             "half the solver cost), or following the sun within the step"),
        "temperature": key(NUMBER, 298.15, doc="K, where the meteorology gives none", minimum=0,
                           exclusive_minimum=True),
        "relative_humidity": key(NUMBER, 0.6, doc="fraction, where the meteorology gives none", minimum=0),
        "cloud_fraction": key(NUMBER, 0.0, doc="where the meteorology gives none", minimum=0),
        "wet_deposition": key(bool, False, doc="scavenging by rain in and below clouds with the mechanism's "
                                               "coefficients (airmodel/wet_deposition.py), where the meteorology "
                                               "gives precipitation"),
        "longitude": key(NUMBER, 116.4, doc="deg E of a projected (idealized) grid, for the sun"),
        "latitude": key(NUMBER, 39.9, doc="deg N of a projected (idealized) grid, for the sun"),
    },
    "boundary": {
        "source": key(str, "species", choices=BOUNDARY_SOURCES,
                      doc="lateral and top boundary values: each species' inflow value, the profile table, or a CF "
                         "NetCDF file of a larger model (airmodel/boundary.py)"),
        "file": key(str, "", doc="profile table (climatology; default: the embedded summer North China profiles) "
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

SPECIES_SCHEMA: dict[str, Key] = {
    "units": key(str, "", doc="output units: " + ", ".join(CONCENTRATION_UNITS)
                              + "; default: the mechanism's, or ug m-3"),
    "molar_mass": key(NUMBER, None, doc="g/mol; needed for ppb or ppm of a species the mechanism does not define",
                      minimum=0, exclusive_minimum=True),
    "long_name": key(str, "", doc="long_name of the output variable (default: the mechanism's, else the species "
                                  "name)"),
    "standard_name": key(str, "", doc="CF standard_name of the output variable (default: the mechanism's, else "
                                      "none)"),
    "initial": key((int, float, dict), 0.0, doc="initial value (output units), or a shape table"),
    "inflow": key(NUMBER, 0.0, doc="lateral inflow value (output units)", minimum=0),
    "dry_deposition_velocity": key(NUMBER, 0.0, doc="constant dry-deposition velocity (m/s), used when no "
                                                   "deposition_class is given", minimum=0),
    "deposition_class": key(str, "", doc="dry-deposition class for the resistance model (airmodel/met/"
                                        "deposition.py): " + ", ".join(DEPOSITION_CLASSES)
                                        + "; empty: the constant velocity"),
}

INITIAL_SHAPES = {
    "cone": ("centre", "radius", "height", "background"),
}

TOP_LEVEL = {"extends", "description", "species", "emissions", "controls"} | set(SCHEMA)

__all__ = ["SCHEMA", "SPECIES_SCHEMA", "Scenario", "apply_overrides", "dump_toml", "load", "parse_time", "read_toml",
           "state_identity", "validate"]

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
    if data["output"]["hourly_means"] and (3600.0 / dt) != round(3600.0 / dt):
        raise InputError(f"{where}: run.time_step {dt} s must divide one hour (3600 s) for hourly means; "
                         f"e.g. 60, 90, 100, 120, 180, 300")
    _check_domain(data["domain"], where)
    folder = Path.cwd() if folder is None else Path(folder)
    return Scenario(data=data, source=source, start=start, n_steps=n_steps, time_step=dt, folder=folder)


def _check_domain(d: dict, where: str):
    if d["grid"] == "projected":
        missing = [k for k in ("nx", "ny", "dx", "dy") if d[k] is None]
        if missing:
            raise InputError(f"{where}: domain: a projected grid needs {', '.join(missing)}")
    else:
        if not (d["lon_min"] < d["lon_max"] and d["lat_min"] < d["lat_max"]):
            raise InputError(f"{where}: domain: need lon_min < lon_max and lat_min < lat_max")
        if not (-90 <= d["lat_min"] and d["lat_max"] <= 90):
            raise InputError(f"{where}: domain: latitudes must lie in -90..90")
    has_list = d["layer_interfaces"] is not None
    if has_list and not all(isinstance(z, NUMBER) and not isinstance(z, bool) for z in d["layer_interfaces"]):
        raise InputError(f"{where}: domain.layer_interfaces: expected a list of heights above ground (m), "
                         f"got {d['layer_interfaces']!r}")
    has_uniform = d["layer_thickness"] is not None or d["layers"] is not None
    if has_list == has_uniform:
        raise InputError(f"{where}: domain: give either layer_interfaces or layer_thickness with layers")
    if has_uniform and (d["layer_thickness"] is None or d["layers"] is None):
        raise InputError(f"{where}: domain: layer_thickness and layers go together")


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

