"""Checkpoint and restart: a restarted run is bitwise identical to an uninterrupted one.

On the plume (one tracer) and on a short demo (the 2008 inventory with point sources and plume rise, grs_aero
chemistry with its per-cell Rosenbrock step sizes and aerosol equilibria, dry deposition, climatological boundaries
and boundary tracers): every variable of the output file and every budget attribute is compared bit for bit.

Also: a run killed with SIGKILL leaves nothing at the output path, and --restart from its last checkpoint
finishes with output identical to the uninterrupted run.
"""
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import netCDF4
import numpy as np
import pytest

import airmodel

# A smaller plume: 60 km x 30 km x 500 m, 1 km cells, checkpoints every hour.
SMALL = ["domain.nx=60", "domain.ny=40", "domain.dx=1000.0", "domain.dy=1000.0", "domain.layers=10",
         "run.time_step=120.0", "output.checkpoint_interval_hours=1"]


def data_variables(path: Path) -> dict:
    with netCDF4.Dataset(path) as ds:
        return {name: np.array(var[:]) for name, var in ds.variables.items()}


def assert_identical(a: Path, b: Path):
    """Every variable (data and coordinates) and every budget attribute of two output files, bit for bit."""
    va, vb = data_variables(a), data_variables(b)
    assert va.keys() == vb.keys()
    for name in va:
        assert va[name].shape == vb[name].shape, name
        # NaN marks the same invalid days (too few hours) in both daily fields
        assert np.array_equal(va[name], vb[name], equal_nan=va[name].dtype.kind == "f"), f"{name} differs"
    with netCDF4.Dataset(a) as da, netCDF4.Dataset(b) as db:
        budget_a = [key for key in da.ncattrs() if key.startswith("budget_")]
        assert budget_a and budget_a == [key for key in db.ncattrs() if key.startswith("budget_")]
        for key in budget_a:
            assert da.getncattr(key) == db.getncattr(key), key


def straight_and_restarted(scenario: Path, tmp_path: Path, overrides: list, hours: int, checkpoint: str):
    """Run 2 x hours straight, and hours then --restart from the checkpoint to 2 x hours; the two output paths."""
    straight, first, resumed = tmp_path / "straight.nc", tmp_path / "first.nc", tmp_path / "resumed.nc"
    airmodel.run(scenario, output=straight, overrides=overrides + [f"run.hours={2 * hours}"])
    airmodel.run(scenario, output=first, overrides=overrides + [f"run.hours={hours}"])
    path = Path(f"{first}.checkpoints") / checkpoint
    assert path.is_file()
    airmodel.run(scenario, output=resumed, overrides=overrides + [f"run.hours={2 * hours}"], restart=path)
    return straight, resumed


def test_run_of_2n_hours_equals_n_plus_restarted_n(scenarios, tmp_path):
    straight, resumed = straight_and_restarted(scenarios / "idealized" / "plume.toml", tmp_path, SMALL, 2,
                                               "checkpoint_20080801T020000.nc")
    assert_identical(straight, resumed)


# The demo on a 0.5-degree grid (12 x 11 x 10 cells), two hours from 00 UTC (08 local: photolysis on),
# checkpoints every hour.
DEMO_SHORT = ["domain.resolution=0.5", "output.checkpoint_interval_hours=1"]


def test_demo_with_inventory_and_chemistry_restarts_bitwise(scenarios, tmp_path):
    """2 h straight = 1 h, then --restart from its checkpoint for the second hour, every variable bitwise."""
    straight, resumed = straight_and_restarted(scenarios / "demo.toml", tmp_path, DEMO_SHORT, 1,
                                               "checkpoint_20080808T010000.nc")
    assert_identical(straight, resumed)
    with netCDF4.Dataset(straight) as ds:
        assert {"O3", "NO2", "SULF", "NO3A", "BND_PM25"} <= set(ds.variables)  # the chemistry really ran
        assert ds.getncattr("budget_SO2_emitted_kg") > 0 and ds.getncattr("budget_SULF_chemical_kg") > 0


def _airmodel(*args):
    return [sys.executable, "-m", "airmodel.cli", *args]


@pytest.mark.slow  # fault injection (SIGKILL), about 25 s: .ci/run runs it with the slow tests
def test_sigkill_leaves_no_partial_output_and_restart_completes(scenarios, tmp_path):
    plume = scenarios / "idealized" / "plume.toml"
    # 20 layers of the plume's 40 (half the time a run); the kill comes within a second of the first checkpoint,
    # while three of the four hours remain (about 4 s on this machine).
    medium = ["run.hours=4", "output.checkpoint_interval_hours=1", "output.precision=\"single\"", "domain.layers=20"]
    sets = [x for s in medium for x in ("--set", s)]
    reference = tmp_path / "reference.nc"
    airmodel.run(plume, output=reference, overrides=medium)

    out = tmp_path / "killed.nc"
    checkpoints = Path(f"{out}.checkpoints")
    proc = subprocess.Popen(_airmodel("run", str(plume), "-o", str(out), "--no-progress", *sets),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not list(checkpoints.glob("checkpoint_*.nc")):
            assert proc.poll() is None, "the run ended before its first checkpoint"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(random.uniform(0.0, 1.0))  # a random moment after the first checkpoint
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    assert not out.exists(), "a killed run left a file at the output path"
    last = sorted(checkpoints.glob("checkpoint_*.nc"))[-1]
    result = subprocess.run(_airmodel("run", str(plume), "-o", str(out), "--no-progress", *sets,
                                      "--restart", str(last)), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert_identical(reference, out)
    assert not Path(f"{out}.part").exists()
