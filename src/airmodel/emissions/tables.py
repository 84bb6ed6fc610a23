"""CSV tables in the public formats users supply, read with errors that name the file, line and column.

A table is plain CSV (UTF-8, comma-separated, a header line). Lines that start with ``#`` are comments and blank
lines are skipped; line numbers in messages count every line of the file from 1. A header may carry its unit in
brackets, ``SO2[t/yr]``; a column is found by the name before the bracket.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..files import read_text
from .quantities import split_header

#: The largest amount one row of an inventory may hold, in kg per year: 1e11 t/yr, more than the world's fossil CO2
#: emissions (about 3.7e10 t/yr in 2021; Friedlingstein et al. 2022, Earth Syst. Sci. Data 14, 4811, the Global
#: Carbon Budget). A larger amount is a unit slip, and the amount times its unit factor must stay finite.
MAX_KG_PER_YEAR = 1e14


@dataclass
class Table:
    path: Path
    headers: list[str]  # as written
    rows: list[tuple[int, list[str]]]  # (line number, fields)

    @property
    def names(self) -> list[str]:
        return [split_header(h)[0] for h in self.headers]

    def column(self, name: str) -> int | None:
        """Index of the column called ``name`` (before any unit bracket), or None."""
        for i, n in enumerate(self.names):
            if n == name:
                return i
        return None

    def unit(self, index: int) -> str | None:
        return split_header(self.headers[index])[1]

    def require(self, *names: str, what: str = "") -> dict[str, int]:
        missing = [n for n in names if self.column(n) is None]
        if missing:
            raise InputError(f"{self.path}: missing column{'s' if len(missing) > 1 else ''} "
                             f"{', '.join(repr(m) for m in missing)}{what}; the header has: "
                             f"{', '.join(self.headers)}")
        return {n: self.column(n) for n in names}

    def where(self, line: int, index: int) -> str:
        return f"{self.path} line {line}, column {self.headers[index]!r}"

    def text(self, line: int, fields: list[str], index: int, required: bool = True) -> str:
        value = fields[index].strip()
        if required and not value:
            raise InputError(f"{self.where(line, index)}: empty; a value is required")
        return value

    def number(self, line: int, fields: list[str], index: int, minimum: float | None = None,
               exclusive: bool = False, default: float | None = None, maximum: float | None = None,
               unit: str = "") -> float:
        """A finite number in a cell, from ``minimum`` to ``maximum`` (``unit`` names their unit in messages);
        ``default`` (if not None) for an empty cell."""
        raw = fields[index].strip()
        if not raw:
            if default is not None:
                return default
            raise InputError(f"{self.where(line, index)}: empty; a number is required")
        try:
            value = float(raw)
        except ValueError:
            raise InputError(f"{self.where(line, index)}: {raw!r} is not a number") from None
        if not math.isfinite(value):
            raise InputError(f"{self.where(line, index)}: {raw!r} is not a finite number")
        if minimum is not None and (value < minimum or (exclusive and value == minimum)):
            what = "negative" if minimum == 0 and value < 0 else "out of range"
            bound = "greater than" if exclusive else "at least"
            raise InputError(f"{self.where(line, index)}: {raw} is {what}; it must be {bound} {minimum:g}")
        if maximum is not None and value > maximum:
            raise InputError(f"{self.where(line, index)}: {raw} is out of the physical range; it must be at most "
                             f"{maximum:g}{' ' + unit if unit else ''}")
        return value

    def amount(self, line: int, fields: list[str], index: int, factor: float, what: str = "kg per year",
               maximum: float = MAX_KG_PER_YEAR) -> float:
        """A non-negative amount (empty: 0) times its unit ``factor``, checked after the conversion: finite and
        at most ``maximum`` (in the converted unit, ``what``)."""
        value = self.number(line, fields, index, minimum=0.0, default=0.0) * factor
        if not (math.isfinite(value) and value <= maximum):
            raise InputError(f"{self.where(line, index)}: {fields[index].strip()} is {value:.3g} {what}, out of the "
                             f"physical range 0..{maximum:.3g} {what}")
        return value

    def source_id(self, line: int, fields: list[str], index: int, known_ids: dict[str, str]) -> str:
        """The id in this row, checked against ``known_ids`` (ids already read, from any file) and added to it."""
        sid = self.text(line, fields, index)
        if sid in known_ids:
            raise InputError(f"{self.where(line, index)}: duplicate id {sid!r} (also in {known_ids[sid]})")
        known_ids[sid] = f"{self.path} line {line}"
        return sid

    def unique(self, index: int) -> dict[str, int]:
        """The values of a column, checked to be non-empty and unique: value -> line."""
        seen: dict[str, int] = {}
        for line, fields in self.rows:
            value = self.text(line, fields, index)
            if value in seen:
                raise InputError(f"{self.where(line, index)}: duplicate {self.names[index]} {value!r} "
                                 f"(first on line {seen[value]})")
            seen[value] = line
        return seen


def read_table(path) -> Table:
    path = Path(path)
    lines = read_text(path, "file").splitlines()
    content = [(n + 1, line) for n, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    if not content:
        raise InputError(f"{path}: no header line; the file is empty")
    parsed = list(csv.reader([line for _, line in content]))
    header_line, headers = content[0][0], [h.strip() for h in parsed[0]]
    dup = {h for h in headers if headers.count(h) > 1}
    if dup:
        raise InputError(f"{path} line {header_line}: the header repeats column {sorted(dup)[0]!r}")
    if any(not h for h in headers):
        raise InputError(f"{path} line {header_line}: the header has an empty column name")
    rows = []
    for (line, _), fields in zip(content[1:], parsed[1:]):
        if len(fields) != len(headers):
            raise InputError(f"{path} line {line}: {len(fields)} fields, but the header (line {header_line}) "
                             f"has {len(headers)}")
        rows.append((line, fields))
    return Table(path, headers, rows)
