"""Gas-phase and aerosol chemistry of a compiled mechanism: rates, tendencies, the analytic Jacobian, a Rosenbrock
integrator per cell, and the drivers for a 3-D grid (parallel over cells) and for a box model.

The mechanism arrives as arrays (:class:`MechanismArrays`, built by ``airmodel.chemistry.mechanism``); no source
code is generated. Generic loops over those arrays give:

- rate constants k_r (thermal part once per cell and call; photolysis and the OH proxy at each stage time);
- reaction rates (mass action) r_r = k_r prod_{reactants p} y_p;
- tendencies f_s = sum_r nu_{s,r} r_r + E_s + D (b_s - y_s), with nu the *net* stoichiometric coefficient
  (products minus reactants, so a catalyst such as ROC in GRS' R1 has nu = 0), E an emission rate and D a
  first-order dilution towards a background b (box model only);
- the Jacobian d f_s / d y_q = sum_r nu_{s,r} k_r prod_{p != one occurrence of q} y_p - D delta_{sq}.

Units inside: every species, aerosol components included, is a mole fraction in ppb (nmol mol-1); time in s.
Rate constants are converted to ppb and s when the mechanism is compiled (ppm-min constants, GRS) or here
(molecule cm-3 constants, which need the air number density M: k_ppb = k (1e-9 M)^(n-1) for n reactants).

Integrator: a Rosenbrock method (``rosenbrock.py``: ROS2 or RODAS3) with an embedded error estimate and step-size
control, on the *solved* species only (those in any reaction, plus any with emissions or dilution). The time
derivative f_t, needed because photolysis changes within a step, is a forward difference over 1 ms. Species that
are never reactants have zero Jacobian columns (apart from dilution), so with the reactants ordered first the stage
matrix is block lower triangular: an LU of the reactant block (7 x 7 in grs_aero) and one division per other
species. The step size is remembered between calls: each cell starts from the step its solver would have taken
next at the end of the previous call (``next_step`` in ``chemistry_3d``; the box model carries it from segment to
segment), so a cell does not ramp up from a tiny first step every call. The 3-D result therefore depends on that
carried step as well as on the state; the checkpoint saves it (``chemistry_next_step``), so that a restarted run
equals a straight one.

Positivity. A step is rejected (and halved) when a component ends below -atol_s, i.e. when the negative value
is not explained by the accepted truncation error. Smaller negatives of an accepted step are set to zero
*mass-consistently*: the deficit is taken from the other positive members of the species' conserved-element
family (N or S) in proportion to their amount, so the element total is unchanged; species with no conserved
element are simply set to zero. Linear invariants are otherwise kept by the Rosenbrock stages themselves (to
round-off), because every stage is a linear combination of f and J, which both conserve them.

After the kinetic step the NH3-HNO3-sulfate equilibrium (``aerosol.py``) repartitions gas and particles.

Determinism: every cell is independent (no cross-cell sums), so results are bitwise the same with any number of
threads.
"""
from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit, prange

from .aerosol import nh4no3_dissociation_constant, partition_ammonium_nitrate
from .photolysis import cloud_attenuation, cos_zenith, declination_and_equation_of_time, mcm_photolysis_all
from .rosenbrock import lu_factor, lu_solve, next_step_factor

AVOGADRO = 6.02214076e23  # mol-1 (SI 2019, exact)
MOLAR_MASS_AIR = 28.9647  # g mol-1, dry air
PPB = 1e-9

RATE_CONSTANT = 0       # k = p0
RATE_ARRHENIUS = 1      # k = p0 exp(-p1 / T) (T / 300)^p2
RATE_TROE = 2           # k0 = p0 (T/300)^-p1 [M], kinf = p2 (T/300)^-p3, Fc = p4: JPL fall-off form
RATE_LINEAR_M = 3       # k = p0 (1 + [M] / p1)
RATE_HUMIDITY_CLOUD = 4  # k = p0 ((1 - f_c) RH^p1 + f_c 100^p1), RH in %
RATE_FALLOFF = 5        # Troe fall-off with exponential terms and a width N (IUPAC / CB05 form): see falloff()
RATE_ARRHENIUS_M = 6    # k = p0 exp(-p1/T) + p2 exp(-p3/T) [M] (e.g. HO2 + HO2)
RATE_OH_HNO3 = 7        # k = k0 + k3[M] / (1 + k3[M]/k2), ki = A_i exp(-E_i/T) (OH + HNO3; p0..p5 = A0 E0 A2 E2 A3 E3)
#: the number densities a rate constant can be multiplied by (factors M, O2, N2, H2O in a .mech rate)
FIXED_FACTORS = ("M", "O2", "N2", "H2O")
#: mole fractions of O2 and N2 in dry air (US Standard Atmosphere 1976, Table 3)
O2_FRACTION = 0.20946
N2_FRACTION = 0.78084
BOLTZMANN = 1.380649e-23  # J K-1 (SI 2019, exact)
N_RATE_PARAMETERS = 8

