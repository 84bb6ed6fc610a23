"""The uncertainty analysis: the mean of the draws converges to the analytic expected value as draws grow
(log-linear function, beta ~ N(b, s^2): E[1 - exp(-beta dC)] = 1 - exp(-b dC + s^2 dC^2 / 2)), the central estimate
is the value at the central parameters, and the draws are reproducible with a seed."""
import math

import numpy as np
import pytest

from airmodel.analysis.regions import frame_of, population
from airmodel.errors import InputError
from airmodel.health import Options, health_impacts, incidence
from airmodel.health.functions import Function
from airmodel.health.uncertainty import standard_normals
from tests.health_runs import constant_pair

BETA, SE = 0.01, 0.005  # large on purpose: the expected value then differs visibly from the central value
DELTA = 10.0


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    return constant_pair(tmp_path_factory.mktemp("mc"), base_pm=60.0, case_pm=60.0 - DELTA, days=2)


def _fn():
    return Function("t", "t", "nonaccidental", "short", "PM25", "daily_mean", "loglinear", 0, 120,
                    "nonaccidental", BETA, SE)


def _analytic(b_path):
    import xarray as xr

    with xr.open_dataset(b_path) as ds:
        frame = frame_of(ds)
    total_central = total_expected = 0.0
    for code in ("110000", "120000", "130000"):
        p = float(population(frame, code)[0, 0])
        y_day = incidence.baseline_rate(code, "nonaccidental", 0, 120, 2008) / 365.0
        total_central += 2 * y_day * p * (1 - math.exp(-BETA * DELTA))
        total_expected += 2 * y_day * p * (1 - math.exp(-BETA * DELTA + SE ** 2 * DELTA ** 2 / 2))
    return total_central, total_expected


def test_mean_of_draws_converges_to_the_analytic_expectation(pair):
    b, c = pair
    central, expected = _analytic(b)
    assert abs(expected - central) > 1e-3 * central  # the test can tell the two apart
    # relative standard deviation of one draw: sd(beta) dC exp(-b dC) / (1 - exp(-b dC))
    rel_sd = SE * DELTA * math.exp(-BETA * DELTA) / (1 - math.exp(-BETA * DELTA))
    errors = {}
    for draws in (100, 10_000, 1_000_000):
        ds = health_impacts(b, c, [_fn()], Options(draws=draws, seed=3))
        got = ds.avoided_deaths.sel(outcome="t/nonaccidental", region="domain").values
        assert got[0] == pytest.approx(central, rel=1e-12)
        errors[draws] = abs(got[1] - expected) / expected
        assert errors[draws] < 4 * rel_sd / math.sqrt(draws)  # within 4 standard errors of the mean
    assert errors[1_000_000] < errors[100]
    # with a million draws the mean is far closer to the expected value than the expected value to the central one
    assert 10 * errors[1_000_000] * expected < abs(expected - central)


def test_latin_hypercube_converges_and_is_seeded(pair):
    b, c = pair
    _, expected = _analytic(b)
    one = health_impacts(b, c, [_fn()], Options(draws=20_000, seed=5, sampling="lhs"))
    two = health_impacts(b, c, [_fn()], Options(draws=20_000, seed=5, sampling="lhs"))
    assert np.array_equal(one.avoided_deaths.values, two.avoided_deaths.values)
    mean = float(one.avoided_deaths.sel(outcome="t/nonaccidental", region="domain", statistic="mean"))
    assert mean == pytest.approx(expected, rel=1e-4)


def test_interval_is_reproducible_and_brackets_the_central_value(pair):
    b, c = pair
    runs = [health_impacts(b, c, None, Options(draws=300, seed=s)) for s in (11, 11, 12)]
    assert np.array_equal(runs[0].value.values, runs[1].value.values)
    assert not np.array_equal(runs[0].value.values, runs[2].value.values)
    d = runs[0].avoided_deaths.sel(region="domain").values
    assert np.all(d[:, 2] <= d[:, 0]) and np.all(d[:, 0] <= d[:, 3])


def test_draw_arguments_are_checked():
    for draws in (0, -1, 2.5, True):
        with pytest.raises(InputError, match="--draws"):
            standard_normals(2, draws, 0)
    with pytest.raises(InputError, match="--seed"):
        standard_normals(2, 10, -1)
    with pytest.raises(InputError, match="sobol"):
        standard_normals(2, 10, 0, "sobol")
    z = standard_normals(3, 4000, 1, "lhs")
    assert z.shape == (4000, 3) and abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
