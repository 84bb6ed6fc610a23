"""Vertical air-mass flux from the discrete continuity equation.

Conventions (see ``kernels/README.md``): index order ``[k, j, i]``; air-mass fluxes in kg s-1 through whole
faces, positive towards increasing index (east, north, up); Arakawa C staggering.

Why: a tracer scheme keeps a uniform mixing ratio uniform only if the air-mass fluxes it uses carry the air
mass of each cell from its start value to its end value exactly (mass consistency; Byun 1999, J. Atmos.
Sci. 56, 3789-3807, "Dynamically consistent formulations in meteorological and air quality models for
multiscale atmospheric studies. Part II: Mass conservation issues"; Odman and Russell 2000, "Mass
conservative coupling of non-hydrostatic meteorological models with air quality models", Air Pollution
Modeling and its Application XIII).  Taking the horizontal fluxes and the air-mass tendency from the
meteorology, the vertical flux is diagnosed so that the discrete continuity equation holds in every cell.

Nothing here imports ``airmodel``; no I/O.
"""

from numba import njit, prange


@njit(cache=True, parallel=True, nogil=True)
def vertical_air_mass_flux(air_mass_flux_x, air_mass_flux_y, air_mass_start, air_mass_end, dt, air_mass_flux_z):
    """Diagnose the vertical air-mass flux by integrating the discrete continuity equation upward.

    Arguments
    ---------
    air_mass_flux_x : float64 [nz, ny, nx+1], kg s-1, positive east (face i = west face of cell i).
    air_mass_flux_y : float64 [nz, ny+1, nx], kg s-1, positive north (face j = south face of cell j).
    air_mass_start, air_mass_end : float64 [nz, ny, nx], kg, cell air mass at the start and end of the step.
    dt : float, s (> 0).
    air_mass_flux_z : float64 [nz+1, ny, nx], output, kg s-1, positive up (interface k = bottom of layer k).

    Formula, with F_z[0] = 0 at the ground:

        F_z[k+1] = F_z[k] + (Fx[k,j,i] - Fx[k,j,i+1]) + (Fy[k,j,i] - Fy[k,j+1,i])
                   - (m_end[k,j,i] - m_start[k,j,i]) / dt

    so that for every cell m_start + dt * (Fx_w - Fx_e + Fy_s - Fy_n + F_z[k] - F_z[k+1]) = m_end
    (to round-off).  F_z[nz] is whatever the column needs at the model top (nonzero in general); the
    caller decides how the top boundary treats it.
    """
    nz, ny, nx = air_mass_start.shape
    inv_dt = 1.0 / dt
    for j in prange(ny):
        for i in range(nx):
            air_mass_flux_z[0, j, i] = 0.0
        for k in range(nz):
            for i in range(nx):
                conv = (air_mass_flux_x[k, j, i] - air_mass_flux_x[k, j, i + 1]) + (
                    air_mass_flux_y[k, j, i] - air_mass_flux_y[k, j + 1, i])
                tend = (air_mass_end[k, j, i] - air_mass_start[k, j, i]) * inv_dt
                air_mass_flux_z[k + 1, j, i] = air_mass_flux_z[k, j, i] + (conv - tend)
