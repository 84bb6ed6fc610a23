"""Costs of a scenario's measures: tonnes removed per measure, region, sector and pollutant, what they cost in yuan,
cost per tonne, and the CO2 (and CH4) co-benefits; benefit-cost ratios once a health result is supplied.

A measure is a ``[[controls]]`` entry that names a catalogue measure (airmodel/emissions/measures.py). Its tonnes
removed are its credited share of the change in emissions (crediting order: airmodel/emissions/controls.py) over
the period, by region (Beijing, Tianjin, Hebei from the real boundaries, and ``other``) and sector. Its cost over
the period is the sum over its cost rows of the tonnes of that pollutant removed times the cost per tonne, in yuan
of ``PRICE_YEAR``; over a year that is the annualised cost. The cost per tonne of a row is the measure's cost
divided by the tonnes of that row's pollutant; a pollutant without a cost row of its own is removed at no extra
cost (a co-benefit). CO2 is reported like the other pollutants (removed_t < 0 is an increase: a dis-benefit); the
inventory has no CH4, so a CH4 co-benefit is left empty (``ch4_note``).

Rows (``COST_COLUMNS``): one per control with a measure, region (and ``all``), sector (and ``all``) and pollutant:
removed_t; cost_yuan, the part of the cost this pollutant's tonnes carry (tonnes x yuan_per_t, the catalogue's cost
per tonne; 0 for a co-benefit; the cost_yuan of a measure's rows add up to its cost); measure_cost_yuan, the
measure's whole cost in that region and sector, and measure_yuan_per_t, that cost over this pollutant's tonnes (the
all-in cost per tonne). A measure without a cited cost has NaN costs.

Per-tonne costs of permanent technologies applied to a temporary curtailment (the 2008 Olympic output cuts) price
the tonnes as if the technology had removed them; the cost of lost output is not in the catalogue.

``applicable_abatement(measure, tonnes)`` cuts a measure's stand-alone abatement on its whole sector to the part of the
sector it applies to (a subset measure's cited applicable share; airmodel/emissions/measures.py), for rankings.

``benefit_cost(rows, health)`` joins a health result (rows of region, avoided_deaths and value_yuan) to the costs:
the place where benefit-cost ratios take health results; ``health_from_airmodel(path, outcome)`` reads those rows
from the long_term.csv or short_term.csv of ``airmodel health BASE.nc CASE.nc`` (one outcome).
"""
from __future__ import annotations

import copy
import csv
import io
from datetime import datetime
from pathlib import Path

import numpy as np

from .data import resolve_scenario
from .emissions.inventory import Inventory
from .emissions.measures import PRICE_YEAR
from .emissions.quantities import POLLUTANTS, SECTORS
from .emissions.regions import BTH, BTH_REGION, OTHER, SUMMARY_PROVINCES, province_shares
from .emissions.settings import validate_controls, validate_emissions
from .errors import InputError
from .files import write_csv_atomic
from .grid import build_grid
from .scenario import apply_overrides, read_toml, validate

REGIONS = tuple(SUMMARY_PROVINCES.values()) + (OTHER,)
COST_COLUMNS = ("control", "measure", "region", "sector", "pollutant", "period_start", "period_end", "days",
                "removed_t", "cost_yuan", "yuan_per_t", "measure_cost_yuan", "measure_yuan_per_t", "price_year",
                "ch4_note")
HEALTH_COLUMNS = ("region", "avoided_deaths", "value_yuan")


def load_for_inventory(source, overrides: list[str] | None = None, folder: Path | None = None):
    """(Scenario, emissions section, controls, base folder) from a scenario file or dict (a dict's relative paths
    are read from ``folder``, default the current folder).

    The inventory keys and [[controls]] are validated here (settings.py); the rest by airmodel.scenario, so that this
    works whether or not scenario.py knows the inventory keys yet."""
    if isinstance(source, dict):
        raw, name, base = copy.deepcopy(source), "<dict>", Path(folder) if folder else Path.cwd()
    else:
        path = resolve_scenario(source)  # a file, or a ready scenario's name
        raw, name, base = read_toml(path), str(source), path.resolve().parent
    raw = apply_overrides(raw, overrides or [])
    emissions = raw.get("emissions", {})
    controls = raw.get("controls", [])
    inventory_keys = {k: v for k, v in emissions.items() if k != "point"} if isinstance(emissions, dict) else {}
    section = validate_emissions(inventory_keys, f"{name}: emissions")
    checked = validate_controls(controls, f"{name}: controls", float(section["utc_offset_hours"]))
    stripped = {k: v for k, v in raw.items() if k != "controls"}
    if isinstance(emissions, dict):
        stripped["emissions"] = {k: v for k, v in emissions.items() if k == "point"}
    scenario = validate(stripped, name)
    return scenario, section, checked, base


