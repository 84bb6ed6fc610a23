"""Observation readers on small files written here in the exact formats: local time (UTC+8) and UTC, unit
conversion at the GB 3095-2012 standard state, missing and flagged values dropped and counted, and a clear error
(file, line, bad value, what is valid) for each kind of malformed input."""
import numpy as np
import pytest

from airmodel.analysis.observations import detect_format, read_cnemc, read_long, read_observations
from airmodel.analysis.stations import Station
from airmodel.errors import InputError

STATIONS = (Station("1001A", "Wanshouxigong", 39.8673, 116.366), Station("1003A", "Dongsi", 39.9522, 116.434))
# Independent of the code under test: ug m-3 = ppb x M / 22.414 L mol-1 (273.15 K, 101.325 kPa).
O3_UG_PER_PPB = 47.997 / 22.414
NO2_UG_PER_PPB = 46.005 / 22.414
CO_MG_PER_PPM = 28.010 / 22.414


def utc(text):
    return np.datetime64(text, "s")


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


LONG = """time,station,pollutant,value,unit
2008-08-08T09:00+08:00,1003A,PM2.5,61,ug/m3
2008-08-08T09:00+08:00,1001A,O3,40,ppb
2008-08-08T01:00Z,1001A,NO2,10.5,µg/m³
2008-08-08 10:00+08:00,1003A,CO,1.5,ppm
2008-08-08T10:00+08:00,1003A,NO2,20,ppb
2008-08-08T10:00+08:00,1001A,PM10,,ug m-3
2008-08-08T10:00+08:00,1003A,PM10,NA,ug m-3
2008-08-08T10:00+08:00,1001A,SO2,-999,ug/m3
2008-08-08T11:00+08:00,1001A,CO,0.8,mg/m3

"""


def test_long_format_times_units_and_counts(tmp_path):
    obs = read_long(write(tmp_path, "obs.csv", LONG), STATIONS)
    got = {(s, p, str(t)): v for s, p, t, v in zip(obs.station, obs.pollutant, obs.time_end, obs.value)}
    # 09:00 local is 01:00 UTC; the times are the ends of the hourly means
    assert got[("1003A", "PM25", "2008-08-08T01:00:00")] == 61.0
    assert got[("1001A", "O3", "2008-08-08T01:00:00")] == pytest.approx(40 * O3_UG_PER_PPB, rel=1e-12)
    assert got[("1001A", "NO2", "2008-08-08T01:00:00")] == 10.5
    assert got[("1003A", "CO", "2008-08-08T02:00:00")] == pytest.approx(1.5 * CO_MG_PER_PPM, rel=1e-12)
    assert got[("1003A", "NO2", "2008-08-08T02:00:00")] == pytest.approx(20 * NO2_UG_PER_PPB, rel=1e-12)
    assert got[("1001A", "CO", "2008-08-08T03:00:00")] == 0.8
    (counts,) = obs.counts
    assert (counts.kept, counts.missing, counts.flagged) == (6, 2, 1)
    assert len(obs) == 6


def test_long_format_flag_column_and_start_labels(tmp_path):
    text = ("station,time,pollutant,unit,value,flag\n"
            "1001A,2008-08-08T09:00+08:00,O3,ug/m3,80,\n"
            "1001A,2008-08-08T10:00+08:00,O3,ug/m3,85,C\n"
            "1001A,2008-08-08T11:00+08:00,O3,ug/m3,90,C\n"
            "1001A,2008-08-08T12:00+08:00,O3,ug/m3,95,M\n")
    obs = read_long(write(tmp_path, "flags.csv", text), STATIONS, time_label="start")
    assert list(obs.value) == [80.0]
    assert obs.time_end[0] == utc("2008-08-08T02:00")  # labelled by its start, 09:00 local = 01:00 UTC
    assert obs.counts[0].flagged == 3 and obs.counts[0].flags == {"C": 2, "M": 1}


