"""Unit tests for kernels/diffusion.py (horizontal explicit and vertical implicit K-theory diffusion).

Notation: M tracer mass (kg per cell), m air mass (kg per cell), q = M/m, G conductance (kg s-1 per unit q).
"""

import numpy as np
import pytest

from airmodel.kernels import diffusion

import numba

RNG_SEED = 20240611


# ---------------------------------------------------------------------------------------------------------
# plain-numpy twins, written independently of the kernels
# ---------------------------------------------------------------------------------------------------------

def numpy_horizontal(M, m, gx, gy, dt):
    """Forward-Euler flux form, sub-stepped; boundary faces carry no flux.

    n_sub = max(1, ceil(max(dt*(Gx_w+Gx_e+Gy_s+Gy_n)/m) / 0.5)),
    M += dt_sub*(Gx_e (q_E - q) - Gx_w (q - q_W) + Gy_n (q_N - q) - Gy_s (q - q_S)).
    """
    M = M.copy()
    S = gx[:, :, :-1] + gx[:, :, 1:] + gy[:, :-1, :] + gy[:, 1:, :]
    n_sub = max(1, int(np.ceil(np.max(dt * S / m) / 0.5)))
    dts = dt / n_sub
    gxi = gx[:, :, 1:-1]  # interior x faces
    gyi = gy[:, 1:-1, :]
    for _ in range(n_sub):
        q = M / m
        fx = gxi * (q[..., :, 1:] - q[..., :, :-1])      # [ns,nz,ny,nx-1], G (q_right - q_left)
        fy = gyi * (q[..., 1:, :] - q[..., :-1, :])
        div = np.zeros_like(M)
        div[..., :, :-1] += fx
        div[..., :, 1:] -= fx
        div[..., :-1, :] += fy
        div[..., 1:, :] -= fy
        M += dts * div
    return M, n_sub


def vertical_theta(m, gz, dt):
    """Implicit weight per column [ny, nx]: as close to 1/2 as positivity allows (see the kernel docstring)."""
    nz = m.shape[0]
    g_sum = np.zeros_like(m)
    g_sum[1:] += gz[1:nz]
    g_sum[:-1] += gz[1:nz]
    with np.errstate(divide="ignore"):
        bound = np.where(g_sum > 0, (1.0 - m / (dt * np.where(g_sum > 0, g_sum, 1.0))) / 0.99, 0.5)
    return np.minimum(np.maximum(0.5, bound.max(axis=0)), 1.0)


def numpy_vertical(M, m, gz, E, D, dt):
    """Dense theta-scheme solve per column and species, with L the diffusion operator
    (L q)_k = G_{k+1/2}(q_{k+1}-q_k) - G_{k-1/2}(q_k-q_{k-1}):

    m q - theta dt L q + [k==0] dt D q_0 = M + (1 - theta) dt L q^n + [k==0] dt E,
    interfaces 0 and nz ignored; returns (m q, dt D q_0).
    """
    ns, nz, ny, nx = M.shape
    out = np.empty_like(M)
    dep = np.empty((ns, ny, nx))
    theta = vertical_theta(m, gz, dt)
    for s in range(ns):
        for j in range(ny):
            for i in range(nx):
                L = np.zeros((nz, nz))
                for k in range(1, nz):  # interior interface k between layers k-1 and k
                    g = gz[k, j, i]
                    L[k, k] -= g
                    L[k - 1, k - 1] -= g
                    L[k, k - 1] += g
                    L[k - 1, k] += g
                th = theta[j, i]
                A = np.diag(m[:, j, i].copy()) - th * dt * L
                A[0, 0] += dt * D[s, j, i]
                qn = M[s, :, j, i] / m[:, j, i]
                rhs = M[s, :, j, i] + (1.0 - th) * dt * (L @ qn)
                rhs[0] += dt * E[s, j, i]
                q = np.linalg.solve(A, rhs)
                out[s, :, j, i] = m[:, j, i] * q
                dep[s, j, i] = dt * D[s, j, i] * q[0]
    return out, dep


