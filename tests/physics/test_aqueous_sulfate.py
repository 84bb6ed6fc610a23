"""Aqueous sulfate (airmodel/aqueous_chemistry.py, kernels/aqueous.py) against its analytic solutions.

In cloudy air of fixed liquid water content, temperature and pH, SO2 and one oxidant obey dA/dt = dB/dt = -k A B
(one mole of oxidant per mole of S(IV)), whose closed form is A(t) = Delta A0 / (A0 - B0 exp(-k Delta t)),
Delta = A0 - B0. The rate constant k is computed here independently from the aqueous concentrations (Henry's law,
SO2's dissociation, the rate laws of Seinfeld and Pandis 2016, ch. 7), not from the kernel's
formula. The scheme is exact, so 1e-10 is round-off with margin; an explicit step, a missing step, a rate off by a
Henry's law factor or a wrong stoichiometry fail it. Sulfur is conserved to 1e-13, nothing happens without
cloud, the model step applies the process only when ``chemistry.aqueous_sulfate`` is on, and a restart is bitwise.
"""
import math

import numpy as np
import pytest

from airmodel import aqueous_chemistry as aq
from airmodel.chemistry import load_mechanism
from airmodel.errors import InputError
from airmodel.kernels import aqueous as kaq
from airmodel.model import Model
from airmodel.scenario import load

R = 0.082057366  # L atm mol-1 K-1
M_AIR = 0.0289647  # kg mol-1
MECHANISM = """mechanism aqtest
element S
species SO2  phase=gas     mw=64.064 units=ppb      elements=S:1 drydep=inert wet=0
species SULF phase=aerosol mw=96.06  units="ug m-3" elements=S:1 drydep=inert incloud=1.0 wet=0
species H2O2 phase=gas     mw=34.014 units=ppb      drydep=inert wet=0
species O3   phase=gas     mw=47.998 units=ppb      drydep=inert wet=0
species CO   phase=gas     mw=28.010 units=ppb      drydep=inert wet=0
species CO2  phase=gas     mw=44.009 units=ppb      drydep=inert wet=0
cloud_water ph=5.0 kw=1.0e-14:-6710
reaction C1: CO -> CO2 : 1.0e-30 {s-1}
"""
TIME_STEP = 900.0
STEPS = 8
TEMPERATURE = 283.15
CLOUD_WATER = 4.0e-4  # kg kg-1: about 0.5 g m-3 of liquid water at cloud fraction 1


def henry(pair, t):
    return pair[0] * math.exp(pair[1] * (1.0 / t - 1.0 / 298.15))


def independent_rate_constants(t, ph, liquid, rho):
    """(k of the H2O2 path, k of the O3 path) in s-1 per unit mixing ratio, from the aqueous concentrations at
    unit total amounts of S(IV) and oxidant per litre of air."""
    hplus = 10.0 ** -ph
    h_s, k1, k2 = henry(aq.SO2_HENRY, t), henry(aq.SO2_ACID1, t), henry(aq.SO2_ACID2, t)
    h_h, h_o = henry(aq.H2O2_HENRY, t), henry(aq.O3_HENRY, t)
    rt = R * t
    n_air = rho / M_AIR / 1000.0  # mol of air per litre
    c_s = c_ox = 1e-12  # mol per litre of air, gas plus droplets
    # partition between gas and droplets: c = p / RT + [X]aq L, with [X]aq = H* p
    hstar_s = h_s * (1.0 + k1 / hplus + k1 * k2 / hplus ** 2)
    p_s = c_s / (1.0 / rt + hstar_s * liquid)
    so2_aq = h_s * p_s
    bisulfite = k1 * so2_aq / hplus
    sulfite = k2 * bisulfite / hplus
    h2o2_aq = h_h * c_ox / (1.0 / rt + h_h * liquid)
    o3_aq = h_o * c_ox / (1.0 / rt + h_o * liquid)
    rate_h = henry(aq.H2O2_RATE, t) * hplus * h2o2_aq * bisulfite / (1.0 + aq.H2O2_EQUILIBRIUM * hplus)
    rate_o = (henry(aq.O3_K0, t) * so2_aq + henry(aq.O3_K1, t) * bisulfite + henry(aq.O3_K2, t) * sulfite) * o3_aq
    # dc_S/dt = -L R (M s-1 in the water, L litres of water per litre of air); dx/dt = dc/dt / n_air
    return tuple(liquid * r * n_air / (c_s * c_ox) for r in (rate_h, rate_o))


