"""Receptor values, brute-force contributions and their non-linearity, checked against hand computations."""
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from airmodel.analysis.contributions import contribution_rows, member_values, receptors, response_rows
from airmodel.analysis.stations import read_station_list
from airmodel.ensemble import SweepLine

RES = 0.5
LON_EDGES = np.arange(113.5, 119.5 + 1e-9, RES)
LAT_EDGES = np.arange(37.0, 42.5 + 1e-9, RES)
START = np.datetime64("2008-08-07T16:00:00", "s")  # local midnight of 8 August (UTC+8)
HOURS = 72


def synthetic_output(pm25: np.ndarray, o3: np.ndarray, path):
    """A file laid out as airmodel writes its hourly means (time_bnds, lon/lat bounds, surface fields)."""
    starts = START + np.arange(HOURS) * np.timedelta64(3600, "s")
    ds = xr.Dataset(
        {"PM25": (("time", "lat", "lon"), pm25, {"units": "ug m-3"}),
         "O3": (("time", "lat", "lon"), o3, {"units": "ppb"}),
         "lon_bnds": (("lon", "nv"), np.stack([LON_EDGES[:-1], LON_EDGES[1:]], 1)),
         "lat_bnds": (("lat", "nv"), np.stack([LAT_EDGES[:-1], LAT_EDGES[1:]], 1)),
         "time_bnds": (("time", "nv"), np.stack([starts, starts + np.timedelta64(3600, "s")], 1))},
        coords={"lon": 0.5 * (LON_EDGES[1:] + LON_EDGES[:-1]), "lat": 0.5 * (LAT_EDGES[1:] + LAT_EDGES[:-1]),
                "time": starts + np.timedelta64(3600, "s")})
    ds.to_netcdf(path)
    return path


def shape():
    return HOURS, LAT_EDGES.size - 1, LON_EDGES.size - 1


def test_receptor_values_against_hand_computation(tmp_path):
    stations = read_station_list()
    nt, ny, nx = shape()
    hours = np.arange(nt, dtype=float)
    # PM2.5: 1 + t in the cell of the Aotizhongxin station (1011A), 0 elsewhere
    target = next(s for s in stations if s.code == "1011A")
    jt = int(np.searchsorted(LAT_EDGES, target.lat, side="right")) - 1
    it = int(np.searchsorted(LON_EDGES, target.lon, side="right")) - 1
    pm = np.zeros((nt, ny, nx))
    pm[:, jt, it] = 1.0 + hours
    # O3: the same everywhere, a diurnal wave peaking at 15:00 local plus a day-to-day trend
    local_hour = (hours + 0) % 24  # the run starts at local midnight
    day = hours // 24
    o3_series = 40.0 + 30.0 * np.cos(2 * np.pi * (local_hour - 15) / 24) + 5.0 * day
    o3 = np.broadcast_to(o3_series[:, None, None], (nt, ny, nx)).copy()
    path = synthetic_output(pm, o3, tmp_path / "member.nc")

    values = member_values(path, ["PM25", "O3", "O3_mda8"], stations, spinup_hours=24)
    kept = hours[24:]
    # the station cell: the mean of 1 + t over the hours after the spin-up
    assert values[("PM25", "station_1011A", "all")] == pytest.approx(np.mean(1 + kept), rel=1e-14)
    sharing = [s.code for s in stations
               if int(np.searchsorted(LAT_EDGES, s.lat, side="right")) - 1 == jt
               and int(np.searchsorted(LON_EDGES, s.lon, side="right")) - 1 == it]
    for s in stations:
        expected = np.mean(1 + kept) if s.code in sharing else 0.0
        assert values[("PM25", f"station_{s.code}", "all")] == pytest.approx(expected, rel=1e-14, abs=0)
    assert values[("PM25", "stations_mean", "all")] == pytest.approx(np.mean(1 + kept) * len(sharing) / 12,
                                                                     rel=1e-14)
    # domain area mean: cell areas on the sphere are proportional to sin(lat_n) - sin(lat_s)
    band = np.sin(np.deg2rad(LAT_EDGES[1:])) - np.sin(np.deg2rad(LAT_EDGES[:-1]))
    share = band[jt] / (band.sum() * nx)
    assert values[("PM25", "domain", "all")] == pytest.approx(np.mean(1 + kept) * share, rel=1e-12)
    # a field that is the same everywhere is that value at every receptor
    for rec in receptors(stations):
        assert values[("O3", rec.id, "all")] == pytest.approx(np.mean(o3_series[24:]), rel=1e-13)
    # daily means by local day, and MDA8: the largest of the 8-h means ending 08:00..24:00, by hand
    for d, label in ((1, "2008-08-09"), (2, "2008-08-10")):
        day_values = o3_series[24 * d:24 * d + 24]
        assert values[("O3", "Beijing", label)] == pytest.approx(day_values.mean(), rel=1e-13)
        mda8 = max(day_values[end - 8:end].mean() for end in range(8, 25))
        assert values[("O3_mda8", "station_1001A", label)] == pytest.approx(mda8, rel=1e-13)
    assert ("O3", "Beijing", "2008-08-08") not in values  # the spin-up day is left out
    assert values[("O3_mda8", "Hebei", "all")] == pytest.approx(np.mean(
        [max(o3_series[24 * d:24 * d + 24][e - 8:e].mean() for e in range(8, 25)) for d in (1, 2)]), rel=1e-13)
    assert values["units"] == {"PM25": "ug m-3", "O3": "ppb", "O3_mda8": "ppb"}


