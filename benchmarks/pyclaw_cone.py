"""Rotating-cone advection test: PyClaw (Clawpack 5, Fortran classic solver) and, when available, airmodel.

Run:  python benchmarks/pyclaw_cone.py [--steps 3768] [--repeats 3] [--no-unsplit] [--no-airmodel]

Problem (identical for both codes)
----------------------------------
- 101 x 101 cells of 1 m; cell centres at 0..100 m (domain -0.5..100.5 m in x and y).
- Solid-body rotation about (50, 50) m, omega = 0.1 s^-1, counter-clockwise; face velocities evaluated
  exactly on the cell faces: u = -omega (y - 50) on x faces, v = omega (x - 50) on y faces (divergence free,
  so the advective form solved by PyClaw's ``vc_advection_2D`` equals the flux form).
- Cone of radius 15 m and height 4 on a background of 1, centred at (50, 75) m, sampled at cell centres.
- dt = 0.1 s fixed (max Courant number 0.505 on the outermost faces), 3768 steps (= 376.8 s, 6.0 revolutions
  to within 0.05 %; the exact solution is rotated by omega * t with t = steps * dt, so it is exact regardless).
- MC limiter. Dimensional splitting (PyClaw: Godunov splitting, x then y every step); unsplit wave propagation
  with transverse corrections (``transverse_waves = 2``) as a second PyClaw variant.
- Boundaries: ghost cells held at the background value 1 (inflow mixing ratio 1). The cone never comes
  within ~10 m of a boundary, so this is indistinguishable from zero-gradient extrapolation.

Metrics
-------
- max, min of the final field;
- L1 = sum|c - exact| / sum|exact| over all cells (the brief's definition; the background of 1 dilutes it);
- L1_perturbation = sum|c - exact| / sum|exact - 1| (error relative to the cone alone: more discriminating);
- relative mass change sum(c_final - c_initial) / sum(c_initial);
- time per step = wall time of the stepping loop / steps, set-up excluded; best and median of ``repeats``.

PyClaw's classic Fortran kernels are serial (no OpenMP), so its numbers are single-thread; Python overhead of
PyClaw's per-step driver (boundary conditions, array copies) is included, as it is in real PyClaw use.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import common  # noqa: E402

# ---------------------------------------------------------------------------------------------------------
# Problem definition
# ---------------------------------------------------------------------------------------------------------
NX = NY = 101
DX = DY = 1.0
X_LOW = Y_LOW = -0.5
OMEGA = 0.1
CENTRE = (50.0, 50.0)
CONE_CENTRE = (50.0, 75.0)
CONE_RADIUS = 15.0
CONE_HEIGHT = 4.0
BACKGROUND = 1.0
DT = 0.1
STEPS = 3768


def cell_centres() -> tuple[np.ndarray, np.ndarray]:
    """1-D cell-centre coordinates x (NX,) and y (NY,) in metres."""
    x = X_LOW + DX * (np.arange(NX) + 0.5)
    y = Y_LOW + DY * (np.arange(NY) + 0.5)
    return x, y


def face_velocities() -> tuple[np.ndarray, np.ndarray]:
    """Exact face velocities in airmodel's [j, i] order: u on x faces (NY, NX+1), v on y faces (NY+1, NX)."""
    x, y = cell_centres()
    # u on an x face depends only on the row's y, v on a y face only on the column's x
    u = np.broadcast_to(-OMEGA * (y[:, None] - CENTRE[1]), (NY, NX + 1)).copy()
    v = np.broadcast_to(OMEGA * (x[None, :] - CENTRE[0]), (NY + 1, NX)).copy()
    return u, v


