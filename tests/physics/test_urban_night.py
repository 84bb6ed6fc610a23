"""Night-time mixing over the city (met/boundary_layer.py, met/synthetic.py).

At night the built-up share f of a cell loses no heat (the downtown Beijing tower saw a night-time sensible heat flux
of almost zero; Miao et al. 2012), so the cell's flux is (1 - f) H_rural and in a fully built-up cell the surface
layer is neutral: Holtslag and Boville's Kz reduces to

    Kz(z) = k u* z (1 - z/h)^2      (phi_h = 1),

under AERMOD's nocturnal urban boundary layer h = z_iu = 400 m (P / 2e6)^(1/4). The tests check those formulas in
the synthetic August's Beijing cells at night, written out here, and that the rural cells keep their stable night.
"""
import numpy as np
import pytest

from airmodel.met import boundary_layer
from airmodel.met.base import MetSnapshot
from airmodel.met.synthetic import BEIJING_URBAN_POPULATION
from airmodel.scenario import load
from airmodel.grid import build_grid
from airmodel.met import build_meteorology
from airmodel.analysis.stations import DEFAULT_STATION_LIST, cells_from_edges, read_station_list

VON_KARMAN = 0.4


def test_aermod_urban_mixing_height():
    assert boundary_layer.urban_night_mixing_height(2.0e6) == pytest.approx(400.0, rel=1e-12)
    assert boundary_layer.urban_night_mixing_height(32.0e6) == pytest.approx(800.0, rel=1e-12)


def test_urban_night_heat_flux_is_the_area_mean():
    rural = np.array([-30.0, -30.0, -30.0, 120.0])
    f = np.array([0.0, 0.25, 1.0, 1.0])
    night = np.array([True, True, True, False])
    np.testing.assert_array_equal(boundary_layer.urban_night_heat_flux(rural, f, night), [-30.0, -22.5, 0.0, 120.0])


@pytest.fixture(scope="module")
def august_night(scenarios):
    """The baseline's synthetic weather at 22 h local on 5 August 2008 (a calm-regime night: clear and stable)."""
    sc = load(scenarios / "baseline_2008_08.toml")
    grid = build_grid(sc["domain"])
    met = build_meteorology(sc["meteorology"], grid, start=sc.start, end=sc.end)
    stations = {st.name: st for st in read_station_list(DEFAULT_STATION_LIST)}
    pick = [stations["Dongsi"], stations["Shunyi"]]
    j, i = cells_from_edges(grid.x_bounds, grid.y_bounds, pick, "test")
    snap: MetSnapshot = met.at((4 * 24 + 22) * 3600.0)
    return met, grid, snap, (j[0], i[0]), (j[1], i[1])


def test_city_centre_night_is_neutral_under_the_urban_boundary_layer(august_night):
    met, grid, snap, (j, i), _ = august_night
    assert met.urban_fraction[j, i] == 1.0
    assert snap.sensible_heat_flux[j, i] == 0.0 and abs(snap.monin_obukhov_length[j, i]) >= 1e4
    h = boundary_layer.urban_night_mixing_height(BEIJING_URBAN_POPULATION)
    assert snap.mixing_height[j, i] == pytest.approx(h, rel=1e-12)
    z = grid.layers.interfaces[1:4]
    ustar = snap.friction_velocity[j, i]
    # neutral: |z/L| <= 350 m / 1e5 m, so the stability functions differ from 1 by less than 3 %
    expected = VON_KARMAN * ustar * z * (1.0 - z / h) ** 2
    np.testing.assert_allclose(snap.kz[1:4, j, i], np.maximum(expected, boundary_layer.KZ_MIN_URBAN), rtol=0.03)
    assert snap.kz[1, j, i] > 2.0 * boundary_layer.KZ_MIN_URBAN  # more than CMAQ's urban floor alone


def test_rural_night_stays_stable(august_night):
    met, _, snap, _, (j, i) = august_night
    assert met.urban_fraction[j, i] == 0.0
    assert snap.sensible_heat_flux[j, i] < 0.0 and 0.0 < snap.monin_obukhov_length[j, i] < 1e3
    assert snap.mixing_height[j, i] < 300.0


def test_switched_off_the_city_night_is_rural(august_night, scenarios):
    """meteorology.urban_night = false: the same night over Dongsi is stable (the rural heat loss, no urban
    boundary layer), and Kz at 50 m falls to what the rural night and CMAQ's urban floor give."""
    met_on, grid, snap_on, (j, i), _ = august_night
    sc = load(scenarios / "baseline_2008_08.toml", ["meteorology.urban_night=false"])
    met = build_meteorology(sc["meteorology"], grid, start=sc.start, end=sc.end)
    assert not met.urban_night and met_on.urban_night
    snap: MetSnapshot = met.at((4 * 24 + 22) * 3600.0)
    assert snap.sensible_heat_flux[j, i] < 0.0 and 0.0 < snap.monin_obukhov_length[j, i] < 1e3
    assert snap.mixing_height[j, i] < 0.5 * snap_on.mixing_height[j, i]
    assert snap.kz[1, j, i] < 0.5 * snap_on.kz[1, j, i]
    assert snap.kz[1, j, i] >= boundary_layer.KZ_MIN_URBAN
    # the rural cells do not notice the switch
    rural = met.urban_fraction == 0.0
    np.testing.assert_array_equal(snap.kz[:, rural], snap_on.kz[:, rural])
