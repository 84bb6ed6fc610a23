"""The WRF reader, on small wrfout files that these tests write themselves in WRF's own format.

The files carry WRF's names, dimensions (Time, DateStrLen, west_east(_stag), south_north(_stag),
bottom_top(_stag)), staggering, units, attributes and Times strings, on a Lambert conformal (or Mercator) grid whose
XLAT/XLONG come from Snyder's (1987) projection formulas written out here, independently of the pyproj the reader
uses. Fields are analytic: linear in the projected coordinates and in height, so that bilinear and linear-in-height
regridding must reproduce them to round-off, and the error budget of the other fields is that of interpolation.
"""
from datetime import datetime, timedelta, timezone

import netCDF4
import numpy as np
import pytest

from airmodel.errors import InputError
from airmodel.grid import VerticalLayers, lonlat_grid
from airmodel.met.wrf import WRFMeteorology

R = 6_370_000.0
G = 9.81


class Lambert:
    """Snyder (1987), eqs. 15-1 to 15-5 and 14-4 (spherical Lambert conformal conic), two standard parallels."""

    def __init__(self, lat1, lat2, lon0, lat0):
        p1, p2 = np.deg2rad(lat1), np.deg2rad(lat2)
        self.n = np.log(np.cos(p1) / np.cos(p2)) / np.log(np.tan(np.pi / 4 + p2 / 2) / np.tan(np.pi / 4 + p1 / 2))
        self.F = np.cos(p1) * np.tan(np.pi / 4 + p1 / 2) ** self.n / self.n
        self.rho0 = R * self.F / np.tan(np.pi / 4 + np.deg2rad(lat0) / 2) ** self.n
        self.lon0 = lon0

    def forward(self, lon, lat):
        rho = R * self.F / np.tan(np.pi / 4 + np.deg2rad(lat) / 2) ** self.n
        theta = self.n * np.deg2rad(np.asarray(lon) - self.lon0)
        return rho * np.sin(theta), self.rho0 - rho * np.cos(theta)

    def inverse(self, x, y):
        rho = np.hypot(x, self.rho0 - y)
        theta = np.arctan2(x, self.rho0 - y)
        lat = np.rad2deg(2 * np.arctan((R * self.F / rho) ** (1 / self.n)) - np.pi / 2)
        return np.rad2deg(theta / self.n) + self.lon0, lat

    def grid_angle(self, lon):
        """Clockwise angle of the grid's +y axis from true north (the meridian convergence)."""
        return self.n * np.deg2rad(np.asarray(lon) - self.lon0)


class Mercator:
    """Snyder (1987) eqs. 7-1, 7-2, 7-4 with scale true at lat_ts."""

    def __init__(self, lat_ts, lon0, lat0):
        self.k0 = np.cos(np.deg2rad(lat_ts))
        self.lon0 = lon0
        self.y0 = R * self.k0 * np.log(np.tan(np.pi / 4 + np.deg2rad(lat0) / 2))

    def forward(self, lon, lat):
        return (R * self.k0 * np.deg2rad(np.asarray(lon) - self.lon0),
                R * self.k0 * np.log(np.tan(np.pi / 4 + np.deg2rad(lat) / 2)) - self.y0)

    def inverse(self, x, y):
        return (np.rad2deg(x / (R * self.k0)) + self.lon0,
                np.rad2deg(np.pi / 2 - 2 * np.arctan(np.exp(-(y + self.y0) / (R * self.k0)))))

    def grid_angle(self, lon):
        return np.zeros_like(np.asarray(lon, dtype=float))


# Analytic fields: functions of projected x, y (m, from the domain centre), height above ground z (m), time (h).
def terrain(x, y):
    return np.maximum(600.0 + 2.0e-3 * x + 1.0e-3 * y, 0.0)


def u_earth(x, y, z, t):
    return 4.0 + 1.0e-5 * x - 0.5e-5 * y + 2.0e-3 * z + 0.1 * t


def v_earth(x, y, z, t):
    return -2.0 + 0.8e-5 * x + 1.0e-5 * y + 1.0e-3 * z - 0.05 * t


