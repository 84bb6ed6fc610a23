"""``airmodel rank RANKING.toml -o DIR``: source categories ranked by their contribution to exposure, their growth,
the abatement the catalogue offers and its cost, and (given a health result) avoided deaths per yuan.

A category is a sector in a region (Beijing, Tianjin, Hebei; every sector of the inventory by default, or the
``[[categories]]`` given: sectors in a region, or in several, e.g. the provinces of the parent domain outside
Beijing, Tianjin and Hebei; a category over several regions is cut by one control per region). The ranking runs,
on the ensemble machinery (airmodel/ensemble.py: one dask task per member, a LocalCluster or a scheduler; members
whose complete output is there from an earlier run of the same ranking are kept), the base scenario, one member per
category with the category's emissions cut by ``reduction`` (the cut depth, default 20 %), and one with every
category cut together. Then, per category:

- contribution: the brute-force contribution C = (C_base - C_cut) / r to each metric at the receptor (default the
  population-weighted mean over Beijing, Tianjin and Hebei: ``domain_population``; Clappier et al., 2017, eq. 3),
  and the non-linearity, sum of the contributions minus the contribution of all categories cut together. A small
  cut depth measures the local sensitivity scaled to the whole category (which is what a measure that removes part
  of it changes); r = 1 is zero-out;
- growth to the projection year: the category's emissions in the ``projection`` scenario over the base's, per
  pollutant (airmodel inventory summarize of both);
- abatement: every catalogue measure of the category's sectors with a removal efficiency that can act on the
  category: a sector-wide measure (``scope = sector``) on all of its sector, a ``subset`` measure (one that acts on
  part of its sector: yellow-label retirement on the yellow-label vehicles, SNCR on the new dry-process cement kilns)
  on its cited applicable share of each pollutant (airmodel/data/measures/shares.csv). Each is applied alone to the
  category's part of its sector (airmodel.measure_costs.standalone_abatement), and a subset measure's tonnes are cut
  to its applicable share (removed = share x efficiency x tonnes; airmodel.measure_costs.applicable_abatement): the
  tonnes it removes a year and what those tonnes cost. A subset measure without a cited share is left out (it cannot
  say how much of the category it reaches). The category's ``removable share`` is the share of its PM2.5 + SO2 +
  NOx + NH3 + NMVOC mass that its cheapest-first measures remove together, applied in turn (each paid for what is
  left for it to act on: ``in_turn``);
  ``exposure_gain`` = PM2.5 contribution x removable share, a first-order (linear) estimate of the exposure the
  measures remove, and ``exposure_gain_per_million_yuan``;
- health (``--health HEALTH.csv``: category, avoided_deaths, value_yuan, the health result of removing each
  category, e.g. from ``airmodel health`` on its member against the base; or ``--health-from-members``, which
  computes exactly that: airmodel.health of each member against the base, the long-term outcomes' avoided deaths a
  year and their value, central estimate, the domain's people (a nested run's: the inner domain's and the parent's
  outside it, each from its own file), after the spin-up, scaled by 1/reduction; a day's
  members give the annualised deaths of that day's concentrations): avoided deaths the measures buy
  (avoided_deaths x removable share), their value, deaths per million yuan and the benefit-cost ratio.

The table is ranked by avoided deaths per yuan when a health result is supplied, else by exposure gain per yuan.
Writes under DIR: the ensemble's members and index, ``ranking.csv``, ``ranking.md`` and ``ranking.png``. A bad
ranking file, or a bad health table, is exit 2 naming the file, key and value, before anything is written.

RANKING.toml (paths relative to the file; a ready scenario's name works for base and projection)::

    description = "which sources to cut first"
    base = "baseline_2008_08"
    projection = "projections/current_legislation_2028_08"
    overrides = []                      # --set style, every member
    reduction = 0.2                     # the cut depth
    regions = ["Beijing", "Tianjin", "Hebei"]
    sectors = ["power", "industry", "residential", "transport", "agriculture", "construction"]
    metrics = ["PM25", "O3_mda8"]
    receptor = "domain_population"
    spinup_hours = 24
    # [[categories]] name = "hebei_steel", region = "Hebei", sectors = ["industry"], source_ids = [...]
    # [[categories]] name = "rest.power", regions = ["Shanxi", "Shandong", ...], sectors = ["power"]

Region names are those of ``airmodel inventory summarize`` (the provinces), so that a category's tonnes are found.
A nested base scenario's emission side (growth, abatement, cost) is read on its parent's grid, where the parent's
provinces lie.
"""
from __future__ import annotations

