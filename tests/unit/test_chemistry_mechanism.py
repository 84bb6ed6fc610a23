"""Mechanisms as data: the parser's errors name file and line; grs_aero compiles to the right arrays and rate
constants; the analytic Jacobian equals finite differences of the tendency."""
import math

import numpy as np
import pytest

from airmodel.chemistry import MechanismError, load_mechanism, parse_mechanism
from airmodel.errors import InputError
from airmodel.kernels import chemistry as kc
from airmodel.met.deposition import DEPOSITION_CLASSES

M_298 = 101325.0 / (8.314462618 * 298.0) * 6.02214076e23 * 1e-6  # air molecules cm-3 at 298 K, 1 atm

SMALL = """\
mechanism small
element N
species NO  phase=gas mw=30.006 units=ppb elements=N:1 drydep=no wet=0
species NO2 phase=gas mw=46.006 units=ppb elements=N:1 drydep=no2 wet=0
species O3  phase=gas mw=47.998 units=ppb drydep=o3 wet=0
photolysis NO2 l=1.165e-2 m=0.244 n=0.267
reaction R3: NO2 -> NO + O3 : J(NO2) {s-1}
reaction R4: NO + O3 -> NO2 : ARR(1.4e-12, 1310) {molecule cm-3 s}
"""


@pytest.fixture(scope="module")
def grs():
    return load_mechanism("grs_aero")


def test_grs_aero_species_and_reactions(grs):
    assert len(grs.species) == 18 and len(grs.reactions) == 12
    for name in ("NO", "NO2", "O3", "ROC", "RP", "HNO3", "NH3", "NO3A", "NH4A", "SO2", "SULF", "SOA",
                 "POA", "EC", "PM25_OTHER", "PMC", "CO", "CO2"):
        assert name in grs.species_names
    sp = {s.name: s for s in grs.species}
    assert sp["O3"].standard_name == "mole_fraction_of_ozone_in_air" and sp["O3"].units == "ppb"
    assert sp["SULF"].units == "ug m-3" and sp["CO"].units == "ppm"
    assert {d.name for d in grs.diagnostics} == {"PM25", "PM10"}
    # every species carries deposition parameters: a class of the resistance model and a scavenging coefficient
    for s in grs.species:
        assert s.deposition_class in DEPOSITION_CLASSES and s.wet_scavenging >= 0
    assert sp["HNO3"].deposition_class == "hno3" and sp["PMC"].deposition_class == "pm_coarse"
    # wet scavenging (EMEP forms, Simpson et al. 2012): fine particles by their class line, gases their own
    assert sp["SULF"].wet_scavenging == 5.778e-6 and sp["SO2"].wet_scavenging == 4.167e-5
    assert sp["SULF"].incloud == 1.0 and sp["EC"].incloud == 0.2 and sp["PMC"].wet_scavenging == 1.1556e-4
    assert sp["NH3"].solubility.base == (1.7e-5, -450.0) and sp["O3"].solubility is None
    assert grs.cloud_water.ph == 5.0


def test_net_stoichiometry_catalyst_and_self_reaction(grs):
    """GRS R1 (ROC -> RP + ROC): ROC is a catalyst, net 0; R5 (RP + RP -> RP): net -1 RP."""
    a = grs.arrays
    names = grs.species_names
    by_label = {r.label: n for n, r in enumerate(grs.reactions)}

    def net(label):
        r = by_label[label]
        return {names[a.net_species[i]]: a.net_coef[i] for i in range(a.net_start[r], a.net_start[r + 1])}

    assert net("R1") == {"RP": 1.0}
    assert net("R5") == {"RP": -1.0}
    assert net("R6") == {"RP": -1.0, "NO2": -1.0, "HNO3": 1.0}
    assert list(a.reactants[by_label["R5"]]) == [names.index("RP")] * 2 + [-1]


