"""Gridded emissions after profiles equal the inventory totals; the rates integrate to the budget's 'emitted' term.

A small inventory of every kind (stacks, a region total spread by population, a road link, a gridded NetCDF file
with monthly fluxes) on a 1-degree domain that cuts Beijing, so that parts lie outside:

- the sum over every hour of the inventory year of rates x 3600 s equals, pollutant by pollutant, the inventory's
  annual amount less the part outside the domain, to 1e-10 relative (speciation here maps each pollutant to one
  species, mass for mass);
- the part outside is listed, with its share, and equals what the geometry says;
- a uniform flux regridded conservatively gives every model cell flux x (exact spherical cell area) x time;
- over a window that crosses a month, a control's start and end, rates x dt summed over 900-s steps equal
  ``emitted_mass`` to round-off.
"""
import logging
from datetime import datetime, timedelta, timezone

import netCDF4
import numpy as np
import pytest

from airmodel.emissions.inventory import Emissions
from airmodel.emissions.quantities import POLLUTANTS, seconds_in_year
from airmodel.grid import VerticalLayers, lonlat_grid

SPECIES = {"SO2": "SO2", "NOx": "NO2", "CO": "CO", "NMVOC": "ROC", "NH3": "NH3", "PM10": "PMC",
           "PM2.5": "PM25_OTHER", "BC": "EC", "OC": "POA", "CO2": "CO2"}
FLUX = 2.0e-10  # kg m-2 s-1 of NOx in the gridded file, every cell and month
UTC = timezone.utc


def grid():
    return lonlat_grid(116.0, 117.0, 39.5, 40.5, 0.1, VerticalLayers.from_interfaces(
        [0.0, 50.0, 150.0, 300.0, 600.0, 1000.0, 2000.0]))


@pytest.fixture(scope="module")
def inventory_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("inventory")
    (d / "stacks.csv").write_text(
        "id,name,sector,lon,lat,height[m],diameter[m],exit_velocity[m/s],exit_temperature[K],SO2[t/yr],NOx[kt/yr],"
        "CO2[t/d]\n"
        "S1,inside,power,116.42,39.93,150,5,15,400,5000,6,1000\n"
        "S2,outside,industry,115.80,39.80,100,3,10,420,2000,1,200\n")
    (d / "totals.csv").write_text(
        "id,region,sector,proxy,SO2[t/yr],NOx[t/yr],NMVOC[t/yr],PM10[t/yr],PM2.5[t/yr],BC[t/yr],OC[t/yr]\n"
        "A1,Beijing,industry,population,3000,4000,9000,2500,1500,100,200\n"
        "A2,Beijing,residential,urban,1000,500,2000,900,800,150,250\n")
    (d / "ef.csv").write_text("vehicle_class,NOx[g/km],CO[g/km],NH3[mg/km]\ncar,0.4,3,30\ntruck,6,4,3\n")
    (d / "fleets.csv").write_text("fleet,vehicle_class,share\nmix,car,0.9\nmix,truck,0.1\n")
    (d / "roads.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "R1", '
        '"road_type": "expressway", "volume": 80000, "fleet": "mix"}, "geometry": {"type": "LineString", '
        '"coordinates": [[115.7, 39.95], [116.35, 39.95], [116.75, 40.12]]}}]}')
    (d / "species.csv").write_text("sector,pollutant,species,fraction,basis\n"
                                   + "".join(f"*,{p},{s},1,mass\n" for p, s in SPECIES.items()))
    with netCDF4.Dataset(d / "gridded.nc", "w") as ds:
        lon = np.arange(115.05, 118.0, 0.3) + 0.15
        lat = np.arange(39.02, 41.0, 0.3) + 0.15
        ds.createDimension("lon", lon.size)
        ds.createDimension("lat", lat.size)
        ds.createDimension("month", 12)
        ds.createVariable("lon", "f8", ("lon",))[:] = lon
        ds.createVariable("lat", "f8", ("lat",))[:] = lat
        v = ds.createVariable("NOx_transport", "f8", ("month", "lat", "lon"))
        v.units = "kg m-2 s-1"
        v[:] = FLUX
    return d


