"""Point sources (stacks) from CSV.

One row a stack::

    id,name,sector,lon,lat,height[m],diameter[m],exit_velocity[m/s],exit_temperature[K],SO2[t/yr],NOx[t/yr],...

``id`` is unique; ``sector`` one of the sectors (quantities.SECTORS); ``lon``/``lat`` in degrees; the exit
temperature may be given in ``K`` or ``degC``; an optional ``profile`` column names the temporal profile (default:
the sector's). Each pollutant column carries its unit in brackets (an amount per time: ``t/yr``, ``kt/yr``, ``g/s``,
``kg/h``, ``t/d``; see quantities.amount_per_year_factor); an empty cell is zero. Columns that are neither the
fixed ones nor a pollutant are an error, so a typo never drops a pollutant.
"""
from __future__ import annotations

import numpy as np

from ..errors import InputError
from .components import N_POLLUTANTS, Component, Stack
from .quantities import POLLUTANTS, amount_per_year_factor, check_sector, pollutant_name
from .regions import Frame, province_of_point
from .tables import Table, read_table

#: Physical ranges of a stack: the tallest chimneys stand about 420 m (GRES-2, Ekibastuz), so 1000 m is a typo or a
#: unit slip; 100 m across the top, 200 m/s (flue gas leaves at 10-30 m/s; supersonic flow is not a stack) and
#: 2000 K (flares burn at 1000-1500 K) bound the rest.
MAX_HEIGHT = 1000.0
MAX_DIAMETER = 100.0
MAX_EXIT_VELOCITY = 200.0
MAX_EXIT_TEMPERATURE = 2000.0

FIXED = ("id", "name", "sector", "lon", "lat", "height", "diameter", "exit_velocity", "exit_temperature")
OPTIONAL = ("profile", "note")


def pollutant_columns(table: Table, fixed: tuple, year: int) -> dict[int, tuple[int, float]]:
    """{column: (pollutant index, factor to kg per year)} for every pollutant column; unknown columns fail."""
    out = {}
    seen: dict[str, str] = {}
    for index, header in enumerate(table.headers):
        name = table.names[index]
        if name in fixed:
            continue
        pollutant = pollutant_name(name)
        if pollutant is None:
            raise InputError(f"{table.path}: column {header!r} is neither one of {', '.join(fixed)} nor a "
                             f"pollutant ({', '.join(POLLUTANTS)})")
        if pollutant in seen:
            raise InputError(f"{table.path}: columns {seen[pollutant]!r} and {header!r} are both {pollutant}")
        seen[pollutant] = header
        unit = table.unit(index)
        if unit is None:
            raise InputError(f"{table.path}: column {header!r} has no unit; write it as {name}[t/yr]")
        out[index] = (POLLUTANTS.index(pollutant), amount_per_year_factor(unit, year, f"{table.path}: column "
                                                                                        f"{header!r}"))
    if not out:
        raise InputError(f"{table.path}: no pollutant columns; add e.g. SO2[t/yr]")
    return out


def amounts_of_row(table: Table, line: int, fields: list[str], columns: dict) -> np.ndarray:
    amounts = np.zeros(N_POLLUTANTS)
    for index, (p, factor) in columns.items():
        amounts[p] = table.amount(line, fields, index, factor)
    return amounts


def read_stacks(path, frame: Frame, year: int, known_ids: dict[str, str]) -> list[Component]:
    table = read_table(path)
    cols = table.require(*FIXED)
    for name in ("height", "diameter", "exit_velocity"):
        unit = table.unit(cols[name])
        expected = "m/s" if name == "exit_velocity" else "m"
        if unit not in (None, expected):
            raise InputError(f"{table.path}: column {table.headers[cols[name]]!r}: unknown unit {unit!r}; "
                             f"use {expected}")
    t_unit = table.unit(cols["exit_temperature"]) or "K"
    if t_unit not in ("K", "degC", "C"):
        raise InputError(f"{table.path}: column {table.headers[cols['exit_temperature']]!r}: unknown unit "
                         f"{t_unit!r}; use K or degC")
    profile_col = table.column("profile")
    pollutants = pollutant_columns(table, FIXED + OPTIONAL, year)
    table.unique(cols["id"])
    out = []
    for line, f in table.rows:
        sid = table.source_id(line, f, cols["id"], known_ids)
        sector = check_sector(table.text(line, f, cols["sector"]), table.where(line, cols["sector"]))
        lon = table.number(line, f, cols["lon"], minimum=-180.0)
        lat = table.number(line, f, cols["lat"], minimum=-90.0)
        if lon > 360.0 or lat > 90.0:
            bad = "lon" if lon > 360.0 else "lat"
            raise InputError(f"{table.where(line, cols[bad])}: {f[cols[bad]]} is not a {bad}itude in degrees")
        height = table.number(line, f, cols["height"], minimum=0.0, maximum=MAX_HEIGHT, unit="m")
        diameter = table.number(line, f, cols["diameter"], minimum=0.0, exclusive=True, maximum=MAX_DIAMETER,
                                unit="m")
        velocity = table.number(line, f, cols["exit_velocity"], minimum=0.0, maximum=MAX_EXIT_VELOCITY, unit="m/s")
        temperature = table.number(line, f, cols["exit_temperature"],
                                   maximum=MAX_EXIT_TEMPERATURE - (273.15 if t_unit != "K" else 0.0), unit=t_unit)
        if t_unit != "K":
            temperature += 273.15
        if temperature <= 0.0:
            raise InputError(f"{table.where(line, cols['exit_temperature'])}: {f[cols['exit_temperature']]} is "
                             f"below absolute zero")
        profile = table.text(line, f, profile_col, required=False) if profile_col is not None else ""
        i, j = frame.index(lon, lat)
        out.append(Component(
            kind="point", source_id=sid, sector=sector, profile=profile or sector, vertical="",
            amounts=amounts_of_row(table, line, f, pollutants), i=[int(i)], j=[int(j)], weight=[1.0],
            origin=f"{table.path} line {line}", province=province_of_point(lon, lat), lon=lon, lat=lat,
            stack=Stack(height, diameter, velocity, temperature),
            extra={"name": table.text(line, f, cols["name"], required=False)}))
    return out
