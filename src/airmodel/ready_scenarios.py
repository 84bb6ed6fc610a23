"""``airmodel scenarios``: list the ready scenarios that ship with airmodel, or copy one out to edit it.

Every command that takes a scenario file also takes a ready scenario's name (``airmodel run demo -o demo.nc``,
``airmodel box urban_voc_limited -o box.csv``); this command says which names exist and what each one is.

A copy is one file. Its references to other packaged files (``extends``, ``include_controls`` and an ensemble's
``base``, relative to the packaged file) are rewritten to the absolute paths of those files in the installed
package, so the copy works from anywhere and follows the package's version of what it extends; copy those files
too (and edit the paths) to change them as well.
"""
from __future__ import annotations

import json
import logging
import re
import tomllib
from pathlib import Path

from .version import __version__
from .data import packaged_scenario, scenario_names, scenarios_dir
from .errors import InputError
from .files import atomic_file, read_text, read_toml_text

COMMAND = "scenarios"
log = logging.getLogger("airmodel")

#: The kinds of packaged files, by subfolder: (heading, how to use one). Top-level files are scenarios.
KINDS = (
    ("", "Scenarios", "airmodel run NAME -o out.nc"),
    ("idealized", "Validation cases (idealized)", "airmodel run NAME -o out.nc"),
    ("box", "Box-model cases", "airmodel box NAME -o out.csv"),
    ("ensembles", "Ensembles", "airmodel ensemble NAME -o FOLDER"),
    ("controls", "Control measures", "include_controls = [\"PATH\"] in a scenario"),
)
#: Top-level keys that name other files relative to the file itself.
PATH_KEYS = ("extends", "base")
LIST_KEYS = ("include_controls",)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        COMMAND, help="list the ready scenarios, or copy one out to edit it",
        description="Without arguments: list the scenarios that ship with airmodel (run one by name: airmodel run "
                    "demo -o demo.nc). 'copy NAME DEST.toml' writes a copy to edit; its extends, include_controls "
                    "and ensemble base are rewritten to the absolute paths of the packaged files they name, so the "
                    "copy works from any folder (copy those files too to edit them).")
    actions = p.add_subparsers(dest="scenarios_action", metavar="ACTION")
    actions.add_parser("list", help="list the ready scenarios with their descriptions (the default)")
    c = actions.add_parser("copy", help="copy a ready scenario to a file of your own",
                           description="Copy a ready scenario to DEST. References to other packaged files (extends, "
                                       "include_controls, an ensemble's base) become absolute paths into the "
                                       "installed package.")
    c.add_argument("name", help="a ready scenario's name (see airmodel scenarios)")
    c.add_argument("dest", help="the TOML file to write")
    c.add_argument("--force", action="store_true", help="overwrite an existing DEST")


def command(args) -> int:
    if getattr(args, "scenarios_action", None) == "copy":
        path = copy_scenario(args.name, args.dest, force=args.force)
        log.info("wrote %s", path)
        return 0
    print(listing(), end="")
    return 0


def description(path: Path) -> str:
    """The ``description`` line of a packaged file ('' if it has none)."""
    text = read_toml_text(path, "scenario file").get("description", "")
    return text if isinstance(text, str) else ""


def listing() -> str:
    """The ready scenarios by kind, each name with its description."""
    names = scenario_names()
    width = max(len(n) for n in names)
    folder = {n: n.rsplit("/", 1)[0] if "/" in n else "" for n in names}
    known = {kind[0] for kind in KINDS}
    groups = [(heading, usage, [n for n in names if folder[n] == f]) for f, heading, usage in KINDS]
    groups.append(("Other files", "", [n for n in names if folder[n] not in known]))
    lines = []
    for heading, usage, group in groups:
        if group:
            lines.append(f"{heading} ({usage}):" if usage else f"{heading}:")
            lines += [f"  {n:<{width}}  {description(scenarios_dir() / f'{n}.toml')}" for n in group]
            lines.append("")
    lines.append("A name works wherever a scenario file does; 'airmodel scenarios copy NAME my.toml' copies one "
                 "to edit.")
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    # a JSON string is a valid TOML basic string (the same escapes: \" \\ \uXXXX)
    return json.dumps(text, ensure_ascii=False)


def absolute_references(text: str, source: Path) -> str:
    """``text`` (the TOML of the packaged file ``source``) with its top-level relative file references made
    absolute. Only the top-level keys before the first [table] are touched; the result is checked by reading it."""
    data = read_toml_text(source, "scenario file")
    header = re.search(r"^\s*\[", text, flags=re.MULTILINE)
    top, rest = (text[:header.start()], text[header.start():]) if header else (text, "")
    expected = {}
    for key in PATH_KEYS + LIST_KEYS:
        value = data.get(key)
        values = value if isinstance(value, list) else [value]
        if value is None or not all(isinstance(v, str) for v in values):
            continue
        absolute = [v if Path(v).is_absolute() else str((source.parent / v).resolve()) for v in values]
        expected[key] = absolute if isinstance(value, list) else absolute[0]
        match = re.search(rf"^{key}\s*=\s*(\[.*?\]|\"[^\"\n]*\"|'[^'\n]*')", top, flags=re.MULTILINE | re.DOTALL)
        if match is None:
            raise InputError(f"{source}: cannot find the line of {key!r} to rewrite its paths")
        new = (f"[{', '.join(_toml_string(v) for v in absolute)}]" if isinstance(value, list)
               else _toml_string(absolute[0]))
        top = top[:match.start(1)] + new + top[match.end(1):]
    out = top + rest
    got = tomllib.loads(out)  # checked, so that a copy never silently loses a reference
    if any(got.get(k) != v for k, v in expected.items()) or len(got) != len(data):
        raise InputError(f"{source}: rewriting its file references failed; copy it by hand")
    return out


def copy_scenario(name: str, dest, force: bool = False) -> Path:
    """Copy the ready scenario ``name`` to ``dest`` (refused if it exists, unless ``force``); returns ``dest``."""
    source = packaged_scenario(name)
    if source is None:
        raise InputError(f"{name}: no ready scenario has that name; ready scenarios: {', '.join(scenario_names())}")
    dest = Path(dest)
    text = absolute_references(read_text(source, "scenario file"), source)
    banner = (f"# Copied from the ready scenario '{source.relative_to(scenarios_dir()).with_suffix('').as_posix()}'"
              f" of airmodel {__version__} (airmodel scenarios copy); paths of other files are absolute.\n")
    with atomic_file(dest, force, "scenario file") as tmp:
        tmp.write_text(banner + text, encoding="utf-8")
    return dest
