"""Write the "Land use" section of docs/night_mixing.md: the towns' built-up land in the synthetic land use, before
and after, at Beijing's 12 stations.

    PYTHONPATH=OLD/src python tools/landuse_stations.py -o lu_before.json      # the code before the change
    python tools/landuse_stations.py -o lu_after.json
    PYTHONPATH=OLD/src airmodel run baseline_2008_08 -o before48.nc --set run.hours=48
    airmodel run baseline_2008_08 -o after48.nc --set run.hours=48
    python tools/docs_night_mixing_landuse.py lu_before.json lu_after.json before48.nc after48.nc \
        -o docs/night_mixing.md

The section between the markers below is replaced (or appended); the rest of the file is left as it is. Every
number is computed here from the four inputs: the built-up share and land-use class of each station's cell, the
night (20-05 h local) mean Kz at 50 m over the first 48 hours, and NO2 and O3 at 20 h local on the second day
(the first is spin-up) at the urban and the suburban stations (tools/docs_night_mixing.py's station groups).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

import docs_night_mixing as night
from airmodel.files import write_text_atomic
from doc_tables import fig

BEGIN = "<!-- land use: written by tools/docs_night_mixing_landuse.py -->"
END = "<!-- end of land use -->"


def _nearest(name: str, station: dict) -> str:
    town = station.get("nearest_town")
    if town is None:
        return f"{name}: none"
    where = "in the station's cell" if town["same_cell"] else "in another cell"
    return (f"{name}: {town['town']} ({town['people']:,.0f} people, r = {town['radius_km']:.1f} km), "
            f"{town['distance_km']:.1f} km away, {where}")


def section(before: dict, after: dict, run_before: dict, run_after: dict) -> str:
    rows = []
    for name in before["stations"]:
        b, a = before["stations"][name], after["stations"][name]
        group = "suburban" if name in night.SUBURBAN else "urban"
        rows.append(f"| {name} | {group} | {b['urban_fraction']:.2f} → {a['urban_fraction']:.2f} | "
                    f"{'urban' if b['urban_class'] else '–'} → {'urban' if a['urban_class'] else '–'} | "
                    f"{fig(b['night_kz_50m'])} → {fig(a['night_kz_50m'])} |")
    cb, ca = night.cycles(run_before), night.cycles(run_after)
    chem = []
    for group in ("urban", "suburban"):
        for species in ("NO2", "O3"):
            chem.append(f"| {group} | {species} | {fig(cb[(group, species)][20])} | {fig(ca[(group, species)][20])} |")
    suburban_changed = [n for n in night.SUBURBAN
                        if after["stations"][n]["urban_fraction"] != before["stations"][n]["urban_fraction"]]
    return "\n".join([
        BEGIN,
        "## Land use: the towns' built-up land",
        "",
        "The synthetic land use now adds, outside the large cities' hand-drawn circles, every GeoNames populated "
        "place as a built-up circle of 100 m² per resident (GB 50137-2011), the rule by which the emission "
        "allocation spreads the towns' people (`met/terrain.py` `built_up_circles`, shared with "
        "`emissions/proxies.py`). Built-up share and night-time Kz come from the meteorology alone "
        f"(`tools/landuse_stations.py`, the first {after['hours']} h of `baseline_2008_08`, "
        f"{after['night_hours']} night hours 20–05 h local, Kz at the {after['kz_height_m']:.0f} m interface).",
        "",
        f"Over the domain the built-up land grows from {fig(before['built_up_cells'])} to "
        f"{fig(after['built_up_cells'])} cell-equivalents and the cells of the urban class from "
        f"{before['urban_cells']} to {after['urban_cells']}.",
        "",
        "| station | group | built-up share of its cell | land-use class | night Kz at 50 m (m² s⁻¹) |",
        "|---|---|---|---|---|",
        *rows,
        "",
        ("The four suburban stations' cells are unchanged. " if not suburban_changed else
         f"The suburban stations whose cell changed: {', '.join(suburban_changed)}. ")
        + "Nearest town circle of each suburban station: "
        + "; ".join(_nearest(name, after["stations"][name]) for name in night.SUBURBAN) + ". "
        "At 100 m² per resident a town of 10⁵ people is a core of 10 km², a tenth of a 0.1° cell, so the rule, "
        "applied to GeoNames' town figures (the town, not the district), gives the district towns small cores and "
        "leaves the stations' cells rural when the point lies in a neighbouring cell.",
        "",
        "48-hour runs of `baseline_2008_08` before and after (the same code otherwise), 20 h local on the second "
        "day, ppb, mean over the stations of each group:",
        "",
        "| stations | species | before | after |",
        "|---|---|---|---|",
        *chem,
        END,
    ])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before_json", type=Path)
    parser.add_argument("after_json", type=Path)
    parser.add_argument("before_run", type=Path)
    parser.add_argument("after_run", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True, help="docs/night_mixing.md (updated in place)")
    args = parser.parse_args(argv)
    before = json.loads(args.before_json.read_text(encoding="utf-8"))
    after = json.loads(args.after_json.read_text(encoding="utf-8"))
    hours = min(night.complete_hours(args.before_run), night.complete_hours(args.after_run))
    text = section(before, after, night.read(args.before_run, hours), night.read(args.after_run, hours))
    old = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        new = head + text + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    write_text_atomic(args.output, new, force=True)
    print(f"wrote the land-use section of {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
