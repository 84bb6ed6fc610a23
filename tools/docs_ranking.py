"""Write docs/ranking.md from a finished ``airmodel rank`` folder: the command, its ranking table, the
contributions with their non-linearity, the chart, and what the numbers can and cannot say.

    airmodel rank RANKING.toml -o DIR --workers 2
    airmodel rank RANKING.toml -o DIR --health-from-members     # optional: the members are kept, health added
    python tools/docs_ranking.py DIR RANKING.toml -o docs/ranking.md [--note TEXT] [--force]

The tables are DIR/ranking.md as the command wrote it (every number comes from the run); the chart is copied beside
the page as docs/ranking.png.
"""
from __future__ import annotations

import argparse
import csv
import shutil
import sys
from pathlib import Path

from airmodel import scenario
from airmodel.files import write_text_atomic
from airmodel.emissions.measures import catalogue
from airmodel.emissions.quantities import POLLUTANTS
from airmodel.rank import load_ranking, ranked


def configuration(ranking_file: Path) -> str:
    """What the run was made with, from the ranking file: its description, base, overrides and categories."""
    r = load_ranking(ranking_file)
    s = r.settings
    regions = list(dict.fromkeys(c["region"] if len(c["regions"]) == 1 else c["name"].split(".")[0]
                                 for c in r.categories))
    return (f"**Configuration of this run:** {s['description'] or ranking_file.name}. Base scenario "
            f"`{r.base.stem}` with the overrides {', '.join(f'`{o}`' for o in s['overrides']) or 'none'}; "
            f"{len(r.categories)} categories ({', '.join(regions)}; cut depth {100 * s['reduction']:g} %), "
            f"{len(r.categories) + 2} members; receptor `{s['receptor']}`; spin-up {s['spinup_hours']:g} h.")


def length_text(ranking_file: Path) -> str:
    """How long the members ran and how much of it the numbers use, from the ranking file (its run.hours override,
    else the base scenario's hours, and its spin-up)."""
    r = load_ranking(ranking_file)
    s = r.settings
    run = scenario.load(r.base, s["overrides"])
    hours = run.n_steps * run.time_step / 3600.0
    used = hours - s["spinup_hours"]
    spin = f"after a spin-up of {s['spinup_hours']:g} h" if s["spinup_hours"] else "without spin-up"
    def days(h):
        return f"{h / 24:g} day" + ("" if h == 24 else "s")

    return (f"The members ran {days(hours)}; the contributions and the health columns use the last "
            f"{days(used)} ({spin}). "
            + ("That is a window on the August baseline's weather, not the month-long ranking the question needs: "
               "a category's contribution depends on where the wind blew in those days." if hours < 24 * 28 else
               "That is the month the question asks about."))


def subset_text() -> str:
    """The subset measures the ranking offers (with their applicable shares) and those it leaves out, from the
    catalogue (airmodel/data/measures/shares.csv; sources in airmodel/data/SOURCES.md)."""
    subset = [m for m in catalogue().values() if m.scope == "subset"]
    offered = [f"{m.id} ({', '.join(f'{p} {v:g}' for p, v in m.applicable_share.items())})"
               for m in subset if ranked(m)]
    left = [m.id for m in subset if not ranked(m) and any(p in m.efficiency for p in POLLUTANTS)]
    return (f"Measures on part of a sector, with their applicable shares: {'; '.join(offered) or 'none'}. Left out "
            f"for want of a cited applicable share: {', '.join(left) or 'none'}.")


def page(folder: Path, ranking_file: Path, note: str = "") -> str:
    table = (folder / "ranking.md").read_text(encoding="utf-8").split("\n", 2)[2]
    with open(folder / "ranking.csv", newline="", encoding="utf-8") as fh:
        with_health = "avoided_deaths" in (csv.DictReader(fh).fieldnames or [])
    flag = " --health-from-members" if with_health else ""
    with open(folder / "index.csv", newline="", encoding="utf-8") as fh:
        walls = [float(r["wall_s"]) for r in csv.DictReader(fh) if r.get("wall_s")]
    members = (f"Members: {len(walls)}; each took {min(walls):.0f}–{max(walls):.0f} s on one worker, "
               f"{sum(walls):.0f} s in all (`index.csv`)." if walls else "")
    health = (
        "The health columns come from `--health-from-members`: `airmodel health` of each category's member against "
        "the base (airmodel/health: the long-term outcomes, avoided deaths a year and their value, central estimate, "
        "over the people of the inner domain, from its file, and of the parent domain outside it, from the parent's "
        "file: the units of the population table, Beijing, Tianjin, Hebei and the parts of Shanxi, Inner Mongolia, "
        "Liaoning, Shandong and Henan in the parent domain, each province with its own 2008 death rates and age "
        "structure), scaled by 1/depth like the contributions; avoided deaths the measures buy = "
        "that x removable share, ranked by them per million yuan. One day's members give the annualised deaths of "
        "one day's concentration change, not of a year." if with_health else
        "Without a health result (`--health` or `--health-from-members`) the ranking is by exposure gain per "
        "million yuan.")
    return "\n".join([
        "# Which source categories to cut first: a ranking run", "",
        configuration(ranking_file), "",
        f"Generated by `python tools/docs_ranking.py DIR {ranking_file.name} -o docs/ranking.md` from the output of "
        f"`airmodel rank {ranking_file.name} -o DIR --workers 2{flag}` (LocalCluster of 2 worker processes) with this "
        "ranking file:", "", "```toml", ranking_file.read_text(encoding="utf-8").strip(), "```", "",
        "What the columns are: airmodel/rank.py. The contribution is brute force at the cut depth given (the cut "
        "scaled by 1/depth); the growth is the category's emissions in the projection over the base; the removable "
        "share is what the catalogue's measures with a cited efficiency remove of the category's "
        "PM2.5 + SO2 + NOx + NH3 + NMVOC mass, applied cheapest first, and the cost what they cost a year: a "
        "sector-wide measure acts on all of its sector, a measure that acts on part of its sector on its cited "
        "applicable share of each pollutant (removed = share x efficiency x tonnes). " + subset_text() + " The "
        "exposure gain is contribution x removable share (a linear estimate). " + health + " Categories with no "
        "priced measure in the catalogue get no ratio and rank last. " + length_text(ranking_file), "",
        "![ranking](ranking.png)", "", " ".join(x for x in (members, note) if x), "", table])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("ranking", type=Path)
    parser.add_argument("-o", "--output", default="docs/ranking.md")
    parser.add_argument("--note", default="", help="a sentence on how the run was made (e.g. the machine's load)")
    parser.add_argument("--force", action="store_true")
    options = parser.parse_args(argv)
    out = Path(options.output)
    written = write_text_atomic(out, page(options.folder, options.ranking, options.note), force=options.force)
    shutil.copyfile(options.folder / "ranking.png", out.parent / "ranking.png")
    print(f"wrote {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