def closed_form(a0, b0, k, t):
    """A(t) of dA/dt = dB/dt = -k A B (a0 != b0), in its textbook form."""
    delta = a0 - b0
    return delta * a0 / (a0 - b0 * math.exp(-k * delta * t))


def cloudy_model(tmp_path, aqueous=True, so2=5.0, h2o2=1.0, o3=0.0, cloud_fraction=1.0, mechanism=None,
                 steps=STEPS):
    path = tmp_path / "aqtest.mech"
    path.write_text(MECHANISM)
    scenario = load({
        "run": {"start": "2008-08-08T00:00:00Z", "steps": steps, "time_step": TIME_STEP, "progress": False},
        "domain": {"grid": "projected", "nx": 3, "ny": 2, "dx": 10000.0, "dy": 10000.0,
                   "layer_interfaces": [0.0, 100.0, 300.0]},
        "meteorology": {"source": "idealized", "u": 0.0, "v": 0.0, "kz": 10.0},
        "transport": {"horizontal_advection": False, "vertical_advection": False, "horizontal_diffusion": False,
                      "vertical_diffusion": False},
        "chemistry": {"mechanism": mechanism or str(path), "aqueous_sulfate": aqueous},
        "species": {"SO2": {"initial": so2}, "H2O2": {"initial": h2o2}, "O3": {"initial": o3},
                    "SULF": {"initial": 1.0}},
        "output": {"hourly_means": False}})
    model = Model(scenario)
    source = model.met.at
    shape = model.grid.shape

    def with_cloud(t):
        snap = source(t)
        return snap.replace(cloud_fraction=np.full(shape, cloud_fraction), cloud_water=np.full(shape, CLOUD_WATER),
                            temperature=np.full(shape, TEMPERATURE))
    model.met.at = with_cloud
    return model


def run(model, steps=None):
    for _ in range(model.scenario.n_steps if steps is None else steps):
        model.step()
    return model


def mixing_ratio(model, name, rho):
    s = model.species_names.index(name)
    mw = next(sp.molar_mass for sp in model.chemistry.mechanism.species if sp.name == name) * 1e-3
    return model.concentration[s] / mw / (rho / M_AIR)


@pytest.mark.parametrize("a0, b0, k, t", [(5e-9, 1e-9, 3e5, 900.0), (1e-9, 5e-9, 3e5, 900.0),
                                          (2e-9, 1.9e-9, 1e6, 3600.0), (1e-8, 1e-12, 1e4, 60.0)])
def test_consumption_matches_the_closed_form(a0, b0, k, t):
    """The kernel's cancellation-free form against A(t) = Delta A0 / (A0 - B0 exp(-k Delta t)), to 1e-10."""
    expected = a0 - closed_form(a0, b0, k, t)
    assert kaq.consumed(a0, b0, k, t) == pytest.approx(expected, rel=1e-10)
    assert kaq.consumed(a0, a0, k, t) == pytest.approx(a0 * a0 * k * t / (1.0 + a0 * k * t), rel=1e-12)
    assert kaq.consumed(a0, b0, k, 1e9) <= min(a0, b0)


