"""What the chemistry solver's absolute tolerance buys and costs in the August baseline: solver steps, wall time,
and the change of the results against a tight reference run.

Each case is the ready scenario ``baseline_2008_08`` (by default without its parent domain, as
benchmarks/single_domain.py runs it: the greater-Beijing domain alone; ``--nested`` keeps the parent) for
``--hours``, with ``chemistry.atol`` set to each value of ``--atol`` and ``chemistry.mechanism`` to ``--mechanism``
(cb05_aero with its biogenic emissions), in a process of its own after a 1-hour run that fills Numba's cache (not
timed). The reference is the same run at ``--reference-rtol`` and ``--reference-atol``. The child sums the solver's
steps (accepted and rejected) over the cells and model steps of each domain. Compared with the reference, after the
first ``--skip`` hours (the spin-up): the relative change of the domain mean and of the 12 stations' mean of each
variable, the 99th percentile of the hourly relative differences at the stations (where the reference is above 1 %
of its mean) and the largest hourly difference anywhere; for MDA8 O3 the daily station values from local day
``skip // 24`` on. ``--set`` adds scenario settings to every case (recorded in the result file).

    python benchmarks/tolerance.py [--mechanism grs_aero] [--hours 48] [--skip 24] [--atol 1e-6 1e-4]
        [--reference-rtol 1e-5 --reference-atol 1e-9] [--nested] [--threads 2] [--set SECTION.KEY=VALUE ...]

Writes benchmarks/results/tolerance_MECHANISM.json and prints a table.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import netCDF4
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

VARIABLES = ("PM25", "O3", "NO2", "NO", "SULF", "NO3A", "NH4A", "HNO3")

CHILD = """
import atexit, json, logging, sys
logging.basicConfig(level=logging.INFO, format="airmodel: %(message)s")
sys.path.insert(0, BENCH_DIR)
from airmodel.chemistry import process
from single_domain import scenario
total = {}
plain = process.Chemistry.step
def step(self, *args, **kwargs):
    result = plain(self, *args, **kwargs)
    key = "x".join(str(n) for n in self.last_steps.shape)
    t = total.setdefault(key, [0, 0])
    t[0] += int(self.last_steps.sum())
    t[1] += int(self.last_steps.size)
    return result
