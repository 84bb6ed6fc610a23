"""Model performance statistics for paired model (M) and observed (O) values, and the performance goals and
criteria of the literature.

Statistics (N pairs, sums over the pairs; Ō the mean observation):

- mean bias               MB   = (1/N) Σ (M - O)
- root-mean-square error  RMSE = sqrt((1/N) Σ (M - O)²)
- normalized mean bias    NMB  = Σ (M - O) / Σ O
- normalized mean error   NME  = Σ |M - O| / Σ O
  (Emery et al., 2017; Simon, Baker and Phillips, 2012, Atmos. Environ. 61, 124-139)
- mean fractional bias    MFB  = (1/N) Σ (M - O) / ((M + O) / 2)
- mean fractional error   MFE  = (1/N) Σ |M - O| / ((M + O) / 2)
  (Boylan and Russell, 2006, Atmos. Environ. 40, 4946-4959, doi:10.1016/j.atmosenv.2005.09.087);
  a pair with M + O = 0 is a perfect match and adds 0 (the fraction is 0/0 there);
- Pearson correlation     r    = Σ (M - M̄)(O - Ō) / sqrt(Σ (M - M̄)² Σ (O - Ō)²)
- index of agreement      IOA  = 1 - Σ (M - O)² / Σ (|M - Ō| + |O - Ō|)²
  (Willmott, 1981, Phys. Geogr. 2, 184-194, doi:10.1080/02723646.1981.10642213, his d).

The sign convention is model minus observation throughout: a model 20% high has NMB = +20%. NMB, NME, MFB and MFE
are returned as fractions by ``performance_statistics`` and written in percent by the evaluation command.
A statistic that is undefined for the pairs (no pairs; Σ O = 0; r with fewer than two pairs or a constant series)
is NaN, never a made-up number.

Goals and criteria (BENCHMARKS): a *goal* is the level close to the best a current model achieves, a *criterion*
the level a model should reach to be acceptable for its use (the two papers' own words, paraphrased):

- Emery, C., Liu, Z., Russell, A. G., Odman, M. T., Yarwood, G. and Kumar, N. (2017): Recommendations on statistics
  and benchmarks to assess photochemical model performance, J. Air Waste Manage. Assoc. 67(5), 582-598,
  doi:10.1080/10962247.2016.1265027. NMB, NME and r for the daily maximum 8-hour O3 and the 24-hour PM2.5
  (they recommend computing them over many sites and days, e.g. a region and a month; we report them per station
  as well, where they are only a guide).
- Boylan, J. W. and Russell, A. G. (2006), above: MFB and MFE for particulate matter, goal |MFB| <= 30% and
  MFE <= 50%, criteria |MFB| <= 60% and MFE <= 75%. The paper relaxes both for components below a few ug m-3
  (an asymptote as the mean concentration falls); total PM2.5 and PM10 at Beijing's stations are far above that,
  and we apply the constant values.
No benchmarks are given for hourly values or for NO2, SO2 and CO; the outputs say so rather than invent one.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError

#: Column order of the statistics everywhere (tables, Markdown).
STATISTICS = ("n", "mean_obs", "mean_model", "MB", "RMSE", "NMB", "NME", "MFB", "MFE", "r", "IOA")
#: Statistics that are fractions and are written in percent.
PERCENT_STATISTICS = ("NMB", "NME", "MFB", "MFE")


def _pairs(model, observed) -> tuple[np.ndarray, np.ndarray]:
    m = np.asarray(model, dtype=np.float64).ravel()
    o = np.asarray(observed, dtype=np.float64).ravel()
    if m.shape != o.shape:
        raise InputError(f"statistics: model and observations differ in length ({m.size} and {o.size})")
    keep = np.isfinite(m) & np.isfinite(o)
    return m[keep], o[keep]


def mean_bias(model, observed) -> float:
    m, o = _pairs(model, observed)
    return float(np.mean(m - o)) if m.size else np.nan


def root_mean_square_error(model, observed) -> float:
    m, o = _pairs(model, observed)
    return float(np.sqrt(np.mean((m - o) ** 2))) if m.size else np.nan


def normalized_mean_bias(model, observed) -> float:
    m, o = _pairs(model, observed)
    total = np.sum(o)
    return float(np.sum(m - o) / total) if m.size and total != 0.0 else np.nan


def normalized_mean_error(model, observed) -> float:
    m, o = _pairs(model, observed)
    total = np.sum(o)
    return float(np.sum(np.abs(m - o)) / total) if m.size and total != 0.0 else np.nan


def _fractions(m: np.ndarray, o: np.ndarray) -> np.ndarray:
    denominator = 0.5 * (m + o)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator != 0.0, (m - o) / np.where(denominator != 0.0, denominator, 1.0), 0.0)


def mean_fractional_bias(model, observed) -> float:
    m, o = _pairs(model, observed)
    return float(np.mean(_fractions(m, o))) if m.size else np.nan


def mean_fractional_error(model, observed) -> float:
    m, o = _pairs(model, observed)
    return float(np.mean(np.abs(_fractions(m, o)))) if m.size else np.nan


def pearson_r(model, observed) -> float:
    m, o = _pairs(model, observed)
    if m.size < 2:
        return np.nan
    dm, do = m - np.mean(m), o - np.mean(o)
    denominator = np.sqrt(np.sum(dm * dm) * np.sum(do * do))
    return float(np.sum(dm * do) / denominator) if denominator > 0.0 else np.nan


def index_of_agreement(model, observed) -> float:
    m, o = _pairs(model, observed)
    if not m.size:
        return np.nan
    o_mean = np.mean(o)
    potential = np.sum((np.abs(m - o_mean) + np.abs(o - o_mean)) ** 2)
    return float(1.0 - np.sum((m - o) ** 2) / potential) if potential > 0.0 else np.nan


def performance_statistics(model, observed) -> dict:
    """All STATISTICS for the finite pairs of ``model`` and ``observed`` (fractions, not percent)."""
    m, o = _pairs(model, observed)
    return {
        "n": int(m.size),
        "mean_obs": float(np.mean(o)) if m.size else np.nan,
        "mean_model": float(np.mean(m)) if m.size else np.nan,
        "MB": mean_bias(m, o),
        "RMSE": root_mean_square_error(m, o),
        "NMB": normalized_mean_bias(m, o),
        "NME": normalized_mean_error(m, o),
        "MFB": mean_fractional_bias(m, o),
        "MFE": mean_fractional_error(m, o),
        "r": pearson_r(m, o),
        "IOA": index_of_agreement(m, o),
    }


# -------------------------------------------------------------------------------------------------------------------
# Goals and criteria

EMERY_2017 = "Emery et al. (2017), J. Air Waste Manage. Assoc. 67, 582-598"
BOYLAN_RUSSELL_2006 = "Boylan and Russell (2006), Atmos. Environ. 40, 4946-4959"


@dataclass(frozen=True)
class Benchmark:
    """A performance goal and criterion for one statistic of one pollutant and averaging time.

    ``test`` says how a value meets a level: "abs_below" |x| < level, "below" x < level, "above" x > level (the
    strict inequalities of Emery et al., 2017), "abs_at_most" |x| <= level, "at_most" x <= level (the "less than
    or equal" of Boylan and Russell, 2006). Levels of NMB, NME, MFB and MFE are in percent, r is a fraction."""
    pollutant: str
    averaging: str
    statistic: str
    goal: float
    criteria: float
    test: str
    source: str

    def meets(self, value: float, level: float) -> bool:
        if not np.isfinite(value):
            return False
        if self.test == "abs_below":
            return abs(value) < level
        if self.test == "below":
            return value < level
        if self.test == "above":
            return value > level
        if self.test == "abs_at_most":
            return abs(value) <= level
        if self.test == "at_most":
            return value <= level
        raise ValueError(f"unknown benchmark test {self.test!r}")

    def rating(self, value: float) -> str:
        """'goal' (the goal is met), 'criteria' (only the criterion), 'neither', or 'undefined' (NaN)."""
        if not np.isfinite(value):
            return "undefined"
        if self.meets(value, self.goal):
            return "goal"
        if self.meets(value, self.criteria):
            return "criteria"
        return "neither"

    def describe(self, level: float) -> str:
        unit = "%" if self.statistic in PERCENT_STATISTICS else ""
        sign = {"abs_below": "< ±", "below": "< ", "above": "> ", "abs_at_most": "<= ±", "at_most": "<= "}[self.test]
        return f"{sign}{level:g}{unit}"


#: Averaging names: "hourly" (hourly means), "24h" (24-hour mean by local day), "MDA8" (daily maximum 8-hour mean).
BENCHMARKS: tuple[Benchmark, ...] = (
    # Emery et al. (2017), their Table of recommended benchmarks: ozone (MDA8) and total PM2.5 (24-hour).
    Benchmark("O3", "MDA8", "NMB", 5.0, 15.0, "abs_below", EMERY_2017),
    Benchmark("O3", "MDA8", "NME", 15.0, 25.0, "below", EMERY_2017),
    Benchmark("O3", "MDA8", "r", 0.75, 0.50, "above", EMERY_2017),
    Benchmark("PM25", "24h", "NMB", 10.0, 30.0, "abs_below", EMERY_2017),
    Benchmark("PM25", "24h", "NME", 35.0, 50.0, "below", EMERY_2017),
    Benchmark("PM25", "24h", "r", 0.70, 0.40, "above", EMERY_2017),
    # Boylan and Russell (2006), as stated in their abstract: particulate matter, MFB and MFE.
    Benchmark("PM25", "24h", "MFB", 30.0, 60.0, "abs_at_most", BOYLAN_RUSSELL_2006),
    Benchmark("PM25", "24h", "MFE", 50.0, 75.0, "at_most", BOYLAN_RUSSELL_2006),
    Benchmark("PM10", "24h", "MFB", 30.0, 60.0, "abs_at_most", BOYLAN_RUSSELL_2006),
    Benchmark("PM10", "24h", "MFE", 50.0, 75.0, "at_most", BOYLAN_RUSSELL_2006),
)


def benchmarks_for(pollutant: str, averaging: str) -> tuple[Benchmark, ...]:
    return tuple(b for b in BENCHMARKS if b.pollutant == pollutant and b.averaging == averaging)


def in_percent(statistics: dict) -> dict:
    """A copy of a ``performance_statistics`` result with NMB, NME, MFB and MFE in percent."""
    return {k: (100.0 * v if k in PERCENT_STATISTICS else v) for k, v in statistics.items()}
