"""Where a step of the nested August baseline goes: the wall time of the chemistry kernel and of the Python parts
around the kernels (budget guard, emission rates and injection, meteorology interpolation, deposition velocities,
output), with 1 and 2 Numba threads, for one or more source trees, alternating.

Each case is an ``airmodel run baseline_2008_08 --set run.hours=HOURS`` in its own process (so that
NUMBA_NUM_THREADS takes effect and each tree imports its own code), after a 1-hour run of the same tree that fills
Numba's cache (not timed). The child wraps each timed function with ``time.perf_counter`` (a nested call is also
counted in its caller: the parts do not add up to the step) and prints the totals as JSON at exit, with the
chemistry solver's steps (accepted and rejected) summed by layer for each domain (``steps_by_layer``, keyed by the
grid's shape): how uneven the cells' cost is.

    python benchmarks/step_parts.py [--hours 24] [--threads 1 2] [--rounds 1] [--source LABEL=SRC_DIR ...]

A source tree is a checkout's ``src`` folder (``git worktree add /tmp/old HEAD~1`` gives one); default: the
installed package. Writes benchmarks/results/step_parts.json and prints one line per case.
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

# (module, attribute path) of the timed functions; the generated chemistry kernel is timed as "chemistry kernel"
TIMED = [
    ("airmodel.model", "Model.step"), ("airmodel.chemistry.process", "Chemistry.step"),
    ("airmodel.transport", "Transport.advect"), ("airmodel.transport", "Transport.mix_vertically"),
    ("airmodel.transport", "Transport.coefficients"), ("airmodel.model", "Model._check"),
    ("airmodel.budget_guard", "BudgetGuard.check"), ("airmodel.emissions.inventory", "Emissions.rates"),
    ("airmodel.emissions.inventory", "EmissionRates.add_elevated"),
    ("airmodel.emissions.inventory", "EmissionRates.by_species"),
    ("airmodel.met.synthetic", "SyntheticMeteorology.at"), ("airmodel.model", "Model.deposition_velocities"),
    ("airmodel.output", "OutputWriter.after_step"),
]

CHILD = """
import atexit, importlib, json, sys, time
seconds, calls = {}, {}
def timed(label, function):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - start
            calls[label] = calls.get(label, 0) + 1
    return wrapper
for module_name, path in TIMED:
    owner_name, _, name = path.rpartition(".")
    owner = getattr(importlib.import_module(module_name), owner_name)
    setattr(owner, name, timed(path, getattr(owner, name)))
from airmodel.chemistry import codegen, process
plain_module = codegen.generated_module
def generated_module(mech):
    module = plain_module(mech)
    if not getattr(module, "_timed", False):
        module.chemistry_3d = timed("chemistry kernel", module.chemistry_3d)
        module._timed = True
    return module
process.select_kernels = lambda mech, kernels: None if kernels == "generic" else generated_module(mech)
steps_by_layer = {}  # solver steps (accepted + rejected) of each domain's chemistry, summed by layer
plain_chemistry_step = process.Chemistry.step
def chemistry_step(self, *args, **kwargs):
    result = plain_chemistry_step(self, *args, **kwargs)
    by_layer = self.last_steps.sum(axis=(1, 2))
    key = "x".join(str(n) for n in self.last_steps.shape)
    steps_by_layer[key] = [a + int(b) for a, b in zip(steps_by_layer.get(key, [0] * by_layer.size), by_layer)]
    return result
process.Chemistry.step = chemistry_step
atexit.register(lambda: print("STEP_PARTS " + json.dumps(dict(seconds=seconds, calls=calls,
                                                              steps_by_layer=steps_by_layer)), file=sys.stderr))
from airmodel.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_case(src: str, threads: int, hours: int, folder: Path) -> dict:
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
    if src:
        env["PYTHONPATH"] = src
    code = f"TIMED = {TIMED!r}\n" + CHILD
    common_args = ["run", "baseline_2008_08", "--force", "--no-progress", "--set",
                   "output.checkpoint_interval_hours=0"]
    subprocess.run([sys.executable, "-c", code, *common_args, "-o", str(folder / "warm.nc"), "--set",
                    "run.hours=1"], env=env, check=True, capture_output=True, text=True)
    load_before = common.load_avg()
    done = subprocess.run([sys.executable, "-c", code, *common_args, "-o", str(folder / "run.nc"), "--set",
                           f"run.hours={hours}"], env=env, check=True, capture_output=True, text=True)
    line = [x for x in done.stderr.splitlines() if x.startswith("STEP_PARTS ")][-1]
    record = json.loads(line[len("STEP_PARTS "):])
    record.update(threads=threads, hours=hours, load_before=load_before, load_after=common.load_avg())
    return record


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hours", type=int, default=24)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--source", action="append", default=[], metavar="LABEL=SRC_DIR",
                   help="a source tree to time (its src folder); default: the installed package")
    args = p.parse_args()
    sources = [s.split("=", 1) for s in args.source] or [["installed", ""]]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            for threads in args.threads:
                for label, src in sources:
                    folder = Path(tmp) / f"{label}_{threads}_{round_}"
                    folder.mkdir()
                    record = run_case(src, threads, args.hours, folder)
                    record.update(source=label, round=round_ + 1)
                    rows.append(record)
                    s = record["seconds"]
                    others = ", ".join(f"{k} {v:.2f}" for k, v in sorted(s.items(), key=lambda kv: -kv[1])
                                       if k not in ("Model.step", "Chemistry.step", "chemistry kernel"))
                    print(f"{label} threads={threads} round={round_ + 1}: step {s.get('Model.step', 0):.2f} s, "
                          f"chemistry kernel {s.get('chemistry kernel', 0):.2f} s; {others}", flush=True)
                    for shape, by_layer in record["steps_by_layer"].items():
                        half = len(by_layer) // 2
                        print(f"  solver steps by layer, grid {shape}: {by_layer}; lower half "
                              f"{sum(by_layer[:half]) / max(sum(by_layer[half:]), 1):.2f} times the upper",
                              flush=True)
    path = common.write_result("step_parts", dict(hours=args.hours, rows=rows))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
