"""The variables registry (airmodel/variables.py) and its generated reference, docs/variables.md."""
import subprocess
import sys
from pathlib import Path

import netCDF4
import numpy as np

from airmodel.grid import VerticalLayers, lonlat_grid
from airmodel.variables import REGISTRY, checkpoint_entry, define_grid_coordinates, define_time, lookup

ROOT = Path(__file__).resolve().parents[2]


def test_docs_are_current():
    """docs/variables.md is generated from the registry: regenerate it with python tools/variables_docs.py."""
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "variables_docs.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_templates_are_filled():
    attrs = lookup("run output", "<V>_24h").attributes(dict(units="ug m-3", long_name="PM2.5", standard_name=""))
    assert attrs["units"] == "ug m-3" and attrs["long_name"] == "24-hour mean PM2.5"
    assert "standard_name" not in attrs and attrs["cell_methods"] == "day: mean"


def test_names_are_unique_and_restart_state_declared():
    for file, entries in REGISTRY.items():
        names = [v.name for v in entries]
        assert len(names) == len(set(names)), file
    assert checkpoint_entry("budget_emitted").restart
    assert checkpoint_entry("concentration").dims == ("species", "z", "y", "x")


def test_one_coordinate_writer(tmp_path):
    grid = lonlat_grid(116.0, 117.0, 39.5, 40.5, 0.25, VerticalLayers.from_interfaces([0.0, 50.0, 150.0]))
    with netCDF4.Dataset(tmp_path / "c.nc", "w") as ds:
        dims = define_grid_coordinates(ds, grid, "all")
        define_time(ds, "time", "hours since 2008-08-01 00:00:00", bounds=True)
    with netCDF4.Dataset(tmp_path / "c.nc") as ds:
        assert dims == ("z", "lat", "lon")
        assert ds["lon"].bounds == "lon_bnds" and ds["z"].bounds == "z_bnds" and ds["time"].bounds == "time_bnds"
        np.testing.assert_allclose(ds["lon_bnds"][0], [116.0, 116.25])
        np.testing.assert_allclose(ds["z_bnds"][:], [[0.0, 50.0], [50.0, 150.0]])
