"""The Rosenbrock integrator and the 3-D chemistry step: order of accuracy, positivity, mass-consistent clipping,
agreement of the 3-D kernel with the box driver, budgets, thread independence, health errors."""
from datetime import datetime, timedelta, timezone

import numba
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from airmodel.chemistry import Chemistry, load_mechanism, parse_mechanism
from airmodel.chemistry.process import seconds_of_year
from airmodel.errors import ModelHealthError
from airmodel.kernels import chemistry as kc
from airmodel.kernels.photolysis import mcm_photolysis
from airmodel.kernels.rosenbrock import lu_factor, lu_solve, tableau

ORDER_MECH = """\
mechanism order_test
species A phase=gas mw=10 units=ppb drydep=inert wet=0
species B phase=gas mw=10 units=ppb drydep=inert wet=0
species C phase=gas mw=20 units=ppb drydep=inert wet=0
photolysis X l=2e-3 m=0.5 n=0.3
reaction P1: A -> B : J(X) {s-1}
reaction P2: B + B -> C : 2e-4 {ppb s}
reaction P3: B -> A : 1e-4 {s-1}
"""
LON, LAT = 116.4, 39.9
START = datetime(2008, 8, 1, 0, 0, tzinfo=timezone.utc)  # 08:00 local: J rises through the window
WINDOW = 7200.0


def _fixed_steps(mech, method, n_steps, y0):
    """n_steps single Rosenbrock steps (huge rtol: every step accepted; first_step = the whole call)."""
    a = mech.arrays
    ns = a.molar_mass.size
    solve, nc, pos = mech.solve_order(range(ns))
    tab = tableau(method)
    ws = kc.allocate_workspace(ns, a.rate_type.size, a.photolysis_par.shape[0], solve.size, nc, tab.stages)
    kc.thermal_rate_constants(a, 298.0, 2.46e19, 50.0, 0.0, ws.k_thermal)
    y = y0.copy()
    zero = np.zeros(ns)
    dt = WINDOW / n_steps
    phi = np.radians(LAT)
    for n in range(n_steps):
        sec, days = seconds_of_year(START + timedelta(seconds=n * dt))
        sun = kc.sun_parameters(sec, days, dt, np.nan)
        status, acc, rej, _ = kc.integrate_cell(y, dt, a, sun, LON, np.sin(phi), np.cos(phi), 1.0, zero, 0.0, zero,
                                             solve, nc, pos, tab, 1e6, np.full(ns, 1e-30), 10, ws, dt)
        assert status == 0 and acc == 1 and rej == 0
    return y


def _reference(mech, y0, pieces):
    """Radau at rtol 1e-12 on the same J(t), piecewise over the finest call grid (same solar interpolation)."""
    l, m, n = mech.photolysis["X"]
    phi = np.radians(LAT)
    y = y0.copy()
    dt = WINDOW / pieces
    for p in range(pieces):
        sec, days = seconds_of_year(START + timedelta(seconds=p * dt))
        sun = kc.sun_parameters(sec, days, dt, np.nan)

        def fun(t, yy):
            j = mcm_photolysis(kc._cos_zenith_at(t, dt, sun, LON, np.sin(phi), np.cos(phi)), l, m, n)
            r1, r2, r3 = j * yy[0], 2e-4 * yy[1] ** 2, 1e-4 * yy[1]
            return [-r1 + r3, r1 - 2 * r2 - r3, r2]

        y = solve_ivp(fun, (0, dt), y, method="Radau", rtol=1e-12, atol=1e-14).y[:, -1]
    return y


@pytest.mark.parametrize("method, order, steps", [("ros2", 2, (64, 128, 256)), ("rodas3", 3, (8, 16, 32, 64))])
def test_convergence_order_with_time_dependent_photolysis(method, order, steps):
    """Global error of N fixed steps ~ C N^-p: log2(e_N / e_2N) -> p (2 for ROS2, 3 for RODAS3), on a nonlinear
    problem whose photolysis rate changes through the window (so the f_t term of the method is exercised).
    ROS2 reaches its asymptotic order only below about 60 s steps here (1.45 at 1800 s, 1.86 at 112 s)."""
    mech = parse_mechanism(ORDER_MECH, "order_test.mech")
    y0 = np.array([50.0, 5.0, 0.0])
    ref = _reference(mech, y0, 256)
    errors = [np.abs(_fixed_steps(mech, method, n, y0) - ref).max() for n in steps]
    observed = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(observed > order - 0.3) and np.all(observed < order + 0.6), observed


def test_lu_with_pivoting_solves():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(7, 7))
    a[0, 0] = 0.0  # forces a row swap
    b = rng.normal(size=7)
    lu, piv = a.copy(), np.zeros(7, dtype=np.int64)
    assert lu_factor(lu, piv)
    x = b.copy()
    lu_solve(lu, piv, x)
    np.testing.assert_allclose(a @ x, b, rtol=1e-12, atol=1e-12)
    assert not lu_factor(np.zeros((3, 3)), np.zeros(3, dtype=np.int64))


