"""Wet deposition (airmodel/wet_deposition.py, kernels/wet_deposition.py) against its analytic solutions.

Under a rain rate P constant in time and a first-order scavenging coefficient Lambda fixed by it, every cell
obeys dm/dt = -Lambda m, so a well-mixed column decays as

    m(t) = m(0) exp(-Lambda t)

(below cloud Lambda = w P with the species' washout coefficient w; in a cloudy layer of cloud fraction 1,
Lambda = eps P / W with eps the fraction in cloud water and W the column's cloud water, kg m-2). The scheme solves
this exactly over each step, so the only error is round-off: 1e-6 relative is a loose bound that still fails a
scheme with the wrong rate, a forward-Euler update (error ~ (Lambda dt)^2 / 2 = 3e-3 here) or a missing step.
Without rain nothing may be scavenged, and every kilogram removed is booked in the budget's wet_deposited term.
"""
import math

import numpy as np
import pytest

from airmodel.chemistry import load_mechanism
from airmodel.kernels import wet_deposition as kwet
from airmodel.model import Model
from airmodel.scenario import load

RAIN_MM_PER_HOUR = 10.0
RAIN = RAIN_MM_PER_HOUR / 3600.0  # kg m-2 s-1
LAYERS = [0.0, 50.0, 120.0, 220.0, 350.0, 520.0, 750.0, 1050.0, 1450.0, 2000.0, 3000.0]
TIME_STEP = 900.0
STEPS = 24


def uniform_rain_model(wet_deposition: bool, rain: float) -> Model:
    """grs_aero over a 4 x 3 idealized grid, transport off, sulfate alone (the chemistry leaves it unchanged:
    no SO2 to oxidise, no ammonia to neutralise it), under a uniform rain rate and no cloud water."""
    scenario = load({
        "run": {"start": "2008-08-08T00:00:00Z", "steps": STEPS, "time_step": TIME_STEP, "progress": False},
        "domain": {"grid": "projected", "nx": 4, "ny": 3, "dx": 10000.0, "dy": 10000.0,
                   "layer_interfaces": LAYERS},
        "meteorology": {"source": "idealized", "u": 0.0, "v": 0.0, "kz": 10.0},
        "transport": {"horizontal_advection": False, "vertical_advection": False, "horizontal_diffusion": False,
                      "vertical_diffusion": False},
        "chemistry": {"mechanism": "grs_aero", "wet_deposition": wet_deposition},
        "species": {"SULF": {"initial": 5.0}, "PMC": {"initial": 20.0}},
        "output": {"hourly_means": False}})
    model = Model(scenario)
    source = model.met.at
    field = np.full((model.grid.ny, model.grid.nx), rain)
    model.met.at = lambda t: source(t).replace(precipitation=field)
    return model


def run(model: Model) -> Model:
    for _ in range(model.scenario.n_steps):
        model.step()
    return model


@pytest.fixture(scope="module")
def rained_on():
    model = uniform_rain_model(True, RAIN)
    start = model.concentration.copy()
    return run(model), start


def washout(name: str) -> float:
    """The species' below-cloud coefficient at RAIN (s-1), from the mechanism file."""
    sp = next(s for s in load_mechanism("grs_aero").species if s.name == name)
    return sp.wet_scavenging * RAIN_MM_PER_HOUR


@pytest.mark.parametrize("name", ["SULF", "PMC"])
def test_uniform_rain_decays_a_column_exponentially(rained_on, name):
    """m(t) = m(0) exp(-w P t) in every cell of the column, to 1e-6 relative (fine and coarse particles)."""
    model, start = rained_on
    s = model.species_names.index(name)
    t = STEPS * TIME_STEP
    expected = start[s] * math.exp(-washout(name) * t)
    assert math.exp(-washout(name) * t) < 0.5  # the rain really removes something (71 % and all but 1e-11 here)
    np.testing.assert_allclose(model.concentration[s], expected, rtol=1e-6, atol=0)


def test_budget_books_the_wet_deposition(rained_on):
    """burden_end - burden_start = -wet_deposited for every species, to 1e-10 of the largest term."""
    model, _ = rained_on
    residual = model.budget.residual(model.burden())
    assert residual.max() < 1e-10, residual
    s = model.species_names.index("SULF")
    assert model.budget.wet_deposited[s] > 0
    assert model.budget.wet_deposited[s] == pytest.approx(model.budget.burden_start[s] - model.burden()[s],
                                                          rel=1e-12)


def test_no_rain_scavenges_nothing():
    model = run(uniform_rain_model(True, 0.0))
    assert not model.budget.wet_deposited.any()
    s = model.species_names.index("SULF")
    assert model.burden()[s] == model.budget.burden_start[s]


def test_switched_off_nothing_is_scavenged():
    """chemistry.wet_deposition = false: the same rain removes nothing (the switch is what the tests above
    depend on)."""
    model = run(uniform_rain_model(False, RAIN))
    assert model.wet_deposition is None and not model.budget.wet_deposited.any()


def test_the_august_baseline_has_wet_deposition(scenarios):
    assert load(scenarios / "baseline_2008_08.toml")["chemistry"]["wet_deposition"] is True


