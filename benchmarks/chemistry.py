"""Chemistry benchmarks: the 3-D chemistry step (grid cells per second) and the box model against scipy's Radau,
each with the code generated for the mechanism and with the generic index-array kernels, in the same run.

Run:  python benchmarks/chemistry.py [--nx 60 --ny 55 --nz 10] [--dt 600] [--steps 6] [--repeats 3] [--quick]

0. First compile: the generated module from an empty cache folder, and loading it warm, each in a fresh Python
   process (generation, writing, Numba compilation of every generated function, and one 3-D call).

1. 3-D step: ``Chemistry("grs_aero", rtol=1e-3, atol=1e-6).step`` on nx x ny x nz cells over the greater-Beijing
   domain, a polluted summer state (the urban box's initial values, +-30 % at random per cell), dt seconds per
   model step, ``steps`` consecutive steps from 03:00 UTC (11 local, full sun) and from 15:00 UTC (23 local, night).
   The first call (JIT compilation, or loading Numba's cache: recorded as which) is timed separately and
   excluded. Throughput = cells x steps / wall time, with all Numba threads and with one; per cell and model
   step and per Rosenbrock step (attempted steps) in core-microseconds: the process's CPU time (all threads,
   Chemistry.step's Python part included) over the count, which the other programs on a shared machine inflate
   far less than the wall time. Generic and
   generated kernels alternate within the run.
2. Box: each regime of the box/ cases (5 days, hourly output). Our RODAS3 and scipy's Radau are timed at ladders
   of tolerances and their largest relative error (species above 1e-3 ppb, every hour) measured against Radau at
   rtol 1e-10. Two comparisons: (a) "same accuracy": ours at the shipped settings (rtol 1e-4, atol 1e-8 ppb)
   against the loosest Radau whose error is no larger; (b) "at the required 0.1 %": the cheapest setting of each
   whose error is below 1e-3. Radau uses the independent plain-Python right-hand side with its analytic
   Jacobian (airmodel/chemistry/reference.py), atol = 1e-4 rtol. Ours is timed with the generated code and with
   the generic kernels (same settings, the same steps), alternating, in CPU time of the calling thread (the box
   integration is single-threaded), median and best of 30; Radau in CPU time as well.

3. ``--mechanisms``: only the comparison of the mechanisms (grs_aero and cb05_aero): for each, the 3-D step on a
   smaller grid (``--nx 20 --ny 20 --nz 5`` is enough) with one thread, generic and generated alternating, in
   core-microseconds per cell and model step and per Rosenbrock step (day and night), and the urban box (5 days;
   ``box/urban_voc_limited`` and ``box/cb05_urban``) in CPU microseconds per attempted step, medians of
   ``--repeats`` alternating runs. Writes benchmarks/results/chemistry_mechanisms.json.

Writes benchmarks/results/chemistry.json.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numba  # noqa: E402
import numpy as np  # noqa: E402

import common  # noqa: E402
from airmodel.chemistry import Chemistry  # noqa: E402
from airmodel.chemistry.box import build_setup, integrate, load_box_config  # noqa: E402
from airmodel.chemistry.reference import integrate_reference  # noqa: E402
from airmodel.kernels import chemistry as kchem  # noqa: E402
from airmodel.kernels.chemistry import MOLAR_MASS_AIR  # noqa: E402

REGIMES = ("urban_voc_limited", "rural_nox_limited", "polluted_night")
RADAU_LADDER = (1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 1e-5, 1e-6, 1e-7)
OURS_LADDER = (1e-3, 5e-4, 3e-4, 2e-4, 1e-4, 3e-5)
REQUIRED = 1e-3


def max_relative_error(values, reference, floor=1e-3):
    above = reference > floor
    return float((np.abs(values - reference)[above] / reference[above]).max())


def grid_state(chem: Chemistry, nx: int, ny: int, nz: int, rng, case="box/urban_voc_limited"):
    setup = build_setup(load_box_config(case))
    shape = (nz, ny, nx)
    rho = 1.18 * np.exp(-(50.0 + 100.0 * np.arange(nz)) / 8000.0)[:, None, None] * np.ones(shape)
    c = np.empty((len(chem.names),) + shape)
    for s, sp in enumerate(chem.species):
        ppb = setup.y0[s] * rng.uniform(0.7, 1.3, shape)
        c[s] = ppb * 1e-9 * sp.molar_mass / MOLAR_MASS_AIR * rho
    lon = np.broadcast_to(np.linspace(113.55, 119.45, nx)[None, :], (ny, nx))
    lat = np.broadcast_to(np.linspace(37.05, 42.45, ny)[:, None], (ny, nx))
    temperature = 300.0 - 0.0065 * (50.0 + 100.0 * np.arange(nz))[:, None, None] + rng.uniform(-2, 2, shape)
    return c, rho, temperature, lon, lat


COMPILE_PROBE = """
import time, numpy as np
from datetime import datetime, timezone
t0 = time.perf_counter()
from airmodel.chemistry import Chemistry
chem = Chemistry("grs_aero", rtol=1e-3, atol=1e-6, kernels="generated")
shape = (1, 2, 2)
c = np.full((len(chem.names),) + shape, 1e-9)
chem.step(c, np.full(shape, 1.2), 298.0, 0.6, 0.0, 116.4, 39.9, datetime(2008, 8, 1, 3, tzinfo=timezone.utc), 600.0,
          cell_volume=np.ones(shape))