def test_clipping_keeps_element_totals():
    """A small negative N species is set to zero and its deficit taken from the other N species."""
    mech = load_mechanism("grs_aero")
    a = mech.arrays
    ns = a.molar_mass.size
    y = np.linspace(1.0, 19.0, ns)
    no2 = mech.index("NO2")
    y[no2] = -1e-9
    n_species = [s for s in range(ns) if a.element_of[s] == 0]
    before = y[n_species].sum()
    o3 = mech.index("O3")
    y[o3] = -2e-9  # no conserved element: simply zero
    kc.clip_negatives(a, y, np.arange(ns))
    assert y[no2] == 0.0 and y[o3] == 0.0 and y.min() >= 0.0
    assert y[n_species].sum() == pytest.approx(before, rel=1e-15)


def _state(chem, shape, rng):
    """A polluted daytime state (kg m-3) with random variations."""
    ppb = dict(NO=10, NO2=25, O3=40, ROC=200, RP=1e-3, HNO3=2, NH3=15, NO3A=2, NH4A=4, SO2=8, SULF=3,
               SOA=0.5, POA=5, EC=2, PM25_OTHER=5, PMC=20, CO=800, CO2=390e3)
    rho = 1.18 * np.exp(-np.arange(shape[0]) * 150.0 / 8000.0)[:, None, None] * np.ones(shape)
    c = np.empty((len(chem.names),) + shape)
    for s, sp in enumerate(chem.species):
        c[s] = ppb[sp.name] * rng.uniform(0.5, 1.5, shape) * 1e-9 * sp.molar_mass / kc.MOLAR_MASS_AIR * rho
    return c, rho


@pytest.fixture(scope="module")
def chem():
    return Chemistry("grs_aero", rtol=1e-3, atol=1e-6)


@pytest.mark.parametrize("kernels", ["generic", "generated"])
@pytest.mark.parametrize("photolysis", ["continuous", "per_step"])
def test_3d_step_equals_box_driver_for_each_cell(photolysis, kernels):
    """The parallel 3-D kernel and the box driver give the same cell result (same integrator, same rates). With
    photolysis "per_step" the 3-D kernel holds the sun at the middle of the step: the box driver with that
    fixed solar zenith angle must give the same result, bit for bit. For the generic kernels and for the code
    generated for the mechanism, each against its own box driver."""
    chem = Chemistry("grs_aero", rtol=1e-3, atol=1e-6, photolysis=photolysis, kernels=kernels)
    rng = np.random.default_rng(5)
    shape = (3, 5, 7)  # 105 cells: four chunks of CELLS_PER_CHUNK, visited in the chunk_stride order
    c, rho = _state(chem, shape, rng)
    temperature = 285.0 + 15.0 * rng.random(shape)
    lon = np.full(shape[1:], 116.0)
    lat = np.full(shape[1:], 40.0)
    when = datetime(2008, 8, 1, 3, tzinfo=timezone.utc)
    c3 = c.copy()
    chem.step(c3, rho, temperature, 0.70, 0.1, lon, lat, when, 900.0, cell_volume=np.ones(shape))
    mech = chem.mechanism
    sec, days = seconds_of_year(when)
    fixed = np.nan
    if photolysis == "per_step":
        sun = kc.sun_parameters(sec, days, 900.0, np.nan)
        phi = np.radians(40.0)
        fixed = kc._cos_zenith_at(450.0, 900.0, sun, 116.0, np.sin(phi), np.cos(phi))
    for k, j, i in [(0, 0, 0), (1, 2, 3), (0, 1, 2), (1, 4, 6), (2, 2, 5), (2, 4, 6)]:
        ppb = c[:, k, j, i] / rho[k, j, i] * (kc.MOLAR_MASS_AIR / mech.molar_mass) / kc.PPB  # as the kernel
        out = np.zeros((1, ppb.size))
        ns = ppb.size
        forcing = (np.array([sec]), np.array([900.0]), np.array([days]), np.array([temperature[k, j, i]]),
                   np.array([kc.air_number_density(rho[k, j, i])]), np.array([70.0]), np.array([0.1]),
                   np.zeros((1, ns)), np.array([0]), 0.0, np.zeros(ns), 116.0, 40.0, fixed)
        if kernels == "generic":
            status, _ = kc.integrate_box(ppb, *forcing, mech.arrays, chem.tableau, chem.solve, chem.n_coupled,
                                         chem.position, 1e-3, np.full(ns, 1e-6), 100000, out,
                                         np.zeros(2, dtype=np.int64))
        else:
            status, _ = chem.generated.integrate_box(ppb, *forcing, chem.tableau, chem.solve, 1e-3,
                                                     np.full(ns, 1e-6), 100000, out, np.zeros(2, dtype=np.int64))
        assert status == 0
        expected = out[0] * kc.PPB * (mech.molar_mass / kc.MOLAR_MASS_AIR) * rho[k, j, i]
        np.testing.assert_allclose(c3[:, k, j, i], expected, rtol=1e-14, atol=0)


