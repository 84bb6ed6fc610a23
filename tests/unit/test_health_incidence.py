"""Baseline incidence and valuation: the indirect standardisation reproduces each province's crude death rate, the
cause shares are those of GBD 2015, the cessation lag and discounting, the benefit transfer."""
import csv
import math

import pytest

from airmodel.data import data_path
from airmodel.errors import InputError
from airmodel.health import incidence, valuation


def _census():
    rows = list(csv.DictReader(data_path("health", "census2000_deaths_by_age.csv").open()))
    return [(int(r["age_start"]), int(r["age_end"]), float(r["deaths"]), float(r["deaths"]) /
             (float(r["death_rate_per_mille"]) / 1000)) for r in rows]


def test_age_groups_reproduce_the_province_crude_rate():
    """sum over all age groups of share(a) x m(p, a) = CDR(p): the census age pattern scaled to the province."""
    for code, cdr in (("110000", 4.75e-3), ("120000", 5.94e-3), ("130000", 6.49e-3)):
        total = sum(incidence.age_share(a0, a1) * incidence.baseline_rate(code, "all_cause", a0, a1, 2008)
                    for a0, a1, _, _ in _census())
        assert total == pytest.approx(cdr, rel=1e-12)


def test_rates_by_hand():
    rows = _census()
    deaths = sum(r[2] for r in rows)
    people = sum(r[3] for r in rows)
    m60 = [r for r in rows if r[0] == 60][0]
    expected = m60[2] / m60[3] * (4.75e-3 / (deaths / people))
    assert incidence.baseline_rate("110000", "all_cause", 60, 64, 2008) == pytest.approx(expected, rel=1e-12)
    adult_deaths = sum(r[2] for r in rows if r[0] >= 25) / deaths
    share = 8.28e6 / (137462e4 * 7.11e-3 * adult_deaths)
    assert incidence.cause_share("ncd_lri") == pytest.approx(share, rel=1e-12)
    assert 0.85 < share < 1.0  # NCD+LRI: most adult deaths, not all (injuries are outside it)
    assert incidence.baseline_rate("110000", "ncd_lri", 60, 64, 2008) == pytest.approx(expected * share, rel=1e-12)
    assert incidence.age_share(0, 120) == pytest.approx(1.0, rel=1e-14)
    assert incidence.cause_share("cardiovascular") == pytest.approx(
        incidence.cause_share("ihd") + incidence.cause_share("stroke"), rel=1e-14)


def test_year_falls_to_the_nearest_table_year():
    assert incidence.nearest_year(2008) == 2008 and incidence.nearest_year(2010) == 2008
    assert incidence.nearest_year(2020) == 2015
    assert incidence.baseline_rate("110000", "all_cause", 0, 120, 2015) == pytest.approx(4.95e-3, rel=1e-12)


def test_bad_age_groups_and_causes():
    with pytest.raises(InputError, match="census groups"):
        incidence.age_share(27, 40)
    with pytest.raises(InputError, match="asthma"):
        incidence.cause_share("asthma")


def test_cessation_lag_and_discounting():
    w = valuation.lag_weights()
    assert w.size == 20 and w.sum() == pytest.approx(1.0, abs=1e-15)
    assert w[0] == 0.30 and w[1] == pytest.approx(0.125) and w[19] == pytest.approx(0.20 / 15)
    assert valuation.lag_discount_factor(0.0) == pytest.approx(1.0, abs=1e-15)
    r = 0.03
    expected = 0.30 + sum(0.125 / (1 + r) ** (t - 1) for t in range(2, 6)) + sum(
        (0.20 / 15) / (1 + r) ** (t - 1) for t in range(6, 21))
    assert valuation.lag_discount_factor(r) == pytest.approx(expected, rel=1e-14)
    assert valuation.lag_discount_factor(0.07) < valuation.lag_discount_factor(0.03) < 1.0


def test_vsl_table_and_transfer():
    v = valuation.vsl("cao2023")
    assert (v.value, v.price_year, v.currency, v.low, v.high) == (4.76e6, 2019, "CNY", 3.79e6, 6.36e6)
    assert v.log_sd == pytest.approx(0.5 * (math.log(6.36 / 4.76) + math.log(4.76 / 3.79)) / 1.959963984540054)
    assert valuation.vsl("hoffmann2017").log_sd == 0.0
    assert valuation.transfer_factor(0.5, 0.8) == pytest.approx(0.5 ** 0.8)
    with pytest.raises(InputError, match="nope"):
        valuation.vsl("nope")
    with pytest.raises(InputError, match="income-ratio"):
        valuation.transfer_factor(-1.0)