import argparse
import csv
import logging
import time as wallclock
from datetime import datetime
from pathlib import Path

import numpy as np
import xarray as xr

from .analysis.contributions import member_values, receptors
from .analysis.daily import hour_starts, local_days
from .analysis.regions import frame_of
from .analysis.stations import read_station_list
from .data import resolve_scenario
from .domains import domain_output
from .driver import command_line_text
from .emissions.inventory import Inventory
from .emissions.measures import catalogue
from .emissions.quantities import POLLUTANTS, SECTOR_GROUPS, SECTORS, expand_sectors, summary_sectors
from .emissions.regions import find_region
from .ensemble import load_ensemble, local_cluster, plan, refuse_different, run_ensemble, usable_cores
from .errors import InputError
from .files import pyplot, read_toml_text, save_figure_atomic, write_csv_atomic, write_text_atomic
from .grid import build_grid
from .health import Options as HealthOptions
from .health import health_impacts
from .health.impact import open_run
from .inventory_summary import summary_rows
from .measure_costs import applicable_abatement, load_for_inventory, standalone_abatement
from .scenario import load as load_scenario
from .scenario import parent_domain
from .schema import NUMBER, fill_table, key

COMMAND = "rank"
log = logging.getLogger("airmodel")
REGIONS = ("Beijing", "Tianjin", "Hebei")
GROWTH_POLLUTANTS = ("PM2.5", "SO2", "NOx", "NMVOC", "NH3")
#: The mass whose removable share weights the PM2.5 contribution: primary PM2.5 and the precursors.
SHARE_POLLUTANTS = ("PM2.5", "SO2", "NOx", "NH3", "NMVOC")
HEALTH_COLUMNS = ("category", "avoided_deaths", "value_yuan")

RANKING_KEYS = {
    "description": key(str, "", doc="what the ranking asks"),
    "base": key(str, doc="the base scenario (file relative to the ranking file, or a ready scenario's name)"),
    "projection": key(str, "projections/current_legislation_2028_08", doc="the scenario whose emissions give the "
                                                                          "growth"),
    "overrides": key(list, [], doc="section.key=value overrides for every member"),
    "reduction": key(NUMBER, 0.2, doc="cut depth: the fraction of each category's emissions removed",
                     minimum=0, exclusive_minimum=True),
    "regions": key(list, list(REGIONS), doc="regions of the categories"),
    "sectors": key(list, [s for s in SECTORS if s not in ("other", "industry")], doc="sectors of the categories"),
    "categories": key(list, [], doc="explicit categories: [[categories]] name, region, sectors, source_ids"),
    "metrics": key(list, ["PM25", "O3_mda8"], doc="output variables (period means), or NAME_mda8"),
    "receptor": key(str, "domain_population", doc="where the contributions are read (a receptor of the "
                                                  "ensemble analysis: domain_population, Beijing_population, ...)"),
    "spinup_hours": key(NUMBER, 0, doc="hours left out at the start of every member", minimum=0),
}
CATEGORY_KEYS = {
    "name": key(str, doc="the category's name (letters, digits, _ . -)"),
    "region": key(str, "", doc="Beijing, Tianjin or Hebei (or another region name)"),
    "regions": key(list, [], doc="several regions instead of one (the category is their sum)"),
    "sectors": key(list, [], doc="its sectors (default: all)"),
    "source_ids": key(list, [], doc="its sources (default: all of the sectors)"),
}


class Ranking:
    def __init__(self, path: Path, settings: dict, base: Path, projection: Path, categories: list[dict]):
        self.path, self.settings, self.base, self.projection, self.categories = \
            path, settings, base, projection, categories


def _summary_name(name: str, where: str) -> str:
    """The name under which ``inventory summarize`` reports a region (checked with find_region): a province's
    summary name (a code such as 220000 becomes Jilin); another region keeps the name given."""
    region = find_region(name, where)
    return region.province if region.level == "province" else name


def _resolve(name: str, folder: Path, where: str) -> Path:
    candidate = folder / name
    return candidate.resolve() if candidate.is_file() else resolve_scenario(name, where)