def test_rate_constants_units(grs):
    """GRS ppm-1 min-1 -> ppb-1 s-1 is x 1e-3/60; cm3 molecule-1 s-1 -> ppb-1 s-1 is x 1e-9 M; SO2 + OH (JPL
    fall-off, Sander et al. 2003, JPL Publ. 02-25) is 8.9e-13 cm3 s-1 at 298 K and 1 atm."""
    k = np.empty(len(grs.reactions))
    kc.thermal_rate_constants(grs.arrays, 298.0, M_298, 50.0, 0.0, k)
    by = {r.label: k[n] for n, r in enumerate(grs.reactions)}
    assert by["R2"] == pytest.approx(5482 * math.exp(242 / 298.0) * 1e-3 / 60, rel=1e-14)
    assert by["R4"] == pytest.approx(1.4e-12 * math.exp(-1310 / 298.0) * 1e-9 * M_298, rel=1e-14)
    assert by["R5"] == pytest.approx(1.0e4 * 1e-3 / 60, rel=1e-14)
    assert by["R1"] == pytest.approx(1.0e4 * math.exp(-4710 / 298.0), rel=1e-14)  # times J(NO2) later
    assert by["S1"] == pytest.approx(8.9e-13, rel=2e-3)  # times OH later
    assert by["S2"] == pytest.approx(3e-8 / 100 / 3600 * 50.0 ** 4, rel=1e-14)
    assert by["C1"] == pytest.approx(1.44e-13 * (1 + 0.7808 * M_298 / 4.2e19), rel=1e-14)
    # OH + NO2 (+M): JPL 15-10 fall-off, 1.05e-11 cm3 s-1 at 298 K and 1 atm (times OH later)
    assert by["N1"] == pytest.approx(1.05e-11, rel=2e-3)


def test_grs_nitrogen_products(grs):
    """R7 (GRS' SNGN, nitrogen products in particles) yields particulate nitrate; N1 is OH + NO2 -> HNO3 with the
    OH proxy; no reaction makes an involatile nitrate of its own."""
    a = grs.arrays
    names = grs.species_names
    by_label = {r.label: n for n, r in enumerate(grs.reactions)}
    r7, n1 = by_label["R7"], by_label["N1"]
    assert {names[a.net_species[i]]: a.net_coef[i] for i in range(a.net_start[r7], a.net_start[r7 + 1])} == \
        {"RP": -1.0, "NO2": -1.0, "NO3A": 1.0}
    assert {names[a.net_species[i]]: a.net_coef[i] for i in range(a.net_start[n1], a.net_start[n1 + 1])} == \
        {"NO2": -1.0, "HNO3": 1.0}
    assert a.oh_factor[n1] == 1 and a.rate_type[n1] == kc.RATE_TROE
    pm25 = next(d for d in grs.diagnostics if d.name == "PM25")
    assert set(pm25.terms) == {"POA", "EC", "PM25_OTHER", "SULF", "NO3A", "NH4A", "SOA"}


def test_jacobian_matches_finite_differences(grs):
    """d f_s / d y_q by central differences; f is at most quadratic in each y_q (mass action with up to two
    molecules of one species), so a large step is exact up to round-off."""
    a = grs.arrays
    ns = a.molar_mass.size
    rng = np.random.default_rng(1)
    y = rng.uniform(0.5, 50.0, ns)
    k = np.empty(len(grs.reactions))
    kc.thermal_rate_constants(a, 290.0, M_298, 70.0, 0.2, k)
    jv = np.empty(a.photolysis_par.shape[0])
    oh = kc.photolysis_and_oh(a, 0.8, 0.9, jv)
    kc.current_rate_constants(a, k.copy(), jv, oh, k)
    solve, nc, pos = grs.solve_order(range(ns))
    jac = np.full((ns, ns), np.nan)
    kc.jacobian(a, k, y, 0.01, pos, nc, jac)
    jac[np.isnan(jac)] = 0.0  # columns of non-reactants are not written: zero apart from the diagonal
    zero = np.zeros(ns)
    f0, f1 = np.empty(ns), np.empty(ns)
    for b, s in enumerate(solve):
        h = 0.1 * y[s]
        yp, ym = y.copy(), y.copy()
        yp[s] += h
        ym[s] -= h
        kc.tendency(a, k, yp, zero, 0.01, zero, f1)
        kc.tendency(a, k, ym, zero, 0.01, zero, f0)
        fd = (f1 - f0) / (2 * h)
        np.testing.assert_allclose(jac[:, b], fd[solve], rtol=1e-9, atol=1e-12 * np.abs(fd).max())
    # product-only species (after the nc reactant species) have zero columns, apart from dilution
    assert np.all(jac[:, nc:] - np.diag(np.diag(jac))[:, nc:] == 0.0)


