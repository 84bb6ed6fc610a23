"""Control measures: validation with clear messages, selection, where/when, and the documented composition."""
from datetime import datetime, timezone

import pytest

from airmodel.emissions.inventory import Inventory
from airmodel.emissions.quantities import POLLUTANTS
from airmodel.emissions.settings import CONTROL_KEYS, validate_control
from airmodel.errors import InputError
from airmodel.grid import VerticalLayers, lonlat_grid

UTC = timezone.utc
SO2, NOX = POLLUTANTS.index("SO2"), POLLUTANTS.index("NOx")


@pytest.mark.parametrize("entry, message", [
    ({"reduction": 0.3, "sector": "power"}, r"controls\[0\]: unknown key 'sector'; valid keys: name, sectors"),
    ({"reduction": 0.3, "sectors": ["steel"]}, r"controls\[0\].sectors\[0\]: unknown sector 'steel'; choose one "
                                               r"of: power, industry"),
    ({"reduction": 0.3, "pollutants": ["SO3"]}, r"controls\[0\].pollutants\[0\]: unknown pollutant 'SO3'"),
    ({"sectors": "power"}, r"controls\[0\]: give exactly one of reduction .* or emission_factor"),
    ({"reduction": 0.3, "emission_factor": {"NOx": 1.0}, "vehicle_classes": ["car"]}, r"give exactly one of"),
    ({"reduction": 1.3}, r"controls\[0\].reduction: 1.3 is out of range; it must be a fraction 0..1"),
    ({"reduction": -0.1}, r"controls\[0\].reduction: -0.1 is out of range; it must be at least 0"),
    ({"reduction": "half"}, r"controls\[0\].reduction: expected a number, got 'half'"),
    ({"reduction": 0.3, "box": [117, 39, 116, 40]}, r"controls\[0\].box: expected \[lon_min, lat_min, lon_max, "
                                                    r"lat_max\] with min < max"),
    ({"reduction": 0.3, "region": "Beijing", "box": [116, 39, 117, 40]}, r"give at most one of region, box or "
                                                                         r"polygon \(got region, box\)"),
    ({"reduction": 0.3, "polygon": [[116, 39], [117, 40]]}, r"controls\[0\].polygon: expected at least three"),
    ({"emission_factor": {"NOx": 1.0}}, r"emission_factor needs vehicle_classes"),
    ({"emission_factor": {"NOx": -1.0}, "vehicle_classes": ["car"]}, r"emission_factor.NOx: -1.0 is not a "
                                                                      r"non-negative number"),
    ({"reduction": 0.3, "start": "20 July"}, r"controls\[0\].start: '20 July' is not an ISO 8601 date"),
    ({"reduction": 0.3, "start": "2008-09-21", "end": "2008-07-20"}, r"end '2008-07-20' is not after start"),
    ({"reduction": 0.3, "emission_factor_units": "g/mile"}, r"emission_factor_units: unknown value 'g/mile'; "
                                                            r"choose one of: g/km, mg/km, kg/km"),
])
def test_validation_names_key_and_choices(entry, message):
    with pytest.raises(InputError, match=message):
        validate_control(entry, "controls[0]")


def test_validation_fills_defaults_and_lists():
    out = validate_control({"reduction": 0.3, "sectors": "power", "pollutants": ["nox", "PM25"]})
    assert out["sectors"] == ["power"] and out["pollutants"] == ["NOx", "PM2.5"]
    assert set(out) == set(CONTROL_KEYS)
    assert validate_control(out) == out  # validated entries validate again (the resolved scenario)


def grid():
    return lonlat_grid(116.0, 117.0, 39.5, 40.5, 0.1, VerticalLayers.from_interfaces([0.0, 50.0, 200.0, 1000.0]))


@pytest.fixture()
def files(tmp_path):
    (tmp_path / "stacks.csv").write_text(
        "id,name,sector,lon,lat,height[m],diameter[m],exit_velocity[m/s],exit_temperature[K],SO2[t/yr],NOx[t/yr]\n"
        "S1,plant,power,116.42,39.93,150,5,15,400,1000,2000\n"
        "S2,mill,industry,116.16,39.91,80,3,10,420,500,100\n")
    (tmp_path / "totals.csv").write_text("id,region,sector,proxy,SO2[t/yr],NOx[t/yr]\n"
                                         "A1,Dongcheng,residential,area,100,10\n")
    (tmp_path / "ef.csv").write_text("vehicle_class,NOx[g/km],CO[g/km]\ncar,0.4,3\ntruck,6,4\n")
    (tmp_path / "fleets.csv").write_text("fleet,vehicle_class,share\nmix,car,0.8\nmix,truck,0.2\n")
    (tmp_path / "roads.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "R1", "road_type": '
        '"ring", "volume": 10000, "fleet": "mix"}, "geometry": {"type": "LineString", "coordinates": '
        '[[116.05, 39.95], [116.95, 39.95]]}}]}')
    return tmp_path


