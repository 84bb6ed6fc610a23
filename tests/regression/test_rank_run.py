"""``airmodel rank`` end to end on a LocalCluster of 2 workers: the demo for three hours (its own 0.25-degree grid: the
overrides apply to the projection scenario too, whose regional parent is 0.25 degrees, and an inner domain may not
be coarser than its parent), power and agriculture in Beijing and Hebei cut by half."""
import csv

import numpy as np
import pytest

from airmodel.cli import main
from airmodel.data import data_path
from airmodel.health import Options, health_impacts
from airmodel.health.impact import open_run

pytestmark = pytest.mark.slow  # six short runs on two worker processes


def test_rank_writes_the_table_and_chart_and_the_contributions_close(tmp_path):
    ranking = tmp_path / "r.toml"
    ranking.write_text(f'base = "{data_path("scenarios", "demo.toml")}"\n'
                       'overrides = ["run.start=2008-08-07T16:00:00Z", "run.hours=3", '
                       '"run.time_step=1200.0"]\nreduction = 0.5\nregions = ["Beijing", "Hebei"]\n'
                       'sectors = ["power", "agriculture"]\nmetrics = ["PM25", "O3"]\n')
    health = tmp_path / "h.csv"
    health.write_text("category,avoided_deaths,value_yuan\nBeijing.power,1,2e6\nBeijing.agriculture,5,1e7\n"
                      "Hebei.power,2,4e6\nHebei.agriculture,40,8e7\n")
    out = tmp_path / "out"
    assert main(["-q", "rank", str(ranking), "-o", str(out), "--workers", "2", "--health", str(health)]) == 0
    for name in ("ranking.csv", "ranking.md", "ranking.png", "contributions.csv", "index.csv"):
        assert (out / name).is_file(), name
    rows = list(csv.DictReader(open(out / "ranking.csv")))
    assert [int(r["rank"]) for r in rows] == [1, 2, 3, 4]
    deaths = [float(r["deaths_per_million_yuan"]) for r in rows]
    assert deaths == sorted(deaths, reverse=True)
    cons = list(csv.DictReader(open(out / "contributions.csv")))
    for metric in ("PM25", "O3"):
        parts = [float(r["contribution"]) for r in cons if r["metric"] == metric and r["category"] != "together"]
        together = next(r for r in cons if r["metric"] == metric and r["category"] == "together")
        assert sum(parts) == pytest.approx(float(together["sum_of_contributions"]), rel=1e-9)
        assert sum(parts) - float(together["contribution"]) == pytest.approx(float(together["non_linearity"]),
                                                                             rel=1e-9, abs=1e-12)
    pm = next(r for r in cons if r["metric"] == "PM25" and r["category"] == "together")
    assert abs(float(pm["non_linearity_percent"])) < 5.0  # primary PM and its precursors, cut by half: near linear
    # run again on the same folder, now with the health result from the members themselves (each category's
    # airmodel health against the base, long-term deaths a year, central, domain, scaled by 1/reduction): the
    # complete members are kept, not rerun, and the page says so; ranked by avoided deaths per yuan
    first = (out / "members" / "base.nc").stat().st_mtime_ns
    assert main(["-q", "rank", str(ranking), "-o", str(out), "--health-from-members"]) == 0
    assert (out / "members" / "base.nc").stat().st_mtime_ns == first
    kept = "(6 members kept complete from an earlier run of this ranking, not counted)"
    assert kept in (out / "ranking.md").read_text()
    rows = list(csv.DictReader(open(out / "ranking.csv")))
    deaths = [float(r["deaths_per_million_yuan"]) for r in rows]
    ranked = [d for d in deaths if np.isfinite(d)]
    assert ranked and ranked == sorted(ranked, reverse=True)
    base = open_run(out / "members" / "base.nc", "base")
    row = next(r for r in rows if r["category"] == "Beijing.power")
    ds = health_impacts(base, open_run(out / "members" / "cat.Beijing.power.nc", "case"), None,
                        Options(draws=100, seed=0))
    long_term = ds["outcome_term"].values == "long"
    expected = float(np.sum(ds["avoided_deaths"].sel(region="domain", statistic="central").values[long_term])) / 0.5
    assert expected > 0
    assert float(row["avoided_deaths"]) == pytest.approx(expected, rel=1e-12)
