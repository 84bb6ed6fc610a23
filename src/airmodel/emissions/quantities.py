"""The vocabulary of the inventories: pollutants, sectors, and the units their files may use.

Inventory amounts are converted to kg per inventory year on reading (rates per second, hour or day are multiplied by
the length of the inventory's calendar year, 366 days in 2008); everything inside the emissions code is SI.
"""
from __future__ import annotations

import re

from ..errors import InputError

#: Inventory pollutants, in the order tables print them. NOx is counted as NO2-equivalent mass (the convention of
#: every Chinese and international inventory: MEIC, INTEX-B, EDGAR, HTAP); NMVOC as the mass of the compounds.
POLLUTANTS = ("SO2", "NOx", "CO", "NMVOC", "NH3", "PM10", "PM2.5", "BC", "OC", "CO2")

#: Molar masses (g mol-1) of the pollutants that are one molecule (IUPAC 2013 standard atomic weights);
#: NOx as NO2. Used where a speciation row works in moles.
POLLUTANT_MOLAR_MASS = {"SO2": 64.064, "NOx": 46.006, "CO": 28.010, "NH3": 17.031, "CO2": 44.009}

#: Other spellings accepted in file headers and NetCDF attributes (case-insensitive) -> the name above.
POLLUTANT_ALIASES = {
    "so2": "SO2", "nox": "NOx", "no2eq": "NOx", "co": "CO", "nmvoc": "NMVOC", "voc": "NMVOC", "nmhc": "NMVOC",
    "nh3": "NH3", "pm10": "PM10", "pm2.5": "PM2.5", "pm25": "PM2.5", "pm2_5": "PM2.5", "bc": "BC", "ec": "BC",
    "oc": "OC", "co2": "CO2",
}

#: Sectors. ``construction`` is building sites: fugitive dust from earthworks and the architectural coatings used on
#: them; ``agriculture`` is livestock and fertilizer (NH3); ``power`` includes heat supply (district-heating plants),
#: as Chinese statistics count it.
#: Industry is split as the source categories of the measures and the ranking: ``iron_steel`` (sintering, coking,
#: blast furnaces and steel making), ``cement`` (cement and other building materials: lime, bricks, glass),
#: ``industrial_boilers`` (coal-fired industrial and commercial boilers, as Chinese inventories count them) and
#: ``other_industry`` (chemicals, petrochemicals, non-ferrous metals, solvents and the rest); ``industry`` is industry
#: not split (a user's inventory) and, in controls and rankings, the group of all five (SECTOR_GROUPS).
SECTORS = ("power", "industry", "iron_steel", "cement", "other_industry", "industrial_boilers", "residential",
           "transport", "agriculture", "construction", "other")

#: Names that stand for several sectors where a control, a measure or a ranking category names sectors.
INDUSTRY_SECTORS = ("industry", "iron_steel", "cement", "other_industry", "industrial_boilers")
SECTOR_GROUPS = {"industry": INDUSTRY_SECTORS}

#: The sector rows of the summaries: every sector, with ``industry`` the total of the industry group (the split
#: sectors are listed as well); SUMMARY_LEAVES are the rows that add up to the total without double counting.
SUMMARY_LEAVES = tuple(s for s in SECTORS if s != "industry")


def expand_sectors(names) -> frozenset:
    """The sectors a list of sector names stands for (a group name such as ``industry`` stands for its members)."""
    out = set()
    for name in names:
        out.update(SECTOR_GROUPS.get(name, (name,)))
    return frozenset(out)


def summary_sectors(names) -> tuple[str, ...]:
    """The summary rows whose sum is the emissions of the named sectors, each tonne counted once: a selection that
    holds the whole industry group is its ``industry`` row, otherwise the split rows named."""
    leaves = expand_sectors(names)
    if set(INDUSTRY_SECTORS) <= leaves:
        return tuple(s for s in SUMMARY_LEAVES if s in leaves and s not in INDUSTRY_SECTORS) + ("industry",)
    return tuple(s for s in SUMMARY_LEAVES if s in leaves)

#: Parts of a pollutant that other pollutants name: PM10 contains PM2.5, PM2.5 contains BC and OC (the organic
#: matter that OC stands for is OC times an OM/OC factor, set in the speciation table).
PARTS = {"PM10": ("PM2.5",), "PM2.5": ("BC", "OC")}

MASS_UNITS = {"g": 1e-3, "kg": 1.0, "t": 1e3, "Mg": 1e3, "kt": 1e6, "Gg": 1e6, "Mt": 1e9, "Tg": 1e9}
TIME_UNITS = {"s": 1.0, "h": 3600.0, "d": 86400.0, "day": 86400.0, "yr": None, "a": None, "year": None}
HEADER = re.compile(r"^\s*([^\[\]]+?)\s*(?:\[\s*([^\[\]]*?)\s*\])?\s*$")


def pollutant_name(text: str) -> str | None:
    """The canonical pollutant name for a spelling, or None if it is not a pollutant."""
    if text in POLLUTANTS:
        return text
    return POLLUTANT_ALIASES.get(text.strip().lower())


def split_header(text: str) -> tuple[str, str | None]:
    """``'SO2[t/yr]'`` -> ``('SO2', 't/yr')``; a header without brackets -> ``(name, None)``."""
    m = HEADER.match(text)
    if not m:
        return text.strip(), None
    return m.group(1), m.group(2)


def seconds_in_year(year: int) -> float:
    from calendar import isleap

    return (366.0 if isleap(year) else 365.0) * 86400.0


def amount_per_year_factor(unit: str, year: int, where: str) -> float:
    """Factor from an amount rate such as ``t/yr``, ``kt/yr``, ``g/s``, ``t/d`` to kg per inventory year."""
    mass, _, time = unit.replace(" ", "").partition("/")
    if mass not in MASS_UNITS or time not in TIME_UNITS:
        raise InputError(f"{where}: unknown unit {unit!r}; use a mass ({', '.join(MASS_UNITS)}) per time "
                         f"({', '.join(TIME_UNITS)}), e.g. t/yr, kt/yr, g/s, t/d")
    seconds = TIME_UNITS[time]
    per_year = 1.0 if seconds is None else seconds_in_year(year) / seconds
    return MASS_UNITS[mass] * per_year


#: Emission factors of vehicles: multiply by the factor to get kg per vehicle-km.
EMISSION_FACTOR_UNITS = {"g/km": 1e-3, "mg/km": 1e-6, "kg/km": 1.0, "g/veh-km": 1e-3, "g/vkm": 1e-3}


def emission_factor_factor(unit: str, where: str) -> float:
    try:
        return EMISSION_FACTOR_UNITS[unit.replace(" ", "")]
    except KeyError:
        raise InputError(f"{where}: unknown unit {unit!r}; choose one of: {', '.join(EMISSION_FACTOR_UNITS)}") \
            from None


def check_sector(name: str, where: str) -> str:
    if name not in SECTORS:
        raise InputError(f"{where}: unknown sector {name!r}; choose one of: {', '.join(SECTORS)}")
    return name