def load_ranking(path) -> Ranking:
    """Read and check a ranking file (module docstring); every category's region and sector is checked."""
    path = Path(path)
    where = str(path)
    settings = fill_table(read_toml_text(path, "ranking file"), RANKING_KEYS, where)
    base = _resolve(settings["base"], path.parent, f"{where}: base")
    projection = _resolve(settings["projection"], path.parent, f"{where}: projection")
    for name in ("regions", "sectors", "metrics", "overrides"):
        for n, item in enumerate(settings[name]):
            if not isinstance(item, str) or not item:
                raise InputError(f"{where}: {name}[{n}]: expected a name, got {item!r}")
    if settings["reduction"] > 1:
        raise InputError(f"{where}: reduction: {settings['reduction']!r} is out of range; it must be a fraction "
                         f"in (0, 1]")
    receptor_ids = [r.id for r in receptors(read_station_list())]
    if settings["receptor"] not in receptor_ids:
        raise InputError(f"{where}: receptor: {settings['receptor']!r} is not a receptor; choose one of: "
                         f"{', '.join(receptor_ids[:9])}, station_CODE")
    categories = []
    if settings["categories"]:
        for n, table in enumerate(settings["categories"]):
            at = f"{where}: categories[{n}]"
            entry = fill_table(table, CATEGORY_KEYS, at)
            if bool(entry["region"]) == bool(entry["regions"]):
                raise InputError(f"{at}: give region (one name) or regions (a list of names), not "
                                 f"{'both' if entry['region'] else 'neither'}")
            if entry["region"]:
                entry["summary"] = [_summary_name(entry["region"], f"{at}.region")]
                entry["regions"] = [entry["region"]]
            else:
                entry["summary"] = []
                for k, name in enumerate(entry["regions"]):
                    if not isinstance(name, str) or not name:
                        raise InputError(f"{at}.regions[{k}]: expected a region name, got {name!r}")
                    entry["summary"].append(_summary_name(name, f"{at}.regions[{k}]"))
                if len(set(entry["regions"])) != len(entry["regions"]):
                    raise InputError(f"{at}.regions: a region is named twice")
                entry["region"] = "+".join(entry["summary"])
            for k, s in enumerate(entry["sectors"]):
                if s not in SECTORS and s not in SECTOR_GROUPS:
                    raise InputError(f"{at}.sectors[{k}]: unknown sector {s!r}; choose one of: {', '.join(SECTORS)}")
            categories.append(entry)
    else:
        summary = {region: _summary_name(region, f"{where}: regions[{n}]")
                   for n, region in enumerate(settings["regions"])}
        for n, s in enumerate(settings["sectors"]):
            if s not in SECTORS and s not in SECTOR_GROUPS:
                raise InputError(f"{where}: sectors[{n}]: unknown sector {s!r}; choose one of: {', '.join(SECTORS)}")
        categories = [{"name": f"{r}.{s}", "region": r, "regions": [r], "summary": [summary[r]], "sectors": [s],
                       "source_ids": []}
                      for r in settings["regions"] for s in settings["sectors"]]
    names = [c["name"] for c in categories]
    if len(set(names)) != len(names):
        raise InputError(f"{where}: categories: a name is used twice")
    return Ranking(path, settings, base, projection, categories)


def _controls(category: dict, reduction: float) -> list[dict]:
    """The category's cut: one control per region."""
    out = []
    for region in category["regions"]:
        entry = {"name": f"rank: {category['name']} cut {100 * reduction:g} %", "region": region,
                 "reduction": float(reduction)}
        if category["sectors"]:
            entry["sectors"] = list(category["sectors"])
        if category["source_ids"]:
            entry["source_ids"] = list(category["source_ids"])
        out.append(entry)
    return out


def _toml(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value))
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def ensemble_text(ranking: Ranking) -> str:
    """The ensemble file the ranking runs: base, one member per category, all categories together."""
    s = ranking.settings
    lines = [f"description = {_toml('ranking: ' + (s['description'] or str(ranking.path)))}",
             f"base = {_toml(str(ranking.base))}", f"overrides = {_toml(s['overrides'])}", "",
             "[analysis]", f"spinup_hours = {_toml(s['spinup_hours'])}", f"metrics = {_toml(s['metrics'])}",
             "daily = false"]
    for c in ranking.categories:
        lines += ["", "[[members]]", f"name = {_toml('cat.' + c['name'])}",
                  f"controls = {_toml(_controls(c, s['reduction']))}"]
    lines += ["", "[[members]]", 'name = "together"',
              f"controls = {_toml([e for c in ranking.categories for e in _controls(c, s['reduction'])])}"]
    return "\n".join(lines) + "\n"


