"""The synthetic greater-Beijing August: what a forecaster would check, measured against observations.

Observed August surface weather at Beijing, 2010-2014 (UCI Beijing PM2.5 data set: Liang et al. 2015, Proc. R.
Soc. A 471, 20150257): wind-direction shares SE 47 %, calm 22 %, NW 20 %, NE 11 %; SE most frequent in the
afternoon and evening (0.72-0.80 at 15-18 h), NW at night and in the morning (0.30-0.40 at 03-09 h); median speeds
SE 1.8, NW 3.1 m/s; hourly means from 21.6 C (06 h) to 30.4 C (15 h); 6.9 % of hours with rain. About 160 mm of
rain in the month (CMA 1971-2000 normals); summer daily maximum mixing height 1.5 +- 0.6 km (lidar 2013-2018:
Wang H. et al. 2020, ACP 20, 8839). The synthetic month must land near these (tolerances below are ours: it is a
climatology-like default, not a reconstruction of August 2008).
"""
from datetime import datetime, timezone

import numpy as np
import pytest

from airmodel.grid import VerticalLayers, lonlat_grid
from airmodel.met.synthetic import SyntheticMeteorology

LAYERS = VerticalLayers.from_interfaces([0.0, 50.0, 120.0, 220.0, 350.0, 520.0, 750.0, 1050.0, 1450.0, 2000.0,
                                         3000.0])
START = datetime(2008, 8, 1, tzinfo=timezone.utc)
AIRPORT = (116.58, 40.08)
DONGSI = (116.434, 39.9522)


def make(seed=2008, resolution=0.1, **settings):
    grid = lonlat_grid(113.5, 119.5, 37.0, 42.5, resolution, LAYERS)
    return grid, SyntheticMeteorology({"source": "synthetic", "seed": seed, **settings}, grid, start=START)


def cell(grid, point):
    return int(np.argmin(abs(grid.y - point[1]))), int(np.argmin(abs(grid.x - point[0])))


@pytest.fixture(scope="module")
def month():
    grid, met = make()
    ja, ia = cell(grid, AIRPORT)
    jd, id_ = cell(grid, DONGSI)
    rows, rain, checks = [], [], []
    for h in range(744):
        s = met.at(h * 3600.0)
        u, v = s.u10[ja, ia], s.v10[ja, ia]
        rows.append(((h + 8) % 24, np.hypot(u, v), np.degrees(np.arctan2(-u, -v)) % 360,
                     s.temperature_2m[jd, id_] - 273.15, s.mixing_height[jd, id_], s.mixing_height[ja, ia]))
        rain.append(s.precipitation * 3600.0)
        if h % 37 == 0:
            checks.append(s)
    return grid, met, np.array(rows), np.array(rain), checks


def categories(rows):
    hour, speed, direction = rows[:, 0], rows[:, 1], rows[:, 2]
    calm = speed < 0.9
    south = (direction >= 90) & (direction < 270)
    north_west = direction >= 270
    return hour, speed, np.where(calm, "calm", np.where(south, "SE", np.where(north_west, "NW", "NE")))


def test_wind_direction_climate_at_beijing(month):
    _, _, rows, _, _ = month
    hour, speed, cat = categories(rows)
    share = {c: float((cat == c).mean()) for c in ("SE", "NW", "NE", "calm")}
    assert 0.35 <= share["SE"] <= 0.60, share
    assert 0.12 <= share["NW"] <= 0.35, share
    assert 0.10 <= share["calm"] <= 0.40, share
    afternoon = np.isin(hour, (15, 16, 17, 18))
    morning = np.isin(hour, (3, 4, 5, 6, 7))
    assert (cat[afternoon] == "SE").mean() > 0.5  # the southerly afternoons and evenings
    assert (cat[morning] == "NW").mean() > (cat[afternoon] == "NW").mean()  # north-westerly mornings
    assert 1.0 <= np.median(speed[cat == "SE"]) <= 3.0
    assert 1.5 <= np.median(speed[cat == "NW"]) <= 4.5


