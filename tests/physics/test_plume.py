"""The idealized plume (airmodel/data/scenarios/idealized/plume.toml) against the exact steady solution.

Exact solution for a continuous point source Q in a uniform wind U along x with constant Kx, Ky, Kz:

    C = Q / (4 pi sqrt(Ky Kz) R) exp(U (x - R) / (2 Kx)),   R^2 = x^2 + (Kx/Ky) y^2 + (Kx/Kz) z^2,

with image sources at z = -H and z = +-2nD +- H for a reflecting ground and top at D. Integrated across the wind,
its slender-plume limit (within 0.5 % here) is

    C_y(x, z) = Q / (sqrt(2 pi) sigma_z U) sum_images exp(-(z - z_image)^2 / (2 sigma_z^2)),
    sigma_z^2 = 2 Kz x / U,  sigma_y^2 = 2 Ky x / U,

averaged over the lowest layer (0-50 m) with the error function.
"""
import numpy as np
import pytest
from scipy import integrate

import airmodel
from airmodel.analytic import plume_crosswind_integrated_layer_mean, plume_exact_crosswind_integrated
from tests.conftest import budget_residuals

Q, U, KX, KY, KZ, H, TOP = 100.0, 5.0, 50.0, 50.0, 10.0, 225.0, 2000.0
X_SOURCE, Y_SOURCE = 10250.0, 30250.0


@pytest.fixture(scope="module")
def plume(scenarios, tmp_path_factory):
    out = tmp_path_factory.mktemp("plume") / "plume.nc"
    return airmodel.run(scenarios / "idealized" / "plume.toml", output=out)


def slender_layer_mean(distance, z0, z1):
    return plume_crosswind_integrated_layer_mean(distance, z0, z1, Q, U, KZ, H, TOP)


def exact_crosswind_integrated(distance, z):
    return plume_exact_crosswind_integrated(distance, z, Q, U, KX, KY, KZ, H, TOP)


def test_slender_form_is_close_to_exact():
    """The check below uses the slender-plume form; at 5-30 km it is within 0.5 % of the exact solution."""
    for distance in (5000.0, 15000.0, 30000.0):
        zs = np.linspace(0.0, 50.0, 21)
        exact = integrate.simpson([exact_crosswind_integrated(distance, z) for z in zs], x=zs) / 50.0
        assert abs(slender_layer_mean(distance, 0.0, 50.0) / exact - 1) < 5e-3


def test_crosswind_integrated_ground_concentration(plume):
    """Last hour, 5-30 km downwind: the crosswind-integrated concentration in the lowest layer, sum_y C dy, is within
    2.5 % of the slender-plume layer mean C_y(x, 0-50 m) above (README: 2.3 % at 5 km with the theta-weighted
    vertical diffusion; measured 2.26 % at 5 km, under 0.8 % beyond 10 km)."""
    c = plume.tracer.isel(time=-1, z=0).values  # g m-3 [y, x]
    dy = 500.0
    distance = plume.x.values - X_SOURCE
    sel = (distance >= 5000) & (distance <= 30000)
    model = c.sum(axis=0)[sel] * dy
    exact = slender_layer_mean(distance[sel], 0.0, 50.0)
    error = np.abs(model / exact - 1)
    assert error.max() <= 0.025, f"largest error {error.max():.3%} at {distance[sel][error.argmax()]:.0f} m"


def test_crosswind_variance_grows_at_2Ky_over_U(plume):
    """sigma_y^2 (over the whole cross-section) grows at d(sigma_y^2)/dx = 2 Ky / U = 20 m, within 5 %."""
    c = plume.tracer.isel(time=-1).values.sum(axis=0)  # [y, x]
    y = plume.y.values[:, None]
    distance = plume.x.values - X_SOURCE
    mass = c.sum(axis=0)
    mean = (c * y).sum(axis=0) / mass
    variance = (c * (y - mean) ** 2).sum(axis=0) / mass
    sel = (distance >= 5000) & (distance <= 30000)
    slope = np.polyfit(distance[sel], variance[sel], 1)[0]
    assert abs(slope / (2 * KY / U) - 1) < 0.05, slope


def test_mass_flux_through_cross_sections(plume):
    """U * integral of C over y and z equals Q within 1 % at every section from 2 km downwind to the outflow."""
    c = plume.tracer.isel(time=-1).values
    flux = U * c.sum(axis=(0, 1)) * 500.0 * 50.0
    distance = plume.x.values - X_SOURCE
    ratio = flux[distance >= 2000] / Q
    assert np.abs(ratio - 1).max() < 0.01, (ratio.min(), ratio.max())


def test_no_negative_values_and_budget_closes(plume):
    """C >= 0 everywhere; emitted - outflow = change in burden to 1e-10 relative."""
    assert float(plume.tracer.min()) >= 0.0
    for name, residual in budget_residuals(plume).items():
        assert residual < 1e-10, (name, residual)
