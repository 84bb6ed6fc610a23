"""Write the projected-inventory scenarios of airmodel/data/scenarios/projections/ from its drivers.csv.

    python tools/build_projections.py [--check]

Two paths over 20 years on the 2008 weather (August, like baseline_2008_08): current legislation (the standards and
plans that were adopted) for 2013, 2018, 2023 and 2028, and clean energy (current legislation plus the clean-energy
drivers) for 2023 and 2028 (2013 and 2018 are history: the paths coincide). Each scenario is the August 2008
baseline with [[controls]]: first the growth of activity (scale), then the measures, in the order of drivers.csv.
A ``penetration`` driver of a catalogue measure becomes one control per distinct reduction (penetration x the
measure's efficiency, BC and OC following PM2.5) on the pollutants it acts on, with ``measure`` naming it for the
costs. ``--check`` exits 1 if a committed file differs from what the drivers give (tests/unit/test_projections.py).
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from airmodel.data import data_path
from airmodel.emissions.measures import catalogue
from airmodel.emissions.quantities import POLLUTANTS

YEARS = (2013, 2018, 2023, 2028)
PATHS = {"current_legislation": ("both", "cle"), "clean_energy": ("both", "clean")}
CLEAN_YEARS = (2023, 2028)
FOLDER = ("scenarios", "projections")
TITLES = {"current_legislation": "current legislation", "clean_energy": "clean energy"}


def read_drivers(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines))


def _list(text: str) -> list[str]:
    return text.split() if text else []


def _toml_list(items) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


def controls_for(row: dict, value: float) -> list[dict]:
    base = {"name": row["name"]}
    if row["region"]:
        base["region"] = row["region"]
    if row["sector"]:
        base["sectors"] = [row["sector"]]
    if row["source_ids"]:
        base["source_ids"] = _list(row["source_ids"])
    if row["vehicle_classes"]:
        base["vehicle_classes"] = _list(row["vehicle_classes"])
    chosen = _list(row["pollutants"])
    if row["kind"] == "scale":
        return [{**base, **({"pollutants": chosen} if chosen else {}), "scale": value}]
    if row["kind"] == "reduction":
        out = {**base, **({"pollutants": chosen} if chosen else {}), "reduction": value}
        if row["measure"]:
            out["measure"] = row["measure"]
        return [out]
    if row["kind"] != "penetration":
        raise ValueError(f"{row['name']}: unknown kind {row['kind']!r}")
    eff = catalogue()[row["measure"]].inventory_efficiencies()
    groups: dict[float, list[str]] = {}
    for p, e in zip(POLLUTANTS, eff):
        if e == e and e != 0.0 and (not chosen or p in chosen):  # e == e: not NaN
            groups.setdefault(round(value * float(e), 6), []).append(p)
    return [{**base, "pollutants": ps, "reduction": r, "measure": row["measure"]} for r, ps in groups.items()]


def _value(v) -> str:
    if isinstance(v, list):
        return _toml_list(v)
    if isinstance(v, str):
        return f'"{v}"'
    return f"{v:g}"


def scenario_text(path: str, year: int, drivers: list[dict]) -> str:
    lines = [f"# Projected inventory, {TITLES[path]} path, {year}, on the August 2008 weather (written by",
             "# tools/build_projections.py from drivers.csv, where every value has its source; docs/projections.md).",
             "# The meteorology is held fixed so that the difference from baseline_2008_08 is the emissions alone.",
             'extends = "../baseline_2008_08.toml"',
             f'description = "August with 2008 weather, emissions projected to {year} ({TITLES[path]})"', "",
             "[run]", f'name = "Projection {year}, {TITLES[path]} (2008 weather)"']
    rows = [r for r in drivers if r["path"] in PATHS[path]]
    # growth first, then the measures (the crediting order of airmodel/emissions/controls.py)
    for row in sorted(rows, key=lambda r: r["kind"] != "scale"):
        text = row[f"v{year}"].strip()
        if not text:
            continue
        for control in controls_for(row, float(text)):
            lines += ["", "[[controls]]"] + [f"{k} = {_value(v)}" for k, v in control.items()]
    return "\n".join(lines) + "\n"


def outputs() -> dict[Path, str]:
    folder = data_path(*FOLDER)
    drivers = read_drivers(folder / "drivers.csv")
    out = {}
    for path in PATHS:
        for year in (YEARS if path == "current_legislation" else CLEAN_YEARS):
            out[folder / f"{path}_{year}_08.toml"] = scenario_text(path, year, drivers)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="only compare the committed files with the drivers")
    args = p.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print("out of date: " + ", ".join(str(s) for s in stale) + "; run python tools/build_projections.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
