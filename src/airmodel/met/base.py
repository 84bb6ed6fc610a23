"""The one interface every meteorology source offers the model.

A source answers ``at(t)`` with a :class:`MetSnapshot` on the model grid: the fields at time ``t`` seconds after
the run's start, on the staggering the kernels use (kernels/README.md). A source whose fields do not change in
time says so with ``static = True``, so that the transport can reuse what it derives from them.

The first six fields are what the transport needs. The others (``None`` where a source does not provide them,
as the idealized source does not) are what chemistry, deposition, photolysis and the output need; all SI:

=========================  ==============  ===========================================================
field                      shape           meaning (units)
=========================  ==============  ===========================================================
temperature                [nz, ny, nx]    air temperature (K)
pressure                   [nz, ny, nx]    air pressure (Pa)
specific_humidity          [nz, ny, nx]    water vapour mass per mass of moist air (kg kg-1)
relative_humidity          [nz, ny, nx]    relative humidity over water as a fraction (1; 0.8 = 80 %)
cloud_fraction             [nz, ny, nx]    cloud area fraction in the layer (1)
cloud_water                [nz, ny, nx]    cloud liquid water mixing ratio (kg kg-1)
precipitation              [ny, nx]        precipitation flux at the ground (kg m-2 s-1 = mm s-1)
mixing_height              [ny, nx]        boundary-layer (mixing) height above ground (m)
friction_velocity          [ny, nx]        u* (m s-1)
monin_obukhov_length       [ny, nx]        L (m); negative unstable, positive stable
sensible_heat_flux         [ny, nx]        upward surface sensible heat flux (W m-2)
temperature_2m             [ny, nx]        air temperature at 2 m (K)
u10, v10                   [ny, nx]        eastward/northward wind at 10 m at cell centres (m s-1)
surface_pressure           [ny, nx]        air pressure at the ground (Pa)
shortwave_down             [ny, nx]        downwelling shortwave radiation at the ground (W m-2)
cloud_cover                [ny, nx]        total cloud area fraction of the column (1)
land_use                   [ny, nx] int    USGS 24-category land use (as WRF's LU_INDEX; 16 = water)
roughness_length           [ny, nx]        aerodynamic roughness length z0 (m)
=========================  ==============  ===========================================================

A file or station reader reads and regrids what its source holds into a ``diagnosis.RawMet``; diagnosis.py derives
the rest (density, u*, L, w*, Kz, horizontal diffusivity, radiation...) the same way for every source.

Terrain height (surface altitude, m) lives in ``grid.terrain``: a source that knows the terrain sets it when it is
built, before the model derives anything from the grid.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, fields, replace

import numpy as np

from ..errors import InputError
from ..grid import Grid


@dataclass(frozen=True)
class MetSnapshot:
    """Meteorological fields at one instant on the model grid (SI units; see the module docstring)."""

    air_density: np.ndarray  # [nz, ny, nx] kg m-3
    u: np.ndarray  # [nz, ny, nx+1] eastward wind on the x faces, m s-1
    v: np.ndarray  # [nz, ny+1, nx] northward wind on the y faces, m s-1
    kx: np.ndarray  # [nz, ny, nx+1] horizontal eddy diffusivity on the x faces, m2 s-1
    ky: np.ndarray  # [nz, ny+1, nx] on the y faces
    kz: np.ndarray  # [nz+1, ny, nx] vertical eddy diffusivity on the layer interfaces, m2 s-1
    temperature: np.ndarray | None = None
    pressure: np.ndarray | None = None
    specific_humidity: np.ndarray | None = None
    relative_humidity: np.ndarray | None = None
    cloud_fraction: np.ndarray | None = None
    cloud_water: np.ndarray | None = None
    precipitation: np.ndarray | None = None
    mixing_height: np.ndarray | None = None
    friction_velocity: np.ndarray | None = None
    monin_obukhov_length: np.ndarray | None = None
    sensible_heat_flux: np.ndarray | None = None
    temperature_2m: np.ndarray | None = None
    u10: np.ndarray | None = None
    v10: np.ndarray | None = None
    surface_pressure: np.ndarray | None = None
    shortwave_down: np.ndarray | None = None
    cloud_cover: np.ndarray | None = None
    land_use: np.ndarray | None = None
    roughness_length: np.ndarray | None = None

    def replace(self, **changes) -> "MetSnapshot":
        return replace(self, **changes)


#: Fields that are categories, not quantities: never interpolated in time.
CATEGORICAL_FIELDS = ("land_use",)
#: Fields whose time interpolation is the value of the interval (a rate over the interval), not linear.
SNAPSHOT_FIELDS = tuple(f.name for f in fields(MetSnapshot))


def interpolate_snapshots(a: MetSnapshot, b: MetSnapshot, weight: float) -> MetSnapshot:
    """Linear interpolation ``(1 - weight) a + weight b`` of every field; categories are taken from ``a``.

    ``weight`` 0 returns ``a`` itself and 1 returns ``b`` itself, so that the same instant always gives the same
    arrays (the transport's continuity step relies on the air density at the end of one step being the air
    density at the start of the next).
    """
    if weight <= 0.0:
        return a
    if weight >= 1.0:
        return b
    for entry in _RECENT_INTERPOLATIONS:
        if entry[0] is a and entry[1] is b and entry[2] == weight:
            return entry[3]
    out = {}
    for name in SNAPSHOT_FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None or name in CATEGORICAL_FIELDS or x is y:
            out[name] = x
        else:
            out[name] = x + weight * (y - x)
    snapshot = MetSnapshot(**out)
    _RECENT_INTERPOLATIONS.insert(0, (a, b, weight, snapshot))
    del _RECENT_INTERPOLATIONS[_REMEMBERED_INTERPOLATIONS:]
    return snapshot


#: The last few interpolations (a, b, weight, result), newest first. A model step asks for the same instant up to
#: three times (the end of one step is the start of the next, and the output reads the state's instant), a nested
#: run once per domain; each interpolation of a 0.1-degree domain's snapshot costs about 1 ms. Entries hold the
#: snapshots they were made from, so a match by identity cannot be a recycled object.
_RECENT_INTERPOLATIONS: list[tuple] = []
_REMEMBERED_INTERPOLATIONS = 6


class Meteorology:
    """Base class: a meteorology source on a grid."""

    static: bool = False

    def __init__(self, grid: Grid):
        self.grid = grid

    def at(self, t: float) -> MetSnapshot:  # pragma: no cover - interface
        raise NotImplementedError


class RecordMeteorology(Meteorology):
    """A source read from records at ``self.seconds`` (s after the run's start, increasing): each record is read
    once (``_read(k)``, a few kept in memory) and fields are linear in time between records.

    Subclasses set ``seconds`` and implement ``_read(k)`` and ``record_label(k)`` (the record's UTC time as text).
    """

    cache_size = 3

    def record(self, k: int) -> MetSnapshot:
        cache = self.__dict__.setdefault("_cache", {})
        if k in cache:
            return cache[k]
        snap = self._read(k)
        if len(cache) >= self.cache_size:
            cache.pop(min(cache))
        cache[k] = snap
        return snap

    def interpolated(self, t: float, when: str) -> tuple[MetSnapshot, int]:
        """The fields at ``t`` seconds (``when``: the same instant as text, for the error) and the index of the
        record at or before it."""
        s = self.seconds
        if t < s[0] - 1e-6 or t > s[-1] + 1e-6:
            raise InputError(f"meteorology.files: time {when} UTC is outside the records "
                             f"({self.record_label(0)} to {self.record_label(len(s) - 1)} UTC)")
        k = int(np.clip(np.searchsorted(s, t, side="right") - 1, 0, len(s) - 1))
        if k == len(s) - 1 or abs(t - s[k]) < 1e-6:
            return self.record(k), k
        return interpolate_snapshots(self.record(k), self.record(k + 1), (t - s[k]) / (s[k + 1] - s[k])), k

    def _read(self, k: int) -> MetSnapshot:  # pragma: no cover - interface
        raise NotImplementedError

    def record_label(self, k: int) -> str:  # pragma: no cover - interface
        raise NotImplementedError


#: The sources by the name a scenario gives in ``meteorology.source``: (module, class), imported on use.
SOURCES = {
    "idealized": ("idealized", "IdealizedMeteorology"),
    "synthetic": ("synthetic", "SyntheticMeteorology"),
    "wrf": ("wrf", "WRFMeteorology"),
    "cf": ("cf", "CFMeteorology"),
    "station": ("station", "StationMeteorology"),
}


def build_meteorology(section: dict, grid: Grid, start=None, end=None, folder=None) -> Meteorology:
    """The meteorology source a scenario's [meteorology] section names.

    ``start`` (a timezone-aware datetime, the run's start in UTC) is needed by every source except ``idealized``:
    the synthetic diurnal cycle and the file readers work in absolute time. Without it the synthetic source takes
    2008-08-01 00 UTC and the file readers their first record. ``end`` (the run's end) lets the file readers check
    that their records cover the run before it starts. ``folder`` is where relative file names are read from (the
    scenario's folder; default: the current folder).
    """
    try:
        module, name = SOURCES[section["source"]]
    except KeyError:
        raise InputError(f"meteorology.source: unknown source {section['source']!r}; "
                         f"choose one of: {', '.join(SOURCES)}") from None
    cls = getattr(importlib.import_module(f"{__package__}.{module}"), name)
    return cls(section, grid, start=start, end=end, folder=folder)
