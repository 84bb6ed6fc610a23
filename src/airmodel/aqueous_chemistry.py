"""Aqueous sulfate: S(IV) oxidation by H2O2 and O3 in cloud water (kernels/aqueous.py), a process of the model's
step after wet deposition and before the gas-phase chemistry (``chemistry.aqueous_sulfate``).

It acts on the species the scenario's mechanism has: SO2 and particulate sulfate SULF are needed (the switch is an
error without them), then each oxidant that is present, H2O2 and O3. With ``grs_aero`` (no H2O2) only the O3 path
runs; with a mechanism that has H2O2 and O3 (a carbon-bond mechanism) both do. The cloud-water pH is the
mechanism's ``cloud_water`` line (the one wet deposition uses: 5.0 in grs_aero, Beijing's rain around 2008), or
``DEFAULT_PH`` (the same value and source) for a mechanism without that line.

Constants (each a value at 298.15 K and C = -dH/R or -E/R in K):

- Henry's law constants (Seinfeld and Pandis 2016, Atmospheric Chemistry and Physics, 3rd ed., Tables 7.2-7.4, the
  enthalpies as C = -dH/R): SO2 1.23 M atm-1 (dH = -6.23 kcal mol-1), H2O2 7.45e4 M atm-1
  (dH = -14.5 kcal mol-1; the pair of the table with temperature dependence, from Lind and Kok 1986, JGR 91, 7889), O3 1.1e-2 M atm-1 (dH = -5.04 kcal mol-1); SO2's dissociation constants K1 = 1.3e-2 M
  (C = 1960 K) and K2 = 6.6e-8 M (C = 1500 K) (ibid.; the values of grs_aero's solubility line).
- H2O2 + HSO3- (Hoffmann and Calvert 1985, EPA/600/3-85/017; Seinfeld and Pandis 2016,
  ch. 7): k = 7.45e7 M-2 s-1, E/R = 4430 K; K = 13 M-1.
- O3 + S(IV) (ibid., ch. 7): k0 = 2.4e4 M-1 s-1 (SO2.H2O), k1 = 3.7e5 M-1 s-1 (HSO3-, E/R =
  5530 K), k2 = 1.5e9 M-1 s-1 (SO3=, E/R = 5280 K).

The liquid water is the meteorology's cloud water, in cells with cloud fraction f > 0 and cloud water q_c > 0, at
L = rho q_c / (f rho_w) in the cloudy part; a meteorology without cloud water (idealized) has no aqueous sulfate.
"""
from __future__ import annotations

import numpy as np

from .chemistry.mechanism import Mechanism
from .errors import InputError
from .grid import Grid
from .kernels import aqueous as kaq
from .met.base import MetSnapshot

#: Cloud-water pH for a mechanism without a ``cloud_water`` line: 5.0, as grs_aero's (Beijing's precipitation
#: averaged pH 5.19 over 2005-2009 and 4.87 in 2008; Huan Jing Ke Xue 32(7), 1867, 2011).
DEFAULT_PH = 5.0

#: (value at 298.15 K, C in K); C = -dH/R with dH in kcal mol-1 x 4184 / 8.314 for the Henry's law constants
SO2_HENRY = np.array([1.23, 3145.0])
SO2_ACID1 = np.array([1.3e-2, 1960.0])
SO2_ACID2 = np.array([6.6e-8, 1500.0])
H2O2_HENRY = np.array([7.45e4, 14.5 * 4184.0 / 8.314])
O3_HENRY = np.array([1.1e-2, 5.04 * 4184.0 / 8.314])
#: H2O2 + HSO3-: k (M-2 s-1, -E/R) and the equilibrium constant K (M-1) of the rate law's denominator
H2O2_RATE = np.array([7.45e7, -4430.0])
H2O2_EQUILIBRIUM = 13.0
#: O3 + SO2.H2O, HSO3-, SO3= (M-1 s-1, -E/R)
O3_K0 = np.array([2.4e4, 0.0])
O3_K1 = np.array([3.7e5, -5530.0])
O3_K2 = np.array([1.5e9, -5280.0])


def constants() -> dict:
    """The kernel's constant arguments by name (for the kernel call and for tests)."""
    return dict(so2_henry=SO2_HENRY, so2_acid1=SO2_ACID1, so2_acid2=SO2_ACID2, h2o2_henry=H2O2_HENRY,
                h2o2_rate=H2O2_RATE, h2o2_equilibrium=H2O2_EQUILIBRIUM, o3_henry=O3_HENRY, o3_k0=O3_K0,
                o3_k1=O3_K1, o3_k2=O3_K2)


class AqueousSulfate:
    """The species the process acts on (indices into the model's state) and the step that applies it."""

    def __init__(self, species_names: list[str], mechanism: Mechanism, grid: Grid, where: str = "chemistry"):
        names = mechanism.species_names
        missing = [n for n in ("SO2", "SULF") if n not in names]
        if missing:
            raise InputError(f"{where}.aqueous_sulfate = true needs the species SO2 and SULF (particulate "
                             f"sulfate) in the mechanism; {mechanism.name} lacks {', '.join(missing)}")
        self.oxidants = [n for n in ("H2O2", "O3") if n in names]
        if not self.oxidants:
            raise InputError(f"{where}.aqueous_sulfate = true needs an oxidant, H2O2 or O3, in the mechanism; "
                             f"{mechanism.name} has neither")

        def slot(name):
            return species_names.index(name) if name in names else -1

        self.so2, self.sulfate, self.h2o2, self.o3 = (slot(n) for n in ("SO2", "SULF", "H2O2", "O3"))
        self.molar_mass = np.zeros(len(species_names))
        for sp in mechanism.species:
            self.molar_mass[species_names.index(sp.name)] = sp.molar_mass * 1e-3  # g mol-1 -> kg mol-1
        ph = mechanism.cloud_water.ph if mechanism.cloud_water is not None else DEFAULT_PH
        self.ph = float(ph)
        self.hydrogen_ion = 10.0 ** -self.ph
        self.grid = grid
        #: moles of SO2 oxidised in each cell by the last step [nz, ny, nx]
        self.oxidised = np.zeros(grid.shape)

    def step(self, tracer_mass: np.ndarray, met: MetSnapshot, volume: np.ndarray, dt: float) -> np.ndarray:
        """Oxidise SO2 in the clouds of ``met`` over dt seconds, tracer_mass [ns, nz, ny, nx] (kg) in place; return
        the net change of each species (kg), the budget's chemical term."""
        change = np.zeros(tracer_mass.shape[0])
        if met.cloud_water is None or met.cloud_fraction is None:
            self.oxidised[...] = 0.0
            return change
        shape = self.grid.shape

        def layer(value):
            return np.ascontiguousarray(np.broadcast_to(value, shape), dtype=float)

        touched = [s for s in (self.so2, self.sulfate, self.h2o2, self.o3) if s >= 0]
        before = tracer_mass[touched].sum(axis=(1, 2, 3))
        kaq.oxidise(tracer_mass, self.so2, self.sulfate, self.h2o2, self.o3, self.molar_mass, self.hydrogen_ion,
                    layer(met.cloud_fraction), layer(met.cloud_water), layer(met.air_density),
                    layer(met.temperature if met.temperature is not None else kaq.T_REFERENCE),
                    np.ascontiguousarray(volume, dtype=float), float(dt), **constants(), oxidised=self.oxidised)
        change[touched] = tracer_mass[touched].sum(axis=(1, 2, 3)) - before
        return change
