"""The box model: one well-mixed air parcel with chemistry, emissions, dilution and a diurnal sun.

``airmodel box CONFIG.toml -o OUT.csv|OUT.nc [--plot PNG] [--set section.key=value ...] [--force]``, and from
Python ``run_box(config) -> xarray.Dataset`` (config: a TOML path or a dict), ``write_box(ds, path)``,
``plot_box(ds, path_png)``. A workshop tool: the ozone afternoon peak, the NO titration at night, the effect of
halving NOx (the ready cases ``box/...``).

Configuration (TOML; ``extends = "other.toml"`` and ``--set`` work as for scenarios)::

    description = "..."
    [box]
    mechanism = "grs_aero"
    start = "2008-08-01T00:00:00Z"     # UTC
    days = 5                           # or hours = ...
    output_interval_minutes = 60
    longitude = 116.4                  # degrees east: the solar path
    latitude = 39.9
    utc_offset_hours = 8               # local time of the emission profile and the temperature cycle
    emission_profile = [24 factors]    # by local hour 0..23, multiplying every emission rate (default all 1)
    method = "rodas3"                  # or "ros2"
    rtol = 1e-4
    atol = 1e-8                        # ppb, every species
    [environment]
    temperature = 298.0                # K, daily mean
    temperature_amplitude = 0.0        # K: T = mean + amplitude cos(2 pi (local hour - 15) / 24)
    pressure = 101325.0                # Pa
    relative_humidity = 60.0           # %
    cloud_fraction = 0.0               # 0..1, attenuates photolysis, and counts as RH = 100 % for aqueous SO2
    dilution_per_hour = 0.0            # exchange with background air (h-1)
    fixed_solar_zenith_angle = 30.0    # optional: hold the sun still (degrees), e.g. for steady states
    [initial]                          # species = value in its output units (ppb; ppm for CO, CO2;
    O3 = 40.0                          #   ug m-3 for aerosol), or a string with a unit: "40 ppb", "12 ug m-3"
    [background]                       # air mixed in by dilution (default: the initial values)
    [emissions]                        # species = rate per hour in output units per hour, or "2 ppb h-1"

Emissions, temperature, humidity and cloud are constant within each local hour (temperature at the hour's
middle): the integration is split at every local hour and every output time, so no forcing jumps inside a solver
call, and the reference solver (scipy Radau) sees exactly the same problem.
"""
from __future__ import annotations

import argparse
import copy
import math
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from ..data import resolve_scenario
from ..errors import InputError
from ..files import atomic_file, check_new_output, pyplot, save_figure_atomic
from ..kernels import chemistry as kchem
from ..kernels.photolysis import cloud_attenuation, cos_zenith_at
from ..kernels.rosenbrock import METHODS, tableau
from ..config_files import apply_overrides, parse_time, read_toml
from ..schema import NUMBER, fill_table, key
from ..version import __version__
from .codegen import select_kernels
from .mechanism import Mechanism, air_molar_density, load_mechanism, output_to_ppb, ppb_to_output
from .process import check_settings, seconds_of_year

