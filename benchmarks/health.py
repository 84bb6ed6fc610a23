"""Health benchmark: ``airmodel health`` over a month pair with 1,000 draws (the issue asks for under a minute).

Run:  python benchmarks/health.py [BASE.nc CASE.nc] [--draws 1000] [--repeats 3]

Times ``airmodel.health.health_impacts`` (reading both runs' PM2.5 and daily fields, the population of every
province, every function of the packaged table: 42 long-term GEMM functions over 14 outcomes and 5 short-term
ones over the days, and the draws per cell), and the same followed by writing the output folder (NetCDF, CSV,
Markdown). Defaults: /work/runs/base.nc and /work/runs/olympic.nc (the August 2008 baseline and Olympic runs,
60 x 55 cells, 744 hours, 31 days). The first call (file caches, region fractions) is timed separately.

Writes benchmarks/results/health.json.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402
from airmodel.health import Options, health_impacts  # noqa: E402
from airmodel.health.outputs import write_health  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("base", nargs="?", default="/work/runs/base.nc")
    p.add_argument("case", nargs="?", default="/work/runs/olympic.nc")
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    load_start = common.load_avg()
    options = Options(draws=args.draws, seed=0)
    compute = common.time_call(lambda: health_impacts(args.base, args.case, None, options), repeats=args.repeats)
    ds = compute.pop("result")
    tmp = Path(tempfile.mkdtemp())

    def with_files():
        out = tmp / "out"
        if out.exists():
            shutil.rmtree(out)
        write_health(health_impacts(args.base, args.case, None, options), out)

    try:
        full = common.time_call(with_files, repeats=args.repeats)
        full.pop("result", None)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result = dict(base=args.base, case=args.case, draws=args.draws, cells=int(ds.sizes["lat"] * ds.sizes["lon"]),
                  outcomes=int(ds.sizes["outcome"]), functions=int(ds.sizes["function"]),
                  period_days=int(ds.attrs["period_days"]), compute=compute, compute_and_write=full,
                  load_average_start=load_start, load_average_end=common.load_avg(),
                  command=f"python benchmarks/health.py {args.base} {args.case} --draws {args.draws} "
                          f"--repeats {args.repeats}")
    path = common.write_result("health", result)
    print(common.markdown_table(["what", "first call s", "best s", "median s"], [
        ["health_impacts", compute["first_call_s"], compute["best_s"], compute["median_s"]],
        ["health_impacts + files", full["first_call_s"], full["best_s"], full["median_s"]]]))
    print(f"load average {load_start} -> {result['load_average_end']}; wrote {path}")


if __name__ == "__main__":
    main()
