"""One registry of the variables airmodel writes: for each file kind (the run output, the meteorology file, the
comparison's fields, the checkpoint), every variable's name (or name pattern), dimensions, units, long_name, CF
standard_name, cell_methods and whether it is restart state. The writers take their attributes from here, and
``docs/variables.md`` is generated from it (``python tools/variables_docs.py``).

Where a variable's metadata comes from a table of its own (a species' units and names from the species table or
the chemistry mechanism), the entry holds templates: ``{units}``, ``{long_name}`` and ``{standard_name}`` are
filled from what the writer passes (``Variable.attributes(inherited)``).

Also here: the one writer of the grid and time coordinates (CF-1.8 sections 4 and 7.1: centres with bounds, a
scalar height coordinate for surface fields), used by the run output and by the meteorology file.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .grid import Grid
from .met.variables import VARIABLES as MET_VARIABLES

#: The kinds of file, in the order of the generated reference.
FILES = ("run output", "meteorology file", "comparison", "checkpoint")
DOCS = {
    "run output": "`airmodel run -o OUT.nc`: hourly means, snapshots, daily products and station series.",
    "meteorology file": "`airmodel met SCENARIO -o OUT.nc`: the meteorology a run sees, hour by hour.",
    "comparison": "`fields.nc` of `airmodel compare BASE CASE -o DIR`: case minus base.",
    "checkpoint": "`checkpoint_YYYYMMDDTHHMMSS.nc` of a run with `output.checkpoint_interval_hours`: all that "
                  "`--restart` needs to continue bit for bit. Dimensionless entries are global attributes.",
}
#: Dimension placeholders used in the registry: Y, X are (lat, lon) on a lon-lat grid and (y, x) on a metric
#: one; [z] is present only with output.levels = "all".
Y, X = "Y", "X"


@dataclass(frozen=True)
class Variable:
    name: str  # the name in the file, or a pattern (<species>, <V>)
    dims: tuple[str, ...]  # () for a scalar; in a checkpoint, () is a global attribute
    units: str = ""
    long_name: str = ""
    standard_name: str = ""
    cell_methods: str = ""
    restart: bool = False  # restart state: written to checkpoints, read back by --restart
    comment: str = ""  # a CF comment attribute
    note: str = ""  # for the reference page only
    extra: dict = field(default_factory=dict)  # further fixed attributes (axis, positive, calendar, bounds...)

    def attributes(self, inherited: dict | None = None, **more) -> dict:
        """The attributes to write, templates filled from ``inherited``; empty ones are left out. ``more`` adds or
        replaces attributes (the values only the writer knows: time units, coordinates)."""
        values = {k: v for k, v in (inherited or {}).items() if isinstance(v, str)}
        for key in ("units", "long_name", "standard_name"):
            values.setdefault(key, "")
        out = {}
        for key, value in (("units", self.units), ("long_name", self.long_name),
                           ("standard_name", self.standard_name), *self.extra.items(),
                           ("cell_methods", self.cell_methods), ("comment", self.comment), *more.items()):
            if isinstance(value, str) and "{" in value:
                value = value.format_map(values)
            if not (isinstance(value, str) and value == ""):
                out[key] = value
        return out


def _v(*args, **kwargs) -> Variable:
    return Variable(*args, **kwargs)


_T = dict(calendar="standard", axis="T")
_SPECIES = dict(units="{units}", long_name="{long_name}", standard_name="{standard_name}")
DAILY_NOTE = ("local (UTC+8) natural day; a 24-hour mean needs at least 20 hourly values, an 8-hour mean 6, and "
              "the daily maximum 8-hour mean 14 valid windows (GB 3095-2012 Table 4; HJ 663-2013)")
LAND_USE_MEANINGS = ("urban dryland_cropland irrigated_cropland mixed_cropland cropland_grassland cropland_woodland "
                     "grassland shrubland shrubland_grassland savanna deciduous_broadleaf deciduous_needleleaf "
                     "evergreen_broadleaf evergreen_needleleaf mixed_forest water herbaceous_wetland wooded_wetland "
                     "barren herbaceous_tundra wooded_tundra mixed_tundra bare_tundra snow_ice")
_MET_DIMS = {"surface": (Y, X), "layer": ("z", Y, X), "interface": ("z_interface", Y, X)}

COORDINATES = (
    _v("lon", ("lon",), "degrees_east", "longitude of cell centre", "longitude", extra=dict(axis="X",
                                                                                           bounds="lon_bnds")),
    _v("lat", ("lat",), "degrees_north", "latitude of cell centre", "latitude", extra=dict(axis="Y",
                                                                                          bounds="lat_bnds")),
    _v("x", ("x",), "m", "x of cell centre from the domain's south-west corner", "projection_x_coordinate",
       extra=dict(axis="X", bounds="x_bnds")),
    _v("y", ("y",), "m", "y of cell centre from the domain's south-west corner", "projection_y_coordinate",
       extra=dict(axis="Y", bounds="y_bnds")),
    _v("<X>_bnds", (X, "nv"), note="cell edges of lon, lat, x or y (west/south, east/north)"),
    _v("z", ("z",), "m", "height of layer midpoint above ground", "height",
       extra=dict(positive="up", axis="Z", bounds="z_bnds")),
    _v("z_bnds", ("z", "nv"), note="layer interfaces below and above each midpoint"),
    _v("height", (), "m", "height of the lowest layer's midpoint above ground", "height",
       extra=dict(positive="up", axis="Z"), note="surface output: the scalar vertical coordinate of the fields"),
    _v("height_<h>m", (), "m", "height above ground of {h} m quantities", "height",
       extra=dict(positive="up", axis="Z"), note="scalar coordinate of the 2-m and 10-m fields"),
    _v("time", ("time",), "hours since START", "time (UTC)", "time", extra=_T,
       note="hourly means: the end of each hour, with bounds time_bnds"),
    _v("time_bnds", ("time", "nv"), note="start and end of each averaging hour"),
)
_BY_COORDINATE = {v.name: v for v in COORDINATES}

_OUTPUT = COORDINATES + (
    _v("time_instant", ("time_instant",), "hours since START", "time (UTC)", "time", extra=_T,
       note="snapshot instants, beside hourly means"),
    _v("<species>", ("time", "[z]", Y, X), cell_methods="time: mean", **_SPECIES,
       note="each transported species in its output units (the species table or the mechanism); snapshots "
               "alone use cell_methods \"time: point\""),
    _v("<species>_instant", ("time_instant", "[z]", Y, X), cell_methods="time_instant: point", **_SPECIES,
       note="snapshots beside hourly means"),
    _v("PM25, PM10", ("time", "[z]", Y, X), cell_methods="time: mean", **_SPECIES,
       note="sums of the mechanism's aerosol components (its diagnostics)"),
    _v("BND_O3, BND_PM25", ("time", "[z]", Y, X), cell_methods="time: mean", **_SPECIES,
       note="inert boundary tracers (boundary.tracers = true): O3 and PM2.5 that entered through the "
               "boundaries"),
) + tuple(_v(m.name, ("time", Y, X), m.units, m.long_name, m.standard_name, "time: mean",
             note="hourly-mean surface meteorology, where the meteorology provides it")
          for m in MET_VARIABLES if m.name in ("u10", "v10", "t2", "mixing_height", "precipitation")) + (
    _v("dry_deposition_<E>", ("time", Y, X), "kg m-2 s-1", "dry deposition flux of {element} (as {element}: "
       "{group})", cell_methods="time: mean",
       comment="downward, positive; the negative of CF's tendency_of_atmosphere_mass_content_of_noy_expressed_as_"
               "nitrogen_due_to_dry_deposition plus the same of nhx (nitrogen), of sulfur_dioxide and of sulfate "
               "as sulfur (sulfur)",
       note="E = N or S: the element carried by the mechanism's species, by the vertical mixing's lower boundary"),
    _v("wet_deposition_<E>", ("time", Y, X), "kg m-2 s-1", "wet deposition flux of {element} (as {element}: "
       "{group})", cell_methods="time: mean",
       comment="downward, positive; the negative of CF's tendency_of_atmosphere_mass_content_of_..._due_to_wet_"
               "deposition summed over the species",
       note="E = N or S; scavenging by rain (chemistry.wet_deposition; zero where it is off)"),
    _v("dry_deposition_<E>_total, wet_deposition_<E>_total", (Y, X), "kg ha-1",
       "{element} deposited over the run (as {element}: {group})",
       comment="the sum over the run of the hourly fluxes times 3600 s, per hectare",
       note="the sum of the hourly fluxes over the run, for maps"),
    _v("day", ("day",), "hours since START", "start of the local (UTC+8) day", "time", extra=dict(
        calendar="standard", bounds="day_bnds")),
    _v("day_bnds", ("day", "nv")),
    _v("<V>_24h", ("day", Y, X), "{units}", "24-hour mean {long_name}", "{standard_name}", "day: mean",
       comment=DAILY_NOTE),
    _v("O3_max1h", ("day", Y, X), "{units}", "daily maximum 1-hour mean ozone", "{standard_name}", "day: maximum",
       comment=DAILY_NOTE),
    _v("O3_mda8", ("day", Y, X), "{units}", "daily maximum 8-hour mean ozone (MDA8)", "{standard_name}",
       "day: maximum", comment=DAILY_NOTE),
    _v("AQI", ("day", Y, X), "1", "daily air quality index (HJ 633-2012)",
       comment="from the daily {used}; gases at the {reference_state}"),
    _v("AQI_primary_pollutant", ("day", Y, X), long_name="primary pollutant of the daily AQI (HJ 633-2012; none "
       "where AQI <= 50)", note="flag_values and flag_meanings name the pollutant"),
    _v("station_code", ("station",), long_name="station code (CNEMC)", extra=dict(cf_role="timeseries_id")),
    _v("station_name", ("station",), long_name="station name"),
    _v("station_lat", ("station",), "degrees_north", "station latitude", "latitude"),
    _v("station_lon", ("station",), "degrees_east", "station longitude", "longitude"),
    _v("station_<V>", ("station", "time"), "{units}", "{long_name} in the surface cell holding the station",
       "{standard_name}", "{cell_methods}", note="hourly series of every hourly surface field V (CF 9, "
       "orthogonal time series)"),
    _v("station_<D>", ("station", "day"), "{units}", "{long_name} in the surface cell holding the station",
       "{standard_name}", "{cell_methods}", note="the daily products D computed from the station series"),
)

_MET_FILE = (
    tuple(v for v in COORDINATES if v.name not in ("height", "time", "time_bnds"))
    + (
        _v("time", ("time",), "hours since START", "time (UTC)", "time", extra=_T,
           note="instants, every hour from the start (airmodel met --every)"),
        _v("z_interface", ("z_interface",), "m", "height of the layer interface above ground", "height",
           extra=dict(positive="up")),
        _v("surface_altitude", (Y, X), "m", "terrain height", "surface_altitude"),
        _v("land_fraction", (Y, X), "1", "land fraction", "land_area_fraction"),
        _v("land_use", (Y, X), long_name="USGS 24-category land use (as WRF LU_INDEX)",
           extra=dict(flag_values=np.arange(1, 25, dtype=np.int16), flag_meanings=LAND_USE_MEANINGS)),
        _v("roughness_length", (Y, X), "m", "roughness length", "surface_roughness_length"),
    )
    + tuple(_v(m.name, ("time",) + _MET_DIMS[m.kind], m.units, m.long_name, m.standard_name)
            for m in MET_VARIABLES)
)

_COMPARISON = (
    _v("time", ("time",), "hours since START", "end of the compared period (UTC)", "time",
       extra=dict(axis="T", calendar="standard", bounds="time_bnds"), note="one record: the compared period"),
    _v("time_bnds", ("time", "nv"), note="the compared period"),
    _v("lon, lat, lon_bnds, lat_bnds", (X,), note="as in the base run"),
    _v("<field>_base, <field>_case", ("time", Y, X), "{units}", "{long_name}: {run} run, period mean",
       "{standard_name}", "time: mean"),
    _v("<field>_diff", ("time", Y, X), "{units}", "{long_name}: case - base, period mean", cell_methods="time: mean"),
    _v("<field>_pct", ("time", Y, X), "percent", "{long_name}: percent change (case - base) / base",
       cell_methods="time: mean"),
    _v("exceedance_days_<field>_base, _case", ("time", Y, X), "day", "days above the GB 3095-2012 Grade II limit of "
       "{pollutant} {averaging} ({limit}), {run} run", cell_methods="time: sum"),
)

#: The restart state. Each stateful component gives and takes these names (``restart_state``/``restore_state``).
_CHECKPOINT = (
    _v("concentration", ("species", "z", "y", "x"), "kg m-3", "mass concentration of every transported species",
       restart=True, note="model state"),
    _v("step_index", (), "1", "steps done since the start", restart=True, note="model state"),
    _v("time", (), long_name="the model time (ISO 8601, UTC)", note="model; for people (step_index rules)"),
    _v("species", (), long_name="the species, comma separated", note="model; checked by --restart"),
    _v("scenario", (), long_name="the resolved scenario (TOML)", note="model; for people"),
    _v("chemistry_next_step", ("z", "y", "x"), "s", "each cell's next chemistry solver step", restart=True,
       note="chemistry (with a mechanism)"),
    _v("budget_<term>", ("species",), "kg", "mass budget so far: {term}", restart=True,
       note="budget; term: burden_start, emitted, inflow, outflow, deposited (dry), wet_deposited, chemical"),
    _v("records_time", (), "1", "hourly records written", restart=True, note="output writer"),
    _v("records_time_instant", (), "1", "snapshot records written", restart=True, note="output writer"),
    _v("hourly_accumulator", ("hourly_accumulator0", "hourly_accumulator1", "..."), "output units",
       "running sum of the written fields over the hour so far", restart=True, note="output writer"),
    _v("hourly_met_accumulator", ("hourly_met_accumulator0", "..."), "output units",
       "running sum of the surface meteorology over the hour so far", restart=True, note="output writer"),
    _v("hourly_deposition_accumulator", ("hourly_deposition_accumulator0", "..."), "kg m-2 s-1",
       "running sum of the deposition fluxes of N and S over the hour so far", restart=True,
       note="output writer"),
    _v("output_path", (), long_name="where the interrupted run writes its output", note="output writer"),
    _v("partial_path", (), long_name="its temporary name, whose records --restart carries over",
       note="output writer"),
    _v("scenario_hash", (), long_name="SHA-256 of the scenario settings that determine the state",
       note="run identity; checked by --restart and by a run sharing the checkpoint folder"),
    _v("scenario_identity", (), long_name="a short hash of each of those settings by key (JSON)",
       note="run identity; names what differs when --restart refuses a checkpoint"),
    _v("run_output", (), long_name="the output of the run that wrote the checkpoint", note="run identity"),
    _v("run_id", (), long_name="the id of that run (a restarted run keeps it)", note="run identity"),
)

REGISTRY: dict[str, tuple[Variable, ...]] = {"run output": _OUTPUT, "meteorology file": _MET_FILE,
                                               "comparison": _COMPARISON, "checkpoint": _CHECKPOINT}


def lookup(file: str, name: str) -> Variable:
    """The entry of ``name`` (or of its pattern, given as written in the registry) in ``file``."""
    for v in REGISTRY[file]:
        if v.name == name:
            return v
    raise KeyError(f"{name!r} is not a registered variable of the {file}")


def checkpoint_entry(name: str) -> Variable:
    """The checkpoint entry of a restart-state name (``budget_emitted`` is ``budget_<term>``)."""
    for v in _CHECKPOINT:
        if v.name == name or (v.name.endswith("<term>") and name.startswith(v.name[:-len("<term>")])):
            return v
    raise KeyError(f"{name!r} is not a registered checkpoint variable: declare it in airmodel/variables.py")


# -- the one coordinate writer -----------------------------------------------------------------------------------
def define_grid_coordinates(ds, grid: Grid, levels: str = "all") -> tuple[str, ...]:
    """Define the horizontal coordinates with their bounds and the vertical one ("all": z with bounds; "surface":
    the scalar ``height`` of the lowest layer's midpoint); returns the spatial dimensions of a field."""
    if "nv" not in ds.dimensions:
        ds.createDimension("nv", 2)
    xname, yname = ("lon", "lat") if grid.kind == "lonlat" else ("x", "y")
    for name, centres, bounds in ((xname, grid.x, grid.x_bounds), (yname, grid.y, grid.y_bounds)):
        ds.createDimension(name, centres.size)
        var = ds.createVariable(name, "f8", (name,))
        var.setncatts(_BY_COORDINATE[name].attributes())
        var[:] = centres
        bnd = ds.createVariable(f"{name}_bnds", "f8", (name, "nv"))
        bnd[:] = np.stack([bounds[:-1], bounds[1:]], axis=1)
    layers = grid.layers
    if levels == "all":
        ds.createDimension("z", layers.nz)
        z = ds.createVariable("z", "f8", ("z",))
        z.setncatts(_BY_COORDINATE["z"].attributes())
        z[:] = layers.midpoints
        zb = ds.createVariable("z_bnds", "f8", ("z", "nv"))
        zb[:] = np.stack([layers.interfaces[:-1], layers.interfaces[1:]], axis=1)
        return ("z", yname, xname)
    z = ds.createVariable("height", "f8", ())
    z.setncatts(_BY_COORDINATE["height"].attributes())
    z[...] = layers.midpoints[0]
    return (yname, xname)


def define_time(ds, name: str, units: str, bounds: bool, entry: Variable | None = None):
    """An unlimited time axis ``name`` ("hours since" the start, UTC), with ``<name>_bnds`` when ``bounds``."""
    if "nv" not in ds.dimensions:
        ds.createDimension("nv", 2)
    ds.createDimension(name, None)
    tv = ds.createVariable(name, "f8", (name,))
    entry = entry or _BY_COORDINATE["time"]
    tv.setncatts(entry.attributes(units=units))
    if bounds:
        tv.bounds = f"{name}_bnds"
        ds.createVariable(f"{name}_bnds", "f8", (name, "nv"))
    return tv


def define_height(ds, height: float) -> str:
    """The scalar coordinate ``height_<h>m`` of quantities at a fixed height above ground (2 m, 10 m)."""
    name = f"height_{height:g}m"
    if name not in ds.variables:
        h = ds.createVariable(name, "f8", ())
        h.setncatts(_BY_COORDINATE["height_<h>m"].attributes(dict(h=f"{height:g}")))
        h[...] = height
    return name
