"""The generated chemistry's 3-D driver in lockstep across cells (``chemistry_3d``: 8 cells at a time, one per SIMD
lane) against the same module's cell-by-cell driver (``chemistry_3d_by_cell``), in the same run, alternating.

State: benchmarks/chemistry.py's polluted grid (the mechanism's urban box, +-30 % at random per cell), 20 x 20 x 10
cells, one 900-s model step from 11 h and 23 h local time, the step sizes kept from a first call (as in a run).
Reported: wall ms per call (best of ``--repeats``), core-microseconds per cell and model step, per Rosenbrock step,
the speed-up, and whether the two drivers' results (concentrations, status, steps, next step sizes) are equal to the
last bit. The first calls (compilation or cache load) are left out.

    python benchmarks/chemistry_lanes.py [--mechanism grs_aero] [--threads 1 2] [--repeats 7]
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from chemistry import URBAN_CASE, grid_state  # noqa: E402

from airmodel.chemistry import Chemistry  # noqa: E402
from airmodel.kernels import chemistry as kchem  # noqa: E402


def arguments(chem: Chemistry, hour_utc: int, shape=(10, 20, 20)) -> list:
    """chemistry_3d's arguments as Chemistry.step passes them, for the polluted grid state."""
    nz, ny, nx = shape
    c, rho, temperature, lon, lat = grid_state(chem, nx, ny, nz, np.random.default_rng(2008),
                                               URBAN_CASE[chem.mechanism.name])
    sec = (datetime(2008, 8, 1, hour_utc, tzinfo=timezone.utc)
           - datetime(2008, 1, 1, tzinfo=timezone.utc)).total_seconds()
    rh = np.full(shape, 65.0)
    cloud = np.zeros(shape)
    return [c, chem.slot, chem.active, chem.solve, rho, temperature, rh, cloud, cloud.max(axis=0),
            np.ascontiguousarray(lon), np.ascontiguousarray(lat), kchem.sun_parameters(sec, 366, 900.0, np.nan),
            900.0, chem.tableau, chem.rtol, chem.atol_array, chem.max_steps, np.zeros(shape, dtype=np.int64),
            np.zeros(shape, dtype=np.int64), np.zeros(shape), chem.photolysis_at_midpoint]


def call(driver, args):
    """One call on copies of the changing arguments; returns (results, wall s, CPU s)."""
    a = [x.copy() if isinstance(x, np.ndarray) else x for x in args]
    t0, c0 = time.perf_counter(), time.process_time()
    driver(*a)
    return (a[0], a[17], a[18], a[19]), time.perf_counter() - t0, time.process_time() - c0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mechanism", default="grs_aero")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--repeats", type=int, default=7)
    args = p.parse_args(argv)
    chem = Chemistry(args.mechanism, kernels="generated")
    gen = chem.generated
    drivers = {"by_cell": gen.chemistry_3d_by_cell, "lanes": gen.chemistry_3d}
    if drivers["lanes"] is drivers["by_cell"]:
        print(f"{args.mechanism}: no lockstep driver (sparse matrix of {gen.NNZ} entries)")
        return 0
    out = {"mechanism": args.mechanism, "rtol": chem.rtol, "atol_ppb": chem.atol, "runs": []}
    before = numba.get_num_threads()
    try:
        for threads in args.threads:
            numba.set_num_threads(threads)
            for period, hour in (("day", 3), ("night", 15)):
                state = arguments(chem, hour)
                # a first call of each (compilation or cache load), and the step sizes a run would carry
                results = {name: call(d, state)[0] for name, d in drivers.items()}
                state[19] = results["by_cell"][3]
                walls = {name: [] for name in drivers}
                cpus = {name: [] for name in drivers}
                for _ in range(args.repeats):
                    for name, d in drivers.items():
                        results[name], wall, cpu = call(d, state)
                        walls[name].append(wall)
                        cpus[name].append(cpu)
                cells = state[4].size
                steps = int(results["lanes"][2].sum())
                same = all(np.array_equal(x, y) for x, y in zip(results["lanes"], results["by_cell"]))
                run = {"threads": threads, "period": period, "cells": cells, "solver_steps": steps, "identical": same,
                       "load_avg_after": common.load_avg()}
                for name in drivers:
                    cpu = float(np.median(cpus[name]))
                    run[name] = {"best_wall_ms": 1e3 * min(walls[name]), "core_us_per_cell_step": 1e6 * cpu / cells,
                                 "us_per_rosenbrock_step": 1e6 * cpu / steps}
                run["speed_up_wall"] = min(walls["by_cell"]) / min(walls["lanes"])
                out["runs"].append(run)
                print(f"{args.mechanism}, {threads} thread(s), {period}: by cell {run['by_cell']['best_wall_ms']:.1f} ms "
                      f"({run['by_cell']['core_us_per_cell_step']:.2f} core-us per cell, "
                      f"{run['by_cell']['us_per_rosenbrock_step']:.3f} us per Rosenbrock step); lanes "
                      f"{run['lanes']['best_wall_ms']:.1f} ms ({run['lanes']['core_us_per_cell_step']:.2f}, "
                      f"{run['lanes']['us_per_rosenbrock_step']:.3f}); speed-up {run['speed_up_wall']:.2f}; "
                      f"{steps / cells:.2f} steps per cell; identical: {same}", flush=True)
    finally:
        numba.set_num_threads(before)
    print("wrote", common.write_result(f"chemistry_lanes_{args.mechanism}", out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
