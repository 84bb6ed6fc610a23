"""Schemas of configuration tables: which keys a table may hold, their types, defaults, choices and ranges.

Every configuration file of airmodel (scenarios, ensemble files, box-model cases) is checked with the same few
pieces: a :class:`Key` per key (made with :func:`key`), a schema (a dict of name -> Key) per table, and
:func:`fill_table`, which checks a table against its schema and fills in the defaults. Errors are
:class:`~airmodel.errors.InputError` naming the key, the bad value and what is valid.

A foundation module: it imports nothing of airmodel but the errors, so that every layer may use it.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

from .errors import InputError

#: The types of a key that takes any number (integers and floats; never true/false).
NUMBER = (int, float)


class _Required:
    """The default of a key that has none: the key must be given."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()

#: How types are named in messages and in the key reference.
TYPE_NAMES = {int: "integer", float: "number", str: "string", bool: "true/false", list: "list", dict: "table"}


@dataclass(frozen=True)
class Key:
    """One key of a table: its type(s), default (REQUIRED if none), valid choices, description and its physical
    range (lower and upper bound)."""

    types: tuple
    default: Any = REQUIRED
    choices: tuple | None = None
    doc: str = ""
    minimum: float | None = None
    exclusive_minimum: bool = False
    maximum: float | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def type_name(self) -> str:
        return type_name(self.types)

    def range_text(self, upper: bool = True) -> str:
        """The allowed range in words ("> 0", ">= 1", "0 .. 360", "<= 1"), or "" where any value of the type is
        allowed; without ``upper``, the lower bound only."""
        if not upper:
            return "" if self.minimum is None else f"{'>' if self.exclusive_minimum else '>='} {self.minimum:g}"
        if self.minimum is not None and self.maximum is not None and not self.exclusive_minimum:
            return f"{self.minimum:g} .. {self.maximum:g}"
        low = "" if self.minimum is None else f"{'>' if self.exclusive_minimum else '>='} {self.minimum:g}"
        high = "" if self.maximum is None else f"<= {self.maximum:g}"
        return ", ".join(t for t in (low, high) if t)


def key(types, default=REQUIRED, choices=None, doc: str = "", minimum: float | None = None,
        exclusive_minimum: bool = False, maximum: float | None = None) -> Key:
    """A :class:`Key`. ``types``: a type or a tuple of types (``NUMBER`` for any number); ``default``: the value
    taken when the key is left out (``REQUIRED``: it must be given; ``None``: optional and unset); ``choices``: the
    valid values; ``minimum`` (with ``exclusive_minimum``) and ``maximum``: the physical range of a number (its unit
    is in ``doc``, which messages quote)."""
    if not isinstance(types, tuple):
        types = (types,)
    if choices is not None:
        choices = tuple(choices)
    return Key(types, default, choices, doc, minimum, exclusive_minimum, maximum)


def type_name(types: tuple) -> str:
    """The name of a type or types for messages: "number", "string", "integer or table", ..."""
    if not isinstance(types, tuple):
        types = (types,)
    if set(types) == set(NUMBER):
        return "number"
    return " or ".join(TYPE_NAMES.get(t, t.__name__) for t in types)


def _is_number(value) -> bool:
    return isinstance(value, NUMBER) and not isinstance(value, bool)


def _non_finite(value, where: str):
    """The first NaN or infinity in ``value`` (a number, or numbers nested in lists and tables) as (where, value),
    or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return where, value
    if isinstance(value, dict):
        items = ((f"{where}.{name}", v) for name, v in value.items())
    elif isinstance(value, (list, tuple)):
        items = ((f"{where}[{n}]", v) for n, v in enumerate(value))
    else:
        return None
    for w, v in items:
        found = _non_finite(v, w)
        if found is not None:
            return found
    return None


def check_finite(value, where: str, what: str = "") -> None:
    """Raise InputError if ``value`` is, or holds (in lists and tables), a NaN or an infinity: TOML reads ``nan``
    and ``inf``, and they pass every range check (``nan > 0`` is false, ``inf > 0`` true), so they would reach the
    kernels. ``what``: what is valid, e.g. "> 0 (time step, s)"."""
    found = _non_finite(value, where)
    if found is not None:
        w, v = found
        raise InputError(f"{w}: {v!r} is not a finite number; expected a finite number{' ' + what if what else ''}")


def check_value(value, k: Key, where: str) -> None:
    """Raise InputError, naming ``where``, if ``value`` is not of the key's type, not one of its choices or below
    its minimum, or is or holds a NaN or an infinity. true/false is never taken for a number (Python's bool is an
    int)."""
    types = k.types
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if not ok:
        name = type_name(types)
        raise InputError(f"{where}: expected {'an' if name[0] in 'aeiou' else 'a'} {name}, got {value!r}")
    # A NaN or an infinity is named with the lower bound and the key's doc; the upper bound is named when exceeded.
    what = " ".join(t for t in (k.range_text(upper=False), f"({k.doc})" if k.doc else "") if t)
    check_finite(value, where, what)
    if k.choices is not None and value not in k.choices:
        raise InputError(f"{where}: unknown value {value!r}; choose one of: {', '.join(map(str, k.choices))}")
    if k.minimum is not None and _is_number(value):
        if value < k.minimum or (k.exclusive_minimum and value == k.minimum):
            bound = "greater than" if k.exclusive_minimum else "at least"
            raise InputError(f"{where}: {value!r} is out of range; it must be {bound} {k.minimum}")
    if k.maximum is not None and _is_number(value) and value > k.maximum:
        raise InputError(f"{where}: {value!r} is out of the physical range; it must be at most {k.maximum:g}"
                         + (f" ({k.doc})" if k.doc else ""))


def fill_table(table, schema: dict[str, Key], where: str) -> dict:
    """Check ``table`` against ``schema`` and return a new dict with every key of the schema, in the schema's order
    after the given ones: unknown keys, wrong types, unknown choices, values out of range and missing required keys
    raise InputError. A key whose default is None may be given as None (unset)."""
    if not isinstance(table, dict):
        raise InputError(f"{where}: expected a table, got {table!r}")
    out = {}
    for name, value in table.items():
        if name not in schema:
            raise InputError(f"{where}: unknown key {name!r}; valid keys: {', '.join(schema)}")
        if value is None and schema[name].default is None:  # an optional key left unset (e.g. from a dict)
            out[name] = None
            continue
        check_value(value, schema[name], f"{where}.{name}")
        out[name] = value
    for name, k in schema.items():
        if name not in out:
            if k.default is REQUIRED:
                raise InputError(f"{where}: missing key {name!r} ({k.doc or type_name(k.types)})")
            out[name] = copy.deepcopy(k.default)
    return out
