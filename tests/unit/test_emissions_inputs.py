"""Bad inventory input fails early with a message naming the file, line and column (or variable), and the value."""
import netCDF4
import numpy as np
import pytest

from airmodel.emissions.inventory import Inventory
from airmodel.errors import InputError
from airmodel.grid import VerticalLayers, lonlat_grid

HEADER = "id,name,sector,lon,lat,height[m],diameter[m],exit_velocity[m/s],exit_temperature[K],SO2[t/yr]"


def grid():
    return lonlat_grid(116.0, 117.0, 39.5, 40.5, 0.1, VerticalLayers.from_interfaces([0.0, 50.0, 200.0, 1000.0]))


def build(tmp_path, **files):
    section = {"year": 2008}
    for key, (name, text) in files.items():
        path = tmp_path / name
        if isinstance(text, str):
            path.write_text(text, encoding="utf-8")
        section[key] = [name] if key.endswith("_files") else name
    return Inventory(section, [], grid(), tmp_path)


def stacks(tmp_path, *rows, header=HEADER):
    return build(tmp_path, point_files=("stacks.csv", "\n".join([header, *rows]) + "\n"))


GOOD = "S1,plant,power,116.4,39.9,150,5,15,400,5000"


def test_a_good_stack_file_reads(tmp_path):
    inv = stacks(tmp_path, "# a comment line", GOOD)
    (c,) = inv.components
    assert c.source_id == "S1" and c.stack.height == 150 and c.amounts[0] == pytest.approx(5e6)


@pytest.mark.parametrize("header, row, message", [
    (HEADER.replace(",exit_velocity[m/s]", ""), "S1,plant,power,116.4,39.9,150,5,400,5000",
     r"stacks.csv: missing column 'exit_velocity'"),
    (HEADER, "S1,plant,power,116.4,39.9,150,5,15,400,-5",
     r"stacks.csv line 3, column 'SO2\[t/yr\]': -5 is negative"),
    (HEADER, "S1,plant,power,116.4,39.9,150,5,15,400,lots",
     r"stacks.csv line 3, column 'SO2\[t/yr\]': 'lots' is not a number"),
    (HEADER, "S1,plant,power,116.4,39.9,150,5,15,400,nan",
     r"stacks.csv line 3, column 'SO2\[t/yr\]': 'nan' is not a finite number"),
    (HEADER.replace("SO2[t/yr]", "SO2[t/week]"), GOOD, r"column 'SO2\[t/week\]': unknown unit 't/week'"),
    (HEADER.replace("SO2[t/yr]", "SO2"), GOOD, r"column 'SO2' has no unit; write it as SO2\[t/yr\]"),
    (HEADER.replace("SO2[t/yr]", "SO3[t/yr]"), GOOD, r"column 'SO3\[t/yr\]' is neither one of .* nor a pollutant"),
    (HEADER, "S1,plant,steel,116.4,39.9,150,5,15,400,5000",
     r"stacks.csv line 3, column 'sector': unknown sector 'steel'; choose one of: power, industry"),
    (HEADER, "S1,plant,power,116.4,39.9,150,0,15,400,5000",
     r"stacks.csv line 3, column 'diameter\[m\]': 0 is out of range; it must be greater than 0"),
    (HEADER, "S1,plant,power,116.4,39.9,150,5,15,400",
     r"stacks.csv line 3: 9 fields, but the header \(line 1\) has 10"),
])
def test_stack_file_errors(tmp_path, header, row, message):
    with pytest.raises(InputError, match=message):
        stacks(tmp_path, "# stacks", row, header=header)


def test_duplicate_ids_name_both_lines(tmp_path):
    with pytest.raises(InputError, match=r"stacks.csv line 3, column 'id': duplicate id 'S1' \(first on line 2\)"):
        stacks(tmp_path, GOOD, GOOD.replace("plant", "other"))


def test_duplicate_ids_across_files(tmp_path):
    (tmp_path / "totals.csv").write_text("id,region,sector,proxy,SO2[t/yr]\nS1,Beijing,industry,area,10\n")
    (tmp_path / "stacks.csv").write_text(HEADER + "\n" + GOOD + "\n")
    with pytest.raises(InputError, match=r"totals.csv line 2, column 'id': duplicate id 'S1' \(also in .*stacks.csv "
                                         r"line 2\)"):
        Inventory({"point_files": ["stacks.csv"], "region_totals_files": ["totals.csv"]}, [], grid(), tmp_path)


def test_out_of_domain_stack_is_a_warning_or_an_error(tmp_path, caplog):
    outside = "S9,far,power,118.0,39.9,150,5,15,400,5000"
    inv = stacks(tmp_path, GOOD, outside)
    assert [(c.source_id, share) for c, share in inv.outside] == [("S9", 1.0)]
    assert "S9 (100 %)" in caplog.text and "SO2 50.0 %" in caplog.text
    (tmp_path / "s.csv").write_text(HEADER + "\n" + outside + "\n")
    with pytest.raises(InputError, match=r"s.csv line 2: stack 'S9' at 118 E, 39.9 N lies outside the model domain"):
        Inventory({"point_files": ["s.csv"], "out_of_domain": "error"}, [], grid(), tmp_path)


