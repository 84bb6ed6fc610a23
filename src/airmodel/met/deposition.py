"""Dry-deposition velocities by species class: the resistance model.

    v_d = 1 / (r_a + r_b + r_c)                       gases
    v_d = v_s + 1 / (r_a + r_s)                       particles

- r_a, aerodynamic resistance between the reference height z_r (the lowest layer's midpoint) and the roughness
  height: r_a = [ln(z_r/z0) - psi_h(z_r/L) + psi_h(z0/L)] / (k u*) (e.g. Seinfeld and Pandis 2016, eq. 19.13).
- r_b, quasi-laminar sublayer resistance for gases: r_b = 2/(k u*) (Sc/Pr)^(2/3) (Wesely and Hicks 1977,
  J. Air Pollut. Control Assoc. 27, 1110), Sc = nu / D_x, D_x = D_H2O / (D_H2O/D_x).
- r_c, bulk surface resistance for gases: Wesely (1989), Atmos. Environ. 23, 1293, eqs. 2-9, with the wet-surface
  rules of eqs. 10-14 as corrected by Walmsley and Wesely (1996), Atmos. Environ. 30, 1181; midsummer with lush
  vegetation (season 1, Table 3), species from Table 2 (effective Henry's law constant H*, reactivity f0 and the
  diffusivity ratio D_H2O/D_x). Terrain slope is taken as zero in r_dc.
- Particles: Zhang et al. (2001), Atmos. Environ. 35, 549, eqs. 2-8: settling v_s = rho_p d^2 g C_c / (18 mu)
  with the Cunningham correction C_c = 1 + 2 lambda/d (1.257 + 0.4 exp(-0.55 d/lambda)), surface resistance
  r_s = 1 / (eps0 u* (E_B + E_IM + E_IN) R1), E_B = Sc^-gamma, E_IM = (St/(alpha + St))^2, E_IN = (d/A)^2 / 2,
  R1 = exp(-sqrt(St)), eps0 = 3; St = v_s u* / (g A) over vegetation and v_s u*^2 / nu over smooth surfaces.
  Land-use parameters alpha, gamma, A: Zhang et al. (2001) Table 3, midsummer, for the closest land-use class.

Classes (``DEPOSITION_CLASSES``): the Wesely (1989) gases so2, o3, no2, no, hno3, h2o2, nh3, pan, hcho, ald
(acetaldehyde-like aldehydes), op (organic peroxides), ora (organic acids), hono; "co" and "inert" (no deposition);
particles "pm_fine" (d = 0.5 um, 1500 kg m-3: the accumulation mode of urban aerosol) and "pm_coarse"
(d = 5 um, 2000 kg m-3: PM2.5-10 dust).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..grid import Grid
from ..units import kelvin_to_celsius
from .base import MetSnapshot
from .constants import (DIFFUSIVITY_H2O, DYNAMIC_VISCOSITY, GRAVITY, KINEMATIC_VISCOSITY, MEAN_FREE_PATH,
                        PRANDTL, VON_KARMAN)
from .landuse import wesely_type
from .surface_layer import psi_h

BOLTZMANN = 1.380649e-23
INFINITE = 1.0e25  # Wesely's 9999: no uptake by that pathway

# Wesely (1989) Table 3, season 1 (midsummer with lush vegetation), land-use types 1..11 (index 0 unused).
_W_RI = np.array([0, INFINITE, 60, 120, 70, 130, 100, INFINITE, INFINITE, 80, 100, 150], dtype=float)
_W_RLU = np.array([0, INFINITE, 2000, 2000, 2000, 2000, 2000, INFINITE, INFINITE, 2500, 2000, 4000], dtype=float)
_W_RAC = np.array([0, 100, 200, 100, 2000, 2000, 2000, 0, 0, 300, 150, 200], dtype=float)
_W_RGSS = np.array([0, 400, 150, 350, 500, 500, 100, 0, 1000, 0, 220, 400], dtype=float)
_W_RGSO = np.array([0, 300, 150, 200, 200, 200, 300, 2000, 400, 1000, 180, 200], dtype=float)
_W_RCLS = np.array([0, INFINITE, 2000, 2000, 2000, 2000, 2000, INFINITE, INFINITE, 2500, 2000, 4000], dtype=float)
_W_RCLO = np.array([0, INFINITE, 1000, 1000, 1000, 1000, 1000, INFINITE, INFINITE, 1000, 1000, 1000], dtype=float)

# Zhang et al. (2001) Table 3 parameters for the closest of their classes, by Wesely type 1..11:
# alpha, gamma, A (collector radius, m; 0 for smooth surfaces).
_Z_ALPHA = np.array([0, 1.5, 1.2, 1.2, 0.8, 1.0, 0.8, 100.0, 50.0, 2.0, 1.2, 1.3])
_Z_GAMMA = np.array([0, 0.56, 0.54, 0.54, 0.56, 0.56, 0.56, 0.50, 0.54, 0.54, 0.54, 0.54])
_Z_A = np.array([0, 10e-3, 2e-3, 2e-3, 5e-3, 2e-3, 5e-3, 0.0, 0.0, 10e-3, 2e-3, 10e-3])


@dataclass(frozen=True)
class GasClass:
    """Wesely (1989) Table 2 parameters: D_H2O/D_x, effective Henry's law constant H* (M atm-1), reactivity f0."""

    diffusivity_ratio: float
    henry: float
    reactivity: float
    description: str = ""


