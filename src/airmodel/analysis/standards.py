"""Chinese ambient air-quality standards (GB 3095-2012) and the air-quality index (HJ 633-2012).

Units: the standards give SO2, NO2, O3, PM10 and PM2.5 in ug m-3 and CO in mg m-3. GB 3095-2012 (section 3.11)
refers gaseous concentrations to the standard state, 273.15 K and 101.325 kPa, where a mole of gas takes
22.414 L: ug m-3 = ppb x M / 22.414 (M in g mol-1). (The 2018 amendment moved the reference to 298.15 K; we keep
the 2012 text, which governed 2008-era assessments, and say so in every output.) The model writes gases as mole
fractions (ppb; CO and CO2 in ppm); ``to_standard_units`` converts.

AQI (HJ 633-2012, Table 1 and sections 4-5): IAQI = (IH - IL) / (BPH - BPL) x (C - BPL) + IL on the breakpoint
segment that holds C; the daily AQI is the largest IAQI of the 24-hour SO2, NO2, PM10, PM2.5 and CO, the daily
maximum 1-hour O3 and the daily maximum 8-hour O3; the primary pollutant is the one that sets it when AQI > 50.
Above the top breakpoint: an 8-hour O3 above 800 ug m-3 gets no IAQI (the 1-hour O3 speaks for it, as the
standard says); any other value above its table's top is given IAQI 500 (our convention; the standard stops
there).
"""
from __future__ import annotations

import numpy as np

from ..errors import InputError

STANDARD_MOLAR_VOLUME_L = 22.414  # L mol-1 at 273.15 K and 101.325 kPa (GB 3095-2012 standard state)
REFERENCE_STATE = "GB 3095-2012 standard state (273.15 K, 101.325 kPa)"

#: g mol-1 (IUPAC atomic weights).
MOLAR_MASS = {"SO2": 64.064, "NO2": 46.005, "NO": 30.006, "O3": 47.997, "CO": 28.010, "NH3": 17.031,
              "HNO3": 63.012}

#: Units in which the standards state each pollutant.
STANDARD_UNITS = {"SO2": "ug m-3", "NO2": "ug m-3", "O3": "ug m-3", "PM10": "ug m-3", "PM25": "ug m-3",
                  "CO": "mg m-3"}

_MIXING_RATIO_TO_PPB = {"ppb": 1.0, "ppm": 1e3, "ppt": 1e-3, "1e-9": 1.0, "1e-6": 1e3}
_MASS_TO_UG = {"ug m-3": 1.0, "ug/m3": 1.0, "mg m-3": 1e3, "mg/m3": 1e3, "kg m-3": 1e9, "g m-3": 1e6}


def to_standard_units(name: str, values, units: str, where: str = "") -> np.ndarray:
    """Convert concentrations of pollutant ``name`` from ``units`` to the standard's units (STANDARD_UNITS)."""
    if name not in STANDARD_UNITS:
        raise InputError(f"{where or name}: no Chinese standard for {name!r}; "
                         f"choose one of {', '.join(STANDARD_UNITS)}")
    values = np.asarray(values, dtype=float)
    u = units.strip()
    if u in _MIXING_RATIO_TO_PPB:
        if name not in MOLAR_MASS:
            raise InputError(f"{where or name}: {name} is a particle mass; a mole fraction ({u}) cannot be used")
        ug = values * _MIXING_RATIO_TO_PPB[u] * MOLAR_MASS[name] / STANDARD_MOLAR_VOLUME_L
    elif u in _MASS_TO_UG:
        ug = values * _MASS_TO_UG[u]
    else:
        raise InputError(f"{where or name}: unknown unit {units!r}; choose one of "
                         f"{', '.join(list(_MIXING_RATIO_TO_PPB) + list(_MASS_TO_UG))}")
    return ug / 1e3 if STANDARD_UNITS[name] == "mg m-3" else ug


#: GB 3095-2012 Table 1 concentration limits, (Grade I, Grade II), in STANDARD_UNITS.
LIMITS = {
    ("SO2", "24h"): (50.0, 150.0), ("SO2", "1h"): (150.0, 500.0), ("SO2", "annual"): (20.0, 60.0),
    ("NO2", "24h"): (80.0, 80.0), ("NO2", "1h"): (200.0, 200.0), ("NO2", "annual"): (40.0, 40.0),
    ("CO", "24h"): (4.0, 4.0), ("CO", "1h"): (10.0, 10.0),
    ("O3", "8h"): (100.0, 160.0), ("O3", "1h"): (160.0, 200.0),
    ("PM10", "24h"): (50.0, 150.0), ("PM10", "annual"): (40.0, 70.0),
    ("PM25", "24h"): (35.0, 75.0), ("PM25", "annual"): (15.0, 35.0),
}

#: The daily metrics the daily Grade II check and the daily AQI use: (pollutant, averaging), the daily field's
#: name in airmodel outputs.
DAILY_METRICS = (("PM25", "24h"), ("PM10", "24h"), ("SO2", "24h"), ("NO2", "24h"), ("CO", "24h"),
                 ("O3", "1h"), ("O3", "8h"))

