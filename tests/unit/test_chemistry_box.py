"""The box model: configuration errors, the `airmodel box` command (exit codes, atomic outputs, no silent
overwrite), the example configurations and the teaching contrast of halving NOx."""
import numpy as np
import pytest
import xarray as xr

from airmodel.chemistry.box import box_main, load_box_config, plot_box, run_box, write_box
from airmodel.errors import InputError

SHORT = ["box.days=1"]


@pytest.fixture(scope="module")
def urban(scenarios):
    return run_box(scenarios / "box" / "urban_voc_limited.toml", SHORT)


def test_dataset_has_units_and_standard_names(urban):
    ds = urban
    assert ds.sizes["time"] == 25
    assert ds.O3.attrs["units"] == "ppb" and ds.O3.attrs["standard_name"] == "mole_fraction_of_ozone_in_air"
    assert ds.CO.attrs["units"] == "ppm" and ds.SULF.attrs["units"] == "ug m-3"
    assert ds.PM25.attrs["standard_name"] == "mass_concentration_of_pm2p5_ambient_aerosol_particles_in_air"
    parts = sum(ds[n] for n in ("POA", "EC", "PM25_OTHER", "SULF", "NO3A", "NH4A", "SOA"))
    np.testing.assert_allclose(ds.PM25, parts, rtol=1e-12)
    np.testing.assert_allclose(ds.PM10, parts + ds.PMC, rtol=1e-12)
    # the sun: J(NO2) zero at night (local midnight is the first record), positive around local noon
    assert ds.J_NO2[0] == 0.0 and ds.J_NO2[12] > 5e-3
    for name in ds.data_vars:
        assert float(ds[name].min()) >= 0.0 or name == "solar_zenith_angle"


def test_ozone_afternoon_peak_and_night_titration(urban):
    """Ozone peaks in the afternoon (local 12-17 h) and NO is titrated at night."""
    o3 = urban.O3.values
    assert 12 <= int(np.argmax(o3)) <= 17
    assert o3.max() > 1.5 * o3[:7].min()
    assert urban.NO.values[20:24].max() < 0.1


def test_halving_nox_raises_urban_ozone_and_lowers_rural_ozone(scenarios):
    """VOC-limited city: less NOx, more O3; NOx-limited countryside: less NOx, less O3 (days 2 and 3). The city's
    rise is +3.6 % since grs_aero gained OH + NO2 -> HNO3 (a NOx sink that makes the city less VOC-limited; more
    than +5 % before): the test holds it to 3.0-4.5 %, around the measured value, rather than only a sign."""
    def peak(path, overrides):
        ds = run_box(path, ["box.days=3"] + overrides)
        return float(ds.O3.isel(time=slice(24, None)).max())

    base = peak(scenarios / "box" / "urban_voc_limited.toml", [])
    halved = peak(scenarios / "box" / "halve_nox.toml", [])
    assert 1.030 < halved / base < 1.045, halved / base
    rural = scenarios / "box" / "rural_nox_limited.toml"
    assert peak(rural, ["emissions.NO=0.06", "emissions.NO2=0.005"]) < 0.95 * peak(rural, [])


def test_polluted_night_titrates_ozone_and_builds_pm(scenarios):
    ds = run_box(scenarios / "box" / "polluted_night.toml", ["box.days=2"])
    assert float(ds.O3.isel(time=slice(2, 12)).max()) < 1.0  # the first night
    assert float(ds.PM25[-1]) > float(ds.PM25[0])


