"""Flux-form, mass-conserving, positive-definite 1-D advection of tracer mass and air mass (one axis a call).

The caller does the dimension splitting (x-y-z, then z-y-x on the next step); this module moves tracer mass and
air mass along one axis of the grid through the faces of the Arakawa C grid (conventions: kernels/README.md).

All schemes work in *mass coordinates*, as Lin and Rood (1996, Mon. Wea. Rev. 124, 2046-2070) work in pressure
thickness: the reconstructed variable is the mixing ratio ``q = tracer_mass / air_mass`` of each cell, the "width"
of cell ``i`` is its air mass ``m_i``, and over a sub-step ``dt_s`` the air mass ``F dt_s`` that crosses a face is
the fraction ``c = |F| dt_s / m_up`` of the upwind cell; the tracer mass carried is ``F dt_s`` times the mean
mixing ratio of that departing air. Air mass is moved by the same face fluxes, ``m_i += dt_s (F_i - F_{i+1})``,
so a uniform mixing ratio stays uniform in divergent flow (every scheme reconstructs a constant q exactly).

Schemes (``scheme`` argument):

* ``SCHEME_PPM`` (0): the piecewise parabolic method of Colella and Woodward (1984), J. Comput. Phys. 54,
  174-201 (hereafter CW84), with the non-uniform-zone face values (eq. 1.6) from monotonized slopes
  (eqs. 1.7-1.8), its monotonicity limiter (eq. 1.10) and the flux integral (eq. 1.12), with Delta xi_j = m_j.
  In exact arithmetic the new q of a cell is a mass-weighted mean of values of the old parabolas, which lie in
  the old local range: monotone and bounded, also in divergent flow. It clips peaks (the parabola of a local
  extremum is flattened): the rotating-cone test (101 x 101 cells, 6 revolutions) keeps a maximum of 4.22 of 5.
* ``SCHEME_WALCEK`` (1): Walcek (2000), J. Geophys. Res. 105(D7), 9335-9348: second-order upstream outflow
  mixing ratios, steepened next to local extremes, bounded so that every new q stays within the old q of the
  cell and its two neighbours (see _walcek_cell). Strictly bounded and much better at keeping peaks (cone
  maximum 4.84, L1 error about that of PPM); it tends to square off smooth shapes. Recommended where peak
  preservation matters.
* ``SCHEME_PPM_CS08`` (2): PPM with the extremum-preserving limiter of Colella and Sekora (2008), J. Comput.
  Phys. 227, 7069-7076: fourth-order face values, limited only where they leave the neighbours' range, and
  smooth extrema kept. Most accurate for smooth fields (cone maximum 4.53, lowest L1 error) and positive, but
  NOT strictly bounded: near smooth extrema a new q may exceed the old local range slightly.

Positivity, in every scheme: each face flux has the sign of the air flux (mean mixing ratios are clipped at
zero) and is owned by its upwind cell, which never sends out more than it holds (PPM: in exact arithmetic the
integrals over the departing air are at most the content; against round-off the outgoing fluxes are scaled
down to it; Walcek: at most its content plus its inflow). The same face flux value is added to the downwind
cell, so mass is conserved to round-off; a last-bit negative remainder is set to zero.

Boundaries: two ghost cells on each side. Where the boundary face flux points into the domain the ghosts hold
the inflow mixing ratio (and the boundary flux is the inflow mixing ratio times the air that enters); otherwise
they repeat the edge cell's mixing ratio (zero-gradient outflow). Ghost air masses repeat the edge cell's.

Sub-steps: per line (one row of cells along the axis, shared by all species)
``n_sub = max(1, ceil(max_i(out_i dt / min(m_i(0), m_i(dt))) / cfl_max))`` with
``out_i = max(F_{i+1}, 0) + max(-F_i, 0)`` the air leaving cell ``i`` per second. The fluxes are constant during
the call, so a cell's air mass changes linearly in time and its smallest value over the call is at one of the two
ends: no cell loses more than ``cfl_max`` of its air in any sub-step.

Determinism: every line is computed by one thread from its own data; there are no cross-thread reductions, so
results are bitwise independent of the number of Numba threads. fastmath is off.
"""

import math

import numpy as np
from numba import njit, prange

SCHEME_PPM = 0
SCHEME_WALCEK = 1
SCHEME_PPM_CS08 = 2

# Return value of advect() when, for some line, the fluxes would remove more air from a cell than it holds
# over the call (air mass at the end <= 0) or give a non-finite Courant number; such lines are left unchanged.
ERROR_INFEASIBLE_FLUX = -1

