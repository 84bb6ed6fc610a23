"""``airmodel health``: a hand-computed case (one cell, one age group, known population, incidence and
concentration change) matches the command to 1e-9 for a GEMM and a log-linear function; the files it writes; bad
inputs exit 2 with a message naming the file and value, and nothing written; the report shows a health folder."""
import csv
import math

import numpy as np
import pytest
import xarray as xr

from airmodel.analysis.regions import frame_of, population
from airmodel.cli import main
from airmodel.data import data_path
from tests.cf_check import cf_check
from tests.health_runs import constant_pair, write_run

HEADER = ("id,group,endpoint,term,pollutant,metric,form,age_start,age_end,incidence,beta,beta_se,increment,percent,"
          "percent_low,percent_high,alpha,mu,nu,counterfactual,concentration_units,source")
GEMM_ROW = "g6064,gemm,ncd_lri,long,PM25,annual_mean,gemm,60,64,ncd_lri,0.1421,0.018,,,,,1.6,15.5,36.8,2.4,ug m-3,t"
LOGLIN_ROW = ("chen,chen,nonaccidental,short,PM25,daily_mean,loglinear,0,120,nonaccidental,,,10,0.22,0.15,0.28,,,,0,"
              "ug m-3,t")
LOGISTIC_ROW = ("logi,logi,nonaccidental,short,PM25,daily_mean,logistic,0,120,nonaccidental,0.002,0.0005,,,,,,,,0,"
                "ug m-3,t")
LINEAR_ROW = "lin,lin,visits,short,PM25,daily_mean,linear,0,120,,1e-7,1e-8,,,,,,,,0,ug m-3,t"
O3_ROW = "yin,yin,nonaccidental,short,O3,mda8,loglinear,0,120,nonaccidental,,,10,0.24,0.13,0.35,,,,0,ug m-3,t"
PROVINCES = ("110000", "120000", "130000")
O3_UG_PER_PPB = 47.997 / 22.414  # GB 3095-2012 standard state (273.15 K, 101.325 kPa)


def _table(name):
    return list(csv.DictReader(data_path("health", name).open()))


def by_hand_rate(code, a0, a1, cause_share_of):
    """Deaths per person per year at ages a0..a1 in province ``code`` (2008), and the share of its people at those
    ages, from the packaged tables by hand: the province's 2008 survey groups split in the census proportions, the
    census age pattern of rates scaled to reproduce the province's crude rate."""
    census = [(int(r["age_start"]), int(r["age_end"]), float(r["deaths"]),
               float(r["deaths"]) / (float(r["death_rate_per_mille"]) / 1000)) for r in _table(
        "census2000_deaths_by_age.csv")]
    cdr = {(r["code"], r["year"]): float(r["crude_death_rate_per_mille"]) / 1000 for r in _table("provinces.csv")}
    broad = [(int(r["age_start"]), int(r["age_end"]), float(r["population"])) for r in _table("province_ages.csv")
             if r["code"] == code and r["year"] == "2008"]
    total = sum(n for _, _, n in broad)
    share = {}
    for b0, b1, n in broad:
        inside = [r for r in census if b0 <= r[0] and r[1] <= b1]
        for r in inside:
            share[r[0]] = n / total * r[3] / sum(x[3] for x in inside)
    scale = cdr[(code, "2008")] / sum(r[2] / r[3] * share[r[0]] for r in census)
    sel = [r for r in census if r[0] >= a0 and r[1] <= a1]
    people = sum(share[r[0]] for r in sel)
    return sum(r[2] / r[3] * share[r[0]] for r in sel) / people * scale * cause_share_of, people


def ncd_lri_share():
    census = [(int(r["age_start"]), float(r["deaths"])) for r in _table("census2000_deaths_by_age.csv")]
    adult = sum(d for a, d in census if a >= 25) / sum(d for _, d in census)
    return 8.28e6 / (137462e4 * 7.11e-3 * adult)


def gemm_log_hr(c, theta=0.1421, alpha=1.6, mu=15.5, nu=36.8):
    z = max(0.0, c - 2.4)
    return theta * math.log(1 + z / alpha) / (1 + math.exp(-(z - mu) / nu))