def test_temperature_and_mixing_height_cycles(month):
    _, _, rows, _, _ = month
    hour, t2, h_dongsi, h_airport = rows[:, 0], rows[:, 3], rows[:, 4], rows[:, 5]
    assert 20.0 <= t2[hour == 6].mean() <= 24.0  # observed 21.6 C
    assert 27.0 <= t2[hour == 15].mean() <= 32.0  # observed 30.4 C
    daily_max = h_airport.reshape(31, 24).max(axis=1)
    assert 1000 <= daily_max.mean() <= 2100 and daily_max.std() > 150  # 1.5 +- 0.6 km
    assert np.median(h_airport[np.isin(hour, (1, 2, 3, 4))]) < 400  # shallow stable nights
    assert h_dongsi[np.isin(hour, (1, 2, 3, 4))].min() >= 300  # the city keeps a shallow mixed layer


def test_showers(month):
    _, _, _, rain, _ = month
    wet_hours = float((rain > 0.1).mean())
    total = float(rain.sum(axis=0).mean())
    assert 0.03 <= wet_hours <= 0.12, wet_hours  # observed 6.9 %
    assert 80 <= total <= 250, total  # observed about 160 mm


def test_fields_are_physical(month):
    grid, met, _, _, snaps = month
    for s in snaps:
        for name in ("air_density", "u", "v", "kx", "ky", "kz", "temperature", "pressure", "relative_humidity"):
            assert np.isfinite(getattr(s, name)).all(), name
        assert 0.6 < s.air_density.min() and s.air_density.max() < 1.25  # 0.6: 4 km altitude over the plateau
        assert s.relative_humidity.max() <= 1.0 + 1e-9 and s.relative_humidity.min() > 0.05
        assert (s.kz[0] == 0).all() and (s.kz[-1] == 0).all() and s.kz[1:-1].min() >= 0.01
        assert np.abs(s.u).max() < 20 and np.abs(s.v).max() < 20
        assert (s.friction_velocity > 0).all() and (s.mixing_height >= 50).all()
    # Terrain: the Yanshan and Taihang ranges and the plateau are high, the plain low, the Bohai is water.
    j, i = cell(grid, (117.0, 39.0))
    assert grid.terrain[j, i] < 50
    assert grid.terrain[grid.y > 40.5][:, grid.x < 116].mean() > 800
    j, i = cell(grid, (119.0, 38.5))
    assert met.land_fraction[j, i] < 0.5 and met.land_use[j, i] == 16


def test_deterministic_for_a_seed():
    g1, a = make(seed=7, resolution=0.5)
    g2, b = make(seed=7, resolution=0.5)
    g3, c = make(seed=8, resolution=0.5)
    t = 86400.0 * 3 + 3600.0 * 7.5
    sa, sb, sc = a.at(t), b.at(t), c.at(t)
    for name in ("u", "v", "air_density", "kz", "precipitation"):
        np.testing.assert_array_equal(getattr(sa, name), getattr(sb, name))
    assert not np.array_equal(sa.u, sc.u)
    # The same instant gives the same fields whatever the run's start (the transport relies on it).
    late = SyntheticMeteorology({"source": "synthetic", "seed": 7}, g1, start=datetime(2008, 8, 3, tzinfo=timezone.utc))
    np.testing.assert_array_equal(late.at(86400.0 + 3600.0 * 7.5).air_density, sa.air_density)


def test_terrain_blocks_stable_flow():
    """At night the low-level southerly is slowed at the foot of the Yanshan and turned along it (flow around;
    modest in this layer model, about 10 %),
    while the adjusted layer flux D u is divergence-free."""
    grid, met = make(resolution=0.1)
    ny, nx = grid.ny, grid.nx
    u0 = np.zeros((ny, nx + 1))
    v0 = np.full((ny + 1, nx), 3.0)
    u, v = met.adjust_stable(u0, v0)
    assert np.abs(met.adjust_stable.divergence(u, v)).max() < 1e-6 * np.abs(met.adjust_stable.divergence(u0, v0)).max()
    vc = 0.5 * (v[1:] + v[:-1])
    uc = 0.5 * (u[:, 1:] + u[:, :-1])
    lon, lat = np.meshgrid(grid.x, grid.y)
    foot = (lon > 116.0) & (lon < 117.0) & (lat > 39.9) & (lat < 40.3) & (grid.terrain < 150)  # Beijing plain
    far = (lon > 115.5) & (lon < 117.0) & (lat > 37.3) & (lat < 38.3)  # the plain 200 km to the south
    assert vc[foot].mean() < 0.95 * vc[far].mean()  # modest: the ranges are broken by gaps and valleys
    assert np.abs(uc[foot]).mean() > np.abs(uc[far]).mean()  # turned along the mountains