def random_case(rng, ns=3, nz=7, ny=5, nx=6):
    m = rng.uniform(0.5e9, 2.0e9, (nz, ny, nx))
    q = rng.uniform(0.0, 1e-6, (ns, nz, ny, nx))
    M = q * m
    gx = rng.uniform(0.0, 5e6, (nz, ny, nx + 1))
    gy = rng.uniform(0.0, 5e6, (nz, ny + 1, nx))
    gx[:, :, 0] = gx[:, :, -1] = 0.0
    gy[:, 0, :] = gy[:, -1, :] = 0.0
    gz = rng.uniform(0.0, 3e7, (nz + 1, ny, nx))
    gz[0] = gz[-1] = 0.0
    E = rng.uniform(0.0, 1e-2, (ns, ny, nx))
    D = rng.uniform(0.0, 5e5, (ns, ny, nx))
    return M, m, gx, gy, gz, E, D


# ---------------------------------------------------------------------------------------------------------
# horizontal diffusion
# ---------------------------------------------------------------------------------------------------------

def test_horizontal_matches_numpy_twin():
    """Kernel == numpy twin (same formula, vectorised) to 1e-12 relative, same n_sub, on random inputs."""
    rng = np.random.default_rng(RNG_SEED)
    M, m, gx, gy, *_ = random_case(rng)
    dt = 900.0
    ref, n_ref = numpy_horizontal(M, m, gx, gy, dt)
    got = M.copy()
    n_sub = diffusion.horizontal_diffusion(got, m, gx, gy, dt)
    assert n_sub == n_ref and n_sub > 1
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())


def test_horizontal_boundary_conductance_ignored():
    """Lateral boundary faces carry no flux even if a nonzero conductance is passed there: with a small
    boundary conductance (same n_sub) the result is bitwise that of zero boundary conductances."""
    rng = np.random.default_rng(RNG_SEED + 1)
    M, m, gx, gy, *_ = random_case(rng)
    gx2, gy2 = gx.copy(), gy.copy()
    gx2[:, :, 0] = gx2[:, :, -1] = 1.0
    gy2[:, 0, :] = gy2[:, -1, :] = 1.0
    a, b = M.copy(), M.copy()
    na = diffusion.horizontal_diffusion(a, m, gx, gy, 100.0)
    nb = diffusion.horizontal_diffusion(b, m, gx2, gy2, 100.0)
    assert na == nb
    assert a.tobytes() == b.tobytes()
    np.testing.assert_allclose(b.sum(axis=(2, 3)), M.sum(axis=(2, 3)), rtol=1e-13)


def test_horizontal_conserves_mass_and_uniform_q():
    """sum_{j,i} M per (species, layer) is unchanged (fluxes antisymmetric); uniform q stays uniform."""
    rng = np.random.default_rng(RNG_SEED + 2)
    M, m, gx, gy, *_ = random_case(rng, ns=2, nz=4, ny=20, nx=17)
    before = M.sum(axis=(2, 3))
    diffusion.horizontal_diffusion(M, m, gx, gy, 3600.0)
    np.testing.assert_allclose(M.sum(axis=(2, 3)), before, rtol=1e-13)

    U = np.empty_like(M)
    U[0] = 3e-7 * m
    U[1] = 0.0
    U0 = U.copy()
    diffusion.horizontal_diffusion(U, m, gx, gy, 3600.0)
    np.testing.assert_allclose(U, U0, rtol=1e-13)
    assert np.all(U[1] == 0.0)


def test_horizontal_positive_for_steep_steps():
    """Checkerboards of 0 and 1 kg/kg with widely varying air mass and conductance stay >= 0 (monotone sub-steps)."""
    rng = np.random.default_rng(RNG_SEED + 3)
    ns, nz, ny, nx = 2, 3, 16, 16
    m = 10.0 ** rng.uniform(7, 9, (nz, ny, nx))
    jj, ii = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
    q = np.empty((ns, nz, ny, nx))
    q[0] = ((jj + ii) % 2)[None]
    q[1] = (rng.random((nz, ny, nx)) < 0.1)
    M = q * m
    gx = 10.0 ** rng.uniform(2, 6, (nz, ny, nx + 1))
    gy = 10.0 ** rng.uniform(2, 6, (nz, ny + 1, nx))
    gx[:, :, [0, -1]] = 0.0
    gy[:, [0, -1], :] = 0.0
    before = M.sum(axis=(2, 3))
    n_sub = diffusion.horizontal_diffusion(M, m, gx, gy, 600.0)
    assert 10 < n_sub < 10000
    assert np.all(M >= 0.0)
    qn = M / m
    assert qn.max() <= 1.0 + 1e-12  # maximum principle
    np.testing.assert_allclose(M.sum(axis=(2, 3)), before, rtol=1e-13)


