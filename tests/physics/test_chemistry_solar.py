"""Solar geometry (NOAA / Spencer 1971) and MCM photolysis frequencies against known values."""
import math
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from airmodel.chemistry.process import seconds_of_year
from airmodel.chemistry.reference import solar_cos_zenith
from airmodel.kernels.photolysis import cloud_attenuation, cos_zenith_at, mcm_photolysis

BEIJING = (116.407, 39.905)


def zenith_deg(when):
    return math.degrees(math.acos(cos_zenith_at(*seconds_of_year(when), *BEIJING)))


@pytest.mark.parametrize("day, declination, noon_utc_minutes", [
    (datetime(2008, 3, 20, tzinfo=timezone.utc), -0.1, 12 * 60 - 4 * 116.407 + 7.6),     # equation of time -7.6 min
    (datetime(2008, 6, 21, tzinfo=timezone.utc), 23.44, 12 * 60 - 4 * 116.407 + 1.6),    # -1.6 min
    (datetime(2008, 8, 1, tzinfo=timezone.utc), 18.0, 12 * 60 - 4 * 116.407 + 6.3),      # -6.3 min
    (datetime(2008, 12, 21, tzinfo=timezone.utc), -23.44, 12 * 60 - 4 * 116.407 - 2.0),  # +2.0 min
])
def test_solar_noon_and_noon_zenith_at_beijing(day, declination, noon_utc_minutes):
    """Solar noon (UTC) = 12 h - 4 min/degree x longitude - equation of time (almanac values, +-1.5 min); the
    zenith angle at solar noon = latitude - declination (almanac declination, +-0.3 degrees)."""
    minutes = np.arange(0, 24 * 60, 0.5)
    zen = np.array([zenith_deg(day + timedelta(minutes=float(m))) for m in minutes])
    assert minutes[zen.argmin()] == pytest.approx(noon_utc_minutes, abs=1.5)
    assert zen.min() == pytest.approx(BEIJING[1] - declination, abs=0.3)


def test_kernel_and_reference_solar_position_agree():
    """The kernel (seconds of year) and the reference (datetime) implementations agree over a year, hourly."""
    start = datetime(2008, 1, 1, tzinfo=timezone.utc)
    for hour in range(0, 366 * 24, 7):
        when = start + timedelta(hours=hour, minutes=13)
        assert cos_zenith_at(*seconds_of_year(when), *BEIJING) == pytest.approx(
            solar_cos_zenith(when, *BEIJING), abs=1e-12)


def test_mcm_photolysis_and_cloud_factor():
    """J = l cos(chi)^m exp(-n sec chi): J(NO2) = 1.165e-2 exp(-0.267) = 8.92e-3 s-1 with the sun overhead, zero
    below the horizon; Kasten and Czeplak: 1 - 0.75 f^3.4, a quarter under full cloud."""
    assert mcm_photolysis(1.0, 1.165e-2, 0.244, 0.267) == pytest.approx(1.165e-2 * math.exp(-0.267), rel=1e-14)
    c = math.cos(math.radians(60))
    assert mcm_photolysis(c, 6.073e-5, 1.743, 0.474) == pytest.approx(6.073e-5 * c ** 1.743 * math.exp(-0.474 / c),
                                                                     rel=1e-14)
    assert mcm_photolysis(-0.1, 1.165e-2, 0.244, 0.267) == 0.0
    assert mcm_photolysis(0.0, 1.165e-2, 0.244, 0.267) == 0.0
    assert cloud_attenuation(1.0, 0.75, 3.4) == 0.25
    assert cloud_attenuation(0.0, 0.75, 3.4) == 1.0
    assert cloud_attenuation(0.5, 0.75, 3.4) == pytest.approx(1 - 0.75 * 0.5 ** 3.4, rel=1e-14)
