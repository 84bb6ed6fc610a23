"""Write docs/cb05_baseline.md: the August 2008 baseline run with cb05_aero beside the same run with grs_aero, at
Beijing's 12 national stations: PM2.5 composition (beside the measured shares of Huang et al. 2010), MDA8 ozone, and
the domain's isoprene emission; with each run's smallest value of every species and its largest budget residual.

    airmodel run baseline_2008_08 -o cb.nc --set chemistry.mechanism=cb05_aero --set emissions.biogenic=true
    airmodel run baseline_2008_08 -o grs.nc
    python tools/docs_cb05_baseline.py cb.nc grs.nc -o docs/cb05_baseline.md [--logs CB.LOG GRS.LOG]
        [--note TEXT] [--force]

(both with the same --set run.hours where a shorter run is documented). --logs: the two runs' logs, each run as
``/usr/bin/time -v airmodel run ... > LOG 2>&1``; the page then gives each run's CPU time (user + system) and the
model's own wall time (its "run finished ... s wall" line), per simulated day. The composition is computed as in
tools/docs_pm_composition.py (its ``station_means``); MDA8 is the output's own station_O3_mda8 (by local day).
Every number in the page is computed here from the two outputs and ``MEASURED``.
"""
from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path

import netCDF4
import numpy as np

from airmodel.files import write_text_atomic
from doc_tables import fig
from docs_pm_composition import COMPONENTS, MEASURED, station_means


def minima(ds) -> tuple[str, float, int]:
    """(species with the smallest value, that value, number of non-finite values) over the 3-D hourly fields."""
    budget = sorted({a[len("budget_"):-len("_relative_residual")] for a in ds.ncattrs()
                     if a.startswith("budget_") and a.endswith("_relative_residual")})
    lowest, where, bad = np.inf, "", 0
    for name in budget:
        if name not in ds.variables:
            continue
        values = np.ma.filled(ds[name][:].astype(float), np.nan)
        bad += int((~np.isfinite(values)).sum())
        low = float(np.nanmin(values))
        if low < lowest:
            lowest, where = low, name
    return where, lowest, bad


def residual(ds) -> tuple[str, float]:
    worst = max((float(ds.getncattr(a)), a) for a in ds.ncattrs() if a.endswith("_relative_residual"))
    return worst[1][len("budget_"):-len("_relative_residual")], worst[0]


def cost(log: Path) -> tuple[float, float, float]:
    """(CPU seconds, user + system, of /usr/bin/time -v; the model's wall seconds; the whole command's wall
    seconds) from a run's log."""
    text = log.read_text()
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([0-9.]+)", text))
    walls = [float(m) for m in re.findall(r"run finished: \d+ steps of domain \S+ in ([0-9.]+) s wall", text)]
    elapsed = re.findall(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)", text)
    if not cpu or not walls or not elapsed:
        raise SystemExit(f"{log}: no /usr/bin/time -v CPU and wall times or no 'run finished' line")
    seconds = 0.0
    for part in elapsed[-1].split(":"):
        seconds = 60.0 * seconds + float(part)
    return cpu, max(walls), seconds


