"""An independent plain-Python implementation of ``grs_aero`` for checking the compiled mechanism and the
Rosenbrock solver against scipy's ``solve_ivp(method="Radau")``.

Nothing here reads ``grs_aero.mech`` or uses the kernels: the rate constants are typed in again from their
sources (the papers cited in the comments of grs_aero.mech), the ODE right-hand side and its Jacobian are
written out reaction by reaction, and the solar position, photolysis, OH proxy and ammonium-nitrate equilibrium
are coded again in NumPy. Only the *problem* is shared with the box model (``BoxSetup``: the initial state,
the piecewise-constant forcing by segment, the place and the start time), so that both solve the same ODE.

Equilibrium partitioning is applied, as in the box model, at the end of every segment. In grs_aero the
kinetics never read the gas/particle split (no reaction consumes NH3, HNO3, NH4+ or NO3-, and dilution treats
both phases alike), so the split at any instant is the equilibrium of the kinetic totals: applying it at
segment ends is exact, and both solvers are compared on identical terms.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np

#: The species of grs_aero in the order this module uses (mapped to the mechanism's order by name).
SPECIES = ("NO", "NO2", "O3", "ROC", "RP", "HNO3", "NH3", "NO3A", "NH4A", "SO2", "SULF", "SOA", "POA",
           "EC", "PM25_OTHER", "PMC", "CO", "CO2")
I = {name: n for n, name in enumerate(SPECIES)}
PPM_MIN = 1e-3 / 60.0  # ppm-1 min-1 -> ppb-1 s-1
SOA_PER_ROC = 0.03 * 12.011 / 150.0  # mass yield 0.03 on carbon reacted, in mol SOA per mol C


def solar_cos_zenith(when: datetime, lon: float, lat: float) -> float:
    """NOAA fractional-year method (Spencer 1971 series), written again from the NOAA description."""
    when = when.astimezone(timezone.utc)
    year_start = datetime(when.year, 1, 1, tzinfo=timezone.utc)
    n_days = (datetime(when.year + 1, 1, 1, tzinfo=timezone.utc) - year_start).days
    day_of_year = (when - year_start).days + 1
    hour = when.hour + when.minute / 60.0 + (when.second + when.microsecond * 1e-6) / 3600.0
    g = 2.0 * math.pi / n_days * (day_of_year - 1 + (hour - 12.0) / 24.0)
    eqtime = 229.18 * (0.000075 + 0.001868 * math.cos(g) - 0.032077 * math.sin(g)
                       - 0.014615 * math.cos(2 * g) - 0.040849 * math.sin(2 * g))
    decl = (0.006918 - 0.399912 * math.cos(g) + 0.070257 * math.sin(g) - 0.006758 * math.cos(2 * g)
            + 0.000907 * math.sin(2 * g) - 0.002697 * math.cos(3 * g) + 0.00148 * math.sin(3 * g))
    true_solar_time = hour * 60.0 + eqtime + 4.0 * lon  # minutes
    hour_angle = math.radians(true_solar_time / 4.0 - 180.0)
    phi = math.radians(lat)
    return math.sin(phi) * math.sin(decl) + math.cos(phi) * math.cos(decl) * math.cos(hour_angle)


def mcm_j(cos_chi, l, m, n):
    return l * cos_chi ** m * math.exp(-n / cos_chi) if cos_chi > 0 else 0.0


def kasten_czeplak(cloud_fraction):
    return 1.0 - 0.75 * cloud_fraction ** 3.4


def photolysis(cos_chi, cloud_fraction):
    """J(NO2), J(O1D) (s-1) and the OH proxy (molecule cm-3) = 6e6 J(O1D) / 3e-5."""
    f = kasten_czeplak(cloud_fraction)
    j_no2 = f * mcm_j(cos_chi, 1.165e-2, 0.244, 0.267)
    j_o1d = f * mcm_j(cos_chi, 6.073e-5, 1.743, 0.474)
    return j_no2, j_o1d, 6.0e6 * j_o1d / 3.0e-5


def thermal_constants(temperature, m_air, rh, cloud):
    """Rate constants (ppb and s) that do not depend on the sun."""
    t = temperature
    ppb_per_molecule = 1e-9 * m_air
    k0 = 3.0e-31 * (t / 300.0) ** -3.3 * m_air
    kinf = 1.5e-12
    so2_oh = k0 * kinf / (k0 + kinf) * 0.6 ** (1.0 / (1.0 + math.log10(k0 / kinf) ** 2))
    # OH + NO2 (+M) -> HNO3, NASA/JPL (Burkholder et al. 2015, JPL Publ. 15-10): k0 = 1.8e-30 (T/300)^-3 [M],
    # kinf = 2.8e-11, Fc = 0.6
    k0_no2 = 1.8e-30 * (t / 300.0) ** -3.0 * m_air
    kinf_no2 = 2.8e-11
    no2_oh = k0_no2 * kinf_no2 / (k0_no2 + kinf_no2) * 0.6 ** (1.0 / (1.0 + math.log10(k0_no2 / kinf_no2) ** 2))
    return dict(
        r1_per_j=1.0e4 * math.exp(-4710.0 / t),
        r2=5482.0 * math.exp(242.0 / t) * PPM_MIN,
        r4=1.4e-12 * math.exp(-1310.0 / t) * ppb_per_molecule,
        r5=1.0e4 * PPM_MIN,
        r6=125.0 * PPM_MIN,
        r7=125.0 * PPM_MIN,
        s1_per_oh=so2_oh,
        n1_per_oh=no2_oh,
        s2=3.0e-8 / 100.0 / 3600.0 * ((1.0 - cloud) * rh ** 4 + cloud * 100.0 ** 4),
        a1_per_oh=1.0e-12,
        c1_per_oh=1.44e-13 * (1.0 + 0.7808 * m_air / 4.2e19),
    )


def rhs(y, j_no2, oh, k, emission, dilution, background):
    no, no2, o3, roc, rp = y[I["NO"]], y[I["NO2"]], y[I["O3"]], y[I["ROC"]], y[I["RP"]]
    so2, co = y[I["SO2"]], y[I["CO"]]
    r1 = k["r1_per_j"] * j_no2 * roc
    r2 = k["r2"] * rp * no
    r3 = j_no2 * no2
    r4 = k["r4"] * no * o3
    r5 = k["r5"] * rp * rp
    r6 = k["r6"] * rp * no2
    r7 = k["r7"] * rp * no2
    rs = (k["s1_per_oh"] * oh + k["s2"]) * so2
    ra = k["a1_per_oh"] * oh * roc
    rc = k["c1_per_oh"] * oh * co
    rn = k["n1_per_oh"] * oh * no2
    d = emission + dilution * (background - y)
    d[I["NO"]] += -r2 + r3 - r4
    d[I["NO2"]] += r2 - r3 + r4 - r6 - r7 - rn
    d[I["O3"]] += r3 - r4
    d[I["ROC"]] += -ra
    d[I["RP"]] += r1 - r2 - r5 - r6 - r7  # RP + RP -> RP removes one RP per reaction
    d[I["HNO3"]] += r6 + rn
    d[I["NO3A"]] += r7  # GRS' SNGN: particulate nitrate (repartitioned with HNO3 by the equilibrium)
    d[I["SO2"]] += -rs
    d[I["SULF"]] += rs
    d[I["SOA"]] += SOA_PER_ROC * ra
    d[I["CO"]] += -rc
    d[I["CO2"]] += rc
    return d


def jacobian(y, j_no2, oh, k, dilution):
    no, no2, o3, roc, rp = y[I["NO"]], y[I["NO2"]], y[I["O3"]], y[I["ROC"]], y[I["RP"]]
    n = len(SPECIES)
    jac = -dilution * np.eye(n)
    NO, NO2, O3, ROC, RP = I["NO"], I["NO2"], I["O3"], I["ROC"], I["RP"]
    a1 = k["r1_per_j"] * j_no2
    ks = k["s1_per_oh"] * oh + k["s2"]
    ka = k["a1_per_oh"] * oh
    kc = k["c1_per_oh"] * oh
    kn = k["n1_per_oh"] * oh
    k6 = k["r6"] + k["r7"]
    jac[NO, NO] += -k["r2"] * rp - k["r4"] * o3
    jac[NO, RP] += -k["r2"] * no
    jac[NO, NO2] += j_no2
    jac[NO, O3] += -k["r4"] * no
    jac[NO2, NO] += k["r2"] * rp + k["r4"] * o3
    jac[NO2, RP] += k["r2"] * no - k6 * no2
    jac[NO2, NO2] += -j_no2 - k6 * rp - kn
    jac[NO2, O3] += k["r4"] * no
    jac[O3, NO2] += j_no2
    jac[O3, NO] += -k["r4"] * o3
    jac[O3, O3] += -k["r4"] * no
    jac[ROC, ROC] += -ka
    jac[RP, ROC] += a1
    jac[RP, RP] += -k["r2"] * no - 2.0 * k["r5"] * rp - k6 * no2
    jac[RP, NO] += -k["r2"] * rp
    jac[RP, NO2] += -k6 * rp
    jac[I["HNO3"], RP] += k["r6"] * no2
    jac[I["HNO3"], NO2] += k["r6"] * rp + kn
    jac[I["NO3A"], RP] += k["r7"] * no2
    jac[I["NO3A"], NO2] += k["r7"] * rp
    jac[I["SO2"], I["SO2"]] += -ks
    jac[I["SULF"], I["SO2"]] += ks
    jac[I["SOA"], ROC] += SOA_PER_ROC * ka
    jac[I["CO"], I["CO"]] += -kc
    jac[I["CO2"], I["CO"]] += kc
    return jac


def nh4no3_k(temperature, rh_percent):
    """Mozurkewich (1993) K (ppb^2), dry below the deliquescence RH, aqueous above it."""
    t = temperature
    kp = math.exp(118.87 - 24084.0 / t - 6.025 * math.log(t))
    drh = math.exp(723.7 / t + 1.6954)
    if rh_percent < drh:
        return kp
    x = 1.0 - rh_percent / 100.0
    p1 = math.exp(-135.94 + 8763.0 / t + 19.12 * math.log(t))
    p2 = math.exp(-122.65 + 9969.0 / t + 16.22 * math.log(t))
    p3 = math.exp(-182.61 + 13875.0 / t + 24.46 * math.log(t))
    return (p1 - p2 * x + p3 * x * x) * x ** 1.75 * kp


def equilibrium(y, temperature, rh_percent, index=None):
    """Sulfate takes 2 NH4+ per SO4= first; then (NH3 - x)(HNO3 - x) = K, solved with numpy.roots. ``index`` maps
    NH3, NH4A, HNO3, NO3A, SULF to positions in y (default: this module's grs_aero order)."""
    i = index or I
    y = y.copy()
    total_nh3 = y[i["NH3"]] + y[i["NH4A"]]
    total_no3 = y[i["HNO3"]] + y[i["NO3A"]]
    bound = min(total_nh3, 2.0 * y[i["SULF"]])
    free = total_nh3 - bound
    k = nh4no3_k(temperature, rh_percent)
    x = 0.0
    if free * total_no3 > k:
        roots = np.roots([1.0, -(free + total_no3), free * total_no3 - k])
        x = float(min(r.real for r in roots))
    y[i["NH3"]], y[i["NH4A"]] = free - x, bound + x
    y[i["HNO3"]], y[i["NO3A"]] = total_no3 - x, x
    return y


def integrate_reference(setup, rtol=1e-10, atol=1e-12):
    """Integrate a ``BoxSetup`` (grs_aero) segment by segment with scipy's Radau; returns ppb[nout, ns] in the
    mechanism's species order."""
    from scipy.integrate import solve_ivp

    names = setup.mechanism.species_names
    if sorted(names) != sorted(SPECIES):
        raise ValueError(f"the reference implements grs_aero only; got species {names}")
    to_ref = np.array([names.index(n) for n in SPECIES])
    y = setup.y0[to_ref].copy()
    emission_all = setup.segment_emission[:, to_ref]
    background = setup.background[to_ref]
    out = np.zeros((setup.output_offset.size, len(SPECIES)))
    out[0] = equilibrium(y, setup.segment_temperature[0], setup.segment_rh[0])
    fixed = setup.fixed_cos_zenith
    for n in range(setup.segment_start.size):
        t_start = setup.start + timedelta(seconds=float(setup.segment_offset[n]))
        k = thermal_constants(setup.segment_temperature[n], setup.segment_number_density[n], setup.segment_rh[n],
                              setup.segment_cloud[n])
        cloud = setup.segment_cloud[n]
        emission = emission_all[n]

        def sun(t):
            c = fixed if fixed == fixed else solar_cos_zenith(t_start + timedelta(seconds=float(t)), setup.lon,
                                                              setup.lat)
            j_no2, _, oh = photolysis(c, cloud)
            return j_no2, oh

        def fun(t, yy):
            j_no2, oh = sun(t)
            return rhs(yy, j_no2, oh, k, emission, setup.dilution, background)

        def jac(t, yy):
            j_no2, oh = sun(t)
            return jacobian(yy, j_no2, oh, k, setup.dilution)

        sol = solve_ivp(fun, (0.0, float(setup.segment_length[n])), y, method="Radau", rtol=rtol, atol=atol,
                        jac=jac)
        if not sol.success:
            raise RuntimeError(f"Radau failed in segment {n}: {sol.message}")
        y = equilibrium(sol.y[:, -1], setup.segment_temperature[n], setup.segment_rh[n])
        if setup.segment_record[n] >= 0:
            out[setup.segment_record[n]] = y
    back = np.empty_like(out)
    back[:, to_ref] = out
    return back


# -------------------------------------------------------------------------------------------------------------------
# Any mechanism (cb05_aero): the parsed reactions, evaluated again in plain Python
# -------------------------------------------------------------------------------------------------------------------
K_BOLTZMANN = 1.380649e-23  # J K-1


def water_molecules_per_cm3(temperature, rh_percent):
    """Water vapour (molecule cm-3): RH/100 x Bolton's (1980) e_s(T) / (k_B T)."""
    tc = temperature - 273.15
    e = min(max(rh_percent, 0.0), 100.0) / 100.0 * 611.2 * math.exp(17.67 * tc / (tc + 243.5))
    return e / (K_BOLTZMANN * temperature) * 1e-6


def _base_rate(code, p, t, m, rh, cloud):
    """The base rate constant of each form, written out from the table in airmodel/chemistry/README.md."""
    if code == 0:
        return p[0]
    if code == 1:
        return p[0] * math.exp(-p[1] / t) * (t / 300.0) ** p[2]
    if code == 2:  # JPL fall-off
        k0 = p[0] * (t / 300.0) ** -p[1] * m
        ki = p[2] * (t / 300.0) ** -p[3]
        return k0 * ki / (k0 + ki) * p[4] ** (1.0 / (1.0 + math.log10(k0 / ki) ** 2))
    if code == 3:
        return p[0] * (1.0 + m / p[1])
    if code == 4:
        f, r = min(max(cloud, 0.0), 1.0), min(max(rh, 0.0), 100.0)
        return p[0] * ((1.0 - f) * r ** p[1] + f * 100.0 ** p[1])
    if code == 5:  # IUPAC/CB05 fall-off with exponential terms and width N
        k0 = p[0] * math.exp(-p[1] / t) * (t / 300.0) ** p[2] * m
        ki = p[3] * math.exp(-p[4] / t) * (t / 300.0) ** p[5]
        return k0 * ki / (k0 + ki) * p[6] ** (1.0 / (1.0 + (math.log10(k0 / ki) / p[7]) ** 2))
    if code == 6:
        return p[0] * math.exp(-p[1] / t) + p[2] * math.exp(-p[3] / t) * m
    if code == 7:
        k3m = p[4] * math.exp(-p[5] / t) * m
        return p[0] * math.exp(-p[1] / t) + k3m / (1.0 + k3m / (p[2] * math.exp(-p[3] / t)))
    raise ValueError(f"unknown rate form {code}")


class MechanismReference:
    """Right-hand side and dense Jacobian of a parsed mechanism, in NumPy (no kernels): each reaction's rate
    constant from its form, the number densities [M], [O2] = 0.20946 [M], [N2] = 0.78084 [M] and [H2O], the
    MCM photolysis and the (ppb, s) conversion, then mass action."""

    def __init__(self, mech):
        self.mech = mech
        a = mech.arrays
        nr, ns = a.rate_type.size, a.molar_mass.size
        self.reactants = [[int(i) for i in a.reactants[r, :a.n_reactants[r]]] for r in range(nr)]
        # stoichiometry as a dense matrix (net coefficients), and the reactants padded with index ns, a slot that
        # holds 1.0 in the extended state, so that prod(y_ext[padded], axis=1) is each reaction's mass action
        self.stoichiometry = np.zeros((ns, nr))
        for r in range(nr):
            for n in range(a.net_start[r], a.net_start[r + 1]):
                self.stoichiometry[int(a.net_species[n]), r] += a.net_coef[n]
        self.padded = np.full((nr, 3), ns, dtype=np.int64)
        for r, reac in enumerate(self.reactants):
            self.padded[r, :len(reac)] = reac
        self.rows = np.repeat(np.arange(nr), 3)

    def thermal(self, t, m, rh, cloud):
        a = self.mech.arrays
        fixed = (m, 0.20946 * m, 0.78084 * m, water_molecules_per_cm3(t, rh))
        k = np.empty(a.rate_type.size)
        for r in range(k.size):
            value = _base_rate(int(a.rate_type[r]), a.rate_par[r], t, m, rh, cloud) * a.rate_scale[r]
            for q in range(4):
                value *= fixed[q] ** int(a.fixed_power[r, q])
            if a.molecule_units[r]:
                value *= (1e-9 * m) ** (len(self.reactants[r]) - 1)
            k[r] = value
        return k

    def current(self, k_thermal, cos_chi, cloud):
        a = self.mech.arrays
        factor = kasten_czeplak(cloud)
        j = [factor * mcm_j(cos_chi, *a.photolysis_par[q]) for q in range(a.photolysis_par.shape[0])]
        k = k_thermal.copy()
        for r in range(k.size):
            if a.photolysis_index[r] >= 0:
                k[r] *= j[int(a.photolysis_index[r])]
        if a.oh_photolysis >= 0 and np.any(a.oh_factor):
            ratio = j[int(a.oh_photolysis)] / a.oh_par[1]
            oh = a.oh_par[0] * ratio ** a.oh_par[2] if ratio > 0 else 0.0
            k[a.oh_factor == 1] *= oh
        return k

    def _extended(self, y):
        return np.append(y, 1.0)

    def rhs(self, y, k, emission, dilution, background):
        rates = k * np.prod(self._extended(y)[self.padded], axis=1)
        return emission + dilution * (background - y) + self.stoichiometry @ rates

    def jacobian(self, y, k, dilution):
        """d f / d y = N D with D[r, q] = d rate_r / d y_q = k_r times the other reactants (one term per reactant
        occurrence, so 2 NO gives 2 k [NO])."""
        n = y.size
        ext = self._extended(y)
        values = ext[self.padded]  # [nr, 3]
        partial = np.empty_like(values)
        partial[:, 0] = k * values[:, 1] * values[:, 2]
        partial[:, 1] = k * values[:, 0] * values[:, 2]
        partial[:, 2] = k * values[:, 0] * values[:, 1]
        d = np.zeros((k.size, n + 1))
        np.add.at(d, (self.rows, self.padded.ravel()), partial.ravel())
        return self.stoichiometry @ d[:, :n] - dilution * np.eye(n)

    def equilibrium(self, y, temperature, rh_percent):
        roles = self.mech.equilibrium
        if not roles:
            return y
        names = self.mech.species_names
        index = {key: names.index(roles[role]) for key, role in
                 (("NH3", "nh3"), ("HNO3", "hno3"), ("NH4A", "ammonium"), ("NO3A", "nitrate"), ("SULF", "sulfate"))}
        return equilibrium(y, temperature, rh_percent, index)


def integrate_reference_mechanism(setup, rtol=1e-10, atol=1e-12):
    """Integrate a ``BoxSetup`` of any mechanism segment by segment with scipy's Radau, from
    :class:`MechanismReference`; returns ppb[nout, ns] in the mechanism's species order. The equilibrium is
    applied at the end of every segment, as in the box model (an operator split where reactions consume HNO3)."""
    from scipy.integrate import solve_ivp

    ref = MechanismReference(setup.mechanism)
    y = ref.equilibrium(setup.y0.copy(), setup.segment_temperature[0], setup.segment_rh[0])
    out = np.zeros((setup.output_offset.size, y.size))
    out[0] = y
    fixed = setup.fixed_cos_zenith
    for n in range(setup.segment_start.size):
        t_start = setup.start + timedelta(seconds=float(setup.segment_offset[n]))
        cloud = setup.segment_cloud[n]
        k_thermal = ref.thermal(setup.segment_temperature[n], setup.segment_number_density[n], setup.segment_rh[n],
                                cloud)
        emission = setup.segment_emission[n]

        def k_at(t):
            c = fixed if fixed == fixed else solar_cos_zenith(t_start + timedelta(seconds=float(t)), setup.lon,
                                                              setup.lat)
            return ref.current(k_thermal, c, cloud)

        def fun(t, yy):
            return ref.rhs(yy, k_at(t), emission, setup.dilution, setup.background)

        def jac(t, yy):
            return ref.jacobian(yy, k_at(t), setup.dilution)

        sol = solve_ivp(fun, (0.0, float(setup.segment_length[n])), y, method="Radau", rtol=rtol, atol=atol,
                        jac=jac)
        if not sol.success:
            raise RuntimeError(f"Radau failed in segment {n}: {sol.message}")
        y = ref.equilibrium(sol.y[:, -1], setup.segment_temperature[n], setup.segment_rh[n])
        if setup.segment_record[n] >= 0:
            out[setup.segment_record[n]] = y
    return out
