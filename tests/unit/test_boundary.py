"""Boundary conditions (the profile table, the CF reader, the scale, the tracers), include_controls and the scale
of a control measure."""
from datetime import datetime, timezone

import netCDF4
import numpy as np
import pytest

from airmodel.boundary import DEFAULT_PROFILES, BoundaryConditions, read_profiles
from airmodel.inventory_summary import summarize
from airmodel.errors import InputError
from airmodel.model import build_grid
from airmodel.scenario import load
from airmodel.species import species_table
from airmodel.units import concentration_from_si

START = datetime(2008, 8, 8, tzinfo=timezone.utc)
END = datetime(2008, 8, 8, 6, tzinfo=timezone.utc)
DOMAIN = {"grid": "lonlat", "lon_min": 115.0, "lon_max": 117.0, "lat_min": 39.0, "lat_max": 41.0,
          "resolution": 0.5, "layer_interfaces": [0.0, 100.0, 500.0, 1500.0, 3000.0]}


def _setup(settings, species=None):
    sc = load({"run": {"start": "2008-08-08T00:00:00Z", "hours": 6, "time_step": 600.0}, "domain": DOMAIN,
               "meteorology": {"source": "idealized"},
               "species": species or {"O3": {"units": "ppb", "molar_mass": 48.0, "inflow": 30.0},
                                      "tracer": {"units": "ug m-3", "inflow": 7.0}},
               "boundary": settings})
    grid = build_grid(sc["domain"])
    table = species_table(sc["species"])
    rho = np.full(grid.shape, 1.2) * np.linspace(1.0, 0.8, grid.nz)[:, None, None]
    return sc, grid, table, rho


def _ppb(kgkg, rho, sp):
    return concentration_from_si(kgkg * rho, sp.units, rho, sp.molar_mass)


def test_profile_table_interpolates_in_height_and_falls_back_to_inflow(tmp_path):
    path = tmp_path / "bc.csv"
    path.write_text("# test\nspecies,side,height[m],value,unit\nO3,all,0,40,ppb\nO3,all,1000,60,ppb\n"
                    "O3,south,0,80,ppb\nO3,top,0,70,ppb\n")
    sc, grid, table, rho = _setup({"source": "climatology", "file": str(path)})
    bc = BoundaryConditions(sc["boundary"], table, grid, "", START, END)
    (west, east), (south, north), top = bc.mixing_ratios(0.0, rho)
    mid = grid.layers.midpoints  # 50, 300, 1000, 2250 m
    expected = np.interp(mid, [0.0, 1000.0], [40.0, 60.0])
    np.testing.assert_allclose(_ppb(west[0], rho[:, :, 0], table[0]), np.broadcast_to(expected[:, None],
                                                                                      west[0].shape), rtol=1e-12)
    np.testing.assert_allclose(_ppb(north[0], rho[:, -1, :], table[0]), expected[:, None] + 0 * north[0],
                               rtol=1e-12)
    np.testing.assert_allclose(_ppb(south[0], rho[:, 0, :], table[0]), 80.0, rtol=1e-12)
    np.testing.assert_allclose(_ppb(top[0], rho[-1], table[0]), 70.0, rtol=1e-12)
    # the tracer is not in the table: its inflow value everywhere
    np.testing.assert_allclose(concentration_from_si(east[1] * rho[:, :, -1], "ug m-3", rho[:, :, -1]), 7.0,
                               rtol=1e-12)
    # scale 0: the zero-boundary sensitivity
    sc0, *_ = _setup({"source": "climatology", "file": str(path), "scale": 0.0})
    (w0, _), _, t0 = BoundaryConditions(sc0["boundary"], table, grid, "", START, END).mixing_ratios(0.0, rho)
    assert not w0.any() and not t0.any()


def test_profile_table_errors_name_file_and_line(tmp_path):
    path = tmp_path / "bc.csv"
    path.write_text("species,side,height[m],value,unit\nO3,up,0,40,ppb\n")
    with pytest.raises(InputError, match=r"line 2.*side 'up'"):
        read_profiles(path)
    path.write_text("species,side,height[m],value,unit\nO3,all,0,40,ppb\nO3,all,0,41,ppb\n")
    with pytest.raises(InputError, match="line 3: height given twice"):
        read_profiles(path)
    sc, grid, table, rho = _setup({"source": "climatology", "file": str(tmp_path / "none.csv")})
    with pytest.raises(InputError, match="is not a file"):
        BoundaryConditions(sc["boundary"], table, grid, "", START, END)


def test_embedded_summer_profiles_are_complete_and_south_is_dirtier():
    table = read_profiles(DEFAULT_PROFILES)
    for name in ("O3", "CO", "SO2", "NO2", "SULF", "NO3A", "NH4A", "SOA", "POA", "EC", "PM25_OTHER", "PMC"):
        assert any(k[0] == name for k in table), name
    pm = ("SULF", "NO3A", "NH4A", "SOA", "POA", "EC", "PM25_OTHER")
    south = sum(table[(p, "south")][1][0] for p in pm)
    north = sum(table[(p, "north")][1][0] for p in pm)
    assert south > 3 * north


