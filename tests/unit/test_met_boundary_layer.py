"""Surface-layer similarity, Holtslag-Boville Kz profiles and the solar geometry, against their formulas."""
from datetime import datetime, timezone

import numpy as np
import pytest

from airmodel.met import boundary_layer as bl
from airmodel.met import solar, surface_layer as sl
from airmodel.met.constants import CP_DRY, GRAVITY, VON_KARMAN


def test_psi_functions_limits():
    """psi -> 0 at neutral; Paulson's form at zeta = -1; Beljaars-Holtslag close to -5 zeta for small zeta."""
    z = np.array([0.0])
    assert sl.psi_m(z)[0] == pytest.approx(0.0, abs=1e-12)
    assert sl.psi_h(z)[0] == pytest.approx(0.0, abs=1e-12)
    x = 17.0 ** 0.25
    expected = 2 * np.log((1 + x) / 2) + np.log((1 + x * x) / 2) - 2 * np.arctan(x) + np.pi / 2
    assert sl.psi_m(np.array([-1.0]))[0] == pytest.approx(expected, rel=1e-12)
    assert sl.psi_m(np.array([0.01]))[0] == pytest.approx(-0.05, rel=0.05)


def test_surface_layer_neutral_and_convective():
    """Neutral: u* = k U / ln(z/z0). Convective: L = -rho cp T u*^3/(k g H) and the profile reproduces U."""
    u, z, z0, T, rho = np.array([5.0]), 25.0, 0.1, 300.0, 1.2
    us, L, H = sl.surface_layer(u, z, z0, T, rho, np.array([0.0]), np.array([False]), np.array([0.0]))
    assert us[0] == pytest.approx(VON_KARMAN * 5.0 / np.log(z / z0), rel=1e-3)
    us, L, H = sl.surface_layer(u, z, z0, T, rho, np.array([200.0]), np.array([False]), np.array([0.0]))
    assert L[0] == pytest.approx(-rho * CP_DRY * T * us[0] ** 3 / (VON_KARMAN * GRAVITY * 200.0), rel=1e-6)
    assert sl.log_wind(us, z, z0, L)[0] == pytest.approx(5.0, rel=1e-3)
    assert -200 < L[0] < -5  # moderately unstable, as for a sunny afternoon with 5 m/s


def test_stable_night_closed_form():
    """Venkatram (1980): u* solves u*^2 - C_DN U u* + C_DN u0^2 = 0; theta* limited in light wind."""
    u, z, z0, T = np.array([8.0, 0.5]), 25.0, 0.1, 290.0
    us, theta, L = sl.stable_surface_layer(u, z, z0, T, np.array([0.0, 0.0]))
    cdn = VON_KARMAN / np.log(z / z0)
    u0sq = 5.0 * z * GRAVITY * theta / T
    assert us[0] ** 2 - cdn * u[0] * us[0] + cdn * u0sq[0] == pytest.approx(0.0, abs=1e-10)
    assert theta[0] == pytest.approx(0.09)
    assert theta[1] < 0.09 and us[1] == pytest.approx(max(cdn * 0.5 / 2, sl.USTAR_MIN))
    assert L[0] == pytest.approx(T * us[0] ** 2 / (VON_KARMAN * GRAVITY * theta[0]))


def test_mixing_heights():
    """Encroachment with entrainment and Venkatram's 2300 u*^1.5."""
    q = 5.0e6  # J m-2, a summer morning's sensible heat
    h = sl.convective_mixing_height(q, 0.005, 1.15)
    assert h == pytest.approx(np.sqrt(2 * 1.4 * q / (1.15 * CP_DRY * 0.005)))
    assert 1000 < h < 2500
    assert sl.mechanical_mixing_height(0.2) == pytest.approx(2300 * 0.2 ** 1.5)


