"""``airmodel report RUN.nc [CASE.nc ...] [--compare DIR] [--evaluation DIR] [--health DIR] [--ranking DIR]
-o report.html [--force] [--title T]``:
one self-contained HTML page about one or more runs.

The page works offline and alone: every image is a PNG inside the page (a base64 ``data:`` URI), the style sheet
is inline, and there is no script, web font or link to fetch. It shows, for each run: the scenario (name,
description, period, grid, code version), maps of the period-mean surface PM2.5, the period-mean daily maximum
8-hour O3 and the mean daily AQI with the Beijing stations marked, hourly PM2.5 and O3 at the stations, and a
table of station statistics; with ``--compare`` the CASE - BASE difference maps, every CSV table of the comparison
folder and its summary.md; with ``--evaluation`` every PNG, CSV and Markdown file of the evaluation folder; with
``--health`` the maps of avoided deaths and exposure change of an ``airmodel health`` folder, its tables and summary;
with ``--ranking`` the ranking of source categories of an ``airmodel rank`` folder (ranking.md with its chart,
ranking.csv, contributions.csv).

A run file or folder that is missing or unreadable is an error (exit 2, nothing written). A piece that a file
does not have (a run without station series or daily fields, a comparison without one of its tables) is left out
with a note on the page: the report shows what there is. All text from files is HTML-escaped.
"""
from __future__ import annotations

import base64
import csv
import html
import logging
import re
import textwrap
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import plot as maps
from .analysis.standards import LIMITS, to_standard_units
from .errors import InputError
from .files import check_new_output, open_netcdf, write_text_atomic
from .formats import number
from .domains import domain_file
from .version import __version__

COMMAND = "report"
log = logging.getLogger("airmodel")

#: The maps of each run: (variable in the run file, what the map shows, colour-bar label). The period mean of
#: each is drawn.
RUN_MAPS = (("PM25", "Period-mean surface PM2.5", "PM2.5"),
            ("O3_mda8", "Period mean of the daily maximum 8-h O3", "O3 MDA8"),
            ("AQI", "Mean daily AQI (HJ 633-2012)", "AQI"))
#: Where a run lacks the hourly field, the period mean of its daily means is the same quantity.
DAILY_STAND_INS = {"PM25": "PM25_24h"}
#: Station series drawn for each run: hourly variable -> its name on the page.
STATION_SERIES = (("PM25", "PM2.5"), ("O3", "O3"))
#: Difference maps of a comparison folder: the quantity M of fields.nc's ``M_diff``, its name on the page and on
#: the colour bar.
COMPARE_MAPS = (("PM25", "Period-mean surface PM2.5", "PM2.5"),
                ("O3_mda8", "Period mean of the daily maximum 8-h O3", "O3 MDA8"))
#: Comparison tables shown first, in this order; any other CSV of the folder follows, by name.
COMPARE_TABLES = ("stations.csv", "regions.csv", "aqi_categories.csv", "exceedances.csv")
#: Tables of a health folder shown first.
HEALTH_TABLES = ("long_term.csv", "short_term.csv", "exposure.csv", "by_age.csv")
RANKING_TABLES = ("ranking.csv", "contributions.csv")
#: A CSV longer than this is cut on the page (with a note): the files themselves hold all rows.
MAX_TABLE_ROWS = 400
#: Longer tables (e.g. the paired values of an evaluation) are folded, to be opened by a click.
FOLDED_TABLE_ROWS = 40
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="one self-contained HTML page: maps, station series, comparison and evaluation tables",
        description="Write one HTML page (images inside it; opens offline) about one or more runs, optionally "
                    "with the folder of `airmodel compare` and of `airmodel evaluate`.")
    p.add_argument("runs", nargs="+", metavar="RUN.nc", help="run files of `airmodel run` (a base, then cases)")
    p.add_argument("--compare", metavar="DIR", help="folder written by `airmodel compare BASE.nc CASE.nc -o DIR`")
    p.add_argument("--evaluation", metavar="DIR", help="folder written by `airmodel evaluate` (its PNG and CSV)")
    p.add_argument("--health", metavar="DIR", help="folder written by `airmodel health BASE.nc CASE.nc -o DIR`")
    p.add_argument("--ranking", metavar="DIR", help="folder written by `airmodel rank RANKING.toml -o DIR` (its "
                   "ranking table and chart)")
    p.add_argument("-o", "--output", required=True, help="the HTML page to write")
    p.add_argument("--force", action="store_true", help="overwrite an existing output")
    p.add_argument("--title", help="page title (default: the first run's title)")
    p.add_argument("--domain", metavar="NAME", help="with a parent domain (docs/nesting.md): report on domain NAME's "
                                                    "files RUN.NAME.nc (default: the inner domain, the files given)")


