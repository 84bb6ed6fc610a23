"""The run loop: build the model, step it to the end, write outputs and checkpoints, report the budget.

Used by ``airmodel run`` and by ``airmodel.run()``.
"""
from __future__ import annotations

import logging
import os
import queue
import shlex
import sys
import tempfile
import threading
import time as wallclock
from dataclasses import dataclass, field
from pathlib import Path

import netCDF4
import numba
import numpy as np

from .checkpoint import (RunIdentity, claim_folder, join_records, read_checkpoint, records_before, restore,
                         write_checkpoint, write_records)
from .errors import InputError, ModelHealthError, OutputWriteError
from .model import Model
from .nesting import Domain, Nest
from .files import check_new_output, create_temporary, partial_path, writing
from .domains import domain_output
from .output import OutputWriter
from .scenario import load

log = logging.getLogger("airmodel")


class Progress:
    """A one-line progress display: simulated time, wall time and the estimated time left (with a parent domain,
    each domain's simulated time)."""

    def __init__(self, model: Model, enabled: bool, stream=None, domains=None):
        self.model = model
        self.domains = domains or []
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
        if len(self.domains) > 1:
            line += "  (" + ", ".join(f"{d.name} {d.model.elapsed / 3600:.2f} h" for d in self.domains) + ")"
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


@dataclass
class Lane:
    """One domain's files: its output, checkpoint folder and run identity, and what a restart carries over."""

    domain: Domain
    output: Path
    checkpoint_dir: Path
    identity: RunIdentity
    resumed: dict | None = None
    restart: Path | None = None
    earlier: Path | None = None
    records: dict = field(default_factory=lambda: {"time": 0, "time_instant": 0})
    writer: OutputWriter | None = None

    @property
    def model(self) -> Model:
        return self.domain.model


def _lanes(nest: Nest, scenario, output: Path, force: bool, restart) -> list[Lane]:
    """Each domain's files, checked before anything is written (outermost first; the inner domain writes
    ``output``, a parent OUT.NAME.nc beside it, its checkpoints in CHECKPOINTS.NAME beside the inner ones, and a
    restart reads the parent's checkpoint of the same time from there)."""
    given = scenario["output"]["checkpoint_dir"]
    # a scenario's checkpoint_dir is read like its other paths: from the scenario's folder
    inner_dir = scenario.folder / given if given else Path(f"{output}.checkpoints")
    lanes = []
    for d in nest.domains:
        inner = d is nest.domains[-1]
        path = output if inner else domain_output(output, d.name)
        if not inner:
            check_new_output(path, force)
        folder = inner_dir if inner else inner_dir.with_name(f"{inner_dir.name}.{d.name}")
        lane = Lane(d, path, folder, RunIdentity.of(scenario, path))
        if restart:
            given_path = Path(restart)
            lane.restart = given_path if inner else (
                given_path.parent.with_name(f"{given_path.parent.name}.{d.name}") / given_path.name)
        lanes.append(lane)
    return lanes


def _read_checkpoint(lane: Lane) -> None:
    """Read a lane's checkpoint (its ``resumed`` and ``records``); the continued run keeps the run id."""
    resumed = lane.resumed = read_checkpoint(lane.restart, lane.model, lane.identity)
    if resumed["run_id"]:
        lane.identity.run_id = resumed["run_id"]  # the continued run keeps its id (and its checkpoint folder)
    state = resumed["state"]
    lane.records = {"time": int(state["records_time"]), "time_instant": int(state["records_time_instant"])}


def _find_earlier(lane: Lane) -> None:
    """The records a restarted lane's output carries over (``earlier``), after its checkpoint folder is claimed
    (which removes unfinished temporary files)."""
    restart, resumed = lane.restart, lane.resumed
    state = resumed["state"]
    pieces = records_before(restart.parent, state)
    tmp = partial_path(lane.output)
    moved = tmp.with_name(tmp.name + ".previous")
    if pieces is not None:
        # the records before the checkpoint, from the files written beside the checkpoints
        earlier = join_records(pieces, create_temporary(restart.parent / "records_joined.nc"))
    else:
        earlier = _earlier_output(resumed, moved)
    if earlier is not None and earlier.resolve() == tmp.resolve():
        os.replace(tmp, moved)
        earlier = moved
    if earlier is None:
        log.warning("no earlier output of the interrupted run was found; the output starts at the checkpoint")
    lane.earlier = earlier