def removed_tonnes(inventory: Inventory, start: datetime, end: datetime) -> dict:
    """{control index: [region, sector, pollutant] tonnes removed over [start, end)} for the controls with a
    measure (regions: REGIONS; sectors and pollutants: the inventory's)."""
    out: dict[int, np.ndarray] = {}
    shares_cache: dict[int, np.ndarray] = {}
    for a, b, active in inventory.states(start, end):
        for n, c in enumerate(inventory.components):
            shares = inventory.control_factors.measure_shares(n, active)
            if not shares:
                continue
            fraction = inventory.window_fraction(c, a, b)
            if fraction == 0.0:
                continue
            if n not in shares_cache:
                if c.province is not None:
                    w = np.zeros((len(REGIONS), c.i.size))
                    w[REGIONS.index(c.province)] = 1.0
                else:
                    sh = province_shares(inventory.frame, c.i, c.j)
                    w = np.array([sh[r] for r in REGIONS])
                shares_cache[n] = w
            w = shares_cache[n]
            base = c.amounts[:, None] * c.weight[None, :] * fraction  # kg [pollutant, cell]
            s = SECTORS.index(c.sector)
            for index, share in shares.items():
                acc = out.setdefault(index, np.zeros((len(REGIONS), len(SECTORS), len(POLLUTANTS))))
                acc[:, s, :] += w @ (base * share).T / 1e3
    return out


def cost_rows(inventory: Inventory, start: datetime, end: datetime) -> list[dict]:
    """The cost table (module docstring) for an Inventory over [start, end)."""
    removed = removed_tonnes(inventory, start, end)
    days = (end - start).total_seconds() / 86400.0
    fmt = "%Y-%m-%dT%H:%M"
    period = (inventory.clock.local(start).strftime(fmt), inventory.clock.local(end).strftime(fmt))
    rows = []
    for control in inventory.controls:
        if control.measure is None:
            continue
        m = control.measure
        t = removed.get(control.index, np.zeros((len(REGIONS), len(SECTORS), len(POLLUTANTS))))
        prices = m.cost_per_t()
        for region in REGIONS + ("all",):
            rsel = slice(None) if region == "all" else slice(REGIONS.index(region), REGIONS.index(region) + 1)
            for sector in SECTORS + ("all",):
                ssel = slice(None) if sector == "all" else slice(SECTORS.index(sector), SECTORS.index(sector) + 1)
                tonnes = t[rsel, ssel, :].sum(axis=(0, 1))
                if not np.any(tonnes != 0.0):
                    continue
                cost = sum(tonnes[POLLUTANTS.index(p)] * v for p, v in prices.items() if p in POLLUTANTS)
                if not m.has_cost:
                    cost = float("nan")
                for k, p in enumerate(POLLUTANTS):
                    if tonnes[k] == 0.0:
                        continue
                    price = prices.get(p, 0.0) if m.has_cost else float("nan")
                    rows.append({"control": control.label(), "measure": m.id, "region": region, "sector": sector,
                                 "pollutant": p, "period_start": period[0], "period_end": period[1], "days": days,
                                 "removed_t": float(tonnes[k]), "cost_yuan": float(tonnes[k] * price),
                                 "yuan_per_t": float(price), "measure_cost_yuan": float(cost),
                                 "measure_yuan_per_t": float(cost / tonnes[k]), "price_year": PRICE_YEAR,
                                 "ch4_note": ""})
                if "CH4" in m.efficiency:
                    rows.append({"control": control.label(), "measure": m.id, "region": region, "sector": sector,
                                 "pollutant": "CH4", "period_start": period[0], "period_end": period[1],
                                 "days": days, "removed_t": float("nan"), "cost_yuan": float("nan"),
                                 "yuan_per_t": float("nan"), "measure_cost_yuan": float("nan"),
                                 "measure_yuan_per_t": float("nan"), "price_year": PRICE_YEAR,
                                 "ch4_note": "the inventory has no CH4"})
    return rows


