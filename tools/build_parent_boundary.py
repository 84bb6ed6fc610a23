"""Write the boundary table of the parent domain (108-125 E, 32-44 N), src/airmodel/data/boundary/
summer_parent_north_china.csv: air that reaches the parent's faces without having crossed the region.

    python tools/build_parent_boundary.py

Each face takes the surface values of a background station outside the parent domain where one was measured, and
otherwise the values of the child table's clean north face (summer_north_china.csv: the Mongolian plateau) or, for the
south face's particles and secondary gases, its west face (moderately polluted continental air); every choice is in
data/boundary/SOURCES.md ("The parent domain"). Profiles keep the child table's shape: v(z) = FT + (S - FT) f(z) with
f = 1.0, 0.9, 0.6, 0.25, 0.0 at 0, 1000, 1500, 2000, 3000 m, FT the top value; O3 its own nodes.
"""
from __future__ import annotations

import csv
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1] / "src" / "airmodel" / "data" / "boundary"
CHILD = FOLDER / "summer_north_china.csv"
OUT = FOLDER / "summer_parent_north_china.csv"

HEIGHTS = (0.0, 1000.0, 1500.0, 2000.0, 3000.0)
SHAPE = (1.0, 0.9, 0.6, 0.25, 0.0)

# Measured surface means (ppb), August 1994 - August 1995 (Observational analysis of surface O3, NOx and SO2 in
# China, Quarterly Journal of Applied Meteorology 1997; qikan.camscma.cn article 19970107): Mt Waliguan (36.3 N,
# 100.9 E, 3816 m; GAW baseline), Longfengshan (44.7 N, 127.6 E; regional background, north-east China), Lin'an
# (30.3 N, 119.7 E; regional background, Yangtze River Delta). Waliguan reported NO2, the others NOx.
STATIONS = {
    "Waliguan": {"O3": 49.3, "NO2": 0.04, "SO2": 0.15},
    "Longfengshan": {"O3": 34.8, "NOx": 2.7, "SO2": 0.7},
    "Lin'an": {"O3": 39.1, "NOx": 8.1, "SO2": 16.1},
}
#: face: (station or None, the child face whose values stand in for what the station did not measure)
FACES = {"west": ("Waliguan", "north"), "north": (None, "north"), "east": ("Longfengshan", "north"),
         "south": ("Lin'an", "west")}
#: NO2 share of NOx where a station gave NOx: the child table's ratio (NO2 : NO = 5 : 1 at the surface)
NO2_OF_NOX = 5.0 / 6.0


def read_child() -> dict:
    out = {}
    with open(CHILD, encoding="utf-8") as f:
        for r in csv.DictReader(line for line in f if not line.startswith("#")):
            out.setdefault((r["species"], r["side"]), []).append((float(r["height[m]"]), float(r["value"]), r["unit"]))
    return out


def fmt(v: float) -> str:
    return f"{float(f'{v:.4g}'):g}"


def main() -> None:
    child = read_child()
    species = list(dict.fromkeys(s for s, _ in child))
    rows = []
    for name in species:
        if (name, "all") in child:
            rows += [(name, "all", h, v, u) for h, v, u in child[(name, "all")]]
            continue
        top = child[(name, "top")][0][1]
        unit = child[(name, "top")][0][2]
        for face, (station, stand_in) in FACES.items():
            measured = STATIONS.get(station, {})
            surface = None
            if name in measured:
                surface = measured[name]
            elif name in ("NO2", "NO") and "NOx" in measured:
                surface = measured["NOx"] * (NO2_OF_NOX if name == "NO2" else 1.0 - NO2_OF_NOX)
            elif name == "NO" and "NO2" in measured:
                surface = measured["NO2"] / 5.0
            profile = child[(name, stand_in)]
            if surface is None:
                rows += [(name, face, h, v, u) for h, v, u in profile]
            elif name == "O3":  # the station's surface value; aloft the stand-in face's residual-layer values
                rows += [(name, face, 0.0, surface, unit)] + [(name, face, h, v, u) for h, v, u in profile if h > 0]
            else:
                rows += [(name, face, h, top + (surface - top) * f, unit) for h, f in zip(HEIGHTS, SHAPE)]
        rows += [(name, "top", h, v, u) for h, v, u in child[(name, "top")]]
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        f.write("# airmodel climatological lateral and top boundary conditions, summer around 2008, for the parent\n"
                "# domain 108-125 E, 32-44 N: air that has not crossed the region (background stations outside it).\n"
                "# Written by tools/build_parent_boundary.py; sources and which numbers are our estimates: SOURCES.md\n"
                "# in this folder (\"The parent domain\").\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["species", "side", "height[m]", "value", "unit"])
        for name, side, h, v, u in rows:
            w.writerow([name, side, f"{h:g}", fmt(v), u])
    print(f"wrote {OUT} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
