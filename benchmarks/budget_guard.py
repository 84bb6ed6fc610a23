"""The cost of the budget guard (airmodel/budget_guard.py) on the 24-hour demo.

Runs the ready scenario ``demo`` (24 h, 0.25 degree, inventory and grs_aero chemistry) with the guard, and with
its checks replaced by no-ops, alternately (``--repeats`` pairs, after a one-hour warm-up that loads the compiled
kernels), and times inside the guarded runs the seconds spent in the guard itself. The two outputs are compared
bit for bit (the guard reads the state, never writes it). Writes ``benchmarks/results/budget_guard.json``.

    python benchmarks/budget_guard.py [--repeats N]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import netCDF4  # noqa: E402
import numpy as np  # noqa: E402

import common  # noqa: E402
from airmodel import driver  # noqa: E402
from airmodel.budget_guard import BudgetGuard  # noqa: E402


def run(output: Path, overrides=()) -> float:
    t0 = time.perf_counter()
    driver.execute("demo", output, overrides=["run.progress=false", *overrides], force=True)
    return time.perf_counter() - t0


def same_data(a: Path, b: Path) -> bool:
    with netCDF4.Dataset(a) as da, netCDF4.Dataset(b) as db:
        if da.variables.keys() != db.variables.keys():
            return False
        for name in da.variables:
            x, y = np.asarray(da[name][:]), np.asarray(db[name][:])
            if not np.array_equal(x, y, equal_nan=x.dtype.kind == "f"):
                return False
        return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1, help="pairs of runs (with and without the guard)")
    args = parser.parse_args()
    spent = {"seconds": 0.0, "calls": 0}
    originals = {name: getattr(BudgetGuard, name) for name in ("start_step", "check")}

    def timed(name):
        def wrapper(self, *a, **k):
            t0 = time.perf_counter()
            try:
                return originals[name](self, *a, **k)
            finally:
                spent["seconds"] += time.perf_counter() - t0
                spent["calls"] += 1
        return wrapper

    def guard(on: bool):
        for name in originals:
            setattr(BudgetGuard, name, timed(name) if on else (lambda self, *a, **k: None))

    load_start = common.load_avg()
    walls = {"with": [], "without": []}
    in_guard = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        guard(True)
        run(tmp / "warm.nc", ["run.hours=1"])
        for _ in range(args.repeats):
            guard(False)
            walls["without"].append(run(tmp / "without.nc"))
            guard(True)
            spent.update(seconds=0.0, calls=0)
            walls["with"].append(run(tmp / "with.nc"))
            in_guard.append(dict(spent))
        identical = same_data(tmp / "with.nc", tmp / "without.nc")
    for name, fn in originals.items():
        setattr(BudgetGuard, name, fn)
    best_with, best_without = min(walls["with"]), min(walls["without"])
    result = dict(
        case="ready scenario demo: 24 h, 0.25 degree (24 x 22 x 10 cells), 144 steps of 600 s, 40 species",
        wall_with_guard_s=walls["with"], wall_without_guard_s=walls["without"],
        seconds_in_guard=[g["seconds"] for g in in_guard], guard_calls=[g["calls"] for g in in_guard],
        guard_share_of_guarded_run=[g["seconds"] / w for g, w in zip(in_guard, walls["with"])],
        wall_difference_best_s=best_with - best_without, outputs_bitwise_identical=identical,
        load_average_start=load_start, load_average_end=common.load_avg())
    path = common.write_result("budget_guard", result)
    print(common.markdown_table(
        ["run", "wall (s)", "in the guard (s)", "guard calls"],
        [[f"with guard {n + 1}", w, g["seconds"], g["calls"]] for n, (w, g) in enumerate(zip(walls["with"], in_guard))]
        + [[f"without guard {n + 1}", w, "", ""] for n, w in enumerate(walls["without"])]))
    print(f"guard share of a guarded run: {100 * min(result['guard_share_of_guarded_run']):.2f} %; outputs "
          f"bitwise identical: {identical}; wrote {path}")


if __name__ == "__main__":
    main()