def execute(scenario_source, output: Path, overrides=None, force=False, restart=None,
            command_line: str | None = None) -> Path:
    """Run a scenario to ``output`` (NetCDF; a parent domain's to OUT.NAME.nc beside it). Raises InputError for
    bad input before anything is written."""
    output = Path(output)
    scenario = load(scenario_source, overrides)
    check_new_output(output, force)
    if command_line is None:
        command_line = f"airmodel.run({scenario_source!r})"
    threads = scenario["run"]["threads"]
    if threads:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    nest = Nest(scenario)
    model = nest.inner
    checkpoint_every = _checkpoint_steps(model)
    lanes = _lanes(nest, scenario, output, force, restart)
    if restart:
        for lane in lanes:
            _read_checkpoint(lane)
    if checkpoint_every:
        for lane in lanes:
            claim_folder(lane.checkpoint_dir, lane.identity, force)
    if restart:
        for lane in lanes:
            _find_earlier(lane)

    for lane in lanes:
        try:
            with writing(lane.output):
                lane.writer = OutputWriter(lane.output, lane.model, command_line)
                if nest.nested:
                    lane.writer.name_domain(lane.domain.name, lane.domain.parent)
        except OutputWriteError:
            partial_path(lane.output).unlink(missing_ok=True)  # the writer could not even close it
            for other in lanes:
                if other.writer is not None:
                    other.writer.abandon()
            raise
    try:
        for lane in lanes:
            if lane.resumed:
                restore(lane.model, lane.writer, lane.resumed["state"])
                with writing(lane.output):
                    lane.writer.carry_over(lane.earlier)
                earlier = lane.earlier
                if earlier is not None and (earlier.name.endswith(".previous") or earlier.name.startswith(".records")):
                    earlier.unlink()
            else:
                with writing(lane.output):
                    lane.writer.after_step()
        progress = Progress(model, scenario["run"]["progress"], domains=nest.domains)
        t_start = wallclock.perf_counter()
        by_domain = {id(lane.domain): lane for lane in lanes}
        if parent_in_own_thread(nest):
            _step_with_parent_thread(nest, lanes, checkpoint_every, progress)
        while model.step_index < scenario.n_steps:
            for domain in nest.due():
                lane = by_domain[id(domain)]
                nest.step(domain)
                with domain.model.timers("output"):
                    with writing(lane.output):
                        lane.writer.after_step()
            if checkpoint_every and model.step_index % checkpoint_every == 0:
                _write_checkpoints(lanes)
            progress.update()
        progress.update(force=True)
        wall = wallclock.perf_counter() - t_start
        for lane in lanes:
            rows = lane.model.budget.table(lane.model.burden())
            _log_summary(lane.model, rows, wall, lane.domain.name if nest.nested else "")
            with writing(lane.output):
                path = lane.writer.finish(rows)
        return path
    except BaseException as exc:
        for lane in lanes:
            lane.writer.abandon()
            # A stop that a restart would meet again, or a partial output that a failed write has damaged: nothing
            # half-written stays (the checkpoints already written are complete, and stay). Interrupted, or a failed
            # checkpoint: the partial output stays for --restart.
            if isinstance(exc, (InputError, ModelHealthError)) or (
                    isinstance(exc, OutputWriteError) and exc.path == lane.output):
                lane.writer.tmp.unlink(missing_ok=True)
        raise


def _write_checkpoints(lanes: list[Lane]) -> None:
    """Every domain's checkpoint of the same instant, and the output records since the last one."""
    for lane in lanes:
        _write_checkpoint(lane)


def _write_checkpoint(lane: Lane) -> None:
    """One domain's checkpoint, and its output records since its last one."""
    with lane.model.timers("output"), _NETCDF:
        lane.checkpoint_dir.mkdir(parents=True, exist_ok=True)
        lane.records = write_records(lane.checkpoint_dir, lane.model, lane.writer, lane.identity, lane.records)
        write_checkpoint(lane.checkpoint_dir, lane.model, lane.writer, lane.identity)


# -- the parent domain in a thread of its own --------------------------------------------------------------------
#: The NetCDF library is not thread-safe: while two domains step at the same time, one file operation at a time.
_NETCDF = threading.Lock()
#: Meteorology sources that read no file while the run steps (the others read theirs record by record).
_SOURCES_WITHOUT_FILES = ("synthetic", "idealized")


def parent_in_own_thread(nest: Nest) -> bool:
    """Whether the parent domain steps in a thread of its own, beside the inner domain: a run with a parent domain,
    at least two Numba threads, and sources that read no file while the run steps (the meteorology synthetic or
    idealized, the boundary not a NetCDF file). Why: the two domains' steps depend on each other only through the
    parent's state at the end of each parent step (one-way nesting), and on two cores one thread a domain keeps
    both busy, where each domain's Python work between its kernels left a core idle (benchmarks/RESULTS.md).
    The results are the same, bit for bit: each domain's arithmetic does not depend on which thread does it."""
    sc = nest.scenario
    return (nest.nested and numba.get_num_threads() >= 2 and sc["meteorology"]["source"] in _SOURCES_WITHOUT_FILES
            and sc["boundary"]["source"] != "cf")