def _err(text: str) -> str:
    with pytest.raises(MechanismError) as info:
        parse_mechanism(text, "test.mech")
    return str(info.value)


@pytest.mark.parametrize("change, message", [
    (("reaction R4: NO + O3 -> NO2", "reaction R4: NO + O3x -> NO2"),
     "test.mech line 8: reaction R4: unknown species 'O3x'; known: NO, NO2, O3"),
    (("ARR(1.4e-12, 1310)", "ARRH(1.4e-12, 1310)"), "test.mech line 8: reaction R4: unknown rate form ARRH(...)"),
    (("ARR(1.4e-12, 1310)", "ARR(1.4e-12, 1310, 1, 2)"), "ARR takes 2 or 3 numbers (A, E[, n]), got 4"),
    ((" {molecule cm-3 s}", ""), "test.mech line 8: reaction R4: give the units of the rate constant in braces"),
    (("{molecule cm-3 s}", "{cm3 s}"), "unknown rate units {cm3 s}"),
    (("{molecule cm-3 s}", "{s-1}"), "{s-1} is for first-order reactions"),
    (("NO + O3 -> NO2", "NO + O3 -> O3"), "test.mech line 8: reaction R4 does not conserve N: 1 atom(s) in the "
                                          "reactants, 0 in the products"),
    (("J(NO2)", "J(NO3)"), "test.mech line 7: reaction R3: unknown photolysis J(NO3); defined: NO2"),
    (("J(NO2) {s-1}", "J(NO2) * OH {s-1}"), "OH is used but no 'oh_proxy' line defines it"),
    (("phase=gas mw=47.998", "phase=liquid mw=47.998"), "test.mech line 5: species O3: unknown phase 'liquid'"),
    (("mw=47.998", "mw=-3"), "species O3: mw must be positive"),
    (("units=ppb drydep=o3", "units=ppt drydep=o3"), "unknown units 'ppt'"),
    (("drydep=o3", "drydep=ozone"), "species O3: unknown drydep class 'ozone'; choose one of: so2, o3"),
    (("drydep=o3 wet=0", "drydep=o3 wet=0 colour=blue"), "test.mech line 5: unknown key 'colour'"),
    (("elements=N:1 drydep=no ", "elements=C:1 drydep=no "), "element 'C' is not declared"),
    (("photolysis NO2", "photolysys NO2"), "test.mech line 6: unknown line type 'photolysys'"),
    (("species NO2 ", "species NO "), "test.mech line 4: species 'NO' already defined on line 3"),
    # wet scavenging
    (("drydep=o3 wet=0", "drydep=o3 wet=-1"), "test.mech line 5: species O3: wet = -1.0 is out of range"),
    (("drydep=o3 wet=0", "drydep=o3 incloud=0.5"), "species O3: incloud is for aerosols"),
    (("photolysis NO2", "solubility NO2 henry=1e-2:2500\nphotolysis NO2"), "solubility needs a 'cloud_water"),
    (("photolysis NO2", "cloud_water ph=15 kw=1e-14:-6710\nphotolysis NO2"), "ph must lie between 0 and 14"),
    (("photolysis NO2", "solubility NO3 henry=1:0\ncloud_water ph=5 kw=1e-14\nphotolysis NO2"),
     "test.mech line 6: solubility: 'NO3' is not a gas species"),
    (("photolysis NO2", "particle_class pm_fine wet=1e-5 incloud=2\nphotolysis NO2"),
     "test.mech line 6: pm_fine: incloud = 2.0 is out of range"),
    (("species O3  phase=gas mw=47.998 units=ppb drydep=o3 wet=0",
      "species O3  phase=gas mw=47.998 units=ppb drydep=o3 wet=0\nspecies PM phase=aerosol mw=100 units=ppb "
      "drydep=pm_fine"), "species PM: give wet= and incloud=, or a 'particle_class pm_fine"),
    # the solver tolerances a mechanism recommends
    (("photolysis NO2", "tolerance rtol=1e-3\nphotolysis NO2"), "test.mech line 6: missing atol (absolute tolerance (ppb), greater than 0)"),
    (("photolysis NO2", "tolerance rtol=1 atol=1e-4\nphotolysis NO2"),
     "test.mech line 6: tolerance: rtol must lie between 0 and 1, got 1.0"),
    (("photolysis NO2", "tolerance rtol=1e-3 atol=0\nphotolysis NO2"),
     "test.mech line 6: tolerance: atol must be a positive number of ppb, got 0.0"),
    (("photolysis NO2", "tolerance rtol=1e-3 atol=1e-4\ntolerance rtol=1e-3 atol=1e-4\nphotolysis NO2"),
     "test.mech line 7: tolerance given twice"),
    (("photolysis NO2", "aqueous_sulfate default=yes\nphotolysis NO2"),
     "test.mech line 6: aqueous_sulfate: default must be on or off, got 'yes'"),
    (("photolysis NO2", "aqueous_sulfate default=on\naqueous_sulfate default=off\nphotolysis NO2"),
     "test.mech line 7: aqueous_sulfate given twice"),
])
def test_parse_errors_name_file_and_line(change, message):
    old, new = change
    assert old in SMALL
    assert message in _err(SMALL.replace(old, new, 1))


