"""Unit conversions at the edges of the model.

Inside the model everything is SI: concentrations in kg m-3, emission rates in kg s-1, lengths in m, time in s.
Readers convert into SI and writers convert out of it, using only the factors defined here.
"""
from __future__ import annotations

from .errors import InputError

SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86400.0
SECONDS_PER_YEAR = 365.0 * SECONDS_PER_DAY

#: Multiply a mass concentration in these units by the factor to get kg m-3.
MASS_CONCENTRATION_TO_SI = {
    "kg m-3": 1.0,
    "g m-3": 1e-3,
    "mg m-3": 1e-6,
    "ug m-3": 1e-9,
}

#: Multiply an emission rate in these units by the factor to get kg s-1.
EMISSION_RATE_TO_SI = {
    "kg s-1": 1.0,
    "g s-1": 1e-3,
    "kg h-1": 1.0 / SECONDS_PER_HOUR,
    "t h-1": 1e3 / SECONDS_PER_HOUR,
    "t d-1": 1e3 / SECONDS_PER_DAY,
    "t yr-1": 1e3 / SECONDS_PER_YEAR,
    "kt yr-1": 1e6 / SECONDS_PER_YEAR,
}


def factor(table: dict[str, float], unit: str, where: str) -> float:
    """Look up a conversion factor, or fail with a message that lists the valid units."""
    try:
        return table[unit]
    except KeyError:
        raise InputError(f"{where}: unknown unit {unit!r}; choose one of: {', '.join(table)}") from None

#: Mixing-ratio units: multiply by the factor to get kg kg-1 (mass mixing ratio).
MASS_MIXING_RATIO_TO_SI = {
    "kg kg-1": 1.0,
    "g kg-1": 1e-3,
}

#: Mole-fraction units: multiply by the factor to get mol mol-1; converting needs the species' molar mass.
MOLE_FRACTION_TO_SI = {
    "ppm": 1e-6,
    "ppb": 1e-9,
}

#: Molar mass of dry air (g mol-1), as used for every mole-fraction conversion.
MOLAR_MASS_AIR = 28.9647

CONCENTRATION_UNITS = tuple(MASS_CONCENTRATION_TO_SI) + tuple(MASS_MIXING_RATIO_TO_SI) + tuple(MOLE_FRACTION_TO_SI)


def check_concentration_unit(unit: str, where: str, molar_mass: float | None = None) -> None:
    if unit not in CONCENTRATION_UNITS:
        raise InputError(f"{where}: unknown unit {unit!r}; choose one of: {', '.join(CONCENTRATION_UNITS)}")
    if unit in MOLE_FRACTION_TO_SI and not molar_mass:
        raise InputError(f"{where}: {unit!r} is a mole fraction and needs the species' molar_mass (g/mol)")


def _si_factor(unit: str, air_density, molar_mass):
    """kg m-3 per unit of ``unit``."""
    if unit in MASS_CONCENTRATION_TO_SI:
        return MASS_CONCENTRATION_TO_SI[unit]
    if unit in MASS_MIXING_RATIO_TO_SI:
        return MASS_MIXING_RATIO_TO_SI[unit] * air_density
    return MOLE_FRACTION_TO_SI[unit] * air_density * (molar_mass / MOLAR_MASS_AIR)


def concentration_to_si(value, unit: str, air_density, molar_mass: float | None = None):
    """A concentration in ``unit`` to kg m-3; mixing ratios need the air density (kg m-3), mole fractions also
    the molar mass (g mol-1)."""
    return value * _si_factor(unit, air_density, molar_mass)


def concentration_from_si(c, unit: str, air_density, molar_mass: float | None = None):
    """A concentration in kg m-3 to ``unit`` (the inverse of :func:`concentration_to_si`)."""
    return c / _si_factor(unit, air_density, molar_mass)


# -- meteorological units ---------------------------------------------------------------------------------------------
#: Standard gravity g0 (m s-2), CGPM 1901: the divisor that turns geopotential into geopotential height.
STANDARD_GRAVITY = 9.80665
#: 0 degrees Celsius in kelvin.
ZERO_CELSIUS = 273.15

