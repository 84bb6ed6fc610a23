"""Faults: a run killed with SIGKILL at random moments, and writes that fail part-way (a full disk).

Kills (20 trials, seeded): ``airmodel run`` in a child process is killed with SIGKILL
- at a random moment of its run;
- during an hourly write of its output: the test polls the partial output ``OUT.nc.part`` and kills the child the
  moment the file starts growing for the n-th hour (the HDF5 library writes a record's chunks and metadata when the
  record is synced);
- during a checkpoint write: the test polls the checkpoint folder and kills the child the moment the temporary
  file of a checkpoint (``.checkpoint_*.part``) or of the output records written beside it (``.records_*.part``)
  appears.
After each kill: nothing at the output path; every checkpoint and records file in the folder is complete (equal,
bit for bit, to the uninterrupted run's file of the same time, but for the attributes that name the run's files
and id); and ``--restart`` from the latest checkpoint (or a new run where there is none) gives the uninterrupted
run's output bit for bit: every variable and its attributes, and every global attribute but ``history`` (the time
it was written), with the command line the uninterrupted run's plus ``--restart``. (This test found that a kill
while the HDF5 library updates the partial output can leave its earlier records unreadable or changed; restarts
now take those records from the records files.)

Full disks: the child's file-size limit (RLIMIT_FSIZE; Python ignores SIGXFSZ, so a write past it fails with EFBIG,
as on a full disk) is set so that a write fails part-way: the run's output, a checkpoint, and the outputs of
``airmodel met``, ``compare`` and ``report``. Each ends with exit code 4, a one-line message naming the file (no
traceback), and nothing at the requested path.

The case: the demo (the 2008 inventory with point sources and plume rise, grs_aero chemistry, dry deposition,
climatological boundaries with tracers) on 20 x 20 x 10 cells of 0.1 degree, 5-minute steps, three hours, a
checkpoint every hour.
"""
import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import netCDF4
import numpy as np
import pytest

from airmodel.cli import main

pytestmark = pytest.mark.slow

# 20 x 20 x 10 cells and 5-minute steps: each model hour takes a few tenths of a second of computing, so that the
# hourly writes stand apart in time (GrowthWatch) even on a fast machine with the generated chemistry.
CASE = ["domain.resolution=0.1", "domain.lon_min=115.5", "domain.lon_max=117.5", "domain.lat_min=39.0",
        "domain.lat_max=41.0", "run.time_step=300", "run.hours=3", "output.checkpoint_interval_hours=1"]
TRIALS = 20
SEED = 20080808
# Checkpoint attributes that name the run's files or its id (they differ between two runs of the same case).
RUN_NAMING = {"run_id", "run_output", "output_path", "partial_path"}


def sets(overrides):
    return [x for s in overrides for x in ("--set", s)]


def run_args(output="out.nc", overrides=CASE):
    return ["run", "demo", "-o", output, "--no-progress", *sets(overrides)]


def child(args, cwd, file_size_limit=None):
    """``airmodel ARGS`` in a child process in ``cwd`` (with a file-size limit in bytes, if given)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.Popen([sys.executable, "-m", "airmodel.cli", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, preexec_fn=limit if file_size_limit else None)


def in_folder(folder, argv):
    """``airmodel ARGV`` in this process, from ``folder``; the exit code."""
    here = os.getcwd()
    os.chdir(folder)
    try:
        return main(argv)
    finally:
        os.chdir(here)


# -- comparing files ----------------------------------------------------------------------------------------------
def same(a, b) -> bool:
    """Two attribute values equal, NaN equal to NaN (a _FillValue may be NaN)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


def variables(ds):
    return {name: (np.asarray(var[:]), {k: var.getncattr(k) for k in var.ncattrs()})
            for name, var in ds.variables.items()}


