"""The budget guard (airmodel/budget_guard.py): a run stops with exit code 3 as soon as a process writes a NaN or a
negative value, or makes mass from nowhere, naming the process, the species, the cell and the model time; nothing
is left at the output path or its partial file, and the checkpoints already written stay valid. A valid run is
unaffected, bit for bit.

Each process of the step is made to misbehave in turn by wrapping the function the model calls for it (the process
runs as usual, then the wrapper corrupts its result).
"""
import re
from pathlib import Path

import netCDF4
import numpy as np
import pytest

import airmodel.model
import airmodel.transport
from airmodel.boundary import BoundaryConditions
from airmodel.budget_guard import BudgetGuard, _term_signs
from airmodel.chemistry import Chemistry
from airmodel.cli import main
from airmodel.model import Budget
from airmodel.transport import Transport

# A demo-like case (the 2008 inventory with point sources, grs_aero chemistry, dry deposition, climatological
# boundaries) on 4 x 4 x 10 cells of 0.5 degree around Beijing: one hour in 10-minute steps, a checkpoint every
# half hour.
TINY = ["domain.resolution=0.5", "domain.lon_min=115.5", "domain.lon_max=117.5", "domain.lat_min=39.0",
        "domain.lat_max=41.0", "run.hours=1", "output.checkpoint_interval_hours=0.5"]
FAULT_STEP = 4  # the step from 00:40 UTC, after the checkpoint at 00:30
CELL = (2, 1, 3)  # (k, j, i): lon 117.25, lat 39.75, the third layer


def run(scenarios, output, capsys):
    code = main(["run", str(scenarios / "demo.toml"), "-o", str(output), "--no-progress",
                 *[x for s in TINY for x in ("--set", s)]])
    return code, capsys.readouterr().err


def corrupt(field, kind):
    """Corrupt NO2 in CELL of a [species, k, j, i] field (tracer mass or concentration): "nan", "negative" (minus a
    tenth of the species' domain total), or "mass": a tenth of the domain total added there, booked nowhere."""
    s = models[-1].species_names.index("NO2")
    if kind == "nan":
        field[(s,) + CELL] = np.nan
    elif kind == "negative":
        field[(s,) + CELL] = -0.1 * field[s].sum() - 1e-12  # more than the rest of the process can put there
    else:
        field[(s,) + CELL] += 0.1 * field[s].sum()


models = []  # the models built by the test's run, the last one running


@pytest.fixture(autouse=True)
def record_models(monkeypatch):
    models.clear()
    original_init = airmodel.model.Model.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        models.append(self)

    monkeypatch.setattr(airmodel.model.Model, "__init__", init)


def at_fault_step():
    return models[-1].step_index == FAULT_STEP


def wrap_process(monkeypatch, process, kind):
    """Make ``process`` misbehave at FAULT_STEP: its function runs, then what it produced is corrupted."""
    def corrupt_now(field):
        if at_fault_step():
            corrupt(field, kind)

    if process == "emissions":
        original = airmodel.model.emit_point_sources

        def emit(tracer_mass, *args):
            original(tracer_mass, *args)
            corrupt_now(tracer_mass)

        monkeypatch.setattr(airmodel.model, "emit_point_sources", emit)
    elif process.startswith("advection"):
        original = airmodel.transport.advection.advect
        axis = {"advection x": 2, "advection y": 1, "advection z": 0}[process]

        def advect(tracer_mass, air_mass, flux, dt, sweep_axis, *args):
            status = original(tracer_mass, air_mass, flux, dt, sweep_axis, *args)
            if sweep_axis == axis:
                corrupt_now(tracer_mass)
            return status

        monkeypatch.setattr(airmodel.transport.advection, "advect", advect)
    elif process in ("horizontal diffusion", "vertical mixing"):
        name = "diffuse_horizontally" if process == "horizontal diffusion" else "mix_vertically"
        original = getattr(Transport, name)

        def method(self, tracer_mass, *args):
            result = original(self, tracer_mass, *args)
            corrupt_now(tracer_mass)
            return result

        monkeypatch.setattr(Transport, name, method)
    else:
        original = Chemistry.step

        def step(self, concentration, *args, **kwargs):
            produced = original(self, concentration, *args, **kwargs)
            corrupt_now(concentration)
            return produced

        monkeypatch.setattr(Chemistry, "step", step)


