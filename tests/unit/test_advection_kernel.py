"""Unit tests of kernels/advection.py (flux-form PPM in mass coordinates, plus the Walcek and CS08 options).

The reference is a plain-NumPy twin of the PPM algorithm written independently below, straight from the equations
of Colella and Woodward (1984, J. Comput. Phys. 54, 174-201; "CW84"): non-uniform-zone interface values (eq. 1.6)
with monotonized slopes (eqs. 1.7-1.8), the monotonicity limiter (eq. 1.10) and the flux integral (eq. 1.12), with
the cell "width" taken as its air mass.
"""

import math

import numpy as np
import pytest

from airmodel.kernels import advection

import numba

PPM, WALCEK, CS08 = advection.SCHEME_PPM, advection.SCHEME_WALCEK, advection.SCHEME_PPM_CS08
ALL_SCHEMES = [PPM, WALCEK, CS08]
BOUNDED_SCHEMES = [PPM, WALCEK]       # CS08 keeps smooth extrema and may exceed the old local range


# ----------------------------------------------------------------------------------------------------------------
# Plain-NumPy twin (PPM, CW84) — deliberately simple, one line and one species at a time.
# ----------------------------------------------------------------------------------------------------------------
def _twin_substep(tracer, air, crossing, q_in_low, q_in_high):
    """One sub-step of one species on one line. crossing: air mass through each face (n+1). Returns the new
    tracer mass and the tracer mass entering through the low and high faces."""
    n = tracer.size
    q = tracer / air
    # Two ghosts each side: inflow value where air enters, else the edge value; ghost masses repeat the edge.
    ghost_low = q_in_low if crossing[0] > 0 else q[0]
    ghost_high = q_in_high if crossing[-1] < 0 else q[-1]
    a = np.concatenate([[ghost_low, ghost_low], q, [ghost_high, ghost_high]])
    dx = np.concatenate([[air[0], air[0]], air, [air[-1], air[-1]]])
    # CW84 eqs. 1.7 and 1.8 (monotonized slope), cells 1..n+2 of the padded line.
    dm = np.zeros(n + 4)
    for j in range(1, n + 3):
        da = dx[j] / (dx[j - 1] + dx[j] + dx[j + 1]) * (
            (2 * dx[j - 1] + dx[j]) / (dx[j + 1] + dx[j]) * (a[j + 1] - a[j])
            + (dx[j] + 2 * dx[j + 1]) / (dx[j - 1] + dx[j]) * (a[j] - a[j - 1]))
        if (a[j + 1] - a[j]) * (a[j] - a[j - 1]) > 0:
            dm[j] = min(abs(da), 2 * abs(a[j] - a[j - 1]), 2 * abs(a[j + 1] - a[j])) * np.sign(da)
    # CW84 eq. 1.6: value at the face between padded cells j and j+1, j = 1..n+1 (faces 0..n of the line).
    face = np.zeros(n + 1)
    for j in range(1, n + 2):
        total = dx[j - 1] + dx[j] + dx[j + 1] + dx[j + 2]
        value = (a[j] + dx[j] / (dx[j] + dx[j + 1]) * (a[j + 1] - a[j])
                 + (2 * dx[j + 1] * dx[j] / (dx[j] + dx[j + 1])
                    * ((dx[j - 1] + dx[j]) / (2 * dx[j] + dx[j + 1])
                       - (dx[j + 2] + dx[j + 1]) / (2 * dx[j + 1] + dx[j])) * (a[j + 1] - a[j])
                    - dx[j] * (dx[j - 1] + dx[j]) / (2 * dx[j] + dx[j + 1]) * dm[j + 1]
                    + dx[j + 1] * (dx[j + 1] + dx[j + 2]) / (dx[j] + 2 * dx[j + 1]) * dm[j]) / total)
        # Between the two cell means in exact arithmetic; the kernel clips round-off, and so does the twin.
        face[j - 1] = min(max(value, min(a[j], a[j + 1])), max(a[j], a[j + 1]))
    # CW84 eq. 1.10 (limiter) and eq. 1.12 (mean over the departing air) for each upwind cell.
    flux = np.zeros(n + 1)
    if crossing[0] > 0:
        flux[0] = crossing[0] * q_in_low
    if crossing[-1] < 0:
        flux[-1] = crossing[-1] * q_in_high
    for i in range(n):
        left, right, mean = face[i], face[i + 1], q[i]
        if (right - mean) * (mean - left) <= 0:
            left = right = mean
        elif (right - left) * (mean - (left + right) / 2) > (right - left) ** 2 / 6:
            left = 3 * mean - 2 * right
        elif -(right - left) ** 2 / 6 > (right - left) * (mean - (left + right) / 2):
            right = 3 * mean - 2 * left
        delta, a6 = right - left, 6 * (mean - (left + right) / 2)
        if crossing[i + 1] > 0:
            y = crossing[i + 1] / air[i]
            flux[i + 1] = crossing[i + 1] * max(right - y / 2 * (delta - (1 - 2 * y / 3) * a6), 0.0)
        if crossing[i] < 0:
            y = -crossing[i] / air[i]
            flux[i] = crossing[i] * max(left + y / 2 * (delta + (1 - 2 * y / 3) * a6), 0.0)
    # A cell never gives more than it holds (round-off guard), then update.
    for i in range(n):
        out = max(flux[i + 1], 0) - min(flux[i], 0)
        if out > tracer[i]:
            if flux[i + 1] > 0:
                flux[i + 1] *= tracer[i] / out
            if flux[i] < 0:
                flux[i] *= tracer[i] / out
    new = tracer + flux[:-1] - flux[1:]
    return np.maximum(new, 0.0), flux[0], -flux[-1]


