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
