"""Checkpoints: the full model state at a step, written atomically, and read back for ``--restart``.

Each stateful part of a run gives its state (``restart_state() -> dict``) and takes it back (``restore_state``): the
model (the concentrations, the step), the chemistry (its carried solver step sizes), the budget so far and the
output writer (its record counts, its running hourly sums and where it writes, so that the records before the
checkpoint can be carried over). This module only loops over them: arrays become NetCDF variables, numbers and
text global attributes, each under its name in the variables registry (airmodel/variables.py, "checkpoint").
"""
from __future__ import annotations

from pathlib import Path

import netCDF4
import numpy as np

from .errors import InputError
from .files import atomic_file
from .variables import checkpoint_entry


def checkpoint_name(model) -> str:
    return f"checkpoint_{model.now:%Y%m%dT%H%M%S}.nc"


def components(model, writer) -> list:
    """Everything a restart restores, in the order it is restored."""
    return model.restart_components() + [writer]


def write_checkpoint(folder: Path, model, writer) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / checkpoint_name(model)
    state = {}
    for part in components(model, writer):
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


def read_checkpoint(path: Path, model) -> dict:
    """Read a checkpoint and check that it belongs to a run of the same grid and species: ``state`` (every
    component's, by name) and ``earlier_outputs`` (where the interrupted run was writing)."""
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
    species = state["species"].split(",")
    if species != model.species_names:
        raise InputError(f"--restart {path}: the checkpoint holds species {species}, the scenario "
                         f"{model.species_names}")
    if state["concentration"].shape != model.concentration.shape:
        raise InputError(f"--restart {path}: the checkpoint's grid {state['concentration'].shape[1:]} is not the "
                         f"scenario's {model.concentration.shape[1:]}")
    state["step_index"] = step = int(state["step_index"])
    if step > model.scenario.n_steps:
        raise InputError(f"--restart {path}: the checkpoint is at step {step}, after the scenario's end "
                         f"(step {model.scenario.n_steps})")
    return dict(state=state, earlier_outputs=[Path(state["partial_path"]), Path(state["output_path"])])


def restore(model, writer, state: dict) -> None:
    """Give every component its part of a checkpoint's state."""
    for part in components(model, writer):
        part.restore_state(state)
