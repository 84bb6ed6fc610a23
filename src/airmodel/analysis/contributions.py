"""Source contributions by brute force, their non-linearity, and response curves, from the members of an ensemble.

Brute-force (emission-reduction) contributions, as the reference models compute them (Clappier et al. 2017,
Geosci. Model Dev. 10, 4245-4256, "Source apportionment and sensitivity analysis: two methodologies with two
different purposes", eq. 3): remove a fraction r of source s's emissions, run again, and scale the change,

    C_s = (C_base - C_{s,r}) / r.

With r = 1 (zero-out) C_s is the concentration that goes away without the source; with a small r it is the local
sensitivity scaled up to the whole source. Chemistry is not linear, so the contributions need not add up: the
ensemble also removes every source of a group together, C_all = (C_base - C_{all,r}) / r, and reports

    non-linearity = sum_s C_s - C_all            (and as a percentage of C_all),

the quantity Clappier et al. (2017) call the interaction term. What is left when every source of the group is
removed (r = 1), C_base - C_all, is the "remainder": sources outside the group, the air flowing in at the
boundaries and what is left of the initial air after the spin-up.

Response curves: a metric against the depth of one measure, 0 (the base member), 20, ..., 100 %.

Receptors (each member's hourly surface fields, sampled here from the gridded output):
- ``domain``, ``Beijing``, ``Tianjin``, ``Hebei``: area-weighted means over the cells' parts inside each region
  (airmodel.analysis.regions, the real boundaries the inventory uses);
- ``domain_population`` (the people of Beijing, Tianjin and Hebei) and ``Beijing_population`` etc.:
  population-weighted means, the exposure E = sum(P c) / sum(P);
- ``station_CODE``: the cell that holds each station (airmodel.analysis.stations, nearest cell, no interpolation),
  and ``stations_mean``, the mean of the stations. The Olympic stadium area is the cell of the Aotizhongxin station
  (1011A, 40.003 N 116.407 E, about 1 km from the National Stadium): a fair proxy at 0.1-0.5 degree cells.

Metrics: ``NAME`` is the mean of the hourly values of output variable NAME after the spin-up; ``NAME_mda8`` the
mean of its daily maximum 8-hour means (HJ 663-2013, airmodel.analysis.daily). Contributions are linear in the
means, so the contribution to a period mean is the mean of the hourly contributions.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from ..errors import InputError
from ..files import pyplot, save_figure_atomic, write_csv_atomic, write_text_atomic
from ..formats import markdown_header, markdown_row, number
from ..domains import domain_file
from .daily import daily_max_8h, daily_mean, hour_starts, local_days
from .regions import REPORT_REGIONS, area_mean, region_weights
from .stations import read_station_list, station_cells

log = logging.getLogger("airmodel")

OLYMPIC_STADIUM_STATION = "1011A"
ALL_PERIOD = "all"
MDA8_SUFFIX = "_mda8"
#: Receptors the plots show (the tables hold every receptor).
PLOT_RECEPTORS_CONTRIBUTIONS = ("focus", "stations_mean", "Beijing", "Tianjin", "Hebei", "domain_population")
PLOT_RECEPTORS_RESPONSE = ("domain", "Beijing", "Tianjin", "Hebei", "stations_mean")

CONTRIBUTION_COLUMNS = ("group", "by", "metric", "units", "receptor", "receptor_description", "period", "source",
                        "member", "reduction", "base", "perturbed", "contribution", "percent_of_base",
                        "percent_of_together")
RESPONSE_COLUMNS = ("group", "line", "region", "sector", "pollutant", "reduction_percent", "member", "metric",
                    "units", "receptor", "receptor_description", "value", "change", "change_percent")
SUMMARY_COLUMNS = ("member", "metric", "units", "receptor", "receptor_description", "value")


@dataclass(frozen=True)
class Receptor:
    id: str
    description: str


def _station_description(station) -> str:
    text = f"{station.code} {station.name}"
    if station.code == OLYMPIC_STADIUM_STATION:
        text += " (Olympic stadium area)"
    return text


def receptors(stations) -> list:
    out = []
    for name, _ in REPORT_REGIONS:
        out.append(Receptor(name, "whole domain, area mean" if name == "domain" else f"{name}, area mean"))
    for name, _ in REPORT_REGIONS:
        who = "people of Beijing, Tianjin and Hebei" if name == "domain" else f"people of {name}"
        out.append(Receptor(f"{name}_population", f"population-weighted ({who})"))
    out.append(Receptor("stations_mean", f"mean of the {len(stations)} stations"))
    out += [Receptor(f"station_{s.code}", _station_description(s)) for s in stations]
    return out


def _receptor_values(field: np.ndarray, weights: dict, j: np.ndarray, i: np.ndarray) -> np.ndarray:
    """[receptor, ...] from field[..., lat, lon], in the order of :func:`receptors`."""
    rows = [area_mean(field, weights[name]["area"]) for name, _ in REPORT_REGIONS]
    rows += [area_mean(field, weights[name]["population"]) for name, _ in REPORT_REGIONS]
    at_stations = field[..., j, i]  # [..., station]
    rows.append(np.mean(at_stations, axis=-1))
    rows += [at_stations[..., n] for n in range(j.size)]
    return np.stack([np.asarray(r, dtype=float) for r in rows])


def _surface(da: xr.DataArray) -> xr.DataArray:
    for level in ("z", "level", "lev"):
        if level in da.dims:
            da = da.isel({level: 0})
    return da


def member_values(path, metrics, stations, spinup_hours: float = 0.0, daily: bool = True,
                  where: str = "analysis") -> dict:
    """{(metric, receptor id, period): value} of one member output, with {metric: units} under key 'units'.
    Periods: 'all' (everything after the spin-up) and, with ``daily``, each local day (YYYY-MM-DD)."""
    path = Path(path)
    recs = receptors(stations)
    values: dict = {}
    units: dict = {}
    with xr.open_dataset(path) as ds:
        starts = hour_starts(ds)
        if starts.size == 0:
            raise InputError(f"{path}: the file holds no hourly means (output.hourly_means = true is needed)")
        keep = starts >= starts[0] + np.timedelta64(int(round(spinup_hours * 3600)), "s")
        if not keep.any():
            raise InputError(f"{where}.spinup_hours: {spinup_hours:g} h leaves none of the {starts.size} hours of "
                             f"{path}")
        kept = starts[keep]
        weights = region_weights(ds)
        j, i = station_cells(ds, stations, f"{where}.stations")
        for metric in metrics:
            name, stat = (metric[:-len(MDA8_SUFFIX)], "mda8") if metric.endswith(MDA8_SUFFIX) else (metric, "mean")
            if name not in ds.data_vars or "time" not in ds[name].dims:
                have = ", ".join(v for v in ds.data_vars if "time" in ds[v].dims and "lat" in ds[v].dims)
                raise InputError(f"{where}.metrics: {metric!r}: {path.name} has no hourly field {name!r}; it has: "
                                 f"{have} (add {MDA8_SUFFIX} for daily maximum 8-hour means)")
            da = _surface(ds[name]).isel(time=np.nonzero(keep)[0]).transpose("time", "lat", "lon")
            units[metric] = da.attrs.get("units", "")
            field = np.asarray(da.values, dtype=float)
            days = np.unique(local_days(kept))
            if stat == "mean":
                series = _receptor_values(field, weights, j, i)  # [receptor, time]
                overall = np.mean(series, axis=1)
                per_day = daily_mean(xr.DataArray(series.T, dims=("time", "receptor")), kept).values \
                    if daily else None  # [day, receptor]
            else:
                grid_days = daily_max_8h(xr.DataArray(field, dims=("time", "lat", "lon")), kept).values
                per_day = _receptor_values(grid_days, weights, j, i).T  # [day, receptor]
                valid = np.isfinite(per_day)
                with np.errstate(invalid="ignore"):
                    overall = np.where(valid.any(axis=0), np.nansum(per_day, axis=0) / np.maximum(
                        valid.sum(axis=0), 1), np.nan)
            for k, rec in enumerate(recs):
                values[(metric, rec.id, ALL_PERIOD)] = float(overall[k])
                if daily and per_day is not None:
                    for d, day in enumerate(days):
                        values[(metric, rec.id, str(day))] = float(per_day[d, k])
    values["units"] = units
    return values


def periods_of(values: dict) -> list:
    found = sorted({k[2] for k in values if k != "units" and k[2] != ALL_PERIOD})
    return [ALL_PERIOD] + found


def _percent(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole != 0 and np.isfinite(whole) else float("nan")


def contribution_rows(group: str, by: str, reduction: float, base: dict, sources: list, together,
                      metrics, stations) -> list:
    """Rows of the contributions table. ``sources``: [(source, member name, values)]; ``together``:
    (member name, values) or None. Values as from :func:`member_values`."""
    rows = []
    recs = receptors(stations)
    for metric in metrics:
        for period in periods_of(base):
            for rec in recs:
                key = (metric, rec.id, period)
                if key not in base:
                    continue
                c_base = base[key]
                common = dict(group=group, by=by, metric=metric, units=base["units"][metric], receptor=rec.id,
                              receptor_description=rec.description, period=period, reduction=reduction,
                              base=c_base)
                c_all = float("nan")
                if together is not None:
                    c_all = (c_base - together[1][key]) / reduction
                contributions = []
                for source, member, values in sources:
                    c = (c_base - values[key]) / reduction
                    contributions.append(c)
                    rows.append(dict(common, source=source, member=member, perturbed=values[key], contribution=c,
                                     percent_of_base=_percent(c, c_base), percent_of_together=_percent(c, c_all)))
                total = float(np.sum(contributions))
                rows.append(dict(common, source="sum", member="", perturbed="", contribution=total,
                                 percent_of_base=_percent(total, c_base), percent_of_together=_percent(total, c_all)))
                if together is not None:
                    rows.append(dict(common, source="together", member=together[0], perturbed=together[1][key],
                                     contribution=c_all, percent_of_base=_percent(c_all, c_base),
                                     percent_of_together=100.0 if c_all != 0 else float("nan")))
                    rows.append(dict(common, source="nonlinearity", member="", perturbed="",
                                     contribution=total - c_all, percent_of_base=_percent(total - c_all, c_base),
                                     percent_of_together=_percent(total - c_all, c_all)))
                    rows.append(dict(common, source="remainder", member="", perturbed="", contribution=c_base - c_all,
                                     percent_of_base=_percent(c_base - c_all, c_base), percent_of_together=""))
    return rows


def response_rows(group: str, lines: list, values_of: dict, metrics, stations) -> list:
    """Rows of a response-curve table. ``lines``: objects with label, region, sector, pollutant and points
    [(reduction, member name)]; ``values_of``: {member name: values}."""
    rows = []
    recs = receptors(stations)
    for line in lines:
        base_values = values_of[line.points[0][1]]
        for reduction, member in line.points:
            values = values_of[member]
            for metric in metrics:
                for rec in recs:
                    key = (metric, rec.id, ALL_PERIOD)
                    v, b = values[key], base_values[key]
                    rows.append(dict(group=group, line=line.label, region=line.region, sector=line.sector,
                                     pollutant=line.pollutant, reduction_percent=round(100.0 * reduction, 6),
                                     member=member, metric=metric, units=values["units"][metric], receptor=rec.id,
                                     receptor_description=rec.description, value=v, change=v - b,
                                     change_percent=_percent(v - b, b)))
    return rows


def summary_rows(values_of: dict, metrics, stations) -> list:
    rows = []
    recs = receptors(stations)
    for member, values in values_of.items():
        for metric in metrics:
            for rec in recs:
                rows.append(dict(member=member, metric=metric, units=values["units"][metric], receptor=rec.id,
                                 receptor_description=rec.description, value=values[(metric, rec.id, ALL_PERIOD)]))
    return rows


# ---------------------------------------------------------------------------------------------------------------
# Tables and plots
# ---------------------------------------------------------------------------------------------------------------
def _fmt(v, digits: int = 3) -> str:
    return "" if v is None else number(v, digits, small=1e-3)


def _pct(v) -> str:
    return "" if v is None or v == "" else number(v, 1, fixed=True)


def contributions_markdown(rows: list, metric: str, period: str = ALL_PERIOD, receptor_ids=None) -> str:
    """A Markdown table: one line per receptor, each source's contribution (and % of the base), their sum, all
    removed together and the non-linearity (sum - together, and % of together)."""
    picked = [r for r in rows if r["metric"] == metric and r["period"] == period]
    order = []
    for r in picked:
        if r["receptor"] not in order and (receptor_ids is None or r["receptor"] in receptor_ids):
            order.append(r["receptor"])
    if receptor_ids is not None:
        order = [rid for rid in receptor_ids if rid in order]
    sources = []
    for r in picked:
        if r["source"] not in ("sum", "together", "nonlinearity", "remainder") and r["source"] not in sources:
            sources.append(r["source"])
    has_together = any(r["source"] == "together" for r in picked)
    units = picked[0]["units"] if picked else ""
    head = ["receptor", f"base ({units})"] + [f"{s}" for s in sources] + ["sum"]
    if has_together:
        head += ["together", "non-linearity (sum − together)"]
    lines = markdown_header(head)
    for rid in order:
        by_source = {r["source"]: r for r in picked if r["receptor"] == rid}
        any_row = next(iter(by_source.values()))
        cells = [any_row["receptor_description"], _fmt(any_row["base"])]
        for s in sources + ["sum"] + (["together"] if has_together else []):
            r = by_source[s]
            cells.append(f"{_fmt(r['contribution'])} ({_pct(r['percent_of_base'])} %)")
        if has_together:
            r = by_source["nonlinearity"]
            cells.append(f"{_fmt(r['contribution'])} ({_pct(r['percent_of_together'])} % of together)")
        lines.append(markdown_row(cells))
    return "\n".join(lines)


def _save_figure(fig, path: Path) -> Path:
    """The ensemble's figures are views of its members, redrawn (replaced) on every run."""
    return save_figure_atomic(fig, path, force=True, format="png", dpi=110, bbox_inches="tight")


