"""Weather regimes of a greater-Beijing August and the default calendar of the synthetic meteorology.

Each regime fixes the synoptic state that the synthetic source (synthetic.py) builds its fields from: the
"free" boundary-layer wind above the surface layer, temperature and dew-point offsets, sea-level pressure, cloud
cover and how many showers it breeds. The numbers are ours, chosen so that the month reproduces the observed
August statistics at Beijing, 2010-2014, of the UCI Beijing PM2.5 data set (Liang et al. 2015, Proc. R. Soc. A 471,
20150257: wind-direction shares SE 47 %, calm 22 %, NW 20 %, NE 11 %; median speeds NW 3.1 m/s, SE 1.8 m/s; mean
dew point 19.3 C; pressure 1007 hPa; 6.9 % of hours with rain), about 160 mm of rain in the month (CMA 1971-2000
normals) and the synoptic patterns of the North China summer described in the literature:

- ``southerly``: weak south-south-westerly flow ahead of a trough; warm, humid, hazy; Hebei's air is carried north
  against the Yanshan and Taihang ranges and stagnates there: the polluted episodes (Streets et al. 2007, Atmos.
  Environ. 41, 480: under sustained southerly flow Hebei contributed 50-70 % of Beijing's PM2.5).
- ``front``: a cold front crosses from the north-west (about 12 m/s, passing Beijing in the afternoon) with a
  band of showers; ahead of it the southerly freshens, behind it the wind turns north-westerly.
- ``northerly``: the clean, dry, cool north-westerly outbreak behind the front (about 6 m/s), deep mixing.
- ``calm``: a weak pressure gradient: the local circulations dominate (the night drainage out of the Yanshan
  valleys, the daytime upslope and plain-to-mountain wind, the Bohai sea breeze), with clear, shallow, stable
  nights.
- ``showery``: humid, unstable air with many afternoon thunderstorms and weak south-easterly flow.
- ``easterly``: north-easterly to easterly marine air from the Bohai, cool and cloudy.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError


@dataclass(frozen=True)
class Regime:
    speed: float  # free boundary-layer wind speed (m s-1)
    direction: float  # direction the wind blows FROM (degrees clockwise from north)
    temperature_offset: float  # K, added to the climatological diurnal cycle
    dew_point: float  # C, over the plain
    sea_level_pressure: float  # hPa
    cloud_cover: float  # fraction, fair-weather and stratiform cloud
    showers_per_day: float  # mean number of shower cells in the domain
    mixing_height_factor: float  # on the convective mixing height (subsidence, clouds)
    description: str = ""


REGIMES = {
    "southerly": Regime(3.0, 200.0, 1.0, 21.0, 1003.0, 0.35, 9.0, 0.85,
                        "stagnant south-south-westerly flow, warm and humid: the polluted episodes"),
    "front": Regime(4.0, 200.0, 0.0, 20.0, 1004.0, 0.5, 10.0, 0.9,
                    "cold-front passage: freshening southerly, a rain band, then north-westerly"),
    "northerly": Regime(7.0, 325.0, -2.5, 11.0, 1012.0, 0.1, 1.0, 1.3,
                        "clean north-westerly outbreak behind a front: dry, cool, deep mixing"),
    "calm": Regime(0.8, 180.0, 0.5, 19.0, 1006.0, 0.15, 6.0, 1.0,
                   "weak pressure gradient: mountain-valley winds and the sea breeze dominate"),
    "showery": Regime(2.0, 140.0, -1.0, 21.5, 1004.0, 0.55, 28.0, 0.8,
                      "humid and unstable: afternoon thunderstorms"),
    "easterly": Regime(3.5, 65.0, -1.5, 19.0, 1009.0, 0.5, 8.0, 0.8,
                       "north-easterly marine air from the Bohai: cool and cloudy"),
}

#: The post-frontal state a ``front`` day turns into behind the front.
POST_FRONTAL = Regime(7.0, 330.0, -2.0, 13.0, 1010.0, 0.15, 0.0, 1.2, "behind the front")

#: The default calendar: the regime of each local (UTC+8) day of the month, 1..31. Four cycles of southerly build-up,
#: frontal passage and northerly clean-out, with calm, showery and easterly days between (our composition; the
#: shares of hours it gives at Beijing are measured in tests/physics/test_met_synthetic.py).
DEFAULT_CALENDAR = (
    "southerly", "southerly", "southerly", "front", "northerly", "northerly", "calm",  # 1-7
    "calm", "southerly", "southerly", "showery", "southerly", "front", "northerly",  # 8-14
    "easterly", "calm", "southerly", "southerly", "southerly", "showery", "front",  # 15-21
    "northerly", "northerly", "calm", "easterly", "southerly", "southerly", "showery",  # 22-28
    "southerly", "front", "northerly",  # 29-31
)


def calendar(names, where: str = "meteorology.regimes") -> tuple[str, ...]:
    """The regime calendar (one name per day of the month, repeated if shorter than 31); default if empty."""
    if not names:
        return DEFAULT_CALENDAR
    bad = [n for n in names if n not in REGIMES]
    if bad:
        raise InputError(f"{where}: unknown regime {bad[0]!r}; choose from: {', '.join(REGIMES)}")
    return tuple(names[(d) % len(names)] for d in range(31))
