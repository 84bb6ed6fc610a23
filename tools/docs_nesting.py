"""Write docs/nesting.md: how a nest is set up, what is interpolated how, and the checks with their numbers.

    python tools/docs_nesting.py --force \\
        --timing-logs nested24.log single24.log    # optional: the per-process times of two 24-h runs

The numbers come from the model itself, computed here:
- the weather of the parent and of the inner domain over the inner domain's area (the August baseline's nest:
  lowest-layer wind speed and mixing height, at 02, 08, 14 and 20 h local on every fourth day of August), with the
  inner weather following the parent's (as a nested run does) and, for contrast, built on its own;
- the physics checks of tests/physics/test_nesting.py (uniform mixing ratio, the mass through the interface, the
  one-way identity), run again here;
- optionally the wall time by process of each domain from the logs of two 24-hour runs of the baseline, nested and
  without its parent (the commands are written into the page).
"""
from __future__ import annotations

import argparse
import copy
import re
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import xarray as xr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from airmodel.boundary import Bilinear  # noqa: E402
from airmodel.driver import execute  # noqa: E402
from airmodel.files import write_text_atomic  # noqa: E402
from airmodel.grid import build_grid  # noqa: E402
from airmodel.met import build_meteorology  # noqa: E402
from airmodel.nesting import parent_scenario  # noqa: E402
from airmodel.domains import domain_output  # noqa: E402
from airmodel.scenario import load  # noqa: E402
from doc_tables import fig  # noqa: E402
from tests.physics import test_nesting as checks  # noqa: E402

OUTPUT = ROOT / "docs" / "nesting.md"
COMMAND = "python tools/docs_nesting.py --force --timing-logs nested24.log single24.log"
LOCAL_HOURS = (2, 8, 14, 20)
DAYS = range(1, 32, 4)


def weather_differences() -> list[dict]:
    """Parent minus inner domain over the inner domain's area, for the baseline's nest."""
    scenario = load("baseline_2008_08")
    parent_sc = parent_scenario(scenario)
    pgrid, cgrid, alone_grid = (build_grid(parent_sc["domain"]), build_grid(scenario["domain"]),
                                build_grid(scenario["domain"]))
    section = scenario["meteorology"]
    pmet = build_meteorology(section, pgrid, start=scenario.start, end=scenario.end)
    cmet = build_meteorology(section, cgrid, start=scenario.start, end=scenario.end)
    cmet.follow(pmet)
    alone = build_meteorology(section, alone_grid, start=scenario.start, end=scenario.end)
    lon, lat = np.meshgrid(cgrid.x, cgrid.y, indexing="xy")
    at = Bilinear(pgrid, lon.ravel(), lat.ravel())

    def speed(s):
        return np.hypot(0.5 * (s.u[0, :, 1:] + s.u[0, :, :-1]), 0.5 * (s.v[0, 1:, :] + s.v[0, :-1, :]))

    rows = {("wind", "follow"): [], ("wind", "alone"): [], ("pbl", "follow"): [], ("pbl", "alone"): []}
    inner_means = {"wind": [], "pbl": []}
    for day in DAYS:
        for hour in LOCAL_HOURS:
            when = datetime(2008, 8, day, hour, tzinfo=timezone(timedelta(hours=8)))
            t = (when - scenario.start).total_seconds()
            if t < 0:
                continue
            p = pmet.at(t)
            for field, get in (("wind", speed), ("pbl", lambda s: s.mixing_height)):
                outer = at(get(p)).reshape(cgrid.ny, cgrid.nx)
                for kind, met in (("follow", cmet), ("alone", alone)):
                    inner = get(met.at(t))
                    rows[(field, kind)].append(outer - inner)
                    if kind == "follow":
                        inner_means[field].append(float(inner.mean()))
    out = []
    for (field, kind), diffs in rows.items():
        d = np.stack(diffs)
        out.append(dict(field=field, kind=kind, bias=float(d.mean()), mad=float(np.abs(d).mean()),
                        hourly_mean_abs=float(np.abs(d.mean(axis=(1, 2))).max()),
                        inner_mean=float(np.mean(inner_means[field]))))
    return out


