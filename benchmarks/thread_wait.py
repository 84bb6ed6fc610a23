"""How Numba's OpenMP threads wait between parallel loops: active (spinning) against passive (sleeping).

The kernels package sets OMP_WAIT_POLICY=PASSIVE unless the user has set it (airmodel/kernels/__init__.py). This
script times short model runs (benchmarks/scaling.py's run_case: wall and CPU time per simulated day of the steps
after the first two) with 1 and 2 Numba threads, with OMP_WAIT_POLICY=ACTIVE and with the package's default,
alternating over rounds. On a quiet machine the two should be alike; on one whose cores other programs share,
spinning threads take cores from the working ones.

    python benchmarks/thread_wait.py [--case species|cells|plane] [--rounds 2]

``species``: 5 inert tracers on the 0.1-degree tracer grid; ``cells``: the August baseline at 0.25 degree (grs_aero);
``plane``: the advection kernel alone on the rotating cone's plane (101 x 101 x 1, one species, Walcek), 1,000
steps of an x and a y sweep, 2 threads, in a child process per variant.
Writes benchmarks/results/thread_wait_<case>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import scaling  # noqa: E402

PLANE = """
import json, time
import numpy as np
from airmodel.kernels import advection
rng = np.random.default_rng(0)
tracer = rng.uniform(0.5, 1.5, (1, 1, 101, 101))
air = np.ones((1, 101, 101))
flux = {2: np.full((1, 101, 102), 0.4), 1: np.full((1, 102, 101), 0.4)}
inflow = np.ones((1, 1, 101))
boundary = np.zeros((2, 1, 1, 101))
def step():
    for axis in (2, 1):
        advection.advect(tracer, air, flux[axis], 1.0, axis, inflow, inflow, boundary, 0.9, advection.SCHEME_WALCEK)
step()
wall, cpu = time.perf_counter(), time.process_time()
for _ in range(1000):
    step()
print(json.dumps(dict(wall_s=time.perf_counter() - wall, cpu_s=time.process_time() - cpu)))
"""

VARIANTS = (("OMP_WAIT_POLICY=ACTIVE", "ACTIVE"), ("package default (PASSIVE)", None))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--case", choices=("species", "cells", "plane"), default="species")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--hours", type=float, default=3.0)
    args = p.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.case == "species":
            path = folder / "tracers_5.toml"
            path.write_text(scaling.tracer_scenario(5))
            scenario, overrides = str(path), []
        elif args.case == "cells":
            scenario, overrides = "baseline_2008_08", ["domain.resolution=0.25"]
        for round_ in range(args.rounds):
            for name, value in VARIANTS:
                os.environ.pop("OMP_WAIT_POLICY", None)
                if value is not None:
                    os.environ["OMP_WAIT_POLICY"] = value
                if args.case == "plane":
                    load = common.load_avg()
                    done = subprocess.run([sys.executable, "-c", PLANE], capture_output=True, text=True, check=True,
                                          env=dict(os.environ, NUMBA_NUM_THREADS="2"))
                    r = json.loads(done.stdout.strip().splitlines()[-1])
                    rows.append(dict(round=round_, variant=name, threads=2, load_start=load, **r))
                    print(f"{name:26s} threads 2: 1,000 steps wall {r['wall_s']:.2f} s, CPU {r['cpu_s']:.2f} s; load "
                          f"{load}", flush=True)
                    continue
                for threads in (1, 2):
                    r = scaling.run_case(scenario, overrides + [f"run.hours={args.hours:g}"], threads, folder)
                    rows.append(dict(round=round_, variant=name, threads=threads, **r))
                    print(f"{name:26s} threads {threads}: per simulated day wall {r['wall_per_day_s']:.1f} s, CPU "
                          f"{r['cpu_per_day_s']:.1f} s; load {r['load_start']}", flush=True)
    os.environ.pop("OMP_WAIT_POLICY", None)
    print(f"wrote {common.write_result(f'thread_wait_{args.case}', dict(case=args.case, rows=rows))}")


if __name__ == "__main__":
    main()