def plot_contributions(rows: list, metrics, path: Path, focus_id: str) -> Path:
    """Bars: each source's contribution, their sum and all together, as % of the base, at a few receptors."""
    plt = pyplot()
    picked_ids = [focus_id if rid == "focus" else rid for rid in PLOT_RECEPTORS_CONTRIBUTIONS]
    seen = []
    for rid in picked_ids:
        if rid not in seen:
            seen.append(rid)
    fig, axes = plt.subplots(len(metrics), 1, figsize=(9.5, 3.3 * len(metrics)), squeeze=False)
    for ax, metric in zip(axes[:, 0], metrics):
        picked = [r for r in rows if r["metric"] == metric and r["period"] == ALL_PERIOD and r["receptor"] in seen]
        bars = []
        for r in picked:
            if r["source"] not in ("nonlinearity", "remainder") and r["source"] not in bars:
                bars.append(r["source"])
        width = 0.8 / max(1, len(bars))
        for b, source in enumerate(bars):
            heights = []
            for rid in seen:
                match = [r for r in picked if r["receptor"] == rid and r["source"] == source]
                heights.append(float(match[0]["percent_of_base"]) if match else np.nan)
            hatch = "//" if source in ("sum", "together") else None
            ax.bar(np.arange(len(seen)) + (b - (len(bars) - 1) / 2) * width, heights, width, label=source,
                   hatch=hatch, edgecolor="black", linewidth=0.4)
        ax.axhline(0.0, color="black", linewidth=0.6)
        ax.set_xticks(np.arange(len(seen)))
        ax.set_xticklabels([rid.replace("station_", "").replace("_population", "\n(population)") for rid in seen],
                           fontsize=8)
        ax.set_ylabel(f"{metric}: % of the base")
        ax.legend(fontsize=7, ncol=min(6, len(bars)), loc="best")
        if picked:
            ax.set_title(f"{picked[0]['group']}: brute-force contributions to {metric} "
                         f"(reduction {float(picked[0]['reduction']):g}, scaled)", fontsize=9)
    fig.tight_layout()
    out = _save_figure(fig, Path(path))
    plt.close(fig)
    return out


