"""Maps and series of airmodel/plot.py, on a small synthetic run file with the names of the run-file contract.

``write_run_file`` builds that file (also used by tests/cli/test_report.py): a 0.25-degree greater-Beijing grid,
48 hourly means (two whole Beijing days), a PM2.5 plume over Beijing and a diurnal O3 cycle, the daily fields by
local day computed with airmodel.analysis.daily/standards, and the station series of the twelve Beijing stations.
"""
import io
import numpy as np
import matplotlib.image
import pytest
import xarray as xr

from airmodel import plot as maps
from airmodel.analysis import daily, standards
from airmodel.analysis.stations import read_station_list, sample
from airmodel.cli import main

HOURLY = {"O3": "ppb", "NO2": "ppb", "NO": "ppb", "SO2": "ppb", "CO": "ppm", "NH3": "ppb", "HNO3": "ppb",
          "CO2": "ppm", "PM25": "ug m-3", "PM10": "ug m-3", "SULF": "ug m-3", "NO3A": "ug m-3", "NH4A": "ug m-3",
          "SOA": "ug m-3", "POA": "ug m-3", "EC": "ug m-3", "u10": "m s-1", "v10": "m s-1", "t2": "K",
          "mixing_height": "m", "precipitation": "kg m-2 s-1"}
LONG_NAMES = {"O3": "ozone", "PM25": "PM2.5", "PM10": "PM10", "NO2": "nitrogen dioxide"}


def _edges(lo, hi, res):
    e = np.arange(lo, hi + res / 2, res)
    return 0.5 * (e[1:] + e[:-1]), np.stack([e[:-1], e[1:]], axis=1)


def write_run_file(path, hours=48, pm_scale=1.0, o3_offset=0.0, stations=True, daily_fields=True,
                   title="synthetic base", start="2008-08-07T16:00"):
    """A run file with the contract's names (see the module notes); returns the path."""
    lon, lon_b = _edges(113.5, 119.5, 0.25)
    lat, lat_b = _edges(37.0, 42.5, 0.25)
    hour_end = np.datetime64(start, "s") + np.arange(1, hours + 1) * np.timedelta64(1, "h")
    bnds = np.stack([hour_end - np.timedelta64(1, "h"), hour_end], axis=1)
    local_hour = ((hour_end - np.timedelta64(1, "h") + np.timedelta64(8, "h")).astype("datetime64[h]")
                  .astype(np.int64) % 24)
    lon2, lat2 = np.meshgrid(lon, lat)
    plume = np.exp(-((lon2 - 116.4) ** 2 + (lat2 - 39.9) ** 2) / 0.8)
    diurnal = np.sin(np.pi * np.clip(local_hour - 6, 0, 12) / 12.0)
    fields = {}
    for n, (name, units) in enumerate(HOURLY.items()):
        base = (1.0 + 0.3 * n) * (0.5 + plume)[None] * (1.0 + 0.2 * np.cos(local_hour / 24 * 2 * np.pi))[:, None,
                                                                                                             None]
        fields[name] = base
    fields["PM25"] = pm_scale * (20.0 + 90.0 * plume[None] * (1.2 - 0.4 * diurnal[:, None, None]))
    fields["PM10"] = 1.4 * fields["PM25"]
    fields["O3"] = 30.0 + o3_offset + 70.0 * diurnal[:, None, None] * (0.6 + 0.6 * np.roll(plume, 6, axis=0))[None]
    ds = xr.Dataset(coords={"lon": ("lon", lon, {"units": "degrees_east", "standard_name": "longitude",
                                                 "bounds": "lon_bnds"}),
                            "lat": ("lat", lat, {"units": "degrees_north", "standard_name": "latitude",
                                                 "bounds": "lat_bnds"}),
                            "time": ("time", hour_end.astype("datetime64[ns]"), {"bounds": "time_bnds"})})
    ds["lon_bnds"] = (("lon", "nv"), lon_b)
    ds["lat_bnds"] = (("lat", "nv"), lat_b)
    ds["time_bnds"] = (("time", "nv"), bnds.astype("datetime64[ns]"))
    for name, units in HOURLY.items():
        ds[name] = (("time", "lat", "lon"), fields[name].astype(np.float32),
                    {"units": units, "long_name": LONG_NAMES.get(name, name), "cell_methods": "time: mean"})
    if daily_fields:
        starts = daily.hour_starts(ds)
        for name in HOURLY:
            ds[f"{name}_24h"] = daily.daily_mean(ds[name], starts)
        ds["O3_max1h"] = daily.daily_max_1h(ds["O3"], starts)
        ds["O3_mda8"] = daily.daily_max_8h(ds["O3"], starts)
        metrics = {("PM25", "24h"): ds["PM25_24h"].values, ("PM10", "24h"): ds["PM10_24h"].values,
                   ("O3", "8h"): standards.to_standard_units("O3", ds["O3_mda8"].values, "ppb"),
                   ("O3", "1h"): standards.to_standard_units("O3", ds["O3_max1h"].values, "ppb")}
        aqi, primary = standards.daily_aqi(metrics)
        ds["AQI"] = (("day", "lat", "lon"), aqi, {"units": "1", "long_name": "air quality index (HJ 633-2012)"})
        ds["AQI_primary_pollutant"] = (("day", "lat", "lon"), primary, {
            "flag_values": np.arange(len(standards.PRIMARY_NAMES), dtype=np.int8),
            "flag_meanings": " ".join(standards.PRIMARY_NAMES)})
        ds["day_bnds"] = (("day", "nv"), daily.day_coordinates(
            (ds["day"].values.astype("datetime64[s]") + np.timedelta64(8, "h")).astype("datetime64[D]"))[1]
            .astype("datetime64[ns]"))
        ds["day"].attrs["bounds"] = "day_bnds"
    if stations:
        grid_vars = [v for v in ds.data_vars if {"lat", "lon"} <= set(ds[v].dims) and v != "AQI_primary_pollutant"]
        at = sample(ds, read_station_list(), grid_vars)
        ds = ds.assign_coords({c: at[c] for c in ("station", "station_name", "station_lat", "station_lon")})
        for v in grid_vars:
            ds[f"station_{v}"] = at[v].transpose(..., "station")
    ds.attrs.update(Conventions="CF-1.8", title=title, airmodel_version="0.1.0", scenario_file="scenarios/x.toml",
                    command_line="airmodel run scenarios/x.toml -o x.nc",
                    scenario=f'description = "Synthetic <b>test</b> & {title}"\n\n[run]\nname = "{title}"\n')
    encoding = {v: {"units": "hours since 2008-08-01 00:00:00", "dtype": "f8"}
                for v in ("time", "time_bnds", "day", "day_bnds") if v in ds.variables}
    ds.to_netcdf(path, encoding=encoding)
    return path


