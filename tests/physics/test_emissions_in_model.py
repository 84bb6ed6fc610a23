"""The default inventory in the transport model: the run's budget closes with the emissions counted, and what the
model was given equals ``Emissions.emitted_mass``.

This rehearses the wiring that Model.step is to get (see the emissions work's report): at each step,
``rates = emissions.rates(now, met_at_step_start)``; ``rates.add_elevated(tracer_mass, dt)`` with the point
emissions; ``surface_emission[:] = rates.surface`` for the vertical mixing; ``budget.emitted += rates.by_species()
* dt``. Until Model does it itself, the test puts it in place of the point-source hook of airmodel.model.
"""
import numpy as np
import pytest

import airmodel.model as model_module
from airmodel.emissions.inventory import Emissions
from airmodel.model import Model
from airmodel.scenario import load

LAYERS = [0.0, 50.0, 120.0, 220.0, 350.0, 520.0, 750.0, 1050.0, 1450.0, 2000.0, 2800.0, 4000.0]


@pytest.fixture()
def run():
    scenario = load({
        "run": {"start": "2008-08-08T00:00:00Z", "hours": 1, "time_step": 300.0, "progress": False},
        "domain": {"lon_min": 115.5, "lon_max": 117.5, "lat_min": 39.0, "lat_max": 41.0, "resolution": 0.1,
                   "layer_interfaces": LAYERS},
        "meteorology": {"source": "synthetic"},
        "emissions": {"inventory": "default_2008"},
        "species": {name: {"units": "ug m-3"} for name in ("NO", "SO2", "CO", "PMC")}})
    model = Model(scenario)
    for _ in range(scenario.n_steps):
        model.step()
    return model, model.emissions, scenario


def test_budget_closes_and_equals_the_inventory(run):
    model, emissions, scenario = run
    residual = model.budget.residual(model.burden())
    assert residual.max() < 1e-12, residual
    expected = emissions.emitted_mass(scenario.start, scenario.end)
    assert np.allclose(model.budget.emitted, expected, rtol=1e-12, atol=0)
    assert expected.min() > 0
    # the stacks' plumes went aloft: SO2 above the lowest layer
    so2 = model.species_names.index("SO2")
    aloft = np.einsum("kji,kji->", model.concentration[so2, 1:], model.grid.cell_volume[1:])
    assert aloft > 0.05 * model.burden()[so2]