def test_h2o2_path_follows_the_bimolecular_solution(tmp_path):
    """SO2 and H2O2 in a cloud of constant liquid water: SO2 after 2 h equals the closed form with k computed from
    the aqueous concentrations, to 1e-10; H2O2 falls by the same moles and sulfate rises by them."""
    model = cloudy_model(tmp_path)
    rho = model.met.at(0.0).air_density
    x_s0, x_h0 = mixing_ratio(model, "SO2", rho), mixing_ratio(model, "H2O2", rho)
    run(model)
    liquid = rho * CLOUD_WATER / 1000.0
    k_h, _ = independent_rate_constants(TEMPERATURE, 5.0, liquid, rho)
    t = STEPS * TIME_STEP
    expected = np.vectorize(closed_form)(x_s0, x_h0, k_h, t)
    x_s = mixing_ratio(model, "SO2", rho)
    assert float(np.max(x_s / x_s0)) < 0.9  # the cloud really oxidises SO2 (about a fifth of it here)
    np.testing.assert_allclose(x_s, expected, rtol=1e-10, atol=0)
    np.testing.assert_allclose(x_h0 - mixing_ratio(model, "H2O2", rho), x_s0 - x_s, rtol=1e-10)


def test_o3_path_in_excess_ozone_is_exponential(tmp_path):
    """With O3 1e12 times SO2 the O3 path is first order: SO2 = SO2(0) exp(-k [O3] t), to 1e-10."""
    model = cloudy_model(tmp_path, so2=1e-10, h2o2=0.0, o3=100.0)
    rho = model.met.at(0.0).air_density
    x_s0, x_o = mixing_ratio(model, "SO2", rho), mixing_ratio(model, "O3", rho)
    run(model)
    _, k_o = independent_rate_constants(TEMPERATURE, 5.0, rho * CLOUD_WATER / 1000.0, rho)
    expected = x_s0 * np.exp(-k_o * x_o * STEPS * TIME_STEP)
    assert float(np.max(expected / x_s0)) < 0.9
    np.testing.assert_allclose(mixing_ratio(model, "SO2", rho), expected, rtol=1e-10, atol=0)


def test_partial_cloud_oxidises_the_cloudy_share(tmp_path):
    """Cloud fraction 0.4 at the same in-cloud liquid water: one step removes 0.4 of what a full cloud removes."""
    full = run(cloudy_model(tmp_path, steps=1), 1)
    part = cloudy_model(tmp_path, cloud_fraction=0.4, steps=1)
    start = part.concentration.copy()
    # the same in-cloud liquid water: cloud water scales with the cloud fraction
    source = part.met.at
    part.met.at = lambda t: source(t).replace(cloud_water=np.full(part.grid.shape, 0.4 * CLOUD_WATER))
    run(part, 1)
    s = part.species_names.index("SO2")
    np.testing.assert_allclose(start[s] - part.concentration[s], 0.4 * (start[s] - full.concentration[s]),
                               rtol=1e-12)


def test_sulfur_is_conserved_to_round_off():
    """Random states and clouds, both oxidants: S in SO2 plus S in sulfate is unchanged to 1e-13 per cell; no
    value becomes negative; where there is no cloud nothing changes, bit for bit."""
    rng = np.random.default_rng(16)
    shape = (4, 5, 6)
    mw = np.array([64.064, 96.06, 34.014, 47.998]) * 1e-3
    rho = np.full(shape, 1.1)
    volume = np.full(shape, 1e8)
    n_air = rho * volume / M_AIR
    ppb = np.stack([rng.uniform(0, 20, shape), rng.uniform(0, 5, shape), rng.uniform(0, 3, shape),
                    rng.uniform(0, 80, shape)]) * 1e-9
    mass = np.ascontiguousarray(ppb * n_air[None] * mw[:, None, None, None])
    fraction = np.where(rng.uniform(size=shape) < 0.3, 0.0, rng.uniform(0, 1, shape))
    water = np.where(rng.uniform(size=shape) < 0.2, 0.0, rng.uniform(0, 1e-3, shape))
    before = mass.copy()
    oxidised = np.zeros(shape)
    kaq.oxidise(mass, 0, 1, 2, 3, mw, 1e-5, fraction, water, rho, np.full(shape, 288.0), volume, 3600.0,
                **aq.constants(), oxidised=oxidised)
    sulfur = mass[0] / mw[0] + mass[1] / mw[1]
    sulfur0 = before[0] / mw[0] + before[1] / mw[1]
    np.testing.assert_allclose(sulfur, sulfur0, rtol=1e-13, atol=0)
    assert (mass >= 0).all()
    clear = ~((fraction > 0) & (water > 0))
    assert clear.any() and (~clear).any()
    assert (mass[:, clear] == before[:, clear]).all()
    assert (oxidised[~clear] > 0).mean() > 0.9
    # the oxidants lose what SO2 loses, mole for mole
    np.testing.assert_allclose((before[2] - mass[2]) / mw[2] + (before[3] - mass[3]) / mw[3],
                               (before[0] - mass[0]) / mw[0], rtol=1e-9, atol=1e-20)


