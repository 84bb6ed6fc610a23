"""``airmodel health BASE.nc CASE.nc -o DIR``: avoided deaths and their value, case against base, with a 95 %
interval (airmodel/health/). Any two run files on the same grid over the same hours (ensemble members, nested
domains) can be compared. Bad input (runs on different grids or periods, a function table with a missing
parameter, a negative population, draws <= 0) is exit 2 with nothing written."""
from __future__ import annotations

import logging
from pathlib import Path

from .errors import InputError
from .files import check_new_folder
from .health import Options, health_impacts
from .health.impact import open_run, read_population
from .health.outputs import write_health
from .health.uncertainty import SAMPLING
from .health.valuation import DEFAULT_DISCOUNT_RATE, DEFAULT_ELASTICITY, DEFAULT_VSL, read_vsl_table

COMMAND = "health"
log = logging.getLogger("airmodel")


def add_parser(sub) -> None:
    p = sub.add_parser("health", help="health impacts of a scenario against a base run: avoided deaths (long- and "
                                      "short-term) and their value in yuan, with 95 %% intervals")
    p.add_argument("base", help="the base run's NetCDF file (airmodel run output)")
    p.add_argument("case", help="the scenario run's NetCDF file (same grid and hours)")
    p.add_argument("-o", "--output", required=True, help="output folder")
    p.add_argument("--functions", metavar="CSV", help="concentration-response function table (default: the packaged "
                                                      "one, data/health/functions.csv)")
    p.add_argument("--draws", type=int, default=1000, help="Monte Carlo draws (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    p.add_argument("--sampling", choices=SAMPLING, default="montecarlo", help="plain Monte Carlo or Latin hypercube")
    p.add_argument("--start", metavar="YYYY-MM-DD", help="first local day of the period (default: the runs' first)")
    p.add_argument("--end", metavar="YYYY-MM-DD", help="last local day of the period (default: the runs' last)")
    p.add_argument("--vsl", default=DEFAULT_VSL, help=f"VSL study (default {DEFAULT_VSL}; "
                                                      f"one of {', '.join(read_vsl_table())})")
    p.add_argument("--income-ratio", type=float, default=1.0, help="benefit transfer: income per head of the "
                                                                   "target over the VSL study's (default 1)")
    p.add_argument("--elasticity", type=float, default=DEFAULT_ELASTICITY, help="income elasticity of the VSL "
                                                                                "(default 0.8, OECD 2012)")
    p.add_argument("--discount-rate", type=float, default=DEFAULT_DISCOUNT_RATE, help="annual discount rate of "
                                                                                      "lagged deaths (default 0.03)")
    p.add_argument("--incidence-year", type=int, help="year of the baseline death rates (default: the period's)")
    p.add_argument("--population", metavar="NC", help="gridded population (variable 'population', people per "
                                                      "cell on the runs' grid) instead of the packaged one")
    p.add_argument("--force", action="store_true", help="replace an existing output folder")


def command(args) -> int:
    output = Path(args.output)
    check_new_folder(output, args.force)
    if args.draws <= 0:
        raise InputError(f"--draws {args.draws}: give a whole number of draws > 0")
    base, case = open_run(args.base, "base"), open_run(args.case, "case")
    try:
        grid = read_population(args.population, base) if args.population else None
        ds = health_impacts(base, case, args.functions, Options(
            draws=args.draws, seed=args.seed, sampling=args.sampling, start=args.start, end=args.end, vsl=args.vsl,
            income_ratio=args.income_ratio, elasticity=args.elasticity, discount_rate=args.discount_rate,
            incidence_year=args.incidence_year), population_grid=grid,
            population_source=str(args.population) if args.population else "population")
    finally:
        base.close()
        case.close()
    write_health(ds, output, args.force)
    log.info("wrote %s", output)
    return 0
