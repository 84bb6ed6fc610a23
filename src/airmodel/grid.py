"""Model grids: the horizontal cells, the vertical layers and the cell geometry the kernels need.

Two horizontal grids:
- ``lonlat``: a regular longitude-latitude grid; cell areas and face lengths on a sphere of radius
  ``EARTH_RADIUS`` (areas from the exact spherical-zone formula A = R^2 dlon (sin phi_n - sin phi_s));
- ``projected``: a Cartesian grid in metres, for idealized cases.

Vertical layers are heights above ground given by their interfaces (a terrain-following coordinate: the same
heights above ground over every column). The geometry is folded into cell volumes and face areas, so that the
kernels see only masses and fluxes (see kernels/README.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import InputError

#: Mean Earth radius (m), IUGG value; the sphere the lon-lat cell areas are computed on.
EARTH_RADIUS = 6_371_000.0


@dataclass(frozen=True)
class VerticalLayers:
    """Layers by the heights of their interfaces above ground (m), from 0 at the ground upwards."""

    interfaces: np.ndarray  # [nz+1]

    @property
    def nz(self) -> int:
        return self.interfaces.size - 1

    @property
    def thickness(self) -> np.ndarray:
        return np.diff(self.interfaces)

    @property
    def midpoints(self) -> np.ndarray:
        return 0.5 * (self.interfaces[1:] + self.interfaces[:-1])

    @classmethod
    def from_interfaces(cls, interfaces, where: str = "domain.layer_interfaces") -> "VerticalLayers":
        z = np.asarray(interfaces, dtype=np.float64)
        if z.ndim != 1 or z.size < 2:
            raise InputError(f"{where}: need at least two interface heights, got {list(np.atleast_1d(z))}")
        if z[0] != 0.0:
            raise InputError(f"{where}: the first interface must be the ground, 0 m; got {z[0]}")
        bad = np.nonzero(np.diff(z) <= 0.0)[0]
        if bad.size:
            k = int(bad[0])
            raise InputError(
                f"{where}: interface heights must increase; interface {k + 1} ({z[k + 1]} m) "
                f"is not above interface {k} ({z[k]} m)"
            )
        return cls(z)


@dataclass(frozen=True)
class Grid:
    """A horizontal grid with vertical layers and the geometry of every cell and face.

    Geometry arrays (all float64, metres):
    - ``cell_area[ny, nx]``
    - ``x_face_length[ny, nx+1]``: length of the west faces (north-south extent);
    - ``y_face_length[ny+1, nx]``: length of the south faces (east-west extent);
    - ``x_centre_distance[ny, nx+1]``: distance between the centres either side of an x face;
    - ``y_centre_distance[ny+1, nx]``: likewise for y faces.
    """

    kind: str  # "lonlat" or "projected"
    x: np.ndarray  # cell centres: longitude (deg) or x (m)
    y: np.ndarray  # cell centres: latitude (deg) or y (m)
    x_bounds: np.ndarray  # [nx+1] face positions
    y_bounds: np.ndarray  # [ny+1]
    layers: VerticalLayers
    cell_area: np.ndarray
    x_face_length: np.ndarray
    y_face_length: np.ndarray
    x_centre_distance: np.ndarray
    y_centre_distance: np.ndarray
    terrain: np.ndarray = field(default=None)  # [ny, nx] surface altitude (m), zero until meteorology sets it

    @property
    def nx(self) -> int:
        return self.x.size

    @property
    def ny(self) -> int:
        return self.y.size

    @property
    def nz(self) -> int:
        return self.layers.nz

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.nz, self.ny, self.nx)

    @property
    def cell_volume(self) -> np.ndarray:
        """[nz, ny, nx] cell volumes (m3)."""
        return self.layers.thickness[:, None, None] * self.cell_area[None, :, :]

    @property
    def x_face_area(self) -> np.ndarray:
        """[nz, ny, nx+1] areas of the x faces (m2)."""
        return self.layers.thickness[:, None, None] * self.x_face_length[None, :, :]

    @property
    def y_face_area(self) -> np.ndarray:
        """[nz, ny+1, nx] areas of the y faces (m2)."""
        return self.layers.thickness[:, None, None] * self.y_face_length[None, :, :]

    def locate(self, x: float, y: float, z: float, where: str) -> tuple[int, int, int]:
        """The (k, j, i) of the cell holding a point; x, y in the grid's horizontal units, z in m above ground."""
        i = int(np.searchsorted(self.x_bounds, x, side="right")) - 1
        j = int(np.searchsorted(self.y_bounds, y, side="right")) - 1
        k = int(np.searchsorted(self.layers.interfaces, z, side="right")) - 1
        if not (0 <= i < self.nx and 0 <= j < self.ny and 0 <= k < self.nz):
            raise InputError(
                f"{where}: position ({x}, {y}, {z} m) is outside the domain "
                f"x {self.x_bounds[0]}..{self.x_bounds[-1]}, y {self.y_bounds[0]}..{self.y_bounds[-1]}, "
                f"z 0..{self.layers.interfaces[-1]} m"
            )
        return k, j, i


