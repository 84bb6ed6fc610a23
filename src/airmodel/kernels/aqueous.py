"""Aqueous-phase oxidation of S(IV) to sulfate in cloud water, by H2O2 and by O3, at a fixed cloud-water pH.

Nothing here imports ``airmodel``; no I/O. Index order [s, k, j, i]; masses in kg (kernels/README.md).

In the cloudy part of a cell (cloud fraction f, liquid water volume fraction of the cloudy air
L = rho q_c / (f rho_w)), each gas is at Henry's law equilibrium between the air and the droplets (Seinfeld and
Pandis 2016, Atmospheric Chemistry and Physics, 3rd ed., ch. 7): with c_i its total (gas + dissolved) amount per
litre of air and H*_i its effective Henry's law constant (M atm-1), its partial pressure is

    p_i = c_i R T / (1 + H*_i R T L).

The aqueous rates (M s-1) are products of the two partial pressures, R_aq = k_aq p_S p_ox, with (S(IV) = SO2.H2O +
HSO3- + SO3=, [HSO3-] = H_S K1 p_S / [H+], [SO3=] = H_S K1 K2 p_S / [H+]^2):

- H2O2: R = k [H+] [H2O2(aq)] [HSO3-] / (1 + K [H+])  ->  k_aq = k H_H2O2 H_SO2 K1 / (1 + K [H+])
  (Hoffmann and Calvert 1985; Seinfeld and Pandis 2016, ch. 7);
- O3:   R = (k0 [SO2.H2O] + k1 [HSO3-] + k2 [SO3=]) [O3(aq)]
        ->  k_aq = H_O3 H_SO2 (k0 + k1 K1 / [H+] + k2 K1 K2 / [H+]^2)
  (Hoffmann and Calvert 1985; Seinfeld and Pandis 2016, ch. 7).

The loss per litre of air is L R_aq, so the mixing ratios x (mol mol-1) of S(IV) and of the oxidant obey

    dx_S/dt = dx_ox/dt = -k2 x_S x_ox,   k2 = L k_aq (R T)^2 n_air / ((1 + H*_S R T L) (1 + H*_ox R T L)),

with n_air the moles of air per litre. One mole of oxidant takes one mole of S(IV) (H2O2 + HSO3- -> SO4= + H2O + H+;
O3 + S(IV) -> S(VI) + O2), so x_S - x_ox is constant and the system has the closed-form solution (A0 >= B0 the two
initial mixing ratios, Delta = A0 - B0):

    consumed(t) = A0 B0 g / (1 + B0 g),   g = (1 - exp(-k2 Delta t)) / Delta

(g -> k2 t as Delta -> 0, written without the cancellation), never more than B0, the smaller of the two. The two
paths share SO2: each model step applies them as O3 over dt/2, H2O2 over dt, O3 over dt/2 (Strang splitting), each
exactly. The cloudy part reacts and mixes with the clear part at the end of the step: the cell loses f times the
cloudy air's consumption. What leaves SO2 enters sulfate mole for mole, so sulfur is conserved to round-off and no
concentration can become negative.
"""

import math

from numba import njit, prange

# The gas constant in L atm mol-1 K-1, the density of liquid water, the reference temperature 298.15 K and
# K(T) = K298 exp(C (1/T - 1/298.15)) (C = -dH/R, or -E/R for a rate constant) are the wet deposition's.
from .wet_deposition import R_LITRE_ATM, T_REFERENCE, WATER_DENSITY
from .wet_deposition import equilibrium_constant as at_temperature

#: Molar mass of dry air (kg mol-1).
MOLAR_MASS_AIR = 0.0289647

__all__ = ["R_LITRE_ATM", "T_REFERENCE", "WATER_DENSITY", "MOLAR_MASS_AIR", "at_temperature", "consumed",
           "rate_coefficients", "oxidise"]


@njit(cache=True)
def consumed(a0, b0, k2, t):
    """What dA/dt = dB/dt = -k2 A B removes from each of A and B (A(0) = a0, B(0) = b0, both >= 0) in time t:
    the closed form of the module docstring, never more than min(a0, b0)."""
    if not (a0 > 0.0 and b0 > 0.0 and k2 > 0.0 and t > 0.0):
        return 0.0
    big = max(a0, b0)
    small = min(a0, b0)
    delta = big - small
    z = k2 * delta * t
    # phi(z) = (1 - exp(-z)) / z, with its series where the quotient would lose digits
    phi = -math.expm1(-z) / z if z > 1e-5 else 1.0 - z / 2.0 + z * z / 6.0 - z * z * z / 24.0
    g = k2 * t * phi
    return min(big * small * g / (1.0 + small * g), small)