def theta(x, y, z, t):
    return 300.0 + 1.0e-5 * x + 4.0e-3 * z + 0.05 * t


def log_p(x, y, z, t):  # ln p, linear in height above ground
    return np.log(95000.0) - 1.0e-7 * x - z / 8500.0


def qvapor(x, y, z, t):
    return 0.012 - 2.0e-6 * z + 1.0e-9 * x


def pblh(x, y, t):
    return 800.0 + 1.0e-3 * x + 20.0 * t


ETA_HEIGHTS = np.array([0.0, 40.0, 100.0, 200.0, 350.0, 550.0, 800.0, 1100.0, 1500.0, 2000.0, 2700.0, 3500.0,
                        4500.0])


def write_wrfout(path, times, proj_name="lambert", nx=40, ny=36, dx=15000.0, cen=(116.0, 40.0), rain_rate=None,
                 rain_start=0.0, drop=(), units=None, rotation=True):
    """A wrfout file with the given datetimes. ``rain_rate(t_hours)`` gives RAINNC accumulated (mm) at a time."""
    units = units or {}
    lon0, lat0 = cen
    proj = (Lambert(30.0, 60.0, lon0, lat0) if proj_name == "lambert" else Mercator(30.0, lon0, lat0))
    xs = (np.arange(nx) - (nx - 1) / 2) * dx
    ys = (np.arange(ny) - (ny - 1) / 2) * dx
    X, Y = np.meshgrid(xs, ys)
    lon, lat = proj.inverse(X, Y)
    hgt = terrain(X, Y)
    nz = ETA_HEIGHTS.size - 1
    squeeze = 1.0 - 0.2 * hgt / 1000.0  # levels closer together over the hill, as eta levels are
    z_w = ETA_HEIGHTS[:, None, None] * squeeze[None]
    z_m = 0.5 * (z_w[1:] + z_w[:-1])
    beta = proj.grid_angle(lon)
    # Staggered positions.
    Xu, Yu = np.meshgrid(np.append(xs - dx / 2, xs[-1] + dx / 2), ys)
    Xv, Yv = np.meshgrid(xs, np.append(ys - dx / 2, ys[-1] + dx / 2))
    lon_u, _ = proj.inverse(Xu, Yu)
    lon_v, _ = proj.inverse(Xv, Yv)
    sq_u = 1.0 - 0.2 * terrain(Xu, Yu) / 1000.0
    sq_v = 1.0 - 0.2 * terrain(Xv, Yv) / 1000.0
    zm_levels = 0.5 * (ETA_HEIGHTS[1:] + ETA_HEIGHTS[:-1])
    ds = netCDF4.Dataset(path, "w", format="NETCDF4_CLASSIC")
    ds.TITLE = " OUTPUT FROM WRF V4.2 MODEL"
    ds.MAP_PROJ = np.int32(1 if proj_name == "lambert" else 3)
    ds.TRUELAT1 = np.float32(30.0)
    ds.TRUELAT2 = np.float32(60.0)
    ds.STAND_LON = np.float32(lon0)
    ds.CEN_LAT = np.float32(lat0)
    ds.CEN_LON = np.float32(lon0)
    ds.MOAD_CEN_LAT = np.float32(lat0)
    ds.DX = np.float32(dx)
    ds.DY = np.float32(dx)
    ds.MMINLU = "USGS"
    ds.createDimension("Time", None)
    ds.createDimension("DateStrLen", 19)
    for name, size in (("west_east", nx), ("south_north", ny), ("bottom_top", nz), ("bottom_top_stag", nz + 1),
                       ("west_east_stag", nx + 1), ("south_north_stag", ny + 1)):
        ds.createDimension(name, size)

    def make(name, dims, unit, stagger="", description=""):
        if name in drop:
            return None
        v = ds.createVariable(name, "i4" if name == "LU_INDEX" else "f4", ("Time",) + dims)
        v.FieldType = np.int32(104)
        v.MemoryOrder = {4: "XYZ", 3: "XY "}[len(dims) + 1]
        v.description = description or name
        v.units = units.get(name, unit)
        v.stagger = stagger
        return v

    tv = ds.createVariable("Times", "S1", ("Time", "DateStrLen"))
    mass3 = ("bottom_top", "south_north", "west_east")
    surf = ("south_north", "west_east")
    vs = dict(
        U=make("U", ("bottom_top", "south_north", "west_east_stag"), "m s-1", "X", "x-wind component"),
        V=make("V", ("bottom_top", "south_north_stag", "west_east"), "m s-1", "Y", "y-wind component"),
        W=make("W", ("bottom_top_stag", "south_north", "west_east"), "m s-1", "Z", "z-wind component"),
        PH=make("PH", ("bottom_top_stag", "south_north", "west_east"), "m2 s-2", "Z", "perturbation geopotential"),
        PHB=make("PHB", ("bottom_top_stag", "south_north", "west_east"), "m2 s-2", "Z", "base-state geopotential"),
        P=make("P", mass3, "Pa", "", "perturbation pressure"), PB=make("PB", mass3, "Pa", "", "BASE STATE PRESSURE"),
        T=make("T", mass3, "K", "", "perturbation potential temperature (theta-t0)"),
        QVAPOR=make("QVAPOR", mass3, "kg kg-1", "", "Water vapor mixing ratio"),
        QCLOUD=make("QCLOUD", mass3, "kg kg-1", "", "Cloud water mixing ratio"),
        RAINC=make("RAINC", surf, "mm", "", "ACCUMULATED TOTAL CUMULUS PRECIPITATION"),
        RAINNC=make("RAINNC", surf, "mm", "", "ACCUMULATED TOTAL GRID SCALE PRECIPITATION"),
        PBLH=make("PBLH", surf, "m", "", "PBL HEIGHT"), UST=make("UST", surf, "m s-1", "", "U* IN SIMILARITY THEORY"),
        HFX=make("HFX", surf, "W m-2", "", "UPWARD HEAT FLUX AT THE SURFACE"),
        LU_INDEX=make("LU_INDEX", surf, "", "", "LAND USE CATEGORY"),
        HGT=make("HGT", surf, "m", "", "Terrain Height"),
        XLAT=make("XLAT", surf, "degree_north", "", "LATITUDE, SOUTH IS NEGATIVE"),
        XLONG=make("XLONG", surf, "degree_east", "", "LONGITUDE, WEST IS NEGATIVE"),
        T2=make("T2", surf, "K", "", "TEMP at 2 M"),
    )
    if rotation:
        vs["COSALPHA"] = make("COSALPHA", surf, "", "", "Local cosine of map rotation")
        vs["SINALPHA"] = make("SINALPHA", surf, "", "", "Local sine of map rotation")
    origin = times[0]
    for n, when in enumerate(times):
        tv[n] = np.array(list(when.strftime("%Y-%m-%d_%H:%M:%S")), dtype="S1")
        th = (when - datetime(2008, 8, 1, tzinfo=timezone.utc)).total_seconds() / 3600.0

        def grid_rel(Xs, Ys, zz, lon_s):
            b = proj.grid_angle(lon_s)
            ue, ve = u_earth(Xs, Ys, zz, th), v_earth(Xs, Ys, zz, th)
            return ue * np.cos(b) - ve * np.sin(b), ue * np.sin(b) + ve * np.cos(b)

        zu = zm_levels[:, None, None] * sq_u[None]
        zv = zm_levels[:, None, None] * sq_v[None]
        U, _ = grid_rel(Xu[None], Yu[None], zu, lon_u[None])
        _, V = grid_rel(Xv[None], Yv[None], zv, lon_v[None])
        put = {"U": U, "V": V, "W": np.zeros((nz + 1, ny, nx))}
        geo = G * (hgt[None] + z_w)
        put["PHB"] = G * (hgt[None] + ETA_HEIGHTS[:, None, None])
        put["PH"] = geo - put["PHB"]
        p = np.exp(log_p(X[None], Y[None], z_m, th))
        put["PB"] = 0.9 * p
        put["P"] = p - put["PB"]
        put["T"] = theta(X[None], Y[None], z_m, th) - 300.0
        put["QVAPOR"] = qvapor(X[None], Y[None], z_m, th)
        put["QCLOUD"] = np.where(z_m > 1500.0, 2e-4, 0.0) * np.ones_like(z_m)
        acc = rain_rate(th) if rain_rate is not None else 0.0
        put["RAINNC"] = np.full((ny, nx), acc) * (1.0 + 1e-6 * X)
        put["RAINC"] = np.zeros((ny, nx))
        put["PBLH"] = pblh(X, Y, th)
        put["UST"] = np.full((ny, nx), 0.35)
        put["HFX"] = np.full((ny, nx), 150.0)
        put["LU_INDEX"] = np.where(X < 0, 2, 1)
        put["HGT"], put["XLAT"], put["XLONG"] = hgt, lat, lon
        put["T2"] = theta(X, Y, 2.0, th) * (np.exp(log_p(X, Y, 2.0, th)) / 1e5) ** (2 / 7)
        put["COSALPHA"], put["SINALPHA"] = np.cos(-beta), np.sin(-beta)
        for name, v in vs.items():
            if v is not None:
                v[n] = put[name]
    ds.close()
    return proj


