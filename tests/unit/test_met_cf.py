"""The CF (ERA5-like) reader, on small files that these tests write themselves in the layout ERA5 files have.

Two layouts: the "old" CDS netCDF (dims time, level, latitude, longitude; level in millibars; time in "hours since
1900-01-01 00:00:00.0", gregorian; air temperature packed as short with scale_factor/add_offset; ERA5's unit
spellings "m s**-1", "m**2 s**-2", "(0 - 1)") and the "new" CDS netCDF (valid_time in seconds since 1970,
pressure_level in hPa, float data). Latitude runs north to south; pressure-level and single-level fields are in
separate files, one pair a day. Standard names are the CF ones, with ERA5's sign conventions: the sensible heat
flux is downward-positive and accumulated over the hour (J m-2), the precipitation is the hour's amount in m.

The atmosphere is analytic and hydrostatic: T and q linear in pressure (so the virtual temperature is a quadratic
in p and the geopotential, the integral of R_d Tv d ln p, is known in closed form), winds linear in lon, lat and p,
terrain linear in lon and lat, everything linear in time. The surface pressure solves Phi(p_s) = g z_s; the 2-m and
10-m fields are the analytic fields at 2 and 10 m above the ground. Expected values at the model heights follow by
inverting Phi, so what remains is the interpolation error of the reader (linear in height between levels 25-50 hPa
apart, bilinear between grid points of a surface pressure that is not linear in lon/lat): about 0.02 K in
temperature, 1 cm/s in wind, 1e-4 relative in pressure, which the tolerances below allow with a margin.
"""
from datetime import datetime, timedelta, timezone

import cftime
import netCDF4
import numpy as np
import pytest

from airmodel.errors import InputError
from airmodel.grid import VerticalLayers, lonlat_grid
from airmodel.met.cf import CFMeteorology, SourceGrid

G = 9.80665
RD = 287.05
C_V = 0.6077  # Tv = T (1 + C_V q)
LEVELS_HPA = np.array([1000, 975, 950, 925, 900, 875, 850, 825, 800, 775, 750, 700, 650, 600, 550, 500])
START = datetime(2008, 8, 1, tzinfo=timezone.utc)
LAYERS = VerticalLayers.from_interfaces([0.0, 50.0, 120.0, 220.0, 350.0, 520.0, 750.0, 1050.0, 1450.0, 2000.0,
                                         3000.0])
SRC_LON = np.arange(113.0, 120.01, 0.5)
SRC_LAT = np.arange(43.0, 35.99, -0.5)  # north to south, as ERA5


# -- the analytic atmosphere (p in hPa, t in hours since START) -------------------------------------------------------
def terrain(lon, lat):
    return 400.0 + 250.0 * (lon - 116.0) + 150.0 * (lat - 40.0)


def temperature(lon, lat, p, t):
    return 300.0 + 0.4 * (lon - 116.0) - 0.6 * (lat - 40.0) + 0.06 * (p - 1000.0) + 0.1 * t


def humidity(p):
    return 1.5e-5 * p - 0.003  # 0.012 kg/kg at 1000 hPa, 0.0045 at 500 hPa


def u_wind(lon, lat, p, t):
    return 3.0 + 0.8 * (lon - 116.0) - 0.5 * (lat - 40.0) + 0.01 * (1000.0 - p) + 0.05 * t


def v_wind(lon, lat, p, t):
    return -1.0 + 0.3 * (lon - 116.0) + 0.6 * (lat - 40.0) + 0.008 * (1000.0 - p) - 0.03 * t


def _tv_coefficients(lon, lat, t):
    a = temperature(lon, lat, 0.0, t)
    b = 0.06
    qa, qb = -0.003, 1.5e-5
    return a * (1 + C_V * qa), a * C_V * qb + b * (1 + C_V * qa), b * C_V * qb


def virtual_temperature(lon, lat, p, t):
    A, B, C = _tv_coefficients(lon, lat, t)
    return A + B * p + C * p * p


def geopotential(lon, lat, p, t):
    """Phi = g 110 m at 1000 hPa plus R_d int_p^1000 Tv dp/p, in closed form."""
    A, B, C = _tv_coefficients(lon, lat, t)
    return G * 110.0 + RD * (A * np.log(1000.0 / p) + B * (1000.0 - p) + C * (1000.0 ** 2 - p * p) / 2)


