"""Surface-layer similarity and boundary-layer height: what screening and regional models diagnose.

- Stability functions: unstable, Businger-Dyer in Paulson's (1970, J. Appl. Meteor. 9, 857) integral form with
  gamma = 16 (Dyer 1974, BLM 7, 363); stable, Beljaars and Holtslag (1991, J. Appl. Meteor. 30, 327, eqs. 28 and
  32), which stay finite in very stable air where the linear -5 zeta does not.
- Friction velocity and Monin-Obukhov length by fixed-point iteration of the log-linear profile
  u(z) = u*/k [ln(z/z0) - psi_m(z/L) + psi_m(z0/L)] with L = -rho cp T u*^3 / (k g H).
- At night the heat flux follows from a temperature scale theta* = 0.09 (1 - 0.5 N^2) K (van Ulden and Holtslag
  1985, J. Clim. Appl. Meteor. 24, 1196), limited in light wind, with u* in closed form (Venkatram 1980), as
  AERMET does (Cimorelli et al. 2005, J. Appl. Meteor. 44, 682): H = -rho cp u* theta*, L = T u*^2/(k g theta*).
- Convective mixing height by the encroachment slab model with entrainment, h^2 = 2 (1 + 2A) int H dt /
  (rho cp gamma), A = 0.2 (Tennekes 1973, J. Atmos. Sci. 30, 558; Carson 1973); mechanical mixing height
  h = 2300 u*^1.5 (Venkatram 1980, BLM 19, 481; AERMOD's formula).
"""
from __future__ import annotations

import numpy as np

from .constants import CP_DRY, GRAVITY, VON_KARMAN

#: Bounds on |L| (m): above the upper one the surface layer is neutral for every purpose here.
L_NEUTRAL = 1.0e5
L_MIN_STABLE = 2.0
L_MIN_UNSTABLE = -1.0e5
#: Smallest friction velocity the diagnostics return (m s-1); calm, stable nights otherwise give u* -> 0.
USTAR_MIN = 0.02


def psi_m(zeta):
    """Integrated stability function for momentum, psi_m(z/L)."""
    zeta = np.asarray(zeta, dtype=float)
    out = np.empty_like(zeta)
    uns = zeta < 0
    x = (1.0 - 16.0 * zeta[uns]) ** 0.25
    out[uns] = 2 * np.log((1 + x) / 2) + np.log((1 + x * x) / 2) - 2 * np.arctan(x) + np.pi / 2
    z = zeta[~uns]
    a, b, c, d = 1.0, 2.0 / 3.0, 5.0, 0.35
    out[~uns] = -(a * z + b * (z - c / d) * np.exp(-d * z) + b * c / d)
    return out


def psi_h(zeta):
    """Integrated stability function for heat and scalars, psi_h(z/L)."""
    zeta = np.asarray(zeta, dtype=float)
    out = np.empty_like(zeta)
    uns = zeta < 0
    x = (1.0 - 16.0 * zeta[uns]) ** 0.25
    out[uns] = 2 * np.log((1 + x * x) / 2)
    z = zeta[~uns]
    a, b, c, d = 1.0, 2.0 / 3.0, 5.0, 0.35
    out[~uns] = -((1 + 2 * a * z / 3) ** 1.5 + b * (z - c / d) * np.exp(-d * z) + b * c / d - 1)
    return out


def obukhov_length(ustar, sensible_heat_flux, temperature, air_density):
    """L = -rho cp T u*^3 / (k g H), bounded to [L_MIN_STABLE, L_NEUTRAL] or [-L_NEUTRAL, -...]."""
    h = np.asarray(sensible_heat_flux, dtype=float)
    denom = VON_KARMAN * GRAVITY * np.where(np.abs(h) < 1e-6, 1e-6, h)
    length = -air_density * CP_DRY * temperature * ustar ** 3 / denom
    return bound_length(length)


def bound_length(length):
    length = np.asarray(length, dtype=float)
    pos = length >= 0
    return np.where(pos, np.clip(length, L_MIN_STABLE, L_NEUTRAL), np.clip(length, -L_NEUTRAL, -L_MIN_STABLE))


def log_wind(ustar, z, z0, length):
    """Wind speed at height z from the stability-corrected log law."""
    return ustar / VON_KARMAN * (np.log(z / z0) - psi_m(z / length) + psi_m(z0 / length))


def night_temperature_scale(cloud_cover):
    """theta* (K) for stable nights, van Ulden and Holtslag (1985): 0.09 (1 - 0.5 N^2)."""
    return 0.09 * (1.0 - 0.5 * np.clip(cloud_cover, 0.0, 1.0) ** 2)