START = datetime(2008, 8, 1, tzinfo=timezone.utc)
LAYERS = VerticalLayers.from_interfaces([0.0, 50.0, 120.0, 220.0, 350.0, 520.0, 750.0, 1050.0, 1450.0, 2000.0])


def hours(*hs):
    return [START + timedelta(hours=h) for h in hs]


def model_grid():
    return lonlat_grid(114.5, 117.5, 38.75, 41.25, 0.25, LAYERS)


@pytest.fixture
def wrf_pair(tmp_path):
    """Two files, 00-02 h and 03-05 h; RAINNC grows 2 mm/h to 3 h, then 5 mm/h."""
    def acc(t):
        return 2.0 * min(t, 3.0) + 5.0 * max(t - 3.0, 0.0)
    f1, f2 = tmp_path / "wrfout_d01_2008-08-01_00:00:00", tmp_path / "wrfout_d01_2008-08-01_03:00:00"
    proj = write_wrfout(f1, hours(0, 1, 2), rain_rate=acc)
    write_wrfout(f2, hours(3, 4, 5), rain_rate=acc)
    return [str(f1), str(f2)], proj


def analytic_at(proj, lon, lat, fn, *args):
    x, y = proj.forward(lon, lat)
    return fn(x, y, *args)


def test_regridded_fields_match_the_analytic_fields(wrf_pair):
    files, proj = wrf_pair
    grid = model_grid()
    met = WRFMeteorology({"source": "wrf", "files": files}, grid, start=START)
    lon, lat = np.meshgrid(grid.x, grid.y)
    # Terrain: linear in x, y -> bilinear is exact up to the float32 storage.
    np.testing.assert_allclose(grid.terrain, analytic_at(proj, lon, lat, terrain), atol=0.02)
    t = 1.5  # between records: linear in time is exact for fields linear in t
    s = met.at(t * 3600.0)
    zm = LAYERS.midpoints[:, None, None]
    lon_xf, lat_xf = np.meshgrid(grid.x_bounds, grid.y)
    x_xf, y_xf = proj.forward(lon_xf, lat_xf)
    expected_u = u_earth(x_xf[None], y_xf[None], zm, t)
    # Winds pass through rotation and destaggering: small second-order errors (< 1 cm/s here).
    assert np.abs(s.u - expected_u).max() < 0.01
    lon_yf, lat_yf = np.meshgrid(grid.x, grid.y_bounds)
    x_yf, y_yf = proj.forward(lon_yf, lat_yf)
    assert np.abs(s.v - v_earth(x_yf[None], y_yf[None], zm, t)).max() < 0.01
    x, y = proj.forward(lon, lat)
    p = np.exp(log_p(x[None], y[None], zm, t))
    np.testing.assert_allclose(s.pressure, p, rtol=2e-6)
    temp = theta(x[None], y[None], zm, t) * (p / 1e5) ** (2 / 7)
    assert np.abs(s.temperature - temp).max() < 0.02  # T is interpolated, theta*Exner is not linear in z
    q = qvapor(x[None], y[None], zm, t)
    np.testing.assert_allclose(s.specific_humidity, q / (1 + q), rtol=1e-4)  # q/(1+q) is not linear in z
    np.testing.assert_allclose(s.mixing_height, pblh(x, y, t), rtol=1e-5)
    np.testing.assert_allclose(s.air_density, p / (287.05 * temp * (1 + 0.6078 * q / (1 + q))), rtol=2e-4)
    assert set(np.unique(s.land_use)) == {1, 2}
    assert s.kz.shape == (LAYERS.nz + 1,) + grid.terrain.shape and s.kz[0].max() == 0 and s.kz[1:-1].min() > 0


