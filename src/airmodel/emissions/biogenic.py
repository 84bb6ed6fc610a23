"""Biogenic emissions: isoprene and monoterpenes from the land use, with their temperature and light dependence
(``emissions.biogenic``), added to the surface emission rates of the inventory.

Each cell emits, per m2 of land, E = epsilon(land use) x gamma, with epsilon the canopy-scale emission factor at
standard conditions (T_s = 303 K, PAR 1000 umol m-2 s-1; airmodel/data/emissions/biogenic_factors.csv, the MEGAN2.1
plant-functional-type factors of Guenther et al. 2012, Geosci. Model Dev. 5, 1471, Table 2, mixed by land-use
category) and gamma the activity factor of Guenther et al. (1993, J. Geophys. Res. 98, 12609):

- isoprene, light and temperature (eqs. 2-3 of the paper):

      C_L = alpha C_L1 L / sqrt(1 + alpha^2 L^2),            alpha = 0.0027, C_L1 = 1.066,
      C_T = exp(C_T1 (T - T_s) / (R T_s T)) / (1 + exp(C_T2 (T - T_M) / (R T_s T))),
            C_T1 = 95000 J mol-1, C_T2 = 230000 J mol-1, T_M = 314 K, T_s = 303 K, R = 8.314 J K-1 mol-1,

  with L the photosynthetically active radiation (umol m-2 s-1) and T the temperature (K): zero at night;
- monoterpenes, temperature only (eq. 5): exp(beta (T - T_s)), beta = 0.09 K-1.

The driving fields are the meteorology's 2-m temperature (the lowest layer's where it has none) and the shortwave
radiation at the ground, converted to PAR as 0.5 of the shortwave (the share of the solar spectrum between 400 and
700 nm at the ground is close to one half; Monteith and Unsworth, Principles of Environmental Physics) at
4.57 umol J-1 (the photon content of daylight PAR; McCree 1972, Agric. Meteorol. 10, 443).

Simplifications, against MEGAN2.1's full form: the activity factor is that of a sunlit leaf at the canopy top
(a big leaf; no canopy radiative transfer, no leaf-area, leaf-age or soil-moisture factor: an August canopy in
full leaf), and a category is wholly covered by its plant types. Urban land emits nothing.

The species are the scenario's ISOP (isoprene) and TERP (monoterpenes) where the model has them, converted mole for
mole to the molar mass the emissions' mechanism gives them; a mechanism with neither (grs_aero, whose ROC is a
lumped VOC counted per carbon atom with one reactivity for the urban mix) gets none, and asking for biogenic
emissions with such a mechanism is an input error: no published mapping of isoprene onto GRS' ROC reactivity is
used here.
"""
from __future__ import annotations

import numpy as np

from ..data import data_path
from ..errors import InputError
from ..grid import Grid
from .tables import read_table

FACTORS_FILE = data_path("emissions") / "biogenic_factors.csv"

#: Guenther et al. (1993) light dependence of isoprene
ALPHA = 0.0027  # m2 s umol-1
C_L1 = 1.066
#: Guenther et al. (1993) temperature dependence of isoprene
C_T1 = 95000.0  # J mol-1
C_T2 = 230000.0  # J mol-1
T_M = 314.0  # K
T_S = 303.0  # K, standard temperature of the emission factors
GAS_CONSTANT = 8.314  # J K-1 mol-1, as in the paper
#: Guenther et al. (1993) monoterpene temperature coefficient
BETA = 0.09  # K-1
#: PAR (umol m-2 s-1) per W m-2 of shortwave radiation at the ground: 0.5 of the shortwave x 4.57 umol J-1
PAR_PER_SHORTWAVE = 0.5 * 4.57
#: Molar masses of the emitted compounds (g mol-1): isoprene C5H8 and a monoterpene C10H16
COMPOUNDS = {"ISOP": ("isoprene", 68.117), "TERP": ("monoterpenes", 136.234)}
#: micrograms per m2 per hour -> kg m-2 s-1
UG_M2_H = 1e-9 / 3600.0


def light_factor(par):
    """Guenther et al. (1993) C_L of isoprene at PAR (umol m-2 s-1)."""
    par = np.asarray(par, dtype=float)
    return ALPHA * C_L1 * par / np.sqrt(1.0 + ALPHA * ALPHA * par * par)


