"""The species table: one entry per transported species, the single place that says what each is.

Writers, reports and the budget read names, units, long names and CF standard names from here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .grid import Grid
from .units import check_concentration_unit, concentration_to_si


@dataclass(frozen=True)
class Species:
    name: str
    units: str  # output units
    long_name: str
    standard_name: str  # "" where CF has none
    initial: object  # a number in output units, or a shape table
    inflow: float  # output units
    dry_deposition_velocity: float  # m s-1, used when deposition_class is empty
    deposition_class: str = ""


def species_table(section: dict, where: str = "species") -> list[Species]:
    table = []
    for name, sp in section.items():
        check_concentration_unit(sp["units"], f"{where}.{name}.units")
        table.append(Species(name=name, units=sp["units"], long_name=sp["long_name"] or name,
                             standard_name=sp["standard_name"], initial=sp["initial"],
                             inflow=float(sp["inflow"]), dry_deposition_velocity=float(sp["dry_deposition_velocity"]),
                             deposition_class=sp["deposition_class"]))
    return table


def initial_field(sp: Species, grid: Grid, air_density: np.ndarray) -> np.ndarray:
    """The initial concentration (kg m-3) of a species on the grid."""
    init = sp.initial
    if isinstance(init, dict):  # shape "cone": a right circular cone on a background (Jaruga et al. 2015)
        cx, cy = (float(c) for c in init["centre"])
        x, y = np.meshgrid(grid.x, grid.y, indexing="xy")
        r = np.hypot(x - cx, y - cy)
        value2d = init["background"] + init["height"] * np.maximum(0.0, 1.0 - r / init["radius"])
        value = np.broadcast_to(value2d[None], grid.shape)
    else:
        value = np.full(grid.shape, float(init))
    return np.ascontiguousarray(concentration_to_si(value, sp.units, air_density), dtype=np.float64)