def projected_grid(nx: int, ny: int, dx: float, dy: float, layers: VerticalLayers,
                   x0: float = 0.0, y0: float = 0.0) -> Grid:
    """A Cartesian grid whose south-west corner is at (x0, y0) m; cell centres at x0 + (i + 1/2) dx."""
    x_bounds = x0 + dx * np.arange(nx + 1, dtype=np.float64)
    y_bounds = y0 + dy * np.arange(ny + 1, dtype=np.float64)
    return Grid(
        kind="projected",
        x=0.5 * (x_bounds[1:] + x_bounds[:-1]),
        y=0.5 * (y_bounds[1:] + y_bounds[:-1]),
        x_bounds=x_bounds,
        y_bounds=y_bounds,
        layers=layers,
        cell_area=np.full((ny, nx), dx * dy),
        x_face_length=np.full((ny, nx + 1), dy),
        y_face_length=np.full((ny + 1, nx), dx),
        x_centre_distance=np.full((ny, nx + 1), dx),
        y_centre_distance=np.full((ny + 1, nx), dy),
        terrain=np.zeros((ny, nx)),
    )


def lonlat_grid(lon_min: float, lon_max: float, lat_min: float, lat_max: float, resolution: float,
                layers: VerticalLayers) -> Grid:
    """A regular longitude-latitude grid on the sphere; the box edges are cell faces."""
    nx = int(round((lon_max - lon_min) / resolution))
    ny = int(round((lat_max - lat_min) / resolution))
    if nx < 1 or ny < 1 or abs(nx * resolution - (lon_max - lon_min)) > 1e-6 * resolution \
            or abs(ny * resolution - (lat_max - lat_min)) > 1e-6 * resolution:
        raise InputError(
            f"domain: the box {lon_min}..{lon_max} E, {lat_min}..{lat_max} N is not a whole number of "
            f"{resolution} degree cells"
        )
    lon_b = lon_min + resolution * np.arange(nx + 1, dtype=np.float64)
    lat_b = lat_min + resolution * np.arange(ny + 1, dtype=np.float64)
    lat = 0.5 * (lat_b[1:] + lat_b[:-1])
    dlon = np.deg2rad(resolution)
    dlat = np.deg2rad(resolution)
    r = EARTH_RADIUS
    # Exact area of a spherical cell between two meridians and two parallels.
    area_row = r * r * dlon * (np.sin(np.deg2rad(lat_b[1:])) - np.sin(np.deg2rad(lat_b[:-1])))
    return Grid(
        kind="lonlat",
        x=0.5 * (lon_b[1:] + lon_b[:-1]),
        y=lat,
        x_bounds=lon_b,
        y_bounds=lat_b,
        layers=layers,
        cell_area=np.repeat(area_row[:, None], nx, axis=1),
        x_face_length=np.full((ny, nx + 1), r * dlat),
        y_face_length=np.repeat((r * dlon * np.cos(np.deg2rad(lat_b)))[:, None], nx, axis=1),
        x_centre_distance=np.repeat((r * dlon * np.cos(np.deg2rad(lat)))[:, None], nx + 1, axis=1),
        y_centre_distance=np.full((ny + 1, nx), r * dlat),
        terrain=np.zeros((ny, nx)),
    )


def grid_shape(domain: dict) -> tuple[int, int, int]:
    """(nz, ny, nx) of the grid a validated ``[domain]`` table describes, computed without building it (so that a
    grid too large for the memory can be refused before anything is allocated)."""
    if domain["layer_interfaces"] is not None:
        nz = max(len(domain["layer_interfaces"]) - 1, 0)
    else:
        nz = int(domain["layers"])
    if domain["grid"] == "projected":
        return nz, int(domain["ny"]), int(domain["nx"])
    resolution = float(domain["resolution"])
    nx = int(round((domain["lon_max"] - domain["lon_min"]) / resolution))
    ny = int(round((domain["lat_max"] - domain["lat_min"]) / resolution))
    return nz, ny, nx


def build_grid(domain: dict) -> Grid:
    """The grid a validated ``[domain]`` table describes: its layers, then a projected or a lon-lat grid."""
    if domain["layer_interfaces"] is not None:
        layers = VerticalLayers.from_interfaces(domain["layer_interfaces"])
    else:
        layers = VerticalLayers.from_interfaces(domain["layer_thickness"] * np.arange(domain["layers"] + 1))
    if domain["grid"] == "projected":
        return projected_grid(domain["nx"], domain["ny"], float(domain["dx"]), float(domain["dy"]), layers,
                              float(domain["x0"]), float(domain["y0"]))
    return lonlat_grid(domain["lon_min"], domain["lon_max"], domain["lat_min"], domain["lat_max"],
                       domain["resolution"], layers)