_GHOSTS = 2          # ghost cells on each side of a line
_LINES_PER_TASK = 16  # lines handled by one prange iteration (one set of work buffers per task)
_N_WORK = 17         # work arrays of length n + 2*_GHOSTS per task


# ----------------------------------------------------------------------------------------------------------------
# Geometry of one line for one sub-step: the mass-weighted coefficients of CW84 eqs. 1.6 and 1.7, shared by every
# species, and the Courant fraction of each face.
# ----------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy", inline="always")
def _line_geometry(air, air_cross, mass_g, inv_pair, inv_air, slope_c1, slope_c2, face_w, face_b, face_c, courant):
    """Fill the per-sub-step coefficients of one line.

    air: air mass of the n cells at the start of the sub-step; air_cross: F dt_s through the n+1 faces.
    Outputs (index g = cell + 2 for cell arrays, f for face arrays):
      mass_g[g]            air mass with two ghosts each side (ghosts repeat the edge cell);
      inv_pair[g]          1 / (mass_g[g] + mass_g[g+1]);  inv_air[i]: 1 / air[i];
      slope_c1/2[g], g=1..n+2: delta a_g = c1 (a_{g+1} - a_g) + c2 (a_g - a_{g-1})          (CW84 eq. 1.7);
      face_w/b/c[f], f=0..n: a_{f} = a_L + w (a_R - a_L) + c dm_L - b dm_R, L = g = f+1, R = g+1 (CW84 eq. 1.6);
      courant[f]: fraction of the upwind cell's air crossing face f (0 where the upwind side is outside).
    """
    n = air.shape[0]
    for i in range(n):
        mass_g[i + 2] = air[i]
    mass_g[0] = air[0]
    mass_g[1] = air[0]
    mass_g[n + 2] = air[n - 1]
    mass_g[n + 3] = air[n - 1]

    # Reciprocal of the air mass of each pair of neighbours (shared by eqs. 1.6 and 1.7).
    for g in range(n + 3):
        inv_pair[g] = 1.0 / (mass_g[g] + mass_g[g + 1])
    for i in range(n):
        inv_air[i] = 1.0 / air[i]

    # CW84 eq. 1.7, with Delta xi = air mass.
    for g in range(1, n + 3):
        dm_minus = mass_g[g - 1]
        dm = mass_g[g]
        dm_plus = mass_g[g + 1]
        w = dm / (dm_minus + dm + dm_plus)
        slope_c1[g] = w * (2.0 * dm_minus + dm) * inv_pair[g]
        slope_c2[g] = w * (dm + 2.0 * dm_plus) * inv_pair[g - 1]

    # CW84 eq. 1.6 for the face between g = f+1 and g+1 (face f of the line).
    for f in range(n + 1):
        g = f + 1
        d0 = mass_g[g - 1]
        d1 = mass_g[g]
        d2 = mass_g[g + 1]
        d3 = mass_g[g + 2]
        inv_total = 1.0 / (d0 + d1 + d2 + d3)
        inv_right = 1.0 / (2.0 * d2 + d1)
        left = (d0 + d1) / (2.0 * d1 + d2)
        right = (d3 + d2) * inv_right
        pair = 2.0 * d2 * d1 * inv_pair[g] * (left - right)
        face_w[f] = d1 * inv_pair[g] + pair * inv_total
        face_b[f] = d1 * left * inv_total
        face_c[f] = d2 * (d2 + d3) * inv_right * inv_total

    for f in range(n + 1):
        c = air_cross[f]
        if c > 0.0:
            courant[f] = c * inv_air[f - 1] if f > 0 else 0.0
        elif c < 0.0:
            courant[f] = -c * inv_air[f] if f < n else 0.0
        else:
            courant[f] = 0.0