def assert_same_variables(a, b):
    """Every variable of two open datasets, values bit for bit (NaN where NaN) and attributes."""
    va, vb = variables(a), variables(b)
    assert va.keys() == vb.keys()
    for name, (values, attributes) in va.items():
        other, other_attributes = vb[name]
        assert values.dtype == other.dtype and values.shape == other.shape, name
        assert np.array_equal(values, other, equal_nan=values.dtype.kind == "f"), f"{name} differs"
        assert attributes.keys() == other_attributes.keys(), name
        for key in attributes:
            assert same(attributes[key], other_attributes[key]), (name, key)


def global_attributes(ds, leave_out=()):
    return {k: ds.getncattr(k) for k in ds.ncattrs() if k not in leave_out}


def assert_output_is_reference(path, reference, restarted_from=None):
    with netCDF4.Dataset(path) as a, netCDF4.Dataset(reference) as b:
        assert_same_variables(a, b)
        ga, gb = global_attributes(a, {"history"}), global_attributes(b, {"history"})
        if restarted_from is not None:
            assert ga["command_line"] == f"{gb['command_line']} --restart {restarted_from}"
            ga["command_line"] = gb["command_line"]
        assert ga.keys() == gb.keys()
        for key in ga:
            assert same(ga[key], gb[key]), key


def assert_checkpoint_is_reference(path, reference):
    with netCDF4.Dataset(path) as a, netCDF4.Dataset(reference) as b:
        assert_same_variables(a, b)
        ga, gb = global_attributes(a, RUN_NAMING), global_attributes(b, RUN_NAMING)
        assert ga.keys() == gb.keys()
        for key in ga:
            assert same(ga[key], gb[key]), (path.name, key)


# -- the uninterrupted run -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted run, in this process; and the wall time of the same run as a child process."""
    folder = tmp_path_factory.mktemp("reference")
    assert in_folder(folder, run_args()) == 0
    checkpoints = sorted((folder / "out.nc.checkpoints").iterdir())
    assert [p.name for p in checkpoints] == [f"{kind}_20080808T0{h}0000.nc" for kind in ("checkpoint", "records")
                                             for h in (1, 2, 3)]
    timed = tmp_path_factory.mktemp("timed")
    t0 = time.monotonic()
    proc = child(run_args(), timed)
    assert proc.wait() == 0, proc.stderr.read()
    wall = time.monotonic() - t0
    assert_output_is_reference(timed / "out.nc", folder / "out.nc")
    return dict(output=folder / "out.nc", checkpoints={p.name: p for p in checkpoints}, wall=wall)


# -- kills ----------------------------------------------------------------------------------------------------------
def trial_plan(index):
    """What trial ``index`` does: (kind, parameter). Seeded: the same 20 trials on every run of the test."""
    rng = random.Random(SEED + index)
    kind = ("random moment", "hourly write", "checkpoint write")[index % 3]
    if kind == "random moment":
        return kind, rng.uniform(0.0, 1.0)  # the fraction of the uninterrupted run's wall time
    if kind == "hourly write":
        return kind, (rng.randint(1, 3), rng.uniform(0.0, 0.0005))  # which hour, a delay after it begins (s)
    # which checkpoint, which of its two files (the records since the last one are written first), and a delay
    return kind, (rng.randint(1, 3), rng.choice(["records", "checkpoint"]), rng.uniform(0.0, 0.002))


def kill_when(proc, event, delay=0.0, timeout=300.0):
    """Poll ``event()`` until it is true, then wait ``delay`` s and SIGKILL the child; False if the child ended
    first."""
    deadline = time.monotonic() + timeout
    while not event():
        if proc.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the child neither ended nor reached the moment to kill it"
        time.sleep(1e-4)
    end = time.monotonic() + delay
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    return True


