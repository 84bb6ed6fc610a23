"""Write the scenario key tables from the schemas: README.md's table of scenario sections and docs/scenario_keys.md.

    python tools/schema_docs.py           # rewrite both files
    python tools/schema_docs.py --check   # exit 1, naming the files, if either is out of date

Every key, type, default, choice and range comes from the schemas (``airmodel.scenario.SCHEMA`` and the tables it
is built from, the ensemble file's and the box model's); only the one-line summary of each section is written here.
tests/unit/test_schema_docs.py fails when a committed file differs from what this script writes.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from airmodel import ensemble, scenario
from airmodel.chemistry import box
from airmodel.emissions import settings as emission_settings
from airmodel.met import settings as met_settings
from airmodel.schema import REQUIRED, Key

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
REFERENCE = ROOT / "docs" / "scenario_keys.md"
START, END = "<!-- keys:start -->", "<!-- keys:end -->"
COMMAND = "python tools/schema_docs.py"

#: What each scenario section is for (the keys themselves come from the schema).
SUMMARIES = {
    "[run]": "the run's title, start (UTC) and length: one of `end`, `hours` or `steps`",
    "[domain]": "the grid: lon-lat (default greater Beijing, 0.1°) or projected (m); the layers by their interfaces "
                "or a uniform thickness",
    "[meteorology]": "where the weather comes from; each source reads its own keys",
    "[transport]": "the advection scheme, the largest Courant number and a switch for each transport process",
    "[chemistry]": "the mechanism and its Rosenbrock solver; fallbacks where the meteorology has no field",
    "[boundary]": "lateral and top boundary values",
    "[output]": "what is written: hourly means, snapshots, levels, daily fields, station series, checkpoints",
    "[parent]": "optional: a parent domain around `[domain]` (one-way nesting, docs/nesting.md); `[boundary]` "
                "is then the parent's boundary, and `[domain]`'s comes from the parent",
    "[species.NAME]": "one table per species; with a mechanism its species are transported and a table sets their "
                      "initial and inflow values, other tables add passive tracers",
    "[emissions]": "a built-in inventory or your own files in the public formats, with profiles, speciation and "
                   "plume rise",
    "[[emissions.point]]": "single idealized sources of a scenario species",
    "[[controls]]": "control measures (what, where, how much, when), applied to the inventory before gridding in "
                    "the documented order (airmodel/emissions/controls.py); at most one of `region`, `box`, "
                    "`polygon`; one of `reduction`, `scale`, `emission_factor`",
}

#: The tables of the reference page: (heading, schema, note).
ENSEMBLE_TABLES = [
    ("ensemble file (top level)", ensemble.TOP_KEYS, ""),
    ("[analysis]", ensemble.ANALYSIS_KEYS, ""),
    ("[[members]]", ensemble.MEMBER_KEYS, ""),
    ("[[contributions]]", ensemble.CONTRIBUTION_KEYS, ""),
    ("[[sweeps]]", ensemble.SWEEP_KEYS, ""),
]
BOX_TABLES = [
    ("[box]", box.BOX_KEYS, "Besides `[box]` and `[environment]`, a case has `[initial]` (species = value in its "
                            "output units, or a string with a unit such as `\"40 ppb\"`), `[background]` (the air "
                            "mixed in by dilution; default: the initial values) and `[emissions]` (species = rate "
                            "per hour, e.g. `\"2 ppb h-1\"`)."),
    ("[environment]", box.ENVIRONMENT_KEYS, ""),
]


def toml_value(value) -> str:
    """A default as it would be written in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    return repr(value)


def default_text(k: Key) -> str:
    if k.default is REQUIRED:
        return "required"
    if k.default is None:
        return "unset"
    return f"`{toml_value(k.default)}`"