@pytest.mark.parametrize("row, message", [
    ("A1,Atlantis,industry,area,10", r"totals.csv line 2, column 'region': unknown region 'Atlantis'"),
    ("A1,Beijing,industry,nightlights,10", r"totals.csv line 2, column 'proxy': unknown proxy 'nightlights'; "
                                           r"choose one of: population, urban, area"),
    ("A1,Beijing,industry,area,inf", r"totals.csv line 2, column 'SO2\[t/yr\]': 'inf' is not a finite number"),
    ("A1,Hengshui,industry,urban,10", None),
])
def test_region_total_errors(tmp_path, row, message):
    text = "id,region,sector,proxy,SO2[t/yr]\n" + row + "\n"
    if message is None:  # Hengshui's centre lies outside this small domain but the row itself is fine
        inv = build(tmp_path, region_totals_files=("totals.csv", text))
        assert inv.outside[0][1] == pytest.approx(1.0)
        return
    with pytest.raises(InputError, match=message):
        build(tmp_path, region_totals_files=("totals.csv", text))


def write_nc(path, lon, lat, values, units="kg m-2 s-1", dims=("lat", "lon"), name="SO2_industry"):
    with netCDF4.Dataset(path, "w") as ds:
        if np.ndim(lon) == 1:
            ds.createDimension("lon", len(lon))
            ds.createDimension("lat", len(lat))
            ds.createVariable("lon", "f8", ("lon",))[:] = lon
            ds.createVariable("lat", "f8", ("lat",))[:] = lat
        else:
            ds.createDimension("y", lon.shape[0])
            ds.createDimension("x", lon.shape[1])
            ds.createVariable("lon", "f8", ("y", "x"))[:] = lon
            ds.createVariable("lat", "f8", ("y", "x"))[:] = lat
        v = ds.createVariable(name, "f8", dims)
        v.units = units
        v[:] = values


LON = np.arange(115.55, 117.5, 0.1)
LAT = np.arange(39.05, 41.0, 0.1)


@pytest.mark.parametrize("kind, message", [
    ("curvilinear", r"grid.nc: variable 'lon': the longitude coordinate must be 1-D"),
    ("irregular", r"grid.nc: coordinate 'lon' is not evenly spaced"),
    ("small", r"grid.nc: the grid \(.*\) does not cover the model domain \(116..117 E, 39.5..40.5 N\)"),
    ("units", r"grid.nc: variable 'SO2_industry': unknown units 'kg/day'"),
    ("negative", r"grid.nc: variable 'SO2_industry': negative value -1.0 at lat 39.05, lon 115.55"),
    ("months", r"grid.nc: variable 'SO2_industry': the first dimension 'month' of length 4 is not 12 months"),
    ("sector", r"grid.nc: variable 'SO2_shipping': unknown sector 'shipping'"),
])
def test_netcdf_on_an_unexpected_grid(tmp_path, kind, message):
    path = tmp_path / "grid.nc"
    values = np.full((LAT.size, LON.size), 1e-10)
    if kind == "curvilinear":
        lon2, lat2 = np.meshgrid(LON, LAT)
        write_nc(path, lon2, lat2, values, dims=("y", "x"))
    elif kind == "irregular":
        lon = LON.copy()
        lon[5] += 0.03
        write_nc(path, lon, LAT, values)
    elif kind == "small":
        write_nc(path, LON[:8], LAT, values[:, :8])
    elif kind == "units":
        write_nc(path, LON, LAT, values, units="kg/day")
    elif kind == "negative":
        values[0, 0] = -1.0
        write_nc(path, LON, LAT, values)
    elif kind == "months":
        with netCDF4.Dataset(path, "w") as ds:
            ds.createDimension("lon", LON.size)
            ds.createDimension("lat", LAT.size)
            ds.createDimension("month", 4)
            ds.createVariable("lon", "f8", ("lon",))[:] = LON
            ds.createVariable("lat", "f8", ("lat",))[:] = LAT
            v = ds.createVariable("SO2_industry", "f8", ("month", "lat", "lon"))
            v.units = "kg m-2 s-1"
            v[:] = 1e-10
    elif kind == "sector":
        write_nc(path, LON, LAT, values, name="SO2_shipping")
    with pytest.raises(InputError, match=message):
        build(tmp_path, gridded_files=("grid.nc", None))