def stable_surface_layer(wind_speed, z_ref, z0, temperature, cloud_cover, beta_m: float = 5.0):
    """u*, theta* and L for stable nights, the closed form of Venkatram (1980) used by AERMET.

    With the log-linear profile u = u*/k [ln(z/z0) + beta_m z/L] and L = T u*^2/(k g theta*):
    u* = (C_DN u / 2) [1 + sqrt(1 - 4 u0^2 / (C_DN u^2))], C_DN = k / ln(z/z0), u0^2 = beta_m z g theta* / T.
    Where the root would be imaginary (light wind), theta* is lowered to T C_DN u^2 / (4 beta_m z g) and
    u* = C_DN u / 2 (Cimorelli et al. 2005, AERMOD formulation, section 3.2): the surface layer does not collapse.
    Returns (ustar, theta_star, L).
    """
    u = np.maximum(np.asarray(wind_speed, dtype=float), 0.1)
    cdn = VON_KARMAN / np.log(z_ref / np.asarray(z0, dtype=float))
    theta_star = night_temperature_scale(cloud_cover) * np.ones_like(u)
    theta_crit = temperature * cdn * u * u / (4.0 * beta_m * z_ref * GRAVITY)
    theta_star = np.minimum(theta_star, theta_crit)
    u0sq = beta_m * z_ref * GRAVITY * theta_star / temperature
    disc = np.maximum(1.0 - 4.0 * u0sq / (cdn * u * u), 0.0)
    ustar = np.maximum(0.5 * cdn * u * (1.0 + np.sqrt(disc)), USTAR_MIN)
    length = bound_length(temperature * ustar ** 2 / (VON_KARMAN * GRAVITY * np.maximum(theta_star, 1e-6)))
    return ustar, theta_star, length


def surface_layer(wind_speed, z_ref, z0, temperature, air_density, sensible_heat_flux, stable_night,
                  cloud_cover, iterations: int = 10):
    """Friction velocity u*, Obukhov length L and the sensible heat flux H.

    ``wind_speed`` at height ``z_ref`` (m, scalar) over roughness ``z0``. Where ``stable_night`` is true, the
    closed-form stable scheme (:func:`stable_surface_layer`) gives u*, theta* and H = -rho cp u* theta*;
    elsewhere the given ``sensible_heat_flux`` (W m-2) and the log-linear profile are iterated to consistency.
    Returns (ustar, L, H) with u* >= USTAR_MIN.
    """
    speed = np.maximum(np.asarray(wind_speed, dtype=float), 0.1)
    z0 = np.asarray(z0, dtype=float)
    ln = np.log(z_ref / z0)
    ustar = VON_KARMAN * speed / ln
    length = np.full(np.broadcast(speed, z0).shape, -L_NEUTRAL)
    for _ in range(iterations):
        length = obukhov_length(ustar, sensible_heat_flux, temperature, air_density)
        denom = ln - psi_m(z_ref / length) + psi_m(z0 / length)
        ustar = np.maximum(VON_KARMAN * speed / np.maximum(denom, 0.1), USTAR_MIN)
    length = obukhov_length(ustar, sensible_heat_flux, temperature, air_density)
    us_n, theta_n, len_n = stable_surface_layer(speed, z_ref, z0, temperature, cloud_cover)
    ustar = np.where(stable_night, us_n, ustar)
    length = np.where(stable_night, len_n, length)
    h = np.where(stable_night, -air_density * CP_DRY * us_n * theta_n, sensible_heat_flux)
    return ustar, length, h


def convective_velocity(sensible_heat_flux, mixing_height, temperature, air_density):
    """Deardorff's w* = (g H h / (rho cp T))^(1/3) (m s-1); 0 where H <= 0."""
    flux = np.maximum(sensible_heat_flux, 0.0) / (air_density * CP_DRY)
    return np.cbrt(GRAVITY * flux * mixing_height / temperature)


def convective_mixing_height(cumulative_heat, lapse_rate, air_density, entrainment: float = 0.2):
    """Encroachment with entrainment: h = sqrt(2 (1 + 2A) Q / (rho cp gamma)), Q = int H dt (J m-2)."""
    q = np.maximum(cumulative_heat, 0.0)
    return np.sqrt(2.0 * (1.0 + 2.0 * entrainment) * q / (air_density * CP_DRY * lapse_rate))


def mechanical_mixing_height(ustar):
    """h = 2300 u*^1.5 (Venkatram 1980), the mechanically mixed (and stable) boundary-layer height (m)."""
    return 2300.0 * np.asarray(ustar) ** 1.5