def temperature_factor(temperature):
    """Guenther et al. (1993) C_T of isoprene at the temperature (K)."""
    t = np.asarray(temperature, dtype=float)
    scale = GAS_CONSTANT * T_S * t
    return np.exp(C_T1 * (t - T_S) / scale) / (1.0 + np.exp(C_T2 * (t - T_M) / scale))


def monoterpene_factor(temperature):
    """Guenther et al. (1993) exp(beta (T - T_s)) of monoterpenes."""
    return np.exp(BETA * (np.asarray(temperature, dtype=float) - T_S))


def read_factors(path=FACTORS_FILE) -> dict[str, np.ndarray]:
    """{"ISOP": [25], "TERP": [25]}: the emission factors (ug m-2 h-1) indexed by USGS category 1..24."""
    table = read_table(path)
    cols = table.require("usgs", "isoprene", "monoterpenes")
    out = {"ISOP": np.full(25, np.nan), "TERP": np.full(25, np.nan)}
    for line, fields in table.rows:
        category = table.number(line, fields, cols["usgs"], minimum=1.0)
        if category != int(category) or category > 24:
            raise InputError(f"{table.where(line, cols['usgs'])}: {category:g} is not a USGS category 1..24")
        for species, column in (("ISOP", "isoprene"), ("TERP", "monoterpenes")):
            out[species][int(category)] = table.number(line, fields, cols[column], minimum=0.0)
    missing = [c for c in range(1, 25) if np.isnan(out["ISOP"][c])]
    if missing:
        raise InputError(f"{table.path}: no row for USGS categories {', '.join(map(str, missing))}")
    return out


class BiogenicEmissions:
    """Isoprene and monoterpene fluxes of the land use under the meteorology of the moment."""

    def __init__(self, grid: Grid, species_names: list[str], molar_mass: dict[str, float],
                 where: str = "emissions.biogenic"):
        self.grid = grid
        self.factors = read_factors()
        #: (state index, name, g mol-1 of the species per g mol-1 of the compound)
        self.slots = []
        for name, (_, compound_mass) in COMPOUNDS.items():
            if name in species_names:
                self.slots.append((species_names.index(name), name,
                                   molar_mass.get(name, compound_mass) / compound_mass))
        if not self.slots:
            raise InputError(f"{where} = true needs the species ISOP (isoprene) or TERP (monoterpenes) in the run; "
                             f"it has {', '.join(species_names)} (a mechanism such as grs_aero, with a lumped ROC, "
                             f"takes no biogenic emissions here)")

    def fluxes(self, met) -> dict[str, np.ndarray]:
        """{"ISOP": [ny, nx], "TERP": [ny, nx]} kg of the compound m-2 s-1 under ``met`` (a MetSnapshot)."""
        if met is None or met.land_use is None or met.shortwave_down is None or (
                met.temperature_2m is None and met.temperature is None):
            raise InputError("emissions.biogenic = true needs a meteorology with land use, temperature and shortwave "
                             "radiation (synthetic, wrf, cf or station; not idealized)")
        land = np.asarray(met.land_use, dtype=np.int64)
        if land.min() < 1 or land.max() > 24:
            raise InputError(f"meteorology: land-use category {int(land.min() if land.min() < 1 else land.max())} "
                             f"is outside the USGS categories 1..24")
        temperature = met.temperature_2m if met.temperature_2m is not None else met.temperature[0]
        par = PAR_PER_SHORTWAVE * np.maximum(np.asarray(met.shortwave_down, dtype=float), 0.0)
        return {"ISOP": self.factors["ISOP"][land] * light_factor(par) * temperature_factor(temperature) * UG_M2_H,
                "TERP": self.factors["TERP"][land] * monoterpene_factor(temperature) * UG_M2_H}

    def add_rates(self, surface: np.ndarray, met) -> None:
        """surface[s, j, i] += the biogenic emission rate (kg s-1) of each cell, for the species the run has."""
        flux = self.fluxes(met)
        for s, name, ratio in self.slots:
            surface[s] += flux[name] * self.grid.cell_area * ratio