# --- the emissions side: growth and abatement ------------------------------------------------------------------------
def _category_tonnes(rows: list[dict], category: dict) -> np.ndarray:
    out = np.zeros(len(POLLUTANTS))
    sectors = summary_sectors(category["sectors"] or SECTORS)  # each tonne once (industry: its group row)
    for r in rows:
        if r["region"] in category["summary"] and r["sector"] in sectors:
            out[POLLUTANTS.index(r["pollutant"])] += r["after_t"]
    return out


def in_turn(tonnes: np.ndarray, offers: list) -> tuple[np.ndarray, float]:
    """Measures applied one after another to a category's ``tonnes`` [pollutant]: each offer is (tonnes it removes
    acting alone [pollutant], its cost acting alone in yuan). Each removes the same fraction of what the earlier ones
    left as it would alone. It is paid its stand-alone cost times the largest share still left of a pollutant it
    removes: a measure is built wherever any of its pollutants is left (coal to electricity after coal to gas, which
    has a cited efficiency for SO2 only, is paid in full for the PM2.5 it removes), and a measure with nothing left
    to act on costs nothing (two measures that each remove all of one pollutant cost the first one's price).
    Returns (tonnes left, yuan)."""
    left = np.asarray(tonnes, dtype=float).copy()
    cost = 0.0
    for removed, alone in offers:
        acts = (tonnes > 0) & (removed > 0)
        if not np.any(acts):
            continue
        fraction = np.zeros_like(left)
        fraction[acts] = np.clip(removed[acts] / tonnes[acts], 0.0, 1.0)
        cost += float(alone) * float(np.max(left[acts] / tonnes[acts]))
        left = left * (1.0 - fraction)
    return left, cost


def ranked(measure) -> bool:
    """Whether the ranking offers a measure: sector-wide, or a subset measure with a cited applicable share."""
    return measure.scope == "sector" or bool(measure.applicable_share)


def emissions_side(ranking: Ranking) -> dict:
    """{category name: {'tonnes', 'growth', 'measures', 'removable_share', 'cost_yuan'}} (module docstring)."""
    def inventory(raw_or_path, extra=()):
        scenario, section, controls, base = load_for_inventory(raw_or_path, ranking.settings["overrides"])
        # a nested scenario: its parent's grid, where the parent's provinces lie
        domain = parent_domain(scenario.data) if scenario.data.get("parent") else scenario["domain"]
        inv = Inventory(section, list(controls) + list(extra), build_grid(domain), base, scenario.start)
        return scenario, inv

    def year(inv):
        return inv.clock.utc(datetime(inv.year, 1, 1)), inv.clock.utc(datetime(inv.year + 1, 1, 1))

    _, base_inv = inventory(ranking.base)
    start, end = year(base_inv)
    base_rows = summary_rows(base_inv, start, end)
    _, proj_inv = inventory(ranking.projection)
    proj_rows = summary_rows(proj_inv, *year(proj_inv))
    out = {}
    for c in ranking.categories:
        sectors = expand_sectors(c["sectors"] or SECTORS)
        extra, measures = [], []
        for m in catalogue().values():
            if expand_sectors([m.sector]) <= sectors and ranked(m) and any(p in m.efficiency for p in POLLUTANTS):
                entries = []
                for region in c["regions"]:
                    entry = {"name": f"{c['name']}: {m.id}", "measure": m.id, "region": region,
                             "sectors": [m.sector]}
                    if c["source_ids"]:
                        entry["source_ids"] = list(c["source_ids"])
                    entries.append(entry)
                extra.append(entries)
                measures.append(m)
        tonnes = _category_tonnes(base_rows, c)
        grown = _category_tonnes(proj_rows, c)
        growth = {p: (grown[POLLUTANTS.index(p)] / tonnes[POLLUTANTS.index(p)]) if tonnes[POLLUTANTS.index(p)] > 0
                  else float("nan") for p in GROWTH_POLLUTANTS}
        info = {"tonnes": tonnes, "growth": growth, "measures": [], "removable_share": 0.0, "cost_yuan": 0.0}
        if extra:
            flat = [e for entries in extra for e in entries]
            _, inv = inventory(ranking.base, flat)
            first = len(inv.controls) - len(flat)
            alone = standalone_abatement(inv, start, end)
            mass = sum(tonnes[POLLUTANTS.index(p)] for p in SHARE_POLLUTANTS)
            left = tonnes.copy()
            offers = []
            k0 = first
            for m, entries in zip(measures, extra):
                # the measure in each of the category's regions, acting alone on all of its sector: their sum, cut
                # to the part of the sector it applies to (a subset measure's applicable share) and priced
                removed, cost = applicable_abatement(m, sum(alone[k][0] for k in range(k0, k0 + len(entries))))
                k0 += len(entries)
                share = sum(removed[POLLUTANTS.index(p)] for p in SHARE_POLLUTANTS) / mass if mass > 0 else 0.0
                offers.append((m, removed, cost, share))
            # cheapest per unit of mass removed first; each acts on what the earlier ones left (multiplicative)
            priced = sorted((o for o in offers if np.isfinite(o[2]) and o[3] > 0), key=lambda o: o[2] / o[3])
            left, info["cost_yuan"] = in_turn(tonnes, [(removed, cost) for _, removed, cost, _ in priced])
            if priced and mass > 0:
                info["removable_share"] = 1.0 - sum(left[POLLUTANTS.index(p)] for p in SHARE_POLLUTANTS) / mass
            info["measures"] = [(m.id, float(share), float(cost)) for m, _, cost, share in offers]
        out[c["name"]] = info
    return out


