"""tools/source_regions.py: the zero-out scenarios it writes remove the regions' emissions, and its table computes
the shares from small synthetic run files whose answer is known."""
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import source_regions  # noqa: E402

from airmodel.inventory_summary import summarize  # noqa: E402


def run(path, pm25: float, bnd: float):
    """Two stations and a 3 x 3 grid around the stadium, 1-31 August (UTC hour ends), constant values."""
    lon = np.array([116.3, 116.4, 116.5])
    lat = np.array([39.9, 40.0, 40.1])
    times = np.arange(np.datetime64("2008-08-01T01:00"), np.datetime64("2008-09-01T00:00"),
                      np.timedelta64(1, "h")).astype("datetime64[ns]")
    n = times.size
    ds = xr.Dataset({"PM25": (("time", "lat", "lon"), np.full((n, 3, 3), pm25)),
                     "BND_PM25": (("time", "lat", "lon"), np.full((n, 3, 3), bnd)),
                     "station_PM25": (("time", "station"), np.full((n, 2), pm25)),
                     "station_BND_PM25": (("time", "station"), np.full((n, 2), bnd)),
                     "station_code": (("station",), np.array(["1001A", "1011A"])),
                     "station_name": (("station",), np.array(["Wanshouxigong", "Aotizhongxin"]))},
                    coords={"lon": lon, "lat": lat, "time": times})
    ds.to_netcdf(path)
    return path


def test_table_shares_from_zero_out_runs(tmp_path):
    base = run(tmp_path / "base.nc", 100.0, 30.0)
    runs = {"zero_beijing": run(tmp_path / "a.nc", 60.0, 30.0),   # Beijing 40 %
            "zero_tianjin_hebei": run(tmp_path / "b.nc", 80.0, 30.0),  # Tianjin + Hebei 20 %
            "zero_outside": run(tmp_path / "c.nc", 95.0, 30.0)}  # the provinces outside 5 %
    for games in (True, False):
        labels, cols, hours = source_regions.shares(base, runs, games)
        assert hours == (17 * 24 if games else 743)
        assert labels[-1] == "National Stadium (cell)" and len(labels) == 3
        np.testing.assert_allclose(cols["zero_beijing"], 40.0)
        np.testing.assert_allclose(cols["zero_tianjin_hebei"], 20.0)
        np.testing.assert_allclose(cols["zero_outside"], 5.0)
        np.testing.assert_allclose(cols["boundary tracer"], 30.0)
        np.testing.assert_allclose(cols["outside Beijing"], 60.0)
        np.testing.assert_allclose(cols["remainder"], 5.0)
    text = source_regions.document(base, runs)
    assert "| Aotizhongxin (1011A) | 30 | 40 | 20 | 5 | 60 | 5 |" in text
    assert "Streets et al. (2007)" in text


@pytest.mark.slow  # reads the default inventory twice (about half a minute)
def test_zero_out_scenarios_remove_the_regions(tmp_path):
    paths = {p.stem: p for p in source_regions.write_scenarios(tmp_path, force=False)}
    rows = summarize(paths["zero_outside"], "2008-08-08/2008-08-25")
    index = {(r["region"], r["sector"], r["pollutant"]): r for r in rows}
    assert index[("Shandong", "all", "SO2")]["after_t"] == 0.0
    assert index[("Beijing", "all", "SO2")]["change_percent"] == 0.0
    rows = summarize(paths["zero_tianjin_hebei"], "2008-08-08/2008-08-25")
    index = {(r["region"], r["sector"], r["pollutant"]): r for r in rows}
    assert index[("Hebei", "all", "NOx")]["after_t"] == 0.0 and index[("Tianjin", "all", "NOx")]["after_t"] == 0.0
    assert index[("Shanxi", "all", "NOx")]["change_percent"] == 0.0
