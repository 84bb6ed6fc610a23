"""Write docs/deposition.md: the wet-deposition scheme, its checks, and a baseline run's N and S deposition beside
published measurements for northern China.

    airmodel run baseline_2008_08 -o base.nc            # the August month (--set run.hours=240: ten days)
    python tools/docs_deposition.py base.nc -o docs/deposition.md [--force]

A run still going can be read from its ``.part`` file (HDF5_USE_FILE_LOCKING=FALSE): its complete hours are used.

Every model number is computed here: the analytic checks by running the uniform-rain case of
tests/physics/test_wet_deposition.py, the deposition from the run's ``*_deposition_*_total`` maps (kg ha-1) and
hourly precipitation. The measurements are quoted from the papers named beside them.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import netCDF4
import numpy as np

from airmodel.files import write_text_atomic
from airmodel.grid import EARTH_RADIUS
from doc_tables import fig

HOURS_PER_YEAR = 8766.0
BEIJING = (39.905, 116.407, 18.0)  # centre (deg N, deg E) and built-up radius (km) of the synthetic land use
#: Atomic weights (g mol-1) and the equivalents per mole of the ions measured in rain.
N_PER_UEQ = 14.007e-3  # mg N per ueq of NO3- or NH4+
S_PER_UEQ = 32.06e-3 / 2.0  # mg S per ueq of SO4(2-)


def uniform_rain_check() -> dict:
    """The analytic case: relative error against exp(-Lambda t), budget residual, and the no-rain case."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.physics.test_wet_deposition import (RAIN, STEPS, TIME_STEP, run, uniform_rain_model, washout)

    model = uniform_rain_model(True, RAIN)
    start = model.concentration.copy()
    run(model)
    s = model.species_names.index("SULF")
    exact = start[s] * math.exp(-washout("SULF") * STEPS * TIME_STEP)
    error = float(np.max(np.abs(model.concentration[s] / exact - 1.0)))
    residual = float(model.budget.residual(model.burden()).max())
    dry = run(uniform_rain_model(True, 0.0))
    return dict(error=error, residual=residual, remaining=float(math.exp(-washout("SULF") * STEPS * TIME_STEP)),
                hours=STEPS * TIME_STEP / 3600.0, no_rain=float(np.abs(dry.budget.wet_deposited).max()))


def cell_area(lat_b, lon_b) -> np.ndarray:
    dlon = np.deg2rad(lon_b[:, 1] - lon_b[:, 0])
    band = np.sin(np.deg2rad(lat_b[:, 1])) - np.sin(np.deg2rad(lat_b[:, 0]))
    return EARTH_RADIUS ** 2 * band[:, None] * dlon[None, :]


def run_numbers(path: Path) -> dict:
    """Area means of the run's wet and dry deposition of N and S (kg ha-1) and of its rain (mm), summed from the
    hourly fields (what the ``*_total`` maps of a finished output hold); a running output's ``.part`` file (read
    with HDF5_USE_FILE_LOCKING=FALSE) without its last, perhaps half-written, hour."""
    names = ("wet_deposition_N", "dry_deposition_N", "wet_deposition_S", "dry_deposition_S")
    with netCDF4.Dataset(path) as ds:
        hours = len(ds["time"]) - (1 if path.suffix == ".part" else 0)
        lat_b, lon_b = np.asarray(ds["lat_bnds"][:]), np.asarray(ds["lon_bnds"][:])
        lat, lon = np.asarray(ds["lat"][:]), np.asarray(ds["lon"][:])
        totals = {name: np.zeros((lat.size, lon.size)) for name in names}
        rain = np.zeros((lat.size, lon.size))
        for n in range(hours):
            for name in names:
                totals[name] += np.asarray(ds[name][n], dtype=float) * 3600.0 * 1.0e4  # kg m-2 s-1 -> kg ha-1
            rain += np.asarray(ds["precipitation"][n], dtype=float) * 3600.0  # mm
        start = ds["time"].units.split("since", 1)[1].strip()
    area = cell_area(lat_b, lon_b)
    lon2, lat2 = np.meshgrid(lon, lat)
    dist = 2 * 6371.0 * np.arcsin(np.sqrt(np.sin(np.deg2rad(lat2 - BEIJING[0]) / 2) ** 2 + np.cos(np.deg2rad(lat2))
                                          * np.cos(np.deg2rad(BEIJING[0]))
                                          * np.sin(np.deg2rad(lon2 - BEIJING[1]) / 2) ** 2))
    regions = {"domain": np.ones_like(area, dtype=bool), "Beijing built-up cells": dist <= BEIJING[2]}
    out = dict(hours=hours, start=start, regions={})
    for region, mask in regions.items():
        w = area * mask
        mean = {k: float((v * w).sum() / w.sum()) for k, v in totals.items()}
        mean["rain"] = float((rain * w).sum() / w.sum())
        out["regions"][region] = mean
    return out


