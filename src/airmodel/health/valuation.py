"""The value of avoided deaths: a value of a statistical life (VSL) for China from a published stated-preference
study (``data/health/valuation.csv``: value, price year, currency, interval where published), moved to another
income level by benefit transfer, and, for long-term effects, spread over the years after exposure by a
cessation lag and discounted.

- Benefit transfer (OECD, 2012, Mortality Risk Valuation in Environment, Health and Transport Policies, with the
  income elasticity 0.8 it recommends): VSL_target = VSL_study x (Y_target / Y_study)^elasticity, with the ratio of
  incomes per head given by the user (1: no transfer; the value stays in the study's price year).
- Uncertainty: lognormal, median the published value, log standard deviation the mean of ln(high/value) and
  ln(value/low) over 1.96 (the published interval read as a 95 % range); a study without an interval is fixed.
- Cessation lag (US EPA Science Advisory Board, Health Effects Subcommittee, 2004, advisory on the lag between
  PM2.5 reductions and mortality, EPA-SAB-COUNCIL-ADV-04-002, as used in EPA regulatory impact analyses): 30 % of
  the avoided deaths in the first year, 50 % spread evenly over years 2 to 5, 20 % over years 6 to 20
  (``data/health/cessation_lag.csv``); year t is discounted by (1 + r)^-(t - 1) (first year undiscounted), r = 3 %
  by default (US OMB Circular A-4, 2003). Short-term deaths are valued without lag or discounting.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass

import numpy as np

from ..data import data_path
from ..errors import InputError
from ..files import read_text
from .functions import Z95

DEFAULT_VSL = "cao2023"
DEFAULT_ELASTICITY = 0.8
DEFAULT_DISCOUNT_RATE = 0.03


@dataclass(frozen=True)
class Vsl:
    id: str
    value: float  # yuan
    price_year: int
    currency: str
    low: float
    high: float
    source: str

    @property
    def log_sd(self) -> float:
        """Log standard deviation of the lognormal (0 where no interval is published)."""
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            return 0.0
        return 0.5 * (math.log(self.high / self.value) + math.log(self.value / self.low)) / Z95


def read_vsl_table() -> dict[str, Vsl]:
    path = data_path("health", "valuation.csv")
    out = {}
    for r in csv.DictReader(read_text(path, "VSL table").splitlines()):
        num = lambda k: float(r[k]) if r[k].strip() else math.nan  # noqa: E731
        out[r["id"]] = Vsl(r["id"], float(r["vsl_yuan"]), int(r["price_year"]), r["currency"], num("low_yuan"),
                           num("high_yuan"), r["source"])
    return out


def vsl(name: str = DEFAULT_VSL) -> Vsl:
    table = read_vsl_table()
    if name not in table:
        raise InputError(f"--vsl {name!r}: no such study; choose one of {', '.join(table)}")
    return table[name]


def transfer_factor(income_ratio: float = 1.0, elasticity: float = DEFAULT_ELASTICITY) -> float:
    """(Y_target / Y_study)^elasticity."""
    if not (income_ratio > 0 and math.isfinite(income_ratio)):
        raise InputError(f"--income-ratio {income_ratio!r}: give a ratio of incomes per head > 0")
    if not math.isfinite(elasticity) or elasticity < 0:
        raise InputError(f"--elasticity {elasticity!r}: give an income elasticity >= 0")
    return income_ratio ** elasticity


def lag_weights() -> np.ndarray:
    """Share of the long-term avoided deaths in each year after the change (index 0 = year 1)."""
    rows = list(csv.DictReader(read_text(data_path("health", "cessation_lag.csv"), "lag table").splitlines()))
    last = max(int(r["year_end"]) for r in rows)
    w = np.zeros(last)
    for r in rows:
        y0, y1 = int(r["year_start"]), int(r["year_end"])
        w[y0 - 1:y1] += float(r["share"]) / (y1 - y0 + 1)
    return w


def lag_discount_factor(rate: float = DEFAULT_DISCOUNT_RATE) -> float:
    """Present value of one long-term avoided death spread by the cessation lag: sum_t w_t (1 + r)^-(t-1)."""
    if not (math.isfinite(rate) and 0.0 <= rate < 1.0):
        raise InputError(f"--discount-rate {rate!r}: give a rate in [0, 1)")
    w = lag_weights()
    return float((w / (1.0 + rate) ** np.arange(w.size)).sum())