def pressure_at(lon, lat, z_asl, t):
    """hPa where the geopotential height is z_asl (Newton on Phi(p) = g z)."""
    p = 1000.0 * np.exp(-(z_asl - 110.0) / 8500.0)
    for _ in range(30):
        f = geopotential(lon, lat, p, t) - G * z_asl
        p = p + f / (RD * virtual_temperature(lon, lat, p, t) / p)
    return p


def dew_point(q, p_pa):
    e = q * p_pa / (0.62199 + (1 - 0.62199) * q)  # eps = 287.05/461.5
    x = np.log(e / 611.2)
    return 273.15 + 243.5 * x / (17.67 - x)


def blh(lon, lat, t):
    return 800.0 + 100.0 * (lon - 116.0) + 20.0 * t


def heat_flux_up(lon, lat, t):
    return 150.0 + 30.0 * (lon - 116.0)


def rain_mm_per_hour(lon, t):
    """The hour ending at t: 2 mm/h up to 24 h, 5 mm/h after."""
    return (2.0 if t <= 24.0 + 1e-9 else 5.0) * (1.0 + 0.1 * (lon - 116.0))


# -- the files ------------------------------------------------------------------------------------------------------
#: Hybrid sigma-pressure levels, p = a + b p_s, numbered from the top as ERA5's model levels are.
SIGMA = np.linspace(0.45, 0.995, 20)
HYB_B = np.clip((SIGMA - 0.3) / 0.7, 0.0, 1.0)
HYB_A = (SIGMA - HYB_B) * 1.0e5  # Pa