def document(paths: list[Path], runs: list, note: str, logs: list[Path] | None = None) -> str:
    labels = ["cb05_aero", "grs_aero"]
    comps = [station_means(ds) for ds in runs]
    names = comps[0][0]
    parts = [name for name, _ in COMPONENTS] + ["other"]
    hours = runs[0].dimensions["time"].size
    lines = ["# The August 2008 baseline with cb05_aero beside grs_aero", "",
             f"Written by `tools/docs_cb05_baseline.py` from `{paths[0].name}` (cb05_aero, biogenic emissions on) and "
             f"`{paths[1].name}` (grs_aero), scenario `baseline_2008_08`, {hours} hourly means each; every number "
             "below is computed by the script.", ""]
    if note:
        lines += [note, ""]
    for label, path, ds in zip(labels, paths, runs):
        mechanism = tomllib.loads(ds.getncattr("scenario"))["chemistry"]["mechanism"]
        if mechanism != label:
            raise SystemExit(f"{path}: a run with chemistry.mechanism = {mechanism!r}; expected {label!r} here")
    settings = [f"{label} rtol {ds.getncattr('chemistry_rtol'):g}, atol {ds.getncattr('chemistry_atol_ppb'):g} ppb, "
                f"aqueous sulfate {ds.getncattr('chemistry_aqueous_sulfate')}" for label, ds in zip(labels, runs)
                if "chemistry_aqueous_sulfate" in ds.ncattrs()]
    if len(settings) == 2:
        lines += [f"Chemistry settings in effect (the outputs' attributes): {'; '.join(settings)}.", ""]
    if logs:
        days = hours / 24.0
        costs = [cost(log) for log in logs]
        lines += ["## Cost", "",
                  "| run | CPU (user + system), s per day | model wall time, s per day "
                  "| the whole command, wall, min |",
                  "|---|---|---|---|"]
        for label, (cpu, wall, elapsed) in zip(labels, costs):
            lines.append(f"| {label} | {fig(cpu / days)} | {fig(wall / days)} | {fig(elapsed / 60.0)} |")
        lines += ["", f"CPU ratio cb05_aero / grs_aero: {fig(costs[0][0] / costs[1][0])}; a 31-day month of "
                  f"cb05_aero at this rate: {fig(31.0 * costs[0][0] / days / 60.0)} CPU-minutes. CPU includes the "
                  "start (reading, gridding, compiling or loading the compiled kernels); the wall time is the "
                  "model's own loop, both domains, and depends on what else the machine was running.", ""]
    lines += ["## PM2.5 composition, mean of the 12 stations (% of the named components, i.e. without other)", "",
              "| component | cb05_aero, µg m⁻³ | cb05_aero, % | grs_aero, µg m⁻³ | grs_aero, % | measured, % |",
              "|---|---|---|---|---|---|"]
    totals = [{k: float(v.mean()) for k, v in c[1].items()} for c in comps]
    named = [sum(t[k] for k, _ in COMPONENTS) for t in totals]
    for k in parts:
        row = f"| {k} |"
        for t, n in zip(totals, named):
            row += f" {fig(t[k])} | {'–' if k == 'other' else fig(100.0 * t[k] / n)} |"
        m = MEASURED["shares"].get(k)
        lines.append(row + f" {fig(m) if m is not None else '–'} |")
    lines.append("| PM2.5 |" + "".join(f" {fig(float(c[2].mean()))} | |" for c in comps) + " |")
    lines += ["", f"Measured: {MEASURED['source']} (PM1, no dust: compare with the shares of the named components).",
              "", "## MDA8 ozone by local day and station (ppb), cb05_aero / grs_aero", ""]
    mda8 = [np.ma.filled(ds["station_O3_mda8"][:].astype(float), np.nan) for ds in runs]
    days = mda8[0].shape[1]
    if days <= 7:
        lines += ["| station | " + " | ".join(f"day {d + 1}" for d in range(days)) + " |",
                  "|---|" + "---|" * days]
        for n, name in enumerate(names):
            lines.append(f"| {name} | " + " | ".join(f"{fig(mda8[0][n, d])} / {fig(mda8[1][n, d])}"
                                                      for d in range(days)) + " |")
        lines.append("| mean | " + " | ".join(f"{fig(np.nanmean(mda8[0][:, d]))} / {fig(np.nanmean(mda8[1][:, d]))}"
                                               for d in range(days)) + " |")
    else:  # a month: each station's mean and highest day, then the 12 stations' mean by day
        lines += [f"Over the {days} local days.", "",
                  "| station | mean, cb05_aero | mean, grs_aero | highest day, cb05_aero | highest day, grs_aero |",
                  "|---|---|---|---|---|"]
        for n, name in enumerate(names):
            lines.append(f"| {name} | {fig(np.nanmean(mda8[0][n]))} | {fig(np.nanmean(mda8[1][n]))} | "
                         f"{fig(np.nanmax(mda8[0][n]))} | {fig(np.nanmax(mda8[1][n]))} |")
        lines.append(f"| mean | {fig(np.nanmean(mda8[0]))} | {fig(np.nanmean(mda8[1]))} | | |")
        lines += ["", "The 12 stations' mean by local day, cb05_aero / grs_aero:", "",
                  "| day | " + " | ".join(str(d + 1) for d in range(days)) + " |", "|---|" + "---|" * days,
                  "| MDA8 O3 | " + " | ".join(f"{fig(np.nanmean(mda8[0][:, d]))} / {fig(np.nanmean(mda8[1][:, d]))}"
                                              for d in range(days)) + " |"]
    lines += ["", "## Isoprene and monoterpene emissions over the greater-Beijing domain (cb05_aero run)", ""]
    if "budget_ISOP_emitted_kg" in runs[0].ncattrs():
        isop = float(runs[0].getncattr("budget_ISOP_emitted_kg"))
        terp = float(runs[0].getncattr("budget_TERP_emitted_kg"))
        lines.append(f"ISOP emitted in the run: {fig(isop / 1e6)} Gg ({fig(isop / 1e6 * 24.0 / hours)} Gg per day); "
                     f"TERP {fig(terp / 1e6)} Gg. Both include the small anthropogenic ISOP and TERP of the NMVOC "
                     "profiles (`airmodel/data/emissions/speciation/cb05_aero.csv`); the biogenic scheme, its August "
                     "total and the published estimates for the region are in docs/biogenic.md.")
    else:
        lines.append(f"`{paths[0].name}` has no ISOP budget: not a cb05_aero run.")
    lines += ["", "## Checks of the two runs", "",
              "| run | smallest value (species) | non-finite values | largest budget residual (species) |",
              "|---|---|---|---|"]
    for label, ds in zip(labels, runs):
        where, low, bad = minima(ds)
        species, res = residual(ds)
        lines.append(f"| {label} | {low:.3g} ({where}) | {bad} | {res:.2g} ({species}) |")
    lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cb05", type=Path, help="the baseline run with chemistry.mechanism = cb05_aero")
    parser.add_argument("grs", type=Path, help="the same run with grs_aero")
    parser.add_argument("-o", "--output", type=Path, default=Path("docs/cb05_baseline.md"))
    parser.add_argument("--logs", type=Path, nargs=2, metavar=("CB_LOG", "GRS_LOG"),
                        help="the runs' logs with /usr/bin/time -v output, for the cost table")
    parser.add_argument("--note", default="", help="a paragraph placed under the title (e.g. the run length)")
    parser.add_argument("--force", action="store_true", help="replace an existing page")
    args = parser.parse_args(argv)
    with netCDF4.Dataset(args.cb05) as cb, netCDF4.Dataset(args.grs) as grs:
        text = document([args.cb05, args.grs], [cb, grs], args.note, args.logs)
    print(f"wrote {write_text_atomic(args.output, text, force=args.force)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
