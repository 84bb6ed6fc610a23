"""``airmodel evaluate RUN.nc OBS... -o DIR``: a run held against monitoring data.

What it does, in order (docs/evaluation.md has the long form):

1. reads the station list and every observation file, and checks them all before anything is written (a bad file
   is a one-line error naming file and line; nothing in DIR changes);
2. samples the run's hourly-mean surface fields in the grid cell that holds each station
   (``stations.sample``), and converts the gases from mole fractions to the observations' units at the
   GB 3095-2012 standard state, 273.15 K (``standards.to_standard_units``);
3. pairs hourly values by the end of their hour (UTC); forms daily values by local day (UTC+8) with
   ``daily.daily_mean`` (24-hour means, all pollutants but O3) and ``daily.daily_max_8h`` (O3 MDA8), from the
   same hours for model and observation (the model is masked where the observation is missing, so a missing
   hour cannot bias the comparison), under the validity rules of HJ 663-2013;
4. computes the statistics of ``statistics.py`` per station and pooled over the stations, and rates them
   against the goals and criteria of Emery et al. (2017) and Boylan and Russell (2006);
5. writes CSV tables, a Markdown summary and PNG figures into a new folder, then renames it into place
   (or, with --force, moves its files over those of an earlier evaluation).
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from ..errors import InputError
from ..files import (atomic_folder, check_new_folder, open_netcdf, save_figure_atomic, write_csv_atomic,
                     write_text_atomic)
from ..formats import markdown_row, number
from ..domains import domain_file
from .daily import LOCAL_UTC_OFFSET_HOURS, daily_max_8h, daily_mean, hour_starts
from .observations import FORMATS, OBSERVED_POLLUTANTS, TIME_LABELS, read_observations
from .standards import REFERENCE_STATE, STANDARD_UNITS, to_standard_units
from .statistics import (BENCHMARKS, PERCENT_STATISTICS, STATISTICS, benchmarks_for, in_percent,
                         performance_statistics)
from .stations import DEFAULT_STATION_LIST, read_station_list, sample

COMMAND = "evaluate"
log = logging.getLogger("airmodel")

_HOUR = np.timedelta64(3600, "s")
_LOCAL_OFFSET = np.timedelta64(LOCAL_UTC_OFFSET_HOURS * 3600, "s")

#: Display names in tables and figures.
DISPLAY_NAMES = {"PM25": "PM2.5", "PM10": "PM10", "O3": "O3", "NO2": "NO2", "SO2": "SO2", "CO": "CO"}
#: Averaging names: hourly means, 24-hour means by local day, daily maximum 8-hour mean (O3).
AVERAGINGS = ("hourly", "24h", "MDA8")
AVERAGING_TITLES = {"hourly": "hourly mean", "24h": "24-hour mean", "MDA8": "daily maximum 8-hour mean"}
POOLED = "all"

#: Files that an evaluation writes (fixed names and name patterns): with --force, files of an earlier evaluation
#: that match them and are not written again are removed, so that DIR never mixes two evaluations.
OUTPUT_FILES = ("statistics.csv", "benchmarks.csv", "pairs_hourly.csv", "pairs_daily.csv", "observation_counts.csv",
                "summary.md", "soccer.png", "scatter_hourly.png", "scatter_daily.png")
OUTPUT_PATTERNS = ("timeseries_*.png",)
POLLUTANT_COLOURS = {"O3": "tab:blue", "PM25": "tab:red", "PM10": "tab:brown", "NO2": "tab:orange",
                     "SO2": "tab:purple", "CO": "tab:gray"}


def daily_averagings(pollutant: str) -> tuple[str, ...]:
    """The daily values compared for a pollutant: the MDA8 for O3 (GB 3095-2012 has no 24-hour O3 limit), the
    24-hour mean for the others."""
    return ("MDA8",) if pollutant == "O3" else ("24h",)


@dataclass
class Evaluation:
    run: Path
    stations: tuple
    pollutants: list
    time_end: np.ndarray  # UTC end of each hourly mean, datetime64[s]
    model: dict  # pollutant -> [time, station], STANDARD_UNITS
    observed: dict  # pollutant -> [time, station], NaN where missing
    days: np.ndarray  # local calendar days, datetime64[D]
    daily_model: dict = field(default_factory=dict)  # (pollutant, averaging) -> [day, station]
    daily_observed: dict = field(default_factory=dict)
    statistics: list = field(default_factory=list)  # rows
    benchmarks: list = field(default_factory=list)  # rows
    counts: list = field(default_factory=list)
    skipped_pollutants: list = field(default_factory=list)
    spin_up_hours: int = 0
    time_label: str = "end"


# -------------------------------------------------------------------------------------------------------------------
# Reading and pairing

def _open_run(path: Path) -> xr.Dataset:
    return open_netcdf(path, "run file")


def _hour_ends(ds: xr.Dataset, path: Path) -> np.ndarray:
    if "time" not in ds.coords:
        raise InputError(f"{path}: the run file has no time coordinate")
    try:
        starts = hour_starts(ds)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    return starts + _HOUR


def evaluate(run_path, observation_paths, stations_path=DEFAULT_STATION_LIST, fmt: str = "auto",
             time_label: str = "end", spin_up_hours: float = 0.0) -> Evaluation:
    """Read, sample, pair and compute statistics; writes nothing."""
    run_path = Path(run_path)
    stations = read_station_list(stations_path)
    obs = read_observations(observation_paths, stations, fmt, time_label)
    if not len(obs):
        raise InputError("the observation files hold no valid values (all missing or flagged): "
                         + ", ".join(f"{c.file} ({c.missing} missing, {c.flagged} flagged)" for c in obs.counts))
    if not math.isfinite(spin_up_hours) or spin_up_hours < 0 or spin_up_hours != int(spin_up_hours):
        raise InputError(f"--spin-up {spin_up_hours:g}: give a whole number of hours, 0 or more")
    ds = _open_run(run_path)
    try:
        time_end = _hour_ends(ds, run_path)
        if int(spin_up_hours) >= time_end.size:
            raise InputError(f"--spin-up {spin_up_hours:g} h: the run has only {time_end.size} hours")
        observed_pollutants = [p for p in OBSERVED_POLLUTANTS if np.any(obs.pollutant == p)]
        pollutants, skipped = [], []
        for p in observed_pollutants:
            if p in ds.data_vars and {"time", "lat", "lon"} <= set(ds[p].dims):
                pollutants.append(p)
            else:
                skipped.append(p)
        if not pollutants:
            raise InputError(f"{run_path}: the run has none of the observed pollutants "
                             f"({', '.join(DISPLAY_NAMES[p] for p in observed_pollutants)}) as hourly surface "
                             "fields (time, lat, lon)")
        for p in skipped:
            log.warning("%s: no hourly surface field %s in the run; its observations are not used", run_path, p)
        keep = pollutants + [v for v in ("time_bnds", "lat_bnds", "lon_bnds") if v in ds]
        sampled = sample(ds[keep], stations, variables=pollutants, where=str(run_path))
        model = {}
        for p in pollutants:
            values = np.asarray(sampled[p].transpose("time", "station").values, dtype=np.float64)
            units = str(ds[p].attrs.get("units", ""))
            if not units:
                raise InputError(f"{run_path}: variable {p} has no units attribute")
            model[p] = to_standard_units(p, values, units, where=f"{run_path}: variable {p}")
    finally:
        ds.close()

    skip = int(spin_up_hours)
    observed = _observations_on_grid(obs, stations, pollutants, time_end, skip)
    for p in pollutants:
        model[p][:skip] = np.nan
    ev = Evaluation(run_path, stations, pollutants, time_end, model, observed, np.array([], "datetime64[D]"),
                    counts=obs.counts, skipped_pollutants=skipped, spin_up_hours=skip, time_label=time_label)
    if not any(c.used for c in obs.counts):
        raise InputError(f"no observation falls in the run's hours ({_iso_utc(time_end[skip])} to "
                         f"{_iso_utc(time_end[-1])}, ends of hourly means) at the listed stations: check the "
                         "dates and the time zone of the observation files")
    _daily_values(ev)
    _statistics(ev)
    return ev


def _observations_on_grid(obs, stations, pollutants, time_end, skip: int) -> dict:
    """Observations as [time, station] arrays on the run's hours after the spin-up; counts, by file, the values
    used and those left out (outside the run, in the spin-up, pollutant not in the run)."""
    column = {s.code: n for n, s in enumerate(stations)}
    index = np.searchsorted(time_end, obs.time_end)
    inside = (index < time_end.size) & (time_end[np.minimum(index, time_end.size - 1)] == obs.time_end)
    in_run = np.isin(obs.pollutant, pollutants)
    spin_up = inside & (index < skip)
    used = inside & ~spin_up & in_run
    for name, mask in (("used", used), ("outside_run", ~inside & in_run), ("spin_up", spin_up & in_run),
                       ("not_in_run", ~in_run)):
        per_file = np.bincount(obs.source[mask], minlength=len(obs.counts))
        for c, n in zip(obs.counts, per_file):
            setattr(c, name, int(n))
    grids = {}
    for p in pollutants:
        grid = np.full((time_end.size, len(stations)), np.nan)
        sel = np.flatnonzero(used & (obs.pollutant == p))
        grid[index[sel], [column[c] for c in obs.station[sel]]] = obs.value[sel]
        grids[p] = grid
    return grids


def _daily_values(ev: Evaluation) -> None:
    starts = ev.time_end - _HOUR
    coords = {"time": ("time", ev.time_end.astype("datetime64[ns]")),
              "station": ("station", [s.code for s in ev.stations])}
    for p in ev.pollutants:
        # The model's daily value is formed from the hours the station observed, so that a gap in the
        # observations (a missing morning, say) is not compared with a model day that has it.
        paired_model = np.where(np.isfinite(ev.observed[p]), ev.model[p], np.nan)
        m = xr.DataArray(paired_model, dims=("time", "station"), coords=coords, name=p)
        o = xr.DataArray(ev.observed[p], dims=("time", "station"), coords=coords, name=p)
        for averaging in daily_averagings(p):
            reduce = daily_max_8h if averaging == "MDA8" else daily_mean
            dm, do = reduce(m, starts=starts), reduce(o, starts=starts)
            ev.daily_model[(p, averaging)] = np.asarray(dm.transpose("day", "station").values, dtype=np.float64)
            ev.daily_observed[(p, averaging)] = np.asarray(do.transpose("day", "station").values, dtype=np.float64)
            days = (dm["day"].values.astype("datetime64[s]") + _LOCAL_OFFSET).astype("datetime64[D]")
            ev.days = days


def _series(ev: Evaluation, p: str, averaging: str) -> tuple[np.ndarray, np.ndarray]:
    if averaging == "hourly":
        return ev.model[p], ev.observed[p]
    return ev.daily_model[(p, averaging)], ev.daily_observed[(p, averaging)]


def _groups(ev: Evaluation):
    for averaging in AVERAGINGS:
        for p in ev.pollutants:
            if averaging == "hourly" or averaging in daily_averagings(p):
                yield averaging, p


def _statistics(ev: Evaluation) -> None:
    for averaging, p in _groups(ev):
        model, observed = _series(ev, p, averaging)
        rows = []
        for j, st in enumerate(ev.stations):
            stats = performance_statistics(model[:, j], observed[:, j])
            if stats["n"]:
                rows.append(_row(averaging, p, st.code, st.name, stats))
        if not rows:
            continue
        pooled = performance_statistics(model, observed)
        rows.insert(0, _row(averaging, p, POOLED, "all stations", pooled))
        ev.statistics.extend(rows)
        for row in rows:
            for b in benchmarks_for(p, averaging):
                value = row[b.statistic]
                ev.benchmarks.append(dict(averaging=averaging, pollutant=DISPLAY_NAMES[p], station=row["station"],
                                          statistic=b.statistic, value=value, goal=b.describe(b.goal),
                                          criteria=b.describe(b.criteria), rating=b.rating(value), source=b.source))


def _row(averaging, p, code, name, stats) -> dict:
    row = dict(averaging=averaging, pollutant=DISPLAY_NAMES[p], station=code, station_name=name,
               units=STANDARD_UNITS[p])
    row.update(in_percent(stats))
    return row


# -------------------------------------------------------------------------------------------------------------------
# Writing

def _format(v) -> str:
    if isinstance(v, (float, np.floating)):
        return "" if not math.isfinite(v) else f"{float(v):.10g}"
    return str(v)


def _write_csv(path: Path, columns, rows) -> None:
    write_csv_atomic(path, rows, columns, force=True, lineterminator="\n", cell=_format)


STATISTICS_COLUMNS = ("averaging", "pollutant", "station", "station_name", "units") + tuple(
    f"{s}_percent" if s in PERCENT_STATISTICS else s for s in STATISTICS)


def _statistics_rows(ev):
    for r in ev.statistics:
        yield {**r, **{f"{s}_percent": r[s] for s in PERCENT_STATISTICS}}


def _iso_utc(t) -> str:
    return np.datetime_as_string(t, unit="m") + "Z"


def _iso_local(t) -> str:
    return np.datetime_as_string(t + _LOCAL_OFFSET, unit="m") + f"+{LOCAL_UTC_OFFSET_HOURS:02d}:00"


def _pairs_hourly(ev):
    for p in ev.pollutants:
        for j, st in enumerate(ev.stations):
            o, m = ev.observed[p][:, j], ev.model[p][:, j]
            for n in np.flatnonzero(np.isfinite(o) & np.isfinite(m)):
                yield dict(time_end_utc=_iso_utc(ev.time_end[n]), time_end_local=_iso_local(ev.time_end[n]),
                           station=st.code, pollutant=DISPLAY_NAMES[p], observed=o[n], model=m[n],
                           units=STANDARD_UNITS[p])


def _pairs_daily(ev):
    for (p, averaging), model in ev.daily_model.items():
        observed = ev.daily_observed[(p, averaging)]
        for j, st in enumerate(ev.stations):
            for n in np.flatnonzero(np.isfinite(observed[:, j]) & np.isfinite(model[:, j])):
                yield dict(local_date=str(ev.days[n]), station=st.code, pollutant=DISPLAY_NAMES[p],
                           averaging=averaging, observed=observed[n, j], model=model[n, j], units=STANDARD_UNITS[p])


def _count_rows(ev):
    for c in ev.counts:
        yield dict(file=c.file, format=c.format, kept=c.kept, used=c.used, outside_run=c.outside_run,
                   spin_up=c.spin_up, not_in_run=c.not_in_run, missing=c.missing, flagged=c.flagged,
                   other_stations=c.other_stations, ignored_rows=c.ignored_rows,
                   flags=";".join(f"{k}={v}" for k, v in sorted(c.flags.items())))


COUNT_COLUMNS = ("file", "format", "kept", "used", "outside_run", "spin_up", "not_in_run", "missing", "flagged",
                 "other_stations", "ignored_rows", "flags")


def _md_number(v, digits=3) -> str:
    return number(v, digits)


def _summary_markdown(ev: Evaluation, files: list[str]) -> str:
    L = []
    L.append(f"# Evaluation of {ev.run.name} against observations\n")
    first, last = ev.time_end[0], ev.time_end[-1]
    L.append(f"- Run: `{ev.run}`, hourly means ending {_iso_utc(first)} to {_iso_utc(last)} "
             f"({_iso_local(first)} to {_iso_local(last)} local time).")
    if ev.spin_up_hours:
        L.append(f"- The first {ev.spin_up_hours} hours are spin-up and are not evaluated.")
    L.append(f"- Stations: {len(ev.stations)} ({', '.join(s.code for s in ev.stations)}); the model value at a "
             "station is the surface-layer value of the grid cell that holds it (no interpolation).")
    L.append(f"- Units: ug m-3 (CO mg m-3); model gases converted from mole fractions at the {REFERENCE_STATE}.")
    L.append(f"- Times: hourly values are labelled by the END of their hour "
             f"(observation files read with time label '{ev.time_label}'); daily values are by local day "
             f"(UTC+{LOCAL_UTC_OFFSET_HOURS}). A 24-hour mean needs 20 valid hours and an MDA8 14 valid 8-hour "
             "means (HJ 663-2013); the model's daily value uses the same hours as the observed one.")
    L.append("- Sign convention: model minus observation (NMB > 0: the model is high).")
    if ev.skipped_pollutants:
        L.append(f"- Observed but not in the run (not evaluated): "
                 f"{', '.join(DISPLAY_NAMES[p] for p in ev.skipped_pollutants)}.")
    L.append("\n## Observations read\n")
    L.append("Kept values are valid values at listed stations; of them, *used* ones fall in the run's hours after "
             "any spin-up. Missing (empty) and flagged (negative, or with a flag) values are dropped.\n")
    L.append("| file | format | kept | used | outside the run | spin-up | pollutant not in run | missing | flagged | "
             "values at other stations | rolling-type rows ignored |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in _count_rows(ev):
        L.append(f"| `{Path(r['file']).name}` | {r['format']} | {r['kept']} | {r['used']} | {r['outside_run']} | "
                 f"{r['spin_up']} | {r['not_in_run']} | {r['missing']} | {r['flagged']} | {r['other_stations']} | "
                 f"{r['ignored_rows']} |")
    L.append("\n## Statistics pooled over the stations\n")
    L.append("| averaging | pollutant | units | n | mean obs | mean model | MB | RMSE | NMB % | NME % | MFB % | "
             "MFE % | r | IOA |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in ev.statistics:
        if r["station"] != POOLED:
            continue
        L.append(markdown_row([r["averaging"], r["pollutant"], r["units"]] + [_md_number(r[s]) for s in STATISTICS]))
    L.append("\n## Goals and criteria\n")
    L.append("Emery et al. (2017, J. Air Waste Manage. Assoc. 67, 582-598): NMB, NME and r of the O3 MDA8 and the "
             "24-hour PM2.5. Boylan and Russell (2006, Atmos. Environ. 40, 4946-4959): MFB and MFE of the 24-hour "
             "PM2.5 and PM10. A *goal* is close to the best current models do; a *criterion* is what a model should "
             "reach to be used. Emery et al. mean their benchmarks for statistics over many sites and days: the "
             "pooled row is the one to read, the station counts are a guide. No benchmark exists for hourly "
             "values or for NO2, SO2 and CO.\n")
    L.append("Ratings: *goal* (the goal is met), *criteria* (only the criterion), *neither*, *undefined* (the "
             "statistic cannot be computed, e.g. r from a single day at a station).\n")
    if ev.benchmarks:
        L.append("| averaging | pollutant | statistic | pooled value | goal | criteria | pooled rating | "
                 "stations meeting goal | stations meeting criteria | source |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
    for b in BENCHMARKS:
        rows = [r for r in ev.benchmarks if r["pollutant"] == DISPLAY_NAMES[b.pollutant]
                and r["averaging"] == b.averaging and r["statistic"] == b.statistic]
        if not rows:
            continue
        pooled = next(r for r in rows if r["station"] == POOLED)
        per_station = [r for r in rows if r["station"] != POOLED and r["rating"] != "undefined"]
        undefined = sum(r["station"] != POOLED and r["rating"] == "undefined" for r in rows)
        note = f" ({undefined} undefined)" if undefined else ""
        goal = sum(r["rating"] == "goal" for r in per_station)
        criteria = sum(r["rating"] in ("goal", "criteria") for r in per_station)
        L.append(f"| {b.averaging} | {DISPLAY_NAMES[b.pollutant]} | {b.statistic} | {_md_number(pooled['value'])} | "
                 f"{pooled['goal']} | {pooled['criteria']} | **{pooled['rating']}** | "
                 f"{goal} of {len(per_station)}{note} | {criteria} of {len(per_station)}{note} | {b.source} |")
    if not ev.benchmarks:
        L.append("None of the pollutants and averaging times evaluated here has a published benchmark.")
    if not any(r["averaging"] != "hourly" for r in ev.statistics):
        L.append("\nNo valid daily pair: no local day has 20 valid observed hours (24-hour means) or 14 valid "
                 "8-hour means (MDA8) inside the run after its spin-up.")
    L.append("\n## Figures\n")
    for name in files:
        if name.endswith(".png"):
            L.append(f"![{name}]({name})\n")
    L.append("## Files\n")
    descriptions = {
        "statistics.csv": "statistics per averaging, pollutant and station, and pooled (station 'all')",
        "benchmarks.csv": "each statistic that has a goal or criterion, with its rating",
        "pairs_hourly.csv": "the paired hourly values",
        "pairs_daily.csv": "the paired daily values (24-hour means; O3 MDA8)",
        "observation_counts.csv": "values kept, used and dropped, by file",
        "summary.md": "this summary",
        "soccer.png": "NMB against NME (soccer plot) with the goal and criteria boxes",
        "scatter_hourly.png": "model against observation, hourly",
        "scatter_daily.png": "model against observation, daily",
    }
    for name in files:
        text = descriptions.get(name) or (f"hourly time series of {name[11:-4].replace('PM25', 'PM2.5')} at each "
                                          "station" if name.startswith("timeseries_") else "")
        L.append(f"- `{name}`: {text}")
    return "\n".join(L) + "\n"


def _matplotlib():
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError("plotting needs matplotlib, which is not installed: pip install matplotlib "
                         "(or use --no-plots)") from None
    return Figure, FigureCanvasAgg


def _save(fig, canvas_cls, path: Path) -> None:
    canvas_cls(fig)
    save_figure_atomic(fig, path, force=True, dpi=100)


def _plot_timeseries(ev: Evaluation, p: str, path: Path) -> None:
    Figure, Canvas = _matplotlib()
    import matplotlib.dates as mdates
    columns = [j for j in range(len(ev.stations)) if np.any(np.isfinite(ev.observed[p][:, j]))]
    ncol = 3
    nrow = max(1, math.ceil(len(columns) / ncol))
    # A fixed layout and a concise date axis: constrained layout on a dozen date axes costs seconds a figure.
    fig = Figure(figsize=(12, 2.2 * nrow + 0.8))
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.9 / (2.2 * nrow + 0.8), top=1 - 0.55 / (2.2 * nrow + 0.8),
                        hspace=0.35, wspace=0.15)
    axes = fig.subplots(nrow, ncol, sharex=True, squeeze=False)
    local = (ev.time_end + _LOCAL_OFFSET).astype("datetime64[m]")
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    axes[0, 0].xaxis.set_major_locator(locator)
    axes[0, 0].xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    for k, ax in enumerate(axes.flat):
        if k >= len(columns):
            ax.set_visible(False)
            continue
        j = columns[k]
        ax.plot(local, ev.model[p][:, j], color=POLLUTANT_COLOURS.get(p, "tab:blue"), lw=1.2, label="model")
        ax.plot(local, ev.observed[p][:, j], "k.", ms=3, label="observed")
        ax.set_title(f"{ev.stations[j].code} {ev.stations[j].name}", fontsize="small")
        if k % ncol == 0:
            ax.set_ylabel(STANDARD_UNITS[p])
        ax.tick_params(labelsize="x-small")
    axes.flat[0].legend(fontsize="x-small")
    fig.suptitle(f"{DISPLAY_NAMES[p]} hourly means; x: local time (UTC+{LOCAL_UTC_OFFSET_HOURS}) at the end of "
                 "the hour")
    _save(fig, Canvas, path)


def _scatter(ev: Evaluation, groups, title: str, path: Path) -> None:
    Figure, Canvas = _matplotlib()
    ncol = min(3, len(groups))
    nrow = math.ceil(len(groups) / ncol)
    fig = Figure(figsize=(4.2 * ncol, 4.0 * nrow), layout="constrained")
    axes = fig.subplots(nrow, ncol, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(groups):
            ax.set_visible(False)
            continue
        averaging, p = groups[k]
        model, observed = _series(ev, p, averaging)
        ok = np.isfinite(model) & np.isfinite(observed)
        ax.scatter(observed[ok], model[ok], s=8, color=POLLUTANT_COLOURS.get(p, "tab:blue"), alpha=0.6)
        top = float(max(np.max(observed[ok], initial=0.0), np.max(model[ok], initial=0.0))) * 1.05 or 1.0
        line = np.array([0.0, top])
        ax.plot(line, line, "k-", lw=0.8)
        ax.plot(line, 2 * line, "k:", lw=0.6)
        ax.plot(line, 0.5 * line, "k:", lw=0.6)
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_aspect("equal")
        pooled = next(r for r in ev.statistics if r["averaging"] == averaging and r["pollutant"] == DISPLAY_NAMES[p]
                      and r["station"] == POOLED)
        ax.set_title(f"{DISPLAY_NAMES[p]} {AVERAGING_TITLES[averaging]}", fontsize="small")
        ax.text(0.03, 0.97, f"n = {pooled['n']}\nNMB = {_md_number(pooled['NMB'])}%\nr = {_md_number(pooled['r'])}",
                transform=ax.transAxes, va="top", fontsize="x-small")
        ax.set_xlabel(f"observed ({STANDARD_UNITS[p]})")
        ax.set_ylabel(f"model ({STANDARD_UNITS[p]})")
    fig.suptitle(title + " (solid 1:1, dotted 2:1 and 1:2)")
    _save(fig, Canvas, path)


def _plot_soccer(ev: Evaluation, path: Path) -> None:
    Figure, Canvas = _matplotlib()
    from matplotlib.patches import Rectangle

    fig = Figure(figsize=(11, 5), layout="constrained")
    axes = fig.subplots(1, 2, squeeze=False)[0]
    panels = (("hourly", ("hourly",)), ("daily (24-hour means; O3 MDA8)", ("24h", "MDA8")))
    for ax, (title, averagings) in zip(axes, panels):
        xs, ys = [40.0], [60.0]
        for r in ev.statistics:
            if r["averaging"] not in averagings or not (np.isfinite(r["NMB"]) and np.isfinite(r["NME"])):
                continue
            p = next(k for k, v in DISPLAY_NAMES.items() if v == r["pollutant"])
            pooled = r["station"] == POOLED
            ax.scatter(r["NMB"], r["NME"], s=70 if pooled else 18, color=POLLUTANT_COLOURS.get(p, "tab:blue"),
                       edgecolors="k" if pooled else "none", zorder=3,
                       label=f"{r['pollutant']} {r['averaging']}" if pooled else None)
            xs.append(abs(r["NMB"]))
            ys.append(r["NME"])
        for b_nmb in [b for b in BENCHMARKS if b.statistic == "NMB" and b.averaging in averagings]:
            b_nme = next(b for b in BENCHMARKS if b.statistic == "NME" and b.pollutant == b_nmb.pollutant
                         and b.averaging == b_nmb.averaging)
            if not any(r["pollutant"] == DISPLAY_NAMES[b_nmb.pollutant] and r["averaging"] == b_nmb.averaging
                       for r in ev.statistics):
                continue
            colour = POLLUTANT_COLOURS.get(b_nmb.pollutant, "k")
            for level_nmb, level_nme, style, kind in ((b_nmb.goal, b_nme.goal, "-", "goal"),
                                                      (b_nmb.criteria, b_nme.criteria, "--", "criteria")):
                ax.add_patch(Rectangle((-level_nmb, 0.0), 2 * level_nmb, level_nme, fill=False, ec=colour,
                                       ls=style, lw=1.0,
                                       label=f"{DISPLAY_NAMES[b_nmb.pollutant]} {b_nmb.averaging} {kind}"))
                xs.append(level_nmb)
                ys.append(level_nme)
        xmax, ymax = 1.1 * max(xs), 1.1 * max(ys)
        ax.set_xlim(-xmax, xmax)
        ax.set_ylim(0.0, ymax)
        ax.axvline(0.0, color="0.6", lw=0.6)
        ax.set_xlabel("NMB (%), model minus observation")
        ax.set_ylabel("NME (%)")
        ax.set_title(title, fontsize="small")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize="x-small", loc="upper left")
    fig.suptitle("Soccer plot: large dots pooled, small dots stations; boxes: Emery et al. (2017) goal (solid) "
                 "and criteria (dashed); none exist for hourly values", fontsize="small")
    _save(fig, Canvas, path)


def _write_all(ev: Evaluation, folder: Path, plots: bool) -> list[str]:
    names = []

    def record(name):
        names.append(name)
        return folder / name

    _write_csv(record("statistics.csv"), STATISTICS_COLUMNS, _statistics_rows(ev))
    _write_csv(record("benchmarks.csv"), ("averaging", "pollutant", "station", "statistic", "value", "goal",
                                          "criteria", "rating", "source"), ev.benchmarks)
    _write_csv(record("pairs_hourly.csv"), ("time_end_utc", "time_end_local", "station", "pollutant", "observed",
                                            "model", "units"), _pairs_hourly(ev))
    _write_csv(record("pairs_daily.csv"), ("local_date", "station", "pollutant", "averaging", "observed", "model",
                                           "units"), _pairs_daily(ev))
    _write_csv(record("observation_counts.csv"), COUNT_COLUMNS, _count_rows(ev))
    if plots:
        hourly = [(a, p) for a, p in _groups(ev) if a == "hourly" and _has_pairs(ev, a, p)]
        daily = [(a, p) for a, p in _groups(ev) if a != "hourly" and _has_pairs(ev, a, p)]
        for _, p in hourly:
            _plot_timeseries(ev, p, record(f"timeseries_{DISPLAY_NAMES[p].replace('.', '')}.png"))
        if hourly:
            _scatter(ev, hourly, "Hourly means", record("scatter_hourly.png"))
        if daily:
            _scatter(ev, daily, "Daily values by local day", record("scatter_daily.png"))
        if hourly or daily:
            _plot_soccer(ev, record("soccer.png"))
    record("summary.md")
    write_text_atomic(folder / "summary.md", _summary_markdown(ev, names))
    return names


def _has_pairs(ev, averaging, p) -> bool:
    return any(r["averaging"] == averaging and r["pollutant"] == DISPLAY_NAMES[p] for r in ev.statistics)


def _check_output(out: Path, force: bool) -> None:
    """Before the work: the folder may not exist yet, nor its parents (they are made)."""
    if out.exists() or out.is_symlink():
        check_new_folder(out, force, "evaluation folder", merge=True)


def _stale_files(out: Path, written: list[str]) -> list[Path]:
    stale = [out / n for n in OUTPUT_FILES if n not in written and (out / n).is_file()]
    for pattern in OUTPUT_PATTERNS:
        stale += [f for f in out.glob(pattern) if f.name not in written and f.is_file()]
    return stale


def write_outputs(ev: Evaluation, out, force: bool = False, plots: bool = True) -> list[Path]:
    """Write the outputs into a temporary folder beside ``out``, then move them into place (an existing folder
    keeps its other files; the stale outputs of an earlier evaluation there are removed)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_folder(out, force, "evaluation folder", merge=lambda names: _stale_files(out, names)) as tmp:
        names = _write_all(ev, tmp, plots)
    return [out / n for n in names]


