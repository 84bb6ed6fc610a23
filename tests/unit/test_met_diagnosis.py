"""The meteorology diagnosis: given a RawMet it reproduces the similarity values of the cited papers, and the
different readers' paths through it (fluxes given, diagnosed by the reader, or diagnosed by the diagnosis) agree."""
from dataclasses import fields, replace
from datetime import datetime, timezone

import numpy as np
import pytest

from airmodel.grid import VerticalLayers, lonlat_grid
from airmodel.met import thermo
from airmodel.met.constants import CP_DRY, GRAVITY, R_DRY, R_VAPOUR, VON_KARMAN
from airmodel.met.diagnosis import RawMet, diagnose, surface_similarity

K = VON_KARMAN


def grid():
    return lonlat_grid(116.0, 117.0, 39.5, 40.5, 0.25,
                       VerticalLayers.from_interfaces([0.0, 20.0, 60.0, 150.0, 300.0, 600.0, 1000.0, 1600.0]))


def raw_met(g, heat_flux=200.0, ustar=0.4, mixing_height=1000.0, **changes):
    nz, ny, nx = g.shape
    layer = np.ones((nz, ny, nx))
    surface = np.ones((ny, nx))
    raw = RawMet(u=np.full((nz, ny, nx + 1), 5.0), v=np.full((nz, ny + 1, nx), -2.0), temperature=300.0 * layer,
                 pressure=1.0e5 * layer, specific_humidity=0.01 * layer, sensible_heat_flux=heat_flux * surface,
                 land_use=np.full((ny, nx), 2), roughness_length=0.1 * surface,
                 cloud_water=np.zeros((nz, ny, nx)), temperature_2m=300.0 * surface, surface_pressure=1.0e5 * surface,
                 surface_specific_humidity=0.01 * surface, u10=4.0 * surface, v10=-1.5 * surface,
                 mixing_height=mixing_height * surface, friction_velocity=ustar * surface,
                 shortwave_down=500.0 * surface)
    return replace(raw, **changes)


def density(p, t, q):
    """Ideal gas with the virtual temperature T (1 + (R_v/R_d - 1) q)."""
    return p / (R_DRY * t * (1.0 + (R_VAPOUR / R_DRY - 1.0) * q))


@pytest.mark.parametrize("heat_flux", [200.0, -30.0])
def test_similarity_values_from_given_fluxes(heat_flux):
    g = grid()
    ustar, h, t, p, q = 0.4, 1000.0, 300.0, 1.0e5, 0.01
    snap = diagnose(raw_met(g, heat_flux=heat_flux, ustar=ustar, mixing_height=h), g)
    rho = density(p, t, q)
    np.testing.assert_allclose(snap.air_density, rho, rtol=1e-12)
    # Obukhov length L = -rho cp T u*^3 / (k g H) (Obukhov 1946).
    L = -rho * CP_DRY * t * ustar ** 3 / (K * GRAVITY * heat_flux)
    np.testing.assert_allclose(snap.monin_obukhov_length, L, rtol=1e-12)
    np.testing.assert_allclose(snap.friction_velocity, ustar)
    # Deardorff's (1970) convective velocity w* = (g H h / (rho cp T))^(1/3), 0 for H <= 0.
    wstar = np.cbrt(GRAVITY * max(heat_flux, 0.0) * h / (rho * CP_DRY * t))
    # Holtslag and Boville (1993): K = k w_t z (1 - z/h)^2.
    for n, z in enumerate(g.layers.interfaces[1:-1], start=1):
        shape = (1.0 - z / h) ** 2 if z < h else 0.0
        zeta = z / L
        if L > 0:
            phi = 1.0 + 5.0 * zeta if zeta <= 1.0 else 5.0 + zeta
            expected = K * ustar * z * shape / phi
        elif z < 0.1 * h:
            expected = K * ustar * z * shape * np.sqrt(1.0 - 15.0 * zeta)
        else:
            ze = 0.1 * h / L
            wm = (ustar ** 3 + 0.6 * wstar ** 3) ** (1.0 / 3.0)
            prandtl = (1.0 - 15.0 * ze) ** -0.5 / (1.0 - 15.0 * ze) ** (-1.0 / 3.0) + 7.2 * K * 0.1 * wstar / wm
            expected = K * wm / prandtl * z * shape
        expected = max(expected, 0.01)  # CMAQ's rural Kz_min
        np.testing.assert_allclose(snap.kz[n], expected, rtol=1e-10, err_msg=f"z = {z} m, H = {heat_flux}")
    assert np.all(snap.kz[0] == 0.0) and np.all(snap.kz[-1] == 0.0)
    # Uniform winds: no deformation, the Smagorinsky diffusivity is its floor.
    assert np.all(snap.kx == 100.0) and np.all(snap.ky == 100.0)


