"""Deformational-flow tests after Lauritzen et al. (2012, GMD 5, 887), in their planar limited-area analogue, for
every advection scheme: error norms, extremes, convergence order and time per step.

    python benchmarks/lauritzen.py [--schemes walcek,ppm,ppm_cs08] [--resolutions 60,120,240]

The flow (airmodel.analytic.deformational_streamfunction): the non-divergent deformational flow with reversal at
T/2 of Nair and Lauritzen (2010, case 1; Lauritzen et al. 2012 without the solid-body translation, which needs a
periodic domain), with x, y in place of longitude and latitude on the rectangle [0, 2 pi] x [-pi/2, pi/2] and the
metric factor cos(y) dropped, so that the stream function vanishes on the whole edge (a closed limited area, the
flow LeVeque 1996 uses on the unit square, in Lauritzen's geometry and speeds: k = 2.4, T = 5). Fields
(airmodel.analytic.deformational_initial): two cosine bells (0.1 + 0.9 bell), two Gaussian hills (0.95, beta = 5) and
two slotted cylinders (1 on 0.1), centred at (5 pi/6, 0) and (7 pi/6, 0). Grid: ny cells across y, nx = 2 ny
(ny = 120 is Lauritzen's 1.5 degrees); time step T / (5 ny), a largest Courant number u dt / dx of 0.76 (Lauritzen
et al. use T/120 at 1.5 degrees with large-Courant schemes; these split Eulerian schemes would sub-step that).
The exact solution at T is the initial field (cell-centre values), against which the normalised l1, l2, linf errors
and phi_min, phi_max of Lauritzen et al. (2012, section 3.1) are computed (airmodel.analytic.error_norms).

Comparability: the published norms (Lauritzen et al. 2012 for CSLAM; Lauritzen et al. 2014, GMD 7, 105, for the
2011 workshop's schemes) are on the sphere, with the translating flow of their case 4, and are not comparable number
for number with this planar, non-translating analogue; what carries over is the convergence order on the smooth
Gaussian hills (about 2 for second-order schemes) and the ranking of schemes across smooth and sharp fields.

Also: the rotating-cone flow (ready scenarios idealized/rotating_cone and idealized/rotating_cosine_bell, six
revolutions) with the cone and a smooth cosine bell of the same radius and height, through the model.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

import airmodel  # noqa: E402
from airmodel.analytic import (DEFORMATION_PERIOD, deformational_initial, deformational_streamfunction,  # noqa: E402
                               error_norms, rotating_shape)
from airmodel.data import scenarios_dir  # noqa: E402
from airmodel.transport import ADVECTION_SCHEMES, advect_plane_streamfunction  # noqa: E402

FIELDS = ("cosine_bells", "gaussian_hills", "slotted_cylinders")


def grid(ny: int):
    """Cell edges and centres of the rectangle [0, 2 pi] x [-pi/2, pi/2] with ny rows and 2 ny columns."""
    x_edges = np.linspace(0.0, 2.0 * np.pi, 2 * ny + 1)
    y_edges = np.linspace(-0.5 * np.pi, 0.5 * np.pi, ny + 1)
    return x_edges, y_edges, 0.5 * (x_edges[1:] + x_edges[:-1]), 0.5 * (y_edges[1:] + y_edges[:-1])


def deformation_run(scheme: str, ny: int, fields=FIELDS, steps_per_row: int = 5) -> tuple[dict, float, int]:
    """Run the fields through one period; returns ({field: norms}, seconds per step, steps)."""
    x_edges, y_edges, x, y = grid(ny)
    q0 = np.stack([deformational_initial(f, x, y) for f in fields])
    steps = steps_per_row * ny
    dt = DEFORMATION_PERIOD / steps
    advect_plane_streamfunction(q0[:, :4, :8], x_edges[:9], y_edges[:5], deformational_streamfunction, dt, 2,
                                scheme)  # compile (or load from the cache) outside the timing
    t0 = time.perf_counter()
    q = advect_plane_streamfunction(q0, x_edges, y_edges, deformational_streamfunction, dt, steps, scheme)
    seconds = time.perf_counter() - t0
    norms = {f: dict(error_norms(q[i], q0[i]), mass_change=float(q[i].sum() / q0[i].sum() - 1.0))
             for i, f in enumerate(fields)}
    return norms, seconds / steps, steps


def cost_per_step(schemes, ny: int = 120, steps: int = 20, repeats: int = 7) -> list[dict]:
    """Best time of `steps` steps (both sweeps, the three fields) per scheme, the schemes taking turns in every
    repeat so that a changing machine load affects them alike; ms per step and ns per cell-field-sweep."""
    x_edges, y_edges, x, y = grid(ny)
    q0 = np.stack([deformational_initial(f, x, y) for f in FIELDS])
    dt = DEFORMATION_PERIOD / (5 * ny)
    best = {s: np.inf for s in schemes}
    for round_ in range(repeats + 1):     # round 0 compiles (or loads from the cache) and is not counted
        for scheme in schemes:
            t0 = time.perf_counter()
            advect_plane_streamfunction(q0, x_edges, y_edges, deformational_streamfunction, dt, steps, scheme)
            if round_ > 0:
                best[scheme] = min(best[scheme], time.perf_counter() - t0)
    cells = ny * 2 * ny
    return [dict(scheme=s, ny=ny, ms_per_step=best[s] / steps * 1e3,
                 ns_per_cell_field_sweep=best[s] / steps / (2 * cells * len(FIELDS)) * 1e9,
                 relative=best[s] / best["walcek"] if "walcek" in best else None) for s in schemes]


def rotation_run(scheme: str, shape: str) -> dict:
    """Six revolutions of the cone or the cosine bell in the rotating-cone flow, through the model."""
    name = "rotating_cone" if shape == "cone" else "rotating_cosine_bell"
    t0 = time.perf_counter()
    ds = airmodel.run(scenarios_dir() / "idealized" / f"{name}.toml", output=None,
                      overrides=[f"transport.advection={scheme}", "run.progress=false"])
    wall = time.perf_counter() - t0
    end = ds.tracer.isel(time=-1, z=0).values
    exact = rotating_shape(shape, ds.x.values, ds.y.values, 3768 * 0.1, 0.1, (50, 50), (50, 75), 15, 4, 1)
    return dict(shape=shape, scheme=scheme, ms_per_step_incl_output=wall / 3768 * 1e3,
                **error_norms(end, exact), l1_of_feature=float(np.abs(end - exact).sum() / np.abs(exact - 1).sum()))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--schemes", default=",".join(ADVECTION_SCHEMES))
    p.add_argument("--resolutions", default="60,120,240", help="cells across y (nx = 2 ny); 120 = 1.5 degrees")
    p.add_argument("--no-rotation", action="store_true", help="leave out the rotating cone and cosine bell")
    p.add_argument("--cost-only", action="store_true", help="only the interleaved time per step of each scheme")
    args = p.parse_args(argv)
    schemes = args.schemes.split(",")
    resolutions = [] if args.cost_only else [int(r) for r in args.resolutions.split(",")]
    load_start = common.load_avg()
    cost = cost_per_step(schemes)
    rows, orders = [], []
    for scheme in schemes if resolutions else []:
        errors = {}
        for ny in resolutions:
            norms, per_step, steps = deformation_run(scheme, ny)
            for field, n in norms.items():
                rows.append(dict(scheme=scheme, ny=ny, field=field, steps=steps, ms_per_step=per_step * 1e3, **n))
                errors[field, ny] = n
        for field in FIELDS:
            for coarse, fine in zip(resolutions, resolutions[1:]):
                order = {k: float(np.log(errors[field, coarse][k] / errors[field, fine][k]) / np.log(fine / coarse))
                         for k in ("l1", "l2", "linf")}
                orders.append(dict(scheme=scheme, field=field, ny=f"{coarse}->{fine}", **order))
    rotation = [] if args.no_rotation or args.cost_only else [rotation_run(s, shape) for shape in ("cone", "cosine_bell")
                                                              for s in schemes]
    out = dict(cost=cost, deformation=rows, convergence=orders, rotation=rotation, load_avg_start=load_start,
               load_avg_end=common.load_avg())
    path = common.write_result("lauritzen_cost" if args.cost_only else "lauritzen", out)
    print(common.machine_summary())
    print(f"load average {load_start} at start, {out['load_avg_end']} at end")
    for name, table in out.items():
        if isinstance(table, list) and table and isinstance(table[0], dict):
            keys = list(table[0])
            print(f"\n{name}")
            print(common.markdown_table(keys, [[r[k] for k in keys] for r in table]))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
