"""Daily statistics by local day (GB 3095-2012, HJ 663-2013), the HJ 633-2012 AQI and the station list, against
values worked out by hand."""
import numpy as np
import pytest
import xarray as xr

from airmodel.analysis import daily, standards
from airmodel.analysis.stations import read_station_list
from airmodel.errors import InputError

# Local midnight of 2008-08-08 is 2008-08-07 16:00 UTC.
T0 = np.datetime64("2008-08-07T16:00:00", "s")


def hourly(values, start=T0):
    values = np.asarray(values, dtype=float)
    starts = start + np.arange(values.size) * np.timedelta64(3600, "s")
    return xr.DataArray(values, dims="time", coords={"time": starts + np.timedelta64(3600, "s")}), starts


def test_iaqi_on_the_breakpoints_and_between_them():
    # PM2.5 24 h: 0-35-75-115-150-250-350-500 for IAQI 0-50-100-150-200-300-400-500
    c = [0.0, 35.0, 55.0, 75.0, 132.5, 500.0, 700.0]
    np.testing.assert_array_equal(standards.iaqi("PM25", "24h", c), [0, 50, 75, 100, 175, 500, 500])
    # between breakpoints the IAQI is rounded up (HJ 633-2012): 36 -> 50 + 50/40 = 51.25 -> 52
    assert standards.iaqi("PM25", "24h", [36.0])[0] == 52
    # O3 8 h above 800 has no IAQI (the 1-h value speaks for it); O3 1 h 900 -> 300 + 100 * 100/200 = 350
    assert np.isnan(standards.iaqi("O3", "8h", [900.0])[0])
    assert standards.iaqi("O3", "1h", [900.0])[0] == 350
    with pytest.raises(InputError, match="no HJ 633-2012 breakpoints"):
        standards.iaqi("PM25", "1h", [1.0])


def test_daily_aqi_primary_pollutant_and_category():
    metrics = {("PM25", "24h"): np.array([30.0, 80.0, 20.0]), ("O3", "8h"): np.array([120.0, 100.0, 40.0]),
               ("O3", "1h"): np.array([150.0, 150.0, 60.0])}
    aqi, primary = standards.daily_aqi(metrics)
    # day 1: PM2.5 IAQI 43, O3-8h 50 + 50*20/60 = 66.7 -> 67: O3 8 h primary
    # day 2: PM2.5 100 + 50*5/40 = 106.25 -> 107: PM2.5 primary; day 3: all below 50: no primary pollutant
    np.testing.assert_array_equal(aqi, [67, 107, 29])
    names = [standards.PRIMARY_NAMES[p] for p in primary]
    assert names == ["O3_8h", "PM25_24h", "none"]
    cats = standards.aqi_category([50, 51, 100, 101, 300, 301, np.nan])
    assert list(cats) == [0, 1, 1, 2, 4, 5, -1]


def test_gas_conversion_at_the_gb3095_standard_state():
    # 100 ppb O3 at 273.15 K, 101.325 kPa: 100 x 47.997 / 22.414 = 214.14 ug m-3; 1 ppm CO = 1.2497 mg m-3
    assert standards.to_standard_units("O3", [100.0], "ppb")[0] == pytest.approx(214.138, rel=1e-5)
    assert standards.to_standard_units("CO", [1.0], "ppm")[0] == pytest.approx(28.010 / 22.414, rel=1e-12)
    assert standards.to_standard_units("PM25", [3.0], "ug m-3")[0] == 3.0
    with pytest.raises(InputError, match="unknown unit"):
        standards.to_standard_units("O3", [1.0], "furlongs")


def test_24_hour_mean_needs_20_hours():
    values = np.arange(48.0)
    values[24:29] = np.nan  # day 2 keeps 19 hours
    da, starts = hourly(values)
    mean = daily.daily_mean(da, starts)
    assert mean.sizes["day"] == 2
    assert mean.values[0] == pytest.approx(np.mean(np.arange(24.0)))
    assert np.isnan(mean.values[1])
    values[24] = 24.0  # 20 hours: valid again
    mean = daily.daily_mean(*hourly(values))
    assert mean.values[1] == pytest.approx(np.mean(np.r_[24.0, np.arange(29.0, 48.0)]))
    # the day coordinate is the UTC instant of local midnight
    assert mean.day.values[0] == np.datetime64("2008-08-07T16:00:00")


def test_mda8_takes_the_windows_ending_08_to_24_local():
    # two local days; 8 at 23:00 local on day 1 only: day 1's window ending 24:00 holds it (8/8 = 1); day 2's
    # first window (ending 08:00) covers 00:00-08:00 of day 2 and must not see it.
    values = np.zeros(48)
    values[23] = 8.0
    mda8 = daily.daily_max_8h(*hourly(values))
    np.testing.assert_allclose(mda8.values, [1.0, 0.0])
    # a spike at 02:00 local of day 2 is in the windows ending 08:00 and 09:00 of day 2
    values = np.zeros(48)
    values[26] = 16.0
    np.testing.assert_allclose(daily.daily_max_8h(*hourly(values)).values, [0.0, 2.0])


def test_mda8_validity_rules():
    values = np.ones(48)
    values[24 + 7:24 + 7 + 4] = np.nan  # day 2: local hours 07-10 missing
    da, starts = hourly(values)
    out = daily.daily_max_8h(da, starts)
    windows = daily.moving_8h_means(values)
    local_hour = np.arange(48) % 24
    valid_day2 = np.isfinite(windows[24:][local_hour[24:] >= 7]).sum()
    # windows whose last hour is 09..15 hold 3 or 4 of the gaps (fewer than 6 valid hours): 17 - 7 = 10 valid
    assert valid_day2 == 10
    assert out.values[0] == 1.0 and np.isnan(out.values[1])
    # a run starting at 08:00 local: its first day has windows from 13:00 on only (11 valid): missing
    da, starts = hourly(np.ones(40), start=T0 + np.timedelta64(8 * 3600, "s"))
    assert np.isnan(daily.daily_max_8h(da, starts).values[0])


def test_station_list_reader(tmp_path):
    default = read_station_list()
    assert [s.code for s in default] == [f"10{n:02d}A" for n in range(1, 13)]
    assert default[10].name == "Aotizhongxin" and default[10].lat == pytest.approx(40.0031)
    bad = tmp_path / "s.csv"
    for text, message in (("id,name,lat,lon\n", "line 1: the header"),
                          ("code,name,lat,lon\nA,a,north,116\n", "line 2: lat 'north'"),
                          ("code,name,lat,lon\nA,a,40,116\nA,b,40,116\n", "line 3: station code 'A' appears twice"),
                          ("code,name,lat,lon\nA,a,95,116\n", "out of range")):
        bad.write_text(text)
        with pytest.raises(InputError, match=message):
            read_station_list(bad)