IAQI_LEVELS = np.array([0.0, 50.0, 100.0, 150.0, 200.0, 300.0, 400.0, 500.0])
#: HJ 633-2012 Table 1 breakpoints (STANDARD_UNITS); NaN where the table stops.
BREAKPOINTS = {
    ("SO2", "24h"): [0, 50, 150, 475, 800, 1600, 2100, 2620],
    ("SO2", "1h"): [0, 150, 500, 650, 800, np.nan, np.nan, np.nan],
    ("NO2", "24h"): [0, 40, 80, 180, 280, 565, 750, 940],
    ("NO2", "1h"): [0, 100, 200, 700, 1200, 2340, 3090, 3840],
    ("PM10", "24h"): [0, 50, 150, 250, 350, 420, 500, 600],
    ("CO", "24h"): [0, 2, 4, 14, 24, 36, 48, 60],
    ("CO", "1h"): [0, 5, 10, 35, 60, 90, 120, 150],
    ("O3", "1h"): [0, 160, 200, 300, 400, 800, 1000, 1200],
    ("O3", "8h"): [0, 100, 160, 215, 265, 800, np.nan, np.nan],
    ("PM25", "24h"): [0, 35, 75, 115, 150, 250, 350, 500],
}

#: AQI categories (HJ 633-2012 Table 2): upper bound of the AQI, English name, Chinese level.
CATEGORIES = ((50, "excellent", "I"), (100, "good", "II"), (150, "lightly polluted", "III"),
              (200, "moderately polluted", "IV"), (300, "heavily polluted", "V"),
              (np.inf, "severely polluted", "VI"))
CATEGORY_NAMES = tuple(c[1] for c in CATEGORIES)

#: Primary pollutant codes in outputs: 0 none (AQI <= 50), then the daily metrics in DAILY_METRICS order.
PRIMARY_NAMES = ("none",) + tuple(f"{p}_{a}" for p, a in DAILY_METRICS)


def iaqi(pollutant: str, averaging: str, concentration) -> np.ndarray:
    """Individual AQI of concentrations in STANDARD_UNITS (NaN in, NaN out; see the module notes above the top)."""
    try:
        bp = np.asarray(BREAKPOINTS[(pollutant, averaging)], dtype=float)
    except KeyError:
        raise InputError(f"AQI: no HJ 633-2012 breakpoints for {pollutant} {averaging}; "
                         f"choose one of {', '.join(f'{p} {a}' for p, a in BREAKPOINTS)}") from None
    valid = np.isfinite(bp)
    bp, levels = bp[valid], IAQI_LEVELS[valid]
    c = np.asarray(concentration, dtype=float)
    out = np.ceil(np.interp(c, bp, levels) - 1e-9)  # HJ 633-2012 5.2: IAQI rounded up to a whole number
    above = c > bp[-1]
    if (pollutant, averaging) in (("O3", "8h"), ("SO2", "1h")):
        out = np.where(above, np.nan, out)  # the standard hands these to the other averaging time
    else:
        out = np.where(above, 500.0, out)
    return np.where(np.isfinite(c), out + 0.0, np.nan)


def daily_aqi(daily: dict) -> tuple[np.ndarray, np.ndarray]:
    """The daily AQI and the primary pollutant code (PRIMARY_NAMES) from daily metrics in STANDARD_UNITS.

    ``daily`` maps (pollutant, averaging) of DAILY_METRICS to arrays of one shape; missing metrics are left out.
    The AQI is NaN where no metric is valid. Ties for the primary pollutant go to the first in DAILY_METRICS
    order (PM2.5 first)."""
    present = [m for m in DAILY_METRICS if m in daily]
    if not present:
        raise InputError("AQI: none of the daily metrics is available: " +
                         ", ".join(f"{p} {a}" for p, a in DAILY_METRICS))
    stack = np.stack([iaqi(p, a, daily[(p, a)]) for p, a in present])
    finite = np.isfinite(stack)
    filled = np.where(finite, stack, -np.inf)
    best = np.argmax(filled, axis=0)
    aqi = np.take_along_axis(filled, best[None], axis=0)[0]
    any_valid = finite.any(axis=0)
    aqi = np.where(any_valid, aqi, np.nan)
    codes = np.array([DAILY_METRICS.index(m) + 1 for m in present])[best]
    primary = np.where(any_valid & (aqi > 50.0), codes, 0)
    return aqi, primary.astype(np.int8)


def aqi_category(aqi) -> np.ndarray:
    """Category index 0..5 (CATEGORY_NAMES) of AQI values; -1 for NaN. HJ 633-2012 rounds the IAQI up to a
    whole number before classing, so 50.2 is 51, 'good'."""
    a = np.ceil(np.asarray(aqi, dtype=float))
    bounds = np.array([c[0] for c in CATEGORIES[:-1]], dtype=float)
    cat = np.searchsorted(bounds, a, side="left")
    return np.where(np.isfinite(a), cat, -1)


def exceeds_grade_ii(pollutant: str, averaging: str, concentration) -> np.ndarray:
    """True where a concentration (STANDARD_UNITS) is above the Grade II limit (NaN: False)."""
    limit = LIMITS[(pollutant, averaging)][1]
    c = np.asarray(concentration, dtype=float)
    return np.isfinite(c) & (c > limit)
