"""Output files: CF-1.8 compliant (compliance-checker), with units, long names, provenance and UTC time."""

import netCDF4
import pytest

import airmodel
from airmodel.met_output import write_met
from tests.cf_check import assert_cf_strict


@pytest.fixture(scope="module")
def demo(scenarios, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "demo.nc"
    airmodel.run(scenarios / "demo.toml", output=out, overrides=["run.hours=2"])
    return out


def test_demo_output_passes_cf_checker(demo):
    assert_cf_strict(demo)


def test_metadata_and_provenance(demo):
    with netCDF4.Dataset(demo) as ds:
        assert ds.Conventions == "CF-1.8"
        assert "[run]" in ds.scenario and "demo" in ds.scenario
        assert ds.airmodel_version == airmodel.__version__
        t = ds["time"]
        assert t.dtype == "float64" and t.units == "hours since 2008-08-08 00:00:00" and t.calendar == "standard"
        assert list(t[:]) == [1.0, 2.0]  # hourly means, stamped at the end of their hour
        assert (ds["time_bnds"][0] == [0.0, 1.0]).all()
        for name in ("lon", "lat", "time"):
            assert "_FillValue" not in ds[name].ncattrs()
        for name, units in (("O3", "ppb"), ("NO2", "ppb"), ("CO", "ppm"), ("PM25", "ug m-3"), ("SULF", "ug m-3"),
                            ("u10", "m s-1"), ("t2", "K"), ("mixing_height", "m"), ("precipitation", "kg m-2 s-1")):
            v = ds[name]
            assert v.dimensions == ("time", "lat", "lon"), name
            assert v.units == units and v.long_name and v.cell_methods == "time: mean", name
        assert ds["O3"].standard_name == "mole_fraction_of_ozone_in_air"
        assert ds["mixing_height"].standard_name == "atmosphere_boundary_layer_thickness"
        assert ds["lon"].units == "degrees_east" and ds["lat"].standard_name == "latitude"
        residuals = [ds.getncattr(k) for k in ds.ncattrs() if k.endswith("_relative_residual")]
        assert len(residuals) == 20 and max(residuals) < 1e-10  # 18 grs_aero species + BND_O3, BND_PM25


def test_met_file_passes_cf_checker(scenarios, tmp_path):
    """``airmodel met`` writes its coordinates with the run output's writer: with bounds, CF-compliant."""
    out = write_met(scenarios / "demo.toml", tmp_path / "met.nc", overrides=["run.hours=2"])
    assert_cf_strict(out)
    with netCDF4.Dataset(out) as ds:
        assert ds["lon"].bounds == "lon_bnds" and ds["lat"].bounds == "lat_bnds" and ds["z"].bounds == "z_bnds"
