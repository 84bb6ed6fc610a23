"""Scaling: model time per simulated day against the number of cells, the number of species, and Numba threads.

Each case is a short ``airmodel run`` in its own process (so that NUMBA_NUM_THREADS takes effect). The child
records the wall time and the CPU time (all threads of the process) of every ``Model.step`` and the model's time by
process; the first SKIP steps are left out (their first kernel calls load Numba's cache), and so are the set-up
(meteorology, emissions) and the output's final products. Figures are per simulated day:
sum over the timed steps / (their simulated seconds / 86400).

On a machine shared with other programs the wall time depends on the load (recorded before and after each case);
the CPU time much less so, but it counts both threads' work, including time a thread spends waiting at the end of
a parallel loop, so it does not show the gain of a second thread: compare the wall times for that, on a quiet
machine.

Cases (each with 1 and 2 threads, the same start and length):

* cells: the August baseline (``baseline_2008_08``: synthetic weather, the 2008 inventory, ``grs_aero``, 21
  transported species) over the same domain at 0.25, 0.1 and 0.05 degree (24 x 22, 60 x 55 and 120 x 110
  columns, 10 layers), with the scenario's 900-s step (advection sub-steps where the Courant number needs them);
* species: the tracer demo's grid (0.1 degree, 60 x 55 x 10) and weather with 1, 5 and 20 inert tracers (one
  point source each, no chemistry): transport, emissions and deposition alone.

    python benchmarks/scaling.py [--hours 3] [--threads 1 2] [--only cells|species]

Writes benchmarks/results/scaling.json and prints one line per case.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

RESOLUTIONS = (0.25, 0.1, 0.05)
TRACER_COUNTS = (1, 5, 20)
DOMAIN = dict(lon_min=113.5, lon_max=119.5, lat_min=37.0, lat_max=42.5)
SKIP = 2

# The child: the airmodel command with every Model.step timed; the record is printed as JSON at exit.
CHILD = """
import atexit, json, sys, time
from airmodel import cli, model
steps = []
marks = {}
plain_step = model.Model.step
def timed_step(self, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        return plain_step(self, *args, **kwargs)
    finally:
        steps.append((time.perf_counter() - wall, time.process_time() - cpu, self.time_step))
        if len(steps) == SKIP:
            marks["after_skip"] = dict(self.timers.seconds)
        marks["end"] = dict(self.timers.seconds)
model.Model.step = timed_step
atexit.register(lambda: print("STEPS " + json.dumps(dict(steps=steps, **marks)), file=sys.stderr))
sys.exit(cli.main(sys.argv[1:]))
""".replace("SKIP", str(SKIP))


def tracer_scenario(n_tracers: int) -> str:
    """A TOML scenario: the demo_tracer grid and weather with n inert tracers, one point source each (spread over
    the domain's centre; the rate of the tracer demo's Shougang source)."""
    lines = ['description = "scaling benchmark: inert tracers"', "[run]", 'start = "2008-08-08T00:00:00Z"',
             "hours = 1", "time_step = 900.0", "[domain]", 'grid = "lonlat"']
    lines += [f"{k} = {v}" for k, v in DOMAIN.items()]
    lines += ["resolution = 0.1",
              "layer_interfaces = [0.0, 50.0, 120.0, 220.0, 350.0, 520.0, 750.0, 1050.0, 1450.0, 2000.0, 3000.0]",
              "[meteorology]", 'source = "synthetic"', "seed = 2008"]
    for n in range(n_tracers):
        lines += [f"[species.tracer_{n}]", 'units = "ug m-3"', f'long_name = "inert tracer {n}"', "inflow = 0.0",
                  'deposition_class = "pm_fine"']
    for n in range(n_tracers):
        lines += ["[[emissions.point]]", f'name = "source {n}"', f'species = "tracer_{n}"',
                  f"x = {115.0 + 3.0 * (n % 5) / 5:.3f}", f"y = {38.5 + 2.5 * (n // 5) / 4:.3f}", "z = 120.0",
                  "rate = 500.0", 'rate_units = "g s-1"']
    return "\n".join(lines) + "\n"


def run_case(scenario: str, overrides: list[str], threads: int, folder: Path) -> dict:
    """One airmodel run in a child process: wall and CPU seconds per simulated day of its steps after the first
    SKIP, and its time by process over those steps (per simulated day)."""
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
    cmd = [sys.executable, "-c", CHILD, "run", scenario, "-o", str(folder / "out.nc"), "--force"]
    for item in overrides + ["output.checkpoint_interval_hours=0", 'output.stations="none"']:
        cmd += ["--set", item]
    load_start = common.load_avg()
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    record = json.loads(next(line for line in done.stderr.splitlines() if line.startswith("STEPS "))[6:])
    timed = record["steps"][SKIP:]
    days = sum(step[2] for step in timed) / 86400.0
    processes = {p: (record["end"][p] - record["after_skip"].get(p, 0.0)) / days for p in record["end"]}
    return dict(process_wall_s=wall, steps_timed=len(timed), simulated_days=days,
                wall_per_day_s=sum(step[0] for step in timed) / days,
                cpu_per_day_s=sum(step[1] for step in timed) / days, processes_wall_per_day_s=processes,
                load_start=load_start, load_end=common.load_avg())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--hours", type=float, default=3.0, help="hours of each run (from the scenario's start)")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--only", choices=("cells", "species"))
    args = p.parse_args()
    results = {"hours": args.hours, "steps_left_out": SKIP, "cells": [], "species": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = []
        if args.only in (None, "cells"):
            for res in RESOLUTIONS:
                cases.append(("cells", "baseline_2008_08", [f"domain.resolution={res}"], dict(resolution=res)))
        if args.only in (None, "species"):
            for n in TRACER_COUNTS:
                path = folder / f"tracers_{n}.toml"
                path.write_text(tracer_scenario(n))
                cases.append(("species", str(path), [], dict(tracers=n)))
        for kind, scenario, overrides, label in cases:
            for threads in args.threads:
                row = dict(label, threads=threads, **run_case(scenario, overrides + [f"run.hours={args.hours:g}"],
                                                              threads, folder))
                results[kind].append(row)
                print(f"{kind} {label} threads {threads}: per simulated day wall {row['wall_per_day_s']:.1f} s, "
                      f"CPU {row['cpu_per_day_s']:.1f} s ({row['steps_timed']} steps); load {row['load_start']} -> "
                      f"{row['load_end']}", flush=True)
    path = common.write_result("scaling", results)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
