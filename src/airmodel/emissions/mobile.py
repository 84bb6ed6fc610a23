"""Mobile sources: road links and regional vehicle activity, vehicle classes, emission factors.

Emission = vehicle-km of a class x the class's emission factor (kg per vehicle-km), per pollutant.

- Emission factors (CSV): ``vehicle_class,NOx[g/km],CO[g/km],...`` (``g/km``, ``mg/km`` or ``kg/km``).
- Fleet mixes (CSV): ``fleet,vehicle_class,share``; each fleet's shares add up to 1.
- Road links (GeoJSON FeatureCollection of LineString or MultiLineString, or CSV with a WKT ``geometry`` column):
  properties ``id`` (unique), ``road_type``, and either ``volume`` (vehicles per day, all classes) with ``fleet``,
  or ``volume_<class>`` for each class; ``name`` and ``speed`` (km/h) are kept for reference. Links are rasterized
  by the exact length of road in each cell (every crossing of a cell edge splits a segment; lengths on the sphere by
  the local east-north metric of each piece).
- Regional vehicle activity (CSV): ``id,region,road_type,proxy,fleet,vkt[veh-km/d]`` (or ``vkt_<class>``
  columns): the traffic on streets that are not links, spread by a proxy over the region.

Traffic measures act on the vehicle-km of a class (a share of the class off the road) or replace its emission factor.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..grid import EARTH_RADIUS
from .components import N_POLLUTANTS, Component
from .proxies import proxy_weights
from .quantities import POLLUTANTS, emission_factor_factor, pollutant_name, seconds_in_year
from .regions import Frame, find_region, province_of_point
from .tables import read_table

#: Physical ranges: the heaviest trucks emit about 1-2 kg CO2 per km, so 100 kg of one pollutant per vehicle-km
#: is a unit slip; the world's road traffic is of the order of 2e13 vehicle-km a year (5e10 a day), so one row's
#: 1e11 veh-km/d is too.
MAX_KG_PER_VEHICLE_KM = 100.0
MAX_VEHICLE_KM_PER_DAY = 1e11
#: The busiest roads carry a few hundred thousand vehicles a day; 1e7 on one link is a unit slip.
MAX_VEHICLES_PER_DAY = 1e7
MAX_COUNT = {"volume": MAX_VEHICLES_PER_DAY, "vkt": MAX_VEHICLE_KM_PER_DAY}

KM_PER_DEGREE = EARTH_RADIUS * np.pi / 180.0 / 1000.0


def read_emission_factors(path) -> dict[str, np.ndarray]:
    table = read_table(path)
    cols = table.require("vehicle_class")
    factors = {}
    for index, header in enumerate(table.headers):
        if index == cols["vehicle_class"] or table.names[index] == "note":
            continue
        p = pollutant_name(table.names[index])
        if p is None:
            raise InputError(f"{table.path}: column {header!r} is not a pollutant ({', '.join(POLLUTANTS)})")
        unit = table.unit(index)
        if unit is None:
            raise InputError(f"{table.path}: column {header!r} has no unit; write it as {table.names[index]}[g/km]")
        factors[index] = (POLLUTANTS.index(p), emission_factor_factor(unit, f"{table.path}: column {header!r}"))
    table.unique(cols["vehicle_class"])
    out = {}
    for line, f in table.rows:
        ef = np.zeros(N_POLLUTANTS)
        for index, (p, factor) in factors.items():
            ef[p] = table.amount(line, f, index, factor, "kg per vehicle-km", MAX_KG_PER_VEHICLE_KM)
        out[table.text(line, f, cols["vehicle_class"])] = ef
    return out


def read_fleets(path, classes: dict) -> dict[str, dict[str, float]]:
    table = read_table(path)
    cols = table.require("fleet", "vehicle_class", "share")
    fleets: dict[str, dict[str, float]] = {}
    first: dict[str, int] = {}
    for line, f in table.rows:
        fleet = table.text(line, f, cols["fleet"])
        vc = table.text(line, f, cols["vehicle_class"])
        if vc not in classes:
            raise InputError(f"{table.where(line, cols['vehicle_class'])}: unknown vehicle class {vc!r}; the "
                             f"emission-factor table has: {', '.join(classes)}")
        if vc in fleets.get(fleet, {}):
            raise InputError(f"{table.where(line, cols['vehicle_class'])}: class {vc!r} twice in fleet {fleet!r}")
        fleets.setdefault(fleet, {})[vc] = table.number(line, f, cols["share"], minimum=0.0)
        first.setdefault(fleet, line)
    for fleet, shares in fleets.items():
        total = sum(shares.values())
        if abs(total - 1.0) > 1e-6:
            raise InputError(f"{table.path} line {first[fleet]}: the shares of fleet {fleet!r} add up to {total:g}, "
                             f"not 1")
    return fleets


def _polyline_pieces(coords: np.ndarray, frame: Frame) -> tuple[np.ndarray, ...]:
    """The pieces of a polyline cut at every cell edge: (i, j, length km, lon, lat of the piece's midpoint)."""
    pieces = []
    r = frame.res
    for (x0, y0), (x1, y1) in zip(coords[:-1], coords[1:]):
        ts = [0.0, 1.0]
        for a, b, origin in ((x0, x1, frame.lon0), (y0, y1, frame.lat0)):
            if b != a:
                k_lo, k_hi = sorted(((a - origin) / r, (b - origin) / r))
                for k in range(int(np.ceil(k_lo)), int(np.floor(k_hi)) + 1):
                    t = (origin + k * r - a) / (b - a)
                    if 0.0 < t < 1.0:
                        ts.append(t)
        ts = np.unique(ts)
        for t0, t1 in zip(ts[:-1], ts[1:]):
            xa, ya = x0 + t0 * (x1 - x0), y0 + t0 * (y1 - y0)
            xb, yb = x0 + t1 * (x1 - x0), y0 + t1 * (y1 - y0)
            xm, ym = 0.5 * (xa + xb), 0.5 * (ya + yb)
            dx = (xb - xa) * np.cos(np.deg2rad(ym)) * KM_PER_DEGREE
            dy = (yb - ya) * KM_PER_DEGREE
            i, j = (int(v) for v in frame.index(xm, ym))
            pieces.append((i, j, float(np.hypot(dx, dy)), xm, ym))
    arr = np.array(pieces, dtype=float).reshape(-1, 5)
    return arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64), arr[:, 2], arr[:, 3], arr[:, 4]


