"""The synthetic meteorology's built-up share and night-time mixing at Beijing's 12 stations, as JSON.

    python tools/landuse_stations.py -o after.json                        # this checkout
    PYTHONPATH=/path/to/other/src python tools/landuse_stations.py -o before.json   # another version of the code

For each station of the default list: the built-up (urban) fraction of its cell and whether the cell's land-use
class is urban, and (where the code has town circles, terrain.built_up_circles) the nearest town circle; for every
station, the mean eddy diffusivity Kz at the 50 m interface over the night hours
(20-05 h local, UTC+8) of the first ``--hours`` hours of the ``baseline_2008_08`` weather. Meteorology only, no
chemistry. tools/docs_night_mixing_landuse.py puts two of these files into docs/night_mixing.md.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

import airmodel
from airmodel.analysis.stations import DEFAULT_STATION_LIST, cells_from_edges, read_station_list
from airmodel.data import data_path
from airmodel.grid import build_grid
from airmodel.met import build_meteorology
from airmodel.met import landuse
from airmodel.met import terrain
from airmodel.scenario import load

LOCAL_OFFSET_HOURS = 8
NIGHT_LOCAL_HOURS = (20, 21, 22, 23, 0, 1, 2, 3, 4, 5)
KZ_HEIGHT_M = 50.0


def _cell(grid, lon: float, lat: float) -> tuple[int, int]:
    return int(np.searchsorted(grid.y_bounds, lat)) - 1, int(np.searchsorted(grid.x_bounds, lon)) - 1


def measure(hours: int) -> dict:
    sc = load(data_path("scenarios", "baseline_2008_08.toml"))
    grid = build_grid(sc["domain"])
    met = build_meteorology(sc["meteorology"], grid, start=sc.start, end=sc.end)
    stations = read_station_list(DEFAULT_STATION_LIST)
    j, i = cells_from_edges(grid.x_bounds, grid.y_bounds, stations, "stations")
    level = int(np.argmin(np.abs(grid.layers.interfaces - KZ_HEIGHT_M)))
    start_hour = sc.start.hour
    night = [h for h in range(hours) if (h + start_hour + LOCAL_OFFSET_HOURS) % 24 in NIGHT_LOCAL_HOURS]
    kz = np.array([met.at(h * 3600.0).kz[level, j, i] for h in night])  # [hour, station]
    circles = getattr(terrain, "built_up_circles", None)  # absent in the code before the towns were added
    nearest = {}
    if circles is not None:
        towns = circles(grid)[len(terrain.CITIES):]
        for st in stations:
            d = [float(terrain.distance_km(st.lon, st.lat, lon, lat)) for _, lat, lon, _ in towns]
            k = int(np.argmin(d))
            nearest[st.name] = {"town": towns[k][0], "radius_km": towns[k][3], "distance_km": d[k],
                                "people": float(np.pi * (towns[k][3] * 1000.0) ** 2 / terrain.LAND_PER_PERSON),
                                "same_cell": _cell(grid, st.lon, st.lat) == _cell(grid, towns[k][2], towns[k][1])}
    return {
        "code": str(Path(airmodel.__file__).resolve().parent),
        "hours": hours, "night_hours": len(night), "kz_height_m": float(grid.layers.interfaces[level]),
        "urban_cells": int((landuse.urban_fraction(met.land_use) > 0).sum()),
        "built_up_cells": float(np.asarray(met.urban_fraction).sum()),
        "stations": {st.name: {"urban_fraction": float(met.urban_fraction[jj, ii]),
                               "urban_class": bool(met.land_use[jj, ii] == landuse.URBAN),
                               "night_kz_50m": float(kz[:, n].mean()),
                               **({"nearest_town": nearest[st.name]} if st.name in nearest else {})}
                     for n, (st, jj, ii) in enumerate(zip(stations, j, i))},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", required=True, type=Path)
    parser.add_argument("--hours", type=int, default=48)
    args = parser.parse_args(argv)
    args.output.write_text(json.dumps(measure(args.hours), indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