@pytest.mark.parametrize("line, message", [
    ("2008-08-08T09:00+08:00,1099A,O3,40,ppb", "line 2: unknown station '1099A'; the station list has 1001A, 1003A"),
    ("2008-08-08T09:00,1001A,O3,40,ppb", "line 2: time '2008-08-08T09:00' has no UTC offset"),
    ("08/08/2008 09:00,1001A,O3,40,ppb", "line 2: time '08/08/2008 09:00' is not an ISO 8601 time"),
    ("2008-08-08T09:30+08:00,1001A,O3,40,ppb", "line 2: time '2008-08-08T09:30+08:00' is not on the hour"),
    ("2008-08-08T09:00+08:00,1001A,O3,40,ug/l", "line 2: unknown unit 'ug/l'; choose one of ug/m3, mg/m3, ppb"),
    ("2008-08-08T09:00+08:00,1001A,PM2.5,40,ppb", "line 2: unit 'ppb' is a mole fraction; PM2.5 is a particle"),
    ("2008-08-08T09:00+08:00,1001A,NOx,40,ppb", "line 2: unknown pollutant 'NOx'; choose one of PM2.5, PM10"),
    ("2008-08-08T09:00+08:00,1001A,O3,4O,ppb", "line 2: value '4O' is not a number"),
    ("2008-08-08T09:00+08:00,1001A,O3,inf,ppb", "line 2: value 'inf' is not a finite number"),
    ("2008-08-08T09:00+08:00,1001A,O3,40", "line 2: expected 5 columns"),
])
def test_long_format_errors_name_file_line_and_value(tmp_path, line, message):
    path = write(tmp_path, "bad.csv", "time,station,pollutant,value,unit\n" + line + "\n")
    with pytest.raises(InputError) as info:
        read_long(path, STATIONS)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_long_format_error_reports_the_right_line(tmp_path):
    lines = ["time,station,pollutant,value,unit"] + [f"2008-08-08T{h:02d}:00+08:00,1001A,O3,40,ppb" for h in range(5)]
    lines.insert(4, "2008-08-08T07:00+08:00,1001A,O3,40,ppm3")
    path = write(tmp_path, "bad.csv", "\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"bad.csv, line 5: unknown unit 'ppm3'"):
        read_long(path, STATIONS)


CNEMC = """date,hour,type,1001A,1002A,1003A
20080808,0,PM2.5,45,50,
20080808,0,PM2.5_24h,40,41,42
20080808,0,AQI,60,61,62
20080808,0,O3,120,110,-99
20080808,0,CO,1.2,1.0,0.9
20080808,0,O3_8h,100,100,100
20080808,13,NO2,30,,35
"""


def test_cnemc_daily_file(tmp_path):
    obs = read_cnemc(write(tmp_path, "china_sites_20080808.csv", CNEMC), STATIONS)
    got = {(s, p, str(t)): v for s, p, t, v in zip(obs.station, obs.pollutant, obs.time_end, obs.value)}
    # hour 0 of 8 August (local) is the hour ending at local midnight: 16:00 UTC on 7 August
    assert got == {
        ("1001A", "PM25", "2008-08-07T16:00:00"): 45.0,
        ("1001A", "O3", "2008-08-07T16:00:00"): 120.0,
        ("1001A", "CO", "2008-08-07T16:00:00"): 1.2,  # mg m-3, as the file
        ("1003A", "CO", "2008-08-07T16:00:00"): 0.9,
        ("1001A", "NO2", "2008-08-08T05:00:00"): 30.0,
        ("1003A", "NO2", "2008-08-08T05:00:00"): 35.0,
    }
    (c,) = obs.counts
    assert (c.kept, c.missing, c.flagged) == (6, 1, 1)
    assert c.ignored_rows == 3  # PM2.5_24h, AQI, O3_8h
    assert c.other_stations == 3  # 1002A is not in the list: its 3 non-empty hourly values are not read


@pytest.mark.parametrize("row, message", [
    ("20080832,1,O3,1,2,3", "line 2: date '20080832' is not a date written YYYYMMDD"),
    ("2008-08-08,1,O3,1,2,3", "line 2: date '2008-08-08' is not a date written YYYYMMDD"),
    ("20080808,24,O3,1,2,3", "line 2: hour '24' is not a whole hour 0-23"),
    ("20080808,1,O3x,1,2,3", "line 2: unknown type 'O3x'; hourly types are PM2.5, PM10"),
    ("20080808,1,O3,1,2,abc", "line 2, station 1003A: value 'abc' is not a number"),
    ("20080808,1,O3,1,2,-inf", "line 2, station 1003A: value '-inf' is not a finite number"),
    ("20080808,1,O3,1,2", "line 2: expected 6 columns as in the header, found 5"),
])
def test_cnemc_errors(tmp_path, row, message):
    path = write(tmp_path, "china_sites_20080808.csv", "date,hour,type,1001A,1002A,1003A\n" + row + "\n")
    with pytest.raises(InputError) as info:
        read_cnemc(path, STATIONS)
    assert str(path) in str(info.value) and message in str(info.value)


def test_cnemc_header_errors(tmp_path):
    path = write(tmp_path, "a.csv", "date,hour,type,2001A,2002A\n20080808,1,O3,1,2\n")
    with pytest.raises(InputError, match=r"a.csv, line 1: none of the stations of the station list"):
        read_cnemc(path, STATIONS)
    path = write(tmp_path, "b.csv", "date,hour,type,1001A,1001A\n")
    with pytest.raises(InputError, match=r"b.csv, line 1, column 5: station code '1001A' appears twice"):
        read_cnemc(path, STATIONS)


def test_format_detection_and_unknown_format(tmp_path):
    assert detect_format(write(tmp_path, "l.csv", LONG)) == "long"
    assert detect_format(write(tmp_path, "c.csv", CNEMC)) == "cnemc"
    path = write(tmp_path, "x.csv", "when,where,what\n1,2,3\n")
    with pytest.raises(InputError, match=r"x.csv, line 1: not a known observation format"):
        detect_format(path)
    with pytest.raises(InputError, match="observation file not found"):
        detect_format(tmp_path / "missing.csv")


def test_merging_files_and_duplicates(tmp_path):
    long = write(tmp_path, "l.csv", "time,station,pollutant,value,unit\n2008-08-08T00:00+08:00,1001A,O3,50,ug/m3\n")
    wide = write(tmp_path, "c.csv", CNEMC)
    with pytest.raises(InputError) as info:
        read_observations([wide, long], STATIONS)
    text = str(info.value)
    assert "l.csv, line 2" in text and "given twice" in text and "c.csv, line 5, station 1001A" in text
    other = write(tmp_path, "l2.csv", "time,station,pollutant,value,unit\n2008-08-08T01:00+08:00,1001A,O3,50,ug/m3\n")
    obs = read_observations([wide, other], STATIONS)
    assert len(obs) == 7 and list(np.unique(obs.source)) == [0, 1]
    assert [c.format for c in obs.counts] == ["cnemc", "long"]