@dataclass(frozen=True)
class ParticleClass:
    diameter: float  # m
    density: float  # kg m-3
    description: str = ""


@dataclass(frozen=True)
class NoDeposition:
    description: str = ""


DEPOSITION_CLASSES = {
    "so2": GasClass(1.9, 1.0e5, 0.0, "sulfur dioxide"),
    "o3": GasClass(1.6, 1.0e-2, 1.0, "ozone"),
    "no2": GasClass(1.6, 1.0e-2, 0.1, "nitrogen dioxide"),
    "no": GasClass(1.3, 2.0e-3, 0.0, "nitric oxide"),
    "hno3": GasClass(1.9, 1.0e14, 0.0, "nitric acid"),
    "h2o2": GasClass(1.4, 1.0e5, 1.0, "hydrogen peroxide"),
    "nh3": GasClass(1.0, 2.0e4, 0.0, "ammonia"),
    "pan": GasClass(2.6, 3.6, 0.1, "peroxyacetyl nitrate"),
    "hcho": GasClass(1.3, 6.0e3, 0.0, "formaldehyde"),
    "ald": GasClass(1.6, 15.0, 0.0, "acetaldehyde and higher aldehydes"),
    "op": GasClass(1.6, 240.0, 0.1, "organic peroxides (methyl hydroperoxide)"),
    "ora": GasClass(1.6, 4.0e6, 0.0, "organic acids (formic acid)"),
    "hono": GasClass(1.6, 1.0e5, 0.1, "nitrous acid"),
    "co": NoDeposition("carbon monoxide: negligible dry deposition"),
    "inert": NoDeposition("no dry deposition"),
    "pm_fine": ParticleClass(0.5e-6, 1500.0, "fine particles (PM2.5 accumulation mode)"),
    "pm_coarse": ParticleClass(5.0e-6, 2000.0, "coarse particles (PM2.5-10)"),
}


def deposition_class(name: str, where: str = "deposition class"):
    try:
        return DEPOSITION_CLASSES[name]
    except KeyError:
        raise InputError(f"{where}: unknown dry-deposition class {name!r}; choose one of: "
                         f"{', '.join(DEPOSITION_CLASSES)}") from None


def aerodynamic_resistance(reference_height, z0, ustar, obukhov_length):
    """r_a (s m-1) between the reference height and z0, for heat and scalars."""
    zr = np.maximum(reference_height, 1.01 * z0)
    return (np.log(zr / z0) - psi_h(zr / obukhov_length) + psi_h(z0 / obukhov_length)) / (VON_KARMAN * ustar)


def quasi_laminar_resistance(ustar, diffusivity_ratio):
    """r_b (s m-1) for a gas: 2/(k u*) (Sc/Pr)^(2/3)."""
    schmidt = KINEMATIC_VISCOSITY / (DIFFUSIVITY_H2O / diffusivity_ratio)
    return 2.0 / (VON_KARMAN * ustar) * (schmidt / PRANDTL) ** (2.0 / 3.0)


def _parallel(*resistances):
    """1 / sum(1/r); an INFINITE (or larger) resistance is an open circuit, a zero one a short circuit."""
    conductance = sum(np.where(r >= INFINITE, 0.0, 1.0 / np.maximum(r, 1e-10)) for r in resistances)
    return 1.0 / np.maximum(conductance, 1.0 / INFINITE)