class GrowthWatch:
    """True from the moment the file starts growing for the n-th time after it had settled: the HDF5 library writes
    the file's header within milliseconds of its creation (one burst of growth), and then a burst at each record
    (the record's chunks and metadata); between bursts the file keeps its size for the model's hour of steps."""

    SETTLE = 0.02  # s without growth that ends a burst (an hour of this case takes ten times longer or more)

    def __init__(self, path, n):
        self.path, self.n, self.size, self.changed, self.bursts = Path(path), n, None, 0.0, 0

    def __call__(self):
        try:
            size = os.stat(self.path).st_size
        except FileNotFoundError:
            return False
        now = time.monotonic()
        if self.size is None or size != self.size:
            if self.size is not None and now - self.changed > self.SETTLE:
                self.bursts += 1
            self.size, self.changed = size, now
        return self.bursts >= self.n


class TemporaryWatch:
    """True from the moment the n-th distinct temporary file ``.PREFIX_*.part`` appears in the folder."""

    def __init__(self, folder, prefix, n):
        self.folder, self.prefix, self.n, self.names = Path(folder), f".{prefix}_", n, set()

    def __call__(self):
        try:
            with os.scandir(self.folder) as entries:
                self.names |= {e.name for e in entries if e.name.startswith(self.prefix) and e.name.endswith(".part")}
        except FileNotFoundError:
            return False
        return len(self.names) >= self.n


@pytest.mark.parametrize("index", range(TRIALS))
def test_kill_then_restart_gives_the_uninterrupted_result(reference, tmp_path, index):
    kind, parameter = trial_plan(index)
    out = tmp_path / "out.nc"
    folder = Path(f"{out}.checkpoints")
    proc = child(run_args(), tmp_path)
    try:
        if kind == "random moment":
            killed = kill_when(proc, lambda: True, delay=parameter * reference["wall"])
        elif kind == "hourly write":
            n, delay = parameter
            killed = kill_when(proc, GrowthWatch(f"{out}.part", n), delay)
        else:
            n, which, delay = parameter
            killed = kill_when(proc, TemporaryWatch(folder, which, n), delay)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        code = proc.wait()
        err = proc.stderr.read()
    if code == 0:
        # the run ended before the kill reached it (a random moment after its end, or a SIGKILL sent in the instant
        # the child was exiting, which a zombie ignores): its output is the uninterrupted run's. A watched moment
        # that never came (not killed) means the trial tested nothing.
        assert kind == "random moment" or killed, err
        assert_output_is_reference(out, reference["output"])
        return
    assert code == -signal.SIGKILL, err
    if out.exists():
        # killed after the output's atomic rename, as the process was ending: the file there is complete
        assert_output_is_reference(out, reference["output"])
        return

    # every checkpoint (and records file) there is complete: the uninterrupted run's of the same time, bit for bit
    complete = sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []
    for path in complete:
        assert_checkpoint_is_reference(path, reference["checkpoints"][path.name])
    others = {p.name for p in folder.iterdir()} - {p.name for p in complete} if folder.is_dir() else set()
    assert all(name.startswith((".checkpoint_", ".records_")) and name.endswith(".part") for name in others), others
    checkpoints = [p for p in complete if p.name.startswith("checkpoint_")]
    if kind == "checkpoint write":
        n, which, _ = parameter
        # the kill came while the n-th checkpoint's file was being written: its temporary file is there, or the
        # complete file
        assert len(others) == 1 or len([p for p in complete if p.name.startswith(which)]) >= n, (others, complete)

    argv = run_args()
    if checkpoints:
        argv += ["--restart", str(checkpoints[-1])]
    assert in_folder(tmp_path, argv) == 0
    assert_output_is_reference(out, reference["output"], str(checkpoints[-1]) if checkpoints else None)
    assert not Path(f"{out}.part").exists() and not Path(f"{out}.part.previous").exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(reference["checkpoints"])
    for path in folder.iterdir():
        assert_checkpoint_is_reference(path, reference["checkpoints"][path.name])


# -- full disks ------------------------------------------------------------------------------------------------------
def failed_write(args, cwd, limit):
    """Run ``airmodel ARGS`` with a file-size limit; its exit code and the lines of its error output."""
    proc = child(args, cwd, file_size_limit=limit)
    code = proc.wait()
    return code, proc.stderr.read()