def plot_response(rows: list, metrics, path: Path) -> Path:
    """Metric against the depth of the measure: one panel per metric and receptor, one line per measure."""
    plt = pyplot()
    cols = [rid for rid in PLOT_RECEPTORS_RESPONSE if any(r["receptor"] == rid for r in rows)]
    fig, axes = plt.subplots(len(metrics), len(cols), figsize=(2.9 * len(cols), 2.6 * len(metrics)),
                             squeeze=False)
    labels = []
    for r in rows:
        if r["line"] not in labels:
            labels.append(r["line"])
    for a, metric in enumerate(metrics):
        for b, rid in enumerate(cols):
            ax = axes[a, b]
            for label in labels:
                pts = [r for r in rows if r["metric"] == metric and r["receptor"] == rid and r["line"] == label]
                pts.sort(key=lambda r: r["reduction_percent"])
                ax.plot([r["reduction_percent"] for r in pts], [r["value"] for r in pts], marker="o",
                        markersize=3, label=label)
            units = next((r["units"] for r in rows if r["metric"] == metric), "")
            if a == 0:
                ax.set_title(rid, fontsize=9)
            if b == 0:
                ax.set_ylabel(f"{metric} ({units})", fontsize=8)
            if a == len(metrics) - 1:
                ax.set_xlabel("depth of the measure (%)", fontsize=8)
            ax.tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=6, loc="best")
    fig.tight_layout()
    out = _save_figure(fig, Path(path))
    plt.close(fig)
    return out