# -- the kernel: in-cloud scavenging, solubility, positivity ------------------------------------------------------
def column(nz=6, cloudy=(3, 4), water=5e-4, fraction=1.0):
    thickness = np.full(nz, 200.0)
    rho = np.full((nz, 1, 1), 1.1)
    cloud_water = np.zeros((nz, 1, 1))
    cloud_fraction = np.zeros((nz, 1, 1))
    for k in cloudy:
        cloud_water[k] = water
        cloud_fraction[k] = fraction
    return thickness, rho, cloud_water, cloud_fraction


def scavenge(mass, washout_per_flux, incloud, henry, precipitation, cloud_water, cloud_fraction, rho, thickness,
             dt, temperature=285.0, acid1=(0.0, 0.0), acid2=(0.0, 0.0), base=(0.0, 0.0), ph=5.0):
    n = mass.shape[0]
    deposited = np.zeros((n, 1, 1))
    kwet.scavenge(mass, np.arange(n, dtype=np.int64), np.full(n, washout_per_flux), np.full(n, incloud),
                  np.tile(np.array(henry, float), (n, 1)), np.tile(np.array(acid1, float), (n, 1)),
                  np.tile(np.array(acid2, float), (n, 1)), np.tile(np.array(base, float), (n, 1)),
                  np.array([1.0e-14, -6710.0]), 10.0 ** -ph, np.full((1, 1), precipitation), cloud_fraction,
                  cloud_water, rho, np.full(cloud_water.shape, temperature), thickness, dt, deposited)
    return deposited


def test_in_cloud_scavenging_of_activated_particles():
    """In the cloud, Lambda = P / W (all of the particle mass in cloud water, cloud fraction 1); below it the
    washout; above the cloud top nothing."""
    thickness, rho, cloud_water, cloud_fraction = column()
    w = 0.02  # s-1 per kg m-2 s-1
    mass = np.ones((1, 6, 1, 1))
    dt, steps = 600.0, 6
    for _ in range(steps):
        scavenge(mass, w, 1.0, (0.0, 0.0), RAIN, cloud_water, cloud_fraction, rho, thickness, dt)
    column_water = 2 * 1.1 * 5e-4 * 200.0
    t = dt * steps
    np.testing.assert_allclose(mass[0, 3:5, 0, 0], math.exp(-RAIN / column_water * t), rtol=1e-6)
    np.testing.assert_allclose(mass[0, :3, 0, 0], math.exp(-w * RAIN * t), rtol=1e-6)
    assert (mass[0, 5] == 1.0).all()


def test_in_cloud_fraction_of_a_soluble_gas_follows_henrys_law():
    """SO2 at pH 5 and 285 K: eps = H* R T L / (1 + H* R T L) with H* = H (1 + K1/[H+] + K1 K2/[H+]^2),
    computed here from Seinfeld and Pandis' constants, and L = rho q_c / rho_w."""
    thickness, rho, cloud_water, cloud_fraction = column(cloudy=(2,))
    T = 285.0

    def k(k298, c):
        return k298 * math.exp(c * (1.0 / T - 1.0 / 298.15))

    h = k(1.23, 3145.0)
    k1, k2 = k(1.3e-2, 1960.0), k(6.6e-8, 1500.0)
    hstar = h * (1.0 + k1 / 1e-5 + k1 * k2 / 1e-10)
    x = hstar * 0.082057366 * T * 1.1 * 5e-4 / 1000.0
    eps = x / (1.0 + x)
    assert 0.01 < eps < 0.9  # partly dissolved: the test sees the solubility
    mass = np.ones((1, 6, 1, 1))
    dt = 900.0
    scavenge(mass, 0.0, 0.0, (1.23, 3145.0), RAIN, cloud_water, cloud_fraction, rho, thickness, dt, T,
             acid1=(1.3e-2, 1960.0), acid2=(6.6e-8, 1500.0))
    rate = eps * RAIN / (1.1 * 5e-4 * 200.0)
    assert mass[0, 2, 0, 0] == pytest.approx(math.exp(-rate * dt), rel=1e-9)


@pytest.mark.parametrize("rain_mm_h, dt", [(1.0, 60.0), (100.0, 3600.0), (1e4, 86400.0)])
def test_never_removes_more_than_there_is(rain_mm_h, dt):
    """At any rain rate and step the mass stays >= 0 and what is removed is exactly what is deposited."""
    thickness, rho, cloud_water, cloud_fraction = column(water=1e-7, fraction=0.3)
    rng = np.random.default_rng(1)
    mass = rng.uniform(0.0, 1.0, (3, 6, 1, 1))
    before = mass.copy()
    deposited = scavenge(mass, 50.0, 1.0, (0.0, 0.0), rain_mm_h / 3600.0, cloud_water, cloud_fraction, rho,
                         thickness, dt)
    assert (mass >= 0).all() and (deposited >= 0).all()
    np.testing.assert_allclose(deposited[:, 0, 0], (before - mass).sum(axis=(1, 2, 3)), rtol=1e-14)
