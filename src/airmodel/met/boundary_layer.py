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
"""
from __future__ import annotations

import numpy as np

from .constants import VON_KARMAN

EPS_SURFACE = 0.1
C1 = 0.6
A_PRANDTL = 7.2
KZ_MIN_RURAL = 0.01
KZ_MIN_URBAN = 1.0


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