def twin_advect(tracer_mass, air_mass, flux, dt, axis, inflow_low, inflow_high, cfl_max):
    """The twin on whole arrays; returns (tracer_mass, air_mass, boundary_transport, largest n_sub)."""
    tm = np.moveaxis(tracer_mass.copy(), axis + 1, -1)        # [ns, o, i, n]
    air = np.moveaxis(air_mass.copy(), axis, -1)               # [o, i, n]
    fl = np.moveaxis(flux, axis, -1)                           # [o, i, n+1]
    ns, n_outer, n_inner, n = tm.shape
    bt = np.zeros((2, ns, n_outer, n_inner))
    largest = 0
    for o in range(n_outer):
        for i in range(n_inner):
            face_flux = fl[o, i]
            if not np.any(face_flux != 0):
                largest = max(largest, 1)
                continue
            m = air[o, i].copy()
            leaving = np.maximum(face_flux[1:], 0) + np.maximum(-face_flux[:-1], 0)
            smallest = np.minimum(m, m + dt * (face_flux[:-1] - face_flux[1:]))
            n_sub = max(1, math.ceil((leaving * dt / smallest).max() / cfl_max))
            largest = max(largest, n_sub)
            crossing = face_flux * (dt / n_sub)
            for _ in range(n_sub):
                for s in range(ns):
                    tm[s, o, i], into_low, into_high = _twin_substep(
                        tm[s, o, i], m, crossing, inflow_low[s, o, i], inflow_high[s, o, i])
                    bt[0, s, o, i] += into_low
                    bt[1, s, o, i] += into_high
                m = m + (crossing[:-1] - crossing[1:])
            air[o, i] = m
    return np.moveaxis(tm, -1, axis + 1), np.moveaxis(air, -1, axis), bt, largest


# ----------------------------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------------------------
SHAPE = (2, 4, 5, 6)   # ns, nz, ny, nx


def _other_dims(axis, shape=SHAPE):
    ns, nz, ny, nx = shape
    return {2: (nz, ny), 1: (nz, nx), 0: (ny, nx)}[axis]


def _face_shape(axis, shape=SHAPE):
    _, nz, ny, nx = shape
    return {2: (nz, ny, nx + 1), 1: (nz, ny + 1, nx), 0: (nz + 1, ny, nx)}[axis]


def _random_case(rng, axis, shape=SHAPE, courant=0.6, zeros=0.0):
    """Positive random fields, air mass 0.5-1.5 kg, and divergent fluxes (kg/s, for dt = 1 s): a mean flow of
    either sign, up to `courant` kg/s, on 70 % of the lines, plus +-0.2 kg/s face by face, so that flows of both
    signs meet on some lines and no cell can lose all its air over the call."""
    ns = shape[0]
    tracer = rng.uniform(0.0, 2.0, shape) * rng.uniform(0.5, 1.5, shape[1:])
    if zeros:
        tracer[rng.random(shape) < zeros] = 0.0
    air = rng.uniform(0.5, 1.5, shape[1:])
    face_shape = _face_shape(axis, shape)
    line_shape = list(face_shape)
    line_shape[axis] = 1
    mean = courant * rng.uniform(-1.0, 1.0, line_shape) * (rng.random(line_shape) < 0.7)
    flux = mean + rng.uniform(-0.2, 0.2, face_shape)
    inflow_low = rng.uniform(0.0, 2.0, (ns,) + _other_dims(axis, shape))
    inflow_high = rng.uniform(0.0, 2.0, (ns,) + _other_dims(axis, shape))
    return tracer, air, flux, inflow_low, inflow_high


