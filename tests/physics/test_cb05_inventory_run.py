"""A cb05_aero run with the default inventory and the embedded cb05_aero speciation table (emissions.speciation left
empty, so it follows chemistry.mechanism): it runs, nothing is negative or NaN, every species' budget closes, and the
NMVOC of each sector arrives as that sector's CB05 profile.

The expected emissions are built independently of the table's sector fallback: a tagging table sends the NMVOC of
each sector, mass for mass, to its own species (no chemistry), which measures NMVOC by sector in the domain; the
cb05_aero profile of each sector (read from the CSV file itself, with the * rows for sectors that have none) then
gives moles per kg. Removing the table, or its NMVOC rows, makes the run stop with an input error, and this test fail.
"""
from __future__ import annotations

import csv

import numpy as np
import pytest

import airmodel
from airmodel.data import data_path
from airmodel.emissions.inventory import Emissions
from airmodel.emissions.quantities import SECTORS
from airmodel.grid import build_grid
from airmodel.scenario import load

START, HOURS = "2008-08-08T04:00:00Z", 1
DOMAIN = {"lon_min": 116.0, "lon_max": 117.0, "lat_min": 39.5, "lat_max": 40.5, "resolution": 0.5,
          "layer_interfaces": [0.0, 50.0, 150.0, 400.0]}
#: one tag species per sector (any distinct species of the mechanism: these only count mass)
TAGS = dict(zip(SECTORS, ["PAR", "OLE", "IOLE", "ETH", "TOL", "XYL", "FORM", "ALD2", "ALDX", "ISOP", "TERP"]))


def scenario(chemistry: str, species: list[str] | None = None, speciation: str = ""):
    data = {"run": {"start": START, "hours": HOURS, "time_step": 900.0, "progress": False},
            "domain": DOMAIN, "meteorology": {"source": "synthetic"},
            "emissions": {"inventory": "default_2008", "speciation": speciation,
                          "mechanism": "cb05_aero" if speciation else ""},
            "chemistry": {"mechanism": chemistry}, "output": {"levels": "all"}}
    if species is not None:
        data["species"] = {name: {"initial": 0.0} for name in species}
    return load(data)


def profiles() -> dict[str, dict[str, float]]:
    """{sector: {class: mol per kg NMVOC}} from the CSV file, * rows where a sector has none of its own."""
    path = data_path("emissions", "speciation", "cb05_aero.csv")
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    rows = [r for r in csv.DictReader(lines) if r["pollutant"] == "NMVOC" and r["basis"] == "mol_per_kg"]
    own = {s: {r["species"]: float(r["fraction"]) for r in rows if r["sector"] == s} for s in SECTORS + ("*",)}
    return {s: own[s] or own["*"] for s in SECTORS}


@pytest.fixture(scope="module")
def nmvoc_by_sector(tmp_path_factory) -> dict[str, float]:
    path = tmp_path_factory.mktemp("tags") / "tags.csv"
    path.write_text("sector,pollutant,species,fraction,basis\n"
                    + "".join(f"{sector},NMVOC,{tag},1,mass\n" for sector, tag in TAGS.items()))
    s = scenario("none", list(TAGS.values()), str(path))
    e = Emissions(s["emissions"], s["controls"], build_grid(s["domain"]), list(TAGS.values()), s.start, s.end,
                  s.folder)
    emitted = e.emitted_mass(s.start, s.end)
    return {sector: float(emitted[n]) for n, sector in enumerate(TAGS)}


def test_cb05_inventory_run(tmp_path, nmvoc_by_sector):
    assert sum(nmvoc_by_sector.values()) > 1.0  # kg in the hour: the box around Beijing's centre emits VOC
    ds = airmodel.run(scenario("cb05_aero"), output=tmp_path / "cb05.nc")
    mech = airmodel.chemistry.mechanism.load_mechanism("cb05_aero")
    names = [sp.name for sp in mech.species]
    for name in names:
        values = ds[name].values
        assert np.isfinite(values).all() and values.min() >= 0.0, name
        assert ds.attrs[f"budget_{name}_relative_residual"] < 1e-10, name
    mw = {sp.name: sp.molar_mass for sp in mech.species}
    split = profiles()
    for cls in ("PAR", "OLE", "IOLE", "ETH", "TOL", "XYL", "FORM", "ALD2", "ALDX", "ISOP", "TERP"):
        expected = sum(kg * split[sector].get(cls, 0.0) * mw[cls] * 1e-3 for sector, kg in nmvoc_by_sector.items())
        np.testing.assert_allclose(ds.attrs[f"budget_{cls}_emitted_kg"], expected, rtol=1e-10, err_msg=cls)
    assert ds.attrs["budget_PAR_emitted_kg"] > 0.0 and ds.attrs["budget_TOL_emitted_kg"] > 0.0
