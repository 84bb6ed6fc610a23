"""``airmodel compare``: the Games table (8-24 August local time) at the stations, on small synthetic run files
whose values differ inside and outside the window, so that an hour or a day counted on the wrong side shows."""
import csv

import numpy as np
import pytest
import xarray as xr

from airmodel.analysis.compare import GAMES_METRICS, compare, games_window

HOURLY = ("PM25", "PM10", "NO2", "SO2", "CO", "O3")


def run_file(path, inside: float, outside: float, title: str):
    """A 5 x 4 cell run over Beijing, hours 2 to 27 August (UTC hour ends), local days 2 to 26 August, 2 stations:
    every hourly field and daily MDA8 is ``inside`` during the Games and ``outside`` otherwise."""
    lon = 116.25 + 0.1 * np.arange(5) + 0.05
    lat = 39.8 + 0.1 * np.arange(4) + 0.05
    times = np.arange(np.datetime64("2008-08-02T01:00"), np.datetime64("2008-08-27T01:00"),
                      np.timedelta64(1, "h")).astype("datetime64[ns]")
    days = np.arange(np.datetime64("2008-08-01T16:00"), np.datetime64("2008-08-26T16:00"),
                     np.timedelta64(1, "D")).astype("datetime64[ns]")
    games_hour = (times - np.timedelta64(1, "h") >= np.datetime64("2008-08-07T16:00")) & \
        (times <= np.datetime64("2008-08-24T16:00"))
    games_day = (days >= np.datetime64("2008-08-07T16:00")) & (days < np.datetime64("2008-08-24T16:00"))
    hourly = np.where(games_hour, inside, outside)
    daily = np.where(games_day, inside, outside)
    data = {"lon_bnds": (("lon", "nv"), np.stack([lon - 0.05, lon + 0.05], 1)),
            "lat_bnds": (("lat", "nv"), np.stack([lat - 0.05, lat + 0.05], 1)),
            "station_code": (("station",), np.array(["1001A", "1002A"])),
            "station_name": (("station",), np.array(["Wanshouxigong", "Dingling"]))}
    for name in HOURLY:
        units = "mg m-3" if name == "CO" else "ug m-3"
        data[name] = (("time", "lat", "lon"), np.broadcast_to(hourly[:, None, None], (times.size, 4, 5)).copy(),
                      {"units": units})
        data[f"station_{name}"] = (("time", "station"), np.stack([hourly, 2 * hourly], 1), {"units": units})
    data["O3_mda8"] = (("day", "lat", "lon"), np.broadcast_to(daily[:, None, None], (days.size, 4, 5)).copy(),
                       {"units": "ug m-3"})
    data["station_O3_mda8"] = (("day", "station"), np.stack([daily, 2 * daily], 1), {"units": "ug m-3"})
    ds = xr.Dataset(data, coords={"lon": lon, "lat": lat, "time": times, "day": days}, attrs={"title": title})
    ds.to_netcdf(path)
    return path


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("games")
    base = run_file(tmp / "base.nc", inside=80.0, outside=1000.0, title="base")
    case = run_file(tmp / "case.nc", inside=40.0, outside=7.0, title="case")
    out = compare(base, case, tmp / "cmp")
    with open(out / "games.csv") as f:
        rows = list(csv.DictReader(f))
    return rows, (out / "summary.md").read_text()


def test_window_is_8_to_24_august_local():
    times = np.arange(np.datetime64("2008-08-07T15:00"), np.datetime64("2008-08-24T18:00"),
                      np.timedelta64(1, "h")).astype("datetime64[ns]")
    days = np.arange(np.datetime64("2008-08-06T16:00"), np.datetime64("2008-08-25T16:00"),
                     np.timedelta64(1, "D")).astype("datetime64[ns]")
    hours, gdays = games_window(times, days)
    assert hours.size == 17 * 24  # 17 local days
    assert hours[0] == np.datetime64("2008-08-07T17:00")  # the hour 00-01 local on 8 August
    assert hours[-1] == np.datetime64("2008-08-24T16:00")  # the hour 23-24 local on 24 August
    assert gdays.size == 17 and gdays[0] == np.datetime64("2008-08-07T16:00")


@pytest.mark.slow  # the region weights of the first comparison take about half a minute
def test_games_table_at_every_station_and_their_mean(compared):
    rows, summary = compared
    assert {r["metric"] for r in rows} == set(GAMES_METRICS)
    by = {(r["station"], r["metric"]): r for r in rows}
    for metric in GAMES_METRICS:
        for station, factor in (("1001A", 1.0), ("1002A", 2.0), ("mean", 1.5)):
            r = by[(station, metric)]
            assert float(r["base"]) == pytest.approx(80.0 * factor, rel=1e-6)  # no hour from outside the window
            assert float(r["case"]) == pytest.approx(40.0 * factor, rel=1e-6)
            assert float(r["pct"]) == pytest.approx(-50.0, rel=1e-6)
        if metric == "O3_mda8":
            assert by[("1001A", metric)]["days"] == "17"
        else:
            assert by[("1001A", metric)]["hours"] == str(17 * 24)
    assert "## The Games period (8-24 August local) at the stations" in summary
    assert "| mean | mean of the 2 stations |" in summary


@pytest.mark.slow
def test_no_games_rows_outside_the_window(tmp_path):
    base = run_file(tmp_path / "b.nc", 1.0, 2.0, "b")
    ds = xr.open_dataset(base)
    early = ds.sel(time=ds.time < np.datetime64("2008-08-07T12:00"), day=ds.day < np.datetime64("2008-08-06T16:00"))
    early.load().to_netcdf(tmp_path / "early.nc")
    ds.close()
    out = compare(tmp_path / "early.nc", tmp_path / "early.nc", tmp_path / "cmp")
    assert (out / "games.csv").read_text().startswith("# no rows")
    assert "Games period" not in (out / "summary.md").read_text()


@pytest.mark.slow
def test_docs_olympic_writes_the_games_table(compared, tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    from docs_olympic import games_section

    rows, _ = compared
    folder = tmp_path / "cmp"
    folder.mkdir()
    with open(folder / "games.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    text = "\n".join(games_section(folder))
    assert "## The Games period (8–24 August local) at the 12 stations" in text
    assert "Means over the 408 hours of the Games (MDA8 O3: its 17 local days)" in text
    assert "| Wanshouxigong (1001A) | 80.0 → 40.0 (−50.0 %)" in text
    (folder / "games.csv").write_text("# no rows\n")
    assert games_section(folder) == []
