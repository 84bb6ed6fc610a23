"""The files of ``airmodel health``, written atomically as one folder:

- ``health.nc`` (CF-1.8): the Dataset of ``health_impacts`` (maps of avoided deaths and value by outcome and
  statistic, exposure fields, regional tables);
- ``long_term.csv`` and ``short_term.csv``: by region and outcome, avoided deaths and value (central, mean, 2.5 and
  97.5 percentiles), kept apart (per year vs over the period);
- ``by_age.csv``: avoided deaths by function (cause and age group) and region;
- ``exposure.csv``: population-weighted exposure, base, case and change, by region;
- ``summary.md``: the headline tables and every assumption.
"""
from __future__ import annotations

from pathlib import Path

import xarray as xr

from ..files import atomic_folder, write_csv_atomic, write_text_atomic
from ..formats import markdown_header, markdown_row, number
from . import incidence
from .impact import province_name, rated_provinces

STAT_COLUMNS = ("central", "mean", "low", "high")


def write_health(ds: xr.Dataset, output, force: bool = False) -> Path:
    output = Path(output)
    with atomic_folder(output, force) as tmp:
        _netcdf(ds, tmp / "health.nc")
        for term in ("long", "short"):
            _csv(tmp / f"{term}_term.csv", outcome_rows(ds, term))
        _csv(tmp / "by_age.csv", age_rows(ds))
        _csv(tmp / "exposure.csv", exposure_rows(ds))
        write_text_atomic(tmp / "summary.md", summary(ds))
    return output


def _netcdf(ds: xr.Dataset, path: Path) -> None:
    out = ds.copy()
    for name in ("region", "outcome", "statistic", "function", "outcome_term", "outcome_pollutant",
                 "function_outcome"):
        out[name] = out[name].astype(str)
    encoding = {v: {"zlib": True} for v in out.data_vars if out[v].dtype.kind == "f"}
    encoding.update({c: {"_FillValue": None} for c in ("lat", "lon")})  # CF 2.5.1: no fill value on coordinates
    out.to_netcdf(path, format="NETCDF4", encoding=encoding)


def _csv(path: Path, rows: list[dict]) -> None:
    if not rows:
        write_text_atomic(path, "# no rows: the function table has no function of this kind\n", force=True)
        return
    write_csv_atomic(path, rows, rows[0], force=True, cell=lambda v: f"{v:.6g}" if isinstance(v, float) else v)


def outcome_rows(ds: xr.Dataset, term: str) -> list[dict]:
    rows = []
    for o in ds.outcome.values:
        if str(ds.outcome_term.sel(outcome=o).values) != term:
            continue
        for r in ds.region.values:
            row = dict(region=str(r), outcome=str(o), pollutant=str(ds.outcome_pollutant.sel(outcome=o).values),
                       population=float(ds.region_population.sel(region=r)))
            d = ds.avoided_deaths.sel(outcome=o, region=r).values
            v = ds.value.sel(outcome=o, region=r).values
            row.update({f"deaths_{s}": float(x) for s, x in zip(STAT_COLUMNS, d)})
            row.update({f"value_yuan_{s}": float(x) for s, x in zip(STAT_COLUMNS, v)})
            rows.append(row)
    return rows


def age_rows(ds: xr.Dataset) -> list[dict]:
    rows = []
    for k, f in enumerate(ds.function.values):
        for r in ds.region.values:
            d = ds.avoided_deaths_by_function.sel(function=f, region=r).values
            row = dict(region=str(r), function=str(f), outcome=str(ds.function_outcome.values[k]),
                       age_start=int(ds.function_age_start.values[k]), age_end=int(ds.function_age_end.values[k]))
            row.update({f"deaths_{s}": float(x) for s, x in zip(STAT_COLUMNS, d)})
            rows.append(row)
    return rows


def exposure_rows(ds: xr.Dataset) -> list[dict]:
    rows = []
    for metric in ("PM25", "O3_mda8"):
        if f"exposure_{metric}_base" not in ds:
            continue
        for r in ds.region.values:
            rows.append(dict(region=str(r), metric=metric, units="ug m-3",
                             population=float(ds.region_population.sel(region=r)),
                             base=float(ds[f"exposure_{metric}_base"].sel(region=r)),
                             case=float(ds[f"exposure_{metric}_case"].sel(region=r)),
                             change=float(ds[f"exposure_{metric}_change"].sel(region=r))))
    return rows


