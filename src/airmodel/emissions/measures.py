"""The measures catalogue: what a control technology or policy removes, where it applies, and what it costs.

The catalogue is data (``airmodel/data/measures/``, every number cited in ``airmodel/data/SOURCES.md``):

- ``measures.csv``: one row per measure: ``id``, ``name``, ``sector`` (one of the inventory's sectors), ``activity``
  and ``applicability`` (what it acts on and its limits, in words), ``scope`` (``sector``: it can act on all of its
  sector's emissions, as ultra-low emission on coal power; ``subset``: only on part of them, as yellow-label
  retirement on one class of vehicles, which a scenario must select), the removal efficiency of each of SO2, NOx,
  PM2.5, PM10, NMVOC, NH3, CO, CO2 and CH4 (a fraction; empty where the measure does not act on it or no cited
  number exists), and ``source``. Efficiencies of the air pollutants lie in [0, 1]; those of the climate gases CO2
  and CH4 in [-1, 1]: a negative efficiency is an increase (a dis-benefit).
- ``costs.csv``: the costs, one row per measure and the pollutant whose tonnes removed carry the cost: ``basis``
  ``per_tonne`` (``cost_per_t``, the published cost per tonne removed) or ``annualised`` (``capital`` per
  ``unit``, ``operating_per_year`` and ``removed_t_per_year`` of that unit, annualised with ``discount_rate`` and
  ``lifetime_years``: cost per tonne = (capital x CRF + operating) / removed, CRF = r / (1 - (1 + r)^-n)), with the
  ``currency`` (CNY, USD, HKD) and ``cost_year``. A measure's cost is the sum over its rows of the tonnes of that
  pollutant removed times the cost per tonne; the pollutants without a cost row are co-benefits at no extra cost.
  A measure without cost rows has no cited cost: it can be applied, its cost is reported as unknown.
- ``shares.csv``: the applicable share of a ``subset`` measure, one row per measure and pollutant: ``share``, the
  fraction of its sector's emissions of that pollutant that the measure can act on (e.g. the yellow-label vehicles'
  share of on-road NOx), with the ``year`` and ``area`` the number is for and its ``source``. Only subset measures
  have shares (a sector-wide measure acts on all of its sector), only for pollutants the measure has an efficiency
  for, and a measure with shares has one for each pollutant that carries its cost. The shares serve rankings
  (airmodel/rank.py: a subset measure removes share x efficiency of its sector there); a scenario's control selects
  the subset itself (sectors, sources, vehicle classes) and is not scaled by them. A subset measure without a cited
  share is left out of rankings.
- ``prices.csv``: China's consumer price index (previous year = 100) and the annual mean exchange rates, to express
  every cost in yuan of ``PRICE_YEAR``: convert at the cost year's exchange rate, then inflate with the CPI.

The inventory has BC and OC but the catalogue does not list them: they are parts of PM2.5 and follow its efficiency.
The inventory has no CH4: a CH4 efficiency is reported in the catalogue but acts on nothing in a scenario.

A bad catalogue (a missing column, a bad number, an efficiency out of range, a cost that is not positive, a row
without a source, a cost row of an unknown measure) raises InputError naming the file, line, column and value.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..data import data_path
from ..errors import InputError
from .components import N_POLLUTANTS
from .quantities import POLLUTANTS, SECTORS

#: The pollutants the catalogue gives efficiencies for (CH4 is not an inventory pollutant).
CATALOGUE_POLLUTANTS = ("SO2", "NOx", "PM2.5", "PM10", "NMVOC", "NH3", "CO", "CO2", "CH4")
#: Climate gases: their efficiency may be negative (the measure increases them).
CLIMATE_GASES = ("CO2", "CH4")
#: Inventory pollutants that take the efficiency of another (parts of PM2.5).
FOLLOWS = {"BC": "PM2.5", "OC": "PM2.5"}
#: Costs are expressed in yuan (CNY) of this year's prices.
PRICE_YEAR = 2015
CURRENCIES = ("CNY", "USD", "HKD")
BASES = ("per_tonne", "annualised")

SCOPES = ("sector", "subset")
MEASURE_COLUMNS = ("id", "name", "sector", "activity", "applicability", "scope") + CATALOGUE_POLLUTANTS + ("source",)
COST_COLUMNS = ("measure", "pollutant", "basis", "cost_per_t", "capital", "operating_per_year", "removed_t_per_year",
                "unit", "discount_rate", "lifetime_years", "currency", "cost_year", "source")
SHARE_COLUMNS = ("measure", "pollutant", "share", "year", "area", "source")
PRICE_COLUMNS = ("year", "cpi_previous_year_100", "cny_per_usd", "cny_per_hkd")


@dataclass(frozen=True)
class CostItem:
    pollutant: str
    basis: str
    yuan_per_t: float  # in yuan of PRICE_YEAR
    original: str  # the cost as published, for tables: "44600 CNY/t (2015)"
    discount_rate: float | None
    lifetime_years: float | None
    source: str


@dataclass(frozen=True)
class Measure:
    id: str
    name: str
    sector: str
    activity: str
    applicability: str
    scope: str
    efficiency: dict  # catalogue pollutant -> fraction (only those given)
    source: str
    origin: str  # file and line
    costs: tuple = field(default=())  # CostItem
    applicable_share: dict = field(default_factory=dict)  # catalogue pollutant -> fraction (subset measures, cited)

    def inventory_efficiencies(self) -> np.ndarray:
        """[N_POLLUTANTS] removal fractions on the inventory's pollutants (NaN where the measure does not act)."""
        out = np.full(N_POLLUTANTS, np.nan)
        for n, p in enumerate(POLLUTANTS):
            q = FOLLOWS.get(p, p)
            if q in self.efficiency:
                out[n] = self.efficiency[q]
        return out

    def applicable_fractions(self) -> np.ndarray:
        """[N_POLLUTANTS] the fraction of its sector's emissions of each inventory pollutant that the measure can act
        on: 1 for a sector-wide measure; for a subset measure its cited applicable share (BC and OC take that of
        PM2.5), 0 where none is cited."""
        if self.scope == "sector":
            return np.ones(N_POLLUTANTS)
        out = np.zeros(N_POLLUTANTS)
        for n, p in enumerate(POLLUTANTS):
            q = FOLLOWS.get(p, p)
            if q in self.applicable_share:
                out[n] = self.applicable_share[q]
        return out

    def cost_per_t(self) -> dict:
        """{pollutant: yuan (PRICE_YEAR) per tonne removed} for the pollutants that carry the cost."""
        return {c.pollutant: c.yuan_per_t for c in self.costs}

    @property
    def has_cost(self) -> bool:
        return bool(self.costs)


