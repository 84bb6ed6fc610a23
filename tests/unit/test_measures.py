"""The measures catalogue: its schema check, a measure in [[controls]] against the equivalent bare fraction, and
the costs of a scenario's measures."""
import shutil
from datetime import datetime, timezone

import numpy as np
import pytest

from airmodel.cli import main
from airmodel.data import data_path
from airmodel.emissions.inventory import Inventory
from airmodel.emissions.measures import (CATALOGUE_POLLUTANTS, CLIMATE_GASES, MEASURE_COLUMNS, PRICE_YEAR,
                                         capital_recovery_factor, catalogue, read_catalogue, read_prices,
                                         to_price_year)
from airmodel.emissions.quantities import POLLUTANTS
from airmodel.errors import InputError
from airmodel.grid import VerticalLayers, lonlat_grid
from airmodel.measure_costs import benefit_cost, cost_rows, sum_costs

UTC = timezone.utc
SO2, NOX, PM25, BC, CO2 = (POLLUTANTS.index(p) for p in ("SO2", "NOx", "PM2.5", "BC", "CO2"))
REQUIRED = ("fgd_coal_power", "scr_coal_power", "sncr_cement_kiln", "esp_bag_filter", "ule_coal_power",
            "industrial_boiler_coal_to_gas", "household_coal_to_gas", "household_coal_to_electricity",
            "yellow_label_retirement", "china_vi_heavy_duty", "china_v_light_duty", "fuel_quality_china_v",
            "vapour_recovery_stage_ii", "voc_solvent_end_of_pipe", "low_voc_coatings", "construction_road_dust",
            "agricultural_nh3", "coal_mine_methane", "fgd_sinter")


# --- the embedded catalogue -----------------------------------------------------------------------------------------
def test_catalogue_has_the_required_measures_each_cited_and_in_range():
    measures = catalogue()
    assert set(REQUIRED) <= set(measures)
    for m in measures.values():
        assert m.source and m.name and m.activity and m.applicability
        for p, e in m.efficiency.items():
            assert p in CATALOGUE_POLLUTANTS
            assert (-1.0 if p in CLIMATE_GASES else 0.0) <= e <= 1.0
        for c in m.costs:
            assert c.yuan_per_t > 0 and np.isfinite(c.yuan_per_t) and c.source


def test_sinter_fgd_follows_its_cited_derivation():
    # SOURCES.md: efficiency 1 - 200/2000 (GB 28662-2012 and the limit before it); running cost 5-14 yuan per t sinter
    # (midpoint) over 0.9 x 2.765 kg SO2 per t sinter (midpoint of 2.24-3.29 kg, Yunnan 2009), 2009 yuan; share 0.724
    m = catalogue()["fgd_sinter"]
    assert m.sector == "iron_steel" and m.scope == "subset"
    assert m.efficiency == {"SO2": pytest.approx(1.0 - 200.0 / 2000.0, rel=1e-12)}
    assert m.applicable_share == {"SO2": 0.724}
    (cost,) = m.costs
    assert cost.original == "3818 CNY/t (2009)"
    assert 3818 == round((5.0 + 14.0) / 2.0 / (0.9 * (2.24 + 3.29) / 2.0 * 1e-3))
    prices = read_prices(data_path("measures", "prices.csv"))
    assert cost.yuan_per_t == pytest.approx(to_price_year(3818.0, "CNY", 2009, prices, "x"), rel=1e-12)
    assert cost.yuan_per_t > 3818.0  # CPI rose from 2009 to 2015


def test_price_conversion_and_annualisation():
    prices = read_prices(data_path("measures", "prices.csv"))
    assert to_price_year(100.0, "CNY", PRICE_YEAR, prices, "x") == 100.0
    # one year back: the 2015 CPI (previous year = 100) alone
    assert to_price_year(100.0, "CNY", PRICE_YEAR - 1, prices, "x") == pytest.approx(
        100.0 * prices[PRICE_YEAR]["cpi_previous_year_100"] / 100.0, rel=1e-12)
    assert to_price_year(1.0, "USD", PRICE_YEAR, prices, "x") == prices[PRICE_YEAR]["cny_per_usd"]
    # CRF: r / (1 - (1 + r)^-n); over n years the payments repay the capital with interest (annuity formula)
    r, n = 0.08, 10
    crf = capital_recovery_factor(r, n)
    assert sum(crf / (1 + r) ** k for k in range(1, n + 1)) == pytest.approx(1.0, rel=1e-12)
    assert capital_recovery_factor(0.0, 4) == 0.25