def readable(value: float) -> str:
    """A count or an amount for the eye: whole numbers with thousands separators from 100 up, else 3 digits."""
    return f"{value:,.0f}" if abs(value) >= 100 else number(value, 3)


def _interval(values, scale: float = 1.0) -> str:
    c, _, lo, hi = (float(x) / scale for x in values)
    return f"{readable(c)} ({readable(lo)} to {readable(hi)})"


def _money(values) -> str:
    return _interval(values, 1e6)


def _structures(ds: xr.Dataset) -> list[tuple[str, str, float]]:
    """The age structure behind each region's people: (name, source, share aged 25+)."""
    regions = {str(r) for r in ds.region.values}
    year = int(ds.attrs["incidence_year"])
    codes = [code for code in rated_provinces(year) if province_name(code) in regions] + [incidence.CHINA]
    return [(province_name(code), where, share) for code, where, share in incidence.structure_notes(codes, year)]


def summary(ds: xr.Dataset, title: str | None = None) -> str:
    a = ds.attrs
    head = title or f"Health impacts: {a.get('case_title') or 'case'} against {a.get('base_title') or 'base'}"
    lines = [f"# {head}", "",
             f"- base: `{a.get('base_run')}`; case: `{a.get('case_run')}`",
             f"- period: local days {a['period_start']} to {a['period_end']} ({a['period_days']} days, "
             f"{a['period_hours']} hours)",
             f"- central estimate at the central parameters; 95 % interval: 2.5th-97.5th percentiles of "
             f"{a['draws']} draws ({a['sampling']}, seed {a['seed']}) over the functions' beta/theta and the VSL",
             f"- VSL: {a['vsl']} = {a['vsl_yuan'] / 1e6:g} million {a['vsl_currency']} of {a['vsl_price_year']} "
             + (f"(lognormal, log sd {a['vsl_log_sd']:.3f})" if a["vsl_log_sd"] > 0 else
                "(fixed: the study gives no interval)")
             + f"; benefit transfer factor {a['benefit_transfer_factor']:.4g} (income ratio {a['income_ratio']:g}, "
               f"elasticity {a['income_elasticity']:g})",
             f"- long-term: the period-mean change taken as an annual-mean change (avoided deaths per year); value "
             f"with the US EPA 20-year cessation lag discounted at {a['discount_rate'] * 100:g} % a year (factor "
             f"{a['lag_discount_factor']:.4f})",
             "- short-term: daily changes of daily-mean PM2.5 and MDA8 O3 (local days), summed over the period's "
             "days; no lag",
             f"- baseline incidence: crude death rates of {a['incidence_year']} by province, the 2000 census age "
             "pattern, GBD 2015 cause shares (airmodel/health/incidence.py); population: "
             f"{a['population_source']}",
             "- age structure by province (share of people aged 25+): " + "; ".join(
                 f"{name} {share * 100:.2f} % ({where})" for name, where, share in _structures(ds)), ""]
    lines += ["## Exposure (population-weighted, ug m-3)", ""] + markdown_header(
        ["region", "metric", "base", "case", "change"])
    for r in exposure_rows(ds):
        lines.append(markdown_row([r["region"], r["metric"], number(r["base"], 4), number(r["case"], 4),
                                   number(r["change"], 3)]))
    for term, label in (("long", "Long-term: avoided deaths per year and value (million yuan)"),
                        ("short", "Short-term: avoided deaths over the period and value (million yuan)")):
        rows = [o for o in ds.outcome.values if str(ds.outcome_term.sel(outcome=o).values) == term]
        if not rows:
            continue
        lines += ["", f"## {label}", ""] + markdown_header(
            ["outcome", "region", "avoided deaths (95 % interval)", "value, million yuan (95 % interval)"])
        for o in rows:
            for r in ds.region.values:
                lines.append(markdown_row([o, r, _interval(ds.avoided_deaths.sel(outcome=o, region=r).values),
                                           _money(ds.value.sel(outcome=o, region=r).values)]))
    lines += ["", "Outcomes of one group are alternatives to those of another (the GEMM's NCD+LRI and its five "
              "causes; the 25+ and by-age fits; PM2.5 and O3 studies): do not add them up.", ""]
    return "\n".join(lines)
