"""Write docs/olympic_2008.md from the month runs and their comparison (every figure in it comes from these files).

    airmodel run baseline_2008_08 -o base.nc
    airmodel run olympic_2008 -o olympic.nc
    airmodel compare base.nc olympic.nc -o olympic_vs_base
    python tools/docs_olympic.py base.nc olympic.nc olympic_vs_base -o docs/olympic_2008.md [--force]

The tables are read from the comparison's CSV files (regions.csv, stations.csv, exceedances.csv, and games.csv
for the Games period, 8-24 August local, when the comparison has it); the run
description (grid, period, version) from the runs' global attributes. Only the framing text is fixed here; every
number, and every statement that depends on one (which stations rise, the range of the boundary share), is
computed.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import netCDF4
import numpy as np

from doc_tables import fig, read_csv, write_doc

REGIONS = ("Beijing", "Tianjin", "Hebei", "domain")
REGION_LABELS = {"Hebei": "Hebei (in the domain)"}
#: The Games table: (metric, label) in games.csv, in the order of the columns.
GAMES_COLUMNS = (("PM25", "PM2.5"), ("PM10", "PM10"), ("NO2", "NO2"), ("SO2", "SO2"), ("CO", "CO"), ("O3", "O3"),
                 ("O3_mda8", "MDA8 O3"))
#: Streets et al. (2007, Atmos. Environ. 41, 480-492): share of PM2.5 at the Olympic Stadium from outside Beijing.
STREETS_OUTSIDE_SHARE = 34


def pct(value: float) -> str:
    return ("+" if value > 0 else "") + fig(value, 2 if abs(value) < 10 else 3) + " %"


class Tables:
    """The comparison's tables, indexed by (scope, metric)."""

    def __init__(self, folder: Path):
        self.regions = {(r["region"], r["metric"]): r for r in read_csv(folder / "regions.csv")}
        self.stations = {(r["station"], r["metric"]): r for r in read_csv(folder / "stations.csv")}
        self.names = {r["station"]: r["name"] for r in read_csv(folder / "stations.csv")}
        self.exceedances = {(r["scope"], r["metric"]): r for r in read_csv(folder / "exceedances.csv")}

    def region(self, region: str, metric: str, column: str) -> float:
        return float(self.regions[(region, metric)][column])

    def station(self, code: str, metric: str, column: str) -> float:
        return float(self.stations[(code, metric)][column])

    def days(self, scope: str, metric: str) -> tuple[float, float, int]:
        row = self.exceedances[(scope, metric)]
        return float(row["days_base"]), float(row["days_case"]), int(row["valid_days"])


def games_section(folder: Path) -> list[str]:
    """The Games period (8-24 August local) at the stations and their mean, from the comparison's games.csv."""
    path = folder / "games.csv"
    if not path.exists() or path.read_text(encoding="utf-8").startswith("#"):
        return []
    rows = read_csv(path)
    by = {(r["station"], r["metric"]): r for r in rows}
    metrics = [(m, label) for m, label in GAMES_COLUMNS if any(r["metric"] == m for r in rows)]
    hours = max(int(r["hours"]) for r in rows)
    days = max(int(r["days"]) for r in rows)
    units = {m: next(r["units"] for r in rows if r["metric"] == m) for m, _ in metrics}
    out = ["## The Games period (8–24 August local) at the 12 stations", "",
           f"Means over the {hours} hours of the Games (MDA8 O3: its {days} local days); each cell: baseline → "
           "Olympic (change).", "",
           "| station | " + " | ".join(f"{label} ({units[m]})" for m, label in metrics) + " |",
           "|---|" + "---|" * len(metrics)]
    for code in dict.fromkeys(r["station"] for r in rows):
        name = next(r["name"] for r in rows if r["station"] == code)
        cells = []
        for m, _ in metrics:
            r = by.get((code, m))
            cells.append(f"{fig(float(r['base']))} → {fig(float(r['case']))} ({pct(float(r['pct']))})" if r else "–")
        label = name if code == "mean" else f"{name} ({code})"
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return out + [""]


