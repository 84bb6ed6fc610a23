"""The sun: solar zenith angle, insolation at the ground, and the cloud factor for photolysis rates.

- Solar position: the NOAA "General Solar Position Calculations" formulas, i.e. Spencer's (1971, Search 2(5),
  172) Fourier series for the declination and the equation of time; error about 0.1 deg in zenith angle.
- Insolation under clouds: Holtslag and van Ulden (1983), J. Clim. Appl. Meteor. 22, 517, eqs. 2-3, the scheme
  AERMET uses: K_clear = 990 sin(phi) - 30 (W m-2, phi the solar elevation), times
  (1 - 0.75 N^3.4) for a cloud cover N (Kasten and Czeplak 1980, Solar Energy 24, 177).
- Cloud correction of photolysis rates: Chang et al. (1987), J. Geophys. Res. 92, 14681 (RADM; used by CMAQ's
  table photolysis): below the cloud F = 1 + f_c (1.6 t_r cos(chi) - 1), above it
  F = 1 + f_c alpha (1 - t_r) cos(chi) with alpha = 1.2, where
  t_r = (5 - exp(-tau)) / (4 + 3 tau (1 - g)), g = 0.86, and the cloud optical depth
  tau = 3 LWP / (2 rho_w r_e) (Stephens 1978, J. Atmos. Sci. 35, 2123) with r_e = 10 um.
"""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

from .constants import RHO_WATER


def _fractional_year(t: datetime) -> tuple[float, float]:
    """Spencer's day angle gamma (rad) and the UTC hour of day for an aware or naive-UTC datetime."""
    if t.tzinfo is not None:
        t = t.astimezone(timezone.utc)
    hour = t.hour + t.minute / 60.0 + (t.second + t.microsecond * 1e-6) / 3600.0
    doy = t.timetuple().tm_yday
    days_in_year = 366 if (t.year % 4 == 0 and (t.year % 100 != 0 or t.year % 400 == 0)) else 365
    return 2.0 * np.pi / days_in_year * (doy - 1 + (hour - 12.0) / 24.0), hour


def declination_and_equation_of_time(t: datetime) -> tuple[float, float]:
    """Solar declination (rad) and equation of time (minutes) at time t (Spencer 1971)."""
    g, _ = _fractional_year(t)
    eqtime = 229.18 * (0.000075 + 0.001868 * np.cos(g) - 0.032077 * np.sin(g)
                       - 0.014615 * np.cos(2 * g) - 0.040849 * np.sin(2 * g))
    decl = (0.006918 - 0.399912 * np.cos(g) + 0.070257 * np.sin(g) - 0.006758 * np.cos(2 * g)
            + 0.000907 * np.sin(2 * g) - 0.002697 * np.cos(3 * g) + 0.00148 * np.sin(3 * g))
    return float(decl), float(eqtime)


def cos_solar_zenith_angle(t: datetime, lon, lat):
    """Cosine of the solar zenith angle at time t (UTC) and longitude/latitude (degrees); negative at night."""
    decl, eqtime = declination_and_equation_of_time(t)
    _, hour = _fractional_year(t)
    true_solar_minutes = hour * 60.0 + eqtime + 4.0 * np.asarray(lon, dtype=float)
    hour_angle = np.deg2rad(true_solar_minutes / 4.0 - 180.0)
    phi = np.deg2rad(np.asarray(lat, dtype=float))
    return np.sin(phi) * np.sin(decl) + np.cos(phi) * np.cos(decl) * np.cos(hour_angle)


def solar_zenith_angle(t: datetime, lon, lat):
    """Solar zenith angle (degrees) at time t (UTC)."""
    return np.rad2deg(np.arccos(np.clip(cos_solar_zenith_angle(t, lon, lat), -1.0, 1.0)))


def insolation(cos_zenith, cloud_cover):
    """Global shortwave radiation at the ground (W m-2), Holtslag and van Ulden (1983) with Kasten-Czeplak clouds.

    ``cos_zenith`` = sin(solar elevation); zero when the sun is below about 1.7 deg (where 990 sin phi < 30).
    """
    clear = np.maximum(990.0 * np.asarray(cos_zenith) - 30.0, 0.0)
    return clear * (1.0 - 0.75 * np.clip(cloud_cover, 0.0, 1.0) ** 3.4)


def cloud_optical_depth(liquid_water_path, effective_radius: float = 10e-6):
    """tau = 3 LWP / (2 rho_w r_e) (Stephens 1978); LWP in kg m-2."""
    return 1.5 * np.asarray(liquid_water_path) / (RHO_WATER * effective_radius)


def cloud_transmission(tau, asymmetry: float = 0.86):
    """Chang et al. (1987) cloud energy transmission coefficient t_r (1 for tau = 0)."""
    tau = np.asarray(tau)
    return (5.0 - np.exp(-tau)) / (4.0 + 3.0 * tau * (1.0 - asymmetry))


def photolysis_cloud_factor_below(cloud_cover, tau, cos_zenith):
    """Factor on clear-sky photolysis rates below a cloud layer (Chang et al. 1987); 1 without clouds."""
    tr = cloud_transmission(tau)
    cz = np.clip(cos_zenith, 0.0, 1.0)
    return np.maximum(1.0 + np.clip(cloud_cover, 0, 1) * (1.6 * tr * cz - 1.0), 0.0)


def photolysis_cloud_factor_above(cloud_cover, tau, cos_zenith, alpha: float = 1.2):
    """Factor above a cloud layer (reflection enhances the actinic flux), Chang et al. (1987)."""
    tr = cloud_transmission(tau)
    cz = np.clip(cos_zenith, 0.0, 1.0)
    return 1.0 + np.clip(cloud_cover, 0, 1) * alpha * (1.0 - tr) * cz


def photolysis_cloud_factor(snapshot, grid, cos_zenith, threshold: float = 1e-6):
    """[nz, ny, nx] factor on clear-sky photolysis rates for the clouds of a MetSnapshot.

    The column's cloud optical depth comes from its liquid water path; layers below the lowest cloudy layer get
    the below-cloud factor, layers above the highest the above-cloud factor, and cloudy layers a linear blend by
    height between the two. Columns without cloud water get 1.
    """
    nz, ny, nx = grid.shape
    if snapshot.cloud_water is None:
        return np.ones((nz, ny, nx))
    dz = grid.layers.thickness[:, None, None]
    lwp = (snapshot.cloud_water * snapshot.air_density * dz).sum(axis=0)
    tau = cloud_optical_depth(lwp)
    cover = snapshot.cloud_cover if snapshot.cloud_cover is not None else (lwp > 0).astype(float)
    below = photolysis_cloud_factor_below(cover, tau, cos_zenith)
    above = photolysis_cloud_factor_above(cover, tau, cos_zenith)
    cloudy = snapshot.cloud_water > threshold
    k = np.arange(nz)[:, None, None]
    any_cloud = cloudy.any(axis=0)
    base = np.where(any_cloud, np.argmax(cloudy, axis=0), nz)
    top = np.where(any_cloud, nz - 1 - np.argmax(cloudy[::-1], axis=0), -1)
    frac = np.clip((k - base + 0.5) / np.maximum(top - base + 1, 1), 0.0, 1.0)
    factor = below[None] + frac * (above - below)[None]
    return np.where(any_cloud[None], factor, 1.0)