# --- a bad catalogue: exit 2 naming file, line, column and value -----------------------------------------------------
@pytest.fixture()
def bad_catalogue(tmp_path):
    folder = tmp_path / "measures"
    shutil.copytree(data_path("measures"), folder)
    return folder


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("file, old, new, message", [
    ("measures.csv", "0.825,0.5,", "1.825,0.5,", r"measures.csv, line 2: column SO2: 1.825 is out of range"),
    ("measures.csv", "0.825,0.5,", "-0.2,0.5,", r"measures.csv, line 2: column SO2: -0.2 is out of range"),
    ("measures.csv", "0.825,0.5,", "lots,0.5,", r"measures.csv, line 2: column SO2: 'lots' is not a number"),
    ("measures.csv", ",power,coal-fired generating units,", ",steel,coal-fired generating units,",
     r"measures.csv, line 2: column sector: unknown sector 'steel'"),
    ("measures.csv", ",GB 13223-2011 limits for existing units and the ultra-low limits of the 2015 work plan "
                     "(NDRC/MEP/NEA 2015); efficiency = 1 - ultra-low / GB 13223-2011 limit\n", ",\n",
     r"measures.csv, line 2: column source is empty"),
    ("measures.csv", ",CH4,source", ",CH4", r"measures.csv: missing column\(s\) source"),
    ("costs.csv", "19120", "-19120", r"costs.csv, line 2: column cost_per_t: -19120 must be positive"),
    ("costs.csv", "19120", "0", r"costs.csv, line 2: column cost_per_t: 0 must be positive"),
    ("costs.csv", "ule_coal_power,SO2", "ule_power,SO2", r"costs.csv, line 2: column measure: 'ule_power' is not"),
    ("costs.csv", "per_tonne,19120", "per_ton,19120", r"costs.csv, line 2: column basis: 'per_ton'"),
    ("costs.csv", ",CNY,2015,NDRC", ",EUR,2015,NDRC", r"costs.csv, line 2: column currency: 'EUR'"),
    ("costs.csv", ",CNY,2015,NDRC", ",CNY,1990,NDRC", r"costs.csv, line 2: column cost_year: 1990 is not in"),
    ("shares.csv", "yellow_label_retirement,NOx,0.704,", "yellow_label_retirement,NOx,1.704,",
     r"shares.csv, line 2: column share: 1.704 is out of range"),
    ("shares.csv", "yellow_label_retirement,NOx,0.704,", "yellow_label_retirement,NOx,,",
     r"shares.csv, line 2: column share is empty"),
    ("shares.csv", "yellow_label_retirement,NOx,0.704,", "fgd_coal_power,SO2,0.704,",
     r"shares.csv, line 2: measure 'fgd_coal_power' has scope 'sector'"),
    ("shares.csv", "yellow_label_retirement,NOx,0.704,", "yellow_label_retirement,NH3,0.704,",
     r"shares.csv, line 2: column pollutant: measure 'yellow_label_retirement' has no removal efficiency for NH3"),
    ("shares.csv", "yellow_label_retirement,NOx,0.704,", "yellow_label_retirement,CO,0.704,",
     r"shares.csv, line 4: measure 'yellow_label_retirement' has two applicable shares for CO"),
    ("shares.csv", "yellow_label_retirement,NOx,0.704,", "yellow_label_retired,NOx,0.704,",
     r"shares.csv, line 2: column measure: 'yellow_label_retired' is not a measure"),
    ("shares.csv", "and 91.1 % of PM\n", "and 91.1 % of PM\nchina_vi_heavy_duty,CO2,0.5,2011,China,\n",
     r"shares.csv, line 3: column pollutant: measure 'china_vi_heavy_duty' has no removal efficiency for CO2"),
    ("shares.csv", "and 91.1 % of PM\n", "and 91.1 % of PM\nlow_voc_coatings,NMVOC,0.5,2008,China,\n",
     r"shares.csv, line 3: column source is empty"),
    ("shares.csv", "and 91.1 % of PM\n", "and 91.1 % of PM\nlow_voc_coatings,NMVOC,0.5,2008,,x\n",
     r"shares.csv, line 3: column area is empty"),
])
def test_bad_catalogue_names_file_line_and_value(bad_catalogue, file, old, new, message):
    _edit(bad_catalogue / file, old, new)
    with pytest.raises(InputError, match=message):
        read_catalogue(bad_catalogue)