def write_era5(folder, day, hours, style="old", drop=(), units=None, humidity_kind="q", friction=True,
               calendar="gregorian", tag="", hybrid=False):
    """An ERA5-like pair: ``{tag}era5_pl_{day}.nc`` (pressure levels; with ``hybrid``, model levels without
    geopotential) and ``{tag}era5_sl_{day}.nc`` (single levels) at the hours (since START) listed. Returns the
    two paths."""
    units = units or {}
    lon2, lat2 = np.meshgrid(SRC_LON, SRC_LAT)
    zs = terrain(lon2, lat2)
    paths = []
    for kind in ("pl", "sl"):
        path = folder / f"{tag}era5_{kind}_{day}.nc"
        ds = netCDF4.Dataset(path, "w", format="NETCDF4_CLASSIC" if style == "old" else "NETCDF4")
        ds.Conventions = "CF-1.6"
        ds.history = "written by the airmodel tests in the layout of ERA5 from the Copernicus CDS"
        tname = "time" if style == "old" else "valid_time"
        lname = "level" if style == "old" else "pressure_level"
        ds.createDimension("longitude", SRC_LON.size)
        ds.createDimension("latitude", SRC_LAT.size)
        ds.createDimension(tname, None if style == "old" else len(hours))
        x = ds.createVariable("longitude", "f4", ("longitude",))
        x.units, x.long_name = "degrees_east", "longitude"
        x[:] = SRC_LON
        y = ds.createVariable("latitude", "f4", ("latitude",))
        y.units, y.long_name = "degrees_north", "latitude"
        y[:] = SRC_LAT
        tv = ds.createVariable(tname, "i4" if style == "old" else "i8", (tname,))
        tv.long_name = "time"
        tv.standard_name = "time"
        when = [START + timedelta(hours=h) for h in hours]
        if style == "old":
            tv.units, tv.calendar = "hours since 1900-01-01 00:00:00.0", calendar
        else:
            tv.units, tv.calendar = "seconds since 1970-01-01", calendar
        naive = [cftime.datetime(w.year, w.month, w.day, w.hour, calendar=calendar) for w in when]
        tv[:] = np.round(cftime.date2num(naive, tv.units, calendar=calendar)).astype(np.int64)
        dims2 = (tname, "latitude", "longitude")
        if kind == "pl" and hybrid:
            ds.createDimension("level", SIGMA.size)
            lv = ds.createVariable("level", "i4", ("level",))
            lv.standard_name = "atmosphere_hybrid_sigma_pressure_coordinate"
            lv.long_name = "model level number"
            lv.positive = "down"
            lv.formula_terms = "ap: hyam b: hybm ps: sp"
            lv[:] = np.arange(1, SIGMA.size + 1)
            ha = ds.createVariable("hyam", "f8", ("level",))
            ha.units, ha.long_name = "Pa", "hybrid A coefficient at layer midpoints"
            ha[:] = HYB_A
            hb = ds.createVariable("hybm", "f8", ("level",))
            hb.units, hb.long_name = "1", "hybrid B coefficient at layer midpoints"
            hb[:] = HYB_B
            dims = (tname, "level", "latitude", "longitude")
        elif kind == "pl":
            ds.createDimension(lname, LEVELS_HPA.size)
            lv = ds.createVariable(lname, "i4" if style == "old" else "f8", (lname,))
            lv.units = "millibars" if style == "old" else "hPa"
            lv.long_name = "pressure_level"
            lv.standard_name = "air_pressure"
            lv[:] = LEVELS_HPA
            dims = (tname, lname, "latitude", "longitude")
        else:
            dims = dims2
        if style == "new":
            n = ds.createVariable("number", "i8", ())
            n.long_name = "ensemble member numerical id"
            n[...] = 0

        def make(name, sn, unit, long_name, dims=dims, packed=False):
            if name in drop:
                return None
            if packed and style == "old":
                var = ds.createVariable(name, "i2", dims, fill_value=np.int16(-32767))
                var.scale_factor = 0.002
                var.add_offset = 280.0
            else:
                var = ds.createVariable(name, "f4", dims)
            if sn:
                var.standard_name = sn
            var.units = units.get(name, unit)
            var.long_name = long_name
            return var

        for n, h in enumerate(hours):
            L = LEVELS_HPA[:, None, None]
            if hybrid:
                L = (HYB_A[:, None, None] + HYB_B[:, None, None] * 100.0 * pressure_at(lon2, lat2, zs, h)) / 100.0
            if kind == "pl":
                put = {
                    "t": temperature(lon2, lat2, L, h), "u": u_wind(lon2, lat2, L, h),
                    "v": v_wind(lon2, lat2, L, h), "z": geopotential(lon2, lat2, L, h),
                    "q": humidity(L) * np.ones_like(lon2),
                }
                if n == 0:
                    vs = {
                        "z": None if hybrid else make("z", "geopotential", "m**2 s**-2", "Geopotential"),
                        "t": make("t", "air_temperature", "K", "Temperature", packed=True),
                        "u": make("u", "eastward_wind", "m s**-1", "U component of wind"),
                        "v": make("v", "northward_wind", "m s**-1", "V component of wind"),
                    }
                    if humidity_kind == "q":
                        vs["q"] = make("q", "specific_humidity", "kg kg**-1", "Specific humidity")
                    else:
                        vs["r"] = make("r", "relative_humidity", "%", "Relative humidity")
                if humidity_kind == "r":
                    p_pa = L * 100.0 * np.ones_like(lon2)
                    e = put["q"] * p_pa / (0.62199 + (1 - 0.62199) * put["q"])
                    tc = put["t"] - 273.15
                    put["r"] = 100.0 * e / (611.2 * np.exp(17.67 * tc / (tc + 243.5)))
            else:
                ps = pressure_at(lon2, lat2, zs, h)
                p2, p10 = pressure_at(lon2, lat2, zs + 2.0, h), pressure_at(lon2, lat2, zs + 10.0, h)
                put = {
                    "sp": ps * 100.0, "t2m": temperature(lon2, lat2, p2, h),
                    "d2m": dew_point(humidity(p2), p2 * 100.0),
                    "u10": u_wind(lon2, lat2, p10, h), "v10": v_wind(lon2, lat2, p10, h),
                    "u100": u_wind(lon2, lat2, pressure_at(lon2, lat2, zs + 100.0, h), h),
                    "blh": blh(lon2, lat2, h), "tp": rain_mm_per_hour(lon2, h) / 1000.0,
                    "sshf": -3600.0 * heat_flux_up(lon2, lat2, h), "zust": 0.3 + 0.02 * (lon2 - 116.0),
                    "tcc": np.full_like(lon2, 0.4), "z": G * zs, "lsm": np.ones_like(lon2),
                }
                if n == 0:
                    vs = {
                        "u10": make("u10", "eastward_wind", "m s**-1", "10 metre U wind component"),
                        "v10": make("v10", "northward_wind", "m s**-1", "10 metre V wind component"),
                        "u100": make("u100", "eastward_wind", "m s**-1", "100 metre U wind component"),
                        "d2m": make("d2m", "dew_point_temperature", "K", "2 metre dewpoint temperature"),
                        "t2m": make("t2m", "air_temperature", "K", "2 metre temperature"),
                        "sp": make("sp", "surface_air_pressure", "Pa", "Surface pressure"),
                        "blh": make("blh", "atmosphere_boundary_layer_thickness", "m", "Boundary layer height"),
                        "tp": make("tp", "lwe_thickness_of_precipitation_amount", "m", "Total precipitation"),
                        "sshf": make("sshf", "surface_downward_sensible_heat_flux", "J m**-2",
                                     "Surface sensible heat flux"),
                        "tcc": make("tcc", "cloud_area_fraction", "(0 - 1)", "Total cloud cover"),
                        "z": make("z", "geopotential", "m**2 s**-2", "Geopotential"),
                        "lsm": make("lsm", "land_binary_mask", "(0 - 1)", "Land-sea mask"),
                    }
                    if friction:
                        vs["zust"] = make("zust", "magnitude_of_surface_friction_velocity_in_air", "m s**-1",
                                          "Friction velocity")
            for name, var in vs.items():
                if var is not None:
                    var[n] = put[name]
        ds.close()
        paths.append(path)
    return paths