def physics_checks() -> dict:
    results = {}
    for name, flow in (("uniform wind", checks.UNIFORM_WIND), ("rotating wind", checks.ROTATING_WIND)):
        results[name] = checks.check_mass_through_interface(flow)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        execute(copy.deepcopy(checks.UNIFORM), tmp / "u.nc")
        with xr.open_dataset(tmp / "u.nc") as c, xr.open_dataset(domain_output(tmp / "u.nc", "d01")) as p:
            results["uniform"] = (float(np.abs(c.tracer.values / 1e-6 - 1).max()),
                                  float(np.abs(p.tracer.values / 1e-6 - 1).max()))
        raw = checks.one_way_scenario()
        execute(raw, tmp / "n.nc")
        execute(parent_scenario(load(raw)), tmp / "alone.nc")
        with xr.open_dataset(domain_output(tmp / "n.nc", "d01")) as a, xr.open_dataset(tmp / "alone.nc") as b:
            results["one-way"] = float(np.abs(a.tracer.values - b.tracer.values).max())
    return results


def read_timing(path: Path) -> dict[str, dict[str, float]]:
    """The 'time by process' tables of an airmodel run log, by domain ('' for a run without a parent), and the
    wall time of the run."""
    text = Path(path).read_text()
    out = {}
    for match in re.finditer(r"time by process( of domain (\S+))?:\nprocess\s+seconds\s+share\n((?:.+\n?)+?)"
                             r"(?=airmodel:|\Z)", text):
        name = match.group(2) or ""
        table = {}
        for line in match.group(3).splitlines():
            parts = line.rsplit(None, 2)
            if len(parts) == 3:
                table[parts[0].strip()] = float(parts[1])
        out[name] = table
    wall = re.findall(r"run finished: \d+ steps(?: of domain \S+)? in ([0-9.]+) s wall", text)
    out["_wall"] = {"run": float(wall[-1])} if wall else {}
    cpu = re.findall(r"([0-9.]+) s wall ([0-9.]+) s user ([0-9.]+) s sys", text)  # /usr/bin/time's line
    if cpu:
        out["_wall"]["cpu"] = float(cpu[-1][1]) + float(cpu[-1][2])
    return out


