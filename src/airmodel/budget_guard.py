"""The budget guard: a run stops (exit code 3) the moment its mass budget stops closing or a process makes mass from
nowhere, naming the species, the cell, the process and the model time.

After every process of a step (``Model._check``, after the check for NaN, infinity and negative values) the guard
takes the mass of each species s in the domain, B(s) (kg), and the budget's terms T_t(s) (kg, accumulated since the
start of the run: ``model.Budget.as_arrays()`` without ``burden_start``; each term enters the budget with a sign
sigma_t, +1 for a gain such as ``emitted``, -1 for a loss such as ``outflow``, read once from ``Budget.residual``
itself, so that a term added to the budget is covered with the sign the budget gives it). Three tests, each to
``TOLERANCE`` = 1e-6:

1. the run's residual, exactly the ``relative_residual`` the output file records at the end
   (``Budget.residual``):

       |B(s) - B_start(s) - sum_t sigma_t T_t(s)| / max(B_start(s), B(s), |T_t(s)| for every t);

2. the process's own residual, the same over the process alone (a small leak per process shows here long before
   it adds up in the run's residual):

       |dB(s) - sum_t sigma_t dT_t(s)| / max(B_before(s), B(s), |dT_t(s)| for every t),

   with d the change over the process;
3. mass from nowhere: a one-way term (every term but the net chemical production ``chemical``: mass emitted,
   flowed in, flowed out, deposited) must not decrease over a process; and, as the chemistry moves the mechanism's
   conserved elements (N, S) between species but creates and destroys none, the change of each element's total
   E = sum_s w_E(s) B(s) (mol; w_E = atoms per molecule / molar mass) over a process must equal what the one-way
   terms booked, sum_s w_E(s) sum_t sigma_t dT_t(s), to the same tolerance (relative to the largest of E before,
   E after and sum_s w_E(s) |net one-way change|). The chemical term is the change the chemistry made, so test 2
   cannot see a chemistry that makes N or S; this test does.

A scale of zero (a species absent and untouched) gives a residual of 0; a NaN anywhere fails. Where the guard stops
a run it names the cell where the process changed the species' mass the most (the guard keeps the state before
each process for that): the cell the process got wrong, or at least the one it changed most.

The budgets of valid runs close to about 1e-14 (the month runs of August 2008, every species), so 1e-6 is far
from round-off and far below any error that matters.
"""
from __future__ import annotations

import numpy as np

from .errors import ModelHealthError
from .grid import Grid

#: The largest relative residual a run may reach (see the module docstring for the three tests).
TOLERANCE = 1e-6
#: Budget terms that are net amounts of either sign; every other term is an accumulated one-way flux.
NET_TERMS = ("chemical",)


def cell_text(grid: Grid, k: int, j: int, i: int) -> str:
    """A cell named by its indices and its position (longitude and latitude, or x and y in metres)."""
    if grid.kind == "lonlat":
        where = f"lon {grid.x[i]:.4f}, lat {grid.y[j]:.4f}"
    else:
        where = f"x {grid.x[i]:g} m, y {grid.y[j]:g} m"
    return f"cell (i={i}, j={j}, k={k}) at {where}, {grid.layers.midpoints[k]:g} m above ground"


def _term_signs(budget) -> dict[str, float]:
    """The sign each term of ``budget`` enters its balance with, read from ``budget.residual``: with every term
    zero but one at 1 kg, the residual vanishes for a change in burden of +1 kg (a gain) or -1 kg (a loss)."""
    saved = {name: np.array(values, copy=True) for name, values in budget.as_arrays().items()}
    n = len(saved["burden_start"])
    signs = {}
    try:
        for term in saved:
            if term == "burden_start":
                continue
            probe = {name: np.zeros(n) for name in saved}
            probe[term] = np.ones(n)
            budget.restore(probe)
            sign = [s for s in (1.0, -1.0) if np.all(budget.residual(np.full(n, s)) == 0.0)]
            if len(sign) != 1:
                raise ValueError(f"budget term {term!r} does not enter Budget.residual as a gain or a loss")
            signs[term] = sign[0]
    finally:
        budget.restore(saved)
    return signs


