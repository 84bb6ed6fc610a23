"""Briggs plume rise for stacks, in the forms of the EPA ISC3 model.

References: Briggs, G. A. (1975), Plume rise predictions, in Lectures on Air Pollution and Environmental Impact
Analyses, AMS, 59-111; Briggs (1984), Plume rise and buoyancy effects, in Atmospheric Science and Power Production,
DOE/TIC-27601, 327-366; the forms and constants used here are those of the ISC3 User's Guide, Vol. II
(EPA-454/B-95-003b, 1995), section 1.1.4 (plume rise) and 1.1.5 (stack-tip downwash, after Briggs 1974).

With g = 9.80665 m s-2, stack exit velocity vs (m/s), inner diameter d (m), exit temperature Ts (K), ambient
temperature Ta (K) at the stack top, dT = Ts - Ta, and wind speed us (m/s) at the stack top (at least 1 m/s, as in
ISC3):

    buoyancy flux   Fb = g vs d^2 dT / (4 Ts)                     (m4 s-3)
    momentum flux   Fm = vs^2 d^2 Ta / (4 Ts)                     (m4 s-2)

Unstable and neutral air: buoyancy dominates when dT >= dTc, with
    dTc = 0.0297 Ts vs^(1/3) / d^(2/3)        (Fb < 55)
    dTc = 0.00575 Ts vs^(2/3) / d^(1/3)       (Fb >= 55)
and the final rise is
    buoyant:   dh = 21.425 Fb^(3/4) / us      (Fb < 55);    dh = 38.71 Fb^(3/5) / us   (Fb >= 55)
    momentum:  dh = 3 d vs / us.

Stable air, with the stability parameter s = g (dtheta/dz) / Ta (s-2):
    dTc = 0.019582 Ts vs sqrt(s)
    buoyant:   dh = 2.6 (Fb / (us s))^(1/3)
    momentum:  dh = min(1.5 (Fm / (us sqrt(s)))^(1/3), 3 d vs / us).

Stack-tip downwash (Briggs 1974, ISC3 option on by default): the release height becomes
    h's = hs + 2 d (vs / us - 1.5)   when vs < 1.5 us,   else hs.
The effective height is h's + dh.
"""
from __future__ import annotations

import numpy as np

from ..met.constants import GRAVITY, KAPPA, P0

#: ISC3 sets wind speeds below 1 m/s to 1 m/s.
MINIMUM_WIND = 1.0


def buoyancy_flux(exit_velocity, diameter, exit_temperature, ambient_temperature):
    """Fb = g vs d^2 (Ts - Ta) / (4 Ts), m4 s-3; zero for a plume cooler than the air."""
    vs, d, ts, ta = (np.asarray(a, dtype=float) for a in (exit_velocity, diameter, exit_temperature,
                                                          ambient_temperature))
    return GRAVITY * vs * d * d * np.maximum(ts - ta, 0.0) / (4.0 * ts)


def momentum_flux(exit_velocity, diameter, exit_temperature, ambient_temperature):
    """Fm = vs^2 d^2 Ta / (4 Ts), m4 s-2."""
    vs, d, ts, ta = (np.asarray(a, dtype=float) for a in (exit_velocity, diameter, exit_temperature,
                                                          ambient_temperature))
    return vs * vs * d * d * ta / (4.0 * ts)


def stack_tip_downwash(height, diameter, exit_velocity, wind_speed):
    """h's = hs + 2 d (vs/us - 1.5) for vs < 1.5 us (Briggs 1974), never below the ground."""
    hs, d, vs, us = (np.asarray(a, dtype=float) for a in (height, diameter, exit_velocity, wind_speed))
    return np.where(vs < 1.5 * us, np.maximum(hs + 2.0 * d * (vs / us - 1.5), 0.0), hs)


def final_rise(exit_velocity, diameter, exit_temperature, ambient_temperature, wind_speed, stable, stability=None):
    """Final plume rise dh (m) by the ISC3 forms of Briggs' formulas (module docstring).

    ``stable`` (bool array) selects the stable forms, which need ``stability`` s = g (dtheta/dz) / Ta (s-2, > 0).
    """
    vs, d, ts, ta, us = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (
        exit_velocity, diameter, exit_temperature, ambient_temperature, wind_speed)))
    us = np.maximum(us, MINIMUM_WIND)
    stable = np.broadcast_to(np.asarray(stable, dtype=bool), vs.shape)
    s = np.broadcast_to(np.asarray(1.0 if stability is None else stability, dtype=float), vs.shape)
    fb = buoyancy_flux(vs, d, ts, ta)
    fm = momentum_flux(vs, d, ts, ta)
    dt = ts - ta
    momentum_neutral = 3.0 * d * vs / us

    small = fb < 55.0
    with np.errstate(divide="ignore", invalid="ignore"):
        dtc_neutral = np.where(small, 0.0297 * ts * np.cbrt(vs) / d ** (2.0 / 3.0),
                               0.00575 * ts * vs ** (2.0 / 3.0) / np.cbrt(d))
        buoyant_neutral = np.where(small, 21.425 * fb ** 0.75 / us, 38.71 * fb ** 0.6 / us)
        neutral = np.where((dt >= dtc_neutral) & (fb > 0.0), buoyant_neutral, momentum_neutral)

        s_safe = np.where(s > 0.0, s, 1.0)
        dtc_stable = 0.019582 * ts * vs * np.sqrt(s_safe)
        buoyant_stable = 2.6 * np.cbrt(fb / (us * s_safe))
        momentum_stable = np.minimum(1.5 * np.cbrt(fm / (us * np.sqrt(s_safe))), momentum_neutral)
        stable_rise = np.where((dt >= dtc_stable) & (fb > 0.0), buoyant_stable, momentum_stable)
    return np.where(stable, stable_rise, neutral)


def potential_temperature_gradient(heights, temperature, pressure, z):
    """d(theta)/dz (K/m) at height z of a column from layer-midpoint values (theta = T (p0/p)^kappa)."""
    theta = np.asarray(temperature, dtype=float) * (P0 / np.asarray(pressure, dtype=float)) ** KAPPA
    if heights.size < 2:
        return 0.0
    k = int(np.clip(np.searchsorted(heights, z) - 1, 0, heights.size - 2))
    return float((theta[k + 1] - theta[k]) / (heights[k + 1] - heights[k]))
