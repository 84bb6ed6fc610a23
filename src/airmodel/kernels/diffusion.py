"""Horizontal (explicit) and vertical (implicit) K-theory diffusion in mass form.

Conventions (see ``kernels/README.md``): index order ``[s, k, j, i]``; ``tracer_mass`` in kg per cell,
``air_mass`` in kg per cell, mixing ratio ``q = tracer_mass / air_mass`` (kg/kg); conductances
``G = rho_face * K * A_face / distance_between_centres`` in kg s-1 per unit mixing-ratio difference, so the
diffusive tracer flux through a face is ``-G (q_right - q_left)`` (kg s-1, positive towards increasing index).

Both schemes are the second-order flux form of the K-theory closure dM/dt = div(rho K grad q) integrated over
a finite volume, as used for horizontal and vertical diffusion in CMAQ (Byun and Ching 1999, "Science
Algorithms of the EPA Models-3 Community Multiscale Air Quality (CMAQ) Modeling System", EPA/600/R-99/030,
ch. 7, Byun, Young, Pleim, Odman and Alapaty: "Numerical transport algorithms ...").

Nothing here imports ``airmodel``; no I/O.
"""

import math

import numpy as np
from numba import njit, prange

# Largest allowed dt_sub * (sum of face conductances) / m for one explicit sub-step.  Forward Euler is
# monotone (new q a convex combination of old q) when this number is <= 1; 0.5 leaves a margin.
_MAX_DIFFUSION_NUMBER = 0.5


@njit(cache=True, parallel=True, nogil=True)
def _layer_max_rate(air_mass, conductance_x, conductance_y):
    """Per layer k: max over (j, i) of (Gx[k,j,i] + Gx[k,j,i+1] + Gy[k,j,i] + Gy[k,j+1,i]) / m[k,j,i] (s-1).

    A non-positive air mass or a non-finite rate gives +inf (the caller rejects it).
    """
    nz, ny, nx = air_mass.shape
    out = np.empty(nz)
    for k in prange(nz):
        r = 0.0
        for j in range(ny):
            for i in range(nx):
                m = air_mass[k, j, i]
                g = conductance_x[k, j, i] + conductance_x[k, j, i + 1] + conductance_y[k, j, i] + conductance_y[k, j + 1, i]
                v = g / m
                if not (m > 0.0) or not (v < math.inf):
                    v = math.inf
                if v > r:
                    r = v
        out[k] = r
    return out


@njit(cache=True, parallel=True, nogil=True)
def horizontal_diffusion(tracer_mass, air_mass, conductance_x, conductance_y, dt):
    """Explicit (forward-Euler, sub-stepped) horizontal diffusion in flux form; updates ``tracer_mass`` in place.

    Arguments
    ---------
    tracer_mass : float64 [ns, nz, ny, nx], kg per cell, updated in place.
    air_mass : float64 [nz, ny, nx], kg per cell (> 0), not changed.
    conductance_x : float64 [nz, ny, nx+1], kg s-1 per unit q, on x faces (face i = west face of cell i).
    conductance_y : float64 [nz, ny+1, nx], kg s-1 per unit q, on y faces (face j = south face of cell j).
    dt : float, s.

    Returns ``n_sub``, the number of equal sub-steps ``dt_sub = dt / n_sub`` that were taken.

    Discrete scheme, per sub-step, with q = M / m taken from the start of the sub-step for every face
    (unsplit in x and y):

        M_{j,i} += dt_sub * ( Gx_{i+1/2} (q_{i+1} - q_i) - Gx_{i-1/2} (q_i - q_{i-1})
                            + Gy_{j+1/2} (q_{j+1} - q_j) - Gy_{j-1/2} (q_j - q_{j-1}) )

    Lateral boundary faces (x faces 0 and nx, y faces 0 and ny) carry no flux whatever conductance is given
    there (the caller passes 0).  Each face flux enters its two cells with opposite signs and identical
    floating-point value, so total tracer mass is conserved to round-off, and a uniform q is a fixed point.

    Sub-steps (positivity / monotonicity of forward Euler, e.g. Hundsdorfer and Verwer 2003, "Numerical
    Solution of Time-Dependent Advection-Diffusion-Reaction Equations", Springer, sec. I.7): the new q of a
    cell is (1 - dt_sub*S/m) q + sum_faces (dt_sub*G/m) q_neighbour, with S the sum of its four face
    conductances, a convex combination when dt_sub*S/m <= 1.  We take

        n_sub = max(1, ceil( max_cells(dt * S / m) / 0.5 ))

    so dt_sub*S/m <= 0.5 everywhere (S counts all four faces as given, boundary faces included).

    Raises ValueError if some air mass is not positive or some rate is not finite.
    """
    ns, nz, ny, nx = tracer_mass.shape
    rates = _layer_max_rate(air_mass, conductance_x, conductance_y)
    rmax = 0.0
    for k in range(nz):  # serial max: deterministic
        if rates[k] > rmax:
            rmax = rates[k]
    if not (rmax < math.inf) or not (dt >= 0.0):
        raise ValueError("horizontal_diffusion: non-positive air mass, non-finite conductance or bad dt")
    n_sub = int(math.ceil(dt * rmax / _MAX_DIFFUSION_NUMBER))
    if n_sub < 1:
        n_sub = 1
    dt_sub = dt / n_sub
    if rmax == 0.0 or dt == 0.0:
        return n_sub

    # one independent 2-D problem per (species, layer)
    for sk in prange(ns * nz):
        s = sk // nz
        k = sk - s * nz
        # mixing ratio padded with one ghost cell each side; ghosts copy the edge value so the
        # boundary-face differences are exactly zero (no lateral flux)
        qp = np.empty((ny + 2, nx + 2))
        for _ in range(n_sub):
            for j in range(ny):
                for i in range(nx):
                    qp[j + 1, i + 1] = tracer_mass[s, k, j, i] / air_mass[k, j, i]
                qp[j + 1, 0] = qp[j + 1, 1]
                qp[j + 1, nx + 1] = qp[j + 1, nx]
            for i in range(nx + 2):
                qp[0, i] = qp[1, i]
                qp[ny + 1, i] = qp[ny, i]
            for j in range(ny):
                for i in range(nx):
                    qc = qp[j + 1, i + 1]
                    fe = conductance_x[k, j, i + 1] * (qp[j + 1, i + 2] - qc)
                    fw = conductance_x[k, j, i] * (qc - qp[j + 1, i])
                    fn = conductance_y[k, j + 1, i] * (qp[j + 2, i + 1] - qc)
                    fs = conductance_y[k, j, i] * (qc - qp[j, i + 1])
                    tracer_mass[s, k, j, i] += dt_sub * ((fe - fw) + (fn - fs))
    return n_sub


