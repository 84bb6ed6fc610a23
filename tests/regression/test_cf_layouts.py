"""Every output layout passes ``compliance-checker --test cf:1.8 --criteria strict`` and opens in ``ncdump -h``
and ``cdo sinfo``: hourly means, snapshots, both, all levels, lon-lat and projected grids, ``airmodel met``
output and ``airmodel compare``'s fields.nc.

Short runs keep it quick: the idealized plume (projected grid, all levels) on a small grid for one hour, and the
demo (lon-lat grid, the inventory and chemistry) on a 0.5-degree grid for two hours.

Ensemble members are not run here: a member is written by the same run-output writer as ``airmodel run`` (a
member equals the same scenario run directly, bit for bit: tests/regression/test_ensemble.py), and starting a
dask cluster would cost more than all the layouts together.
"""
import shutil
import subprocess
from pathlib import Path

import pytest

import airmodel
from airmodel.analysis.compare import compare
from airmodel.met_output import write_met
from tests.cf_check import assert_cf_strict

PLUME = ["domain.nx=30", "domain.ny=20", "domain.dx=2000.0", "domain.dy=2000.0", "domain.layers=6",
         "run.time_step=300.0", "run.hours=1"]
DEMO = ["domain.resolution=0.5", "run.hours=2"]
SNAPSHOTS_ONLY = ["output.hourly_means=false", 'output.snapshots=["start", "end"]']
BOTH = ['output.snapshots=["start", "end"]']

LAYOUTS = {
    "projected-all-levels-hourly": ("idealized/plume.toml", PLUME),
    "projected-all-levels-snapshots": ("idealized/plume.toml", PLUME + SNAPSHOTS_ONLY),
    "projected-all-levels-hourly-and-snapshots": ("idealized/plume.toml", PLUME + BOTH),
    "lonlat-surface-hourly-and-snapshots": ("demo.toml", DEMO + BOTH),
    "lonlat-all-levels-snapshots": ("demo.toml", ["domain.resolution=0.5", "run.hours=1", 'output.levels="all"']
                                    + SNAPSHOTS_ONLY),
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("cf_layouts")


@pytest.fixture(scope="module")
def demo_run(scenarios, folder):
    """The demo with hourly means and snapshots, shared by its own layout and the comparison."""
    scenario, overrides = LAYOUTS["lonlat-surface-hourly-and-snapshots"]
    out = folder / "lonlat-surface-hourly-and-snapshots.nc"
    airmodel.run(scenarios / scenario, output=out, overrides=overrides)
    return out


def produce(layout: str, scenarios: Path, folder: Path, demo_run: Path) -> Path:
    if layout == "lonlat-surface-hourly-and-snapshots":
        return demo_run
    if layout == "met":
        return write_met(scenarios / "demo.toml", folder / "met.nc", overrides=DEMO)
    if layout == "compare-fields":
        # the run against itself: the layout of fields.nc does not depend on the values
        return compare(demo_run, demo_run, folder / "cmp") / "fields.nc"
    scenario, overrides = LAYOUTS[layout]
    out = folder / f"{layout}.nc"
    airmodel.run(scenarios / scenario, output=out, overrides=overrides)
    return out


@pytest.mark.parametrize("layout", [*LAYOUTS, "met", "compare-fields"])
def test_layout_passes_cf_strict_and_opens_in_ncdump_and_cdo(layout, scenarios, folder, demo_run):
    path = produce(layout, scenarios, folder, demo_run)
    assert_cf_strict(path)
    for tool in (["ncdump", "-h"], ["cdo", "-s", "sinfo"]):
        if shutil.which(tool[0]) is None:
            pytest.skip(f"{tool[0]} is not installed (.ci/run installs netcdf-bin and cdo)")
        r = subprocess.run(tool + [str(path)], capture_output=True, text=True)
        assert r.returncode == 0, (tool, r.stderr[-2000:])
