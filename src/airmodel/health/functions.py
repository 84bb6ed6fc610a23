"""Concentration-response functions as data: one row of a CSV table per function (``data/health/functions.csv``
by default, or a user's file of the same columns), with the forms of BenMAP-CE (US EPA, 2018, BenMAP-CE user
manual, appendix on health impact functions) and the GEMM (Burnett et al., 2018, PNAS 115, 9592,
doi:10.1073/pnas.1803222115).

Every form is written as the change in incidence when the concentration falls from the base C_b to the case C_c,
for a population P with baseline incidence y0 (deaths per person per unit time, observed at the base level):

- ``loglinear`` (BenMAP): RR(C) = exp(beta C); dy = y0 P (1 - exp(-beta (C_b - C_c)));
- ``gemm``: z = max(0, C - cf); ln HR(C) = theta ln(1 + z/alpha) / (1 + exp(-(z - mu)/nu)) (Burnett et al. 2018,
  eq. 1, with the counterfactual cf = 2.4 ug m-3 of the China-cohort fit); dy = y0 P (1 - HR(C_c)/HR(C_b)), the
  BenMAP convention that y0 is observed at the base level (for the log-linear form the two agree exactly);
- ``linear`` (BenMAP): dy = beta (C_b - C_c) P (beta in cases per person per unit concentration per unit time;
  no incidence);
- ``logistic`` (BenMAP): dy = (y0 - y0 / ((1 - y0) exp(beta (C_b - C_c)) + y0)) P, y0 per unit time.

A positive dy is an avoided case (the case is cleaner than the base).

A log-linear or logistic row gives beta and its standard error either directly (``beta``, ``beta_se``, per unit
concentration, as BenMAP tables do) or as published: the percent change per ``increment`` and its 95 % interval
(``percent``, ``percent_low``, ``percent_high``): beta = ln(1 + percent/100) / increment and
se = (ln(1 + high/100) - ln(1 + low/100)) / (2 x 1.96 x increment).
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data import data_path
from ..errors import InputError
from ..files import read_text

FORMS = ("gemm", "loglinear", "linear", "logistic")
TERMS = ("long", "short")
#: pollutant -> the metrics a function may use
METRICS = {"PM25": ("annual_mean", "daily_mean"), "O3": ("mda8",)}
Z95 = 1.959963984540054  # the 97.5 % point of the standard normal distribution
COLUMNS = ("id", "group", "endpoint", "term", "pollutant", "metric", "form", "age_start", "age_end", "incidence",
           "beta", "beta_se", "increment", "percent", "percent_low", "percent_high", "alpha", "mu", "nu",
           "counterfactual", "concentration_units", "source")
#: the parameters each form needs (beyond beta/se, which may come as percentages)
FORM_PARAMETERS = {"gemm": ("alpha", "mu", "nu", "counterfactual"), "loglinear": (), "linear": (),
                   "logistic": ()}


def default_functions_path() -> Path:
    return data_path("health", "functions.csv")


@dataclass(frozen=True)
class Function:
    """One concentration-response function (a row of the table)."""
    id: str
    group: str  # functions summed together: one study's endpoints, or the age groups of one GEMM cause
    endpoint: str  # the cause of death (ncd_lri, ihd, ..., nonaccidental, cardiovascular, respiratory)
    term: str  # long (annual exposure) or short (daily exposure)
    pollutant: str  # PM25 or O3
    metric: str  # annual_mean, daily_mean or mda8
    form: str
    age_start: int
    age_end: int  # inclusive; 120 stands for no upper bound
    incidence: str  # the cause of the baseline incidence table
    beta: float  # theta of the GEMM
    beta_se: float
    alpha: float = math.nan
    mu: float = math.nan
    nu: float = math.nan
    counterfactual: float = 0.0
    source: str = ""

    @property
    def outcome(self) -> str:
        """The name of what the function's results add up to: group/endpoint."""
        return f"{self.group}/{self.endpoint}"

    def log_rr_shape(self, c) -> np.ndarray:
        """g(C) such that ln RR(C) = beta g(C): C for the log-linear form, the GEMM's
        ln(1 + z/alpha) / (1 + exp(-(z - mu)/nu)) with z = max(0, C - cf)."""
        c = np.asarray(c, dtype=float)
        if self.form == "gemm":
            z = np.maximum(0.0, c - self.counterfactual)
            return np.log1p(z / self.alpha) / (1.0 + np.exp(-(z - self.mu) / self.nu))
        return np.maximum(0.0, c - self.counterfactual) if self.counterfactual > 0 else c

    def hazard_ratio(self, c, beta=None) -> np.ndarray:
        """RR (or HR) at concentration C relative to zero exposure above the counterfactual."""
        b = self.beta if beta is None else beta
        return np.exp(b * self.log_rr_shape(c))


