"""``airmodel compare`` reports the costs of the case's catalogue measures: the same rows as ``airmodel inventory
summarize --costs`` over the compared hours, from the scenario the case run recorded."""
import csv

import pytest

from airmodel.cli import main

pytestmark = pytest.mark.slow  # two short model runs: about 3 minutes on 2 busy cores

SMALL = ["--set", "domain.resolution=0.5", "--set", "run.start=2008-08-07T16:00:00Z", "--set", "run.hours=6",
         "--set", "run.time_step=1200.0", "--no-progress"]


@pytest.fixture(scope="module")
def compared(scenarios, tmp_path_factory):
    folder = tmp_path_factory.mktemp("costs")
    case_toml = folder / "case.toml"
    case_toml.write_text(f'extends = "{scenarios / "demo.toml"}"\n'
                         f'include_controls = ["{scenarios / "controls" / "olympic_beijing.toml"}"]\n')
    base, case = folder / "base.nc", folder / "case.nc"
    assert main(["-q", "run", str(scenarios / "demo.toml"), "-o", str(base), *SMALL]) == 0
    assert main(["-q", "run", str(case_toml), "-o", str(case), *SMALL]) == 0
    out = folder / "cmp"
    assert main(["-q", "compare", str(base), str(case), "-o", str(out)]) == 0
    return folder, case_toml, out


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_compare_costs_are_the_summary_costs_over_the_compared_hours(compared):
    folder, case_toml, out = compared
    costs = _rows(out / "costs.csv")
    # the run's six hours (hour ends 01:00..06:00 local): the summary over the same local window
    ref = folder / "ref.csv"
    assert main(["-q", "inventory", "summarize", str(case_toml), *SMALL[:8], "--period",
                 "2008-08-08T00:00/2008-08-08T06:00", "-o", str(folder / "t.csv"), "--costs", str(ref)]) == 0
    expected = _rows(ref)
    assert len(costs) == len(expected) > 0
    for a, b in zip(costs, expected):
        assert (a["control"], a["region"], a["sector"], a["pollutant"]) == \
            (b["control"], b["region"], b["sector"], b["pollutant"])
        assert float(a["removed_t"]) == pytest.approx(float(b["removed_t"]), rel=1e-9)
        assert float(a["cost_yuan"]) == pytest.approx(float(b["cost_yuan"]), rel=1e-9, abs=1e-9)
    measures = {r["measure"] for r in costs}
    assert measures == {"yellow_label_retirement", "vapour_recovery_stage_ii"}
    assert "## Costs of the measures" in (out / "summary.md").read_text()


def test_compare_without_measures_writes_no_cost_table(compared, scenarios):
    folder, _, out = compared
    again = folder / "same"
    assert main(["-q", "compare", str(folder / "base.nc"), str(folder / "base.nc"), "-o", str(again)]) == 0
    assert not (again / "costs.csv").exists() and (out / "costs.csv").exists()
