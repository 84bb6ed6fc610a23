"""Ammonium nitrate partitioning follows Mozurkewich (1993) after sulfate has taken its ammonium, across
270-310 K and 20-95 % relative humidity, in the kernel and through the box model."""
import math

import numpy as np
import pytest

from airmodel.chemistry.box import build_setup, integrate, load_box_config
from airmodel.kernels.aerosol import nh4no3_dissociation_constant, partition_ammonium_nitrate

TEMPERATURES = np.arange(270.0, 310.1, 5.0)
HUMIDITIES = np.arange(20.0, 95.1, 5.0)


def mozurkewich(t, rh_percent):
    """K (ppb^2): ln Kp = 118.87 - 24084/T - 6.025 ln T below DRH = exp(723.7/T + 1.6954) %; above it
    K = [P1 - P2 (1-RH) + P3 (1-RH)^2] (1-RH)^1.75 Kp (Mozurkewich 1993, Atmos. Environ. 27A, 261)."""
    kp = math.exp(118.87 - 24084.0 / t - 6.025 * math.log(t))
    if rh_percent < math.exp(723.7 / t + 1.6954):
        return kp
    x = 1.0 - rh_percent / 100.0
    p1 = math.exp(-135.94 + 8763.0 / t + 19.12 * math.log(t))
    p2 = math.exp(-122.65 + 9969.0 / t + 16.22 * math.log(t))
    p3 = math.exp(-182.61 + 13875.0 / t + 24.46 * math.log(t))
    return (p1 - p2 * x + p3 * x * x) * x ** 1.75 * kp


def test_published_dissociation_constants():
    """Kp = 0.043 ppb^2 at 273 K, 3.1 at 288 K, 41.5 at 298 K (Mozurkewich 1993); DRH = 62 % at 298 K."""
    for t, kp in ((273.0, 0.043), (288.0, 3.1), (298.0, 41.5)):
        assert nh4no3_dissociation_constant(t, 10.0) == pytest.approx(kp, rel=0.02)
    assert math.exp(723.7 / 298.0 + 1.6954) == pytest.approx(61.8, abs=0.1)


@pytest.mark.parametrize("total_nh3, total_no3, sulfate", [(30.0, 15.0, 4.0), (12.0, 40.0, 2.0), (9.0, 10.0, 5.0)])
def test_partitioning_matches_the_formula(total_nh3, total_no3, sulfate):
    """For every T, RH on the grid: sulfate binds min(TA, 2 TS) ammonium; then either (NH3)(HNO3) = K with
    particulate nitrate, or (free NH3)(HNO3) <= K and no particulate nitrate; NH3 + NH4+ and HNO3 + NO3- are kept
    exactly. The last case has no free ammonia (all of it in ammonium sulfate)."""
    for t in TEMPERATURES:
        for rh in HUMIDITIES:
            k = mozurkewich(t, rh)
            assert nh4no3_dissociation_constant(t, rh) == pytest.approx(k, rel=1e-13)
            nh3, hno3, nh4, no3 = partition_ammonium_nitrate(total_nh3, total_no3, sulfate, k)
            assert min(nh3, hno3, nh4, no3) >= 0.0
            assert nh3 + nh4 == pytest.approx(total_nh3, rel=1e-15)
            assert hno3 + no3 == pytest.approx(total_no3, rel=1e-15)
            bound = min(total_nh3, 2 * sulfate)
            assert nh4 - no3 == pytest.approx(bound, rel=1e-12)
            if no3 > 0:
                assert nh3 * hno3 == pytest.approx(k, rel=1e-9)
            else:
                assert (total_nh3 - bound) * total_no3 <= k * (1 + 1e-12)


