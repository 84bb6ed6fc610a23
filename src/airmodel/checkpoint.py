"""Checkpoints: the full model state at a step, written atomically, and read back for ``--restart``.

Each stateful part of a run gives its state (``restart_state() -> dict``) and takes it back (``restore_state``): the
model (the concentrations, the step), the chemistry (its carried solver step sizes), the budget so far and the
output writer (its record counts, its running hourly sums and where it writes, so that the records before the
checkpoint can be carried over). This module only loops over them: arrays become NetCDF variables, numbers and
text global attributes, each under its name in the variables registry (airmodel/variables.py, "checkpoint").

Beside each checkpoint, ``records_<time>.nc`` holds the output records written since the checkpoint before it
(:func:`write_records`); a restart rebuilds the records before its checkpoint from them rather than from the
interrupted run's partial output, which a kill during a write can damage.

A checkpoint also carries the identity of its run (:class:`RunIdentity`): a hash of every scenario setting that
determines the state (airmodel.scenario.state_identity, key by key, so that a refusal can name what differs), the
output the run writes and a run id. ``--restart`` takes only a checkpoint of the same scenario, at an instant on the
run's step grid inside the run; a checkpoint folder holding another run's checkpoints is not written into without
``--force`` (:func:`claim_folder`).
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import netCDF4
import numpy as np

from .errors import InputError
from .files import atomic_file
from .scenario import Scenario, state_identity
from .variables import checkpoint_entry

CHECKPOINT_GLOB = "checkpoint_*.nc"
#: The output records written between two checkpoints (see :func:`write_records`).
RECORDS_GLOB = "records_*.nc"
#: The temporary names of checkpoints and records being written (airmodel.files.create_temporary), left by a killed
#: run.
UNFINISHED_GLOBS = (".checkpoint_*.nc.*.part", ".records_*.nc.*.part")


@dataclass
class RunIdentity:
    """Which run a checkpoint belongs to: the per-key hashes of its scenario's state-determining settings, their
    combined hash, the output it writes, and a run id (a restarted run keeps the id of the run it continues)."""

    settings: dict[str, str]
    output: str
    run_id: str

    @classmethod
    def of(cls, scenario: Scenario, output: Path, run_id: str | None = None) -> "RunIdentity":
        return cls(state_identity(scenario), str(Path(output).resolve()), run_id or uuid.uuid4().hex)

    @property
    def scenario_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.settings, sort_keys=True).encode()).hexdigest()

    def restart_state(self) -> dict:
        return dict(scenario_hash=self.scenario_hash, scenario_identity=json.dumps(self.settings, sort_keys=True),
                    run_output=self.output, run_id=self.run_id)

    def restore_state(self, state: dict) -> None:
        """Nothing to restore: the identity is checked by :func:`read_checkpoint`, the run id taken over by the
        driver."""

    def differences(self, settings: dict[str, str]) -> list[str]:
        """The keys whose settings differ from ``settings`` (or are in only one of the two)."""
        return sorted(k for k in set(self.settings) | set(settings) if self.settings.get(k) != settings.get(k))


def _identity_of(path: Path) -> dict:
    """The identity attributes of a checkpoint file ({} where it has none or cannot be read)."""
    try:
        with netCDF4.Dataset(path) as ds:
            return {k: ds.getncattr(k) for k in ("scenario_hash", "scenario_identity", "run_output", "run_id")
                    if k in ds.ncattrs()}
    except OSError:
        return {}


def _settings_of(held: dict) -> dict:
    """The per-key hashes a checkpoint's identity holds ({} where they cannot be read)."""
    try:
        settings = json.loads(held.get("scenario_identity", "{}"))
    except ValueError:
        return {}
    return settings if isinstance(settings, dict) else {}


