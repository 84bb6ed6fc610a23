"""The one interface every meteorology source offers the model.

A source answers ``at(t)`` with a :class:`MetSnapshot` on the model grid: the fields at time ``t`` seconds after
the run's start, on the staggering the kernels use (kernels/README.md). A source whose fields do not change in
time says so with ``static = True``, so that the transport can reuse what it derives from them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..grid import Grid


@dataclass(frozen=True)
class MetSnapshot:
    """Meteorological fields at one instant on the model grid (SI units)."""

    air_density: np.ndarray  # [nz, ny, nx] kg m-3
    u: np.ndarray  # [nz, ny, nx+1] eastward wind on the x faces, m s-1
    v: np.ndarray  # [nz, ny+1, nx] northward wind on the y faces, m s-1
    kx: np.ndarray  # [nz, ny, nx+1] horizontal eddy diffusivity on the x faces, m2 s-1
    ky: np.ndarray  # [nz, ny+1, nx] on the y faces
    kz: np.ndarray  # [nz+1, ny, nx] vertical eddy diffusivity on the layer interfaces, m2 s-1


class Meteorology:
    """Base class: a meteorology source on a grid."""

    static: bool = False

    def __init__(self, grid: Grid):
        self.grid = grid

    def at(self, t: float) -> MetSnapshot:  # pragma: no cover - interface
        raise NotImplementedError


def build_meteorology(section: dict, grid: Grid) -> Meteorology:
    """The meteorology source a scenario's [meteorology] section names."""
    from .idealized import IdealizedMeteorology

    sources = {"idealized": IdealizedMeteorology}
    try:
        cls = sources[section["source"]]
    except KeyError:
        raise InputError(f"meteorology.source: unknown source {section['source']!r}; "
                         f"choose one of: {', '.join(sources)}") from None
    return cls(section, grid)
