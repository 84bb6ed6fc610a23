"""NO2 photolysis and NO + O3 alone reach the Leighton photostationary state."""
import math

import pytest

from airmodel.chemistry.box import build_setup, integrate, load_box_config

MECH = """\
mechanism leighton
element N
species NO  phase=gas mw=30.006 units=ppb elements=N:1 drydep=inert wet=0
species NO2 phase=gas mw=46.006 units=ppb elements=N:1 drydep=inert wet=0
species O3  phase=gas mw=47.998 units=ppb drydep=inert wet=0
photolysis NO2 l=1.165e-2 m=0.244 n=0.267
reaction R3: NO2 -> NO + O3 : J(NO2) {s-1}
reaction R4: NO + O3 -> NO2 : ARR(1.4e-12, 1310) {molecule cm-3 s}
"""


@pytest.mark.parametrize("zenith, temperature, initial", [
    (30.0, 298.0, dict(NO=10.0, NO2=30.0, O3=20.0)),
    (60.0, 280.0, dict(NO=40.0, NO2=5.0, O3=0.0)),   # starts with no ozone at all
    (10.0, 305.0, dict(NO=0.0, NO2=50.0, O3=80.0)),  # starts with no NO
])
def test_steady_state_is_leighton(tmp_path, zenith, temperature, initial):
    """[O3] = J[NO2] / (k [NO]) with J = 1.165e-2 cos(chi)^0.244 exp(-0.267 / cos(chi)) (MCM) and
    k = 1.4e-12 exp(-1310 / T) cm3 s-1 (IUPAC), i.e. 1.4e-12 exp(-1310/T) 1e-9 M ppb-1 s-1, M = p N_A / (R T);
    to 1e-6 relative after 6 hours under a fixed sun."""
    path = tmp_path / "leighton.mech"
    path.write_text(MECH)
    config = {"box": {"mechanism": str(path), "start": "2008-08-01T00:00:00Z", "hours": 6, "rtol": 1e-4,
                      "atol": 1e-8},
              "environment": {"temperature": temperature, "pressure": 101325.0,
                              "fixed_solar_zenith_angle": zenith},
              "initial": initial}
    setup = build_setup(load_box_config(config))
    ppb, _ = integrate(setup)
    no, no2, o3 = ppb[-1]
    c = math.cos(math.radians(zenith))
    j = 1.165e-2 * c ** 0.244 * math.exp(-0.267 / c)
    m_air = 101325.0 / (8.314462618 * temperature) * 6.02214076e23 * 1e-6
    k = 1.4e-12 * math.exp(-1310.0 / temperature) * 1e-9 * m_air
    assert o3 == pytest.approx(j * no2 / (k * no), rel=1e-6)
    # NOx and Ox (O3 + NO2) are conserved by the two reactions
    assert no + no2 == pytest.approx(initial["NO"] + initial["NO2"], rel=1e-12)
    assert o3 + no2 == pytest.approx(initial["O3"] + initial["NO2"], rel=1e-12)
    assert ppb.min() >= 0.0