def _lines_of(geometry: dict, where: str) -> list[np.ndarray]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    try:
        if kind == "LineString":
            lines = [np.asarray(geometry["coordinates"], dtype=float)]
        elif kind == "MultiLineString":
            lines = [np.asarray(c, dtype=float) for c in geometry["coordinates"]]
        else:
            raise InputError(f"{where}: geometry type {kind!r}; road links must be LineString or MultiLineString")
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{where}: the geometry's coordinates are not a list of [lon, lat] pairs") from None
    for line in lines:
        if line.ndim != 2 or line.shape[0] < 2 or line.shape[1] < 2:
            raise InputError(f"{where}: a line needs at least two [lon, lat] points")
        if not np.all(np.isfinite(line)):
            raise InputError(f"{where}: non-numeric or non-finite coordinates")
    return [line[:, :2] for line in lines]


def _class_volumes(props: dict, where: str, fleets: dict, classes: dict, key: str, unit: str) -> dict[str, float]:
    """Volumes (or vehicle-km) per class from ``<key>`` + ``fleet`` or ``<key>_<class>`` properties."""
    per_class = {k[len(key) + 1:]: v for k, v in props.items() if k.startswith(key + "_")}
    for vc in per_class:
        if vc not in classes:
            raise InputError(f"{where}: property {key}_{vc}: unknown vehicle class {vc!r}; the emission-factor table "
                             f"has: {', '.join(classes)}")
    if per_class:
        out = {vc: _nonnegative(v, f"{where}: property {key}_{vc}", MAX_COUNT[key], unit)
               for vc, v in per_class.items()}
        return out
    if key not in props or "fleet" not in props:
        raise InputError(f"{where}: give {key} ({unit}) with fleet, or {key}_<class> for each vehicle class")
    fleet = str(props["fleet"])
    if fleet not in fleets:
        raise InputError(f"{where}: property fleet: unknown fleet {fleet!r}; the fleet table has: "
                         f"{', '.join(fleets) or '(none)'}")
    total = _nonnegative(props[key], f"{where}: property {key}", MAX_COUNT[key], unit)
    return {vc: total * share for vc, share in fleets[fleet].items()}


def _nonnegative(value, where: str, maximum: float = np.inf, unit: str = "") -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: {value!r} is not a number") from None
    if not np.isfinite(x) or x < 0:
        raise InputError(f"{where}: {value!r} is {'negative' if np.isfinite(x) else 'not finite'}; it must be "
                         f"at least 0")
    if x > maximum:
        raise InputError(f"{where}: {value!r} is out of the physical range; it must be at most {maximum:g} {unit}")
    return x