def gemm_hazard_ratio(c, theta: float, alpha: float, mu: float, nu: float, counterfactual: float = 2.4):
    """The GEMM hazard ratio (Burnett et al. 2018, eq. 1): z = max(0, C - cf), HR = exp(theta ln(1 + z/alpha) /
    (1 + exp(-(z - mu)/nu)))."""
    z = np.maximum(0.0, np.asarray(c, dtype=float) - counterfactual)
    return np.exp(theta * np.log1p(z / alpha) / (1.0 + np.exp(-(z - mu) / nu)))


def avoided_fraction(fn: Function, base, case, y0, beta=None):
    """Avoided cases per person (per the incidence's time unit) when the concentration goes from ``base`` to
    ``case`` with baseline incidence ``y0`` (per person per unit time): the forms of the module notes. ``beta`` (a
    draw) may be an array broadcasting against the concentrations."""
    b = fn.beta if beta is None else beta
    if fn.form in ("gemm", "loglinear"):
        # 1 - RR(C_c)/RR(C_b) = -expm1(beta (g(C_c) - g(C_b))): exact, and accurate for small changes
        return -np.expm1(b * (fn.log_rr_shape(case) - fn.log_rr_shape(base))) * y0
    delta = np.asarray(base, dtype=float) - np.asarray(case, dtype=float)
    if fn.form == "linear":
        return b * delta * np.ones_like(y0)
    # logistic
    return y0 - y0 / ((1.0 - y0) * np.exp(b * delta) + y0)


# -- reading the table ---------------------------------------------------------------------------------------------
def _number(path, line: int, column: str, text: str, required: bool) -> float:
    text = (text or "").strip()
    if not text:
        if required:
            raise InputError(f"{path}, line {line}: column {column!r} is empty; this function's form needs it")
        return math.nan
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isfinite(value):
        return value
    raise InputError(f"{path}, line {line}: column {column!r} is {text!r}; give a finite number")


def _beta_and_se(path, line: int, row: dict) -> tuple[float, float]:
    if (row.get("beta") or "").strip():
        beta = _number(path, line, "beta", row["beta"], True)
        se = _number(path, line, "beta_se", row.get("beta_se", ""), True)
    else:
        inc = _number(path, line, "increment", row.get("increment", ""), True)
        pct = _number(path, line, "percent", row.get("percent", ""), True)
        low = _number(path, line, "percent_low", row.get("percent_low", ""), True)
        high = _number(path, line, "percent_high", row.get("percent_high", ""), True)
        if inc <= 0:
            raise InputError(f"{path}, line {line}: increment {inc:g} must be > 0")
        if not (low <= pct <= high) or min(low, pct, high) <= -100.0:
            raise InputError(f"{path}, line {line}: percent {pct:g} must lie in its interval [{low:g}, {high:g}] "
                             "and above -100")
        beta = math.log1p(pct / 100.0) / inc
        se = (math.log1p(high / 100.0) - math.log1p(low / 100.0)) / (2.0 * Z95 * inc)
    if se < 0:
        raise InputError(f"{path}, line {line}: beta_se {se:g} is negative")
    return beta, se


