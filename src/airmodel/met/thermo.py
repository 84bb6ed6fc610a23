"""Moist thermodynamics used by every source: saturation, humidity conversions, density, hydrostatic pressure."""
from __future__ import annotations

import numpy as np

from ..units import kelvin_to_celsius
from .constants import EPSILON, GRAVITY, KAPPA, P0, R_DRY


def saturation_vapour_pressure(temperature):
    """Saturation vapour pressure over water (Pa) at temperature (K).

    Bolton (1980), Mon. Wea. Rev. 108, 1046, eq. 10: e_s = 611.2 exp(17.67 T_c / (T_c + 243.5)), T_c in deg C;
    within 0.1 % of the Wexler values between -35 and 35 C.
    """
    tc = kelvin_to_celsius(np.asarray(temperature))
    return 611.2 * np.exp(17.67 * tc / (tc + 243.5))


def specific_humidity_from_vapour_pressure(e, pressure):
    """q = eps e / (p - (1 - eps) e) (kg kg-1)."""
    return EPSILON * e / (pressure - (1.0 - EPSILON) * e)


def specific_humidity_from_mixing_ratio(r):
    """q = r / (1 + r) (kg kg-1) from the water vapour mixing ratio r (kg kg-1)."""
    return r / (1.0 + r)


def vapour_pressure_from_specific_humidity(q, pressure):
    """Inverse of :func:`specific_humidity_from_vapour_pressure` (Pa)."""
    return q * pressure / (EPSILON + (1.0 - EPSILON) * q)


def specific_humidity_from_dew_point(dew_point, pressure):
    """Specific humidity (kg kg-1) of air with the given dew point (K) and pressure (Pa)."""
    return specific_humidity_from_vapour_pressure(saturation_vapour_pressure(dew_point), pressure)


def relative_humidity(temperature, pressure, q):
    """Relative humidity over water as a fraction, e / e_s (may exceed 1 in supersaturated input)."""
    return vapour_pressure_from_specific_humidity(q, pressure) / saturation_vapour_pressure(temperature)


def virtual_temperature(temperature, q):
    """T_v = T (1 + 0.608 q) (Wallace and Hobbs 2006, eq. 3.60 with q for the mixing ratio: error < 0.1 K)."""
    return temperature * (1.0 + (1.0 / EPSILON - 1.0) * q)


def air_density(pressure, temperature, q):
    """Moist air density (kg m-3) from the ideal gas law with the virtual temperature."""
    return pressure / (R_DRY * virtual_temperature(temperature, q))


def potential_temperature(temperature, pressure):
    """theta = T (P0 / p)^(R/cp)."""
    return temperature * (P0 / pressure) ** KAPPA


def temperature_from_potential(theta, pressure):
    return theta * (pressure / P0) ** KAPPA


def hydrostatic_pressure(surface_pressure, heights, virtual_temp):
    """Pressure at ``heights`` above ground [nz] (m) over each column, integrating dp/dz = -g p / (R T_v).

    ``virtual_temp`` [nz, ny, nx] is the virtual temperature at those heights; between levels the layer-mean
    T_v is the mean of its ends (the hypsometric equation), and from the ground to the first level the first
    level's T_v is used.
    """
    z = np.concatenate([[0.0], np.asarray(heights, dtype=float)])
    tv = np.concatenate([virtual_temp[:1], virtual_temp], axis=0)
    tv_mean = 0.5 * (tv[1:] + tv[:-1])
    dz = np.diff(z)[:, None, None]
    log_p = np.log(surface_pressure)[None] - np.cumsum(GRAVITY * dz / (R_DRY * tv_mean), axis=0)
    return np.exp(log_p)
