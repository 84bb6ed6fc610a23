"""The meteorology diagnosis: from what a source holds to the :class:`~.base.MetSnapshot` the model runs on.

Every reader (wrf.py, cf.py, station.py, synthetic.py) reads and regrids its source into a :class:`RawMet` on the
model grid, with ``None`` where the source lacks a field, and :func:`diagnose` derives the rest, the same way for
all of them (the role the Meteorology-Chemistry Interface Processor plays for CMAQ; Otte and Pleim 2010, Geosci.
Model Dev. 3, 243):

- air density from the ideal gas law with the virtual temperature, and relative humidity (thermo.py);
- the layer cloud fraction where the source lacks it: cloud water above 1e-6 kg/kg, or without cloud water the
  relative-humidity diagnosis of Sundqvist et al. (1989, Mon. Wea. Rev. 117, 1641), C = 1 - sqrt((1 - RH)/(1 -
  RH_c)), RH_c = 0.8; the column cloud cover where lacking: the largest layer fraction;
- the 2-m temperature where lacking: the lowest layer's; the surface pressure: hydrostatic from the lowest layer;
  the 10-m wind: the lowest layer's (cell-centre average of the face winds);
- friction velocity u* and Obukhov length L: both as given (a reader that needed them to build its profiles);
  u* as given (WRF's UST, a reanalysis' friction velocity), at least USTAR_MIN, with L = -rho cp T u*^3/(k g H);
  neither: surface-layer similarity from the 10-m wind, the sensible heat flux and the roughness length
  (surface_layer.py);
- the mixing height: as given, at least 10 m; lacking: mechanical, 2300 u*^1.5 (Venkatram 1980);
- Deardorff's convective velocity w*, and Kz from Holtslag and Boville (1993) with CMAQ's floor by urban fraction
  (the source's built-up share of each cell, or 1 in cells whose land use is urban; boundary_layer.py);
- the shortwave radiation at the ground where lacking: Holtslag and van Ulden (1983) for the cloud cover
  (solar.py);
- the horizontal eddy diffusivity on the faces: Smagorinsky (1963).

A source without surface fluxes (a station record, the synthetic default) diagnoses them with the helpers below
before it builds its profiles: the net radiation and the daytime sensible heat flux (AERMET's scheme), u* and L
(:func:`surface_similarity`), the mixing height from the integrated heat flux (:func:`boundary_layer_height`) and
the 10-m wind from the log law (:func:`ten_metre_wind`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ..grid import Grid
from . import boundary_layer, landuse, solar, surface_layer, thermo
from .adjust import face_average_x, face_average_y
from .base import MetSnapshot
from .constants import GRAVITY, STEFAN_BOLTZMANN

#: Critical relative humidity of the Sundqvist et al. (1989) cloud-fraction diagnosis.
RH_CRITICAL = 0.8
#: Cloud water mixing ratio (kg kg-1) above which a layer counts as cloudy where the source gives no fraction.
CLOUD_WATER_THRESHOLD = 1e-6
#: Lowest mixing height taken from a source (m).
MIXING_HEIGHT_MIN = 10.0
#: Smagorinsky's c_s^2 (c_s = 0.2).
SMAGORINSKY_CS2 = 0.04
#: The gas constant with which a missing surface pressure is extrapolated from the lowest layer (J kg-1 K-1).
R_SURFACE_EXTRAPOLATION = 287.0


@dataclass
class RawMet:
    """What a source holds, on the model grid and in SI units; ``None`` where the source lacks a field.

    Shapes as in :class:`~.base.MetSnapshot`: ``u`` on the x faces [nz, ny, nx+1] and ``v`` on the y faces
    [nz, ny+1, nx] (earth-relative), layer fields [nz, ny, nx] at the layer midpoints, surface fields [ny, nx].
    """

    u: np.ndarray
    v: np.ndarray
    temperature: np.ndarray  # K
    pressure: np.ndarray  # Pa
    specific_humidity: np.ndarray  # kg kg-1
    sensible_heat_flux: np.ndarray  # upward, W m-2
    land_use: np.ndarray  # USGS category
    roughness_length: np.ndarray  # m
    cloud_fraction: np.ndarray | None = None  # [nz, ny, nx] 1
    cloud_water: np.ndarray | None = None  # [nz, ny, nx] kg kg-1
    cloud_cover: np.ndarray | None = None  # 1
    precipitation: np.ndarray | None = None  # kg m-2 s-1
    temperature_2m: np.ndarray | None = None  # K
    surface_pressure: np.ndarray | None = None  # Pa
    surface_specific_humidity: np.ndarray | None = None  # kg kg-1 at 2 m; else the lowest layer's
    u10: np.ndarray | None = None  # at cell centres, m s-1
    v10: np.ndarray | None = None
    mixing_height: np.ndarray | None = None  # m
    friction_velocity: np.ndarray | None = None  # m s-1
    monin_obukhov_length: np.ndarray | None = None  # m
    shortwave_down: np.ndarray | None = None  # W m-2
    urban_fraction: np.ndarray | None = None  # built-up share of the cell (1); lacking: 1 where land use is urban


# -- helpers for sources without surface fluxes -------------------------------------------------------------------
def net_radiation(shortwave, temperature_2m, cloud_cover, albedo):
    """Net radiation Q* (W m-2), Holtslag and van Ulden (1983), J. Clim. Appl. Meteor. 22, 517, eq. 6:
    ((1 - albedo) K + c1 T^6 - sigma T^4 + c2 N) / (1 + c3), c1 = 5.31e-13, c2 = 60, c3 = 0.12."""
    return ((1 - albedo) * shortwave + 5.31e-13 * temperature_2m ** 6 - STEFAN_BOLTZMANN * temperature_2m ** 4
            + 60.0 * cloud_cover) / 1.12


def daytime_heat_flux(net, bowen):
    """Sensible heat flux (W m-2) where Q* > 0, AERMET's H = 0.9 Q* / (1 + 1/B) (EPA 2004, AERMET User's Guide,
    EPA-454/B-03-002); 0 where Q* <= 0."""
    return np.where(net > 0, 0.9 * net / (1.0 + 1.0 / bowen), 0.0)


def surface_similarity(wind_speed, z_ref, z0, temperature, air_density, sensible_heat_flux, stable_night=None,
                       cloud_cover=None):
    """u*, L and H from a wind speed at ``z_ref`` by surface-layer similarity (surface_layer.surface_layer);
    ``stable_night`` (default: nowhere) selects the closed-form night scheme, which needs ``cloud_cover``."""
    if stable_night is None:
        stable_night = np.zeros(np.shape(sensible_heat_flux), dtype=bool)
    return surface_layer.surface_layer(wind_speed, z_ref, z0, temperature, air_density, sensible_heat_flux,
                                       stable_night, cloud_cover)


def boundary_layer_height(cumulative_heat, ustar, air_density, stable, scale=1.0, floor_cells=None,
                          floor_height: float = 0.0, lapse_rate: float = 0.005):
    """The mixing height (m) of a source without one: by day the convective height (encroachment with
    entrainment over a lapse rate of 5 K/km, times ``scale``) but at least the mechanical one, at night
    (``stable``) the mechanical one; at least ``floor_height`` in ``floor_cells``; within 50..3500 m."""
    h_conv = surface_layer.convective_mixing_height(cumulative_heat, lapse_rate, air_density) * scale
    h_mech = surface_layer.mechanical_mixing_height(ustar)
    height = np.where(stable, h_mech, np.maximum(h_conv, h_mech))
    if floor_cells is not None:
        height = np.where(floor_cells, np.maximum(height, floor_height), height)
    return np.clip(height, 50.0, 3500.0)


def ten_metre_wind(u, v, ustar, length, z_ref: float, z0):
    """The 10-m wind from the wind (u, v) at ``z_ref`` by the stability-corrected log law (no change where
    z_ref <= 10 m; the ratio is kept within 0..1)."""
    if z_ref > 10.0:
        ratio = (surface_layer.log_wind(ustar, 10.0, z0, length)
                 / np.maximum(surface_layer.log_wind(ustar, z_ref, z0, length), 1e-6))
        ratio = np.clip(ratio, 0.0, 1.0)
    else:
        ratio = np.ones_like(u)
    return u * ratio, v * ratio


def horizontal_diffusivity_min(section: dict) -> float:
    """The floor of the horizontal diffusivity (m2 s-1), scenario key ``horizontal_diffusivity_min``."""
    return float(section.get("horizontal_diffusivity_min", 100.0) or 0.0)


# -- the diagnosis ------------------------------------------------------------------------------------------------
def layer_clouds(cloud_fraction, cloud_water, relative_humidity):
    """(cloud fraction, cloud water) of the layers: as given; the fraction from the cloud water, else from the
    relative humidity (Sundqvist et al. 1989, no cloud water)."""
    if cloud_water is None:
        cloud_water = np.zeros_like(relative_humidity)
        if cloud_fraction is None:
            cloud_fraction = 1.0 - np.sqrt(np.clip((1.0 - np.minimum(relative_humidity, 1.0))
                                                   / (1.0 - RH_CRITICAL), 0.0, 1.0))
    elif cloud_fraction is None:
        cloud_fraction = (cloud_water > CLOUD_WATER_THRESHOLD).astype(float)
    return cloud_fraction, cloud_water


def smagorinsky_diffusivity(u, v, dx, dy, kh_min: float, cs2: float = SMAGORINSKY_CS2):
    """Horizontal eddy diffusivity on the x and y faces from face winds u, v: Smagorinsky (1963), K = c_s^2 dx dy
    |D| with the deformation |D| from centred differences of the cell-centre winds (``dx``, ``dy``: the spacing of
    the centres, m, scalars or broadcastable to [nz, ny, nx]); at least ``kh_min`` (m2 s-1). A grid one cell wide
    has no deformation to see: the floor."""
    nz, ny, nx = v.shape[0], u.shape[1], v.shape[2]
    if nx < 2 or ny < 2:
        return np.full((nz, ny, nx + 1), kh_min), np.full((nz, ny + 1, nx), kh_min)
    ucc = 0.5 * (u[:, :, 1:] + u[:, :, :-1])
    vcc = 0.5 * (v[:, 1:, :] + v[:, :-1, :])
    dudx = np.gradient(ucc, axis=2) / dx
    dvdx = np.gradient(vcc, axis=2) / dx
    dudy = np.gradient(ucc, axis=1) / dy
    dvdy = np.gradient(vcc, axis=1) / dy
    kh = np.maximum(cs2 * dx * dy * np.hypot(dudx - dvdy, dvdx + dudy), kh_min)
    return np.ascontiguousarray(face_average_x(kh)), np.ascontiguousarray(face_average_y(kh))


def grid_spacing(grid: Grid):
    """(dx, dy) between the cell centres (m) for :func:`smagorinsky_diffusivity`."""
    return grid.x_centre_distance[:, :-1][None], grid.y_centre_distance[:-1, :][None]


def diagnose(raw: RawMet, grid: Grid, when: datetime | None = None, kh_min: float = 100.0, spacing=None,
             cs2: float = SMAGORINSKY_CS2) -> MetSnapshot:
    """The snapshot of a source's fields: everything the source lacks derived (see the module docstring).

    ``when`` (UTC) is needed only where the shortwave radiation is lacking; ``spacing`` = (dx, dy) for the
    Smagorinsky diffusivity, by default the grid's distances between cell centres.
    """
    tk, pres, qq = raw.temperature, raw.pressure, raw.specific_humidity
    u, v = raw.u, raw.v
    rho = thermo.air_density(pres, tk, qq)
    rh = thermo.relative_humidity(tk, pres, qq)
    cloud_fraction, cloud_water = layer_clouds(raw.cloud_fraction, raw.cloud_water, rh)
    cloud_cover = raw.cloud_cover if raw.cloud_cover is not None else cloud_fraction.max(axis=0)
    # Surface.
    t2m = raw.temperature_2m if raw.temperature_2m is not None else tk[0]
    if raw.surface_pressure is not None:
        sfc_p = raw.surface_pressure
    else:
        sfc_p = pres[0] * np.exp(GRAVITY * grid.layers.midpoints[0] / (R_SURFACE_EXTRAPOLATION * tk[0]))
    q_sfc = raw.surface_specific_humidity if raw.surface_specific_humidity is not None else qq[0]
    rho_sfc = thermo.air_density(sfc_p, t2m, q_sfc)
    if raw.u10 is not None and raw.v10 is not None:
        u10, v10 = raw.u10, raw.v10
    else:
        u10 = 0.5 * (u[0, :, 1:] + u[0, :, :-1])
        v10 = 0.5 * (v[0, 1:, :] + v[0, :-1, :])
    hflux = raw.sensible_heat_flux
    # Surface layer and Kz.
    if raw.friction_velocity is not None and raw.monin_obukhov_length is not None:
        ustar, length = raw.friction_velocity, raw.monin_obukhov_length
    elif raw.friction_velocity is not None:
        ustar = np.maximum(raw.friction_velocity, surface_layer.USTAR_MIN)
        length = surface_layer.obukhov_length(ustar, hflux, t2m, rho_sfc)
    else:
        ustar, length, _ = surface_similarity(np.hypot(u10, v10), 10.0, raw.roughness_length, t2m, rho_sfc, hflux,
                                              cloud_cover=cloud_cover)
    if raw.mixing_height is not None:
        mixing_height = np.maximum(raw.mixing_height, MIXING_HEIGHT_MIN)
    else:
        mixing_height = np.maximum(surface_layer.mechanical_mixing_height(ustar), MIXING_HEIGHT_MIN)
    wstar = surface_layer.convective_velocity(hflux, mixing_height, t2m, rho_sfc)
    urban = raw.urban_fraction if raw.urban_fraction is not None else landuse.urban_fraction(raw.land_use)
    kz_min = boundary_layer.minimum_kz(urban)
    kz = boundary_layer.kz_on_interfaces(grid.layers.interfaces, ustar, length, mixing_height, wstar, kz_min)
    if raw.shortwave_down is not None:
        shortwave = raw.shortwave_down
    else:
        lon_c, lat_c = np.meshgrid(grid.x, grid.y)
        shortwave = solar.insolation(np.clip(solar.cos_solar_zenith_angle(when, lon_c, lat_c), 0, 1), cloud_cover)
    dx, dy = spacing if spacing is not None else grid_spacing(grid)
    kx, ky = smagorinsky_diffusivity(u, v, dx, dy, kh_min, cs2)
    c = np.ascontiguousarray
    return MetSnapshot(
        air_density=c(rho), u=c(u), v=c(v), kx=kx, ky=ky, kz=kz, temperature=c(tk), pressure=c(pres),
        specific_humidity=c(qq), relative_humidity=c(rh), cloud_fraction=c(cloud_fraction),
        cloud_water=c(cloud_water), precipitation=raw.precipitation, mixing_height=mixing_height,
        friction_velocity=ustar, monin_obukhov_length=length, sensible_heat_flux=hflux, temperature_2m=t2m,
        u10=u10, v10=v10, surface_pressure=sfc_p, shortwave_down=shortwave, cloud_cover=cloud_cover,
        land_use=raw.land_use, roughness_length=raw.roughness_length,
    )
