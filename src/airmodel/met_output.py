"""``airmodel met``: write the meteorology a scenario's model will see, hourly, as one CF-1.8 NetCDF file.

``write_met(scenario, output)`` builds the scenario's grid and meteorology exactly as a run does and writes every
hour from the start to the end: the surface fields, the layer fields (winds interpolated from the faces to the
cell centres), Kz on the layer interfaces, and the static terrain, land fraction, land use and roughness. Time is
float64 "hours since" the start in UTC, coordinates carry no _FillValue, so that compliance-checker passes it.
The file is written under a temporary name and renamed when complete; an existing file is kept unless ``force``.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path

import netCDF4
import numpy as np

from .errors import InputError
from .files import atomic_file, check_new_output
from .grid import build_grid
from .met.base import MetSnapshot, build_meteorology
from .met.variables import VARIABLES
from .scenario import check_resources, load
from .variables import define_grid_coordinates, define_height, define_time, lookup
from .version import __version__

MET_FILE = "meteorology file"


def snapshot_value(snap: MetSnapshot, var) -> np.ndarray | None:
    value = getattr(snap, var.field)
    if value is None:
        return None
    if var.field == "u":
        value = 0.5 * (value[..., 1:] + value[..., :-1])
    elif var.field == "v":
        value = 0.5 * (value[..., 1:, :] + value[..., :-1, :])
    return value * var.scale if var.scale != 1.0 else value


def write_met(scenario_source, output, overrides=None, force: bool = False, every_hours: float = 1.0,
              variables=None, allow_large: bool = False) -> Path:
    """Write the scenario's meteorology to ``output`` (NetCDF); returns the path. ``every_hours``: the interval
    between records, more than 0 and at most the run's length; a grid whose estimated memory exceeds the limit is
    refused unless ``allow_large``."""
    output = Path(output)
    check_new_output(output, force)
    scenario = load(scenario_source, overrides)
    run_hours = scenario.n_steps * scenario.time_step / 3600.0
    if not (math.isfinite(every_hours) and 0.0 < every_hours <= run_hours):
        raise InputError(f"--every: {every_hours!r} h is not a valid interval between records; give a number of "
                         f"hours more than 0 and at most the run's length, {run_hours:g} h")
    check_resources(scenario, allow_large)
    grid = build_grid(scenario["domain"])
    met = build_meteorology(scenario["meteorology"], grid, start=scenario.start, end=scenario.end,
                            folder=scenario.folder)
    total = scenario.n_steps * scenario.time_step
    step = every_hours * 3600.0
    times = np.arange(0.0, total + 1e-6, step)
    chosen = [v for v in VARIABLES if variables is None or v.name in variables]
    if variables is not None:
        unknown = sorted(set(variables) - {v.name for v in VARIABLES})
        if unknown:
            raise InputError(f"met variables: unknown {unknown[0]!r}; choose from: "
                             f"{', '.join(v.name for v in VARIABLES)}")
    first = met.at(0.0)
    chosen = [v for v in chosen if getattr(first, v.field) is not None]
    with atomic_file(output, force) as part, netCDF4.Dataset(part, "w", format="NETCDF4") as ds:
        ds.Conventions = "CF-1.8"
        ds.title = f"airmodel meteorology: {scenario['meteorology']['source']}"
        ds.source = f"airmodel {__version__}"
        ds.history = f"written by airmodel {__version__} (airmodel met)"
        ds.scenario = scenario.to_toml()
        t = define_time(ds, "time", f"hours since {scenario.start:%Y-%m-%d %H:%M:%S}", bounds=False,
                        entry=lookup(MET_FILE, "time"))
        yname, xname = define_grid_coordinates(ds, grid, "all")[1:]
        ds.createDimension("z_interface", grid.nz + 1)
        zi = ds.createVariable("z_interface", "f8", ("z_interface",))
        zi.setncatts(lookup(MET_FILE, "z_interface").attributes())
        zi[:] = grid.layers.interfaces
        heights = {h: define_height(ds, h) for h in sorted({v.height for v in chosen if v.height is not None})}
        static = ds.createVariable("surface_altitude", "f4", (yname, xname), zlib=True)
        static.setncatts(lookup(MET_FILE, "surface_altitude").attributes())
        static[:] = grid.terrain
        if hasattr(met, "land_fraction"):
            lf = ds.createVariable("land_fraction", "f4", (yname, xname), zlib=True)
            lf.setncatts(lookup(MET_FILE, "land_fraction").attributes())
            lf[:] = met.land_fraction
        if first.land_use is not None:
            lu = ds.createVariable("land_use", "i2", (yname, xname), zlib=True)
            lu.setncatts(lookup(MET_FILE, "land_use").attributes())
            lu[:] = first.land_use
        if first.roughness_length is not None:
            z0 = ds.createVariable("roughness_length", "f4", (yname, xname), zlib=True)
            z0.setncatts(lookup(MET_FILE, "roughness_length").attributes())
            z0[:] = first.roughness_length
        out = {}
        for v in chosen:
            dims = {"surface": ("time", yname, xname), "layer": ("time", "z", yname, xname),
                    "interface": ("time", "z_interface", yname, xname)}[v.kind]
            var = ds.createVariable(v.name, "f4", dims, zlib=True, complevel=4)
            var.setncatts(lookup(MET_FILE, v.name).attributes(
                coordinates=heights[v.height] if v.height is not None else ""))
            out[v.name] = (v, var)
        for n, seconds in enumerate(times):
            snap = met.at(float(seconds))
            t[n] = seconds / 3600.0
            for v, var in out.values():
                var[n] = snapshot_value(snap, v)
    return output


COMMAND = "met"


def add_parser(subparsers):
    m = subparsers.add_parser(COMMAND, help="write the meteorology a scenario will see, as CF NetCDF")
    m.add_argument("scenario", help="scenario TOML file")
    m.add_argument("-o", "--output", required=True, help="output NetCDF file")
    m.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE")
    m.add_argument("--force", action="store_true", help="overwrite an existing output")
    m.add_argument("--every", type=float, default=1.0, metavar="HOURS", help="interval between records (h)")
    m.add_argument("--allow-large", action="store_true",
                   help="write it even when the estimated memory exceeds 16 GiB")
    return m


def command(args) -> int:
    path = write_met(args.scenario, args.output, overrides=args.overrides, force=args.force,
                     every_hours=args.every, allow_large=args.allow_large)
    logging.getLogger("airmodel").info("wrote %s", path)
    return 0
