"""Output files: CF-1.8 compliant (compliance-checker), with units, long names, provenance and UTC time."""
import subprocess
import sys
from pathlib import Path

import netCDF4
import pytest

import airmodel


@pytest.fixture(scope="module")
def demo(scenarios, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "demo.nc"
    airmodel.run(scenarios / "demo.toml", output=out, overrides=["run.hours=2"])
    return out


def test_demo_output_passes_cf_checker(demo):
    checker = Path(sys.executable).parent / "cchecker.py"
    r = subprocess.run([sys.executable, str(checker), "--test", "cf:1.8", "--criteria", "strict", str(demo)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:]
    assert "All tests passed!" in r.stdout


def test_metadata_and_provenance(demo):
    with netCDF4.Dataset(demo) as ds:
        assert ds.Conventions == "CF-1.8"
        assert "[run]" in ds.scenario and "demo" in ds.scenario
        assert ds.airmodel_version == airmodel.__version__
        t = ds["time"]
        assert t.dtype == "float64" and t.units == "hours since 2008-08-08 00:00:00" and t.calendar == "standard"
        assert list(t[:]) == [1.0, 2.0]
        assert (ds["time_bnds"][0] == [0.0, 1.0]).all()
        for name in ("lon", "lat", "time"):
            assert "_FillValue" not in ds[name].ncattrs()
        v = ds["steel_tracer"]
        assert v.dimensions == ("time", "lat", "lon")
        assert v.units == "ug m-3" and v.long_name and v.cell_methods == "time: mean"
        assert ds["lon"].units == "degrees_east" and ds["lat"].standard_name == "latitude"
        assert float(ds.getncattr("budget_steel_tracer_relative_residual")) < 1e-10
