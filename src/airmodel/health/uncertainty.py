"""Draws for the uncertainty analysis: standard normal deviates, one column per uncertain parameter (the beta or
theta of each outcome, the VSL), by plain Monte Carlo or by Latin hypercube sampling (McKay, Beckman and Conover,
1979; scipy.stats.qmc), from a seeded generator so that the same seed gives the same draws; and the summary of
draws: their mean and the 2.5th and 97.5th percentiles (a 95 % interval).

Each outcome's beta is beta + z se with its own deviate z, shared by the age groups of that outcome (the GEMM's
age-specific thetas come from one fit), independent between outcomes and of the VSL.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from ..errors import InputError

SAMPLING = ("montecarlo", "lhs")
STATISTICS = ("central", "mean", "low", "high")
INTERVAL = (2.5, 97.5)


def check_draws(draws, seed) -> tuple[int, int]:
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws <= 0:
        raise InputError(f"--draws {draws!r}: give a whole number of draws > 0")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"--seed {seed!r}: give a whole number >= 0")
    return int(draws), int(seed)


def standard_normals(n_parameters: int, draws: int, seed: int, sampling: str = "montecarlo") -> np.ndarray:
    """[draws, n_parameters] standard normal deviates."""
    draws, seed = check_draws(draws, seed)
    if sampling not in SAMPLING:
        raise InputError(f"--sampling {sampling!r}: choose one of {', '.join(SAMPLING)}")
    if n_parameters == 0:
        return np.zeros((draws, 0))
    if sampling == "lhs":
        u = stats.qmc.LatinHypercube(d=n_parameters, seed=np.random.default_rng(seed)).random(draws)
        return stats.norm.ppf(u)
    return np.random.default_rng(seed).standard_normal((draws, n_parameters))


def summarise(central, draws, axis: int = 0) -> np.ndarray:
    """Stack [central, mean, low, high] along a new last axis; ``draws`` has the draws along ``axis``."""
    draws = np.asarray(draws, dtype=float)
    low, high = np.percentile(draws, INTERVAL, axis=axis)
    return np.stack([np.asarray(central, dtype=float) * np.ones_like(low), draws.mean(axis=axis), low, high],
                    axis=-1)
