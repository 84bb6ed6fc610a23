"""Checkpoints: the full model state at a step, written atomically, and read back for ``--restart``.

A checkpoint holds everything the run needs to continue bit for bit: the concentrations, the step index, the
budget so far, the output writer's records and its running hourly sums, and where the interrupted run was
writing its output (so the records before the checkpoint can be carried over).
"""
from __future__ import annotations

import os
from pathlib import Path

import netCDF4
import numpy as np

from .errors import InputError

BUDGET_TERMS = ("burden_start", "emitted", "inflow", "outflow", "deposited", "chemical")


def checkpoint_name(model) -> str:
    return f"checkpoint_{model.now:%Y%m%dT%H%M%S}.nc"


def write_checkpoint(folder: Path, model, writer) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / checkpoint_name(model)
    tmp = path.with_name(path.name + ".part")
    state = writer.state()
    with netCDF4.Dataset(tmp, "w", format="NETCDF4") as ds:
        ns, nz, ny, nx = model.concentration.shape
        for name, n in (("species", ns), ("z", nz), ("y", ny), ("x", nx)):
            ds.createDimension(name, n)
        ds.setncatts(dict(
            title="airmodel restart checkpoint",
            step_index=model.step_index,
            time=f"{model.now:%Y-%m-%dT%H:%M:%SZ}",
            species=",".join(model.species_names),
            scenario=model.scenario.to_toml(),
            output_path=str(writer.path.resolve()),
            partial_path=str(writer.tmp.resolve()),
            records_time=state["records_time"],
            records_time_instant=state["records_time_instant"],
        ))
        ds.createVariable("concentration", "f8", ("species", "z", "y", "x"), zlib=True)[:] = model.concentration
        chem = model.chemistry
        if chem is not None and chem.next_step is not None:
            ds.createVariable("chemistry_next_step", "f8", ("z", "y", "x"), zlib=True)[:] = chem.next_step
        for term, values in model.budget.as_arrays().items():
            ds.createVariable(f"budget_{term}", "f8", ("species",))[:] = values
        for name in ("accumulator", "met_accumulator"):
            acc = state[name]
            if acc is None:
                continue
            dims = tuple(f"{name}{d}" for d in range(acc.ndim))
            for d, n in zip(dims, acc.shape):
                ds.createDimension(d, n)
            ds.createVariable(f"hourly_{name}", "f8", dims)[:] = acc
    os.replace(tmp, path)
    return path


def read_checkpoint(path: Path, model) -> dict:
    """Read a checkpoint and check that it belongs to a run of the same grid and species."""
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
        species = ds.getncattr("species").split(",")
        if species != model.species_names:
            raise InputError(f"--restart {path}: the checkpoint holds species {species}, the scenario "
                             f"{model.species_names}")
        c = np.array(ds["concentration"][:], dtype=np.float64)
        if c.shape != model.concentration.shape:
            raise InputError(f"--restart {path}: the checkpoint's grid {c.shape[1:]} is not the scenario's "
                             f"{model.concentration.shape[1:]}")
        step = int(ds.getncattr("step_index"))
        if step > model.scenario.n_steps:
            raise InputError(f"--restart {path}: the checkpoint is at step {step}, after the scenario's end "
                             f"(step {model.scenario.n_steps})")
        acc, met_acc = (np.array(ds[f"hourly_{n}"][:]) if f"hourly_{n}" in ds.variables else None
                        for n in ("accumulator", "met_accumulator"))
        next_step = np.array(ds["chemistry_next_step"][:]) if "chemistry_next_step" in ds.variables else None
        return dict(
            concentration=c, step_index=step, chemistry_next_step=next_step,
            budget={t: np.array(ds[f"budget_{t}"][:]) for t in BUDGET_TERMS},
            writer=dict(records_time=int(ds.getncattr("records_time")),
                        records_time_instant=int(ds.getncattr("records_time_instant")), accumulator=acc,
                        met_accumulator=met_acc),
            earlier_outputs=[Path(ds.getncattr("partial_path")), Path(ds.getncattr("output_path"))],
        )
