"""``airmodel rank``: the ranking file is checked before anything is written; contributions, non-linearity and the
ranking follow their definitions (airmodel/rank.py)."""
from pathlib import Path

import numpy as np
import pytest

from airmodel.cli import main
from airmodel.data import data_path
from airmodel.errors import InputError
from airmodel.emissions.quantities import POLLUTANTS
from airmodel.rank import (Ranking, contribution_table, ensemble_text, in_turn, load_ranking, ranking_rows,
                          read_health)

DEMO = data_path("scenarios", "demo.toml")
NESTED = data_path("scenarios", "baseline_2008_08.toml")  # has a parent domain named d01


def _write(tmp_path, text):
    path = tmp_path / "r.toml"
    path.write_text(f'base = "{DEMO}"\n' + text)
    return path


@pytest.mark.parametrize("text, message", [
    ("reduction = 1.5\n", r"reduction: 1.5 is out of range"),
    ('regions = ["Atlantis"]\n', r"regions\[0\]"),
    ('sectors = ["steel"]\n', r"sectors\[0\]: unknown sector 'steel'"),
    ('receptor = "moon"\n', r"receptor: 'moon' is not a receptor"),
    ('colour = "red"\n', r"unknown key 'colour'"),
    ('[[categories]]\nname = "x"\nregion = "Beijing"\nsectors = ["steel"]\n', r"categories\[0\].sectors\[0\]"),
    ('[[categories]]\nname = "x"\nregion = "Beijing"\nregions = ["Hebei"]\n', r"categories\[0\]: give region .*not both"),
    ('[[categories]]\nname = "x"\nregions = ["Hebei", "Atlantis"]\n', r"categories\[0\].regions\[1\]: unknown region"),
])
def test_a_bad_ranking_file_exits_2_and_writes_nothing(tmp_path, capsys, text, message):
    path = _write(tmp_path, text)
    out = tmp_path / "out"
    assert main(["rank", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err
    import re
    assert re.search(message, err), err
    assert not out.exists()


def test_a_bad_health_table_names_line_and_value(tmp_path):
    h = tmp_path / "h.csv"
    h.write_text("category,avoided_deaths,value_yuan\nBeijing.power,many,1e6\n")
    with pytest.raises(InputError, match=r"h.csv, line 2: column avoided_deaths: 'many' is not a number"):
        read_health(h)
    h.write_text("category,deaths\nx,1\n")
    with pytest.raises(InputError, match=r"missing column\(s\) avoided_deaths, value_yuan"):
        read_health(h)


def test_health_from_a_table_and_from_the_members_exclude_each_other(tmp_path, capsys):
    h = tmp_path / "h.csv"
    h.write_text("category,avoided_deaths,value_yuan\nBeijing.power,1,1e6\n")
    ranking = _write(tmp_path, 'regions = ["Beijing"]\nsectors = ["power"]\n')
    out = tmp_path / "out"
    assert main(["rank", str(ranking), "-o", str(out), "--health", str(h), "--health-from-members"]) == 2
    assert "--health and --health-from-members: give one of them" in capsys.readouterr().err
    assert not out.exists()


def test_categories_become_members_and_one_together(tmp_path):
    r = load_ranking(_write(tmp_path, 'regions = ["Beijing", "Hebei"]\nsectors = ["power"]\nreduction = 0.2\n'))
    assert [c["name"] for c in r.categories] == ["Beijing.power", "Hebei.power"]
    text = ensemble_text(r)
    assert text.count("[[members]]") == 3 and 'name = "together"' in text
    assert 'reduction = 0.2' in text and 'region = "Hebei"' in text


def test_a_category_over_several_regions_is_cut_in_each(tmp_path):
    r = load_ranking(_write(tmp_path, '[[categories]]\nname = "rest.power"\nregions = ["Shanxi", "220000"]\n'
                                      'sectors = ["power"]\n'))
    assert r.categories[0]["summary"] == ["Shanxi", "Jilin"]  # the names inventory summarize reports them under
    member = ensemble_text(r).split('name = "cat.rest.power"')[1].split("[[members]]")[0]
    assert member.count("reduction = 0.2") == 2 and 'region = "Shanxi"' in member and 'region = "220000"' in member


def test_measures_in_turn_pay_for_what_is_left():
    so2, nox = POLLUTANTS.index("SO2"), POLLUTANTS.index("NOx")
    tonnes = np.zeros(len(POLLUTANTS))
    tonnes[so2], tonnes[nox] = 100.0, 50.0
    all_so2 = np.zeros(len(POLLUTANTS))
    all_so2[so2] = 100.0
    # the second measure that removes all SO2 finds none left: only the first is paid
    left, cost = in_turn(tonnes, [(all_so2, 1000.0), (all_so2, 1e5)])
    assert left[so2] == 0.0 and left[nox] == 50.0 and cost == pytest.approx(1000.0, rel=1e-12)
    # half of each (200 yuan alone), then all SO2 (1000 alone) on the half left: 200 + 500
    left, cost = in_turn(tonnes, [(tonnes * 0.5, 200.0), (all_so2, 1000.0)])
    assert left[nox] == pytest.approx(25.0) and left[so2] == 0.0
    assert cost == pytest.approx(700.0, rel=1e-12)
    # all SO2, then a measure that removes everything: its NOx is all still there, so it is paid in full
    left, cost = in_turn(tonnes, [(all_so2, 1000.0), (tonnes.copy(), 3000.0)])
    assert not np.any(left) and cost == pytest.approx(4000.0, rel=1e-12)


def _ranking(reduction=0.2):
    cats = [{"name": "a", "region": "Beijing", "sectors": ["power"], "source_ids": []},
            {"name": "b", "region": "Hebei", "sectors": ["industry"], "source_ids": []}]
    settings = {"reduction": reduction, "receptor": "domain_population", "metrics": ["PM25"], "description": "",
                "spinup_hours": 0}
    return Ranking(Path("r.toml"), settings, Path("base"), Path("proj"), cats)


def test_contributions_are_scaled_and_the_non_linearity_is_their_sum_less_together():
    r = _ranking(0.2)
    key = ("PM25", "domain_population", "all")
    values = {"base": {key: 50.0}, "cat.a": {key: 49.0}, "cat.b": {key: 48.0}, "together": {key: 47.1}}
    rows = {x["category"]: x for x in contribution_table(r, values)}
    assert rows["a"]["contribution"] == pytest.approx(5.0) and rows["b"]["contribution"] == pytest.approx(10.0)
    assert rows["together"]["contribution"] == pytest.approx(14.5)
    assert rows["together"]["non_linearity"] == pytest.approx(0.5)
    assert rows["a"]["percent_of_base"] == pytest.approx(10.0)


def test_ranked_by_deaths_per_yuan_with_health_else_by_exposure_gain_per_yuan():
    r = _ranking()
    contributions = [{"category": "a", "metric": "PM25", "contribution": 5.0, "percent_of_base": 10.0},
                     {"category": "b", "metric": "PM25", "contribution": 10.0, "percent_of_base": 20.0}]
    growth = {p: 1.0 for p in ("PM2.5", "SO2", "NOx", "NMVOC", "NH3")}
    emissions = {"a": {"growth": growth, "measures": [], "removable_share": 0.5, "cost_yuan": 1e6},
                 "b": {"growth": growth, "measures": [], "removable_share": 0.5, "cost_yuan": 4e6}}
    rows = ranking_rows(r, contributions, emissions, None)
    assert [x["category"] for x in rows] == ["a", "b"]  # 2.5 per M yuan against 1.25
    assert rows[0]["exposure_gain_per_million_yuan"] == pytest.approx(2.5)
    health = {"a": {"avoided_deaths": 1.0, "value_yuan": 1e6}, "b": {"avoided_deaths": 20.0, "value_yuan": 3e7}}
    rows = ranking_rows(r, contributions, emissions, health)
    assert [x["category"] for x in rows] == ["b", "a"]  # 10 deaths for 4 M yuan against 0.5 for 1 M yuan
    assert rows[0]["deaths_per_million_yuan"] == pytest.approx(2.5)
    assert rows[0]["benefit_cost_ratio"] == pytest.approx(1.5e7 / 4e6)
    with pytest.raises(InputError, match=r"no row for category 'b'"):
        ranking_rows(r, contributions, emissions, {"a": health["a"]})
    assert np.isfinite(rows[1]["deaths_per_million_yuan"])


# --- the emissions side: measures on part of a sector act on their applicable share ----------------------------------
def _one_region_inventory(tmp_path, rows: str) -> Path:
    """A ranking of Beijing categories over an inventory of region totals ``rows`` (SO2, NOx, PM2.5, NMVOC t/yr)."""
    (tmp_path / "totals.csv").write_text("id,region,sector,proxy,profile,SO2[t/yr],NOx[t/yr],PM2.5[t/yr],NMVOC[t/yr]\n"
                                         + rows)
    (tmp_path / "s.toml").write_text(f'extends = "{DEMO}"\n[emissions]\ninventory = "none"\nyear = 2008\n'
                                     'region_totals_files = ["totals.csv"]\n')
    path = tmp_path / "r.toml"
    path.write_text('base = "s.toml"\nprojection = "s.toml"\n' + "".join(
        f'[[categories]]\nname = "{s}"\nregion = "Beijing"\nsectors = ["{s}"]\n'
        for s in ("cement", "transport", "power")))
    return path


def test_a_subset_measure_removes_its_applicable_share_times_its_efficiency(tmp_path):
    from airmodel.emissions.measures import catalogue
    from airmodel.rank import emissions_side

    path = _one_region_inventory(tmp_path, "C1,Beijing,cement,area,industry,0,1000,0,0\n"
                                           "T1,Beijing,transport,area,transport,0,400,0,0\n"
                                           "P1,Beijing,power,area,power,0,0,0,0\n")
    out = emissions_side(load_ranking(path))
    sncr = catalogue()["sncr_cement_kiln"]
    assert sncr.scope == "subset"
    # SNCR is the cement sector's only measure: it removes share x efficiency of the NOx, the category's only mass
    share = sncr.applicable_share["NOx"] * sncr.efficiency["NOx"]
    assert 0 < out["cement"]["removable_share"] == pytest.approx(share, rel=1e-12)
    (mid, measure_share, cost), = out["cement"]["measures"]
    assert mid == "sncr_cement_kiln" and measure_share == pytest.approx(share, rel=1e-12)
    assert cost == pytest.approx(1000.0 * share * sncr.cost_per_t()["NOx"], rel=1e-9)
    assert out["cement"]["cost_yuan"] == pytest.approx(cost, rel=1e-12)
    # transport: the priced measures with a share each act on their share, one after the other (in_turn)
    priced = [m for m in catalogue().values() if m.sector == "transport" and m.applicable_share.get("NOx")
              and m.has_cost]
    assert {"yellow_label_retirement", "china_vi_heavy_duty"} <= {m.id for m in priced}
    left = np.prod([1.0 - m.applicable_share["NOx"] * m.efficiency["NOx"] for m in priced])
    assert out["transport"]["removable_share"] == pytest.approx(1.0 - left, rel=1e-12)
    assert out["power"]["removable_share"] == 0.0  # no emissions, nothing to remove


def test_the_ranking_offers_subset_measures_only_with_a_cited_share():
    from dataclasses import replace

    from airmodel.emissions.measures import catalogue
    from airmodel.rank import ranked

    measures = catalogue()
    assert ranked(measures["fgd_coal_power"])  # sector-wide: all of its sector
    yellow = measures["yellow_label_retirement"]
    assert ranked(yellow) and not ranked(replace(yellow, applicable_share={}))
    assert not ranked(replace(measures["fgd_coal_power"], scope="subset"))


def test_sinter_fgd_gives_iron_and_steel_its_share_times_its_efficiency(tmp_path):
    from airmodel.emissions.measures import catalogue
    from airmodel.rank import emissions_side

    (tmp_path / "totals.csv").write_text("id,region,sector,proxy,profile,SO2[t/yr],NOx[t/yr],PM2.5[t/yr],NMVOC[t/yr]\n"
                                         "S1,Beijing,iron_steel,area,industry,1000,0,0,0\n")
    (tmp_path / "s.toml").write_text(f'extends = "{DEMO}"\n[emissions]\ninventory = "none"\nyear = 2008\n'
                                     'region_totals_files = ["totals.csv"]\n')
    path = tmp_path / "r.toml"
    path.write_text('base = "s.toml"\nprojection = "s.toml"\n[[categories]]\nname = "steel"\nregion = "Beijing"\n'
                    'sectors = ["iron_steel"]\n')
    fgd = catalogue()["fgd_sinter"]
    assert fgd.scope == "subset" and fgd.sector == "iron_steel"
    assert [m.id for m in catalogue().values() if m.sector == "iron_steel"] == ["fgd_sinter"]
    out = emissions_side(load_ranking(path))["steel"]
    # sinter FGD is iron and steel's only measure and SO2 the category's only mass: it removes share x efficiency
    share = fgd.applicable_share["SO2"] * fgd.efficiency["SO2"]
    assert 0 < out["removable_share"] == pytest.approx(share, rel=1e-12)
    (mid, measure_share, cost), = out["measures"]
    assert mid == "fgd_sinter" and measure_share == pytest.approx(share, rel=1e-12)
    assert cost == pytest.approx(1000.0 * share * fgd.cost_per_t()["SO2"], rel=1e-9)


def _nested_member(folder, stem, pm25):
    """An inner 2 x 2 file over central Beijing and a parent 6 x 6 file (OUT.d01.nc) around it, uniform PM2.5."""
    import netCDF4
    from tests.health_runs import write_run
    paths = []
    for suffix, (n, lon0, lat0) in (("", (2, 116.35, 39.9)), (".d01", (6, 116.15, 39.7))):
        path = write_run(folder / f"{stem}{suffix}.nc", np.full((48, n, n), pm25), np.full((2, n, n), pm25),
                         np.full((2, n, n), 70.0), lon0=lon0, lat0=lat0, title=stem)
        with netCDF4.Dataset(path, "a") as ds:
            ds.domain_name = "d01" if suffix else "domain"
        paths.append(path)
    return paths[0]


def test_health_from_nested_members_counts_the_parents_people_outside_the_inner_domain(tmp_path):
    """Nested members: the inner domain's people from its file plus the parent's people outside it (the parent's
    cells not under the inner domain, by hand from its map), long-term, central, scaled by 1/reduction."""
    from airmodel.health import Options, health_impacts
    from airmodel.rank import health_from_members, outside_share
    import xarray as xr
    files = {"base": _nested_member(tmp_path, "base", 60.0), "cat.x": _nested_member(tmp_path, "cat.x", 50.0)}
    ranking = Ranking(tmp_path / "r.toml", {"reduction": 0.5, "spinup_hours": 0, "overrides": []}, NESTED, DEMO,
                      [{"name": "x"}])
    got = health_from_members(ranking, files)["x"]
    options = Options(draws=100, seed=0)

    def long_term(ds, name, mask=None):
        terms = ds["outcome_term"].values == "long"
        if mask is None:
            return float(ds[name].sel(region="domain", statistic="central").values[terms].sum())
        field = ds[f"{name}_map" if name == "avoided_deaths" else "value_map"].sel(statistic="central").values
        return float((field[terms] * mask).sum())

    inner = health_impacts(files["base"], files["cat.x"], None, options)
    parent = health_impacts(tmp_path / "base.d01.nc", tmp_path / "cat.x.d01.nc", None, options)
    outside = np.ones((6, 6))
    outside[2:4, 2:4] = 0.0  # the inner domain's four cells
    for key, name in (("avoided_deaths", "avoided_deaths"), ("value_yuan", "value")):
        expected = (long_term(inner, name) + long_term(parent, name, outside)) / 0.5
        assert long_term(parent, name, outside) > 0
        assert got[key] == pytest.approx(expected, rel=1e-9)
    with xr.open_dataset(tmp_path / "base.d01.nc") as p, xr.open_dataset(files["base"]) as i:
        np.testing.assert_array_equal(outside_share(p, i), outside)
    # a base without a parent counts the inner domain alone, though parent files of an earlier run lie beside
    alone = Ranking(tmp_path / "r.toml", {"reduction": 0.5, "spinup_hours": 0, "overrides": []}, DEMO, DEMO,
                    [{"name": "x"}])
    assert health_from_members(alone, files)["x"]["avoided_deaths"] == pytest.approx(
        long_term(inner, "avoided_deaths") / 0.5, rel=1e-9)
    # a member of the nested base without its parent file: exit 2 naming the member and the file
    (tmp_path / "cat.x.d01.nc").unlink()
    with pytest.raises(InputError, match=r"member 'cat.x' of the nested base has no parent file .*cat.x.d01.nc; "
                                         r"rerun the ranking with --force"):
        health_from_members(ranking, files)


def test_outside_share_of_cells_the_inner_edge_cuts():
    import xarray as xr
    from airmodel.rank import outside_share

    def grid(lon0, lat0, res, n):
        edges = lambda x0: np.stack([x0 + res * np.arange(n), x0 + res * (np.arange(n) + 1)], 1)  # noqa: E731
        return xr.Dataset({"lon_bnds": (("lon", "nv"), edges(lon0)), "lat_bnds": (("lat", "nv"), edges(lat0))})

    share = outside_share(grid(0.0, 0.0, 1.0, 4), grid(1.5, 1.0, 0.5, 2))  # inner box lon 1.5-2.5, lat 1-2
    expected = np.ones((4, 4))
    expected[1, 1] = expected[1, 2] = 0.5
    np.testing.assert_allclose(share, expected, rtol=0, atol=1e-15)
    # lat rows, lon columns: a box two cells wide in lon and one in lat
    share = outside_share(grid(0.0, 0.0, 1.0, 4), grid(1.0, 2.0, 1.0, 2).isel(lat=[0]))
    expected = np.ones((4, 4))
    expected[2, 1] = expected[2, 2] = 0.0
    np.testing.assert_array_equal(share, expected)
    with pytest.raises(InputError, match=r"does not lie inside the parent's grid"):
        outside_share(grid(0.0, 0.0, 1.0, 4), grid(3.5, 0.0, 1.0, 2))
    with pytest.raises(InputError, match=r"no lon_bnds/lat_bnds"):
        outside_share(grid(0.0, 0.0, 1.0, 4).drop_vars("lat_bnds"), grid(1.0, 1.0, 1.0, 2))
