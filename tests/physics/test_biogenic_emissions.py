"""Biogenic emissions (airmodel/emissions/biogenic.py): the Guenther et al. (1993) activity factors against values
worked by hand from the paper's equations, the emission factors against the MEGAN2.1 plant-type table they are
mixed from, and the emissions in a model run: zero isoprene at night, the budget's emitted term equal to the
fluxes, closure, and nothing without the switch.

Hand values (bc -l, 15 digits), with C_T1 = 95000, C_T2 = 230000 J mol-1, T_s = 303 K, T_M = 314 K, R = 8.314,
alpha = 0.0027, C_L1 = 1.066, beta = 0.09 K-1:

    C_T(303 K) = 1 / (1 + exp(230000 (303 - 314) / (8.314 x 303^2)))           = 0.964924775125575
    C_T(314 K) = exp(95000 x 11 / (8.314 x 303 x 314)) / 2                       = 1.873761019888208
    C_T(293 K) = exp(-95000 x 10 / (8.314 x 303 x 293)) / (1 + exp(...(293 - 314)...)) = 0.275680826724450
    C_L(1000)  = 0.0027 x 1.066 x 1000 / sqrt(1 + 2.7^2)                         = 0.999640178931468
    C_L(200)   = 0.0027 x 1.066 x 200 / sqrt(1 + 0.54^2)                         = 0.506508743107386
    exp(beta (313 - 303)) = e^0.9                                                = 2.459603111156949

(The paper's C_T is 0.965, not exactly 1, at its standard temperature: its denominator is 1.036 there.)
"""
from datetime import timedelta

import numpy as np
import pytest

from airmodel.emissions import biogenic as bio
from airmodel.errors import InputError
from airmodel.met.base import MetSnapshot
from airmodel.model import Model
from airmodel.scenario import load


@pytest.mark.parametrize("temperature, expected", [(303.0, 0.964924775125575), (314.0, 1.873761019888208),
                                                   (293.0, 0.275680826724450)])
def test_temperature_factor_matches_the_hand_values(temperature, expected):
    assert float(bio.temperature_factor(temperature)) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("par, expected", [(1000.0, 0.999640178931468), (200.0, 0.506508743107386), (0.0, 0.0)])
def test_light_factor_matches_the_hand_values(par, expected):
    assert float(bio.light_factor(par)) == pytest.approx(expected, rel=1e-13, abs=0.0)


def test_monoterpenes_follow_the_exponential():
    assert float(bio.monoterpene_factor(313.0)) == pytest.approx(2.459603111156949, rel=1e-13)
    assert float(bio.monoterpene_factor(303.0)) == 1.0


#: MEGAN2.1 emission factors (ug m-2 h-1) by plant functional type, Guenther et al. (2012) Table 2: isoprene and
#: the sum of its eight monoterpene classes
PFT = {"crop": (1.0, 12.5), "cool C3 grass": (800.0, 12.5), "arctic C3 grass": (1600.0, 12.5),
       "broadleaf deciduous temperate tree": (10000.0, 990.0), "broadleaf evergreen temperate tree": (10000.0, 990.0),
       "needleleaf deciduous boreal tree": (1.0, 1250.0), "needleleaf evergreen temperate tree": (600.0, 1450.0),
       "broadleaf deciduous temperate shrub": (4000.0, 1120.0), "broadleaf deciduous boreal shrub": (4000.0, 670.0)}


def test_factors_are_the_stated_mixes_of_plant_types():
    from airmodel.emissions.tables import read_table

    table = read_table(bio.FACTORS_FILE)
    cols = table.require("usgs", "pft_mix")
    factors = bio.read_factors()
    for line, fields in table.rows:
        category = int(fields[cols["usgs"]])
        mix = fields[cols["pft_mix"]]
        expected = np.zeros(2)
        if mix != "none":
            for part in mix.split(" + "):
                share, name = part.split(" ", 1) if part[0].isdigit() else ("1", part)
                expected += float(share) * np.array(PFT[name])
        assert (factors["ISOP"][category], factors["TERP"][category]) == pytest.approx(tuple(expected), rel=1e-12)
    assert factors["ISOP"][16] == 0.0 and factors["ISOP"][11] == 10000.0


def snapshot(shortwave, temperature=300.0, land=11):
    shape = (1, 2, 2)
    zeros = np.zeros(shape)
    return MetSnapshot(air_density=zeros + 1.2, u=np.zeros((1, 2, 3)), v=np.zeros((1, 3, 2)), kx=np.zeros((1, 2, 3)),
                       ky=np.zeros((1, 3, 2)), kz=np.zeros((2, 2, 2)), temperature=zeros + temperature,
                       temperature_2m=np.full((2, 2), temperature), shortwave_down=np.full((2, 2), shortwave),
                       land_use=np.full((2, 2), land, dtype=np.int64))