# ----------------------------------------------------------------------------------------------------------------
# Reconstruction: face values and limited cell edges.
# ----------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy", inline="always")
def _face_values_cw84(n, q_g, slope_c1, slope_c2, face_w, face_b, face_c, slope, face_q):
    """Face mixing ratios from the monotonized slopes (CW84 eqs. 1.6-1.8); face_q[f] for f = 0..n."""
    slope[0] = 0.0
    slope[n + 3] = 0.0
    for g in range(1, n + 3):
        d_right = q_g[g + 1] - q_g[g]
        d_left = q_g[g] - q_g[g - 1]
        if d_right * d_left > 0.0:
            s = slope_c1[g] * d_right + slope_c2[g] * d_left          # eq. 1.7
            bound = 2.0 * min(abs(d_left), abs(d_right))               # eq. 1.8
            if abs(s) > bound:
                s = bound if s > 0.0 else -bound
            slope[g] = s
        else:
            slope[g] = 0.0
    for f in range(n + 1):
        g = f + 1
        q_left = q_g[g]
        q_right = q_g[g + 1]
        a = q_left + face_w[f] * (q_right - q_left) + face_c[f] * slope[g] - face_b[f] * slope[g + 1]  # eq. 1.6
        # With the slopes of eq. 1.8 the value lies between the two cell means; the clip only removes round-off.
        lo = min(q_left, q_right)
        hi = max(q_left, q_right)
        if a < lo:
            a = lo
        elif a > hi:
            a = hi
        face_q[f] = a


@njit(cache=True, error_model="numpy")
def _limit_cw84(q_mean, a_left, a_right):
    """CW84 eq. 1.10: flatten at an extremum, else pull the far edge in so the parabola stays monotone."""
    if (a_right - q_mean) * (q_mean - a_left) <= 0.0:
        return q_mean, q_mean
    da = a_right - a_left
    a6 = 6.0 * (q_mean - 0.5 * (a_left + a_right))
    if da * a6 > da * da:
        a_left = 3.0 * q_mean - 2.0 * a_right
    elif -da * da > da * a6:
        a_right = 3.0 * q_mean - 2.0 * a_left
    return a_left, a_right


@njit(cache=True, error_model="numpy")
def _same_sign_min(x0, x1, x2, x3):
    """sign * min(|x|) when all four have one sign, else 0 (the curvature limiter of Colella and Sekora 2008)."""
    if x0 > 0.0 and x1 > 0.0 and x2 > 0.0 and x3 > 0.0:
        return min(min(x0, x1), min(x2, x3))
    if x0 < 0.0 and x1 < 0.0 and x2 < 0.0 and x3 < 0.0:
        return max(max(x0, x1), max(x2, x3))
    return 0.0


_CS08_C = 1.25   # Colella and Sekora (2008), their constant C


@njit(cache=True, error_model="numpy")
def _face_values_cs08(n, q_g, slope_c1, slope_c2, face_w, face_b, face_c, slope, face_q):
    """Face values of Colella and Sekora (2008): the unlimited interpolant (CW84 eqs. 1.6-1.7 with unlimited
    slopes; 7/12, -1/12 on a uniform grid), and where it leaves [q_j, q_j+1] a curvature-limited value. The
    second differences are undivided, as in the uniform-grid paper."""
    slope[0] = 0.0
    slope[n + 3] = 0.0
    for g in range(1, n + 3):
        slope[g] = slope_c1[g] * (q_g[g + 1] - q_g[g]) + slope_c2[g] * (q_g[g] - q_g[g - 1])
    for f in range(n + 1):
        g = f + 1
        q_left = q_g[g]
        q_right = q_g[g + 1]
        a = q_left + face_w[f] * (q_right - q_left) + face_c[f] * slope[g] - face_b[f] * slope[g + 1]
        if (a - q_left) * (q_right - a) < 0.0:
            d2 = 3.0 * (q_left - 2.0 * a + q_right)
            d2_left = q_g[g - 1] - 2.0 * q_left + q_right
            d2_right = q_left - 2.0 * q_right + q_g[g + 2]
            d2_lim = _same_sign_min(d2, _CS08_C * d2_left, _CS08_C * d2_right, d2)
            a = 0.5 * (q_left + q_right) - d2_lim / 6.0
        face_q[f] = a


@njit(cache=True, error_model="numpy")
def _limit_cs08(q_g, g, a_left, a_right):
    """Cell limiter of Colella and Sekora (2008): at an extremum keep the parabola's curvature where the
    neighbouring second differences agree in sign (else flatten); elsewhere CW84's overshoot correction."""
    q_mean = q_g[g]
    if (a_right - q_mean) * (q_mean - a_left) <= 0.0 or (q_g[g - 1] - q_mean) * (q_mean - q_g[g + 1]) <= 0.0:
        d2 = 6.0 * (a_left + a_right - 2.0 * q_mean)
        d2_c = q_g[g - 1] - 2.0 * q_mean + q_g[g + 1]
        d2_l = q_g[g - 2] - 2.0 * q_g[g - 1] + q_mean
        d2_r = q_mean - 2.0 * q_g[g + 1] + q_g[g + 2]
        d2_lim = _same_sign_min(d2, _CS08_C * d2_c, _CS08_C * d2_l, _CS08_C * d2_r)
        if d2 != 0.0:
            ratio = d2_lim / d2
            return q_mean + (a_left - q_mean) * ratio, q_mean + (a_right - q_mean) * ratio
        return q_mean, q_mean
    if abs(a_right - q_mean) >= 2.0 * abs(a_left - q_mean):
        a_right = q_mean - 2.0 * (a_left - q_mean)
    if abs(a_left - q_mean) >= 2.0 * abs(a_right - q_mean):
        a_left = q_mean - 2.0 * (a_right - q_mean)
    return a_left, a_right