# ---------------------------------------------------------------------------------------------------------------
# The ensemble's analysis
# ---------------------------------------------------------------------------------------------------------------
def analyse_ensemble(ensemble, out_dir, status: dict, domain: str | None = None) -> list:
    """Tables and plots of an ensemble (airmodel.ensemble.Ensemble) from its complete members under ``out_dir``:
    ``summary.csv`` (every member at every receptor), ``contributions_GROUP.csv/.md/.png`` and
    ``response_GROUP.csv/.png``. Groups with a member that is not complete are left out, with a warning.
    Rewritten (atomically) on every run of the command: they are views of the members, not results of their own.
    ``domain``: with a parent domain (docs/nesting.md), the members' files of that domain (MEMBER.NAME.nc), the
    tables into ``out_dir``/NAME; default: the inner domain."""
    out_dir = Path(out_dir)
    tables = out_dir if domain is None else out_dir / domain
    if domain is not None:
        tables.mkdir(exist_ok=True)
    settings = ensemble.analysis
    where = f"{ensemble.path}: analysis"
    stations = read_station_list(settings["stations"]) if settings["stations"] else read_station_list()
    codes = [s.code for s in stations]
    if settings["focus_station"] not in codes:
        raise InputError(f"{where}.focus_station: {settings['focus_station']!r} is not in the station list; "
                         f"its stations: {', '.join(codes)}")
    focus_id = f"station_{settings['focus_station']}"
    metrics = settings["metrics"]

    def complete(name: str) -> bool:
        m = ensemble.member(name)
        return status.get(m.same_as or m.name, {}).get("status") in ("complete", "done")

    cache: dict = {}

    def values(name: str) -> dict:
        m = ensemble.member(name)
        if m.file not in cache:
            cache[m.file] = member_values(domain_file(out_dir / m.file, domain, "member output"), metrics, stations, settings["spinup_hours"],
                                          settings["daily"], where)
        return cache[m.file]

    written = []
    ready = [m.name for m in ensemble.members if complete(m.name)]
    if not ready:
        return written
    values_of = {name: values(name) for name in ready}
    written.append(write_csv_atomic(tables / "summary.csv", summary_rows(values_of, metrics, stations),
                                    SUMMARY_COLUMNS, force=True))
    for group in ensemble.contributions:
        needed = ["base"] + [m for _, m in group.sources] + ([group.together] if group.together else [])
        missing = [n for n in needed if not complete(n)]
        if missing:
            log.warning("contributions %s: not computed, members not complete: %s", group.name, ", ".join(missing))
            continue
        rows = contribution_rows(group.name, group.by, group.reduction, values("base"),
                                 [(s, m, values(m)) for s, m in group.sources],
                                 (group.together, values(group.together)) if group.together else None,
                                 metrics, stations)
        written.append(write_csv_atomic(tables / f"contributions_{group.name}.csv", rows, CONTRIBUTION_COLUMNS,
                                        force=True))
        shown = [focus_id, "stations_mean", "Beijing", "Tianjin", "Hebei", "domain",
                 "domain_population"]
        text = [f"# Contributions: {group.name} (by {group.by}, reduction {group.reduction:g}, scaled by "
                f"1/{group.reduction:g})", "", f"Ensemble {ensemble.path}; spin-up {settings['spinup_hours']:g} h "
                f"left out. Each cell: contribution ({'%'} of the base). Non-linearity: sum of the contributions "
                f"minus the contribution of all sources removed together.", ""]
        for metric in metrics:
            text += [f"## {metric}, whole period", "", contributions_markdown(rows, metric, ALL_PERIOD, shown), ""]
        if settings["daily"]:
            for metric in metrics:
                text += [f"## {metric} at {focus_id.replace('station_', '')}, by local day", ""]
                for period in periods_of(values("base"))[1:]:
                    text += [f"{period}:", "", contributions_markdown(rows, metric, period, [focus_id]), ""]
        written.append(write_text_atomic(tables / f"contributions_{group.name}.md", "\n".join(text), force=True))
        written.append(plot_contributions(rows, metrics, tables / f"contributions_{group.name}.png", focus_id))
        for metric in metrics:
            log.info("contributions %s to %s (whole period):\n%s", group.name, metric,
                     contributions_markdown(rows, metric, ALL_PERIOD, [focus_id, "stations_mean", "Beijing"]))
    for group in ensemble.sweeps:
        needed = sorted({m for line in group.lines for _, m in line.points})
        missing = [n for n in needed if not complete(n)]
        if missing:
            log.warning("response %s: not computed, members not complete: %s", group.name, ", ".join(missing))
            continue
        rows = response_rows(group.name, group.lines, {n: values(n) for n in needed}, metrics, stations)
        written.append(write_csv_atomic(tables / f"response_{group.name}.csv", rows, RESPONSE_COLUMNS,
                                        force=True))
        written.append(plot_response(rows, metrics, tables / f"response_{group.name}.png"))
    return written
