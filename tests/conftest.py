"""Shared test helpers."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"


@pytest.fixture(scope="session")
def scenarios() -> Path:
    return SCENARIOS


def budget_residuals(ds) -> dict:
    """The relative budget residual of every species, from the output's global attributes."""
    return {k: v for k, v in ds.attrs.items() if k.endswith("_relative_residual")}
