"""One surface station's hourly record as the meteorology: horizontally uniform flow with similarity profiles.

For places with nothing else, as regulatory screening models (AERMET/AERMOD, Cimorelli et al. 2005) do: the
station's 10-m wind sets u* and L with the surface-layer scheme of surface_layer.py (the daytime sensible heat flux
from the sun, the cloud cover and a Bowen ratio; theta* at night), the mixing height grows with the integrated heat
flux by day and is mechanical at night, and Kz follows Holtslag and Boville (1993). The wind is the same everywhere
at a given height: the log-linear profile from 10 m up to the lowest of the mixing height and 200 m, constant above.
Terrain is flat (0 m); land use is dryland cropland with the station's roughness length.

The CSV (UTF-8, comma separated, a header line, one row an hour, ``#`` starts a comment line):

    time,wind_speed,wind_direction,temperature,dew_point,pressure,precipitation,cloud_cover
    2008-08-01T00:00:00Z,1.8,200,24.1,19.5,1006.2,0.0,0.4

=============== ============================================================
time            ISO 8601, UTC (a trailing Z or +00:00; naive times are UTC)
wind_speed      10-m wind speed, m/s
wind_direction  direction the wind blows from, degrees clockwise from north
temperature     2-m air temperature, deg C
dew_point       2-m dew point, deg C
pressure        station pressure, hPa
precipitation   precipitation in the hour ending at ``time``, mm
cloud_cover     total cloud cover as a fraction 0..1
=============== ============================================================
"""
from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..grid import Grid
from ..units import amount_to_rate, celsius_to_kelvin, hpa_to_pa
from . import landuse, solar, surface_layer, thermo
from .base import Meteorology, MetSnapshot, interpolate_snapshots
from .diagnosis import (RawMet, boundary_layer_height, daytime_heat_flux, diagnose, horizontal_diffusivity_min,
                        net_radiation, surface_similarity)

COLUMNS = ("time", "wind_speed", "wind_direction", "temperature", "dew_point", "pressure", "precipitation",
           "cloud_cover")
RANGES = {"wind_speed": (0, 75), "wind_direction": (0, 360), "temperature": (-60, 60), "dew_point": (-80, 40),
          "pressure": (500, 1100), "precipitation": (0, 500), "cloud_cover": (0, 1)}
#: Midsummer Bowen ratio and albedo of cultivated land (the AERMET tables of landuse.py).
BOWEN = float(landuse.bowen_ratio(landuse.DRYLAND_CROPLAND))
ALBEDO = float(landuse.albedo(landuse.DRYLAND_CROPLAND))
PROFILE_TOP = 200.0


def read_station_csv(path) -> dict:
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; meteorology.file names the station CSV file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: station file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); save "
                         "the station CSV as UTF-8") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the station file: {exc.strerror}") from None
    kept = [(n, ln) for n, ln in enumerate(text.splitlines(), start=1)
            if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader([ln for _, ln in kept])
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path}: column {missing[0]} is missing; the station CSV needs {', '.join(COLUMNS)}")
    data = {c: [] for c in COLUMNS}
    lines = []
    for index, row in enumerate(reader, start=1):
        n = kept[index][0]  # the line number in the file
        try:
            t = datetime.fromisoformat(row["time"].strip().replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"{path}: line {n}: time {row['time']!r} is not ISO 8601") from None
        data["time"].append(t if t.tzinfo else t.replace(tzinfo=timezone.utc))
        for c in COLUMNS[1:]:
            try:
                value = float(row[c])
            except (TypeError, ValueError):
                raise InputError(f"{path}: line {n}: {c} = {row[c]!r} is not a number") from None
            if not np.isfinite(value):  # float() reads nan and inf, which a range check would not name
                raise InputError(f"{path}: line {n}: {c} = {row[c]!r} is not a finite number; expected a finite "
                                 f"number in {RANGES[c][0]}..{RANGES[c][1]}")
            lo, hi = RANGES[c]
            if not lo <= value <= hi:
                raise InputError(f"{path}: line {n}: {c} = {value} is outside {lo}..{hi}")
            data[c].append(value)
        if data["dew_point"][-1] > data["temperature"][-1]:
            raise InputError(f"{path}: line {n}: dew_point = {data['dew_point'][-1]} deg C is above the temperature "
                             f"{data['temperature'][-1]} deg C; the dew point cannot exceed the air temperature")
        lines.append(n)
    if len(data["time"]) < 2:
        raise InputError(f"{path}: need at least two hourly rows")
    first: dict[datetime, int] = {}
    for t, n in zip(data["time"], lines):
        if t in first:
            raise InputError(f"{path}: line {n}: the time {t:%Y-%m-%d %H:%M} UTC is also on line {first[t]}; give "
                             "each hour once")
        first[t] = n
    order = np.argsort([t.timestamp() for t in data["time"]])
    return {c: [data[c][k] for k in order] for c in COLUMNS}


