"""A nested run's files (airmodel/nesting.py, docs/nesting.md): one output per domain, restart, refusals.

- ``-o OUT.nc`` writes the inner domain to OUT.nc and the parent to OUT.d01.nc, each naming its domain and parent;
  an existing parent output is refused without --force (exit 2, nothing written);
- a run of 2 h equals, bit for bit in both domains, a run of 1 h continued by ``--restart`` from its checkpoint
  (every domain's state is in its own checkpoint folder, OUT.nc.checkpoints and OUT.nc.checkpoints.d01);
- the budget of each domain closes, and the progress line names both domains.
"""
import copy
import logging

import netCDF4

from airmodel.cli import main
from airmodel.driver import domain_output
from airmodel.scenario import dump_toml
from tests.regression.test_restart import assert_identical, straight_and_restarted

#: A projected parent of 10 km cells with a 5 km child (2:1), a tracer released in the parent upwind of the child
#: and one inside the child; hourly checkpoints.
NESTED = {
    "run": {"start": "2008-08-01T00:00:00Z", "hours": 2, "time_step": 300.0, "progress": False},
    "domain": {"grid": "projected", "nx": 20, "ny": 20, "dx": 5000.0, "dy": 5000.0, "x0": 100000.0, "y0": 50000.0,
               "layer_interfaces": [0.0, 200.0, 600.0, 1500.0]},
    "parent": {"grid": "projected", "nx": 30, "ny": 20, "dx": 10000.0, "dy": 10000.0, "time_step_ratio": 2},
    "meteorology": {"source": "idealized", "flow": "uniform", "u": 8.0, "v": 1.0, "kx": 200.0, "ky": 200.0,
                    "kz": 10.0},
    "species": {"tracer": {"units": "ug m-3", "dry_deposition_velocity": 0.002}},
    "emissions": {"point": [
        {"species": "tracer", "x": 55000.0, "y": 95000.0, "z": 100.0, "rate": 100.0, "rate_units": "g s-1"},
        {"species": "tracer", "x": 150000.0, "y": 100000.0, "z": 100.0, "rate": 10.0, "rate_units": "g s-1"}]},
    "output": {"stations": "none", "levels": "all", "precision": "double", "checkpoint_interval_hours": 1},
}


def scenario(hours: int) -> dict:
    raw = copy.deepcopy(NESTED)
    raw["run"]["hours"] = hours
    return raw


def test_one_file_per_domain_and_restart_identity(tmp_path):
    # 2 h straight, and 1 h then --restart from the inner domain's checkpoint (the parent's read from beside it)
    straight, resumed = straight_and_restarted(NESTED, tmp_path, [], 1, "checkpoint_20080801T010000.nc")
    assert (tmp_path / "first.nc.checkpoints.d01" / "checkpoint_20080801T010000.nc").is_file()
    for path in (straight, resumed):
        with netCDF4.Dataset(path) as inner, netCDF4.Dataset(domain_output(path, "d01")) as parent:
            assert (inner.domain_name, inner.parent_domain) == ("domain", "d01")
            assert (parent.domain_name, parent.parent_domain) == ("d01", "none")
            assert (len(inner.dimensions["x"]), len(parent.dimensions["x"])) == (20, 30)
            for ds in (inner, parent):
                assert float(ds.getncattr("budget_tracer_relative_residual")) < 1e-12
            assert float(inner.getncattr("budget_tracer_inflow_kg")) > 0  # the parent's plume entered
    assert_identical(straight, resumed)
    assert_identical(domain_output(straight, "d01"), domain_output(resumed, "d01"))


def test_an_existing_parent_output_is_refused_without_force(tmp_path, capsys, caplog):
    path = tmp_path / "s.toml"
    raw = scenario(1)
    raw["output"]["checkpoint_interval_hours"] = 0
    raw["run"]["progress"] = True
    path.write_text(dump_toml(raw))
    out = tmp_path / "out.nc"
    domain_output(out, "d01").write_text("kept")
    assert main(["run", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "out.d01.nc" in err and "--force" in err and "Traceback" not in err
    assert not out.exists() and domain_output(out, "d01").read_text() == "kept"
    caplog.set_level(logging.INFO, logger="airmodel")
    assert main(["run", str(path), "-o", str(out), "--force"]) == 0
    err = capsys.readouterr().err
    assert "(d01 1.00 h, domain 1.00 h)" in err  # the progress line shows both domains
    assert "budget of domain d01" in caplog.text and "budget of domain domain" in caplog.text
    with netCDF4.Dataset(domain_output(out, "d01")) as ds:
        assert ds.domain_name == "d01"
