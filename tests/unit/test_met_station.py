"""The station source: the documented CSV, similarity profiles, day and night stability, and clear errors."""
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from airmodel.errors import InputError
from airmodel.grid import VerticalLayers, lonlat_grid
from airmodel.met import surface_layer as sl
from airmodel.met.station import StationMeteorology

START = datetime(2008, 8, 1, 16, tzinfo=timezone.utc)  # 00 CST


def write_csv(path, hours=30, bad=None):
    lines = ["# Beijing airport, synthetic test record",
             "time,wind_speed,wind_direction,temperature,dew_point,pressure,precipitation,cloud_cover"]
    for h in range(hours):
        t = START + timedelta(hours=h)
        lines.append(f"{t:%Y-%m-%dT%H:%M:%SZ},{2.0 + h % 3},{200 if h % 24 > 8 else 320},"
                     f"{22 + 8 * np.sin(np.pi * ((h % 24) - 6) / 14) if 6 <= h % 24 <= 20 else 22},19,1007,"
                     f"{2.0 if h == 10 else 0.0},0.2")
    if bad:
        lines.append(bad)
    path.write_text("\n".join(lines) + "\n")
    return path


def grid():
    return lonlat_grid(116.0, 117.0, 39.5, 40.5, 0.25,
                       VerticalLayers.from_interfaces([0.0, 50.0, 120.0, 220.0, 350.0, 520.0, 750.0, 1050.0]))


def test_station_profiles_and_stability(tmp_path):
    met = StationMeteorology({"file": str(write_csv(tmp_path / "s.csv"))}, grid(), start=START)
    noon = met.at(13 * 3600.0)  # 13 CST
    night = met.at(28 * 3600.0)  # 04 CST
    assert noon.monin_obukhov_length[0, 0] < 0 < night.monin_obukhov_length[0, 0]
    assert noon.sensible_heat_flux[0, 0] > 100 and night.sensible_heat_flux[0, 0] < 0
    assert noon.mixing_height[0, 0] > 800 and night.mixing_height[0, 0] < 300
    # The 10-m wind is the observation; aloft it follows the log-linear profile.
    np.testing.assert_allclose(np.hypot(noon.u10, noon.v10), 2.0 + 13 % 3)
    us, L, z0 = noon.friction_velocity[0, 0], noon.monin_obukhov_length[0, 0], 0.1
    z1 = 25.0
    expected = (2.0 + 13 % 3) * sl.log_wind(us, z1, z0, L) / sl.log_wind(us, 10.0, z0, L)
    assert np.hypot(noon.u[0, 0, 0], noon.v[0, 0, 0]) == pytest.approx(float(expected), rel=1e-6)
    assert noon.kz[1:-1].max() > 10 * night.kz[1:-1].max()
    # Rain of the hour ending at 10 h is the rate between 9 and 10 h.
    assert met.at(9.5 * 3600.0).precipitation[0, 0] == pytest.approx(2.0 / 3600.0)
    assert met.at(8.5 * 3600.0).precipitation[0, 0] == 0.0


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "NaN"])
def test_station_non_finite_value(tmp_path, bad):
    path = write_csv(tmp_path / "nf.csv", bad=f"2008-08-03T00:00:00Z,2,200,{bad},19,1007,0,0.5")
    with pytest.raises(InputError, match=rf"nf.csv: line 33: temperature = '{bad}' is not a finite number"):
        StationMeteorology({"file": str(path)}, grid(), start=START)


def test_station_errors(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("time,wind_speed\n2008-08-01T00:00:00Z,2\n")
    with pytest.raises(InputError, match="bad.csv: column wind_direction is missing"):
        StationMeteorology({"file": str(p)}, grid(), start=START)
    bad = write_csv(tmp_path / "bad2.csv", bad="2008-08-03T00:00:00Z,2,200,25,19,1007,0,1.5")
    with pytest.raises(InputError, match=r"bad2.csv: line 33: cloud_cover = 1.5 is outside 0..1"):
        StationMeteorology({"file": str(bad)}, grid(), start=START)
    ok = write_csv(tmp_path / "ok.csv")
    with pytest.raises(InputError, match="does not cover the run"):
        StationMeteorology({"file": str(ok)}, grid(), start=START, end=START + timedelta(hours=40))
