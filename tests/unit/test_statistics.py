"""Model performance statistics against values worked by hand and against an independent exact-arithmetic
implementation (fractions, pure Python), to 1e-12; and the goal/criteria ratings at their boundaries.

Formulas (model M, observation O, N pairs):
MB = Σ(M-O)/N; RMSE = sqrt(Σ(M-O)²/N); NMB = Σ(M-O)/ΣO; NME = Σ|M-O|/ΣO (Emery et al., 2017);
MFB = (1/N)Σ(M-O)/((M+O)/2); MFE = (1/N)Σ|M-O|/((M+O)/2) (Boylan and Russell, 2006);
r = Σ(M-M̄)(O-Ō)/sqrt(Σ(M-M̄)²Σ(O-Ō)²); IOA = 1 - Σ(M-O)²/Σ(|M-Ō|+|O-Ō|)² (Willmott, 1981).
"""
import math
from fractions import Fraction

import numpy as np
import pytest

from airmodel.analysis import statistics as S
from airmodel.errors import InputError

TOL = 1e-12


def exact_statistics(model, observed) -> dict:
    """The statistics in exact rational arithmetic (square roots taken last), written from the formulas above
    without numpy."""
    m = [Fraction(float(x)) for x in model]
    o = [Fraction(float(x)) for x in observed]
    n = len(m)
    d = [a - b for a, b in zip(m, o)]
    m_mean, o_mean = sum(m) / n, sum(o) / n
    frac = [(a - b) / ((a + b) / 2) for a, b in zip(m, o)]
    cov = sum((a - m_mean) * (b - o_mean) for a, b in zip(m, o))
    var_m = sum((a - m_mean) ** 2 for a in m)
    var_o = sum((b - o_mean) ** 2 for b in o)
    potential = sum((abs(a - o_mean) + abs(b - o_mean)) ** 2 for a, b in zip(m, o))
    return {
        "n": n,
        "mean_obs": float(o_mean),
        "mean_model": float(m_mean),
        "MB": float(sum(d) / n),
        "RMSE": math.sqrt(sum(x * x for x in d) / n),
        "NMB": float(sum(d) / sum(o)),
        "NME": float(sum(abs(x) for x in d) / sum(o)),
        "MFB": float(sum(frac) / n),
        "MFE": float(sum(abs(x) for x in frac) / n),
        "r": float(cov) / math.sqrt(var_m * var_o),
        "IOA": float(1 - sum(x * x for x in d) / potential),
    }


def assert_close(got: dict, want: dict):
    for key, value in want.items():
        if key == "n":
            assert got[key] == value
        else:
            assert got[key] == pytest.approx(value, rel=TOL, abs=TOL), key


def test_hand_worked_example():
    """O = 1, 2, 3, 4 and M = 2, 2, 4, 6 worked on paper: differences 1, 0, 1, 2 (sum 4, squares 6), ΣO = 10;
    fractional terms 2/3, 0, 2/7, 2/5; centred M -1.5, -1.5, 0.5, 2.5 and O -1.5, -0.5, 0.5, 1.5 give
    cov 7, Σ 11 and 5; |M - Ō| = 0.5, 0.5, 1.5, 3.5 and |O - Ō| = 1.5, 0.5, 0.5, 1.5 give Willmott's
    potential error 2² + 1² + 2² + 5² = 34, so IOA = 1 - 6/34."""
    got = S.performance_statistics([2, 2, 4, 6], [1, 2, 3, 4])
    want = {"n": 4, "mean_obs": 2.5, "mean_model": 3.5, "MB": 1.0, "RMSE": math.sqrt(1.5), "NMB": 0.4,
            "NME": 0.4, "MFB": 71 / 210, "MFE": 71 / 210, "r": 7 / math.sqrt(55), "IOA": 14 / 17}
    assert_close(got, want)


def test_signs_and_errors_differ():
    """A model that is high and low in turn: the biases cancel, the errors do not. O = 2, 4 and M = 3, 3:
    NMB 0, NME 2/6, MFB (2/5 - 2/7)/2 = 4/70, MFE (2/5 + 2/7)/2 = 24/70."""
    got = S.performance_statistics([3, 3], [2, 4])
    assert got["MB"] == 0.0 and got["NMB"] == 0.0
    assert got["NME"] == pytest.approx(1 / 3, rel=TOL)
    assert got["MFB"] == pytest.approx(4 / 70, rel=TOL)
    assert got["MFE"] == pytest.approx(24 / 70, rel=TOL)
    assert np.isnan(got["r"])  # a constant model series has no correlation


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_against_exact_arithmetic(seed):
    rng = np.random.default_rng(seed)
    observed = rng.lognormal(3.0, 0.6, size=50)
    model = observed * rng.lognormal(0.1, 0.4, size=50) + rng.normal(0.0, 3.0, size=50).clip(-5, None)
    model = np.abs(model)
    assert_close(S.performance_statistics(model, observed), exact_statistics(model, observed))


