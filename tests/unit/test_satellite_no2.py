"""tools/satellite_no2.py: the NO2 column from 3-D output (a uniform layer gives n x depth), the Games' overpass hours,
and the change per city from small synthetic run files."""
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import satellite_no2  # noqa: E402


def run(path, ppb_inside: float, ppb_outside: float, units="ppb"):
    lon = np.arange(114.0, 118.01, 0.1)
    lat = np.arange(37.5, 40.51, 0.1)
    times = np.arange(np.datetime64("2008-08-05T01:00"), np.datetime64("2008-08-27T01:00"),
                      np.timedelta64(1, "h")).astype("datetime64[ns]")
    games = (times - np.timedelta64(1, "h") >= np.datetime64("2008-08-07T16:00")) & \
        (times <= np.datetime64("2008-08-24T16:00"))
    value = np.where(games, ppb_inside, ppb_outside)
    bounds = np.array([[0.0, 50.0], [50.0, 250.0], [250.0, 1000.0]])
    field = np.broadcast_to(value[:, None, None, None], (times.size, 3, lat.size, lon.size)).copy()
    ds = xr.Dataset({"NO2": (("time", "z", "lat", "lon"), field, {"units": units}),
                     "SO2": (("time", "z", "lat", "lon"), 2.0 * field, {"units": units}),
                     "z_bnds": (("z", "nv"), bounds)},
                    coords={"time": times, "z": bounds.mean(1), "lat": lat, "lon": lon})
    ds.to_netcdf(path)
    return path


def test_column_of_uniform_air_is_density_times_depth(tmp_path):
    ds = xr.open_dataset(run(tmp_path / "a.nc", 1.0, 1.0))
    col = satellite_no2.column(ds.isel(time=[0]))
    mids = np.array([25.0, 150.0, 625.0])
    expected = (1e-9 * satellite_no2.standard_air(mids) * np.array([50.0, 200.0, 750.0])).sum() / 1e4
    assert float(col.isel(time=0, lat=0, lon=0)) == pytest.approx(expected, rel=1e-12)
    assert 1e15 < expected < 1e17  # 1 ppb over 1 km: about 2.5e15 molecules cm-2
    ds.close()


def test_standard_air_at_the_ground():
    assert satellite_no2.standard_air(np.array([0.0]))[0] == pytest.approx(2.547e25, rel=1e-3)


def test_changes_per_city_at_the_overpass(tmp_path):
    base = run(tmp_path / "b.nc", 10.0, 1000.0)  # hours outside the Games would show
    case = run(tmp_path / "c.nc", 4.0, 1.0)
    changes = satellite_no2.city_changes(base, case)
    for city in satellite_no2.CITIES:
        for instrument in satellite_no2.OVERPASS:
            b, c, pct = changes[(city, instrument)]
            assert pct == pytest.approx(-60.0, rel=1e-9)
    assert changes[("Beijing and the south", "SO2")][2] == pytest.approx(-60.0, rel=1e-9)
    text = satellite_no2.document(base, case)
    assert "| Beijing |" in text and "-60 %" in text and "Mijling et al. (2009)" in text
    assert "boundary-layer SO2 −13 %" in text


def test_surface_only_output_is_refused(tmp_path):
    ds = xr.Dataset({"NO2": (("time", "lat", "lon"), np.ones((1, 2, 2)), {"units": "ppb"})})
    with pytest.raises(SystemExit, match="output.levels=all"):
        satellite_no2.column(ds)


def test_column_from_mass_concentrations(tmp_path):
    ds = xr.open_dataset(run(tmp_path / "m.nc", 1.0, 1.0, units="ug m-3"))
    col = float(satellite_no2.column(ds.isel(time=[0]), "NO2").isel(time=0, lat=0, lon=0))
    assert col == pytest.approx(1e-6 / 46.0055 * 6.02214076e23 * 1000.0 / 1e4, rel=1e-12)  # 1 ug m-3 over 1 km
    ds.close()