def document(weather: list[dict], results: dict, timing) -> str:
    w = {(r["field"], r["kind"]): r for r in weather}
    lines = [
        "# Nesting: a parent domain around the inner domain",
        "",
        f"Written by `{COMMAND}` (tools/docs_nesting.py); do not edit by hand.",
        "",
        "## Setting up a nest",
        "",
        "A scenario's `[domain]` is the inner domain: the stations are there and its output is the run's output "
        "(`-o OUT.nc`), as for a run without a parent. A `[parent]` table adds an outer domain around it "
        "(airmodel/nesting.py); every other section (meteorology, emissions, controls, chemistry, species, transport, "
        "output) holds for both domains, each on its own grid. `[boundary]` then gives the parent's lateral and top "
        "boundary values, and the inner domain's come from the parent. The keys (docs/scenario_keys.md):",
        "",
        "```toml",
        "[parent]",
        'name = "d01"            # its output: OUT.d01.nc beside OUT.nc',
        "lon_min = 108.0         # a lon-lat box (or nx, ny, dx, dy, x0, y0 for a projected grid, like [domain]'s)",
        "lon_max = 125.0",
        "lat_min = 32.0",
        "lat_max = 44.0",
        "resolution = 0.25       # at least [domain]'s; need not be a whole multiple of it",
        "time_step_ratio = 1     # the parent's step in run.time_step; the inner domain takes this many per parent step",
        "```",
        "",
        "Checked on load (exit 2, naming the key and value): the same kind of grid; cells no finer than the inner "
        "domain's; the inner domain inside the parent with a margin of at least one parent cell on every side; the "
        "same layers (`parent.layer_interfaces`, if given, must equal `[domain]`'s; no vertical interpolation); a "
        "`time_step_ratio` that divides the run's steps, the hour (for hourly means), the checkpoint interval and "
        "every snapshot. The ready August scenarios (baseline_2008_08 and those that extend it: olympic_2008, "
        "olympic_beijing_only, projection_2020_08, projections/*) run the regional parent 108–125 °E, 32–44 °N at "
        "0.25° (68 × 48 cells) around the 0.1° greater-Beijing domain; the workshop demo stays a single domain.",
        "",
        "Files: `-o OUT.nc` writes the inner domain to OUT.nc and the parent to OUT.d01.nc (OUT.NAME.nc), each "
        "atomically and refused without `--force` when it exists; their global attributes `domain_name` and "
        "`parent_domain` name the domain and its parent (\"none\" for the outermost). Checkpoints: OUT.nc.checkpoints "
        "(the inner domain) and OUT.nc.checkpoints.d01 (the parent), written at the same instants; `--restart "
        "OUT.nc.checkpoints/checkpoint_T.nc` reads the parent's checkpoint of the same name from the folder beside. "
        "The log has a budget and a time-by-process table for each domain, and the progress line shows each "
        "domain's simulated time. `airmodel compare BASE.nc CASE.nc --domain d01` compares the parents, `--domain "
        "all` every domain into DIR/NAME; `evaluate` and `report` take `--domain NAME`; an ensemble's members "
        "write MEMBER.d01.nc beside MEMBER.nc, and its analysis reads the inner domain. The memory and time "
        "estimate (`airmodel run` refuses above 16 GiB) counts every domain.",
        "",
        "## What is interpolated how",
        "",
        "- **Stepping.** One parent step (of `time_step_ratio` inner steps) goes first; then the inner domain takes "
        "its steps. Nothing goes back to the parent (one-way)."
        " With two or more Numba threads (the meteorology synthetic or idealized, the boundary not a NetCDF"
        " file) the parent steps in a thread of its own beside the inner domain, one Numba thread each and at"
        " most two parent steps ahead, and the inner domain takes each parent state when its own steps reach"
        " it: the same results, bit for bit (tests/regression/test_parent_thread.py), in less time on two"
        " cores (benchmarks/RESULTS.md).",
        "- **Lateral boundary values, in space.** For every transported species, layer by layer, the parent's "
        "mixing ratio (kg/kg: its concentration over its air density at that instant) interpolated bilinearly "
        "between the parent's cell centres to the centre of each ghost cell of the inner domain, half an inner cell "
        "outside its face (airmodel.boundary.NestedBoundary). The advection kernel takes it as the mixing ratio of "
        "the air that flows in (outflow repeats the edge cell's).",
        "- **In time.** Linear between the parent's states at the start and the end of the parent step that holds "
        "the inner step's midpoint (the time at which a single-domain run asks its boundary too).",
        "- **Top.** The parent's own top boundary values (`[boundary]`), interpolated bilinearly to the inner "
        "domain's columns, at the same two instants: the air above the inner domain's top is the air above the "
        "parent's.",
        "- **Diffusion** does not cross the inner domain's edges (as in a single-domain run: no diffusive flux "
        "through lateral boundaries); what crosses is advected.",
        "- **Weather.** Each domain computes its meteorology on its own grid and terrain from the same settings "
        "(the synthetic weather: the same seed and regime calendar). Two parts of the synthetic weather are "
        "domain-wide: the shower cells are drawn over the domain's area, and each hour's stability index uses the "
        "domain-mean cloud, sun and synoptic wind; the inner domain takes both from the parent "
        "(`SyntheticMeteorology.follow`), so that the two see the same showers and the same day-night stability. "
        "The regimes' shower counts were chosen for the greater-Beijing box; a domain more than 1 % larger (the "
        "regional parent: 6.3 times) draws showers in proportion to its area, so that their density over greater "
        "Beijing stays as chosen.",
        "- **Emissions.** The inventory is gridded onto each domain's cells; an idealized point source is emitted in "
        "every domain that holds it.",
        "",
        "## Do the two domains see the same weather?",
        "",
        "Parent minus inner domain over the inner domain's area (the parent interpolated bilinearly to the inner "
        "cell centres), August baseline nest, at 02, 08, 14 and 20 h local on 1, 5, ..., 29 August: the mean "
        "difference (bias), the mean absolute difference over cells and times, and the largest absolute difference "
        "of the area means of one hour. 'follows' is the nested run's inner weather; 'alone' the same domain's "
        "weather built on its own (a run without a parent).",
        "",
        "| field | inner weather | inner mean | bias (parent − inner) | mean abs. difference | largest hourly "
        "area-mean difference |",
        "|---|---|---|---|---|---|",
    ]
    for field, unit in (("wind", "m/s"), ("pbl", "m")):
        label = "lowest-layer wind speed" if field == "wind" else "mixing height"
        for kind in ("follow", "alone"):
            r = w[(field, kind)]
            lines.append(f"| {label} ({unit}) | {'follows the parent' if kind == 'follow' else 'alone'} | "
                         f"{fig(r['inner_mean'])} | {fig(r['bias'])} | {fig(r['mad'])} | "
                         f"{fig(r['hourly_mean_abs'])} |")
    lines += [
        "",
        "The two agree on average (the biases are small against the means), and the nested run's inner weather "
        "is a little closer to the parent's than the same domain's weather built alone (the shared showers and "
        "stability). Cell by cell and hour by hour they differ where the grids do: the 0.25° terrain is smoother "
        "(lower ridges, wider valleys), so the terrain-adjusted winds, the slope flows and the mixing height over "
        "the mountains differ, and an hour's area means can differ by the amounts in the last column.",
        "",
        "## The checks (tests/physics/test_nesting.py)",
        "",
        f"- A uniform mixing ratio (1e-6 kg/kg, the parent's boundary the same) stays uniform for 24 h under the "
        f"synthetic winds (a southerly day, then a cold front; parent 0.25°, inner 0.1°, two inner steps per parent "
        f"step): max |q/q0 − 1| = {results['uniform'][0]:.1e} in the inner domain, {results['uniform'][1]:.1e} in "
        f"the parent (required ≤ 1e-12).",
    ]
    for name in ("uniform wind", "rotating wind"):
        entered, crossed = results[name]
        lines.append(f"- A tracer emitted only in the parent (100 g/s, 35 km upwind of a 5 km inner domain in a "
                     f"10 km parent, no deposition, no horizontal diffusion), {name}, 24 h: the net mass that "
                     f"crossed the parent's faces at the inner domain's edges (the parent's change of mass over "
                     f"that area) {fig(crossed, 5)} kg; the inner domain's inflow minus outflow {fig(entered, 5)} kg; "
                     f"difference {100 * (entered / crossed - 1):+.2f} % (required within 1 %).")
    lines += [
        "  A plume that grazes an inner face along its length is the hard case: with the rotation centre 400 km "
        "north, the plume runs along the inner domain's south face and the inner domain receives 2.5 % less than "
        "the parent's faces pass (the parent's face values come from its own upstream reconstruction, the inner "
        "domain's from the interpolated ghost cells; they differ most where the plume's edge lies on the face).",
        f"- One-way: the nested run's parent output and a run of the parent alone differ by at most "
        f"{results['one-way']:g} (bit for bit).",
        "- Restart: a 2-h nested run equals, bit for bit in both domains, a 1-h run continued with `--restart` "
        "(tests/regression/test_nesting_files.py).",
        "- A run without `[parent]` is unchanged: the workshop demo (`airmodel run demo`) writes the same 151 "
        "variables and budget attributes, bit for bit, as before nesting was added (checked once, by comparing "
        "the outputs of the two versions).",
        "",
    ]
    if timing is not None:
        nested, single = timing
        lines += [
            "## Cost",
            "",
            "Time by process of 24 hours of the August baseline (from 2008-07-31 16 UTC) on one thread, nested and "
            "without its parent (single.toml: the same file less `[parent]`), on a machine of 2 cores shared with "
            "other work (so the wall times are loose; the CPU times and the shares are firmer):",
            "",
            "    /usr/bin/time -f \"%e s wall %U s user %S s sys\" airmodel run baseline_2008_08 -o nested24.nc "
            "--set run.hours=24 --set run.threads=1 --set output.checkpoint_interval_hours=0 2> nested24.log",
            "    /usr/bin/time -f \"%e s wall %U s user %S s sys\" airmodel run single.toml -o single24.nc "
            "--set run.hours=24 --set run.threads=1 --set output.checkpoint_interval_hours=0 2> single24.log",
            "",
            "| process | single domain (s) | nested: inner domain (s) | nested: parent d01 (s) |",
            "|---|---|---|---|",
        ]
        processes = list(dict.fromkeys(list(single.get("", {})) + list(nested.get("domain", {}))
                                       + list(nested.get("d01", {}))))
        for p in processes:
            lines.append(f"| {p} | {single.get('', {}).get(p, 0.0):.1f} | {nested.get('domain', {}).get(p, 0.0):.1f}"
                         f" | {nested.get('d01', {}).get(p, 0.0):.1f} |")
        lines += [f"| **run wall time** | {single['_wall'].get('run', float('nan')):.0f} | "
                  f"{nested['_wall'].get('run', float('nan')):.0f} (both domains) | |",
                  f"| **process CPU time (user + sys)** | {single['_wall'].get('cpu', float('nan')):.0f} | "
                  f"{nested['_wall'].get('cpu', float('nan')):.0f} (both domains) | |", "",
                  "The parent's 68 × 48 columns are 0.99 times the inner domain's 60 × 55, with the same layers, "
                  "species and time step, so a nested run costs about twice a single-domain run "
                  "(airmodel.scenario.estimate_resources counts both).", ""]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-o", "--output", type=Path, default=OUTPUT)
    p.add_argument("--force", action="store_true")
    p.add_argument("--timing-logs", nargs=2, type=Path, metavar=("NESTED_LOG", "SINGLE_LOG"))
    args = p.parse_args(argv)
    timing = None
    if args.timing_logs:
        timing = tuple(read_timing(path) for path in args.timing_logs)
    text = document(weather_differences(), physics_checks(), timing)
    write_text_atomic(args.output, text, force=args.force)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
