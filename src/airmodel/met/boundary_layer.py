"""Vertical eddy diffusivity from boundary-layer similarity (Holtslag and Boville 1993).

Holtslag, A. A. M. and B. A. Boville (1993), J. Climate 6, 1825-1842, "nonlocal" scheme, eqs. 3.9 and A1-A13:

    K_c(z) = k w_t z (1 - z/h)^2                      for 0 < z < h,

with the velocity scale for scalars

- stable and neutral (L > 0), and in the unstable surface layer (z < eps h):
  w_t = u* / phi_h(z/L), phi_h = 1 + 5 z/L (z/L <= 1), 5 + z/L (z/L > 1); unstable phi_h = (1 - 15 z/L)^(-1/2);
- the unstable outer layer (eps h <= z <= h): w_t = w_m / Pr with w_m = (u*^3 + c1 w*^3)^(1/3),
  Pr = phi_h/phi_m (at z = eps h) + a k eps w*/w_m, phi_m = (1 - 15 z/L)^(-1/3),
  eps = 0.1, c1 = 0.6, a = 7.2.

The countergradient term of the nonlocal scheme is left out (our mixing is purely local K-theory, as in CMAQ's
eddy-diffusivity option). Above the mixing height and everywhere as a floor, the minimum diffusivity of CMAQ's
vertical diffusion (Kz_min = 0.01 m2 s-1 over rural land rising to 1.0 m2 s-1 in fully urban cells, by urban
fraction; CMAQ v4.7+ VDIFF "KZMIN") keeps some exchange in stable air.

The city at night. Over a city the surface does not cool the air at night as the countryside does: the heat stored
by day in buildings and pavement, and the anthropogenic heat, keep the night-time sensible heat flux near zero
(downtown Beijing, 325-m tower, 2009-2010: "under clear-sky days, the nighttime sensible heat flux is almost zero";
Miao S. et al. 2012, Sci. China Earth Sci. 55, 1881), where rural land loses 20-50 W m-2. A source without an
urban surface model (the synthetic weather) therefore takes a cell's night-time flux as the area mean of its rural
part and its built-up part with zero flux (:func:`urban_night_heat_flux`): the urban surface layer is near-neutral,
not stable. Above it the nocturnal urban boundary layer of AERMOD's urban option (Cimorelli et al. 2005, J. Appl.
Meteor. 44, 682; EPA-454/R-03-004, sect. 5.8), z_iu = 400 m (P / 2e6)^(1/4) for a city of population P
(:func:`urban_night_mixing_height`), bounds the mixing. AERMOD itself also adds an upward urban heat flux
(0.03 rho cp dT u*); we leave it out, as the Beijing tower saw none and it overestimates observed night-time
fluxes (Retter et al. 2025, Atmosphere 16, 1342).
"""
from __future__ import annotations

import numpy as np

from .constants import VON_KARMAN

EPS_SURFACE = 0.1
C1 = 0.6
A_PRANDTL = 7.2
KZ_MIN_RURAL = 0.01
KZ_MIN_URBAN = 1.0
#: AERMOD's urban boundary-layer height for the reference population (m) and that population.
URBAN_MIXING_HEIGHT_REFERENCE = 400.0
URBAN_POPULATION_REFERENCE = 2.0e6


def phi_h(zeta):
    zeta = np.asarray(zeta, dtype=float)
    return np.where(zeta >= 0, np.where(zeta <= 1.0, 1.0 + 5.0 * zeta, 5.0 + zeta),
                    (1.0 - 15.0 * np.minimum(zeta, 0.0)) ** -0.5)


def phi_m(zeta):
    zeta = np.asarray(zeta, dtype=float)
    return np.where(zeta >= 0, np.where(zeta <= 1.0, 1.0 + 5.0 * zeta, 5.0 + zeta),
                    (1.0 - 15.0 * np.minimum(zeta, 0.0)) ** (-1.0 / 3.0))


def minimum_kz(urban_fraction):
    """CMAQ's floor: Kz_min = 0.01 + (1.0 - 0.01) * urban fraction (m2 s-1)."""
    return KZ_MIN_RURAL + (KZ_MIN_URBAN - KZ_MIN_RURAL) * np.clip(urban_fraction, 0.0, 1.0)


def urban_night_mixing_height(population):
    """AERMOD's nocturnal urban boundary-layer height z_iu = 400 m (P / 2e6)^(1/4) (m) for a city of P people."""
    return URBAN_MIXING_HEIGHT_REFERENCE * (np.asarray(population, dtype=float) / URBAN_POPULATION_REFERENCE) ** 0.25


def urban_night_heat_flux(heat_flux, urban_fraction, night):
    """The cell's sensible heat flux (W m-2) at night (``night``, [ny, nx] bool) as the area mean of its rural part
    (``heat_flux``) and its built-up part (``urban_fraction``), whose night-time flux is near zero; unchanged by
    day."""
    return np.where(night, (1.0 - np.clip(urban_fraction, 0.0, 1.0)) * heat_flux, heat_flux)


def eddy_diffusivity(heights, ustar, obukhov_length, mixing_height, convective_velocity, kz_min):
    """Kz (m2 s-1) at ``heights`` above ground [nk] over [ny, nx] columns: returns [nk, ny, nx].

    ``kz_min`` (scalar or [ny, nx]) is the floor everywhere and the value above the mixing height.
    """
    z = np.asarray(heights, dtype=float)[:, None, None]
    h = np.maximum(mixing_height, 1.0)[None]
    L = obukhov_length[None]
    us = ustar[None]
    ws = convective_velocity[None]
    zeta = z / L
    shape = (1.0 - np.minimum(z / h, 1.0)) ** 2
    k_surface = VON_KARMAN * us * z * shape / phi_h(zeta)
    # Unstable outer layer.
    zeta_eps = EPS_SURFACE * h / L
    w_m = np.cbrt(us ** 3 + C1 * ws ** 3)
    prandtl = phi_h(zeta_eps) / phi_m(zeta_eps) + A_PRANDTL * VON_KARMAN * EPS_SURFACE * ws / w_m
    k_outer = VON_KARMAN * (w_m / prandtl) * z * shape
    unstable_outer = (L < 0) & (z >= EPS_SURFACE * h)
    k = np.where(unstable_outer, k_outer, k_surface)
    k = np.where(z < h, k, 0.0)
    return np.maximum(k, kz_min)


def kz_on_interfaces(interfaces, ustar, obukhov_length, mixing_height, convective_velocity, kz_min):
    """[nz+1, ny, nx] Kz on the layer interfaces as the transport wants it: zero at the ground and the top."""
    k = eddy_diffusivity(interfaces, ustar, obukhov_length, mixing_height, convective_velocity, kz_min)
    k[0] = 0.0
    k[-1] = 0.0
    return np.ascontiguousarray(k)