@pytest.fixture(scope="module")
def run_file(tmp_path_factory):
    return write_run_file(tmp_path_factory.mktemp("run") / "base.nc")


def test_province_outlines_trace_beijing_and_the_bohai_coast():
    rings = maps.province_outlines()
    assert len(rings) >= 8
    for ring in rings:
        assert np.allclose(ring[0], ring[-1])  # closed, so the last segment is drawn
    # Beijing's outline lies in 115.4-117.5 E, 39.4-41.1 N: some ring has that box.
    boxes = [(r[:, 0].min(), r[:, 0].max(), r[:, 1].min(), r[:, 1].max()) for r in rings]
    assert any(115.2 < a < 115.6 and 117.3 < b < 117.6 and 39.3 < c < 39.6 and 40.9 < d < 41.2
               for a, b, c, d in boxes)
    # The Tianjin/Hebei coast reaches about 118-119 E near 39 N: rings reach the Bohai shore.
    assert any(((r[:, 0] > 117.5) & (r[:, 0] < 118.5) & (np.abs(r[:, 1] - 39.0) < 0.3)).any() for r in rings)


def test_nice_ceiling_and_styles():
    assert maps._nice_ceiling(87.0) == 100.0
    assert maps._nice_ceiling(0.21) == pytest.approx(0.25)
    assert maps._nice_ceiling(np.nan) == 1.0
    style = maps.difference_style([np.array([-3.2, 1.0, np.nan])], "d")
    assert style.norm.boundaries[0] == -4.0 and style.norm.boundaries[-1] == 4.0
    assert style.norm(-0.01) < style.norm(0.01)  # 0 divides the two halves of the diverging scale
    conc = maps.concentration_style([np.array([0.0, 42.0])], "c")
    assert conc.norm.boundaries[-1] == 50.0 and conc.norm.boundaries[0] == 0.0
    # Ozone-like fields far above 0: the scale starts below their minimum, in whole steps.
    o3 = maps.concentration_style([np.array([31.0, 52.0]), np.array([35.0, 40.0])], "o3")
    assert o3.norm.boundaries[0] == 30.0 and o3.norm.boundaries[-1] >= 52.0
    assert np.allclose(np.diff(o3.norm.boundaries), 2.5)
    aqi = maps.aqi_style()
    assert aqi.norm(49) == 0 and aqi.norm(51) == 1 and aqi.norm(301) == 5