# -------------------------------------------------------------------------------------------------------------------
# Command line

def add_parser(subparsers) -> None:
    p = subparsers.add_parser("evaluate", help="evaluate a run against monitoring data: statistics, goals and "
                                               "criteria, plots",
                              description="Sample a run at monitoring stations, pair it with observations "
                                          "(hourly, 24-hour, O3 MDA8) and write statistics, a Markdown summary "
                                          "and figures into a folder. See docs/evaluation.md.")
    p.add_argument("run", help="run file (NetCDF written by airmodel run, with hourly means)")
    p.add_argument("observations", nargs="+", metavar="OBS",
                   help="observation files: long CSV (time,station,pollutant,value,unit) or CNEMC daily station "
                        "files (date,hour,type,<codes>)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    p.add_argument("--stations", default=str(DEFAULT_STATION_LIST), metavar="FILE",
                   help="station list CSV code,name,lat,lon (default: Beijing's 12 national stations)")
    p.add_argument("--format", choices=FORMATS, default="auto",
                   help="observation file format (default: auto, from each file's header)")
    p.add_argument("--time-label", choices=TIME_LABELS, default="end",
                   help="whether observation times label the end (default, as the national network) or the start "
                        "of each hourly mean")
    p.add_argument("--spin-up", type=float, default=0.0, metavar="HOURS",
                   help="leave out the run's first HOURS hours (spin-up from clean air); default 0")
    p.add_argument("--no-plots", action="store_true", help="tables and summary only")
    p.add_argument("--force", action="store_true", help="replace an earlier evaluation's files in DIR")
    p.add_argument("--domain", metavar="NAME", help="with a parent domain (docs/nesting.md): evaluate domain NAME's "
                                                    "file RUN.NAME.nc (default: the inner domain, the file given)")


def command(args) -> int:
    _check_output(Path(args.output), args.force)  # fail before the work, not after it
    ev = evaluate(domain_file(args.run, args.domain), args.observations, args.stations, args.format, args.time_label, args.spin_up)
    paths = write_outputs(ev, args.output, force=args.force, plots=not args.no_plots)
    pooled = [r for r in ev.statistics if r["station"] == POOLED]
    for r in pooled:
        log.info("%-6s %-5s n=%-5d NMB=%+.1f%% NME=%.1f%% r=%s", r["averaging"], r["pollutant"], r["n"],
                 r["NMB"], r["NME"], _md_number(r["r"]))
    log.info("wrote %d files to %s", len(paths), args.output)
    return 0