def document(check: dict, model: dict) -> str:
    hours = model["hours"]
    per_year = HOURS_PER_YEAR / hours
    rows = []
    for region, m in model["regions"].items():
        for element in ("N", "S"):
            wet, dry = m[f"wet_deposition_{element}"], m[f"dry_deposition_{element}"]
            total = wet + dry
            rows.append(f"| {region} | {element} | {fig(wet)} | {fig(dry)} | {fig(100 * wet / total, 2)} % | "
                        f"{fig(wet * per_year)} | {fig(dry * per_year)} | {fig(total * per_year)} |")
    conc = []
    for region, m in model["regions"].items():
        # kg ha-1 over mm of rain: 1 kg ha-1 = 100 mg m-2; 1 mm = 1 L m-2
        n = 100.0 * m["wet_deposition_N"] / m["rain"] if m["rain"] > 0 else float("nan")
        s = 100.0 * m["wet_deposition_S"] / m["rain"] if m["rain"] > 0 else float("nan")
        conc.append(f"| {region} | {fig(m['rain'])} | {fig(n)} | {fig(s)} |")
    d = model["regions"]["domain"]
    wet_share_n = 100 * d["wet_deposition_N"] / (d["wet_deposition_N"] + d["dry_deposition_N"])
    wet_share_s = 100 * d["wet_deposition_S"] / (d["wet_deposition_S"] + d["dry_deposition_S"])
    return "\n".join([
        "# Wet and dry deposition",
        "",
        "*Written by `tools/docs_deposition.py` from a baseline run; every model number below is computed by it.*",
        "",
        "## The scheme",
        "",
        "Wet deposition is one process of the model step (`airmodel/wet_deposition.py`, kernel "
        "`airmodel/kernels/wet_deposition.py`), after vertical mixing and before chemistry, switched by "
        "`chemistry.wet_deposition` (on in the ready August scenarios). It sits beside `transport` in the layers: "
        "like the vertical mixing's dry deposition it moves mass out of the domain, it reads the meteorology and "
        "the mechanism's parameters, and the model books what it removes in every species' `wet_deposited` "
        "budget term. For each column with precipitation P at the ground (kg m⁻² s⁻¹ = mm s⁻¹):",
        "",
        "- **below cloud** (layers without cloud water, up to the highest cloudy layer; the whole column where it "
        "rains without cloud water): Λ = w P, linear in the rain rate, with the EMEP MSC-W forms (Simpson et al. "
        "2012, ACP 12, 7825, sect. 8; Berge and Jakobsen 1998): particles A E P / V_dr, A = 5.2 m³ kg⁻¹ s⁻¹, "
        "V_dr = 5 m s⁻¹, collection efficiency E = 0.02 for PM2.5 and 0.4 for coarse particles; gases "
        "W_sub P / (h_s ρ_w), h_s = 1000 m, W_sub = 0.15×10⁶ (SO2), 0.5×10⁶ (HNO3, NH3). The mechanism file "
        "holds w at 1 mm h⁻¹ (`wet=`; per size class on `particle_class` lines);",
        "- **in cloud** (layers with cloud water q_c and cloud fraction f): Λ = f ε P / W + (1 − f) w P, with W the "
        "column's cloud water (kg m⁻²), so that a species entirely in cloud water leaves at the rate the cloud "
        "water becomes rain (Giorgi and Chameides 1986; Liu et al. 2001), and ε the species' fraction in cloud "
        "water: the activated fraction of an aerosol (`incloud=`: 1 for the soluble fine and coarse particles, "
        "0.5 for primary organic and 0.2 for elemental carbon, their hydrophilic shares at emission, Cooke et al. "
        "1999), and for a gas H* R T L / (1 + H* R T L) with L = ρ q_c / (f ρ_w) and the effective Henry's law "
        "constant H* of the `solubility` lines (Seinfeld and Pandis 2016: SO2 with its two dissociations, HNO3, "
        "NH3 as a base) at the layer's temperature and a fixed cloud-water pH of 5.0 (`cloud_water` line: "
        "Beijing's precipitation averaged pH 5.19 in 2005-2009). grs_aero has no H2O2.",
        "- **update**: m ← m exp(−Λ Δt) in each cell, the difference to the ground: never more than there is, at "
        "any rain rate and step.",
        "",
        "Every meteorology source fills precipitation (the synthetic weather from its regime calendar's showers "
        "and fronts, WRF from RAINC + RAINNC, CF files and station records from their precipitation); cloud "
        "water and fraction come from WRF and CF files and the synthetic weather (fair-weather cloud and the deep "
        "cloud of its showers); a station record has no cloud water, so its rain scavenges below cloud only.",
        "",
        "## Checks (`tests/physics/test_wet_deposition.py`, `tests/regression/test_wet_deposition_restart.py`)",
        "",
        f"- Uniform rain of 10 mm h⁻¹ on a well-mixed column of sulfate for {fig(check['hours'])} h: the mass "
        f"left is exp(−Λt) = {fig(check['remaining'])} of the start, matched to {check['error']:.1e} relative "
        "(the bound is 1e-6); the budget with the `wet_deposited` term closes to "
        f"{check['residual']:.1e} (bound 1e-10).",
        f"- No rain: {check['no_rain']:g} kg scavenged. Switched off: nothing scavenged.",
        "- In cloud the same decay at P / W, a gas's fraction by Henry's law, and at any rain rate and step "
        "(up to 10⁴ mm h⁻¹ over a day) mass ≥ 0 and removed = deposited.",
        "- A demo run through rain restarts bit for bit (the deposition fluxes' hourly sums are restart state), and "
        "its N and S budgets close with the wet term to 1e-10.",
        "",
        "## The August baseline's deposition",
        "",
        f"A baseline run of {hours} hours from {model['start']} UTC, wet "
        "deposition and the night-time mixing of `docs/night_mixing.md` on: the hourly `wet_deposition_N`, "
        "`dry_deposition_N`, `wet_deposition_S`, `dry_deposition_S` fluxes summed over the run (what the "
        "output's `*_total` maps hold, kg ha⁻¹, as N and as S), area means. \"Per year\" is the run's rate × "
        "8766 h / "
        f"{hours} h: an August rate, not an annual total (August is Beijing's wettest month).",
        "",
        "| region | element | wet, run (kg ha⁻¹) | dry, run (kg ha⁻¹) | wet share | wet (kg ha⁻¹ a⁻¹) | dry "
        "(kg ha⁻¹ a⁻¹) | total (kg ha⁻¹ a⁻¹) |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Concentration in the rain (the run's wet deposition over its rain, volume weighted: mg of N or S per "
        "litre), which does not depend on how much it rained:",
        "",
        "| region | rain, run (mm) | N in rain (mg N L⁻¹) | S in rain (mg S L⁻¹) |",
        "|---|---|---|---|",
        *conc,
        "",
        "## Published measurements in northern China",
        "",
        "| study | where, when | N | S |",
        "|---|---|---|---|",
        "| Pan Y. P. et al. 2013, ACP 13, 1675 | 10 sites, Beijing-Tianjin-Hebei, Dec 2007-Nov 2010 | | total "
        "35.0-100.7, mean 64.8 kg S ha⁻¹ a⁻¹; 68 % dry (mainly SO2) |",
        "| Pan Y. P. et al. 2012, ACP 12, 6515 | the same 10 sites | dry ≈ 60 % of the total (as summarised by "
        "Sci. Rep. 6, 19810, 2016) | |",
        "| Xu W. et al. 2015, ACP 15, 12345 (NNDMN) | 43 sites in China, 2010-2014 | dry + wet/bulk 2.9-83.3 kg "
        "N ha⁻¹ a⁻¹, highest in north China; national means dry 20.6 ± 11.2, wet/bulk 19.3 ± 9.2 | |",
        "| Wang Z. et al. 2019, Atmos. Oceanic Sci. Lett. (satellite + model) | North China | total 16.3-106.5, "
        "mean 54.5 ± 17.2 kg N ha⁻¹ a⁻¹; 36 % wet, 12 % dry particulate, 52 % dry gaseous | |",
        "| Yang F. et al. 2012, ACP 12, 2025 | urban Beijing rain, 2001-2005, 131 events | NO3⁻ and NH4⁺ each "
        f"> 100 µeq L⁻¹ (volume-weighted): > {fig(2 * 100 * N_PER_UEQ, 2)} mg N L⁻¹ | SO4²⁻ > 100 µeq L⁻¹: > "
        f"{fig(100 * S_PER_UEQ, 2)} mg S L⁻¹ |",
        "| Huan Jing Ke Xue 30(9), 2715, 2009 | Beijing, 5 summer rain events of 2007 | NH4⁺ 65-311, NO3⁻ "
        f"117-250 µeq L⁻¹: {fig((65.4 + 117.3) * N_PER_UEQ, 2)}-{fig((310.8 + 249.8) * N_PER_UEQ, 2)} mg N L⁻¹ "
        f"| SO4²⁻ 24-96 µeq L⁻¹: {fig(23.9 * S_PER_UEQ, 2)}-{fig(95.7 * S_PER_UEQ, 2)} mg S L⁻¹ |",
        "",
        "## Reading the comparison",
        "",
        f"- Over the domain the model deposits {fig(wet_share_n, 2)} % of its N and {fig(wet_share_s, 2)} % of its "
        "S by rain in this period. The measured annual budgets put dry deposition at about 60 % (N) and 68 % (S), "
        "wet at 30-40 %; wet deposition peaks in summer (Pan et al. 2013: opposite seasonal cycles of wet and "
        "dry), so an August wet share above the annual one is expected.",
        f"- The model's rates are the August rates of a {fig(hours / 24, 2)}-day window; the measured ones are "
        "annual. Compare the "
        "orders of magnitude and the wet/dry split, and the rain's concentrations, which need no annualising.",
        "- What the model leaves out: organic N and NO2's and HONO's wet removal (small), the dry deposition of "
        "coarse dust S and N, H2O2 and aqueous sulfate production in rain (the mechanism's cloud sulfate is a "
        "humidity term), and the synthetic weather's rain is a climatology's shape, not 2008's showers.",
        "",
    ])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="a baseline run with chemistry.wet_deposition = true")
    parser.add_argument("-o", "--output", type=Path, default=Path("docs/deposition.md"), help="the page to write")
    parser.add_argument("--force", action="store_true", help="replace an existing page")
    args = parser.parse_args(argv)
    page = write_text_atomic(args.output, document(uniform_rain_check(), run_numbers(args.run)), force=args.force)
    print(f"wrote {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