def test_kz_holtslag_boville_formula():
    """K = k u* z (1 - z/h)^2 / phi_h in stable air; the outer-layer form with w_m and Pr in convective air."""
    z = np.array([0.0, 50.0, 200.0, 500.0, 900.0, 1200.0])
    one = np.ones((1, 1))
    us, h = 0.3 * one, 1000.0 * one
    # Stable, L = 100 m.
    k = bl.eddy_diffusivity(z, us, 100.0 * one, h, 0.0 * one, 0.01)[:, 0, 0]
    zeta = z / 100.0
    phi = np.where(zeta <= 1, 1 + 5 * zeta, 5 + zeta)
    expected = np.maximum(np.where(z < 1000, VON_KARMAN * 0.3 * z * (1 - z / 1000) ** 2 / phi, 0), 0.01)
    np.testing.assert_allclose(k, expected, rtol=1e-12)
    # Convective, L = -20 m, w* = 2 m/s: outer layer.
    k = bl.eddy_diffusivity(z, us, -20.0 * one, h, 2.0 * one, 0.01)[:, 0, 0]
    wm = (0.3 ** 3 + 0.6 * 2.0 ** 3) ** (1 / 3)
    ze = 0.1 * 1000 / -20.0
    pr = (1 - 15 * ze) ** -0.5 / (1 - 15 * ze) ** (-1 / 3) + 7.2 * VON_KARMAN * 0.1 * 2.0 / wm
    assert k[2] == pytest.approx(VON_KARMAN * wm / pr * 200 * 0.8 ** 2, rel=1e-12)
    surface = VON_KARMAN * 0.3 * 50 * 0.95 ** 2 * (1 - 15 * 50 / -20.0) ** 0.5
    assert k[1] == pytest.approx(surface, rel=1e-12)


def test_kz_published_ranges():
    """Daytime convective boundary layers mix at 10-500 m2/s in mid-layer (Stull 1988, Fig. 6.6; Holtslag and
    Boville 1993, Fig. 2 peaks near 100-200 m2/s for h = 1 km); stable nights at 0.01-5 m2/s."""
    z = np.linspace(0, 1500, 31)
    one = np.ones((1, 1))
    day = bl.eddy_diffusivity(z, 0.35 * one, -30.0 * one, 1500.0 * one, 1.8 * one, 0.01)[:, 0, 0]
    night = bl.eddy_diffusivity(z, 0.08 * one, 30.0 * one, 80.0 * one, 0.0 * one, 0.01)[:, 0, 0]
    assert 50 < day.max() < 500
    assert 0.01 <= night.max() < 5
    interfaces = bl.kz_on_interfaces(z, 0.3 * one, -30.0 * one, 1000 * one, 1.5 * one, 0.5)
    assert interfaces[0, 0, 0] == 0 and interfaces[-1, 0, 0] == 0 and interfaces[1:-1].min() >= 0.5


def test_minimum_kz_by_urban_fraction():
    np.testing.assert_allclose(bl.minimum_kz(np.array([0.0, 0.5, 1.0])), [0.01, 0.505, 1.0])


def test_solar_zenith_angle_known_values():
    """Beijing (39.9 N, 116.4 E): the noon zenith angle on 21 June is 39.9 - 23.44 = 16.5 deg and on the equinox
    about 39.9 deg; the sun is down at local midnight; solar noon there is near 04:17 UTC (NOAA calculator)."""
    lon, lat = 116.4, 39.9
    noon = [solar.solar_zenith_angle(datetime(2008, 6, 21, 4, m, tzinfo=timezone.utc), lon, lat) for m in range(0, 40)]
    assert min(noon) == pytest.approx(16.5, abs=0.3)
    assert int(np.argmin(noon)) == pytest.approx(17, abs=3)
    eq = min(solar.solar_zenith_angle(datetime(2008, 3, 20, 4, m, tzinfo=timezone.utc), lon, lat) for m in range(60))
    assert eq == pytest.approx(39.9, abs=0.6)
    assert solar.cos_solar_zenith_angle(datetime(2008, 8, 1, 16, tzinfo=timezone.utc), lon, lat) < 0


def test_insolation_and_cloud_factor():
    """Holtslag-van Ulden: 990 sin(phi) - 30 clear; overcast x 0.25. Chang et al.: no cloud -> 1."""
    assert solar.insolation(1.0, 0.0) == pytest.approx(960.0)
    assert solar.insolation(1.0, 1.0) == pytest.approx(240.0)
    assert solar.photolysis_cloud_factor_below(0.0, 10.0, 0.8) == pytest.approx(1.0)
    below = solar.photolysis_cloud_factor_below(1.0, 20.0, 0.8)
    above = solar.photolysis_cloud_factor_above(1.0, 20.0, 0.8)
    assert 0.2 < below < 1.0 < above < 2.0
    assert solar.cloud_transmission(0.0) == pytest.approx(1.0)