@pytest.mark.parametrize("overrides, message", [
    (["box.dayz=1"], "unknown key 'dayz'; valid keys: mechanism, start"),
    (["box.hours=5"], "give exactly one of days or hours"),
    (["initial.O4=3.0"], "initial.O4: unknown species 'O4'; the mechanism grs_aero has: NO, NO2, O3"),
    (["initial.O3=\"40 ppq\""], "initial.O3: expected a number (in the species' output units) or a string such as "
                                "'40 ppb' or '12 ug m-3', got '40 ppq'"),
    (["emissions.NO=\"2 ppb\""], "a rate needs a unit per hour, e.g. '2.0 ppb h-1'"),
    (["emissions.NO=-1.0"], "emissions.NO: -1.0 must be a finite number >= 0"),
    (["environment.relative_humidity=120.0"], "must lie in 0..100"),
    (["box.method=\"ros4\""], "box.method: unknown value 'ros4'; choose one of: ros2, rodas3"),
    (["box.mechanism=\"grs\""], "unknown chemical mechanism 'grs'; choose one of: cb05_aero, grs_aero"),
    (["box.start=\"yesterday\""], "box.start: 'yesterday' is not an ISO 8601 time"),
    (["box.emission_profile=[1.0, 2.0]"], "emission_profile: give 24 non-negative factors"),
    (["environment.temperature=\"hot\""], "environment.temperature: expected a number, got 'hot'"),
])
def test_config_errors_name_the_key(scenarios, overrides, message):
    from airmodel.chemistry.box import build_setup

    with pytest.raises(InputError) as info:
        build_setup(load_box_config(scenarios / "box" / "urban_voc_limited.toml", overrides))
    assert message in str(info.value)


def test_units_in_strings_are_converted(scenarios):
    base = run_box(scenarios / "box" / "rural_nox_limited.toml", ["box.days=0.125", "initial.O3=45.0"])
    ppm = run_box(scenarios / "box" / "rural_nox_limited.toml", ["box.days=0.125", "initial.O3=\"0.045 ppm\""])
    np.testing.assert_allclose(ppm.O3.values, base.O3.values, rtol=1e-12)
    ugm3 = run_box(scenarios / "box" / "rural_nox_limited.toml", ["box.days=0.125", "initial.SULF=\"6 ug m-3\""])
    assert float(ugm3.SULF[0]) == pytest.approx(6.0, rel=1e-12)


def test_cli_writes_csv_netcdf_and_plot(scenarios, tmp_path, capsys):
    config = str(scenarios / "box" / "rural_nox_limited.toml")
    csv, nc, png = tmp_path / "r.csv", tmp_path / "r.nc", tmp_path / "r.png"
    assert box_main([config, "-o", str(csv), "--set", "box.days=0.25", "--plot", str(png)]) == 0
    header = csv.read_text().splitlines()[0]
    assert header.startswith("time_utc,NO [ppb],NO2 [ppb],O3 [ppb]") and "PM25 [ug m-3]" in header
    import matplotlib.image as mpimg  # heavy: only for this check

    assert mpimg.imread(png)[..., :3].std() > 0.05  # a drawn figure (pixel spread 0.26), not a blank image
    assert box_main([config, "-o", str(nc), "--set", "box.days=0.25"]) == 0
    ds = xr.open_dataset(nc)
    assert ds.O3.attrs["standard_name"] == "mole_fraction_of_ozone_in_air" and ds.sizes["time"] == 7
    ds.close()
    assert not list(tmp_path.glob("*.part*"))


def test_cli_errors_exit_2_and_write_nothing(scenarios, tmp_path, capsys):
    config = str(scenarios / "box" / "urban_voc_limited.toml")
    out = tmp_path / "out.csv"
    for args, message in [
        ([config, "-o", str(out), "--set", "initial.NOx=1.0"], "unknown species 'NOx'"),
        ([config, "-o", str(tmp_path / "out.txt")], "the output must end in .csv or .nc"),
        ([str(tmp_path / "missing.toml"), "-o", str(out)], "scenario file not found"),
        ([config, "-o", str(out), "--plot", str(tmp_path / "p.jpg")], "the plot must be a .png file"),
        ([config, "-o", str(tmp_path / "nodir" / "out.csv")], "does not exist"),
    ]:
        assert box_main(args) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err
        assert not list(tmp_path.glob("out*")) and not list(tmp_path.glob("*.part*"))
    out.write_text("keep me")
    assert box_main([config, "-o", str(out), "--set", "box.days=0.125"]) == 2
    assert "exists; use --force to overwrite" in capsys.readouterr().err
    assert out.read_text() == "keep me"
    assert box_main([config, "-o", str(out), "--set", "box.days=0.125", "--force"]) == 0
    assert out.read_text().startswith("time_utc")


def test_write_and_plot_helpers(urban, tmp_path):
    with pytest.raises(InputError, match="must end in .csv or .nc"):
        write_box(urban, tmp_path / "x.json")
    path = plot_box(urban, tmp_path / "u.png")
    assert path.exists() and not list(tmp_path.glob("*.part*"))