STATUS_OK = 0
STATUS_TOO_MANY_STEPS = 1
STATUS_STEP_TOO_SMALL = 2
STATUS_SINGULAR = 3

TIME_DERIVATIVE_DELTA = 1e-3  # s
CELLS_PER_CHUNK = 32
#: 1/phi, the golden ratio's inverse: the stride of the chunk order (chunk_stride)
GOLDEN_FRACTION = 0.6180339887498949

#: The compiled mechanism (see airmodel/chemistry/mechanism.py for how each array is built).
MechanismArrays = namedtuple("MechanismArrays", [
    "molar_mass",          # f8[ns] g mol-1
    "reactants",           # i8[nr, 3] species index of each reactant occurrence, -1 padding
    "n_reactants",         # i8[nr]
    "net_start",           # i8[nr + 1] CSR pointers into net_species / net_coef
    "net_species",         # i8[nnet]
    "net_coef",            # f8[nnet] net stoichiometric coefficients (products - reactants), zeros dropped
    "rate_type",           # i8[nr] one of the RATE_* codes
    "rate_par",            # f8[nr, 8]
    "rate_scale",          # f8[nr] constant factor, includes the ppm-min -> ppb-s conversion
    "molecule_units",      # i8[nr] 1: the constant is in molecule cm-3 s units (times (1e-9 M)^(n-1))
    "photolysis_index",    # i8[nr] index into photolysis_par multiplying k, or -1
    "oh_factor",           # i8[nr] 1: k is multiplied by the OH proxy (molecule cm-3)
    "fixed_power",         # i8[nr, 4] powers of the number densities [M], [O2], [N2], [H2O] multiplying k
    "photolysis_par",      # f8[nj, 3] MCM l, m, n
    "oh_photolysis",       # i8 index of the J driving the OH proxy, -1 if none
    "oh_par",              # f8[3] OH_ref (molecule cm-3), J_ref (s-1), exponent
    "cloud_par",           # f8[2] a, b of the cloud attenuation 1 - a f^b
    "element_weight",      # f8[ne, ns] atoms of each conserved element per molecule
    "element_of",          # i8[ns] the conserved element a species carries, -1 if none
    "equilibrium",         # i8[5] NH3, HNO3, NH4+, NO3-, SO4= species indices (all -1: no equilibrium)
])

Workspace = namedtuple("Workspace", "k_thermal k_now k_stage j_values f_now f_stage f_time y_stage y_new "
                                    "stage_k jac matrix pivot rhs")


@njit(cache=True, error_model="numpy")
def allocate_workspace(n_species, n_reactions, n_photolysis, n_solved, n_coupled, n_stages):
    return Workspace(np.empty(n_reactions), np.empty(n_reactions), np.empty(n_reactions),
                     np.empty(max(n_photolysis, 1)), np.empty(n_species), np.empty(n_species),
                     np.empty(n_species), np.empty(n_species), np.empty(n_species),
                     np.empty((n_stages, n_solved)), np.empty((n_solved, n_solved)),
                     np.empty((n_coupled, n_coupled)), np.empty(n_coupled, dtype=np.int64), np.empty(n_solved))


# ---------------------------------------------------------------------------------------------------------------
# Rate constants
# ---------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def air_number_density(air_density):
    """Molecules of air per cm3 from the air density (kg m-3)."""
    return air_density / (MOLAR_MASS_AIR * 1e-3) * AVOGADRO * 1e-6


@njit(cache=True, error_model="numpy")
def troe_jpl(k0_300, n0, kinf_300, ninf, fc, temperature, air_number_density):
    """Fall-off rate constant (cm3 molecule-1 s-1), JPL form (Sander et al., JPL Publication 06-2):
    k = k0[M] kinf / (k0[M] + kinf) * Fc^(1 / (1 + log10(k0[M]/kinf)^2)), k0 = k0_300 (T/300)^-n0, etc."""
    tr = temperature / 300.0
    k0m = k0_300 * tr ** (-n0) * air_number_density
    kinf = kinf_300 * tr ** (-ninf)
    ratio = k0m / kinf
    x = math.log10(ratio)
    return k0m / (1.0 + ratio) * fc ** (1.0 / (1.0 + x * x))