def test_isoprene_is_zero_at_night_and_monoterpenes_are_not():
    from airmodel.grid import build_grid

    grid = build_grid({"grid": "projected", "nx": 2, "ny": 2, "dx": 1000.0, "dy": 1000.0, "x0": 0.0, "y0": 0.0,
                       "layer_interfaces": [0.0, 50.0]})
    emissions = bio.BiogenicEmissions(grid, ["ISOP", "TERP"], {})
    night = emissions.fluxes(snapshot(0.0))
    assert (night["ISOP"] == 0.0).all() and (night["TERP"] > 0.0).all()
    day = emissions.fluxes(snapshot(1000.0 / bio.PAR_PER_SHORTWAVE, temperature=303.0))
    # standard conditions: epsilon C_L(1000) C_T(303), converted from ug m-2 h-1 to kg m-2 s-1
    np.testing.assert_allclose(day["ISOP"], 10000.0 * 0.999640178931468 * 0.964924775125575 * 1e-9 / 3600.0,
                               rtol=1e-12)
    np.testing.assert_allclose(day["TERP"], 990.0 * 1e-9 / 3600.0, rtol=1e-12)
    assert (emissions.fluxes(snapshot(800.0, land=16))["ISOP"] == 0.0).all()  # water emits nothing


def test_a_run_without_isoprene_or_terpenes_is_an_input_error():
    from airmodel.grid import build_grid

    grid = build_grid({"grid": "projected", "nx": 2, "ny": 2, "dx": 1000.0, "dy": 1000.0, "x0": 0.0, "y0": 0.0,
                       "layer_interfaces": [0.0, 50.0]})
    with pytest.raises(InputError, match="ISOP"):
        bio.BiogenicEmissions(grid, ["NO", "NO2", "O3", "ROC"], {})


STEPS = 4


def biogenic_model(biogenic=True) -> Model:
    """Synthetic August weather over a 1 x 1 degree box north-west of Beijing (forest, shrubland, cropland), from
    local noon, transport off, with ISOP and TERP as passive tracers of the scenario."""
    scenario = load({
        "run": {"start": "2008-08-08T04:00:00Z", "steps": STEPS, "time_step": 900.0, "progress": False},
        "domain": {"grid": "lonlat", "lon_min": 115.5, "lon_max": 116.5, "lat_min": 39.9, "lat_max": 40.9,
                   "resolution": 0.25, "layer_interfaces": [0.0, 50.0, 150.0]},
        "meteorology": {"source": "synthetic", "seed": 2008},
        "transport": {"horizontal_advection": False, "vertical_advection": False, "horizontal_diffusion": False,
                      "vertical_diffusion": False},
        "emissions": {"biogenic": biogenic},
        "species": {"ISOP": {"initial": 0.0}, "TERP": {"initial": 0.0}},
        "output": {"hourly_means": False}})
    return Model(scenario)


def test_the_run_books_the_fluxes_and_closes_its_budget():
    """Four steps from local noon: the mass in the domain is the sum over steps of flux x area x dt with the
    meteorology at each step's start (computed here from the activity factors), the budget's emitted term holds
    it, and the budget closes."""
    model = biogenic_model()
    grid = model.grid
    expected = np.zeros(2)
    factors = bio.read_factors()
    for n in range(STEPS):
        met = model.met.at(n * 900.0)
        par = np.maximum(met.shortwave_down, 0.0) * 0.5 * 4.57
        t = met.temperature_2m
        lu = met.land_use
        expected += 900.0 * 1e-9 / 3600.0 * np.array([
            (factors["ISOP"][lu] * bio.light_factor(par) * bio.temperature_factor(t) * grid.cell_area).sum(),
            (factors["TERP"][lu] * bio.monoterpene_factor(t) * grid.cell_area).sum()])
        model.step()
    s = [model.species_names.index("ISOP"), model.species_names.index("TERP")]
    assert expected[0] > 1.0 and expected[1] > 0.1  # kg: the box really emits (tonnes of isoprene an hour)
    np.testing.assert_allclose(model.burden()[s], expected, rtol=1e-12)
    np.testing.assert_allclose(model.budget.emitted[s], expected, rtol=1e-12)
    assert model.budget.residual(model.burden()).max() < 1e-12


def test_switched_off_emits_nothing():
    model = biogenic_model(biogenic=False)
    for _ in range(STEPS):
        model.step()
    assert model.emissions is None and model.burden().max() == 0.0


def test_idealized_meteorology_is_an_input_error():
    scenario = load({
        "run": {"start": "2008-08-08T04:00:00Z", "steps": 1, "time_step": 900.0, "progress": False},
        "domain": {"grid": "lonlat", "lon_min": 116.0, "lon_max": 116.5, "lat_min": 40.0, "lat_max": 40.5,
                   "resolution": 0.25, "layer_interfaces": [0.0, 50.0]},
        "meteorology": {"source": "idealized", "u": 0.0, "v": 0.0, "kz": 1.0},
        "emissions": {"biogenic": True},
        "species": {"ISOP": {"initial": 0.0}},
        "output": {"hourly_means": False}})
    with pytest.raises(InputError, match="land use"):
        Model(scenario).step()


def test_hours_of_darkness_emit_no_isoprene():
    """Local midnight over the same box: no isoprene in the rates."""
    model = biogenic_model()
    met = model.met.at(12 * 3600.0)  # 16 UTC = local midnight
    assert float(np.max(met.shortwave_down)) == 0.0
    rates = model.emissions.rates(model.scenario.start + timedelta(hours=12), met)
    assert rates.surface[model.species_names.index("ISOP")].max() == 0.0
    assert rates.surface[model.species_names.index("TERP")].max() > 0.0
