"""The source regions of PM2.5 at the Olympic stadium and Beijing's 12 stations: the boundary tracer and three
zero-out runs (Beijing; Tianjin and Hebei; the provinces outside those three), beside the published shares.

    python tools/source_regions.py scenarios DIR            # writes the three zero-out scenarios
    airmodel run baseline_2008_08 -o base.nc                 # and each of DIR/*.toml likewise
    python tools/source_regions.py table base.nc zero_beijing.nc zero_tianjin_hebei.nc zero_outside.nc \
        -o docs/source_regions.md [--force]

The zero-out scenarios extend baseline_2008_08 with every emission of the region removed (reduction 1.0, all
sectors, the whole month). A region's contribution is base - zeroed, as a share of the base's PM2.5; the boundary
tracer's share is BND_PM25 / PM25 of the base; "remainder" is what none of these explains (the non-linearity of
the secondary aerosol and the chemistry of boundary air). Means over the Games (8-24 August local) and over every
hour the runs share. The stadium: the cell of the National Stadium (39.992 N, 116.396 E) in the PM25 fields.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import xarray as xr

from airmodel.analysis.compare import games_window
from airmodel.data import data_path
from airmodel.emissions.regions import SUMMARY_PROVINCES
from airmodel.files import atomic_file
from doc_tables import write_doc

#: The National Stadium ("Bird's Nest"), Olympic Green: approximate position from public maps.
STADIUM = (116.396, 39.992)
#: The zero-out runs: the codes of the provinces each removes (emissions/regions.py SUMMARY_PROVINCES).
ZERO_OUT = {
    "zero_beijing": ["110000"],
    "zero_tianjin_hebei": ["120000", "130000"],
    "zero_outside": [code for code in SUMMARY_PROVINCES if code not in ("110000", "120000", "130000")],
}
#: Published estimates of the share of Beijing's summer PM2.5 from outside Beijing: (source, what, share %).
PUBLISHED = (
    ("Streets et al. (2007), Atmos. Environ. 41, 480-492", "PM2.5 at the Olympic Stadium from outside Beijing, "
     "average of their summer (July) simulation", "34"),
    ("Streets et al. (2007)", "PM2.5 at the Olympic Stadium from Hebei under sustained southerly flow", "50-70"),
)


def scenario_text(name: str, codes: list[str]) -> str:
    base = data_path("scenarios", "baseline_2008_08.toml")
    names = ", ".join(SUMMARY_PROVINCES[c] for c in codes)
    lines = [f"# Zero-out of {names} over the August 2008 baseline (tools/source_regions.py).",
             f'extends = "{base}"', f'description = "August 2008 baseline without the emissions of {names}"',
             "", "[run]", f'name = "{name}"']
    for code in codes:
        lines += ["", "[[controls]]", f'name = "zero-out: {SUMMARY_PROVINCES[code]}"', f'region = "{code}"',
                  "reduction = 1.0"]
    return "\n".join(lines) + "\n"


def write_scenarios(folder: Path, force: bool) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, regions in ZERO_OUT.items():
        path = folder / f"{name}.toml"
        with atomic_file(path, force=force) as tmp:
            Path(tmp).write_text(scenario_text(name, regions), encoding="utf-8")
        out.append(path)
    return out


def _means(ds: xr.Dataset, times: np.ndarray) -> dict[str, np.ndarray]:
    """{'stations': [station] PM25 and BND_PM25 means, 'stadium': the stadium cell's} over the hours ``times``."""
    sel = ds.sel(time=times)
    lon, lat = STADIUM
    i = int(np.argmin(np.abs(ds.lon.values - lon)))
    j = int(np.argmin(np.abs(ds.lat.values - lat)))
    out = {}
    for var in ("PM25", "BND_PM25"):
        stations = sel[f"station_{var}"].transpose("time", "station").values.astype(float)
        out[var] = np.append(np.nanmean(stations, axis=0), np.nanmean(sel[var].values[:, j, i].astype(float)))
    return out


def shares(base: Path, runs: dict[str, Path], games: bool) -> tuple[list[str], dict[str, np.ndarray], int]:
    """(labels of the stations and the stadium, {column: share % per label}, hours averaged)."""
    opened = {"base": xr.open_dataset(base), **{k: xr.open_dataset(v) for k, v in runs.items()}}
    try:
        times = opened["base"].time.values
        for ds in opened.values():
            times = np.intersect1d(times, ds.time.values)
        if games:
            times, _ = games_window(times, np.array([], dtype="datetime64[ns]"))
        if times.size == 0:
            raise SystemExit("source_regions: the runs share no hour" + (" of the Games" if games else ""))
        b = _means(opened["base"], times)
        labels = [f"{n} ({c})" for c, n in zip(opened["base"].station_code.values,
                                                opened["base"].station_name.values)] + ["National Stadium (cell)"]
        cols = {"boundary tracer": 100.0 * b["BND_PM25"] / b["PM25"]}
        for name in ZERO_OUT:
            z = _means(opened[name], times)
            cols[name] = 100.0 * (b["PM25"] - z["PM25"]) / b["PM25"]
        cols["outside Beijing"] = 100.0 - cols["zero_beijing"]
        cols["remainder"] = 100.0 - cols["zero_beijing"] - cols["zero_tianjin_hebei"] - cols["zero_outside"] \
            - cols["boundary tracer"]
        return labels, cols, int(times.size)
    finally:
        for ds in opened.values():
            ds.close()


def document(base: Path, runs: dict[str, Path]) -> str:
    out = ["# Where Beijing's PM2.5 comes from: boundary tracer and zero-out runs", "",
           "Generated by `python tools/source_regions.py table base.nc zero_beijing.nc zero_tianjin_hebei.nc "
           "zero_outside.nc -o docs/source_regions.md` (runs of baseline_2008_08 and the scenarios written by "
           "`python tools/source_regions.py scenarios DIR`).", "",
           "Shares of the baseline's PM2.5 (%): Beijing, Tianjin + Hebei and the provinces outside (zero-out: base − "
           "run without the region); the boundary tracer (inert PM2.5 that came in through the domain's faces); "
           "outside Beijing = 100 − Beijing; remainder = 100 − the four (non-linearity and the chemistry of "
           "boundary air).", ""]
    for games in (True, False):
        labels, cols, hours = shares(base, runs, games)
        out += [f"## {'The Games, 8–24 August local' if games else 'Every hour the runs share'} ({hours} hours)", "",
                "| receptor | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
        for n, label in enumerate(labels):
            out.append(f"| {label} | " + " | ".join(f"{cols[c][n]:.0f}" for c in cols) + " |")
        out.append("")
    out += ["## Published estimates", "", "| source | what | share % |", "|---|---|---|"]
    out += [f"| {s} | {w} | {v} |" for s, w, v in PUBLISHED]
    out += ["", "Streets et al.'s \"outside Beijing\" is the column of the same name above.", ""]
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="what", required=True)
    s = sub.add_parser("scenarios")
    s.add_argument("folder", type=Path)
    s.add_argument("--force", action="store_true")
    t = sub.add_parser("table")
    for name in ("base", *ZERO_OUT):
        t.add_argument(name, type=Path)
    t.add_argument("-o", "--output", type=Path, default=Path("docs/source_regions.md"))
    t.add_argument("--force", action="store_true")
    args = p.parse_args(argv)
    if args.what == "scenarios":
        for path in write_scenarios(args.folder, args.force):
            print(f"wrote {path}")
        return 0
    write_doc(args.output, document(args.base, {name: getattr(args, name) for name in ZERO_OUT}), args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