# ----------------------------------------------------------------------------------------------------------------
# Face fluxes from the parabolas.
# ----------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy", inline="always")
def _parabola_fluxes(n, cs08, q_g, face_q, air_cross, courant, q_in_low, q_in_high, flux):
    """Tracer mass through every face: the crossing air mass times the mean mixing ratio of the upwind cell's
    limited parabola over the departing air (CW84 eq. 1.12); at an inflow boundary, times the inflow value.
    Each flux has the sign of the air flux (means are clipped at zero)."""
    for f in range(n + 1):
        flux[f] = 0.0
    if air_cross[0] > 0.0:
        flux[0] = air_cross[0] * q_in_low
    if air_cross[n] < 0.0:
        flux[n] = air_cross[n] * q_in_high
    for i in range(n):
        out_right = air_cross[i + 1] > 0.0
        out_left = air_cross[i] < 0.0
        if not (out_right or out_left):
            continue
        q_mean = q_g[i + 2]
        if cs08:
            a_left, a_right = _limit_cs08(q_g, i + 2, face_q[i], face_q[i + 1])
        else:
            a_left, a_right = _limit_cw84(q_mean, face_q[i], face_q[i + 1])
        da = a_right - a_left                                   # CW84 eq. 1.5
        a6 = 6.0 * (q_mean - 0.5 * (a_left + a_right))
        if out_right:
            x = courant[i + 1]
            mean = a_right - 0.5 * x * (da - (1.0 - 2.0 / 3.0 * x) * a6)   # CW84 eq. 1.12, f_{j+1/2,L}
            flux[i + 1] = air_cross[i + 1] * max(mean, 0.0)
        if out_left:
            x = courant[i]
            mean = a_left + 0.5 * x * (da + (1.0 - 2.0 / 3.0 * x) * a6)    # CW84 eq. 1.12, f_{j+1/2,R}
            flux[i] = air_cross[i] * max(mean, 0.0)


_EPSILON = 2.220446049250313e-16


@njit(cache=True, error_model="numpy", inline="always")
def _is_extreme(q_g, g):
    """Local maximum or minimum of padded cell g; a flat neighbourhood counts (our reading)."""
    return (q_g[g + 1] - q_g[g]) * (q_g[g] - q_g[g - 1]) <= 0.0


