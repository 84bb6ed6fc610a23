"""NMVOC into carbon-bond classes: the ``mol_per_kg`` basis of the speciation table in a cb05_aero inventory run.

A profile gives moles of each CB05 class per kg of NMVOC; the model must emit, for each class, NMVOC mass x moles
per kg x the class's molar mass in the mechanism. The NMVOC mass the inventory puts into the domain is measured
independently, with a table that makes NMVOC into one species mass for mass.
"""
from __future__ import annotations

import numpy as np
import pytest

from airmodel.data import data_path
from airmodel.emissions.inventory import Emissions
from airmodel.model import Model
from airmodel.scenario import load

#: A test profile (moles per kg NMVOC), not data: any non-negative numbers test the arithmetic.
PROFILE = {"PAR": 30.0, "OLE": 1.5, "IOLE": 0.4, "ETH": 2.0, "TOL": 1.2, "XYL": 1.0, "FORM": 0.8, "ALD2": 0.5,
           "ALDX": 0.2, "ISOP": 0.01, "TERP": 0.02}
#: Carbon atoms per mole of each class (Yarwood et al. 2005, CB05 final report: PAR one carbon, OLE two, IOLE four,
#: ETH two, TOL seven, XYL eight, FORM one, ALD2 two, ALDX three, ISOP five, TERP ten).
CARBON = {"PAR": 1, "OLE": 2, "IOLE": 4, "ETH": 2, "TOL": 7, "XYL": 8, "FORM": 1, "ALD2": 2, "ALDX": 3, "ISOP": 5,
          "TERP": 10}
HEADER = "sector,pollutant,species,fraction,basis\n"
START, HOURS = "2008-08-08T00:00:00Z", 1
DOMAIN = {"lon_min": 116.0, "lon_max": 117.0, "lat_min": 39.5, "lat_max": 40.5, "resolution": 0.5,
          "layer_interfaces": [0.0, 50.0, 150.0, 400.0]}


def table(tmp_path, name: str, voc_rows: str, with_others: bool) -> str:
    others = ""
    if with_others:
        lines = data_path("emissions", "speciation", "grs_aero.csv").read_text().splitlines()
        others = "".join(line + "\n" for line in lines
                         if line and not line.startswith(("#", "sector")) and ",NMVOC," not in line)
    path = tmp_path / name
    path.write_text(HEADER + others + voc_rows)
    return str(path)


def split_rows() -> str:
    return "".join(f"*,NMVOC,{s},{f},mol_per_kg\n" for s, f in PROFILE.items())


def scenario(speciation: str, species: list[str] | None, mechanism: str):
    data = {"run": {"start": START, "hours": HOURS, "time_step": 900.0, "progress": False},
            "domain": DOMAIN, "meteorology": {"source": "synthetic"},
            "emissions": {"inventory": "default_2008", "speciation": speciation, "mechanism": "cb05_aero"},
            "chemistry": {"mechanism": mechanism}, "output": {"hourly_means": False}}
    if species is not None:
        data["species"] = {name: {"initial": 0.0} for name in species}
    return load(data)


@pytest.fixture(scope="module")
def nmvoc_kg(tmp_path_factory) -> float:
    """The inventory's NMVOC in the domain over the run, as PAR mass for mass (transport only, no chemistry)."""
    path = table(tmp_path_factory.mktemp("nmvoc"), "mass.csv", "*,NMVOC,PAR,1,mass\n", with_others=False)
    s = scenario(path, ["PAR"], "none")
    e = Emissions(s["emissions"], s["controls"], Model(s).grid, ["PAR"], s.start, s.end, s.folder)
    total = float(e.emitted_mass(s.start, s.end)[0])
    assert total > 1.0  # kg in an hour: the box around Beijing's centre really emits VOC
    return total


def test_cb05_run_emits_the_split(tmp_path, nmvoc_kg):
    """A cb05_aero run with the inventory: the budget's emitted term of each class is NMVOC x mol/kg x mw."""
    model = Model(scenario(table(tmp_path, "cb05.csv", split_rows(), with_others=True), None, "cb05_aero"))
    for _ in range(model.scenario.n_steps):
        model.step()
    names = model.species_names
    mw = {sp.name: sp.molar_mass for sp in model.chemistry.mechanism.species}
    for s, f in PROFILE.items():
        expected = nmvoc_kg * f * mw[s] * 1e-3
        np.testing.assert_allclose(model.budget.emitted[names.index(s)], expected, rtol=1e-12, err_msg=s)
    # carbon: the moles emitted, class by class, carry the profile's carbon per kg NMVOC
    carbon = sum(model.budget.emitted[names.index(s)] / (mw[s] * 1e-3) * CARBON[s] for s in PROFILE) * 12.011e-3
    profile_carbon = sum(f * CARBON[s] for s, f in PROFILE.items()) * 12.011e-3  # kg C per kg NMVOC
    np.testing.assert_allclose(carbon, nmvoc_kg * profile_carbon, rtol=1e-12)
    assert np.isfinite(model.concentration).all() and model.concentration.min() >= 0.0


def test_the_basis_in_the_matrix(tmp_path, nmvoc_kg):
    """Without the model: Emissions' own species masses follow the same rule (fast, in the default suite)."""
    path = table(tmp_path, "cb05.csv", split_rows(), with_others=False)
    s = scenario(path, list(PROFILE), "none")
    e = Emissions(s["emissions"], s["controls"], Model(s).grid, list(PROFILE), s.start, s.end, s.folder)
    emitted = e.emitted_mass(s.start, s.end)
    mw = e.speciation.molar_mass
    for n, (name, f) in enumerate(PROFILE.items()):
        np.testing.assert_allclose(emitted[n], nmvoc_kg * f * mw[name] * 1e-3, rtol=1e-12, err_msg=name)
