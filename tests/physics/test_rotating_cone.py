"""The rotating cone (airmodel/data/scenarios/idealized/rotating_cone.toml; Jaruga et al. 2015, GMD 8, 1005).

Solid-body rotation u = -omega (y - 50), v = omega (x - 50) carries the cone round unchanged, so the exact
solution after six revolutions is the initial cone: maximum 5.0, background 1.0. The best published MPDATA
variant keeps a maximum of 4.267; a monotone, positive, conservative scheme must keep min >= 1 and max <= 5.
"""
import numpy as np
import pytest

import airmodel
from tests.conftest import budget_residuals


@pytest.fixture(scope="module")
def cone(scenarios, tmp_path_factory):
    out = tmp_path_factory.mktemp("cone") / "cone.nc"
    return airmodel.run(scenarios / "idealized" / "rotating_cone.toml", output=out)


def test_six_revolutions(cone):
    start = cone.tracer.isel(time=0).values
    end = cone.tracer.isel(time=-1).values
    assert start.max() == pytest.approx(5.0)
    assert end.max() >= 4.3, end.max()
    assert end.min() >= 1.0 - 1e-12, end.min()
    assert end.max() <= 5.0 + 1e-12, end.max()
    # The flow leaves and enters through the boundaries with the background value; total mass is unchanged.
    assert abs(end.sum() / start.sum() - 1.0) < 1e-12


def test_budget_closes(cone):
    for name, residual in budget_residuals(cone).items():
        assert residual < 1e-10, (name, residual)


def test_exact_cone_helper_returns_to_start_after_a_revolution():
    """The exact-solution helper (used by the benchmarks) is the initial cone after a whole revolution."""
    from airmodel.analytic import rotating_cone
    x = np.arange(101.0)
    start = rotating_cone(x, x, 0.0, 0.1, (50, 50), (50, 75), 15, 4, 1)
    again = rotating_cone(x, x, 2 * np.pi / 0.1, 0.1, (50, 50), (50, 75), 15, 4, 1)
    quarter = rotating_cone(x, x, 0.5 * np.pi / 0.1, 0.1, (50, 50), (50, 75), 15, 4, 1)
    assert start.max() == 5.0 and np.allclose(start, again)
    assert quarter[50, 25] == pytest.approx(5.0)  # counter-clockwise: the top of the circle moves west