class BudgetGuard:
    """Checks the budget after every process; ``start_step`` at the start of each step, ``check`` after each
    process. ``chemistry`` (optional) gives the conserved elements of the mechanism."""

    def __init__(self, budget, species_names: list[str], grid: Grid, chemistry=None):
        self.budget = budget
        self.names = species_names
        self.grid = grid
        self.signs = _term_signs(budget)
        self.elements = self._element_weights(chemistry, len(species_names))
        self.before = None  # tracer mass [s, k, j, i] (kg) before the current process
        self.burden = None  # its sum by species
        self.terms = None

    @staticmethod
    def _element_weights(chemistry, n_species: int) -> dict[str, np.ndarray]:
        """mol of each conserved element per kg of each model species (zero for species without it)."""
        if chemistry is None:
            return {}
        mech = chemistry.mechanism
        weights = {}
        for e, element in enumerate(mech.elements):
            w = np.zeros(n_species)
            # atoms per molecule / (g mol-1 x 1e-3 kg g-1) = mol of the element per kg of the species
            w[chemistry.slot] = mech.arrays.element_weight[e] / (mech.arrays.molar_mass * 1e-3)
            weights[element] = w
        return weights

    def _terms(self) -> dict[str, np.ndarray]:
        return {t: v.copy() for t, v in self.budget.as_arrays().items() if t != "burden_start"}

    def start_step(self, tracer_mass: np.ndarray) -> None:
        """The state at the start of a step, before its first process."""
        if self.before is None or self.before.shape != tracer_mass.shape:
            self.before = np.empty_like(tracer_mass)
        np.copyto(self.before, tracer_mass)
        self.burden = tracer_mass.sum(axis=(1, 2, 3))
        self.terms = self._terms()

    def check(self, tracer_mass: np.ndarray, process: str, when: str, in_transit=0.0) -> None:
        """After ``process``: raise ModelHealthError where a test fails; ``when`` names the model time,
        ``in_transit`` (kg by species) is mass the budget has booked that is not in ``tracer_mass`` yet (the
        surface emissions, booked by the emissions and put in by the vertical mixing)."""
        burden = tracer_mass.sum(axis=(1, 2, 3)) + in_transit
        terms = self._terms()
        failure = self._failure(burden, terms, process)
        if failure is not None:
            s, what = failure
            change = np.abs(tracer_mass[s] - self.before[s])
            k, j, i = np.unravel_index(int(np.nanargmax(np.where(np.isnan(change), np.inf, change))), change.shape)
            raise ModelHealthError(
                f"{process}: {what}, for species {self.names[s]!r} (largest change by this process in "
                f"{cell_text(self.grid, k, j, i)}: {self.before[s, k, j, i]:.6g} -> {tracer_mass[s, k, j, i]:.6g} "
                f"kg), {when}; the budget must close to {TOLERANCE:g} (relative)")
        np.copyto(self.before, tracer_mass)
        self.burden, self.terms = burden, terms

    def _failure(self, burden, terms, process) -> tuple[int, str] | None:
        """(species, what failed) for the first failing test, or None."""
        for term, values in terms.items():
            if term in NET_TERMS:
                continue
            increase = values - self.terms[term]
            bad = np.nonzero(~(increase >= 0.0))[0]
            if bad.size:
                s = int(bad[0])
                return s, (f"mass from nowhere: the one-way budget term {term!r} changed by {increase[s]:.6g} kg "
                           f"(it may only grow)")
        change = burden - self.burden
        net = sum(self.signs[t] * (terms[t] - self.terms[t]) for t in terms)
        # The scale includes the running totals themselves: a process's booking is the difference of two running
        # sums, so it carries their round-off (a step's 1e-6 kg against 7e4 kg already rained out is exact only to
        # about 1e-11 kg), which is not mass from nowhere.
        scale = np.maximum.reduce([self.burden, burden] + [np.abs(terms[t]) for t in terms]
                                  + [np.abs(self.terms[t]) for t in terms])
        residual = np.abs(change - net) / np.where(scale > 0.0, scale, 1.0)
        bad = np.nonzero(~(residual <= TOLERANCE))[0]
        if bad.size:
            s = int(bad[0])
            return s, (f"mass from nowhere: the mass in the domain changed by {change[s]:.6g} kg where the budget "
                       f"terms booked {net[s]:.6g} kg (relative residual {residual[s]:.3g} of this process)")
        residual = self.budget.residual(burden)
        bad = np.nonzero(~(residual <= TOLERANCE))[0]
        if bad.size:
            s = int(bad[0])
            return s, f"the run's budget residual reached {residual[s]:.3g} (relative)"
        one_way = sum((self.signs[t] * (terms[t] - self.terms[t]) for t in terms if t not in NET_TERMS),
                      np.zeros_like(change))
        # the running one-way totals, whose round-off the booked fluxes carry (as above)
        running = sum((np.abs(terms[t]) for t in terms if t not in NET_TERMS), np.zeros_like(change))
        for element, weight in self.elements.items():
            moved, booked = weight @ change, weight @ one_way
            top = max(weight @ self.burden, weight @ burden, weight @ np.abs(one_way), weight @ running)
            relative = abs(moved - booked) / (top if top > 0.0 else 1.0)
            if not relative <= TOLERANCE:
                s = int(np.argmax(np.abs(weight * change)))
                return s, (f"mass from nowhere: the total of the conserved element {element} changed by "
                           f"{moved:.6g} mol where the budget's fluxes booked {booked:.6g} mol (relative residual "
                           f"{relative:.3g}; the chemistry moves {element} between species but makes none); the "
                           f"species whose {element} changed most")
        return None
