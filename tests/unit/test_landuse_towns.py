"""Built-up land of the synthetic land use follows the towns by the allocation's rule (met/terrain.py): a GeoNames
town of P people is a circle of P x LAND_PER_PERSON m2, the area of the Gaussian that holds its people in the
emission allocation (emissions/proxies.py)."""
import numpy as np
import pytest

from airmodel.emissions.proxies import LAND_PER_PERSON as ALLOCATION_LAND_PER_PERSON
from airmodel.grid import VerticalLayers, lonlat_grid
from airmodel.met import landuse, terrain
from airmodel.met.synthetic import BEIJING_URBAN_POPULATION, urban_cover


def test_circle_area_is_people_times_land_per_person():
    people = np.array([500.0, 117623.0, 4.3e6])
    r = terrain.built_up_radius_km(people) * 1000.0
    np.testing.assert_allclose(np.pi * r ** 2, people * 100.0, rtol=1e-14)
    assert ALLOCATION_LAND_PER_PERSON is terrain.LAND_PER_PERSON


def test_towns_outside_the_city_circles_are_built_up():
    circles = terrain.built_up_circles()
    assert circles[:len(terrain.CITIES)] == terrain.CITIES
    towns = {name: (lat, lon, radius) for name, lat, lon, radius in circles[len(terrain.CITIES):]}
    # Shunyi's GeoNames town (117,623 people) is built up; the "Beijing" point lies in Beijing's own circle
    assert towns["Shunyi"][2] == pytest.approx(np.sqrt(117623.0 * 100.0 / np.pi) / 1000.0, rel=1e-12)
    assert "Beijing" not in towns and "Jinan" in towns


def test_a_town_cell_gets_its_built_up_share():
    """On a fine grid around Jinan's GeoNames point (4.34 million people: r = 11.7 km), every cell wholly inside
    the circle is built up, the built-up land is at least the circle's area (other towns add theirs), and the
    centre's cell is of the urban class."""
    lat, lon, radius = next((la, lo, r) for n, la, lo, r in terrain.built_up_circles() if n == "Jinan")
    grid = lonlat_grid(lon - 0.5, lon + 0.5, lat - 0.5, lat + 0.5, 0.05, VerticalLayers(np.array([0.0, 50.0])))
    fraction, _ = urban_cover(grid, samples=10)
    cell_area = (np.deg2rad(0.05) * 6.371e3) ** 2 * np.cos(np.deg2rad(lat))
    assert (fraction * cell_area).sum() >= 0.97 * np.pi * radius ** 2
    lon_c, lat_c = np.meshgrid(grid.x, grid.y, indexing="xy")
    wholly_inside = terrain.distance_km(lon_c, lat_c, lon, lat) < radius - 4.0  # a cell's half-diagonal < 4 km
    assert wholly_inside.sum() >= 4 and (fraction[wholly_inside] == 1.0).all()
    height, land = terrain.regrid_dem(grid)
    lu = terrain.derive_land_use(grid, height, np.ones_like(land))
    assert lu[10, 10] == landuse.URBAN and fraction[10, 10] == 1.0


def _urban_cover_every_point(grid, samples):
    """urban_cover's definition, every sample point against every circle (urban_cover itself looks only inside
    each circle's window)."""
    offsets = (np.arange(samples) + 0.5) / samples
    xb, yb = grid.x_bounds, grid.y_bounds
    sx = (xb[:-1, None] + np.diff(xb)[:, None] * offsets[None]).ravel()
    sy = (yb[:-1, None] + np.diff(yb)[:, None] * offsets[None]).ravel()
    lon, lat = np.meshgrid(sx, sy, indexing="xy")
    inside = np.zeros(lon.shape, dtype=bool)
    population = np.zeros((grid.ny, grid.nx))
    beijing = next(r for name, _, _, r in terrain.CITIES if name == "Beijing")
    for _, clat, clon, radius in terrain.built_up_circles(grid):
        within = terrain.distance_km(lon, lat, clon, clat) <= radius
        inside |= within
        cells = within.reshape(grid.ny, samples, grid.nx, samples).any(axis=(1, 3))
        population = np.where(cells, np.maximum(population, BEIJING_URBAN_POPULATION * (radius / beijing) ** 2),
                              population)
    return inside.reshape(grid.ny, samples, grid.nx, samples).mean(axis=(1, 3)), population


@pytest.mark.parametrize("box", [(113.5, 119.5, 37.0, 42.5, 0.1), (108.0, 112.0, 40.0, 44.0, 0.25),
                                 (115.9, 116.9, 39.5, 40.4, 0.02)])
def test_urban_cover_equals_every_point_against_every_circle(box):
    """The windows change nothing: bitwise the built-up share and population of the brute-force definition (the
    greater-Beijing grid, the parent's north-west corner, a fine grid over the city)."""
    grid = lonlat_grid(*box, VerticalLayers(np.array([0.0, 50.0])))
    fraction, population = urban_cover(grid)
    expected_fraction, expected_population = _urban_cover_every_point(grid, 5)
    assert fraction.sum() > 0.0
    np.testing.assert_array_equal(fraction, expected_fraction)
    np.testing.assert_array_equal(population, expected_population)


def test_no_point_outside_a_circle_window_is_within_the_radius():
    """circle_window's bound, on points spread well beyond it (at 20-60 degrees north, radii 0.5-60 km)."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        lat0, lon0, radius = rng.uniform(20.0, 60.0), rng.uniform(100.0, 130.0), rng.uniform(0.5, 60.0)
        lon = np.sort(lon0 + rng.uniform(-2.0, 2.0, 400))
        lat = np.sort(lat0 + rng.uniform(-1.0, 1.0, 300))
        rows, cols = terrain.circle_window(lon, lat, lon0, lat0, radius)
        lon2, lat2 = np.meshgrid(lon, lat, indexing="xy")
        within = terrain.distance_km(lon2, lat2, lon0, lat0) <= radius
        outside = np.ones(within.shape, dtype=bool)
        outside[rows, cols] = False
        assert not (within & outside).any()
        assert within[rows, cols].sum() == within.sum()