def test_period_mean_ignores_invalid_days():
    da = xr.DataArray(np.array([[[1.0, np.nan]], [[3.0, np.nan]]]), dims=("day", "lat", "lon"))
    assert np.allclose(maps.period_mean(da)[0, 0], 2.0) and np.isnan(maps.period_mean(da)[0, 1])


def _image_stats(path):
    import matplotlib.image as mpimg

    img = mpimg.imread(path)[..., :3]
    return img, float(img.std())


def test_field_map_draws_field_markers_and_colourbar(run_file):
    with xr.open_dataset(run_file) as ds:
        lon_e, lat_e = maps.grid_edges(ds)
        values = maps.period_mean(ds["PM25"])
        style = maps.map_style_for("PM25", ds["PM25"], [values])
        fig = maps.field_map(lon_e, lat_e, values, style, title="PM2.5", stations=maps.stations_of(ds))
    geo = fig.axes[0]
    assert type(geo).__name__ == "GeoAxes" and "PlateCarree" in type(geo.projection).__name__
    assert "ug m-3" in fig.axes[1].get_ylabel()  # the colour bar carries the units
    offsets = [c.get_offsets() for c in geo.collections if hasattr(c, "get_offsets") and len(c.get_offsets()) == 12]
    assert offsets, "12 station markers"
    png = maps.figure_png(fig)
    assert png.startswith(b"\x89PNG")
    # The encoded picture is the drawn map: a sizeable image with a spread of colours, not a blank canvas.
    img = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]
    assert min(img.shape[:2]) > 200 and float(img.std()) > 0.05


def test_plot_command_on_a_run_file(run_file, tmp_path, capsys):
    out = tmp_path / "pm25.png"
    assert main(["plot", str(run_file), "--var", "PM25", "-o", str(out)]) == 0
    img, spread = _image_stats(out)
    assert spread > 0.05
    # The plume over Beijing is drawn in the darker reds: some pixels are strongly red.
    red = (img[..., 0] > 0.6) & (img[..., 1] < 0.3) & (img[..., 2] < 0.3)
    assert red.sum() > 50
    assert main(["plot", str(run_file), "--var", "O3_mda8", "--time", "1", "-o", str(tmp_path / "o3.png")]) == 0
    _, spread = _image_stats(tmp_path / "o3.png")
    assert spread > 0.05  # a drawn map, not a blank or single-colour image
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("args, message", [
    (["--var", "PM2.5"], "no map variable 'PM2.5'; choose one of: "),
    (["--var", "PM25", "--time", "99"], "--time 99: PM25 has 48 records along time (0..47)"),
    (["--var", "AQI_primary_pollutant"], "is a category code"),
    (["--var", "wind"], "--var wind needs u10, v10 and surface_altitude"),
])
def test_plot_command_errors(run_file, tmp_path, capsys, args, message):
    code = main(["plot", str(run_file), *args, "-o", str(tmp_path / "x.png")])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err, err
    assert not (tmp_path / "x.png").exists()


def test_plot_command_missing_file(tmp_path, capsys):
    assert main(["plot", str(tmp_path / "none.nc"), "--var", "PM25", "-o", str(tmp_path / "x.png")]) == 2
    assert "none.nc: file not found" in capsys.readouterr().err


def test_station_series_figure(run_file):
    with xr.open_dataset(run_file) as ds:
        da = ds["station_PM25"].transpose("time", "station")
        series = {str(n): da.values[:, k] for k, n in enumerate(ds["station_name"].values)}
        fig = maps.station_series_figure(ds["time"].values, series, "PM2.5 (ug m-3)")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 12
    # Drawn on Beijing time: the first hour ends 2008-08-08 01:00 local.
    import matplotlib.dates as mdates

    first = mdates.num2date(ax.get_lines()[0].get_xdata(orig=False)[0])
    assert (first.day, first.hour) == (8, 1)
    maps.pyplot().close(fig)
