"""Accuracy of the idealized validation scenarios, by advection scheme, with the figures the issue asks for.

    python benchmarks/validation.py [--schemes walcek,ppm,ppm_cs08]

Runs the ready scenarios idealized/{plume,rotating_cone,uniform_mixing_ratio} and prints: the plume's largest error in
the crosswind-integrated ground-layer concentration 5-30 km downwind (against the exact solution with image
sources), the growth rate of sigma_y^2 against 2 Ky / U, the mass flux through cross-sections against Q; the cone's
max, min, mass change and L1 error after six revolutions, with the time per step; the uniform mixing ratio's
largest deviation; and every run's budget residual. Wall times include the model's output writing.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

import airmodel  # noqa: E402
from airmodel.data import scenarios_dir  # noqa: E402
from airmodel.analytic import plume_crosswind_integrated_layer_mean, rotating_cone  # noqa: E402

SCENARIOS = scenarios_dir() / "idealized"


def residual(ds) -> float:
    return max(v for k, v in ds.attrs.items() if k.endswith("relative_residual"))


def plume_metrics(scheme: str, tmp: Path) -> dict:
    t0 = time.perf_counter()
    ds = airmodel.run(SCENARIOS / "plume.toml", output=tmp / f"plume_{scheme}.nc",
                      overrides=[f"transport.advection={scheme}", "run.progress=false"])
    wall = time.perf_counter() - t0
    c = ds.tracer.isel(time=-1).values
    distance = ds.x.values - 10250.0
    near = (distance >= 5000) & (distance <= 30000)
    ground = c[0].sum(axis=0) * 500.0
    exact = plume_crosswind_integrated_layer_mean(distance[near], 0.0, 50.0, 100.0, 5.0, 10.0, 225.0, 2000.0)
    error = ground[near] / exact - 1
    column = c.sum(axis=0)
    y = ds.y.values[:, None]
    mass = column.sum(axis=0)
    mean = (column * y).sum(axis=0) / mass
    variance = (column * (y - mean) ** 2).sum(axis=0) / mass
    slope = np.polyfit(distance[near], variance[near], 1)[0]
    flux = 5.0 * c.sum(axis=(0, 1)) * 500.0 * 50.0 / 100.0
    return dict(scheme=scheme, wall_s=wall, ground_error_max=float(np.abs(error).max()),
                ground_error_at_5km=float(error[0]), ground_error_at_30km=float(error[-1]),
                sigma_y2_slope_ratio=float(slope / 20.0),
                flux_ratio_min=float(flux[distance >= 2000].min()), flux_ratio_max=float(flux[distance >= 2000].max()),
                minimum=float(c.min()), budget_residual=residual(ds))


def cone_metrics(scheme: str, tmp: Path) -> dict:
    t0 = time.perf_counter()
    ds = airmodel.run(SCENARIOS / "rotating_cone.toml", output=tmp / f"cone_{scheme}.nc",
                      overrides=[f"transport.advection={scheme}", "run.progress=false"])
    wall = time.perf_counter() - t0
    start, end = ds.tracer.isel(time=0, z=0).values, ds.tracer.isel(time=-1, z=0).values
    exact = rotating_cone(ds.x.values, ds.y.values, 3768 * 0.1, 0.1, (50, 50), (50, 75), 15, 4, 1)
    return dict(scheme=scheme, wall_s=wall, ms_per_step_incl_output=wall / 3768 * 1e3, max=float(end.max()),
                min=float(end.min()), mass_change=float(end.sum() / start.sum() - 1),
                l1=float(np.abs(end - exact).sum() / np.abs(exact).sum()),
                l1_cone_only=float(np.abs(end - exact).sum() / np.abs(exact - 1).sum()),
                budget_residual=residual(ds))


def uniform_metrics(scheme: str, tmp: Path) -> dict:
    ds = airmodel.run(SCENARIOS / "uniform_mixing_ratio.toml", output=tmp / f"uniform_{scheme}.nc",
                      overrides=[f"transport.advection={scheme}", "run.progress=false"])
    return dict(scheme=scheme, max_relative_deviation=float(np.abs(ds.tracer.values / 1e-6 - 1).max()),
                budget_residual=residual(ds))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--schemes", default="walcek,ppm,ppm_cs08")
    args = p.parse_args(argv)
    schemes = args.schemes.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        airmodel.run(SCENARIOS / "rotating_cone.toml", overrides=["run.steps=2"])  # compile outside the timings
        out = dict(plume=[plume_metrics(s, tmp) for s in schemes], cone=[cone_metrics(s, tmp) for s in schemes],
                   uniform=[uniform_metrics(s, tmp) for s in schemes])
    path = common.write_result("validation", out)
    print(common.machine_summary())
    for name, rows in out.items():
        keys = [k for k in rows[0]]
        print(f"\n{name}")
        print(common.markdown_table(keys, [[r[k] for k in keys] for r in rows]))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