def run_description(path: Path) -> dict:
    with netCDF4.Dataset(path) as ds:
        t = ds["time"]
        origin = datetime.fromisoformat(t.units.split("since", 1)[1].strip().replace("Z", "+00:00"))
        if origin.tzinfo is None:
            origin = origin.replace(tzinfo=timezone.utc)
        bounds = ds["time_bnds"][:] if "time_bnds" in ds.variables else None
        start = origin + timedelta(hours=float(bounds[0, 0] if bounds is not None else t[0]))
        end = origin + timedelta(hours=float(t[-1]))
        return {"title": ds.getncattr("title"), "version": ds.getncattr("airmodel_version"),
                "nx": ds.dimensions["lon"].size if "lon" in ds.dimensions else ds.dimensions["x"].size,
                "ny": ds.dimensions["lat"].size if "lat" in ds.dimensions else ds.dimensions["y"].size,
                "resolution": float(abs(ds["lon"][1] - ds["lon"][0])) if "lon" in ds.variables else None,
                "hours": int(round((end - start).total_seconds() / 3600)), "start": start, "end": end,
                "history": ds.getncattr("history").splitlines()[0]}


def parent_text(base: Path) -> str:
    """One paragraph on the outer domain when the run was nested (its file OUT.NAME.nc beside OUT.nc), else ""."""
    with netCDF4.Dataset(base) as ds:
        parent = ds.getncattr("parent_domain") if "parent_domain" in ds.ncattrs() else "none"
    if parent == "none":
        return ""
    with netCDF4.Dataset(base.with_name(f"{base.stem}.{parent}{base.suffix}")) as ds:
        lon, lat = ds["lon"][:], ds["lat"][:]
        step = float(lon[1] - lon[0])
        box = (f"{float(lon[0]) - step / 2:.4g}–{float(lon[-1]) + step / 2:.4g} °E, "
               f"{float(lat[0]) - step / 2:.4g}–{float(lat[-1]) + step / 2:.4g} °N")
        size = f"{len(lon)} × {len(lat)} cells of {step:.2g}°"
    return (f"The greater-Beijing domain is nested (one way) in the regional parent {parent!r} over {box} "
            f"({size}; its output {base.stem}.{parent}{base.suffix}): the parent's boundary is the table of air "
            "that has not crossed the region, and the inner domain's boundary values come from the parent "
            "(docs/nesting.md); the boundary tracers therefore count the air that entered the parent.\n")


def local(t: datetime) -> str:
    return (t + timedelta(hours=8)).strftime("%d %B %Y %H:%M")