PROCESSES = ["emissions", "advection x", "advection y", "advection z", "horizontal diffusion", "vertical mixing",
             "chemistry"]


def assert_stopped(code, err, output, process, *words):
    assert code == 3, err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2, err
    assert f"the run stopped: {process}" in err, err
    for word in ("'NO2'", "cell (i=3, j=1, k=2)", "lon 117.2500, lat 39.7500", "2008-08-08 00:40:00 UTC",
                 f"step {FAULT_STEP}", *words):
        assert word in err, (word, err)
    # nothing half-written; the checkpoint at 00:30 UTC is complete and readable
    assert not Path(output).exists() and not Path(f"{output}.part").exists()
    folder = Path(f"{output}.checkpoints")
    assert sorted(p.name for p in folder.iterdir()) == ["checkpoint_20080808T003000.nc", "records_20080808T003000.nc"]
    with netCDF4.Dataset(folder / "checkpoint_20080808T003000.nc") as ds:
        assert ds.getncattr("step_index") == 3 and np.all(np.isfinite(ds["concentration"][:]))


@pytest.mark.parametrize("process", PROCESSES)
@pytest.mark.parametrize("kind", ["nan", "negative", "mass"])
def test_a_misbehaving_process_stops_the_run(scenarios, tmp_path, capsys, monkeypatch, process, kind):
    wrap_process(monkeypatch, process, kind)
    out = tmp_path / "out.nc"
    code, err = run(scenarios, out, capsys)
    words = ("invalid concentration", "nan" if kind == "nan" else "-") if kind != "mass" else ("mass from nowhere",)
    assert_stopped(code, err, out, process, *words)


def test_deposition_that_gives_mass_back_is_mass_from_nowhere(scenarios, tmp_path, capsys, monkeypatch):
    """The vertical mixing books a negative deposition and puts the same mass back: the budget closes, but a one-way
    term decreased."""
    original = Transport.mix_vertically

    def mix(self, tracer_mass, air_mass, coeffs, dt, surface_emission, velocity, rho, exchange):
        s = models[-1].species_names.index("NO2")
        before = exchange.deposited[s]
        original(self, tracer_mass, air_mass, coeffs, dt, surface_emission, velocity, rho, exchange)
        if at_fault_step():
            k, j, i = CELL
            # what the step deposited and 1 kg more come back into the cell, booked as a negative deposition
            tracer_mass[s, 0, j, i] += exchange.deposited[s] - before + 1.0
            exchange.deposited[s] = before - 1.0

    monkeypatch.setattr(Transport, "mix_vertically", mix)
    out = tmp_path / "out.nc"
    code, err = run(scenarios, out, capsys)
    assert code == 3, err
    assert "vertical mixing: mass from nowhere: the one-way budget term 'deposited' changed by -1 kg" in err, err
    # the deposition is a domain total: the cell named is where the mixing changed NO2 the most
    assert "'NO2'" in err and "2008-08-08 00:40:00 UTC" in err and re.search(r"cell \(i=\d, j=\d, k=\d\) at lon", err)
    assert not out.exists() and not Path(f"{out}.part").exists()


def test_chemistry_that_makes_nitrogen_is_mass_from_nowhere(scenarios, tmp_path, capsys, monkeypatch):
    """The chemistry makes NO2 and books it as chemical production: every species' budget closes (the chemical
    term is the change the chemistry made), but the total of the conserved element N grew."""
    original = Chemistry.step

    def step(self, concentration, *args, cell_volume, **kwargs):
        produced = original(self, concentration, *args, cell_volume=cell_volume, **kwargs)
        if at_fault_step():
            s = self.slot[self.names.index("NO2")]
            added = 0.1 * concentration[s].sum()
            concentration[(s,) + CELL] += added
            produced[s] += added * cell_volume[CELL]
        return produced

    monkeypatch.setattr(Chemistry, "step", step)
    out = tmp_path / "out.nc"
    code, err = run(scenarios, out, capsys)
    assert code == 3, err
    assert "chemistry: mass from nowhere: the total of the conserved element N changed" in err, err
    assert "'NO2'" in err and "cell (i=3, j=1, k=2)" in err and "00:40:00 UTC" in err, err
    assert not out.exists() and not Path(f"{out}.part").exists()