print(time.perf_counter() - t0)
"""


def bench_compile():
    """Seconds for a fresh process to import airmodel, generate, compile (or load) and make one 3-D call."""
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, AIRMODEL_CACHE_DIR=folder)
        for label in ("empty_cache_s", "warm_cache_s"):
            result = subprocess.run([sys.executable, "-c", COMPILE_PROBE], env=env, capture_output=True, text=True,
                                    check=True)
            out[label] = float(result.stdout.strip().splitlines()[-1])
    return out


PARTS = ("rate constants and photolysis", "tendency", "Jacobian", "stage matrix and LU", "forward and back solve")


def bench_parts(n=2_000_000):
    """CPU ns per call of each generated piece for grs_aero (a polluted state, noon sun), called n times from a
    Numba loop."""
    from airmodel.chemistry import codegen, load_mechanism

    mech = load_mechanism("grs_aero")
    gen = codegen.generated_module(mech)
    ns, nr = gen.NS, gen.NR
    rate_constants, tendency, jacobian = gen.rate_constants, gen.tendency, gen.jacobian
    stage_matrix, decompose, solve_lu = gen.stage_matrix, gen.decompose, gen.solve_lu

    @numba.njit
    def repeat(n, which, y, k_thermal, k, f, zero, jac, lu, b):
        acc = 0.0
        for it in range(n):
            if which == 0:
                rate_constants(0.5 + 1e-9 * it, 1.0, k_thermal, k)
                acc += k[0]
            elif which == 1:
                tendency(k, y, zero, 0.0, zero, f)
                acc += f[0]
            elif which == 2:
                jacobian(k, y, 0.0, jac)
                acc += jac[0]
            elif which == 3:
                stage_matrix(jac, 1e3 + it, lu)
                decompose(lu)
                acc += lu[0]
            else:
                solve_lu(lu, b)
                acc += b[0]
        return acc

    rng = np.random.default_rng(1)
    y = rng.uniform(1.0, 50.0, ns)
    k_thermal, k, f, zero = np.empty(nr), np.empty(nr), np.empty(ns), np.zeros(ns)
    jac, lu, b = np.zeros(gen.NNZ), np.zeros(gen.NNZ), rng.uniform(size=ns)
    gen.thermal_rate_constants(298.0, 2.46e19, 60.0, 0.0, k_thermal)
    gen.rate_constants(0.5, 1.0, k_thermal, k)
    gen.jacobian(k, y, 0.0, jac)
    out = {}
    for which, name in enumerate(PARTS):
        repeat(10, which, y, k_thermal, k, f, zero, jac, lu, b)
        t0 = time.thread_time()
        repeat(n, which, y, k_thermal, k, f, zero, jac, lu, b)
        out[name] = (time.thread_time() - t0) / n * 1e9
    return out


URBAN_CASE = {"grs_aero": "box/urban_voc_limited", "cb05_aero": "box/cb05_urban"}


def bench_3d(nx, ny, nz, dt, steps, threads, kernels="auto", mechanism="grs_aero", one_thread_only=False):
    rng = np.random.default_rng(2008)
    chem = Chemistry(mechanism, rtol=1e-3, atol=1e-6, kernels=kernels)
    c0, rho, temperature, lon, lat = grid_state(chem, nx, ny, nz, rng, URBAN_CASE[mechanism])
    volume = np.full(rho.shape, 1e4 * 1e4 * 100.0)
    n_cells = nx * ny * nz
    out = {"cells": n_cells, "shape_nz_ny_nx": [nz, ny, nx], "dt_s": dt, "steps_per_sample": steps,
           "rtol": chem.rtol, "atol_ppb": chem.atol, "method": chem.method,
           "kernels": "generic" if chem.generated is None else "generated"}
    c = c0.copy()
    t0 = time.perf_counter()
    chem.step(c, rho, temperature, 0.65, 0.0, lon, lat, datetime(2008, 8, 1, 3, tzinfo=timezone.utc), dt,
              cell_volume=volume)
    out["first_call_s"] = time.perf_counter() - t0
    stats = (kchem.chemistry_3d if chem.generated is None else chem.generated.chemistry_3d).stats
    out["first_call_was"] = "cache load" if stats.cache_hits and not stats.cache_misses else "JIT compilation"
    before = numba.get_num_threads()
    for label, n_threads in (("one_thread", 1),) if one_thread_only else (("all_threads", threads),
                                                                          ("one_thread", 1)):
        numba.set_num_threads(n_threads)
        for period, hour in (("day", 3), ("night", 15)):
            c = c0.copy()
            start = datetime(2008, 8, 1, hour, tzinfo=timezone.utc)
            chem.step(c, rho, temperature, 0.65, 0.0, lon, lat, start, dt, cell_volume=volume)  # warm
            c = c0.copy()
            solver_steps = 0
            t0 = time.perf_counter()
            cpu0 = time.process_time()
            for n in range(steps):
                chem.step(c, rho, temperature, 0.65, 0.0, lon, lat, start + timedelta(seconds=n * dt), dt,
                          cell_volume=volume)
                solver_steps += int(chem.last_steps.sum())
            wall = time.perf_counter() - t0
            cpu = time.process_time() - cpu0
            out[f"{label}_{period}"] = {"threads": n_threads, "wall_s": wall, "cpu_s": cpu,
                                        "cells_per_second": n_cells * steps / wall,
                                        "solver_steps_per_cell_per_model_step": solver_steps / (n_cells * steps),
                                        "core_microseconds_per_cell_per_model_step":
                                            cpu / (n_cells * steps) * 1e6,
                                        "microseconds_per_solver_step_per_thread":
                                            cpu / solver_steps * 1e6,
                                        "load_avg_after": common.load_avg()}
    numba.set_num_threads(before)
    return out


def bench_box(repeats, quick):
    results = {}
    for regime in REGIMES:
        setup = build_setup(load_box_config(f"box/{regime}"))
        days = setup.segment_length.sum() / 86400.0
        t0 = time.perf_counter()
        integrate(setup, kernels="generic")
        first = time.perf_counter() - t0
        integrate(setup, kernels="generated")
        walls = {"generic": [], "generated": []}
        for _ in range(max(repeats, 30)):  # alternate, so that both see the same load
            for kernels in walls:
                t0 = time.thread_time()  # CPU time: on a shared machine, wall time counts the other programs
                result = integrate(setup, kernels=kernels)
                walls[kernels].append(time.thread_time() - t0)
                if kernels == "generic":
                    generic, generic_stats = result
                else:
                    ours, stats = result
        timing = {"median_s": float(np.median(walls["generated"])), "best_s": float(np.min(walls["generated"]))}
        generic_median = float(np.median(walls["generic"]))
        generic_best = float(np.min(walls["generic"]))
        t0 = time.thread_time()
        reference = integrate_reference(setup, rtol=1e-10, atol=1e-12)
        reference_s = time.thread_time() - t0
        steps = stats["accepted"] + stats["rejected"]
        entry = {"days": days, "ours": {"kernels": "generated", "method": "rodas3", "rtol": 1e-4, "atol_ppb": 1e-8,
                                        "first_call_s": first, "median_s": timing["median_s"],
                                        "best_s": timing["best_s"], "best_s_per_box_day": timing["best_s"] / days,
                                        "s_per_box_day": timing["median_s"] / days,
                                        "microseconds_per_attempted_step": timing["median_s"] / steps * 1e6,
                                        "max_rel_error": max_relative_error(ours, reference), **stats},
                 "generic": {"kernels": "generic", "median_s": generic_median, "best_s": generic_best,
                             "best_s_per_box_day": generic_best / days,
                             "speedup_generated_best": generic_best / timing["best_s"],
                             "s_per_box_day": generic_median / days,
                             "microseconds_per_attempted_step": generic_median / steps * 1e6,
                             "max_rel_error": max_relative_error(generic, reference), **generic_stats,
                             "speedup_generated": generic_median / timing["median_s"]},
                 "load_avg": common.load_avg(),
                 "radau_reference": {"rtol": 1e-10, "atol_ppb": 1e-12, "s": reference_s,
                                     "s_per_box_day": reference_s / days}}
        ours_ladder = []
        for rtol in OURS_LADDER:
            cpu = []
            for _ in range(max(repeats, 10)):
                t0 = time.thread_time()
                result = integrate(setup, rtol=rtol)
                cpu.append(time.thread_time() - t0)
            ours_ladder.append({"rtol": rtol, "atol_ppb": 1e-8, "s_per_box_day": float(np.median(cpu)) / days,
                                "max_rel_error": max_relative_error(result[0], reference)})
        entry["ours_ladder"] = ours_ladder
        ladder = []
        for rtol in (RADAU_LADDER[:5] if quick else RADAU_LADDER):
            t0 = time.thread_time()
            radau = integrate_reference(setup, rtol=rtol, atol=rtol * 1e-4)
            wall = time.thread_time() - t0
            ladder.append({"rtol": rtol, "atol_ppb": rtol * 1e-4, "s_per_box_day": wall / days,
                           "max_rel_error": max_relative_error(radau, reference)})
        entry["radau_ladder"] = ladder
        matching = [r for r in ladder if r["max_rel_error"] <= entry["ours"]["max_rel_error"]]
        if matching:
            same = matching[0]
            entry["radau_same_accuracy"] = same
            entry["speedup_same_accuracy"] = same["s_per_box_day"] / entry["ours"]["s_per_box_day"]
        entry["speedup_vs_reference"] = entry["radau_reference"]["s_per_box_day"] / entry["ours"]["s_per_box_day"]
        ours_ok = [r for r in ours_ladder if r["max_rel_error"] < REQUIRED]
        radau_ok = [r for r in ladder if r["max_rel_error"] < REQUIRED]
        if ours_ok and radau_ok:
            best_ours = min(ours_ok, key=lambda r: r["s_per_box_day"])
            best_radau = min(radau_ok, key=lambda r: r["s_per_box_day"])
            entry["at_required_accuracy"] = {"ours": best_ours, "radau": best_radau,
                                             "speedup": best_radau["s_per_box_day"] / best_ours["s_per_box_day"]}
        results[regime] = entry
        print(f"  {regime}: generated {1e3 * entry['ours']['s_per_box_day']:.3f} ms/box-day "
              f"({entry['ours']['microseconds_per_attempted_step']:.2f} us/step, {steps} steps), generic "
              f"{1e3 * entry['generic']['s_per_box_day']:.3f} ms/box-day "
              f"({entry['generic']['microseconds_per_attempted_step']:.2f} us/step): "
              f"{entry['generic']['speedup_generated']:.1f}x (CPU time, medians of {max(repeats, 30)}, alternating); "
              f"best "
              f"{1e3 * entry['ours']['best_s_per_box_day']:.3f} against "
              f"{1e3 * entry['generic']['best_s_per_box_day']:.3f} ms/box-day: "
              f"{entry['generic']['speedup_generated_best']:.1f}x", flush=True)
        print(f"  {regime}: ours {1e3 * entry['ours']['s_per_box_day']:.2f} ms/box-day "
              f"(error {entry['ours']['max_rel_error']:.1e}); Radau same accuracy "
              f"{entry.get('radau_same_accuracy', {}).get('s_per_box_day', float('nan')):.3f} s/box-day "
              f"(rtol {entry.get('radau_same_accuracy', {}).get('rtol')}); speed-up "
              f"{entry.get('speedup_same_accuracy', float('nan')):.0f}x", flush=True)
        req = entry.get("at_required_accuracy")
        if req:
            print(f"    at 0.1 %: ours rtol {req['ours']['rtol']} {1e3 * req['ours']['s_per_box_day']:.2f} ms/box-day, "
                  f"Radau rtol {req['radau']['rtol']} {req['radau']['s_per_box_day']:.3f} s/box-day: "
                  f"{req['speedup']:.0f}x", flush=True)
    return results


def bench_mechanisms(nx, ny, nz, dt, steps, repeats):
    """Generic against generated per mechanism, in the same run (module docstring, 3)."""
    out = {}
    for mechanism in ("grs_aero", "cb05_aero"):
        entry = {}
        runs = {}
        for kernels in ("generic", "generated", "generic", "generated"):  # alternating; the second of each counts
            runs[kernels] = bench_3d(nx, ny, nz, dt, steps, 1, kernels, mechanism, one_thread_only=True)
        for period in ("day", "night"):
            g, q = runs["generic"][f"one_thread_{period}"], runs["generated"][f"one_thread_{period}"]
            entry[f"3d_{period}"] = {
                "generic_core_us_per_cell_step": g["core_microseconds_per_cell_per_model_step"],
                "generated_core_us_per_cell_step": q["core_microseconds_per_cell_per_model_step"],
                "generic_us_per_rosenbrock_step": g["microseconds_per_solver_step_per_thread"],
                "generated_us_per_rosenbrock_step": q["microseconds_per_solver_step_per_thread"],
                "solver_steps_per_cell_step": q["solver_steps_per_cell_per_model_step"],
                "ratio_per_rosenbrock_step": g["microseconds_per_solver_step_per_thread"]
                / q["microseconds_per_solver_step_per_thread"]}
        setup = build_setup(load_box_config(URBAN_CASE[mechanism]))
        integrate(setup, kernels="generic")
        integrate(setup, kernels="generated")
        cpu = {"generic": [], "generated": []}
        for _ in range(repeats):
            for kernels in cpu:
                t0 = time.thread_time()
                _, stats = integrate(setup, kernels=kernels)
                cpu[kernels].append(time.thread_time() - t0)
        n_steps = stats["accepted"] + stats["rejected"]
        entry["box_urban"] = {"case": URBAN_CASE[mechanism], "attempted_steps": n_steps,
                              "generic_us_per_step": float(np.median(cpu["generic"])) / n_steps * 1e6,
                              "generated_us_per_step": float(np.median(cpu["generated"])) / n_steps * 1e6,
                              "ratio": float(np.median(cpu["generic"])) / float(np.median(cpu["generated"]))}
        entry["load_avg_after"] = common.load_avg()
        out[mechanism] = entry
        for period in ("day", "night"):
            e = entry[f"3d_{period}"]
            print(f"  {mechanism} 3-D {period}, 1 thread: generic {e['generic_core_us_per_cell_step']:.2f} / "
                  f"generated {e['generated_core_us_per_cell_step']:.2f} core-us per cell and step; per Rosenbrock "
                  f"step {e['generic_us_per_rosenbrock_step']:.3f} / {e['generated_us_per_rosenbrock_step']:.3f} us: "
                  f"{e['ratio_per_rosenbrock_step']:.1f}x ({e['solver_steps_per_cell_step']:.2f} steps per cell "
                  f"and step)", flush=True)
        b = entry["box_urban"]
        print(f"  {mechanism} urban box: generic {b['generic_us_per_step']:.2f} / generated "
              f"{b['generated_us_per_step']:.2f} us per attempted step: {b['ratio']:.1f}x "
              f"({b['attempted_steps']} steps, medians of {repeats})", flush=True)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--nx", type=int, default=60)
    p.add_argument("--ny", type=int, default=55)
    p.add_argument("--nz", type=int, default=10)
    p.add_argument("--dt", type=float, default=600.0, help="model step (s)")
    p.add_argument("--steps", type=int, default=6, help="consecutive model steps per timing sample")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=numba.config.NUMBA_NUM_THREADS)
    p.add_argument("--quick", action="store_true", help="shorter Radau ladder")
    p.add_argument("--skip-compile", action="store_true", help="leave out the first-compile measurement")
    p.add_argument("--parts-only", action="store_true",
                   help="only the CPU time per call of each generated piece (printed, not written)")
    p.add_argument("--mechanisms", action="store_true",
                   help="only generic against generated for grs_aero and cb05_aero (module docstring, 3)")
    args = p.parse_args(argv)
    info = common.machine_info()
    print(common.machine_summary(info), flush=True)
    print(f"load average at start: {common.load_avg()}", flush=True)
    if args.mechanisms:
        result = bench_mechanisms(args.nx, args.ny, args.nz, args.dt, args.steps, args.repeats)
        path = common.write_result("chemistry_mechanisms", {
            "command": "python benchmarks/chemistry.py " + " ".join(argv or sys.argv[1:]), "mechanisms": result,
            "load_avg_1_5_15_at_end": common.load_avg(), "machine": info})
        print(f"wrote {path}")
        return
    parts = bench_parts()
    for name, ns_per_call in parts.items():
        print(f"  generated {name}: {ns_per_call:.1f} ns per call (CPU time)", flush=True)
    if args.parts_only:
        return
    compile_times = {} if args.skip_compile else bench_compile()
    if compile_times:
        print(f"  generated module, fresh process, one 3-D call: {compile_times['empty_cache_s']:.1f} s from an "
              f"empty cache, {compile_times['warm_cache_s']:.1f} s warm", flush=True)
    three_d = {}
    for kernels in ("generic", "generated", "generic", "generated"):  # twice each, alternating: the second counts
        three_d[kernels] = bench_3d(args.nx, args.ny, args.nz, args.dt, args.steps, args.threads, kernels)
    for kernels, result in three_d.items():
        for key in ("all_threads_day", "all_threads_night", "one_thread_day", "one_thread_night"):
            r = result[key]
            print(f"  3-D {kernels} {key}: {r['cells_per_second']:.0f} cells/s ({r['threads']} threads, "
                  f"{r['solver_steps_per_cell_per_model_step']:.2f} solver steps per cell per {args.dt:g} s, "
                  f"{r['core_microseconds_per_cell_per_model_step']:.2f} core-us per cell and step, "
                  f"{r['microseconds_per_solver_step_per_thread']:.3f} us per solver step)", flush=True)
        print(f"  3-D {kernels} first call ({result['first_call_was']}): {result['first_call_s']:.1f} s", flush=True)
    box = bench_box(args.repeats, args.quick)
    path = common.write_result("chemistry", {"command": "python benchmarks/chemistry.py " + " ".join(argv or
                                                                                                      sys.argv[1:]),
                                             "first_compile": compile_times, "generated_parts_ns": parts,
                                             "three_d_step": three_d,
                                             "box": box,
                                             "load_avg_1_5_15_at_end": common.load_avg(), "machine": info})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