def has_measures(raw: dict) -> bool:
    """Whether a scenario dictionary has a [[controls]] entry that names a catalogue measure."""
    controls = raw.get("controls", [])
    return isinstance(controls, list) and any(isinstance(c, dict) and c.get("measure") for c in controls)


def scenario_costs(source, period: tuple[datetime, datetime] | None = None,
                   overrides: list[str] | None = None, folder: Path | None = None) -> list[dict]:
    """Cost rows of a scenario (file, ready name or dict) over ``period`` (UTC; default: its run)."""
    scenario, section, controls, base = load_for_inventory(source, overrides, folder)
    inventory = Inventory(section, controls, build_grid(scenario["domain"]), base, scenario.start)
    start, end = period if period is not None else (scenario.start, scenario.end)
    return cost_rows(inventory, start, end)


def totals(rows: list[dict]) -> list[dict]:
    """Per control (all regions and sectors): cost and tonnes of each pollutant, and cost per tonne."""
    out = [r for r in rows if r["region"] == "all" and r["sector"] == "all"]
    return out


def format_costs(rows: list[dict]) -> str:
    """A Markdown table of the per-measure totals (all regions and sectors)."""
    if not rows:
        return "(no control names a catalogue measure)\n"
    out = io.StringIO()
    first = rows[0]
    out.write(f"Costs of the measures, {first['period_start']} .. {first['period_end']} local time "
              f"({first['days']:g} days), yuan of {PRICE_YEAR}\n\n")
    out.write("| control | measure | pollutant | removed (t) | cost carried (yuan) | yuan per t | measure's all-in "
              "yuan per t |\n|---|---|---|---|---|---|---|\n")
    for r in totals(rows):
        out.write(f"| {r['control']} | {r['measure']} | {r['pollutant']} | {_fmt(r['removed_t'])} | "
                  f"{_fmt(r['cost_yuan'])} | {_fmt(r['yuan_per_t'])} | {_fmt(r['measure_yuan_per_t'])} |\n")
    grand = sum_costs(rows)
    out.write(f"\nTotal cost of the priced measures: {_fmt(grand)} yuan ({PRICE_YEAR} prices)\n")
    return out.getvalue()


def sum_costs(rows: list[dict]) -> float:
    """Total cost of the priced measures: the sum of cost_yuan over the all-region, all-sector rows."""
    return float(sum(r["cost_yuan"] for r in totals(rows) if np.isfinite(r["cost_yuan"])))


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def write_costs(rows: list[dict], path, force: bool = False) -> Path:
    return write_csv_atomic(path, rows, COST_COLUMNS, force, lineterminator="\n",
                            cell=lambda v: f"{v:.10g}" if isinstance(v, float) else v)


def benefit_cost(rows: list[dict], health: list[dict]) -> list[dict]:
    """Benefit-cost ratios: the health result (rows with HEALTH_COLUMNS: region, avoided_deaths, value_yuan, from
    two runs, the scenario against its base) over the measures' cost in each region (and ``all``).

    Returns rows of region, cost_yuan, avoided_deaths, value_yuan, benefit_cost_ratio (value / cost) and
    avoided_deaths_per_million_yuan. Regions without priced measures get NaN ratios."""
    for n, h in enumerate(health):
        missing = [c for c in HEALTH_COLUMNS if c not in h]
        if missing:
            raise InputError(f"health result, row {n + 1}: missing column(s) {', '.join(missing)}; expected "
                             f"{', '.join(HEALTH_COLUMNS)}")
    cost: dict[str, float] = {}
    for r in rows:
        if r["sector"] == "all" and np.isfinite(r["cost_yuan"]):
            cost[r["region"]] = cost.get(r["region"], 0.0) + r["cost_yuan"]
    # the health result's sum of the three provinces
    cost[BTH_REGION] = sum(cost.get(SUMMARY_PROVINCES[code], 0.0) for code in BTH)
    out = []
    for h in health:
        region = h["region"]
        c = cost.get(region, 0.0)
        deaths, value = float(h["avoided_deaths"]), float(h["value_yuan"])
        out.append({"region": region, "cost_yuan": c, "avoided_deaths": deaths, "value_yuan": value,
                    "benefit_cost_ratio": value / c if c > 0 else float("nan"),
                    "avoided_deaths_per_million_yuan": deaths / (c / 1e6) if c > 0 else float("nan")})
    return out