def choices_text(k: Key) -> str:
    return ", ".join(f"`{c}`" for c in k.choices) if k.choices else ""


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def scenario_tables() -> list[tuple[str, dict, str]]:
    """The scenario's tables in the order of the README: (heading, schema, note)."""
    met = met_settings.METEOROLOGY_SCHEMA
    tables = []
    for section, schema in scenario.SCHEMA.items():
        if section != "meteorology":
            tables.append((f"[{section}]", schema, ""))
            continue
        tables.append(("[meteorology]", {"source": met["source"]}, "Each source reads the keys below it."))
        for source, names in met_settings.SOURCE_KEYS.items():
            tables.append((f'[meteorology] source = "{source}"', {n: met[n] for n in names}, ""))
    tables.append(("[parent]", scenario.PARENT_SCHEMA, "Optional: an outer domain around `[domain]` (docs/nesting.md)."))
    shapes = "; ".join(f'`{{ shape = "{s}", {", ".join(f"{p} = ..." for p in params)} }}`'
                       for s, params in scenario.INITIAL_SHAPES.items())
    tables.append(("[species.NAME]", scenario.SPECIES_SCHEMA, f"`initial` may be a shape table: {shapes}."))
    tables.append(("[emissions]", emission_settings.EMISSIONS_KEYS, ""))
    tables.append(("[[emissions.point]]", emission_settings.POINT_SOURCE_SCHEMA, ""))
    tables.append(("[[controls]]", emission_settings.CONTROL_KEYS,
                   "Give at most one of `region`, `box` or `polygon`, and exactly one of `reduction`, `scale` or "
                   "`emission_factor`."))
    return tables


def key_table(schema: dict[str, Key]) -> list[str]:
    lines = ["| key | type | default | choices | range | description |", "|---|---|---|---|---|---|"]
    for name, k in schema.items():
        lines.append(f"| `{name}` | {k.type_name()} | {cell(default_text(k))} | {cell(choices_text(k))} | "
                     f"{cell(k.range_text())} | {cell(k.doc)} |")
    return lines


def reference_text() -> str:
    """docs/scenario_keys.md."""
    out = ["# Every configuration key", "",
           f"Generated by `{COMMAND}` from the schemas (`airmodel/scenario.py`, `airmodel/met/settings.py`, "
           "`airmodel/emissions/settings.py`, `airmodel/ensemble.py`, `airmodel/chemistry/box.py`); do not edit "
           "by hand. \"required\": the key must be given; \"unset\": optional, with no value unless given. "
           "Unknown keys and bad values are rejected with the valid keys or choices listed.", ""]
    parts = [("Scenario files (`airmodel run`)", scenario_tables()),
             ("Ensemble files (`airmodel ensemble`)", ENSEMBLE_TABLES),
             ("Box-model cases (`airmodel box`)", BOX_TABLES)]
    for title, tables in parts:
        out += [f"## {title}", ""]
        for heading, schema, note in tables:
            out += [f"### `{heading}`" if heading.startswith("[") else f"### {heading}", ""]
            if note:
                out += [note, ""]
            out += key_table(schema) + [""]
    return "\n".join(out).rstrip("\n") + "\n"


def key_summary(name: str, k: Key) -> str:
    """One key in the README: `name` = `default` (or the other choices), or `name` (required)."""
    if k.default is REQUIRED:
        return f"`{name}` (required)"
    if k.default is None:
        return f"`{name}`"
    text = f"`{name}` = `{toml_value(k.default)}`"
    others = [c for c in k.choices or () if c != k.default]
    return text + (f" (or {', '.join(f'`{c}`' for c in others)})" if others else "")


def readme_table() -> str:
    """The README's table of scenario sections, between the marker comments."""
    lines = ["| section | what; its keys with their defaults and choices (every key: docs/scenario_keys.md) |",
             "|---|---|"]
    met = met_settings.METEOROLOGY_SCHEMA
    for heading, schema, _ in scenario_tables():
        if heading.startswith("[meteorology] source"):
            continue
        if heading == "[meteorology]":
            keys = key_summary("source", met["source"]) + "; " + "; ".join(
                f"{source}: " + ", ".join(key_summary(n, met[n]) for n in names)
                for source, names in met_settings.SOURCE_KEYS.items())
        else:
            keys = ", ".join(key_summary(n, k) for n, k in schema.items())
        lines.append(f"| `{heading}` | {cell(SUMMARIES[heading])}: {cell(keys)} |")
    return "\n".join(lines)


def readme_text(current: str) -> str:
    """README.md with the table between the markers replaced."""
    region = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not region.search(current):
        raise SystemExit(f"{README}: the markers {START} and {END} are missing")
    return region.sub(lambda _: f"{START}\n{readme_table()}\n{END}", current, count=1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the files are current")
    args = parser.parse_args(argv)
    wanted = {README: readme_text(README.read_text(encoding="utf-8")), REFERENCE: reference_text()}
    stale = [p for p, text in wanted.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"{p.relative_to(ROOT)} is out of date: run `{COMMAND}`", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.write_text(wanted[p], encoding="utf-8")
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
