"""The run loop: build the model, step it to the end, write outputs and checkpoints, report the budget.

Used by ``airmodel run`` and by ``airmodel.run()``.
"""
from __future__ import annotations

import logging
import os
import shlex
import sys
import tempfile
import time as wallclock
from pathlib import Path

import netCDF4
import numba
import numpy as np

from .checkpoint import (RunIdentity, claim_folder, join_records, read_checkpoint, records_before, restore,
                         write_checkpoint, write_records)
from .errors import InputError, ModelHealthError, OutputWriteError
from .model import Model
from .files import check_new_output, create_temporary, partial_path, writing
from .output import OutputWriter
from .scenario import load

log = logging.getLogger("airmodel")


class Progress:
    """A one-line progress display: simulated time, wall time and the estimated time left."""

    def __init__(self, model: Model, enabled: bool, stream=None):
        self.model = model
        self.enabled = enabled
        self.stream = stream = stream or sys.stderr
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.t0 = wallclock.perf_counter()
        self.first_step = model.step_index
        self.last = 0.0

    def update(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = wallclock.perf_counter()
        interval = 1.0 if self.tty else 10.0
        if not force and now - self.last < interval:
            return
        self.last = now
        m = self.model
        n_total = m.scenario.n_steps
        done = m.step_index - self.first_step
        wall = now - self.t0
        left = wall / done * (n_total - m.step_index) if done else float("nan")
        line = (f"[{m.elapsed / 3600:8.2f}/{n_total * m.time_step / 3600:.2f} h] {m.now:%Y-%m-%d %H:%M} UTC  "
                f"wall {_hms(wall)}  left {_hms(left)}")
        if self.tty:
            self.stream.write("\r" + line + ("\n" if force else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _hms(seconds: float) -> str:
    if not np.isfinite(seconds):
        return "--:--:--"
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _checkpoint_steps(model: Model) -> int:
    hours = float(model.scenario["output"]["checkpoint_interval_hours"])
    if hours <= 0:
        return 0
    steps = hours * 3600.0 / model.time_step
    if steps != round(steps) or steps < 1:
        raise InputError(f"output.checkpoint_interval_hours: {hours} h is not a whole number of "
                         f"{model.time_step} s time steps")
    return int(round(steps))


def _earlier_output(resumed: dict, previous: Path) -> Path | None:
    """The interrupted run's partial (or finished) output, whose records before the checkpoint a restart carries
    over (``previous`` first: the partial output a restart that failed had set aside); checked first, every record
    it must give read back, so that a damaged file is refused with a message rather than failing half-way. None
    where there is none."""
    state = resumed["state"]
    records = {"time": int(state["records_time"]), "time_instant": int(state["records_time_instant"])}
    for candidate in [previous] + resumed["earlier_outputs"]:
        if not candidate.is_file():
            continue
        try:
            with netCDF4.Dataset(candidate) as ds:
                for axis, n in records.items():
                    if n and (axis not in ds.dimensions or len(ds.dimensions[axis]) < n):
                        raise ValueError(f"it holds fewer than the checkpoint's {n} records in {axis}")
                    for var in ds.variables.values():
                        if n and var.dimensions[:1] == (axis,):
                            var[:n]
        except (OSError, RuntimeError, ValueError) as exc:
            raise InputError(f"--restart: the interrupted run's output {candidate} cannot be read back ({exc}); "
                             f"remove it to restart with an output that begins at the checkpoint, or run again "
                             f"from the start") from None
        return candidate
    return None


def execute(scenario_source, output: Path, overrides=None, force=False, restart=None,
            command_line: str | None = None) -> Path:
    """Run a scenario to ``output`` (NetCDF). Raises InputError for bad input before anything is written."""
    output = Path(output)
    scenario = load(scenario_source, overrides)
    check_new_output(output, force)
    if command_line is None:
        command_line = f"airmodel.run({scenario_source!r})"
    threads = scenario["run"]["threads"]
    if threads:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    model = Model(scenario)
    checkpoint_every = _checkpoint_steps(model)
    # a scenario's checkpoint_dir is read like its other paths: from the scenario's folder
    given = scenario["output"]["checkpoint_dir"]
    checkpoint_dir = scenario.folder / given if given else Path(f"{output}.checkpoints")

    identity = RunIdentity.of(scenario, output)
    resumed = read_checkpoint(Path(restart), model, identity) if restart else None
    if resumed and resumed["run_id"]:
        identity.run_id = resumed["run_id"]  # the continued run keeps its id (and its checkpoint folder)
    if checkpoint_every:
        claim_folder(checkpoint_dir, identity, force)
    earlier = None
    records = {"time": 0, "time_instant": 0}  # the output records at the last checkpoint
    if resumed:
        state = resumed["state"]
        records = {"time": int(state["records_time"]), "time_instant": int(state["records_time_instant"])}
        pieces = records_before(Path(restart).parent, state)
        tmp = partial_path(output)
        moved = tmp.with_name(tmp.name + ".previous")
        if pieces is not None:
            # the records before the checkpoint, from the files written beside the checkpoints
            earlier = join_records(pieces, create_temporary(Path(restart).parent / "records_joined.nc"))
        else:
            earlier = _earlier_output(resumed, moved)
        if earlier is not None and earlier.resolve() == tmp.resolve():
            os.replace(tmp, moved)
            earlier = moved
        if earlier is None:
            log.warning("no earlier output of the interrupted run was found; the output starts at the checkpoint")

    try:
        with writing(output):
            writer = OutputWriter(output, model, command_line)
    except OutputWriteError:
        partial_path(output).unlink(missing_ok=True)  # the writer could not even close it
        raise
    try:
        if resumed:
            restore(model, writer, resumed["state"])
            with writing(output):
                writer.carry_over(earlier)
            if earlier is not None and (earlier.name.endswith(".previous") or earlier.name.startswith(".records")):
                earlier.unlink()
        else:
            with writing(output):
                writer.after_step()
        progress = Progress(model, scenario["run"]["progress"])
        t_start = wallclock.perf_counter()
        while model.step_index < scenario.n_steps:
            model.step()
            with model.timers("output"):
                with writing(output):
                    writer.after_step()
                if checkpoint_every and model.step_index % checkpoint_every == 0:
                    checkpoint_dir.mkdir(parents=True, exist_ok=True)
                    records = write_records(checkpoint_dir, model, writer, identity, records)
                    write_checkpoint(checkpoint_dir, model, writer, identity)
            progress.update()
        progress.update(force=True)
        wall = wallclock.perf_counter() - t_start
        burden = model.burden()
        rows = model.budget.table(burden)
        _log_summary(model, rows, wall)
        with writing(output):
            return writer.finish(rows)
    except BaseException as exc:
        writer.abandon()
        # A stop that a restart would meet again, or a partial output that a failed write has damaged: nothing
        # half-written stays (the checkpoints already written are complete, and stay). Interrupted, or a failed
        # checkpoint: the partial output stays for --restart.
        if isinstance(exc, (InputError, ModelHealthError)) or (
                isinstance(exc, OutputWriteError) and exc.path == output):
            writer.tmp.unlink(missing_ok=True)
        raise


def _log_summary(model: Model, rows: list[dict], wall: float) -> None:
    log.info("run finished: %d steps in %.2f s wall", model.step_index, wall)
    log.info("budget (kg):\n%s", "\n".join(
        f"  {r['species']}: start {r['burden_start']:.6e} emitted {r['emitted']:.6e} in {r['inflow']:.6e} "
        f"out {r['outflow']:.6e} deposited {r['deposited']:.6e} wet {r.get('wet_deposited', 0.0):.6e} "
        f"chemical {r['chemical']:+.6e} "
        f"end {r['burden_end']:.6e} "
        f"residual {r['relative_residual']:.2e}" for r in rows))
    log.info("time by process:\n%s", model.timers.table())


def run_to_dataset(source, output=None, overrides=None, force=False, restart=None):
    """``airmodel.run``: run and return the output as an xarray.Dataset (loaded into memory)."""
    import xarray as xr

    if output is None:
        with tempfile.TemporaryDirectory() as tmp:
            path = execute(source, Path(tmp) / "airmodel_run.nc", overrides, force, restart)
            return xr.load_dataset(path)
    path = execute(source, Path(output), overrides, force, restart)
    return xr.load_dataset(path)


def command_line_text(argv: list[str]) -> str:
    return "airmodel " + " ".join(shlex.quote(a) for a in argv)


__all__ = ["execute", "run_to_dataset", "ModelHealthError"]
