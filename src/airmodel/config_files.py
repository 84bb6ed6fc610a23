"""Configuration files in TOML, as scenarios and box-model cases are written: ``extends`` and ``include_controls``,
``--set section.key=value`` overrides, and ISO 8601 times.

A foundation module (it imports only the errors and files modules), so that every command that reads such a file
shares one reading of it; what the keys mean is checked against the schemas (airmodel/schema.py) by the modules that
own them (airmodel/scenario.py, airmodel/chemistry/box.py).
"""
from __future__ import annotations

import copy
import tomllib
from datetime import date, datetime, timezone
from datetime import time as dtime
from pathlib import Path

from .errors import InputError
from .files import read_toml_text


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _include_controls(data: dict, path: Path) -> None:
    """Expand ``include_controls = ["file.toml", ...]`` (relative to the file that names them): the [[controls]]
    of those files, in order, then the file's own. A scenario's controls replace those of the one it extends."""
    includes = data.pop("include_controls", None)
    if includes is None:
        return
    if not isinstance(includes, list) or not all(isinstance(x, str) for x in includes):
        raise InputError(f"{path}: include_controls: expected a list of file names, got {includes!r}")
    controls = []
    for name in includes:
        target = path.parent / name
        if not target.is_file():
            raise InputError(f"{path}: include_controls: file {str(target)!r} not found")
        included = read_toml_text(target, "controls file")
        extra = set(included) - {"controls", "description"}
        if extra or not isinstance(included.get("controls", []), list):
            raise InputError(f"{target}: a controls file holds only [[controls]] tables (and a description); "
                             f"found {sorted(extra or ['controls'])[0]!r}")
        controls += included.get("controls", [])
    data["controls"] = controls + list(data.get("controls", []))


def read_toml(path: Path, chain: tuple = ()) -> dict:
    """Read a scenario file, following ``extends`` (relative to the file) and merging its keys over the base."""
    path = Path(path)
    if path.resolve() in chain:
        raise InputError(f"{path}: 'extends' makes a loop: {' -> '.join(str(p) for p in chain)}")
    data = read_toml_text(path, "scenario file")
    _include_controls(data, path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise InputError(f"{path}: extends: expected a file name, got {parent!r}")
    base = read_toml(path.parent / parent, chain + (path.resolve(),))
    return _merge(base, data)


def apply_overrides(data: dict, overrides: list[str]) -> dict:
    """Apply ``section.key=value`` overrides; the value is read as TOML (a bare word is taken as a string)."""
    data = copy.deepcopy(data)
    for item in overrides or []:
        if "=" not in item:
            raise InputError(f"--set {item!r}: expected section.key=value")
        dotted, raw = item.split("=", 1)
        parts = dotted.strip().split(".")
        if len(parts) < 2 or not all(parts):
            raise InputError(f"--set {item!r}: expected section.key=value, e.g. run.hours=4")
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        if isinstance(value, (datetime, date, dtime)):  # --set run.start=2008-08-01T00:00:00Z: times are text
            value = raw.strip()
        node = data
        for p in parts[:-1]:
            if isinstance(node, list):
                node = _list_item(node, p, item)
            else:
                node = node.setdefault(p, {})
            if not isinstance(node, (dict, list)):
                raise InputError(f"--set {item!r}: {p!r} is not a section")
        if isinstance(node, list):
            raise InputError(f"--set {item!r}: name a key inside a list item, e.g. emissions.point.0.rate=50")
        node[parts[-1]] = value
    return data


def _list_item(items: list, index: str, item: str):
    """An entry of a list of tables (e.g. emissions.point.0) addressed by its index in --set."""
    if not index.isdigit() or int(index) >= len(items):
        raise InputError(f"--set {item!r}: {index!r} is not an index of a list of {len(items)} entries "
                         f"(0..{len(items) - 1})")
    return items[int(index)]


def parse_time(text: str, where: str) -> datetime:
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: {text!r} is not an ISO 8601 time such as 2008-08-01T00:00:00Z") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc)
