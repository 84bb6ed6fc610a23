"""Checkpoints that cannot be mixed up.

A checkpoint records the identity of its run: a hash of every scenario setting that determines the state, key by
key, the output and a run id. ``--restart`` refuses another scenario's checkpoint, naming the settings that differ,
and a checkpoint whose time is not on the run's step grid or outside the run (exit 2, nothing written). A
scenario's ``output.checkpoint_dir`` is read from the scenario's folder, and a checkpoint folder holding another
run's checkpoints is not written into without ``--force``.

A longer run continuing from a shorter run's checkpoint, bit for bit, is tested in test_restart.py.
"""
import json
import shutil
from pathlib import Path

import netCDF4
import pytest

from airmodel.checkpoint import RunIdentity
from airmodel.cli import main
from airmodel.scenario import load, read_toml, state_identity

# The small plume of test_restart.py: 60 x 40 x 10 cells of 1 km x 1 km x 50 m, 120 s steps, a checkpoint an hour.
SMALL = ["domain.nx=60", "domain.ny=40", "domain.dx=1000.0", "domain.dy=1000.0", "domain.layers=10",
         "run.time_step=120.0", "output.checkpoint_interval_hours=1"]


def sets(overrides):
    return [x for s in overrides for x in ("--set", s)]


def run(capsys, scenario, output, *overrides, extra=()):
    """``airmodel run`` through the command line: the exit code and stderr."""
    code = main(["run", str(scenario), "-o", str(output), "--no-progress", *sets(SMALL + list(overrides)), *extra])
    return code, capsys.readouterr().err


def assert_refused(code, err, output, *messages):
    assert code == 2, err
    assert "Traceback" not in err
    for message in messages:
        assert message in err, err
    assert not Path(output).exists() and not Path(f"{output}.part").exists()
    assert not Path(f"{output}.checkpoints").exists()


@pytest.fixture
def plume(scenarios):
    return scenarios / "idealized" / "plume.toml"


@pytest.fixture
def one_hour(plume, tmp_path, capsys):
    """A one-hour run of the small plume and its checkpoint at 01 UTC."""
    code, err = run(capsys, plume, tmp_path / "first.nc", "run.hours=1")
    assert code == 0, err
    path = tmp_path / "first.nc.checkpoints" / "checkpoint_20080801T010000.nc"
    assert path.is_file()
    return path


def test_identity_leaves_out_run_length_and_output_settings(plume):
    base = state_identity(load(plume, SMALL + ["run.hours=1"]))
    # the same settings from a dictionary (another folder) with another description, length and outputs
    raw = read_toml(plume)
    raw["description"] = "another text"
    same = state_identity(load(raw, SMALL + ["run.hours=3", "run.name=\"longer\"", "run.threads=1",
                                             "run.progress=false", "run.time_step=120", "output.daily=false",
                                             "output.precision=\"single\"", "output.checkpoint_dir=\"elsewhere\""]))
    assert same == base
    other = state_identity(load(plume, SMALL + ["run.hours=1", "species.tracer.inflow=1.0", "meteorology.kz=20.0"]))
    assert RunIdentity(other, "", "").differences(base) == ["meteorology.kz", "species.tracer.inflow"]


def test_restart_from_another_scenarios_checkpoint_is_refused(plume, one_hour, tmp_path, capsys):
    out = tmp_path / "other.nc"
    code, err = run(capsys, plume, out, "run.hours=2", "meteorology.kz=20.0", extra=["--restart", str(one_hour)])
    assert_refused(code, err, out, "another scenario", "meteorology.kz")
    # the same scenario, run longer, continues from it
    code, err = run(capsys, plume, out, "run.hours=2", extra=["--restart", str(one_hour)])
    assert code == 0, err
    assert (tmp_path / "other.nc.checkpoints" / "checkpoint_20080801T020000.nc").is_file()


def test_restart_outside_the_run_or_off_its_step_grid_is_refused(plume, one_hour, tmp_path, capsys):
    # a 30-minute run cannot continue from 01 UTC
    out = tmp_path / "short.nc"
    code, err = run(capsys, plume, out, "run.hours=0.5", "output.checkpoint_interval_hours=0.5",
                    extra=["--restart", str(one_hour)])
    assert_refused(code, err, out, "outside the run")
    # a checkpoint whose time is not a whole number of 120 s steps from the start
    moved = tmp_path / "moved.nc"
    shutil.copy(one_hour, moved)
    with netCDF4.Dataset(moved, "a") as ds:
        ds.setncattr("time", "2008-08-01T01:01:00Z")
    out = tmp_path / "offgrid.nc"
    code, err = run(capsys, plume, out, "run.hours=2", extra=["--restart", str(moved)])
    assert_refused(code, err, out, "step grid")


def test_checkpoint_dir_is_read_from_the_scenario_folder(plume, tmp_path, capsys, monkeypatch):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(plume, folder / "plume.toml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, err = run(capsys, folder / "plume.toml", tmp_path / "out.nc", "run.hours=1",
                    "output.checkpoint_dir=\"checkpoints\"")
    assert code == 0, err
    assert (folder / "checkpoints" / "checkpoint_20080801T010000.nc").is_file()
    assert not (elsewhere / "checkpoints").exists() and not (tmp_path / "out.nc.checkpoints").exists()


def test_a_shared_checkpoint_dir_is_not_taken_over_without_force(plume, tmp_path, capsys):
    shared = tmp_path / "shared"
    dir_set = f"output.checkpoint_dir=\"{shared}\""
    code, err = run(capsys, plume, tmp_path / "a.nc", "run.hours=1", dir_set)
    assert code == 0, err
    checkpoint = shared / "checkpoint_20080801T010000.nc"
    records = shared / "records_20080801T010000.nc"  # the output's records up to the checkpoint
    before = checkpoint.read_bytes()
    written = sorted([checkpoint.name, records.name])

    # another scenario: refused, naming the folder and what it holds; the first run's checkpoint untouched
    out = tmp_path / "b.nc"
    code, err = run(capsys, plume, out, "run.hours=1", "meteorology.kz=20.0", dir_set)
    assert_refused(code, err, out, str(shared), "another scenario", "meteorology.kz", "--force")
    # the same scenario writing another output is another run too
    code, err = run(capsys, plume, tmp_path / "c.nc", "run.hours=1", dir_set)
    assert_refused(code, err, tmp_path / "c.nc", str(shared), "another run")
    assert checkpoint.read_bytes() == before and sorted(p.name for p in shared.iterdir()) == written

    # with --force the second run replaces the first run's checkpoints
    code, err = run(capsys, plume, out, "run.hours=1", "meteorology.kz=20.0", dir_set, extra=["--force"])
    assert code == 0, err
    assert sorted(p.name for p in shared.iterdir()) == written
    for path in (checkpoint, records):
        with netCDF4.Dataset(path) as ds:
            assert ds.getncattr("run_output") == str(out.resolve())
            assert "meteorology.kz" in json.loads(ds.getncattr("scenario_identity"))
