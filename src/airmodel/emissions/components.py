"""The common form every inventory takes once read: components.

A component is one source's emission of one sector: its annual amount of each pollutant (kg per inventory year, or
per month for monthly inventories), spread over cells of the global lattice (``regions.Frame``) with weights that add
up to exactly 1 (cells outside the model domain included: that part is counted and listed, never emitted), a
temporal and a vertical profile, and what control measures select it by (sector, source id, vehicle class, road
type, location). Points carry their stack; mobile components their activity (vehicle-km) and emission factors.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .quantities import POLLUTANTS

N_POLLUTANTS = len(POLLUTANTS)


@dataclass(frozen=True)
class Stack:
    height: float  # m above ground
    diameter: float  # m
    exit_velocity: float  # m/s
    exit_temperature: float  # K


@dataclass
class Component:
    kind: str  # point | area | gridded | road | vehicle_activity
    source_id: str
    sector: str
    profile: str  # temporal profile name
    vertical: str  # vertical profile name ("" for stacks: plume rise decides)
    amounts: np.ndarray  # [N_POLLUTANTS] kg per year (or per month when month is set)
    i: np.ndarray  # global cell indices
    j: np.ndarray
    weight: np.ndarray  # sums to 1 over all cells
    origin: str  # file and line, for messages
    month: int | None = None
    province: str | None = None  # Beijing/Tianjin/Hebei/other when fixed by the source (a region row, a point)
    lon: float | None = None  # points
    lat: float | None = None
    stack: Stack | None = None
    vehicle_class: str | None = None
    road_type: str | None = None
    emission_factor: np.ndarray | None = None  # [N_POLLUTANTS] kg per vehicle-km (mobile)
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.i = np.asarray(self.i, dtype=np.int64)
        self.j = np.asarray(self.j, dtype=np.int64)
        self.weight = np.asarray(self.weight, dtype=float)
        self.amounts = np.asarray(self.amounts, dtype=float)