def test_bad_catalogue_in_a_scenario_exits_2(bad_catalogue, tmp_path, monkeypatch, capsys):
    import airmodel.emissions.measures as measures

    _edit(bad_catalogue / "costs.csv", "19120", "-19120")
    monkeypatch.setattr(measures, "_CATALOGUE", None)
    monkeypatch.setattr(measures, "data_path", lambda *parts: bad_catalogue)
    scenario = tmp_path / "s.toml"
    base = data_path("scenarios", "emissions_2008.toml")
    scenario.write_text(f'extends = "{base}"\n[[controls]]\nmeasure = "ule_coal_power"\n')
    out = tmp_path / "t.csv"
    assert main(["inventory", "summarize", str(scenario), "-o", str(out)]) == 2
    assert "costs.csv, line 2: column cost_per_t: -19120 must be positive" in capsys.readouterr().err
    assert not out.exists()
    monkeypatch.setattr(measures, "_CATALOGUE", None)


def test_applicable_shares_are_cited_fractions_of_subset_measures():
    from airmodel.emissions.measures import SHARE_COLUMNS

    assert SHARE_COLUMNS[-1] == "source"
    measures = catalogue()
    with_shares = [m for m in measures.values() if m.applicable_share]
    assert {"yellow_label_retirement", "china_vi_heavy_duty", "sncr_cement_kiln"} <= {m.id for m in with_shares}
    for m in measures.values():
        fractions = m.applicable_fractions()
        assert np.all((fractions >= 0.0) & (fractions <= 1.0))
        if m.scope == "sector":
            assert not m.applicable_share and np.all(fractions == 1.0)
            continue
        for p, share in m.applicable_share.items():
            assert 0.0 <= share <= 1.0 and p in m.efficiency
        if m.applicable_share:  # the ranking uses it: its cost is carried by tonnes it can reach
            assert all(c.pollutant in m.applicable_share for c in m.costs)
    # every share row is cited, and BC and OC take PM2.5's share as they take its efficiency
    import csv
    rows = list(csv.DictReader(open(data_path("measures", "shares.csv"), encoding="utf-8")))
    assert rows and all(r["source"].strip() and r["area"].strip() for r in rows)
    vi = measures["china_vi_heavy_duty"].applicable_fractions()
    assert vi[BC] == vi[PM25] == measures["china_vi_heavy_duty"].applicable_share["PM2.5"]


def test_a_measure_with_shares_needs_one_for_the_pollutant_that_carries_its_cost(bad_catalogue):
    path = bad_catalogue / "shares.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("yellow_label_retirement,NOx,")))
    with pytest.raises(InputError, match=r"measure 'yellow_label_retirement' has applicable shares but none for NOx"):
        read_catalogue(bad_catalogue)


def test_catalogue_columns_are_the_schema():
    assert MEASURE_COLUMNS[-1] == "source" and set(CATALOGUE_POLLUTANTS) <= set(MEASURE_COLUMNS)


# --- a measure in [[controls]] ---------------------------------------------------------------------------------------
def grid():
    return lonlat_grid(116.0, 117.0, 39.5, 40.5, 0.1, VerticalLayers.from_interfaces([0.0, 50.0, 200.0, 1000.0]))


