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
  maximum 4.84, L1 error about that of PPM); it tends to square off smooth shapes (rotating cosine bell: three
  times PPM's L1 error; benchmarks/lauritzen.py). Recommended where peak preservation matters and features span
  few cells; on smooth fields resolved by about 20 cells or more PPM is more accurate and cheaper.
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

Organisation (speed): the lines are advanced in blocks of up to ``_LANES`` neighbouring lines, one line per SIMD
lane. A block's work array holds, for every row along the line, one record of fields (air mass, Courant number,
mixing ratio, face value, flux, ...), each a vector over the lanes, and every loop over the lanes is written so that
the compiler turns it into SIMD code (see the comment above the field list). A line's cells depend on each other
(Walcek: a cell's outflow depends on its inflow), lines do not, so vectorizing across lines keeps every scheme's
order of operations along a line: each lane computes, operation for operation, what a line-by-line loop computes.
The y and z sweeps take a block from neighbouring columns of a plane (contiguous in memory); the x sweep takes
neighbouring rows and transposes them on the way in and out. Branches become per-lane selects; the rare Walcek
cells whose bound needs more than one try are finished one by one by the same cell routine. The line geometry (air
mass, Courant numbers, the mass weights of CW84 eqs. 1.6-1.7) is computed once per block and sub-step and shared
by all species. A line keeps its own sub-step count: a lane that has done its sub-steps stands still (no air
crosses its faces) while the others go on.

Determinism: every block is computed by one thread from its own data, in a fixed lane layout; there are no
cross-thread reductions, so results are bitwise independent of the number of Numba threads. fastmath is off (no
reassociation, no contraction into fused multiply-adds), so a vector lane computes what a scalar loop would.
"""

import math

import numpy as np
from numba import njit

from .threads import run_tasks

SCHEME_PPM = 0
SCHEME_WALCEK = 1
SCHEME_PPM_CS08 = 2

# Return value of advect() when, for some line, the fluxes would remove more air from a cell than it holds
# over the call (air mass at the end <= 0) or give a non-finite Courant number; such lines are left unchanged.
ERROR_INFEASIBLE_FLUX = -1

_GHOSTS = 2          # ghost cells on each side of a line
_LANES = 32          # lines advanced together, one per vector lane (a block)
_VECTOR = 8          # the lanes of a block's work array are a multiple of this (the SIMD width for float64)
_BLOCKS_PER_TASK = 4  # blocks of lines per task (one set of work arrays per task) ...
_MIN_TASKS = 8        # ... fewer where that would leave fewer tasks than this (small grids: keep every thread busy)

# The work array of a block, w[row, field, lane]: one record of fields per row (cell i, padded cell g = i + 2 or
# face f, as noted) and lane. One array rather than one per field lets the compiler see that the fields never
# overlap. The lane count of w is _LANES, or fewer for the last block of a plane (rounded up to _VECTOR lanes;
# the lanes of lines that do not exist are padding). Vectorization rules followed below (LLVM turns a lane loop
# into SIMD code only then): a lane loop runs to nl = min(w.shape[2], _LANES) (a constant count would have short
# loops unrolled instead, an unbounded one would get too wide a vector body), loads the values it uses outside any
# condition and selects between values rather than between loads (a condition on a load becomes a masked load,
# which stalls on a value just stored), never loads and stores the same element, and calls no function that is
# inlined before compilation and takes an array argument (its reference counting would stay a call).
_FACE_FLUX = 0       # face: air-mass flux F (kg/s)
_AIR = 1             # cell: air mass at the start of the sub-step
_CROSS = 2           # face: air mass crossing in the sub-step, F dt_s (0 for a line that stands still)
_COURANT = 3         # face: fraction of the upwind cell's air crossing (0 where the upwind side is outside)
_INV_AIR = 4         # cell: 1 / air mass
_MASS = 5            # padded cell: air mass with two ghosts each side (ghosts repeat the edge cell)
_INV_PAIR = 6        # padded cell g: 1 / (m_g + m_{g+1})
_SLOPE_C1 = 7        # padded cell: coefficients of CW84 eq. 1.7 (PPM)
_SLOPE_C2 = 8
_FACE_W = 9          # face: coefficients of CW84 eq. 1.6 (PPM)
_FACE_B = 10
_FACE_C = 11
_WALCEK_W = 12       # cell: m_i / (m_{i-1} + 2 m_i + m_{i+1}) (Walcek)
_AIR_NEW = 13        # cell: air mass at the end of the sub-step (Walcek)
_TRACER = 14         # cell: tracer mass of the species at the start of the sub-step
_Q = 15              # padded cell: mixing ratio with ghosts
_SLOPE = 16          # padded cell: monotonized (CW84) or unlimited (CS08) slope
_FACE_Q = 17         # face: face mixing ratio
_MEAN_LEFT = 18      # cell: mean mixing ratio of the air leaving through the left face
_MEAN_RIGHT = 19     # cell: ... through the right face
_FLUX = 20           # face: tracer mass crossing in the sub-step
_NEW = 21            # cell: tracer mass at the end of the sub-step
_Q_IN_LOW = 22       # row 0: inflow mixing ratio of the species at the low boundary
_Q_IN_HIGH = 23      # row 0: ... at the high boundary
_DT_SUB = 24         # row 0: sub-step length of the line
_N_FIELDS = 25


# ----------------------------------------------------------------------------------------------------------------
# Moving lines between the model arrays and the work array of a block.
# ----------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def _gather(rows, lanes, src, base, stride, along_line, w, field, buf):
    """w[i, field, l] = value of cell (or face) i of line l, for i < rows and l < lanes.

    along_line: the lines' cells are contiguous (x sweep), line l at src[base + l*stride + i]; the block of lines
    is copied in one piece into buf, then transposed. Otherwise the lanes are contiguous (y and z sweeps), at
    src[base + i*stride + l]. (Indexing slices from offset 0 keeps the compiler from using gather and scatter
    instructions, which are slow here.)
    """
    if along_line:
        block = src[base:base + lanes * stride]
        buf[:block.size] = block
        for i in range(rows):
            for l in range(lanes):
                w[i, field, l] = buf[l * stride + i]
    else:
        for i in range(rows):
            row = src[base + i * stride:base + i * stride + lanes]
            for l in range(lanes):
                w[i, field, l] = row[l]


@njit(cache=True, error_model="numpy")
def _scatter(rows, lanes, dst, base, stride, along_line, w, field, moving, buf):
    """Inverse of _gather, for the lanes l < lanes with moving[l] > 0 (the others are left untouched)."""
    every = True
    for l in range(lanes):
        every = every and moving[l] > 0
    if along_line:
        for i in range(rows):
            for l in range(lanes):
                buf[l * stride + i] = w[i, field, l]
        for l in range(lanes):
            if moving[l] > 0:
                dst[base + l * stride:base + l * stride + rows] = buf[l * stride:l * stride + rows]
    elif every:
        for i in range(rows):
            row = dst[base + i * stride:base + i * stride + lanes]
            for l in range(lanes):
                row[l] = w[i, field, l]
    else:
        for i in range(rows):
            row = dst[base + i * stride:base + i * stride + lanes]
            for l in range(lanes):
                if moving[l] > 0:
                    row[l] = w[i, field, l]


# ----------------------------------------------------------------------------------------------------------------
# Sub-step count of each line of a block.
# ----------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def _substeps(n, dt, cfl_max, w, worst, n_sub):
    """n_sub[l] for each lane: 0 for a line without flux (left untouched), -1 when a cell would end with no air
    (or the Courant number is not finite), else max(1, ceil(max_i(out_i dt / smallest air mass) / cfl_max)).
    worst: work vector."""
    nl = min(w.shape[2], _LANES)      # lane count (see the field list)
    for l in range(nl):
        worst[l] = 0.0
        n_sub[l] = 0          # 0: no flux through any face; 1: moving; -1: a cell runs out of air
    for i in range(n):
        for l in range(nl):
            f_left = w[i, _FACE_FLUX, l]
            f_right = w[i + 1, _FACE_FLUX, l]
            air = w[i, _AIR, l]
            largest = worst[l]
            state = n_sub[l]
            leaving = max(f_right, 0.0) + max(-f_left, 0.0)
            smallest = min(air, air + dt * (f_left - f_right))
            ratio = leaving * dt / smallest
            counts = leaving != 0.0
            n_sub[l] = -1 if ((counts and not smallest > 0.0) or state < 0) else (
                1 if (f_left != 0.0 or f_right != 0.0 or state > 0) else 0)
            worst[l] = ratio if (counts and ratio > largest) else largest
    for l in range(nl):
        if n_sub[l] > 0:
            steps = worst[l] / cfl_max
            n_sub[l] = max(1, int(math.ceil(steps))) if steps < 1.0e9 else -1


# ----------------------------------------------------------------------------------------------------------------
# Geometry of the block's lines for one sub-step, shared by every species: Courant fractions, and the
# mass-weighted coefficients of CW84 eqs. 1.6 and 1.7 (PPM) or Walcek's weights (Walcek).
# ----------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def _geometry(n, walcek, ppm, w):
    """Fill the per-sub-step fields of the block from _AIR and _CROSS (see the field list):
    _MASS, _INV_AIR, _COURANT; PPM: _INV_PAIR, _SLOPE_C1/2 (padded cells 1..n+2), _FACE_W/B/C, with
      delta a_g = c1 (a_{g+1} - a_g) + c2 (a_g - a_{g-1})                                  (CW84 eq. 1.7),
      a_f = a_L + w (a_R - a_L) + c delta a_L - b delta a_R,  L = g = f+1, R = g+1          (CW84 eq. 1.6);
    Walcek: _WALCEK_W, _AIR_NEW. walcek, ppm: the scheme markers (_SCHEME_MARKERS).
    """
    nl = min(w.shape[2], _LANES)      # lane count (see the field list)
    for i in range(n):
        for l in range(nl):
            air = w[i, _AIR, l]
            w[i + 2, _MASS, l] = air
            w[i, _INV_AIR, l] = 1.0 / air
    for l in range(nl):
        air_low = w[0, _AIR, l]
        air_high = w[n - 1, _AIR, l]
        w[0, _MASS, l] = air_low
        w[1, _MASS, l] = air_low
        w[n + 2, _MASS, l] = air_high
        w[n + 3, _MASS, l] = air_high

    # Courant fraction: of cell f-1 for flow towards +, of cell f for flow towards -.
    for l in range(nl):
        c_low = w[0, _CROSS, l]
        c_high = w[n, _CROSS, l]
        inv_low = w[0, _INV_AIR, l]
        inv_high = w[n - 1, _INV_AIR, l]
        w[0, _COURANT, l] = -c_low * inv_low if c_low < 0.0 else 0.0
        w[n, _COURANT, l] = c_high * inv_high if c_high > 0.0 else 0.0
    for f in range(1, n):
        for l in range(nl):
            c = w[f, _CROSS, l]
            inv_left = w[f - 1, _INV_AIR, l]
            inv_right = w[f, _INV_AIR, l]
            w[f, _COURANT, l] = c * inv_left if c > 0.0 else (-c * inv_right if c < 0.0 else 0.0)

    if walcek is not None:
        for i in range(n):
            g = i + 2
            for l in range(nl):
                m = w[g, _MASS, l]
                w[i, _WALCEK_W, l] = m / (w[g - 1, _MASS, l] + 2.0 * m + w[g + 1, _MASS, l])
                # as the driver will update it
                w[i, _AIR_NEW, l] = w[i, _AIR, l] + (w[i, _CROSS, l] - w[i + 1, _CROSS, l])
        return
    if ppm is None:       # never at run time: leaves the rest out of Walcek's compiled code
        return

    # Reciprocal of the air mass of each pair of neighbours (shared by eqs. 1.6 and 1.7).
    for g in range(n + 3):
        for l in range(nl):
            w[g, _INV_PAIR, l] = 1.0 / (w[g, _MASS, l] + w[g + 1, _MASS, l])

    # CW84 eq. 1.7, with Delta xi = air mass.
    for g in range(1, n + 3):
        for l in range(nl):
            dm_minus = w[g - 1, _MASS, l]
            dm = w[g, _MASS, l]
            dm_plus = w[g + 1, _MASS, l]
            weight = dm / (dm_minus + dm + dm_plus)
            w[g, _SLOPE_C1, l] = weight * (2.0 * dm_minus + dm) * w[g, _INV_PAIR, l]
            w[g, _SLOPE_C2, l] = weight * (dm + 2.0 * dm_plus) * w[g - 1, _INV_PAIR, l]

    # CW84 eq. 1.6 for the face between g = f+1 and g+1 (face f of the line).
    for f in range(n + 1):
        g = f + 1
        for l in range(nl):
            d0 = w[g - 1, _MASS, l]
            d1 = w[g, _MASS, l]
            d2 = w[g + 1, _MASS, l]
            d3 = w[g + 2, _MASS, l]
            inv_pair = w[g, _INV_PAIR, l]
            inv_total = 1.0 / (d0 + d1 + d2 + d3)
            inv_right = 1.0 / (2.0 * d2 + d1)
            left = (d0 + d1) / (2.0 * d1 + d2)
            right = (d3 + d2) * inv_right
            pair = 2.0 * d2 * d1 * inv_pair * (left - right)
            w[f, _FACE_W, l] = d1 * inv_pair + pair * inv_total
            w[f, _FACE_B, l] = d1 * left * inv_total
            w[f, _FACE_C, l] = d2 * (d2 + d3) * inv_right * inv_total


@njit(cache=True, error_model="numpy")
def _mixing_ratios(n, w):
    """_Q[i+2] = tracer[i] / air[i]; ghosts: the inflow value where air enters, else zero gradient."""
    nl = min(w.shape[2], _LANES)      # lane count (see the field list)
    for i in range(n):
        for l in range(nl):
            w[i + 2, _Q, l] = w[i, _TRACER, l] * w[i, _INV_AIR, l]
    for l in range(nl):
        c_low = w[0, _CROSS, l]
        c_high = w[n, _CROSS, l]
        q_in_low = w[0, _Q_IN_LOW, l]
        q_in_high = w[0, _Q_IN_HIGH, l]
        q_first = w[2, _Q, l]
        q_last = w[n + 1, _Q, l]
        q_low = q_in_low if c_low > 0.0 else q_first
        q_high = q_in_high if c_high < 0.0 else q_last
        w[0, _Q, l] = q_low
        w[1, _Q, l] = q_low
        w[n + 2, _Q, l] = q_high
        w[n + 3, _Q, l] = q_high


# ----------------------------------------------------------------------------------------------------------------
# Reconstruction: face values and limited cell edges (scalar formulas, applied lane by lane).
# ----------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy", inline="always")
def _slope_cw84(q_minus, q, q_plus, c1, c2):
    """Monotonized slope of a cell: CW84 eq. 1.7, limited by eq. 1.8 (zero at an extremum)."""
    d_right = q_plus - q
    d_left = q - q_minus
    s = c1 * d_right + c2 * d_left                                  # eq. 1.7
    bound = 2.0 * min(abs(d_left), abs(d_right))                    # eq. 1.8
    s = min(max(s, -bound), bound)
    return s if d_right * d_left > 0.0 else 0.0


@njit(cache=True, error_model="numpy", inline="always")
def _limit_cw84(q_mean, a_left, a_right):
    """CW84 eq. 1.10: flatten at an extremum, else pull the far edge in so the parabola stays monotone."""
    extremum = (a_right - q_mean) * (q_mean - a_left) <= 0.0
    da = a_right - a_left
    a6 = 6.0 * (q_mean - 0.5 * (a_left + a_right))
    steep_left = da * a6 > da * da
    steep_right = -da * da > da * a6
    new_left = 3.0 * q_mean - 2.0 * a_right if steep_left else a_left
    new_right = 3.0 * q_mean - 2.0 * a_left if (steep_right and not steep_left) else a_right
    return (q_mean if extremum else new_left), (q_mean if extremum else new_right)


@njit(cache=True, error_model="numpy", inline="always")
def _same_sign_min(x0, x1, x2, x3):
    """sign * min(|x|) when all four have one sign, else 0 (the curvature limiter of Colella and Sekora 2008)."""
    if x0 > 0.0 and x1 > 0.0 and x2 > 0.0 and x3 > 0.0:
        return min(min(x0, x1), min(x2, x3))
    if x0 < 0.0 and x1 < 0.0 and x2 < 0.0 and x3 < 0.0:
        return max(max(x0, x1), max(x2, x3))
    return 0.0


_CS08_C = 1.25   # Colella and Sekora (2008), their constant C


@njit(cache=True, error_model="numpy", inline="always")
def _slope_cs08(q_minus, q, q_plus, c1, c2):
    """Unlimited slope of a cell (CW84 eq. 1.7), for the face values of Colella and Sekora (2008)."""
    return c1 * (q_plus - q) + c2 * (q - q_minus)


@njit(cache=True, error_model="numpy", inline="always")
def _face_cs08(q_far_left, q_left, q_right, q_far_right, face_w, face_b, face_c, s_left, s_right):
    """Face value of Colella and Sekora (2008): the unlimited interpolant (CW84 eq. 1.6 with the unlimited slopes
    of eq. 1.7; 7/12, -1/12 on a uniform grid), and where it leaves [q_j, q_j+1] a curvature-limited value. The
    second differences are undivided, as in the uniform-grid paper."""
    a = q_left + face_w * (q_right - q_left) + face_c * s_left - face_b * s_right
    if (a - q_left) * (q_right - a) < 0.0:
        d2 = 3.0 * (q_left - 2.0 * a + q_right)
        d2_left = q_far_left - 2.0 * q_left + q_right
        d2_right = q_left - 2.0 * q_right + q_far_right
        d2_lim = _same_sign_min(d2, _CS08_C * d2_left, _CS08_C * d2_right, d2)
        a = 0.5 * (q_left + q_right) - d2_lim / 6.0
    return a


@njit(cache=True, error_model="numpy", inline="always")
def _limit_cs08(q_ll, q_l, q_mean, q_r, q_rr, a_left, a_right):
    """Cell limiter of Colella and Sekora (2008): at an extremum keep the parabola's curvature where the
    neighbouring second differences agree in sign (else flatten); elsewhere CW84's overshoot correction.
    q_ll .. q_rr: the mixing ratios of the cell (q_mean) and its two neighbours on each side."""
    if (a_right - q_mean) * (q_mean - a_left) <= 0.0 or (q_l - q_mean) * (q_mean - q_r) <= 0.0:
        d2 = 6.0 * (a_left + a_right - 2.0 * q_mean)
        d2_c = q_l - 2.0 * q_mean + q_r
        d2_l = q_ll - 2.0 * q_l + q_mean
        d2_r = q_mean - 2.0 * q_r + q_rr
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
def _parabola_means(q_mean, a_left, a_right, c_left, c_right):
    """Mean mixing ratio of the limited parabola over the air leaving through the left face (fraction c_left of
    the cell) and through the right face (c_right): CW84 eqs. 1.5 and 1.12, clipped at zero."""
    da = a_right - a_left                                       # CW84 eq. 1.5
    a6 = 6.0 * (q_mean - 0.5 * (a_left + a_right))
    x = c_left
    mean_left = a_left + 0.5 * x * (da + (1.0 - 2.0 / 3.0 * x) * a6)     # CW84 eq. 1.12, f_{j-1/2,R}
    x = c_right
    mean_right = a_right - 0.5 * x * (da - (1.0 - 2.0 / 3.0 * x) * a6)   # CW84 eq. 1.12, f_{j+1/2,L}
    return max(mean_left, 0.0), max(mean_right, 0.0)


@njit(cache=True, error_model="numpy", inline="always")
def _upwind_flux(cross, from_left, from_right):
    """Tracer mass through a face: the crossing air times the mean mixing ratio of the air leaving the upwind
    side, from_left (>= 0) for a positive crossing, from_right (>= 0) for a negative one. Written without a
    condition (one of the two terms is an exact zero), so that the compiler loads both values plainly."""
    return max(cross, 0.0) * from_left + min(cross, 0.0) * from_right


@njit(cache=True, error_model="numpy")
def _ppm_fluxes(n, cs08, w):
    """Tracer mass through every face (_FLUX) for PPM: face values (CW84 eqs. 1.6-1.8, or Colella and Sekora
    2008 when cs08), the limited parabola of each cell (CW84 eq. 1.10, or CS08), and the crossing air mass times the
    mean mixing ratio of the upwind cell's parabola over the departing air (CW84 eq. 1.12); at an inflow boundary,
    times the inflow value. Each flux has the sign of the air flux (means are clipped at zero).
    One pass along the line, so that each row is reused while it is in the cache: at row f the slope of padded
    cell f+2 and the value of face f are formed (_SLOPE, _FACE_Q), then the parabola of cell f-1, which lies between
    faces f-1 and f (_MEAN_LEFT, _MEAN_RIGHT), then the flux through face f-1, between cells f-2 and f-1."""
    nl = min(w.shape[2], _LANES)      # lane count (see the field list)
    for l in range(nl):       # the slope of padded cell 1, for face 0
        q_minus = w[0, _Q, l]
        q = w[1, _Q, l]
        q_plus = w[2, _Q, l]
        c1 = w[1, _SLOPE_C1, l]
        c2 = w[1, _SLOPE_C2, l]
        w[1, _SLOPE, l] = _slope_cs08(q_minus, q, q_plus, c1, c2) if cs08 else _slope_cw84(q_minus, q, q_plus, c1, c2)
    for f in range(n + 1):
        g = f + 1         # face f lies between padded cells g and g+1
        if cs08:
            for l in range(nl):
                q_left = w[g, _Q, l]
                q_right = w[g + 1, _Q, l]
                q_far_right = w[g + 2, _Q, l]
                s_right = _slope_cs08(q_left, q_right, q_far_right, w[g + 1, _SLOPE_C1, l], w[g + 1, _SLOPE_C2, l])
                w[g + 1, _SLOPE, l] = s_right
                w[f, _FACE_Q, l] = _face_cs08(w[g - 1, _Q, l], q_left, q_right, q_far_right, w[f, _FACE_W, l],
                                              w[f, _FACE_B, l], w[f, _FACE_C, l], w[g, _SLOPE, l], s_right)
        else:
            for l in range(nl):
                q_left = w[g, _Q, l]
                q_right = w[g + 1, _Q, l]
                s_right = _slope_cw84(q_left, q_right, w[g + 2, _Q, l], w[g + 1, _SLOPE_C1, l], w[g + 1, _SLOPE_C2, l])
                w[g + 1, _SLOPE, l] = s_right
                a = (q_left + w[f, _FACE_W, l] * (q_right - q_left) + w[f, _FACE_C, l] * w[g, _SLOPE, l]
                     - w[f, _FACE_B, l] * s_right)                                                      # eq. 1.6
                # With the slopes of eq. 1.8 the value lies between the two cell means; the clip only removes
                # round-off.
                w[f, _FACE_Q, l] = min(max(a, min(q_left, q_right)), max(q_left, q_right))
        if f == 0:
            continue
        i = f - 1         # cell i lies between faces i and i+1 = f
        g = i + 2
        if cs08:
            for l in range(nl):
                q = w[g, _Q, l]
                a_left, a_right = _limit_cs08(w[g - 2, _Q, l], w[g - 1, _Q, l], q, w[g + 1, _Q, l], w[g + 2, _Q, l],
                                              w[i, _FACE_Q, l], w[i + 1, _FACE_Q, l])
                w[i, _MEAN_LEFT, l], w[i, _MEAN_RIGHT, l] = _parabola_means(
                    q, a_left, a_right, w[i, _COURANT, l], w[i + 1, _COURANT, l])
        else:
            for l in range(nl):
                q = w[g, _Q, l]
                a_left, a_right = _limit_cw84(q, w[i, _FACE_Q, l], w[i + 1, _FACE_Q, l])
                w[i, _MEAN_LEFT, l], w[i, _MEAN_RIGHT, l] = _parabola_means(
                    q, a_left, a_right, w[i, _COURANT, l], w[i + 1, _COURANT, l])
        if i == 0:
            continue
        for l in range(nl):       # face i, between cells i-1 and i
            w[i, _FLUX, l] = _upwind_flux(w[i, _CROSS, l], w[i - 1, _MEAN_RIGHT, l], w[i, _MEAN_LEFT, l])
    for l in range(nl):       # the boundary faces: the inflow value where air enters
        c_low = w[0, _CROSS, l]
        c_high = w[n, _CROSS, l]
        q_in_low = w[0, _Q_IN_LOW, l]
        q_in_high = w[0, _Q_IN_HIGH, l]
        mean_low = w[0, _MEAN_LEFT, l]
        mean_high = w[n - 1, _MEAN_RIGHT, l]
        w[0, _FLUX, l] = c_low * q_in_low if c_low > 0.0 else (c_low * mean_low if c_low < 0.0 else 0.0)
        w[n, _FLUX, l] = c_high * q_in_high if c_high < 0.0 else (c_high * mean_high if c_high > 0.0 else 0.0)


@njit(cache=True, error_model="numpy")
def _limit_outflow(n, w):
    """Never take more than a cell holds: the upwind cell owns the flux through a face (every flux has the sign
    of the air flux) and scales its outgoing fluxes down to its content. For PPM a round-off guard (in exact
    arithmetic the integrals over the departing air are at most the cell's content), run where _update found
    a cell sending out more than it holds."""
    nl = min(w.shape[2], _LANES)      # lane count (see the field list)
    for l in range(nl):
        for i in range(n):
            outgoing = max(w[i + 1, _FLUX, l], 0.0) - min(w[i, _FLUX, l], 0.0)
            if outgoing > w[i, _TRACER, l]:
                scale = w[i, _TRACER, l] / outgoing
                if w[i + 1, _FLUX, l] > 0.0:
                    w[i + 1, _FLUX, l] *= scale
                if w[i, _FLUX, l] < 0.0:
                    w[i, _FLUX, l] *= scale


# ----------------------------------------------------------------------------------------------------------------
# Walcek (2000).
# ----------------------------------------------------------------------------------------------------------------
_EPSILON = 2.220446049250313e-16


@njit(cache=True, error_model="numpy", inline="always")
def _walcek_cell(cell, max_attempts):
    """Outgoing fluxes of one cell (one or two faces) for the scheme of Walcek (2000), JGR 105, 9335-9348.

    Outflow mixing ratio (Walcek's second-order upstream value with his extremum adjustment):
        q_f = q_i +- alpha (1 - c) (q_{i+1} - q_{i-1}) m_i / (m_{i-1} + 2 m_i + m_{i+1})
    (on a uniform grid his (1 - c)(q_{i+1} - q_{i-1}) / 4: the mean, over the departing air, of the linear profile
    with the centred slope; here written per unit air mass), with alpha = 1 in general,
    alpha = max(1.5, 1.2 + 0.6 c) when the upwind neighbour is a local extreme, alpha = 1.75 - 0.45 c when the
    downwind neighbour is one (this takes precedence), and q_f = q_i when cell i itself is an extreme. q_f is kept
    between q_i and the downwind cell's q. Then the deviations q_f - q_i of the cell's outflows are scaled by one
    factor theta in [0, 1] so that the cell's new mixing ratio, with its inflows already known, stays within the
    old range of q_{i-1}, q_i, q_{i+1} (theta = 0 is donor cell, which always satisfies it); this bounding step is
    written here in mass form after Walcek's monotonic limiter.

    cell: the values of _walcek_args, for cell i: q_ll .. q_rr, the mixing ratios of cells i-2 .. i+2; weight,
    m_i / (m_{i-1} + 2 m_i + m_{i+1}); cross_left/right, the air crossing faces i and i+1 in the sub-step;
    c_left/right, their Courant fractions; flux_left/right, the tracer fluxes through them so far (the inflows of
    cell i must be final); tracer, the cell's tracer mass; air_new, its air mass after the sub-step.
    Returns (flux through face i, flux through face i+1, done). With max_attempts = 4 the result is final (done);
    with max_attempts = 1 (the vectorized first try, without the round-off guard) done is False where another
    try or the guard is needed, and the cell is then redone with max_attempts = 4.
    """
    q_ll, q_l, q, q_r, q_rr, weight, cross_left, cross_right, c_left, c_right, flux_left, flux_right, tracer, \
        air_new = cell
    centred = (q_r - q_l) * weight
    # Local maximum or minimum of a cell; a flat neighbourhood counts (our reading).
    here_extreme = (q_r - q) * (q - q_l) <= 0.0
    left_extreme = (q - q_l) * (q_l - q_ll) <= 0.0
    right_extreme = (q_rr - q_r) * (q_r - q) <= 0.0
    out_right = cross_right > 0.0
    out_left = cross_left < 0.0

    # Rightward outflow: downwind neighbour i+1 (takes precedence), upwind neighbour i-1 (Walcek 2000).
    c = c_right
    alpha = 1.75 - 0.45 * c if right_extreme else (max(1.5, 1.2 + 0.6 * c) if left_extreme else 1.0)
    q_f = q + alpha * (1.0 - c) * centred
    q_f = min(max(q_f, min(q, q_r)), max(q, q_r))
    dev_right = q_f - q if (out_right and not here_extreme) else 0.0
    # Leftward outflow: downwind neighbour i-1, upwind neighbour i+1.
    c = c_left
    alpha = 1.75 - 0.45 * c if left_extreme else (max(1.5, 1.2 + 0.6 * c) if right_extreme else 1.0)
    q_f = q - alpha * (1.0 - c) * centred
    q_f = min(max(q_f, min(q, q_l)), max(q, q_l))
    dev_left = q_f - q if (out_left and not here_extreme) else 0.0

    air_out = (cross_right if out_right else 0.0) - (cross_left if out_left else 0.0)
    tracer_in = (flux_left if cross_left > 0.0 else 0.0) - (flux_right if cross_right < 0.0 else 0.0)
    donor = tracer + (tracer_in - air_out * q)              # new tracer mass with theta = 0
    # d(new tracer mass) / d(theta)
    change = (0.0 - (cross_right * dev_right if out_right else 0.0)) + (cross_left * dev_left if out_left else 0.0)
    q_max = max(max(q_l, q), q_r)
    q_min = min(min(q_l, q), q_r)
    # theta = (q_max m_new - donor) / change for change > 0, (donor - q_min m_new) / -change for change < 0
    room = q_max * air_new - donor if change > 0.0 else donor - q_min * air_new
    theta = max(min(1.0, room / abs(change)) if change != 0.0 else 1.0, 0.0)
    # Set the fluxes; if rounding puts the new mixing ratio (computed exactly as the update will) a few units
    # outside the bounds, step theta back by the shortfall (twice over) and try again, then fall back to donor cell.
    done = False
    for attempt in range(max_attempts):
        if out_right:
            flux_right = cross_right * (q + theta * dev_right)
        if out_left:
            flux_left = cross_left * (q + theta * dev_left)
        if theta == 0.0 or change == 0.0:
            done = True
            break
        incoming = max(flux_left, 0.0) - min(flux_right, 0.0)
        outgoing = max(flux_right, 0.0) - min(flux_left, 0.0)
        q_new = (tracer + (incoming - outgoing)) / air_new
        if q_new < q_min:
            shortfall = (q_min - q_new) * air_new
        elif q_new > q_max:
            shortfall = (q_new - q_max) * air_new
        else:
            done = True
            break
        theta = theta - 2.0 * shortfall / abs(change) - 4.0 * _EPSILON * theta
        if theta < 0.0 or attempt == 2:
            theta = 0.0
    # Round-off guard (the donor-cell fallback can be a last bit short): never send out more than the cell holds
    # plus what it receives in this sub-step.
    outgoing = max(flux_right, 0.0) - min(flux_left, 0.0)
    available = tracer + tracer_in
    if max_attempts == 1:
        done = done and not outgoing > available
    elif outgoing > available:
        scale = available / outgoing
        if out_right:
            flux_right *= scale
        if out_left:
            flux_left *= scale
    return flux_left, flux_right, done


@njit(cache=True, error_model="numpy", inline="always")
def _walcek_args(i, l, w):
    """The values of cell i of lane l that _walcek_cell works on."""
    g = i + 2
    return (w[g - 2, _Q, l], w[g - 1, _Q, l], w[g, _Q, l], w[g + 1, _Q, l], w[g + 2, _Q, l], w[i, _WALCEK_W, l],
            w[i, _CROSS, l], w[i + 1, _CROSS, l], w[i, _COURANT, l], w[i + 1, _COURANT, l], w[i, _FLUX, l],
            w[i + 1, _FLUX, l], w[i, _TRACER, l], w[i, _AIR_NEW, l])


@njit(cache=True, error_model="numpy")
def _walcek_redo(i, l, w):
    """Cell i of lane l with all the tries of _walcek_cell (a function of its own, so that this rare case stays
    scalar code rather than being vectorized into the loop that calls it)."""
    w[i, _FLUX, l], w[i + 1, _FLUX, l], _ = _walcek_cell(_walcek_args(i, l, w), 4)


@njit(cache=True, error_model="numpy")
def _walcek_rows(n, w, rows):
    """rows[i, 0]: whether any lane has rightward outflow from cell i; rows[i, 1]: only leftward outflow."""
    nl = min(w.shape[2], _LANES)      # lane count (see the field list)
    for i in range(n):
        right = 0
        left_only = 0
        for l in range(nl):
            cross_left = w[i, _CROSS, l]
            cross_right = w[i + 1, _CROSS, l]
            right += 1 if cross_right > 0.0 else 0
            left_only += 1 if (cross_left < 0.0 and not cross_right > 0.0) else 0
        rows[i, 0] = right
        rows[i, 1] = left_only


@njit(cache=True, error_model="numpy")
def _walcek_fluxes(n, w, rows, first, retry):
    """All face fluxes (_FLUX) of the block's lines for the Walcek scheme. A cell's outflow depends on its inflow,
    so the cells with rightward outflow are done left to right and those with only leftward outflow right to left
    (a cell with outflow on both sides has no inflow and does both faces at once, in the first pass); rows: see
    _walcek_rows. Each row is done for all lanes at once: a first try into first[3, lane], then the lanes marked in
    retry (work vector) one by one, in full."""
    nl = min(w.shape[2], _LANES)      # lane count (see the field list)
    for f in range(n + 1):
        for l in range(nl):
            w[f, _FLUX, l] = 0.0
    for l in range(nl):       # inflow through the boundary faces
        c_low = w[0, _CROSS, l]
        c_high = w[n, _CROSS, l]
        q_in_low = w[0, _Q_IN_LOW, l]
        q_in_high = w[0, _Q_IN_HIGH, l]
        w[0, _FLUX, l] = c_low * q_in_low if c_low > 0.0 else 0.0
        w[n, _FLUX, l] = c_high * q_in_high if c_high < 0.0 else 0.0
    for rightward in (True, False):
        for r in range(n):
            i = r if rightward else n - 1 - r
            if rows[i, 0 if rightward else 1] == 0:
                continue
            for l in range(nl):
                # First try, stored for every lane (so that the compiler loads and computes unconditionally) into
                # first rather than into w, which the same loop reads.
                flux_left, flux_right, done = _walcek_cell(_walcek_args(i, l, w), 1)
                first[0, l] = flux_left
                first[1, l] = flux_right
                first[2, l] = 1.0 if done else 0.0
            pending = 0
            for l in range(nl):
                # Keep the lanes whose cell i belongs to this pass.
                cross_left = w[i, _CROSS, l]
                cross_right = w[i + 1, _CROSS, l]
                old_left = w[i, _FLUX, l]
                old_right = w[i + 1, _FLUX, l]
                mine = cross_right > 0.0 if rightward else (cross_left < 0.0 and not cross_right > 0.0)
                w[i, _FLUX, l] = first[0, l] if mine else old_left
                w[i + 1, _FLUX, l] = first[1, l] if mine else old_right
                retry[l] = 1 if (mine and first[2, l] == 0.0) else 0
                pending += retry[l]
            if pending > 0:
                for l in range(nl):
                    if retry[l] != 0:
                        _walcek_redo(i, l, w)


# ----------------------------------------------------------------------------------------------------------------
# The update of one species: tracer mass of every cell from its two face fluxes.
# ----------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def _update(n, w):
    """_NEW = _TRACER + (incoming - outgoing); returns the number of cells whose outgoing fluxes exceed their
    content (for PPM's round-off guard). With outgoing <= tracer the sum is >= 0 (rounding is monotone); a
    negative value can only be a last-bit remainder of the round-off guards and is set to zero. The form leaves a
    cell bitwise unchanged when equal fluxes enter and leave it."""
    nl = min(w.shape[2], _LANES)      # lane count (see the field list)
    excess = 0
    for i in range(n):
        for l in range(nl):
            f_left = w[i, _FLUX, l]
            f_right = w[i + 1, _FLUX, l]
            tracer = w[i, _TRACER, l]
            outgoing = max(f_right, 0.0) - min(f_left, 0.0)
            incoming = max(f_left, 0.0) - min(f_right, 0.0)
            new = tracer + (incoming - outgoing)
            w[i, _NEW, l] = new if new > 0.0 else 0.0
            excess += 1 if outgoing > tracer else 0
    return excess


# ----------------------------------------------------------------------------------------------------------------
# One block of lines, all species, all sub-steps.
# ----------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def _advect_block(w, rows, first, lane_work, n_sub, buf, tracer_flat, air_flat, flux_flat, dt, cfl_max, walcek,
                  ppm, cs08, n, lanes, along_line, cell0, cell_stride, face0, face_stride, inflow_low, inflow_high,
                  transport, steps_used):
    """Advect `lanes` (<= _LANES) neighbouring lines of one plane; w, rows, first, lane_work, n_sub, buf: work arrays.

    Cells of line l: tracer_flat[s, cell0 + l*cell_stride + i] when along_line (x), else at
    cell0 + i*cell_stride + l; faces likewise from face0 with face_stride. inflow_low/high: [ns, lanes];
    transport: [2, ns, lanes] (boundary transport, filled); steps_used: [lanes] (sub-steps, 1 for a line without
    flux, -1 for an infeasible line). walcek, ppm, cs08: the scheme (_SCHEME_MARKERS).
    """
    ns = tracer_flat.shape[0]
    nl = min(w.shape[2], _LANES)      # lane count (see the field list)
    retry = n_sub[1]
    n_sub = n_sub[0]
    # Padding lanes: no flux, unit air mass, no tracer.
    for i in range(n + 2 * _GHOSTS):
        for k in range(_N_FIELDS):
            for l in range(lanes, nl):
                w[i, k, l] = 1.0 if k == _AIR else 0.0
    _gather(n + 1, lanes, flux_flat, face0, face_stride, along_line, w, _FACE_FLUX, buf)
    _gather(n, lanes, air_flat, cell0, cell_stride, along_line, w, _AIR, buf)
    _substeps(n, dt, cfl_max, w, lane_work[0], n_sub)
    n_steps = 0
    for l in range(nl):
        w[0, _DT_SUB, l] = dt / n_sub[l] if n_sub[l] > 0 else 0.0
    for l in range(lanes):
        steps_used[l] = n_sub[l] if n_sub[l] != 0 else 1
        n_steps = max(n_steps, n_sub[l])
        for s in range(ns):
            transport[0, s, l] = 0.0
            transport[1, s, l] = 0.0
    for step in range(n_steps):
        # Air crossing each face in this sub-step; a line that has done its sub-steps (or may not move) stands still.
        for f in range(n + 1):
            for l in range(nl):
                w[f, _CROSS, l] = w[f, _FACE_FLUX, l] * w[0, _DT_SUB, l] if step < n_sub[l] else 0.0
        _geometry(n, walcek, ppm, w)
        if walcek is not None:
            _walcek_rows(n, w, rows)
        for s in range(ns):
            _gather(n, lanes, tracer_flat[s], cell0, cell_stride, along_line, w, _TRACER, buf)
            for l in range(lanes):
                w[0, _Q_IN_LOW, l] = inflow_low[s, l]
                w[0, _Q_IN_HIGH, l] = inflow_high[s, l]
            _mixing_ratios(n, w)
            if walcek is not None:
                # The Walcek cell routine applies its own guard (outgoing <= content + incoming).
                _walcek_fluxes(n, w, rows, first, retry)
                _update(n, w)
            if ppm is not None:
                _ppm_fluxes(n, cs08, w)
                if _update(n, w) > 0:
                    _limit_outflow(n, w)
                    _update(n, w)
            _scatter(n, lanes, tracer_flat[s], cell0, cell_stride, along_line, w, _NEW, n_sub, buf)
            for l in range(lanes):
                if step < n_sub[l]:
                    transport[0, s, l] += w[0, _FLUX, l]
                    transport[1, s, l] += -w[n, _FLUX, l]
        # Air moves with the same fluxes.
        for i in range(n):
            for l in range(nl):
                w[i, _AIR, l] += w[i, _CROSS, l] - w[i + 1, _CROSS, l]
    _scatter(n, lanes, air_flat, cell0, cell_stride, along_line, w, _AIR, n_sub, buf)


# ----------------------------------------------------------------------------------------------------------------
# Public entry point: a Python function that checks the arguments, lays the lines out in tasks of a few blocks, and
# runs the compiled task loop on the Numba thread count's worth of threads.
# ----------------------------------------------------------------------------------------------------------------
#: The scheme as the arguments (walcek, ppm, cs08) of _advect_tasks: walcek and ppm are markers, True for the
#: scheme's family and None for the other, so that Walcek and PPM (with either limiter) are signatures of their own,
#: compiled (and cached) only when used. Before it compiles a function, Numba removes the code under
#: `if x is not None` where x is an argument typed None (but keeps both sides of a test on a bool), so each
#: family's code is under a test on its own marker, never in an `else`: a run with Walcek (the default) compiles no
#: PPM code, a PPM run no Walcek code. cs08 (PPM's limiter) stays a run-time flag: the two limiters share one
#: compiled variant, which costs less to compile than two (the test suite compiles every scheme, and a fresh
#: machine compiles from nothing). The code that runs is the same as with one compiled function, bit for bit.
_SCHEME_MARKERS = {SCHEME_PPM: (None, True, False), SCHEME_WALCEK: (True, None, False),
                   SCHEME_PPM_CS08: (None, True, True)}

# Threads: the task loop is compiled without the GIL and without Numba's parallel transform, and threads.run_tasks
# hands its ranges of tasks to numba.get_num_threads() threads (why: the threads module). Every block is computed by
# one thread from its own data, so the split changes no result.


def advect(tracer_mass, air_mass, air_mass_flux, dt, axis, inflow_low, inflow_high,
           boundary_transport, cfl_max, scheme):
    """Advect tracer mass and air mass along one axis for dt seconds; return the largest sub-step count.

    tracer_mass: float64[ns, nz, ny, nx] (kg), C-contiguous, updated in place.
    air_mass: float64[nz, ny, nx] (kg), C-contiguous, updated in place: m_i += dt (F_i - F_{i+1}) along the axis.
    air_mass_flux: kg/s through each face, positive towards increasing index, C-contiguous;
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
    if scheme not in _SCHEME_MARKERS:
        raise ValueError("advect: unknown scheme")
    walcek, ppm, cs08 = _SCHEME_MARKERS[scheme]
    ns, nz, ny, nx = tracer_mass.shape
    if not (cfl_max > 0.0 and cfl_max <= 1.0):
        raise ValueError("advect: cfl_max must be in (0, 1]")
    if air_mass.shape != (nz, ny, nx):
        raise ValueError("advect: air_mass shape does not match tracer_mass")
    if axis == 2:      # lines (k, j)
        n_outer, n_inner, face_shape = nz, ny, (nz, ny, nx + 1)
    elif axis == 1:    # lines (k, i)
        n_outer, n_inner, face_shape = nz, nx, (nz, ny + 1, nx)
    elif axis == 0:    # lines (j, i)
        n_outer, n_inner, face_shape = ny, nx, (nz + 1, ny, nx)
    else:
        raise ValueError("advect: axis must be 0 (z), 1 (y) or 2 (x)")
    if air_mass_flux.shape != face_shape:
        raise ValueError("advect: air_mass_flux shape does not match the axis")
    if inflow_low.shape != (ns, n_outer, n_inner) or inflow_high.shape != (ns, n_outer, n_inner):
        raise ValueError("advect: inflow shape does not match the axis")
    if boundary_transport.shape != (2, ns, n_outer, n_inner):
        raise ValueError("advect: boundary_transport shape does not match the axis")
    per_plane = (n_inner + _LANES - 1) // _LANES       # blocks per plane
    n_blocks = n_outer * per_plane
    # Blocks per task: _BLOCKS_PER_TASK on large grids (the work arrays are allocated once per task), down to one
    # block a task where there are few blocks (one plane of 101 x 101 cells has 4 blocks a sweep, which would
    # otherwise make one task and leave the other threads idle). The split does not change any result.
    per_task = max(1, min(_BLOCKS_PER_TASK, n_blocks // _MIN_TASKS))
    n_tasks = (n_blocks + per_task - 1) // per_task
    steps_used = np.zeros(n_outer * n_inner, dtype=np.int64)
    args = (tracer_mass, air_mass, air_mass_flux, dt, axis, inflow_low, inflow_high, boundary_transport, cfl_max,
            walcek, ppm, cs08, per_task, steps_used)
    run_tasks(_advect_tasks, n_tasks, args)
    if n_outer * n_inner == 0:
        return 0
    if steps_used.min() < 0:
        return ERROR_INFEASIBLE_FLUX
    return max(0, int(steps_used.max()))


@njit(nogil=True, cache=True, error_model="numpy")
def _advect_tasks(task_begin, task_end, tracer_mass, air_mass, air_mass_flux, dt, axis, inflow_low, inflow_high,
                  boundary_transport, cfl_max, walcek, ppm, cs08, per_task, steps_used):
    """Tasks task_begin .. task_end - 1 of advect (arguments checked there), each a few blocks of lines, with
    strides telling where a block's cells and faces are; steps_used[line] filled for their lines."""
    ns, nz, ny, nx = tracer_mass.shape
    # Line (a, b) has its inflow and boundary-transport entries at [..., a, b]; its cells are at
    # a*cell_outer + b*cell_lane + i*cell_step of the flattened [nz*ny*nx] arrays and its faces at
    # a*face_outer + b*face_lane + f*face_step of the flattened flux. Neighbouring b form a block.
    if axis == 2:      # lines (k, j); cells i contiguous; faces [nz, ny, nx+1]
        n, n_inner = nx, ny
        cell_outer, cell_lane, cell_step = ny * nx, nx, 1
        face_outer, face_lane, face_step = ny * (nx + 1), nx + 1, 1
    elif axis == 1:    # lines (k, i); cells j at stride nx; faces [nz, ny+1, nx]
        n, n_inner = ny, nx
        cell_outer, cell_lane, cell_step = ny * nx, 1, nx
        face_outer, face_lane, face_step = (ny + 1) * nx, 1, nx
    else:              # lines (j, i); cells k at stride ny*nx; faces [nz+1, ny, nx]
        n, n_inner = nz, nx
        cell_outer, cell_lane, cell_step = nx, 1, ny * nx
        face_outer, face_lane, face_step = nx, 1, ny * nx
    along_line = axis == 2            # x: a line's cells are contiguous, the lanes are not
    cell_stride = cell_lane if along_line else cell_step
    face_stride = face_lane if along_line else face_step
    tracer_flat = tracer_mass.reshape(ns, nz * ny * nx)
    air_flat = air_mass.reshape(nz * ny * nx)
    flux_flat = air_mass_flux.reshape(air_mass_flux.size)
    per_plane = (n_inner + _LANES - 1) // _LANES       # blocks per plane
    n_blocks = (nz if axis != 0 else ny) * per_plane
    # Work arrays, once per range of tasks (the same layout for each block; a block computes from its own data).
    w_full = np.empty((n + 2 * _GHOSTS, _N_FIELDS, _LANES))
    rows = np.empty((n, 2), dtype=np.int64)
    first = np.empty((3, _LANES))
    lane_work = np.empty((1, _LANES))
    lane_flags = np.empty((2, _LANES), dtype=np.int64)
    buf = np.empty(_LANES * (n + 1))
    for block in range(task_begin * per_task, min(n_blocks, task_end * per_task)):
        a = block // per_plane
        b0 = (block - a * per_plane) * _LANES
        b1 = min(n_inner, b0 + _LANES)
        w = w_full
        if b1 - b0 < _LANES:      # the last block of a plane: fewer lanes
            w = np.empty((n + 2 * _GHOSTS, _N_FIELDS, _VECTOR * ((b1 - b0 + _VECTOR - 1) // _VECTOR)))
        _advect_block(w, rows, first, lane_work, lane_flags, buf, tracer_flat, air_flat, flux_flat, dt, cfl_max,
                      walcek, ppm, cs08, n, b1 - b0, along_line, a * cell_outer + b0 * cell_lane, cell_stride,
                      a * face_outer + b0 * face_lane, face_stride, inflow_low[:, a, b0:b1],
                      inflow_high[:, a, b0:b1], boundary_transport[:, :, a, b0:b1],
                      steps_used[a * n_inner + b0:a * n_inner + b1])
