"""Mass-consistent adjustment of a low-level wind to the terrain (a diagnostic wind model in one layer).

Diagnostic wind models (Sherman 1978, J. Appl. Meteor. 17, 312, MATHEW; CALMET, Scire et al. 2000) adjust a
first-guess wind as little as possible so that it conserves mass. We do this for the stably stratified air below a
"lid" whose depth over the terrain is D = max(z_lid - (h - h_ref), D_min): thinner over ridges than over the
plain beside them (h_ref is the terrain smoothed over ~50 km, so that the plateau north-west of Beijing is not
treated as one ridge). Find the face winds u closest to the first guess u0,

    minimize  sum_f A_f d_f (u_f - u0_f)^2   subject to   div(D u) = 0 in every cell,

(A_f d_f is the face's share of the area, a uniform weight). The Lagrange conditions give
u_f = u0_f + D_f (lambda_R - lambda_L) / d_f and the elliptic equation

    sum_f s_f D_f^2 L_f (lambda_R - lambda_L) / d_f = - sum_f s_f D_f L_f u0_f

(s_f = +1 on the east/north face, -1 on the west/south face, L_f the face length), with lambda = 0 outside the
domain (open boundaries). Because the adjustment D grad(lambda) is small where the layer is thin, the layer can
carry little flux across a ridge, and the flow goes around the mountains and through the gaps, as stable air does
(the "flow around" regime, Froude number below one), instead of through them. The matrix depends only on D, so
it is factorized once for each lid and reused for every hour.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..grid import Grid


def gaussian_smooth(field: np.ndarray, sigma_cells_x: float, sigma_cells_y: float) -> np.ndarray:
    """Separable Gaussian smoothing with reflecting edges (cells as the unit)."""
    out = np.asarray(field, dtype=float)
    for axis, sigma in ((1, sigma_cells_x), (0, sigma_cells_y)):
        if sigma <= 0:
            continue
        r = int(np.ceil(3 * sigma))
        k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
        k /= k.sum()
        pad = [(0, 0), (0, 0)]
        pad[axis] = (r, r)
        padded = np.pad(out, pad, mode="reflect")
        out = np.apply_along_axis(lambda a: np.convolve(a, k, mode="valid"), axis, padded)
    return out


def face_average_x(a: np.ndarray) -> np.ndarray:
    f = np.empty(a.shape[:-1] + (a.shape[-1] + 1,))
    f[..., 1:-1] = 0.5 * (a[..., 1:] + a[..., :-1])
    f[..., 0] = a[..., 0]
    f[..., -1] = a[..., -1]
    return f


def face_average_y(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(face_average_x(np.swapaxes(a, -1, -2)), -1, -2)


class TerrainAdjustment:
    """The factorized adjustment operator for one layer-depth field D [ny, nx] (m)."""

    def __init__(self, grid: Grid, depth: np.ndarray):
        self.grid = grid
        ny, nx = depth.shape
        self.depth_x = face_average_x(depth)  # [ny, nx+1]
        self.depth_y = face_average_y(depth)  # [ny+1, nx]
        # Face coefficients c = D^2 L / d.
        cx = self.depth_x ** 2 * grid.x_face_length / grid.x_centre_distance
        cy = self.depth_y ** 2 * grid.y_face_length / grid.y_centre_distance
        idx = np.arange(ny * nx).reshape(ny, nx)
        diag = cx[:, :-1] + cx[:, 1:] + cy[:-1, :] + cy[1:, :]
        rows = [idx.ravel()]
        cols = [idx.ravel()]
        vals = [-diag.ravel()]
        # Interior x faces couple (j, i-1) and (j, i).
        c = cx[:, 1:-1]
        rows += [idx[:, 1:].ravel(), idx[:, :-1].ravel()]
        cols += [idx[:, :-1].ravel(), idx[:, 1:].ravel()]
        vals += [c.ravel(), c.ravel()]
        c = cy[1:-1, :]
        rows += [idx[1:, :].ravel(), idx[:-1, :].ravel()]
        cols += [idx[:-1, :].ravel(), idx[1:, :].ravel()]
        vals += [c.ravel(), c.ravel()]
        matrix = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                               shape=(ny * nx, ny * nx))
        self._lu = spla.splu(-matrix)
        self.shape = (ny, nx)

    def divergence(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """[ny, nx] net outflow of D u through each cell's faces (m3 s-1)."""
        fx = self.depth_x * self.grid.x_face_length * u
        fy = self.depth_y * self.grid.y_face_length * v
        return fx[:, 1:] - fx[:, :-1] + fy[1:, :] - fy[:-1, :]

    def __call__(self, u0: np.ndarray, v0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Adjusted (u [ny, nx+1], v [ny+1, nx]) on the faces from a first guess on the faces."""
        g = self.grid
        ny, nx = self.shape
        rhs = self.divergence(u0, v0)  # the equation reads -A lambda = div(D u0)
        lam = self._lu.solve(rhs.ravel()).reshape(ny, nx)
        lam_x = np.zeros((ny, nx + 2))
        lam_x[:, 1:-1] = lam
        lam_y = np.zeros((ny + 2, nx))
        lam_y[1:-1, :] = lam
        u = u0 + self.depth_x * (lam_x[:, 1:] - lam_x[:, :-1]) / g.x_centre_distance
        v = v0 + self.depth_y * (lam_y[1:, :] - lam_y[:-1, :]) / g.y_centre_distance
        return u, v
