"""Write docs/aqueous.md: the aqueous-sulfate process, its checks, its rates at typical summer cloud conditions, and
what it changes in a grs_aero baseline run.

    airmodel run baseline_2008_08 -o off.nc --set run.hours=72
    airmodel run baseline_2008_08 -o on.nc --set run.hours=72 --set chemistry.aqueous_sulfate=true
    python tools/docs_aqueous.py off.nc on.nc -o docs/aqueous.md [--force]

The rates are computed here with the kernel's rate coefficients (airmodel/kernels/aqueous.py) and the module's
constants; the runs' numbers from their budgets (the chemical production of SO2 and sulfate, kg) and hourly
surface fields.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import netCDF4
import numpy as np

from airmodel import aqueous_chemistry as aq
from airmodel.data import resolve_scenario
from airmodel.files import write_text_atomic
from airmodel.grid import build_grid
from airmodel.met import build_meteorology
from airmodel.scenario import load
from airmodel.kernels import aqueous as kaq
from doc_tables import fig

PRESSURE = 101325.0  # Pa
GAS_CONSTANT = 8.314462618  # J mol-1 K-1
H2O2_PPB, O3_PPB = 1.0, 50.0


def percent_per_hour(temperature: float, ph: float, liquid_g_m3: float) -> tuple[float, float]:
    """Initial oxidation rate of SO2 in cloudy air (% h-1, small-SO2 limit) by 1 ppb of H2O2 and by 50 ppb of O3."""
    air = PRESSURE / (GAS_CONSTANT * temperature) / 1000.0  # mol of air per litre
    k_h, k_o = kaq.rate_coefficients(temperature, 10.0 ** -ph, liquid_g_m3 * 1e-6, air, **{
        k: v for k, v in aq.constants().items()})
    return k_h * H2O2_PPB * 1e-9 * 3.6e5, k_o * O3_PPB * 1e-9 * 3.6e5


def run_numbers(off: Path, on: Path) -> dict:
    out = {}
    for label, path in (("off", off), ("on", on)):
        with netCDF4.Dataset(path) as ds:
            out[label] = dict(
                sulfate_made=float(ds.getncattr("budget_SULF_chemical_kg")),
                so2_lost=-float(ds.getncattr("budget_SO2_chemical_kg")),
                o3_chemical=float(ds.getncattr("budget_O3_chemical_kg")),
                sulf=float(np.mean(np.asarray(ds["SULF"][:], dtype=float))),
                so2=float(np.mean(np.asarray(ds["SO2"][:], dtype=float))),
                hours=int(ds.dimensions["time"].size))
    return out


def cloud_liquid(hours: int = 72) -> tuple[float, float]:
    """Median and 90th percentile of the in-cloud liquid water (g m-3) over the cloudy cells of the baseline's
    synthetic weather, hourly over its first ``hours``."""
    scenario = load(resolve_scenario("baseline_2008_08"))
    grid = build_grid(scenario["domain"])
    met = build_meteorology(scenario["meteorology"], grid, start=scenario.start, end=scenario.end,
                            folder=scenario.folder)
    values = []
    for h in range(hours):
        snap = met.at(h * 3600.0)
        cloudy = (snap.cloud_fraction > 0) & (snap.cloud_water > 0)
        values.append(1e3 * snap.air_density[cloudy] * snap.cloud_water[cloudy] / snap.cloud_fraction[cloudy])
    values = np.concatenate(values)
    return float(np.median(values)), float(np.percentile(values, 90))


def document(runs: dict | None, clouds: tuple[float, float]) -> str:
    lines = [
        "# Aqueous sulfate in cloud water",
        "",
        "*Written by `tools/docs_aqueous.py`; every number below is computed by it.*",
        "",
        "`airmodel/aqueous_chemistry.py` (kernel `airmodel/kernels/aqueous.py`), switched by "
        "`chemistry.aqueous_sulfate` (unset: the mechanism's default, on with cb05_aero and off with grs_aero), runs in the model step after wet deposition and before the "
        "gas-phase chemistry, in cells with cloud water and cloud fraction. In the cloudy air SO2, H2O2 and O3 are "
        "at Henry's law equilibrium with the droplets (liquid water L = ρ q_c / (f ρ_w)); S(IV) is oxidised by "
        "H2O2 (k = 7.45×10⁷ M⁻² s⁻¹, nearly independent of pH) and by O3 (k0, k1, k2 on SO2·H2O, HSO3⁻, SO3²⁻, "
        "growing steeply with pH) at the mechanism's fixed cloud-water pH (5.0 in grs_aero, as for wet "
        "deposition), with the constants of Seinfeld and Pandis (2016, ch. 7) and Hoffmann and Calvert (1985). "
        "Each path is dx_S/dt = dx_ox/dt = −k x_S x_ox, solved in closed form over the step (O3 half a step, "
        "H2O2 a step, O3 half a step); the cell loses the cloud fraction's share. SO2 lost equals sulfate gained "
        "mole for mole, the oxidant is consumed one to one, nothing goes negative, and the net change is booked "
        "in the budget's chemical term (the budget guard checks the S balance after the process).",
        "",
        "It acts on the species the mechanism has: SO2 and SULF are needed, then H2O2 and O3 where present. "
        "`grs_aero` has no H2O2, so only the O3 path runs with it.",
        "",
        "## Checks (`tests/physics/test_aqueous_sulfate.py`)",
        "",
        "- SO2 and H2O2 in a cloud of constant liquid water for 2 h: the bimolecular closed form with k computed "
        "independently from the aqueous concentrations, to 1e-10; O3 in 10¹²-fold excess: exp(−k [O3] t), to "
        "1e-10; a partial cloud oxidises its share.",
        "- Random states and clouds: S conserved to 1e-13 per cell, no negative value, clear cells untouched bit "
        "for bit; no cloud: the run is bit for bit the run without the process; switched off: SO2 unchanged.",
        "- The budget's chemical term holds the transfer (mole for mole) and closes; a restart is bitwise.",
        "",
        f"## Rates at summer cloud conditions (initial % of SO2 per hour in the cloudy air, {H2O2_PPB:g} ppb "
        f"H2O2 or {O3_PPB:g} ppb O3, small SO2)",
        "",
        "| T (K) | pH | L (g m⁻³) | H2O2 path (% h⁻¹) | O3 path (% h⁻¹) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for t in (283.15, 298.15):
        for ph in (4.0, 4.5, 5.0, 5.5, 6.0):
            for liquid in (0.1, 0.3, 1.0):
                h, o = percent_per_hour(t, ph, liquid)
                lines.append(f"| {t:.2f} | {ph:.1f} | {liquid:g} | {fig(h)} | {fig(o)} |")
    h5, o5 = percent_per_hour(298.15, 5.0, 1.0)
    per_unit = o5 / percent_per_hour(298.15, 4.0, 1.0)[1]
    rt_l = kaq.R_LITRE_ATM * 298.15 * aq.H2O2_HENRY[0] * 1e-6
    o_cloud = percent_per_hour(298.15, 5.0, clouds[0])[1]
    crossing = next((ph for ph in np.arange(4.0, 7.001, 0.01)
                     if percent_per_hour(298.15, ph, 1.0)[1] > percent_per_hour(298.15, ph, 1.0)[0]), None)
    lines += [
        "",
        f"At pH 5, 298 K and 1 g m⁻³ the H2O2 path takes {fig(h5)} % of the SO2 an hour with 1 ppb of H2O2 (the "
        f"gas and droplets together: {fig(100 * rt_l / (1 + rt_l), 2)} % of the H2O2 is dissolved at that liquid "
        "water, so the rate is below the "
        "open-system value with the gas held at 1 ppb), the O3 path "
        f"{fig(o5)} % with 50 ppb of O3. The O3 path overtakes the H2O2 path above pH "
        f"{crossing:.2f} at 298 K and 1 g m⁻³; the textbook picture (Seinfeld and Pandis 2016, ch. 7) is the "
        "same: H2O2 dominates in acidic cloud water and is almost independent of pH, O3 grows steeply with pH "
        f"(here {fig(per_unit, 2)}-fold from pH 4 to 5: the dissolved S(IV) and its sulfite share both grow) and "
        "takes over in weakly acidic water. At these rates either path uses up its limiting "
        "reagent within about an hour in cloud; a fixed pH leaves out the acidification by the "
        "sulfate formed, which slows the O3 path in real clouds, so with O3 alone at a fixed pH 5 the scheme "
        "is an upper estimate.",
        "",
        "grs_aero's own reaction S2 already oxidises SO2 in the cloud-covered part of a cell at the MESOPUFF II "
        "rate of 3 % h⁻¹ (RH counted as 100 %); the O3 path, at 50 ppb of O3, pH 5, 298 K and the in-cloud "
        f"liquid water of the median cloudy cell of the baseline's first 72 h, {fig(clouds[0], 2)} g m⁻³ (90th "
        f"percentile {fig(clouds[1], 2)}), is {fig(o_cloud)} % h⁻¹, {fig(o_cloud / 3.0, 2)} times that. "
        "Turning this process on with grs_aero therefore "
        "counts cloud oxidation twice (S2 and the O3 path), and the mechanism file is not this process's to "
        "change; grs_aero leaves it off by default. It is meant for a mechanism with H2O2 "
        "and without an in-cloud term of its own, such as cb05_aero, whose file turns it on.",
        "",
    ]
    if runs is not None:
        off, on = runs["off"], runs["on"]
        lines += [
            f"## What it changes in a grs_aero baseline ({off['hours']} hours from the start of "
            "`baseline_2008_08`)",
            "",
            "Two runs, `airmodel run baseline_2008_08 -o off.nc --set run.hours=72` and the same with `--set "
            "chemistry.aqueous_sulfate=true`; the budgets' chemical terms over the domain and the means of the "
            "hourly surface fields:",
            "",
            "| | off | on | change |",
            "|---|---:|---:|---:|",
            f"| sulfate made by chemistry (kg) | {fig(off['sulfate_made'], 4)} | {fig(on['sulfate_made'], 4)} | "
            f"{100 * (on['sulfate_made'] / off['sulfate_made'] - 1):+.1f} % |",
            f"| SO2 lost to chemistry (kg) | {fig(off['so2_lost'], 4)} | {fig(on['so2_lost'], 4)} | "
            f"{100 * (on['so2_lost'] / off['so2_lost'] - 1):+.1f} % |",
            f"| mean surface sulfate, hourly fields (µg m⁻³) | {fig(off['sulf'])} | {fig(on['sulf'])} | "
            f"{100 * (on['sulf'] / off['sulf'] - 1):+.1f} % |",
            f"| mean surface SO2, hourly fields (ppb) | {fig(off['so2'])} | {fig(on['so2'])} | "
            f"{100 * (on['so2'] / off['so2'] - 1):+.1f} % |",
            "",
        ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", type=Path, nargs="*", help="two baseline runs: aqueous sulfate off, then on")
    parser.add_argument("-o", "--output", type=Path, default=Path("docs/aqueous.md"), help="the page to write")
    parser.add_argument("--force", action="store_true", help="replace an existing page")
    args = parser.parse_args(argv)
    if len(args.runs) not in (0, 2):
        parser.error("give two runs (off, on) or none")
    runs = run_numbers(*args.runs) if args.runs else None
    page = write_text_atomic(args.output, document(runs, cloud_liquid()), force=args.force)
    print(f"wrote {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
