"""Health impacts of a scenario against a base run: exposure change, avoided deaths by outcome and age, and their
value, per cell, per region (the domain; Beijing, Tianjin and Hebei together; each province with people in the
grid), with a central estimate and a 95 % interval from draws over the functions' and the VSL's uncertainty.
``health_impacts`` returns an xarray Dataset; ``airmodel health`` (health_command.py) writes it.

Long-term and short-term effects are kept apart:

- long-term (``term = long``; GEMM): the annual-mean concentration is taken as the period mean of the hourly
  surface field in each run, i.e. the change over the period is taken as if it lasted a whole year. The result is
  avoided deaths per year ("annualised"), valued with the cessation lag and discounting (valuation.py);
- short-term (``term = short``): daily values by local day (daily-mean PM2.5, MDA8 O3 in ug m-3 at the standard
  state of GB 3095-2012, the units of the Chinese time-series studies), each day's avoided deaths
  y0/365 x P x (1 - RR(C_case)/RR(C_base)) summed over the period's days; the lag structure of the studies
  (lag 0-1 and 0-3 day means) is not applied: the same-day change stands for it.

Population: the people of each province in each cell (airmodel.analysis.regions.population: every unit of the
population table, so Beijing, Tianjin, Hebei and the parts of Shanxi, Inner Mongolia, Liaoning, Shandong and Henan in
the parent domain of the ready August scenarios), times the share of the function's age group in that province's age
structure (incidence.py: the 2008 sample survey's broad groups by province, split into 5-year groups in the 2000
census proportions), with that province's crude death rate; people of a province without a rate in the table take
China's. A user's gridded population may replace it (``population=``: people per cell [lat, lon] on the runs' grid;
each cell's people split among the provinces with rates by the cell's area share in each, the rest taking China's
rates). ``people_weight`` (lat, lon; in [0, 1]) counts only that share of each cell's people: a nested run's parent
domain outside its inner domain (airmodel rank).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from ..analysis.daily import hour_starts, local_days
from ..analysis.regions import frame_of, population, region_fraction
from ..analysis.standards import to_standard_units
from ..emissions.regions import BTH, BTH_REGION, SUMMARY_PROVINCES
from ..errors import InputError
from ..files import open_netcdf
from ..version import __version__
from . import incidence, valuation
from .functions import Function, avoided_fraction, read_functions
from .uncertainty import STATISTICS, check_draws, standard_normals, summarise

log = logging.getLogger("airmodel")

DAYS_PER_YEAR = 365.0
ELSEWHERE = incidence.CHINA


def rated_provinces(year: int | None = None) -> tuple[str, ...]:
    """The provinces with their own baseline rates (a crude death rate in data/health/provinces.csv in the table's
    year nearest ``year``; in any year with None), Beijing, Tianjin and Hebei first."""
    y = None if year is None else incidence.nearest_year(year)
    codes = sorted({code for code, row_year in incidence.crude_death_rates()
                    if code != ELSEWHERE and (y is None or row_year == y)})
    return tuple(sorted(codes, key=lambda c: (c not in BTH, c)))


def province_name(code: str) -> str:
    return "elsewhere (China)" if code == ELSEWHERE else SUMMARY_PROVINCES.get(code, code)


@dataclass
class Options:
    draws: int = 1000
    seed: int = 0
    sampling: str = "montecarlo"
    start: str | None = None  # first local day (YYYY-MM-DD) of the period, inclusive
    end: str | None = None  # last local day, inclusive
    vsl: str = valuation.DEFAULT_VSL
    income_ratio: float = 1.0
    elasticity: float = valuation.DEFAULT_ELASTICITY
    discount_rate: float = valuation.DEFAULT_DISCOUNT_RATE
    incidence_year: int | None = None  # default: the year of the period


# -- the runs ------------------------------------------------------------------------------------------------------
def open_run(path, role: str) -> xr.Dataset:
    ds = open_netcdf(Path(path), f"{role} run file")
    for need in ("lon", "lat", "time"):
        if need not in ds.coords:
            ds.close()
            raise InputError(f"{path}: no {need!r} coordinate: not a lon-lat airmodel run with hourly means")
    ds.attrs["_path"] = str(path)
    return ds


def check_pair(base: xr.Dataset, case: xr.Dataset) -> None:
    """The two runs must share the grid and the period (hour for hour, day for day)."""
    bp, cp = base.attrs.get("_path", "base"), case.attrs.get("_path", "case")
    if base.sizes["lon"] != case.sizes["lon"] or base.sizes["lat"] != case.sizes["lat"] or not (
            np.allclose(base.lon, case.lon) and np.allclose(base.lat, case.lat)):
        raise InputError(f"{cp}: its grid ({case.sizes['lon']} x {case.sizes['lat']} cells from "
                         f"{float(case.lon[0]):.4f}E {float(case.lat[0]):.4f}N) is not the base run's "
                         f"({base.sizes['lon']} x {base.sizes['lat']} from {float(base.lon[0]):.4f}E "
                         f"{float(base.lat[0]):.4f}N, {bp}); health impacts need two runs on the same grid")
    bt, ct = base.time.values, case.time.values
    if bt.shape != ct.shape or not np.array_equal(bt, ct):
        raise InputError(f"{cp}: its period ({str(ct[0])[:16]} to {str(ct[-1])[:16]}, {ct.size} hours) is not the "
                         f"base run's ({str(bt[0])[:16]} to {str(bt[-1])[:16]}, {bt.size} hours, {bp}); health "
                         "impacts need two runs over the same hours")


def _local_date(text, option: str):
    if text is None:
        return None
    try:
        return np.datetime64(str(text), "D")
    except ValueError:
        raise InputError(f"{option} {text!r}: give a local date YYYY-MM-DD") from None


def _period(ds: xr.Dataset, start, end):
    """Indices of the hours and the days of the period, and the selected local days."""
    hours_day = local_days(hour_starts(ds))
    day_dates = local_days(ds["day"].values.astype("datetime64[s]")) if "day" in ds.dims else np.array(
        [], dtype="datetime64[D]")
    first = _local_date(start, "--start") if start is not None else hours_day.min()
    last = _local_date(end, "--end") if end is not None else hours_day.max()
    if first > last:
        raise InputError(f"--start {first} is after --end {last}")
    hours = np.nonzero((hours_day >= first) & (hours_day <= last))[0]
    days = np.nonzero((day_dates >= first) & (day_dates <= last))[0]
    if hours.size == 0:
        raise InputError(f"{ds.attrs.get('_path', 'run')}: no hour of the runs lies in {first}..{last} (the runs "
                         f"cover {hours_day.min()}..{hours_day.max()}, local days)")
    return hours, days, day_dates[days], (first, last)


def _field(ds: xr.Dataset, name: str, axis_index, axis: str) -> np.ndarray:
    if name not in ds:
        raise InputError(f"{ds.attrs.get('_path', 'run')}: no variable {name!r}, which the health functions need "
                         "(hourly means and daily products: output.hourly_means and output.daily)")
    da = ds[name].isel({axis: axis_index})
    if da.ndim != 3:
        raise InputError(f"{ds.attrs.get('_path', 'run')}: {name} has dimensions {da.dims}; expected "
                         f"({axis}, lat, lon) surface fields")
    pollutant = "O3" if name.startswith("O3") else "PM25"
    return to_standard_units(pollutant, da.values, da.attrs.get("units", ""), where=f"{ds.attrs.get('_path')}: "
                                                                                    f"{name}")


def _mean(values: np.ndarray) -> np.ndarray:
    valid = np.isfinite(values)
    n = valid.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.where(valid, values, 0.0).sum(axis=0) / np.maximum(n, 1), np.nan)


# -- population ----------------------------------------------------------------------------------------------------
def people_by_province(ds: xr.Dataset, gridded=None, where: str = "population",
                       year: int | None = None) -> dict[str, np.ndarray]:
    """{province code: people in each cell}: the provinces with rates (Beijing, Tianjin and Hebei always, the others
    where the grid holds people of theirs) and, under China's code, the people of provinces without a rate; with a
    gridded total, split by area shares (rest: China)."""
    frame = frame_of(ds, "health")
    shape = (frame.ny, frame.nx)
    rated = rated_provinces(year)
    if gridded is None:
        out, rest = {}, np.zeros(shape)
        for code in rated + tuple(c for c in SUMMARY_PROVINCES if c not in rated):
            people = np.asarray(population(frame, code), dtype=float)
            if code in BTH or (code in rated and people.any()):
                out[code] = people
            else:
                rest = rest + people
        if rest.any():
            out[ELSEWHERE] = rest
        where = "the population of airmodel.analysis.regions"
    else:
        grid = np.asarray(gridded, dtype=float)
        if grid.shape != shape:
            raise InputError(f"{where}: population grid {grid.shape} is not the runs' grid {shape} (lat, lon)")
        _check_people(grid, where)
        out, rest = {}, np.ones(shape)
        for code in rated:
            share = np.clip(region_fraction(frame, code), 0.0, 1.0)
            if code in BTH or share.any():
                out[code] = grid * share
            rest = rest - share
        out[ELSEWHERE] = grid * np.clip(rest, 0.0, 1.0)
    for code, people in out.items():
        _check_people(people, f"{where} (province {code})")
    return out


def _check_people(people: np.ndarray, where: str) -> None:
    bad = ~np.isfinite(people) | (people < 0)
    if bad.any():
        j, i = np.argwhere(bad)[0]
        raise InputError(f"{where}: population {people[j, i]!r} in cell (lat index {j}, lon index {i}); people "
                         "per cell must be finite and >= 0")


def read_population(path, ds: xr.Dataset) -> np.ndarray:
    """A gridded population file: NetCDF with a variable ``population`` (people per cell) [lat, lon]."""
    pop = open_netcdf(Path(path), "population file")
    try:
        if "population" not in pop:
            raise InputError(f"{path}: no variable 'population' (people per cell, dimensions lat, lon)")
        da = pop["population"]
        if da.dims != ("lat", "lon") or da.shape != (ds.sizes["lat"], ds.sizes["lon"]):
            raise InputError(f"{path}: population has dimensions {da.dims} {da.shape}; the runs' grid is (lat, lon) "
                             f"{(ds.sizes['lat'], ds.sizes['lon'])}")
        values = da.values.astype(float)
        _check_people(values, str(path))
        return values
    finally:
        pop.close()


# -- the computation -----------------------------------------------------------------------------------------------
def health_impacts(base, case, functions=None, options: Options | None = None, population_grid=None,
                   population_source: str = "population", people_weight=None) -> xr.Dataset:
    """Health impacts of ``case`` against ``base`` (run files or opened Datasets); ``functions``: a table path or a
    list of Function (default: the packaged table); ``people_weight``: the share of each cell's people counted
    (lat, lon; default all). See the module notes."""
    opts = options or Options()
    opened = []
    try:
        if not isinstance(base, xr.Dataset):
            base = open_run(base, "base")
            opened.append(base)
        if not isinstance(case, xr.Dataset):
            case = open_run(case, "case")
            opened.append(case)
        fns = functions if isinstance(functions, list) else read_functions(functions)
        return _impacts(base, case, fns, opts, population_grid, population_source, people_weight)
    finally:
        for ds in opened:
            ds.close()


def _outcomes(fns: list[Function]) -> list[str]:
    return list(dict.fromkeys(f.outcome for f in fns))


def _weighted_people(people: dict, weight, shape) -> dict:
    if weight is None:
        return people
    weight = np.asarray(weight, dtype=float)
    if weight.shape != shape or not np.all((weight >= 0) & (weight <= 1)):
        values = f"range {np.min(weight):g}..{np.max(weight):g}" if weight.size else "no values"
        raise InputError(f"people_weight: a share of each cell's people in [0, 1] on the runs' grid {shape} "
                         f"(lat, lon) is needed; got shape {weight.shape}, {values}")
    return {code: p * weight for code, p in people.items()}


def _impacts(base, case, fns, opts: Options, population_grid, population_source, people_weight=None) -> xr.Dataset:
    draws, seed = check_draws(opts.draws, opts.seed)
    check_pair(base, case)
    vsl = valuation.vsl(opts.vsl)
    transfer = valuation.transfer_factor(opts.income_ratio, opts.elasticity)
    lag_factor = valuation.lag_discount_factor(opts.discount_rate)
    hours, days, dates, (first, last) = _period(base, opts.start, opts.end)
    year = int(opts.incidence_year) if opts.incidence_year is not None else int(str(first)[:4])
    shape = (base.sizes["lat"], base.sizes["lon"])
    people = _weighted_people(people_by_province(base, population_grid, population_source, year), people_weight, shape)

    # concentrations (ug m-3): period means for long-term functions, daily values for short-term ones
    need = {(f.pollutant, f.metric) for f in fns}
    conc = {}
    for pollutant, metric in need:
        if metric == "annual_mean":
            conc[(pollutant, metric)] = tuple(_mean(_field(ds, pollutant, hours, "time")) for ds in (base, case))
        else:
            if days.size == 0:
                raise InputError(f"{base.attrs.get('_path')}: no daily fields in the period; short-term functions "
                                 "need the runs' daily products (output.daily)")
            name = "PM25_24h" if pollutant == "PM25" else "O3_mda8"
            conc[(pollutant, metric)] = tuple(_field(ds, name, days, "day") for ds in (base, case))

    outcomes = _outcomes(fns)
    z = standard_normals(len(outcomes) + 1, draws, seed, opts.sampling)
    z_of = {o: z[:, k] for k, o in enumerate(outcomes)}
    vsl_draws = vsl.value * np.exp(vsl.log_sd * z[:, -1]) * transfer
    vsl_central = vsl.value * transfer

    codes = list(people)
    # the regions: the domain (everyone), Beijing-Tianjin-Hebei, and each province of the people but "elsewhere";
    # membership of each province's people in each region
    regions = [("domain", set(codes)), (BTH_REGION, set(BTH))] + [
        (province_name(code), {code}) for code in codes if code != ELSEWHERE]
    region_names = [name for name, _ in regions]
    member = np.array([[1.0 if p in inside else 0.0 for p in codes] for _, inside in regions])

    n_out, n_fn, n_reg = len(outcomes), len(fns), len(region_names)
    deaths_map = np.zeros((n_out, *shape, 4))
    value_map = np.zeros((n_out, *shape, 4))
    deaths_region_draws = np.zeros((n_out, n_reg, draws))
    deaths_region_central = np.zeros((n_out, n_reg))
    fn_region_draws = np.zeros((n_fn, n_reg, draws))
    fn_region_central = np.zeros((n_fn, n_reg))
    flat = shape[0] * shape[1]
    for k, outcome in enumerate(outcomes):
        cell_draws = np.zeros((draws, flat))
        cell_central = np.zeros(flat)
        for n, f in ((n, f) for n, f in enumerate(fns) if f.outcome == outcome):
            beta_draws = (f.beta + f.beta_se * z_of[outcome])[:, None]
            cb, cc = conc[(f.pollutant, f.metric)]
            rates = [incidence.baseline_rate(code, f.incidence, f.age_start, f.age_end, year)
                     if f.form != "linear" else 1.0 for code in codes]  # ELSEWHERE is China's own row
            # each province's people of the function's ages: its own age structure (incidence.py)
            pops = [(people[code] * incidence.age_share(f.age_start, f.age_end, code, year)).reshape(flat)
                    for code in codes]
            if f.form == "logistic":
                # not linear in y0: one pass per province
                parts = [_avoided(f, cb, cc, y0, beta_draws, pop, pop > 0) for y0, pop in zip(rates, pops)]
            else:
                # dy = y0 P x F(beta, C): one pass over the cells with people, weighted by each province's y0 P
                weights = [y0 * pop for y0, pop in zip(rates, pops)]
                active = sum(weights) > 0
                fc, fd = _avoided(f, cb, cc, 1.0, beta_draws, np.ones(flat), active)
                parts = [(fc * w[active], fd * w[active][None, :]) for w in weights]
            for p_index, (central, by_draw) in enumerate(parts):
                active_p = pops[p_index] > 0 if f.form == "logistic" else active
                cell_central[active_p] += central
                cell_draws[:, active_p] += by_draw
                total_c, total_d = central.sum(), by_draw.sum(axis=1)
                fn_region_central[n] += member[:, p_index] * total_c
                fn_region_draws[n] += member[:, p_index][:, None] * total_d[None, :]
                deaths_region_central[k] += member[:, p_index] * total_c
                deaths_region_draws[k] += member[:, p_index][:, None] * total_d[None, :]
        factor = lag_factor if _term(fns, outcome) == "long" else 1.0
        deaths_map[k] = summarise(cell_central, cell_draws).reshape(*shape, 4)
        value_map[k] = summarise(cell_central * vsl_central * factor,
                                 cell_draws * (vsl_draws * factor)[:, None]).reshape(*shape, 4)

    deaths_region = summarise(deaths_region_central, deaths_region_draws, axis=-1)
    factors = np.array([lag_factor if _term(fns, o) == "long" else 1.0 for o in outcomes])
    value_region = summarise(deaths_region_central * vsl_central * factors[:, None],
                             deaths_region_draws * vsl_draws[None, None, :] * factors[:, None, None], axis=-1)
    fn_region = summarise(fn_region_central, fn_region_draws, axis=-1)

    # exposure: population-weighted (all ages) period means
    total_people = sum(people.values())
    region_people = [sum(people[c] * member[r, i] for i, c in enumerate(codes)) for r in range(n_reg)]
    exposure = {}
    maps = {}
    for label, (pollutant, source, idx, axis) in {
            "PM25": ("PM25", "PM25", hours, "time"), "O3_mda8": ("O3", "O3_mda8", days, "day")}.items():
        if source not in base or source not in case or (axis == "day" and days.size == 0):
            continue
        b, c = (_mean(_field(ds, source, idx, axis)) for ds in (base, case))
        maps[label] = (b, c)
        exposure[label] = np.array([[_weighted(b, w), _weighted(c, w)] for w in region_people])

    return _dataset(base, case, fns, outcomes, region_names, deaths_map, value_map, deaths_region, value_region,
                    fn_region, exposure, maps, total_people, region_people, dict(
                        period_start=str(first), period_end=str(last), period_days=int(dates.size),
                        period_hours=int(hours.size), draws=draws, seed=seed, sampling=opts.sampling,
                        vsl=vsl.id, vsl_yuan=vsl.value, vsl_price_year=vsl.price_year, vsl_currency=vsl.currency,
                        vsl_log_sd=vsl.log_sd, vsl_source=vsl.source, income_ratio=float(opts.income_ratio),
                        income_elasticity=float(opts.elasticity), benefit_transfer_factor=transfer,
                        discount_rate=float(opts.discount_rate), lag_discount_factor=lag_factor,
                        incidence_year=incidence.nearest_year(year), population_source=(
                            population_source if population_grid is not None else
                            "airmodel.analysis.regions.population")))


def _term(fns, outcome: str) -> str:
    return next(f.term for f in fns if f.outcome == outcome)


def _avoided(f: Function, cb, cc, y0, beta_draws, pop, active):
    """Avoided deaths of one function in the ``active`` cells (flat indices of a mask): central [cells] and draws
    [draws, cells]; long-term per year, short-term summed over the days (y0 per year is spread over 365 days)."""
    flat = pop.size
    fields = [(cb.reshape(flat), cc.reshape(flat))] if f.term == "long" else [
        (cb[d].reshape(flat), cc[d].reshape(flat)) for d in range(cb.shape[0])]
    y = y0 if f.term == "long" else y0 / DAYS_PER_YEAR
    weight = pop[active]
    central = np.zeros(weight.size)
    by_draw = np.zeros((beta_draws.shape[0], weight.size))
    for b, c in fields:
        b, c = b[active], c[active]
        ok = np.isfinite(b) & np.isfinite(c)  # a cell without a valid value that day adds nothing
        if not ok.any():
            continue
        b, c = np.where(ok, b, 0.0), np.where(ok, c, 0.0)
        central += avoided_fraction(f, b, c, y) * weight * ok
        by_draw += avoided_fraction(f, b[None, :], c[None, :], y, beta_draws) * (weight * ok)[None, :]
    return central, by_draw


def _weighted(field: np.ndarray, weights: np.ndarray) -> float:
    ok = np.isfinite(field) & (weights > 0)
    total = np.where(ok, weights, 0.0).sum()
    return float(np.where(ok, field * weights, 0.0).sum() / total) if total > 0 else float("nan")


# -- the Dataset ---------------------------------------------------------------------------------------------------
def _dataset(base, case, fns, outcomes, regions, deaths_map, value_map, deaths_region, value_region, fn_region,
             exposure, maps, total_people, region_people, attrs) -> xr.Dataset:
    terms = [_term(fns, o) for o in outcomes]
    fn_of = {o: next(f for f in fns if f.outcome == o) for o in outcomes}
    currency = f"{attrs['vsl_currency']} of {attrs['vsl_price_year']}"
    coords = dict(
        lat=base["lat"].values, lon=base["lon"].values, region=np.array(regions, dtype=object),
        outcome=np.array(outcomes, dtype=object), statistic=np.array(STATISTICS, dtype=object),
        function=np.array([f.id for f in fns], dtype=object),
        outcome_term=("outcome", np.array(terms, dtype=object)),
        outcome_pollutant=("outcome", np.array([fn_of[o].pollutant for o in outcomes], dtype=object)),
        function_outcome=("function", np.array([f.outcome for f in fns], dtype=object)),
        function_age_start=("function", np.array([f.age_start for f in fns], dtype=np.int32)),
        function_age_end=("function", np.array([f.age_end for f in fns], dtype=np.int32)))
    ds = xr.Dataset(coords=coords)
    ds["lat"].attrs = dict(standard_name="latitude", long_name="latitude of the cell centre", units="degrees_north",
                           axis="Y")
    ds["lon"].attrs = dict(standard_name="longitude", long_name="longitude of the cell centre", units="degrees_east",
                           axis="X")
    ds["statistic"].attrs = dict(long_name="statistic: central (the central parameters), mean of the draws, low and "
                                           "high (2.5th and 97.5th percentiles of the draws)")
    ds["outcome"].attrs = dict(long_name="health outcome: function group / cause of death")
    ds["outcome_term"].attrs = dict(long_name="long: avoided deaths per year (annualised); short: over the period")
    ds["region"].attrs = dict(long_name="domain (all people in the grid), Beijing-Tianjin-Hebei (the three "
                                        "together) and each province with people in the grid")
    ds["function"].attrs = dict(long_name="concentration-response function (id in the function table)")
    ds["outcome_pollutant"].attrs = dict(long_name="pollutant of the outcome's functions")
    ds["function_outcome"].attrs = dict(long_name="outcome the function adds to")
    ds["function_age_start"].attrs = dict(long_name="first age of the function's age group", units="year")
    ds["function_age_end"].attrs = dict(long_name="last age of the function's age group (120: no upper bound)",
                                        units="year")
    deaths_units = "1"
    ds["avoided_deaths"] = (("outcome", "region", "statistic"), deaths_region, dict(
        units=deaths_units, long_name="avoided deaths (case against base): per year for long-term outcomes, over "
                                      "the period for short-term ones"))
    ds["avoided_deaths_by_function"] = (("function", "region", "statistic"), fn_region, dict(
        units=deaths_units, long_name="avoided deaths by function (cause and age group)"))
    ds["value"] = (("outcome", "region", "statistic"), value_region, dict(
        units="1", long_name=f"value of the avoided deaths in yuan ({currency}); long-term: per year of exposure "
                             "change, lagged and discounted", currency=currency))
    ds["avoided_deaths_map"] = (("outcome", "statistic", "lat", "lon"), np.moveaxis(deaths_map, -1, 1), dict(
        units=deaths_units, long_name="avoided deaths in each cell"))
    ds["value_map"] = (("outcome", "statistic", "lat", "lon"), np.moveaxis(value_map, -1, 1), dict(
        units="1", long_name=f"value of the avoided deaths in each cell in yuan ({currency})", currency=currency))
    ds["population"] = (("lat", "lon"), total_people, dict(units="1", long_name="people living in each cell"))
    ds["region_population"] = (("region",), np.array([p.sum() for p in region_people]), dict(
        units="1", long_name="people living in the region (in the grid)"))
    labels = {"PM25": ("period-mean surface PM2.5", "mass_concentration_of_pm2p5_ambient_aerosol_particles_in_air"),
              "O3_mda8": ("period mean of the daily maximum 8-hour ozone, at the standard state of GB 3095-2012 "
                          "(273.15 K, 101.325 kPa)", "")}
    for label, values in exposure.items():
        long_name, std = labels[label]
        for j, which in enumerate(("base", "case")):
            ds[f"exposure_{label}_{which}"] = (("region",), values[:, j], dict(
                units="ug m-3", long_name=f"population-weighted {long_name}, {which} run"))
        ds[f"exposure_{label}_change"] = (("region",), values[:, 1] - values[:, 0], dict(
            units="ug m-3", long_name=f"population-weighted {long_name}, case - base"))
        b, c = maps[label]
        for which, field in (("base", b), ("case", c), ("change", c - b)):
            attrs_ = dict(units="ug m-3", long_name=f"{long_name}, {which if which != 'change' else 'case - base'}")
            if std and which != "change":
                attrs_["standard_name"] = std
            ds[f"{label}_{which}"] = (("lat", "lon"), field, attrs_)
    ds.attrs.update(dict(Conventions="CF-1.8", title="airmodel health impacts: case against base",
                         institution="airmodel", source=f"airmodel {__version__} health",
                         base_run=str(base.attrs.get("_path", "")), case_run=str(case.attrs.get("_path", "")),
                         base_title=str(base.attrs.get("title", "")), case_title=str(case.attrs.get("title", "")),
                         history=f"{np.datetime64('now')}Z airmodel health {base.attrs.get('_path', '')} "
                                 f"{case.attrs.get('_path', '')}"))
    ds.attrs.update({k: v for k, v in attrs.items()})
    return ds