# --- the air-quality side --------------------------------------------------------------------------------------------
def contribution_table(ranking: Ranking, values: dict) -> list[dict]:
    """Rows per category and metric at the receptor: base, cut, contribution, percent of the base; and a row
    ``together`` with the sum of the contributions and the non-linearity. ``values``: {member: member_values}."""
    s = ranking.settings
    r, receptor = s["reduction"], s["receptor"]
    rows = []
    for metric in s["metrics"]:
        key_ = (metric, receptor, "all")
        base = values["base"][key_]
        units = values["base"].get("units", {}).get(metric, "")
        total = 0.0
        for c in ranking.categories:
            cut = values[f"cat.{c['name']}"][key_]
            contribution = (base - cut) / r
            total += contribution
            rows.append({"category": c["name"], "metric": metric, "units": units, "base": base, "cut": cut,
                         "contribution": contribution, "percent_of_base": 100.0 * contribution / base if base else
                         float("nan")})
        together = (base - values["together"][key_]) / r
        rows.append({"category": "together", "metric": metric, "units": units, "base": base,
                     "cut": values["together"][key_],
                     "contribution": together, "sum_of_contributions": total, "non_linearity": total - together,
                     "non_linearity_percent": 100.0 * (total - together) / together if together else float("nan")})
    return rows


def read_health(path) -> dict:
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in HEALTH_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(HEALTH_COLUMNS)}")
            out = {}
            for n, row in enumerate(reader):
                for column in ("avoided_deaths", "value_yuan"):
                    try:
                        value = float(row[column])
                    except (TypeError, ValueError):
                        raise InputError(f"{path}, line {n + 2}: column {column}: {row[column]!r} is not a number") \
                            from None
                    if not np.isfinite(value):
                        raise InputError(f"{path}, line {n + 2}: column {column}: {row[column]!r} is not finite")
                out[row["category"]] = {"avoided_deaths": float(row["avoided_deaths"]),
                                        "value_yuan": float(row["value_yuan"])}
            return out
    except OSError as exc:
        raise InputError(f"{path}: cannot read the health result ({exc.strerror})") from None


RANKING_COLUMNS = ("rank", "category", "region", "sectors", "metric", "units", "contribution", "percent_of_base",
                   "growth_PM2.5", "growth_SO2", "growth_NOx", "growth_NMVOC", "growth_NH3", "measures",
                   "removable_share", "cost_yuan_per_year", "exposure_gain", "exposure_gain_per_million_yuan",
                   "avoided_deaths", "value_yuan", "avoided_deaths_by_measures", "deaths_per_million_yuan",
                   "benefit_cost_ratio")


def outside_share(outer: xr.Dataset, inner: xr.Dataset) -> np.ndarray:
    """The share of each cell of ``outer`` (lat, lon) that lies outside the lon-lat box of ``inner``'s grid (its
    cells' bounds): 1 outside, 0 inside, the uncovered fraction of a cell the inner edge cuts."""
    for ds, role in ((outer, "parent domain"), (inner, "inner domain")):
        frame_of(ds, f"health from members: the {role}'s file {ds.attrs.get('_path', '')}")  # bounds, regular
    lon_b, lat_b = np.asarray(outer["lon_bnds"], float), np.asarray(outer["lat_bnds"], float)
    ilon, ilat = np.asarray(inner["lon_bnds"], float), np.asarray(inner["lat_bnds"], float)
    tol = 1e-9
    if (ilon.min() < lon_b.min() - tol or ilon.max() > lon_b.max() + tol or ilat.min() < lat_b.min() - tol
            or ilat.max() > lat_b.max() + tol):
        raise InputError(f"health from members: the inner domain ({ilon.min():g}-{ilon.max():g} E, "
                         f"{ilat.min():g}-{ilat.max():g} N) does not lie inside the parent's grid "
                         f"({lon_b.min():g}-{lon_b.max():g} E, {lat_b.min():g}-{lat_b.max():g} N)")

    def covered(bounds, lo, hi):
        return np.clip(np.minimum(bounds[:, 1], hi) - np.maximum(bounds[:, 0], lo), 0.0, None) / (
            bounds[:, 1] - bounds[:, 0])

    inside = np.outer(covered(lat_b, ilat.min(), ilat.max()), covered(lon_b, ilon.min(), ilon.max()))
    # the two grids' edges are each origin + k x resolution: where they coincide they agree only to rounding
    whole = np.round(inside)
    inside = np.where(np.abs(inside - whole) < 1e-9, whole, inside)
    return np.clip(1.0 - inside, 0.0, 1.0)