def test_the_guard_changes_nothing_in_a_valid_run(scenarios, tmp_path, capsys, monkeypatch):
    """The same run with the guard's checks switched off gives the same file, every variable and attribute but
    the history and command line (which name the output), bit for bit."""
    with_guard, without = tmp_path / "with.nc", tmp_path / "without.nc"
    code, err = run(scenarios, with_guard, capsys)
    assert code == 0, err
    calls = []
    monkeypatch.setattr(BudgetGuard, "check", lambda self, *args: calls.append(args[1]))
    code, err = run(scenarios, without, capsys)
    assert code == 0, err
    assert {"emissions", "advection x", "advection z", "vertical mixing", "chemistry"} <= set(calls)
    with netCDF4.Dataset(with_guard) as a, netCDF4.Dataset(without) as b:
        assert a.variables.keys() == b.variables.keys()
        for name in a.variables:
            va, vb = np.asarray(a[name][:]), np.asarray(b[name][:])
            assert np.array_equal(va, vb, equal_nan=va.dtype.kind == "f"), name
            assert a[name].__dict__.keys() == b[name].__dict__.keys(), name
        skip = {"history", "command_line"}
        assert {k: a.getncattr(k) for k in a.ncattrs() if k not in skip} == \
            {k: b.getncattr(k) for k in b.ncattrs() if k not in skip}


def test_term_signs_are_read_from_the_budget():
    """Gains (+1) and losses (-1) as the budget's own residual counts them."""
    n = 3
    budget = Budget.start(["A", "B", "C"], np.array([1.0, 2.0, 3.0]))
    signs = _term_signs(budget)
    assert {t: signs[t] for t in ("emitted", "inflow", "outflow", "deposited", "chemical")} == \
        {"emitted": 1.0, "inflow": 1.0, "outflow": -1.0, "deposited": -1.0, "chemical": 1.0}
    assert set(signs) == set(budget.as_arrays()) - {"burden_start"}
    # the probe leaves the budget as it was
    assert np.array_equal(budget.burden_start, [1.0, 2.0, 3.0])
    assert all(not np.any(v) for t, v in budget.as_arrays().items() if t != "burden_start")
    # with random terms, the burden the signs predict closes the budget's own residual to round-off
    rng = np.random.default_rng(13)
    terms = {t: rng.uniform(0.0, 10.0, n) for t in budget.as_arrays()}
    budget.restore(terms)
    end = terms["burden_start"] + sum(signs[t] * terms[t] for t in signs)
    assert np.all(budget.residual(end) < 1e-14)


def test_a_nan_boundary_inflow_stops_the_run(scenarios, tmp_path, capsys, monkeypatch):
    """The case that once ended with exit 0 and most of the mass gone: a NaN in the inflow through the west face.
    The run stops in the advection's x sweep, naming the species."""
    original = BoundaryConditions.mixing_ratios

    def mixing_ratios(self, *args):
        inflow_x, inflow_y, inflow_top = original(self, *args)
        if at_fault_step():
            west = np.array(inflow_x[0], copy=True)
            west[models[-1].species_names.index("NO2")] = np.nan
            inflow_x = (west, inflow_x[1])
        return inflow_x, inflow_y, inflow_top

    monkeypatch.setattr(BoundaryConditions, "mixing_ratios", mixing_ratios)
    out = tmp_path / "out.nc"
    code, err = run(scenarios, out, capsys)
    assert code == 3, err
    assert "the run stopped: advection x" in err and "'NO2'" in err and "00:40:00 UTC" in err, err
    assert not out.exists() and not Path(f"{out}.part").exists()