def _run(tracer, air, flux, dt, axis, inflow_low, inflow_high, cfl_max=0.9, scheme=PPM):
    tm, am = tracer.copy(), air.copy()
    bt = np.full((2, tracer.shape[0]) + inflow_low.shape[1:], np.nan)
    n_sub = advection.advect(tm, am, flux, dt, axis, inflow_low, inflow_high, bt, cfl_max, scheme)
    return tm, am, bt, n_sub


def _line_sums(tracer, axis):
    return tracer.sum(axis=axis + 1)   # [ns, <other two dims>]


# ----------------------------------------------------------------------------------------------------------------
# Tests
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, 2])
@pytest.mark.parametrize("courant", [0.6, 3.5])
def test_ppm_matches_numpy_twin(axis, courant):
    rng = np.random.default_rng(100 + axis)
    tracer, air, flux, low, high = _random_case(rng, axis, courant=courant, zeros=0.2)
    tm, am, bt, n_sub = _run(tracer, air, flux, 1.0, axis, low, high)
    tm_ref, am_ref, bt_ref, n_ref = twin_advect(tracer, air, flux, 1.0, axis, low, high, 0.9)
    assert n_sub == n_ref
    if courant > 1:
        assert n_sub > 1
    np.testing.assert_allclose(am, am_ref, rtol=1e-14, atol=0)
    np.testing.assert_allclose(tm, tm_ref, rtol=1e-13, atol=1e-13 * tracer.max())
    np.testing.assert_allclose(bt, bt_ref, rtol=1e-13, atol=1e-13 * tracer.max())


