"""The workshop demo's start: from empty caches (every kernel compiled, the mechanism generated, the region
outlines and towns read from their packages) and warm, for one or more source trees, alternating.

    python benchmarks/start_up.py [--rounds 2] [--source LABEL=SRC_DIR ...]

Each run is ``airmodel run demo -o demo.nc --force --no-progress`` in a child process from an empty folder, with
``PYTHONPATH=SRC_DIR`` (default: the installed package) and its own ``NUMBA_CACHE_DIR`` and
``AIRMODEL_CACHE_DIR``: "cold" starts them empty, "warm" is the next run with them filled. Wall time, the
child's user + system CPU time and the "run finished" line's stepping time are reported; the machine's load
average is taken before each run. Writes benchmarks/results/start_up.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def run_demo(src: str | None, numba_cache: Path, airmodel_cache: Path) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(numba_cache), AIRMODEL_CACHE_DIR=str(airmodel_cache))
    if src:
        env["PYTHONPATH"] = src
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "airmodel.cli", "run", "demo", "-o", "demo.nc", "--force",
                            "--no-progress"], cwd=folder, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(r.stderr[-3000:])
    stepping = re.search(r"run finished: \d+ steps in ([0-9.]+) s wall", r.stderr)
    return {"wall_s": round(wall, 2), "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime -
                                                       before.ru_stime, 2),
            "stepping_wall_s": float(stepping.group(1)) if stepping else None, "load_before": round(load, 2)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--source", action="append", default=[], metavar="LABEL=SRC_DIR",
                   help="a source tree to time (its src folder); default: the installed package")
    args = p.parse_args()
    sources = [s.split("=", 1) for s in args.source] or [["installed", ""]]
    rows = []
    for round_ in range(args.rounds):
        for label, src in sources:
            with tempfile.TemporaryDirectory() as caches:
                numba_cache, airmodel_cache = Path(caches) / "numba", Path(caches) / "airmodel"
                for start in ("cold", "warm"):
                    row = {"round": round_ + 1, "source": label, "start": start,
                           **run_demo(src, numba_cache, airmodel_cache)}
                    print(json.dumps(row), flush=True)
                    rows.append(row)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "start_up.json").write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
