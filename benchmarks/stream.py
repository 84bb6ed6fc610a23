"""STREAM triad (a = b + s*c) in Numba: the memory-bandwidth roof for the other benchmarks.

Run:  python benchmarks/stream.py [--n 20000000] [--repeats 10]

Bytes counted: STREAM convention, 3 arrays x 8 bytes per element (read b, read c, write a). Write-allocate
traffic (the cache line of ``a`` is read before it is written unless the compiler emits non-temporal stores)
is NOT counted; the result file also gives the figure with it counted (x 4/3) for reference.

Other benchmarks measure the roof in the same run with::

    from stream import triad_bandwidth      # benchmarks/ on sys.path
    gbs = triad_bandwidth()                 # all Numba threads, best of repeats, GB/s (1e9 B/s)
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numba  # noqa: E402
import numpy as np  # noqa: E402
from numba import njit, prange  # noqa: E402

import common  # noqa: E402

BYTES_PER_ELEMENT_STREAM = 3 * 8  # read b, read c, write a (no write-allocate)
BYTES_PER_ELEMENT_WRITE_ALLOCATE = 4 * 8  # + read of a's cache line before the write
SCALAR = 3.0


@njit(parallel=True, cache=False)
def _fill(a, b, c):
    # Parallel first touch, so pages are spread like the triad's own static schedule.
    for i in prange(a.size):
        a[i] = 1.0
        b[i] = 2.0
        c[i] = 0.5


@njit(parallel=True, cache=False)
def _triad(a, b, c, s):
    for i in prange(a.size):
        a[i] = b[i] + s * c[i]


def _allocate(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = np.empty(n)
    b = np.empty(n)
    c = np.empty(n)
    _fill(a, b, c)
    return a, b, c


class _threads:
    """Context manager: run with ``n`` Numba threads (None: all), restore afterwards."""

    def __init__(self, n: int | None):
        self.n = numba.config.NUMBA_NUM_THREADS if n is None else int(n)
        if not 1 <= self.n <= numba.config.NUMBA_NUM_THREADS:
            raise ValueError(f"threads must be in 1..{numba.config.NUMBA_NUM_THREADS}")

    def __enter__(self):
        self.old = numba.get_num_threads()
        numba.set_num_threads(self.n)
        return self.n

    def __exit__(self, *exc):
        numba.set_num_threads(self.old)
        return False


def measure_triad(n: int = 20_000_000, threads: int | None = None, repeats: int = 10) -> dict:
    """Full triad measurement; GB/s = 1e9 bytes/s, STREAM byte count (no write-allocate)."""
    a, b, c = _allocate(n)
    with _threads(threads) as nthreads:
        timing = common.time_call(lambda: _triad(a, b, c, SCALAR), repeats=repeats)
    # check the arithmetic (guards against a dead-code-eliminated loop)
    expected = 2.0 + SCALAR * 0.5
    if not (a[0] == expected and a[-1] == expected):
        raise RuntimeError("triad produced a wrong result")
    nbytes = BYTES_PER_ELEMENT_STREAM * n
    best_gbs = nbytes / timing["best_s"] / 1e9
    med_gbs = nbytes / timing["median_s"] / 1e9
    return {
        "n": n,
        "threads": nthreads,
        "repeats": timing["repeats"],
        "bytes_per_element_counted": BYTES_PER_ELEMENT_STREAM,
        "write_allocate_counted": False,
        "best_s": timing["best_s"],
        "median_s": timing["median_s"],
        "first_call_s": timing["first_call_s"],
        "best_GBs": best_gbs,
        "median_GBs": med_gbs,
        "best_GBs_with_write_allocate": best_gbs * BYTES_PER_ELEMENT_WRITE_ALLOCATE / BYTES_PER_ELEMENT_STREAM,
        "times_s": timing["times_s"],
    }


def triad_bandwidth(n: int = 20_000_000, threads: int | None = None, repeats: int = 10) -> float:
    """Best-of-``repeats`` STREAM triad bandwidth in GB/s (1e9 B/s, 24 B/element, no write-allocate).

    ``threads=None`` uses all Numba threads. The first (compiling) call is excluded.
    """
    return measure_triad(n=n, threads=threads, repeats=repeats)["best_GBs"]


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=20_000_000)
    p.add_argument("--repeats", type=int, default=10)
    args = p.parse_args(argv)
    load_at_start = common.load_avg()

    # compile once, outside the measurements, and report it
    t0 = time.perf_counter()
    a, b, c = _allocate(1000)
    _triad(a, b, c, SCALAR)
    compile_s = time.perf_counter() - t0

    max_threads = numba.config.NUMBA_NUM_THREADS
    thread_counts = [1] if max_threads == 1 else [1, max_threads]
    runs = [measure_triad(args.n, t, args.repeats) for t in thread_counts]

    result = {
        "description": "STREAM triad a = b + s*c, Numba @njit(parallel=True), float64",
        "byte_count_convention": "STREAM: 3 arrays x 8 B per element; write-allocate traffic NOT counted "
        "(best_GBs_with_write_allocate = best_GBs x 4/3 for reference)",
        "array_MB_each": args.n * 8 / 1e6,
        "compile_s": compile_s,
        "threading_layer": numba.threading_layer(),
        "runs": runs,
    }
    result["load_avg_1_5_15_at_start"] = load_at_start
    path = common.write_result("stream", result)

    print(f"# STREAM triad ({args.n:.3g} float64, {args.n * 8 / 1e6:.0f} MB/array)")
    print(common.machine_summary() + f"; load avg at start {load_at_start}, end {common.load_avg()}")
    print(
        common.markdown_table(
            ["threads", "best GB/s", "median GB/s", "best GB/s incl. write-allocate", "best ms"],
            [
                [r["threads"], r["best_GBs"], r["median_GBs"], r["best_GBs_with_write_allocate"],
                 r["best_s"] * 1e3]
                for r in runs
            ],
            floatfmt=".2f",
        )
    )
    print(f"compile {compile_s:.2f} s (excluded); threading layer {numba.threading_layer()}; -> {path}")
    return result


if __name__ == "__main__":
    main()
