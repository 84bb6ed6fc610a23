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


def _survey():
    """{code: (people 0-14, 15-64, 65+)} of the packaged 2008 sample survey table."""
    out = {}
    for r in csv.DictReader(data_path("health", "province_ages.csv").open()):
        out.setdefault(r["code"], []).append(float(r["population"]))
    return out


def test_age_groups_reproduce_the_province_crude_rate():
    """sum over all age groups of share_p(a) x m(p, a) = CDR(p): the census age pattern scaled to the province, with
    the province's own age structure."""
    for code, cdr in (("110000", 4.75e-3), ("120000", 5.94e-3), ("130000", 6.49e-3)):
        total = sum(incidence.age_share(a0, a1, code) * incidence.baseline_rate(code, "all_cause", a0, a1, 2008)
                    for a0, a1, _, _ in _census())
        assert total == pytest.approx(cdr, rel=1e-12)
        # a single all-ages group is the crude rate itself
        assert incidence.baseline_rate(code, "all_cause", 0, 120, 2008) == pytest.approx(cdr, rel=1e-12)


def test_rates_by_hand():
    rows = _census()
    people = sum(r[3] for r in rows)
    # Beijing's 5-year structure by hand: its 2008 survey groups split in the census proportions inside each
    young, middle, old = _survey()["110000"]
    total = young + middle + old
    broad = {(0, 14): young, (15, 64): middle, (65, 120): old}
    share = {}
    for a0, a1, _, pop in rows:
        (b0, b1), n = next(((b0, b1), n) for (b0, b1), n in broad.items() if b0 <= a0 and a1 <= b1)
        inside = sum(r[3] for r in rows if b0 <= r[0] and r[1] <= b1)
        share[a0] = n * pop / inside / total
    norm = sum(r[2] / r[3] * share[r[0]] for r in rows)  # Beijing's crude rate at the census age pattern
    m60 = [r for r in rows if r[0] == 60][0]
    expected = m60[2] / m60[3] * (4.75e-3 / norm)
    assert incidence.age_share(60, 64, "110000") == pytest.approx(share[60], rel=1e-12)
    assert incidence.baseline_rate("110000", "all_cause", 60, 64, 2008) == pytest.approx(expected, rel=1e-12)
    # a wider group is the people-weighted mean of its 5-year rates
    m65 = [r for r in rows if r[0] == 65][0]
    wide = (expected * share[60] + m65[2] / m65[3] * (4.75e-3 / norm) * share[65]) / (share[60] + share[65])
    assert incidence.baseline_rate("110000", "all_cause", 60, 69, 2008) == pytest.approx(wide, rel=1e-12)
    deaths = sum(r[2] for r in rows)
    adult_deaths = sum(r[2] for r in rows if r[0] >= 25) / deaths
    cause = 8.28e6 / (137462e4 * 7.11e-3 * adult_deaths)
    assert incidence.cause_share("ncd_lri") == pytest.approx(cause, rel=1e-12)
    assert 0.85 < cause < 1.0  # NCD+LRI: most adult deaths, not all (injuries are outside it)
    assert incidence.baseline_rate("110000", "ncd_lri", 60, 64, 2008) == pytest.approx(expected * cause, rel=1e-12)
    assert incidence.age_share(0, 120) == pytest.approx(1.0, rel=1e-14)
    assert incidence.age_share(25, 120) == pytest.approx(sum(r[3] for r in rows if r[0] >= 25) / people, rel=1e-12)
    assert incidence.cause_share("cardiovascular") == pytest.approx(
        incidence.cause_share("ihd") + incidence.cause_share("stroke"), rel=1e-14)


def test_province_age_structures():
    """Each province's 5-year shares sum to 1 and reproduce its survey groups; a province without rows takes the
    census structure (the national proxy)."""
    for code, (young, middle, old) in _survey().items():
        s = incidence.population_structure(code, 2008)
        assert s.sum() == pytest.approx(1.0, rel=1e-14) and (s > 0).all()
        total = young + middle + old
        assert incidence.age_share(0, 14, code) == pytest.approx(young / total, rel=1e-12)
        assert incidence.age_share(15, 64, code) == pytest.approx(middle / total, rel=1e-12)
        assert incidence.age_share(65, 120, code) == pytest.approx(old / total, rel=1e-12)
    # Beijing is older than the 2000 census: a larger share at 25+ (this fails if the proxy were still used)
    assert incidence.age_share(25, 120, "110000") > incidence.age_share(25, 120) + 0.05
    assert incidence.structure_year("110000", 2015) == 2008 and incidence.structure_year("999999", 2008) is None
    assert incidence.population_structure("999999", 2008) == pytest.approx(incidence.population_structure(None))


def test_bad_age_table(monkeypatch):
    rows = [dict(code="1", name="x", year="2008", age_start="0", age_end="14", population="5"),
            dict(code="1", name="x", year="2008", age_start="20", age_end="120", population="5")]
    monkeypatch.setattr(incidence, "_rows", lambda name: rows)
    incidence.province_age_groups.cache_clear()
    try:
        with pytest.raises(InputError, match="must cover"):
            incidence.province_age_groups()
        rows[1] = dict(rows[1], age_start="15", population="-2")
        with pytest.raises(InputError, match="population '-2'"):
            incidence.province_age_groups()
        rows[1] = dict(rows[1], age_start="17", population="2")
        with pytest.raises(InputError, match="census groups"):
            incidence.province_age_groups()
    finally:
        monkeypatch.undo()
        incidence.province_age_groups.cache_clear()


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
