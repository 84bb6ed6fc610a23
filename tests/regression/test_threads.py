"""The same run with 1 and with 2 Numba threads gives bitwise identical concentrations."""
import numba
import numpy as np
import pytest

import airmodel

SMALL = ["domain.nx=60", "domain.ny=40", "domain.dx=1000.0", "domain.dy=1000.0", "domain.layers=10",
         "run.time_step=120.0", "run.hours=2", "meteorology.v=1.0"]


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs at least 2 Numba threads")
def test_one_and_two_threads_bitwise_identical(scenarios):
    plume = scenarios / "idealized" / "plume.toml"
    before = numba.get_num_threads()
    try:
        one = airmodel.run(plume, overrides=SMALL + ["run.threads=1"])
        two = airmodel.run(plume, overrides=SMALL + ["run.threads=2"])
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(one.tracer.values, two.tracer.values)
    assert one.attrs["budget_tracer_outflow_kg"] == two.attrs["budget_tracer_outflow_kg"]
