"""A closed box (no emissions, no dilution) conserves total nitrogen and total sulfur, through gas-phase
chemistry, sulfate formation, positivity clipping and the ammonium-nitrate equilibrium."""
import numpy as np
import pytest

from airmodel.chemistry.box import build_setup, integrate, load_box_config

# atoms per molecule, written out by hand from the species' formulas (not read from the mechanism)
NITROGEN = {"NO": 1, "NO2": 1, "HNO3": 1, "NH3": 1, "NO3A": 1, "NH4A": 1}
SULFUR = {"SO2": 1, "SULF": 1}
POLLUTED = dict(NO=30.0, NO2=40.0, O3=30.0, ROC=300.0, HNO3=5.0, NH3=25.0, SO2=20.0, CO=1.0, CO2=400.0,
                SULF=10.0, NO3A=5.0, NH4A=5.0)


@pytest.mark.parametrize("temperature, rh, cloud", [(298.0, 50.0, 0.0), (275.0, 85.0, 0.5)])
def test_closed_box_conserves_n_and_s(temperature, rh, cloud):
    """N = NO + NO2 + HNO3 + NH3 + NO3- + NH4+ and S = SO2 + SO4= (moles) keep their initial value to
    1e-12 relative at every hour of 5 days; one run dry and warm, one humid, cold and cloudy (deliquesced
    NH4NO3, aqueous sulfate). Counted twice: from the species' element tags in the mechanism, and from the
    hand-written lists above (a species that gains or loses N or S in the file, or a new one, fails the test)."""
    config = {"box": {"start": "2008-08-01T00:00:00Z", "days": 5},
              "environment": {"temperature": temperature, "temperature_amplitude": 5.0, "relative_humidity": rh,
                              "cloud_fraction": cloud},
              "initial": POLLUTED}
    setup = build_setup(load_box_config(config))
    ppb, _ = integrate(setup)
    w = setup.mechanism.arrays.element_weight  # atoms of N (row 0) and S (row 1) per molecule
    assert setup.mechanism.elements == ["N", "S"]
    for e in range(2):
        total = ppb @ w[e]
        assert np.abs(total / total[0] - 1.0).max() < 1e-12
    assert ppb.min() >= 0.0
    names = setup.mechanism.species_names
    for e, atoms in enumerate((NITROGEN, SULFUR)):
        assert {n for n in names if w[e, names.index(n)]} == set(atoms)
        total = sum(count * ppb[:, names.index(n)] for n, count in atoms.items())
        assert np.abs(total / total[0] - 1.0).max() < 1e-12
    # the run does move N and S between species
    assert ppb[-1, names.index("SULF")] > 1.5 * ppb[0, names.index("SULF")]
    nitrate = ppb[:, names.index("HNO3")] + ppb[:, names.index("NO3A")]
    assert nitrate[-1] > 1.5 * nitrate[0]


def test_stiff_start_from_zero_stays_non_negative():
    """Everything starts at zero with strong emissions (a stiff start), and an NO plume titrates ozone at night:
    no concentration is ever negative."""
    emissions = dict(NO=20.0, NO2=2.0, ROC=50.0, SO2=5.0, NH3=5.0, CO=0.2, POA=5.0)
    for start in ("2008-08-01T00:00:00Z", "2008-08-01T14:00:00Z"):
        config = {"box": {"start": start, "days": 1, "output_interval_minutes": 10},
                  "environment": {"temperature": 300.0, "relative_humidity": 90.0},
                  "initial": {}, "emissions": emissions}
        ppb, stats = integrate(build_setup(load_box_config(config)))
        assert ppb.min() >= 0.0 and stats["accepted"] > 0
        titration = dict(config, initial={"O3": 80.0}, emissions={"NO": 500.0})
        ppb, _ = integrate(build_setup(load_box_config(titration)))
        assert ppb.min() >= 0.0
