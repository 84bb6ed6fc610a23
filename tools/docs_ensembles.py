"""Write the two worked examples of docs/ensembles.md from the ensembles' own output folders.

    airmodel ensemble olympic_regions_aug2008 -o olympic_regions --workers 2
    airmodel ensemble beijing_sectors_response -o sectors_response --workers 2
    python tools/docs_ensembles.py olympic_regions sectors_response --month olympic_vs_base [--doc docs/ensembles.md]

Every number in the examples' tables and in the sentences around them is read from the folders
(contributions_*.csv, response_*.csv, index.csv and the base member's output); the text between the markers
``<!-- example1:start -->`` ... ``<!-- example2:end -->`` of the document is replaced, the rest is kept.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import netCDF4
import numpy as np

from airmodel.files import atomic_file
from doc_tables import fig, read_csv
from airmodel.met.regimes import DEFAULT_CALENDAR

STADIUM = "station_1011A"
REGIONS = ("Beijing", "Tianjin", "Hebei")
RECEPTOR_LABELS = {STADIUM: "Olympic stadium area (1011A cell)", "stations_mean": "mean of the 12 stations",
                   "Beijing": "Beijing, area mean", "domain_population": "exposure, people of Beijing–Tianjin–Hebei"}
#: Streets et al. (2007, Atmos. Environ. 41, 480-492): about 34 % of PM2.5 at the Olympic Stadium came from outside
#: Beijing on average, 50-70 % from Hebei under sustained southerly flow.
STREETS = (34, 50, 70)


def share(value: float) -> str:
    return f"{value:.1f} %".replace("-", "−")


def signed(value: float) -> str:
    return ("+" if value > 0 else "") + fig(value, 2)


TOTALS = ("sum", "together", "nonlinearity", "remainder")


class Contributions:
    """contributions_GROUP.csv as {(metric, receptor, period, source): row}."""

    def __init__(self, path: Path):
        rows = read_csv(path)
        self.rows = {(r["metric"], r["receptor"], r["period"], r["source"]): r for r in rows}
        self.sources = tuple(dict.fromkeys(r["source"] for r in rows if r["source"] not in TOTALS))
        self.periods = sorted({k[2] for k in self.rows if k[2] != "all"})

    def get(self, metric, receptor, source, column="contribution", period="all") -> float:
        value = self.rows[(metric, receptor, period, source)][column]
        return float(value) if value != "" else float("nan")

    def base(self, metric, receptor, period="all") -> float:
        return self.get(metric, receptor, "sum", "base", period)

    def cell(self, metric, receptor, source, period="all") -> str:
        return f"{fig(self.get(metric, receptor, source, period=period))} " \
               f"({share(self.get(metric, receptor, source, 'percent_of_base', period))})"


def members(folder: Path) -> tuple[int, float, float]:
    times = [float(r["wall_s"]) for r in read_csv(folder / "index.csv") if r["status"] in ("done", "complete")
             and r["wall_s"]]
    return len(read_csv(folder / "index.csv")), min(times), max(times)


def base_period(folder: Path) -> tuple[datetime, datetime, int, float]:
    """The base member's first and last hour (UTC), its cell count, and its grid step."""
    with netCDF4.Dataset(folder / "members" / "base.nc") as ds:
        t = ds["time"]
        origin = datetime.fromisoformat(t.units.split("since", 1)[1].strip().replace("Z", "+00:00"))
        origin = origin if origin.tzinfo else origin.replace(tzinfo=timezone.utc)
        start = origin + timedelta(hours=float(ds["time_bnds"][0, 0]))
        end = origin + timedelta(hours=float(t[-1]))
        return start, end, ds.dimensions["lon"].size * ds.dimensions["lat"].size, float(ds["lon"][1] - ds["lon"][0])


def boundary_tracer_at_stadium(folder: Path, spinup_hours: float) -> float:
    """Mean of the base member's inert boundary PM2.5 tracer at the stadium station after the spin-up."""
    with netCDF4.Dataset(folder / "members" / "base.nc") as ds:
        raw = ds["station_code"][:]
        codes = [str(c) for c in (netCDF4.chartostring(raw) if getattr(raw, "dtype", None) is not None
                                  and raw.dtype.kind == "S" else raw)]
        series = np.asarray(ds["station_BND_PM25"][codes.index(STADIUM.split("_")[1]), :], dtype=float)
        hours = np.asarray(ds["time"][:], dtype=float) - float(ds["time_bnds"][0, 0])
        return float(series[hours > spinup_hours].mean())


