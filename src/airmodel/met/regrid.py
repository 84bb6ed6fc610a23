"""Helpers shared by the file readers (wrf.py, cf.py): input files, horizontal and vertical regridding, and the
Smagorinsky horizontal diffusivity they derive from the regridded winds.
"""
from __future__ import annotations

import glob
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..grid import Grid
from .adjust import face_average_x, face_average_y


def resolve_files(patterns, where: str = "meteorology.files", base: Path | None = None) -> list[Path]:
    """The files named by a list of paths or glob patterns (relative ones under ``base``), each pattern sorted."""
    if not patterns:
        raise InputError(f"{where}: give the input files (a list of paths or glob patterns)")
    files = []
    for p in patterns:
        p = str(p)
        if base is not None and not Path(p).is_absolute():
            p = str(Path(base) / p)
        matches = sorted(glob.glob(p))
        if not matches:
            raise InputError(f"{where}: no file matches {p!r}")
        files += [Path(m) for m in matches]
    return files


class Bilinear:
    """Bilinear interpolation weights from a [ny, nx] source grid to fractional indices (clamped at the edges)."""

    def __init__(self, fi, fj, shape):
        ny, nx = shape
        fi = np.clip(fi, 0.0, nx - 1.0)
        fj = np.clip(fj, 0.0, ny - 1.0)
        self.i0 = np.minimum(np.floor(fi).astype(np.int64), nx - 2)
        self.j0 = np.minimum(np.floor(fj).astype(np.int64), ny - 2)
        self.wx = fi - self.i0
        self.wy = fj - self.j0
        self.nearest = (np.rint(fj).astype(np.int64), np.rint(fi).astype(np.int64))

    def __call__(self, field):
        """field [..., ny, nx] -> [..., *target shape]."""
        i0, j0, wx, wy = self.i0, self.j0, self.wx, self.wy
        return ((1 - wx) * (1 - wy) * field[..., j0, i0] + wx * (1 - wy) * field[..., j0, i0 + 1]
                + (1 - wx) * wy * field[..., j0 + 1, i0] + wx * wy * field[..., j0 + 1, i0 + 1])

    def pick(self, field):
        return field[..., self.nearest[0], self.nearest[1]]


def interpolate_in_height(z_src, field, z_target):
    """Linear interpolation along axis 0 from column heights z_src [nk, ...] to the heights z_target [nt].

    ``z_src`` must not decrease upwards in any column; repeated heights are allowed (the lowest of a run of equal
    heights is then used below it, the highest above it). Below the lowest level the lowest value is taken, above
    the highest the highest.
    """
    nk = z_src.shape[0]
    out = np.empty((len(z_target),) + field.shape[1:])
    for n, zt in enumerate(z_target):
        k = np.clip((z_src < zt).sum(axis=0) - 1, 0, nk - 2)
        zl = np.take_along_axis(z_src, k[None], 0)[0]
        zu = np.take_along_axis(z_src, k[None] + 1, 0)[0]
        fl = np.take_along_axis(field, k[None], 0)[0]
        fu = np.take_along_axis(field, k[None] + 1, 0)[0]
        w = np.clip((zt - zl) / np.maximum(zu - zl, 1e-6), 0.0, 1.0)
        out[n] = fl + w * (fu - fl)
    return out


def smagorinsky_diffusivity(grid: Grid, u, v, kh_min: float):
    """Horizontal eddy diffusivity on the x and y faces from face winds u, v: Smagorinsky (1963), c_s = 0.2,
    K = c_s^2 dx dy |D| with the deformation |D| from centred differences of the cell-centre winds; floored at
    ``kh_min`` (m2 s-1)."""
    ucc = 0.5 * (u[:, :, 1:] + u[:, :, :-1])
    vcc = 0.5 * (v[:, 1:, :] + v[:, :-1, :])
    dx = grid.x_centre_distance[:, :-1][None]
    dy = grid.y_centre_distance[:-1, :][None]
    dudx = np.gradient(ucc, axis=2) / dx
    dvdx = np.gradient(vcc, axis=2) / dx
    dudy = np.gradient(ucc, axis=1) / dy
    dvdy = np.gradient(vcc, axis=1) / dy
    kh = np.maximum(0.04 * dx * dy * np.hypot(dudx - dvdy, dvdx + dudy), kh_min)
    return np.ascontiguousarray(face_average_x(kh)), np.ascontiguousarray(face_average_y(kh))