def model_grid():
    return lonlat_grid(115.0, 117.5, 39.0, 41.0, 0.25, LAYERS)


def two_days(folder, **kw):
    """ERA5-like 3-hourly records: day 1 at 0..21 h, day 2 at 24..45 h; four files."""
    return [str(p) for p in write_era5(folder, "20080801", range(0, 24, 3), **kw)
            + write_era5(folder, "20080802", range(24, 48, 3), **kw)]


def expected_at(lon, lat, z_agl, t, fn):
    z = terrain(lon, lat)[None] + z_agl[:, None, None]
    return fn(lon[None], lat[None], pressure_at(lon[None], lat[None], z, t), t)


@pytest.fixture(scope="module")
def era5_files(tmp_path_factory):
    return two_days(tmp_path_factory.mktemp("era5"))


def check_against_analytic(met, grid, t_h, t_tol=0.03, uv_tol=0.015):
    s = met.at(t_h * 3600.0)
    zm = LAYERS.midpoints
    lon, lat = np.meshgrid(grid.x, grid.y)
    np.testing.assert_allclose(grid.terrain, terrain(lon, lat), atol=1e-3)
    assert np.abs(s.temperature - expected_at(lon, lat, zm, t_h, temperature)).max() < t_tol
    lon_xf, lat_xf = np.meshgrid(grid.x_bounds, grid.y)
    lon_yf, lat_yf = np.meshgrid(grid.x, grid.y_bounds)
    assert np.abs(s.u - expected_at(lon_xf, lat_xf, zm, t_h, u_wind)).max() < uv_tol
    assert np.abs(s.v - expected_at(lon_yf, lat_yf, zm, t_h, v_wind)).max() < uv_tol
    p = 100.0 * pressure_at(lon[None], lat[None], terrain(lon, lat)[None] + zm[:, None, None], t_h)
    np.testing.assert_allclose(s.pressure, p, rtol=2e-4)
    q = humidity(p / 100.0)
    np.testing.assert_allclose(s.specific_humidity, q, rtol=2e-3)
    tv = expected_at(lon, lat, zm, t_h, temperature) * (1 + C_V * q)
    np.testing.assert_allclose(s.air_density, p / (RD * tv), rtol=3e-4)
    return s