def test_meic_style_monthly_amounts_and_descending_latitude(tmp_path):
    """Amounts per cell and month (Mg/month/cell) with latitudes from north to south: mass kept exactly."""
    path = tmp_path / "meic.nc"
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("longitude", LON.size)
        ds.createDimension("latitude", LAT.size)
        ds.createDimension("month", 12)
        ds.createVariable("longitude", "f8", ("longitude",))[:] = LON
        ds.createVariable("latitude", "f8", ("latitude",))[:] = LAT[::-1]
        v = ds.createVariable("emission", "f8", ("month", "latitude", "longitude"))
        v.units = "Mg/month/cell"
        v.pollutant, v.sector = "NOX", "transport"
        v[:] = np.arange(12)[:, None, None] + 1.0
    inv = build(tmp_path, gridded_files=("meic.nc", None))
    assert [c.month for c in inv.components] == list(range(1, 13))
    for m, c in enumerate(inv.components):
        assert c.amounts[1] == pytest.approx((m + 1) * 1e3 * LON.size * LAT.size, rel=1e-12)
        assert c.weight.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("links, message", [
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"road_type": "ring", '
     '"volume": 5, "fleet": "mix"}, "geometry": {"type": "LineString", "coordinates": [[116.1, 39.6], '
     '[116.2, 39.7]]}}]}', r"roads.geojson feature 0: missing property 'id'"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "R1", "road_type": '
     '"ring", "volume": -5, "fleet": "mix"}, "geometry": {"type": "LineString", "coordinates": [[116.1, 39.6], '
     '[116.2, 39.7]]}}]}', r"roads.geojson feature 0 \(id 'R1'\): property volume: -5 is negative"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "R1", "road_type": '
     '"ring", "volume": 5, "fleet": "nomix"}, "geometry": {"type": "Point", "coordinates": [116.1, 39.6]}}]}',
     r"property fleet: unknown fleet 'nomix'"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "R1", "road_type": '
     '"ring", "volume_bike": 5}, "geometry": {"type": "LineString", "coordinates": [[116.1, 39.6], [116.2, 39.7]]'
     '}}]}', r"property volume_bike: unknown vehicle class 'bike'; the emission-factor table has: car"),
    ('{"type": "FeatureCollection", "features": [', r"roads.geojson line 1, column \d+: not valid JSON"),
])
def test_road_link_errors(tmp_path, links, message):
    files = dict(road_files=("roads.geojson", links), emission_factors=("ef.csv", "vehicle_class,NOx[g/km]\ncar,0.4\n"),
                 fleets=("fleets.csv", "fleet,vehicle_class,share\nmix,car,1\n"))
    with pytest.raises(InputError, match=message):
        build(tmp_path, **files)


def test_fleet_shares_must_add_up(tmp_path):
    with pytest.raises(InputError, match=r"fleets.csv line 2: the shares of fleet 'mix' add up to 0.9, not 1"):
        build(tmp_path, emission_factors=("ef.csv", "vehicle_class,NOx[g/km]\ncar,0.4\nbus,9\n"),
              fleets=("fleets.csv", "fleet,vehicle_class,share\nmix,car,0.5\nmix,bus,0.4\n"))


def test_emission_factor_units(tmp_path):
    with pytest.raises(InputError, match=r"ef.csv: column 'NOx\[g/mile\]': unknown unit 'g/mile'; choose one of"):
        build(tmp_path, emission_factors=("ef.csv", "vehicle_class,NOx[g/mile]\ncar,0.4\n"))


def test_roads_as_csv_with_wkt(tmp_path):
    inv = build(tmp_path, road_files=("roads.csv", "id,road_type,volume[veh/d],fleet,geometry\n"
                                      "R1,ring,1000,mix,\"LINESTRING (116.15 39.6, 116.45 39.6)\"\n"),
                emission_factors=("ef.csv", "vehicle_class,NOx[g/km]\ncar,0.4\n"),
                fleets=("fleets.csv", "fleet,vehicle_class,share\nmix,car,1\n"))
    (c,) = inv.components
    km = 0.3 * 6371.0 * np.pi / 180 * np.cos(np.deg2rad(39.6))
    assert c.extra["length_km"] == pytest.approx(km, rel=1e-9)
    assert c.amounts[1] == pytest.approx(1000 * km * 366 * 0.4e-3, rel=1e-9)
    assert np.sort(c.weight) == pytest.approx([1 / 6, 1 / 6, 1 / 3, 1 / 3], rel=1e-9)  # half, whole, whole, half


def test_temporal_profile_errors(tmp_path):
    text = "profile,kind,index,weight\npower,hour,0,1\npower,hour,0,2\n"
    with pytest.raises(InputError, match=r"p.csv line 3, column 'index': hour 0 of profile 'power' is given twice "
                                         r"\(first on line 2\)"):
        build(tmp_path, temporal_profiles=("p.csv", text))
    text = "profile,kind,index,weight\npower,month,13,1\n"
    with pytest.raises(InputError, match=r"p.csv line 2, column 'index': '13' is not a month index \(1..12\)"):
        build(tmp_path, temporal_profiles=("p.csv", text))
    text = "profile,kind,index,weight\npower,weekday,1,1\n"
    with pytest.raises(InputError, match=r"p.csv: profile 'power' gives 1 of the 7 weekday weights; missing "
                                         r"weekday 2, 3, 4, 5, 6, 7"):
        build(tmp_path, temporal_profiles=("p.csv", text))
