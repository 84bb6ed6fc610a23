"""Write docs/health.md: the health impacts of the 2008 Olympic controls against the August 2008 baseline.

    python tools/docs_health.py /work/runs/base.nc /work/runs/olympic.nc -o docs/health.md [--draws 1000] [--force]

Every number in the page comes from ``airmodel.health.health_impacts`` on the two runs (the Games period,
8-24 August 2008 local days; 1,000 Monte Carlo draws, seed 0) and from the packaged tables it reads; only the framing
text is fixed here. The same numbers come from
``airmodel health base.nc olympic.nc -o DIR --start 2008-08-08 --end 2008-08-24``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
import xarray as xr

from doc_tables import fig

from airmodel.files import atomic_file
from airmodel.health import Options, health_impacts, incidence, valuation
from airmodel.health.functions import read_functions

# the page is about the three provinces: their sum is the health result's region "Beijing-Tianjin-Hebei" (its
# "domain" also holds the people of the other provinces in the grid)
REGIONS = ("Beijing", "Tianjin", "Hebei", "Beijing-Tianjin-Hebei")
LABELS = {"Hebei": "Hebei (in the domain)", "Beijing-Tianjin-Hebei": "all three (in the domain)"}
START, END = "2008-08-08", "2008-08-24"
SHORT = (("chen2017_pm25/nonaccidental", "PM2.5, non-accidental"), ("chen2017_pm25/cardiovascular",
         "PM2.5, cardiovascular"), ("chen2017_pm25/respiratory", "PM2.5, respiratory"),
         ("yin2017_o3/nonaccidental", "MDA8 O3, non-accidental"), ("yin2017_o3/cardiovascular",
                                                                    "MDA8 O3, cardiovascular"))
LONG = (("gemm_by_age/ncd_lri", "NCD+LRI, by age (the headline)"), ("gemm_25plus/ncd_lri", "NCD+LRI, 25+ fit"),
        ("gemm_by_age/ihd", "IHD, by age"), ("gemm_by_age/stroke", "stroke, by age"), ("gemm_by_age/copd", "COPD"),
        ("gemm_by_age/lung_cancer", "lung cancer"), ("gemm_by_age/lri", "LRI"))


def others_text(ds) -> str:
    """What the results' region 'domain' adds to the three provinces: the people of the other provinces in the
    grid (each a region of its own)."""
    others = [str(r) for r in ds.region.values if str(r) not in ("domain",) + REGIONS]
    if not others:
        return "no other province has people in the grid"
    people = sum(float(ds.region_population.sel(region=r)) for r in others)
    names = ", ".join(others[:-1]) + " and " + others[-1] if len(others) > 1 else others[0]
    return (f"their region 'domain' adds the {fig(people / 1e6, 3)} million people of {names} in the grid, each "
            "province with its own rates")


def interval(values, scale=1.0, digits=3) -> str:
    c, _, lo, hi = (float(v) / scale for v in values)
    return f"{fig(c, digits)} ({fig(lo, 2)} to {fig(hi, 2)})"


def table(ds, outcomes, what: str, scale: float, unit: str) -> list[str]:
    lines = ["| outcome | " + " | ".join(LABELS.get(r, r) for r in REGIONS) + " |",
             "|---|" + "---|" * len(REGIONS)]
    for outcome, label in outcomes:
        cells = [interval(ds[what].sel(outcome=outcome, region=r).values, scale) for r in REGIONS]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines + ["", f"Central estimate, with the 95 % interval in brackets; {unit}.", ""]


def page(ds, base: Path, case: Path) -> str:
    a = ds.attrs
    fns = {f.id: f for f in read_functions()}
    vsl = valuation.vsl(a["vsl"])
    beijing = "Beijing"
    pm = {r: float(ds.exposure_PM25_change.sel(region=r)) for r in REGIONS}
    o3 = {r: float(ds.exposure_O3_mda8_change.sel(region=r)) for r in REGIONS}
    pmb = {r: float(ds.exposure_PM25_base.sel(region=r)) for r in REGIONS}
    o3b = {r: float(ds.exposure_O3_mda8_base.sel(region=r)) for r in REGIONS}
    people = {r: float(ds.region_population.sel(region=r)) for r in REGIONS}
    short_total = ds.avoided_deaths.sel(outcome="chen2017_pm25/nonaccidental", region="Beijing-Tianjin-Hebei").values
    long_total = ds.avoided_deaths.sel(outcome="gemm_by_age/ncd_lri", region="Beijing-Tianjin-Hebei").values
    lines = [
        "# Health impacts of the 2008 Olympic controls", "",
        "*Written by `tools/docs_health.py` from the August 2008 runs; every number below is computed by "
        "`airmodel.health` (the same as `airmodel health " f"{base.name} {case.name} -o DIR --start {START} "
        f"--end {END}`).*", "",
        "The run pair was made with `airmodel run baseline_2008_08 -o base.nc` and `airmodel run olympic_2008 -o "
        "olympic.nc`; the files' own record of how and when they were made (their `history` attribute): "
        + "; ".join(f"`{run_history(p)}`" for p in (base, case)) + ". Results move with the model: rerun both "
        "and this script after a change to the chemistry, deposition or emissions.", "",
        f"The Olympic controls (scenario `olympic_2008`) against the baseline (`baseline_2008_08`), over the Games, "
        f"local days {a['period_start']} to {a['period_end']} ({a['period_days']} days). Avoided deaths are "
        "base minus case. Over the Games the controls avoided about "
        f"**{fig(float(short_total[0]), 2)}** deaths (95 % interval {fig(float(short_total[2]), 2)} to "
        f"{fig(float(short_total[3]), 2)}) through short-term PM2.5 exposure in the three provinces; had the "
        "Games-period reductions lasted a year, the long-term equivalent would be about "
        f"**{fig(float(long_total[0]), 2)}** deaths a year ({fig(float(long_total[2]), 2)} to "
        f"{fig(float(long_total[3]), 2)}; GEMM NCD+LRI by age).", "",
        "## Exposure", "",
        "Population-weighted period means (ug m-3; MDA8 O3 at the standard state of GB 3095-2012), base and change:",
        "", "| region | people in the grid | PM2.5 base | PM2.5 change | MDA8 O3 base | MDA8 O3 change |",
        "|---|---|---|---|---|---|"]
    for r in REGIONS:
        lines.append(f"| {LABELS.get(r, r)} | {fig(people[r] / 1e6, 3)} million | {fig(pmb[r])} | {fig(pm[r])} | "
                     f"{fig(o3b[r])} | {fig(o3[r])} |")
    lines += ["", "## Short-term: avoided deaths over the Games", ""]
    lines += table(ds, SHORT, "avoided_deaths", 1.0, "deaths over the 17 days")
    lines += ["Value (million yuan, " f"{vsl.currency} of {vsl.price_year}):", ""]
    lines += table(ds, SHORT, "value", 1e6, "million yuan")
    lines += ["## Long-term equivalent: avoided deaths per year if the controls had lasted a year", ""]
    lines += table(ds, LONG, "avoided_deaths", 1.0, "deaths per year")
    lines += [f"Value (million yuan a year of exposure change, {vsl.currency} of {vsl.price_year}, lagged and "
              "discounted):", ""]
    lines += table(ds, LONG, "value", 1e6, "million yuan")
    lines += ["By age in Beijing (GEMM NCD+LRI, deaths per year):", "", "| ages | avoided deaths (95 % interval) |",
              "|---|---|"]
    for k, fid in enumerate(ds.function.values):
        f = fns[str(fid)]
        if f.outcome == "gemm_by_age/ncd_lri":
            ages = f"{f.age_start}+" if f.age_end >= 120 else f"{f.age_start}–{f.age_end}"
            values = ds.avoided_deaths_by_function.sel(function=fid, region=beijing).values
            lines.append(f"| {ages} | {interval(values)} |")
    ncd = fns["gemm_ncd_lri_25plus"]
    rates = incidence.crude_death_rates()
    crude = ", ".join(f"{r} {fig(rates[(code, a['incidence_year'])] * 1000, 3)}" for r, code in
                      (("Beijing", "110000"), ("Tianjin", "120000"), ("Hebei", "130000")))
    lines += ["", "## Assumptions", "",
              f"- **Period and annualisation.** Short-term effects are summed over the {a['period_days']} local days "
              "of the Games. The long-term equivalent takes the Games-period mean concentration of each run as its "
              "annual mean, i.e. the period-mean change as if it had lasted a year. The GEMM's slope depends on the "
              "level, so a summer base level standing for the annual mean is itself an assumption of this "
              "equivalent.",
              f"- **Functions.** Long-term: GEMM (Burnett et al. 2018, PNAS, doi:10.1073/pnas.1803222115) with the "
              f"China cohort, counterfactual {ncd.counterfactual} ug m-3, NCD+LRI theta {ncd.beta} (se "
              f"{ncd.beta_se}), by age for NCD+LRI, IHD and stroke; the by-age standard errors are the 25+ "
              "relative error scaled to each age's theta (the calculator gives none by age). Short-term: "
              "Chen R. et al. 2017 (AJRCCM 196, 73; 272 cities, PM2.5) and Yin P. et al. 2017 (EHP 125, 117006; "
              "272 cities, MDA8 O3), per 10 ug m-3 with their 95 % posterior intervals, applied to the same-day "
              "change (the studies' lag 0–1 and 0–3 day means are not applied). Chen's non-accidental and Yin's "
              "non-accidental and cardiovascular figures are checked against the abstracts; Chen's cardiovascular "
              "and respiratory figures are not yet checked against the paper. Yin et al. publish no number for "
              "respiratory deaths in the abstract (\"positive but imprecise and nonsignificant\"): no O3 "
              "respiratory row. Outcomes of different rows are "
              "alternatives: do not add NCD+LRI to its causes, nor the PM2.5 to the O3 rows (they overlap).",
              "- **Population.** People per cell of each province from `airmodel.analysis.regions.population`; "
              "this page counts Beijing, Tianjin and the part of Hebei inside the grid (the results' region "
              f"'Beijing-Tianjin-Hebei'; {others_text(ds)}). Age groups take each "
              "province's own age structure: its people aged 0–14, 15–64 and 65+ in the 2008 National Sample "
              "Survey on Population Changes (China Statistical Yearbook 2009, table 3-10), split into 5-year "
              "groups in the proportions of the 2000 census (China Statistical Yearbook 2002, table 4-11) within "
              "each broad group (the yearbooks give no 5-year groups by province for 2008). The 25+ share: "
              + ", ".join(f"{name} {fig(incidence.age_share(25, 120, code, a['incidence_year']) * 100, 3)} %"
                          for name, code in (("Beijing", "110000"), ("Tianjin", "120000"), ("Hebei", "130000")))
              + f" (the 2000 census nationally: {fig(incidence.age_share(25, 120) * 100, 3)} %). The baseline "
              "rates are standardised with the same structures, so each province's all-age crude rate is kept.",
              f"- **Baseline incidence.** All-cause rates by age: the census age pattern scaled so that, with the "
              f"province's age structure, it gives the province's crude death rate of {a['incidence_year']} "
              f"({crude} per thousand). "
              "Cause shares of adult deaths from GBD 2015 for China (via the GEMM calculator): NCD+LRI "
              f"{fig(incidence.cause_share('ncd_lri') * 100, 3)} %, the same at every age and in every province. "
              "Short-term: non-accidental = all causes (overstates by the injuries' share), cardiovascular = IHD + "
              "stroke, respiratory = COPD + LRI (both understate).",
              f"- **Valuation.** VSL {fig(vsl.value / 1e6, 3)} million yuan ({vsl.currency} of {vsl.price_year}; "
              f"{vsl.source}); lognormal uncertainty with log sd {fig(vsl.log_sd, 3)} from the six-city range. No "
              "benefit transfer to 2008 incomes (income ratio 1): the value is in the study's price year and income "
              "level; `--income-ratio` with elasticity 0.8 (OECD 2012) moves it. Long-term deaths are spread by "
              "the US EPA cessation lag (30 % in year 1, 50 % over years 2–5, 20 % over years 6–20) and discounted "
              f"at {fig(a['discount_rate'] * 100, 2)} % a year (factor {fig(a['lag_discount_factor'], 4)}); "
              "short-term deaths are valued undiscounted. Cost of illness is not included (mortality only).",
              f"- **Uncertainty.** {a['draws']} Monte Carlo draws (seed {a['seed']}) over each outcome's beta or theta "
              "(normal, with its published standard error) and the VSL; the interval is the 2.5th to 97.5th "
              "percentile. Not included: the uncertainty of the model's concentrations, of the population and of "
              "the baseline rates.", "",
              "## Using it", "",
              "```",
              "airmodel health BASE.nc CASE.nc -o DIR [--start YYYY-MM-DD --end YYYY-MM-DD] [--draws 1000 --seed 0]",
              "        [--sampling montecarlo|lhs] [--functions FILE.csv] [--vsl cao2023|hoffmann2017]",
              "        [--income-ratio R --elasticity 0.8] [--discount-rate 0.03] [--incidence-year Y]",
              "        [--population POP.nc] [--force]",
              "airmodel report BASE.nc CASE.nc --health DIR -o report.html",
              "```", "",
              "Any two run files on the same grid over the same hours can be compared (ensemble members, a nest "
              "against its own base); runs on different grids or periods, a function table with a missing "
              "parameter, a negative population or `--draws` of 0 stop with exit code 2 and write nothing. In "
              "Python, `airmodel.health.health_impacts(base, case, functions, Options(...))` returns the same "
              "results as an xarray Dataset.", "",
              "DIR holds `health.nc` (CF-1.8: maps of avoided deaths and value by outcome and statistic, exposure "
              "fields, the regional tables), `long_term.csv` and `short_term.csv` (by region and outcome: deaths and "
              "value, central, mean, 2.5 and 97.5 percentiles), `by_age.csv`, `exposure.csv` and `summary.md`.", "",
              "A function is one row of a CSV table (the packaged one is `airmodel/data/health/functions.csv`): "
              "`id, group, endpoint, term (long|short), pollutant (PM25|O3), metric (annual_mean|daily_mean|mda8), "
              "form (gemm|loglinear|linear|logistic), age_start, age_end, incidence, beta, beta_se` or, instead of "
              "beta and its se, `increment, percent, percent_low, percent_high` as a paper gives them, and for the "
              "GEMM `alpha, mu, nu, counterfactual`; concentrations in ug m-3, a `source` for the citation. Rows "
              "with the same group and endpoint add up (the age groups of one cause).", ""]
    return "\n".join(lines)


def run_history(path) -> str:
    """The first line of a run file's ``history`` attribute (its date and command)."""
    with xr.open_dataset(path) as ds:
        return str(ds.attrs.get("history", "no history attribute")).splitlines()[0]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("base", type=Path)
    p.add_argument("case", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--force", action="store_true")
    args = p.parse_args(argv)
    ds = health_impacts(args.base, args.case, None, Options(draws=args.draws, seed=0, start=START, end=END))
    with atomic_file(args.output, force=args.force) as tmp:
        tmp.write_text(page(ds, args.base, args.case), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