SECTIONS = ("box", "environment", "initial", "background", "emissions")
BOX_KEYS = {
    "mechanism": key(str, "grs_aero", doc="mechanism name or .mech path"),
    "start": key(str, doc="start time, ISO 8601 UTC, e.g. 2008-08-01T00:00:00Z"),
    "days": key(NUMBER, None, doc="length in days (or give hours)"),
    "hours": key(NUMBER, None, doc="length in hours (or give days)"),
    "output_interval_minutes": key(NUMBER, 60.0, doc="minutes between output records"),
    "longitude": key(NUMBER, 116.4, doc="degrees east: the solar path"),
    "latitude": key(NUMBER, 39.9, doc="degrees north, -90..90"),
    "utc_offset_hours": key(NUMBER, 8.0, doc="local time minus UTC (h), -14..14: the emission profile's and the "
                                             "temperature cycle's clock"),
    "emission_profile": key(list, None, doc="24 factors by local hour 0..23, multiplying every emission rate "
                                            "(default all 1)"),
    "method": key(str, "rodas3", choices=tuple(METHODS), doc="Rosenbrock method"),
    "rtol": key(NUMBER, 1e-4, doc="relative tolerance, between 0 and 1"),
    "atol": key(NUMBER, 1e-8, doc="absolute tolerance (ppb), every species"),
    "max_steps": key(int, 1_000_000, doc="most solver steps per output interval"),
}
ENVIRONMENT_KEYS = {
    "temperature": key(NUMBER, 298.15, doc="daily mean air temperature (K)"),
    "temperature_amplitude": key(NUMBER, 0.0, doc="K: T = mean + amplitude cos(2 pi (local hour - 15) / 24)"),
    "pressure": key(NUMBER, 101325.0, doc="air pressure (Pa)"),
    "relative_humidity": key(NUMBER, 60.0, doc="relative humidity (%), 0..100"),
    "cloud_fraction": key(NUMBER, 0.0, doc="0..1: attenuates photolysis, and counts as RH = 100 % for aqueous "
                                           "SO2"),
    "dilution_per_hour": key(NUMBER, 0.0, doc="exchange with background air (h-1)", minimum=0),
    "fixed_solar_zenith_angle": key(NUMBER, None, doc="hold the sun still (degrees, 0..180), e.g. for steady "
                                                      "states"),
}
CONC_UNITS = ("ppt", "ppb", "ppm", "ug m-3")
#: Physical ranges of the box's air: the highest sea-level pressure measured is 1083.8 hPa (Agata, Siberia, 1968;
#: WMO archive of weather and climate extremes) and the hottest air 56.7 deg C (329.8 K, Death Valley, 1913).
MAX_PRESSURE = 110_000.0
MAX_TEMPERATURE = 340.0


# -------------------------------------------------------------------------------------------------------------------
# Configuration
# -------------------------------------------------------------------------------------------------------------------
def load_box_config(source, overrides: list[str] | None = None) -> dict:
    """Read (a TOML path or a dict), apply ``--set`` overrides and validate; returns the resolved config."""
    if isinstance(source, dict):
        raw, where = copy.deepcopy(source), "<box config>"
    else:
        raw, where = read_toml(resolve_scenario(source)), str(source)
    raw = apply_overrides(raw, overrides or [])
    unknown = set(raw) - set(SECTIONS) - {"description"}
    if unknown:
        raise InputError(f"{where}: unknown section or key {sorted(unknown)[0]!r}; valid: "
                         f"{', '.join(('description',) + SECTIONS)}")
    cfg = {"description": str(raw.get("description", "")), "source": where}
    cfg["box"] = fill_table(raw.get("box", {}), BOX_KEYS, f"{where}: box")
    cfg["environment"] = fill_table(raw.get("environment", {}), ENVIRONMENT_KEYS, f"{where}: environment")
    for section in ("initial", "background", "emissions"):
        table = raw.get(section, {})
        if not isinstance(table, dict):
            raise InputError(f"{where}: {section}: expected a table of species = value")
        cfg[section] = dict(table)
    box, env = cfg["box"], cfg["environment"]
    parse_time(box["start"], f"{where}: box.start")
    if (box["days"] is None) == (box["hours"] is None):
        raise InputError(f"{where}: box: give exactly one of days or hours")
    length = box["days"] * 24.0 if box["days"] is not None else box["hours"]
    if not length > 0:
        raise InputError(f"{where}: box: the run length must be positive, got {length} h")
    if not box["output_interval_minutes"] > 0:
        raise InputError(f"{where}: box.output_interval_minutes must be positive")
    if not (-90.0 <= box["latitude"] <= 90.0):
        raise InputError(f"{where}: box.latitude {box['latitude']!r} must lie in -90..90")
    if not (-14.0 <= box["utc_offset_hours"] <= 14.0):
        raise InputError(f"{where}: box.utc_offset_hours {box['utc_offset_hours']!r} must lie in -14..14")
    profile = box["emission_profile"]
    if profile is not None and (len(profile) != 24 or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                              and v >= 0 for v in profile)):
        raise InputError(f"{where}: box.emission_profile: give 24 non-negative factors (local hours 0..23)")
    check_settings(box["rtol"], box["atol"], box["method"], box["max_steps"], f"{where}: box")
    if not (env["temperature"] - abs(env["temperature_amplitude"]) > 150.0
            and env["temperature"] + abs(env["temperature_amplitude"]) < MAX_TEMPERATURE):
        raise InputError(f"{where}: environment.temperature: {env['temperature']!r} K (with amplitude "
                         f"{env['temperature_amplitude']!r} K) is not a plausible air temperature; give 150.."
                         f"{MAX_TEMPERATURE:g} K")
    if not 0 < env["pressure"] <= MAX_PRESSURE:
        raise InputError(f"{where}: environment.pressure: {env['pressure']!r} Pa is outside the physical range "
                         f"0..{MAX_PRESSURE:g} Pa")
    if not (0.0 <= env["relative_humidity"] <= 100.0):
        raise InputError(f"{where}: environment.relative_humidity {env['relative_humidity']!r} must lie in 0..100 (%)")
    if not (0.0 <= env["cloud_fraction"] <= 1.0):
        raise InputError(f"{where}: environment.cloud_fraction {env['cloud_fraction']!r} must lie in 0..1")
    z = env["fixed_solar_zenith_angle"]
    if z is not None and not (0.0 <= z <= 180.0):
        raise InputError(f"{where}: environment.fixed_solar_zenith_angle {z!r} must lie in 0..180 degrees")
    return cfg


