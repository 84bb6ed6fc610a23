"""Temporal and vertical profiles of emissions, read from CSV.

Temporal profiles (``profile,kind,index,weight``; kind ``month`` 1-12, ``weekday`` 1-7 with 1 = Monday, ``hour``
0-23 in local time) turn an annual amount into hourly amounts, in local time (China Standard Time, UTC+8, by
default):

    fraction of the annual amount in local hour h of day d of month m
        = S_m * W(d) / sum_{d' in m} W(d') * H(h) / sum_h' H(h'),
    S_m = M_m n_m / sum_m' M_m' n_m'   (M: month weight, a relative daily rate; n_m: days in month m),

so that the fractions of a calendar year add up to 1 exactly (to round-off) in any year, leap years included, and
each month keeps its share whatever weekdays it holds. A flat month profile gives every day the same amount. For
inventories given per month (MEIC style) the month's own amount replaces S_m.

Vertical profiles (``profile,bottom[m],top[m],fraction``) say which heights above ground an area sector releases
into; a layer receives the fraction of each slab that overlaps it. ``surface`` (everything into the lowest layer)
needs no row.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import numpy as np

from ..errors import InputError
from .tables import read_table

KINDS = {"month": 12, "weekday": 7, "hour": 24}
FIRST_INDEX = {"month": 1, "weekday": 1, "hour": 0}
SURFACE = "surface"


@dataclass
class TemporalProfile:
    name: str
    month: np.ndarray  # [12] relative daily rates
    weekday: np.ndarray  # [7] Monday..Sunday, relative
    hour: np.ndarray  # [24] local hours, relative
    _annual: dict = field(default_factory=dict, repr=False)
    _monthly: dict = field(default_factory=dict, repr=False)

    def hourly(self, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For the local calendar year: (fraction of the annual amount in each hour, fraction of its month's amount
        in each hour, the month number 1..12 of each hour)."""
        if year not in self._annual:
            days_in = np.array([calendar.monthrange(year, m)[1] for m in range(1, 13)], dtype=float)
            share = self.month * days_in / np.sum(self.month * days_in)
            hour = self.hour / self.hour.sum()
            annual, monthly, months = [], [], []
            for m in range(1, 13):
                n = int(days_in[m - 1])
                dows = np.array([calendar.weekday(year, m, d) for d in range(1, n + 1)])
                day = self.weekday[dows] / self.weekday[dows].sum()  # fraction of the month in each day
                of_month = (day[:, None] * hour[None, :]).ravel()
                monthly.append(of_month)
                annual.append(share[m - 1] * of_month)
                months.append(np.full(of_month.size, m, dtype=np.int8))
            self._annual[year] = np.concatenate(annual)
            self._monthly[year] = (np.concatenate(monthly), np.concatenate(months))
        return self._annual[year], self._monthly[year][0], self._monthly[year][1]