@pytest.mark.parametrize("scheme", ALL_SCHEMES)
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_mass_conservation_with_boundary_transport(axis, scheme):
    rng = np.random.default_rng(200 + axis)
    tracer, air, flux, low, high = _random_case(rng, axis, courant=1.5, zeros=0.1)
    tm, am, bt, n_sub = _run(tracer, air, flux, 1.0, axis, low, high, scheme=scheme)
    assert n_sub >= 1
    before, after = _line_sums(tracer, axis), _line_sums(tm, axis)
    np.testing.assert_allclose(after, before + bt[0] + bt[1], rtol=0, atol=1e-14 * before.max())
    # Air moves with the same fluxes: m_i += dt (F_i - F_{i+1}).
    expected_air = air + (np.take(flux, range(0, air.shape[axis]), axis=axis)
                          - np.take(flux, range(1, air.shape[axis] + 1), axis=axis))
    np.testing.assert_allclose(am, expected_air, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("scheme", ALL_SCHEMES)
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_uniform_mixing_ratio_stays_uniform_in_divergent_flow(axis, scheme):
    rng = np.random.default_rng(300 + axis)
    _, air, flux, low, high = _random_case(rng, axis, courant=1.2)
    q = 3.7e-9
    tracer = np.broadcast_to(q * air, SHAPE).copy()
    low[...] = q
    high[...] = q
    tm, am, bt, n_sub = _run(tracer, air, flux, 1.0, axis, low, high, scheme=scheme)
    assert np.abs(tm / am[None] / q - 1.0).max() < 1e-14


@pytest.mark.parametrize("scheme", ALL_SCHEMES)
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_positive_with_zeros_and_sharp_steps(axis, scheme):
    rng = np.random.default_rng(400 + axis)
    shape = (3, 6, 7, 8)
    for trial in range(10):
        tracer, air, flux, low, high = _random_case(rng, axis, shape=shape, courant=2.5, zeros=0.5)
        tracer *= np.where(rng.random(shape) < 0.3, 1e6, 1.0)        # sharp steps of six decades
        low[rng.random(low.shape) < 0.5] = 0.0
        tm, am, bt, n_sub = _run(tracer, air, flux, 1.0, axis, low, high, cfl_max=1.0, scheme=scheme)
        assert n_sub >= 1
        assert (tm >= 0.0).all()
        assert np.isfinite(tm).all()
        if scheme not in BOUNDED_SCHEMES:
            continue
        # Globally bounded by the old mixing ratios and the inflow values.
        q_old, q_new = tracer / air[None], tm / am[None]
        for s in range(shape[0]):
            hi = max(q_old[s].max(), low[s].max(), high[s].max())
            assert q_new[s].max() <= hi * (1 + 1e-14)


@pytest.mark.parametrize("scheme", BOUNDED_SCHEMES)
@pytest.mark.parametrize("divergent", [False, True])
def test_new_mixing_ratio_within_local_range(scheme, divergent):
    """One sub-step: new q_i lies within the old q of cells i-2..i+2 (ghosts: inflow / edge values)."""
    rng = np.random.default_rng(500 + scheme)
    ns, n = 2, 40
    for trial in range(20):
        tracer = rng.uniform(0, 1, (ns, 1, 3, n)) * np.where(rng.random((ns, 1, 3, n)) < 0.3, 0.0, 1.0)
        air = rng.uniform(1.0, 1.5, (1, 3, n))
        if divergent:
            flux = 0.2 * rng.uniform(-1, 1, (1, 3, n + 1))
        else:
            flux = np.repeat(rng.uniform(-0.4, 0.4, (1, 3, 1)), n + 1, axis=2)
        low, high = rng.uniform(0, 1, (ns, 1, 3)), rng.uniform(0, 1, (ns, 1, 3))
        tm, am, bt, n_sub = _run(tracer, air, flux, 1.0, 2, low, high, scheme=scheme)
        assert n_sub == 1
        q_old, q_new = tracer / air[None], tm / am[None]
        for s in range(ns):
            for j in range(3):
                ghost_low = low[s, 0, j] if flux[0, j, 0] > 0 else q_old[s, 0, j, 0]
                ghost_high = high[s, 0, j] if flux[0, j, -1] < 0 else q_old[s, 0, j, -1]
                padded = np.concatenate([[ghost_low] * 2, q_old[s, 0, j], [ghost_high] * 2])
                window = np.lib.stride_tricks.sliding_window_view(padded, 5)
                tol = 1e-14 * padded.max()
                assert (q_new[s, 0, j] <= window.max(axis=1) + tol).all()
                assert (q_new[s, 0, j] >= window.min(axis=1) - tol).all()


@pytest.mark.parametrize("scheme", ALL_SCHEMES)
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_zero_flux_is_identity(axis, scheme):
    rng = np.random.default_rng(600)
    tracer, air, flux, low, high = _random_case(rng, axis)
    flux[...] = 0.0
    tm, am, bt, n_sub = _run(tracer, air, flux, 1.0, axis, low, high, scheme=scheme)
    assert n_sub == 1
    assert np.array_equal(tm, tracer) and np.array_equal(am, air)
    assert (bt == 0.0).all()


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs at least two Numba threads")
@pytest.mark.parametrize("scheme", ALL_SCHEMES)
def test_results_independent_of_thread_count(scheme):
    rng = np.random.default_rng(700)
    shape = (3, 5, 17, 19)
    previous = numba.get_num_threads()
    try:
        for axis in (0, 1, 2):
            case = _random_case(rng, axis, shape=shape, courant=2.0, zeros=0.2)
            results = []
            for threads in (1, 2):
                numba.set_num_threads(threads)
                results.append(_run(*case[:3], 1.0, axis, *case[3:], scheme=scheme))
            (tm1, am1, bt1, n1), (tm2, am2, bt2, n2) = results
            assert n1 == n2
            assert np.array_equal(tm1, tm2) and np.array_equal(am1, am2) and np.array_equal(bt1, bt2)
    finally:
        numba.set_num_threads(previous)


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_ppm_matches_numpy_twin_on_wide_planes(axis):
    """Planes wider than one block of lines (the kernel advances neighbouring lines together, one per SIMD lane,
    in blocks of advection._LANES, the last one of a plane narrower), with sub-step counts that differ from line
    to line within a block."""
    shape = (2, 3, 2 * advection._LANES + 5, advection._LANES + 9)
    rng = np.random.default_rng(150 + axis)
    tracer, air, flux, low, high = _random_case(rng, axis, shape=shape, courant=3.5, zeros=0.2)
    tm, am, bt, n_sub = _run(tracer, air, flux, 1.0, axis, low, high)
    tm_ref, am_ref, bt_ref, n_ref = twin_advect(tracer, air, flux, 1.0, axis, low, high, 0.9)
    assert n_sub == n_ref > 1
    np.testing.assert_allclose(am, am_ref, rtol=1e-14, atol=0)
    np.testing.assert_allclose(tm, tm_ref, rtol=1e-13, atol=1e-13 * tracer.max())
    np.testing.assert_allclose(bt, bt_ref, rtol=1e-13, atol=1e-13 * tracer.max())


@pytest.mark.parametrize("scheme", ALL_SCHEMES)
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_results_independent_of_block_layout(axis, scheme):
    """A line's result does not depend on which lane of which block it is advanced in, nor on its neighbours:
    dropping the first lines of every plane (which moves all others to other lanes) changes nothing, bitwise."""
    shape = (2, 4, advection._LANES + 13, advection._LANES + 11)
    rng = np.random.default_rng(160 + axis)
    tracer, air, flux, low, high = _random_case(rng, axis, shape=shape, courant=2.0, zeros=0.2)
    tm, am, bt, _ = _run(tracer, air, flux, 1.0, axis, low, high, scheme=scheme)
    # The lanes run along the last of the two other axes: j for the x sweep, i for the y and z sweeps.
    lane_axis = 1 if axis == 2 else 2          # axis of the cells ([nz, ny, nx])
    drop = 3
    keep = [slice(None)] * 3
    keep[lane_axis] = slice(drop, None)
    keep = tuple(keep)
    sub = (tracer[(slice(None),) + keep].copy(), air[keep].copy(), flux[keep].copy(),
           low[..., drop:].copy(), high[..., drop:].copy())
    tm_sub, am_sub, bt_sub, _ = _run(sub[0], sub[1], sub[2], 1.0, axis, sub[3], sub[4], scheme=scheme)
    assert np.array_equal(tm_sub, tm[(slice(None),) + keep])
    assert np.array_equal(am_sub, am[keep])
    assert np.array_equal(bt_sub, bt[..., drop:])


@pytest.mark.parametrize("scheme", ALL_SCHEMES)
def test_substeps_at_courant_above_one(scheme):
    """Courant number 3.3 in a non-divergent 1-D flow: 4 sub-steps (cfl 0.9), conservative and bounded."""
    n = 30
    tracer = np.zeros((1, 1, 1, n))
    tracer[0, 0, 0, 10:15] = 1.0
    air = np.ones((1, 1, n))
    flux = np.full((1, 1, n + 1), 3.3)
    low = np.zeros((1, 1, 1))
    tm, am, bt, n_sub = _run(tracer, air, flux, 1.0, 2, low, low, scheme=scheme)
    assert n_sub == math.ceil(3.3 / 0.9)
    assert (tm >= 0).all()
    if scheme in BOUNDED_SCHEMES:
        assert tm.max() <= 1.0 + 1e-15
    else:
        assert tm.max() <= 1.0 + 1e-4       # CS08 lets the plateau's edge overshoot slightly
    assert abs(tm.sum() - tracer.sum() - bt.sum()) < 1e-14
    assert np.array_equal(am, air)
    centre = (np.arange(n) * tm[0, 0, 0]).sum() / tm.sum()
    assert abs(centre - (12.0 + 3.3)) < 0.05          # the pulse moved 3.3 cells


def test_substeps_account_for_air_mass_shrinking_during_the_call():
    """A cell drained to 1/10 of its air: the sub-step count uses the smallest air mass over the call."""
    air = np.ones((1, 1, 3))
    flux = np.zeros((1, 1, 4))
    flux[0, 0, 2] = 0.9                  # cell 1 loses 0.9 of its air over dt = 1 and receives nothing
    tracer = np.ones((1, 1, 1, 3))
    low = np.ones((1, 1, 1))
    tm, am, bt, n_sub = _run(tracer, air, flux, 1.0, 2, low, low, cfl_max=0.5)
    assert n_sub == math.ceil(0.9 / (1.0 - 0.9) / 0.5)
    np.testing.assert_allclose(am[0, 0], [1.0, 0.1, 1.9], rtol=1e-14)
    np.testing.assert_allclose(tm[0, 0, 0] / am[0, 0], 1.0, rtol=1e-14)


def test_infeasible_flux_is_reported():
    air = np.ones((1, 1, 3))
    flux = np.zeros((1, 1, 4))
    flux[0, 0, 2] = 1.5                  # would take 1.5 kg of air out of a 1 kg cell
    tracer = np.ones((1, 1, 1, 3))
    low = np.ones((1, 1, 1))
    tm, am, bt, n_sub = _run(tracer, air, flux, 1.0, 2, low, low)
    assert n_sub == advection.ERROR_INFEASIBLE_FLUX
    assert np.array_equal(tm, tracer) and np.array_equal(am, air)


def test_bad_arguments_raise():
    tracer, air = np.ones((1, 2, 3, 4)), np.ones((2, 3, 4))
    low, bt = np.ones((1, 2, 3)), np.zeros((2, 1, 2, 3))
    with pytest.raises(ValueError):
        advection.advect(tracer, air, np.zeros((2, 3, 4)), 1.0, 2, low, low, bt, 0.9, PPM)    # wrong face shape
    with pytest.raises(ValueError):
        advection.advect(tracer, air, np.zeros((2, 3, 5)), 1.0, 3, low, low, bt, 0.9, PPM)    # no such axis
    with pytest.raises(ValueError):
        advection.advect(tracer, air, np.zeros((2, 3, 5)), 1.0, 2, low, low, bt, 0.9, 7)      # no such scheme
    with pytest.raises(ValueError):
        advection.advect(tracer, air, np.zeros((2, 3, 5)), 1.0, 2, low, low, bt, 1.5, PPM)    # cfl_max > 1


def _bump_cell_means(edges, shift):
    """Cell means of q(s) = 1 + exp(-((s - shift - c)/w)^2) over the mass intervals `edges` (exact, via erf)."""
    from scipy.special import erf
    centre, width = 0.35 * edges[-1], 0.06 * edges[-1]
    antiderivative = edges + 0.5 * math.sqrt(math.pi) * width * erf((edges - shift - centre) / width)
    return np.diff(antiderivative) / np.diff(edges)


@pytest.mark.parametrize("scheme", [PPM, CS08])
def test_ppm_converges_on_a_non_uniform_mass_grid(scheme):
    """Translation of a smooth bump through cells of smoothly varying air mass (a non-uniform grid in mass
    coordinates): the error falls at least like second order when the grid is refined (checks eq. 1.6)."""
    errors = []
    for n in (100, 200, 400):
        x = (np.arange(n) + 0.5) / n
        air = (1.0 + 0.4 * np.sin(2 * np.pi * x)) / n
        edges = np.concatenate([[0.0], np.cumsum(air)])
        flux_value = 0.4 * air.min()                       # Courant <= 0.4 everywhere
        steps = int(round(0.3 * edges[-1] / flux_value / 1.0))
        q0 = _bump_cell_means(edges, 0.0)
        tracer = (q0 * air)[None, None, None].copy()
        am = air[None, None].copy()
        flux = np.full((1, 1, n + 1), flux_value)
        one = np.ones((1, 1, 1))
        bt = np.zeros((2, 1, 1, 1))
        for _ in range(steps):
            assert advection.advect(tracer, am, flux, 1.0, 2, one, one, bt, 0.9, scheme) == 1
        exact = _bump_cell_means(edges, steps * flux_value)
        errors.append(np.sum(np.abs(tracer[0, 0, 0] / am[0, 0] - exact) * air))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert (orders > 1.8).all(), (errors, orders)


def test_walcek_keeps_a_peak_that_ppm_clips():
    """A triangle (height 4 on 1, half-width 15 cells) carried 100 cells at Courant 0.3."""
    n = 200
    x = np.arange(n) + 0.5
    q0 = 1.0 + 4.0 * np.maximum(0.0, 1.0 - np.abs(x - 50.0) / 15.0)
    peaks = {}
    for scheme in (PPM, WALCEK):
        tracer = q0[None, None, None].copy()
        air = np.ones((1, 1, n))
        flux = np.full((1, 1, n + 1), 0.3)
        one = np.ones((1, 1, 1))
        bt = np.zeros((2, 1, 1, 1))
        for _ in range(333):
            advection.advect(tracer, air, flux, 1.0, 2, one, one, bt, 0.9, scheme)
        assert tracer.min() >= 1.0 and tracer.max() <= 5.0
        peaks[scheme] = tracer.max()
    assert peaks[WALCEK] > 4.8 and peaks[PPM] > 4.5