def test_unknown_metric_is_a_clear_error(tmp_path):
    nt, ny, nx = shape()
    path = synthetic_output(np.zeros((nt, ny, nx)), np.zeros((nt, ny, nx)), tmp_path / "m.nc")
    from airmodel.errors import InputError

    with pytest.raises(InputError, match=r"analysis.metrics: 'PM2.5': m.nc has no hourly field 'PM2.5'; it has: "
                                         r"PM25, O3"):
        member_values(path, ["PM2.5"], read_station_list())
    with pytest.raises(InputError, match="spinup_hours: 100 h leaves none of the 72 hours"):
        member_values(path, ["PM25"], read_station_list(), spinup_hours=100)


def fake(values_by_receptor: dict) -> dict:
    out = {("PM25", rid, "all"): v for rid, v in values_by_receptor.items()}
    out["units"] = {"PM25": "ug m-3"}
    return out


def test_contributions_sum_together_and_nonlinearity():
    """C_s = (C_base - C_s,r) / r; non-linearity = sum_s C_s - C_all (Clappier et al. 2017)."""
    stations = read_station_list()
    ids = [r.id for r in receptors(stations)]
    base = fake({rid: 60.0 for rid in ids})
    no_a = fake({rid: 50.0 for rid in ids})  # r = 0.5: C_a = (60 - 50) / 0.5 = 20
    no_b = fake({rid: 45.0 for rid in ids})  # C_b = 30
    together = fake({rid: 38.0 for rid in ids})  # C_all = (60 - 38) / 0.5 = 44
    rows = contribution_rows("g", "region", 0.5, base, [("A", "g.A", no_a), ("B", "g.B", no_b)],
                             ("g.together", together), ["PM25"], stations)
    table = pd.DataFrame([r for r in rows if r["receptor"] == "Beijing"]).set_index("source")
    assert table.loc["A", "contribution"] == 20.0 and table.loc["B", "contribution"] == 30.0
    assert table.loc["A", "percent_of_base"] == pytest.approx(100 * 20 / 60, rel=1e-15)
    assert table.loc["sum", "contribution"] == 50.0
    assert table.loc["together", "contribution"] == 44.0
    assert table.loc["nonlinearity", "contribution"] == 6.0
    assert table.loc["nonlinearity", "percent_of_together"] == pytest.approx(100 * 6 / 44, rel=1e-15)
    assert table.loc["remainder", "contribution"] == 16.0
    assert len(rows) == len(ids) * 6  # A, B, sum, together, non-linearity, remainder


def test_response_rows_change_from_base():
    stations = read_station_list()
    ids = [r.id for r in receptors(stations)]
    values_of = {"base": fake({rid: 50.0 for rid in ids}), "d.50": fake({rid: 40.0 for rid in ids}),
                 "d.100": fake({rid: 25.0 for rid in ids})}
    line = SweepLine("Beijing / all / all", "Beijing", "all", "all",
                     [(0.0, "base"), (0.5, "d.50"), (1.0, "d.100")])
    rows = [r for r in response_rows("d", [line], values_of, ["PM25"], stations) if r["receptor"] == "domain"]
    assert [(r["reduction_percent"], r["value"], r["change"], r["change_percent"]) for r in rows] == [
        (0.0, 50.0, 0.0, 0.0), (50.0, 40.0, -10.0, -20.0), (100.0, 25.0, -25.0, -50.0)]