def test_missing_fields_are_derived():
    g = grid()
    # Relative humidity 90 % everywhere: Sundqvist et al. (1989), C = 1 - sqrt((1 - 0.9) / (1 - 0.8)).
    t, p = 290.0, 9.0e4
    es = 611.2 * np.exp(17.67 * (t - 273.15) / (t - 273.15 + 243.5))  # Bolton (1980)
    eps = R_DRY / R_VAPOUR
    e = 0.9 * es
    q = eps * e / (p - (1.0 - eps) * e)
    raw = raw_met(g, temperature=np.full(g.shape, t), pressure=np.full(g.shape, p),
                  specific_humidity=np.full(g.shape, q), cloud_water=None, temperature_2m=None,
                  surface_specific_humidity=None, u10=None, v10=None)
    snap = diagnose(replace(raw, mixing_height=None), g)
    np.testing.assert_allclose(snap.relative_humidity, 0.9, rtol=1e-12)
    np.testing.assert_allclose(snap.cloud_fraction, 1.0 - np.sqrt(0.1 / 0.2), rtol=1e-10)
    np.testing.assert_allclose(snap.cloud_cover, 1.0 - np.sqrt(0.1 / 0.2), rtol=1e-10)
    assert np.all(snap.cloud_water == 0.0)
    np.testing.assert_allclose(snap.temperature_2m, t)
    np.testing.assert_allclose(snap.u10, 5.0)
    np.testing.assert_allclose(snap.v10, -2.0)
    # Mechanical mixing height, Venkatram (1980): 2300 u*^1.5.
    np.testing.assert_allclose(snap.mixing_height, 2300.0 * 0.4 ** 1.5, rtol=1e-12)
    # Cloud water above 1e-6 kg/kg makes a layer cloudy.
    cw = np.zeros(g.shape)
    cw[2] = 1e-4
    snap = diagnose(raw_met(g, cloud_water=cw), g)
    assert np.all(snap.cloud_fraction[2] == 1.0) and np.all(np.delete(snap.cloud_fraction, 2, axis=0) == 0.0)
    # Without shortwave the clear-sky insolation (Holtslag and van Ulden 1983): none at local midnight.
    night = datetime(2008, 8, 1, 16, tzinfo=timezone.utc)
    assert np.all(diagnose(raw_met(g, shortwave_down=None), g, when=night).shortwave_down == 0.0)


def assert_same(a, b):
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert (x is None) == (y is None), f.name
        if x is not None:
            assert np.array_equal(x, y), f.name


def test_readers_paths_agree():
    """u* and L diagnosed by the diagnosis (a reanalysis without friction velocity), or diagnosed by the reader
    with the same similarity and handed over (station, synthetic), or u* handed over with L derived (WRF's UST):
    the same snapshot, bit for bit."""
    g = grid()
    base = raw_met(g, friction_velocity=None)
    by_diagnosis = diagnose(base, g)
    rho_sfc = thermo.air_density(base.surface_pressure, base.temperature_2m, base.surface_specific_humidity)
    ustar, length, heat = surface_similarity(np.hypot(base.u10, base.v10), 10.0, base.roughness_length,
                                             base.temperature_2m, rho_sfc, base.sensible_heat_flux,
                                             cloud_cover=np.zeros(base.u10.shape))
    np.testing.assert_array_equal(heat, base.sensible_heat_flux)
    by_reader = diagnose(replace(base, friction_velocity=ustar, monin_obukhov_length=length), g)
    assert_same(by_diagnosis, by_reader)
    with_ustar = diagnose(replace(base, friction_velocity=ustar), g)
    np.testing.assert_allclose(with_ustar.monin_obukhov_length, by_diagnosis.monin_obukhov_length, rtol=1e-12)
    # The diagnosis leaves its input alone and gives the same answer twice.
    assert base.friction_velocity is None and base.monin_obukhov_length is None
    assert_same(diagnose(base, g), by_diagnosis)
