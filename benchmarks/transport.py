"""Transport throughput: cell-species updates per second for each transport kernel and for the whole model step,
on a 100 x 100 x 20 grid with 20 tracers, against the STREAM-triad bandwidth measured in the same run.

Roofline: each kernel must at least read and write every tracer value once (16 B per cell-species) plus its
per-cell inputs (air mass, fluxes or conductances: 8 B each per cell, shared by all species). The bandwidth-bound
time is those bytes divided by the triad bandwidth; the fraction of the roofline a kernel reaches is that time
over the measured time.

    python benchmarks/transport.py [--repeats 10] [--threads N]
    python benchmarks/transport.py --baseline-kernel OLD.py [--repeats 20]

The first call of each kernel (JIT compile, or a load from Numba's cache) is timed separately and left out.
With --baseline-kernel (a copy of kernels/advection.py from another revision, e.g. ``git show
main:src/airmodel/kernels/advection.py > /tmp/old/advection_old.py``; kernels import nothing from airmodel, so the
file loads on its own) the advection sweeps of both versions are timed in the same process, alternately, on this
grid and on the rotating cone's (101 x 101 x 1, one species), and their results compared bit for bit.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from stream import triad_bandwidth  # noqa: E402

from airmodel.kernels import advection, diagnostics, diffusion  # noqa: E402

NS, NZ, NY, NX = 20, 20, 100, 100


def make_state(rng):
    tracer = rng.uniform(0.5, 1.5, (NS, NZ, NY, NX))
    air = rng.uniform(0.9, 1.1, (NZ, NY, NX))
    # Courant numbers about 0.5 with a little divergence: one sub-step a sweep.
    fx = 0.5 * (1.0 + 0.05 * rng.standard_normal((NZ, NY, NX + 1)))
    fy = 0.4 * (1.0 + 0.05 * rng.standard_normal((NZ, NY + 1, NX)))
    fz = 0.1 * rng.standard_normal((NZ + 1, NY, NX))
    fz[0] = 0.0
    gx = np.full((NZ, NY, NX + 1), 0.05); gx[..., 0] = gx[..., -1] = 0.0
    gy = np.full((NZ, NY + 1, NX), 0.05); gy[:, 0] = gy[:, -1] = 0.0
    gz = rng.uniform(0.5, 5.0, (NZ + 1, NY, NX)); gz[0] = gz[-1] = 0.0
    return tracer, air, fx, fy, fz, gx, gy, gz


def kernel_cases(rng):
    tracer, air, fx, fy, fz, gx, gy, gz = make_state(rng)
    work = tracer.copy()
    air_work = air.copy()
    inflow = {2: np.ones((NS, NZ, NY)), 1: np.ones((NS, NZ, NX)), 0: np.ones((NS, NY, NX))}
    boundary = {a: np.zeros((2,) + v.shape) for a, v in inflow.items()}
    emission = np.zeros((NS, NY, NX)); deposition = np.full((NS, NY, NX), 1e-3); deposited = np.zeros((NS, NY, NX))
    cells = NZ * NY * NX

    def reset():
        work[...] = tracer
        air_work[...] = air

    def sweep(axis, flux, scheme=advection.SCHEME_PPM):
        return lambda: advection.advect(work, air_work, flux, 1.0, axis, inflow[axis], inflow[axis],
                                        boundary[axis], 0.9, scheme)

    # bytes: tracer read + write per cell-species, plus the per-cell fields the kernel reads (and air mass written)
    tracer_bytes = 16 * NS * cells
    return reset, [
        ("advection x", sweep(2, fx), tracer_bytes + 24 * cells),
        ("advection x (Walcek)", sweep(2, fx, advection.SCHEME_WALCEK), tracer_bytes + 24 * cells),
        ("advection y", sweep(1, fy), tracer_bytes + 24 * cells),
        ("advection y (Walcek)", sweep(1, fy, advection.SCHEME_WALCEK), tracer_bytes + 24 * cells),
        ("advection z", sweep(0, fz), tracer_bytes + 24 * cells),
        ("advection z (Walcek)", sweep(0, fz, advection.SCHEME_WALCEK), tracer_bytes + 24 * cells),
        ("horizontal diffusion", lambda: diffusion.horizontal_diffusion(work, air_work, gx, gy, 1.0),
         tracer_bytes + 24 * cells),
        ("vertical diffusion", lambda: diffusion.vertical_diffusion(work, air_work, gz, emission, deposition, 1.0,
                                                                    deposited), tracer_bytes + 16 * cells),
        ("health check", lambda: diagnostics.first_invalid(work.ravel()), 8 * NS * cells),
    ]


def model_step_case():
    """The whole Model.step (emissions, three sweeps, both diffusions, health checks, conversions)."""
    import airmodel.scenario as scenario_module
    from airmodel.model import Model

    species = {f"t{n:02d}": {"units": "ug m-3", "initial": 10.0, "inflow": 5.0} for n in range(NS)}
    sc = scenario_module.validate({
        "run": {"start": "2008-08-01T00:00:00Z", "steps": 1000, "time_step": 300.0, "progress": False},
        "domain": {"grid": "projected", "nx": NX, "ny": NY, "dx": 3000.0, "dy": 3000.0,
                   "layer_thickness": 100.0, "layers": NZ},
        "meteorology": {"flow": "uniform", "u": 4.0, "v": 3.0, "kx": 100.0, "ky": 100.0, "kz": 10.0},
        "species": species,
        "emissions": {"point": [{"species": "t00", "x": 30000.0, "y": 150000.0, "z": 50.0, "rate": 100.0}]},
        "output": {"hourly_means": False},
    })
    model = Model(sc)
    return model.step


def load_kernel(path: str):
    """The advection kernel module in a file (another revision's kernels/advection.py)."""
    spec = importlib.util.spec_from_file_location(Path(path).stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compare_kernels(baseline, repeats: int) -> list[dict]:
    """Time every advection sweep of the baseline module and of the installed one, alternately (A B A B ...), on
    the 100 x 100 x 20 grid with 20 tracers and on one plane of 101 x 101 cells with one tracer; check that both give
    bitwise the same tracer and air masses."""
    rng = np.random.default_rng(2)
    small = (1, 1, 101, 101)
    rows = []
    for shape in ((NS, NZ, NY, NX), small):
        ns, nz, ny, nx = shape
        tracer = rng.uniform(0.5, 1.5, shape)
        air = rng.uniform(0.9, 1.1, (nz, ny, nx))
        fluxes = {2: 0.5 * (1.0 + 0.05 * rng.standard_normal((nz, ny, nx + 1))),
                  1: 0.4 * (1.0 + 0.05 * rng.standard_normal((nz, ny + 1, nx)))}
        if nz > 1:
            fluxes[0] = 0.1 * rng.standard_normal((nz + 1, ny, nx))
            fluxes[0][0] = 0.0
        inflow = {2: np.ones((ns, nz, ny)), 1: np.ones((ns, nz, nx)), 0: np.ones((ns, ny, nx))}
        for axis, flux in fluxes.items():
            for scheme_name, scheme in (("walcek", advection.SCHEME_WALCEK), ("ppm", advection.SCHEME_PPM)):
                times = {"baseline": [], "current": []}
                out = {}
                for _ in range(repeats + 1):      # the first round compiles (or loads from the cache)
                    for label, module in (("baseline", baseline), ("current", advection)):
                        work, air_work = tracer.copy(), air.copy()
                        boundary = np.zeros((2,) + inflow[axis].shape)
                        t0 = time.perf_counter()
                        module.advect(work, air_work, flux, 1.0, axis, inflow[axis], inflow[axis], boundary, 0.9,
                                      scheme)
                        times[label].append(time.perf_counter() - t0)
                        out[label] = (work, air_work)
                same = all(np.array_equal(a, b) for a, b in zip(out["baseline"], out["current"]))
                best = {k: min(v[1:]) for k, v in times.items()}
                rows.append(dict(grid="x".join(map(str, shape)), sweep="zyx"[axis], scheme=scheme_name,
                                 baseline_ms=best["baseline"] * 1e3, current_ms=best["current"] * 1e3,
                                 speedup=best["baseline"] / best["current"], bitwise_identical=same))
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--threads", type=int, default=0, help="Numba threads (0: all)")
    p.add_argument("--baseline-kernel", help="a copy of kernels/advection.py to time beside the installed one")
    args = p.parse_args(argv)
    threads = args.threads or numba.config.NUMBA_NUM_THREADS
    numba.set_num_threads(threads)
    if args.baseline_kernel:
        load_start = common.load_avg()
        rows = compare_kernels(load_kernel(args.baseline_kernel), args.repeats)
        out = dict(threads=threads, load_avg_start=load_start, load_avg_end=common.load_avg(), sweeps=rows)
        path = common.write_result(f"transport_compare_{threads}thread", out)
        print(common.machine_summary())
        print(f"threads {threads}; load average {load_start} at start, {out['load_avg_end']} at end")
        print(common.markdown_table(list(rows[0]), [list(r.values()) for r in rows], floatfmt=".3g"))
        print(f"wrote {path}")
        return out
    rng = np.random.default_rng(1)
    cells = NZ * NY * NX
    load_start = common.load_avg()
    bandwidth = triad_bandwidth(threads=threads)
    reset, cases = kernel_cases(rng)
    rows, results = [], []
    for name, fn, nbytes in cases:
        timing = common.time_call(fn, repeats=args.repeats, setup=reset)
        best = timing["best_s"]
        roof = nbytes / (bandwidth * 1e9)
        r = dict(kernel=name, first_call_s=timing["first_call_s"], best_s=best, median_s=timing["median_s"],
                 cell_species_per_s=NS * cells / best, bytes=nbytes, roofline_s=roof, roofline_fraction=roof / best)
        results.append(r)
        rows.append([name, timing["first_call_s"], best * 1e3, NS * cells / best / 1e6, roof / best])
    step = model_step_case()
    timing = common.time_call(step, repeats=max(3, args.repeats // 2))
    results.append(dict(kernel="Model.step (all processes)", first_call_s=timing["first_call_s"],
                        best_s=timing["best_s"], median_s=timing["median_s"],
                        cell_species_per_s=NS * cells / timing["best_s"]))
    rows.append(["Model.step (all processes)", timing["first_call_s"], timing["best_s"] * 1e3,
                 NS * cells / timing["best_s"] / 1e6, None])
    bandwidth_end = triad_bandwidth(threads=threads)
    out = dict(grid=[NZ, NY, NX], species=NS, threads=threads, triad_GBs_start=bandwidth,
               triad_GBs_end=bandwidth_end, load_avg_start=load_start, load_avg_end=common.load_avg(),
               kernels=results)
    path = common.write_result(f"transport_{threads}thread", out)
    print(common.machine_summary())
    print(f"threads {threads}; STREAM triad {bandwidth:.1f} GB/s at start, {bandwidth_end:.1f} GB/s at end")
    print(common.markdown_table(["kernel", "first call (s)", "best (ms)", "M cell-species/s", "roofline fraction"],
                                rows, floatfmt=".3g"))
    print(f"wrote {path}")
    return out


if __name__ == "__main__":
    main()