#: Spellings of units as written in NetCDF files (lower case, with ** ^ { } removed and spaces collapsed) to a
#: canonical name; CF (UDUNITS), ERA5 (``m s**-1``, ``(0 - 1)``) and WRF (``m s{-1}``, ``m^2/s^2``) spellings.
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
    "degree_n": "degrees_north", "degreesn": "degrees_north", "degree north": "degrees_north",
    "degrees_east": "degrees_east", "degree_east": "degrees_east", "degrees_e": "degrees_east",
    "degree_e": "degrees_east", "degreese": "degrees_east", "degree east": "degrees_east",
}


def canonical_units(text) -> str:
    """The canonical name of a unit spelling (see UNIT_ALIASES); an unknown spelling comes back normalized."""
    u = str(text).strip().lower()
    for ch in ("**", "^", "{", "}"):
        u = u.replace(ch, "")
    u = " ".join(u.split())
    return UNIT_ALIASES.get(u, u)


# Conversions to SI of each meteorological quantity: canonical units -> (factor, offset, kind), SI = value * factor
# + offset; kind "state" for an instantaneous value or rate, "amount" for an accumulation over a period (which the
# reader divides by the period's length to get a rate).
TEMPERATURE_TO_SI = {"K": (1.0, 0.0, "state"), "degC": (1.0, ZERO_CELSIUS, "state")}
SPEED_TO_SI = {"m s-1": (1.0, 0.0, "state")}
PRESSURE_TO_SI = {"Pa": (1.0, 0.0, "state"), "hPa": (100.0, 0.0, "state")}
MASS_RATIO_TO_SI = {"kg kg-1": (1.0, 0.0, "state"), "1": (1.0, 0.0, "state"), "g kg-1": (1e-3, 0.0, "state")}
FRACTION_TO_SI = {"1": (1.0, 0.0, "state"), "%": (0.01, 0.0, "state")}
GEOPOTENTIAL_TO_HEIGHT = {"m2 s-2": (1.0 / STANDARD_GRAVITY, 0.0, "state")}  # to geopotential height, m
HEIGHT_TO_SI = {"m": (1.0, 0.0, "state"), "km": (1000.0, 0.0, "state")}
PRECIPITATION_FLUX_TO_SI = {"kg m-2 s-1": (1.0, 0.0, "state"), "mm s-1": (1.0, 0.0, "state")}
LWE_RATE_TO_SI = {"m s-1": (1000.0, 0.0, "state"), "mm s-1": (1.0, 0.0, "state"),
                  "mm h-1": (1 / SECONDS_PER_HOUR, 0.0, "state")}
LWE_AMOUNT_TO_SI = {"m": (1000.0, 0.0, "amount"), "mm": (1.0, 0.0, "amount")}
PRECIPITATION_AMOUNT_TO_SI = {"kg m-2": (1.0, 0.0, "amount"), "mm": (1.0, 0.0, "amount")}
ENERGY_FLUX_TO_SI = {"W m-2": (1.0, 0.0, "state"), "J m-2": (1.0, 0.0, "amount")}
ENERGY_TO_SI = {"J m-2": (1.0, 0.0, "amount")}
#: Pressure units of a vertical coordinate: multiply by the factor to get Pa.
PRESSURE_COORDINATE_TO_PA = {"Pa": 1.0, "hPa": 100.0}


def units_match(text, expected: str, also=()) -> bool:
    """Whether a file's unit spelling ``text`` means ``expected`` (or one of the canonical units ``also``)."""
    found = canonical_units(text)
    return found == canonical_units(expected) or found in also


def celsius_to_kelvin(t):
    return t + ZERO_CELSIUS


def kelvin_to_celsius(t):
    return t - ZERO_CELSIUS


def hpa_to_pa(p):
    return p * 100.0


def amount_to_rate(amount, seconds):
    """An amount accumulated over ``seconds`` (mm of water = kg m-2) as the mean rate over them (kg m-2 s-1)."""
    return amount / seconds
