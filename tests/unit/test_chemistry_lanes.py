"""The lockstep driver of the generated chemistry (chemistry_3d: LANES cells at a time, one per SIMD lane) gives the
result of the cell-by-cell driver (chemistry_3d_by_cell) bit for bit: concentrations, solver status, step counts and
the step sizes kept for the next call; day and night, photolysis per step or at every stage time, cells whose
solver stops (too many steps), and on one or two threads."""
from datetime import datetime, timezone

import numba
import numpy as np
import pytest

from airmodel.chemistry import Chemistry
from airmodel.chemistry.box import build_setup, load_box_config
from airmodel.kernels import chemistry as kchem
from airmodel.units import MOLAR_MASS_AIR

pytestmark = pytest.mark.filterwarnings("error::numba.NumbaWarning")  # e.g. a driver Numba cannot cache
CASES = {"grs_aero": "box/urban_voc_limited", "cb05_aero": "box/cb05_urban"}


def _arguments(mechanism, hour, photolysis, shape=(5, 23, 19)):
    """chemistry_3d's arguments for a polluted state (the urban box, +-30 % at random per cell), as Chemistry.step
    passes them; 2,185 cells: 69 chunks, several lockstep groups and a short last one."""
    chem = Chemistry(mechanism, rtol=1e-3, kernels="generated", photolysis=photolysis)
    rng = np.random.default_rng(7)
    y0 = build_setup(load_box_config(CASES[mechanism])).y0
    nz, ny, nx = shape
    rho = 1.18 * np.exp(-(50.0 + 100.0 * np.arange(nz)) / 8000.0)[:, None, None] * np.ones(shape)
    c = np.empty((len(chem.names),) + shape)
    for s, sp in enumerate(chem.species):
        c[s] = y0[s] * rng.uniform(0.7, 1.3, shape) * 1e-9 * sp.molar_mass / MOLAR_MASS_AIR * rho
    temperature = 300.0 + rng.uniform(-3, 3, shape)
    rh = rng.uniform(40, 90, shape)
    cloud = rng.uniform(0, 0.5, shape)
    lon = np.broadcast_to(np.linspace(113.6, 119.4, nx)[None, :], (ny, nx)).copy()
    lat = np.broadcast_to(np.linspace(37.1, 42.4, ny)[:, None], (ny, nx)).copy()
    sec = (datetime(2008, 8, 1, hour, tzinfo=timezone.utc) - datetime(2008, 1, 1, tzinfo=timezone.utc)).total_seconds()
    sun = kchem.sun_parameters(sec, 366, 900.0, np.nan)
    next_step = rng.uniform(0.0, 120.0, shape) * (rng.uniform(size=shape) > 0.3)
    return chem, [c, chem.slot, chem.active, chem.solve, rho, temperature, rh, cloud, cloud.max(axis=0), lon, lat,
                  sun, 900.0, chem.tableau, chem.rtol, chem.atol_array, chem.max_steps,
                  np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64), next_step,
                  chem.photolysis_at_midpoint]


def _run(driver, args):
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    driver(*args)
    return args[0], args[17], args[18], args[19]


def _assert_same(got, want):
    for g, w in zip(got, want):
        assert g.shape == w.shape and np.array_equal(g, w, equal_nan=g.dtype.kind == "f")


@pytest.mark.parametrize("mechanism, hour, photolysis", [
    ("grs_aero", 4, "per_step"), ("grs_aero", 15, "per_step"), ("grs_aero", 10, "continuous"),
    ("grs_aero", 15, "continuous"), ("grs_aero", 21, "continuous"),  # night, and sunrise within the step
    ("cb05_aero", 4, "per_step"), ("cb05_aero", 10, "continuous")])
def test_lanes_equal_cell_by_cell(mechanism, hour, photolysis):
    chem, args = _arguments(mechanism, hour, photolysis)
    gen = chem.generated
    assert gen.chemistry_3d is not gen.chemistry_3d_by_cell and gen.LANES == 8
    reference = _run(gen.chemistry_3d_by_cell, args)
    assert reference[2].min() > 0  # every cell took solver steps
    before = numba.get_num_threads()
    try:
        for threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(threads)
            _assert_same(_run(gen.chemistry_3d, args), reference)
    finally:
        numba.set_num_threads(before)


def test_lanes_stop_as_the_cells_do():
    """max_steps reached in some cells and not in others: the same status, steps and values everywhere."""
    chem, args = _arguments("grs_aero", 15, "per_step")
    args[16] = int(np.median(_run(chem.generated.chemistry_3d_by_cell, args)[2]))  # the median cell's step count
    reference = _run(chem.generated.chemistry_3d_by_cell, args)
    assert 0 < (reference[1] == kchem.STATUS_TOO_MANY_STEPS).sum() < reference[1].size
    _assert_same(_run(chem.generated.chemistry_3d, args), reference)


def test_a_failing_cell_fails_alone_as_cell_by_cell():
    """A cell with a non-finite value: its stage matrix cannot be factored (singular, six times), the cells beside
    it in the same lockstep group are computed as ever."""
    chem, args = _arguments("grs_aero", 4, "per_step")
    args[0][chem.slot[chem.active[0]], 0, 3, 4] = np.nan
    reference = _run(chem.generated.chemistry_3d_by_cell, args)
    assert reference[1][0, 3, 4] == kchem.STATUS_SINGULAR and (reference[1] != 0).sum() == 1
    _assert_same(_run(chem.generated.chemistry_3d, args), reference)


def test_a_call_of_no_time_changes_nothing_as_cell_by_cell():
    chem, args = _arguments("grs_aero", 4, "per_step")
    args[12] = 0.0
    reference = _run(chem.generated.chemistry_3d_by_cell, args)
    assert reference[2].max() == 0
    _assert_same(_run(chem.generated.chemistry_3d, args), reference)
