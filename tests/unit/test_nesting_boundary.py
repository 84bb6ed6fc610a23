"""The inner domain's boundary from its parent (airmodel.boundary.NestedBoundary) and the scenario side of nesting.

- in space: a field linear in x and y on the parent's cells gives, at every ghost cell of the child, the field's
  value at the ghost cell's centre (bilinear interpolation is exact for it), layer by layer, for every species;
- in time: linear between the two recorded parent states, and the first state alone before a second is recorded;
- a scenario without [parent] is unchanged (no "parent" in its data, one domain); with one, the estimate of memory
  and time counts the parent.
"""
import numpy as np
import pytest

from airmodel.boundary import NestedBoundary
from airmodel.grid import VerticalLayers, lonlat_grid, projected_grid
from airmodel.nesting import Nest, parent_scenario
from airmodel.scenario import Scenario, estimate_resources, load

LAYERS = VerticalLayers.from_interfaces([0.0, 100.0, 400.0])


def linear(grid, a, b, c):
    """[2 species, nz, ny, nx]: species 0 = a + b x + c y (x, y cell centres), species 1 = twice that, layer k
    adds k."""
    x, y = np.meshgrid(grid.x, grid.y, indexing="xy")
    base = a + b * x + c * y
    one = np.stack([base + k for k in range(grid.nz)])
    return np.stack([one, 2 * one])


def test_ghost_values_are_exact_for_a_linear_field_and_linear_in_time():
    parent = projected_grid(12, 10, 10000.0, 10000.0, LAYERS)
    child = projected_grid(15, 12, 4000.0, 4000.0, LAYERS, x0=25000.0, y0=21000.0)  # 2.5:1, not aligned
    nb = NestedBoundary(parent, child)
    q0, q1 = linear(parent, 1.0, 1e-5, 2e-5), linear(parent, 3.0, -1e-5, 4e-5)
    top0, top1 = q0[:, -1] * 0 + 5.0, q0[:, -1] * 0 + 7.0
    nb.record(0.0, q0, top0)
    # before a second state: the first, at any time
    (w, _), _, top = nb.mixing_ratios(0.0, None)
    np.testing.assert_allclose(top, 5.0, rtol=1e-14)
    np.testing.assert_allclose(w[0, 0], 1.0 + 1e-5 * (child.x_bounds[0] - 2000.0) + 2e-5 * child.y, rtol=1e-13)
    nb.record(600.0, q1, top1)
    assert nb.latest == 600.0
    (w, e), (s, n), top = nb.mixing_ratios(150.0, None)
    xw, xe = child.x_bounds[0] - 2000.0, child.x_bounds[-1] + 2000.0
    ys, yn = child.y_bounds[0] - 2000.0, child.y_bounds[-1] + 2000.0

    def expected(x, y):
        f0 = 1.0 + 1e-5 * x + 2e-5 * y
        f1 = 3.0 - 1e-5 * x + 4e-5 * y
        v = 0.75 * f0 + 0.25 * f1  # a quarter of the way from the first state to the second
        layers = np.stack([v + k for k in range(LAYERS.nz)])
        return np.stack([layers, 2 * layers])

    np.testing.assert_allclose(w, expected(xw, child.y), rtol=1e-13)
    np.testing.assert_allclose(e, expected(xe, child.y), rtol=1e-13)
    np.testing.assert_allclose(s, expected(child.x, ys), rtol=1e-13)
    np.testing.assert_allclose(n, expected(child.x, yn), rtol=1e-13)
    np.testing.assert_allclose(top, np.full((2, child.ny, child.nx), 5.5), rtol=1e-14)
    assert w.shape == (2, LAYERS.nz, child.ny) and s.shape == (2, LAYERS.nz, child.nx)
    with pytest.raises(RuntimeError):
        nb.mixing_ratios(700.0, None)  # a child step outside the parent step is a programming error


def test_lonlat_uniform_field_stays_uniform_to_round_off():
    parent = lonlat_grid(113.0, 120.0, 37.0, 43.0, 0.25, LAYERS)
    child = lonlat_grid(115.5, 117.5, 39.0, 41.0, 0.1, LAYERS)
    nb = NestedBoundary(parent, child)
    q = np.full((1, LAYERS.nz, parent.ny, parent.nx), 1e-6)
    nb.record(0.0, q, q[:, 0])
    nb.record(900.0, q, q[:, 0])
    for side in [v for pair in nb.mixing_ratios(450.0, None)[:2] for v in pair] + [nb.mixing_ratios(450.0, None)[2]]:
        assert np.abs(side / 1e-6 - 1).max() <= 1e-15


def test_scenarios_without_a_parent_are_unchanged_and_the_estimate_counts_the_parent():
    demo = load("demo")
    assert "parent" not in demo.data and "[parent]" not in demo.to_toml()
    base = load("baseline_2008_08")
    assert base["parent"]["name"] == "d01"
    parent = parent_scenario(base)
    assert "parent" not in parent.data and parent["domain"]["resolution"] == 0.25
    assert parent.n_steps == base.n_steps and parent.time_step == base.time_step
    single = Scenario(data={k: v for k, v in base.data.items() if k != "parent"}, source="single", start=base.start,
                      n_steps=base.n_steps, time_step=base.time_step, folder=base.folder)
    nested, alone = estimate_resources(base), estimate_resources(single)
    assert nested.parent == ((10, 48, 68), base.n_steps)
    # the parent's 68 x 48 columns against the inner domain's 60 x 55: memory and time grow by that share
    share = (68 * 48) / (60 * 55)
    assert nested.seconds == pytest.approx(alone.seconds * (1 + share), rel=1e-12)
    assert "parent of 68 x 48 x 10 cells" in nested.text()


def test_a_run_without_a_parent_has_one_domain():
    raw = {"run": {"start": "2008-08-01T00:00:00Z", "hours": 1, "time_step": 600.0},
           "domain": {"grid": "projected", "nx": 4, "ny": 3, "dx": 1000.0, "dy": 1000.0, "layers": 2,
                      "layer_thickness": 100.0},
           "meteorology": {"source": "idealized"}, "species": {"t": {"units": "kg kg-1"}},
           "output": {"stations": "none"}}
    nest = Nest(load(raw))
    assert len(nest.domains) == 1 and not nest.nested and nest.boundary is None
    assert nest.domains[0].name == "domain"


@pytest.mark.parametrize("name", ["baseline_2008_08", "olympic_2008", "olympic_beijing_only", "projection_2020_08",
                                  "projections/current_legislation_2018_08"])
def test_the_ready_august_scenarios_run_the_regional_parent(name):
    sc = load(name)
    p = sc["parent"]
    assert (p["lon_min"], p["lon_max"], p["lat_min"], p["lat_max"], p["resolution"]) == (108.0, 125.0, 32.0, 44.0,
                                                                                        0.25)
    assert sc["domain"]["resolution"] == 0.1 and sc["boundary"]["source"] == "climatology"


def test_the_demo_stays_a_single_domain():
    assert "parent" not in load("demo").data and "parent" not in load("demo_tracer").data