@njit(cache=True, error_model="numpy")
def falloff(a0, e0, n0, ainf, einf, ninf, fc, width, temperature, air_number_density):
    """Troe fall-off rate constant in the IUPAC form that the CB05 report (Yarwood et al. 2005, Table 2) writes
    for every pressure-dependent reaction:
    k = k0[M] / (1 + k0[M]/kinf) * Fc^(1 / (1 + (log10(k0[M]/kinf) / N)^2)), with
    k0 = a0 exp(-e0/T) (T/300)^n0 and kinf = ainf exp(-einf/T) (T/300)^ninf. With e0 = einf = 0 and N = 1 it is the
    JPL form of troe_jpl (there written with exponents -n). k0 in cm6 molecule-2 s-1 (cm3 molecule-1 s-1 for a
    decomposition), kinf in cm3 molecule-1 s-1 (s-1)."""
    t = temperature
    tr = t / 300.0
    k0m = a0 * math.exp(-e0 / t) * tr ** n0 * air_number_density
    kinf = ainf * math.exp(-einf / t) * tr ** ninf
    ratio = k0m / kinf
    x = math.log10(ratio) / width
    return k0m / (1.0 + ratio) * fc ** (1.0 / (1.0 + x * x))


@njit(cache=True, error_model="numpy")
def oh_hno3(a0, e0, a2, e2, a3, e3, temperature, air_number_density):
    """OH + HNO3 (JPL 15-10 and IUPAC): k = k0 + k3[M] / (1 + k3[M]/k2), ki = A_i exp(-E_i/T)."""
    t = temperature
    k0 = a0 * math.exp(-e0 / t)
    k2 = a2 * math.exp(-e2 / t)
    k3m = a3 * math.exp(-e3 / t) * air_number_density
    return k0 + k3m / (1.0 + k3m / k2)


@njit(cache=True, error_model="numpy")
def water_number_density(temperature, rh_percent):
    """Water-vapour molecules per cm3 from T (K) and RH (% over water): e = RH/100 e_s(T), n = e / (k_B T),
    with e_s of Bolton (1980, Mon. Wea. Rev. 108, 1046, eq. 10), 611.2 exp(17.67 T_c / (T_c + 243.5)) Pa."""
    tc = temperature - 273.15
    e = min(max(rh_percent, 0.0), 100.0) / 100.0 * 611.2 * math.exp(17.67 * tc / (tc + 243.5))
    return e / (BOLTZMANN * temperature) * 1e-6


@njit(cache=True, error_model="numpy")
def thermal_rate_constants(mech, temperature, air_number_density, rh_percent, cloud_fraction, out):
    """The part of every rate constant that does not change within a call (ppb and s units), into out[nr].
    Photolysis frequencies and the OH proxy multiply it later (``current_rate_constants``)."""
    t = temperature
    m = air_number_density
    fixed = np.empty(4)
    fixed[0] = m
    fixed[1] = O2_FRACTION * m
    fixed[2] = N2_FRACTION * m
    fixed[3] = water_number_density(t, rh_percent)
    for r in range(out.size):
        p = mech.rate_par[r]
        kind = mech.rate_type[r]
        if kind == RATE_CONSTANT:
            k = p[0]
        elif kind == RATE_ARRHENIUS:
            k = p[0] * math.exp(-p[1] / t)
            if p[2] != 0.0:
                k *= (t / 300.0) ** p[2]
        elif kind == RATE_TROE:
            k = troe_jpl(p[0], p[1], p[2], p[3], p[4], t, m)
        elif kind == RATE_LINEAR_M:
            k = p[0] * (1.0 + m / p[1])
        elif kind == RATE_FALLOFF:
            k = falloff(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], t, m)
        elif kind == RATE_ARRHENIUS_M:
            k = p[0] * math.exp(-p[1] / t) + p[2] * math.exp(-p[3] / t) * m
        elif kind == RATE_OH_HNO3:
            k = oh_hno3(p[0], p[1], p[2], p[3], p[4], p[5], t, m)
        else:  # RATE_HUMIDITY_CLOUD
            f = min(max(cloud_fraction, 0.0), 1.0)
            rh = min(max(rh_percent, 0.0), 100.0)
            k = p[0] * ((1.0 - f) * rh ** p[1] + f * 100.0 ** p[1])
        k *= mech.rate_scale[r]
        for q in range(4):
            for _ in range(mech.fixed_power[r, q]):
                k *= fixed[q]
        if mech.molecule_units[r] == 1:
            order = mech.n_reactants[r]
            for _ in range(order - 1):
                k *= PPB * m
        out[r] = k


@njit(cache=True, error_model="numpy")
def photolysis_and_oh(mech, cos_chi, cloud_factor, j_values):
    """Photolysis frequencies (s-1) into j_values; returns the OH proxy (molecule cm-3):
    OH = OH_ref (J / J_ref)^exponent for the J named in the mechanism (zero at night)."""
    mcm_photolysis_all(cos_chi, mech.photolysis_par, cloud_factor, j_values)
    oh = 0.0
    if mech.oh_photolysis >= 0:
        ratio = j_values[mech.oh_photolysis] / mech.oh_par[1]
        if ratio > 0.0:
            oh = mech.oh_par[0] * (ratio if mech.oh_par[2] == 1.0 else ratio ** mech.oh_par[2])
    return oh


