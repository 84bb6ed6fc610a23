"""Write docs/pm_composition.md: the modelled PM2.5 composition at Beijing's 12 national stations (organic matter,
sulfate, nitrate, ammonium, black carbon, other) beside the published measured composition of Beijing's summer
aerosol in 2008.

    airmodel run baseline_2008_08 -o base.nc
    python tools/docs_pm_composition.py base.nc -o docs/pm_composition.md [--force]

Modelled components (station series of the output, means over every hour of the run, stations weighted alike):
organic matter = SOA + POA (POA is already organic matter: the speciation makes it 1.4 x the inventory's OC),
sulfate = SULF, nitrate = NO3A, ammonium = NH4A, black carbon = EC, other = PM2.5 minus those five (PM25_OTHER,
the unspeciated primary dust and ash, and any further particle species of the mechanism), so the shares add to the
output's own PM2.5 diagnostic. Every number in the page is computed here from the output and ``MEASURED``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import netCDF4
import numpy as np

from airmodel.files import write_text_atomic
from doc_tables import fig

#: The components in the order of the table; each is the sum of the named particle species of the output.
COMPONENTS = (("organic matter", ("SOA", "POA")), ("sulfate", ("SULF",)), ("nitrate", ("NO3A",)),
              ("ammonium", ("NH4A",)), ("black carbon", ("EC",)))

#: Measured shares (%) of the same components. Huang X.-F. et al. (2010), ACP 10, 8933, "Highly time-resolved
#: chemical characterization of atmospheric submicron particles during 2008 Beijing Olympic Games using an Aerodyne
#: High-Resolution Aerosol Mass Spectrometer": PM1 (non-refractory species by the AMS, black carbon by an
#: aethalometer) at Peking University, 24 July - 20 September 2008, mean 63.1 ug m-3. "other" is what the five
#: named components leave of 100 % (chloride in that study). The AMS sees no dust or other refractory matter, so
#: the fair comparison is with the model's shares without "other" (the last column of the table).
MEASURED = {"source": "Huang X.-F. et al. 2010, ACP 10, 8933: PM1, AMS + aethalometer, Peking University, "
                      "24 Jul - 20 Sep 2008",
            "shares": {"organic matter": 37.9, "sulfate": 26.7, "nitrate": 15.8, "ammonium": 15.9,
                       "black carbon": 3.1}}


def station_means(ds) -> tuple[list[str], dict[str, np.ndarray], np.ndarray]:
    """Station names, {component: mean ug m-3 per station} with "other", and PM2.5 per station."""
    names = [str(n) for n in ds["station_name"][:]]
    for var in ["station_PM25"] + [f"station_{s}" for _, parts in COMPONENTS for s in parts]:
        if var not in ds.variables:
            sys.exit(f"{ds.filepath()}: no {var}; run with output.stations = \"beijing\" and a mechanism with "
                     f"SOA, POA, SULF, NO3A, NH4A and EC")
        if ds[var].units != "ug m-3":
            sys.exit(f"{ds.filepath()}: {var} is in {ds[var].units!r}, expected 'ug m-3'")

    def mean(var: str) -> np.ndarray:
        values = np.ma.filled(ds[var][:].astype(float), np.nan)
        if not np.isfinite(values).all():
            sys.exit(f"{ds.filepath()}: {var} has missing or non-finite values")
        return values.mean(axis=1)

    pm25 = mean("station_PM25")
    out = {name: sum(mean(f"station_{s}") for s in parts) for name, parts in COMPONENTS}
    out["other"] = pm25 - sum(out.values())
    if (out["other"] < -1e-4 * pm25).any():
        sys.exit(f"{ds.filepath()}: the named components exceed PM2.5 at some station; PM25 must include them")
    out["other"] = np.maximum(out["other"], 0.0)
    return names, out, pm25


def document(path: Path, ds) -> str:
    names, comp, pm25 = station_means(ds)
    labels = [name for name, _ in COMPONENTS] + ["other"]
    mean_pm = float(pm25.mean())
    total = {k: float(v.mean()) for k, v in comp.items()}
    named = sum(total[k] for k, _ in COMPONENTS)
    measured = MEASURED["shares"]
    measured_other = 100.0 - sum(measured.values())
    lines = [
        "# PM2.5 composition at the Beijing stations",
        "",
        f"Written by `tools/docs_pm_composition.py` from `{path.name}` (scenario file "
        f"`{Path(getattr(ds, 'scenario_file', '?')).name}`, {ds.dimensions['time'].size} hourly means); every "
        "figure below is computed by the script.",
        "",
        "Modelled: means over all hours at Beijing's 12 national stations (the output's station series). Organic "
        "matter = SOA + POA, where POA is already organic matter (1.4 × the inventory's OC, "
        "`airmodel/data/emissions/speciation/`); other = PM2.5 minus the five named components (unspeciated primary "
        "dust and ash).",
        "",
        "## Shares of PM2.5, mean of the 12 stations, beside the measurement",
        "",
        "| component | model, µg m⁻³ | model, % of PM2.5 | measured, % | model, % without other |",
        "|---|---|---|---|---|",
    ]
    for k in labels:
        model_share = 100.0 * total[k] / mean_pm
        m = measured.get(k, measured_other)
        without = "–" if k == "other" else fig(100.0 * total[k] / named)
        lines.append(f"| {k} | {fig(total[k])} | {fig(model_share)} | {fig(m)} | {without} |")
    lines += [f"| PM2.5 | {fig(mean_pm)} | 100 | 100 | |", "",
              f"Measured: {MEASURED['source']}. That measurement is PM1 and sees no dust: compare its shares with "
              "the last column, the model's shares of the five named components alone.", "",
              "## By station (% of each station's PM2.5)", "",
              "| station | PM2.5, µg m⁻³ | " + " | ".join(labels) + " |",
              "|---|---|" + "---|" * len(labels)]
    for n, name in enumerate(names):
        lines.append(f"| {name} | {fig(float(pm25[n]))} | "
                     + " | ".join(fig(100.0 * float(comp[k][n]) / float(pm25[n])) for k in labels) + " |")
    lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="a run output with Beijing's station series")
    parser.add_argument("-o", "--output", type=Path, default=Path("docs/pm_composition.md"))
    parser.add_argument("--force", action="store_true", help="replace an existing page")
    args = parser.parse_args(argv)
    with netCDF4.Dataset(args.run) as ds:
        text = document(args.run, ds)
    page = write_text_atomic(args.output, text, force=args.force)
    print(f"wrote {page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