def capital_recovery_factor(rate: float, years: float) -> float:
    """CRF = r / (1 - (1 + r)^-n): the share of a capital cost paid each year over n years at discount rate r."""
    if rate == 0.0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** (-years))


def _read(path: Path, columns: tuple) -> list[tuple[int, dict]]:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in columns if c not in header]
            if missing:
                raise InputError(f"{path}: missing column(s) {', '.join(missing)}; the columns are: "
                                 f"{', '.join(columns)}")
            extra = [c for c in header if c not in columns]
            if extra:
                raise InputError(f"{path}: unknown column(s) {', '.join(extra)}; the columns are: "
                                 f"{', '.join(columns)}")
            return [(n + 2, row) for n, row in enumerate(reader)]
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror})") from None


def _number(text, where: str, column: str, low: float | None = None, high: float | None = None,
            positive: bool = False, required: bool = False) -> float | None:
    text = (text or "").strip()
    if not text:
        if required:
            raise InputError(f"{where}: column {column} is empty; give a number")
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: column {column}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"{where}: column {column}: {text!r} is not a finite number")
    if positive and value <= 0:
        raise InputError(f"{where}: column {column}: {text} must be positive")
    if (low is not None and value < low) or (high is not None and value > high):
        raise InputError(f"{where}: column {column}: {text} is out of range; it must lie in [{low:g}, {high:g}]")
    return value