@njit(cache=True, error_model="numpy")
def current_rate_constants(mech, k_thermal, j_values, oh, out):
    for r in range(out.size):
        k = k_thermal[r]
        q = mech.photolysis_index[r]
        if q >= 0:
            k *= j_values[q]
        if mech.oh_factor[r] == 1:
            k *= oh
        out[r] = k


# ---------------------------------------------------------------------------------------------------------------
# The order of the cells over threads
# ---------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def chunk_stride(n_chunks):
    """The stride s of the order in which a 3-D driver's parallel loop visits its chunks of cells: iteration p takes
    chunk (p s) mod n_chunks. prange gives each thread one contiguous range of iterations (a static schedule), and
    the cost of a cell is far from uniform: in the August baseline the lower half of the cells (layers 0-4, where the
    emissions are) took 2.8 times the solver steps of the upper half, so the thread with the upper layers waited.
    With s the integer nearest n_chunks / phi that is coprime with n_chunks (so p -> p s mod n is a permutation),
    every contiguous range of iterations takes chunks spread evenly over the whole grid (a Weyl sequence: its gaps
    take at most three lengths, Sos 1958), whatever the number of threads. Each cell's computation is unchanged,
    so the result is bitwise the same."""
    if n_chunks <= 2:
        return 1
    s = int(round(n_chunks * GOLDEN_FRACTION))
    while math.gcd(s, n_chunks) != 1:
        s += 1
    return s


# ---------------------------------------------------------------------------------------------------------------
# Tendency and Jacobian
# ---------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def reaction_rate(mech, k, y, r):
    rate = k[r]
    for p in range(mech.n_reactants[r]):
        rate *= y[mech.reactants[r, p]]
    return rate


@njit(cache=True, error_model="numpy")
def tendency(mech, k, y, emission, dilution, background, f):
    """f = dy/dt (ppb s-1) for all species: chemistry + emission + dilution towards the background."""
    for s in range(f.size):
        f[s] = emission[s]
        if dilution != 0.0:
            f[s] += dilution * (background[s] - y[s])
    for r in range(k.size):
        rate = reaction_rate(mech, k, y, r)
        for n in range(mech.net_start[r], mech.net_start[r + 1]):
            f[mech.net_species[n]] += mech.net_coef[n] * rate


@njit(cache=True, error_model="numpy")
def jacobian(mech, k, y, dilution, position, n_coupled, jac):
    """Analytic Jacobian over the solved species: jac[a, b] = d f_{solve[a]} / d y_{solve[b]};
    position[s] is the row of species s (-1: not solved). Mass action: d r / d y_q = k prod of the others.
    Only the columns of the n_coupled reactant species (listed first) and the diagonal are filled: every other
    column is zero apart from the dilution on the diagonal."""
    m = jac.shape[0]
    for a in range(m):
        for b in range(n_coupled):
            jac[a, b] = 0.0
    for a in range(m):
        jac[a, a] = -dilution
    for r in range(k.size):
        n_reac = mech.n_reactants[r]
        for p in range(n_reac):
            d = k[r]
            for q in range(n_reac):
                if q != p:
                    d *= y[mech.reactants[r, q]]
            col = position[mech.reactants[r, p]]
            for n in range(mech.net_start[r], mech.net_start[r + 1]):
                row = position[mech.net_species[n]]
                jac[row, col] += mech.net_coef[n] * d


# ---------------------------------------------------------------------------------------------------------------
# One cell
# ---------------------------------------------------------------------------------------------------------------
@njit(cache=True, error_model="numpy")
def cos_zenith_in_call(tau, dt, sun, lon, sin_lat, cos_lat):
    """cos(solar zenith angle) at tau (s) after the start of the call. sun = [seconds_of_year at the start,
    sin(declination) at start, at end, cos(declination) at start, at end, equation of time at start, at end,
    fixed cos(zenith) or NaN]; these are interpolated linearly in time over the call (the declination moves by
    less than 0.01 degree in an hour, and the error of the interpolation is below 1e-8)."""
    fixed = sun[7]
    if fixed == fixed:
        return fixed
    w = tau / dt if dt > 0.0 else 0.0
    sin_dec = sun[1] + (sun[2] - sun[1]) * w
    cos_dec = sun[3] + (sun[4] - sun[3]) * w
    eot = sun[5] + (sun[6] - sun[5]) * w
    return cos_zenith(sun[0] + tau, sin_dec, cos_dec, eot, lon, sin_lat, cos_lat)


#: the former private name (tests use it)
_cos_zenith_at = cos_zenith_in_call


@njit(cache=True, error_model="numpy")
def _rates_at(mech, cos_chi, cloud_factor, k_thermal, j_values, out):
    """Rate constants for a solar zenith angle: thermal part times photolysis and OH proxy."""
    oh = photolysis_and_oh(mech, cos_chi, cloud_factor, j_values)
    current_rate_constants(mech, k_thermal, j_values, oh, out)


