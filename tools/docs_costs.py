"""Write docs/costs.md: the measures catalogue, and the 2008 Olympic controls priced with it beside the published
estimates of what the Games' environmental programme cost.

    python tools/docs_costs.py -o docs/costs.md [--force]

Every number in the page is computed here from the catalogue (airmodel/data/measures/) and from the inventory
summary of the ready scenario olympic_2008 over the controls' window (1 July to 20 September 2008, local time) and
over the Games (8 to 24 August); the published estimates are quoted with their sources. Takes about half a minute.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from airmodel.emissions.measures import CATALOGUE_POLLUTANTS, PRICE_YEAR, catalogue
from airmodel.files import write_text_atomic
from airmodel.inventory_summary import summarize_with_costs
from doc_tables import fig

WINDOW = ("2008-07-01", "2008-09-21")  # the controls' window: yellow-label ban from 1 July to the Paralympics' end
GAMES = ("2008-08-08", "2008-08-25")
#: Published estimates of what the Games' environmental effort cost (quoted, not computed).
PUBLISHED = [
    ("BOCOG, as reported by China Daily (2007-10-26)", "about 120 billion yuan (US$16 billion) spent on "
     "environment-related projects in Beijing, 1998-2006", 120e9),
    ("UNEP, Independent Environmental Assessment: Beijing 2008 Olympic Games (February 2009), as reported at its "
     "release", "Beijing's US$17 billion effort to support environmental enhancements and green projects", None),
    ("Zhou J. et al. (2019), J. Clean. Prod., doi:10.1016/j.jclepro.2019.05.312", "the yellow-label scrappage "
     "subsidy policy in Beijing-Tianjin-Hebei, 2008-2015: 13.69 billion yuan for 1.362 million vehicles", 13.69e9),
]


def yuan(v: float) -> str:
    if not np.isfinite(v):
        return "n/a"
    if abs(v) >= 1e9:
        return f"{v / 1e9:.3g} billion"
    if abs(v) >= 1e6:
        return f"{v / 1e6:.3g} million"
    return f"{v:,.0f}"


def catalogue_table() -> list[str]:
    lines = ["| measure | sector | removal efficiency | applicable share (rankings) | cost per tonne removed (yuan "
             f"of {PRICE_YEAR}) | as published |", "|---|---|---|---|---|---|"]
    for m in catalogue().values():
        eff = ", ".join(f"{p} {m.efficiency[p]:g}" for p in CATALOGUE_POLLUTANTS if p in m.efficiency) or "none cited"
        share = ("all of the sector" if m.scope == "sector" else
                 ", ".join(f"{p} {v:g}" for p, v in m.applicable_share.items()) or "none cited (not ranked)")
        cost = "; ".join(f"{c.pollutant} {fig(c.yuan_per_t, 3)}" for c in m.costs) or "no cited cost"
        original = "; ".join(f"{c.pollutant}: {c.original}" for c in m.costs) or ""
        lines.append(f"| {m.name} (`{m.id}`) | {m.sector} | {eff} | {share} | {cost} | {original} |")
    return lines


def local_period(a: str, b: str) -> str:
    return f"{a}/{b}"


def beijing_change(rows: list[dict], pollutant: str) -> float:
    for r in rows:
        if r["region"] == "Beijing" and r["sector"] == "all" and r["pollutant"] == pollutant:
            return r["before_t"] - r["after_t"]
    return 0.0


def olympic_section() -> list[str]:
    out = []
    for label, (a, b) in (("the controls' window", WINDOW), ("the Games", GAMES)):
        rows, costs = summarize_with_costs("olympic_2008", local_period(a, b))
        days = rows[0]["days"]
        totals = [r for r in costs if r["region"] == "all" and r["sector"] == "all"]
        priced = sum(r["cost_yuan"] for r in totals if np.isfinite(r["cost_yuan"]))
        out += [f"### Over {label}: {a} to {b} (end exclusive), {days:g} days", "",
                "| control (what was done) | catalogue measure | pollutant | removed (t) | cost carried (yuan) | "
                "yuan per t |", "|---|---|---|---|---|---|"]
        for r in totals:
            if r["pollutant"] in ("SO2", "NOx", "NMVOC", "PM2.5", "PM10", "CO2"):
                out.append(f"| {r['control']} | `{r['measure']}` | {r['pollutant']} | {fig(r['removed_t'], 3)} | "
                           f"{yuan(r['cost_yuan'])} | {fig(r['yuan_per_t'], 3) if r['yuan_per_t'] else '0 (co-benefit)'}"
                           f" |")
        nox = sum(r["removed_t"] for r in totals if r["pollutant"] == "NOx")
        voc = sum(r["removed_t"] for r in totals if r["pollutant"] == "NMVOC")
        out += ["", f"Total priced cost: **{yuan(priced)} yuan** ({PRICE_YEAR} prices), "
                f"{yuan(priced / days * 365)} yuan a year at this rate. "
                f"All Olympic controls together cut Beijing's NOx by {fig(beijing_change(rows, 'NOx'), 3)} t and its "
                f"NMVOC by {fig(beijing_change(rows, 'NMVOC'), 3)} t over the period; the priced measures account "
                f"for {fig(nox, 3)} t of NOx and {fig(voc, 3)} t of NMVOC of that (the rest came from driving bans, "
                f"closures and output cuts, which no catalogue technology matches).", ""]
    return out


def page() -> str:
    lines = ["# Costs of measures: the catalogue, and the 2008 Olympic controls priced", "",
             "Generated by `python tools/docs_costs.py -o docs/costs.md` from the measures catalogue "
             "(`airmodel/data/measures/`, sources and derivations in `airmodel/data/SOURCES.md`) and "
             "`airmodel inventory summarize olympic_2008 --period ... --costs costs.csv`.", "",
             "## How a scenario is priced", "",
             "A `[[controls]]` entry may name a catalogue measure: `measure = \"ule_coal_power\"` alone applies the "
             "measure's removal efficiencies to its sector; with a `reduction` or `scale`, the fraction acts (it "
             "encodes what was done) and the measure prices the tonnes it removes. The tonnes a measure removes "
             "are credited in the order the measures are written, after every control without a measure "
             "(growth included). Its cost is the tonnes of each pollutant with a cost row times the cost per "
             f"tonne, in yuan of {PRICE_YEAR} (converted at the cost year's exchange rate and inflated with "
             "China's CPI); pollutants without a cost row are co-benefits. Over a year that is the annualised "
             "cost. `airmodel inventory summarize SCENARIO --costs costs.csv` and `airmodel compare` (its "
             "`costs.csv`) report it per measure, region, sector and pollutant; `airmodel.measure_costs."
             "benefit_cost(rows, health)` turns a health result (region, avoided_deaths, value_yuan) into "
             "benefit-cost ratios.", "",
             "## The catalogue", ""] + catalogue_table() + [
             "", "Rows with \"none cited\" or \"no cited cost\" had no verified published number: they can price "
             "nothing (their cost is reported as unknown) and must be given a bare `reduction` to act. The "
             "applicable share is the fraction of its sector's emissions of each pollutant that a measure acting on "
             "part of its sector can reach (`shares.csv`, sources in `airmodel/data/SOURCES.md`): `airmodel rank` "
             "lets such a measure remove share x efficiency of its sector, and leaves out one without a cited "
             "share; a scenario's control selects the part itself and is not scaled by it.", "",
             "## The 2008 Olympic controls, priced", "",
             "Two of Beijing's Olympic measures match a catalogue measure: the ban of yellow-label vehicles "
             "(priced as their early retirement, the policy that followed the Games) and vapour recovery at "
             "filling stations, depots and tankers (stage I/II recovery). The fractions that encode what was done "
             "are unchanged (`controls/olympic_beijing.toml`). The rest (odd/even plates, official cars withdrawn, "
             "construction halted, cement plants stopped, the 30 % cut of power stations and factories, Shougang's "
             "output cut, the factories closed in Tianjin and Hebei) were curtailments: their cost is lost output "
             "and travel, which a catalogue of technologies does not hold.", ""] + olympic_section() + [
             "## Beside the published estimates", "",
             "| source | what it counts | amount (yuan) |", "|---|---|---|"]
    for source, what, amount in PUBLISHED:
        lines.append(f"| {source} | {what} | {yuan(amount) if amount else 'US$17 billion'} |")
    lines += ["", "The published figures are not the same quantity as ours. BOCOG's and UNEP's totals are about a "
              "decade of spending on Beijing's environment-related projects, most of it capital that serves for "
              "decades; ours prices only the tonnes "
              "two measures removed during the controls' window, at per-tonne costs of permanent programmes "
              "(the yellow-label retirement subsidy, stage II vapour recovery). Zhou et al.'s 13.69 billion yuan "
              "is the closest match to one of our measures: the whole 2008-2015 retirement programme of the "
              "region, whose NOx cost per tonne our catalogue uses. The temporary curtailments that made most of "
              "the Games' emission cuts carry no price here, so our total is a lower bound on the cost of the "
              "Games' controls, not an estimate of it.", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-o", "--output", default="docs/costs.md")
    p.add_argument("--force", action="store_true")
    args = p.parse_args(argv)
    print(f"wrote {write_text_atomic(Path(args.output), page(), force=args.force)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
