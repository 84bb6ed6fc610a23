"""Daily fields, station series and ``airmodel compare``: they agree with each other, pass the CF checker and
open in ncdump and CDO.

Two short runs of the demo on a 0.5-degree grid over one whole local day (2008-08-08, UTC+8): the base, and a
case with Beijing's Olympic controls.
"""
import csv
import shutil
import subprocess

import numpy as np
import pytest
import xarray as xr

from airmodel.analysis import standards
from airmodel.analysis.daily import daily_max_8h, daily_mean
from airmodel.analysis.regions import region_weights
from airmodel.analysis.stations import sample
from airmodel.cli import main
from tests.cf_check import assert_cf_strict

SMALL = ["--set", "domain.resolution=0.5", "--set", "run.start=2008-08-07T16:00:00Z", "--set", "run.hours=24",
         "--set", "run.time_step=1200.0", "--no-progress"]


@pytest.fixture(scope="module")
def runs(scenarios, tmp_path_factory):
    folder = tmp_path_factory.mktemp("products")
    case_toml = folder / "case.toml"
    case_toml.write_text(f'extends = "{scenarios / "demo.toml"}"\n'
                         f'include_controls = ["{scenarios / "controls" / "olympic_beijing.toml"}"]\n'
                         '[run]\nname = "demo with Beijing\'s Olympic controls"\n')
    base, case = folder / "base.nc", folder / "case.nc"
    assert main(["-q", "run", str(scenarios / "demo.toml"), "-o", str(base), *SMALL]) == 0
    assert main(["-q", "run", str(case_toml), "-o", str(case), *SMALL]) == 0
    out = folder / "cmp"
    assert main(["-q", "compare", str(base), str(case), "-o", str(out)]) == 0
    return base, case, out


def test_every_output_passes_the_cf_checker_and_opens_in_ncdump_and_cdo(runs):
    base, _, cmp = runs
    for path in (base, cmp / "fields.nc"):
        assert_cf_strict(path)
        for tool in (["ncdump", "-h"], ["cdo", "-s", "sinfo"]):
            if shutil.which(tool[0]) is None:
                pytest.skip(f"{tool[0]} is not installed (.ci/run installs netcdf-bin and cdo)")
            r = subprocess.run(tool + [str(path)], capture_output=True, text=True)
            assert r.returncode == 0, (tool, r.stderr[-2000:])


def test_station_series_are_the_fields_in_the_station_cells(runs):
    ds = xr.open_dataset(runs[0])
    assert ds.sizes["station"] == 12 and ds.sizes["day"] == 1
    at = sample(ds, variables=["PM25", "O3", "BND_PM25", "PM25_24h", "O3_mda8", "AQI", "AQI_primary_pollutant"])
    for name in ("PM25", "O3", "BND_PM25"):
        np.testing.assert_array_equal(ds[f"station_{name}"].transpose("time", "station").values, at[name].values)
    # daily values computed from the series agree with the daily fields sampled there
    for name in ("PM25_24h", "O3_mda8"):
        np.testing.assert_allclose(ds[f"station_{name}"].transpose("day", "station").values, at[name].values,
                                   rtol=1e-6)
    np.testing.assert_array_equal(ds["station_AQI"].transpose("day", "station").values, at["AQI"].values)
    assert np.all(np.isfinite(at["AQI"].values))


def test_daily_aqi_recomputed_from_a_station_series(runs):
    """The AQI of a station from its own hourly series (daily metrics, HJ 633-2012), computed here from the
    hourly values, equals the AQI field sampled at the station."""
    ds = xr.open_dataset(runs[0])
    at = sample(ds, variables=["AQI"])
    starts = ds["time_bnds"].values[:, 0].astype("datetime64[s]")
    for n in range(ds.sizes["station"]):
        metrics = {}
        for (pollutant, averaging), field in (
                (("PM25", "24h"), "PM25"), (("PM10", "24h"), "PM10"), (("SO2", "24h"), "SO2"),
                (("NO2", "24h"), "NO2"), (("CO", "24h"), "CO"), (("O3", "8h"), "O3"), (("O3", "1h"), "O3")):
            series = ds[f"station_{field}"].isel(station=n).astype(float)
            if averaging == "24h":
                value = daily_mean(series, starts).values
            elif averaging == "8h":
                value = daily_max_8h(series, starts).values
            else:
                value = np.array([series.values.max()])
            metrics[(pollutant, averaging)] = standards.to_standard_units(pollutant, value, series.attrs["units"])
        aqi, _ = standards.daily_aqi(metrics)
        assert aqi[0] == at["AQI"].values[0, n], ds.station_code.values[n]