@njit(cache=True, error_model="numpy", inline="always")
def _walcek_cell(i, tracer, air, air_cross, courant, mass_g, q_g, flux):
    """Outgoing fluxes of cell i (one or two faces) for the scheme of Walcek (2000), JGR 105, 9335-9348.

    Outflow mixing ratio (Walcek's second-order upstream value with his extremum adjustment):
        q_f = q_i +- alpha (1 - c) (q_{i+1} - q_{i-1}) m_i / (m_{i-1} + 2 m_i + m_{i+1})
    (on a uniform grid his (1 - c)(q_{i+1} - q_{i-1}) / 4: the mean, over the departing air, of the linear profile
    with the centred slope; here written per unit air mass), with alpha = 1 in general,
    alpha = max(1.5, 1.2 + 0.6 c) when the upwind neighbour is a local extreme, alpha = 1.75 - 0.45 c when the
    downwind neighbour is one (this takes precedence), and q_f = q_i when cell i itself is an extreme. q_f is kept
    between q_i and the downwind cell's q. Then the deviations q_f - q_i of the cell's outflows are scaled by one
    factor theta in [0, 1] so that the cell's new mixing ratio, with its inflows already known, stays within the
    old range of q_{i-1}, q_i, q_{i+1} (theta = 0 is donor cell, which always satisfies it); this bounding step is
    written here in mass form after Walcek's monotonic limiter. The inflows of cell i must already be in flux.
    """
    g = i + 2
    q = q_g[g]
    q_left_cell = q_g[g - 1]
    q_right_cell = q_g[g + 1]
    weight = mass_g[g] / (mass_g[g - 1] + 2.0 * mass_g[g] + mass_g[g + 1])
    centred = (q_right_cell - q_left_cell) * weight
    here_extreme = _is_extreme(q_g, g)
    out_right = air_cross[i + 1] > 0.0
    out_left = air_cross[i] < 0.0
    air_out = 0.0
    dev_right = 0.0
    dev_left = 0.0
    if out_right:
        air_out += air_cross[i + 1]
        if not here_extreme:
            c = courant[i + 1]
            alpha = 1.0
            if _is_extreme(q_g, g + 1):          # downwind neighbour (Walcek 2000)
                alpha = 1.75 - 0.45 * c
            elif _is_extreme(q_g, g - 1):        # upwind neighbour (Walcek 2000)
                alpha = max(1.5, 1.2 + 0.6 * c)
            q_f = q + alpha * (1.0 - c) * centred
            q_f = min(max(q_f, min(q, q_right_cell)), max(q, q_right_cell))
            dev_right = q_f - q
    if out_left:
        air_out -= air_cross[i]
        if not here_extreme:
            c = courant[i]
            alpha = 1.0
            if _is_extreme(q_g, g - 1):          # downwind neighbour of a leftward outflow
                alpha = 1.75 - 0.45 * c
            elif _is_extreme(q_g, g + 1):        # upwind neighbour
                alpha = max(1.5, 1.2 + 0.6 * c)
            q_f = q - alpha * (1.0 - c) * centred
            q_f = min(max(q_f, min(q, q_left_cell)), max(q, q_left_cell))
            dev_left = q_f - q
    tracer_in = 0.0
    air_in = 0.0
    if air_cross[i] > 0.0:
        tracer_in += flux[i]
        air_in += air_cross[i]
    if air_cross[i + 1] < 0.0:
        tracer_in -= flux[i + 1]
        air_in -= air_cross[i + 1]
    air_new = air[i] + (air_cross[i] - air_cross[i + 1])   # as the driver will update it
    donor = tracer[i] + (tracer_in - air_out * q)          # new tracer mass with theta = 0
    change = 0.0                                            # d(new tracer mass) / d(theta)
    if out_right:
        change -= air_cross[i + 1] * dev_right
    if out_left:
        change += air_cross[i] * dev_left
    q_max = max(max(q_left_cell, q), q_right_cell)
    q_min = min(min(q_left_cell, q), q_right_cell)
    theta = 1.0
    if change > 0.0:
        theta = min(1.0, (q_max * air_new - donor) / change)
    elif change < 0.0:
        theta = min(1.0, (donor - q_min * air_new) / -change)
    if theta < 0.0:
        theta = 0.0
    # Set the fluxes; if rounding puts the new mixing ratio (computed exactly as the update will) a few units
    # outside the bounds, step theta back by the shortfall (twice over) and try again, then fall back to donor cell.
    for attempt in range(4):
        if out_right:
            flux[i + 1] = air_cross[i + 1] * (q + theta * dev_right)
        if out_left:
            flux[i] = air_cross[i] * (q + theta * dev_left)
        if theta == 0.0 or change == 0.0:
            break
        incoming = max(flux[i], 0.0) - min(flux[i + 1], 0.0)
        outgoing = max(flux[i + 1], 0.0) - min(flux[i], 0.0)
        q_new = (tracer[i] + (incoming - outgoing)) / air_new
        if q_new < q_min:
            shortfall = (q_min - q_new) * air_new
        elif q_new > q_max:
            shortfall = (q_new - q_max) * air_new
        else:
            break
        theta = theta - 2.0 * shortfall / abs(change) - 4.0 * _EPSILON * theta
        if theta < 0.0 or attempt == 2:
            theta = 0.0
    # Round-off guard (the donor-cell fallback can be a last bit short): never send out more than the cell holds
    # plus what it receives in this sub-step.
    outgoing = max(flux[i + 1], 0.0) - min(flux[i], 0.0)
    available = tracer[i] + tracer_in
    if outgoing > available:
        scale = available / outgoing
        if out_right:
            flux[i + 1] *= scale
        if out_left:
            flux[i] *= scale