@pytest.fixture()
def hand_pair(tmp_path):
    hourly_b = np.full((48, 1, 1), 60.0)
    hourly_b[:24] = 64.0  # period mean 62
    hourly_c = np.full((48, 1, 1), 50.0)
    daily_b, daily_c = np.array([70.0, 50.0])[:, None, None], np.array([55.0, 45.0])[:, None, None]
    o3_b, o3_c = np.array([80.0, 60.0])[:, None, None], np.array([70.0, 62.0])[:, None, None]
    b = write_run(tmp_path / "base.nc", hourly_b, daily_b, o3_b, title="base")
    c = write_run(tmp_path / "case.nc", hourly_c, daily_c, o3_c, title="case")
    table = tmp_path / "functions.csv"
    table.write_text("\n".join([HEADER, GEMM_ROW, LOGLIN_ROW, O3_ROW, LOGISTIC_ROW, LINEAR_ROW]) + "\n")
    return b, c, table


def test_hand_computed_case_matches_the_command(hand_pair, tmp_path):
    b, c, table = hand_pair
    out = tmp_path / "out"
    assert main(["health", str(b), str(c), "-o", str(out), "--functions", str(table), "--draws", "50"]) == 0
    with xr.open_dataset(b) as ds:
        frame = frame_of(ds)
    people = {code: float(population(frame, code)[0, 0]) for code in PROVINCES}
    assert people["110000"] > 0  # the cell is in central Beijing
    beta_pm = math.log(1.0022) / 10
    beta_o3 = math.log(1.0024) / 10
    gemm = loglin = o3 = logistic = linear = 0.0
    for code, p in people.items():
        y0, share = by_hand_rate(code, 60, 64, ncd_lri_share())
        gemm += y0 * p * share * (1 - math.exp(gemm_log_hr(50.0) - gemm_log_hr(62.0)))
        y_all, _ = by_hand_rate(code, 0, 120, 1.0)
        for cb, cc in ((70.0, 55.0), (50.0, 45.0)):
            loglin += y_all / 365 * p * (1 - math.exp(-beta_pm * (cb - cc)))
            y = y_all / 365
            logistic += (y - y / ((1 - y) * math.exp(0.002 * (cb - cc)) + y)) * p
            linear += 1e-7 * (cb - cc) * p
        for cb, cc in ((80.0, 70.0), (60.0, 62.0)):
            o3 += y_all / 365 * p * (1 - math.exp(-beta_o3 * (cb - cc) * O3_UG_PER_PPB))
    with xr.open_dataset(out / "health.nc") as h:
        got = h.avoided_deaths.sel(region="domain", statistic="central")
        assert float(got.sel(outcome="gemm/ncd_lri")) == pytest.approx(gemm, rel=1e-9, abs=0)
        assert float(got.sel(outcome="chen/nonaccidental")) == pytest.approx(loglin, rel=1e-9, abs=0)
        assert float(got.sel(outcome="yin/nonaccidental")) == pytest.approx(o3, rel=1e-9, abs=0)
        assert float(got.sel(outcome="logi/nonaccidental")) == pytest.approx(logistic, rel=1e-9, abs=0)
        assert float(got.sel(outcome="lin/visits")) == pytest.approx(linear, rel=1e-9, abs=0)
        beijing = h.avoided_deaths.sel(region="Beijing", statistic="central", outcome="gemm/ncd_lri")
        y0, share = by_hand_rate("110000", 60, 64, ncd_lri_share())
        assert float(beijing) == pytest.approx(
            y0 * people["110000"] * share * (1 - math.exp(gemm_log_hr(50.0) - gemm_log_hr(62.0))), rel=1e-9)
        assert h["avoided_deaths_map"].attrs["units"] == "1" and h["avoided_deaths_map"].attrs["long_name"]
        assert float(h.exposure_PM25_change.sel(region="Beijing")) == pytest.approx(-12.0, rel=1e-12)
        vsl = 4.76e6
        lag = float(h.attrs["lag_discount_factor"])
        assert float(h.value.sel(region="domain", statistic="central", outcome="gemm/ncd_lri")) == pytest.approx(
            gemm * vsl * lag, rel=1e-9)
        assert float(h.value.sel(region="domain", statistic="central", outcome="chen/nonaccidental")) == \
            pytest.approx(loglin * vsl, rel=1e-9)
    rows = list(csv.DictReader((out / "long_term.csv").open()))
    assert {r["outcome"] for r in rows} == {"gemm/ncd_lri"}
    assert {r["outcome"] for r in csv.DictReader((out / "short_term.csv").open())} == {
        "chen/nonaccidental", "yin/nonaccidental", "logi/nonaccidental", "lin/visits"}
    text = cf_check(out / "health.nc", "normal")[2]
    assert "Errors" not in text, text[-3000:]
    ages = [r for r in csv.DictReader((out / "by_age.csv").open()) if r["function"] == "g6064"]
    assert ages[0]["age_start"] == "60" and ages[0]["age_end"] == "64"
    text = (out / "summary.md").read_text()
    assert "Long-term" in text
    # the 25+ share of each province's people (its own age structure), by hand from the packaged tables
    for name, code in (("Beijing", "110000"), ("Tianjin", "120000"), ("Hebei", "130000")):
        adult = by_hand_rate(code, 25, 120, 1.0)[1]
        assert f"{name} {adult * 100:.2f} % (2008 sample survey" in text
    assert "elsewhere (China)" in text
    # every variable carries units and long_name; money is a number with its currency named (no udunits unit)
    with xr.open_dataset(out / "health.nc") as h:
        for name in list(h.data_vars) + ["function_age_start", "function_age_end"]:
            assert h[name].attrs.get("units") is not None and h[name].attrs.get("long_name"), name
        for name in ("value", "value_map"):
            assert h[name].attrs["units"] == "1" and h[name].attrs["currency"].startswith("CNY")
        assert h["PM25_base"].attrs["standard_name"] == "mass_concentration_of_pm2p5_ambient_aerosol_particles_in_air"