def inventory(files, controls):
    section = {"point_files": ["stacks.csv"], "region_totals_files": ["totals.csv"], "road_files": ["roads.geojson"],
               "emission_factors": "ef.csv", "fleets": "fleets.csv", "year": 2008}
    return Inventory(section, controls, grid(), files)


def total(inv, source_id, active, pollutant, vehicle_class=None):
    out = 0.0
    for n, c in enumerate(inv.components):
        if c.source_id == source_id and (vehicle_class is None or c.vehicle_class == vehicle_class):
            out += inv.controlled_amounts(n, active)[pollutant].sum()
    return out


def test_reductions_compose_multiplicatively(files):
    inv = inventory(files, [{"sectors": ["power"], "reduction": 0.3}, {"source_ids": ["S1"], "reduction": 0.3}])
    both = frozenset({0, 1})
    assert total(inv, "S1", both, SO2) == pytest.approx(0.49 * 1e6, rel=1e-12)  # two 30 % cuts leave 49 %
    assert total(inv, "S1", frozenset({1, 0}), SO2) == total(inv, "S1", both, SO2)
    assert total(inv, "S2", both, SO2) == pytest.approx(5e5)  # industry: untouched


def test_where_points_exactly_and_region_rows_by_their_region(files):
    controls = [{"region": "Shijingshan", "reduction": 0.5},  # holds S2 (Shougang's site), not S1
                {"region": "Beijing", "sectors": ["residential"], "reduction": 0.2},  # A1 lies in Beijing
                {"box": [116.0, 39.5, 116.5, 40.5], "vehicle_classes": ["truck"], "reduction": 1.0}]
    inv = inventory(files, controls)
    assert total(inv, "S2", frozenset({0}), SO2) == pytest.approx(2.5e5)
    assert total(inv, "S1", frozenset({0}), SO2) == pytest.approx(1e6)
    assert total(inv, "A1", frozenset({1}), SO2) == pytest.approx(0.8 * 1e5, rel=1e-12)
    # trucks off the western half of the road (116.05..116.5 of 116.05..116.95): half the truck-km
    full = total(inv, "R1", frozenset(), NOX, "truck")
    assert total(inv, "R1", frozenset({2}), NOX, "truck") == pytest.approx(full * 0.45 / 0.9, rel=1e-9)
    assert total(inv, "R1", frozenset({2}), NOX, "car") == total(inv, "R1", frozenset(), NOX, "car")


def test_new_emission_factor_then_reduction(files):
    controls = [{"vehicle_classes": ["truck"], "emission_factor": {"NOx": 2.0}},
                {"vehicle_classes": ["truck"], "reduction": 0.5}]
    inv = inventory(files, controls)
    before = total(inv, "R1", frozenset(), NOX, "truck")
    assert total(inv, "R1", frozenset({0}), NOX, "truck") == pytest.approx(before * 2.0 / 6.0, rel=1e-12)
    assert total(inv, "R1", frozenset({0, 1}), NOX, "truck") == pytest.approx(before / 6.0, rel=1e-12)
    co = POLLUTANTS.index("CO")
    assert total(inv, "R1", frozenset({0}), co, "truck") == total(inv, "R1", frozenset(), co, "truck")


def test_windows_are_local_time_and_end_exclusive(files):
    inv = inventory(files, [{"reduction": 0.5, "start": "2008-07-20", "end": "2008-09-21"}])
    (c,) = inv.controls
    assert c.start == datetime(2008, 7, 19, 16, tzinfo=UTC) and c.end == datetime(2008, 9, 20, 16, tzinfo=UTC)
    assert not c.active(datetime(2008, 7, 19, 15, 59, tzinfo=UTC)) and c.active(datetime(2008, 7, 19, 16, tzinfo=UTC))
    assert not c.active(c.end)
    states = inv.states(datetime(2008, 7, 1, tzinfo=UTC), datetime(2008, 10, 1, tzinfo=UTC))
    assert [s for _, _, s in states] == [frozenset(), frozenset({0}), frozenset()]


@pytest.mark.parametrize("entry, message", [
    ({"source_ids": ["S7"], "reduction": 0.1}, r"controls\[0\].source_ids: 'S7' is not a source of the inventory; "
                                              r"its ids: A1, R1, S1, S2"),
    ({"vehicle_classes": ["bike"], "reduction": 0.1}, r"controls\[0\].vehicle_classes: unknown vehicle class "
                                                     r"'bike'; choose one of: car, truck"),
    ({"road_types": ["lane"], "reduction": 0.1}, r"controls\[0\].road_types: unknown road type 'lane'; the "
                                                r"inventory has: ring"),
    ({"region": "Gotham", "reduction": 0.1}, r"controls\[0\].region: unknown region 'Gotham'"),
])
def test_checked_against_the_inventory(files, entry, message):
    with pytest.raises(InputError, match=message):
        inventory(files, [entry])
