"""Write docs/chemistry_cb05.md and docs/chemistry_isopleth.png: cb05_aero in the urban summer box.

    python tools/docs_chemistry_cb05.py

1. Noon radicals: the ready case ``box/cb05_urban`` (5 days, 5-minute outputs); at local solar noon of days 3-5,
   OH and HO2 (molecule cm-3) and the gross ozone production rate P(O3) = sum of the rates of the peroxy + NO
   reactions that make NO2 (HO2, XO2, MEO2, C2O3, CXO3 and TO2 + NO: CB05 R30, R54, R67, R87, R102, R129 with
   its 0.9 NO2 yield), and the net rate P(O3) - L(O3), L the O3 and O(1D) losses (R9 followed by R11 for the
   O(1D) that makes OH, R12, R13, the alkene ozonolysis R118, R122, R126, R143, R146, R151 and R3 is left out as
   a null cycle with R1), beside measured noon values of OH and HO2 near Beijing (Lu et al. 2013, ACP 13, 1057,
   CAREBeijing-2006 at Yufa: daily maxima of OH (4-17) x 1e6 and of HO2* (2-24) x 1e8 cm-3) and in the Pearl River
   Delta for contrast (Hofzumahaus et al. 2009, Science 324, 1702, Backgarden, July 2006: noon OH of
   (15-26) x 1e6 cm-3).
2. Ozone isopleths: the same case, 3 days, with the NOx emissions (NO, NO2) and the VOC emissions (the eleven CB05
   VOC species) each scaled by 0.25, 0.5, 0.75, 1, 1.5, 2, 3 (7 x 7 box runs); the peak O3 of the third day,
   contoured against the two factors (VOC across, NOx up). The ridge of the contours separates the VOC-limited
   regime (upper left, much NOx for the VOC: less NOx raises O3) from the NOx-limited one (lower right: less NOx
   lowers O3).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from airmodel.chemistry.box import build_setup, integrate, load_box_config
from airmodel.files import pyplot, save_figure_atomic, write_text_atomic
from airmodel.kernels import chemistry as kchem
from airmodel.kernels.photolysis import cloud_attenuation, cos_zenith_at
from airmodel.chemistry.process import seconds_of_year

DOCS = Path(__file__).resolve().parents[1] / "docs"
CASE = "box/cb05_urban"
VOC = ("PAR", "ETH", "OLE", "IOLE", "TOL", "XYL", "FORM", "ALD2", "ALDX", "ISOP", "TERP")
NOX = ("NO", "NO2")
FACTORS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
PRODUCTION = {"R30": 1.0, "R54": 1.0, "R67": 1.0, "R87": 1.0, "R102": 1.0, "R129": 0.9}
LOSS = ("R12", "R13", "R118", "R122", "R126", "R143", "R146", "R151")
DAY = 86400.0


def molecules(ppb, number_density):
    return ppb * 1e-9 * number_density


def noon_table():
    from datetime import timedelta

    config = load_box_config(CASE, ["box.output_interval_minutes=5"])
    setup = build_setup(config)
    ppb, _ = integrate(setup)
    mech = setup.mechanism
    a = mech.arrays
    names = mech.species_names
    labels = [r.label for r in mech.reactions]
    k_thermal, k = np.empty(len(labels)), np.empty(len(labels))
    jv = np.empty(max(a.photolysis_par.shape[0], 1))
    rows = []
    t = setup.output_offset
    for day in (3, 4, 5):
        window = (t > (day - 1) * DAY) & (t <= day * DAY)
        best, best_c = None, -2.0
        for row in np.nonzero(window)[0]:
            sec, ndays = seconds_of_year(setup.start + timedelta(seconds=float(t[row])))
            c = cos_zenith_at(sec, ndays, setup.lon, setup.lat)
            if c > best_c:
                best, best_c = row, c
        seg = setup.output_segment[best]
        m = setup.segment_number_density[seg]
        kchem.thermal_rate_constants(a, setup.segment_temperature[seg], m, setup.segment_rh[seg],
                                     setup.segment_cloud[seg], k_thermal)
        oh_proxy = kchem.photolysis_and_oh(a, best_c, cloud_attenuation(setup.segment_cloud[seg], *a.cloud_par), jv)
        kchem.current_rate_constants(a, k_thermal, jv, oh_proxy, k)
        y = ppb[best]
        prod = sum(f * kchem.reaction_rate(a, k, y, labels.index(r)) for r, f in PRODUCTION.items())
        loss = sum(kchem.reaction_rate(a, k, y, labels.index(r)) for r in LOSS)
        loss += kchem.reaction_rate(a, k, y, labels.index("R11"))  # O(1D) + H2O: one O3 lost per reaction
        local = (setup.start + timedelta(seconds=float(t[best]), hours=setup.config["box"]["utc_offset_hours"]))
        rows.append({"day": day, "local": local.strftime("%H:%M"),
                     "oh": molecules(y[names.index("OH")], m), "ho2": molecules(y[names.index("HO2")], m),
                     "no": y[names.index("NO")], "o3": y[names.index("O3")],
                     "p_o3": prod * 3600.0, "net_o3": (prod - loss) * 3600.0})
    return rows


def isopleth():
    peak = np.zeros((len(FACTORS), len(FACTORS)))  # [nox, voc]
    base = load_box_config(CASE)["emissions"]
    for i, fn in enumerate(FACTORS):
        for j, fv in enumerate(FACTORS):
            overrides = ["box.days=3"]
            overrides += [f"emissions.{n}={float(base[n]) * fn!r}" for n in NOX]
            overrides += [f"emissions.{n}={float(base[n]) * fv!r}" for n in VOC]
            setup = build_setup(load_box_config(CASE, overrides))
            ppb, _ = integrate(setup)
            last = setup.output_offset > 2 * DAY
            peak[i, j] = ppb[last, setup.mechanism.species_names.index("O3")].max()
    return peak


def main() -> int:
    rows = noon_table()
    peak = isopleth()
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 5.2))
    levels = np.arange(np.floor(peak.min() / 10) * 10, peak.max() + 10, 10)
    cs = ax.contour(FACTORS, FACTORS, peak, levels=levels, colors="k", linewidths=0.8)
    ax.clabel(cs, levels=cs.levels[::3], fmt="%d", fontsize=7)
    filled = ax.contourf(FACTORS, FACTORS, peak, levels=levels, cmap="YlOrRd")
    fig.colorbar(filled, ax=ax, label="peak O3 on day 3 (ppb)")
    ax.plot([1.0], [1.0], "bo")
    ax.set_xlabel("VOC emission factor (x box/cb05_urban)")
    ax.set_ylabel("NOx emission factor (x box/cb05_urban)")
    ax.set_title("cb05_aero urban box: ozone isopleths (7 x 7 runs)")
    save_figure_atomic(fig, DOCS / "chemistry_isopleth.png", close=True, dpi=110)
    i1 = FACTORS.index(1.0)
    voc_limited = peak[FACTORS.index(0.5), i1] > peak[i1, i1]
    lines = [
        "# cb05_aero in the urban summer box: noon radicals and ozone isopleths", "",
        "Generated by `python tools/docs_chemistry_cb05.py`; do not edit by hand.", "",
        "Case `box/cb05_urban` (Beijing urban core, clear August days from 2 August 2008; grs_aero's case with the VOC "
        "as CB05 species), RODAS3 at rtol 1e-4, atol 1e-8 ppb, 5-minute outputs.", "",
        "## OH, HO2 and ozone production at local solar noon", "",
        "| day | local time | OH (1e6 cm-3) | HO2 (1e8 cm-3) | NO (ppb) | O3 (ppb) | P(O3) (ppb/h) | P(O3) - L(O3) "
        "(ppb/h) |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['day']} | {r['local']} | {r['oh'] / 1e6:.1f} | {r['ho2'] / 1e8:.1f} | {r['no']:.2f} | "
                     f"{r['o3']:.0f} | {r['p_o3']:.1f} | {r['net_o3']:.1f} |")
    lines += [
        "", "Measured for comparison (daily maxima, near noon):", "",
        "| place | OH (1e6 cm-3) | HO2 (1e8 cm-3) | source |", "|---|---|---|---|",
        "| Yufa, 50 km south of Beijing, Aug.-Sep. 2006 | 4-17 | 2-24 (HO2*, with some RO2) | Lu et al. 2013, ACP "
        "13, 1057 |",
        "| Backgarden, Pearl River Delta, July 2006 | 15-26 | | Hofzumahaus et al. 2009, Science 324, 1702 |", "",
        "P(O3) sums the peroxy + NO reactions that make NO2 (CB05 R30, R54, R67, R87, R102, 0.9 x R129); L(O3) "
        "the ozone losses (O(1D) + H2O, OH + O3, HO2 + O3 and alkene and isoprene ozonolysis). No published "
        "P(O3) for Beijing summer was checked in this work; none is quoted.", "",
        "## Ozone isopleths", "", "![ozone isopleths](chemistry_isopleth.png)", "",
        "Peak O3 (ppb) on the third day, NOx emission factor (rows) against VOC emission factor (columns):", "",
        "| NOx \\ VOC | " + " | ".join(f"{f:g}" for f in FACTORS) + " |", "|---|" + "---|" * len(FACTORS)]
    for i, fn in enumerate(FACTORS):
        lines.append(f"| {fn:g} | " + " | ".join(f"{peak[i, j]:.0f}" for j in range(len(FACTORS))) + " |")
    lines += ["", f"At the case's own emissions (1, 1) halving NOx {'raises' if voc_limited else 'lowers'} the peak "
              f"from {peak[i1, i1]:.0f} to {peak[FACTORS.index(0.5), i1]:.0f} ppb: the city is "
              f"{'VOC-limited' if voc_limited else 'NOx-limited'} there. Along each row, the NOx factor above which "
              "more NOx lowers the peak marks the ridge between the regimes.", ""]
    write_text_atomic(DOCS / "chemistry_cb05.md", "\n".join(lines), force=True, what="documentation")
    print(f"wrote {DOCS / 'chemistry_cb05.md'} and {DOCS / 'chemistry_isopleth.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
