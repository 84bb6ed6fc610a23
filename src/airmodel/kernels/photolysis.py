"""Solar geometry and photolysis frequencies (pure Numba; arrays and scalars in, scalars out).

Time is *seconds since 1 January 00:00 UTC* of the current year (``seconds_of_year``), with the length of that
year in days (365 or 366).

Solar position
--------------
NOAA Global Monitoring Laboratory, "General Solar Position Calculations" (the fractional-year method), whose
declination and equation of time are the Fourier series of Spencer (1971, Search 2(5), 172):

.. math::

    \\gamma = \\frac{2\\pi}{N_{days}} \\left(\\frac{s}{86400} - \\frac12\\right)

    \\delta = 0.006918 - 0.399912\\cos\\gamma + 0.070257\\sin\\gamma - 0.006758\\cos2\\gamma
              + 0.000907\\sin2\\gamma - 0.002697\\cos3\\gamma + 0.00148\\sin3\\gamma \\quad [rad]

    E = 229.18\\,(0.000075 + 0.001868\\cos\\gamma - 0.032077\\sin\\gamma - 0.014615\\cos2\\gamma
              - 0.040849\\sin2\\gamma) \\quad [min]

    h = 2\\pi\\,\\frac{(s \\bmod 86400) / 60 + E + 4\\lambda}{1440} - \\pi, \\qquad
    \\cos\\chi = \\sin\\varphi\\sin\\delta + \\cos\\varphi\\cos\\delta\\cos h

(NOAA writes the fractional year as (day_of_year - 1 + (hour - 12)/24); s/86400 = day_of_year - 1 + hour/24.)
λ is the longitude in degrees east, φ the latitude. Accuracy: about 0.01 rad in declination and a few
tenths of a minute in the equation of time, ample for photolysis.

Photolysis frequencies
----------------------
The MCM parameterisation (Saunders et al., 2003, ACP 3, 161; MCM v3.3.1 "photolysis parameters"):

.. math::  J = l\\,(\\cos\\chi)^m \\exp(-n \\sec\\chi), \\quad J = 0 \\text{ for } \\cos\\chi \\le 0

times a cloud attenuation factor 1 - a f_c^b, the global-irradiance relation of Kasten and Czeplak (1980,
Solar Energy 24, 177) with a = 0.75, b = 3.4 and f_c the cloud-cover fraction (octas / 8).
"""
from __future__ import annotations

import math

from numba import njit

SECONDS_PER_DAY = 86400.0
TWO_PI = 2.0 * math.pi


@njit(cache=True, error_model="numpy")
def declination_and_equation_of_time(seconds_of_year, days_in_year):
    """Solar declination (rad) and equation of time (minutes): Spencer (1971) series, NOAA form."""
    g = TWO_PI / days_in_year * (seconds_of_year / SECONDS_PER_DAY - 0.5)
    c1, s1 = math.cos(g), math.sin(g)
    c2, s2 = math.cos(2.0 * g), math.sin(2.0 * g)
    c3, s3 = math.cos(3.0 * g), math.sin(3.0 * g)
    declination = (0.006918 - 0.399912 * c1 + 0.070257 * s1 - 0.006758 * c2 + 0.000907 * s2
                   - 0.002697 * c3 + 0.00148 * s3)
    equation_of_time = 229.18 * (0.000075 + 0.001868 * c1 - 0.032077 * s1 - 0.014615 * c2 - 0.040849 * s2)
    return declination, equation_of_time


@njit(cache=True, error_model="numpy")
def cos_zenith(seconds_of_year, sin_declination, cos_declination, equation_of_time, lon_deg, sin_lat, cos_lat):
    """Cosine of the solar zenith angle at a UTC time (s of year) for a declination (given by its sine and
    cosine) and an equation of time (min) already evaluated; lon in degrees east, latitude by sine and cosine."""
    minutes_of_day = (seconds_of_year % SECONDS_PER_DAY) / 60.0
    true_solar_minutes = minutes_of_day + equation_of_time + 4.0 * lon_deg
    hour_angle = TWO_PI * true_solar_minutes / 1440.0 - math.pi
    return sin_lat * sin_declination + cos_lat * cos_declination * math.cos(hour_angle)


@njit(cache=True, error_model="numpy")
def cos_zenith_at(seconds_of_year, days_in_year, lon_deg, lat_deg):
    """Cosine of the solar zenith angle at one time and place (declination evaluated at that time)."""
    dec, eot = declination_and_equation_of_time(seconds_of_year, days_in_year)
    phi = math.radians(lat_deg)
    return cos_zenith(seconds_of_year, math.sin(dec), math.cos(dec), eot, lon_deg, math.sin(phi), math.cos(phi))


@njit(cache=True, error_model="numpy")
def mcm_photolysis(cos_chi, l, m, n):
    """J = l cos(chi)^m exp(-n / cos(chi)) (s-1), zero when the sun is at or below the horizon."""
    if cos_chi <= 0.0:
        return 0.0
    return l * math.exp(m * math.log(cos_chi) - n / cos_chi)


@njit(cache=True, error_model="numpy")
def mcm_photolysis_all(cos_chi, parameters, factor, out):
    """out[q] = factor * J_q for every row (l, m, n) of parameters, sharing log(cos chi) and 1/cos chi."""
    if cos_chi <= 0.0:
        for q in range(parameters.shape[0]):
            out[q] = 0.0
        return
    log_c = math.log(cos_chi)
    inv_c = 1.0 / cos_chi
    for q in range(parameters.shape[0]):
        out[q] = factor * parameters[q, 0] * math.exp(parameters[q, 1] * log_c - parameters[q, 2] * inv_c)


@njit(cache=True, error_model="numpy")
def cloud_attenuation(cloud_fraction, a, b):
    """Kasten and Czeplak (1980): irradiance under cloud cover f over clear sky = 1 - a f^b (f in 0..1)."""
    f = min(max(cloud_fraction, 0.0), 1.0)
    if f == 0.0:
        return 1.0
    return 1.0 - a * f ** b
