"""Exact solutions that the idealized scenarios are checked against (tests/physics, benchmarks/validation.py).

- Continuous point source Q in a uniform wind U along x with constant eddy diffusivities Kx, Ky, Kz
  (e.g. Seinfeld and Pandis, Atmospheric Chemistry and Physics, ch. 18):

      C = Q / (4 pi sqrt(Ky Kz) R) exp(U (x - R) / (2 Kx)),   R^2 = x^2 + (Kx/Ky) y^2 + (Kx/Kz) z^2,

  with image sources for a reflecting ground (z = -H) and top at D (z = 2nD +- H). Its slender-plume limit,
  integrated across the wind, is the Gaussian C_y = Q / (sqrt(2 pi) sigma_z U) sum exp(-(z - z_n)^2 / 2 sigma_z^2)
  with sigma_z^2 = 2 Kz x / U (and sigma_y^2 = 2 Ky x / U).
- Rotating cone (Jaruga et al. 2015, GMD 8, 1005): the initial cone carried round by solid-body rotation.
- Initial shapes of the idealized scenarios (INITIAL_SHAPES, initial_shape): the cone above, and the cosine bell of
  Williamson et al. (1992, J. Comput. Phys. 102, 211-224, test case 1) as used by Lauritzen et al. (2012, GMD 5,
  887-901, eq. 12): h = background + height (1 + cos(pi r / radius)) / 2 for r < radius, smooth (continuous first
  derivative) where the cone has a kink at its peak and at its foot.
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


#: The shape tables a species' ``initial`` may hold: shape name -> the keys it needs (all required).
INITIAL_SHAPES = {
    "cone": ("centre", "radius", "height", "background"),
    "cosine_bell": ("centre", "radius", "height", "background"),
}


def shape_profile(shape: str, r, radius: float, height: float, background: float):
    """The value of a radially symmetric shape at distance r from its centre (see INITIAL_SHAPES)."""
    r = np.asarray(r, dtype=float)
    if shape == "cone":
        return background + height * np.maximum(0.0, 1.0 - r / radius)
    if shape == "cosine_bell":
        return background + np.where(r < radius, 0.5 * height * (1.0 + np.cos(np.pi * np.minimum(r / radius, 1.0))),
                                     0.0)
    raise ValueError(f"unknown shape {shape!r}; choose one of: {', '.join(INITIAL_SHAPES)}")


def initial_shape(table: dict, x, y):
    """The 2-D field [ny, nx] of a shape table (e.g. ``{shape = "cone", centre = [50, 75], radius = 15, ...}``)
    at cell centres x [nx], y [ny]."""
    cx, cy = (float(c) for c in table["centre"])
    xx, yy = np.meshgrid(np.asarray(x, float), np.asarray(y, float), indexing="xy")
    return shape_profile(table["shape"], np.hypot(xx - cx, yy - cy), float(table["radius"]), float(table["height"]),
                         float(table["background"]))


def rotating_shape(shape, x, y, t, omega, rotation_centre, centre, radius, height, background):
    """The field of a shape (INITIAL_SHAPES) at time t: the initial shape rotated counter-clockwise by omega t
    about the rotation centre (solid-body rotation carries it round unchanged)."""
    x, y = np.meshgrid(np.asarray(x, float), np.asarray(y, float), indexing="xy")
    xc, yc = rotation_centre
    angle = -omega * t  # where a point now was at t = 0
    x0 = xc + (x - xc) * np.cos(angle) - (y - yc) * np.sin(angle)
    y0 = yc + (x - xc) * np.sin(angle) + (y - yc) * np.cos(angle)
    return shape_profile(shape, np.hypot(x0 - centre[0], y0 - centre[1]), radius, height, background)


def rotating_cone(x, y, t, omega, rotation_centre, cone_centre, radius, height, background):
    """The cone field at time t: the initial cone rotated counter-clockwise by omega t about the centre."""
    return rotating_shape("cone", x, y, t, omega, rotation_centre, cone_centre, radius, height, background)


# ----------------------------------------------------------------------------------------------------------------
# Deformational flow with reversal (Nair and Lauritzen 2010, J. Comput. Phys. 229, 8868, case 1; the
# non-divergent flow of Lauritzen et al. 2012, GMD 5, 887, without its solid-body translation), in its planar
# analogue on the rectangle 0 <= x <= 2 pi, -pi/2 <= y <= pi/2 (x, y play longitude and latitude, radius 1).
# ----------------------------------------------------------------------------------------------------------------
DEFORMATION_K = 2.4       # Lauritzen et al. (2012): k = 2.4 and period T = 5 for the non-divergent flow
DEFORMATION_PERIOD = 5.0


def deformational_streamfunction(x, y, t, k: float = DEFORMATION_K, period: float = DEFORMATION_PERIOD):
    """psi = k sin^2(x/2) cos^2(y) cos(pi t / T): u = -d psi/dy = k sin^2(x/2) sin(2y) cos(pi t/T), as on the sphere,
    and v = d psi/dx = (k/2) sin(x) cos^2(y) cos(pi t/T) (the sphere's (k/2) sin(x) cos(y) with its metric factor
    cos(y) dropped, so that the planar flow is exactly non-divergent). psi = 0 on the whole edge of the rectangle,
    so no air crosses it; the flow reverses at T/2 and the exact solution at T is the initial field."""
    return k * np.sin(0.5 * x) ** 2 * np.cos(y) ** 2 * np.cos(np.pi * t / period)


#: Centres of the two features of Lauritzen et al. (2012, section 2.2): (5 pi/6, 0) and (7 pi/6, 0).
DEFORMATION_CENTRES = ((5.0 * np.pi / 6.0, 0.0), (7.0 * np.pi / 6.0, 0.0))


def deformational_initial(kind: str, x, y):
    """The initial fields of Lauritzen et al. (2012, section 2.2) on the plane, at points x [nx], y [ny] (a 2-D
    [ny, nx] field), with the planar distance r_i = |(x, y) - centre_i| in place of the great-circle distance:
    ``cosine_bells``: 0.1 + 0.9 h, h = sum of (1 + cos(pi r_i / r)) / 2 for r_i < r = 1/2;
    ``gaussian_hills``: 0.95 (exp(-5 r_1^2) + exp(-5 r_2^2)) (their exp(-beta |X - X_i|^2) on the plane, beta = 5);
    ``slotted_cylinders``: 1 inside radius 1/2 except a slot |x - x_i| < r/6 opening towards -y (first) or +y
    (second) from 5 r / 12 beyond the centre, 0.1 elsewhere."""
    xx, yy = np.meshgrid(np.asarray(x, float), np.asarray(y, float), indexing="xy")
    radius = 0.5
    r = [np.hypot(xx - cx, yy - cy) for cx, cy in DEFORMATION_CENTRES]
    if kind == "cosine_bells":
        return 0.1 + 0.9 * sum(shape_profile("cosine_bell", ri, radius, 1.0, 0.0) for ri in r)
    if kind == "gaussian_hills":
        return 0.95 * sum(np.exp(-5.0 * ri ** 2) for ri in r)
    if kind == "slotted_cylinders":
        (x1, y1), (x2, y2) = DEFORMATION_CENTRES
        inside = ((r[0] <= radius) & ((np.abs(xx - x1) >= radius / 6) | (yy - y1 < -5 * radius / 12))) | \
                 ((r[1] <= radius) & ((np.abs(xx - x2) >= radius / 6) | (yy - y2 > 5 * radius / 12)))
        return np.where(inside, 1.0, 0.1)
    raise ValueError(f"unknown field {kind!r}; choose cosine_bells, gaussian_hills or slotted_cylinders")


def error_norms(q, exact, weight=None) -> dict:
    """Normalised errors of Lauritzen et al. (2012, section 3.1; Williamson et al. 1992):
    l1 = I(|q - q_T|) / I(|q_T|), l2 = sqrt(I((q - q_T)^2) / I(q_T^2)), linf = max|q - q_T| / max|q_T|, with I the
    area-weighted sum (``weight``: cell areas, default uniform), and the normalised extremes
    phi_min = (min q - min q_T) / dq, phi_max = (max q - max q_T) / dq, dq = max q_T - min q_T."""
    q = np.asarray(q, float)
    exact = np.asarray(exact, float)
    w = np.ones_like(exact) if weight is None else np.broadcast_to(np.asarray(weight, float), exact.shape)
    d = q - exact
    spread = exact.max() - exact.min()
    return dict(l1=float((w * np.abs(d)).sum() / (w * np.abs(exact)).sum()),
                l2=float(np.sqrt((w * d * d).sum() / (w * exact * exact).sum())),
                linf=float(np.abs(d).max() / np.abs(exact).max()),
                phi_min=float((q.min() - exact.min()) / spread), phi_max=float((q.max() - exact.max()) / spread),
                min=float(q.min()), max=float(q.max()))