def command(args) -> int:
    runs = [domain_file(r, args.domain) for r in args.runs]
    path = write_report(runs, args.output, compare_dir=args.compare, evaluation_dir=args.evaluation,
                        title=args.title, force=args.force, health_dir=args.health, ranking_dir=args.ranking)
    log.info("wrote %s", path)
    return 0


# -- small HTML builders -------------------------------------------------------------------------------------------
def esc(value) -> str:
    return html.escape(str(value), quote=True)


def note(text: str) -> str:
    return f'<p class="note">{esc(text)}</p>\n'


def png_img(png: bytes, alt: str) -> str:
    """An <img> holding the PNG itself (data URI), so the page needs no other file."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}">'


def figure(png: bytes, caption: str) -> str:
    return f"<figure>{png_img(png, caption)}<figcaption>{esc(caption)}</figcaption></figure>\n"


def table(header: list[str], rows: list[list[str]], caption: str = "", inline: bool = False) -> str:
    """An HTML table of already formatted cells; cells that read as numbers are right-aligned. ``inline``: the
    cells are Markdown (`code`, **bold**) from a pipe table."""
    cell_html = (lambda c: _inline_markdown(esc(c))) if inline else esc
    out = ['<div class="table-wrap"><table>']
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{cell_html(h)}</th>" for h in header) + "</tr></thead><tbody>")
    for row in rows:
        cells = []
        for cell in row:
            cls = ' class="num"' if _is_number(cell) else ""
            cells.append(f"<td{cls}>{cell_html(cell)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>\n")
    return "".join(out)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def display_number(text: str) -> str:
    """A CSV cell for the eye: decimals with many digits are rounded (codes and integers are left alone)."""
    s = text.strip()
    if not re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][+-]?\d+)", s):
        return text
    v = float(s)
    if not np.isfinite(v) or v == 0.0:
        return s
    magnitude = abs(v)
    if magnitude >= 100.0:
        return f"{v:.1f}"
    if magnitude >= 1.0:
        return f"{v:.2f}"
    return f"{v:.3g}"


def fmt(value, digits: int = 1) -> str:
    """A computed number for a table, ``digits`` decimals; NaN shows as an en dash."""
    return number(value, digits, fixed=True)


def _inline_markdown(escaped: str) -> str:
    """`code`, **bold** and *emphasis* in text that is already HTML-escaped (so it holds no markup of its own)."""
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    escaped = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"<em>\1</em>", escaped)


def markdown_to_html(text: str, heading_offset: int = 2, image=None) -> str:
    """The Markdown the tools write: headings, paragraphs, '-' lists, pipe tables, ``` blocks and image lines
    (``![alt](name.png)``), with `code`, **bold** and *emphasis* inline. Anything else reads as plain text.
    Headings move down ``heading_offset`` levels so a file's '#' sits under the report's own headings.

    ``image(name)`` returns the PNG bytes of an image a line refers to, or None: such images are embedded in
    place; others stay as their text."""
    out: list[str] = []
    lines = text.splitlines()
    n = 0
    paragraph: list[str] = []

    def flush_paragraph():
        if paragraph:
            out.append("<p>" + _inline_markdown(esc(" ".join(paragraph))) + "</p>")
            paragraph.clear()

    while n < len(lines):
        line = lines[n]
        stripped = line.strip()
        picture = re.fullmatch(r"!\[([^\]]*)\]\(([^)\s]+)\)", stripped)
        if stripped.startswith("```"):
            flush_paragraph()
            block = []
            n += 1
            while n < len(lines) and not lines[n].strip().startswith("```"):
                block.append(lines[n])
                n += 1
            out.append("<pre>" + esc("\n".join(block)) + "</pre>")
            n += 1
            continue
        heading = re.match(r"(#{1,6})\s+(.*)", stripped)
        if picture and image is not None and (png := image(picture.group(2))) is not None:
            flush_paragraph()
            out.append(figure(png, picture.group(1) or picture.group(2)).rstrip("\n"))
        elif heading:
            flush_paragraph()
            level = min(6, len(heading.group(1)) + heading_offset)
            out.append(f"<h{level}>{_inline_markdown(esc(heading.group(2).strip(' #')))}</h{level}>")
        elif stripped.startswith("|"):
            flush_paragraph()
            rows = []
            while n < len(lines) and lines[n].strip().startswith("|"):
                cells = [c.strip() for c in lines[n].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                    rows.append(cells)
                n += 1
            if rows:
                out.append(table(rows[0], [[display_number(c) for c in r] for r in rows[1:]], inline=True))
            continue
        elif re.match(r"[-*]\s+", stripped):
            flush_paragraph()
            items = []
            while n < len(lines) and re.match(r"[-*]\s+", lines[n].strip()):
                items.append("<li>" + _inline_markdown(esc(re.sub(r"^[-*]\s+", "", lines[n].strip()))) + "</li>")
                n += 1
            out.append("<ul>" + "".join(items) + "</ul>")
            continue
        elif not stripped:
            flush_paragraph()
        else:
            paragraph.append(stripped)
        n += 1
    flush_paragraph()
    return "\n".join(out) + "\n"


def csv_table(path: Path, caption: str) -> str:
    """A CSV file as an HTML table (the first row is the header), at most MAX_TABLE_ROWS rows on the page."""
    try:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return note(f"{path.name}: could not be read ({exc}); left out.")
    rows = [r for r in rows if r]
    if not rows:
        return note(f"{path.name} is empty.")
    header, body = rows[0], rows[1:]
    shown = [[display_number(c) for c in r] for r in body[:MAX_TABLE_ROWS]]
    text = table(header, shown, caption)
    if len(body) > MAX_TABLE_ROWS:
        text += note(f"The first {MAX_TABLE_ROWS} of {len(body)} rows; the file holds them all.")
    if len(body) > FOLDED_TABLE_ROWS:
        text = f"<details><summary>{esc(path.name)}: {len(body)} rows</summary>\n{text}</details>\n"
    return text


# -- runs ----------------------------------------------------------------------------------------------------------
@dataclass
class RunInfo:
    """What the page says about one run file."""
    path: Path
    title: str
    description: str
    period: str
    grid: str
    version: str
    scenario_file: str
    command_line: str
    scenario_text: str
    notes: list[str] = field(default_factory=list)


def open_run(path):
    """The run file as an xarray Dataset (an InputError naming the file if it is missing or not NetCDF)."""
    return open_netcdf(path, "run file")


def _utc_text(t) -> str:
    return np.datetime_as_string(np.asarray(t).astype("datetime64[m]")).replace("T", " ")


def run_period(ds) -> str:
    """First hour start to last hour end, in UTC and Beijing time (hourly means are stamped at their end)."""
    if "time" not in ds.dims or ds.sizes["time"] == 0:
        return "no hourly records"
    if "time_bnds" in ds:
        start, end = ds["time_bnds"].values[0, 0], ds["time_bnds"].values[-1, 1]
    else:
        start, end = ds["time"].values[0] - np.timedelta64(1, "h"), ds["time"].values[-1]
    hours = (np.datetime64(end, "s") - np.datetime64(start, "s")) / np.timedelta64(1, "h")
    local = [np.datetime64(t, "s") + maps.LOCAL_UTC_OFFSET for t in (start, end)]
    return (f"{_utc_text(start)} to {_utc_text(end)} UTC ({hours:g} h; Beijing time {_utc_text(local[0])} to "
            f"{_utc_text(local[1])})")


def run_grid(ds) -> str:
    if "lon" not in ds.dims or "lat" not in ds.dims:
        dims = ", ".join(f"{d} {n}" for d, n in ds.sizes.items() if d not in ("time", "day", "nv", "station"))
        return f"not a lon-lat grid ({dims})"
    lon_e, lat_e = maps.grid_edges(ds)
    steps = np.unique(np.round(np.diff(lon_e), 6))
    res = f"{steps[0]:g}\u00b0" if steps.size == 1 else "variable"
    levels = f", {ds.sizes['z']} layers" if "z" in ds.dims else ", surface layer"
    return (f"{ds.sizes['lon']} \u00d7 {ds.sizes['lat']} cells of {res} ({lon_e[0]:g}\u2013{lon_e[-1]:g} \u00b0E, "
            f"{lat_e[0]:g}\u2013{lat_e[-1]:g} \u00b0N){levels}")


def run_info(path: Path, ds) -> RunInfo:
    attrs = ds.attrs
    scenario_text = str(attrs.get("scenario", ""))
    description = ""
    notes = []
    if scenario_text:
        try:
            description = str(tomllib.loads(scenario_text).get("description", ""))
        except tomllib.TOMLDecodeError:
            notes.append("The scenario text in the file's global attributes is not valid TOML; "
                         "its description is not shown.")
    else:
        notes.append("The file has no 'scenario' global attribute (no resolved scenario recorded).")
    return RunInfo(path=path, title=str(attrs.get("title", path.stem)), description=description,
                   period=run_period(ds), grid=run_grid(ds),
                   version=str(attrs.get("airmodel_version", attrs.get("source", "unknown"))),
                   scenario_file=str(attrs.get("scenario_file", "")),
                   command_line=str(attrs.get("command_line", "")), scenario_text=scenario_text, notes=notes)


def run_map_field(ds, name: str):
    """(period-mean (lat, lon) field, the DataArray it came from, the variable used) or None if absent."""
    for candidate in (name, DAILY_STAND_INS.get(name)):
        if candidate and candidate in ds and {"lat", "lon"} <= set(ds[candidate].dims):
            return maps.period_mean(ds[candidate]), ds[candidate], candidate
    return None


def _area_weights(ds) -> np.ndarray:
    """Cell areas of a lon-lat grid up to a constant: the cosine of latitude."""
    return np.cos(np.deg2rad(ds["lat"].values))[:, None] * np.ones(ds.sizes["lon"])


def _domain_mean(values: np.ndarray, weights: np.ndarray) -> float:
    ok = np.isfinite(values)
    return float(np.sum(values[ok] * weights[ok]) / np.sum(weights[ok])) if ok.any() else np.nan


def station_table(ds) -> str:
    """Statistics of each station over the run, from its station series (only the columns the file has)."""
    columns: list[tuple[str, list[str]]] = []

    def mean_of(name):
        values = np.asarray(ds[name].transpose(..., "station").values, dtype=float)
        count = np.sum(np.isfinite(values), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, np.nansum(values, axis=0) / np.maximum(count, 1), np.nan)

    def units(name):
        return ds[name].attrs.get("units", "")

    if "station_PM25" in ds:
        columns.append((f"PM2.5 mean ({units('station_PM25')})", [fmt(v) for v in mean_of("station_PM25")]))
        hourly = np.asarray(ds["station_PM25"].transpose(..., "station").values, dtype=float)
        top = np.where(np.isfinite(hourly), hourly, -np.inf).max(axis=0)
        columns.append((f"PM2.5 highest hour ({units('station_PM25')})", [fmt(v) for v in top]))
    if "station_PM25_24h" in ds:
        daily = ds["station_PM25_24h"].transpose("day", "station")
        limit = LIMITS[("PM25", "24h")][1]
        try:
            ug = to_standard_units("PM25", daily.values, units("station_PM25_24h"), "station_PM25_24h")
            over = np.sum(np.isfinite(ug) & (ug > limit), axis=0)
            valid = np.sum(np.isfinite(ug), axis=0)
            columns.append((f"days 24-h PM2.5 > {limit:g} ug m-3 (Grade II)",
                            [f"{o} of {v}" for o, v in zip(over, valid)]))
        except InputError:
            pass  # units the standards module does not know: the column is simply left out
    if "station_O3_mda8" in ds:
        columns.append((f"O3 MDA8 mean ({units('station_O3_mda8')})", [fmt(v) for v in mean_of("station_O3_mda8")]))
    if "station_AQI" in ds:
        columns.append(("AQI mean", [fmt(v, 0) for v in mean_of("station_AQI")]))
    if not columns:
        return ""
    codes, names = maps.station_labels(ds)
    header = ["code", "station"] + [c[0] for c in columns]
    rows = [[codes[k], names[k]] + [c[1][k] for c in columns] for k in range(len(codes))]
    return table(header, rows, "Station statistics over the run (model values in each station's grid cell)")


def station_series_html(ds, run_label: str) -> str:
    if "station" not in ds.dims:
        return note("This run file has no station series (no 'station' dimension): the station time series are "
                    "left out.")
    _, names = maps.station_labels(ds)
    out = []
    for var, label in STATION_SERIES:
        name = f"station_{var}"
        if name not in ds or "time" not in ds[name].dims:
            out.append(note(f"This run file has no hourly {name}: its series is left out."))
            continue
        da = ds[name].transpose("time", "station")
        values = np.asarray(da.values, dtype=float)
        # Stations in the same grid cell have the same series: one line for them, named after all of them.
        groups: list[tuple[list[str], np.ndarray]] = []
        for k, station in enumerate(names):
            same = next((g for g in groups if np.array_equal(g[1], values[:, k], equal_nan=True)), None)
            if same is None:
                groups.append(([station], values[:, k]))
            else:
                same[0].append(station)
        series = {textwrap.fill(", ".join(g[0]), 34): g[1] for g in groups}
        units = da.attrs.get("units", "")
        fig = maps.station_series_figure(ds["time"].values, series, f"{label} ({units})" if units else label,
                                         title=f"{run_label}: hourly {label} at the stations")
        shared = (f"; stations in one grid cell share a line ({len(groups)} lines)" if len(groups) < len(names)
                  else "")
        out.append(figure(maps.figure_png(fig), f"{run_label}: hourly surface {label} ({units}) at "
                                                f"{len(names)} stations, Beijing time{shared}"))
    return '<div class="figures">' + "".join(out) + "</div>\n"


# -- comparison and evaluation folders -----------------------------------------------------------------------------
def _existing_dir(path, option: str) -> Path:
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"{option} {path}: folder not found")
    return path