@njit(cache=True, error_model="numpy")
def clip_negatives(mech, y, solve):
    """Set negative solved components to zero, taking the deficit from the positive members of the same
    conserved-element family (proportionally), so that element totals do not change."""
    clip_negatives_by_element(mech.element_of, mech.element_weight, y, solve)


@njit(cache=True, error_model="numpy")
def clip_negatives_by_element(element_of, element_weight, y, solve):
    """clip_negatives with the element arrays given directly (element_of[s], element_weight[e, s])."""
    ns = y.size
    for a in range(solve.size):
        s = solve[a]
        if y[s] >= 0.0:
            continue
        deficit = -y[s]
        y[s] = 0.0
        e = element_of[s]
        if e < 0:
            continue
        need = deficit * element_weight[e, s]
        pool = 0.0
        for q in range(ns):
            if element_of[q] == e and y[q] > 0.0:
                pool += element_weight[e, q] * y[q]
        if pool > need:
            scale = 1.0 - need / pool
            for q in range(ns):
                if element_of[q] == e and y[q] > 0.0:
                    y[q] *= scale


@njit(cache=True, error_model="numpy")
def starting_step(y, f, solve, atol, rtol, first_step, dt, h_min):
    """The first step of a call: first_step if positive, else 0.01 ||y|| / ||f|| in the error norm (Hairer,
    Norsett and Wanner 1993, sec. II.4), 1e-6 s if either norm is tiny; within [h_min, dt]."""
    m = solve.size
    d0 = 0.0
    d1 = 0.0
    for a in range(m):
        s = solve[a]
        sc = atol[s] + rtol * abs(y[s])
        d0 += (y[s] / sc) ** 2
        d1 += (f[s] / sc) ** 2
    d0 = math.sqrt(d0 / m)
    d1 = math.sqrt(d1 / m)
    if first_step > 0.0:
        h = first_step
    elif d0 < 1e-5 or d1 < 1e-5:
        h = 1e-6
    else:
        h = 0.01 * d0 / d1
    return min(max(h, h_min), dt)


@njit(cache=True, error_model="numpy")
def new_solution_and_error(y, y_new, stage_k, solve, tab, rtol, atol, by_species):
    """y_new = y + sum_i m_i K_i over the solved species (others copied) and the scaled RMS error of
    sum_i e_i K_i; K_i = stage_k[i, s] if by_species else stage_k[i, position of s in solve]. Returns (error,
    whether a component ends below -atol)."""
    for s in range(y.size):
        y_new[s] = y[s]
    err = 0.0
    bad_negative = False
    for a in range(solve.size):
        s = solve[a]
        col = s if by_species else a
        dy = 0.0
        de = 0.0
        for i in range(tab.stages):
            dy += tab.m[i] * stage_k[i, col]
            de += tab.e[i] * stage_k[i, col]
        y_new[s] = y[s] + dy
        sc = atol[s] + rtol * max(abs(y[s]), abs(y_new[s]))
        err += (de / sc) ** 2
        if y_new[s] < -atol[s]:
            bad_negative = True
    return math.sqrt(err / solve.size), bad_negative


@njit(cache=True, error_model="numpy")
def control_step(err, bad_negative, h, elo, rejected_last):
    """After an attempt: (accepted, the next step size). Accepted when the error is finite and <= 1 and nothing
    ends below -atol; a step rejected only for a negative is halved."""
    finite = math.isfinite(err)
    if finite and err <= 1.0 and not bad_negative:
        return True, h * next_step_factor(err, elo, True, rejected_last)
    if bad_negative and finite and err <= 1.0:
        return False, h * 0.5
    return False, h * next_step_factor(err if finite else np.inf, elo, False, rejected_last)


@njit(cache=True, error_model="numpy")
def cell_to_ppb(concentration, slot, active, molar_mass, k, j, i, rho, y):
    """y[s] (ppb) of the active species from concentration[slot[s], k, j, i] (kg m-3)."""
    for a in range(active.size):
        s = active[a]
        y[s] = concentration[slot[s], k, j, i] / rho * (MOLAR_MASS_AIR / molar_mass[s]) / PPB


@njit(cache=True, error_model="numpy")
def ppb_to_cell(concentration, slot, active, molar_mass, k, j, i, rho, y):
    """The inverse of cell_to_ppb."""
    for a in range(active.size):
        s = active[a]
        concentration[slot[s], k, j, i] = y[s] * PPB * (molar_mass[s] / MOLAR_MASS_AIR) * rho