@dataclass(frozen=True)
class LocalClock:
    """UTC <-> local time: hour of the local year, for a fixed offset (hours east of UTC)."""

    offset_hours: float = 8.0

    def local(self, time_utc: datetime) -> datetime:
        if time_utc.tzinfo is None:
            time_utc = time_utc.replace(tzinfo=timezone.utc)
        return (time_utc.astimezone(timezone.utc) + timedelta(hours=self.offset_hours)).replace(tzinfo=None)

    def utc(self, local: datetime) -> datetime:
        return (local - timedelta(hours=self.offset_hours)).replace(tzinfo=timezone.utc)

    def position(self, time_utc: datetime) -> tuple[int, int, float]:
        """(local year, hour index in that year, fraction of that hour elapsed)."""
        t = self.local(time_utc)
        start = datetime(t.year, 1, 1)
        seconds = (t - start).total_seconds()
        h = int(seconds // 3600)
        return t.year, h, (seconds - 3600.0 * h) / 3600.0


def window_fractions(profile: TemporalProfile, clock: LocalClock, start: datetime, end: datetime,
                     month: int | None = None) -> float:
    """The fraction of the annual amount (or, with ``month``, of that month's amount) emitted in [start, end).

    Rates are constant within each local hour, so partial hours count in proportion."""
    if end <= start:
        return 0.0
    y0, h0, f0 = clock.position(start)
    y1, h1, f1 = clock.position(end)
    total = 0.0
    for year in range(y0, y1 + 1):
        annual, of_month, months = profile.hourly(year)
        values = annual if month is None else np.where(months == month, of_month, 0.0)
        a = h0 if year == y0 else 0
        b = h1 if year == y1 else values.size  # hour index of the end (exclusive, whole hours)
        part = float(np.sum(values[a:b]))
        if year == y0:
            part -= f0 * values[a]
        if year == y1 and b < values.size:
            part += f1 * values[b]
        total += part
    return total


def hour_fraction(profile: TemporalProfile, clock: LocalClock, time_utc: datetime,
                  month: int | None = None) -> float:
    """Fraction of the annual (or month's) amount emitted in the local hour that holds ``time_utc``."""
    year, h, _ = clock.position(time_utc)
    annual, of_month, months = profile.hourly(year)
    if month is None:
        return float(annual[h])
    return float(of_month[h]) if months[h] == month else 0.0


def read_temporal_profiles(path) -> dict[str, TemporalProfile]:
    table = read_table(path)
    cols = table.require("profile", "kind", "index", "weight")
    values: dict[str, dict[str, dict[int, float]]] = {}
    first_line: dict[tuple, int] = {}
    for line, f in table.rows:
        name = table.text(line, f, cols["profile"])
        kind = table.text(line, f, cols["kind"])
        if kind not in KINDS:
            raise InputError(f"{table.where(line, cols['kind'])}: unknown kind {kind!r}; choose one of: "
                             f"{', '.join(KINDS)}")
        index = table.number(line, f, cols["index"])
        lo = FIRST_INDEX[kind]
        if index != int(index) or not lo <= index < lo + KINDS[kind]:
            raise InputError(f"{table.where(line, cols['index'])}: {f[cols['index']]!r} is not a {kind} index "
                             f"({lo}..{lo + KINDS[kind] - 1})")
        weight = table.number(line, f, cols["weight"], minimum=0.0)
        key = (name, kind, int(index))
        if key in first_line:
            raise InputError(f"{table.where(line, cols['index'])}: {kind} {int(index)} of profile {name!r} is "
                             f"given twice (first on line {first_line[key]})")
        first_line[key] = line
        values.setdefault(name, {}).setdefault(kind, {})[int(index)] = weight
    profiles = {}
    for name, kinds in values.items():
        arrays = {}
        for kind, n in KINDS.items():
            got = kinds.get(kind, {})
            lo = FIRST_INDEX[kind]
            if got and len(got) != n:
                missing = [str(k) for k in range(lo, lo + n) if k not in got]
                raise InputError(f"{table.path}: profile {name!r} gives {len(got)} of the {n} {kind} weights; "
                                 f"missing {kind} {', '.join(missing)}")
            arr = np.array([got.get(k, 1.0) for k in range(lo, lo + n)], dtype=float)
            if arr.sum() <= 0.0:
                raise InputError(f"{table.path}: profile {name!r}: the {kind} weights are all zero")
            arrays[kind] = arr
        profiles[name] = TemporalProfile(name, arrays["month"], arrays["weekday"], arrays["hour"])
    return profiles


def flat_profile(name: str = "flat") -> TemporalProfile:
    return TemporalProfile(name, np.ones(12), np.ones(7), np.ones(24))


@dataclass(frozen=True)
class VerticalProfile:
    name: str
    slabs: tuple  # ((bottom, top, fraction), ...) in m above ground

    def layer_fractions(self, interfaces: np.ndarray) -> np.ndarray:
        """Fraction of the release in each layer; heights above the model top go into the top layer."""
        nz = interfaces.size - 1
        out = np.zeros(nz)
        top = interfaces[-1]
        for bottom, slab_top, fraction in self.slabs:
            b, t = min(bottom, top), min(slab_top, top)
            if t <= b:  # a level release, or a slab wholly above the top
                k = min(int(np.searchsorted(interfaces, b, side="right")) - 1, nz - 1)
                out[k] += fraction
                continue
            overlap = np.clip(np.minimum(interfaces[1:], t) - np.maximum(interfaces[:-1], b), 0.0, None)
            out += fraction * overlap / (t - b)
        return out


def read_vertical_profiles(path) -> dict[str, VerticalProfile]:
    table = read_table(path)
    cols = table.require("profile", "bottom", "top", "fraction")
    for name in ("bottom", "top"):
        unit = table.unit(cols[name])
        if unit not in (None, "m"):
            raise InputError(f"{table.path}: column {table.headers[cols[name]]!r}: unknown unit {unit!r}; use m")
    slabs: dict[str, list] = {}
    lines: dict[str, int] = {}
    for line, f in table.rows:
        name = table.text(line, f, cols["profile"])
        bottom = table.number(line, f, cols["bottom"], minimum=0.0)
        top = table.number(line, f, cols["top"], minimum=0.0)
        if top < bottom:
            raise InputError(f"{table.where(line, cols['top'])}: top {top:g} m is below bottom {bottom:g} m")
        fraction = table.number(line, f, cols["fraction"], minimum=0.0)
        slabs.setdefault(name, []).append((bottom, top, fraction))
        lines.setdefault(name, line)
    out = {SURFACE: VerticalProfile(SURFACE, ((0.0, 0.0, 1.0),))}
    for name, rows in slabs.items():
        total = sum(r[2] for r in rows)
        if abs(total - 1.0) > 1e-6:
            raise InputError(f"{table.path} line {lines[name]}: the fractions of vertical profile {name!r} add up "
                             f"to {total:g}, not 1")
        out[name] = VerticalProfile(name, tuple((b, t, fr / total) for b, t, fr in rows))
    return out