def claim_folder(folder: Path, identity: RunIdentity, force: bool) -> None:
    """Check, before anything is written, that the checkpoint folder is free for this run: absent, empty of
    checkpoints, or holding checkpoints of this very run (the same scenario, and the same output or run id).
    Another run's checkpoints are refused with exit 2 unless ``force``, which removes them so that the folder never
    mixes two runs. The temporary files of checkpoints that a killed run left unfinished are removed."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"checkpoint folder {folder}: exists and is not a folder")
    if not folder.is_dir():
        return
    foreign = []
    unfinished = [path for pattern in UNFINISHED_GLOBS for path in sorted(folder.glob(pattern))]
    for path in sorted(folder.glob(CHECKPOINT_GLOB)) + sorted(folder.glob(RECORDS_GLOB)):
        held = _identity_of(path)
        ours = held.get("scenario_hash") == identity.scenario_hash and (
            held.get("run_output") == identity.output or held.get("run_id") == identity.run_id)
        if not ours:
            foreign.append((path, held))
    if foreign and not force:
        path, held = foreign[0]
        if not held:
            what = "without a run identity (an older airmodel's, or not airmodel's)"
        elif held.get("scenario_hash") != identity.scenario_hash:
            what = (f"of another scenario (a run writing {held.get('run_output')}; differing: "
                    f"{', '.join(identity.differences(_settings_of(held)))})")
        else:
            what = f"of another run of this scenario, writing {held.get('run_output')}"
        raise InputError(f"checkpoint folder {folder}: holds {len(foreign)} checkpoint file(s) {what}, e.g. "
                         f"{path.name}; choose another output.checkpoint_dir or output, or give --force to replace "
                         f"them")
    for path, _ in foreign:
        path.unlink()
    for path in unfinished:  # never complete: the temporary files of checkpoints a killed run was writing
        path.unlink(missing_ok=True)


def checkpoint_name(model) -> str:
    return f"checkpoint_{model.now:%Y%m%dT%H%M%S}.nc"


def components(model, writer) -> list:
    """Everything a restart restores, in the order it is restored."""
    return model.restart_components() + [writer]


def write_checkpoint(folder: Path, model, writer, identity: RunIdentity) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / checkpoint_name(model)
    state = {}
    for part in components(model, writer) + [identity]:
        state.update(part.restart_state())
    # a checkpoint of the same instant (a rerun of the same run) is replaced
    with atomic_file(path, force=True, what="checkpoint") as tmp, netCDF4.Dataset(tmp, "w", format="NETCDF4") as ds:
        ds.setncatts(dict(title="airmodel restart checkpoint"))
        ns, nz, ny, nx = model.concentration.shape
        for name, n in (("species", ns), ("z", nz), ("y", ny), ("x", nx)):
            ds.createDimension(name, n)
        for name, value in state.items():
            entry = checkpoint_entry(name)  # every piece of state is declared in the registry
            if np.ndim(value) == 0:
                ds.setncattr(name, value)
                continue
            dims = entry.dims if "..." not in entry.dims else tuple(f"{name}{d}" for d in range(np.ndim(value)))
            for d, n in zip(dims, np.shape(value)):
                if d not in ds.dimensions:
                    ds.createDimension(d, n)
            var = ds.createVariable(name, "f8", dims, zlib=np.ndim(value) > 1)
            var.setncatts(entry.attributes(dict(term=name.removeprefix("budget_"))))
            var[:] = value
    return path


def write_records(folder: Path, model, writer, identity: RunIdentity, start: dict[str, int]) -> dict[str, int]:
    """Copy the output records written since the last checkpoint (``start``: the records then, by time axis) into
    ``records_<time>.nc`` beside the checkpoints, atomically; returns the records now.

    Why: the run's partial output is one HDF5 file written in place, and a run killed while the library updates it
    can leave records written long before unreadable or changed. These files, each written once and renamed when
    complete before the checkpoint of the same time, keep every record a restart needs; a restart rebuilds the
    records before its checkpoint from them (:func:`records_before`)."""
    end = dict(writer.records)
    path = folder / f"records_{model.now:%Y%m%dT%H%M%S}.nc"
    source = writer.ds
    with atomic_file(path, force=True, what="checkpoint") as tmp, netCDF4.Dataset(tmp, "w", format="NETCDF4") as ds:
        ds.setncatts(dict(title="airmodel output records between two checkpoints", **identity.restart_state()))
        for axis, n in end.items():
            ds.setncattr(f"records_{axis}", np.array([start[axis], n], dtype=np.int64))
            if axis not in source.dimensions:
                continue
            ds.createDimension(axis, None)
            for name, var in source.variables.items():
                if var.dimensions[:1] != (axis,):
                    continue
                for d in var.dimensions[1:]:
                    if d not in ds.dimensions:
                        ds.createDimension(d, len(source.dimensions[d]))
                copy = ds.createVariable(name, var.dtype, var.dimensions, zlib=True, fill_value=False)
                var.set_auto_mask(False)  # the values as stored, bit for bit
                try:
                    copy[:] = var[start[axis]:n]
                finally:
                    var.set_auto_mask(True)
    return end


def records_before(folder: Path, state: dict) -> list[Path] | None:
    """The records files of the run that wrote a checkpoint (``state``) that together hold every output record
    before it, in order; None where they do not (an older airmodel's checkpoint, or files removed)."""
    wanted = {"time": int(state["records_time"]), "time_instant": int(state["records_time_instant"])}
    pieces = {}
    for path in sorted(Path(folder).glob(RECORDS_GLOB)):
        try:
            with netCDF4.Dataset(path) as ds:
                if ds.getncattr("run_id") != state.get("run_id") or \
                        ds.getncattr("scenario_hash") != state.get("scenario_hash"):
                    continue
                spans = tuple(tuple(int(v) for v in ds.getncattr(f"records_{axis}")) for axis in wanted)
        except (OSError, RuntimeError, AttributeError):
            continue
        begin, end = tuple(span[0] for span in spans), tuple(span[1] for span in spans)
        if end != begin:  # a checkpoint with no record since the last one leaves an empty file
            pieces[begin] = (end, path)
    chain, at, goal = [], (0, 0), tuple(wanted.values())
    while at != goal:
        if at not in pieces:
            return None
        at, path = pieces[at]
        chain.append(path)
    return chain


def join_records(paths: list[Path], target: Path) -> Path:
    """One NetCDF file at ``target`` holding the records of ``paths`` (records files, in order) end to end."""
    with netCDF4.Dataset(target, "w", format="NETCDF4") as out:
        for path in paths:
            with netCDF4.Dataset(path) as ds:
                for name, dim in ds.dimensions.items():
                    if name not in out.dimensions:
                        out.createDimension(name, None if dim.isunlimited() else len(dim))
                at = {name: len(dim) for name, dim in out.dimensions.items() if dim.isunlimited()}
                for name, var in ds.variables.items():
                    if name not in out.variables:
                        out.createVariable(name, var.dtype, var.dimensions, fill_value=False)
                    var.set_auto_mask(False)
                    values = var[:]
                    axis = var.dimensions[0]
                    out[name][at[axis]:at[axis] + len(values)] = values
    return target


def read_checkpoint(path: Path, model, identity: RunIdentity) -> dict:
    """Read a checkpoint and check that it belongs to a run of the same scenario (``identity``: every setting that
    determines the state), at an instant of this run's step grid: ``state`` (every component's, by name),
    ``earlier_outputs`` (where the interrupted run was writing) and ``run_id`` (the run it continues)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"--restart {path}: checkpoint file not found")
    try:
        ds = netCDF4.Dataset(path)
    except OSError as exc:
        raise InputError(f"--restart {path}: not a readable NetCDF checkpoint ({exc})") from None
    with ds:
        if "concentration" not in ds.variables or "step_index" not in ds.ncattrs():
            raise InputError(f"--restart {path}: not an airmodel checkpoint (no 'concentration' variable)")
        state = {name: ds.getncattr(name) for name in ds.ncattrs() if name != "title"}
        state.update({name: np.array(var[:], dtype=np.float64) for name, var in ds.variables.items()})
    if "scenario_identity" not in state:
        raise InputError(f"--restart {path}: the checkpoint records no scenario identity (written by an older "
                         f"airmodel), so it cannot be checked against the scenario; rerun to write a new one")
    held = _settings_of(state)
    if not held:
        raise InputError(f"--restart {path}: the checkpoint's scenario identity is unreadable")
    differing = identity.differences(held)
    if differing:
        shown = ", ".join(differing[:12]) + (f" and {len(differing) - 12} more" if len(differing) > 12 else "")
        raise InputError(f"--restart {path}: the checkpoint was written by another scenario; the settings that "
                         f"differ: {shown} (the run's length and output settings may differ, nothing else)")
    species = state["species"].split(",")
    if species != model.species_names:
        raise InputError(f"--restart {path}: the checkpoint holds species {species}, the scenario "
                         f"{model.species_names}")
    if state["concentration"].shape != model.concentration.shape:
        raise InputError(f"--restart {path}: the checkpoint's grid {state['concentration'].shape[1:]} is not the "
                         f"scenario's {model.concentration.shape[1:]}")
    state["step_index"] = int(state["step_index"])
    _check_time(path, state, model.scenario)
    return dict(state=state, earlier_outputs=[Path(state["partial_path"]), Path(state["output_path"])],
                run_id=str(state.get("run_id", "")) or None)


def _check_time(path: Path, state: dict, scenario: Scenario) -> None:
    """The checkpoint's time lies on the run's step grid, inside the run, and agrees with its step count."""
    step = state["step_index"]
    try:
        when = datetime.strptime(str(state["time"]), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except (KeyError, ValueError):
        raise InputError(f"--restart {path}: the checkpoint's time {state.get('time')!r} is not an ISO 8601 UTC "
                         f"time") from None
    start = scenario.start if scenario.start.tzinfo else scenario.start.replace(tzinfo=timezone.utc)
    seconds = (when - start).total_seconds()
    steps = seconds / scenario.time_step
    if seconds < 0 or steps > scenario.n_steps:
        raise InputError(f"--restart {path}: the checkpoint's time {state['time']} is outside the run "
                         f"({scenario.start:%Y-%m-%dT%H:%M:%SZ} to {scenario.end:%Y-%m-%dT%H:%M:%SZ})")
    if steps != round(steps) or round(steps) != step:
        raise InputError(f"--restart {path}: the checkpoint's time {state['time']} (step {step}) is not on the "
                         f"run's {scenario.time_step} s step grid from {scenario.start:%Y-%m-%dT%H:%M:%SZ}")


def restore(model, writer, state: dict) -> None:
    """Give every component its part of a checkpoint's state."""
    for part in components(model, writer):
        part.restore_state(state)