def assert_write_failed(code, err, path, what):
    assert code == 4, err
    assert "Traceback" not in err, err
    errors = [line for line in err.splitlines() if line.startswith("airmodel: error:")]
    assert len(errors) == 1 and errors == err.splitlines()[-1:], err  # one line, the last
    assert f"{path}: writing the {what} failed" in errors[0] and "nothing was written" in errors[0], err
    assert not Path(path).exists()


def size_after(cwd, args):
    """The size of the output of ``airmodel ARGS`` run without a limit (then removed)."""
    assert in_folder(cwd, args) == 0
    path = Path(cwd) / args[args.index("-o") + 1]
    size = path.stat().st_size
    path.unlink()
    return size


# One hour with hourly means, without checkpoints, station series or daily fields: its output is written at
# the end of the hour and when it is closed.
ONE_HOUR = CASE[:-2] + ["run.hours=1", "output.checkpoint_interval_hours=0", "output.stations=\"none\"",
                        "output.daily=false"]


def test_full_disk_during_the_hourly_write(tmp_path):
    full = size_after(tmp_path, run_args("one.nc", ONE_HOUR))  # a name as long as out.nc: the same bytes
    # one byte short of the complete file: the hour's record or the closing metadata cannot be written
    code, err = failed_write(run_args("out.nc", ONE_HOUR), tmp_path, full - 1)
    assert_write_failed(code, err, "out.nc", "output")
    assert not (tmp_path / "out.nc.part").exists()  # damaged by the failed write: removed
    # a limit below the size of the file's header: it fails as it is created
    code, err = failed_write(run_args("out.nc", ONE_HOUR), tmp_path, 4096)
    assert_write_failed(code, err, "out.nc", "output")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# Snapshots only (no hourly means) and one output variable on the demo's whole domain (12 x 11 cells of 0.5
# degree): the output stays small, the checkpoint of the full state (40 species x 10 layers) is larger.
SNAPSHOTS = ["domain.resolution=0.5", "run.hours=1", "output.checkpoint_interval_hours=1",
             "output.hourly_means=false", "output.snapshots=[\"end\"]", "output.variables=[\"O3\"]",
             "output.stations=\"none\""]


def test_full_disk_during_a_checkpoint_write(tmp_path):
    assert in_folder(tmp_path, run_args("full.nc", SNAPSHOTS)) == 0
    output_size = (tmp_path / "full.nc").stat().st_size
    checkpoint_size = min(p.stat().st_size for p in (tmp_path / "full.nc.checkpoints").glob("checkpoint_*.nc"))
    assert output_size < checkpoint_size
    limit = (output_size + checkpoint_size) // 2  # the output fits, a checkpoint does not
    code, err = failed_write(run_args("out.nc", SNAPSHOTS), tmp_path, limit)
    first = "out.nc.checkpoints/checkpoint_20080808T010000.nc"
    assert_write_failed(code, err, first, "checkpoint")
    assert not (tmp_path / "out.nc").exists()
    # no checkpoint, no temporary file (the output's records, small, were written beside it before it failed)
    assert [p.name for p in (tmp_path / "out.nc.checkpoints").iterdir()] == ["records_20080808T010000.nc"]


def test_full_disk_in_met_compare_and_report(tmp_path):
    run_output = tmp_path / "run.nc"
    assert in_folder(tmp_path, run_args("run.nc", ONE_HOUR)) == 0
    limit = 4096
    code, err = failed_write(["met", "demo", "-o", "met.nc", *sets(ONE_HOUR)], tmp_path, limit)
    assert_write_failed(code, err, "met.nc", "output")
    code, err = failed_write(["compare", str(run_output), str(run_output), "-o", "cmp"], tmp_path, limit)
    assert_write_failed(code, err, "cmp", "output folder")
    code, err = failed_write(["report", str(run_output), "-o", "report.html"], tmp_path, limit)
    assert_write_failed(code, err, "report.html", "output")
    # no temporary file or folder left beside them
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.nc"]
