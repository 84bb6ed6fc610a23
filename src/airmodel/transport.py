"""Transport: the thin layer between the model state and the transport kernels.

It turns meteorology and grid geometry into what the kernels take (kernels/README.md): air masses per cell,
air-mass fluxes through faces, and diffusion conductances; it calls the kernels in the split order, and it reports
what crossed the domain's boundaries and what was deposited, for the budget.

Advection is dimension split with alternating order (x, y, z on even steps and z, y, x on odd ones), which makes
the splitting symmetric over two steps (Strang 1968). Every sweep moves air mass with the same fluxes as tracer
mass, and the vertical air-mass flux comes from the discrete continuity equation so that, after the three sweeps,
the air mass in every cell equals the meteorology's air density times the cell volume. A uniform mixing ratio
therefore stays uniform over terrain and in divergent flow (the test that CMAQ and CAMx pass).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ModelHealthError
from .grid import Grid
from .kernels import advection, continuity, diffusion
from .met.base import MetSnapshot

SCHEME_IDS = {"walcek": advection.SCHEME_WALCEK, "ppm": advection.SCHEME_PPM, "ppm_cs08": advection.SCHEME_PPM_CS08}
#: The names ``transport.advection`` takes (the scenario schema's choices).
ADVECTION_SCHEMES = tuple(SCHEME_IDS)


def _face_average_x(a: np.ndarray) -> np.ndarray:
    """[nz, ny, nx] cell values to [nz, ny, nx+1] x faces: mean of the two neighbours, the edge cell at the edges."""
    f = np.empty(a.shape[:-1] + (a.shape[-1] + 1,))
    f[..., 1:-1] = 0.5 * (a[..., 1:] + a[..., :-1])
    f[..., 0] = a[..., 0]
    f[..., -1] = a[..., -1]
    return f


def _face_average_y(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.swapaxes(_face_average_x(np.swapaxes(a, -1, -2)), -1, -2))


@dataclass
class TransportCoefficients:
    """What the kernels need for one step, derived from the meteorology at its start and end."""

    air_mass_start: np.ndarray  # [nz, ny, nx] kg
    air_mass_end: np.ndarray
    flux_x: np.ndarray  # [nz, ny, nx+1] kg s-1
    flux_y: np.ndarray  # [nz, ny+1, nx]
    flux_z: np.ndarray  # [nz+1, ny, nx]
    conductance_x: np.ndarray  # [nz, ny, nx+1] kg s-1
    conductance_y: np.ndarray
    conductance_z: np.ndarray  # [nz+1, ny, nx]


@dataclass
class BoundaryExchange:
    """Tracer mass (kg) that entered (``inflow``) and left (``outflow``) the domain, and was deposited, by species."""

    inflow: np.ndarray
    outflow: np.ndarray
    deposited: np.ndarray


class Transport:
    def __init__(self, grid: Grid, section: dict, n_species: int):
        self.grid = grid
        self.options = section
        self.scheme = SCHEME_IDS[section["advection"]]
        self.cfl_max = float(section["cfl_max"])
        self.n_species = n_species
        self.volume = np.ascontiguousarray(grid.cell_volume)
        self.x_face_area = grid.x_face_area
        self.y_face_area = grid.y_face_area
        z_mid = grid.layers.midpoints
        self.interface_distance = np.diff(z_mid)  # [nz-1] between layer midpoints
        nz, ny, nx = grid.shape
        self._boundary = {
            2: np.zeros((2, n_species, nz, ny)),
            1: np.zeros((2, n_species, nz, nx)),
            0: np.zeros((2, n_species, ny, nx)),
        }
        self._deposited = np.zeros((n_species, ny, nx))
        self._cache_key = None
        self._cache = None

    @property
    def deposited_by_cell(self) -> np.ndarray:
        """[ns, ny, nx] kg dry-deposited in each column by the last vertical mixing."""
        return self._deposited

    # -- coefficients -------------------------------------------------------------------------------------------
    def coefficients(self, met_start: MetSnapshot, met_end: MetSnapshot, dt: float,
                     static: bool) -> TransportCoefficients:
        key = (id(met_start), id(met_end), dt)
        if static and self._cache_key == key:
            return self._cache
        g = self.grid
        rho0, rho1 = met_start.air_density, met_end.air_density
        air_mass_start = np.ascontiguousarray(rho0 * self.volume)
        air_mass_end = np.ascontiguousarray(rho1 * self.volume)
        # Winds at mid-step, densities at mid-step on the faces: a second-order estimate of the mass flux.
        rho_mid = 0.5 * (rho0 + rho1)
        u = 0.5 * (met_start.u + met_end.u)
        v = 0.5 * (met_start.v + met_end.v)
        flux_x = np.ascontiguousarray(_face_average_x(rho_mid) * u * self.x_face_area)
        flux_y = np.ascontiguousarray(_face_average_y(rho_mid) * v * self.y_face_area)
        if not self.options["horizontal_advection"]:
            flux_x[...] = 0.0
            flux_y[...] = 0.0
        flux_z = np.zeros((g.nz + 1, g.ny, g.nx))
        continuity.vertical_air_mass_flux(flux_x, flux_y, air_mass_start, air_mass_end, dt, flux_z)

        # Diffusion uses the air density at the end of the step (after advection has moved the air).
        rho_x = _face_average_x(rho1)
        rho_y = _face_average_y(rho1)
        conductance_x = np.ascontiguousarray(rho_x * met_end.kx * self.x_face_area / g.x_centre_distance[None])
        conductance_y = np.ascontiguousarray(rho_y * met_end.ky * self.y_face_area / g.y_centre_distance[None])
        conductance_x[..., 0] = conductance_x[..., -1] = 0.0  # no diffusive flux through the lateral boundaries
        conductance_y[..., 0, :] = conductance_y[..., -1, :] = 0.0
        conductance_z = np.zeros((g.nz + 1, g.ny, g.nx))
        if g.nz > 1:
            rho_interface = 0.5 * (rho1[1:] + rho1[:-1])
            conductance_z[1:-1] = (rho_interface * met_end.kz[1:-1] * g.cell_area[None]
                                   / self.interface_distance[:, None, None])
        coeffs = TransportCoefficients(air_mass_start, air_mass_end, flux_x, flux_y, flux_z,
                                       conductance_x, conductance_y, conductance_z)
        if static:
            self._cache_key, self._cache = key, coeffs
        return coeffs

    # -- processes ----------------------------------------------------------------------------------------------
    def advect(self, tracer_mass: np.ndarray, air_mass: np.ndarray, coeffs: TransportCoefficients, dt: float,
               step_index: int, inflow_x, inflow_y, inflow_top, exchange: BoundaryExchange, check) -> None:
        """Dimension-split advection; x, y, z on even steps and z, y, x on odd ones.

        ``inflow_x`` is (west, east) mixing ratios [ns, nz, ny], ``inflow_y`` (south, north) [ns, nz, nx],
        ``inflow_top`` [ns, ny, nx] the mixing ratio of air entering through the model top (the ground has no flux).
        """
        sweeps = []
        if self.options["horizontal_advection"]:
            sweeps += [(2, coeffs.flux_x, "advection x"), (1, coeffs.flux_y, "advection y")]
        if self.options["vertical_advection"] and self.grid.nz > 1:
            sweeps.append((0, coeffs.flux_z, "advection z"))
        if step_index % 2 == 1:
            sweeps.reverse()
        for axis, flux, name in sweeps:
            if axis == 2:
                low, high = inflow_x
            elif axis == 1:
                low, high = inflow_y
            else:
                low, high = inflow_top, inflow_top
            boundary = self._boundary[axis]
            status = advection.advect(tracer_mass, air_mass, flux, dt, axis, low, high, boundary, self.cfl_max,
                                      self.scheme)
            if status == advection.ERROR_INFEASIBLE_FLUX:
                raise ModelHealthError(f"{name}: the air-mass fluxes would empty a cell of air within the step; "
                                       f"the winds and the air density of the meteorology are inconsistent, "
                                       f"or run.time_step is far too long")
            per_species = boundary.reshape(2, self.n_species, -1)
            exchange.inflow += np.where(per_species > 0, per_species, 0.0).sum(axis=(0, 2))
            exchange.outflow -= np.where(per_species < 0, per_species, 0.0).sum(axis=(0, 2))
            check(name)

    def diffuse_horizontally(self, tracer_mass, air_mass, coeffs: TransportCoefficients, dt: float) -> int:
        return diffusion.horizontal_diffusion(tracer_mass, air_mass, coeffs.conductance_x, coeffs.conductance_y, dt)

    def mix_vertically(self, tracer_mass, air_mass, coeffs: TransportCoefficients, dt: float,
                       surface_emission: np.ndarray, deposition_velocity: np.ndarray, air_density_surface,
                       exchange: BoundaryExchange) -> None:
        """Implicit vertical diffusion with surface emissions (kg s-1) and dry deposition (velocities [ns, ny, nx],
        m/s) as its lower boundary."""
        deposition_conductance = np.ascontiguousarray(
            deposition_velocity * (air_density_surface * self.grid.cell_area)[None])
        diffusion.vertical_diffusion(tracer_mass, air_mass, coeffs.conductance_z, surface_emission,
                                     deposition_conductance, dt, self._deposited)
        exchange.deposited += self._deposited.sum(axis=(1, 2))


def advect_plane_streamfunction(mixing_ratio: np.ndarray, x_edges: np.ndarray, y_edges: np.ndarray, streamfunction,
                                time_step: float, steps: int, scheme: str, cfl_max: float = 0.9) -> np.ndarray:
    """Advect mixing ratios [ns, ny, nx] on one layer of unit-density air through the non-divergent planar flow
    u = -d psi / dy, v = d psi / dx given by ``streamfunction(x, y, t)`` (arrays of corner coordinates and a time),
    with the model's kernel and split order (x then y on even steps, y then x on odd ones); returns the mixing ratios
    after ``steps`` steps of ``time_step``. The idealized tests of the advection schemes on one plane (tests/physics,
    benchmarks/lauritzen.py) use it.

    The air-mass flux through a face is the difference of the stream function at its two ends (the integral of the
    normal wind along the face) at mid-step, so every cell's discrete divergence is zero: after both sweeps of a step
    the air mass is back at its start value to round-off, and a uniform mixing ratio stays uniform. Where the stream
    function vanishes on the domain's edges no air crosses them (the inflow values are then never used).
    """
    q = np.asarray(mixing_ratio, dtype=float)
    if q.ndim != 3:
        raise ValueError("advect_plane_streamfunction: mixing_ratio must be [ns, ny, nx]")
    ns, ny, nx = q.shape
    if scheme not in SCHEME_IDS:
        raise ValueError(f"unknown advection scheme {scheme!r}; choose one of: {', '.join(SCHEME_IDS)}")
    if x_edges.shape != (nx + 1,) or y_edges.shape != (ny + 1,):
        raise ValueError("advect_plane_streamfunction: x_edges / y_edges must have nx + 1 / ny + 1 values")
    area = np.diff(y_edges)[:, None] * np.diff(x_edges)[None, :]
    air = np.ascontiguousarray(area[None].copy())                  # [1, ny, nx] kg (density 1, thickness 1)
    tracer = np.ascontiguousarray((q * area[None])[:, None])        # [ns, 1, ny, nx] kg
    xc, yc = np.meshgrid(x_edges, y_edges, indexing="xy")            # [ny+1, nx+1] corners
    inflow = {2: np.zeros((ns, 1, ny)), 1: np.zeros((ns, 1, nx))}
    boundary = {2: np.zeros((2, ns, 1, ny)), 1: np.zeros((2, ns, 1, nx))}
    for step in range(steps):
        psi = streamfunction(xc, yc, (step + 0.5) * time_step)
        flux = {2: np.ascontiguousarray((psi[:-1, :] - psi[1:, :])[None]),   # x faces [1, ny, nx+1]
                1: np.ascontiguousarray((psi[:, 1:] - psi[:, :-1])[None])}   # y faces [1, ny+1, nx]
        for axis in ((2, 1) if step % 2 == 0 else (1, 2)):
            status = advection.advect(tracer, air, flux[axis], time_step, axis, inflow[axis], inflow[axis],
                                      boundary[axis], cfl_max, SCHEME_IDS[scheme])
            if status == advection.ERROR_INFEASIBLE_FLUX:
                raise ModelHealthError("advect_plane_streamfunction: a face flux would empty a cell of air")
    return tracer[:, 0] / air