def emissions(d, controls=(), start=None, end=None):
    section = {"point_files": ["stacks.csv"], "region_totals_files": ["totals.csv"], "road_files": ["roads.geojson"],
               "gridded_files": ["gridded.nc"], "emission_factors": "ef.csv", "fleets": "fleets.csv",
               "speciation": "species.csv", "year": 2008}
    return Emissions(section, list(controls), grid(), list(SPECIES.values()), start, end, d)


def test_year_of_hourly_rates_equals_the_inventory_inside_the_domain(inventory_dir, caplog):
    with caplog.at_level(logging.WARNING, logger="airmodel"):
        e = emissions(inventory_dir)
    inv = e.inventory
    # expected: every component's amount x its weight inside the domain (kg/yr), pollutant by pollutant
    expected = np.zeros(len(POLLUTANTS))
    for c, inside in zip(inv.components, inv.in_domain):
        expected += c.amounts * c.weight[inside].sum()
    start = inv.clock.utc(datetime(2008, 1, 1))
    total = np.zeros(len(SPECIES))
    for h in range(8784):
        total += e.rates(start + timedelta(hours=h)).by_species() * 3600.0
    order = [POLLUTANTS.index(p) for p in SPECIES]
    rel = np.abs(total - expected[order]) / expected[order]
    assert rel.max() < 1e-10, dict(zip(SPECIES, rel))
    # the annual budget term agrees too
    assert np.allclose(e.emitted_mass(start, inv.clock.utc(datetime(2009, 1, 1))), total, rtol=1e-10, atol=0)
    # what lies outside is listed with its share: the stack S2 (all), Beijing's rows and the road (part)
    listed = {c.source_id: share for c, share in inv.outside}
    assert listed["S2"] == 1.0 and 0.0 < listed["A1"] < 1.0 and 0.0 < listed["R1"] < 1.0
    assert "S1" not in listed
    assert "lie wholly or partly outside the domain" in caplog.text and "S2 (100 %)" in caplog.text
    # the road: 116.0 - 115.7 degrees of its first straight part lie west of the domain
    road = [c for c in inv.components if c.source_id == "R1" and c.vehicle_class == "car"]
    km_out = sum(c.extra["length_km"] * c.weight[~inv.frame.in_domain(c.i, c.j)].sum() for c in road)
    assert km_out == pytest.approx(0.3 * 6371.0 * np.pi / 180 * np.cos(np.deg2rad(39.95)), rel=1e-9)


def test_conservative_regridding_of_a_uniform_flux(inventory_dir):
    """Uniform flux on a 0.3-degree grid offset from the model's 0.1-degree cells: every model cell gets
    flux x its exact spherical area x seconds, the year's total to 1e-12."""
    e = emissions(inventory_dir)
    inv = e.inventory
    field = np.zeros((inv.grid.ny, inv.grid.nx))
    for c, inside in zip(inv.components, inv.in_domain):
        if c.kind == "gridded":
            np.add.at(field, (c.j[inside], c.i[inside]), c.amounts[POLLUTANTS.index("NOx")] * c.weight[inside])
    expected = FLUX * inv.grid.cell_area * seconds_in_year(2008)
    assert np.abs(field / expected - 1).max() < 1e-12


def test_rates_integrate_to_emitted_mass_across_month_and_control_changes(inventory_dir):
    controls = [{"name": "cut", "sectors": ["industry", "transport"], "region": "Dongcheng", "reduction": 0.4,
                 "start": "2008-07-31T18:00", "end": "2008-08-01T09:00"},
                {"name": "trucks", "vehicle_classes": ["truck"], "emission_factor": {"NOx": 2.0},
                 "start": "2008-07-31T12:00"}]
    t0 = datetime(2008, 7, 31, 0, tzinfo=UTC)
    t1 = t0 + timedelta(days=2)
    e = emissions(inventory_dir, controls, t0, t1)
    summed = np.zeros(len(SPECIES))
    t = t0
    while t < t1:
        summed += e.rates(t).by_species() * 900.0
        t += timedelta(seconds=900)
    budget = e.emitted_mass(t0, t1)
    assert np.allclose(summed, budget, rtol=1e-12, atol=0)
    # the controls do act: without them the NOx is larger
    plain = emissions(inventory_dir, [], t0, t1).emitted_mass(t0, t1)
    assert budget[1] < plain[1]
