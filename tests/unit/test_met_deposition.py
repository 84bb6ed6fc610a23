"""Dry-deposition velocities: the resistance formulas, and the published ranges of each species class."""
import numpy as np
import pytest

from airmodel.met import deposition as dep
from airmodel.met.constants import VON_KARMAN
from airmodel.met.deposition import DEPOSITION_CLASSES

AGRICULTURAL, DECIDUOUS, WATER, URBAN = 2, 4, 7, 1


def vd(name, lu=AGRICULTURAL, ustar=0.4, L=-50.0, z0=0.1, G=800.0, ts=28.0, zr=25.0, wet=False, dew=False):
    a = lambda x: np.array([[float(x)]])  # noqa: E731
    ra = dep.aerodynamic_resistance(zr, a(z0), a(ustar), a(L))
    c = DEPOSITION_CLASSES[name]
    if isinstance(c, dep.ParticleClass):
        return float(dep.particle_deposition_velocity(c, np.array([[lu]]), a(ustar), ra, a(ts + 273.15))[0, 0])
    rb = dep.quasi_laminar_resistance(a(ustar), c.diffusivity_ratio)
    rc = dep.surface_resistance(c, np.array([[lu]]), a(G), a(ts), np.array([[wet]]), np.array([[dew]]),
                                is_so2=name == "so2", is_o3=name == "o3")
    return float(1.0 / (ra + rb + rc)[0, 0])


def test_aerodynamic_and_laminar_resistances():
    """Neutral r_a = ln(z/z0)/(k u*); r_b = 2/(k u*) (Sc/Pr)^(2/3) with Sc = nu / D_x (Wesely and Hicks 1977)."""
    ra = dep.aerodynamic_resistance(20.0, 0.1, 0.5, 1e5)
    assert ra == pytest.approx(np.log(200.0) / (VON_KARMAN * 0.5), rel=1e-3)
    rb = dep.quasi_laminar_resistance(0.5, 1.6)
    assert rb == pytest.approx(2 / (VON_KARMAN * 0.5) * ((1.5e-5 / (2.4e-5 / 1.6)) / 0.72) ** (2 / 3))
    # Stable air resists more than neutral, unstable less.
    assert dep.aerodynamic_resistance(20.0, 0.1, 0.5, 20.0) > ra > dep.aerodynamic_resistance(20.0, 0.1, 0.5, -20.0)


def test_wesely_surface_resistance_by_hand():
    """Wesely (1989) eqs. 2-9 for O3 over agricultural land, midsummer, G = 800 W/m2, Ts = 28 C."""
    G, ts = 800.0, 28.0
    rs = 60 * (1 + (200 / (G + 0.1)) ** 2) * (400 / (ts * (40 - ts))) * 1.6
    rm = 1 / (0.01 / 3000 + 100 * 1.0)
    rlu = 2000 / (1e-5 * 0.01 + 1.0)
    rdc = 100 * (1 + 1000 / (G + 10))
    cold = 1000 * np.exp(-ts - 4)
    rcl = 1 / (1e-5 * 0.01 / (2000 + cold) + 1.0 / (1000 + cold))
    rgs = 1 / (1e-5 * 0.01 / (150 + cold) + 1.0 / (150 + cold))
    rc = 1 / (1 / (rs + rm) + 1 / (rlu + cold) + 1 / (rdc + rcl) + 1 / (200 + rgs))
    got = dep.surface_resistance(DEPOSITION_CLASSES["o3"], np.array([AGRICULTURAL]), np.array([G]), np.array([ts]),
                                 is_o3=True)[0]
    assert got == pytest.approx(rc, rel=1e-9)


def test_settling_velocity_against_tabulated_values():
    """Seinfeld and Pandis (2016), Table 9.5, unit-density spheres at 20 C: 1 um 3.5e-3 cm/s, 10 um 0.31 cm/s."""
    assert dep.settling_velocity(1e-6, 1000.0) == pytest.approx(3.5e-5, rel=0.05)
    assert dep.settling_velocity(10e-6, 1000.0) == pytest.approx(3.06e-3, rel=0.05)


@pytest.mark.parametrize("name, low, high", [
    # Daytime, midsummer, over crops; ranges of measured values summarized by Wesely and Hicks (2000), Atmos.
    # Environ. 34, 2261 (O3 0.4-1 cm/s by day over vegetation, SO2 up to 1-2 cm/s, HNO3 1-5 cm/s, NO2 a few
    # tenths of O3's) and Zhang et al. (2003), ACP 3, 2067 (their Table 5: NH3 0.3-2 cm/s daytime).
    ("o3", 0.3e-2, 1.2e-2),
    ("so2", 0.3e-2, 2.0e-2),
    ("hno3", 1.0e-2, 6.0e-2),
    ("no2", 0.05e-2, 0.8e-2),
    ("nh3", 0.3e-2, 2.5e-2),
    # Particles over crops: Zhang et al. (2001) Fig. 3 and the review of Petroff et al. (2008), Atmos. Environ. 42,
    # 3625: accumulation mode 0.01-0.5 cm/s; 5 um particles 0.2-3 cm/s.
    ("pm_fine", 1.0e-4, 5.0e-3),
    ("pm_coarse", 2.0e-3, 3.0e-2),
])
def test_daytime_velocities_in_published_ranges(name, low, high):
    assert low <= vd(name) <= high


def test_night_ozone_lower_and_stable_air_limits():
    """Closed stomata and stable air: night O3 0.05-0.3 cm/s (Wesely and Hicks 2000), below the daytime value."""
    night = vd("o3", ustar=0.1, L=20.0, G=0.0, ts=22.0)
    assert 0.05e-2 <= night <= 0.3e-2 < vd("o3")


def test_water_and_wet_surfaces():
    """SO2 over water and on dewy leaves: surface uptake is fast, so v_d approaches 1/(r_a + r_b)."""
    over_water = vd("so2", lu=WATER, z0=2e-4)
    ra = dep.aerodynamic_resistance(25.0, 2e-4, 0.4, -50.0)
    rb = dep.quasi_laminar_resistance(0.4, 1.9)
    assert over_water == pytest.approx(1 / (ra + rb + 1.0), rel=1e-6)  # r_c = 1 s/m
    assert vd("so2", G=0.0, dew=True) > 2 * vd("so2", G=0.0)  # dew: r_lu(SO2) = 100 s/m (Wesely eq. 10)
    assert vd("o3", lu=WATER, z0=2e-4) < 0.1e-2  # ozone barely dissolves: r_g(water) = 2000 s/m


def test_classes_and_unknown_class():
    from airmodel.errors import InputError

    with pytest.raises(InputError, match="unknown dry-deposition class 'o4'.*o3"):
        dep.deposition_class("o4")
    assert isinstance(DEPOSITION_CLASSES["co"], dep.NoDeposition)
