"""Baseline incidence (deaths per person per year) by province, cause and age group, and the age structure of the
population, from the packaged tables in ``data/health/`` (sources in data/SOURCES.md):

- ``census2000_deaths_by_age.csv``: deaths and death rates by 5-year age group of the 2000 population census
  (China Statistical Yearbook 2002, table 4-11, both sexes). The population of each group is deaths / rate: the
  age structure used for every province (a documented proxy: provincial 5-year groups are not packaged yet);
- ``provinces.csv``: the crude death rate of each province (and of China) by year (statistical yearbooks);
- ``gbd2015_deaths_25plus.csv``: China's deaths at ages 25+ by GEMM cause in 2015 (GBD 2015, as tabulated in the
  GEMM calculator of Burnett et al. 2018).

The rate of all causes in province p, age group a, year t (indirect standardisation, with the census age pattern):

    m(p, a, t) = m_census(a) x CDR(p, t) / CDR_census

where m_census(a) = deaths(a) / population(a) and CDR_census = sum(deaths) / sum(population) of the census table:
the census age pattern scaled so that, with the census age structure, the province's crude rate is reproduced.

A cause's share of deaths (the same at every age: a proxy where cause-specific rates by province and age are not
published in the packaged sources) is its 2015 GBD deaths at 25+ divided by China's deaths at 25+ in 2015
(population x crude death rate of the 2015 yearbook x the share of deaths at 25+ in the census table). Short-term
causes: non-accidental deaths are taken as all deaths (an overestimate by the share of injuries), cardiovascular as
IHD + stroke and respiratory as COPD + LRI (underestimates: other cardiovascular and respiratory causes are left out).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..data import data_path
from ..errors import InputError
from ..files import read_text

CHINA = "000000"
GEMM_CAUSES = ("ncd_lri", "ihd", "stroke", "copd", "lung_cancer", "lri")
#: short-term causes: the GEMM causes whose shares add up to each (None: all causes)
SHORT_TERM_CAUSES = {"nonaccidental": None, "all_cause": None, "cardiovascular": ("ihd", "stroke"),
                     "respiratory": ("copd", "lri")}
#: the age of the GEMM's lower bound: the share of deaths at 25+ of the census divides the GBD deaths at 25+
ADULT_AGE = 25


@dataclass(frozen=True)
class AgeTable:
    starts: np.ndarray
    ends: np.ndarray
    deaths: np.ndarray
    population: np.ndarray


def _rows(name: str) -> list[dict]:
    path = data_path("health", name)
    return list(csv.DictReader(read_text(path, "health table").splitlines()))


@lru_cache(maxsize=1)
def census_ages() -> AgeTable:
    rows = _rows("census2000_deaths_by_age.csv")
    starts = np.array([int(r["age_start"]) for r in rows])
    ends = np.array([int(r["age_end"]) for r in rows])
    deaths = np.array([float(r["deaths"]) for r in rows])
    rate = np.array([float(r["death_rate_per_mille"]) for r in rows]) / 1000.0
    return AgeTable(starts, ends, deaths, deaths / rate)


def _age_mask(a0: int, a1: int) -> np.ndarray:
    t = census_ages()
    mask = (t.starts >= a0) & (t.ends <= a1)
    covered = t.ends[mask] - t.starts[mask] + 1
    if not mask.any() or covered.sum() != min(a1, t.ends.max()) - a0 + 1:
        edges = ", ".join(str(s) for s in t.starts)
        raise InputError(f"ages {a0}-{a1}: the age groups must start and end on the census groups (starts {edges}; "
                         "120 = no upper bound)")
    return mask


def age_share(a0: int, a1: int) -> float:
    """Share of the population aged a0..a1 (census age structure)."""
    t = census_ages()
    return float(t.population[_age_mask(a0, a1)].sum() / t.population.sum())


def census_rate(a0: int, a1: int) -> float:
    """All-cause deaths per person per year at ages a0..a1 in the census table."""
    t = census_ages()
    m = _age_mask(a0, a1)
    return float(t.deaths[m].sum() / t.population[m].sum())


@lru_cache(maxsize=1)
def crude_death_rates() -> dict[tuple[str, int], float]:
    """{(province code, year): crude death rate per person per year}."""
    return {(r["code"], int(r["year"])): float(r["crude_death_rate_per_mille"]) / 1000.0
            for r in _rows("provinces.csv")}


def years() -> list[int]:
    return sorted({y for _, y in crude_death_rates()})


def nearest_year(year: int) -> int:
    return min(years(), key=lambda y: (abs(y - year), y))


@lru_cache(maxsize=1)
def cause_shares() -> dict[str, float]:
    """Each GEMM cause's share of deaths at ages 25+ (China, 2015)."""
    t = census_ages()
    adult = float(t.deaths[t.starts >= ADULT_AGE].sum() / t.deaths.sum())
    population = {(r["code"], int(r["year"])): float(r["population_10k"]) * 1e4 for r in _rows("provinces.csv")}
    deaths_2015_adult = population[(CHINA, 2015)] * crude_death_rates()[(CHINA, 2015)] * adult
    return {r["cause"]: float(r["deaths"]) / deaths_2015_adult for r in _rows("gbd2015_deaths_25plus.csv")}


def cause_share(cause: str) -> float:
    if cause in SHORT_TERM_CAUSES:
        parts = SHORT_TERM_CAUSES[cause]
        return 1.0 if parts is None else sum(cause_shares()[c] for c in parts)
    if cause not in cause_shares():
        raise InputError(f"incidence {cause!r}: no baseline rate; choose one of "
                         f"{', '.join(list(cause_shares()) + list(SHORT_TERM_CAUSES))}")
    return cause_shares()[cause]


def baseline_rate(province: str, cause: str, a0: int, a1: int, year: int) -> float:
    """Deaths per person per year of ``cause`` at ages a0..a1 in ``province`` (code) in ``year`` (the nearest
    year of the table)."""
    y = nearest_year(year)
    rates = crude_death_rates()
    if (province, y) not in rates:
        known = sorted({c for c, _ in rates})
        raise InputError(f"province {province}: no crude death rate for {y}; the table has {', '.join(known)}")
    t = census_ages()
    scale = rates[(province, y)] / float(t.deaths.sum() / t.population.sum())
    return census_rate(a0, a1) * scale * cause_share(cause)
