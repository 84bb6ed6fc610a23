"""Scenario keys of the emission inventories ([emissions]) and of control measures ([[controls]]).

``EMISSIONS_KEYS`` and ``CONTROL_KEYS`` are schemas of airmodel.schema. ``[emissions]`` also keeps the idealized
``[[emissions.point]]`` list (``POINT_SOURCE_SCHEMA``), which airmodel.scenario checks against the species it defines;
``validate_emissions`` checks the other keys, ``validate_control`` one ``[[controls]]`` entry. Both raise InputError
naming the key, the bad value and what is valid.

Paths are relative to the scenario file's folder (the folder the Emissions object is given).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ..errors import InputError
from ..schema import NUMBER, fill_table, key
from ..units import EMISSION_RATE_TO_SI
from .quantities import POLLUTANTS, SECTOR_GROUPS, SECTORS, pollutant_name

#: Built-in inventories: name -> manifest (a TOML file of [emissions] keys) under airmodel/data/emissions/.
INVENTORIES = ("none", "default_2008")

#: One idealized release of a scenario species at a fixed point ([[emissions.point]]; airmodel/emissions/point.py).
POINT_SOURCE_SCHEMA = {
    "name": key(str, "", doc="what the source is, for messages"),
    "species": key(str, doc="the scenario species it emits"),
    "x": key(NUMBER, doc="x (m) or longitude (deg)"),
    "y": key(NUMBER, doc="y (m) or latitude (deg)"),
    "z": key(NUMBER, doc="release height above ground (m)", minimum=0, maximum=50000.0),
    "rate": key(NUMBER, doc="emission rate, in rate_units", minimum=0),
    "rate_units": key(str, "g s-1", doc="units of rate: " + ", ".join(EMISSION_RATE_TO_SI)),
}

EMISSIONS_KEYS = {
    "inventory": key(str, "none", choices=INVENTORIES,
                     doc="a built-in inventory whose files fill the file keys left empty: default_2008 (greater "
                        "Beijing before the 2008 Games, airmodel/data/emissions/default_2008/), or none"),
    "year": key(int, None, doc="the inventory's year (its annual amounts are for this local calendar year); "
                              "default: the built-in inventory's year, else the run's start year",
                              minimum=1900, maximum=2200),
    "point_files": key(list, [], doc="stack CSV files: id,name,sector,lon,lat,height[m],diameter[m],"
                                    "exit_velocity[m/s],exit_temperature[K],SO2[t/yr],..."),
    "region_totals_files": key(list, [], doc="CSV files of totals by region: id,region,sector,proxy,SO2[t/yr],..."),
    "gridded_files": key(list, [], doc="NetCDF inventories on a lon-lat grid: per-sector fluxes (kg m-2 s-1) or "
                                      "amounts per cell and month (Mg/month/cell)"),
    "road_files": key(list, [], doc="road links: GeoJSON LineStrings or CSV with WKT (id, road_type, volume + "
                                   "fleet or volume_<class>)"),
    "vehicle_activity_files": key(list, [], doc="CSV of vehicle-km by region: id,region,road_type,proxy,fleet,"
                                               "vkt[veh-km/d]"),
    "emission_factors": key(str, "", doc="CSV of vehicle emission factors: vehicle_class,NOx[g/km],..."),
    "fleets": key(str, "", doc="CSV of fleet mixes: fleet,vehicle_class,share"),
    "temporal_profiles": key(str, "", doc="CSV of month/weekday/hour profiles (default: "
                                         "airmodel/data/emissions/temporal_profiles.csv)"),
    "vertical_profiles": key(str, "", doc="CSV of release heights of area sectors (default: "
                                         "airmodel/data/emissions/vertical_profiles.csv)"),
    "speciation": key(str, "", doc="a mechanism name (airmodel/data/emissions/speciation/<name>.csv) or a CSV "
                                  "path; empty: the table of chemistry.mechanism (grs_aero in a run without "
                                  "chemistry)"),
    "mechanism": key(str, "", doc="the mechanism whose species molar masses the speciation uses; empty: "
                                 "chemistry.mechanism (grs_aero in a run without chemistry)"),
    "utc_offset_hours": key(NUMBER, 8.0, doc="local time of the profiles and control windows: hours east of UTC "
                                            "(China Standard Time: 8)", minimum=-14.0, maximum=14.0),
    "plume_rise": key(str, "briggs", choices=("briggs", "none"),
                      doc="stacks: Briggs plume rise with the hourly meteorology, or release at the stack top"),
    "plume_depth": key(NUMBER, 1.0, doc="depth of the plume as a multiple of the rise: the plume fills "
                                       "h + (1 - depth/2) dh .. h + (1 + depth/2) dh (1: the SMOKE/Turner "
                                       "convention 0.5 dh .. 1.5 dh above the stack)", minimum=0, maximum=10.0),
    "biogenic": key(bool, False, doc="isoprene (ISOP) and monoterpenes (TERP) from the land use with the Guenther "
                                     "et al. (1993) temperature and light dependence (airmodel/emissions/"
                                     "biogenic.py), for a run whose species include them"),
    "out_of_domain": key(str, "warn", choices=("warn", "error"),
                         doc="sources outside the domain: listed as a warning and left out, or an error"),
}

CONTROL_KEYS = {
    "name": key(str, "", doc="what the measure is, for tables and messages"),
    "sectors": key((str, list), [], doc="sectors it acts on (default: all): " + ", ".join(SECTORS)),
    "pollutants": key((str, list), [], doc="pollutants it acts on (default: all): " + ", ".join(POLLUTANTS)),
    "source_ids": key((str, list), [], doc="ids of stacks, region-total rows, road links or activity rows"),
    "vehicle_classes": key((str, list), [], doc="vehicle classes (mobile sources only)"),
    "road_types": key((str, list), [], doc="road types (mobile sources only)"),
    "region": key(str, "", doc="where: a province, prefecture or district (code, English or Chinese name)"),
    "box": key(list, [], doc="where: [lon_min, lat_min, lon_max, lat_max]"),
    "polygon": key(list, [], doc="where: [[lon, lat], ...] (at least three points)"),
    "reduction": key(NUMBER, None, doc="how much: the fraction removed, 0..1 (for vehicle classes: the share off "
                                      "the road)", minimum=0),
    "scale": key(NUMBER, None, doc="how much: a factor on the selected emissions (growth: 1.3 is +30 %; 0.7 is "
                                  "a 30 % cut, the same as reduction = 0.3)", minimum=0),
    "emission_factor": key(dict, {}, doc="how much: new emission factors of the selected vehicle classes, "
                                        "{ NOx = 0.2, ... }, in emission_factor_units"),
    "emission_factor_units": key(str, "g/km", choices=("g/km", "mg/km", "kg/km"),
                                 doc="units of the emission_factor values"),
    "measure": key(str, None, doc="a measure of the catalogue (airmodel/data/measures/): alone, its removal "
                                "efficiencies act on its sector; with reduction or scale, the fraction acts and the "
                                "measure gives the cost"),
    "start": key(str, "", doc="when: start, local time (ISO 8601 date or time; a zone such as Z overrides)"),
    "end": key(str, "", doc="when: end (exclusive), local time; a date means its midnight"),
}

LIST_KEYS = ("sectors", "pollutants", "source_ids", "vehicle_classes", "road_types")


def merged_schema(base: dict) -> dict:
    """The [emissions] schema: the scenario's own keys (``point``) plus these (for wiring into scenario.py)."""
    out = dict(base)
    for name, entry in EMISSIONS_KEYS.items():
        out.setdefault(name, entry)
    return out