def test_without_cloud_nothing_happens(tmp_path):
    """Cloud water but no cloud fraction: the run is bit for bit the run without the process."""
    model = run(cloudy_model(tmp_path, cloud_fraction=0.0, o3=40.0), 2)
    off = run(cloudy_model(tmp_path, cloud_fraction=0.0, o3=40.0, aqueous=False), 2)
    assert (model.aqueous.oxidised == 0.0).all()
    assert (model.concentration == off.concentration).all()


def test_switched_off_leaves_so2_alone(tmp_path):
    """The same cloud with chemistry.aqueous_sulfate = false: SO2 and sulfate unchanged (the mechanism's only
    reaction is CO's), so the analytic tests above fail without the process."""
    model = cloudy_model(tmp_path, aqueous=False)
    start = model.concentration.copy()
    run(model, 2)
    for name in ("SO2", "SULF", "H2O2"):
        s = model.species_names.index(name)
        np.testing.assert_allclose(model.concentration[s], start[s], rtol=1e-15)
    assert model.aqueous is None


def test_budget_books_the_oxidation_as_chemistry(tmp_path):
    """The budget's chemical term holds what moved from SO2 to sulfate (the guard checks every step)."""
    model = run(cloudy_model(tmp_path, o3=40.0))
    names = model.species_names
    so2, sulf = names.index("SO2"), names.index("SULF")
    chem = model.budget.chemical
    assert chem[so2] < 0 and chem[sulf] > 0
    assert -chem[so2] / 64.064 == pytest.approx(chem[sulf] / 96.06, rel=1e-12)
    burden = model.burden()
    assert np.abs(model.budget.residual(burden)).max() < 1e-12


def test_restart_is_bitwise(tmp_path):
    """Four steps straight against two, a restart from the saved state, and two more."""
    straight = run(cloudy_model(tmp_path, o3=40.0, steps=4), 4)
    first = run(cloudy_model(tmp_path, o3=40.0, steps=4), 2)
    states = [c.restart_state() for c in first.restart_components()]
    resumed = cloudy_model(tmp_path, o3=40.0, steps=4)
    for component, state in zip(resumed.restart_components(), states):
        component.restore_state({k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in state.items()})
    run(resumed, 2)
    assert (resumed.concentration == straight.concentration).all()
    assert (resumed.budget.chemical == straight.budget.chemical).all()


def test_grs_aero_has_the_o3_path_only():
    """grs_aero has no H2O2: the process runs the O3 path alone, at grs_aero's cloud-water pH."""
    mech = load_mechanism("grs_aero")
    process = aq.AqueousSulfate(mech.species_names, mech, _grid())
    assert process.oxidants == ["O3"] and process.h2o2 == -1 and process.ph == 5.0


def test_a_mechanism_without_so2_is_an_input_error():
    from airmodel.chemistry import parse_mechanism

    mech = parse_mechanism(MECHANISM.replace("species SO2 ", "species XO2 ").replace("SO2", "XO2"), "x.mech")
    with pytest.raises(InputError, match="SO2"):
        aq.AqueousSulfate(mech.species_names, mech, _grid())


def _grid():
    from airmodel.grid import build_grid

    return build_grid({"grid": "projected", "nx": 2, "ny": 2, "dx": 1000.0, "dy": 1000.0, "x0": 0.0, "y0": 0.0,
                       "layer_interfaces": [0.0, 100.0]})
