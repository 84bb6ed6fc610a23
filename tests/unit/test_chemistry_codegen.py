"""The code generated per mechanism (airmodel/chemistry/codegen.py) against the generic index-array kernels, the
reference: rate constants, tendency, Jacobian and the sparse LU solve agree to 1e-12 relative on random states and
rates, for grs_aero and for a larger mechanism with every rate form and fill-in; the integrators take the same steps;
the cache is keyed by the mechanism text and regenerated when it changes."""
from datetime import datetime, timezone

import numpy as np
import pytest

from airmodel.chemistry import Chemistry, codegen, load_mechanism, parse_mechanism
from airmodel.chemistry.box import build_setup, integrate, load_box_config
from airmodel.errors import InputError
from airmodel.kernels import chemistry as kc
from airmodel.kernels.rosenbrock import lu_factor, lu_solve

# A made-up mechanism, larger than grs_aero, with every rate form, three-body and self reactions, two photolysis
# frequencies, the OH proxy and a conserved element: its Jacobian's elimination creates fill-in.
LARGE = """\
mechanism codegen_test
element N
species NO   phase=gas mw=30 units=ppb elements=N:1 drydep=inert wet=0
species NO2  phase=gas mw=46 units=ppb elements=N:1 drydep=inert wet=0
species NO3  phase=gas mw=62 units=ppb elements=N:1 drydep=inert wet=0
species N2O5 phase=gas mw=108 units=ppb elements=N:2 drydep=inert wet=0
species HNO3 phase=gas mw=63 units=ppb elements=N:1 drydep=inert wet=0
species O3   phase=gas mw=48 units=ppb drydep=inert wet=0
species HO2  phase=gas mw=33 units=ppb drydep=inert wet=0
species RO2  phase=gas mw=47 units=ppb drydep=inert wet=0
species VOC  phase=gas mw=12 units=ppb drydep=inert wet=0
species ALD  phase=gas mw=30 units=ppb drydep=inert wet=0
species H2O2 phase=gas mw=34 units=ppb drydep=inert wet=0
species SO2  phase=gas mw=64 units=ppb drydep=inert wet=0
species SULF phase=aerosol mw=96 units="ug m-3" drydep=inert wet=0 incloud=0
species CO   phase=gas mw=28 units=ppm drydep=inert wet=0
species INERT phase=aerosol mw=100 units="ug m-3" drydep=inert wet=0 incloud=0
photolysis NO2 l=1.165e-2 m=0.244 n=0.267
photolysis ALD l=4.642e-5 m=0.762 n=0.353
cloud_attenuation a=0.75 b=3.4
oh_proxy j=ALD j_ref=2.0e-5 oh_ref=5e6 exponent=0.8
reaction G1: NO2 -> NO + O3 : J(NO2) {s-1}
reaction G2: NO + O3 -> NO2 : ARR(1.4e-12, 1310) {molecule cm-3 s}
reaction G3: HO2 + NO -> NO2 : ARR(3.45e-12, -270) {molecule cm-3 s}
reaction G4: RO2 + NO -> NO2 + ALD + HO2 : ARR(2.3e-12, -360, 0.5) {molecule cm-3 s}
reaction G5: VOC -> RO2 : 1.0e-11 * OH {molecule cm-3 s}
reaction G6: ALD -> 2 HO2 + CO : J(ALD) {s-1}
reaction G7: HO2 + HO2 -> H2O2 : LINM(2.2e-13, 1.0e19) {molecule cm-3 s}
reaction G8: NO2 + O3 -> NO3 : ARR(1.4e-13, 2470) {molecule cm-3 s}
reaction G9: NO3 + NO2 -> N2O5 : TROE(3.6e-30, 4.1, 1.9e-12, -0.2, 0.35) {molecule cm-3 s}
reaction G10: N2O5 -> NO3 + NO2 : ARR(1.3e-3, 11000, -3.5) {s-1}
reaction G11: N2O5 -> 2 HNO3 : RHCLOUD(1e-9, 2) {s-1}
reaction G12: NO3 + ALD -> HNO3 + RO2 : 5.6e-16 {molecule cm-3 s}
reaction G13: SO2 -> SULF : TROE(3.0e-31, 3.3, 1.5e-12, 0, 0.6) * OH {molecule cm-3 s}
reaction G14: H2O2 + SO2 -> SULF : 2e-5 {ppb s}
reaction G15: RO2 + HO2 -> VOC : 125 {ppm min}
reaction G16: NO + NO + O3 -> NO2 + NO2 : 1e-9 {ppb s}
reaction G17: NO3 + NO -> NO2 + NO2 : ARR(1.8e-11, -110) {molecule cm-3 s}
reaction G18: RO2 + RO2 -> 0.5 ALD + 0.2 VOC : 3e-13 {molecule cm-3 s}
reaction G19: HO2 + HO2 -> H2O2 : ARRM(3.22e-34, -2800, 2.38e-54, -3200) * H2O {molecule cm-3 s}
reaction G20: NO3 + NO2 -> N2O5 : FALLOFF(2.0e-30, 0, -4.4, 1.4e-12, 0, -0.7, 0.6, 1.0) {molecule cm-3 s}
reaction G21: N2O5 -> NO3 + NO2 : FALLOFF(1.0e-3, 11000, -3.5, 9.7e14, 11080, 0.1, 0.45, 1.2) {molecule cm-3 s}
reaction G22: HNO3 + HO2 -> NO3 : KHNO3(2.4e-14, -460, 2.7e-17, -2199, 6.5e-34, -1335) {molecule cm-3 s}
reaction G23: NO + NO -> NO2 + NO2 : ARR(3.3e-39, -530) * O2 {molecule cm-3 s}
reaction G24: VOC -> ALD : ARR(6.0e-34, 0, -2.4) * O2 * M {molecule cm-3 s}
reaction G25: CO -> VOC : 1e-22 * N2 * H2O * H2O {molecule cm-3 s}
"""