def exact_cone(x, y, t):
    """Exact solution at points (x, y) [m] and time t [s]: the initial cone rotated by omega * t.

    ``x`` and ``y`` broadcast against each other (e.g. ``exact_cone(x[None, :], y[:, None], t)`` gives a
    [j, i] field).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    theta = OMEGA * t
    dx = x - CENTRE[0]
    dy = y - CENTRE[1]
    # rotate the point back by -theta to find where it started
    x0 = CENTRE[0] + np.cos(theta) * dx + np.sin(theta) * dy
    y0 = CENTRE[1] - np.sin(theta) * dx + np.cos(theta) * dy
    r = np.hypot(x0 - CONE_CENTRE[0], y0 - CONE_CENTRE[1])
    return BACKGROUND + CONE_HEIGHT * np.maximum(0.0, 1.0 - r / CONE_RADIUS)


def exact_field(t: float) -> np.ndarray:
    """Exact solution at cell centres, [j, i] = [y, x] order, shape (NY, NX)."""
    x, y = cell_centres()
    return exact_cone(x[None, :], y[:, None], t)


def error_metrics(c: np.ndarray, t: float, c0: np.ndarray | None = None) -> dict:
    """max, min, L1 (brief's definition), L1 of the perturbation, mass change. ``c`` in [j, i] order."""
    ex = exact_field(t)
    err = np.abs(c - ex).sum()
    out = {
        "max": float(c.max()),
        "min": float(c.min()),
        "exact_max": float(ex.max()),
        "L1": float(err / np.abs(ex).sum()),
        "L1_perturbation": float(err / np.abs(ex - BACKGROUND).sum()),
        "L2_perturbation": float(np.sqrt(((c - ex) ** 2).sum() / ((ex - BACKGROUND) ** 2).sum())),
    }
    if c0 is not None:
        out["rel_mass_change"] = float((c.sum() - c0.sum()) / c0.sum())
    return out


def _summarise_times(times: list[float], steps: int) -> dict:
    return {
        "wall_s_best": min(times),
        "wall_s_median": statistics.median(times),
        "ms_per_step_best": min(times) / steps * 1e3,
        "ms_per_step_median": statistics.median(times) / steps * 1e3,
        "cell_updates_per_s_best": NX * NY * steps / min(times),
        "wall_s_all": times,
    }


# ---------------------------------------------------------------------------------------------------------
# PyClaw
# ---------------------------------------------------------------------------------------------------------
def _import_pyclaw():
    """Import clawpack.pyclaw without leaving a ``pyclaw.log`` in the working directory (PyClaw's logging
    configuration opens that file in the current directory at import): import it from a scratch directory."""
    if "clawpack.pyclaw" not in sys.modules:
        import tempfile

        cwd = os.getcwd()
        scratch = os.path.join(tempfile.gettempdir(), "airmodel-bench-pyclaw")
        os.makedirs(scratch, exist_ok=True)
        os.chdir(scratch)
        try:
            import clawpack.pyclaw  # noqa: F401
        finally:
            os.chdir(cwd)
    from clawpack import pyclaw, riemann

    return pyclaw, riemann


def _pyclaw_setup(split: bool):
    pyclaw, riemann = _import_pyclaw()

    solver = pyclaw.ClawSolver2D(riemann.vc_advection_2D)
    solver.limiters = pyclaw.limiters.tvd.MC
    solver.order = 2
    solver.dimensional_split = bool(split)
    if not split:
        solver.transverse_waves = pyclaw.ClawSolver2D.trans_cor
    solver.dt_variable = False
    solver.dt_initial = DT
    solver.dt = DT
    solver.cfl_max = 1.0
    solver.cfl_desired = 0.9
    solver.num_ghost = 2

    # q: ghost cells at the background (inflow mixing ratio 1) on all four sides
    def q_bc(state, dim, t, qbc, auxbc, num_ghost):
        if dim.name == "x":
            qbc[:, :num_ghost, :] = BACKGROUND
            qbc[:, -num_ghost:, :] = BACKGROUND
        else:
            qbc[:, :, :num_ghost] = BACKGROUND
            qbc[:, :, -num_ghost:] = BACKGROUND

    g = solver.num_ghost
    # aux including ghost cells, exact: aux[0, i, j] = u at the left (west) face of cell (i, j),
    # aux[1, i, j] = v at the bottom (south) face (PyClaw's vc_advection_2D convention, [x, y] order)
    ig = np.arange(-g, NX + g)
    jg = np.arange(-g, NY + g)
    xc_g = X_LOW + DX * (ig + 0.5)
    yc_g = Y_LOW + DY * (jg + 0.5)
    aux_full = np.empty((2, NX + 2 * g, NY + 2 * g), order="F")
    aux_full[0] = -OMEGA * (yc_g[None, :] - CENTRE[1])
    aux_full[1] = OMEGA * (xc_g[:, None] - CENTRE[0])

    def aux_bc(state, dim, t, qbc, auxbc, num_ghost):
        auxbc[...] = aux_full

    solver.bc_lower[0] = solver.bc_upper[0] = pyclaw.BC.custom
    solver.bc_lower[1] = solver.bc_upper[1] = pyclaw.BC.custom
    solver.user_bc_lower = solver.user_bc_upper = q_bc
    solver.aux_bc_lower[0] = solver.aux_bc_upper[0] = pyclaw.BC.custom
    solver.aux_bc_lower[1] = solver.aux_bc_upper[1] = pyclaw.BC.custom
    solver.user_aux_bc_lower = solver.user_aux_bc_upper = aux_bc

    xdim = pyclaw.Dimension(X_LOW, X_LOW + NX * DX, NX, name="x")
    ydim = pyclaw.Dimension(Y_LOW, Y_LOW + NY * DY, NY, name="y")
    domain = pyclaw.Domain([xdim, ydim])
    state = pyclaw.State(domain, num_eqn=1, num_aux=2)
    state.aux[...] = aux_full[:, g:-g, g:-g]
    state.q[0] = exact_field(0.0).T  # PyClaw stores [x, y]
    solution = pyclaw.Solution(state, domain)
    solver.setup(solution)
    return solver, solution


class _TimedFortran:
    """Proxy for PyClaw's f2py module that accumulates the time spent in the Fortran step routines."""

    def __init__(self, fmod):
        self._fmod = fmod
        self.seconds = 0.0
        self.calls = 0

    def __getattr__(self, name):
        attr = getattr(self._fmod, name)
        if name not in ("step2", "step2ds"):
            return attr

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            out = attr(*args, **kwargs)
            self.seconds += time.perf_counter() - t0
            self.calls += 1
            return out

        return timed


def run_pyclaw_cone(steps: int = STEPS, split: bool = True, repeats: int = 1) -> dict:
    """Run the rotating cone with PyClaw; returns metrics, timing and the final field ([j, i] order).

    Set-up (solver/domain construction, ``solver.setup``) is excluded from the timing; each repeat starts
    from a fresh set-up and times ``solver.evolve_to_time`` only.
    """
    import clawpack

    times: list[float] = []
    fortran_times: list[float] = []
    solver = solution = None
    for _ in range(max(1, repeats)):
        solver, solution = _pyclaw_setup(split)
        timed = _TimedFortran(solver.fmod)
        solver.fmod = timed
        t0 = time.perf_counter()
        solver.evolve_to_time(solution, steps * DT)
        times.append(time.perf_counter() - t0)
        fortran_times.append(timed.seconds)
        nsteps = solver.status["numsteps"]
        if nsteps != steps:
            raise RuntimeError(f"PyClaw took {nsteps} steps, expected {steps}")

    c = np.ascontiguousarray(solution.state.q[0].T)
    t_end = solution.t
    out = {
        "code": f"PyClaw {clawpack.__version__} classic (Fortran), vc_advection_2D, MC limiter, "
        + ("dimensional splitting (Godunov, x then y)" if split else "unsplit, transverse_waves=2"),
        "steps": steps,
        "dt": DT,
        "t_end": t_end,
        "threads": 1,
        "cfl_max_seen": float(solver.status["cflmax"]),
        **error_metrics(c, t_end, exact_field(0.0)),
        **_summarise_times(times, steps),
        # time inside the Fortran step2/step2ds calls only (the rest is PyClaw's Python driver:
        # boundary conditions, qbc copies, CFL bookkeeping)
        "fortran_ms_per_step_best": min(fortran_times) / steps * 1e3,
        "field": c,
    }
    return out


# ---------------------------------------------------------------------------------------------------------
# airmodel (kernels/advection.py)
# ---------------------------------------------------------------------------------------------------------
def _import_advect():
    from airmodel.kernels.advection import advect  # the installed package, as the model imports it

    return advect


def _kernel_fingerprint() -> dict:
    """sha256 (first 16 hex digits) and mtime of airmodel/kernels/advection.py: the kernel is under development,
    so every airmodel result records which version produced it."""
    import datetime
    import hashlib

    from airmodel.kernels import advection

    path = advection.__file__
    try:
        with open(path, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()[:16]
        mtime = datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc)
        return {"advection_py_sha256_16": digest, "advection_py_mtime_utc": mtime.isoformat(timespec="seconds")}
    except OSError:
        return {}


SCHEMES = {"walcek": 1, "ppm": 0, "ppm_cs08": 2}  # as kernels.advection.SCHEME_*


def run_airmodel_cone(steps: int = STEPS, repeats: int = 1, threads: int | None = None,
                      cfl_max: float = 1.0, scheme_name: str = "walcek") -> dict:
    """Run the rotating cone with airmodel's ``kernels.advection.advect`` (mass form; Walcek by default, as the
    model's default scheme).

    1 species, 1 layer, air mass 1 kg per cell, face air-mass fluxes = face velocity x 1 (density 1, face area 1),
    inflow mixing ratio 1 on all boundaries; sweeps alternate x-y / y-x from step to step, each sweep a full dt.
    The first ``advect`` calls (JIT compilation, or loading Numba's cache) are made and timed before the
    measured runs. ``threads=None`` uses all Numba threads.
    """
    import numba

    advect = _import_advect()
    scheme = SCHEMES[scheme_name]
    u, v = face_velocities()
    flux_x = np.ascontiguousarray(u[None, :, :])  # [nz, ny, nx+1], kg/s
    flux_y = np.ascontiguousarray(v[None, :, :])  # [nz, ny+1, nx]
    c0 = exact_field(0.0)
    in_x = np.ones((1, 1, NY))  # [ns, nz, ny]: inflow mixing ratio through x boundary faces
    in_y = np.ones((1, 1, NX))  # [ns, nz, nx]
    bt_x = np.zeros((2, 1, 1, NY))
    bt_y = np.zeros((2, 1, 1, NX))

    def fresh():
        tracer = c0[None, None, :, :].copy()  # [ns, nz, ny, nx], kg (air mass 1); a copy: advect works in place
        air = np.ones((1, NY, NX))
        return tracer, air

    def sweep(tracer, air, axis):
        if axis == 2:
            return advect(tracer, air, flux_x, DT, 2, in_x, in_x, bt_x, cfl_max, scheme)
        return advect(tracer, air, flux_y, DT, 1, in_y, in_y, bt_y, cfl_max, scheme)

    old_threads = numba.get_num_threads()
    nthreads = numba.config.NUMBA_NUM_THREADS if threads is None else int(threads)
    numba.set_num_threads(nthreads)
    try:
        tracer, air = fresh()
        t0 = time.perf_counter()
        sweep(tracer, air, 2)
        sweep(tracer, air, 1)
        compile_s = time.perf_counter() - t0

        times: list[float] = []
        max_sub = 0
        for _ in range(max(1, repeats)):
            tracer, air = fresh()
            max_sub = 0
            t0 = time.perf_counter()
            for n in range(steps):
                order = (2, 1) if n % 2 == 0 else (1, 2)
                for axis in order:
                    k = sweep(tracer, air, axis)
                    if k < 0:
                        raise RuntimeError(f"advect returned {k} at step {n}, axis {axis}")
                    if k > max_sub:
                        max_sub = k
            times.append(time.perf_counter() - t0)
    finally:
        numba.set_num_threads(old_threads)

    c = tracer[0, 0] / air[0]
    t_end = steps * DT
    return {
        "code": f"airmodel kernels.advection.advect, scheme {scheme_name} in mass form, "
        "alternating x-y / y-x splitting",
        "steps": steps,
        "dt": DT,
        "t_end": t_end,
        "threads": nthreads,
        "cfl_max_arg": cfl_max,
        "max_substeps": max_sub,
        **_kernel_fingerprint(),
        "compile_or_cache_load_s": compile_s,
        "max_abs_air_mass_change": float(np.abs(air - 1.0).max()),
        **error_metrics(c, t_end, c0),
        **_summarise_times(times, steps),
        "field": c,
    }


# ---------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------
ROW_KEYS = ("max", "min", "L1", "L1_perturbation", "rel_mass_change", "ms_per_step_best", "ms_per_step_median",
            "fortran_ms_per_step_best")


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description="Rotating cone: PyClaw vs airmodel")
    p.add_argument("--steps", type=int, default=STEPS)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-unsplit", action="store_true", help="skip the unsplit PyClaw variant")
    p.add_argument("--no-airmodel", action="store_true", help="skip the airmodel runner")
    args = p.parse_args(argv)
    load_at_start = common.load_avg()

    runs: dict[str, dict] = {}
    problems: dict[str, str] = {}
    try:
        runs["pyclaw_split"] = run_pyclaw_cone(args.steps, split=True, repeats=args.repeats)
        if not args.no_unsplit:
            runs["pyclaw_unsplit"] = run_pyclaw_cone(args.steps, split=False, repeats=args.repeats)
    except ImportError as exc:
        problems["pyclaw"] = f"clawpack not importable: {exc}"
    if not args.no_airmodel:
        try:
            import numba

            for scheme_name in ("walcek", "ppm"):
                runs[f"airmodel_{scheme_name}_1thread"] = run_airmodel_cone(
                    args.steps, repeats=args.repeats, threads=1, scheme_name=scheme_name)
                if numba.config.NUMBA_NUM_THREADS > 1:
                    runs[f"airmodel_{scheme_name}_{numba.config.NUMBA_NUM_THREADS}threads"] = run_airmodel_cone(
                        args.steps, repeats=args.repeats, threads=None, scheme_name=scheme_name)
        except Exception as exc:  # noqa: BLE001 - report, do not fail the PyClaw half
            problems["airmodel"] = f"{type(exc).__name__}: {exc}"

    result = {
        "description": "Rotating cone, 101x101 cells of 1 m, omega=0.1 s^-1, cone r=15 h=4 on background 1 "
        "at (50,75), dt=0.1 s",
        "steps": args.steps,
        "exact_t_end": args.steps * DT,
        "revolutions": args.steps * DT * OMEGA / (2 * np.pi),
        "L1_definition": "sum|c - exact| / sum|exact| over all cells (exact at cell centres)",
        "L1_perturbation_definition": "sum|c - exact| / sum|exact - 1|",
        "timing": "wall time of the stepping loop / steps, set-up excluded; best and median of repeats",
        "runs": {k: {kk: vv for kk, vv in v.items() if kk != "field"} for k, v in runs.items()},
        "problems": problems,
    }
    result["load_avg_1_5_15_at_start"] = load_at_start
    path = common.write_result("pyclaw_cone", result)

    print(f"# Rotating cone, {args.steps} steps of {DT} s ({result['revolutions']:.3f} revolutions)")
    print(common.machine_summary() + f"; load avg at start {load_at_start}, end {common.load_avg()}")
    rows = []
    for name, r in runs.items():
        rows.append([name, r.get("threads")] + [r.get(k) for k in ROW_KEYS])
    exact = exact_field(args.steps * DT)
    rows.append(["exact", None, float(exact.max()), float(exact.min()), 0.0, 0.0, 0.0, None, None, None])
    print(common.markdown_table(["run", "threads", *ROW_KEYS], rows, floatfmt=".4g"))
    for k, v in problems.items():
        print(f"- {k}: {v}")
    print(f"-> {path}")
    return result


if __name__ == "__main__":
    main()