def local_day(period: str) -> str:
    return datetime.fromisoformat(period).strftime("%-d %b")


def month_note(zero: Contributions, month: Path) -> str:
    """Why the base values may look like the month run's: where they share three leading digits, they are still
    different quantities (said only where they do)."""
    regions = {(r["region"], r["metric"]): r for r in read_csv(month / "regions.csv")}
    stations = {(r["station"], r["metric"]): r for r in read_csv(month / "stations.csv")}
    month_beijing = float(regions[("Beijing", "PM25")]["base"])
    month_stadium = float(stations[("1011A", "PM25")]["base"])
    here_beijing, here_stations = zero.base("PM25", "Beijing"), zero.base("PM25", "stations_mean")
    pairs = []
    if f"{here_beijing:.3g}" == f"{month_beijing:.3g}":
        pairs.append(f"Beijing's area mean is {fig(here_beijing, 4)} µg m⁻³ here (6–11 August, 0.25°) against "
                     f"{fig(month_beijing, 4)} there (the month, 0.1°)")
    if f"{here_stations:.3g}" == f"{month_stadium:.3g}":
        pairs.append(f"the mean of the 12 stations here is {fig(here_stations, 4)} against {fig(month_stadium, 4)} "
                     "for the Aotizhongxin station alone there")
    if not pairs:
        return ("The base values are the ensemble's own base member's (not the month run's of docs/olympic_2008.md). "
                "Re-running the ensemble reproduces them from its members.")
    count = "Two of them round" if len(pairs) == 2 else "One of them rounds"
    return (f"The base values are the ensemble's own base member's. {count} to the same three digits as figures of "
            f"the 0.1° month run in docs/olympic_2008.md, but they are other quantities: {', and '.join(pairs)}. "
            "Re-running the ensemble reproduces them from its members.")


