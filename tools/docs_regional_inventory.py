"""Write docs/regional_inventory.md: the default 2008 inventory's annual total of every province of the parent domain
(108-125 E, 32-44 N), whole and inside the domain, beside every published province figure we could read.

    python tools/docs_regional_inventory.py -o docs/regional_inventory.md [--force]

Our totals are computed here with the inventory summary (airmodel.inventory_summary) over the year 2008 on the
parent grid of the ready August scenarios (0.25 degree); the published figures are quoted below with their source,
year and units. The ratio is ours (whole province) over the published figure. Takes about half a minute.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from airmodel.emissions.quantities import POLLUTANTS
from airmodel.emissions.regions import SUMMARY_PROVINCES
from airmodel.files import write_text_atomic
from airmodel.inventory_summary import summarize
from build_default_2008 import POPULATION, REGIONAL

CHINA_POPULATION_2008 = 1328.02e6  # year-end 2008, NBS, China Statistical Yearbook 2009, table 3-1

PARENT = {"lon_min": 108.0, "lon_max": 125.0, "lat_min": 32.0, "lat_max": 44.0, "resolution": 0.25,
          "layer_interfaces": [0.0, 50.0, 200.0, 1000.0]}
YEAR = ("2008-01-01", "2009-01-01")

#: Sources of the published figures (key: citation, what it covers).
SOURCES = {
    "CSY2011": "China Statistical Yearbook 2011 (NBS), table 12-24 'Emission and treatment of industrial waste gas by "
               "region (2010)': SO2 emission by industry + by consumption (10^4 t), whole province; for PM10, its "
               "soot emission by industry + by consumption + industrial dust emission (10^4 t; read to Shandong: "
               "the rows after it were not available)",
    "CSY2009": "China Statistical Yearbook 2009 (NBS), table 11-25 'Emission and treatment of industrial waste gas in "
               "major cities (2008)': industrial SO2 (t); the rows of the municipalities Beijing, Tianjin and "
               "Chongqing "
               "cover the whole province (industry only, no household or transport SO2)",
    "BJSY2010": "Beijing Statistical Yearbook 2010: Beijing's SO2 emission in 2008 (t), all sources",
    "TJEPB": "Tianjin Environmental Protection Bureau, as reported by China National Radio (2009-12-14): Tianjin's SO2 "
             "emission in 2008, 24.01 x 10^4 t, all sources",
    "MEP2011H1": "Ministry of Environmental Protection, bulletin of the first half of 2011 by province (2012-04-18), "
                 "column 'first half of 2010' (10^4 t); shown here doubled as an annual rate (the first half holds "
                 "the heating season, so doubling overstates a northern province's year)",
    "ZHENG2019": "Zheng B. et al. (2019), ACP 19, 3447 (MEIC, Beijing-Tianjin-Hebei, 2012-2014): totals of the three "
                 "provinces together (kt); CO2 from city-data inventories of 2012 (Mt), as quoted there",
    "INTEXB": "Zhang Q. et al. (2009), ACP 9, 5131 (INTEX-B, 2006): China's national totals (Tg); NH3: Huang X. et al. "
              "(2012), GBC 26, GB1030 (2006)",
}

#: the note of the provinces whose SO2 is the 2010 table scaled to 2008 (airmodel/data/SOURCES.md)
SCALED = "ours: the 2010 value x 1.070, China's SO2 of 2008 over 2010"
#: the official particulate statistics beside our PM10: soot (industry + consumption) + industrial dust
SOOT_DUST = "published: soot + industrial dust (below the table)"
#: (province or group, pollutant, published value in t, year, source key, explanation of a large difference)
PUBLISHED = [
    ("Beijing", "SO2", 123_000.0, "2008", "BJSY2010", "ours is this figure (by construction)"),
    ("Beijing", "SO2", 115_000.0, "2010", "CSY2011", "2010: SO2 fell after 2008"),
    ("Beijing", "SO2", 57_783.0, "2008", "CSY2009", "industry only (ours adds household heating and transport)"),
    ("Beijing", "SO2", 104_400.0, "2010", "MEP2011H1", "2010, and the first half doubled"),
    ("Beijing", "NOx", 197_800.0, "2010", "MEP2011H1", "2010, and the first half doubled; statistics count "
     "registered sources and vehicles only"),
    ("Tianjin", "SO2", 240_100.0, "2008", "TJEPB", "ours is this figure (rounded, by construction)"),
    ("Tianjin", "SO2", 236_000.0, "2010", "CSY2011", "2010"),
    ("Tianjin", "SO2", 209_844.0, "2008", "CSY2009", "industry only"),
    ("Tianjin", "SO2", 238_000.0, "2010", "MEP2011H1", "2010, first half doubled"),
    ("Tianjin", "NOx", 340_200.0, "2010", "MEP2011H1", "2010, first half doubled"),
    ("Hebei", "SO2", 1_234_000.0, "2010", "CSY2011", SCALED),
    ("Shanxi", "SO2", 1_249_000.0, "2010", "CSY2011", SCALED),
    ("Inner Mongolia", "SO2", 1_394_000.0, "2010", "CSY2011", SCALED),
    ("Liaoning", "SO2", 1_022_000.0, "2010", "CSY2011", SCALED),
    ("Jilin", "SO2", 357_000.0, "2010", "CSY2011", SCALED),
    ("Jiangsu", "SO2", 1_050_000.0, "2010", "CSY2011", SCALED),
    ("Anhui", "SO2", 532_000.0, "2010", "CSY2011", SCALED),
    ("Shandong", "SO2", 1_538_000.0, "2010", "CSY2011", SCALED),
] + [(province, "PM10", 1e4 * sum(parts), "2010", "CSY2011", SOOT_DUST) for province, parts in (
    ("Beijing", (2.1, 2.7, 1.7)), ("Tianjin", (5.4, 1.1, 0.8)), ("Hebei", (32.3, 17.7, 32.1)),
    ("Shanxi", (43.2, 18.9, 36.5)), ("Inner Mongolia", (47.6, 17.1, 16.0)), ("Liaoning", (39.8, 23.5, 16.7)),
    ("Jilin", (21.0, 9.1, 5.3)), ("Jiangsu", (29.9, 3.6, 15.1)), ("Anhui", (20.7, 4.8, 26.4)),
    ("Shandong", (29.1, 10.0, 18.9)))] + [
    ("Chongqing", "SO2", 627_238.0, "2008", "CSY2009", "industry only (ours: this + a per-person estimate "
     "of consumption SO2; no row read for Chongqing in CSY2011)"),
    ("BTH", "SO2", 1_425_000.0, "2012-14", "ZHENG2019", "SO2 fell from 2008 to 2012-14 (desulphurisation)"),
    ("BTH", "NOx", 2_116_000.0, "2012-14", "ZHENG2019", "ours equals it by construction (used for 2008)"),
    ("BTH", "PM10", 1_468_000.0, "2012-14", "ZHENG2019", "ours equals it by construction"),
    ("BTH", "PM2.5", 1_111_000.0, "2012-14", "ZHENG2019", "ours takes non-industry PM2.5 from PM10 by our sector "
     "ratios"),
    ("BTH", "NMVOC", 3_861_000.0, "2012-14", "ZHENG2019", "ours equals it by construction"),
    ("BTH", "CO2", 989e6, "2012", "ZHENG2019", "2012 against 2008; ours from NOx by our CO2/NOx ratios"),
]
INTEXB_CHINA_T = {"SO2": 31.0e6, "NOx": 20.8e6, "CO": 166.9e6, "NMVOC": 23.2e6, "PM10": 18.2e6, "PM2.5": 13.3e6,
                  "BC": 1.8e6, "OC": 3.2e6, "NH3": 9.8e6}
GROUPS = {"BTH": ("Beijing", "Tianjin", "Hebei")}


def totals() -> tuple[dict, dict]:
    """({(province, pollutant): t/yr whole}, {(province, pollutant): t/yr inside the parent domain})."""
    rows = summarize({"run": {"start": "2008-01-01T00:00:00Z", "hours": 1, "time_step": 600.0}, "domain": PARENT,
                      "emissions": {"inventory": "default_2008"}, "species": {"SO2": {"units": "ug m-3"}}},
                     "/".join(YEAR))
    whole, inside = {}, {}
    for r in rows:
        if r["sector"] == "all":
            whole[(r["region"], r["pollutant"])] = r["before_t"]
            inside[(r["region"], r["pollutant"])] = r["before_t"] - r["outside_domain_t"]
    for group, members in GROUPS.items():
        for p in POLLUTANTS:
            whole[(group, p)] = sum(whole[(m, p)] for m in members)
            inside[(group, p)] = sum(inside[(m, p)] for m in members)
    return whole, inside


def kt(t: float) -> str:
    return f"{t / 1e3:,.0f}"


def cell(t: float, pollutant: str) -> str:
    """kt, or Mt for CO2."""
    return f"{t / 1e6:,.1f}" if pollutant == "CO2" else kt(t)


def document(whole: dict, inside: dict) -> str:
    provinces = list(SUMMARY_PROVINCES.values())
    out = ["# The regional 2008 inventory beside the published province figures", "",
           "Written by `python tools/docs_regional_inventory.py -o docs/regional_inventory.md`. Our numbers: the "
           "default 2008 inventory (`src/airmodel/data/emissions/default_2008`, built by "
           "`tools/build_default_2008.py`, method in `src/airmodel/data/SOURCES.md`), summed over 2008 by "
           "`airmodel.inventory_summary` on the 0.25 degree parent grid (108-125 E, 32-44 N); 'inside' is the part "
           "the parent grid keeps.", "",
           "## Our annual totals by province (kt; CO2 in Mt)", "",
           "| province | " + " | ".join(POLLUTANTS) + " | share inside the parent domain (SO2) |",
           "|---|" + "---:|" * (len(POLLUTANTS) + 1)]
    for prov in provinces + ["all"]:
        cells = [cell(whole[(prov, p)], p) for p in POLLUTANTS]
        share = inside[(prov, "SO2")] / whole[(prov, "SO2")] if whole[(prov, "SO2")] else 0.0
        out.append(f"| {prov} | " + " | ".join(cells) + f" | {100 * share:.0f} % |")
    out += ["", "Inside the parent domain (kt; CO2 in Mt):", "",
            "| province | " + " | ".join(POLLUTANTS) + " |", "|---|" + "---:|" * len(POLLUTANTS)]
    for prov in provinces + ["all"]:
        cells = [cell(inside[(prov, p)], p) for p in POLLUTANTS]
        out.append(f"| {prov} | " + " | ".join(cells) + " |")
    out += ["", "## Ours beside the published figures", "",
            "Ratio: our whole-province 2008 total over the published figure. BTH: Beijing, Tianjin and Hebei "
            "together.", "",
            "| province | pollutant | ours, 2008 (kt) | published (kt) | year | source | ratio | why they differ |",
            "|---|---|---:|---:|---|---|---:|---|"]
    for prov, p, value, year, key, why in PUBLISHED:
        ours = whole[(prov, p)]
        unit = (lambda t: f"{t / 1e6:,.0f} Mt") if p == "CO2" else (lambda t: f"{t / 1e3:,.1f}")
        out.append(f"| {prov} | {p} | {unit(ours)} | {unit(value)} | {year} | {key} | {ours / value:.2f} | {why} |")
    dust = {prov: whole[(prov, p)] / value for prov, p, value, _, _, why in PUBLISHED if why == SOOT_DUST}
    low, high = min(dust, key=dust.get), max(dust, key=dust.get)
    above = sum(v >= 1 for v in dust.values())
    top = sorted(dust, key=lambda k: -dust[k])[:4]
    meic = [k for k in top if k in GROUPS["BTH"]]
    rest = [k for k in top if k not in GROUPS["BTH"]]
    out += ["", "The official particulate statistics (soot and industrial dust, CSY2011) count particles of all sizes "
            "from registered industry, boilers and household combustion and from industrial processes, in 2010; they "
            "leave out road, construction and farm dust and the unregistered small sources that our PM10 carries "
            "(our construction and other fugitive dust and agriculture), and 2010 comes after two years of dust "
            "controls. So our PM10 is expected above them; it is "
            + ("in every province" if above == len(dust) else f"in {above} of the {len(dust)} provinces")
            + f", from {dust[low]:.2f} times ({low}) to {dust[high]:.2f} times ({high}). The four highest: "
            + ", ".join(f"{k} {dust[k]:.2f}" for k in top) + "."
            + (f" {' and '.join(meic)} {'is' if len(meic) == 1 else 'are'} in Beijing-Tianjin-Hebei, whose PM10 "
               "adds up to the MEIC total of 2012-14 (Zheng et al. 2019) with its fugitive dust (Beijing's June PM10 "
               "is 39 % construction dust; SOURCES.md), a part of PM10 the statistics leave out." if meic else "")
            + (f" {' and '.join(rest)} take{'s' if len(rest) == 1 else ''} Hebei's ratios and per-person amounts "
               "(SOURCES.md), which follow people rather than industry." if rest else "")
            + " No PM10 or PM2.5 province table was read to tell how much of each gap is method and how much is the "
            "sources the statistics leave out."]
    out += ["", "## The sixteen provinces against China's national totals (context, not a province figure)", "",
            "| pollutant | our 16 provinces, 2008 (Tg) | China, 2006 (Tg; INTEXB) | share |", "|---|---:|---:|---:|"]
    for p, china in INTEXB_CHINA_T.items():
        out.append(f"| {p} | {whole[('all', p)] / 1e9 * 1e3:.2f} | {china / 1e6:.1f} | "
                   f"{100 * whole[('all', p)] / china:.0f} % |")
    people = sum(POPULATION.values()) + sum(v[3] for v in REGIONAL.values()) * 1e4
    out += ["", f"The sixteen provinces held {100 * people / CHINA_POPULATION_2008:.0f} % of China's population at the "
            "end of 2008 (the populations of tools/build_default_2008.py over China's 1328.02 million; NBS, China "
            "Statistical Yearbook 2009, table 3-1); their share of China's emissions is not expected to equal it "
            "(the north burns more coal per person).", "",
            "Against that, and with China's emissions of 2008 above those of 2006 for NOx and NMVOC (INTEX-B's "
            "2001-2006 growth: NOx +55 %, NMVOC +29 %), four of our columns stand out: NOx "
            f"({100 * whole[('all', 'NOx')] / INTEXB_CHINA_T['NOx']:.0f} % of China's 2006 total) and NMVOC "
            f"({100 * whole[('all', 'NMVOC')] / INTEXB_CHINA_T['NMVOC']:.0f} %) are high, because every province "
            "outside Beijing-Tianjin-Hebei takes Hebei's NOx and NMVOC per tonne of SO2 and per person, and "
            "Hebei's come from the MEIC totals of 2012-14 (Zheng et al. 2019), after NOx and solvent NMVOC had "
            f"grown; BC ({100 * whole[('all', 'BC')] / INTEXB_CHINA_T['BC']:.0f} %) and OC "
            f"({100 * whole[('all', 'OC')] / INTEXB_CHINA_T['OC']:.0f} %) are low, because our BC/PM2.5 and "
            "OC/PM2.5 ratios (SOURCES.md) carry no household biofuel and few rural coal stoves, while the "
            "residential sector is the largest BC and OC source in INTEX-B. These are the pollutants where a "
            "published province table would change "
            "the regional inventory most.",
            "", "## What was looked for and not found", "",
            "No province-by-pollutant table for 2006-2010 could be read for this page: the INTEX-B paper (Zhang et "
            "al. 2009) gives China's national totals and gridded files, not a province table in the text we could "
            "read; the province tables of Lu et al. (2011, ACP 11, 9839: SO2, BC, OC), Zhao B. et al. (2013, ACP 13, "
            "9869: NOx), Huang X. et al. (2012, GBC: NH3) and the MEIC-based tables (Zheng et al. 2018; Li M. et al. "
            "2017, MIX) are in supplements or figures that were not available to us; the official 2008 SO2 by "
            "province (China Environmental Statistical Yearbook 2009, MEP bulletin of 2008) was not found in a "
            "readable copy; the 2010 table (CSY2011) was read only to Shandong, so Henan, Hubei, Chongqing, "
            "Sichuan, Shaanxi and Gansu have no official SO2 row here. Every pollutant other than SO2 therefore "
            "stays on the method stated in SOURCES.md (Zheng et al. 2019 for Beijing-Tianjin-Hebei; Hebei's ratios "
            "and per-person amounts elsewhere) and has no published province figure beside it, except Beijing's and "
            "Tianjin's NOx (MEP, 2010) and, beside our PM10, the official particulate statistics of 2010 (soot and "
            "industrial dust, CSY2011) of the ten provinces up to Shandong. Looked for again and not found in a "
            "readable copy: the 2008 table by region of the China Statistical Yearbook 2009 (the yearbook's table "
            "of major cities, CSY2009, is the only 2008 table of it we could read) and the 2011 one of the 2012 "
            "yearbook, the first with NOx by province.", "", "Sources:", ""]
    out += [f"- {key}: {text}" for key, text in SOURCES.items()]
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=Path("docs/regional_inventory.md"))
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    whole, inside = totals()
    write_text_atomic(args.output, document(whole, inside), force=args.force)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
