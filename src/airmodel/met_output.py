"""``airmodel met``: write the meteorology a scenario's model will see, hourly, as one CF-1.8 NetCDF file.

``write_met(scenario, output)`` builds the scenario's grid and meteorology exactly as a run does and writes every
hour from the start to the end: the surface fields, the layer fields (winds interpolated from the faces to the
cell centres), Kz on the layer interfaces, and the static terrain, land fraction, land use and roughness. Time is
float64 "hours since" the start in UTC, coordinates carry no _FillValue, so that compliance-checker passes it.
The file is written to ``OUT.part`` and renamed when complete; an existing file is kept unless ``force``.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import netCDF4
import numpy as np

from .errors import InputError
from .grid import build_grid
from .met.base import MetSnapshot, build_meteorology
from .met.variables import VARIABLES
from .scenario import load
from .version import __version__


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
              variables=None) -> Path:
    """Write the scenario's meteorology to ``output`` (NetCDF); returns the path."""
    output = Path(output)
    if output.exists() and not force:
        raise InputError(f"{output}: exists; use --force to overwrite it")
    scenario = load(scenario_source, overrides)
    grid = build_grid(scenario["domain"])
    met = build_meteorology(scenario["meteorology"], grid, start=scenario.start, end=scenario.end)
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
    part = output.with_name(output.name + ".part")
    lonlat = grid.kind == "lonlat"
    xname, yname = ("lon", "lat") if lonlat else ("x", "y")
    with netCDF4.Dataset(part, "w", format="NETCDF4") as ds:
        ds.Conventions = "CF-1.8"
        ds.title = f"airmodel meteorology: {scenario['meteorology']['source']}"
        ds.source = f"airmodel {__version__}"
        ds.history = f"written by airmodel {__version__} (airmodel met)"
        ds.scenario = scenario.to_toml()
        ds.createDimension("time", None)
        ds.createDimension("z", grid.nz)
        ds.createDimension("z_interface", grid.nz + 1)
        ds.createDimension(yname, grid.ny)
        ds.createDimension(xname, grid.nx)
        ds.createDimension("nv", 2)
        t = ds.createVariable("time", "f8", ("time",))
        t.units = f"hours since {scenario.start:%Y-%m-%d %H:%M:%S}"
        t.calendar = "standard"
        t.standard_name = "time"
        t.axis = "T"
        x = ds.createVariable(xname, "f8", (xname,))
        y = ds.createVariable(yname, "f8", (yname,))
        if lonlat:
            x.units, x.standard_name, x.axis = "degrees_east", "longitude", "X"
            y.units, y.standard_name, y.axis = "degrees_north", "latitude", "Y"
        else:
            x.units, x.standard_name, x.axis = "m", "projection_x_coordinate", "X"
            y.units, y.standard_name, y.axis = "m", "projection_y_coordinate", "Y"
        x[:], y[:] = grid.x, grid.y
        z = ds.createVariable("z", "f8", ("z",))
        z.units, z.positive, z.axis, z.long_name = "m", "up", "Z", "height of the layer midpoint above ground"
        z.standard_name = "height"
        z[:] = grid.layers.midpoints
        zi = ds.createVariable("z_interface", "f8", ("z_interface",))
        zi.units, zi.positive, zi.long_name = "m", "up", "height of the layer interface above ground"
        zi.standard_name = "height"
        zi[:] = grid.layers.interfaces
        heights = {}
        for h in sorted({v.height for v in chosen if v.height is not None}):
            name = f"height_{int(h)}m"
            hv = ds.createVariable(name, "f8", ())
            hv.units, hv.positive, hv.standard_name = "m", "up", "height"
            hv.assignValue(h)
            heights[h] = name
        static = ds.createVariable("surface_altitude", "f4", (yname, xname), zlib=True)
        static.units, static.standard_name, static.long_name = "m", "surface_altitude", "terrain height"
        static[:] = grid.terrain
        if hasattr(met, "land_fraction"):
            lf = ds.createVariable("land_fraction", "f4", (yname, xname), zlib=True)
            lf.units, lf.standard_name, lf.long_name = "1", "land_area_fraction", "land fraction"
            lf[:] = met.land_fraction
        if first.land_use is not None:
            lu = ds.createVariable("land_use", "i2", (yname, xname), zlib=True)
            lu.long_name = "USGS 24-category land use (as WRF LU_INDEX)"
            lu.flag_values = np.arange(1, 25, dtype=np.int16)
            lu.flag_meanings = ("urban dryland_cropland irrigated_cropland mixed_cropland cropland_grassland "
                                "cropland_woodland grassland shrubland shrubland_grassland savanna "
                                "deciduous_broadleaf deciduous_needleleaf evergreen_broadleaf evergreen_needleleaf "
                                "mixed_forest water herbaceous_wetland wooded_wetland barren herbaceous_tundra "
                                "wooded_tundra mixed_tundra bare_tundra snow_ice")
            lu[:] = first.land_use
        if first.roughness_length is not None:
            z0 = ds.createVariable("roughness_length", "f4", (yname, xname), zlib=True)
            z0.units, z0.standard_name, z0.long_name = "m", "surface_roughness_length", "roughness length"
            z0[:] = first.roughness_length
        out = {}
        for v in chosen:
            dims = {"surface": ("time", yname, xname), "layer": ("time", "z", yname, xname),
                    "interface": ("time", "z_interface", yname, xname)}[v.kind]
            var = ds.createVariable(v.name, "f4", dims, zlib=True, complevel=4)
            var.units = v.units
            var.long_name = v.long_name
            if v.standard_name:
                var.standard_name = v.standard_name
            if v.height is not None:
                var.coordinates = heights[v.height]
            out[v.name] = (v, var)
        for n, seconds in enumerate(times):
            snap = met.at(float(seconds))
            t[n] = seconds / 3600.0
            for v, var in out.values():
                var[n] = snapshot_value(snap, v)
    os.replace(part, output)
    return output


COMMAND = "met"


def add_parser(subparsers):
    m = subparsers.add_parser(COMMAND, help="write the meteorology a scenario will see, as CF NetCDF")
    m.add_argument("scenario", help="scenario TOML file")
    m.add_argument("-o", "--output", required=True, help="output NetCDF file")
    m.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE")
    m.add_argument("--force", action="store_true", help="overwrite an existing output")
    m.add_argument("--every", type=float, default=1.0, metavar="HOURS", help="interval between records (h)")
    return m


def command(args) -> int:
    path = write_met(args.scenario, args.output, overrides=args.overrides, force=args.force,
                     every_hours=args.every)
    logging.getLogger("airmodel").info("wrote %s", path)
    return 0