MECHANISMS = {"grs_aero": lambda: load_mechanism("grs_aero"), "large": lambda: parse_mechanism(LARGE, "large.mech"),
              "cb05_aero": lambda: load_mechanism("cb05_aero")}


@pytest.fixture(scope="module", params=sorted(MECHANISMS))
def pair(request):
    mech = MECHANISMS[request.param]()
    return mech, codegen.generated_module(mech)


def _random_state(rng, ns):
    return 10.0 ** rng.uniform(-4, 3, ns)


def _generic_dense_jacobian(mech, k, y, dilution):
    a = mech.arrays
    ns = a.molar_mass.size
    solve, nc, position = mech.solve_order(range(ns))
    jac = np.zeros((ns, ns))
    kc.jacobian(a, k, y, dilution, position, nc, jac)
    out = np.zeros((ns, ns))
    out[np.ix_(solve, solve)] = jac
    return out


def test_every_rate_form_of_the_kernels_has_an_emitter():
    codes = {v for n, v in vars(kc).items() if n.startswith("RATE_") and isinstance(v, int)}
    assert codes == set(codegen.SUPPORTED_RATE_TYPES)


def test_rate_constants_agree(pair):
    mech, gen = pair
    a = mech.arrays
    rng = np.random.default_rng(1)
    nr = a.rate_type.size
    for _ in range(50):
        t, m, rh, cf = rng.uniform(250, 320), rng.uniform(1e19, 2.6e19), rng.uniform(0, 100), rng.uniform(0, 1)
        cos_chi, cloud = rng.uniform(-0.3, 1.0), rng.uniform(0.2, 1.0)
        ref_t, gen_t = np.empty(nr), np.empty(nr)
        kc.thermal_rate_constants(a, t, m, rh, cf, ref_t)
        gen.thermal_rate_constants(t, m, rh, cf, gen_t)
        np.testing.assert_allclose(gen_t, ref_t, rtol=1e-12, atol=0)
        ref_k, gen_k = np.empty(nr), np.empty(nr)
        jv = np.empty(max(a.photolysis_par.shape[0], 1))
        kc.current_rate_constants(a, ref_t, jv, kc.photolysis_and_oh(a, cos_chi, cloud, jv), ref_k)
        gen.rate_constants(cos_chi, cloud, ref_t, gen_k)
        np.testing.assert_allclose(gen_k, ref_k, rtol=1e-12, atol=0)


def test_tendency_agrees(pair):
    mech, gen = pair
    a = mech.arrays
    ns, nr = a.molar_mass.size, a.rate_type.size
    rng = np.random.default_rng(2)
    for n in range(200):
        y, k = _random_state(rng, ns), 10.0 ** rng.uniform(-8, 1, nr)
        emission, background = rng.uniform(0, 1, ns), _random_state(rng, ns)
        dilution = 0.0 if n % 2 else rng.uniform(0, 1e-4)
        ref, out = np.empty(ns), np.empty(ns)
        kc.tendency(a, k, y, emission, dilution, background, ref)
        gen.tendency(k, y, emission, dilution, background, out)
        np.testing.assert_allclose(out, ref, rtol=1e-12, atol=0)


