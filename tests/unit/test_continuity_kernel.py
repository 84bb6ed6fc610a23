"""Unit tests for kernels/continuity.py (vertical air-mass flux from discrete continuity)."""

import numpy as np
import pytest

from airmodel.kernels import continuity

import numba


def random_case(rng, nz=12, ny=9, nx=10):
    """Realistic magnitudes: 3 km x 3 km x ~100 m cells (~1e9 kg), face fluxes ~ rho u A ~ 1e6 kg/s."""
    m0 = rng.uniform(0.8e9, 1.2e9, (nz, ny, nx))
    m1 = m0 * (1.0 + rng.uniform(-1e-3, 1e-3, m0.shape))
    fx = rng.uniform(-3e6, 3e6, (nz, ny, nx + 1))
    fy = rng.uniform(-3e6, 3e6, (nz, ny + 1, nx))
    return fx, fy, m0, m1


def run(fx, fy, m0, m1, dt):
    nz, ny, nx = m0.shape
    fz = np.full((nz + 1, ny, nx), np.nan)
    continuity.vertical_air_mass_flux(fx, fy, m0, m1, dt, fz)
    return fz


def test_cell_mass_budget_closes():
    """For every cell: m_start + dt*(Fx[i] - Fx[i+1] + Fy[j] - Fy[j+1] + Fz[k] - Fz[k+1]) == m_end
    to ~1e-14 relative, and Fz[0] == 0 exactly."""
    rng = np.random.default_rng(7)
    fx, fy, m0, m1 = random_case(rng)
    dt = 300.0
    fz = run(fx, fy, m0, m1, dt)
    assert np.all(fz[0] == 0.0)
    div = (fx[:, :, :-1] - fx[:, :, 1:]) + (fy[:, :-1, :] - fy[:, 1:, :]) + (fz[:-1] - fz[1:])
    m_pred = m0 + dt * div
    rel = np.abs(m_pred - m1) / m1
    assert rel.max() < 2e-14, rel.max()


def test_matches_numpy_cumsum_twin():
    """Fz[k+1] = sum_{l<=k} (horizontal convergence - (m_end - m_start)/dt) [l], by numpy.cumsum, to 1e-12."""
    rng = np.random.default_rng(8)
    fx, fy, m0, m1 = random_case(rng, nz=20)
    dt = 120.0
    conv = (fx[:, :, :-1] - fx[:, :, 1:]) + (fy[:, :-1, :] - fy[:, 1:, :]) - (m1 - m0) / dt
    ref = np.concatenate([np.zeros((1,) + m0.shape[1:]), np.cumsum(conv, axis=0)])
    fz = run(fx, fy, m0, m1, dt)
    np.testing.assert_allclose(fz, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())


def test_nondivergent_steady_flow_gives_zero_vertical_flux():
    """Uniform eastward flux, m_end == m_start: Fz == 0 everywhere (also at the top)."""
    nz, ny, nx = 5, 4, 6
    fx = np.full((nz, ny, nx + 1), 2.5e6)
    fy = np.full((nz, ny + 1, nx), -1.0e6)
    m = np.full((nz, ny, nx), 1e9)
    fz = run(fx, fy, m, m.copy(), 60.0)
    assert np.all(fz == 0.0)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs NUMBA_NUM_THREADS >= 2")
def test_bitwise_identical_with_1_and_2_threads():
    """numba.set_num_threads(1) and (2) give bitwise identical Fz."""
    rng = np.random.default_rng(9)
    fx, fy, m0, m1 = random_case(rng, nz=8, ny=17, nx=5)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = run(fx, fy, m0, m1, 300.0)
        numba.set_num_threads(2)
        b = run(fx, fy, m0, m1, 300.0)
    finally:
        numba.set_num_threads(old)
    assert a.tobytes() == b.tobytes()