def test_particle_class_and_solubility_fill_the_species():
    """Aerosols without their own wet=/incloud= take their size class's; a gas's solubility is attached to it."""
    text = SMALL.replace("photolysis NO2", "species PM phase=aerosol mw=100 units=ppb drydep=pm_coarse incloud=0.3\n"
                         "particle_class pm_coarse wet=1e-4 incloud=1.0\ncloud_water ph=4.5 kw=1e-14:-6710\n"
                         "solubility NO2 henry=1.2e-2:2500\nphotolysis NO2")
    mech = parse_mechanism(text, "test.mech")
    sp = {s.name: s for s in mech.species}
    assert (sp["PM"].wet_scavenging, sp["PM"].incloud) == (1e-4, 0.3)
    assert sp["NO2"].solubility.henry == (1.2e-2, 2500.0) and sp["NO"].solubility is None
    assert mech.particle_scavenging == {"pm_coarse": (1e-4, 1.0)} and mech.cloud_water.ph == 4.5


def test_troe_needs_molecule_units_and_unknown_mechanism():
    text = SMALL.replace("ARR(1.4e-12, 1310) {molecule cm-3 s}", "TROE(3e-31, 3.3, 1.5e-12, 0, 0.6) {ppb s}")
    assert "TROE needs {molecule cm-3 s} units" in _err(text)
    with pytest.raises(InputError, match="unknown chemical mechanism 'grs'; choose one of: cb05_aero, grs_aero"):
        load_mechanism("grs")


@pytest.mark.parametrize("rate, message", [
    ("FALLOFF(2e-30, 0, -4.4, 1.4e-12, 0, -0.7, 0.6, 1.0) {ppb s}", "FALLOFF needs {molecule cm-3 s} units"),
    ("FALLOFF(2e-30, 0, -4.4, 1.4e-12, 0.6) {molecule cm-3 s}",
     "FALLOFF takes 8 numbers (A0, E0, n0, Ainf, Einf, ninf, Fc, N), got 5"),
    ("ARRM(2.3e-13, -600, 1.7e-33) {molecule cm-3 s}", "ARRM takes 4 numbers (A1, E1, A2, E2), got 3"),
    ("KHNO3(2.4e-14, -460, 2.7e-17, -2199, 6.5e-34, -1335) {ppm min}", "KHNO3 needs {molecule cm-3 s} units"),
    ("1e-12 * H2O {ppb s}", "the factors M, O2, N2, H2O are number densities (molecule cm-3) and need"),
    ("1e-12 * CH4 {molecule cm-3 s}", "cannot read rate factor 'CH4'"),
])
def test_new_rate_forms_are_checked(rate, message):
    assert message in _err(SMALL.replace("ARR(1.4e-12, 1310) {molecule cm-3 s}", rate))