def test_jacobian_agrees_and_covers_the_pattern(pair):
    mech, gen = pair
    a = mech.arrays
    ns, nr = a.molar_mass.size, a.rate_type.size
    rng = np.random.default_rng(3)
    stored = np.zeros((ns, ns), dtype=bool)
    stored[gen.JAC_ROW, gen.JAC_COL] = True
    for n in range(200):
        y, k = _random_state(rng, ns), 10.0 ** rng.uniform(-8, 1, nr)
        dilution = 0.0 if n % 2 else rng.uniform(0, 1e-4)
        ref = _generic_dense_jacobian(mech, k, y, dilution)
        jac = np.zeros(gen.NNZ)
        gen.jacobian(k, y, dilution, jac)
        dense = np.zeros((ns, ns))
        dense[gen.JAC_ROW, gen.JAC_COL] = jac
        assert not ref[~stored].any()  # every nonzero of the reference has a place in the layout
        np.testing.assert_allclose(dense, ref, rtol=1e-12, atol=0)


def test_sparse_lu_solve_agrees(pair):
    """(1/(h gamma) I - J) x = b by the generated sparse LU (no pivoting, Markowitz order): backward error below
    1e-12 for step sizes from 1e-3 s to 1e4 s, and the same x as the generic dense LU with partial pivoting to
    1e-12 relative wherever the matrix is well conditioned (condition number below 1e4; for worse ones the two
    differ by the conditioning times round-off, as any two solvers do)."""
    mech, gen = pair
    a = mech.arrays
    ns, nr = a.molar_mass.size, a.rate_type.size
    rng = np.random.default_rng(4)
    compared = 0
    for n in range(300):
        y, k = _random_state(rng, ns), 10.0 ** rng.uniform(-8, 0, nr)
        diagonal = 1.0 / (10.0 ** rng.uniform(-3, 4) * 0.5)
        jac = np.zeros(gen.NNZ)
        gen.jacobian(k, y, 0.0, jac)
        lu = np.zeros(gen.NNZ)
        gen.stage_matrix(jac, diagonal, lu)
        assert gen.decompose(lu)
        b = rng.normal(size=ns)
        x = b.copy()
        gen.solve_lu(lu, x)
        dense = diagonal * np.eye(ns) - _generic_dense_jacobian(mech, k, y, 0.0)
        backward = np.linalg.norm(dense @ x - b) / (np.linalg.norm(dense, 2) * np.linalg.norm(x))
        assert backward < 1e-12
        if np.linalg.cond(dense) < 1e4:
            ref, piv = dense.copy(), np.zeros(ns, dtype=np.int64)
            assert lu_factor(ref, piv)
            xr = b.copy()
            lu_solve(ref, piv, xr)
            np.testing.assert_allclose(x, xr, rtol=1e-12, atol=1e-12 * np.abs(xr).max())
            compared += 1
    assert compared > 50


def test_singular_pivot_is_reported():
    mech = load_mechanism("grs_aero")
    gen = codegen.generated_module(mech)
    lu = np.zeros(gen.NNZ)
    assert not gen.decompose(lu)
    lu[:] = np.nan
    assert not gen.decompose(lu)


def test_markowitz_ordering_creates_no_more_fill_than_the_natural_order():
    for mech in (load_mechanism("grs_aero"), parse_mechanism(LARGE, "large.mech")):
        layout = codegen.SparseLayout(mech)
        natural = codegen.fill_in(layout.jacobian, list(range(len(mech.species))))
        assert layout.n_fill == codegen.fill_in(layout.jacobian, layout.order)
        assert layout.n_fill <= natural
    large = codegen.SparseLayout(parse_mechanism(LARGE, "large.mech"))
    assert codegen.fill_in(large.jacobian, list(range(15))) > 0  # the test mechanism does need fill-in somewhere


@pytest.mark.parametrize("case", ["urban_voc_limited", "polluted_night", "cb05_urban"])
def test_box_integration_same_steps_as_generic(scenarios, case):
    """Five box days: the generated integrator takes the same accepted and rejected steps as the generic one and
    agrees with it far inside the solver tolerance (they differ only by the round-off of the two LU factorizations)."""
    setup = build_setup(load_box_config(scenarios / "box" / f"{case}.toml"))
    generic, s_generic = integrate(setup, kernels="generic")
    generated, s_generated = integrate(setup, kernels="generated")
    assert s_generated == s_generic
    above = generic > 1e-3
    assert (np.abs(generated - generic)[above] / generic[above]).max() < 1e-5