def read_prices(path: Path) -> dict[int, dict]:
    out = {}
    for line, row in _read(path, PRICE_COLUMNS):
        where = f"{path}, line {line}"
        year = _number(row["year"], where, "year", required=True)
        out[int(year)] = {c: _number(row[c], where, c, positive=True, required=True) for c in PRICE_COLUMNS[1:]}
    return out


def to_price_year(value: float, currency: str, year: int, prices: dict, where: str) -> float:
    """A cost in ``currency`` of ``year`` -> yuan of PRICE_YEAR (exchange at the cost year, then China's CPI)."""
    if year not in prices or PRICE_YEAR not in prices:
        raise InputError(f"{where}: column cost_year: {year} is not in the price table ({min(prices)}..{max(prices)})")
    rate = {"CNY": 1.0, "USD": prices[year]["cny_per_usd"], "HKD": prices[year]["cny_per_hkd"]}[currency]
    yuan = value * rate
    lo, hi = sorted((year, PRICE_YEAR))
    index = 1.0
    for y in range(lo + 1, hi + 1):
        index *= prices[y]["cpi_previous_year_100"] / 100.0
    return yuan * index if year <= PRICE_YEAR else yuan / index


def read_catalogue(folder: Path | None = None) -> dict[str, Measure]:
    """The catalogue in ``folder`` (default: the embedded one) as {id: Measure}, checked (module docstring)."""
    folder = Path(folder) if folder is not None else data_path("measures")
    prices = read_prices(folder / "prices.csv")
    rows = {}
    mpath = folder / "measures.csv"
    for line, row in _read(mpath, MEASURE_COLUMNS):
        where = f"{mpath}, line {line}"
        mid = (row["id"] or "").strip()
        if not mid:
            raise InputError(f"{where}: column id is empty")
        if mid in rows:
            raise InputError(f"{where}: measure {mid!r} is listed twice (first at {rows[mid]['origin']})")
        if row["sector"] not in SECTORS:
            raise InputError(f"{where}: column sector: unknown sector {row['sector']!r}; choose one of: "
                             f"{', '.join(SECTORS)}")
        if row["scope"] not in SCOPES:
            raise InputError(f"{where}: column scope: {row['scope']!r}; choose one of: {', '.join(SCOPES)}")
        for column in ("name", "activity", "applicability", "source"):
            if not (row[column] or "").strip():
                raise InputError(f"{where}: column {column} is empty; every measure needs it"
                                 + (" (every number is cited)" if column == "source" else ""))
        eff = {}
        for p in CATALOGUE_POLLUTANTS:
            low = -1.0 if p in CLIMATE_GASES else 0.0
            value = _number(row[p], where, p, low, 1.0)
            if value is not None:
                eff[p] = value
        rows[mid] = {"id": mid, "name": row["name"].strip(), "sector": row["sector"],
                     "activity": row["activity"].strip(), "applicability": row["applicability"].strip(),
                     "scope": row["scope"],
                     "efficiency": eff, "source": row["source"].strip(), "origin": where, "costs": []}
    cpath = folder / "costs.csv"
    for line, row in _read(cpath, COST_COLUMNS):
        where = f"{cpath}, line {line}"
        mid = (row["measure"] or "").strip()
        if mid not in rows:
            raise InputError(f"{where}: column measure: {mid!r} is not a measure of {mpath.name}")
        p = row["pollutant"]
        if p not in CATALOGUE_POLLUTANTS:
            raise InputError(f"{where}: column pollutant: unknown pollutant {p!r}; choose one of: "
                             f"{', '.join(CATALOGUE_POLLUTANTS)}")
        if any(c.pollutant == p for c in rows[mid]["costs"]):
            raise InputError(f"{where}: measure {mid!r} has two cost rows for {p}")
        if not (row["source"] or "").strip():
            raise InputError(f"{where}: column source is empty; every cost is cited")
        if row["currency"] not in CURRENCIES:
            raise InputError(f"{where}: column currency: {row['currency']!r}; choose one of: {', '.join(CURRENCIES)}")
        year = int(_number(row["cost_year"], where, "cost_year", required=True))
        basis = row["basis"]
        rate = _number(row["discount_rate"], where, "discount_rate", 0.0, 1.0)
        years = _number(row["lifetime_years"], where, "lifetime_years", positive=True)
        if basis == "per_tonne":
            value = _number(row["cost_per_t"], where, "cost_per_t", positive=True, required=True)
            original = f"{value:g} {row['currency']}/t ({year})"
        elif basis == "annualised":
            capital = _number(row["capital"], where, "capital", positive=True, required=True)
            operating = _number(row["operating_per_year"], where, "operating_per_year", required=True)
            removed = _number(row["removed_t_per_year"], where, "removed_t_per_year", positive=True, required=True)
            if rate is None or years is None:
                raise InputError(f"{where}: an annualised cost needs discount_rate and lifetime_years")
            if operating < 0 and capital * capital_recovery_factor(rate, years) + operating <= 0:
                raise InputError(f"{where}: the annualised cost is not positive")
            value = (capital * capital_recovery_factor(rate, years) + operating) / removed
            original = (f"capital {capital:g} + operating {operating:g}/yr {row['currency']} ({year}) per "
                        f"{row['unit'] or 'unit'}, {removed:g} t/yr, r = {rate:g}, {years:g} yr")
        else:
            raise InputError(f"{where}: column basis: {basis!r}; choose one of: {', '.join(BASES)}")
        yuan = to_price_year(value, row["currency"], year, prices, where)
        rows[mid]["costs"].append(CostItem(p, basis, yuan, original, rate, years, row["source"].strip()))
    _read_shares(folder / "shares.csv", rows, mpath.name)
    return {k: Measure(**{**v, "costs": tuple(v["costs"])}) for k, v in rows.items()}