def test_regridded_fields_match_the_analytic_fields(era5_files):
    grid = model_grid()
    met = CFMeteorology({"source": "cf", "files": era5_files}, grid, start=START)
    lon, lat = np.meshgrid(grid.x, grid.y)
    for t_h in (0.0, 4.5, 22.5):  # on a record, between records, across the file boundary
        s = check_against_analytic(met, grid, t_h)
        np.testing.assert_allclose(s.mixing_height, blh(lon, lat, t_h), rtol=1e-5)
        np.testing.assert_allclose(s.sensible_heat_flux, heat_flux_up(lon, lat, t_h), rtol=1e-5)  # sign flipped
        np.testing.assert_allclose(s.friction_velocity, 0.3 + 0.02 * (lon - 116.0), rtol=1e-5)
        ps = 100.0 * pressure_at(lon, lat, terrain(lon, lat), t_h)
        np.testing.assert_allclose(s.surface_pressure, ps, rtol=5e-5)  # bilinear on a convex p_s: ~2 Pa
        p10 = pressure_at(lon, lat, terrain(lon, lat) + 10.0, t_h)
        assert np.abs(s.u10 - u_wind(lon, lat, p10, t_h)).max() < 1e-3  # the 10-m wind, not the 100-m one
        assert (s.monin_obukhov_length < 0).all()  # upward heat flux: unstable
        np.testing.assert_allclose(s.cloud_cover, 0.4, rtol=1e-6)
    assert s.kz.shape == (LAYERS.nz + 1,) + grid.terrain.shape and s.kz[0].max() == 0 and s.kz[1:-1].min() > 0
    assert s.u.shape == (LAYERS.nz, grid.ny, grid.nx + 1) and s.v.shape == (LAYERS.nz, grid.ny + 1, grid.nx)
    # The 1000-950 hPa levels are below ground over the higher half of the domain: no effect on the result,
    # which the checks above show; and the model's terrain is the file's.
    assert grid.terrain.max() > 700.0


def test_precipitation_rate_across_file_boundary(era5_files):
    """tp is the amount in the hour ending at each (3-hourly) record: 2 mm/h up to 24 h, 5 mm/h after; the
    interval 21-24 h ends in the second day's file."""
    grid = model_grid()
    met = CFMeteorology({"source": "cf", "files": era5_files}, grid, start=START)
    lon, _ = np.meshgrid(grid.x, grid.y)
    for t_h, rate in ((0.0, 2.0), (10.0, 2.0), (22.5, 2.0), (24.0, 5.0), (30.0, 5.0), (45.0, 5.0)):
        got = met.at(t_h * 3600.0).precipitation * 3600.0  # kg m-2 s-1 -> mm/h
        np.testing.assert_allclose(got, rate * (1.0 + 0.1 * (lon - 116.0)), rtol=1e-5)


def test_new_cds_layout_relative_humidity_no_geopotential_no_ustar(tmp_path):
    """valid_time/pressure_level layout, relative humidity in %, heights from the hypsometric equation, u* and L
    diagnosed from the 10-m wind and the heat flux."""
    files = two_days(tmp_path, style="new", humidity_kind="r", drop=("z",), friction=False)
    files = [f for f in files if "_pl_" in f] + [f for f in files if "_sl_" in f]
    # The single-level surface geopotential stays (dropping 'z' removed it from both): give surface_altitude.
    with netCDF4.Dataset(files[-1], "a") as ds:
        h = ds.createVariable("orog", "f4", ("latitude", "longitude"))
        h.standard_name, h.units = "surface_altitude", "m"
        h[:] = terrain(*np.meshgrid(SRC_LON, SRC_LAT))
    grid = model_grid()
    met = CFMeteorology({"source": "cf", "files": files}, grid, start=START)
    s = check_against_analytic(met, grid, 7.5)
    assert (s.friction_velocity > 0.1).all() and (s.friction_velocity < 1.0).all()
    assert (s.monin_obukhov_length < 0).all()


def test_hybrid_model_levels(tmp_path):
    """ERA5-like model levels (numbered from the top, p = ap + b p_s by formula_terms), heights integrated
    hypsometrically."""
    files = [str(p) for p in write_era5(tmp_path, "20080801", range(0, 7, 3), hybrid=True)]
    grid = model_grid()
    met = CFMeteorology({"source": "cf", "files": files}, grid, start=START)
    check_against_analytic(met, grid, 4.5)