def test_seeded_draws_are_reproducible(tmp_path):
    b, c = constant_pair(tmp_path)
    outs = []
    for n, seed in enumerate((7, 7, 8)):
        out = tmp_path / f"o{n}"
        assert main(["health", str(b), str(c), "-o", str(out), "--draws", "200", "--seed", str(seed)]) == 0
        with xr.open_dataset(out / "health.nc") as h:
            outs.append(h.avoided_deaths.values.copy())
    assert np.array_equal(outs[0], outs[1])
    assert not np.array_equal(outs[0][..., 2:], outs[2][..., 2:])
    assert np.array_equal(outs[0][..., 0], outs[2][..., 0])  # the central estimate does not depend on the draws


def _nothing_written(out):
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}*"))


def test_runs_on_different_grids_exit_2(tmp_path, capsys):
    b, _ = constant_pair(tmp_path)
    other = write_run(tmp_path / "other.nc", np.full((48, 1, 2), 50.0), np.full((2, 1, 2), 50.0),
                      np.full((2, 1, 2), 60.0))
    out = tmp_path / "out"
    assert main(["health", str(b), str(other), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(other) in err and "2 x 1" in err and "same grid" in err
    _nothing_written(out)


def test_runs_over_different_periods_exit_2(tmp_path, capsys):
    b, _ = constant_pair(tmp_path)
    later = write_run(tmp_path / "later.nc", np.full((48, 1, 1), 50.0), np.full((2, 1, 1), 50.0),
                      np.full((2, 1, 1), 60.0), start="2008-08-09T16:00")
    out = tmp_path / "out"
    assert main(["health", str(b), str(later), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(later) in err and "2008-08-09T17:00" in err and "same hours" in err
    _nothing_written(out)


def test_function_table_with_a_missing_parameter_exit_2(hand_pair, tmp_path, capsys):
    b, c, _ = hand_pair
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n" + GEMM_ROW.replace(",15.5,", ",,") + "\n")
    out = tmp_path / "out"
    assert main(["health", str(b), str(c), "-o", str(out), "--functions", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "line 2" in err and "'mu'" in err
    _nothing_written(out)


def test_negative_population_exit_2(tmp_path, capsys):
    b, c = constant_pair(tmp_path)
    pop = tmp_path / "pop.nc"
    with xr.open_dataset(b) as ds:
        xr.Dataset({"population": (("lat", "lon"), np.array([[-5.0]]))},
                   coords={"lat": ds.lat.values, "lon": ds.lon.values}).to_netcdf(pop)
    out = tmp_path / "out"
    assert main(["health", str(b), str(c), "-o", str(out), "--population", str(pop)]) == 2
    err = capsys.readouterr().err
    assert str(pop) in err and "-5.0" in err
    _nothing_written(out)


@pytest.mark.parametrize("draws", ["0", "-3"])
def test_draws_not_positive_exit_2(tmp_path, capsys, draws):
    b, c = constant_pair(tmp_path)
    out = tmp_path / "out"
    assert main(["health", str(b), str(c), "-o", str(out), "--draws", draws]) == 2
    assert f"--draws {draws}" in capsys.readouterr().err
    _nothing_written(out)


def test_user_population_grid_is_used(tmp_path):
    b, c = constant_pair(tmp_path)
    pop = tmp_path / "pop.nc"
    with xr.open_dataset(b) as ds:
        xr.Dataset({"population": (("lat", "lon"), np.array([[1.0e5]]))},
                   coords={"lat": ds.lat.values, "lon": ds.lon.values}).to_netcdf(pop)
    outs = {}
    for people in ("1e5", "2e5"):
        if people == "2e5":
            with xr.open_dataset(b) as ds:
                xr.Dataset({"population": (("lat", "lon"), np.array([[2.0e5]]))},
                           coords={"lat": ds.lat.values, "lon": ds.lon.values}).to_netcdf(pop, mode="w")
        out = tmp_path / f"o{people}"
        assert main(["health", str(b), str(c), "-o", str(out), "--population", str(pop), "--draws", "10"]) == 0
        with xr.open_dataset(out / "health.nc") as h:
            outs[people] = h.avoided_deaths.sel(region="domain", statistic="central").values.copy()
            assert float(h.population.sum()) == pytest.approx(float(people))
    assert np.allclose(outs["2e5"], 2 * outs["1e5"], rtol=1e-12)


def test_report_shows_a_health_folder(tmp_path):
    b, c = constant_pair(tmp_path, ny=2, nx=2)
    out = tmp_path / "health"
    assert main(["health", str(b), str(c), "-o", str(out), "--draws", "20"]) == 0
    page = tmp_path / "report.html"
    assert main(["report", str(b), str(c), "--health", str(out), "-o", str(page)]) == 0
    text = page.read_text()
    assert 'id="health"' in text and "long_term.csv" in text and "Avoided deaths" in text
    assert text.count("data:image/png;base64") >= 4  # 2 runs x 3 maps ... plus the health maps


def test_people_of_the_parent_domains_other_provinces_take_their_own_rates(tmp_path):
    """A cell in Jinan (Shandong): its people (the population table's Shandong units) with Shandong's crude death
    rate and 2008 age structure, by hand; counted in the domain and in Shandong, not in Beijing-Tianjin-Hebei."""
    hourly_b, hourly_c = np.full((48, 1, 1), 62.0), np.full((48, 1, 1), 50.0)
    daily = np.full((2, 1, 1), 60.0)
    b = write_run(tmp_path / "base.nc", hourly_b, daily, daily, lon0=116.95, lat0=36.6, title="base")
    c = write_run(tmp_path / "case.nc", hourly_c, daily, daily, lon0=116.95, lat0=36.6, title="case")
    table = tmp_path / "functions.csv"
    table.write_text("\n".join([HEADER, GEMM_ROW]) + "\n")
    out = tmp_path / "out"
    assert main(["health", str(b), str(c), "-o", str(out), "--functions", str(table), "--draws", "10"]) == 0
    with xr.open_dataset(b) as ds:
        people = float(population(frame_of(ds), "370000")[0, 0])
        three = sum(float(population(frame_of(ds), code)[0, 0]) for code in PROVINCES)
        assert people > 1e5 and three == 0.0  # Shandong's people, none of Beijing's, Tianjin's or Hebei's
    y0, share = by_hand_rate("370000", 60, 64, ncd_lri_share())
    expected = y0 * people * share * (1 - math.exp(gemm_log_hr(50.0) - gemm_log_hr(62.0)))
    with xr.open_dataset(out / "health.nc") as h:
        got = h.avoided_deaths.sel(outcome="gemm/ncd_lri", statistic="central")
        assert list(h.region.values) == ["domain", "Beijing-Tianjin-Hebei", "Beijing", "Tianjin", "Hebei", "Shandong"]
        assert float(got.sel(region="domain")) == pytest.approx(expected, rel=1e-9, abs=0)
        assert float(got.sel(region="Shandong")) == float(got.sel(region="domain"))
        assert float(got.sel(region="Beijing-Tianjin-Hebei")) == 0.0
        assert float(h.region_population.sel(region="Shandong")) == pytest.approx(people, rel=1e-12)
    # China's rate would give a different number: the province's own is used
    y_china = by_hand_rate("000000", 60, 64, ncd_lri_share())[0]
    assert abs(y_china / y0 - 1) > 0.02
    adult = by_hand_rate("370000", 25, 120, 1.0)[1]  # its 25+ share, from its 2008 sample survey groups
    assert f"Shandong {adult * 100:.2f} % (2008 sample survey" in (out / "summary.md").read_text()


def test_beijing_tianjin_hebei_is_the_sum_of_the_three(tmp_path):
    """A 0.1-degree grid from Beijing's south-east over Langfang (Hebei) into Tianjin: all three hold people."""
    from airmodel.health import health_impacts, Options
    shape_h, shape_d = (48, 4, 8), (2, 4, 8)
    b = write_run(tmp_path / "base.nc", np.full(shape_h, 60.0), np.full(shape_d, 60.0), np.full(shape_d, 70.0),
                  lon0=116.4, lat0=39.4)
    c = write_run(tmp_path / "case.nc", np.full(shape_h, 50.0), np.full(shape_d, 50.0), np.full(shape_d, 65.0),
                  lon0=116.4, lat0=39.4)
    ds = health_impacts(b, c, None, Options(draws=20))
    assert all(float(ds.region_population.sel(region=r)) > 1e4 for r in ("Beijing", "Tianjin", "Hebei"))
    three = ds.avoided_deaths.sel(region=["Beijing", "Tianjin", "Hebei"]).sum("region")
    np.testing.assert_allclose(ds.avoided_deaths.sel(region="Beijing-Tianjin-Hebei").values, three.values,
                               rtol=1e-12, atol=0)
    assert float(ds.region_population.sel(region="Beijing-Tianjin-Hebei")) == pytest.approx(
        float(ds.region_population.sel(region=["Beijing", "Tianjin", "Hebei"]).sum()), rel=1e-12)


def test_people_weight_counts_that_share_of_each_cells_people(tmp_path):
    from airmodel.errors import InputError
    from airmodel.health import health_impacts, Options
    b, c = constant_pair(tmp_path, ny=2, nx=2)
    full = health_impacts(b, c, None, Options(draws=20))
    weight = np.array([[1.0, 0.0], [0.25, 0.5]])
    part = health_impacts(b, c, None, Options(draws=20), people_weight=weight)
    per_cell = full.avoided_deaths_map.sel(statistic="central").values
    expected = (per_cell * weight).sum(axis=(-2, -1))
    got = part.avoided_deaths.sel(region="domain", statistic="central").values
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert float(part.population.sum()) == pytest.approx(float((full.population.values * weight).sum()), rel=1e-12)
    for bad, shown in ((np.full((2, 2), 1.5), r"range 1.5\.\.1.5"), (np.ones((3, 2)), r"shape \(3, 2\)"),
                       (np.full((2, 2), np.nan), r"range nan")):
        with pytest.raises(InputError, match=r"people_weight: .*grid \(2, 2\).*" + shown):
            health_impacts(b, c, None, Options(draws=20), people_weight=bad)


def test_a_gridded_population_in_shandong_takes_shandongs_rates(tmp_path):
    """--population: a cell wholly in Shandong (Jinan) gives its people Shandong's rates, as the packaged
    population does, so the two agree per person."""
    from airmodel.health import health_impacts, Options
    daily = np.full((2, 1, 1), 60.0)
    b = write_run(tmp_path / "base.nc", np.full((48, 1, 1), 62.0), daily, daily, lon0=116.95, lat0=36.6)
    c = write_run(tmp_path / "case.nc", np.full((48, 1, 1), 50.0), daily, daily, lon0=116.95, lat0=36.6)
    packaged = health_impacts(b, c, None, Options(draws=10))
    gridded = health_impacts(b, c, None, Options(draws=10), population_grid=np.array([[1.0e5]]))
    assert list(gridded.region.values)[-1] == "Shandong"
    per_person = [ds.avoided_deaths.sel(region="domain", statistic="central").values /
                  float(ds.region_population.sel(region="domain")) for ds in (packaged, gridded)]
    np.testing.assert_allclose(per_person[1], per_person[0], rtol=1e-9)
