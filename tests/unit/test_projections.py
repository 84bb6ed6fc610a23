"""The projected-inventory family (scenarios/projections/): written from its cited drivers, every member loads and
summarizes, growth and measures act as the drivers say, and projection_2020_08 still works by name."""
import importlib.util
import logging
from pathlib import Path

import pytest

from airmodel.data import data_path, scenario_names
from airmodel.emissions.measures import catalogue
from airmodel.inventory_summary import summarize_with_costs

ROOT = Path(__file__).resolve().parents[2]


def builder():
    spec = importlib.util.spec_from_file_location("build_projections", ROOT / "tools" / "build_projections.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_scenarios_are_what_the_drivers_give():
    for path, text in builder().outputs().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run tools/build_projections.py"


def test_every_driver_is_sourced_and_names_a_known_measure():
    drivers = builder().read_drivers(data_path("scenarios", "projections", "drivers.csv"))
    assert drivers
    for d in drivers:
        assert d["source"].strip() and d["name"].strip()
        assert d["path"] in ("both", "cle", "clean") and d["kind"] in ("scale", "reduction", "penetration")
        if d["measure"]:
            assert d["measure"] in catalogue()
        values = [float(d[f"v{y}"]) for y in (2013, 2018, 2023, 2028) if d[f"v{y}"].strip()]
        assert values and all(v >= 0 for v in values)
        if d["kind"] != "scale":
            assert all(v <= 1 for v in values)


def _totals(name):
    rows, costs = summarize_with_costs(name)
    return {(r["region"], r["sector"], r["pollutant"]): r for r in rows}, costs


@pytest.fixture(scope="module")
def family():
    logging.disable(logging.WARNING)
    names = [n for n in scenario_names() if n.startswith("projections/")]
    out = {n: _totals(n) for n in names + ["baseline_2008_08"]}
    logging.disable(logging.NOTSET)
    return out


def test_the_family_has_both_paths_and_every_year(family):
    names = set(family)
    for year in (2013, 2018, 2023, 2028):
        assert f"projections/current_legislation_{year}_08" in names
    for year in (2023, 2028):
        assert f"projections/clean_energy_{year}_08" in names


def test_growth_and_measures_act_as_the_drivers_say(family):
    base = family["baseline_2008_08"][0]
    cle13 = family["projections/current_legislation_2013_08"][0]
    # Hebei's industrial CO (no measure on CO in 2013) grows with crude steel: x1.64 (NBS 2008 -> 2013)
    key = ("Hebei", "industry", "CO")
    assert cle13[key]["after_t"] == pytest.approx(1.64 * base[key]["after_t"], rel=1e-9)
    # Beijing's residential SO2: coal use 27 -> 23 Mt removes 14.8 % of the households' stove emissions
    key = ("Beijing", "residential", "SO2")
    assert cle13[key]["after_t"] == pytest.approx((1 - 0.148) * base[key]["after_t"], rel=1e-9)
    # the clean-energy path is below current legislation for every pollutant of the region in 2028
    cle, clean = family["projections/current_legislation_2028_08"][0], family["projections/clean_energy_2028_08"][0]
    for p in ("SO2", "NOx", "PM2.5", "NH3"):
        assert clean[("all", "all", p)]["after_t"] < cle[("all", "all", p)]["after_t"]


def test_priced_measures_carry_a_cost(family):
    costs = family["projections/current_legislation_2018_08"][1]
    ule = [r for r in costs if r["measure"] == "ule_coal_power" and r["region"] == "all" and r["sector"] == "all"]
    assert ule and sum(r["cost_yuan"] for r in ule) > 0


def test_projection_2020_still_works_by_name():
    rows, _ = summarize_with_costs("projection_2020_08")
    assert any(r["region"] == "Beijing" and r["change_percent"] < 0 for r in rows)