def _cf_file(path, o3_first, o3_last, lon=(113.0, 119.0), units="ppb"):
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("time", 2)
        ds.createDimension("height", 3)
        ds.createDimension("lat", 9)
        ds.createDimension("lon", 13)
        t = ds.createVariable("time", "f8", ("time",))
        t.units = "hours since 2008-08-07 00:00:00"
        t[:] = [0.0, 48.0]
        z = ds.createVariable("height", "f8", ("height",))
        z.standard_name = "height"
        z[:] = [0.0, 1000.0, 5000.0]
        ds.createVariable("lat", "f8", ("lat",))[:] = np.linspace(37.0, 43.0, 9)
        ds.createVariable("lon", "f8", ("lon",))[:] = np.linspace(*lon, 13)
        v = ds.createVariable("ozone", "f4", ("time", "height", "lat", "lon"))
        v.units = units
        v[0] = o3_first
        v[1] = o3_last


def test_cf_boundary_reader_interpolates_in_time_and_checks_coverage(tmp_path):
    path = tmp_path / "bc.nc"
    _cf_file(path, 40.0, 64.0)
    sc, grid, table, rho = _setup({"source": "cf", "file": str(path), "variables": {"O3": "ozone"}})
    bc = BoundaryConditions(sc["boundary"], table, grid, "", START, END)
    # 2008-08-08 03:00 is 27 h after the first record of 48 h: 40 + 24 x 27/48 = 53.5 ppb
    (west, _), (south, _), top = bc.mixing_ratios(3 * 3600.0, rho)
    np.testing.assert_allclose(_ppb(west[0], rho[:, :, 0], table[0]), 53.5, rtol=1e-5)
    np.testing.assert_allclose(_ppb(top[0], rho[-1], table[0]), 53.5, rtol=1e-5)
    np.testing.assert_allclose(concentration_from_si(south[1] * rho[:, 0, :], "ug m-3", rho[:, 0, :]), 7.0)
    late = datetime(2008, 8, 9, 12, tzinfo=timezone.utc)
    with pytest.raises(InputError, match="do not cover the run"):
        BoundaryConditions(sc["boundary"], table, grid, "", START, late)
    for name, kwargs, message in (("narrow.nc", dict(lon=(114.8, 119.0)), "west side"),
                                  ("units.nc", dict(units="parsecs"), "variable ozone")):
        _cf_file(tmp_path / name, 40.0, 64.0, **kwargs)
        sc, grid, table, rho = _setup({"source": "cf", "file": str(tmp_path / name), "variables": {"O3": "ozone"}})
        with pytest.raises(InputError, match=message):
            BoundaryConditions(sc["boundary"], table, grid, "", START, END)


def test_include_controls_and_scale(tmp_path, scenarios):
    growth = tmp_path / "growth.toml"
    growth.write_text('[[controls]]\nname = "Beijing grows 30 %"\nregion = "Beijing"\nscale = 1.3\n')
    case = tmp_path / "case.toml"
    case.write_text(f'extends = "{scenarios / "emissions_2008.toml"}"\ninclude_controls = ["growth.toml"]\n')
    assert load(case)["controls"][0]["scale"] == 1.3
    rows = summarize(case, "2008-08-01/2008-08-02")
    for r in rows:
        if r["region"] == "Beijing" and r["sector"] == "all" and r["before_t_per_day"] > 0:
            assert r["after_t_per_day"] == pytest.approx(1.3 * r["before_t_per_day"], rel=1e-9), r["pollutant"]
    case.write_text(f'extends = "{scenarios / "emissions_2008.toml"}"\ninclude_controls = ["missing.toml"]\n')
    with pytest.raises(InputError, match="include_controls: file .*missing.toml.* not found"):
        load(case)
    growth.write_text('[[controls]]\nname = "x"\nscale = 1.3\nreduction = 0.2\n')
    case.write_text(f'extends = "{scenarios / "emissions_2008.toml"}"\ninclude_controls = ["growth.toml"]\n')
    with pytest.raises(InputError, match="give exactly one of reduction"):
        load(case)


def test_an_embedded_table_by_name_is_found_from_any_scenario_folder(tmp_path):
    """The ready scenarios name their parent table; a scenario that extends them from another folder (the zero-out
    scenarios of tools/source_regions.py) must find the same table, not a path relative to its own folder."""
    from airmodel.boundary import embedded_tables
    from airmodel.data import data_path

    assert {"summer_north_china", "summer_parent_north_china"} <= set(embedded_tables())
    sc, grid, table, rho = _setup({"source": "climatology", "file": "summer_parent_north_china"})
    by_name = BoundaryConditions(sc["boundary"], table, grid, str(tmp_path), START, END)
    sc2, *_ = _setup({"source": "climatology", "file": str(data_path("boundary", "summer_parent_north_china.csv"))})
    by_path = BoundaryConditions(sc2["boundary"], table, grid, str(tmp_path), START, END)
    for a, b in zip(by_name.mixing_ratios(0.0, rho), by_path.mixing_ratios(0.0, rho)):
        for x, y in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
            np.testing.assert_array_equal(x, y)
    # and the name differs from the default table's values somewhere (the test can tell the tables apart)
    sc3, *_ = _setup({"source": "climatology", "file": ""})
    default = BoundaryConditions(sc3["boundary"], table, grid, str(tmp_path), START, END).mixing_ratios(0.0, rho)
    assert any(not np.array_equal(x, y) for x, y in zip(default[0], by_name.mixing_ratios(0.0, rho)[0]))