def document(base: Path, case: Path, folder: Path) -> str:
    tab = Tables(folder)
    b, c = run_description(base), run_description(case)
    codes = sorted(tab.names)
    out = [
        "# The 2008 Olympic controls: baseline against controls, August 2008",
        "",
        "Generated by `python tools/docs_olympic.py base.nc olympic.nc olympic_vs_base -o docs/olympic_2008.md` "
        "from the runs and the comparison made by:",
        "",
        "```bash",
        "airmodel run baseline_2008_08 -o base.nc",
        "airmodel run olympic_2008 -o olympic.nc",
        "airmodel compare base.nc olympic.nc -o olympic_vs_base",
        "airmodel report base.nc olympic.nc --compare olympic_vs_base -o olympic.html",
        "```",
        "",
        f"Runs: \"{b['title']}\" and \"{c['title']}\", airmodel {b['version']}; {b['hours']} hours from "
        f"{local(b['start'])} to {local(b['end'])} local time (UTC+8), {b['nx']} × {b['ny']} cells"
        + (f" of {b['resolution']:.2g}°" if b["resolution"] else "") + ". Base run made "
        f"{b['history'].split(' ')[0]}.",
        "",
        parent_text(base),
        "Both runs: synthetic August weather, the default 2008 inventory, `grs_aero` chemistry, climatological "
        "summer boundaries with the boundary tracers. The weather is the synthetic default, not August 2008's: "
        "these numbers show what the model and the inventory say the controls do under typical August weather, not "
        "a hindcast of the Games (the observed fall of PM2.5 during the Games also owed much to rain and northerly "
        "flow).",
        "",
        "## By region (period means; exposure is population-weighted)",
        "",
        "| region | PM2.5 base (µg m⁻³) | PM2.5 Olympic | change | MDA8 O3 base (ppb) | Olympic | change | NO2 change "
        "| mean AQI base → Olympic |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in REGIONS:
        out.append(
            f"| {REGION_LABELS.get(r, r)} | {fig(tab.region(r, 'PM25', 'base'))} | {fig(tab.region(r, 'PM25', 'case'))} "
            f"| {pct(tab.region(r, 'PM25', 'pct'))} | {fig(tab.region(r, 'O3_mda8', 'base'))} "
            f"| {fig(tab.region(r, 'O3_mda8', 'case'))} | {pct(tab.region(r, 'O3_mda8', 'pct'))} "
            f"| {pct(tab.region(r, 'NO2', 'pct'))} | {tab.region(r, 'AQI', 'base'):.0f} → "
            f"{tab.region(r, 'AQI', 'case'):.0f} |")
    out += ["", f"Population-weighted PM2.5 over the domain: {fig(tab.region('domain', 'PM25', 'exposure_base'))} → "
                f"{fig(tab.region('domain', 'PM25', 'exposure_case'))} µg m⁻³ "
                f"({pct(tab.region('domain', 'PM25', 'exposure_pct'))}).", ""]

    out += ["## At Beijing's 12 national stations", "",
            "| station | PM2.5 base (µg m⁻³) | Olympic | change | O3 change | MDA8 O3 base (ppb) | Olympic | change "
            "| days PM2.5 > 75 µg m⁻³ | days MDA8 O3 > 160 µg m⁻³ |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for code in codes:
        pb, pc, n = tab.days(code, "PM25_24h")
        ob, oc, _ = tab.days(code, "O3_mda8")
        out.append(
            f"| {tab.names[code]} ({code}) | {fig(tab.station(code, 'PM25', 'base'))} "
            f"| {fig(tab.station(code, 'PM25', 'case'))} | {pct(tab.station(code, 'PM25', 'pct'))} "
            f"| {pct(tab.station(code, 'O3', 'pct'))} | {fig(tab.station(code, 'O3_mda8', 'base'))} "
            f"| {fig(tab.station(code, 'O3_mda8', 'case'))} | {pct(tab.station(code, 'O3_mda8', 'pct'))} "
            f"| {pb:.0f} → {pc:.0f} of {n} | {ob:.0f} → {oc:.0f} |")
    changes = np.array([tab.station(code, "PM25", "pct") for code in codes])
    o3_up = [tab.names[code] for code in codes if tab.station(code, "O3", "pct") > 0]
    out += ["", f"PM2.5 changes by {fig(changes.min(), 2)} to {fig(changes.max(), 2)} % at the 12 stations. "
                + (f"Mean O3 rises at {len(o3_up)} of 12 ({', '.join(o3_up)}): less NO titration where NOx fell."
                   if o3_up else "Mean O3 falls at every station."), ""]

    out += games_section(folder)
    out += ["## What comes in through the boundaries (the inert tracers, baseline)", "",
            "| station | PM2.5 (µg m⁻³) | of which boundary tracer | O3 (ppb) | boundary O3 tracer (ppb) |",
            "|---|---|---|---|---|"]
    shares = []
    for code in codes:
        pm, bnd = tab.station(code, "PM25", "base"), tab.station(code, "BND_PM25", "base")
        shares.append(100 * bnd / pm)
        out.append(f"| {tab.names[code]} ({code}) | {fig(pm)} | {fig(bnd)} ({shares[-1]:.0f} %) "
                   f"| {fig(tab.station(code, 'O3', 'base'))} | {fig(tab.station(code, 'BND_O3', 'base'))} |")
    out += ["", f"At the 12 stations {min(shares):.0f}–{max(shares):.0f} % of PM2.5 is boundary air (the inert "
                f"tracer: deposition as fine particles, no chemistry). Streets et al. (2007) estimated that about "
                f"{STREETS_OUTSIDE_SHARE} % of PM2.5 at the Olympic Stadium came from outside Beijing on average; "
                "their \"outside\" includes Tianjin and Hebei, which lie inside this domain, so the comparison is "
                "loose. The ozone tracer has no chemical loss, so it is an upper bound on the boundary's ozone.",
            "", "The full tables are in `olympic_vs_base/` (stations.csv, regions.csv, exceedances.csv, "
                "aqi_categories.csv, summary.md). Wall times: `benchmarks/RESULTS.md`, \"Scenario runs\".", ""]
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("base", type=Path)
    p.add_argument("case", type=Path)
    p.add_argument("comparison", type=Path, help="the folder written by airmodel compare")
    p.add_argument("-o", "--output", type=Path, default=Path("docs/olympic_2008.md"))
    p.add_argument("--force", action="store_true")
    args = p.parse_args(argv)
    write_doc(args.output, document(args.base, args.case, args.comparison), args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