def test_single_functions_agree_with_the_table():
    rng = np.random.default_rng(7)
    o = rng.uniform(5, 80, 30)
    m = o + rng.normal(0, 10, 30)
    table = S.performance_statistics(m, o)
    assert S.mean_bias(m, o) == table["MB"]
    assert S.root_mean_square_error(m, o) == table["RMSE"]
    assert S.normalized_mean_bias(m, o) == table["NMB"]
    assert S.normalized_mean_error(m, o) == table["NME"]
    assert S.mean_fractional_bias(m, o) == table["MFB"]
    assert S.mean_fractional_error(m, o) == table["MFE"]
    assert S.pearson_r(m, o) == table["r"]
    assert S.index_of_agreement(m, o) == table["IOA"]


def test_missing_pairs_are_dropped():
    o = np.array([1.0, np.nan, 3.0, 4.0, 5.0])
    m = np.array([2.0, 7.0, np.nan, 6.0, 4.0])
    assert_close(S.performance_statistics(m, o), exact_statistics([2.0, 6.0, 4.0], [1.0, 4.0, 5.0]))


def test_model_twenty_percent_high():
    """M = 1.2 O: NMB = NME = 0.2 exactly, MFB = MFE = 0.2 / 1.1, r = 1."""
    o = np.array([3.0, 10.0, 25.0, 7.5, 60.0])
    got = S.performance_statistics(1.2 * o, o)
    assert got["NMB"] == pytest.approx(0.2, rel=TOL) and got["NME"] == pytest.approx(0.2, rel=TOL)
    assert got["MFB"] == pytest.approx(0.2 / 1.1, rel=TOL) and got["MFE"] == pytest.approx(0.2 / 1.1, rel=TOL)
    assert got["r"] == pytest.approx(1.0, abs=TOL)
    assert S.in_percent(got)["NMB"] == pytest.approx(20.0, rel=TOL)


def test_undefined_statistics_are_nan_not_numbers():
    empty = S.performance_statistics([], [])
    assert empty["n"] == 0
    assert all(np.isnan(v) for k, v in empty.items() if k != "n")
    zeros = S.performance_statistics([1.0, 2.0], [0.0, 0.0])
    assert np.isnan(zeros["NMB"]) and np.isnan(zeros["NME"])
    assert np.isnan(S.pearson_r([1.0], [2.0]))
    # M = O = 0 is a perfect pair: it adds 0 to the fractional bias and error (the fraction is 0/0)
    assert S.mean_fractional_bias([0.0, 2.0], [0.0, 1.0]) == pytest.approx(0.5 * (2 / 3), rel=TOL)
    assert S.mean_fractional_error([0.0, 1.0], [0.0, 2.0]) == pytest.approx(0.5 * (2 / 3), rel=TOL)


def test_lengths_must_match():
    with pytest.raises(InputError, match="differ in length"):
        S.performance_statistics([1.0, 2.0], [1.0])


def benchmark(pollutant, averaging, statistic):
    return next(b for b in S.BENCHMARKS if (b.pollutant, b.averaging, b.statistic) == (pollutant, averaging,
                                                                                        statistic))


def test_ratings_at_the_boundaries():
    """Emery et al. (2017) write strict inequalities (NMB < ±5%, r > 0.75); Boylan and Russell (2006) write
    'less than or equal' (MFB <= ±30%)."""
    nmb = benchmark("O3", "MDA8", "NMB")
    assert nmb.rating(4.99) == "goal" and nmb.rating(-4.99) == "goal"
    assert nmb.rating(5.0) == "criteria" and nmb.rating(-14.9) == "criteria"
    assert nmb.rating(15.0) == "neither" and nmb.rating(20.0) == "neither"
    r = benchmark("O3", "MDA8", "r")
    assert r.rating(0.76) == "goal" and r.rating(0.75) == "criteria" and r.rating(0.5) == "neither"
    mfb = benchmark("PM25", "24h", "MFB")
    assert mfb.rating(30.0) == "goal" and mfb.rating(-30.0) == "goal" and mfb.rating(60.0) == "criteria"
    assert mfb.rating(-60.01) == "neither"
    assert mfb.rating(float("nan")) == "undefined"
    pm_nmb = benchmark("PM25", "24h", "NMB")
    assert pm_nmb.rating(20.0) == "criteria" and pm_nmb.rating(9.9) == "goal"


def test_benchmark_table_is_consistent():
    """Every entry cites its paper, a goal is stricter than its criterion, and only the daily O3 and particle
    metrics carry benchmarks (none is invented for hourly values or NO2, SO2, CO)."""
    for b in S.BENCHMARKS:
        assert b.source in (S.EMERY_2017, S.BOYLAN_RUSSELL_2006)
        if b.test == "above":
            assert b.goal > b.criteria
        else:
            assert b.goal < b.criteria
        assert (b.pollutant, b.averaging) in (("O3", "MDA8"), ("PM25", "24h"), ("PM10", "24h"))
    assert S.benchmarks_for("NO2", "24h") == ()
    assert S.benchmarks_for("O3", "hourly") == ()