def _long_term(ds: xr.Dataset) -> tuple[float, float]:
    """Long-term avoided deaths a year and their value, central, over everyone counted (region 'domain')."""
    long_term = ds["outcome_term"].values == "long"
    where = dict(region="domain", statistic="central")
    return (float(np.sum(ds["avoided_deaths"].sel(**where).values[long_term])),
            float(np.sum(ds["value"].sel(**where).values[long_term])))


def health_from_members(ranking: Ranking, files: dict) -> dict:
    """{category: {'avoided_deaths', 'value_yuan'}} from ``airmodel health`` of each category's member against the
    base member (``files``: {member name: path}): the long-term outcomes (avoided deaths a year, annualised, and their
    value), central estimate, over the people of the domain, after the spin-up; scaled by 1/reduction like the
    contributions, so that they are the health result of removing the whole category (the linear estimate that
    the ranking multiplies by the removable share). Members of a nested run count the people of the parent domain
    too: those of the inner domain from its file, those of the parent outside it from the parent's file
    (``outside_share``), so that a category of the provinces around greater Beijing is credited with the deaths it
    causes where it lies."""
    r, spinup = ranking.settings["reduction"], ranking.settings["spinup_hours"]
    # the parent domain is the base scenario's (a file of an earlier nested ranking in the folder is not counted)
    nested = load_scenario(ranking.base, ranking.settings["overrides"]).data.get("parent")
    parent = nested["name"] if nested else None

    def parent_file(member: str) -> Path:
        path = domain_output(files[member], parent)
        if not path.is_file():
            raise InputError(f"health from members: member {member!r} of the nested base has no parent file "
                             f"{path}; rerun the ranking with --force")
        return path

    with open_run(files["base"], "base") as base:
        start = None
        if spinup > 0:
            # the first whole local day after the spin-up (health periods are local days)
            days = local_days(hour_starts(base))
            k = int(np.ceil(spinup))
            if k >= days.size:
                raise InputError(f"{ranking.path}: spinup_hours = {spinup:g} leaves no hour of the members for "
                                 "health")
            start = str(days[k] if days[k] != days[k - 1] else days[k] + np.timedelta64(1, "D"))
        options = HealthOptions(draws=100, seed=0, start=start)
        parent_base = open_run(parent_file("base"), "base") if parent else None
        try:
            weight = outside_share(parent_base, base) if parent else None
            out = {}
            for c in ranking.categories:
                member = f"cat.{c['name']}"
                with open_run(files[member], "case") as case:
                    deaths, value = _long_term(health_impacts(base, case, None, options))
                if parent:
                    with open_run(parent_file(member), "case") as case:
                        d, v = _long_term(health_impacts(parent_base, case, None, options, people_weight=weight))
                    deaths, value = deaths + d, value + v
                out[c["name"]] = {"avoided_deaths": deaths / r, "value_yuan": value / r}
            return out
        finally:
            if parent_base is not None:
                parent_base.close()