@pytest.fixture()
def files(tmp_path):
    (tmp_path / "stacks.csv").write_text(
        "id,name,sector,lon,lat,height[m],diameter[m],exit_velocity[m/s],exit_temperature[K],SO2[t/yr],NOx[t/yr],"
        "PM2.5[t/yr],BC[t/yr],CO2[t/yr]\n"
        "S1,plant,power,116.42,39.93,150,5,15,400,1000,2000,300,10,1e6\n"
        "S2,mill,industry,116.16,39.91,80,3,10,420,500,100,50,5,2e5\n")
    (tmp_path / "totals.csv").write_text("id,region,sector,proxy,SO2[t/yr],NOx[t/yr],PM2.5[t/yr],CO2[t/yr]\n"
                                         "A1,Beijing,residential,area,100,10,30,5e4\n")
    return tmp_path


def inventory(files, controls):
    section = {"point_files": ["stacks.csv"], "region_totals_files": ["totals.csv"], "year": 2008}
    return Inventory(section, controls, grid(), files)


def amounts(inv, active):
    return np.array([inv.controlled_amounts(n, active).sum(axis=1) for n in range(len(inv.components))])


def test_a_measure_gives_the_same_emissions_as_the_bare_fractions(files):
    ule = catalogue()["ule_coal_power"]
    eff = ule.efficiency
    bare = [{"sectors": ["power"], "pollutants": ["SO2"], "reduction": eff["SO2"]},
            {"sectors": ["power"], "pollutants": ["NOx"], "reduction": eff["NOx"]},
            {"sectors": ["power"], "pollutants": ["PM2.5", "BC", "OC"], "reduction": eff["PM2.5"]},
            {"sectors": ["power"], "pollutants": ["PM10"], "reduction": eff["PM10"]}]
    a = amounts(inventory(files, bare), frozenset(range(4)))
    b = amounts(inventory(files, [{"measure": "ule_coal_power"}]), frozenset({0}))
    np.testing.assert_allclose(b, a, rtol=1e-12, atol=0.0)
    assert b[0, SO2] == pytest.approx(1e6 * (1 - 0.825), rel=1e-12)  # the power stack, kg
    assert b[0, BC] == pytest.approx(1e4 * (1 - 0.667), rel=1e-12)  # BC follows PM2.5
    assert b[0, CO2] == 1e9 and b[1, SO2] == 5e5  # CO2 untouched; industry untouched (the measure's sector)
    # ... plus its cost: the tonnes removed times the catalogue's cost per tonne
    inv = inventory(files, [{"measure": "ule_coal_power"}])
    rows = cost_rows(inv, inv.clock.utc(datetime(2008, 1, 1)), inv.clock.utc(datetime(2009, 1, 1)))
    so2 = next(r for r in rows if r["region"] == "all" and r["sector"] == "all" and r["pollutant"] == "SO2")
    assert so2["removed_t"] == pytest.approx(1000.0 * 0.825, rel=1e-9)
    assert so2["cost_yuan"] == pytest.approx(so2["removed_t"] * ule.cost_per_t()["SO2"], rel=1e-12) and so2["cost_yuan"] > 0


