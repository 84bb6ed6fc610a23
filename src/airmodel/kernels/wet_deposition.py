"""Wet scavenging of a column by rain: below-cloud washout and in-cloud scavenging (rainout).

Nothing here imports ``airmodel``; no I/O. Index order [s, k, j, i]; masses in kg (kernels/README.md).

For a column with precipitation flux P (kg m-2 s-1 = mm s-1) at the ground, each species s and layer k lose mass
at the first-order rate Lambda (s-1), solved exactly over the step:

    m(t + dt) = m(t) exp(-Lambda dt),   deposited = m(t) (1 - exp(-Lambda dt)) <= m(t),

so no step or rain rate can remove more than there is, and what leaves the air is what reaches the ground
(the budget closes to round-off). Lambda is, in layer k:

- below cloud (no cloud water in the layer, below the highest cloudy layer of the column, or anywhere in a
  column that rains without cloud water): the washout coefficient ``washout[s] * P`` (linear in the rain rate,
  ``washout`` in s-1 per kg m-2 s-1);
- in a cloudy layer (cloud fraction f > 0 and cloud water q_c > 0): f eps k_rain + (1 - f) washout P, with the
  rate at which the column's cloud water turns into rain, k_rain = P / W (W = sum_k rho q_c dz, the column's
  cloud water, kg m-2: in steady state the rain leaving a column is its condensate times k_rain; Giorgi and
  Chameides 1986, JGR 91, 14367; Liu et al. 2001, JGR 106, 12109, eq. 1), and eps the fraction of the species
  in cloud water:
  - an aerosol species: its fixed activated fraction ``incloud[s]``;
  - a soluble gas (``henry[s] > 0``): eps = H* R T L / (1 + H* R T L), with the in-cloud liquid water volume
    fraction L = rho q_c / (f rho_w) and the effective Henry's law constant H* (M atm-1) at the layer's
    temperature and the fixed cloud-water [H+] (Seinfeld and Pandis 2016, eqs. 7.5, 7.34-7.36):
    acid: H* = H (1 + K1/[H+] + K1 K2/[H+]^2); base: H* = H (1 + Kb [H+]/Kw).
"""

import math

from numba import njit, prange

#: Gas constant in L atm mol-1 K-1 (Henry's law constants in M atm-1).
R_LITRE_ATM = 0.082057366
#: Density of liquid water (kg m-3).
WATER_DENSITY = 1000.0
#: Temperature at which equilibrium constants are tabulated (K).
T_REFERENCE = 298.15


@njit(cache=True)
def equilibrium_constant(k298, coefficient, temperature):
    """K(T) = K298 exp(C (1/T - 1/298.15)), C = -dH/R (K)."""
    return k298 * math.exp(coefficient * (1.0 / temperature - 1.0 / T_REFERENCE))


@njit(cache=True)
def effective_henry(henry, acid1, acid2, base, water_ion_product, hydrogen_ion, temperature):
    """H* (M atm-1) of one gas; each constant a (K298, C) pair in a length-2 array (zero K298: absent)."""
    h = equilibrium_constant(henry[0], henry[1], temperature)
    factor = 1.0
    if acid1[0] > 0.0:
        k1 = equilibrium_constant(acid1[0], acid1[1], temperature)
        factor += k1 / hydrogen_ion
        if acid2[0] > 0.0:
            factor += k1 * equilibrium_constant(acid2[0], acid2[1], temperature) / (hydrogen_ion * hydrogen_ion)
    if base[0] > 0.0:
        kw = equilibrium_constant(water_ion_product[0], water_ion_product[1], temperature)
        factor += equilibrium_constant(base[0], base[1], temperature) * hydrogen_ion / kw
    return h * factor


@njit(cache=True)
def aqueous_fraction(effective_henry_constant, temperature, liquid_volume_fraction):
    """The fraction of a gas in cloud water at Henry's law equilibrium: x / (1 + x), x = H* R T L."""
    x = effective_henry_constant * R_LITRE_ATM * temperature * liquid_volume_fraction
    return x / (1.0 + x)


@njit(cache=True, parallel=True, nogil=True)
def scavenge(tracer_mass, slots, washout, incloud, henry, acid1, acid2, base, water_ion_product, hydrogen_ion,
             precipitation, cloud_fraction, cloud_water, air_density, temperature, thickness, dt, deposited):
    """Remove the rain's share of tracer_mass[slots[n]] in place over dt seconds; add the mass removed from each
    column to deposited[n, j, i] (kg).

    slots [n] int64: the state's species index of each scavenged species; washout [n] s-1 per kg m-2 s-1;
    incloud [n] activated fraction (aerosols; 0 for gases); henry, acid1, acid2, base [n, 2] (K298, C) with
    henry[n, 0] > 0 for a soluble gas; water_ion_product [2]; hydrogen_ion (M); precipitation [ny, nx]
    kg m-2 s-1; cloud_fraction, cloud_water (kg kg-1), air_density (kg m-3), temperature (K) [nz, ny, nx];
    thickness [nz] m.
    """
    ns = slots.shape[0]
    nz, ny, nx = cloud_water.shape
    for j in prange(ny):
        for i in range(nx):
            p = precipitation[j, i]
            if not p > 0.0:
                continue
            column_water = 0.0
            top = -1
            for k in range(nz):
                if cloud_water[k, j, i] > 0.0 and cloud_fraction[k, j, i] > 0.0:
                    column_water += air_density[k, j, i] * cloud_water[k, j, i] * thickness[k]
                    top = k
            rain_rate = p / column_water if top >= 0 else 0.0
            for k in range(nz):
                if top >= 0 and k > top:
                    break
                f = cloud_fraction[k, j, i]
                cloudy = cloud_water[k, j, i] > 0.0 and f > 0.0
                f = min(f, 1.0) if cloudy else 0.0
                liquid = air_density[k, j, i] * cloud_water[k, j, i] / (f * WATER_DENSITY) if cloudy else 0.0
                for n in range(ns):
                    rate = (1.0 - f) * washout[n] * p
                    if cloudy:
                        eps = incloud[n]
                        if henry[n, 0] > 0.0:
                            hstar = effective_henry(henry[n], acid1[n], acid2[n], base[n], water_ion_product,
                                                    hydrogen_ion, temperature[k, j, i])
                            eps = aqueous_fraction(hstar, temperature[k, j, i], liquid)
                        rate += f * eps * rain_rate
                    if rate > 0.0:
                        s = slots[n]
                        m = tracer_mass[s, k, j, i]
                        removed = -m * math.expm1(-rate * dt)  # m (1 - exp(-rate dt)), never above m
                        tracer_mass[s, k, j, i] = m - removed
                        deposited[n, j, i] += removed