def example1(folder: Path, month: Path | None = None) -> str:
    zero = Contributions(folder / "contributions_regions.csv")
    small = Contributions(folder / "contributions_regions_20pct.csv")
    n, fastest, slowest = members(folder)
    start, end, cells, step = base_period(folder)
    spinup = 24.0
    out = [f"Members: {n}; each took {fastest:.0f}–{slowest:.0f} s on one worker (`index.csv`). The base member "
           f"covers {(start + timedelta(hours=8)):%d %B %Y %H:%M} to {(end + timedelta(hours=8)):%d %B %H:%M} local "
           f"time on {cells} cells of {step:.2g}°, the first {spinup:.0f} h spin-up.", "",
           "PM2.5, mean after the spin-up, µg m⁻³ (percent of the base in brackets). Zero-out (r = 1):", "",
           "| receptor | base | Beijing | Tianjin | Hebei | sum | all three together | non-linearity (sum − together) "
           "| remainder (base − together) |", "|---|---|---|---|---|---|---|---|---|"]
    receptors = (STADIUM, "stations_mean", "Beijing", "domain_population")
    for r in receptors:
        out.append(f"| {RECEPTOR_LABELS[r]} | {fig(zero.base('PM25', r))} | "
                   + " | ".join(zero.cell("PM25", r, s) for s in REGIONS + ("sum", "together"))
                   + f" | {signed(zero.get('PM25', r, 'nonlinearity'))} "
                     f"({share(zero.get('PM25', r, 'nonlinearity', 'percent_of_together'))} of together) "
                     f"| {zero.cell('PM25', r, 'remainder')} |")
    if month is not None:
        out += ["", month_note(zero, month)]
    out += ["", "20 % cuts scaled by 1/0.2:", "",
            "| receptor | Beijing | Tianjin | Hebei | sum | together | non-linearity |", "|---|---|---|---|---|---|---|"]
    for r in receptors[:3]:
        out.append(f"| {RECEPTOR_LABELS[r]} | "
                   + " | ".join(small.cell("PM25", r, s) for s in REGIONS + ("sum", "together"))
                   + f" | {signed(small.get('PM25', r, 'nonlinearity'))} "
                     f"({share(small.get('PM25', r, 'nonlinearity', 'percent_of_together'))} of together) |")
    out += ["", "By local day at the stadium cell (zero-out, percent of that day's base; the day's regime from the "
                "synthetic weather's calendar, docs/meteorology.md):", "",
            "| day (weather) | base | Beijing | Tianjin | Hebei | sum | together | remainder |",
            "|---|---|---|---|---|---|---|---|"]
    hebei_by_day = {}
    for period in zero.periods:
        if not np.isfinite(zero.base("PM25", STADIUM, period)):
            continue  # a local day the run does not cover whole
        day = datetime.fromisoformat(period)
        regime = DEFAULT_CALENDAR[day.day - 1] if day.month == 8 else "?"
        hebei_by_day[period] = zero.get("PM25", STADIUM, "Hebei", "percent_of_base", period)
        out.append(f"| {local_day(period)} ({regime}) | {fig(zero.base('PM25', STADIUM, period))} | "
                   + " | ".join(share(zero.get("PM25", STADIUM, s, "percent_of_base", period))
                                for s in REGIONS + ("sum", "together", "remainder")) + " |")
    nl_zero = [abs(zero.get("PM25", r, "nonlinearity", "percent_of_together")) for r in receptors]
    nl_small = [abs(small.get("PM25", r, "nonlinearity", "percent_of_together")) for r in receptors[:3]]
    remainder = zero.get("PM25", STADIUM, "remainder")
    tracer = boundary_tracer_at_stadium(folder, spinup)
    not_beijing = 100.0 - zero.get("PM25", STADIUM, "Beijing", "percent_of_base")
    south_day = max(hebei_by_day, key=hebei_by_day.get) if hebei_by_day else None
    o3_sum = zero.get("O3", "stations_mean", "sum")
    o3_together = zero.get("O3", "stations_mean", "together")
    out += ["", "Reading it:", "",
            f"- **Non-linearity for PM2.5**: the three contributions add up to within {min(nl_zero):.1f}–"
            f"{max(nl_zero):.1f} % of removing all three together with zero-out, and within {min(nl_small):.1f}–"
            f"{max(nl_small):.1f} % with 20 % cuts (the smaller perturbation is closer to linear, as expected).",
            f"- **Remainder**: {fig(remainder)} µg m⁻³ at the stadium survives the removal of every "
            f"Beijing–Tianjin–Hebei source. The inert boundary tracer `BND_PM25` of the base member is {fig(tracer)} "
            "µg m⁻³ in that cell over the same hours"
            + (": most of the remainder is PM2.5 flowing in through the boundaries, the rest secondary PM2.5 formed "
               "from the precursors that flow in with it." if tracer <= remainder else
               ", more than the remainder: the tracer has no chemistry, the boundary's modelled aerosol and its "
               "precursors do, so the two need not agree."),
            f"- **Against Streets et al. (2007)**: {not_beijing:.0f} % of the stadium's PM2.5 is not from Beijing's "
            f"own emissions here (Tianjin {zero.get('PM25', STADIUM, 'Tianjin', 'percent_of_base'):.0f} %, Hebei "
            f"{zero.get('PM25', STADIUM, 'Hebei', 'percent_of_base'):.0f} %, the inflowing background "
            f"{zero.get('PM25', STADIUM, 'remainder', 'percent_of_base'):.0f} %), against their {STREETS[0]} % from "
            "outside Beijing."
            + (f" Hebei's share is largest on {local_day(south_day)}, {hebei_by_day[south_day]:.0f} %, against their "
               f"{STREETS[1]}–{STREETS[2]} % under sustained southerly flow." if south_day else "")
            + " The differences are expected from what this example is: a week of synthetic weather, a 0.25° grid "
              "that dilutes Beijing's urban emissions over 25 km cells, and a climatological background at the "
              "boundaries that counts as \"outside\" but is not Tianjin or Hebei. It demonstrates the method; it "
              "does not revise their estimate.",
            f"- Ozone is where non-linearity matters: at the stations the three O3 contributions sum to "
            f"{signed(o3_sum)} ppb against {signed(o3_together)} ppb for all three removed together (non-linearity "
            f"{signed(o3_sum - o3_together)} ppb)"
            + ("; removing Beijing's emissions raises hourly O3 at the stations (less NO titration). "
               if zero.get("O3", "stations_mean", "Beijing") < 0 else ". ")
            + "`contributions_regions.md` in the folder has the O3 and MDA8 tables for every receptor.", ""]
    return "\n".join(out)