def test_a_measure_with_a_reduction_keeps_the_fraction_and_adds_its_cost(files):
    bare = inventory(files, [{"sectors": ["power"], "reduction": 0.3}])
    priced = inventory(files, [{"sectors": ["power"], "reduction": 0.3, "measure": "ule_coal_power"}])
    np.testing.assert_array_equal(amounts(priced, frozenset({0})), amounts(bare, frozenset({0})))
    start = priced.clock.utc(datetime(2008, 1, 1))
    end = priced.clock.utc(datetime(2009, 1, 1))
    rows = cost_rows(priced, start, end)
    total = {r["pollutant"]: r for r in rows if r["region"] == "all" and r["sector"] == "all"}
    assert total["SO2"]["removed_t"] == pytest.approx(300.0, rel=1e-9)  # 30 % of the stack's 1000 t
    assert total["NOx"]["removed_t"] == pytest.approx(600.0, rel=1e-9)
    assert total["CO2"]["removed_t"] == pytest.approx(3e5, rel=1e-9)  # a bare reduction cuts every pollutant
    prices = catalogue()["ule_coal_power"].cost_per_t()
    assert total["SO2"]["cost_yuan"] == pytest.approx(300.0 * prices["SO2"], rel=1e-9)
    assert total["CO2"]["cost_yuan"] == 0.0  # a co-benefit
    assert "PM10" not in total  # the test inventory has no PM10: nothing removed, nothing paid
    assert total["NOx"]["cost_yuan"] == 0.0  # its cost rides on the SO2 tonnes (the tariff premium per kWh)
    expected = 300.0 * prices["SO2"]
    assert sum_costs(rows) == pytest.approx(expected, rel=1e-9)
    assert total["SO2"]["measure_cost_yuan"] == pytest.approx(expected, rel=1e-9)
    by_region = [r for r in rows if r["sector"] == "all" and r["pollutant"] == "SO2" and r["region"] != "all"]
    assert sum(r["removed_t"] for r in by_region) == pytest.approx(300.0, rel=1e-9)


def test_credited_tonnes_add_up_to_the_change_after_growth(files):
    controls = [{"sectors": ["power"], "scale": 1.5},  # growth acts first
                {"measure": "scr_coal_power"}, {"sectors": ["power"], "pollutants": ["NOx"], "reduction": 0.2,
                                                "measure": "ule_coal_power"}]
    inv = inventory(files, controls)
    start, end = inv.clock.utc(datetime(2008, 1, 1)), inv.clock.utc(datetime(2009, 1, 1))
    rows = cost_rows(inv, start, end)
    nox = {r["control"]: r["removed_t"] for r in rows if r["region"] == "all" and r["sector"] == "all"
           and r["pollutant"] == "NOx"}
    # 2000 t x 1.5 = 3000 t; SCR removes 75 % (2250 t); the 20 % cut then removes 20 % of the 750 t left (150 t)
    assert nox["controls[1]"] == pytest.approx(2250.0, rel=1e-9)
    assert nox["controls[2]"] == pytest.approx(150.0, rel=1e-9)
    grown = 3000.0 * (1 - 0.75) * (1 - 0.2)
    assert amounts(inv, frozenset({0, 1, 2}))[0, NOX] / 1e3 == pytest.approx(grown, rel=1e-12)


def test_a_cost_on_one_pollutant_and_a_measure_without_a_cost(files):
    inv = inventory(files, [{"measure": "household_coal_to_electricity"}])
    start, end = inv.clock.utc(datetime(2008, 1, 1)), inv.clock.utc(datetime(2009, 1, 1))
    rows = cost_rows(inv, start, end)
    total = {r["pollutant"]: r for r in rows if r["region"] == "all" and r["sector"] == "all"}
    assert total["PM2.5"]["removed_t"] == pytest.approx(30.0, rel=1e-9)
    # the whole cost rides on the SO2 tonnes; PM2.5 is a co-benefit at no extra cost
    price = catalogue()["household_coal_to_electricity"].cost_per_t()["SO2"]
    assert total["SO2"]["cost_yuan"] == pytest.approx(100.0 * price, rel=1e-9)
    assert total["PM2.5"]["cost_yuan"] == 0.0
    assert total["PM2.5"]["measure_cost_yuan"] == pytest.approx(100.0 * price, rel=1e-9)
    # a measure with an efficiency but no cited cost (China V light-duty, here on the area source's NOx)
    inv = inventory(files, [{"measure": "china_v_light_duty", "sectors": ["residential"]}])
    rows = cost_rows(inv, start, end)
    total = {r["pollutant"]: r for r in rows if r["region"] == "all" and r["sector"] == "all"}
    assert total["NOx"]["removed_t"] == pytest.approx(6.0, rel=1e-9)
    assert np.isnan(total["NOx"]["cost_yuan"])  # no cited cost: unknown, not zero