@njit(cache=True, error_model="numpy", inline="always")
def _walcek_fluxes(n, tracer, air, air_cross, courant, mass_g, q_g, q_in_low, q_in_high, flux):
    """All face fluxes of one line for the Walcek scheme. A cell's outflow depends on its inflow, so the faces
    with rightward flow are done left to right and those with leftward flow right to left; a cell with outflow
    on both sides (no inflow) does both of its faces at once, in the first pass."""
    for f in range(n + 1):
        flux[f] = 0.0
    if air_cross[0] > 0.0:
        flux[0] = air_cross[0] * q_in_low
    if air_cross[n] < 0.0:
        flux[n] = air_cross[n] * q_in_high
    for f in range(1, n + 1):
        if air_cross[f] > 0.0:
            _walcek_cell(f - 1, tracer, air, air_cross, courant, mass_g, q_g, flux)
    for f in range(n - 1, -1, -1):
        if air_cross[f] < 0.0 and not air_cross[f + 1] > 0.0:
            _walcek_cell(f, tracer, air, air_cross, courant, mass_g, q_g, flux)


# ----------------------------------------------------------------------------------------------------------------
# One species, one line, one sub-step.
# ----------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy", inline="always")
def _advance_line(tracer_row, cell0, cell_step, tracer, air, inv_air, air_cross, courant, q_in_low, q_in_high,
                  scheme, mass_g, slope_c1, slope_c2, face_w, face_b, face_c, q_g, slope, face_q, flux):
    """Advance the tracer mass of one species on one line by one sub-step; return the boundary inflows (kg).

    tracer_row: the species' flattened tracer mass; the line's cells are tracer_row[cell0 + i*cell_step]
    (read, and written back updated). air, inv_air: air mass of the cells at the start of the sub-step and its
    reciprocal; air_cross: air mass crossing each face during the sub-step (F dt_s, kg); courant, mass_g and the
    coefficients: see _line_geometry. q_in_low / q_in_high: inflow mixing ratios.
    Work arrays: tracer (n), q_g, slope (n+4), face_q, flux (n+1).
    Returns (tracer mass entering through face 0, tracer mass entering through face n).
    """
    n = tracer.shape[0]

    # Gather; mixing ratios with ghosts: inflow value where air enters, else zero gradient.
    for i in range(n):
        t = tracer_row[cell0 + i * cell_step]
        tracer[i] = t
        q_g[i + 2] = t * inv_air[i]
    q_low = q_in_low if air_cross[0] > 0.0 else q_g[2]
    q_high = q_in_high if air_cross[n] < 0.0 else q_g[n + 1]
    q_g[0] = q_low
    q_g[1] = q_low
    q_g[n + 2] = q_high
    q_g[n + 3] = q_high

    if scheme == SCHEME_WALCEK:
        _walcek_fluxes(n, tracer, air, air_cross, courant, mass_g, q_g, q_in_low, q_in_high, flux)
    elif scheme == SCHEME_PPM_CS08:
        _face_values_cs08(n, q_g, slope_c1, slope_c2, face_w, face_b, face_c, slope, face_q)
        _parabola_fluxes(n, True, q_g, face_q, air_cross, courant, q_in_low, q_in_high, flux)
    else:
        _face_values_cw84(n, q_g, slope_c1, slope_c2, face_w, face_b, face_c, slope, face_q)
        _parabola_fluxes(n, False, q_g, face_q, air_cross, courant, q_in_low, q_in_high, flux)

    # Never take more than a cell holds: the upwind cell owns the flux through a face (every flux has the sign
    # of the air flux) and scales its outgoing fluxes down to its content. For PPM this is a round-off guard (in
    # exact arithmetic the integrals over the departing air are at most the cell's content); the Walcek cell
    # routine applies its own guard (outgoing <= content + incoming) before its neighbours use the fluxes.
    if scheme != SCHEME_WALCEK:
        for i in range(n):
            outgoing = max(flux[i + 1], 0.0) - min(flux[i], 0.0)
            if outgoing > tracer[i]:
                scale = tracer[i] / outgoing
                if flux[i + 1] > 0.0:
                    flux[i + 1] *= scale
                if flux[i] < 0.0:
                    flux[i] *= scale

    # Update and scatter. With outgoing <= tracer, tracer + (incoming - outgoing) >= 0 (rounding is monotone);
    # a negative value can only be a last-bit remainder of the round-off guards and is set to zero. The form
    # leaves a cell bitwise unchanged when equal fluxes enter and leave it.
    for i in range(n):
        f_left = flux[i]
        f_right = flux[i + 1]
        outgoing = max(f_right, 0.0) - min(f_left, 0.0)
        incoming = max(f_left, 0.0) - min(f_right, 0.0)
        new = tracer[i] + (incoming - outgoing)
        tracer_row[cell0 + i * cell_step] = new if new > 0.0 else 0.0
    return flux[0], -flux[n]


