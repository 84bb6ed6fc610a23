"""Scaling of ensembles on dask.distributed, and the scheduler's overhead per member.

    python benchmarks/ensemble.py [--members 8] [--hours 6] [--repeats 2]

Runs the same ``--members`` members (the demo scenario, 0.25-degree grid, ``--hours`` hours each from
2008-08-08T00:00Z; the base and domain-wide cuts of 10, 20, ... % so that no two are the same run) through
``airmodel.ensemble.run_ensemble`` on a LocalCluster in three layouts, workers x Numba threads per worker:

    1 x 1, 1 x 2, 2 x 1   (workers x threads = the 2 cores, except the 1 x 1 reference)

For each layout a fresh LocalCluster is started and every worker first runs one tiny member (loading the Numba
cache: the first-call cost, reported separately as ``warmup_s``); then the ensemble is timed, from submission to
the last member's output, into an empty folder. The layouts are interleaved over ``--repeats`` rounds and the
best round of each is reported (the machine is shared; the load average is recorded with every round).

Scheduler overhead per member, two ways:
- in the ensemble: (wall x workers - the sum of the members' own run times, measured inside each task) / members;
- for an empty task: the round trip of submit -> result one at a time, and the time per task of 200 submitted
  together, on the same cluster.

Also checked: the members' outputs are bitwise identical in the three layouts (data variables).
Writes benchmarks/results/ensemble.json.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from airmodel.data import packaged_scenario  # noqa: E402
from airmodel.ensemble import load_ensemble, local_cluster, run_ensemble  # noqa: E402

LAYOUTS = ((1, 1), (1, 2), (2, 1))


def ensemble_file(folder: Path, members: int, hours: float) -> Path:
    depths = ", ".join(f"{0.1 * k:.1f}" for k in range(1, members))
    path = folder / "bench.toml"
    path.write_text(
        f'base = "{packaged_scenario("demo")}"\n'
        f"overrides = ['run.hours={hours:g}', 'run.start=\"2008-08-08T00:00:00Z\"']\n"
        f'[[sweeps]]\nname = "cut"\nreductions = [{depths}]\n', encoding="utf-8")
    return path


def warmup_file(folder: Path) -> Path:
    path = folder / "warmup.toml"
    path.write_text(f'base = "{packaged_scenario("demo")}"\n'
                    "overrides = ['run.hours=1', 'domain.resolution=0.5']\n", encoding="utf-8")
    return path


def _noop(x):
    return x


def scheduler_overhead(client, n: int = 200) -> dict:
    t0 = time.perf_counter()
    for k in range(20):
        client.submit(_noop, k, pure=False).result()
    one_at_a_time = (time.perf_counter() - t0) / 20
    t0 = time.perf_counter()
    client.gather([client.submit(_noop, k, pure=False) for k in range(n)])
    together = (time.perf_counter() - t0) / n
    return {"empty_task_round_trip_s": one_at_a_time, "empty_task_in_batch_of_200_s": together}


def run_layout(workers: int, threads: int, ensemble, warmup, folder: Path) -> dict:
    from distributed import Client

    out = folder / f"w{workers}t{threads}"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    with local_cluster(workers, threads) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        started = time.perf_counter() - t0
        # one tiny member per worker: the Numba cache load and first calls, left out of the timing
        t1 = time.perf_counter()
        futures = [client.submit(_warm, warmup, folder / f"warm_w{workers}t{threads}_{k}", threads, pure=False,
                                 workers=[addr]) for k, addr in enumerate(client.scheduler_info()["workers"])]
        client.gather(futures)
        warm = time.perf_counter() - t1
        load_before = common.load_avg()
        t2 = time.perf_counter()
        status = run_ensemble(ensemble, out, client, threads=threads)
        wall = time.perf_counter() - t2
        load_after = common.load_avg()
        overhead = scheduler_overhead(client)
    walls = [s["wall_s"] for s in status.values()]
    assert all(s["status"] == "done" for s in status.values()), status
    n = len(walls)
    return {"workers": workers, "threads_per_worker": threads, "members": n, "wall_s": wall,
            "member_run_s_sum": float(np.sum(walls)), "member_run_s_median": float(np.median(walls)),
            "overhead_per_member_s": (wall * workers - float(np.sum(walls))) / n,
            "cluster_start_s": started, "warmup_s": warm, "load_before": load_before, "load_after": load_after,
            "out": str(out), **overhead}


def _warm(warmup_path, folder, threads):
    from airmodel.ensemble import load_ensemble as load, run_member

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    member = load(warmup_path).members[0]
    return run_member({"name": "warmup", "raw": member.raw, "text": member.text, "output": str(folder / "w.nc"),
                       "log": str(folder / "w.log"), "force": True, "threads": threads, "host_threads": {},
                       "client_pid": -1, "command_line": "benchmark warm-up"})


def identical_outputs(folders: list, ensemble) -> bool:
    import xarray as xr

    for m in ensemble.runs():
        first = xr.load_dataset(Path(folders[0]) / m.file)
        for other in folders[1:]:
            ds = xr.load_dataset(Path(other) / m.file)
            for name in first.data_vars:
                a, b = first[name].values, ds[name].values
                if not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
                    return False
    return True


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--members", type=int, default=8)
    p.add_argument("--hours", type=float, default=6.0)
    p.add_argument("--repeats", type=int, default=2)
    args = p.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="airmodel_ensemble_bench_"))
    try:
        ensemble = load_ensemble(ensemble_file(folder, args.members, args.hours))
        warmup = warmup_file(folder)
        rounds = []
        for r in range(args.repeats):
            for workers, threads in LAYOUTS:
                result = run_layout(workers, threads, ensemble, warmup, folder)
                result["round"] = r
                rounds.append(result)
                print(f"round {r}: {workers} worker(s) x {threads} thread(s): {result['wall_s']:.2f} s "
                      f"(members {result['member_run_s_median']:.2f} s median; overhead "
                      f"{result['overhead_per_member_s'] * 1e3:.0f} ms/member; load {result['load_before']})",
                      flush=True)
        best = {}
        for workers, threads in LAYOUTS:
            mine = [x for x in rounds if x["workers"] == workers and x["threads_per_worker"] == threads]
            best[f"{workers}x{threads}"] = min(mine, key=lambda x: x["wall_s"])
        same = identical_outputs([best[k]["out"] for k in best], ensemble)
        speedups = {
            "2x1_over_1x1": best["1x1"]["wall_s"] / best["2x1"]["wall_s"],
            "1x2_over_1x1": best["1x1"]["wall_s"] / best["1x2"]["wall_s"],
            "2x1_over_1x2": best["1x2"]["wall_s"] / best["2x1"]["wall_s"],
        }
        result = {"command": " ".join(["python benchmarks/ensemble.py"] + sys.argv[1:]),
                  "members": args.members, "hours_per_member": args.hours, "grid": "demo, 0.25 deg, 10 layers",
                  "rounds": rounds, "best": best, "speedups": speedups,
                  "outputs_bitwise_identical_across_layouts": same}
        path = common.write_result("ensemble", result)
        print(common.markdown_table(
            ["layout", "wall (s)", "member median (s)", "overhead/member (ms)", "empty task (ms)", "warm-up (s)"],
            [[k, v["wall_s"], v["member_run_s_median"], 1e3 * v["overhead_per_member_s"],
              1e3 * v["empty_task_round_trip_s"], v["warmup_s"]] for k, v in best.items()]))
        print(speedups, "identical:", same)
        print(f"wrote {path}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