@pytest.mark.parametrize("entry, message", [
    ({"measure": "fgd"}, r"controls\[0\].measure: 'fgd' is not in the measures catalogue; choose one of: "
                         r"ule_coal_power"),
    ({"measure": "construction_road_dust"}, r"'construction_road_dust' has no removal efficiency for an inventory "
                                             r"pollutant"),
    ({"measure": "ule_coal_power", "pollutants": ["NH3"]}, r"no removal efficiency .* among NH3"),
])
def test_bad_measure_names_the_key(files, entry, message):
    with pytest.raises(InputError, match=message):
        inventory(files, [entry])


def test_benefit_cost_takes_a_health_table():
    rows = [{"region": "all", "sector": "all", "cost_yuan": 2e6, "control": "a"},
            {"region": "Beijing", "sector": "all", "cost_yuan": 1e6, "control": "a"},
            {"region": "Beijing", "sector": "power", "cost_yuan": 1e6, "control": "a"}]
    out = benefit_cost(rows, [{"region": "Beijing", "avoided_deaths": 2.0, "value_yuan": 3e6},
                              {"region": "all", "avoided_deaths": 4.0, "value_yuan": 8e6}])
    assert out[0]["benefit_cost_ratio"] == 3.0 and out[0]["avoided_deaths_per_million_yuan"] == 2.0
    assert out[1]["benefit_cost_ratio"] == 4.0
    with pytest.raises(InputError, match=r"health result, row 1: missing column\(s\) value_yuan"):
        benefit_cost(rows, [{"region": "all", "avoided_deaths": 1.0}])


def test_benefit_cost_from_an_airmodel_health_table(tmp_path):
    from airmodel.measure_costs import health_from_airmodel

    table = tmp_path / "long_term.csv"
    table.write_text("region,outcome,pollutant,population,deaths_central,deaths_mean,deaths_low,deaths_high,"
                     "value_yuan_central,value_yuan_mean,value_yuan_low,value_yuan_high\n"
                     "domain,all_cause,PM25,1e7,10,10,5,15,4e7,4e7,2e7,6e7\n"
                     "Beijing,all_cause,PM25,2e6,4,4,2,6,1.6e7,1.6e7,8e6,2.4e7\n"
                     "domain,ihd,PM25,1e7,3,3,1,5,1.2e7,1.2e7,4e6,2e7\n")
    health = health_from_airmodel(table, "all_cause")
    assert health == [{"region": "all", "avoided_deaths": 10.0, "value_yuan": 4e7},
                      {"region": "Beijing", "avoided_deaths": 4.0, "value_yuan": 1.6e7}]
    rows = [{"region": "all", "sector": "all", "cost_yuan": 2e7}, {"region": "Beijing", "sector": "all",
                                                                    "cost_yuan": 8e6}]
    ratios = {r["region"]: r for r in benefit_cost(rows, health)}
    assert ratios["all"]["benefit_cost_ratio"] == 2.0 and ratios["Beijing"]["benefit_cost_ratio"] == 2.0
    with pytest.raises(InputError, match=r"no outcome 'copd'; it has: all_cause, ihd"):
        health_from_airmodel(table, "copd")


def test_benefit_cost_of_beijing_tianjin_hebei_is_over_the_three_provinces_costs():
    rows = [{"region": r, "sector": "all", "cost_yuan": c} for r, c in
            (("Beijing", 1e6), ("Tianjin", 2e6), ("Hebei", 3e6), ("Shandong", 5e6), ("all", 11e6))]
    out = {r["region"]: r for r in benefit_cost(rows, [
        {"region": "Beijing-Tianjin-Hebei", "avoided_deaths": 12.0, "value_yuan": 12e6},
        {"region": "Shandong", "avoided_deaths": 1.0, "value_yuan": 10e6}])}
    assert out["Beijing-Tianjin-Hebei"]["cost_yuan"] == 6e6
    assert out["Beijing-Tianjin-Hebei"]["benefit_cost_ratio"] == 2.0
    assert out["Shandong"]["benefit_cost_ratio"] == 2.0