def test_compare_tables_agree_with_the_fields(runs):
    base, case, cmp = runs
    fields = xr.open_dataset(cmp / "fields.nc")
    b, c = xr.open_dataset(base), xr.open_dataset(case)
    # the period-mean map is the mean of the hourly fields; the difference is case - base
    np.testing.assert_allclose(fields["PM25_base"].values[0], b["PM25"].mean("time").values, rtol=1e-5)
    # (the reference means in float64, as compare computes them: float32 sums of a day's hours differ by ~1e-5)
    np.testing.assert_allclose(fields["PM25_diff"].values[0],
                               c["PM25"].astype(float).mean("time").values
                               - b["PM25"].astype(float).mean("time").values, rtol=1e-4, atol=1e-5)
    # the station table equals the map sampled at each station's cell
    with (cmp / "stations.csv").open() as f:
        rows = [r for r in csv.DictReader(f) if r["metric"] == "PM25"]
    at = sample(fields.isel(time=0), variables=["PM25_base", "PM25_case"])
    assert [r["station"] for r in rows] == list(b.station_code.values)
    np.testing.assert_allclose([float(r["base"]) for r in rows], at["PM25_base"].values, rtol=1e-5)
    np.testing.assert_allclose([float(r["case"]) for r in rows], at["PM25_case"].values, rtol=1e-5)
    # Beijing's controls lower Beijing's PM2.5
    assert np.all(np.array([float(r["diff"]) for r in rows]) < 0)
    # the regional table is the area-weighted map mean; exposure the population-weighted one
    weights = region_weights(b)
    with (cmp / "regions.csv").open() as f:
        regions = {(r["region"], r["metric"]): r for r in csv.DictReader(f)}
    for region in ("domain", "Beijing", "Hebei"):
        w = weights[region]
        for kind, column in (("area", "base"), ("population", "exposure_base")):
            expected = np.sum(fields["PM25_base"].values[0] * w[kind]) / np.sum(w[kind])
            assert float(regions[(region, "PM25")][column]) == pytest.approx(expected, rel=1e-5)
    assert float(regions[("Beijing", "PM25")]["population"]) == pytest.approx(16.95e6, rel=1e-6)


def test_compare_counts_exceedances_and_aqi_days_from_the_station_series(runs):
    base, _, cmp = runs
    b = xr.open_dataset(base)
    with (cmp / "exceedances.csv").open() as f:
        rows = {(r["scope"], r["metric"]): r for r in csv.DictReader(f)}
    with (cmp / "aqi_categories.csv").open() as f:
        cats = [r for r in csv.DictReader(f)]
    for n, code in enumerate(b.station_code.values):
        pm = b["station_PM25_24h"].isel(station=n).values
        assert int(rows[(code, "PM25_24h")]["days_base"]) == int(np.sum(pm > 75.0))
        aqi_cat = standards.aqi_category(b["station_AQI"].isel(station=n).values)
        for k, name in enumerate(standards.CATEGORY_NAMES):
            row = next(r for r in cats if r["scope"] == code and r["category"] == name)
            assert int(row["base"]) == int(np.sum(aqi_cat == k))
    summary = (cmp / "summary.md").read_text()
    assert "## By region" in summary and "Beijing" in summary and "Aotizhongxin" in summary


def test_compare_refuses_to_overwrite_and_rejects_other_grids(runs, tmp_path, capsys):
    base, case, cmp = runs
    before = (cmp / "summary.md").read_text()
    assert main(["-q", "compare", str(base), str(case), "-o", str(cmp)]) == 2
    assert "give --force" in capsys.readouterr().err
    assert (cmp / "summary.md").read_text() == before
    other = tmp_path / "other.nc"
    xr.open_dataset(base).isel(lon=slice(0, 5)).to_netcdf(other)
    assert main(["-q", "compare", str(base), str(other), "-o", str(tmp_path / "x")]) == 2
    assert "not the base run's" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    assert main(["-q", "compare", str(base), str(tmp_path / "missing.nc"), "-o", str(tmp_path / "y")]) == 2
    assert not (tmp_path / "y").exists()
