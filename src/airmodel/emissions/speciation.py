"""Speciation: inventory pollutants to the mechanism's transported species, as a table.

Table ``sector,pollutant,species,fraction,basis`` (``data/emissions/speciation/<mechanism>.csv``):

- ``basis = mass``: species mass = fraction x pollutant mass;
- ``basis = mole``: fraction is a mole fraction: species mass = fraction x pollutant mass x M(species) /
  M(pollutant), with M(NOx) = M(NO2): NOx is counted as NO2-equivalent mass;
- ``basis = mol_per_kg``: fraction is moles of the species per kg of the pollutant: species mass = fraction x
  pollutant mass x M(species) [kg/mol]. This is how lumped-VOC mechanisms count a VOC split: carbon-bond classes
  such as PAR (one paraffinic carbon bond, mw of CH2) are counted per bond or group, not per molecule, so a
  profile gives moles of each class per gram of NMVOC and the class's mw in the mechanism turns moles to mass;
- ``basis = remainder``: the part of the pollutant that its named parts do not account for:
  PM2.5 minus the species mass made from BC and OC; PM10 minus PM2.5. So PM2.5 = EC + POA + PM25_OTHER and
  PM10 - PM2.5 = PMC, mass for mass;
- ``basis = none``: a mass fraction of the pollutant that becomes no species of the mechanism (the species column
  names the class it is, e.g. CB05's UNR for unreactive carbon or ETHA for ethane where the mechanism does not carry
  it). It adds nothing to the matrix; ``unspeciated`` reports it, so that a profile's unreactive part is counted,
  not silently lost.

A sector's rows for a pollutant replace the ``*`` rows for that pollutant. Rows naming a species the model does not
transport are dropped after the remainders are formed, so that mass is never moved to another species. The result is
one linear map per sector, ``species[s] = sum_p C[p, s] pollutant[p]`` (remainders give negative entries).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .quantities import PARTS, POLLUTANT_MOLAR_MASS, POLLUTANTS, SECTORS, pollutant_name
from .tables import read_table

BASES = ("mass", "mole", "mol_per_kg", "remainder", "none")


@dataclass(frozen=True)
class Row:
    sector: str
    pollutant: str
    species: str
    fraction: float
    basis: str
    line: int


class Speciation:
    def __init__(self, rows: list[Row], molar_mass: dict[str, float], source: str):
        self.all_rows = rows
        #: the rows that make species (every basis but none)
        self.rows = [r for r in rows if r.basis != "none"]
        self.molar_mass = molar_mass
        self.source = source

    def rows_for(self, sector: str, pollutant: str, unspeciated: bool = False) -> list[Row]:
        """The rows of one pollutant in one sector (its own or the * rows); those of basis none only if asked."""
        mine = [r for r in self.all_rows if r.sector == sector and r.pollutant == pollutant]
        rows = mine or [r for r in self.all_rows if r.sector == "*" and r.pollutant == pollutant]
        return [r for r in rows if (r.basis == "none") == unspeciated]

    def unspeciated(self, sector: str, pollutant: str) -> dict[str, float]:
        """{class: mass fraction} of the pollutant that becomes no species in one sector (basis none)."""
        return {r.species: r.fraction for r in self.rows_for(sector, pollutant, unspeciated=True)}

    def matrix(self, sector: str, species: list[str]) -> np.ndarray:
        """C[p, s] for POLLUTANTS x species: transported species mass (kg) per kg of each pollutant."""
        full: dict[str, dict[str, float]] = {}  # species -> {pollutant: coefficient}

        def made_from(pollutant: str) -> dict[str, float]:
            """Mass of all species made from one pollutant, as a combination of pollutants."""
            total: dict[str, float] = {}
            for row in self.rows_for(sector, pollutant):
                for p, c in coefficients(row).items():
                    total[p] = total.get(p, 0.0) + c
            return total

        def coefficients(row: Row) -> dict[str, float]:
            if row.basis == "mass":
                return {row.pollutant: row.fraction}
            if row.basis == "mole":
                return {row.pollutant: row.fraction * self.molar_mass[row.species]
                        / POLLUTANT_MOLAR_MASS[row.pollutant]}
            if row.basis == "mol_per_kg":  # molar masses are in g/mol
                return {row.pollutant: row.fraction * self.molar_mass[row.species] * 1e-3}
            out = {row.pollutant: row.fraction}
            for part in PARTS[row.pollutant]:
                if part == "PM2.5" and row.pollutant == "PM10":
                    out[part] = out.get(part, 0.0) - row.fraction  # PM10 - PM2.5, whatever PM2.5 became
                    continue
                for p, c in made_from(part).items():
                    out[p] = out.get(p, 0.0) - row.fraction * c
            return out

        for pollutant in POLLUTANTS:
            for row in self.rows_for(sector, pollutant):
                target = full.setdefault(row.species, {})
                for p, c in coefficients(row).items():
                    target[p] = target.get(p, 0.0) + c
        c = np.zeros((len(POLLUTANTS), len(species)))
        for s, name in enumerate(species):
            for p, coef in full.get(name, {}).items():
                c[POLLUTANTS.index(p), s] = coef
        return c

    def species_for(self, sector: str, pollutant: str) -> set[str]:
        """The species the table makes from one pollutant in one sector (its own rows or the * rows)."""
        return {r.species for r in self.rows_for(sector, pollutant)}

    def species_made(self) -> set[str]:
        return {r.species for r in self.rows}


def read_speciation(path, molar_mass: dict[str, float], mechanism: str) -> Speciation:
    table = read_table(path)
    cols = table.require("sector", "pollutant", "species", "fraction", "basis")
    rows: list[Row] = []
    seen: dict[tuple, int] = {}
    for line, f in table.rows:
        sector = table.text(line, f, cols["sector"])
        if sector != "*" and sector not in SECTORS:
            raise InputError(f"{table.where(line, cols['sector'])}: unknown sector {sector!r}; choose * or one of: "
                             f"{', '.join(SECTORS)}")
        raw = table.text(line, f, cols["pollutant"])
        pollutant = pollutant_name(raw)
        if pollutant is None:
            raise InputError(f"{table.where(line, cols['pollutant'])}: unknown pollutant {raw!r}; choose one of: "
                             f"{', '.join(POLLUTANTS)}")
        species = table.text(line, f, cols["species"])
        basis = table.text(line, f, cols["basis"])
        if species not in molar_mass and basis != "none":
            raise InputError(f"{table.where(line, cols['species'])}: {species!r} is not a species of mechanism "
                             f"{mechanism!r}; its species: {', '.join(molar_mass)}")
        fraction = table.number(line, f, cols["fraction"], minimum=0.0)
        if basis not in BASES:
            raise InputError(f"{table.where(line, cols['basis'])}: unknown basis {basis!r}; choose one of: "
                             f"{', '.join(BASES)}")
        if basis == "mole" and pollutant not in POLLUTANT_MOLAR_MASS:
            raise InputError(f"{table.where(line, cols['basis'])}: {pollutant} is a mixture with no molar mass; "
                             f"use basis mass")
        if basis == "remainder" and pollutant not in PARTS:
            raise InputError(f"{table.where(line, cols['basis'])}: only {', '.join(PARTS)} have parts to take a "
                             f"remainder of")
        if basis == "none" and fraction > 1.0:
            raise InputError(f"{table.where(line, cols['fraction'])}: a mass fraction that becomes no species is at "
                             f"most 1, not {fraction}")
        key = (sector, pollutant, species)
        if key in seen:
            raise InputError(f"{table.path} line {line}: {sector},{pollutant},{species} is given twice "
                             f"(first on line {seen[key]})")
        seen[key] = line
        rows.append(Row(sector, pollutant, species, fraction, basis, line))
    return Speciation(rows, molar_mass, str(table.path))