def test_3d_step_generated_equals_generic_closely():
    mech = load_mechanism("grs_aero")
    rng = np.random.default_rng(9)
    shape = (2, 3, 4)
    rho = np.full(shape, 1.15)
    y0 = dict(NO=10, NO2=25, O3=40, ROC=200, RP=1e-3, HNO3=2, NH3=15, NO3A=2, NH4A=4, SO2=8, SULF=3,
              SOA=0.5, POA=5, EC=2, PM25_OTHER=5, PMC=20, CO=800, CO2=390e3)
    c = np.empty((len(mech.species),) + shape)
    for s, sp in enumerate(mech.species):
        c[s] = y0.get(sp.name, 1.0) * rng.uniform(0.5, 1.5, shape) * 1e-9 * sp.molar_mass / kc.MOLAR_MASS_AIR * rho
    results = []
    for kernels in ("generic", "generated"):
        chem = Chemistry(mech, rtol=1e-3, atol=1e-6, kernels=kernels)
        cc = c.copy()
        chem.step(cc, rho, 295.0, 0.7, 0.2, 116.4, 39.9, datetime(2008, 8, 1, 4, tzinfo=timezone.utc), 900.0,
                  cell_volume=np.ones(shape))
        results.append((cc, chem.last_steps.copy()))
    assert np.array_equal(results[0][1], results[1][1])
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-9, atol=1e-30)


def test_cache_is_keyed_by_the_mechanism_text(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRMODEL_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "small.mech"
    text = LARGE.replace("mechanism codegen_test", "mechanism small_cache")
    path.write_text(text)
    first = codegen.generated_module(load_mechanism(path))
    again = codegen.generated_module(load_mechanism(path))
    assert again is first
    assert first.__file__.startswith(str(tmp_path / "cache" / "airmodel" / "generated_mechanisms"))
    path.write_text(text.replace("5.6e-16", "5.7e-16"))
    changed = codegen.generated_module(load_mechanism(path))
    assert changed is not first and changed.__file__ != first.__file__
    assert "5.7e-16" in open(changed.__file__).read()
    path.write_text(text + "\n# a comment changes the text, so the key\n")
    assert codegen.generated_module(load_mechanism(path)).__file__ not in (first.__file__, changed.__file__)


def test_kernel_choice_is_checked():
    mech = load_mechanism("grs_aero")
    assert codegen.select_kernels(mech, "generic") is None
    assert codegen.select_kernels(mech, "auto") is codegen.select_kernels(mech, "generated")
    with pytest.raises(InputError, match="unknown value 'fast'; choose one of: auto, generated, generic"):
        codegen.select_kernels(mech, "fast")


NO_SUN = """\
mechanism no_sun
species A phase=gas mw=10 units=ppb drydep=inert wet=0
species B phase=gas mw=20 units=ppb drydep=inert wet=0
species C phase=gas mw=20 units=ppb drydep=inert wet=0
reaction T1: A + A -> B : ARR(1e-12, 100) {molecule cm-3 s}
reaction T2: B -> A + A : 1e-4 {s-1}
reaction T3: B -> C : 2e-5 {s-1}
"""


@pytest.mark.slow
def test_mechanism_without_photolysis_elements_or_equilibrium(tmp_path):
    """The generator copes with a mechanism that has none of the optional parts; the box run equals the generic
    one in steps and to round-off. Slow: a new mechanism's integrator is compiled (20-40 s) on a fresh cache."""
    path = tmp_path / "no_sun.mech"
    path.write_text(NO_SUN)
    config = {"box": {"mechanism": str(path), "start": "2008-08-01T00:00:00Z", "hours": 12},
              "initial": {"A": 50.0}, "emissions": {"A": "1 ppb h-1"}, "environment": {"dilution_per_hour": 0.1}}
    setup = build_setup(load_box_config(config))
    generic, s_generic = integrate(setup, kernels="generic")
    generated, s_generated = integrate(setup, kernels="generated")
    assert s_generated == s_generic
    np.testing.assert_allclose(generated, generic, rtol=1e-9, atol=1e-12)
    assert generated[-1, 2] > 0.0