process.Chemistry.step = step
atexit.register(lambda: print("SOLVER_STEPS " + json.dumps(total), file=sys.stderr))
output, nested, overrides = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
import airmodel
airmodel.run(scenario(nested), output=output, overrides=overrides, force=True)
"""


def run_case(folder: Path, label: str, settings: list[str], args) -> dict:
    env = dict(os.environ, NUMBA_NUM_THREADS=str(args.threads))
    common_set = [f"chemistry.mechanism={args.mechanism}", "output.checkpoint_interval_hours=0",
                  "run.progress=false", *args.set]
    if args.mechanism != "grs_aero":
        common_set.append("emissions.biogenic=true")
    nested = "1" if args.nested else "0"
    child = f"BENCH_DIR = {str(Path(__file__).resolve().parent)!r}\n" + CHILD
    warm = [sys.executable, "-c", child, str(folder / f"warm_{label}.nc"), nested,
            *common_set, *settings, "run.hours=1"]
    subprocess.run(warm, env=env, check=True, capture_output=True, text=True)
    load_before = common.load_avg()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", child, str(folder / f"{label}.nc"), nested, *common_set,
                           *settings, f"run.hours={args.hours}"], env=env, check=True, capture_output=True,
                          text=True)
    wall = time.perf_counter() - start
    steps = json.loads([x for x in done.stderr.splitlines() if x.startswith("SOLVER_STEPS ")][-1][13:])
    loop = [float(x.split(" in ")[1].split(" s wall")[0]) for x in done.stderr.splitlines()
            if "run finished:" in x]
    return dict(label=label, settings=settings, wall_s=wall, loop_wall_s=max(loop) if loop else None,
                load_before=load_before, load_after=common.load_avg(),
                solver_steps={k: dict(steps=v[0], cell_steps=v[1], per_cell_and_step=v[0] / v[1])
                              for k, v in steps.items()})


def _values(var, start: int) -> np.ndarray:
    """The variable from index ``start`` of its time (or day) axis on, masked values as NaN."""
    axis = 1 if var.dimensions[0] == "station" else 0
    return np.ma.filled(var[:].astype(float), np.nan)[(slice(None),) * axis + (slice(start, None),)]


def compare(path: Path, reference: Path, skip: int) -> dict:
    out = {}
    with netCDF4.Dataset(path) as a, netCDF4.Dataset(reference) as r:
        for name in VARIABLES:
            x, y = _values(a[name], skip), _values(r[name], skip)
            xs, ys = _values(a["station_" + name], skip), _values(r["station_" + name], skip)
            big = np.abs(ys) > 0.01 * np.nanmean(np.abs(ys))
            out[name] = dict(domain_mean_rel=float(np.nanmean(x) / np.nanmean(y) - 1.0),
                             stations_mean_rel=float(np.nanmean(xs) / np.nanmean(ys) - 1.0),
                             stations_p99_rel=float(np.percentile(np.abs(xs - ys)[big] / np.abs(ys)[big], 99))
                             if big.any() else float("nan"),
                             max_abs=float(np.nanmax(np.abs(x - y))), reference_domain_mean=float(np.nanmean(y)))
        days = int(skip // 24)
        x, y = _values(a["station_O3_mda8"], days), _values(r["station_O3_mda8"], days)
        out["O3_mda8"] = dict(stations_mean_rel=float(np.nanmean(x) / np.nanmean(y) - 1.0),
                              stations_max_rel=float(np.nanmax(np.abs(x - y) / y)),
                              max_abs=float(np.nanmax(np.abs(x - y))))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mechanism", default="grs_aero")
    p.add_argument("--hours", type=int, default=48)
    p.add_argument("--skip", type=int, default=24, help="hours left out of the comparison (the spin-up)")
    p.add_argument("--atol", type=float, nargs="+", default=[1e-6, 1e-4])
    p.add_argument("--reference-rtol", type=float, default=1e-5)
    p.add_argument("--reference-atol", type=float, default=1e-9)
    p.add_argument("--nested", action="store_true", help="keep the parent domain")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="a scenario setting for every case, e.g. chemistry.aqueous_sulfate=false")
    args = p.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        reference = run_case(folder, "reference", [f"chemistry.rtol={args.reference_rtol}",
                                                   f"chemistry.atol={args.reference_atol}"], args)
        rows.append(reference)
        for atol in args.atol:
            label = f"atol_{atol:g}"
            row = run_case(folder, label, [f"chemistry.atol={atol}"], args)
            row["against_reference"] = compare(folder / f"{label}.nc", folder / "reference.nc", args.skip)
            rows.append(row)
            print(f"{label}: loop {row['loop_wall_s']:.1f} s, steps "
                  + ", ".join(f"{k} {v['per_cell_and_step']:.2f}" for k, v in row["solver_steps"].items()))
            for name, c in row["against_reference"].items():
                print(f"   {name:8s} " + "  ".join(f"{k} {v:.2e}" for k, v in c.items()))
    print(f"reference: loop {reference['loop_wall_s']:.1f} s, steps "
          + ", ".join(f"{k} {v['per_cell_and_step']:.2f}" for k, v in reference["solver_steps"].items()))
    path = common.write_result(f"tolerance_{args.mechanism}", dict(
        command="python benchmarks/tolerance.py " + " ".join(sys.argv[1:]), mechanism=args.mechanism,
        hours=args.hours, skip=args.skip, nested=args.nested, threads=args.threads, settings=args.set, rows=rows))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