def _ratio(conductance_terms):
    """1 / sum(a_i / r_i) where each term is (a_i, r_i). A tabulated 0 (Wesely's r_gs(SO2) over water and
    wetland: instantaneous uptake of soluble gases) is taken as 1 s m-1, so that it does not also make insoluble
    gases such as O3 deposit instantly."""
    total = 0.0
    for a, r in conductance_terms:
        if a == 0.0:
            continue
        total = total + np.where(r >= INFINITE, 0.0, a / np.maximum(r, 1.0))
    return 1.0 / np.maximum(total, 1.0 / INFINITE)


def surface_resistance(gas: GasClass, wesely_lu, shortwave_down, surface_temperature_c, wet=None, dew=None,
                       is_so2=False, is_o3=False):
    """Bulk surface resistance r_c (s m-1) of Wesely (1989), midsummer, on [ny, nx] arrays."""
    lu = np.asarray(wesely_lu)
    G = np.maximum(shortwave_down, 0.0)
    ts = np.asarray(surface_temperature_c, dtype=float)
    wet = np.zeros(lu.shape, bool) if wet is None else np.asarray(wet, bool)
    dew = np.zeros(lu.shape, bool) if dew is None else (np.asarray(dew, bool) & ~wet)
    hstar, f0 = gas.henry, gas.reactivity
    ri = _W_RI[lu]
    # eq. 3: stomatal resistance, closed outside 0..40 C; x3 on wet leaves (Wesely 1989, section on dew and rain).
    ts_ok = (ts > 0.1) & (ts < 39.9)
    tsc = np.clip(ts, 0.2, 39.8)
    rs = np.where(ts_ok & (ri < INFINITE), ri * (1 + (200.0 / (G + 0.1)) ** 2) * (400.0 / (tsc * (40.0 - tsc))),
                  INFINITE)
    rs = np.where((wet | dew) & (rs < INFINITE), 3.0 * rs, rs)
    rsx = np.where(rs < INFINITE, rs * gas.diffusivity_ratio, INFINITE)
    rmx = 1.0 / (hstar / 3000.0 + 100.0 * f0)  # eq. 6
    # Low-temperature increase of the non-stomatal resistances (eq. 9 note): + 1000 exp(-Ts - 4).
    cold = 1000.0 * np.exp(-ts - 4.0)
    rlu = _W_RLU[lu] + cold
    rlux = np.where(rlu < INFINITE, rlu / (1e-5 * hstar + f0), INFINITE)  # eq. 7
    # Wet upper canopy (eqs. 10-14, Walmsley and Wesely 1996).
    veg = rlu < INFINITE
    if is_so2:
        dew_val = np.where(lu == 1, 50.0, 100.0)
        rain_val = np.where(lu == 1, 50.0, 1.0 / (1.0 / 5000.0 + 1.0 / (3.0 * rlu)))
        rlux = np.where(dew & veg, dew_val, np.where(wet & veg, rain_val, rlux))
    else:
        rlu_o3_dew = 1.0 / (1.0 / 3000.0 + 1.0 / (3.0 * rlu))
        rlu_o3_rain = 1.0 / (1.0 / 1000.0 + 1.0 / (3.0 * rlu))
        if is_o3:
            rlux = np.where(dew & veg, rlu_o3_dew, np.where(wet & veg, rlu_o3_rain, rlux))
        else:
            def wet_x(rlu_o3):
                return 1.0 / (1.0 / (3.0 * rlu / (1e-5 * hstar + f0)) + 1e-7 * hstar + f0 / rlu_o3)
            rlux = np.where(dew & veg, wet_x(rlu_o3_dew), np.where(wet & veg, wet_x(rlu_o3_rain), rlux))
    rdc = 100.0 * (1.0 + 1000.0 / (G + 10.0))  # eq. 5, flat terrain
    rclx = _ratio([(1e-5 * hstar, _W_RCLS[lu] + cold), (f0, _W_RCLO[lu] + cold)])  # eq. 8
    rgsx = _ratio([(1e-5 * hstar, _W_RGSS[lu] + cold), (f0, _W_RGSO[lu] + cold)])  # eq. 9
    rac = _W_RAC[lu]
    return _parallel(np.where(rsx < INFINITE, rsx + rmx, INFINITE), rlux, rdc + rclx, rac + rgsx)