def _read_shares(spath: Path, rows: dict, measures_file: str) -> None:
    """Fill rows[measure]['applicable_share'] from shares.csv, checked (module docstring)."""
    for row in rows.values():
        row["applicable_share"] = {}
    for line, row in _read(spath, SHARE_COLUMNS):
        where = f"{spath}, line {line}"
        mid = (row["measure"] or "").strip()
        if mid not in rows:
            raise InputError(f"{where}: column measure: {mid!r} is not a measure of {measures_file}")
        m = rows[mid]
        if m["scope"] != "subset":
            raise InputError(f"{where}: measure {mid!r} has scope {m['scope']!r}: it acts on all of its sector; an "
                             f"applicable share is for subset measures")
        p = row["pollutant"]
        if p not in CATALOGUE_POLLUTANTS:
            raise InputError(f"{where}: column pollutant: unknown pollutant {p!r}; choose one of: "
                             f"{', '.join(CATALOGUE_POLLUTANTS)}")
        if p not in m["efficiency"]:
            raise InputError(f"{where}: column pollutant: measure {mid!r} has no removal efficiency for {p}; it has: "
                             f"{', '.join(m['efficiency']) or '(none)'}")
        if p in m["applicable_share"]:
            raise InputError(f"{where}: measure {mid!r} has two applicable shares for {p}")
        share = _number(row["share"], where, "share", 0.0, 1.0, required=True)
        _number(row["year"], where, "year", 1990.0, 2100.0, required=True)
        for column in ("area", "source"):
            if not (row[column] or "").strip():
                raise InputError(f"{where}: column {column} is empty"
                                 + ("; every share is cited" if column == "source" else "; say where the share holds"))
        m["applicable_share"][p] = share
    for mid, m in rows.items():
        missing = [c.pollutant for c in m["costs"] if c.pollutant not in m["applicable_share"]]
        if m["applicable_share"] and missing:
            raise InputError(f"{spath}: measure {mid!r} has applicable shares but none for {', '.join(missing)}, whose "
                             f"tonnes carry its cost (costs.csv); give one")


_CATALOGUE: dict[str, Measure] | None = None


def catalogue() -> dict[str, Measure]:
    """The embedded catalogue (read once)."""
    global _CATALOGUE
    if _CATALOGUE is None:
        _CATALOGUE = read_catalogue()
    return _CATALOGUE


def find_measure(name: str, where: str) -> Measure:
    measures = catalogue()
    if name not in measures:
        raise InputError(f"{where}.measure: {name!r} is not in the measures catalogue; choose one of: "
                         f"{', '.join(measures)}")
    return measures[name]
