"""Land use: the USGS 24 categories (WRF's LU_INDEX with MMINLU = "USGS"), MODIS-IGBP (MMINLU = "MODIFIED_IGBP_
MODIS_NOAH"), and the properties the surface layer and deposition need by category.

- Roughness length z0 (m), midsummer: typical values after Wieringa (1993), BLM 63, 323, Table 1 and Stull (1988),
  An Introduction to Boundary Layer Meteorology, Fig. 9.6: crops 0.1-0.25 m, grass 0.03-0.1 m, forest 0.8-1.6 m,
  built-up 0.7-1.5 m, open water 1e-4 - 1e-3 m.
- Daytime Bowen ratio, midsummer, average moisture: the AERMET table (EPA 2004, AERMET User's Guide,
  EPA-454/B-03-002, Table 4-2b, after Paine 1987): water 0.1, deciduous and coniferous forest 0.3, swamp 0.1,
  cultivated land 0.5, grassland 0.8, urban 1.6 (the table gives 1.5-2.0; we take 1.6), desert
  shrubland 4.0.
- Midsummer albedo: the AERMET table (same guide, Table 4-1): water 0.1, deciduous forest 0.12, coniferous
  forest 0.12, swamp 0.14, cultivated land 0.14, grassland 0.18, urban 0.16, desert shrubland 0.28.
- Wesely (1989) land-use types (1 urban, 2 agricultural, 3 range, 4 deciduous forest, 5 coniferous forest,
  6 mixed forest including wetland, 7 water, 8 barren, 9 nonforested wetland, 10 mixed agricultural and range,
  11 rocky open areas with low-growing shrubs) for the deposition resistances: our mapping, by the closest
  description.
"""
from __future__ import annotations

import numpy as np

from ..errors import InputError

USGS_NAMES = {
    1: "Urban and Built-Up Land", 2: "Dryland Cropland and Pasture", 3: "Irrigated Cropland and Pasture",
    4: "Mixed Dryland/Irrigated Cropland and Pasture", 5: "Cropland/Grassland Mosaic",
    6: "Cropland/Woodland Mosaic", 7: "Grassland", 8: "Shrubland", 9: "Mixed Shrubland/Grassland", 10: "Savanna",
    11: "Deciduous Broadleaf Forest", 12: "Deciduous Needleleaf Forest", 13: "Evergreen Broadleaf Forest",
    14: "Evergreen Needleleaf Forest", 15: "Mixed Forest", 16: "Water Bodies", 17: "Herbaceous Wetland",
    18: "Wooded Wetland", 19: "Barren or Sparsely Vegetated", 20: "Herbaceous Tundra", 21: "Wooded Tundra",
    22: "Mixed Tundra", 23: "Bare Ground Tundra", 24: "Snow or Ice",
}
URBAN, DRYLAND_CROPLAND, GRASSLAND, SHRUBLAND, DECIDUOUS_FOREST, MIXED_FOREST, WATER = 1, 2, 7, 8, 11, 15, 16

#                USGS: 1     2     3     4     5     6     7     8     9     10    11    12
_Z0 = np.array([np.nan, 0.80, 0.15, 0.10, 0.12, 0.10, 0.30, 0.05, 0.10, 0.08, 0.20, 0.80, 0.80,
                #       13    14    15    16      17    18    19    20    21    22    23    24
                1.00, 1.00, 0.80, 2.0e-4, 0.05, 0.50, 0.01, 0.05, 0.10, 0.06, 0.03, 1.0e-3])
_BOWEN = np.array([np.nan, 1.6, 0.5, 0.3, 0.4, 0.5, 0.4, 0.8, 1.5, 1.0, 1.0, 0.3, 0.3,
                   0.3, 0.3, 0.3, 0.1, 0.1, 0.1, 4.0, 0.8, 0.8, 0.8, 2.0, 0.5])
_ALBEDO = np.array([np.nan, 0.16, 0.14, 0.14, 0.14, 0.15, 0.13, 0.18, 0.2, 0.19, 0.18, 0.12, 0.12,
                    0.12, 0.12, 0.12, 0.10, 0.14, 0.14, 0.28, 0.18, 0.18, 0.18, 0.25, 0.6])
_WESELY = np.array([0, 1, 2, 2, 2, 10, 10, 3, 11, 3, 3, 4, 4, 4, 5, 6, 7, 9, 6, 8, 9, 6, 9, 8, 8])

#: MODIS-IGBP (20 classes, NOAH; 21 = lakes) to the nearest USGS category.
MODIS_TO_USGS = np.array([0, 14, 13, 12, 11, 15, 8, 8, 10, 10, 7, 17, 2, 1, 5, 24, 19, 16, 21, 22, 23, 16])


def _check(land_use, n, where):
    lu = np.asarray(land_use)
    bad = (lu < 1) | (lu > n)
    if bad.any():
        raise InputError(f"{where}: land-use category {int(lu[bad].flat[0])} is outside 1..{n}")
    return lu.astype(np.int64)


def usgs_from_modis(land_use, where: str = "LU_INDEX"):
    return MODIS_TO_USGS[_check(land_use, 21, where)]


def roughness_length(land_use):
    """Midsummer roughness length (m) by USGS category."""
    return _Z0[_check(land_use, 24, "land_use")]


def bowen_ratio(land_use):
    return _BOWEN[_check(land_use, 24, "land_use")]


def albedo(land_use):
    return _ALBEDO[_check(land_use, 24, "land_use")]


def wesely_type(land_use):
    """Wesely (1989) land-use type 1..11 by USGS category."""
    return _WESELY[_check(land_use, 24, "land_use")]


def urban_fraction(land_use):
    return (np.asarray(land_use) == URBAN).astype(float)