@njit(cache=True)
def rate_coefficients(temperature, hydrogen_ion, liquid, air_molar_density, so2_henry, so2_acid1, so2_acid2,
                      h2o2_henry, h2o2_rate, h2o2_equilibrium, o3_henry, o3_k0, o3_k1, o3_k2):
    """(k2 of the H2O2 path, k2 of the O3 path) in s-1 per unit mixing ratio, in cloudy air at ``temperature`` (K),
    [H+] = ``hydrogen_ion`` (M), liquid water volume fraction ``liquid`` and ``air_molar_density`` (mol L-1).
    Each constant is a (value at 298.15 K, C in K) pair (see ``at_temperature``)."""
    t = temperature
    h_s = at_temperature(so2_henry[0], so2_henry[1], t)
    k1 = at_temperature(so2_acid1[0], so2_acid1[1], t)
    k2a = at_temperature(so2_acid2[0], so2_acid2[1], t)
    h_h = at_temperature(h2o2_henry[0], h2o2_henry[1], t)
    h_o = at_temperature(o3_henry[0], o3_henry[1], t)
    hplus = hydrogen_ion
    hstar_s = h_s * (1.0 + k1 / hplus + k1 * k2a / (hplus * hplus))
    rt = R_LITRE_ATM * t
    common = liquid * rt * rt * air_molar_density / (1.0 + hstar_s * rt * liquid)
    k_h2o2 = (at_temperature(h2o2_rate[0], h2o2_rate[1], t) * h_h * h_s * k1
              / (1.0 + h2o2_equilibrium * hplus))
    k_o3 = h_o * h_s * (at_temperature(o3_k0[0], o3_k0[1], t) + at_temperature(o3_k1[0], o3_k1[1], t) * k1 / hplus
                        + at_temperature(o3_k2[0], o3_k2[1], t) * k1 * k2a / (hplus * hplus))
    return (common * k_h2o2 / (1.0 + h_h * rt * liquid), common * k_o3 / (1.0 + h_o * rt * liquid))


@njit(cache=True, parallel=True, nogil=True)
def oxidise(tracer_mass, so2, sulfate, h2o2, o3, molar_mass, hydrogen_ion, cloud_fraction, cloud_water,
            air_density, temperature, cell_volume, dt, so2_henry, so2_acid1, so2_acid2, h2o2_henry, h2o2_rate,
            h2o2_equilibrium, o3_henry, o3_k0, o3_k1, o3_k2, oxidised):
    """Oxidise SO2 to sulfate in the cloudy part of every cell over dt seconds, in place.

    tracer_mass [ns, nz, ny, nx] kg; so2, sulfate, h2o2, o3: the state's species indices (h2o2 or o3 -1 where the
    mechanism lacks the oxidant); molar_mass [ns] kg mol-1; hydrogen_ion (M); cloud_fraction (1), cloud_water
    (kg kg-1), air_density (kg m-3), temperature (K), cell_volume (m3) [nz, ny, nx]; the constants as (K298, C)
    pairs (h2o2_equilibrium: K in M-1). oxidised [nz, ny, nx] receives the moles of SO2 turned into sulfate.
    """
    nz, ny, nx = cloud_water.shape
    m_s = molar_mass[so2]
    m_p = molar_mass[sulfate]
    for k in prange(nz):
        for j in range(ny):
            for i in range(nx):
                oxidised[k, j, i] = 0.0
                f = cloud_fraction[k, j, i]
                qc = cloud_water[k, j, i]
                if not (f > 0.0 and qc > 0.0):
                    continue
                f = min(f, 1.0)
                rho = air_density[k, j, i]
                liquid = rho * qc / (f * WATER_DENSITY)
                n_air = rho * cell_volume[k, j, i] / MOLAR_MASS_AIR  # mol of air in the cell
                k_h, k_o = rate_coefficients(temperature[k, j, i], hydrogen_ion, liquid,
                                             rho / MOLAR_MASS_AIR / 1000.0, so2_henry, so2_acid1, so2_acid2,
                                             h2o2_henry, h2o2_rate, h2o2_equilibrium, o3_henry, o3_k0, o3_k1,
                                             o3_k2)
                # mixing ratios in the cloudy air (that of the cell: uniform within it at the start of the step)
                x_s = tracer_mass[so2, k, j, i] / m_s / n_air
                x_h = tracer_mass[h2o2, k, j, i] / molar_mass[h2o2] / n_air if h2o2 >= 0 else 0.0
                x_o = tracer_mass[o3, k, j, i] / molar_mass[o3] / n_air if o3 >= 0 else 0.0
                used_h = 0.0
                used_o = 0.0
                if o3 >= 0:
                    p = consumed(x_s, x_o, k_o, 0.5 * dt)
                    x_s -= p
                    x_o -= p
                    used_o += p
                if h2o2 >= 0:
                    p = consumed(x_s, x_h, k_h, dt)
                    x_s -= p
                    used_h += p
                if o3 >= 0:
                    used_o += consumed(x_s, x_o, k_o, 0.5 * dt)
                # mixing ratios consumed in the cloudy air -> moles in the cell (never more than there is: the
                # bounds act on round-off only, as each consumption is at most what its reactants hold)
                n_s = tracer_mass[so2, k, j, i] / m_s
                moles_h = min(f * n_air * used_h, tracer_mass[h2o2, k, j, i] / molar_mass[h2o2]) if h2o2 >= 0 else 0.0
                moles_o = min(f * n_air * used_o, tracer_mass[o3, k, j, i] / molar_mass[o3]) if o3 >= 0 else 0.0
                moles = moles_h + moles_o
                if not moles > 0.0:
                    continue
                if moles > n_s:
                    moles_h *= n_s / moles
                    moles_o *= n_s / moles
                    moles = n_s
                tracer_mass[so2, k, j, i] = max(tracer_mass[so2, k, j, i] - moles * m_s, 0.0)
                tracer_mass[sulfate, k, j, i] += moles * m_p
                if h2o2 >= 0:
                    tracer_mass[h2o2, k, j, i] = max(tracer_mass[h2o2, k, j, i] - moles_h * molar_mass[h2o2], 0.0)
                if o3 >= 0:
                    tracer_mass[o3, k, j, i] = max(tracer_mass[o3, k, j, i] - moles_o * molar_mass[o3], 0.0)
                oxidised[k, j, i] = moles