@njit(cache=True, error_model="numpy")
def equilibrate(mech, y, temperature, rh_percent):
    """Repartition NH3/NH4+ and HNO3/NO3- (after sulfate takes its ammonium): see aerosol.py."""
    eq = mech.equilibrium
    if eq[0] < 0:
        return
    k_eq = nh4no3_dissociation_constant(temperature, rh_percent)
    nh3, hno3, nh4, no3 = partition_ammonium_nitrate(y[eq[0]] + y[eq[2]], y[eq[1]] + y[eq[3]], y[eq[4]], k_eq)
    y[eq[0]] = nh3
    y[eq[1]] = hno3
    y[eq[2]] = nh4
    y[eq[3]] = no3


@njit(cache=True, error_model="numpy")
def integrate_cell(y, dt, mech, sun, lon, sin_lat, cos_lat, cloud_factor, emission, dilution, background,
                   solve, n_coupled, position, tab, rtol, atol, max_steps, ws, first_step=0.0):
    """Advance y (ppb, all species; updated in place) over dt seconds with the Rosenbrock method ``tab``.

    solve lists the solved species with the ``n_coupled`` reactant species first; the others (products only, or
    emitted only) have a zero Jacobian column apart from dilution, so the stage matrix is block lower
    triangular: an LU of the coupled block, then a division for each of the others. position[s] is the index of
    species s in solve (-1: not solved). ws.k_thermal must hold the thermal rate constants of the cell.
    first_step > 0 sets the first step size (else it is estimated). Returns (status, accepted, rejected,
    next step size): the last can start the next call of a continuous integration (the box model).
    """
    m = solve.size
    nc = n_coupled
    n_stages = tab.stages
    k_now, k_stage, j_values = ws.k_now, ws.k_stage, ws.j_values
    f_now, f_stage, f_time = ws.f_now, ws.f_stage, ws.f_time
    y_stage, y_new, stage_k = ws.y_stage, ws.y_new, ws.stage_k
    jac, matrix, pivot, rhs = ws.jac, ws.matrix, ws.pivot, ws.rhs
    k_thermal = ws.k_thermal
    n_accepted = 0
    n_rejected = 0
    n_singular = 0
    if dt <= 0.0 or m == 0:
        return STATUS_OK, 0, 0, first_step
    h_min = 1e-12 * max(dt, 1.0)

    t = 0.0
    fixed_sun = sun[7] == sun[7]  # a fixed solar zenith angle: photolysis constant over the call
    c_now = cos_zenith_in_call(t, dt, sun, lon, sin_lat, cos_lat)
    _rates_at(mech, c_now, cloud_factor, k_thermal, j_values, k_now)
    tendency(mech, k_now, y, emission, dilution, background, f_now)
    h = starting_step(y, f_now, solve, atol, rtol, first_step, dt, h_min)

    rejected_last = False
    h_plan = h
    while t < dt:
        remaining = dt - t
        h_plan = h
        last = h >= remaining * (1.0 - 1e-12)
        if last:
            h = remaining
        # f_t by a forward difference at the start of the step (y fixed); the sun is the only time dependence
        c_next = cos_zenith_in_call(t + TIME_DERIVATIVE_DELTA, dt, sun, lon, sin_lat, cos_lat)
        if fixed_sun or (c_now <= 0.0 and c_next <= 0.0):
            for s in range(y.size):
                f_time[s] = 0.0
        else:
            # f_t = S r(dk/dt, y): the rates are linear in k and the emission and dilution do not change within the
            # call, so the derivative comes from the change of the rate constants alone. The difference of two
            # whole tendencies would keep their round-off (eps x the gross fluxes, which conserves no element)
            # divided by the 1e-3 s step, and move the element totals by about 1e-12 per day of sunlit steps.
            _rates_at(mech, c_next, cloud_factor, k_thermal, j_values, k_stage)
            for r in range(k_stage.size):
                k_stage[r] = (k_stage[r] - k_now[r]) / TIME_DERIVATIVE_DELTA
            for s in range(y.size):
                f_stage[s] = 0.0  # no emission in the derivative
            tendency(mech, k_stage, y, f_stage, 0.0, background, f_time)
        jacobian(mech, k_now, y, dilution, position, nc, jac)

        while True:  # attempts at this step
            if n_accepted + n_rejected >= max_steps:
                return STATUS_TOO_MANY_STEPS, n_accepted, n_rejected, h
            if h < h_min:
                return STATUS_STEP_TOO_SMALL, n_accepted, n_rejected, h
            inv = 1.0 / (h * tab.gamma)
            for a in range(nc):
                for b in range(nc):
                    matrix[a, b] = -jac[a, b]
                matrix[a, a] += inv
            if not lu_factor(matrix, pivot):
                n_singular += 1
                if n_singular > 5:
                    return STATUS_SINGULAR, n_accepted, n_rejected, h
                h *= 0.5
                last = False
                rejected_last = True
                continue
            stage_time = -1.0  # the time k_stage belongs to (stages 3 and 4 of RODAS3 share t + h)
            use_start = True  # the stage's f is f at the step start (stage 1, and stages that reuse it)
            for i in range(n_stages):
                if i > 0 and tab.new_f[i] == 1:
                    for s in range(y.size):
                        y_stage[s] = y[s]
                    for j in range(i):
                        a_ij = tab.a[i, j]
                        if a_ij != 0.0:
                            for a in range(m):
                                y_stage[solve[a]] += a_ij * stage_k[j, a]
                    tau = t + tab.alpha[i] * h
                    if fixed_sun:  # the rate constants do not change within the call
                        for r in range(k_now.size):
                            k_stage[r] = k_now[r]
                        stage_time = tau
                    elif tau != stage_time:
                        _rates_at(mech, cos_zenith_in_call(tau, dt, sun, lon, sin_lat, cos_lat), cloud_factor,
                                  k_thermal, j_values, k_stage)
                        stage_time = tau
                    tendency(mech, k_stage, y_stage, emission, dilution, background, f_stage)
                    use_start = False
                source = f_now if use_start else f_stage
                h_gamma_i = h * tab.gamma_i[i]
                for a in range(m):
                    s = solve[a]
                    rhs[a] = source[s] + h_gamma_i * f_time[s]
                for j in range(i):
                    c_ij = tab.c[i, j] / h
                    if c_ij != 0.0:
                        for a in range(m):
                            rhs[a] += c_ij * stage_k[j, a]
                lu_solve(matrix, pivot, rhs)  # the coupled block, rhs[:nc]
                for a in range(nc, m):  # the others: (1/(h gamma) + D) K_a = rhs_a + sum_b J_ab K_b
                    acc = rhs[a]
                    for b in range(nc):
                        acc += jac[a, b] * rhs[b]
                    rhs[a] = acc / (inv - jac[a, a])
                for a in range(m):
                    stage_k[i, a] = rhs[a]
            # new solution and error estimate
            err, bad_negative = new_solution_and_error(y, y_new, stage_k, solve, tab, rtol, atol, False)
            accepted, h_next = control_step(err, bad_negative, h, tab.elo, rejected_last)
            if accepted:
                clip_negatives(mech, y_new, solve)
                for s in range(y.size):
                    y[s] = y_new[s]
                t = dt if last else t + h
                n_accepted += 1
                h = h_next
                rejected_last = False
                break
            n_rejected += 1
            h = h_next
            rejected_last = True
            last = False
        if t < dt:
            if not fixed_sun:
                c_now = cos_zenith_in_call(t, dt, sun, lon, sin_lat, cos_lat)
                _rates_at(mech, c_now, cloud_factor, k_thermal, j_values, k_now)
            tendency(mech, k_now, y, emission, dilution, background, f_now)
    return STATUS_OK, n_accepted, n_rejected, max(h, h_plan)