def example2(folder: Path) -> str:
    sectors = Contributions(folder / "contributions_sectors.csv")
    names = sectors.sources
    response = read_csv(folder / "response_depth.csv")
    n, fastest, slowest = members(folder)
    out = [f"Members: {n}; each took {fastest:.0f}–{slowest:.0f} s on one worker (`index.csv`).", "",
           "Sector contributions to PM2.5 after the spin-up, µg m⁻³ (percent of the base):", "",
           "| receptor | base | " + " | ".join(names) + " | sum | together | non-linearity |",
           "|---|---|" + "---|" * (len(names) + 3)]
    receptors = (STADIUM, "stations_mean", "domain_population")
    for r in receptors:
        out.append(f"| {RECEPTOR_LABELS[r]} | {fig(sectors.base('PM25', r))} | "
                   + " | ".join(sectors.cell("PM25", r, s) for s in names + ("sum", "together"))
                   + f" | {signed(sectors.get('PM25', r, 'nonlinearity'))} "
                     f"({share(sectors.get('PM25', r, 'nonlinearity', 'percent_of_together'))}) |")
    exposure = {s: sectors.get("PM25", "domain_population", s) for s in names}
    top = max(exposure, key=exposure.get)
    out += ["", f"The largest exposure reduction comes from {top}: {fig(exposure[top])} of "
                f"{fig(sectors.get('PM25', 'domain_population', 'together'))} µg m⁻³ from all sectors together.", "",
            "Response of PM2.5 (µg m⁻³) to the depth of the cut:", ""]
    lines = sorted({r["line"] for r in response})
    depths = sorted({float(r["reduction_percent"]) for r in response})
    out += ["| cut | receptor | " + " | ".join(f"{d:.0f} %" for d in depths) + " |",
            "|---|---|" + "---|" * len(depths)]
    values = {(r["line"], r["metric"], r["receptor"], float(r["reduction_percent"])): float(r["value"])
              for r in response}
    for line in lines:
        for rec in ("stations_mean", "domain_population"):
            out.append(f"| {line} | {RECEPTOR_LABELS[rec]} | "
                       + " | ".join(f"{values[(line, 'PM25', rec, d)]:.2f}" for d in depths) + " |")
    for line in lines:
        steps = np.diff([values[(line, "PM25", "stations_mean", d)] for d in depths])
        o3 = [values[(line, "O3", "stations_mean", d)] for d in depths]
        mda8 = [values[(line, "O3_mda8", "stations_mean", d)] for d in depths]
        out.append("")
        text = (f"{line}: each step of the cut changes PM2.5 at the stations by {fig(steps.min())} to "
                f"{fig(steps.max())} µg m⁻³; hourly-mean O3 there goes from {fig(o3[0])} to {fig(o3[-1])} ppb")
        if np.isfinite(mda8[0]) and np.isfinite(mda8[-1]):
            text += f" and MDA8 O3 from {fig(mda8[0])} to {fig(mda8[-1])} ppb"
        out.append(text + ".")
    out.append("")
    return "\n".join(out)


def replace_between(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        raise SystemExit(f"the document has no {start} ... {end} markers")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("regions", type=Path, help="output folder of the olympic_regions_aug2008 ensemble")
    p.add_argument("sectors", type=Path, help="output folder of the beijing_sectors_response ensemble")
    p.add_argument("--doc", type=Path, default=Path("docs/ensembles.md"))
    p.add_argument("--month", type=Path, default=None,
                   help="the month runs' comparison folder (olympic_vs_base), for the note on the base values")
    args = p.parse_args(argv)
    text = args.doc.read_text(encoding="utf-8")
    text = replace_between(text, "example1", example1(args.regions, args.month))
    text = replace_between(text, "example2", example2(args.sectors))
    with atomic_file(args.doc, force=True) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    print(f"wrote {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