def test_rotation_from_coordinates_without_cosalpha(tmp_path):
    f = tmp_path / "wrfout_d01"
    proj = write_wrfout(f, hours(0, 1), rotation=False)
    grid = model_grid()
    s = WRFMeteorology({"source": "wrf", "files": [str(f)]}, grid, start=START).at(0.0)
    lon_xf, lat_xf = np.meshgrid(grid.x_bounds, grid.y)
    x_xf, y_xf = proj.forward(lon_xf, lat_xf)
    assert np.abs(s.u - u_earth(x_xf[None], y_xf[None], LAYERS.midpoints[:, None, None], 0.0)).max() < 0.03


def test_mercator(tmp_path):
    f = tmp_path / "wrfout_d01"
    proj = write_wrfout(f, hours(0, 1), proj_name="mercator")
    grid = model_grid()
    WRFMeteorology({"source": "wrf", "files": [str(f)]}, grid, start=START)
    lon, lat = np.meshgrid(grid.x, grid.y)
    np.testing.assert_allclose(grid.terrain, analytic_at(proj, lon, lat, terrain), atol=0.02)


def test_precipitation_rate_across_file_boundary(wrf_pair):
    """RAINNC accumulates 2 mm/h to 03 UTC, then 5 mm/h; the 02-03 interval spans the two files."""
    files, proj = wrf_pair
    grid = model_grid()
    met = WRFMeteorology({"source": "wrf", "files": files}, grid, start=START)
    x, _ = proj.forward(*np.meshgrid(grid.x, grid.y))
    for t_h, rate_mm_h in ((0.5, 2.0), (2.0, 2.0), (2.5, 2.0), (3.0, 5.0), (3.5, 5.0), (4.9, 5.0)):
        got = met.at(t_h * 3600.0).precipitation * 3600.0  # kg m-2 s-1 -> mm/h
        np.testing.assert_allclose(got, rate_mm_h * (1.0 + 1e-6 * x), rtol=2e-4)


