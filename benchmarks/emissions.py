"""Benchmark and accuracy record of the emission inventories, on the default 2008 inventory.

    python benchmarks/emissions.py [--hours 8784] [--no-year]

Measures, on the greater-Beijing 0.1-degree domain with 11 layers and the grs_aero species:

1. the time to build the Emissions object (read, rasterize, control, grid, speciate; regions cached per process);
2. the time of one hourly ``rates`` call (spread sources cached per hour, stacks by plume rise every call);
3. accuracy: every hour of 2008 (local year) summed, rates x 3600 s, against the inventory's annual amount inside
   the domain, per pollutant (the speciation table here maps each pollutant to one species, mass for mass), and
   the share outside the domain;
4. the time of ``airmodel inventory summarize`` on the Olympic scenario, and its Beijing changes against Wang et
   al. (2010).

Writes benchmarks/results/emissions.json. There is no JIT here (NumPy), so no compile time to separate.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from airmodel.emissions.inventory import Emissions  # noqa: E402
from airmodel.emissions.quantities import POLLUTANTS  # noqa: E402
from airmodel.inventory_summary import summarize  # noqa: E402
from airmodel.grid import VerticalLayers, lonlat_grid  # noqa: E402

LAYERS = [0.0, 50.0, 120.0, 220.0, 350.0, 520.0, 750.0, 1050.0, 1450.0, 2000.0, 2800.0, 4000.0]
GRS = ["NO", "NO2", "SO2", "SULF", "CO", "ROC", "NH3", "EC", "POA", "PM25_OTHER", "PMC", "CO2"]
IDENTITY = {"SO2": "SO2", "NOx": "NO2", "CO": "CO", "NMVOC": "ROC", "NH3": "NH3", "PM10": "PMC", "PM2.5": "PM25_OTHER",
            "BC": "EC", "OC": "POA", "CO2": "CO2"}
WANG = {"SO2": -41.0, "NOx": -47.0, "PM10": -55.0, "NMVOC": -57.0}


def grid():
    return lonlat_grid(113.5, 119.5, 37.0, 42.5, 0.1, VerticalLayers.from_interfaces(LAYERS))


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--hours", type=int, default=8784, help="hours of 2008 to integrate (8784: the whole year)")
    p.add_argument("--no-year", action="store_true", help="skip the year integration")
    args = p.parse_args()
    out = {}

    t0 = time.perf_counter()
    e = Emissions({"inventory": "default_2008"}, [], grid(), GRS, None, None, common.REPO_ROOT)
    out["build_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    e2 = Emissions({"inventory": "default_2008"}, [], grid(), GRS, None, None, common.REPO_ROOT)
    out["build_again_s"] = time.perf_counter() - t0  # region rasters cached
    start = e.inventory.clock.utc(datetime(2008, 8, 8))
    times = []
    for h in range(48):
        t0 = time.perf_counter()
        r = e2.rates(start + timedelta(hours=h))
        times.append(time.perf_counter() - t0)
    out["rates_s_median"] = float(np.median(times))
    out["rates_elevated_entries"] = int(r.rate.size)
    out["components"] = len(e.inventory.components)

    if not args.no_year:
        with tempfile.TemporaryDirectory() as d:
            table = Path(d) / "identity.csv"
            table.write_text("sector,pollutant,species,fraction,basis\n"
                             + "".join(f"*,{p},{s},1,mass\n" for p, s in IDENTITY.items()))
            ident = Emissions({"inventory": "default_2008", "speciation": str(table)}, [], grid(),
                              list(IDENTITY.values()), None, None, common.REPO_ROOT)
        inv = ident.inventory
        expected = np.zeros(len(POLLUTANTS))
        full = np.zeros(len(POLLUTANTS))
        for c, inside in zip(inv.components, inv.in_domain):
            expected += c.amounts * c.weight[inside].sum()
            full += c.amounts
        t0 = time.perf_counter()
        y0 = inv.clock.utc(datetime(2008, 1, 1))
        total = np.zeros(len(IDENTITY))
        for h in range(args.hours):
            total += ident.rates(y0 + timedelta(hours=h)).by_species() * 3600.0
        out["year_integration_s"] = time.perf_counter() - t0
        order = [POLLUTANTS.index(p) for p in IDENTITY]
        if args.hours == 8784:
            rel = np.abs(total - expected[order]) / expected[order]
            out["year_relative_error"] = dict(zip(IDENTITY, rel.tolist()))
            out["year_relative_error_max"] = float(rel.max())
        out["share_outside_domain"] = dict(zip(POLLUTANTS, (1 - expected / full).tolist()))
        out["outside_sources"] = [(c.source_id, round(s, 4)) for c, s in inv.outside]

    scenario = "olympic_controls_check"  # a ready scenario, by name
    t0 = time.perf_counter()
    june = summarize(scenario, "2008-06-01/2008-07-01")
    games = summarize(scenario, "2008-08-08/2008-08-25")
    out["summarize_two_periods_s"] = time.perf_counter() - t0

    def get(rows, p, col):
        return next(r[col] for r in rows if (r["region"], r["sector"], r["pollutant"]) == ("Beijing", "all", p))

    out["olympic_beijing"] = {p: {"june_t_per_day": get(june, p, "before_t_per_day"),
                                  "games_before_t_per_day": get(games, p, "before_t_per_day"),
                                  "games_after_t_per_day": get(games, p, "after_t_per_day"),
                                  "change_vs_june_percent": 100 * (get(games, p, "after_t_per_day")
                                                                   / get(june, p, "before_t_per_day") - 1),
                                  "wang_2010_percent": WANG[p]} for p in WANG}
    path = common.write_result("emissions", out)
    for k, v in out.items():
        print(f"{k}: {v}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
