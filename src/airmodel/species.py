"""The species table: one entry per transported species, the single place that says what each is.

Writers, reports and the budget read names, units, long names and CF standard names from here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .analytic import initial_shape
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
    molar_mass: float | None = None  # g mol-1, needed for ppb/ppm


def species_table(section: dict, mechanism_species=(), where: str = "species") -> list[Species]:
    """The transported species: the mechanism's (in its order, with its units and metadata), then any other
    species the scenario defines (passive tracers). A scenario table for a mechanism species sets its initial and
    inflow values (in the mechanism's units unless it gives others) and may change its deposition."""
    table = []
    for info in mechanism_species:
        sp = section.get(info.name, {})
        units = sp.get("units") or info.units
        check_concentration_unit(units, f"{where}.{info.name}.units", info.molar_mass)
        table.append(Species(
            name=info.name, units=units, long_name=info.long_name, standard_name=info.standard_name,
            initial=sp.get("initial", 0.0), inflow=float(sp.get("inflow", 0.0)),
            dry_deposition_velocity=float(sp.get("dry_deposition_velocity", 0.0)),
            deposition_class=sp.get("deposition_class") or info.deposition_class,
            molar_mass=info.molar_mass))
    known = {sp.name for sp in table}
    for name, sp in section.items():
        if name in known:
            continue
        units = sp["units"] or "ug m-3"
        check_concentration_unit(units, f"{where}.{name}.units", sp["molar_mass"])
        table.append(Species(name=name, units=units, long_name=sp["long_name"] or name,
                             standard_name=sp["standard_name"], initial=sp["initial"],
                             inflow=float(sp["inflow"]), dry_deposition_velocity=float(sp["dry_deposition_velocity"]),
                             deposition_class=sp["deposition_class"], molar_mass=sp["molar_mass"]))
    return table


def initial_field(sp: Species, grid: Grid, air_density: np.ndarray) -> np.ndarray:
    """The initial concentration (kg m-3) of a species on the grid."""
    init = sp.initial
    if isinstance(init, dict):  # a shape table (airmodel.analytic.INITIAL_SHAPES), the same in every layer
        value = np.broadcast_to(initial_shape(init, grid.x, grid.y)[None], grid.shape)
    else:
        value = np.full(grid.shape, float(init))
    return np.ascontiguousarray(concentration_to_si(value, sp.units, air_density, sp.molar_mass),
                                dtype=np.float64)