def ranking_rows(ranking: Ranking, contributions: list[dict], emissions: dict, health: dict | None) -> list[dict]:
    """The ranking table: one row per category (the first metric's contribution), ranked (module docstring)."""
    metric = ranking.settings["metrics"][0]
    by = {r["category"]: r for r in contributions if r["metric"] == metric}
    rows = []
    for c in ranking.categories:
        e = emissions[c["name"]]
        con = by[c["name"]]
        gain = con["contribution"] * e["removable_share"]
        cost = e["cost_yuan"]
        row = {"category": c["name"], "region": c["region"], "sectors": "+".join(c["sectors"]) or "all",
               "metric": metric, "units": con.get("units", ""), "contribution": con["contribution"],
               "percent_of_base": con["percent_of_base"],
               "measures": "; ".join(f"{mid} ({100 * share:.0f} %, {cost_ / 1e6:.3g} M yuan)" if np.isfinite(cost_)
                                     else f"{mid} ({100 * share:.0f} %, no cited cost)"
                                     for mid, share, cost_ in e["measures"]),
               "removable_share": e["removable_share"], "cost_yuan_per_year": cost,
               "exposure_gain": gain,
               "exposure_gain_per_million_yuan": gain / (cost / 1e6) if cost > 0 else float("nan")}
        for p in GROWTH_POLLUTANTS:
            row[f"growth_{p}"] = e["growth"][p]
        if health is not None:
            h = health.get(c["name"])
            if h is None:
                raise InputError(f"health result: no row for category {c['name']!r}; it needs one per category: "
                                 f"{', '.join(x['name'] for x in ranking.categories)}")
            deaths = h["avoided_deaths"] * e["removable_share"]
            value = h["value_yuan"] * e["removable_share"]
            row.update({"avoided_deaths": h["avoided_deaths"], "value_yuan": h["value_yuan"],
                        "avoided_deaths_by_measures": deaths,
                        "deaths_per_million_yuan": deaths / (cost / 1e6) if cost > 0 else float("nan"),
                        "benefit_cost_ratio": value / cost if cost > 0 else float("nan")})
        rows.append(row)
    order = "deaths_per_million_yuan" if health is not None else "exposure_gain_per_million_yuan"
    rows.sort(key=lambda r: -r[order] if np.isfinite(r[order]) else np.inf)
    for n, r in enumerate(rows):
        r["rank"] = n + 1
    return rows


def _fmt(v) -> str:
    if isinstance(v, str):
        return v
    if v is None or not np.isfinite(v):
        return "n/a"
    return f"{v:.3g}"


def ranking_markdown(ranking: Ranking, rows: list[dict], contributions: list[dict], wall_s: float,
                     reused: int = 0) -> str:
    """``reused``: members whose complete output from an earlier run was kept (not in the wall time)."""
    s = ranking.settings
    kept = (f" ({reused} member{'s' if reused != 1 else ''} kept complete from an earlier run of this ranking, "
            f"not counted)") if reused else ""
    lines = [f"# Ranking of source categories: {s['description'] or ranking.path}", "",
             f"Base `{ranking.base}`, growth from `{ranking.projection}`; cut depth {100 * s['reduction']:g} % "
             f"(contributions scaled by 1/{s['reduction']:g}); receptor `{s['receptor']}`; spin-up "
             f"{s['spinup_hours']:g} h. Ensemble wall time {wall_s:.0f} s{kept}.", "",
             "| rank | category | contribution | % of base | growth PM2.5 / NOx / SO2 | removable share | cost "
             "(M yuan/yr) | exposure gain per M yuan | deaths per M yuan |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['rank']} | {r['category']} | {_fmt(r['contribution'])} | {_fmt(r['percent_of_base'])} | "
                     f"{_fmt(r['growth_PM2.5'])} / {_fmt(r['growth_NOx'])} / {_fmt(r['growth_SO2'])} | "
                     f"{_fmt(r['removable_share'])} | {_fmt(r['cost_yuan_per_year'] / 1e6)} | "
                     f"{_fmt(r['exposure_gain_per_million_yuan'])} | {_fmt(r.get('deaths_per_million_yuan'))} |")
    lines += ["", "## Contributions and their non-linearity", "",
              "| metric | category | contribution | sum of contributions | non-linearity | non-linearity % |",
              "|---|---|---|---|---|---|"]
    for c in contributions:
        lines.append(f"| {c['metric']} | {c['category']} | {_fmt(c['contribution'])} | "
                     f"{_fmt(c.get('sum_of_contributions', float('nan')))} | "
                     f"{_fmt(c.get('non_linearity', float('nan')))} | "
                     f"{_fmt(c.get('non_linearity_percent', float('nan')))} |")
    return "\n".join(lines) + "\n"


def plot_ranking(rows: list[dict], path: Path) -> Path:
    plt = pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 0.35 * len(rows) + 1.8), sharey=True)
    labels = [r["category"] for r in rows][::-1]
    a.barh(labels, [r["contribution"] for r in rows][::-1], color="tab:blue")
    a.set_xlabel(f"contribution to {rows[0]['metric']} ({rows[0].get('units') or 'its units'})")
    b.barh(labels, [np.nan_to_num(r["exposure_gain_per_million_yuan"]) for r in rows][::-1], color="tab:green")
    b.set_xlabel("exposure gain per million yuan a year")
    fig.suptitle("Source categories, ranked (top first)")
    fig.tight_layout()
    return save_figure_atomic(fig, path, force=True, close=True, dpi=110)


