"""Readers of monitoring data: a documented long CSV format and the national network's (CNEMC) daily station
files.

Both give hourly means. A time in these readers is the END of the hourly mean, as the national network labels its
data ("the data for 4 pm represent the average value from 3 pm to 4 pm", CNEMC's real-time publishing notes of
2010) and as airmodel labels its own hourly means (CF ``time`` with ``time_bnds`` holding [start, end]). Data
labelled by the start of the hour are read with ``time_label="start"``.

Long format (one value a line; UTF-8; the header names the columns, in any order)::

    time,station,pollutant,value,unit[,flag]
    2008-08-08T09:00+08:00,1003A,PM2.5,61,ug/m3
    2008-08-08T01:00Z,1003A,O3,42.5,ppb,

- ``time``: ISO 8601 with an explicit UTC offset (``+08:00`` for Beijing local time, ``Z`` for UTC); a time
  without an offset is an error, never guessed. Hourly values: minutes and seconds must be zero.
- ``station``: a code of the station list (an unknown code is an error).
- ``pollutant``: PM2.5 (or PM25), PM10, O3, NO2, SO2, CO.
- ``value``: a number; empty, NA, NaN, null or ``-`` is a missing value; a negative number is taken as a flagged
  value (the networks' missing-value codes, -99 and -999, and instrument readings below zero).
- ``unit``: ug/m3 (ug m-3, µg/m³), mg/m3 (mg m-3), and for the gases also ppb, ppm or ppt. Mole fractions are
  converted to mass concentrations at the GB 3095-2012 standard state (273.15 K, 101.325 kPa), see
  ``airmodel.analysis.standards``.
- ``flag`` (optional): empty for a valid value; any text marks the value as flagged (invalid).

CNEMC daily station files (``china_sites_YYYYMMDD.csv`` in the public archives)::

    date,hour,type,1001A,1002A,...
    20080808,0,PM2.5,45,52,...

- ``date`` YYYYMMDD and ``hour`` 0-23 in local time (China Standard Time, UTC+8); the value at hour H is the mean
  of the hour ending at H, so hour 0 of a date is the last hour of the day before.
- ``type``: the hourly types read are PM2.5, PM10, SO2, NO2, O3 and CO, in ug m-3 (CO in mg m-3). The rolling
  types (PM2.5_24h, PM10_24h, SO2_24h, NO2_24h, O3_24h, O3_8h, O3_8h_24h, CO_24h) and AQI are ignored and counted:
  the evaluation forms its own daily values from the hourly ones by local day, by the rules of HJ 663-2013.
- station columns: the national files carry every station in China; columns whose code is not in the station list
  are skipped (counted), but a file with none of the listed stations is an error. Empty cells are missing values;
  negative values are flagged.

Missing and flagged values are dropped and counted per file (``ObservationCounts``).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..files import read_text
from .daily import LOCAL_UTC_OFFSET_HOURS
from .standards import BREAKPOINTS, STANDARD_UNITS, to_standard_units

LOCAL_UTC_OFFSET = timedelta(hours=LOCAL_UTC_OFFSET_HOURS)  # China Standard Time, UTC+8

#: Pollutants the readers take, by the names the files use, mapped to airmodel's variable names.
POLLUTANT_NAMES = {"PM2.5": "PM25", "PM25": "PM25", "PM10": "PM10", "O3": "O3", "NO2": "NO2", "SO2": "SO2",
                   "CO": "CO"}
OBSERVED_POLLUTANTS = ("PM25", "PM10", "O3", "NO2", "SO2", "CO")

LONG_COLUMNS = ("time", "station", "pollutant", "value", "unit")
LONG_OPTIONAL_COLUMNS = ("flag",)
#: Unit spellings of the long format, mapped to the spellings of ``standards.to_standard_units``.
UNIT_NAMES = {"ug/m3": "ug m-3", "ug m-3": "ug m-3", "mg/m3": "mg m-3", "mg m-3": "mg m-3",
              "ppb": "ppb", "ppm": "ppm", "ppt": "ppt"}
MISSING_TOKENS = frozenset({"", "na", "nan", "null", "none", "-"})

CNEMC_KEY_COLUMNS = ("date", "hour", "type")
CNEMC_HOURLY_TYPES = {"PM2.5": "PM25", "PM10": "PM10", "SO2": "SO2", "NO2": "NO2", "O3": "O3", "CO": "CO"}
CNEMC_IGNORED_TYPES = ("AQI", "PM2.5_24h", "PM10_24h", "SO2_24h", "NO2_24h", "O3_24h", "O3_8h", "O3_8h_24h",
                       "CO_24h")
CNEMC_UNITS = {"PM25": "ug m-3", "PM10": "ug m-3", "SO2": "ug m-3", "NO2": "ug m-3", "O3": "ug m-3",
               "CO": "mg m-3"}

FORMATS = ("auto", "long", "cnemc")

#: The largest observation accepted per pollutant, in STANDARD_UNITS: 100 times the top breakpoint (IAQI 500) of
#: the HJ 633-2012 air quality index (PM2.5 500 ug m-3, CO 150 mg m-3, ...), far above any hourly value measured
#: (PM2.5 about 1000 ug m-3 in Beijing's worst hours); above it a value is a unit slip or corrupt.
MAX_OBSERVED = {p: 100.0 * max(float(np.nanmax(bp)) for (q, _), bp in BREAKPOINTS.items() if q == p)
                for p in {q for q, _ in BREAKPOINTS}}
TIME_LABELS = ("end", "start")


@dataclass
class ObservationCounts:
    """What one file gave: values kept, and values dropped by reason."""
    file: str
    format: str
    kept: int = 0
    missing: int = 0
    flagged: int = 0
    other_stations: int = 0  # CNEMC: values in columns of stations not in the list (not read)
    ignored_rows: int = 0  # CNEMC: rows of rolling types and AQI
    # Filled in by the evaluation: of the kept values, those used, and those not used because they fall outside
    # the run's hours, in its spin-up, or are of a pollutant that the run does not hold.
    used: int = 0
    outside_run: int = 0
    spin_up: int = 0
    not_in_run: int = 0
    flags: dict = field(default_factory=dict)  # long format: count by flag text


@dataclass
class Observations:
    """Hourly observations in the standard's units (STANDARD_UNITS: ug m-3, CO mg m-3), one entry a value.

    ``time_end`` is the end of the hourly mean in UTC (datetime64[s]); ``origin`` names the file and line of each
    value, for messages; ``source`` is the index in ``counts`` of the file each value came from."""
    time_end: np.ndarray
    station: np.ndarray
    pollutant: np.ndarray
    value: np.ndarray
    origin: list
    source: np.ndarray
    counts: list

    def __len__(self) -> int:
        return int(self.value.size)


def _normalize_unit(text: str) -> str:
    u = text.strip().replace("µ", "u").replace("μ", "u").replace("³", "3").replace("^3", "3").lower()
    return re.sub(r"\s+", " ", u)


def _parse_value(text: str, where: str) -> tuple[float | None, str]:
    """(value, status) with status 'ok', 'missing' or 'flagged'."""
    t = text.strip()
    if t.lower() in MISSING_TOKENS:
        return None, "missing"
    try:
        v = float(t)
    except ValueError:
        raise InputError(f"{where}: value {text!r} is not a number (write a number, or leave it empty or NA "
                         "for a missing value)") from None
    if not np.isfinite(v):
        raise InputError(f"{where}: value {text!r} is not a finite number (leave it empty or NA for a "
                         "missing value)")
    if v < 0.0:
        return None, "flagged"
    return v, "ok"


def _parse_long_time(text: str, where: str, time_label: str) -> np.datetime64:
    t = text.strip()
    try:
        moment = datetime.fromisoformat(t)
    except ValueError:
        raise InputError(f"{where}: time {text!r} is not an ISO 8601 time such as 2008-08-08T09:00+08:00") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError(f"{where}: time {text!r} has no UTC offset; write +08:00 for Beijing local time or Z for "
                         "UTC, e.g. 2008-08-08T09:00+08:00")
    if moment.minute or moment.second or moment.microsecond:
        raise InputError(f"{where}: time {text!r} is not on the hour; hourly means are labelled by a whole hour")
    utc = moment.astimezone(timezone.utc).replace(tzinfo=None)
    if time_label == "start":
        utc += timedelta(hours=1)
    return np.datetime64(utc, "s")


def _read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(read_text(path, "observation file").splitlines()))


def detect_format(path: str | Path) -> str:
    """'long' or 'cnemc' from the header line."""
    path = Path(path)
    rows = _read_rows(path)
    return _detect(path, rows)


def _detect(path: Path, rows: list[list[str]]) -> str:
    if not rows:
        raise InputError(f"{path}: the observation file is empty")
    header = [c.strip().lower() for c in rows[0]]
    if header[:3] == list(CNEMC_KEY_COLUMNS):
        return "cnemc"
    if set(LONG_COLUMNS) <= set(header):
        return "long"
    raise InputError(f"{path}, line 1: not a known observation format; the header must be "
                     f"{','.join(LONG_COLUMNS)}[,flag] (long format) or date,hour,type,<station codes> "
                     f"(CNEMC daily station file); found {','.join(rows[0])!r}")


class _Collector:
    """Accumulates values of one file; converts units by (pollutant, unit) group at the end."""

    def __init__(self, path: Path, fmt: str):
        self.counts = ObservationCounts(str(path), fmt)
        self.times: list = []
        self.stations: list = []
        self.pollutants: list = []
        self.values: list = []
        self.units: list = []
        self.origin: list = []

    def add(self, time_end, station, pollutant, value, unit, origin):
        self.times.append(time_end)
        self.stations.append(station)
        self.pollutants.append(pollutant)
        self.values.append(value)
        self.units.append(unit)
        self.origin.append(origin)
        self.counts.kept += 1

    def result(self) -> Observations:
        values = np.array(self.values, dtype=np.float64)
        pollutants = np.array(self.pollutants, dtype=object)
        units = np.array(self.units, dtype=object)
        converted = np.empty_like(values)
        for key in set(zip(self.pollutants, self.units)):
            sel = (pollutants == key[0]) & (units == key[1])
            first = int(np.flatnonzero(sel)[0])
            converted[sel] = to_standard_units(key[0], values[sel], key[1], where=self.origin[first])
            above = np.flatnonzero(sel & ~(converted <= MAX_OBSERVED[key[0]]))
            if above.size:
                k = int(above[0])
                raise InputError(f"{self.origin[k]}: value {float(values[k]):g} {key[1]} of {key[0]} is "
                                 f"{converted[k]:.3g} {STANDARD_UNITS[key[0]]}, outside the physical range "
                                 f"0..{MAX_OBSERVED[key[0]]:g} {STANDARD_UNITS[key[0]]} (100 times the top of the "
                                 "HJ 633-2012 air quality index scale): a unit slip or a corrupt value")
        return Observations(np.array(self.times, dtype="datetime64[s]"), np.array(self.stations, dtype=object),
                            pollutants, converted, list(self.origin), np.zeros(values.size, dtype=np.int64),
                            [self.counts])


def read_long(path: str | Path, stations, time_label: str = "end") -> Observations:
    """Read a long-format observation file (see the module notes); ``stations`` is the station list."""
    path = Path(path)
    rows = _read_rows(path)
    if _detect(path, rows) != "long":
        raise InputError(f"{path}, line 1: expected the long format header {','.join(LONG_COLUMNS)}[,flag]")
    header = [c.strip().lower() for c in rows[0]]
    unknown = [c for c in header if c not in LONG_COLUMNS + LONG_OPTIONAL_COLUMNS]
    if unknown or len(set(header)) != len(header):
        raise InputError(f"{path}, line 1: columns must be {','.join(LONG_COLUMNS)} and optionally flag, each once; "
                         f"found {','.join(rows[0])!r}")
    col = {name: header.index(name) for name in header}
    codes = {s.code for s in stations}
    out = _Collector(path, "long")
    for line, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        where = f"{path}, line {line}"
        if len(row) != len(header):
            raise InputError(f"{where}: expected {len(header)} columns ({','.join(header)}), found {len(row)}")
        station = row[col["station"]].strip()
        if station not in codes:
            raise InputError(f"{where}: unknown station {station!r}; the station list has "
                             f"{', '.join(sorted(codes))} (give another list with --stations)")
        name = row[col["pollutant"]].strip()
        pollutant = POLLUTANT_NAMES.get(name.upper())
        if pollutant is None:
            raise InputError(f"{where}: unknown pollutant {name!r}; choose one of PM2.5, PM10, O3, NO2, SO2, CO")
        unit_text = row[col["unit"]]
        unit = UNIT_NAMES.get(_normalize_unit(unit_text))
        if unit is None:
            raise InputError(f"{where}: unknown unit {unit_text!r}; choose one of ug/m3, mg/m3, ppb, ppm, ppt "
                             "(also written ug m-3, µg/m³, mg m-3)")
        if unit in ("ppb", "ppm", "ppt") and pollutant in ("PM25", "PM10"):
            raise InputError(f"{where}: unit {unit_text!r} is a mole fraction; {name} is a particle mass "
                             "concentration (ug/m3)")
        time_end = _parse_long_time(row[col["time"]], where, time_label)
        value, status = _parse_value(row[col["value"]], where)
        flag = row[col["flag"]].strip() if "flag" in col else ""
        if status == "missing":
            out.counts.missing += 1
        elif status == "flagged" or flag:
            out.counts.flagged += 1
            if flag:
                out.counts.flags[flag] = out.counts.flags.get(flag, 0) + 1
        else:
            out.add(time_end, station, pollutant, value, unit, where)
    return out.result()


def read_cnemc(path: str | Path, stations, time_label: str = "end") -> Observations:
    """Read a CNEMC daily station file (see the module notes); ``stations`` is the station list."""
    path = Path(path)
    rows = _read_rows(path)
    if _detect(path, rows) != "cnemc":
        raise InputError(f"{path}, line 1: expected the CNEMC header date,hour,type,<station codes>")
    header = [c.strip() for c in rows[0]]
    wanted = {s.code for s in stations}
    columns: dict[str, int] = {}
    for n, code in enumerate(header[3:], start=3):
        if not code:
            raise InputError(f"{path}, line 1, column {n + 1}: empty station code")
        if code in columns or code.lower() in CNEMC_KEY_COLUMNS:
            raise InputError(f"{path}, line 1, column {n + 1}: station code {code!r} appears twice")
        columns[code] = n
    read = {code: n for code, n in columns.items() if code in wanted}
    if not read:
        raise InputError(f"{path}, line 1: none of the stations of the station list "
                         f"({', '.join(sorted(wanted))}) is a column of this file")
    out = _Collector(path, "cnemc")
    others = [n for code, n in columns.items() if code not in read]
    for line, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        where = f"{path}, line {line}"
        if len(row) != len(header):
            raise InputError(f"{where}: expected {len(header)} columns as in the header, found {len(row)}")
        date_text, hour_text, kind = row[0].strip(), row[1].strip(), row[2].strip()
        try:
            day = datetime.strptime(date_text, "%Y%m%d")
        except ValueError:
            raise InputError(f"{where}: date {date_text!r} is not a date written YYYYMMDD") from None
        if not re.fullmatch(r"\d{1,2}", hour_text) or not 0 <= int(hour_text) <= 23:
            raise InputError(f"{where}: hour {hour_text!r} is not a whole hour 0-23 (local time, UTC+8)")
        if kind in CNEMC_IGNORED_TYPES:
            out.counts.ignored_rows += 1
            continue
        pollutant = CNEMC_HOURLY_TYPES.get(kind)
        if pollutant is None:
            raise InputError(f"{where}: unknown type {kind!r}; hourly types are "
                             f"{', '.join(CNEMC_HOURLY_TYPES)} and the ignored rolling types are "
                             f"{', '.join(CNEMC_IGNORED_TYPES)}")
        local = day + timedelta(hours=int(hour_text))
        utc = local - LOCAL_UTC_OFFSET + (timedelta(hours=1) if time_label == "start" else timedelta(0))
        time_end = np.datetime64(utc, "s")
        out.counts.other_stations += sum(1 for n in others if row[n].strip().lower() not in MISSING_TOKENS)
        for code, n in read.items():
            value, status = _parse_value(row[n], f"{where}, station {code}")
            if status == "missing":
                out.counts.missing += 1
            elif status == "flagged":
                out.counts.flagged += 1
            else:
                out.add(time_end, code, pollutant, value, CNEMC_UNITS[pollutant], f"{where}, station {code}")
    return out.result()


def read_observations(paths, stations, fmt: str = "auto", time_label: str = "end") -> Observations:
    """Read and merge observation files; a value given twice (station, pollutant, hour) is an error."""
    if fmt not in FORMATS:
        raise InputError(f"unknown observation format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if time_label not in TIME_LABELS:
        raise InputError(f"unknown time label {time_label!r}; choose one of {', '.join(TIME_LABELS)}")
    parts = []
    for p in paths:
        path = Path(p)
        kind = detect_format(path) if fmt == "auto" else fmt
        parts.append(read_long(path, stations, time_label) if kind == "long"
                     else read_cnemc(path, stations, time_label))
    if not parts:
        raise InputError("no observation files given")
    merged = Observations(
        np.concatenate([o.time_end for o in parts]),
        np.concatenate([o.station for o in parts]),
        np.concatenate([o.pollutant for o in parts]),
        np.concatenate([o.value for o in parts]),
        [w for o in parts for w in o.origin],
        np.concatenate([o.source + n for n, o in enumerate(parts)]),
        [c for o in parts for c in o.counts],
    )
    seen: dict = {}
    for n, key in enumerate(zip(merged.station, merged.pollutant, merged.time_end.tolist())):
        if key in seen:
            raise InputError(f"{merged.origin[n]}: {key[1]} at station {key[0]} for the hour ending "
                             f"{key[2]:%Y-%m-%dT%H:%MZ} is given twice (also at {merged.origin[seen[key]]})")
        seen[key] = n
    return merged
