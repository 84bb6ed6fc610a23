"""Nitrogen and sulfur budgets of a 3-D run with emissions, dry deposition, boundaries and chemistry.

For an element E (N or S) the mass of E carried by species s is m_E(s) = n_E(s) A_E / M(s) x m(s), with n_E(s) the
atoms of E in one molecule (or ion) of s, A_E the atomic weight of E and M(s) the molar mass the model's kilograms
of s are counted in. The chemistry moves E between species but creates and destroys none, so over the run

    sum_s m_E(s) [emitted + inflow - outflow - deposited]  =  sum_s m_E(s) [burden_end - burden_start]

must hold to round-off. Every term is read from its own budget attribute (``budget_<species>_<term>_kg``), each
accumulated separately by the process that moves the mass (emissions, the advection's boundary faces, the vertical
mixing's deposition flux); the chemistry term (``_chemical_kg``, the change the chemistry made) is NOT used, so the
check fails if the chemistry loses or makes N or S, or if a process moves mass without booking it. The atom counts
are written here from the chemical formulas, not taken from the mechanism's element tags.
"""
import netCDF4
import pytest

import airmodel

# Atomic weights (IUPAC 2021 conventional/abridged values), g mol-1.
ATOMIC_WEIGHT = {"H": 1.008, "N": 14.007, "O": 15.999, "S": 32.06}

# Species of grs_aero that hold N or S, with the formula whose molar mass the model's kilograms are counted in
# (the aerosol ions as the ions) and the model's molar mass
# (the mechanism's mw, the unit of its kilograms: kg = mol x mw).
FORMULA = {
    "NO": ({"N": 1, "O": 1}, 30.006),
    "NO2": ({"N": 1, "O": 2}, 46.006),
    "HNO3": ({"H": 1, "N": 1, "O": 3}, 63.013),
    "NH3": ({"N": 1, "H": 3}, 17.031),
    "NO3A": ({"N": 1, "O": 3}, 62.005),
    "NH4A": ({"N": 1, "H": 4}, 18.038),
    "SO2": ({"S": 1, "O": 2}, 64.064),
    "SULF": ({"S": 1, "O": 4}, 96.06),
}
# The species that hold neither element (a new N or S species in the mechanism must be added above).
WITHOUT_N_OR_S = {"O3", "ROC", "RP", "SOA", "POA", "EC", "PM25_OTHER", "PMC", "CO", "CO2", "BND_O3", "BND_PM25"}

FLUXES = ("emitted", "inflow", "outflow", "deposited")
TOLERANCE = 1e-10


@pytest.fixture(scope="module")
def demo(scenarios, tmp_path_factory):
    """Three hours of the demo (inventory, grs_aero, climatological boundaries) on a 0.5-degree grid."""
    out = tmp_path_factory.mktemp("element") / "demo.nc"
    airmodel.run(scenarios / "demo.toml", output=out, overrides=["run.hours=3", "domain.resolution=0.5"])
    with netCDF4.Dataset(out) as ds:
        return {key: float(ds.getncattr(key)) for key in ds.ncattrs() if key.startswith("budget_")}


def species_in(budget: dict) -> set:
    return {key[len("budget_"):-len("_burden_start_kg")] for key in budget if key.endswith("_burden_start_kg")}


def element_fraction(species: str, element: str) -> float:
    atoms, molar_mass = FORMULA[species]
    return atoms.get(element, 0) * ATOMIC_WEIGHT[element] / molar_mass


def test_formula_table_matches_the_model_molar_masses():
    """The hand-written formulas give the molar masses the model counts in, within 0.01 % (a wrong formula shows)."""
    for species, (atoms, molar_mass) in FORMULA.items():
        from_formula = sum(n * ATOMIC_WEIGHT[a] for a, n in atoms.items())
        assert from_formula == pytest.approx(molar_mass, rel=1e-4), species


def test_every_species_is_accounted_for(demo):
    """Every species of the run is either in the N/S table or known to hold neither element."""
    assert species_in(demo) == set(FORMULA) | WITHOUT_N_OR_S


@pytest.mark.parametrize("element", ["N", "S"])
def test_element_budget_closes(demo, element):
    """emitted + inflow - outflow - deposited = burden_end - burden_start, in kg of N or of S, to 1e-10 relative.

    Why round-off: every reaction of grs_aero balances N and S, a Rosenbrock step keeps linear invariants (its
    stages are linear combinations of the tendency, whose element sums vanish), the equilibria move moles between
    phases, and each process books what it moves across the domain's edge. What is left is floating-point error in
    sums over ~1300 cells and 18 steps and in the per-cell linear solves: measured 1.0e-15 (N) and 3.4e-16 (S) of
    the largest term here, each species' own residual below 1.1e-15. The tolerance, 1e-10, is the bound the model
    promises for every species' budget; it still fails a chemistry that lost 1 part in 1e8 of the N or S it
    converts (38 % and 6 % of the largest term here).
    """
    def total(term):
        return sum(element_fraction(s, element) * demo[f"budget_{s}_{term}_kg"] for s in FORMULA)

    terms = {term: total(term) for term in FLUXES + ("burden_start", "burden_end")}
    assert terms["emitted"] > 0 and terms["inflow"] > 0 and terms["outflow"] > 0 and terms["deposited"] > 0, terms
    net = terms["emitted"] + terms["inflow"] - terms["outflow"] - terms["deposited"]
    change = terms["burden_end"] - terms["burden_start"]
    scale = max(abs(v) for v in terms.values())
    assert abs(change - net) <= TOLERANCE * scale, (element, change, net, (change - net) / scale, terms)
    # The chemistry really moves the element between species, so the check is not trivially satisfied.
    converted = sum(abs(element_fraction(s, element) * demo[f"budget_{s}_chemical_kg"]) for s in FORMULA)
    assert converted > 1e-3 * scale, (element, converted, scale)