# --- the command --------------------------------------------------------------------------------------------------
def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(COMMAND, help="rank source categories by contribution, growth, abatement and cost",
                              description="Brute-force contributions of source categories (sector x region) on the "
                                          "ensemble machinery, their growth, the catalogue's abatement and its cost, "
                                          "ranked; health columns from --health.")
    p.add_argument("ranking", help="ranking TOML file")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for the members and tables")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="LocalCluster worker processes")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a running dask scheduler")
    p.add_argument("--health", metavar="HEALTH.csv", help="health result per category: category, avoided_deaths, "
                                                          "value_yuan")
    p.add_argument("--health-from-members", action="store_true",
                   help="compute the health result of each category from its member against the base "
                        "(airmodel health: long-term avoided deaths a year and their value, central estimate, over "
                        "the domain's people and, for a nested run, the parent's outside it, scaled by "
                        "1/reduction); not with --health")
    p.add_argument("--force", action="store_true", help="recompute every member")
    return p


def command(args) -> int:
    from distributed import Client

    ranking = load_ranking(args.ranking)
    if args.health and args.health_from_members:
        raise InputError("--health and --health-from-members: give one of them")
    health = read_health(args.health) if args.health else None
    if health is not None:
        missing = [c["name"] for c in ranking.categories if c["name"] not in health]
        if missing:
            raise InputError(f"{args.health}: no row for categor{'y' if len(missing) == 1 else 'ies'} "
                             f"{', '.join(missing)}")
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers {args.workers}: give at least 1")
    out_dir = Path(args.output)
    if not out_dir.parent.is_dir():
        raise InputError(f"{out_dir}: the folder {out_dir.parent} does not exist")
    emissions = emissions_side(ranking)  # checks the catalogue and both inventories before any run
    out_dir.mkdir(exist_ok=True)
    ens_path = write_text_atomic(out_dir / "ranking_ensemble.toml", ensemble_text(ranking), force=True)
    ensemble = load_ensemble(ens_path)
    status = plan(ensemble, out_dir, args.force)
    refuse_different(status, out_dir)
    t0 = wallclock.perf_counter()
    if any(s["status"] == "to run" for s in status.values()):
        logging.getLogger("distributed").setLevel(logging.WARNING)
        cluster = None
        if args.scheduler:
            client = Client(args.scheduler, timeout="20s")
        else:
            workers = args.workers or usable_cores()
            cluster = local_cluster(workers, max(1, usable_cores() // workers))
            client = Client(cluster)
        try:
            status = run_ensemble(ensemble, out_dir, client, 0, args.force,
                                  command_line_text(["rank", str(args.ranking), "-o", str(out_dir)]))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    wall = wallclock.perf_counter() - t0
    reused = sum(1 for st in status.values() if st["status"] == "complete")
    failed = [n for n, s in status.items() if s["status"] == "failed"]
    if failed:
        log.error("%d members failed: %s; no ranking", len(failed), ", ".join(failed))
        return 1
    stations = read_station_list()
    values = {m.name: member_values(out_dir / m.file, ranking.settings["metrics"], stations,
                                    ranking.settings["spinup_hours"], False, f"{ranking.path}")
              for m in ensemble.members}
    contributions = contribution_table(ranking, values)
    if args.health_from_members:
        health = health_from_members(ranking, {m.name: out_dir / m.file for m in ensemble.members})
    rows = ranking_rows(ranking, contributions, emissions, health)
    for path in (write_csv_atomic(out_dir / "ranking.csv", rows, RANKING_COLUMNS, force=True),
                 write_csv_atomic(out_dir / "contributions.csv", contributions,
                                  ("category", "metric", "units", "base", "cut", "contribution", "percent_of_base",
                                   "sum_of_contributions", "non_linearity", "non_linearity_percent"), force=True),
                 write_text_atomic(out_dir / "ranking.md", ranking_markdown(ranking, rows, contributions, wall, reused),
                                   force=True),
                 plot_ranking(rows, out_dir / "ranking.png")):
        log.info("wrote %s", path)
    log.info("ranking: ensemble wall time %.0f s%s", wall,
             f" ({reused} members kept from an earlier run)" if reused else "")
    return 0