def test_fixed_factors_and_new_forms_compile():
    """Powers of M, O2, N2, H2O are counted per reaction; FALLOFF, ARRM and KHNO3 keep their 8, 4, 6 numbers."""
    text = SMALL.replace("ARR(1.4e-12, 1310) {molecule cm-3 s}",
                         "FALLOFF(2e-30, 0, -4.4, 1.4e-12, 0, -0.7, 0.6, 1.25) * O2 * M * H2O * H2O {molecule cm-3 s}")
    a = parse_mechanism(text, "t.mech").arrays
    assert a.fixed_power[1].tolist() == [1, 1, 0, 2] and a.fixed_power[0].tolist() == [0, 0, 0, 0]
    assert a.rate_type[1] == kc.RATE_FALLOFF and a.rate_par[1].tolist() == [2e-30, 0, -4.4, 1.4e-12, 0, -0.7, 0.6,
                                                                             1.25]
    k = np.empty(2)
    t, m, rh = 290.0, 2.4e19, 70.0
    kc.thermal_rate_constants(a, t, m, rh, 0.0, k)
    k0, ki = 2e-30 * (t / 300) ** -4.4 * m, 1.4e-12 * (t / 300) ** -0.7
    fall = k0 / (1 + k0 / ki) * 0.6 ** (1 / (1 + (math.log10(k0 / ki) / 1.25) ** 2))
    h2o = kc.water_number_density(t, rh)
    assert k[1] == pytest.approx(fall * 0.20946 * m * m * h2o ** 2 * 1e-9 * m, rel=1e-12)


def test_small_mechanism_compiles():
    mech = parse_mechanism(SMALL, "small.mech")
    assert mech.name == "small" and mech.species_names == ["NO", "NO2", "O3"]
    assert list(mech.kinetic) == [0, 1, 2]
    assert mech.arrays.molecule_units.tolist() == [0, 1]
    assert mech.arrays.photolysis_index.tolist() == [0, -1]
    solve, nc, pos = mech.solve_order([0, 1, 2])
    assert nc == 3 and list(pos) == [0, 1, 2]


def test_tolerance_line_sets_the_solver_defaults():
    """A mechanism's tolerance line is the default of Chemistry's rtol and atol; given values override it; without
    the line, 1e-3 and 1e-6 ppb."""
    from airmodel.chemistry.process import solver_tolerance
    own = parse_mechanism(SMALL + "tolerance rtol=2e-3 atol=3e-5\n", "test.mech")
    assert own.tolerance == (2e-3, 3e-5)
    assert solver_tolerance(own) == (2e-3, 3e-5)
    assert solver_tolerance(own, atol=1e-7) == (2e-3, 1e-7)
    assert solver_tolerance(own, rtol=1e-4) == (1e-4, 3e-5)
    plain = parse_mechanism(SMALL, "test.mech")
    assert plain.tolerance is None and solver_tolerance(plain) == (1e-3, 1e-6)
    assert load_mechanism("cb05_aero").tolerance == (1e-3, 1e-4)  # CMAQ's ROS3 defaults, 1e-7 ppm
    assert load_mechanism("grs_aero").tolerance is None


def test_aqueous_sulfate_line():
    """The mechanism's aqueous_sulfate line: on for cb05_aero (no in-cloud sulfate of its own), off without it."""
    assert parse_mechanism(SMALL + "aqueous_sulfate default=off\n", "test.mech").aqueous_sulfate is False
    # on needs what the process acts on: SO2, SULF and H2O2 or O3 (SMALL has only O3)
    assert ("test.mech line 9: aqueous_sulfate default=on needs the species SO2, SULF and an oxidant, H2O2 or O3 "
            "(airmodel/aqueous_chemistry.py); this mechanism has O3") in _err(SMALL + "aqueous_sulfate default=on\n")
    assert parse_mechanism(SMALL, "test.mech").aqueous_sulfate is False
    assert load_mechanism("cb05_aero").aqueous_sulfate is True
    assert load_mechanism("grs_aero").aqueous_sulfate is False