def _read_links(path: Path) -> list[tuple[str, dict, dict]]:
    """(where, properties, geometry) of each link, from GeoJSON or CSV with WKT."""
    if path.suffix.lower() in (".geojson", ".json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"{path}: file not found") from None
        except json.JSONDecodeError as exc:
            raise InputError(f"{path} line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})") from None
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
            raise InputError(f"{path}: expected a GeoJSON FeatureCollection")
        out = []
        for n, feature in enumerate(data.get("features", [])):
            props = feature.get("properties") or {}
            where = f"{path} feature {n}" + (f" (id {props['id']!r})" if "id" in props else "")
            out.append((where, props, feature.get("geometry")))
        return out
    table = read_table(path)
    cols = table.require("id", "road_type", "geometry")
    from shapely import wkt
    from shapely.errors import ShapelyError

    out = []
    for line, f in table.rows:
        props = {}
        for index, header in enumerate(table.headers):
            name = table.names[index]
            if name == "geometry" or not f[index].strip():
                continue
            props[name] = f[index].strip()
        where = f"{table.path} line {line}"
        try:
            geom = wkt.loads(f[cols["geometry"]]).__geo_interface__
        except (ShapelyError, ValueError) as exc:
            raise InputError(f"{table.where(line, cols['geometry'])}: not WKT ({exc})") from None
        geom = {"type": geom["type"], "coordinates": geom["coordinates"]}
        out.append((where, props, geom))
    return out


def read_road_links(path, frame: Frame, year: int, fleets: dict, factors: dict,
                    known_ids: dict[str, str]) -> list[Component]:
    path = Path(path)
    days = seconds_in_year(year) / 86400.0
    out = []
    local_ids: dict[str, str] = {}
    for where, props, geometry in _read_links(path):
        if "id" not in props or str(props["id"]).strip() == "":
            raise InputError(f"{where}: missing property 'id'")
        sid = str(props["id"])
        if sid in local_ids or sid in known_ids:
            raise InputError(f"{where}: duplicate id {sid!r} (also in {local_ids.get(sid) or known_ids[sid]})")
        local_ids[sid] = where
        if "road_type" not in props:
            raise InputError(f"{where}: missing property 'road_type'")
        volumes = _class_volumes(props, where, fleets, factors, "volume", "vehicles per day")
        parts = [_polyline_pieces(line, frame) for line in _lines_of(geometry, where)]
        i, j, length, lon, lat = (np.concatenate([p[k] for p in parts]) for k in range(5))
        total_km = float(length.sum())
        if total_km <= 0.0:
            raise InputError(f"{where}: the link has zero length")
        # each piece belongs to the province that holds its midpoint: one component per province it crosses
        province = np.array([province_of_point(x, y) for x, y in zip(lon, lat)])
        for name in dict.fromkeys(province.tolist()):
            sel = province == name
            share = float(length[sel].sum()) / total_km
            cells, inverse = np.unique(np.stack([i[sel], j[sel]]), axis=1, return_inverse=True)
            inverse = inverse.ravel()
            cell_km = np.bincount(inverse, weights=length[sel], minlength=cells.shape[1])
            pieces = {"lon": lon[sel], "lat": lat[sel], "km": length[sel], "cell": inverse}
            for vc, volume in volumes.items():
                activity = volume * total_km * share * days  # vehicle-km per year
                out.append(Component(
                    kind="road", source_id=sid, sector="transport", profile="transport", vertical="surface",
                    amounts=activity * factors[vc], i=cells[0], j=cells[1], weight=cell_km / cell_km.sum(),
                    origin=where, province=name, vehicle_class=vc, road_type=str(props["road_type"]),
                    emission_factor=factors[vc].copy(),
                    extra={"name": props.get("name", ""), "length_km": total_km * share,
                           "vehicle_km_per_year": activity, "pieces": pieces}))
    known_ids.update(local_ids)
    return out


def read_vehicle_activity(path, frame: Frame, year: int, fleets: dict, factors: dict,
                          known_ids: dict[str, str]) -> list[Component]:
    table = read_table(path)
    cols = table.require("id", "region", "road_type", "proxy")
    days = seconds_in_year(year) / 86400.0
    table.unique(cols["id"])
    vkt_cols = {}
    for index, header in enumerate(table.headers):
        name = table.names[index]
        if name == "vkt" or name.startswith("vkt_"):
            unit = table.unit(index)
            if unit not in ("veh-km/d", "vehicle-km/d", "km/d"):
                raise InputError(f"{table.path}: column {header!r}: unknown unit {unit!r}; use veh-km/d")
            vkt_cols[name] = index
    out = []
    for line, f in table.rows:
        sid = table.source_id(line, f, cols["id"], known_ids)
        where = f"{table.path} line {line}"
        props = {name: table.amount(line, f, index, 1.0, "veh-km/d", MAX_VEHICLE_KM_PER_DAY)
                 for name, index in vkt_cols.items() if f[index].strip() or name == "vkt"}
        fleet_col = table.column("fleet")
        if fleet_col is not None and f[fleet_col].strip():
            props["fleet"] = f[fleet_col].strip()
        volumes = _class_volumes(props, where, fleets, factors, "vkt", "veh-km/d")
        region = find_region(table.text(line, f, cols["region"]), table.where(line, cols["region"]))
        i, j, w = proxy_weights(table.text(line, f, cols["proxy"]), region, frame, table.where(line, cols["proxy"]))
        for vc, vkt in volumes.items():
            activity = vkt * days
            out.append(Component(
                kind="vehicle_activity", source_id=sid, sector="transport", profile="transport", vertical="surface",
                amounts=activity * factors[vc], i=i, j=j, weight=w, origin=where, province=region.province,
                vehicle_class=vc, road_type=table.text(line, f, cols["road_type"]),
                emission_factor=factors[vc].copy(),
                extra={"region": region.name, "region_code": region.code, "vehicle_km_per_year": activity}))
    return out