def validate_emissions(section: dict, where: str = "emissions") -> dict:
    """Check the inventory keys of an [emissions] table (``point`` is left as it is) and fill in defaults."""
    if not isinstance(section, dict):
        raise InputError(f"{where}: expected a table")
    rest = {k: v for k, v in section.items() if k != "point"}
    out = fill_table(rest, EMISSIONS_KEYS, where)
    for name in ("point_files", "region_totals_files", "gridded_files", "road_files", "vehicle_activity_files"):
        for n, item in enumerate(out[name]):
            if not isinstance(item, str) or not item:
                raise InputError(f"{where}.{name}[{n}]: expected a file name, got {item!r}")
    if "point" in section:
        out["point"] = section["point"]
    return out


def parse_local_time(text: str, offset_hours: float, where: str) -> datetime:
    """An ISO 8601 date or time in local time (or with its own zone) -> an aware UTC datetime."""
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: {text!r} is not an ISO 8601 date or time such as 2008-07-20 or "
                         f"2008-07-20T06:00") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone(timedelta(hours=offset_hours)))
    return t.astimezone(timezone.utc)


def _as_list(value) -> list:
    return [value] if isinstance(value, str) else list(value)


def validate_control(entry: dict, where: str = "controls[0]", utc_offset_hours: float = 8.0) -> dict:
    """Check one [[controls]] entry: known keys and choices, one 'where' at most, exactly one 'how much', a valid
    window. Returns the entry with defaults filled in and lists normalized (plain TOML values, so that the resolved
    scenario can be written back). What depends on the inventory (source ids, vehicle classes, region names) is
    checked when the inventory is built."""
    out = fill_table(entry, CONTROL_KEYS, where)
    for name in LIST_KEYS:
        items = _as_list(out[name])
        for n, item in enumerate(items):
            if not isinstance(item, str) or not item:
                raise InputError(f"{where}.{name}[{n}]: expected a name, got {item!r}")
        out[name] = items
    for n, s in enumerate(out["sectors"]):
        if s not in SECTORS and s not in SECTOR_GROUPS:
            raise InputError(f"{where}.sectors[{n}]: unknown sector {s!r}; choose one of: {', '.join(SECTORS)}")
    pollutants = []
    for n, p in enumerate(out["pollutants"]):
        name = pollutant_name(p)
        if name is None:
            raise InputError(f"{where}.pollutants[{n}]: unknown pollutant {p!r}; choose one of: "
                             f"{', '.join(POLLUTANTS)}")
        pollutants.append(name)
    out["pollutants"] = pollutants
    places = [k for k in ("region", "box", "polygon") if out[k]]
    if len(places) > 1:
        raise InputError(f"{where}: give at most one of region, box or polygon (got {', '.join(places)})")
    if out["box"]:
        box = out["box"]
        if len(box) != 4 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in box) \
                or not (box[0] < box[2] and box[1] < box[3]):
            raise InputError(f"{where}.box: expected [lon_min, lat_min, lon_max, lat_max] with min < max, got {box!r}")
    if out["polygon"]:
        poly = out["polygon"]
        ok = len(poly) >= 3 and all(isinstance(p, list) and len(p) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in p) for p in poly)
        if not ok:
            raise InputError(f"{where}.polygon: expected at least three [lon, lat] points, got {poly!r}")
    has_reduction = out["reduction"] is not None
    has_factor = bool(out["emission_factor"])
    has_scale = out["scale"] is not None
    if has_reduction + has_factor + has_scale != 1 and not (out["measure"] and not has_factor
                                                             and has_reduction + has_scale == 0):
        raise InputError(f"{where}: give exactly one of reduction (a fraction removed, 0..1), scale (a factor on "
                         f"the emissions, e.g. 1.3 for growth of 30 %) or emission_factor (new vehicle emission "
                         f"factors), or a catalogue measure alone")
    if has_reduction and out["reduction"] > 1:
        raise InputError(f"{where}.reduction: {out['reduction']!r} is out of range; it must be a fraction 0..1")
    if has_factor:
        if not out["vehicle_classes"]:
            raise InputError(f"{where}: emission_factor needs vehicle_classes (the classes whose factors change)")
        factors = {}
        for p, value in out["emission_factor"].items():
            name = pollutant_name(p)
            if name is None:
                raise InputError(f"{where}.emission_factor.{p}: unknown pollutant; choose one of: "
                                 f"{', '.join(POLLUTANTS)}")
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise InputError(f"{where}.emission_factor.{p}: {value!r} is not a non-negative number")
            factors[name] = float(value)
        out["emission_factor"] = factors
    start, end = control_window(out, utc_offset_hours, where)
    if start and end and end <= start:
        raise InputError(f"{where}: end {out['end']!r} is not after start {out['start']!r}")
    return out


def control_window(entry: dict, utc_offset_hours: float, where: str) -> tuple[datetime | None, datetime | None]:
    """(start, end) of a control entry as aware UTC datetimes; None where the window is open."""
    start = parse_local_time(entry["start"], utc_offset_hours, f"{where}.start") if entry["start"] else None
    end = parse_local_time(entry["end"], utc_offset_hours, f"{where}.end") if entry["end"] else None
    return start, end


def validate_controls(entries, where: str = "controls", utc_offset_hours: float = 8.0) -> list[dict]:
    if not isinstance(entries, list):
        raise InputError(f"{where}: expected a list of tables ([[controls]])")
    return [validate_control(e, f"{where}[{n}]" + (f" ({e.get('name')})" if isinstance(e, dict) and e.get("name")
                                                   else ""), utc_offset_hours)
            for n, e in enumerate(entries)]
