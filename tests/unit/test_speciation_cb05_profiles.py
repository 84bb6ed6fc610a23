"""The embedded cb05_aero speciation table (airmodel/data/emissions/speciation/cb05_aero.csv): each sector's NMVOC
profile is non-negative, carries a plausible amount of carbon per gram, declares what it sends to no species, and
every inventory pollutant lands in a species of the mechanism in every sector.

Carbon per gram: a gram of organic compounds holds at most 1/12.011 mol of carbon (pure carbon); the CB05 classes a
profile carries hold ``sum(mol/g x carbon number)``, so that number must lie below ``(1 - u)/12.011``, where u is the
mass fraction sent to no species (basis none). From below: the inventory's NMVOC is mostly hydrocarbons (CH2 units,
1/14.027 = 0.071 mol C/g) and oxygenates (formaldehyde, the leanest, 1/30.03 = 0.033 mol C/g); a profile whose carried
carbon plus the most carbon its unspeciated part could hold (u/12.011) falls below 0.05 mol C/g has lost part of its
mass without declaring it.
"""
from __future__ import annotations

import pytest

from airmodel.chemistry.mechanism import load_mechanism
from airmodel.data import data_path
from airmodel.errors import InputError
from airmodel.emissions.quantities import POLLUTANTS, SECTORS
from airmodel.emissions.speciation import read_speciation

#: Carbon atoms per mole of each CB05 class (Yarwood et al. 2005, the CB05 final report, species table: PAR, FORM one
#: carbon; OLE, ETH, ALD2, ALDX two (propanal is ALDX + PAR); IOLE four; ISOP five; TOL seven; XYL eight; TERP ten).
CARBON = {"PAR": 1, "OLE": 2, "IOLE": 4, "ETH": 2, "TOL": 7, "XYL": 8, "FORM": 1, "ALD2": 2, "ALDX": 2, "ISOP": 5,
          "TERP": 10}
CARBON_MAX = 1.0 / 12.011  # mol C per g of pure carbon
CARBON_MIN = 0.05          # mol C per g: see the module docstring


@pytest.fixture(scope="module")
def table():
    mech = load_mechanism("cb05_aero")
    return read_speciation(data_path("emissions", "speciation", "cb05_aero.csv"),
                           {s.name: s.molar_mass for s in mech.species}, "cb05_aero")


@pytest.mark.parametrize("sector", SECTORS)
def test_nmvoc_profile_carbon(table, sector):
    rows = table.rows_for(sector, "NMVOC")  # the rows the matrix is built from
    assert rows and all(r.basis == "mol_per_kg" and r.fraction >= 0.0 for r in rows)
    assert {r.species for r in rows} <= set(CARBON)
    carbon = sum(r.fraction * 1e-3 * CARBON[r.species] for r in rows)  # mol C per g NMVOC
    unspeciated = sum(table.unspeciated(sector, "NMVOC").values())
    assert 0.0 <= unspeciated < 1.0
    assert carbon <= (1.0 - unspeciated) * CARBON_MAX, sector
    assert carbon + unspeciated * CARBON_MAX >= CARBON_MIN, sector


@pytest.mark.parametrize("sector", SECTORS)
def test_every_pollutant_lands(table, sector):
    mech = load_mechanism("cb05_aero")
    matrix = table.matrix(sector, [s.name for s in mech.species])
    for p, pollutant in enumerate(POLLUTANTS):
        assert (matrix[p] != 0.0).any(), (sector, pollutant)


def test_the_unreactive_part_is_declared(table):
    """The composite profile's unreactive carbon, ethane and the heavier mass go to no species, and are named."""
    parts = table.unspeciated("*", "NMVOC")
    assert {"UNR", "ETHA", "IVOC"} <= set(parts)
    assert table.unspeciated("transport", "NMVOC").keys() == {"ETHA", "UNR"}
    assert "UNR" not in table.species_made()


def test_basis_none_is_read_and_checked(tmp_path):
    """Basis none: a class the mechanism lacks is accepted, adds nothing to the matrix, and is at most 1."""
    mw = {"PAR": 14.027}
    path = tmp_path / "s.csv"
    path.write_text("sector,pollutant,species,fraction,basis\n*,NMVOC,PAR,30,mol_per_kg\n*,NMVOC,UNR,0.2,none\n")
    sp = read_speciation(path, mw, "m")
    assert sp.unspeciated("transport", "NMVOC") == {"UNR": 0.2}
    assert sp.matrix("transport", ["PAR"])[POLLUTANTS.index("NMVOC"), 0] == pytest.approx(30 * 14.027e-3, rel=1e-15)
    path.write_text("sector,pollutant,species,fraction,basis\n*,NMVOC,UNR,1.5,none\n")
    with pytest.raises(InputError, match=r"s.csv line 2, column 'fraction': a mass fraction that becomes no species "
                                         r"is at most 1, not 1.5"):
        read_speciation(path, mw, "m")
