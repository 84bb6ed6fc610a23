"""Exact solutions that the idealized scenarios are checked against (tests/physics, benchmarks/validation.py).

- Continuous point source Q in a uniform wind U along x with constant eddy diffusivities Kx, Ky, Kz
  (e.g. Seinfeld and Pandis, Atmospheric Chemistry and Physics, ch. 18):

      C = Q / (4 pi sqrt(Ky Kz) R) exp(U (x - R) / (2 Kx)),   R^2 = x^2 + (Kx/Ky) y^2 + (Kx/Kz) z^2,

  with image sources for a reflecting ground (z = -H) and top at D (z = 2nD +- H). Its slender-plume limit,
  integrated across the wind, is the Gaussian C_y = Q / (sqrt(2 pi) sigma_z U) sum exp(-(z - z_n)^2 / 2 sigma_z^2)
  with sigma_z^2 = 2 Kz x / U (and sigma_y^2 = 2 Ky x / U).
- Rotating cone (Jaruga et al. 2015, GMD 8, 1005): the initial cone carried round by solid-body rotation.
"""
from __future__ import annotations

import numpy as np
from scipy import integrate
from scipy.special import erf


def image_heights(source_height: float, top: float, n_images: int = 4):
    """Heights of the source and its images between a reflecting ground and a reflecting top."""
    for n in range(-n_images, n_images + 1):
        yield 2 * n * top + source_height
        yield 2 * n * top - source_height


def plume_crosswind_integrated_layer_mean(distance, z0, z1, rate, wind, kz, source_height, top):
    """Slender-plume crosswind-integrated concentration (rate units x s m-2 ... i.e. g m-2 for g/s),
    averaged over heights z0..z1, with image sources."""
    distance = np.asarray(distance, dtype=float)
    sz = np.sqrt(2 * kz * distance / wind)
    total = sum(0.5 * (erf((z1 - zi) / (np.sqrt(2) * sz)) - erf((z0 - zi) / (np.sqrt(2) * sz)))
                for zi in image_heights(source_height, top))
    return rate / wind * total / (z1 - z0)


def plume_exact_crosswind_integrated(distance, z, rate, wind, kx, ky, kz, source_height, top):
    """The full exact solution (with along-wind diffusion) integrated across the wind numerically."""
    def concentration(y):
        total = 0.0
        for zi in image_heights(source_height, top):
            r = np.sqrt(distance**2 + (kx / ky) * y**2 + (kx / kz) * (z - zi) ** 2)
            total += rate / (4 * np.pi * np.sqrt(ky * kz) * r) * np.exp(wind * (distance - r) / (2 * kx))
        return total
    sy = np.sqrt(2 * ky * distance / wind)
    return 2 * integrate.quad(concentration, 0, 12 * sy, epsabs=0, epsrel=1e-10, limit=200)[0]


def rotating_cone(x, y, t, omega, rotation_centre, cone_centre, radius, height, background):
    """The cone field at time t: the initial cone rotated counter-clockwise by omega t about the centre."""
    x, y = np.meshgrid(np.asarray(x, float), np.asarray(y, float), indexing="xy")
    xc, yc = rotation_centre
    angle = -omega * t  # where a point now was at t = 0
    x0 = xc + (x - xc) * np.cos(angle) - (y - yc) * np.sin(angle)
    y0 = yc + (x - xc) * np.sin(angle) + (y - yc) * np.cos(angle)
    r = np.hypot(x0 - cone_centre[0], y0 - cone_centre[1])
    return background + height * np.maximum(0.0, 1.0 - r / radius)
