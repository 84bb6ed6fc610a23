"""Shared test helpers."""
from pathlib import Path

import pytest

from airmodel.data import scenarios_dir

#: The ready scenarios as the installed package ships them (the tests run against the installed package).
SCENARIOS = scenarios_dir()


@pytest.fixture(scope="session")
def scenarios() -> Path:
    return SCENARIOS


def budget_residuals(ds) -> dict:
    """The relative budget residual of every species, from the output's global attributes."""
    return {k: v for k, v in ds.attrs.items() if k.endswith("_relative_residual")}