class ParentThread(threading.Thread):
    """Steps the parent domain, writes its output and its checkpoints, one Numba thread, and hands the inner domain
    the parent's state after each step (``Nest.parent_state``; the inner domain's thread interpolates it to its
    boundary) through a queue of two, so that the parent runs at most two steps ahead. The parent's checkpoint of
    an instant is written when the parent reaches it, the inner domain's when the inner domain does (a restart
    reads both of the instant it restarts from; a checkpoint of the parent written before the run stopped, and not
    matched by the inner domain's, is not read). An exception ends the thread and is handed on through the same
    queue (``take``, or ``raise_pending`` once the thread has ended)."""

    def __init__(self, nest: Nest, lane: Lane, checkpoint_every: int):
        super().__init__(name="airmodel-parent-domain", daemon=True)
        self.nest, self.lane = nest, lane
        self.checkpoint_every = checkpoint_every // nest.domains[0].every if checkpoint_every else 0  # its steps
        self.states: queue.Queue = queue.Queue(maxsize=2)
        self.stop = threading.Event()

    def run(self) -> None:
        numba.set_num_threads(1)
        model = self.lane.model
        try:
            self._put(self.nest.parent_state())
            while model.step_index < model.scenario.n_steps and not self.stop.is_set():
                model.step()
                state = self.nest.parent_state()
                with model.timers("output"), _NETCDF, writing(self.lane.output):
                    self.lane.writer.after_step()
                self._put(state)
                if self.checkpoint_every and model.step_index % self.checkpoint_every == 0:
                    _write_checkpoint(self.lane)
        except BaseException as exc:  # handed to the inner domain's thread, which raises it
            self._put(exc)

    def _put(self, item) -> None:
        while not self.stop.is_set():
            try:
                self.states.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    def take(self):
        """The parent's next state (Nest.parent_state); the parent's exception is raised here."""
        while True:
            try:
                item = self.states.get(timeout=0.05)
            except queue.Empty:
                if not self.is_alive() and self.states.empty():
                    raise RuntimeError("the parent domain's thread ended before the run did") from None
                continue
            if isinstance(item, BaseException):
                raise item
            return item

    def raise_pending(self) -> None:
        """After the thread has ended: raise the exception it handed on after the last state the inner domain took
        (its last output record or checkpoint failed), if any."""
        while not self.states.empty():
            item = self.states.get_nowait()
            if isinstance(item, BaseException):
                raise item


def _step_with_parent_thread(nest: Nest, lanes: list[Lane], checkpoint_every: int, progress: Progress) -> None:
    """The run loop with the parent domain in a ParentThread and the inner domain in this thread (one Numba thread
    each): the inner domain takes the parent's state at the end of each parent step when its own steps reach that
    step, as the loop one domain after the other does; each thread writes its domain's output and checkpoints."""
    model = nest.inner
    parent_domain, inner_domain = nest.domains
    inner_lane = next(lane for lane in lanes if lane.domain is inner_domain)
    parent_lane = next(lane for lane in lanes if lane.domain is parent_domain)
    log.info("the parent domain %s steps in a thread of its own, beside the inner domain", parent_domain.name)
    threads = numba.get_num_threads()
    worker = ParentThread(nest, parent_lane, checkpoint_every)
    numba.set_num_threads(1)
    worker.start()
    try:
        nest.boundary.push(nest.boundary.sample(*worker.take()))  # the parent's state at its start
        while model.step_index < model.scenario.n_steps:
            if model.step_index % parent_domain.every == 0:
                # ... at the end of the parent step that begins now
                nest.boundary.push(nest.boundary.sample(*worker.take()))
            nest.step(inner_domain)
            with model.timers("output"), _NETCDF, writing(inner_lane.output):
                inner_lane.writer.after_step()
            if checkpoint_every and model.step_index % checkpoint_every == 0:
                _write_checkpoint(inner_lane)
            progress.update()
        worker.join()
        worker.raise_pending()
    finally:
        worker.stop.set()
        worker.join()
        numba.set_num_threads(threads)


def _log_summary(model: Model, rows: list[dict], wall: float, name: str = "") -> None:
    domain = f" of domain {name}" if name else ""
    log.info("run finished: %d steps%s in %.2f s wall", model.step_index, domain, wall)
    log.info("budget%s (kg):\n%s", domain, "\n".join(
        f"  {r['species']}: start {r['burden_start']:.6e} emitted {r['emitted']:.6e} in {r['inflow']:.6e} "
        f"out {r['outflow']:.6e} deposited {r['deposited']:.6e} wet {r.get('wet_deposited', 0.0):.6e} "
        f"chemical {r['chemical']:+.6e} "
        f"end {r['burden_end']:.6e} "
        f"residual {r['relative_residual']:.2e}" for r in rows))
    log.info("time by process%s:\n%s", domain, model.timers.table())


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


__all__ = ["domain_output", "execute", "run_to_dataset", "ModelHealthError"]