@njit(cache=True, parallel=True, nogil=True)
def vertical_diffusion(tracer_mass, air_mass, conductance_z, surface_emission, deposition_conductance, dt,
                       deposited):
    """Vertical diffusion, theta-weighted in time, with surface emission and implicit dry deposition, per column.

    Arguments
    ---------
    tracer_mass : float64 [ns, nz, ny, nx], kg per cell, updated in place.
    air_mass : float64 [nz, ny, nx], kg per cell (> 0), not changed.
    conductance_z : float64 [nz+1, ny, nx], kg s-1 per unit q on layer interfaces (interface k = bottom of
        layer k).  Only interior interfaces 1..nz-1 are used; entries 0 (ground) and nz (model top) are ignored.
    surface_emission : float64 [ns, ny, nx], kg s-1 entering the lowest layer (E).
    deposition_conductance : float64 [ns, ny, nx], kg s-1 per unit q (D = v_d * rho_air_lowest * cell_area);
        the dry-deposition flux out of the lowest layer is D * q_0 at the new time level.
    dt : float, s.
    deposited : float64 [ns, ny, nx], output, filled with the tracer mass (kg) deposited during dt.

    Discrete system (K-theory with the surface flux as lower boundary condition, as in the CMAQ vertical
    diffusion, Byun and Ching 1999, ch. 7), with the diffusive fluxes weighted theta at the new time level and
    1 - theta at the old one, F_{k+1/2}(q) = G_{k+1/2} (q_{k+1} - q_k):

        m_k q_k - theta dt [F_{k+1/2}(q) - F_{k-1/2}(q)] + [k==0] dt D q_0
            = M_k^n + (1 - theta) dt [F_{k+1/2}(q^n) - F_{k-1/2}(q^n)] + [k==0] dt E

    then M_k^{n+1} = m_k q_k and deposited = dt D q_0.  Summing the rows, the interface terms telescope:
    sum_k M_k^{n+1} = sum_k M_k^n + dt E - deposited.

    theta is chosen per column as close to 1/2 (Crank-Nicolson, second order in time) as positivity allows:
    the right-hand side is a non-negative combination of the old q when
    (1 - theta) dt (G_{k-1/2} + G_{k+1/2}) <= m_k for every k, so
    theta = max(1/2, max_k [1 - m_k / (dt (G_{k-1/2} + G_{k+1/2}))] / 0.99 capped at 1).  Strong mixing or long
    steps therefore give backward Euler (theta = 1), as CMAQ uses; gentle mixing gets second-order accuracy,
    which matters for the shape of an elevated plume's profile near its source.

    The implicit matrix (with theta dt G) is a tridiagonal M-matrix, so q >= 0 for a non-negative right-hand side.

    Solver: Thomas algorithm (e.g. Press et al., Numerical Recipes, sec. 2.4), eliminating from the top
    down so that the per-species deposition term only enters the last pivot and the factorisation of a
    column is shared by all species.  The pivots d'_k = a_k + c_k (a_k = theta dt G_{k-1/2},
    b_k = theta dt G_{k+1/2}) are carried through the positive "excess" c_k, which obeys a subtraction-free
    recurrence (the same idea as the GTH algorithm, Grassmann, Taksar and Heyman 1985, Oper. Res. 33, 1107):

        c_{nz-1} = m_{nz-1},  c_k = m_k + b_k c_{k+1} / (b_k + c_{k+1}),  d'_0 = c_0 + dt D
        r'_{nz-1} = R_{nz-1}, r'_k = R_k + b_k r'_{k+1} / d'_{k+1}
        q_0 = r'_0 / d'_0,    q_k = (r'_k + a_k q_{k-1}) / d'_k

    For non-negative data every operation adds or divides non-negative numbers, so each q_k has a
    relative error of a few nz ulps whatever dt*G/m is; hence positivity is exact and the column balance
    above holds to ~nz*eps relative even for huge dt.
    """
    ns, nz, ny, nx = tracer_mass.shape
    for j in prange(ny):
        # per-row scratch, i innermost (contiguous)
        c = np.empty((nz, nx))       # excess c_k (kg)
        dinv = np.empty((nz, nx))    # 1 / d'_k for k >= 1 (1/kg)
        rp = np.empty((nz, nx))      # r'_k (kg)
        theta = np.empty(nx)         # implicit weight of each column
        for i in range(nx):
            th = 0.5
            for k in range(nz):
                g_sum = 0.0
                if k > 0:
                    g_sum += conductance_z[k, j, i]
                if k < nz - 1:
                    g_sum += conductance_z[k + 1, j, i]
                if g_sum > 0.0:
                    th = max(th, (1.0 - air_mass[k, j, i] / (dt * g_sum)) / 0.99)
            theta[i] = min(th, 1.0)
        # shared factorisation of the row of columns
        for i in range(nx):
            c[nz - 1, i] = air_mass[nz - 1, j, i]
        for k in range(nz - 2, -1, -1):
            for i in range(nx):
                b = theta[i] * dt * conductance_z[k + 1, j, i]
                cu = c[k + 1, i]
                c[k, i] = air_mass[k, j, i] + b * cu / (b + cu)
                dinv[k + 1, i] = 1.0 / (b + cu)  # d'_{k+1} = a_{k+1} + c_{k+1}, a_{k+1} = b_k
        for s in range(ns):
            # right-hand side: old mass plus the explicit (1 - theta) share of the diffusive fluxes
            for k in range(nz):
                for i in range(nx):
                    w = (1.0 - theta[i]) * dt
                    r = tracer_mass[s, k, j, i]
                    if w > 0.0:
                        qk = r / air_mass[k, j, i]
                        if k < nz - 1:
                            r += w * conductance_z[k + 1, j, i] * (
                                tracer_mass[s, k + 1, j, i] / air_mass[k + 1, j, i] - qk)
                        if k > 0:
                            r -= w * conductance_z[k, j, i] * (qk - tracer_mass[s, k - 1, j, i] / air_mass[k - 1, j, i])
                        if r < 0.0:  # only round-off can bring it here (theta keeps 1 % margin)
                            r = 0.0
                    if k == 0:
                        r += dt * surface_emission[s, j, i]
                    rp[k, i] = r
            # top-down elimination of the right-hand side
            for k in range(nz - 2, -1, -1):
                for i in range(nx):
                    b = theta[i] * dt * conductance_z[k + 1, j, i]
                    rp[k, i] = rp[k, i] + b * (rp[k + 1, i] * dinv[k + 1, i])
            # lowest layer, with deposition in the pivot; then back-substitute upward
            for i in range(nx):
                dd = dt * deposition_conductance[s, j, i]
                q0 = rp[0, i] / (c[0, i] + dd)
                deposited[s, j, i] = dd * q0
                tracer_mass[s, 0, j, i] = air_mass[0, j, i] * q0
                rp[0, i] = q0  # reuse rp as q
            for k in range(1, nz):
                for i in range(nx):
                    a = theta[i] * dt * conductance_z[k, j, i]
                    qk = (rp[k, i] + a * rp[k - 1, i]) * dinv[k, i]
                    rp[k, i] = qk
                    tracer_mass[s, k, j, i] = air_mass[k, j, i] * qk