def test_box_model_output_is_in_equilibrium():
    """Through the box model (grs_aero, chemistry running): at each hour, NH3 x HNO3 = K(T, RH) wherever there
    is particulate nitrate, for T in 270..310 K and RH in 20..95 %."""
    seen_particles = 0
    for t in (270.0, 280.0, 290.0, 300.0, 310.0):
        for rh in (20.0, 50.0, 80.0, 95.0):
            config = {"box": {"start": "2008-08-01T00:00:00Z", "hours": 4},
                      "environment": {"temperature": t, "relative_humidity": rh},
                      "initial": dict(NO=5.0, NO2=20.0, O3=40.0, ROC=100.0, HNO3=15.0, NH3=40.0, SO2=5.0,
                                      SULF=3.0)}
            setup = build_setup(load_box_config(config))
            ppb, _ = integrate(setup)
            names = setup.mechanism.species_names
            nh3, hno3, no3 = (ppb[:, names.index(n)] for n in ("NH3", "HNO3", "NO3A"))
            k = mozurkewich(t, rh)
            particles = no3 > 0
            seen_particles += particles.sum()
            np.testing.assert_allclose(nh3[particles] * hno3[particles], k, rtol=1e-9)
            assert np.all(nh3[~particles] * hno3[~particles] <= k * (1 + 1e-12))
    assert seen_particles > 40


def _daily_nitrate_production(overrides, case="box/urban_voc_limited"):
    """Total nitrate (HNO3 + NO3-) produced on the fifth day of the urban box (ppb), from its budget: the change
    over the day plus the export by dilution (5-minute outputs, trapezoid); no nitrate is emitted."""
    setup = build_setup(load_box_config(case, ["box.output_interval_minutes=5"] + overrides))
    ppb, _ = integrate(setup)
    names = setup.mechanism.species_names
    tn = ppb[:, names.index("HNO3")] + ppb[:, names.index("NO3A")]
    background = setup.background[names.index("HNO3")] + setup.background[names.index("NO3A")]
    t = setup.output_offset
    day = t >= t[-1] - 86400.0 - 1e-6
    production = tn[day][-1] - tn[day][0] + setup.dilution * np.trapezoid(tn[day] - background, t[day])
    return production, ppb[day, names.index("NO3A")].mean()


def test_nitrate_responds_to_nox_in_the_urban_box():
    """Halving NOx emissions (NO 3 -> 1.5, NO2 0.3 -> 0.15 ppb h-1) lowers the daily nitrate production of the
    urban box by 35 % (OH + NO2 -> HNO3 makes most of it, in proportion to NO2); halving NH3 leaves the
    production unchanged but lowers particulate nitrate (the NH4NO3 equilibrium). docs/chemistry_response.md
    has the whole table (tools/chemistry_response.py)."""
    base, base_no3a = _daily_nitrate_production([])
    halved_nox, nox_no3a = _daily_nitrate_production(["emissions.NO=1.5", "emissions.NO2=0.15"])
    halved_nh3, nh3_no3a = _daily_nitrate_production(["emissions.NH3=0.5"])
    assert 0.60 < halved_nox / base < 0.70
    assert nox_no3a < base_no3a
    assert halved_nh3 == pytest.approx(base, rel=1e-6)
    assert nh3_no3a < 0.7 * base_no3a


def test_cb05_nitrate_responds_to_nox():
    """cb05_aero's urban box (box/cb05_urban): halving NOx emissions lowers the daily nitrate production by 54 %
    (OH + NO2 by day and N2O5 at night both scale with NO2; docs/chemistry_response.md), and particulate nitrate
    with it; halving NH3 changes the production by under 2 % (only through the particle surface that N2O5 meets)
    but lowers particulate nitrate by 40 %."""
    case = "box/cb05_urban"
    base, base_no3a = _daily_nitrate_production([], case)
    halved_nox, nox_no3a = _daily_nitrate_production(["emissions.NO=1.5", "emissions.NO2=0.15"], case)
    halved_nh3, nh3_no3a = _daily_nitrate_production(["emissions.NH3=0.5"], case)
    assert 0.40 < halved_nox / base < 0.52
    assert nox_no3a < 0.8 * base_no3a
    assert halved_nh3 == pytest.approx(base, rel=0.02)
    assert nh3_no3a < 0.7 * base_no3a