# ----------------------------------------------------------------------------------------------------------------
# Sub-step count of one line.
# ----------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy", inline="always")
def _substeps(air, face_flux, dt, cfl_max):
    """n_sub for one line, or -1 when a cell would end with no air (or a non-finite Courant number)."""
    n = air.shape[0]
    worst = 0.0
    for i in range(n):
        f_left = face_flux[i]
        f_right = face_flux[i + 1]
        leaving = max(f_right, 0.0) + max(-f_left, 0.0)
        if leaving == 0.0:
            continue
        air_end = air[i] + dt * (f_left - f_right)
        smallest = min(air[i], air_end)
        if not smallest > 0.0:
            return -1
        ratio = leaving * dt / smallest
        if ratio > worst:
            worst = ratio
    steps = worst / cfl_max
    if not steps < 1.0e9:
        return -1
    return max(1, int(math.ceil(steps)))


# ----------------------------------------------------------------------------------------------------------------
# Public entry point: one prange over lines, with strides telling where a line's cells and faces are.
# ----------------------------------------------------------------------------------------------------------------
@njit(parallel=True, cache=True, error_model="numpy")
def advect(tracer_mass, air_mass, air_mass_flux, dt, axis, inflow_low, inflow_high,
           boundary_transport, cfl_max, scheme):
    """Advect tracer mass and air mass along one axis for dt seconds; return the largest sub-step count.

    tracer_mass: float64[ns, nz, ny, nx] (kg), updated in place.
    air_mass: float64[nz, ny, nx] (kg), updated in place: m_i += dt (F_i - F_{i+1}) along the axis.
    air_mass_flux: kg/s through each face, positive towards increasing index;
        axis 2 (x): [nz, ny, nx+1]; axis 1 (y): [nz, ny+1, nx]; axis 0 (z): [nz+1, ny, nx].
    dt: seconds. axis: 0 (z), 1 (y) or 2 (x).
    inflow_low / inflow_high: mixing ratio (kg/kg) of air entering through the low / high boundary face;
        axis 2: [ns, nz, ny]; axis 1: [ns, nz, nx]; axis 0: [ns, ny, nx]. Used only where the flux enters.
    boundary_transport: float64[2, ns, <as inflow>], filled with the tracer mass (kg) that entered through the
        low ([0]) and high ([1]) boundary faces during the call (negative: it left).
    cfl_max: largest fraction of a cell's air that may leave it in one sub-step, 0 < cfl_max <= 1.
    scheme: SCHEME_PPM (0), SCHEME_WALCEK (1) or SCHEME_PPM_CS08 (2).
    Returns the largest number of sub-steps used by any line, or ERROR_INFEASIBLE_FLUX (-1) when the fluxes
    would empty a cell of air during the call (those lines are left unchanged, their boundary transport is 0).
    Raises ValueError for an unknown axis or scheme, cfl_max outside (0, 1], or arrays of the wrong shape.
    """
    ns, nz, ny, nx = tracer_mass.shape
    if scheme != SCHEME_PPM and scheme != SCHEME_WALCEK and scheme != SCHEME_PPM_CS08:
        raise ValueError("advect: unknown scheme")
    if not (cfl_max > 0.0 and cfl_max <= 1.0):
        raise ValueError("advect: cfl_max must be in (0, 1]")
    if air_mass.shape != (nz, ny, nx):
        raise ValueError("advect: air_mass shape does not match tracer_mass")
    # Line (a, b) has its cells at a*cell_outer + b*cell_inner + i*cell_step of the flattened [nz*ny*nx] arrays,
    # its faces at a*face_outer + b*face_inner + f*face_step of the flattened flux, and its inflow and
    # boundary-transport entries at [..., a, b].
    if axis == 2:      # lines (k, j); cells i contiguous; faces [nz, ny, nx+1]
        n, n_outer, n_inner = nx, nz, ny
        cell_outer, cell_inner, cell_step = ny * nx, nx, 1
        face_outer, face_inner, face_step = ny * (nx + 1), nx + 1, 1
        face_shape = (nz, ny, nx + 1)
    elif axis == 1:    # lines (k, i); cells j at stride nx; faces [nz, ny+1, nx]
        n, n_outer, n_inner = ny, nz, nx
        cell_outer, cell_inner, cell_step = ny * nx, 1, nx
        face_outer, face_inner, face_step = (ny + 1) * nx, 1, nx
        face_shape = (nz, ny + 1, nx)
    elif axis == 0:    # lines (j, i); cells k at stride ny*nx; faces [nz+1, ny, nx]
        n, n_outer, n_inner = nz, ny, nx
        cell_outer, cell_inner, cell_step = nx, 1, ny * nx
        face_outer, face_inner, face_step = nx, 1, ny * nx
        face_shape = (nz + 1, ny, nx)
    else:
        raise ValueError("advect: axis must be 0 (z), 1 (y) or 2 (x)")
    if air_mass_flux.shape != face_shape:
        raise ValueError("advect: air_mass_flux shape does not match the axis")
    if inflow_low.shape != (ns, n_outer, n_inner) or inflow_high.shape != (ns, n_outer, n_inner):
        raise ValueError("advect: inflow shape does not match the axis")
    if boundary_transport.shape != (2, ns, n_outer, n_inner):
        raise ValueError("advect: boundary_transport shape does not match the axis")

    tracer_flat = tracer_mass.reshape(ns, nz * ny * nx)
    air_flat = air_mass.reshape(nz * ny * nx)
    flux_flat = air_mass_flux.reshape(air_mass_flux.size)
    n_lines = n_outer * n_inner
    n_tasks = (n_lines + _LINES_PER_TASK - 1) // _LINES_PER_TASK
    steps_used = np.zeros(n_lines, dtype=np.int64)
    for task in prange(n_tasks):
        # Work buffers, once per task of _LINES_PER_TASK lines.
        work = np.empty((_N_WORK, n + 2 * _GHOSTS))
        air = work[0, :n]
        face_flux = work[1, :n + 1]
        air_cross = work[2, :n + 1]
        courant = work[3, :n + 1]
        tracer = work[4, :n]
        mass_g = work[5]
        slope_c1 = work[6]
        slope_c2 = work[7]
        face_w = work[8, :n + 1]
        face_b = work[9, :n + 1]
        face_c = work[10, :n + 1]
        q_g = work[11]
        slope = work[12]
        face_q = work[13, :n + 1]
        flux = work[14, :n + 1]
        inv_pair = work[15]
        inv_air = work[16, :n]

        for line in range(task * _LINES_PER_TASK, min(n_lines, (task + 1) * _LINES_PER_TASK)):
            a = line // n_inner
            b = line - a * n_inner
            cell0 = a * cell_outer + b * cell_inner
            face0 = a * face_outer + b * face_inner
            for s in range(ns):
                boundary_transport[0, s, a, b] = 0.0
                boundary_transport[1, s, a, b] = 0.0
            moving = False
            for f in range(n + 1):
                face_flux[f] = flux_flat[face0 + f * face_step]
                if face_flux[f] != 0.0:
                    moving = True
            if not moving:          # zero flux: leave the line untouched (bitwise)
                steps_used[line] = 1
                continue
            for i in range(n):
                air[i] = air_flat[cell0 + i * cell_step]
            n_sub = _substeps(air, face_flux, dt, cfl_max)
            steps_used[line] = n_sub
            if n_sub < 0:
                continue
            dt_sub = dt / n_sub
            for f in range(n + 1):
                air_cross[f] = face_flux[f] * dt_sub
            for step in range(n_sub):
                _line_geometry(air, air_cross, mass_g, inv_pair, inv_air, slope_c1, slope_c2, face_w, face_b, face_c,
                               courant)
                for s in range(ns):
                    into_low, into_high = _advance_line(
                        tracer_flat[s], cell0, cell_step, tracer, air, inv_air, air_cross, courant,
                        inflow_low[s, a, b], inflow_high[s, a, b], scheme,
                        mass_g, slope_c1, slope_c2, face_w, face_b, face_c, q_g, slope, face_q, flux)
                    boundary_transport[0, s, a, b] += into_low
                    boundary_transport[1, s, a, b] += into_high
                # Air moves with the same fluxes.
                for i in range(n):
                    air[i] += air_cross[i] - air_cross[i + 1]
            for i in range(n):
                air_flat[cell0 + i * cell_step] = air[i]

    # Serial reduction of the per-line counts (no cross-thread reduction).
    largest = 0
    for line in range(n_lines):
        if steps_used[line] < 0:
            return ERROR_INFEASIBLE_FLUX
        if steps_used[line] > largest:
            largest = steps_used[line]
    return largest