@njit(cache=True, error_model="numpy")
def sun_parameters(seconds_of_year, days_in_year, dt, fixed_cos_zenith):
    """The ``sun`` array of integrate_cell for a call starting at seconds_of_year and lasting dt."""
    sun = np.empty(8)
    d0, e0 = declination_and_equation_of_time(seconds_of_year, days_in_year)
    d1, e1 = declination_and_equation_of_time(seconds_of_year + dt, days_in_year)
    sun[0] = seconds_of_year
    sun[1] = math.sin(d0)
    sun[2] = math.sin(d1)
    sun[3] = math.cos(d0)
    sun[4] = math.cos(d1)
    sun[5] = e0
    sun[6] = e1
    sun[7] = fixed_cos_zenith
    return sun


# ---------------------------------------------------------------------------------------------------------------
# Drivers
# ---------------------------------------------------------------------------------------------------------------
@njit(parallel=True, nogil=True, cache=True, error_model="numpy")
def chemistry_3d(concentration, slot, active, solve, n_coupled, position, air_density, temperature, rh_percent,
                 cloud_fraction, cloud_cover, lon, lat, sun, dt, mech, tab, rtol, atol, max_steps, status, steps,
                 next_step, photolysis_at_midpoint):
    """Advance the chemistry of every cell over dt seconds, in place, in parallel over cells.

    concentration[slot[s], k, j, i] is species s of the mechanism in kg m-3; only the ``active`` species (those
    the chemistry can change) are read and written. air_density, temperature (K), rh_percent (%) and the layer
    cloud_fraction (0..1, for aqueous chemistry) are [nz, ny, nx]; cloud_cover (0..1, the column's, which
    attenuates photolysis), lon and lat (degrees) are [ny, nx]. status[k, j, i] receives the integrator status
    (0: ok) and steps[k, j, i] the number of steps (accepted + rejected). next_step[k, j, i] holds the step size
    each cell's solver would take next: read as the first step of this call (0: estimate one) and updated, so
    that a cell does not ramp up from a tiny first step on every call (the solution is smooth across calls;
    the error control still rejects a step that is too large). With photolysis_at_midpoint, each cell's
    photolysis frequencies (and OH proxy) are those of the solar zenith angle at the middle of the call, held
    constant over it, as CMAQ and CAMx hold them over a chemistry step: the rate constants are then computed
    once per call instead of at every stage (about half the cost of a solver step), at an error of second order
    in the call's length.
    """
    ns = mech.molar_mass.size
    nr = mech.rate_type.size
    nj = mech.photolysis_par.shape[0]
    nz, ny, nx = air_density.shape
    n_cells = nz * ny * nx
    n_chunks = (n_cells + CELLS_PER_CHUNK - 1) // CELLS_PER_CHUNK
    stride = chunk_stride(n_chunks)
    for p in prange(n_chunks):
        chunk = (p * stride) % n_chunks
        ws = allocate_workspace(ns, nr, nj, solve.size, n_coupled, tab.stages)
        cell_sun = sun.copy()
        y = np.zeros(ns)
        no_emission = np.zeros(ns)
        for cell in range(chunk * CELLS_PER_CHUNK, min(n_cells, (chunk + 1) * CELLS_PER_CHUNK)):
            k = cell // (ny * nx)
            rest = cell - k * ny * nx
            j = rest // nx
            i = rest - j * nx
            rho = air_density[k, j, i]
            m_air = air_number_density(rho)
            cell_to_ppb(concentration, slot, active, mech.molar_mass, k, j, i, rho, y)
            t_cell = temperature[k, j, i]
            rh = rh_percent[k, j, i]
            cf = cloud_fraction[k, j, i]
            thermal_rate_constants(mech, t_cell, m_air, rh, cf, ws.k_thermal)
            phi = math.radians(lat[j, i])
            cloud_factor = cloud_attenuation(cloud_cover[j, i], mech.cloud_par[0], mech.cloud_par[1])
            if photolysis_at_midpoint:
                cell_sun[7] = cos_zenith_in_call(0.5 * dt, dt, sun, lon[j, i], math.sin(phi), math.cos(phi))
            st, n_acc, n_rej, h_next = integrate_cell(y, dt, mech, cell_sun, lon[j, i], math.sin(phi),
                                                      math.cos(phi),
                                                      cloud_factor, no_emission, 0.0, no_emission, solve,
                                                      n_coupled, position, tab, rtol, atol, max_steps, ws,
                                                      next_step[k, j, i])
            next_step[k, j, i] = h_next
            equilibrate(mech, y, t_cell, rh)
            ppb_to_cell(concentration, slot, active, mech.molar_mass, k, j, i, rho, y)
            status[k, j, i] = st
            steps[k, j, i] = n_acc + n_rej


