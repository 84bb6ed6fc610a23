"""Whole ``airmodel run`` commands of two or more source trees, alternating, with their outputs compared bit for bit.

Each case is ``python -m airmodel.cli run SCENARIO -o LABEL.nc --force --no-progress [--set ...]`` in its own
process with PYTHONPATH set to the tree's ``src`` folder (so that each tree imports its own code), after a 1-hour
run of the same tree that fills Numba's cache (not timed). Timed: the wall time of the whole command (start-up,
stepping, products) and its CPU time (user + system, from the child's resource usage). After the rounds, every
variable of each output file (and, for a nested run, of the parent's file) of every tree is compared with the
first tree's, as are the global attributes but the history, the command line and the scenario's path.

    python benchmarks/ab_run.py --source previous=/tmp/old/src --source new=src [--rounds 2]
        [--scenario baseline_2008_08] [--set run.hours=24 ...]

A source tree is a checkout's ``src`` folder (``git worktree add /tmp/old HEAD~1`` gives one). Writes
benchmarks/results/ab_run.json and prints one line per case.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import netCDF4
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

IGNORED_ATTRIBUTES = ("history", "command_line", "scenario_file")


def run(src: str, scenario: str, output: Path, sets: list[str]) -> tuple[float, float]:
    """(wall s, CPU s) of one command of the tree ``src``."""
    env = dict(os.environ, PYTHONPATH=str(Path(src).resolve()))
    command = [sys.executable, "-m", "airmodel.cli", "run", scenario, "-o", str(output), "--force", "--no-progress"]
    for s in sets:
        command += ["--set", s]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def differences(a: Path, b: Path) -> list[str]:
    """The variables and global attributes of two output files that are not bitwise the same."""
    out = []
    with netCDF4.Dataset(a) as x, netCDF4.Dataset(b) as y:
        if set(x.variables) != set(y.variables):
            out.append("the variables")
        for name in set(x.variables) & set(y.variables):
            u, v = np.asarray(x[name][:]), np.asarray(y[name][:])
            if u.shape != v.shape or not np.array_equal(u, v, equal_nan=u.dtype.kind == "f"):
                out.append(name)
        for key in set(x.ncattrs()) | set(y.ncattrs()):
            if key not in IGNORED_ATTRIBUTES and str(x.__dict__.get(key)) != str(y.__dict__.get(key)):
                out.append(f"attribute {key}")
    return sorted(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--source", action="append", required=True, metavar="LABEL=SRC_DIR")
    p.add_argument("--scenario", default="baseline_2008_08")
    p.add_argument("--set", action="append", default=[], dest="sets", metavar="KEY=VALUE")
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args(argv)
    sources = dict(item.split("=", 1) for item in args.source)
    folder = Path(tempfile.mkdtemp(prefix="ab_run_"))
    load_start = common.load_avg()
    for label, src in sources.items():  # fills each tree's Numba cache
        run(src, args.scenario, folder / f"warm_{label}.nc", args.sets + ["run.hours=1"])
    cases = []
    for r in range(args.rounds):
        for label, src in sources.items():
            wall, cpu = run(src, args.scenario, folder / f"{label}.nc", args.sets)
            cases.append(dict(label=label, round=r + 1, wall_s=round(wall, 2), cpu_s=round(cpu, 2)))
            print(f"{label} round {r + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
    first = next(iter(sources))
    compared = {}
    for label in list(sources)[1:]:
        for name in (f"{first}.nc", f"{first}.d01.nc"):
            a = folder / name
            if a.exists():
                b = folder / name.replace(first, label, 1)
                compared[f"{a.name} / {b.name}"] = differences(a, b)
    for pair, diff in compared.items():
        print(f"{pair}: {'bitwise identical' if not diff else 'differ in ' + ', '.join(diff)}")
    result = dict(scenario=args.scenario, sets=args.sets, sources=sources, cases=cases, differences=compared,
                  load_start=load_start, load_end=common.load_avg(), machine=common.machine_info(),
                  date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    out = Path(__file__).resolve().parent / "results" / "ab_run.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
