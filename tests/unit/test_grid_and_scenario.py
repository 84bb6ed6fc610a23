"""Grids (cell areas on the sphere, face geometry) and scenario validation."""
import numpy as np
import pytest

from airmodel.errors import InputError
from airmodel.grid import EARTH_RADIUS, VerticalLayers, lonlat_grid, projected_grid
from airmodel.scenario import apply_overrides, dump_toml, load, read_toml, validate


def layers():
    return VerticalLayers.from_interfaces([0.0, 50.0, 150.0])


def test_lonlat_cell_areas_sum_to_the_spherical_zone():
    """Sum of cell areas = R^2 (lon2 - lon1) (sin lat2 - sin lat1), the exact area of the box on the sphere."""
    g = lonlat_grid(113.5, 119.5, 37.0, 42.5, 0.1, layers())
    assert (g.ny, g.nx) == (55, 60)
    exact = EARTH_RADIUS**2 * np.deg2rad(6.0) * (np.sin(np.deg2rad(42.5)) - np.sin(np.deg2rad(37.0)))
    assert abs(g.cell_area.sum() / exact - 1) < 1e-12
    # a cell is close to the plane estimate dx * dy at its centre latitude
    plane = (EARTH_RADIUS * np.deg2rad(0.1)) ** 2 * np.cos(np.deg2rad(g.y))
    assert np.allclose(g.cell_area[:, 0], plane, rtol=1e-5)
    # the y faces shrink northward as cos(latitude); x faces are meridian arcs of constant length
    assert np.allclose(g.y_face_length[:, 0], EARTH_RADIUS * np.deg2rad(0.1) * np.cos(np.deg2rad(g.y_bounds)))
    assert np.all(g.x_face_length == EARTH_RADIUS * np.deg2rad(0.1))


def test_lonlat_box_must_hold_whole_cells():
    with pytest.raises(InputError, match="not a whole number of 0.25 degree cells"):
        lonlat_grid(113.5, 119.6, 37.0, 42.5, 0.25, layers())


def test_projected_grid_geometry_and_locate():
    g = projected_grid(200, 120, 500.0, 500.0, VerticalLayers.from_interfaces(50.0 * np.arange(41)))
    assert g.x[20] == 10250.0 and g.y[60] == 30250.0
    assert g.locate(10250.0, 30250.0, 225.0, "here") == (4, 60, 20)
    assert g.cell_volume.shape == (40, 120, 200) and g.cell_volume[0, 0, 0] == 500.0 * 500.0 * 50.0
    with pytest.raises(InputError, match="here: position"):
        g.locate(-1.0, 0.0, 0.0, "here")


def test_layers_must_start_at_ground_and_increase():
    with pytest.raises(InputError, match="first interface must be the ground"):
        VerticalLayers.from_interfaces([10.0, 20.0])
    with pytest.raises(InputError, match="interface 2 \\(40.0 m\\) is not above interface 1"):
        VerticalLayers.from_interfaces([0.0, 50.0, 40.0])


MINIMAL = {
    "run": {"start": "2008-08-01T00:00:00Z", "hours": 2, "time_step": 600.0},
    "domain": {"layer_thickness": 100.0, "layers": 3},
    "species": {"tracer": {"units": "ug m-3"}},
}


def test_defaults_are_the_greater_beijing_domain():
    sc = validate(MINIMAL)
    d = sc["domain"]
    assert (d["grid"], d["lon_min"], d["lon_max"], d["lat_min"], d["lat_max"], d["resolution"]) == \
        ("lonlat", 113.5, 119.5, 37.0, 42.5, 0.1)
    assert sc.n_steps == 12 and sc.end.hour == 2


def test_overrides_and_round_trip_through_toml(tmp_path):
    data = apply_overrides(MINIMAL, ["run.hours=3", "transport.advection=walcek", "meteorology.u=2"])
    sc = validate(data)
    assert sc.n_steps == 18 and sc["transport"]["advection"] == "walcek" and sc["meteorology"]["u"] == 2
    path = tmp_path / "resolved.toml"
    path.write_text(sc.to_toml())
    again = validate(read_toml(path))
    assert again.data == sc.data


def test_extends_merges_and_detects_loops(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text(dump_toml(MINIMAL))
    child = tmp_path / "child.toml"
    child.write_text('extends = "base.toml"\n[run]\nhours = 4\n')
    assert load(child).n_steps == 24
    base.write_text('extends = "child.toml"\n')
    with pytest.raises(InputError, match="makes a loop"):
        load(child)


@pytest.mark.parametrize("change, message", [
    ({"run": {"time_step": 0}}, "run.time_step: 0 is out of range; it must be greater than 0"),
    ({"run": {"steps": 3}}, "give exactly one of end, hours or steps (got hours, steps)"),
    ({"run": {"start": "yesterday"}}, "run.start: 'yesterday' is not an ISO 8601 time"),
    ({"domain": {"grid": "polar"}}, "domain.grid: unknown value 'polar'; choose one of: lonlat, projected"),
    ({"domain": {"grid": "projected"}}, "a projected grid needs nx, ny, dx, dy"),
    ({"species": {"tracer": {"inflow": -1.0}}}, "species.tracer.inflow: -1.0 is out of range"),
    ({"species": {"tracer": {"initial": {"shape": "cube"}}}}, "unknown shape 'cube'; choose one of: cone"),
    ({"output": {"levels": "top"}}, "output.levels: unknown value 'top'; choose one of: surface, all"),
    ({"chemestry": {}}, "unknown section or key 'chemestry'"),
])
def test_validation_messages(change, message):
    data = {k: dict(v) for k, v in MINIMAL.items()}
    for section, values in change.items():
        data[section] = {**data.get(section, {}), **values}
    with pytest.raises(InputError) as err:
        validate(data, "s.toml")
    assert message in str(err.value)
    assert str(err.value).startswith("s.toml")