def png_file(folder: Path, name: str) -> bytes | None:
    """The bytes of a PNG file named in a folder's Markdown: a plain file name inside the folder, else None."""
    if Path(name).name != name or not name.lower().endswith(".png"):
        return None
    try:
        data = (folder / name).read_bytes()
    except OSError:
        return None
    return data if data.startswith(PNG_SIGNATURE) else None


def folder_contents(folder: Path, first_tables=(), expected=()) -> str:
    """Everything a tool's output folder holds for a reader: each Markdown file (with the PNGs it names shown in
    place), each CSV as a table (``first_tables`` first, in that order; then the others by name), and each PNG
    not yet shown. ``expected`` files that are missing get a note."""
    out = []
    for name in expected:
        if not (folder / name).is_file():
            out.append(note(f"The folder has no {name}; it is left out."))
    shown: set[str] = set()

    def image(name):
        data = png_file(folder, name)
        if data is not None:
            shown.add(name)
        return data

    for path in sorted(folder.glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            out.append(note(f"{path.name} could not be read ({exc}); left out."))
            continue
        out.append('<div class="markdown">' + markdown_to_html(text, image=image) + "</div>\n")
    present = {p.name for p in folder.glob("*.csv")}
    for name in [n for n in first_tables if n in present] + sorted(present - set(first_tables)):
        out.append(f"<h3>{esc(name)}</h3>\n" + csv_table(folder / name, ""))
    figures = []
    for path in sorted(folder.glob("*.png")):
        if path.name in shown:
            continue
        data = png_file(folder, path.name)
        if data is None:
            out.append(note(f"{path.name} is not a readable PNG image; left out."))
            continue
        figures.append(figure(data, path.name))
    if figures:
        out.append("<h3>Figures</h3>\n<div class=\"figures\">" + "".join(figures) + "</div>\n")
    return "".join(out)


def compare_section(folder: Path, stations) -> str:
    import xarray as xr

    out = [f'<section id="compare"><h2>Scenario comparison</h2>\n<p class="meta">Folder: {esc(folder)}</p>\n']
    fields_path = folder / "fields.nc"
    if fields_path.is_file():
        try:
            with xr.open_dataset(fields_path) as fields:
                out.append(compare_maps(fields, stations))
        except (OSError, ValueError) as exc:
            out.append(note(f"fields.nc could not be read ({exc}): the difference maps are left out."))
    else:
        out.append(note("The folder has no fields.nc: the difference maps are left out."))
    out.append(folder_contents(folder, COMPARE_TABLES, ("summary.md",) + COMPARE_TABLES))
    out.append("</section>\n")
    return "".join(out)


def _compared_run(attrs, which: str) -> str:
    """How fields.nc names its base or case run: a title attribute, else the file name of ``<which>_run``;
    empty if it does not say."""
    if f"{which}_title" in attrs:
        return str(attrs[f"{which}_title"])
    if f"{which}_run" in attrs:
        return Path(str(attrs[f"{which}_run"])).name
    return ""


def compare_maps(fields, stations) -> str:
    try:
        lon_e, lat_e = maps.grid_edges(fields)
    except InputError as exc:
        return note(f"fields.nc: {exc}; the difference maps are left out.")
    out = []
    base, case = _compared_run(fields.attrs, "base"), _compared_run(fields.attrs, "case")
    named = ", ".join(f"{which}: {name}" for which, name in (("case", case), ("base", base)) if name)
    named = f" ({named})" if named else ""
    for quantity, label, short in COMPARE_MAPS:
        name = f"{quantity}_diff"
        if name not in fields:
            out.append(note(f"fields.nc has no {name}: its map is left out."))
            continue
        da = fields[name]
        values = maps.period_mean(da)
        if not np.isfinite(values).any():
            out.append(note(f"fields.nc: {name} has no valid value: its map is left out."))
            continue
        units = da.attrs.get("units", fields[f"{quantity}_base"].attrs.get("units", "")
                             if f"{quantity}_base" in fields else "")
        style = maps.difference_style([values], f"{short}, CASE \u2212 BASE ({units})")
        fig = maps.field_map(lon_e, lat_e, values, style, title=f"{label}: {case or 'CASE'} \u2212 {base or 'BASE'}",
                             stations=stations)
        out.append(figure(maps.figure_png(fig), f"{label}, difference CASE \u2212 BASE{named}, {units}; red where "
                                                "the case is higher, blue where lower"))
    return '<div class="figures">' + "".join(out) + "</div>\n"


def evaluation_section(folder: Path) -> str:
    out = [f'<section id="evaluation"><h2>Evaluation against observations</h2>\n'
           f'<p class="meta">Folder: {esc(folder)}</p>\n']
    if not any(folder.glob("*.csv")) and not any(folder.glob("*.png")) and not any(folder.glob("*.md")):
        out.append(note("The folder holds no CSV, PNG or Markdown files."))
    else:
        out.append(folder_contents(folder, ("statistics.csv",), ("statistics.csv",)))
    out.append("</section>\n")
    return "".join(out)


def ranking_section(folder: Path) -> str:
    """The ranking of source categories that `airmodel rank` wrote: its summary (with the chart), the ranking table
    first, then the contributions."""
    out = [f'<section id="ranking"><h2>Source categories ranked</h2>\n<p class="meta">Folder: {esc(folder)}</p>\n']
    if not (folder / "ranking.csv").is_file() and not (folder / "ranking.md").is_file():
        out.append(note("The folder holds neither ranking.csv nor ranking.md: is it the output of `airmodel rank`?"))
    else:
        out.append(folder_contents(folder, RANKING_TABLES, RANKING_TABLES + ("ranking.png",)))
    out.append("</section>\n")
    return "".join(out)


def health_section(folder: Path, stations) -> str:
    """Maps of avoided deaths (central estimate) of each outcome group's first cause, long- and short-term, and of
    the PM2.5 change; then the folder's summary and tables."""
    import xarray as xr

    out = [f'<section id="health"><h2>Health impacts</h2>\n<p class="meta">Folder: {esc(folder)}</p>\n']
    path = folder / "health.nc"
    figures = []
    try:
        with xr.open_dataset(path) as ds:
            lon_e, lat_e = maps.grid_edges(ds)
            groups = {}
            for k, outcome in enumerate(ds.outcome.values):
                groups.setdefault((str(ds.outcome_term.values[k]), str(outcome).split("/")[0]), str(outcome))
            shown = [o for o in groups.values() if "ncd_lri" in o or "nonaccidental" in o] or list(groups.values())
            for outcome in shown:
                values = ds.avoided_deaths_map.sel(outcome=outcome, statistic="central").values
                term = str(ds.outcome_term.sel(outcome=outcome).values)
                what = "per year (long-term)" if term == "long" else "over the period (short-term)"
                style = maps.difference_style([values], f"avoided deaths {what}")
                fig = maps.field_map(lon_e, lat_e, values, style, title=f"Avoided deaths: {outcome}",
                                     stations=stations)
                figures.append(figure(maps.figure_png(fig), f"Avoided deaths {what}, {outcome}, central estimate"))
            if "PM25_change" in ds:
                values = ds.PM25_change.values
                style = maps.difference_style([values], "PM2.5, CASE \u2212 BASE (ug m-3)")
                fig = maps.field_map(lon_e, lat_e, values, style, title="Period-mean PM2.5 change", stations=stations)
                figures.append(figure(maps.figure_png(fig), "Period-mean PM2.5, CASE \u2212 BASE (ug m-3)"))
    except (OSError, ValueError, KeyError, InputError) as exc:
        out.append(note(f"health.nc could not be read ({exc}): the health maps are left out."))
    if figures:
        out.append("<h3>Maps</h3>\n<div class=\"figures\">" + "".join(figures) + "</div>\n")
    out.append(folder_contents(folder, HEALTH_TABLES, ("summary.md",) + HEALTH_TABLES))
    out.append("</section>\n")
    return "".join(out)


# -- the page ------------------------------------------------------------------------------------------------------
STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0 auto;
       max-width: 1280px; padding: 0 1.2em 3em; color: #1b1b1b; line-height: 1.4; }
h1 { margin-top: 0.8em; font-size: 1.6em; } h2 { border-bottom: 2px solid #ccc; padding-bottom: 0.2em; }
.meta { color: #555; font-size: 0.9em; }
.note { background: #fff6d6; border-left: 4px solid #e0b000; padding: 0.3em 0.7em; font-size: 0.9em; }
.figures { display: flex; flex-wrap: wrap; gap: 0.8em; align-items: flex-start; }
figure { margin: 0; } figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.85em; color: #444; max-width: 620px; }
.table-wrap { overflow-x: auto; margin: 0.5em 0 1em; }
table { border-collapse: collapse; font-size: 0.85em; }
caption { text-align: left; font-weight: 600; padding: 0.3em 0; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; } th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
dl.info { display: grid; grid-template-columns: max-content auto; gap: 0.15em 1em; font-size: 0.92em; }
dl.info dt { font-weight: 600; } dl.info dd { margin: 0; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; font-size: 0.8em; }
nav ul { columns: 2; font-size: 0.92em; }
"""


def _info_list(info: RunInfo) -> str:
    items = [("file", str(info.path)), ("scenario", info.title), ("description", info.description or "\u2013"),
             ("period", info.period), ("grid", info.grid), ("code version", f"airmodel {info.version}")]
    if info.scenario_file:
        items.append(("scenario file", info.scenario_file))
    if info.command_line:
        items.append(("command", info.command_line))
    return '<dl class="info">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items) + "</dl>\n"


def run_section(n: int, info: RunInfo, ds, fields: dict, styles: dict, stations) -> str:
    label = info.title
    out = [f'<section id="run{n}"><h2>{"Base run" if n == 0 else f"Case {n}"}: {esc(info.title)}</h2>\n',
           _info_list(info)]
    out += [note(t) for t in info.notes]
    figures = []
    if "lon" not in ds.dims or "lat" not in ds.dims:
        out.append(note("This run is not on a lon-lat grid: its maps are left out."))
    else:
        lon_e, lat_e = maps.grid_edges(ds)
        for name, what, _ in RUN_MAPS:
            got = fields.get(name)
            if got is None:
                out.append(note(f"This run file has no {name}: the map '{what}' is left out."))
                continue
            values, da, used = got
            if not np.isfinite(values).any():
                out.append(note(f"{used} has no valid value in this run (e.g. no local day complete enough for "
                                f"a daily statistic): the map '{what}' is left out."))
                continue
            units = da.attrs.get("units", "")
            fig = maps.field_map(lon_e, lat_e, values, styles[name], title=f"{label}: {what}", stations=stations)
            unit_text = f" ({units})" if units and units != "1" else ""
            source = f" (from {used})" if used != name else ""
            figures.append(figure(maps.figure_png(fig), f"{what}{unit_text}{source}; circles: the "
                                                        f"{len(stations)} monitoring stations"))
    if figures:
        out.append("<h3>Maps</h3>\n<div class=\"figures\">" + "".join(figures) + "</div>\n")
    out.append("<h3>Stations</h3>\n")
    out.append(station_series_html(ds, label))
    if "station" in ds.dims:
        out.append(station_table(ds))
    with_scenario = info.scenario_text
    if with_scenario:
        out.append("<details><summary>The resolved scenario recorded in the file</summary><pre>"
                   f"{esc(with_scenario)}</pre></details>\n")
    out.append("</section>\n")
    return "".join(out)


def overview_table(infos: list[RunInfo], datasets, fields_by_run) -> str:
    header = ["run", "file", "period", "PM2.5 domain mean (ug m-3)", "O3 MDA8 domain mean (ppb)",
              "AQI domain mean"]
    rows = []
    for info, ds, fields in zip(infos, datasets, fields_by_run):
        cells = [info.title, info.path.name, info.period.split(" (")[0]]
        weights = _area_weights(ds) if "lat" in ds.dims and "lon" in ds.dims else None
        for name, digits in (("PM25", 1), ("O3_mda8", 1), ("AQI", 0)):
            got = fields.get(name)
            cells.append(fmt(_domain_mean(got[0], weights), digits) if got is not None and weights is not None
                         else "\u2013")
        rows.append(cells)
    return table(header, rows, "Runs in this report (area-weighted means over the model domain)")


def build_report(run_paths, compare_dir=None, evaluation_dir=None, title=None, health_dir=None,
                 ranking_dir=None) -> str:
    """The HTML text of the report (see the module notes)."""
    paths = [Path(p) for p in run_paths]
    ranking_dir = _existing_dir(ranking_dir, "--ranking") if ranking_dir else None
    health_dir = _existing_dir(health_dir, "--health") if health_dir else None
    compare_dir = _existing_dir(compare_dir, "--compare") if compare_dir else None
    evaluation_dir = _existing_dir(evaluation_dir, "--evaluation") if evaluation_dir else None
    datasets = []
    try:
        for path in paths:
            datasets.append(open_run(path))
        infos = [run_info(p, ds) for p, ds in zip(paths, datasets)]
        lonlat = ["lon" in ds.dims and "lat" in ds.dims for ds in datasets]
        fields_by_run = [{name: run_map_field(ds, name) for name, _, _ in RUN_MAPS} if ok else {}
                         for ds, ok in zip(datasets, lonlat)]
        # One colour scale per quantity for all runs, so that the maps compare by eye.
        styles = {}
        for name, _, label in RUN_MAPS:
            got = [f[name] for f in fields_by_run if f.get(name) is not None]
            if got:
                styles[name] = maps.map_style_for(name, got[0][1], [g[0] for g in got], label)
        stations = maps.stations_of(datasets[0])
        page_title = title or infos[0].title
        body = [f"<h1>{esc(page_title)}</h1>\n",
                f'<p class="meta">airmodel report, written {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by '
                f"airmodel {esc(__version__)}. Times are UTC unless marked Beijing time (UTC+8); daily statistics "
                "are by Beijing local day. Maps show the surface layer.</p>\n"]
        toc = [f'<li><a href="#run{n}">{"Base run" if n == 0 else f"Case {n}"}: {esc(i.title)}</a></li>'
               for n, i in enumerate(infos)]
        if compare_dir:
            toc.append('<li><a href="#compare">Scenario comparison</a></li>')
        if evaluation_dir:
            toc.append('<li><a href="#evaluation">Evaluation against observations</a></li>')
        if health_dir:
            toc.append('<li><a href="#health">Health impacts</a></li>')
        if ranking_dir:
            toc.append('<li><a href="#ranking">Source categories ranked</a></li>')
        body.append("<nav><ul>" + "".join(toc) + "</ul></nav>\n")
        body.append(overview_table(infos, datasets, fields_by_run))
        for n, (info, ds, fields) in enumerate(zip(infos, datasets, fields_by_run)):
            body.append(run_section(n, info, ds, fields, styles, stations))
        if compare_dir:
            body.append(compare_section(compare_dir, stations))
        if evaluation_dir:
            body.append(evaluation_section(evaluation_dir))
        if health_dir:
            body.append(health_section(health_dir, stations))
        if ranking_dir:
            body.append(ranking_section(ranking_dir))
    finally:
        for ds in datasets:
            ds.close()
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<meta name=\"generator\" content=\"airmodel {esc(__version__)}\">\n"
            f"<title>{esc(page_title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "".join(body) + "</body>\n</html>\n")


def write_report(run_paths, output, compare_dir=None, evaluation_dir=None, title=None, force=False,
                 health_dir=None, ranking_dir=None) -> Path:
    """Write the report to ``output`` (under a temporary name, then renamed; never over an existing file
    without ``force``)."""
    output = Path(output)
    if output.is_dir():
        raise InputError(f"{output}: is a folder; give the HTML file to write, e.g. {output / 'report.html'}")
    if output.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"{output}: the report is an HTML page; give an output name ending in .html")
    check_new_output(output, force)
    return write_text_atomic(output, build_report(run_paths, compare_dir, evaluation_dir, title, health_dir,
                                                   ranking_dir), force)