def cunningham(diameter):
    lam = MEAN_FREE_PATH
    return 1.0 + 2.0 * lam / diameter * (1.257 + 0.4 * np.exp(-0.55 * diameter / lam))


def settling_velocity(diameter, density):
    """Stokes settling with the slip correction (m s-1)."""
    return density * diameter ** 2 * GRAVITY * cunningham(diameter) / (18.0 * DYNAMIC_VISCOSITY)


def particle_deposition_velocity(particle: ParticleClass, wesely_lu, ustar, ra, temperature):
    lu = np.asarray(wesely_lu)
    d = particle.diameter
    vs = settling_velocity(d, particle.density)
    diffusivity = BOLTZMANN * temperature * cunningham(d) / (3.0 * np.pi * DYNAMIC_VISCOSITY * d)
    schmidt = KINEMATIC_VISCOSITY / diffusivity
    alpha, gamma, A = _Z_ALPHA[lu], _Z_GAMMA[lu], _Z_A[lu]
    smooth = A <= 0.0
    A_safe = np.where(smooth, 1.0, A)
    stokes = np.where(smooth, vs * ustar ** 2 / KINEMATIC_VISCOSITY, vs * ustar / (GRAVITY * A_safe))
    e_b = schmidt ** (-gamma)
    e_im = (stokes / (alpha + stokes)) ** 2
    e_in = np.where(smooth, 0.0, 0.5 * (d / A_safe) ** 2)
    r1 = np.exp(-np.sqrt(stokes))
    rs = 1.0 / (3.0 * ustar * (e_b + e_im + e_in) * r1)
    return vs + 1.0 / (ra + rs)


class DryDeposition:
    """Dry-deposition velocities (m s-1) on [ny, nx] for species classes, from a MetSnapshot.

    ``reference_height`` defaults to the lowest layer's midpoint, the height the model's lowest concentration
    represents.
    """

    def __init__(self, grid: Grid, reference_height: float | None = None):
        self.grid = grid
        self.reference_height = (float(grid.layers.midpoints[0]) if reference_height is None
                                 else float(reference_height))

    def velocity(self, name: str, met: MetSnapshot) -> np.ndarray:
        return self.velocities([name], met)[0]

    def velocities(self, names, met: MetSnapshot) -> np.ndarray:
        """[len(names), ny, nx] deposition velocities for the named classes."""
        classes = [deposition_class(n) for n in names]
        need = ("friction_velocity", "monin_obukhov_length", "roughness_length", "land_use")
        missing = [f for f in need if getattr(met, f) is None]
        out = np.zeros((len(names),) + self.grid.terrain.shape)
        if all(isinstance(c, NoDeposition) for c in classes):
            return out
        if missing:
            raise InputError(f"dry deposition needs the meteorology's {', '.join(missing)}; the source "
                             f"does not provide them (use a constant dry_deposition_velocity instead)")
        ustar, L, z0 = met.friction_velocity, met.monin_obukhov_length, met.roughness_length
        lu = wesely_type(met.land_use)
        ra = aerodynamic_resistance(self.reference_height, z0, ustar, L)
        t2 = met.temperature_2m if met.temperature_2m is not None else met.temperature[0]
        ts = kelvin_to_celsius(t2)
        G = met.shortwave_down if met.shortwave_down is not None else np.zeros_like(ts)
        wet = (met.precipitation > 1e-5) if met.precipitation is not None else None  # > 0.036 mm/h
        dew = None
        if met.relative_humidity is not None:
            dew = (met.relative_humidity[0] > 0.95) & (G < 10.0)
        first_row = {}  # species of one class share its velocity (eight pm_fine species in grs_aero): computed once
        for n, (name, c) in enumerate(zip(names, classes)):
            if isinstance(c, NoDeposition):
                continue
            if name in first_row:
                out[n] = out[first_row[name]]
                continue
            first_row[name] = n
            if isinstance(c, ParticleClass):
                out[n] = particle_deposition_velocity(c, lu, ustar, ra, t2)
                continue
            rb = quasi_laminar_resistance(ustar, c.diffusivity_ratio)
            rc = surface_resistance(c, lu, G, ts, wet, dew, is_so2=(name == "so2"), is_o3=(name == "o3"))
            out[n] = 1.0 / (ra + rb + rc)
        return out
