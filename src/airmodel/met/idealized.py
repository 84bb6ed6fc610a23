"""Idealized meteorology for validation cases: analytic winds, diffusivities and air density.

Flows (``meteorology.flow``):
- ``uniform``: constant (u, v) everywhere;
- ``solid_body_rotation``: u = -omega (y - yc), v = omega (x - xc), counter-clockwise, evaluated on the faces
  (the rotating-cone test of Jaruga et al. 2015, GMD 8, 1005);
- ``terrain_bump``: a Gaussian hill h = H exp(-r^2 / L^2) under an exponential atmosphere
  rho = rho0 exp(-(h + z) / Hs), with winds that vary in x and y so that the horizontal flow is divergent and the
  vertical flux through the terrain-following layers comes from the discrete continuity equation. Optionally the air
  density "breathes" in time, rho(t) = rho_static (1 + A sin(2 pi t / P)), which exercises the air-mass tendency term.
"""
from __future__ import annotations

import numpy as np

from ..grid import Grid
from .base import Meteorology, MetSnapshot

#: The flows this module computes (``meteorology.flow``), described in the module docstring.
FLOWS = ("uniform", "solid_body_rotation", "terrain_bump")


class IdealizedMeteorology(Meteorology):
    def __init__(self, section: dict, grid: Grid, start=None, end=None, folder=None):
        super().__init__(grid)
        self.section = section
        nz, ny, nx = grid.shape
        s = section
        zmid = grid.layers.midpoints
        xf, yc = np.meshgrid(grid.x_bounds, grid.y, indexing="xy")  # x faces: [ny, nx+1]
        xc, yf = np.meshgrid(grid.x, grid.y_bounds, indexing="xy")  # y faces: [ny+1, nx]
        flow = s["flow"]
        if flow == "solid_body_rotation":
            omega = float(s["angular_velocity"])
            x0, y0 = (float(c) for c in s["rotation_centre"])
            u2 = -omega * (yc - y0)
            v2 = omega * (xc - x0)
        elif flow == "terrain_bump":
            a = float(s["wind_modulation"])
            lx = grid.x_bounds[-1] - grid.x_bounds[0]
            ly = grid.y_bounds[-1] - grid.y_bounds[0]
            ex, ey = (xf - grid.x_bounds[0]) / lx, (yc - grid.y_bounds[0]) / ly
            u2 = s["u"] * (1.0 + a * np.sin(2 * np.pi * ex) * np.cos(np.pi * ey))
            ex, ey = (xc - grid.x_bounds[0]) / lx, (yf - grid.y_bounds[0]) / ly
            v2 = s["v"] * (1.0 + a * np.cos(np.pi * ex) * np.sin(2 * np.pi * ey)) \
                + a * abs(s["u"]) * 0.3 * np.sin(np.pi * ex) * np.sin(np.pi * ey)
        else:
            u2 = np.full((ny, nx + 1), float(s["u"]))
            v2 = np.full((ny + 1, nx), float(s["v"]))
        # Wind that decays slightly with height keeps the terrain_bump flow three-dimensional.
        shear = 1.0 / (1.0 + zmid / 5000.0) if flow == "terrain_bump" else np.ones(nz)
        self.u = np.ascontiguousarray(shear[:, None, None] * u2[None])
        self.v = np.ascontiguousarray(shear[:, None, None] * v2[None])

        if flow == "terrain_bump" and s["terrain_height"] > 0:
            cx, cy = (float(c) for c in s["terrain_centre"])
            xx, yy = np.meshgrid(grid.x, grid.y, indexing="xy")
            r2 = ((xx - cx) ** 2 + (yy - cy) ** 2) / float(s["terrain_halfwidth"]) ** 2
            terrain = float(s["terrain_height"]) * np.exp(-r2)
            grid.terrain[...] = terrain
        altitude = grid.terrain[None, :, :] + zmid[:, None, None]
        if s["density_scale_height"] > 0:
            self.rho_static = s["air_density"] * np.exp(-altitude / s["density_scale_height"])
        else:
            self.rho_static = np.full((nz, ny, nx), float(s["air_density"]))
        self.kx = np.full((nz, ny, nx + 1), float(s["kx"]))
        self.ky = np.full((nz, ny + 1, nx), float(s["ky"]))
        kz = np.full((nz + 1, ny, nx), float(s["kz"]))
        kz[0] = kz[-1] = 0.0
        self.kz = kz
        self.period = float(s["breathing_period_hours"]) * 3600.0
        self.amplitude = float(s["breathing_amplitude"])
        self.static = not (self.period > 0 and self.amplitude > 0)
        self._static_snapshot = MetSnapshot(self.rho_static, self.u, self.v, self.kx, self.ky, self.kz)

    def at(self, t: float) -> MetSnapshot:
        if self.static:
            return self._static_snapshot
        factor = 1.0 + self.amplitude * np.sin(2.0 * np.pi * t / self.period)
        return MetSnapshot(self.rho_static * factor, self.u, self.v, self.kx, self.ky, self.kz)