def test_lon_lat_conventions_and_the_seam():
    """Bilinear weights from a global 0..360 grid to a domain across 0 E, and from -180..180 across 180 E,
    latitude north to south: exact for a field linear in longitude near the seam and in latitude."""
    for lon_src, lon_min in ((np.arange(0.0, 360.0, 2.0), -4.0), (np.arange(-180.0, 180.0, 2.0), 176.0)):
        lat_src = np.arange(20.0, -20.1, -2.0)
        layers = VerticalLayers.from_interfaces([0.0, 100.0])
        grid = lonlat_grid(lon_min, lon_min + 8.0, -3.0, 3.0, 0.5, layers)
        sg = SourceGrid("global.nc", lat_src, lon_src, grid)
        centre = lon_min + 4.0
        rel = (lon_src - centre + 180.0) % 360.0 - 180.0  # longitude relative to the domain centre
        field = rel[None, :] + 10.0 * lat_src[:, None]
        window = field[sg.rows][:, sg.cols]
        lon_c, lat_c = np.meshgrid(grid.x, grid.y)
        np.testing.assert_allclose(sg.at["c"](window), (lon_c - centre) + 10.0 * lat_c, atol=1e-9)
        lon_xf, lat_xf = np.meshgrid(grid.x_bounds, grid.y)
        np.testing.assert_allclose(sg.at["x"](window), (lon_xf - centre) + 10.0 * lat_xf, atol=1e-9)
    with pytest.raises(InputError, match="outside the file's grid"):
        SourceGrid("small.nc", np.arange(30.0, 50.0), np.arange(100.0, 116.0), model_grid())


def test_times_not_covering_the_run(era5_files):
    with pytest.raises(InputError, match=r"era5_pl_20080801.nc.*cover 2008-08-01 00:00 to 2008-08-02 21:00 UTC, "
                                         r"which does not cover the run"):
        CFMeteorology({"source": "cf", "files": era5_files}, model_grid(), start=START,
                      end=START + timedelta(hours=48))
    with pytest.raises(InputError, match="does not cover the run"):
        CFMeteorology({"source": "cf", "files": era5_files}, model_grid(), start=START - timedelta(hours=1))


def test_missing_standard_name_named(tmp_path):
    files = [str(p) for p in write_era5(tmp_path, "20080801", range(0, 7, 3), drop=("blh",))]
    with pytest.raises(InputError, match=r"era5_sl_20080801.nc.*no variable with standard_name "
                                         r"atmosphere_boundary_layer_thickness"):
        CFMeteorology({"source": "cf", "files": files}, model_grid(), start=START)


def test_missing_day_of_single_level_fields(tmp_path):
    files = two_days(tmp_path)
    files = [f for f in files if not f.endswith("era5_sl_20080802.nc")]
    with pytest.raises(InputError, match=r"era5_sl_20080801.nc\): standard_name \w+ .*no record "
                                         r"at 2008-08-02 00:00 UTC"):
        CFMeteorology({"source": "cf", "files": files}, model_grid(), start=START)


def test_wrong_units_named(tmp_path):
    files = [str(p) for p in write_era5(tmp_path, "20080801", range(0, 7, 3), units={"u": "km h-1"})]
    with pytest.raises(InputError, match=r"era5_pl_20080801.nc: variable u \(standard_name eastward_wind\) has "
                                         r"units 'km h-1'; expected 'm s-1'"):
        CFMeteorology({"source": "cf", "files": files}, model_grid(), start=START)


def test_levels_below_the_model_top(era5_files):
    grid = lonlat_grid(115.0, 117.5, 39.0, 41.0, 0.25, VerticalLayers.from_interfaces([0.0, 1000.0, 6000.0]))
    with pytest.raises(InputError, match=r"highest level \(500 hPa\).*below the model top at 6000 m"):
        CFMeteorology({"source": "cf", "files": era5_files}, grid, start=START)


def test_noleap_calendar_and_standard_names_key(tmp_path):
    """A model calendar without leap days; a variable without standard_name named through the scenario."""
    files = [str(p) for p in write_era5(tmp_path, "20080801", range(0, 7, 3), calendar="noleap")]
    with netCDF4.Dataset(files[1], "a") as ds:
        ds["blh"].delncattr("standard_name")
    grid = model_grid()
    with pytest.raises(InputError, match="atmosphere_boundary_layer_thickness"):
        CFMeteorology({"source": "cf", "files": files}, grid, start=START)
    met = CFMeteorology({"source": "cf", "files": files,
                         "standard_names": {"blh": "atmosphere_boundary_layer_thickness"}}, grid, start=START)
    assert met.seconds[-1] == 6 * 3600.0
    check_against_analytic(met, grid, 4.5)
