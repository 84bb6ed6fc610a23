"""Write the boundary table of the parent domain (108-125 E, 32-44 N), src/airmodel/data/boundary/
summer_parent_north_china.csv: air that reaches the parent's faces without having crossed the region.

    python tools/build_parent_boundary.py

In August the East Asian summer monsoon brings air in over the south and east faces (from the Yangtze River Delta and
central China, and from the Yellow and East China Seas); those two faces matter most. Each face takes published
summer surface values at a background station outside the parent domain where one was found (MEASURED below, each
with its source), and otherwise the values of the child table's clean north face (summer_north_china.csv: the
Mongolian plateau) or, for the south face's particles and secondary gases, its west face (moderately polluted
continental air). Every choice, and what is still our estimate, is in data/boundary/SOURCES.md ("The parent domain").
Profiles keep the child table's shape: v(z) = FT + (S - FT) f(z) with f = 1.0, 0.9, 0.6, 0.25, 0.0 at 0, 1000, 1500,
2000, 3000 m, FT the top value; O3 the station's surface value under the stand-in face's own nodes aloft.
"""
from __future__ import annotations

import csv
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1] / "src" / "airmodel" / "data" / "boundary"
CHILD = FOLDER / "summer_north_china.csv"
OUT = FOLDER / "summer_parent_north_china.csv"

HEIGHTS = (0.0, 1000.0, 1500.0, 2000.0, 3000.0)
SHAPE = (1.0, 0.9, 0.6, 0.25, 0.0)
#: the month the table is for, as a decimal year (mid-August 2008)
TARGET_YEAR = 2008.62

# --- Lin'an GAW regional station (30.3 N, 119.7 E, 139 m; Yangtze River Delta): the south face ------------------
# CO: summer mean 0.54 ppm over January 2006 - December 2017 and a summer trend of -11.1 ppb per year (Chen Y. et al.
# 2020, ACP 20, 15969, doi:10.5194/acp-20-15969-2020), carried back from the middle of the record to August 2008.
LINAN_CO_SUMMER_PPM = 0.54
LINAN_CO_SUMMER_TREND_PPM_PER_YEAR = -0.0111
LINAN_CO_RECORD_MIDDLE = 2012.0
# NOx: July mean (the seasonal minimum) 7.1 ppb over 2006-2016; NO2 is 12.5 of the 13.6 ppb NOx of the whole record
# (Yin Q. et al. 2022, ACP 22, 1015, doi:10.5194/acp-22-1015-2022).
LINAN_NOX_JULY_PPB = 7.1
LINAN_NO2_OF_NOX = 12.5 / 13.6
# SO2: July mean 2.8 ppb against a 2006-2016 mean of 7.0 ppb (Yin et al. 2022), applied to the annual mean of July
# 2008 - June 2010, 7.1 ppb (Qi H. et al. 2012, Sci. China Chem. 55, doi:10.1007/s11426-012-4524-y; the mean of July
# 2005 - June 2008 was 14.2 ppb, before the desulphurisation of the Yangtze River Delta's power plants).
LINAN_SO2_JULY_OVER_MEAN = 2.8 / 7.0
LINAN_SO2_2008_2010_PPB = 7.1
# O3: no summer mean was found; the annual mean of August 1994 - August 1995, 39.1 ppb, with June-July the lowest
# months ("Observational analysis of surface O3, NOx and SO2 in China", Quarterly Journal of Applied Meteorology 1997,
# qikan.camscma.cn article 19970107; abstract).
LINAN_O3_ANNUAL_1994_PPB = 39.1

# --- Mt Waliguan GAW baseline station (36.3 N, 100.9 E, 3816 m): the west face's O3 ------------------------------
# Summer 2003 mean O3 54 +- 11 ppb (Wang T. et al. 2006, J. Geophys. Res. 111, D08303, doi:10.1029/2005JD006527).
WALIGUAN_O3_SUMMER_PPB = 54.0

# --- Oki, Japan (36.3 N, 133.2 E; remote island): the east face's O3 and CO ----------------------------------------
# Summer monthly means O3 23 ppb and CO 106 ppb, January 2001 - September 2002 (Sikder H. A. et al. 2011, J. Environ.
# Manage.; Pacific marine air in summer).
OKI_O3_SUMMER_PPB = 23.0
OKI_CO_SUMMER_PPM = 0.106

# --- Gosan, Jeju (33.3 N, 126.2 E; background): the east face's SO2 -----------------------------------------------
# Annual mean May 2004 - April 2005 1.98 ppb (Kim I.-A., Li S.-L., Kim K.-R. 2008, koreascience.or.kr
# JAKO200835741866559; abstract), scaled by the summer : annual ratio measured there in 1994, 0.46 : 0.83 ppb (summer
# minimum in Pacific air; Jang K.-M. et al., background surface SO2 at Kosan, 1994 data; abstract). Gosan's NOx
# (4.64 ppb, 2004-05) is an annual mean with local NO sources and is not used (SOURCES.md).
GOSAN_SO2_ANNUAL_PPB = 1.98
GOSAN_SO2_SUMMER_OVER_ANNUAL_1994 = 0.46 / 0.83

def _linan_co() -> float:
    return LINAN_CO_SUMMER_PPM + LINAN_CO_SUMMER_TREND_PPM_PER_YEAR * (TARGET_YEAR - LINAN_CO_RECORD_MIDDLE)


#: measured surface values per face (table units: ppb, CO ppm)
MEASURED = {
    "south": {"O3": LINAN_O3_ANNUAL_1994_PPB, "CO": _linan_co(),
              "SO2": LINAN_SO2_JULY_OVER_MEAN * LINAN_SO2_2008_2010_PPB,
              "NO2": LINAN_NO2_OF_NOX * LINAN_NOX_JULY_PPB, "NO": (1.0 - LINAN_NO2_OF_NOX) * LINAN_NOX_JULY_PPB},
    "west": {"O3": WALIGUAN_O3_SUMMER_PPB},
    "east": {"O3": OKI_O3_SUMMER_PPB, "CO": OKI_CO_SUMMER_PPM,
             "SO2": GOSAN_SO2_SUMMER_OVER_ANNUAL_1994 * GOSAN_SO2_ANNUAL_PPB},
    "north": {},
}
#: face -> the child face whose values stand in for what no station measured
STAND_IN = {"west": "north", "north": "north", "east": "north", "south": "west"}


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
        for face, stand_in in STAND_IN.items():
            surface = MEASURED[face].get(name)
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
