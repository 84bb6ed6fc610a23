"""Wet deposition: the process that removes soluble gases and particles with the rain (kernels/wet_deposition.py).

It sits beside transport in the layers (a process of the model's step that moves mass out of the domain, like the
dry deposition of the vertical mixing), above ``chemistry`` whose mechanism file carries the cited parameters of
each species (``airmodel/chemistry/README.md``: ``wet``, ``incloud``, ``particle_class``, ``solubility``,
``cloud_water``), and ``met``, whose snapshot gives the precipitation flux at the ground, the layer cloud fraction and
cloud water, the air density and the temperature.

- Below cloud: the washout coefficient Lambda = wet x P / (1 mm h-1), linear in the rain rate P (the EMEP MSC-W
  forms: A E P / V_dr for particles by size class, W_sub P / (h_s rho_w) for gases; Simpson et al. 2012, ACP 12,
  7825, sect. 8).
- In cloud: the species' fraction in cloud water (activated particles; gases by their effective Henry's law
  solubility at the mechanism's fixed cloud-water pH and the layer's temperature) removed at the rate the column's
  cloud water turns into rain, P / W.
- Each cell's loss is exp(-Lambda dt) of what it holds (never more than there is, at any rain rate and step), and
  the mass removed is booked to the species' ``wet_deposited`` budget term and kept by column for the output's
  deposition fluxes.

Species outside the mechanism (the boundary tracers, passive tracers of the scenario) are scavenged only if their
dry-deposition class is a particle class with a ``particle_class`` line (BND_PM25 as fine particles); others not.
"""
from __future__ import annotations

import numpy as np

from .chemistry.mechanism import Mechanism
from .grid import Grid
from .kernels import wet_deposition as kwet
from .met.base import MetSnapshot
from .species import Species

#: Rain rate of the mechanism's washout coefficients: 1 mm h-1 as a flux (kg m-2 s-1).
REFERENCE_RAIN = 1.0 / 3600.0


class WetDeposition:
    """Scavenging parameters of the model's species, and the step that applies them."""

    def __init__(self, species: list[Species], mechanism: Mechanism | None, grid: Grid):
        self.grid = grid
        self.n_species = len(species)
        info = {sp.name: sp for sp in mechanism.species} if mechanism is not None else {}
        classes = mechanism.particle_scavenging if mechanism is not None else {}
        rows = []
        for s, sp in enumerate(species):
            if sp.name in info:
                m = info[sp.name]
                row = (s, m.wet_scavenging, m.incloud, m.solubility)
            elif sp.deposition_class in classes:
                wet, incloud = classes[sp.deposition_class]
                row = (s, wet, incloud, None)
            else:
                continue
            if row[1] > 0.0 or row[2] > 0.0 or row[3] is not None:
                rows.append(row)
        n = len(rows)
        self.slots = np.array([r[0] for r in rows], dtype=np.int64)
        self.washout = np.array([r[1] / REFERENCE_RAIN for r in rows], dtype=float)
        self.incloud = np.array([r[2] for r in rows], dtype=float)
        self.henry, self.acid1, self.acid2, self.base = (np.zeros((n, 2)) for _ in range(4))
        for n_, (_, _, _, sol) in enumerate(rows):
            if sol is not None:
                self.henry[n_], self.acid1[n_], self.acid2[n_], self.base[n_] = (sol.henry, sol.acid1, sol.acid2,
                                                                                 sol.base)
        cloud = mechanism.cloud_water if mechanism is not None else None
        self.hydrogen_ion = 10.0 ** -cloud.ph if cloud is not None else 1e-7
        self.water_ion_product = np.array(cloud.water_ion_product if cloud is not None else (1e-14, 0.0))
        self.thickness = np.ascontiguousarray(np.diff(grid.layers.interfaces), dtype=float)
        self._columns = np.zeros((n, grid.ny, grid.nx))
        #: [ns, ny, nx] kg removed from each column by the last step, by the state's species index
        self.deposited_by_cell = np.zeros((self.n_species, grid.ny, grid.nx))

    def step(self, tracer_mass: np.ndarray, met: MetSnapshot, dt: float) -> np.ndarray:
        """Scavenge tracer_mass [ns, nz, ny, nx] (kg) in place over dt seconds with the rain and clouds of ``met``;
        return the mass removed by species (kg), also kept by column in ``deposited_by_cell``."""
        self.deposited_by_cell[...] = 0.0
        removed = np.zeros(self.n_species)
        if met.precipitation is None or self.slots.size == 0:
            return removed
        shape = self.grid.shape
        zeros = np.zeros(shape)

        def layer(value, fallback):
            return np.ascontiguousarray(np.broadcast_to(fallback if value is None else value, shape), dtype=float)

        cloud_water = layer(met.cloud_water, zeros)
        cloud_fraction = layer(met.cloud_fraction, zeros)
        # Temperature matters only where there is cloud water; a source without it (idealized) has none.
        temperature = layer(met.temperature, kwet.T_REFERENCE)
        precipitation = np.ascontiguousarray(np.broadcast_to(met.precipitation, shape[1:]), dtype=float)
        self._columns[...] = 0.0
        kwet.scavenge(tracer_mass, self.slots, self.washout, self.incloud, self.henry, self.acid1, self.acid2,
                      self.base, self.water_ion_product, self.hydrogen_ion, precipitation, cloud_fraction,
                      cloud_water, layer(met.air_density, zeros), temperature, self.thickness, float(dt),
                      self._columns)
        self.deposited_by_cell[self.slots] = self._columns
        removed[self.slots] = self._columns.sum(axis=(1, 2))
        return removed
