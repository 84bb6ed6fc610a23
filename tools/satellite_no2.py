"""The modelled change of the tropospheric NO2 column over Beijing, Tianjin and Shijiazhuang during the Games, beside
the satellite estimates for 2008.

    airmodel run baseline_2008_08 -o base.nc --set output.levels=all
    airmodel run olympic_2008 -o olympic.nc --set output.levels=all
    python tools/satellite_no2.py base.nc olympic.nc -o docs/satellite_no2.md [--force]

The runs must hold NO2 on every layer (output.levels = "all": dimensions time, z, lat, lon, with z_bnds in m above
ground); the surface-only default output has no column and the script says so. Column: sum over the layers of the
NO2 number density times the layer depth, up to the model top (the part of the troposphere above the top is left
out of both runs). Mixing ratios (ppb, ppm, ppt) are turned into number densities with air of the US Standard
Atmosphere 1976 (1013.25 hPa, 288.15 K at the ground, 6.5 K/km): the same air for both runs, so the relative
change depends on it only through the weights of the layers. Mass concentrations (ug m-3) need no air density.
Means over the Games (8-24 August local) at the satellites' overpass hours (OMI about 13:45 local: the hour
13-14; GOME-2 about 09:30 local: the hour 09-10), over a box of +-0.25 degrees around each city centre.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import xarray as xr

from airmodel.analysis.compare import games_window
from doc_tables import write_doc

AVOGADRO = 6.02214076e23
BOLTZMANN = 1.380649e-23
MOLAR_MASS = {"NO2": 46.0055, "SO2": 64.064}  # g/mol
#: City centres (lon, lat), approximate from public maps; the box half-width (degrees).
CITIES = {"Beijing": (116.40, 39.90), "Tianjin": (117.20, 39.13), "Shijiazhuang": (114.51, 38.04)}
HALF_WIDTH = 0.25
#: Overpass hours, local (UTC+8) start of the hour.
OVERPASS = {"OMI": 13, "GOME-2": 9}
#: Published satellite estimates of the change of the tropospheric NO2 column in 2008 (%).
PUBLISHED = {
    "Beijing": [("Mijling et al. (2009), GRL 36, L13801: GOME-2 and OMI against CHIMERE with 2006 emissions, "
                 "8 Aug - 17 Sep 2008", "about -60"),
                ("Witte et al. (2009), GRL 36, L17803: OMI, July-September 2008 against 2005-2007", "-43"),
                ("Yang Q. et al. (2011), Environ. Sci. Technol.: OMI, urban Beijing, 20 Jul - 20 Sep 2008 "
                 "against 2007", "about -45")],
    "Tianjin": [("Mijling et al. (2009)", "-30")],
    "Shijiazhuang": [("Mijling et al. (2009)", "-20")],
}
#: Witte et al. (2009) report SO2 in the boundary layer -13 % (OMI) and CO at 700 hPa -12 % (MOPITT) "when neighboring
#: provinces to the south are included": the model's SO2 column over this box (our choice of "Beijing and the
#: provinces to its south": lon_min, lon_max, lat_min, lat_max), OMI hour.
SOUTH_BOX = (114.0, 118.0, 37.0, 41.0)
MIXING_RATIO = {"ppb": 1e-9, "ppm": 1e-6, "ppt": 1e-12, "mol mol-1": 1.0, "1": 1.0}


def standard_air(z: np.ndarray) -> np.ndarray:
    """Number density of air (m-3) at heights z (m) above sea-level ground: US Standard Atmosphere 1976, troposphere."""
    t = 288.15 - 0.0065 * z
    p = 101325.0 * (t / 288.15) ** (9.80665 * 0.0289644 / (8.3144598 * 0.0065))
    return p / (BOLTZMANN * t)


def column(ds: xr.Dataset, var: str = "NO2") -> xr.DataArray:
    """The column of ``var`` (NO2 or SO2; molecules cm-2) over [time, lat, lon]."""
    if var not in ds or "z" not in ds[var].dims or "z_bnds" not in ds:
        raise SystemExit(f"satellite_no2: {ds.encoding.get('source', 'the run')} has no 3-D {var} (run with "
                         "--set output.levels=all): the surface-only output holds no column")
    bounds = np.asarray(ds["z_bnds"], float)
    depth = bounds[:, 1] - bounds[:, 0]
    mid = 0.5 * (bounds[:, 0] + bounds[:, 1])
    units = ds[var].attrs.get("units", "")
    if units in MIXING_RATIO:
        density = ds[var] * MIXING_RATIO[units] * xr.DataArray(standard_air(mid), dims="z")
    elif units in ("ug m-3", "µg m-3", "ug/m3"):
        density = ds[var] * 1e-6 / MOLAR_MASS[var] * AVOGADRO
    else:
        raise SystemExit(f"satellite_no2: {var} in {units!r}: give ppb, ppm, ppt or ug m-3")
    return (density * xr.DataArray(depth, dims="z")).sum("z") / 1e4


def city_changes(base_path: Path, case_path: Path) -> dict:
    """{(city, instrument): (base column, case column, change %)} over the Games at the overpass hour."""
    with xr.open_dataset(base_path) as base, xr.open_dataset(case_path) as case:
        times, _ = games_window(np.intersect1d(base.time.values, case.time.values), np.array([], "datetime64[ns]"))
        out = {}
        for instrument, hour in OVERPASS.items():
            # hour ends (UTC) of the local hour [hour, hour + 1): local end hour + 1 - 8
            ends = times[((times.astype("datetime64[h]").astype(np.int64) + 8) % 24) == (hour + 1) % 24]
            if ends.size == 0:
                raise SystemExit("satellite_no2: the runs share no Games hour at the overpass")
            cb, cc = column(base.sel(time=ends)), column(case.sel(time=ends))
            for city, (lon, lat) in CITIES.items():
                box = dict(lon=slice(lon - HALF_WIDTH, lon + HALF_WIDTH), lat=slice(lat - HALF_WIDTH, lat + HALF_WIDTH))
                b, c = float(cb.sel(box).mean()), float(cc.sel(box).mean())
                out[(city, instrument)] = (b, c, 100.0 * (c - b) / b)
        if "SO2" in base and "SO2" in case:
            ends = times[((times.astype("datetime64[h]").astype(np.int64) + 8) % 24) == (OVERPASS["OMI"] + 1) % 24]
            box = dict(lon=slice(SOUTH_BOX[0], SOUTH_BOX[1]), lat=slice(SOUTH_BOX[2], SOUTH_BOX[3]))
            b = float(column(base.sel(time=ends), "SO2").sel(box).mean())
            c = float(column(case.sel(time=ends), "SO2").sel(box).mean())
            out[("Beijing and the south", "SO2")] = (b, c, 100.0 * (c - b) / b)
        return out


def run_commands(*paths: Path) -> list[str]:
    """The command line that made each run, from its global attributes."""
    lines = []
    for path in paths:
        with xr.open_dataset(path) as ds:
            lines.append(ds.attrs.get("command_line", f"(not recorded in {path.name})"))
    return lines


def document(base: Path, case: Path) -> str:
    changes = city_changes(base, case)
    out = ["# The tropospheric NO2 column during the Games: model against satellites", "",
           f"Generated by `python tools/satellite_no2.py {base.name} {case.name} -o docs/satellite_no2.md` (runs with "
           "`--set output.levels=all`). Model: the Olympic run against the baseline on the same weather, 8–24 August "
           "local, at the overpass hour, a ±0.25° box around each city centre, the column up to the model top. "
           "The satellite numbers compare 2008 with other years or with a model run on 2006 emissions, over other "
           "windows: they include weather and trends that the model's pair leaves out.", "",
           "Runs (each file's `command_line`):", "", "```bash", *run_commands(base, case), "```", "",
           "| city | model, OMI hour (13–14 local): base → Olympic (10^15 molec cm⁻²), change "
           "| model, GOME-2 hour (09–10 local), change | published |", "|---|---|---|---|"]
    for city in CITIES:
        b, c, p = changes[(city, "OMI")]
        _, _, g = changes[(city, "GOME-2")]
        published = "; ".join(f"{v} % ({s})" for s, v in PUBLISHED[city])
        out.append(f"| {city} | {b / 1e15:.2f} → {c / 1e15:.2f}, {p:+.0f} % | {g:+.0f} % | {published} |")
    if ("Beijing and the south", "SO2") in changes:
        b, c, p = changes[("Beijing and the south", "SO2")]
        out += ["", f"SO2 column over {SOUTH_BOX[0]:g}–{SOUTH_BOX[1]:g} °E, {SOUTH_BOX[2]:g}–{SOUTH_BOX[3]:g} °N "
                f"(Beijing and the provinces to its south), OMI hour: model {b / 1e15:.2f} → {c / 1e15:.2f} "
                f"10^15 molec cm⁻² ({p:+.0f} %); Witte et al. (2009): boundary-layer SO2 −13 % (OMI), CO at "
                "700 hPa −12 % (MOPITT), July–September 2008 against 2005–2007."]
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("base", type=Path)
    p.add_argument("case", type=Path)
    p.add_argument("-o", "--output", type=Path, default=Path("docs/satellite_no2.md"))
    p.add_argument("--force", action="store_true")
    args = p.parse_args(argv)
    write_doc(args.output, document(args.base, args.case), args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