def test_chunk_order_is_a_permutation_that_spreads_the_cost_over_the_threads():
    """The 3-D drivers' parallel loop takes chunk (p s) mod n at iteration p, s = chunk_stride(n): every chunk
    exactly once, and each thread's contiguous range of iterations (prange's static schedule) gets chunks from the
    whole grid. With the lower half of the chunks 2.8 times as costly as the upper half (the solver steps of the
    August baseline's layers 0-4 against 5-9), every thread's share is within 1 % of the mean for 2-8 threads on
    a grid of the baseline's size; in the plain order the first of two threads gets 1.47 times the mean."""
    for n in range(1, 1200):
        s = kc.chunk_stride(n)
        assert 1 <= s <= max(n - 1, 1)
        assert np.array_equal(np.sort((np.arange(n) * s) % n), np.arange(n))
    n = (10 * 55 * 60 + kc.CELLS_PER_CHUNK - 1) // kc.CELLS_PER_CHUNK
    cost = np.where(np.arange(n) < n // 2, 2.8, 1.0)
    order = (np.arange(n) * kc.chunk_stride(n)) % n
    for threads in (2, 3, 4, 8):
        shares = np.array([cost[part].sum() for part in np.array_split(order, threads)])
        assert shares.max() / shares.mean() < 1.01, threads
    plain = np.array([cost[part].sum() for part in np.array_split(np.arange(n), 2)])
    assert plain.max() / plain.mean() > 1.4


def test_3d_step_budget_passive_species_and_nitrogen(chem):
    """Net production (kg) = sum of (c_new - c_old) V; inert species unchanged bit for bit; moles of N and S per
    cell unchanged; nothing negative."""
    rng = np.random.default_rng(7)
    shape = (3, 4, 5)
    c, rho = _state(chem, shape, rng)
    volume = rng.uniform(1e8, 2e8, shape)
    before = c.copy()
    produced = chem.step(c, rho, 298.0, 0.60, 0.0, 116.4, 39.9, datetime(2008, 8, 1, 5, tzinfo=timezone.utc),
                         600.0, cell_volume=volume)
    np.testing.assert_allclose(produced, np.einsum("skji,kji->s", c - before, volume), rtol=1e-12, atol=1e-18)
    mech = chem.mechanism
    for name in ("POA", "EC", "PM25_OTHER", "PMC"):
        s = mech.index(name)
        assert produced[s] == 0.0 and np.array_equal(c[s], before[s])
    assert c.min() >= 0.0
    w = mech.arrays.element_weight / mech.molar_mass  # atoms per gram
    for e in range(2):
        moles_before = np.einsum("s,skji->kji", w[e], before)
        moles_after = np.einsum("s,skji->kji", w[e], c)
        np.testing.assert_allclose(moles_after, moles_before, rtol=1e-12)
    assert np.abs(produced[mech.index("O3")]) > 0


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs NUMBA_NUM_THREADS >= 2")
def test_3d_step_bitwise_identical_with_one_and_two_threads(chem):
    rng = np.random.default_rng(11)
    shape = (4, 6, 7)
    c, rho = _state(chem, shape, rng)
    results = []
    before = numba.get_num_threads()
    try:
        for threads in (1, 2):
            numba.set_num_threads(threads)
            cc = c.copy()
            chem.next_step = None  # the same starting state for each (the solver carries step sizes across calls)
            chem.step(cc, rho, 300.0, 0.50, 0.0, 116.4, 39.9, datetime(2008, 8, 1, 2, tzinfo=timezone.utc), 600.0,
                      cell_volume=np.ones(shape))
            results.append(cc)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(results[0], results[1])


def test_solver_failure_is_a_health_error_naming_the_cell():
    chem = Chemistry("grs_aero", rtol=1e-3, atol=1e-6, max_steps=1)
    c, rho = _state(chem, (1, 2, 2), np.random.default_rng(0))
    with pytest.raises(ModelHealthError, match=r"chemistry: the chemistry solver needed more than max_steps steps "
                                               r"in cell \(k=0, j=0, i=0\)"):
        chem.step(c, rho, 298.0, 0.60, 0.0, 116.4, 39.9, datetime(2008, 8, 1, 5, tzinfo=timezone.utc), 600.0,
                  cell_volume=np.ones((1, 2, 2)))


def test_model_species_mapping_and_metadata():
    names = ["tracer"] + list(reversed(load_mechanism("grs_aero").species_names))
    chem = Chemistry("grs_aero", model_species=names)
    assert chem.slot[chem.mechanism.index("NO")] == names.index("NO")
    meta = chem.output_metadata()
    assert meta["PM25"]["standard_name"] == "mass_concentration_of_pm2p5_ambient_aerosol_particles_in_air"
    assert meta["CO"]["units"] == "ppm"
    with pytest.raises(Exception, match="needs species missing from the model: NO"):
        Chemistry("grs_aero", model_species=[n for n in names if n != "NO"])
    with pytest.raises(Exception, match="chemistry.method: unknown value 'ros4'; choose one of: ros2, rodas3"):
        Chemistry("grs_aero", method="ros4")