def test_missing_variable_names_file_and_variable(tmp_path):
    f = tmp_path / "wrfout_d01_bad"
    write_wrfout(f, hours(0, 1), drop=("QCLOUD",))
    with pytest.raises(InputError, match=r"wrfout_d01_bad: variable QCLOUD is missing"):
        WRFMeteorology({"source": "wrf", "files": [str(f)]}, model_grid(), start=START)


def test_wrong_units_named(tmp_path):
    f = tmp_path / "wrfout_d01_units"
    write_wrfout(f, hours(0, 1), units={"U": "km h-1"})
    with pytest.raises(InputError, match=r"wrfout_d01_units: variable U has units 'km h-1'; expected 'm s-1'"):
        WRFMeteorology({"source": "wrf", "files": [str(f)]}, model_grid(), start=START)


def test_times_not_covering_the_run(wrf_pair):
    files, _ = wrf_pair
    with pytest.raises(InputError, match=r"wrfout_d01_2008-08-01_00:00:00.*cover 2008-08-01 00:00 to "
                                         r"2008-08-01 05:00.*does not cover the run"):
        WRFMeteorology({"source": "wrf", "files": files}, model_grid(), start=START, end=START + timedelta(hours=6))
    with pytest.raises(InputError, match="does not cover the run"):
        WRFMeteorology({"source": "wrf", "files": files}, model_grid(), start=START - timedelta(hours=1))
    with pytest.raises(InputError, match="no file matches"):
        WRFMeteorology({"source": "wrf", "files": ["/nonexistent/wrfout_*"]}, model_grid(), start=START)