def standalone_abatement(inventory: Inventory, start: datetime, end: datetime) -> dict:
    """{control index: (tonnes removed [pollutant], cost in yuan)} of each control with a measure acting alone (every
    other control off) over [start, end): the abatement each measure offers by itself, for rankings."""
    out = {}
    for control in inventory.controls:
        if control.measure is None:
            continue
        tonnes = np.zeros(len(POLLUTANTS))
        active = frozenset({control.index})
        for n, c in enumerate(inventory.components):
            shares = inventory.control_factors.measure_shares(n, active)
            if control.index not in shares:
                continue
            fraction = inventory.window_fraction(c, start, end)
            tonnes += (c.amounts[:, None] * c.weight[None, :] * shares[control.index]).sum(axis=1) * fraction / 1e3
        out[control.index] = (tonnes, _priced(control.measure, tonnes))
    return out


def _priced(measure, tonnes: np.ndarray) -> float:
    """What removing ``tonnes`` [pollutant] costs at the measure's prices (yuan of PRICE_YEAR; NaN without a cited
    cost): the tonnes of each pollutant with a cost row times its cost per tonne."""
    if not measure.has_cost:
        return float("nan")
    return float(sum(tonnes[POLLUTANTS.index(p)] * v for p, v in measure.cost_per_t().items() if p in POLLUTANTS))


def applicable_abatement(measure, tonnes: np.ndarray) -> tuple[np.ndarray, float]:
    """A measure's abatement on the part of its sector it applies to: ``tonnes`` [pollutant], what it removes acting
    on all of the sector (standalone_abatement), times the fraction of each pollutant it can act on
    (Measure.applicable_fractions: 1 for a sector-wide measure, the cited applicable share for a subset measure), and
    what those tonnes cost. Returns (tonnes removed [pollutant], yuan)."""
    removed = np.asarray(tonnes, dtype=float) * measure.applicable_fractions()
    return removed, _priced(measure, removed)


def health_from_airmodel(path, outcome: str) -> list[dict]:
    """The health rows ``benefit_cost`` takes, from a table of ``airmodel health`` (its ``long_term.csv`` or
    ``short_term.csv``: region, outcome, deaths_central, value_yuan_central, ...): the central avoided deaths and
    value of one ``outcome`` (outcomes overlap, e.g. all causes and a cause within them, so they are not summed)
    by region, with the health table's ``domain`` as the costs' ``all``."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the health table ({exc.strerror})") from None
    need = ("region", "outcome", "deaths_central", "value_yuan_central")
    if rows and any(c not in rows[0] for c in need):
        raise InputError(f"{path}: not a table of airmodel health; it needs the columns {', '.join(need)}")
    chosen = [r for r in rows if r["outcome"] == outcome]
    if not chosen:
        have = ", ".join(dict.fromkeys(r["outcome"] for r in rows)) or "(none)"
        raise InputError(f"{path}: no outcome {outcome!r}; it has: {have}")
    out = []
    for n, r in enumerate(chosen):
        try:
            deaths, value = float(r["deaths_central"]), float(r["value_yuan_central"])
        except ValueError:
            raise InputError(f"{path}, row {n + 1} of {outcome!r}: deaths_central or value_yuan_central is not a "
                             f"number") from None
        out.append({"region": "all" if r["region"] == "domain" else r["region"], "avoided_deaths": deaths,
                    "value_yuan": value})
    return out