class StationMeteorology(Meteorology):
    static = False

    def __init__(self, section: dict, grid: Grid, start: datetime | None = None, end: datetime | None = None,
                 folder=None):
        super().__init__(grid)
        self.path = Path(section.get("file") or "")
        if not section.get("file"):
            raise InputError("meteorology.file: give the station CSV for source = 'station'")
        self.data = read_station_csv(self.path)
        times = self.data["time"]
        self.start = start or times[0]
        self.seconds = np.array([(t - self.start).total_seconds() for t in times])
        if self.seconds[0] > 0 or (end is not None and end > times[-1]):
            raise InputError(f"{self.path}: the rows cover {times[0]:%Y-%m-%d %H:%M} to {times[-1]:%Y-%m-%d %H:%M}"
                             f" UTC, which does not cover the run from {self.start:%Y-%m-%d %H:%M}"
                             + (f" to {end:%Y-%m-%d %H:%M} UTC" if end is not None else " UTC"))
        if grid.kind == "lonlat":
            lon0, lat0 = float(np.mean(grid.x)), float(np.mean(grid.y))
        else:
            lon0, lat0 = 116.4, 39.9
        self.lon = float(section.get("station_lon") or lon0)
        self.lat = float(section.get("station_lat") or lat0)
        self.z0 = float(section.get("roughness_length") or 0.1)
        self.kh_min = horizontal_diffusivity_min(section)
        grid.terrain[...] = 0.0
        shape = grid.terrain.shape
        self.land_use = np.full(shape, landuse.DRYLAND_CROPLAND, dtype=np.int64)
        self.roughness = np.full(shape, self.z0)
        self._heat = self._cumulative_heat()
        self._cache: dict[int, MetSnapshot] = {}

    def _surface(self, k: int) -> dict:
        d = self.data
        t2 = celsius_to_kelvin(d["temperature"][k])
        cloud = d["cloud_cover"][k]
        cos_z = float(solar.cos_solar_zenith_angle(d["time"][k], self.lon, self.lat))
        sw = float(solar.insolation(max(cos_z, 0.0), cloud))
        net = net_radiation(sw, t2, cloud, ALBEDO)
        h_day = float(daytime_heat_flux(net, BOWEN))
        return dict(t2=t2, cloud=cloud, shortwave=sw, net=net, h_day=h_day)

    def _cumulative_heat(self) -> np.ndarray:
        """int H dt since the heat flux last turned positive (J m-2), trapezoidal over the rows."""
        q = np.zeros(len(self.seconds))
        for k in range(1, len(q)):
            h0, h1 = self._surface(k - 1)["h_day"], self._surface(k)["h_day"]
            q[k] = 0.0 if h1 <= 0 else q[k - 1] + 0.5 * (h0 + h1) * (self.seconds[k] - self.seconds[k - 1])
        return q

    def record(self, k: int) -> MetSnapshot:
        if k not in self._cache:
            if len(self._cache) >= 3:
                self._cache.pop(min(self._cache))
            self._cache[k] = self._build(k)
        return self._cache[k]

    def at(self, t: float) -> MetSnapshot:
        s = self.seconds
        if t < s[0] - 1e-6 or t > s[-1] + 1e-6:
            raise InputError(f"{self.path}: the run reaches {t / 3600:.2f} h after its start, outside the rows")
        k = int(np.clip(np.searchsorted(s, t, side="right") - 1, 0, len(s) - 1))
        if k == len(s) - 1 or abs(t - s[k]) < 1e-6:
            snap = self.record(k)
        else:
            snap = interpolate_snapshots(self.record(k), self.record(k + 1), (t - s[k]) / (s[k + 1] - s[k]))
        # Precipitation of the row is the amount in the hour ending at its time: the rate of the interval before it.
        kk = min(k + 1, len(s) - 1) if abs(t - s[k]) > 1e-6 else k
        dt = (s[kk] - s[kk - 1]) if kk > 0 else 3600.0
        rate = amount_to_rate(self.data["precipitation"][kk], dt)
        return snap.replace(precipitation=np.full(self.grid.terrain.shape, rate))

    def _build(self, k: int) -> MetSnapshot:
        g = self.grid
        d = self.data
        shape = g.terrain.shape
        sf = self._surface(k)
        speed = max(d["wind_speed"][k], 0.1)
        direction = np.deg2rad(d["wind_direction"][k])
        ex, ey = -np.sin(direction), -np.cos(direction)
        t2 = sf["t2"]
        psfc = hpa_to_pa(d["pressure"][k])
        td = celsius_to_kelvin(d["dew_point"][k])
        q_sfc = float(thermo.specific_humidity_from_dew_point(min(td, t2), psfc))
        rho_sfc = float(thermo.air_density(psfc, t2, q_sfc))
        stable = sf["net"] <= 0
        ustar, length, hflux = surface_similarity(np.array([speed]), 10.0, np.array([self.z0]), t2, rho_sfc,
                                                  np.array([sf["h_day"]]), np.array([stable]),
                                                  np.array([sf["cloud"]]))
        mixing_height = boundary_layer_height(self._heat[k], ustar, rho_sfc, stable)
        ones = np.ones(shape)
        # Similarity profile up to min(h, 200 m), constant above; scaled to the observed 10-m speed.
        zm = g.layers.midpoints
        z_cap = np.minimum(zm, min(float(mixing_height[0]), PROFILE_TOP))
        z_cap = np.maximum(z_cap, 10.0)
        ratio = surface_layer.log_wind(ustar, z_cap, self.z0, length) / surface_layer.log_wind(ustar, 10.0, self.z0,
                                                                                               length)
        speed_z = speed * np.maximum(ratio, 0.0)
        u = np.ascontiguousarray(np.broadcast_to((speed_z * ex)[:, None, None], (g.nz, g.ny, g.nx + 1)))
        v = np.ascontiguousarray(np.broadcast_to((speed_z * ey)[:, None, None], (g.nz, g.ny + 1, g.nx)))
        # Temperature: dry adiabatic in a convective mixed layer, 6.5 K/km above and at night.
        zz = zm[:, None, None] * ones[None]
        if stable:
            temperature = t2 - 0.0065 * zz
        else:
            h = float(mixing_height[0])
            temperature = t2 - np.where(zz <= h, 0.0098 * zz, 0.0098 * h + 0.0065 * (zz - h))
        q = q_sfc * np.exp(-np.maximum(zz - (0.0 if stable else float(mixing_height[0])), 0.0) / 2500.0)
        pressure = thermo.hydrostatic_pressure(psfc * ones, zm, thermo.virtual_temperature(temperature, q))
        qsat = thermo.specific_humidity_from_vapour_pressure(thermo.saturation_vapour_pressure(temperature), pressure)
        q = np.minimum(q, qsat)
        raw = RawMet(u=u, v=v, temperature=temperature, pressure=pressure, specific_humidity=q,
                     sensible_heat_flux=float(hflux[0]) * ones, land_use=self.land_use,
                     roughness_length=self.roughness, cloud_fraction=np.zeros((g.nz, g.ny, g.nx)),
                     cloud_water=np.zeros((g.nz, g.ny, g.nx)), cloud_cover=sf["cloud"] * ones,
                     precipitation=np.zeros(shape), temperature_2m=t2 * ones, surface_pressure=psfc * ones,
                     surface_specific_humidity=q_sfc * ones, u10=speed * ex * ones, v10=speed * ey * ones,
                     mixing_height=mixing_height * ones, friction_velocity=ustar * ones,
                     monin_obukhov_length=length * ones, shortwave_down=sf["shortwave"] * ones)
        return diagnose(raw, g, d["time"][k], self.kh_min)
