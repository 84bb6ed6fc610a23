"""The same run with 1 and with 2 Numba threads gives bitwise identical results.

Numba's pool cannot grow past NUMBA_NUM_THREADS (read once, at import, from the number of cores), and
``run.threads`` is capped at it, so within one process on a one-core machine "2 threads" would silently be 1.
The demo comparison therefore runs each thread count in its own process with NUMBA_NUM_THREADS set to it, and the
process reports the thread count it ran with: the comparison is 1 against 2 on any machine.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np
import pytest

import airmodel
from tests.regression.test_restart import assert_identical

SMALL = ["domain.nx=60", "domain.ny=40", "domain.dx=1000.0", "domain.dy=1000.0", "domain.layers=10",
         "run.time_step=120.0", "run.hours=2", "meteorology.v=1.0"]


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs at least 2 Numba threads")
def test_one_and_two_threads_bitwise_identical(scenarios):
    """The plume (advection, diffusion, one point source) with run.threads = 1 and 2 in this process."""
    plume = scenarios / "idealized" / "plume.toml"
    before = numba.get_num_threads()
    try:
        one = airmodel.run(plume, overrides=SMALL + ["run.threads=1"])
        assert numba.get_num_threads() == 1
        two = airmodel.run(plume, overrides=SMALL + ["run.threads=2"])
        assert numba.get_num_threads() == 2
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(one.tracer.values, two.tracer.values)
    assert one.attrs["budget_tracer_outflow_kg"] == two.attrs["budget_tracer_outflow_kg"]


# Runs the scenario with the given thread count and prints the thread count Numba used.
RUN_WITH_THREADS = """
import json, sys
import numba
import airmodel
scenario, output, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
airmodel.run(scenario, output=output, overrides=["run.hours=2", "domain.resolution=0.5", "run.progress=false",
                                         f"run.threads={threads}"])
print(json.dumps({"threads": numba.get_num_threads()}))
"""


def start_with_threads(scenario: Path, output: Path, threads: int) -> subprocess.Popen:
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads))
    return subprocess.Popen([sys.executable, "-c", RUN_WITH_THREADS, str(scenario), str(output), str(threads)],
                            env=env, cwd=output.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def threads_used(process: subprocess.Popen) -> int:
    """The thread count the process reports, once it has finished (it must succeed)."""
    stdout, stderr = process.communicate()
    assert process.returncode == 0, stderr[-3000:]
    return json.loads(stdout.strip().splitlines()[-1])["threads"]


def test_demo_one_and_two_threads_bitwise_identical(scenarios, tmp_path):
    """Two hours of the demo (2008 inventory, grs_aero chemistry, deposition, boundaries) on a 0.5-degree grid,
    1 thread against 2: every variable and every budget attribute bit for bit. The two processes run at the same
    time (the results cannot depend on that: each cell's arithmetic is fixed, whichever core does it)."""
    demo = scenarios / "demo.toml"
    one, two = tmp_path / "one.nc", tmp_path / "two.nc"
    processes = start_with_threads(demo, one, 1), start_with_threads(demo, two, 2)
    assert [threads_used(p) for p in processes] == [1, 2]
    assert_identical(one, two)
