"""Point sources: a release at a position with a constant rate, added to the cell that holds it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..grid import Grid
from ..units import EMISSION_RATE_TO_SI, factor


@dataclass(frozen=True)
class PointSource:
    name: str
    species_index: int
    cell: tuple[int, int, int]  # (k, j, i)
    rate: float  # kg s-1


def point_sources(entries: list[dict], species_names: list[str], grid: Grid) -> list[PointSource]:
    sources = []
    for n, p in enumerate(entries):
        where = f"emissions.point[{n}]" + (f" ({p['name']})" if p["name"] else "")
        rate = p["rate"] * factor(EMISSION_RATE_TO_SI, p["rate_units"], f"{where}.rate_units")
        cell = grid.locate(p["x"], p["y"], p["z"], where)
        sources.append(PointSource(p["name"] or f"point{n}", species_names.index(p["species"]), cell, rate))
    return sources


def emit_point_sources(tracer_mass: np.ndarray, sources: list[PointSource], dt: float,
                       emitted: np.ndarray) -> None:
    """Add rate x dt (kg) to each source's cell; add the same to ``emitted`` (kg, by species)."""
    for src in sources:
        k, j, i = src.cell
        tracer_mass[src.species_index, k, j, i] += src.rate * dt
        emitted[src.species_index] += src.rate * dt
