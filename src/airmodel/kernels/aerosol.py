"""Inorganic aerosol equilibrium: sulfate takes its ammonium first, then NH4NO3 by Mozurkewich (1993).

All amounts are mole fractions in ppb (nmol per mol of air) of the ion or molecule, so that nitrogen and sulfur
are counted the same way in every phase.

Sulfate first (the "ammonium sulfate first" ordering of simple models, e.g. Seinfeld and Pandis 2016, sec.
10.4): the ammonium bound to sulfate is ``A_s = min(TA, 2 TS)`` (full neutralisation to (NH4)2SO4 where ammonia
allows, all of it as ammonium sulfate/bisulfate/acid otherwise). The free ammonia ``FA = TA - A_s`` and the total
nitrate ``TN = HNO3 + NO3-`` then share the NH4NO3 equilibrium

.. math::  (FA - x)(TN - x) = K \\quad\\text{if } FA\\cdot TN > K, \\text{ else } x = 0,

with x the NH4NO3 formed (ppb). The smaller root is taken in the cancellation-free form
x = 2 (FA TN - K) / (FA + TN + sqrt((FA - TN)^2 + 4K)).

K (ppb^2), Mozurkewich (1993, Atmos. Environ. 27A, 261):

- below the deliquescence RH, DRH (%) = exp(723.7/T + 1.6954): ln Kp = 118.87 - 24084/T - 6.025 ln T;
- at and above it: K = [P1 - P2 (1-RH) + P3 (1-RH)^2] (1-RH)^1.75 Kp, RH as a fraction, with
  ln P1 = -135.94 + 8763/T + 19.12 ln T, ln P2 = -122.65 + 9969/T + 16.22 ln T,
  ln P3 = -182.61 + 13875/T + 24.46 ln T.

Mozurkewich's K is for partial pressures in nbar^2; like Seinfeld and Pandis we use it for mole fractions in
ppb^2 (1 nbar = 0.987 ppb at 1013.25 hPa). The sulfate's influence on the aqueous activity of NH4NO3 is ignored.
"""
from __future__ import annotations

import math

from numba import njit


@njit(cache=True, error_model="numpy")
def deliquescence_rh_percent(temperature):
    """NH4NO3 deliquescence relative humidity (%), Mozurkewich (1993)."""
    return math.exp(723.7 / temperature + 1.6954)


@njit(cache=True, error_model="numpy")
def nh4no3_dissociation_constant(temperature, rh_percent):
    """K = [NH3][HNO3] at equilibrium with NH4NO3 (ppb^2), Mozurkewich (1993), dry or deliquesced branch."""
    t = temperature
    log_t = math.log(t)
    kp = math.exp(118.87 - 24084.0 / t - 6.025 * log_t)
    if rh_percent < deliquescence_rh_percent(t):
        return kp
    dry = 1.0 - min(rh_percent, 100.0) / 100.0
    p1 = math.exp(-135.94 + 8763.0 / t + 19.12 * log_t)
    p2 = math.exp(-122.65 + 9969.0 / t + 16.22 * log_t)
    p3 = math.exp(-182.61 + 13875.0 / t + 24.46 * log_t)
    return (p1 - p2 * dry + p3 * dry * dry) * dry ** 1.75 * kp


@njit(cache=True, error_model="numpy")
def partition_ammonium_nitrate(total_ammonia, total_nitrate, sulfate, k_eq):
    """Split total ammonia (NH3 + NH4+) and total nitrate (HNO3 + NO3-) between gas and particles.

    Returns (NH3 gas, HNO3 gas, NH4+ particulate, NO3- particulate), all ppb; the sums NH3 + NH4+ and
    HNO3 + NO3- equal the totals given (to round-off).
    """
    ta = max(total_ammonia, 0.0)
    tn = max(total_nitrate, 0.0)
    bound = min(ta, 2.0 * max(sulfate, 0.0))
    free = ta - bound
    x = 0.0
    excess = free * tn - k_eq
    if excess > 0.0:
        x = 2.0 * excess / (free + tn + math.sqrt((free - tn) ** 2 + 4.0 * k_eq))
        x = min(x, free, tn)
    return free - x, tn - x, bound + x, x
