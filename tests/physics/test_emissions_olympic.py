"""The default 2008 inventory against the published totals it was built from, and the Olympic controls against
Wang et al. (2010), both through ``airmodel inventory summarize`` (summary.summarize).

Published: Beijing SO2 2008, 123 kt (Beijing Statistical Yearbook 2010); Tianjin SO2 2008, 240 kt (official
Tianjin statistics); Beijing in June 2008 (Wang et al. 2010, ES&T 44, 2490): SO2 103.9, NOx 428.5, PM10 362.7,
NMVOC 890.0 t/d, and during the Games (8-24 August) SO2 -41 %, NOx -47 %, PM10 -55 %, NMVOC -57 % against June.
The ready scenario olympic_controls_check encodes the measures (press and official reports, 2008); the check is
+-5 percentage points.
"""
import pytest

from airmodel.inventory_summary import summarize

WANG_JUNE = {"SO2": 103.9, "NOx": 428.5, "PM10": 362.7, "NMVOC": 890.0}
WANG_CHANGE = {"SO2": -41.0, "NOx": -47.0, "PM10": -55.0, "NMVOC": -57.0}


def value(rows, region, sector, pollutant, column):
    for r in rows:
        if (r["region"], r["sector"], r["pollutant"]) == (region, sector, pollutant):
            return r[column]
    raise KeyError((region, sector, pollutant))


@pytest.fixture(scope="module")
def olympic(scenarios):
    path = scenarios / "olympic_controls_check.toml"
    return {"june": summarize(path, "2008-06-01/2008-07-01"), "games": summarize(path, "2008-08-08/2008-08-25")}


def test_games_against_june_within_5_points_of_wang(olympic):
    for p, published in WANG_CHANGE.items():
        june = value(olympic["june"], "Beijing", "all", p, "before_t_per_day")
        games = value(olympic["games"], "Beijing", "all", p, "after_t_per_day")
        change = 100.0 * (games / june - 1.0)
        assert abs(change - published) <= 5.0, (p, round(change, 1), published)


def test_the_controls_alone_explain_the_change(olympic):
    """Within the Games period, after against before controls: the same within 1 point (June and August differ
    only by the month profiles)."""
    for p in WANG_CHANGE:
        own = value(olympic["games"], "Beijing", "all", p, "change_percent")
        june = value(olympic["june"], "Beijing", "all", p, "before_t_per_day")
        games = value(olympic["games"], "Beijing", "all", p, "after_t_per_day")
        assert abs(own - 100.0 * (games / june - 1.0)) < 1.0


def test_june_2008_reproduces_wang(olympic):
    for p, published in WANG_JUNE.items():
        ours = value(olympic["june"], "Beijing", "all", p, "before_t_per_day")
        assert ours == pytest.approx(published, rel=1e-3), p
        assert value(olympic["june"], "Beijing", "all", p, "change_percent") == 0.0  # no control before July


def test_annual_totals_reproduce_the_yearbooks(scenarios):
    rows = summarize(scenarios / "emissions_2008.toml")
    assert value(rows, "Beijing", "all", "SO2", "before_t") == pytest.approx(123_000.0, rel=1e-4)
    assert value(rows, "Tianjin", "all", "SO2", "before_t") == pytest.approx(240_000.0, rel=1e-4)
    industrial = sum(value(rows, "Beijing", s, "SO2", "before_t") for s in ("power", "industry"))
    assert industrial == pytest.approx(57_783.0, rel=1e-4)  # China Statistical Yearbook 2009, table 11-25
    assert value(rows, "all", "all", "CO2", "before_t") > 0  # CO2 is counted, though not transported
    assert value(rows, "all", "all", "SO2", "outside_domain_t") > 0  # southern Hebei lies outside the domain