def read_functions(path=None) -> list[Function]:
    """The functions of a table (the packaged one by default). Bad rows are an InputError naming the file, the
    line, the column and the value."""
    path = Path(path) if path is not None else default_functions_path()
    text = read_text(path, "concentration-response function table")
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ()) and c not in (
        "beta", "beta_se", "increment", "percent", "percent_low", "percent_high", "alpha", "mu", "nu",
        "counterfactual", "source", "group")]
    if missing:
        raise InputError(f"{path}: the table lacks the column(s) {', '.join(missing)}; its columns are "
                         f"{', '.join(COLUMNS)}")
    out, seen = [], set()
    for line, row in enumerate(reader, start=2):
        fid = (row.get("id") or "").strip()
        if not fid:
            raise InputError(f"{path}, line {line}: the function has no id")
        if fid in seen:
            raise InputError(f"{path}, line {line}: the id {fid!r} appears twice")
        seen.add(fid)
        form = (row.get("form") or "").strip()
        if form not in FORMS:
            raise InputError(f"{path}, line {line}: form {form!r}; choose one of {', '.join(FORMS)}")
        term = (row.get("term") or "").strip()
        if term not in TERMS:
            raise InputError(f"{path}, line {line}: term {term!r}; choose long or short")
        pollutant = (row.get("pollutant") or "").strip()
        metric = (row.get("metric") or "").strip()
        if pollutant not in METRICS or metric not in METRICS[pollutant]:
            valid = "; ".join(f"{p}: {', '.join(m)}" for p, m in METRICS.items())
            raise InputError(f"{path}, line {line}: pollutant/metric {pollutant!r}/{metric!r}; valid: {valid}")
        if (term == "short") != (metric in ("daily_mean", "mda8")):
            raise InputError(f"{path}, line {line}: a {term}-term function cannot use the metric {metric!r}")
        units = (row.get("concentration_units") or "").strip()
        if units != "ug m-3":
            raise InputError(f"{path}, line {line}: concentration_units {units!r}; functions are given per ug m-3")
        a0 = _number(path, line, "age_start", row.get("age_start", ""), True)
        a1 = _number(path, line, "age_end", row.get("age_end", ""), True)
        if not (0 <= a0 <= a1 <= 120) or a0 != int(a0) or a1 != int(a1):
            raise InputError(f"{path}, line {line}: ages {a0:g}-{a1:g}; give whole years 0 <= start <= end <= 120")
        beta, se = _beta_and_se(path, line, row)
        extra = {k: _number(path, line, k, row.get(k, ""), k in FORM_PARAMETERS[form])
                 for k in ("alpha", "mu", "nu", "counterfactual")}
        cf = extra["counterfactual"] if math.isfinite(extra["counterfactual"]) else 0.0
        if cf < 0:
            raise InputError(f"{path}, line {line}: counterfactual {cf:g} is negative")
        if form == "gemm" and (extra["alpha"] <= 0 or extra["nu"] <= 0):
            raise InputError(f"{path}, line {line}: alpha and nu of a GEMM must be > 0 (alpha {extra['alpha']:g}, "
                             f"nu {extra['nu']:g})")
        endpoint = (row.get("endpoint") or "").strip()
        incidence = (row.get("incidence") or "").strip()
        if not endpoint or (form != "linear" and not incidence):
            raise InputError(f"{path}, line {line}: endpoint and incidence must be named")
        out.append(Function(fid, (row.get("group") or "").strip() or fid, endpoint, term, pollutant, metric,
                            form, int(a0), int(a1), incidence, beta, se, extra["alpha"], extra["mu"], extra["nu"],
                            cf, (row.get("source") or "").strip()))
    if not out:
        raise InputError(f"{path}: the table has no function")
    return out