def _value_and_unit(value, where, per_hour: bool):
    """A number, or a string 'VALUE UNIT' (UNIT one of ppt, ppb, ppm, ug m-3, followed by h-1 for rates)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), None
    if isinstance(value, str):
        parts = value.split()
        units = [" ".join(parts[1:])] if len(parts) > 1 else []
        unit = units[0] if units else ""
        if per_hour:
            if not unit.endswith(" h-1"):
                raise InputError(f"{where}: {value!r}: a rate needs a unit per hour, e.g. '2.0 ppb h-1'")
            unit = unit[: -len(" h-1")]
        try:
            number = float(parts[0])
        except (ValueError, IndexError):
            number = None
        if number is not None and unit in CONC_UNITS:
            return number, unit
    hint = "'2.0 ppb h-1' or '5 ug m-3 h-1'" if per_hour else "'40 ppb' or '12 ug m-3'"
    raise InputError(f"{where}: expected a number (in the species' output units) or a string such as {hint}, "
                     f"got {value!r}")


# -------------------------------------------------------------------------------------------------------------------
# The problem as arrays
# -------------------------------------------------------------------------------------------------------------------
@dataclass
class BoxSetup:
    """Everything both solvers need: the piecewise-constant forcing by segment, in ppb and seconds."""

    mechanism: Mechanism
    config: dict
    start: datetime  # UTC, aware
    lon: float
    lat: float
    fixed_cos_zenith: float  # NaN: follow the sun
    dilution: float  # s-1
    y0: np.ndarray  # ppb [ns]
    background: np.ndarray  # ppb [ns]
    segment_offset: np.ndarray  # s since start, [nseg]
    segment_start: np.ndarray  # s of year (UTC), [nseg]
    segment_length: np.ndarray
    segment_days_in_year: np.ndarray
    segment_temperature: np.ndarray
    segment_number_density: np.ndarray  # molecules cm-3
    segment_air_molar_density: np.ndarray  # mol m-3
    segment_rh: np.ndarray
    segment_cloud: np.ndarray
    segment_emission: np.ndarray  # ppb s-1 [nseg, ns]
    segment_record: np.ndarray  # output row after the segment, or -1
    output_offset: np.ndarray  # s since start [nout]; row 0 is the start
    output_segment: np.ndarray  # the segment whose conditions apply at each output (row 0: segment 0)
    solve: np.ndarray  # solved species, reactants first
    n_coupled: int  # how many of them are reactants
    position: np.ndarray


def _local_temperature(env, local_hour):
    return env["temperature"] + env["temperature_amplitude"] * math.cos(2.0 * math.pi * (local_hour - 15.0) / 24.0)


def build_setup(cfg: dict) -> BoxSetup:
    box, env, where = cfg["box"], cfg["environment"], cfg["source"]
    mech = load_mechanism(box["mechanism"])
    names = mech.species_names
    ns = len(names)
    start = parse_time(box["start"], f"{where}: box.start")
    duration = (box["days"] * 24.0 if box["days"] is not None else box["hours"]) * 3600.0
    interval = box["output_interval_minutes"] * 60.0
    offset_s = box["utc_offset_hours"] * 3600.0

    n_out = int(math.floor(duration / interval + 1e-9))
    output_offset = np.array([0.0] + [interval * (n + 1) for n in range(n_out)])
    if abs(output_offset[-1] - duration) > 1e-6:
        output_offset = np.append(output_offset, duration)
    local_start = (start - datetime(start.year, start.month, start.day, tzinfo=timezone.utc)).total_seconds()
    local_start = (local_start + offset_s) % 3600.0
    first = (3600.0 - local_start) % 3600.0
    hour_bounds = np.arange(first, duration, 3600.0)
    bounds = np.unique(np.round(np.concatenate([[0.0, duration], output_offset, hour_bounds]), 6))
    bounds = bounds[(bounds >= 0) & (bounds <= duration)]
    nseg = bounds.size - 1

    profile = np.ones(24) if box["emission_profile"] is None else np.asarray(box["emission_profile"], float)
    seg = {k: np.empty(nseg) for k in ("start", "length", "days", "T", "M", "n_air", "rh", "cloud")}
    record = -np.ones(nseg, dtype=np.int64)
    local_hour_index = np.empty(nseg, dtype=np.int64)
    for n in range(nseg):
        t0, t1 = bounds[n], bounds[n + 1]
        when = start + timedelta(seconds=float(t0))
        seg["start"][n], seg["days"][n] = seconds_of_year(when)
        seg["length"][n] = t1 - t0
        local_hour_mid = ((when.hour * 3600 + when.minute * 60 + when.second + when.microsecond * 1e-6
                           + offset_s + 0.5 * (t1 - t0)) / 3600.0) % 24.0
        local_hour_index[n] = int(((when.hour * 3600 + when.minute * 60 + when.second + offset_s + 1e-3)
                                   // 3600) % 24)
        temperature = _local_temperature(env, local_hour_mid)
        seg["T"][n] = temperature
        seg["n_air"][n] = air_molar_density(temperature, env["pressure"])
        seg["M"][n] = seg["n_air"][n] * kchem.AVOGADRO * 1e-6
        seg["rh"][n] = env["relative_humidity"]
        seg["cloud"][n] = env["cloud_fraction"]
        match = np.nonzero(np.abs(output_offset - t1) < 1e-6)[0]
        if match.size:
            record[n] = match[0]
    output_segment = np.zeros(output_offset.size, dtype=np.int64)
    for n in range(nseg):
        if record[n] >= 0:
            output_segment[record[n]] = n

    def species_table(section, per_hour) -> dict:
        """name -> (number, unit or None for the species' output units), checked."""
        out = {}
        for name, value in cfg[section].items():
            if name not in names:
                raise InputError(f"{where}: {section}.{name}: unknown species {name!r}; the mechanism "
                                 f"{mech.name} has: {', '.join(names)}")
            number, unit = _value_and_unit(value, f"{where}: {section}.{name}", per_hour)
            if not (number >= 0 and math.isfinite(number)):
                raise InputError(f"{where}: {section}.{name}: {value!r} must be a finite number >= 0")
            out[name] = (number, unit)
        return out

    n_air0 = seg["n_air"][0]
    initial = species_table("initial", per_hour=False)
    y0 = np.array([output_to_ppb(initial[sp.name][0], sp, n_air0, initial[sp.name][1]) if sp.name in initial
                   else 0.0 for sp in mech.species])
    if cfg["background"]:
        given = species_table("background", per_hour=False)
        background = np.array([output_to_ppb(given[sp.name][0], sp, n_air0, given[sp.name][1])
                               if sp.name in given else 0.0 for sp in mech.species])
    else:
        background = y0.copy()
    rates = species_table("emissions", per_hour=True)
    emission = np.zeros((nseg, ns))
    for s, sp in enumerate(mech.species):
        if sp.name not in rates:
            continue
        number, unit = rates[sp.name]
        for n in range(nseg):
            emission[n, s] = (output_to_ppb(number, sp, seg["n_air"][n], unit) / 3600.0
                              * profile[local_hour_index[n]])
    dilution = env["dilution_per_hour"] / 3600.0
    solved = set(mech.kinetic.tolist()) | set(np.nonzero(emission.any(axis=0))[0].tolist())
    if dilution > 0:
        solved |= set(range(ns))
    solve, n_coupled, position = mech.solve_order(solved)
    z = env["fixed_solar_zenith_angle"]
    return BoxSetup(mechanism=mech, config=cfg, start=start, lon=float(box["longitude"]), lat=float(box["latitude"]),
                    fixed_cos_zenith=math.cos(math.radians(z)) if z is not None else math.nan, dilution=dilution,
                    y0=y0, background=background, segment_offset=bounds[:-1].copy(), segment_start=seg["start"],
                    segment_length=seg["length"], segment_days_in_year=seg["days"], segment_temperature=seg["T"],
                    segment_number_density=seg["M"], segment_air_molar_density=seg["n_air"], segment_rh=seg["rh"],
                    segment_cloud=seg["cloud"], segment_emission=emission, segment_record=record,
                    output_offset=output_offset, output_segment=output_segment, solve=solve, n_coupled=n_coupled,
                    position=position)


def integrate(setup: BoxSetup, rtol: float | None = None, atol: float | None = None, method: str | None = None,
              max_steps: int | None = None, kernels: str = "auto"):
    """Run the Rosenbrock box integration; returns (ppb[nout, ns], {"accepted": n, "rejected": n}). ``kernels``:
    "auto" or "generated" (the mechanism's generated code, codegen.py) or "generic" (the index-array kernels)."""
    box = setup.config["box"]
    rtol = box["rtol"] if rtol is None else rtol
    atol = box["atol"] if atol is None else atol
    method = box["method"] if method is None else method
    max_steps = box["max_steps"] if max_steps is None else max_steps
    mech = setup.mechanism
    ns = mech.molar_mass.size
    out = np.zeros((setup.output_offset.size, ns))
    y = setup.y0.copy()
    kchem.equilibrate(mech.arrays, y, setup.segment_temperature[0], setup.segment_rh[0])
    out[0] = y
    stats = np.zeros(2, dtype=np.int64)
    forcing = (setup.segment_start, setup.segment_length, setup.segment_days_in_year, setup.segment_temperature,
               setup.segment_number_density, setup.segment_rh, setup.segment_cloud, setup.segment_emission,
               setup.segment_record, setup.dilution, setup.background, setup.lon, setup.lat, setup.fixed_cos_zenith)
    generated = select_kernels(mech, kernels)
    if generated is not None:
        status, failed = generated.integrate_box(y, *forcing, tableau(method), setup.solve, float(rtol),
                                                 np.full(ns, float(atol)), int(max_steps), out, stats)
    else:
        status, failed = kchem.integrate_box(y, *forcing, mech.arrays, tableau(method), setup.solve,
                                             setup.n_coupled, setup.position, float(rtol), np.full(ns, float(atol)),
                                             int(max_steps), out, stats)
    if status != kchem.STATUS_OK:
        when = setup.start + timedelta(seconds=float(setup.segment_offset[failed]))
        raise InputError(f"{setup.config['source']}: the chemistry solver failed (status {status}) in the interval "
                         f"starting {when:%Y-%m-%d %H:%M} UTC; try a larger box.max_steps or looser tolerances")
    return out, {"accepted": int(stats[0]), "rejected": int(stats[1])}


# -------------------------------------------------------------------------------------------------------------------
# Python API
# -------------------------------------------------------------------------------------------------------------------
def run_box(config, overrides: list[str] | None = None):
    """Run a box model (a TOML path or a dict) and return an ``xarray.Dataset`` in output units."""
    cfg = load_box_config(config, overrides)
    setup = build_setup(cfg)
    ppb, stats = integrate(setup)
    return to_dataset(setup, ppb, stats)


def to_dataset(setup: BoxSetup, ppb: np.ndarray, stats: dict):
    import xarray as xr

    mech = setup.mechanism
    times = [setup.start + timedelta(seconds=float(t)) for t in setup.output_offset]
    time = np.array([t.replace(tzinfo=None) for t in times], dtype="datetime64[ns]")
    n_air = setup.segment_air_molar_density[setup.output_segment]
    temperature = setup.segment_temperature[setup.output_segment]
    data = {}
    for s, sp in enumerate(mech.species):
        attrs = dict(units=sp.units, long_name=sp.long_name)
        if sp.standard_name:
            attrs["standard_name"] = sp.standard_name
        data[sp.name] = ("time", ppb_to_output(ppb[:, s], sp, n_air), attrs)
    for d in mech.diagnostics:
        total = sum(ppb_to_output(ppb[:, mech.index(n)], mech.species[mech.index(n)], n_air) for n in d.terms)
        attrs = dict(units=d.units, long_name=d.long_name)
        if d.standard_name:
            attrs["standard_name"] = d.standard_name
        data[d.name] = ("time", total, attrs)
    cos_chi = np.array([setup.fixed_cos_zenith if setup.fixed_cos_zenith == setup.fixed_cos_zenith else
                        cos_zenith_at(*seconds_of_year(t), setup.lon, setup.lat) for t in times])
    cloud = setup.segment_cloud[setup.output_segment]
    arrays = mech.arrays
    jv = np.zeros(max(arrays.photolysis_par.shape[0], 1))
    j_no2, oh = np.zeros(len(times)), np.zeros(len(times))
    for n, c in enumerate(cos_chi):
        factor = cloud_attenuation(cloud[n], arrays.cloud_par[0], arrays.cloud_par[1])
        oh[n] = kchem.photolysis_and_oh(arrays, c, factor, jv)
        if "NO2" in mech.photolysis:
            j_no2[n] = jv[list(mech.photolysis).index("NO2")]
    data["solar_zenith_angle"] = ("time", np.degrees(np.arccos(np.clip(cos_chi, -1, 1))),
                                  dict(units="degree", standard_name="solar_zenith_angle",
                                       long_name="solar zenith angle"))
    data["J_NO2"] = ("time", j_no2, dict(units="s-1", standard_name="photolysis_rate_of_nitrogen_dioxide",
                                        long_name="NO2 photolysis frequency"))
    if arrays.oh_photolysis >= 0 and "OH" not in data:  # a mechanism with OH as a species (cb05_aero) keeps it
        data["OH"] = ("time", oh, dict(units="cm-3", long_name="OH proxy (molecules per cm3)"))
    data["air_temperature"] = ("time", temperature, dict(units="K", standard_name="air_temperature",
                                                       long_name="air temperature"))
    box = setup.config["box"]
    attrs = dict(Conventions="CF-1.8", title=f"airmodel box: {setup.config['description'] or setup.config['source']}",
                 source=str(setup.config["source"]), mechanism=mech.name, solver=box["method"], rtol=box["rtol"],
                 atol_ppb=box["atol"], solver_steps_accepted=stats["accepted"],
                 solver_steps_rejected=stats["rejected"], longitude=setup.lon, latitude=setup.lat,
                 utc_offset_hours=box["utc_offset_hours"],
                 history=f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ} airmodel box {setup.config['source']}")
    attrs["airmodel_version"] = __version__
    ds = xr.Dataset(data, coords={"time": ("time", time, dict(long_name="time (UTC)", standard_name="time"))},
                    attrs=attrs)
    return ds


def write_box(ds, path, force: bool = True) -> Path:
    """Write a box result to ``.csv`` or ``.nc`` atomically (a temporary name, then a rename); an existing file is
    replaced only with ``force``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".nc"):
        raise InputError(f"{path}: the output must end in .csv or .nc")
    with atomic_file(path, force) as tmp:
        if suffix == ".csv":
            frame = ds.to_dataframe()
            frame.columns = [f"{name} [{ds[name].attrs.get('units', '')}]" for name in frame.columns]
            frame.index = [np.datetime_as_string(t, unit="s") + "Z" for t in ds.time.values]
            frame.index.name = "time_utc"
            frame.to_csv(tmp, float_format="%.6g")
        else:
            out = ds.copy()
            start = np.datetime_as_string(ds.time.values[0], unit="s")
            encoding = {"time": dict(units=f"hours since {start.replace('T', ' ')}", dtype="float64",
                                     _FillValue=None)}
            for name in out.data_vars:
                encoding[name] = dict(zlib=True, complevel=4)
            out.to_netcdf(tmp, encoding=encoding)
    return path


def plot_box(ds, path_png, force: bool = True) -> Path:
    """A three-panel figure (O3 and NOx; PM2.5 components; J(NO2)) in local time, written atomically."""
    plt = pyplot()
    path = Path(path_png)
    offset = float(ds.attrs.get("utc_offset_hours", 0.0))
    local = ds.time.values + np.timedelta64(int(round(offset * 3600)), "s")
    fig, axes = plt.subplots(3, 1, figsize=(10, 9), sharex=True)
    for name in ("O3", "NO2", "NO"):
        if name in ds:
            axes[0].plot(local, ds[name], label=name)
    axes[0].set_ylabel("ppb")
    axes[0].legend(loc="upper left")
    axes[0].set_title(ds.attrs.get("title", "airmodel box"))
    parts = [n for n in ("SULF", "NO3A", "NH4A", "SOA", "POA", "EC", "PM25_OTHER") if n in ds]
    if parts:
        axes[1].stackplot(local, *[ds[n].values for n in parts], labels=parts)
        axes[1].set_ylabel("ug m-3")
        axes[1].legend(loc="upper left", ncol=4, fontsize="small")
        axes[1].set_title("PM2.5 components")
    if "J_NO2" in ds:
        axes[2].plot(local, ds["J_NO2"] * 1e3, color="tab:orange")
        axes[2].set_ylabel("J(NO2) (1e-3 s-1)")
    axes[2].set_xlabel(f"local time (UTC{offset:+g} h)")
    fig.autofmt_xdate()
    fig.tight_layout()
    save_figure_atomic(fig, path, force, close=True, dpi=100)
    return path


# -------------------------------------------------------------------------------------------------------------------
# Command line
# -------------------------------------------------------------------------------------------------------------------
def add_box_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("config", help="box-model TOML file, or a ready case by name (airmodel scenarios lists them)")
    p.add_argument("-o", "--output", required=True, help="output file, .csv or .nc")
    p.add_argument("--plot", metavar="PNG", help="also draw a figure")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override a key (repeatable), e.g. --set emissions.NO=1.0")
    p.add_argument("--force", action="store_true", help="overwrite existing outputs")
    return p


def box_command(args) -> int:
    """Run ``airmodel box`` from parsed arguments; InputError propagates (the caller prints it, exit 2)."""
    output = Path(args.output)
    if output.suffix.lower() not in (".csv", ".nc"):
        raise InputError(f"{output}: the output must end in .csv or .nc")
    targets = [output] + ([Path(args.plot)] if args.plot else [])
    if args.plot:
        if Path(args.plot).suffix.lower() != ".png":
            raise InputError(f"{args.plot}: the plot must be a .png file")
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise InputError("--plot needs matplotlib, which is not installed: pip install matplotlib") from None
    for target in targets:
        check_new_output(target, args.force)
    ds = run_box(args.config, args.overrides)
    write_box(ds, output, args.force)
    if args.plot:
        plot_box(ds, args.plot, args.force)
    return 0


#: The CLI's registry entry (airmodel/cli.py): ``airmodel box``.
COMMAND = "box"


def add_parser(subparsers) -> argparse.ArgumentParser:
    return add_box_arguments(subparsers.add_parser(
        COMMAND, help="chemistry box model (teaching): one well-mixed cell over days"))


def command(args) -> int:
    return box_command(args)


def box_main(argv: list[str] | None = None) -> int:
    """``airmodel box ...`` as a stand-alone entry point: exit code 0, or 2 with a message and nothing written."""
    parser = add_box_arguments(argparse.ArgumentParser(prog="airmodel box", description=__doc__.split("\n")[0]))
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return box_command(args)
    except InputError as exc:
        print(f"airmodel: error: {exc}", file=sys.stderr)
        return 2