def test_horizontal_gaussian_spreading():
    """2-D Gaussian with constant K: variance grows by 2 K t in x and y; profile vs the exact solution.

    Uniform grid, dx = dy, air mass m = rho dx dy dz, G = rho K (dy dz) / dx.  The exact solution is
    q(x, y, t) = Q / (2 pi s^2) exp(-r^2 / (2 s^2)), s^2 = s0^2 + 2 K t.  For the explicit 5-point scheme the
    discrete second moment grows by exactly 2 K t per direction (away from the boundaries), so the variance
    matches to round-off (4e-13 relative here, from the tails cut at 7 sigma); the profile error is
    O(dx^2) + O(dt_sub) and is 1.3e-4 of the peak here.
    """
    n, dx, dz, rho, K, s0, t = 161, 50.0, 20.0, 1.2, 100.0, 300.0, 1000.0
    x = (np.arange(n) - n // 2) * dx
    X, Y = np.meshgrid(x, x, indexing="xy")  # [j, i] = [y, x]

    def gauss(s2):
        return np.exp(-(X**2 + Y**2) / (2 * s2)) / (2 * np.pi * s2)

    m = np.full((1, n, n), rho * dx * dx * dz)
    g = rho * K * dx * dz / dx
    gx = np.full((1, n, n + 1), g)
    gy = np.full((1, n + 1, n), g)
    gx[:, :, [0, -1]] = 0.0
    gy[:, [0, -1], :] = 0.0
    M = (gauss(s0**2) * m[0])[None, None].copy()
    n_sub = diffusion.horizontal_diffusion(M, m, gx, gy, t)
    assert n_sub == int(np.ceil(t * 4 * g / m.max() / 0.5))
    q = M[0, 0] / m[0]
    w = q / q.sum()
    var_x, var_y = (w * X**2).sum(), (w * Y**2).sum()
    s2 = s0**2 + 2 * K * t
    assert abs(var_x - s2) / s2 < 1e-9 and abs(var_y - s2) / s2 < 1e-9
    exact = gauss(s2)
    err = np.abs(q / q.sum() / dx**2 - exact).max() / exact.max()
    assert err < 3e-4, err


# ---------------------------------------------------------------------------------------------------------
# vertical diffusion
# ---------------------------------------------------------------------------------------------------------

def run_vertical(M, m, gz, E, D, dt):
    M = M.copy()
    dep = np.full(E.shape, np.nan)
    diffusion.vertical_diffusion(M, m, gz, E, D, dt, dep)
    return M, dep


@pytest.mark.parametrize("nz", [1, 2, 9])
def test_vertical_matches_dense_solve(nz):
    """Kernel == numpy.linalg.solve of the dense theta-scheme system to 1e-12 relative; ends ignored."""
    rng = np.random.default_rng(RNG_SEED + 10 + nz)
    M, m, _, _, gz, E, D = random_case(rng, nz=nz)
    gz_ends = gz.copy()
    gz_ends[0] = 1e9
    gz_ends[-1] = 1e9  # must be ignored
    dt = 600.0
    ref, dref = numpy_vertical(M, m, gz, E, D, dt)
    got, dep = run_vertical(M, m, gz_ends, E, D, dt)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
    np.testing.assert_allclose(dep, dref, rtol=1e-12, atol=1e-12 * np.abs(dref).max())


@pytest.mark.parametrize("dt", [60.0, 3600.0, 1e9])
def test_vertical_column_balance(dt):
    """sum_k M^{n+1} = sum_k M^n + dt E - deposited, to 1e-13 relative, for moderate and huge dt."""
    rng = np.random.default_rng(RNG_SEED + 20)
    M, m, _, _, gz, E, D = random_case(rng, ns=4, nz=30, ny=6, nx=7)
    new, dep = run_vertical(M, m, gz, E, D, dt)
    lhs = new.sum(axis=1)
    rhs = M.sum(axis=1) + dt * E - dep
    scale = M.sum(axis=1) + dt * E
    assert np.all(np.abs(lhs - rhs) <= 1e-13 * scale)
    assert np.all(dep >= 0.0)


def test_vertical_positive_huge_dt():
    """Random non-negative fields (many zeros, wildly varying G and m) stay >= 0 for dt = 1e12 s."""
    rng = np.random.default_rng(RNG_SEED + 30)
    ns, nz, ny, nx = 3, 25, 4, 5
    m = 10.0 ** rng.uniform(5, 11, (nz, ny, nx))
    M = np.where(rng.random((ns, nz, ny, nx)) < 0.5, 0.0, rng.uniform(0, 1, (ns, nz, ny, nx)) * m * 1e-6)
    gz = 10.0 ** rng.uniform(-2, 9, (nz + 1, ny, nx))
    gz[rng.random(gz.shape) < 0.2] = 0.0
    E = np.where(rng.random((ns, ny, nx)) < 0.5, 0.0, rng.uniform(0, 1, (ns, ny, nx)))
    D = 10.0 ** rng.uniform(0, 8, (ns, ny, nx))
    for dt in (1.0, 1e4, 1e12):
        new, dep = run_vertical(M, m, gz, E, D, dt)
        assert np.all(new >= 0.0) and np.all(dep >= 0.0)
        assert np.all(np.isfinite(new))


def test_vertical_gaussian_spreading():
    """1-D Gaussian in a tall column, constant K, no surface flux: exact s^2 = s0^2 + 2 K t.

    Layers dz = 5 m, m = rho A dz, G = rho K A / dz, 200 backward-Euler steps of dt = 10 s.  The discrete
    second moment grows by exactly 2 K dt per step (the 3-point Laplacian moments telescope), so the
    variance matches to round-off while the centre stays put; the profile error vs the exact Gaussian
    is O(dz^2) + O(dt) and is 1.7e-3 of the peak here (dominated by the first-order backward-Euler
    error: 0.87e-3 with dt = 5 s, 0.44e-3 with dt = 2.5 s); the variance matches to 1e-15 relative.
    """
    nz, dz, rho, A, K, s0, dt, nsteps = 2000, 5.0, 1.1, 1.0, 50.0, 100.0, 10.0, 200
    z = (np.arange(nz) + 0.5) * dz
    zc = z[nz // 2]

    def gauss(s2):
        return np.exp(-((z - zc) ** 2) / (2 * s2)) / np.sqrt(2 * np.pi * s2)

    m = np.full((nz, 1, 1), rho * A * dz)
    gz = np.full((nz + 1, 1, 1), rho * K * A / dz)
    gz[0] = gz[-1] = 0.0
    M = (gauss(s0**2) * m[:, 0, 0])[None, :, None, None].copy()
    zero = np.zeros((1, 1, 1))
    dep = np.empty((1, 1, 1))
    for _ in range(nsteps):
        diffusion.vertical_diffusion(M, m, gz, zero, zero, dt, dep)
    q = M[0, :, 0, 0] / m[:, 0, 0]
    w = q / q.sum()
    mean = (w * z).sum()
    var = (w * (z - mean) ** 2).sum()
    s2 = s0**2 + 2 * K * dt * nsteps
    assert abs(mean - zc) < 1e-9 * zc
    assert abs(var - s2) / s2 < 1e-9
    exact = gauss(s2)
    err = np.abs(w / dz - exact).max() / exact.max()
    assert err < 2.5e-3, err
    # halving dt roughly halves the (first-order) error
    M2 = (gauss(s0**2) * m[:, 0, 0])[None, :, None, None].copy()
    for _ in range(2 * nsteps):
        diffusion.vertical_diffusion(M2, m, gz, zero, zero, dt / 2, dep)
    w2 = M2[0, :, 0, 0] / M2.sum()
    err2 = np.abs(w2 / dz - exact).max() / exact.max()
    assert 0.4 < err2 / err < 0.6, (err, err2)


def test_vertical_steady_state_flux_balance():
    """Constant E and D, long run with big dt: the column reaches q uniform = E / D (flux balance E = D q_0),
    total column mass (E / D) sum_k m_k, and the deposited mass per step equals dt E."""
    rng = np.random.default_rng(RNG_SEED + 40)
    ns, nz, ny, nx = 2, 20, 3, 3
    m = rng.uniform(1e8, 1e9, (nz, ny, nx))
    gz = rng.uniform(1e5, 1e7, (nz + 1, ny, nx))
    gz[0] = gz[-1] = 0.0
    E = rng.uniform(0.1, 1.0, (ns, ny, nx))
    D = rng.uniform(1e5, 1e6, (ns, ny, nx))
    M = np.zeros((ns, nz, ny, nx))
    dep = np.empty((ns, ny, nx))
    dt = 1e6
    for _ in range(40):
        diffusion.vertical_diffusion(M, m, gz, E, D, dt, dep)
    q_ss = E / D
    np.testing.assert_allclose(M / m[None], np.broadcast_to(q_ss[:, None], M.shape), rtol=1e-10)
    np.testing.assert_allclose(M.sum(axis=1), q_ss * m.sum(axis=0)[None], rtol=1e-10)
    np.testing.assert_allclose(dep, dt * E, rtol=1e-10)
    np.testing.assert_allclose(D * (M[:, 0] / m[0][None]), E, rtol=1e-10)


# ---------------------------------------------------------------------------------------------------------
# thread independence
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs NUMBA_NUM_THREADS >= 2")
def test_bitwise_identical_with_1_and_2_threads():
    """Results with numba.set_num_threads(1) and (2) are bitwise identical (no cross-thread reductions)."""
    rng = np.random.default_rng(RNG_SEED + 50)
    M, m, gx, gy, gz, E, D = random_case(rng, ns=5, nz=9, ny=13, nx=11)
    old = numba.get_num_threads()
    outs = []
    try:
        for nt in (1, 2):
            numba.set_num_threads(nt)
            a = M.copy()
            n = diffusion.horizontal_diffusion(a, m, gx, gy, 1800.0)
            b = M.copy()
            dep = np.empty_like(E)
            diffusion.vertical_diffusion(b, m, gz, E, D, 900.0, dep)
            outs.append((n, a, b, dep))
    finally:
        numba.set_num_threads(old)
    (n1, a1, b1, d1), (n2, a2, b2, d2) = outs
    assert n1 == n2
    assert a1.tobytes() == a2.tobytes()
    assert b1.tobytes() == b2.tobytes()
    assert d1.tobytes() == d2.tobytes()


def test_vertical_gentle_mixing_is_second_order_in_time():
    """Where K dt / dz^2 is small the kernel takes theta = 1/2 (Crank-Nicolson): the time error, measured
    against the same spatial discretization run with dt/32, falls by about 4 when dt is halved (first order
    would give 2)."""
    nz, dz, K, dt, t_end = 200, 5.0, 5.0, 4.0, 400.0
    z = (np.arange(nz) + 0.5) * dz
    m = np.full((nz, 1, 1), dz)
    gz = np.full((nz + 1, 1, 1), K / dz)
    gz[0] = gz[-1] = 0.0
    assert vertical_theta(m, gz, dt)[0, 0] == 0.5
    start = np.exp(-((z - 500.0) ** 2) / (2 * 30.0**2))
    zero = np.zeros((1, 1, 1))
    dep = np.empty((1, 1, 1))

    def run(step):
        M = (start * dz)[None, :, None, None].copy()
        for _ in range(int(round(t_end / step))):
            diffusion.vertical_diffusion(M, m, gz, zero, zero, step, dep)
        return M[0, :, 0, 0]

    ref = run(dt / 32)
    e1 = np.abs(run(dt) - ref).max()
    e2 = np.abs(run(dt / 2) - ref).max()
    assert 3.3 < e1 / e2 < 4.5, (e1, e2)
