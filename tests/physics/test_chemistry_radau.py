"""Box runs of 5 days (diurnal sun, hourly emission profiles, dilution) agree with scipy's Radau at rtol 1e-10.

The reference (airmodel/chemistry/reference.py) is an independent plain-Python right-hand side and Jacobian of
grs_aero, typed in again from the sources, with its own solar position, photolysis, OH proxy and equilibrium; both
solvers get the same piecewise-constant forcing and apply the NH4NO3 equilibrium at the same segment ends (exact
here: grs_aero's kinetics never read the gas/particle split).
"""
import numpy as np
import pytest

from airmodel.chemistry.box import build_setup, integrate, load_box_config
from airmodel.chemistry.reference import integrate_reference


@pytest.mark.parametrize("case", ["urban_voc_limited", "rural_nox_limited", "polluted_night"])
def test_five_days_match_radau(scenarios, case):
    """max over hourly outputs and species with c_ref > 1e-3 ppb of |c - c_ref| / c_ref < 1e-3 (0.1 %), with the
    box's own settings (RODAS3, rtol 1e-4, atol 1e-8 ppb); no value is negative."""
    setup = build_setup(load_box_config(scenarios / "box" / f"{case}.toml"))
    assert setup.segment_length.sum() == 5 * 86400.0
    ours, _ = integrate(setup)
    reference = integrate_reference(setup, rtol=1e-10, atol=1e-12)
    assert ours.min() >= 0.0
    above = reference > 1e-3
    relative = np.abs(ours - reference)[above] / reference[above]
    assert relative.max() < 1e-3, relative.max()
    # the comparison covers the photochemistry, not only inert tracers
    names = setup.mechanism.species_names
    for name in ("O3", "NO", "NO2", "SO2", "SULF"):
        assert above[:, names.index(name)].sum() > 60