@njit(cache=True, error_model="numpy")
def integrate_box(y, segment_start, segment_length, segment_days_in_year, segment_temperature,
                  segment_number_density, segment_rh, segment_cloud, segment_emission, segment_record,
                  dilution, background, lon, lat, fixed_cos_zenith, mech, tab, solve, n_coupled, position, rtol,
                  atol, max_steps, out, stats):
    """A box model through consecutive segments (piecewise-constant temperature, humidity, cloud and emission),
    as one continuous integration: each segment starts with the step size the previous one ended with.

    y (ppb) is updated in place. Segment n starts at segment_start[n] (s of year, UTC) and lasts
    segment_length[n] s; after it the equilibrium is applied, and if segment_record[n] >= 0 the state is stored
    in out[segment_record[n]]. stats receives [accepted steps, rejected steps]. Returns (status, failed segment).
    """
    ns = mech.molar_mass.size
    ws = allocate_workspace(ns, mech.rate_type.size, mech.photolysis_par.shape[0], solve.size, n_coupled,
                            tab.stages)
    phi = math.radians(lat)
    sin_lat = math.sin(phi)
    cos_lat = math.cos(phi)
    h_next = 0.0  # the step size carries over from one segment to the next (0: estimate it)
    for n in range(segment_start.size):
        dt = segment_length[n]
        sun = sun_parameters(segment_start[n], segment_days_in_year[n], dt, fixed_cos_zenith)
        thermal_rate_constants(mech, segment_temperature[n], segment_number_density[n], segment_rh[n],
                               segment_cloud[n], ws.k_thermal)
        cloud_factor = cloud_attenuation(segment_cloud[n], mech.cloud_par[0], mech.cloud_par[1])
        st, n_acc, n_rej, h_next = integrate_cell(y, dt, mech, sun, lon, sin_lat, cos_lat, cloud_factor,
                                                  segment_emission[n], dilution, background, solve, n_coupled,
                                                  position, tab, rtol, atol, max_steps, ws, h_next)
        stats[0] += n_acc
        stats[1] += n_rej
        if st != STATUS_OK:
            return st, n
        equilibrate(mech, y, segment_temperature[n], segment_rh[n])
        row = segment_record[n]
        if row >= 0:
            for s in range(ns):
                out[row, s] = y[s]
    return STATUS_OK, -1
