"""Specialised chemistry code per mechanism, as KPP does for Fortran and C (Damian et al. 2002, Comput. Chem. Eng.
26, 1567): Python source for Numba, written out once per mechanism and imported with Numba's on-disk cache.

What is generated (straight-line code, every index and constant a literal):

- ``thermal_rate_constants(T, M, RH, f_cloud, k)``: the rate constants that do not depend on the sun;
- ``rate_constants(cos_chi, cloud_factor, k_thermal, k)``: photolysis frequencies (MCM form) and the OH proxy
  folded into the rate constants;
- ``tendency(k, y, emission, dilution, background, f)`` and ``jacobian(k, y, dilution, jac)``: the right-hand side
  and its analytic Jacobian, the latter in a sparse layout (``JAC_ROW``, ``JAC_COL``: species of each stored
  entry; fill-in entries included, zero);
- ``decompose(a)`` and ``solve_lu(a, b)``: the LU decomposition of the sparse stage matrix without pivoting, and the
  forward and back substitution, on the same layout;
- ``clip_negatives``, ``equilibrate``, the per-cell Rosenbrock integrator ``integrate_cell`` and the drivers
  ``chemistry_3d_by_cell`` (parallel over cells) and ``integrate_box``, with the arguments of the generic drivers in
  ``airmodel.kernels.chemistry`` less the mechanism arrays (they are compiled in);
- the same pieces for ``LANES`` cells at once (``lanes_*``) and a ``chemistry_3d`` that advances groups of LANES
  cells in lockstep, one cell per SIMD lane, each lane with its own step size and accept/reject decisions: the
  result of the cell-by-cell driver ``chemistry_3d_by_cell`` to the last bit, about 1.8 times faster per cell for
  grs_aero and 1.4 times for cb05_aero (benchmarks/chemistry_lanes.py, benchmarks/RESULTS.md).

Each expression is written in the order the generic kernels evaluate it (reaction by reaction, left to right), so
the generated tendency and Jacobian equal the generic ones to the last bit on most inputs; the generic kernels stay
the reference they are tested against (tests/unit/test_chemistry_codegen.py).

Ordering for the LU (fill-in). The stage matrix (1/(h gamma)) I - J has the pattern of J plus the diagonal.
Pivots are taken on the diagonal (no pivoting: the matrix is diagonally dominant for small h, and KPP does the
same) in the order of the **Markowitz criterion restricted to the diagonal** (Markowitz 1957, Manag. Sci. 3, 255;
Duff, Erisman and Reid 1986, Direct Methods for Sparse Matrices, sec. 7.2): at each elimination step the
remaining species with the smallest (r - 1)(c - 1), r and c the counts of nonzeros in its row and column of the
remaining submatrix, ties to the lower species index; the fill it creates is added before the next choice. This
is a greedy heuristic (an exact minimum is NP-hard), the one KPP uses. Species that are never reactants have empty
columns and cost nothing wherever they fall.

Cache. The source is written to ``<cache>/airmodel/generated_mechanisms/mech_<name>_<key>.py``, where ``<cache>``
is ``$AIRMODEL_CACHE_DIR``, else ``$XDG_CACHE_HOME``, else ``~/.cache`` (never the installed package, which may be
read-only); if that is not writable, a folder in the system's temporary directory. ``<key>`` is a SHA-256 of the
``.mech`` text (when the mechanism came from a file), the generated source itself (so everything compiled from the
file, and the generator's own version, is covered), and the source of the kernel modules it imports (Numba's
cache does not notice changes in called modules). A changed file gives a new name, so an old file is never reused
and never rewritten; Numba keeps its compiled cache beside it, in ``__pycache__``.
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path

import numpy as np

from ..cache import cache_folder
from ..errors import InputError
from ..files import read_text, write_text_atomic
from ..kernels import aerosol as kaerosol
from ..kernels import chemistry as kchem
from ..kernels import photolysis as kphotolysis
from ..kernels import rosenbrock as krosenbrock
from .mechanism import Mechanism

GENERATOR_VERSION = "1"
KERNEL_CHOICES = ("auto", "generated", "generic")


class CodegenError(InputError):
    """The generator cannot write code for this mechanism (e.g. a rate form it has no emitter for)."""


# -------------------------------------------------------------------------------------------------------------------
# Sparse structure and ordering
# -------------------------------------------------------------------------------------------------------------------
def jacobian_pattern(mech: Mechanism) -> set[tuple[int, int]]:
    """(row, column) species pairs where J can be nonzero, with the whole diagonal."""
    a = mech.arrays
    ns = a.molar_mass.size
    pattern = {(s, s) for s in range(ns)}
    for r in range(a.rate_type.size):
        for p in range(a.n_reactants[r]):
            col = int(a.reactants[r, p])
            for n in range(a.net_start[r], a.net_start[r + 1]):
                pattern.add((int(a.net_species[n]), col))
    return pattern


def markowitz_order(pattern: set[tuple[int, int]], n: int) -> tuple[list[int], set[tuple[int, int]]]:
    """Diagonal pivot order by the Markowitz criterion (module docstring); returns (order, pattern with fill)."""
    rows = {i: set() for i in range(n)}
    cols = {i: set() for i in range(n)}
    for i, j in pattern:
        rows[i].add(j)
        cols[j].add(i)
    full = set(pattern)
    remaining = set(range(n))
    order = []
    while remaining:
        best = min(remaining, key=lambda i: ((len(rows[i]) - 1) * (len(cols[i]) - 1), i))
        order.append(best)
        remaining.discard(best)
        below = [r for r in cols[best] if r != best]
        right = [c for c in rows[best] if c != best]
        for r in below:
            for c in right:
                if c not in rows[r]:
                    rows[r].add(c)
                    cols[c].add(r)
                    full.add((r, c))
        for r in below:
            rows[r].discard(best)
        for c in right:
            cols[c].discard(best)
    return order, full


class SparseLayout:
    """The stored entries of the stage matrix, row by row in pivot order: ``rows[i]`` lists the pivot positions of
    the columns stored in row i (sorted); ``slot[(i, j)]`` the index in the 1-D value array."""

    def __init__(self, mech: Mechanism):
        ns = mech.arrays.molar_mass.size
        self.jacobian = jacobian_pattern(mech)
        self.order, filled = markowitz_order(self.jacobian, ns)
        self.position = {s: i for i, s in enumerate(self.order)}
        self.n_fill = len(filled) - len(self.jacobian)
        rows = [[] for _ in range(ns)]
        for r, c in filled:
            rows[self.position[r]].append(self.position[c])
        self.rows = [sorted(r) for r in rows]
        self.slot = {}
        for i, row in enumerate(self.rows):
            for j in row:
                self.slot[(i, j)] = len(self.slot)
        self.nnz = len(self.slot)
        self.species_row = np.array([self.order[i] for i, _ in sorted(self.slot, key=self.slot.get)], dtype=np.int64)
        self.species_col = np.array([self.order[j] for _, j in sorted(self.slot, key=self.slot.get)], dtype=np.int64)

    def of_species(self, row: int, col: int) -> int:
        return self.slot[(self.position[row], self.position[col])]


def fill_in(pattern: set[tuple[int, int]], order: list[int]) -> int:
    """Entries created by eliminating in ``order`` (to compare orderings)."""
    n = max(max(i, j) for i, j in pattern) + 1
    rank = {s: i for i, s in enumerate(order)}
    rows = {i: {j for (r, j) in pattern if r == i} for i in range(n)}
    created = 0
    for p in order:
        below = [r for r in range(n) if p in rows[r] and rank[r] > rank[p]]
        right = [c for c in rows[p] if rank[c] > rank[p]]
        for r in below:
            for c in right:
                if c not in rows[r]:
                    rows[r].add(c)
                    created += 1
    return created


# -------------------------------------------------------------------------------------------------------------------
# Emitters
# -------------------------------------------------------------------------------------------------------------------
def _lit(x: float) -> str:
    """A float literal that reads back to the same double."""
    return repr(float(x))


def _thermal_expression(code: int, p) -> str:
    """The base rate constant of one reaction, written as the generic kernel computes it."""
    if code == kchem.RATE_CONSTANT:
        return _lit(p[0])
    if code == kchem.RATE_ARRHENIUS:
        text = f"{_lit(p[0])} * math.exp({_lit(-p[1])} / t)"
        if p[2] != 0.0:
            text = f"({text}) * (t / 300.0) ** {_lit(p[2])}"
        return text
    if code == kchem.RATE_TROE:
        return f"troe_jpl({', '.join(_lit(v) for v in p[:5])}, t, m)"
    if code == kchem.RATE_LINEAR_M:
        return f"{_lit(p[0])} * (1.0 + m / {_lit(p[1])})"
    if code == kchem.RATE_FALLOFF:
        return f"falloff({', '.join(_lit(v) for v in p[:8])}, t, m)"
    if code == kchem.RATE_ARRHENIUS_M:
        return f"{_lit(p[0])} * math.exp({_lit(-p[1])} / t) + {_lit(p[2])} * math.exp({_lit(-p[3])} / t) * m"
    if code == kchem.RATE_OH_HNO3:
        return f"oh_hno3({', '.join(_lit(v) for v in p[:6])}, t, m)"
    if code == kchem.RATE_HUMIDITY_CLOUD:
        return f"{_lit(p[0])} * ((1.0 - fc) * rhc ** {_lit(p[1])} + fc * 100.0 ** {_lit(p[1])})"
    raise CodegenError(f"the code generator has no emitter for rate type {code}; use kernels='generic' or add one "
                       f"in airmodel/chemistry/codegen.py")


#: the rate forms the generator writes code for (a test checks that every RATE_* code of the kernels is here)
SUPPORTED_RATE_TYPES = (kchem.RATE_CONSTANT, kchem.RATE_ARRHENIUS, kchem.RATE_TROE, kchem.RATE_LINEAR_M,
                        kchem.RATE_HUMIDITY_CLOUD, kchem.RATE_FALLOFF, kchem.RATE_ARRHENIUS_M, kchem.RATE_OH_HNO3)
#: the number densities of the fixed factors (M, O2, N2, H2O), as local names of thermal_rate_constants
FIXED_FACTOR_NAMES = ("m", "o2", "n2", "h2o")


def _emit_thermal(mech: Mechanism) -> list[str]:
    a = mech.arrays
    out = ["@njit(cache=True, error_model='numpy')",
           "def thermal_rate_constants(t, m, rh_percent, cloud_fraction, k):",
           "    fc = min(max(cloud_fraction, 0.0), 1.0)",
           "    rhc = min(max(rh_percent, 0.0), 100.0)",
           "    o2 = O2_FRACTION * m",
           "    n2 = N2_FRACTION * m",
           "    h2o = water_number_density(t, rh_percent)"]
    for r in range(a.rate_type.size):
        expr = f"({_thermal_expression(int(a.rate_type[r]), a.rate_par[r])}) * {_lit(a.rate_scale[r])}"
        for q, local in enumerate(FIXED_FACTOR_NAMES):
            expr += f" * {local}" * int(a.fixed_power[r, q])
        if a.molecule_units[r] == 1:
            expr += " * (PPB * m)" * (int(a.n_reactants[r]) - 1)
        out.append(f"    k[{r}] = {expr}  # {mech.reactions[r].label}")
    return out


def _emit_rates(mech: Mechanism) -> list[str]:
    a = mech.arrays
    nj = a.photolysis_par.shape[0]
    out = ["@njit(cache=True, error_model='numpy')",
           "def rate_constants(cos_chi, cloud_factor, k_thermal, k):",
           "    \"\"\"Thermal rate constants times photolysis frequencies (MCM) and the OH proxy.\"\"\""]
    if nj:
        out.append("    if cos_chi > 0.0:")
        out.append("        log_c = math.log(cos_chi)")
        out.append("        inv_c = 1.0 / cos_chi")
        for q in range(nj):
            l, mm, n = a.photolysis_par[q]
            out.append(f"        j{q} = cloud_factor * {_lit(l)} * math.exp({_lit(mm)} * log_c - {_lit(n)} * inv_c)")
        out.append("    else:")
        for q in range(nj):
            out.append(f"        j{q} = 0.0")
    out.append("    oh = 0.0")
    if a.oh_photolysis >= 0:
        out.append(f"    ratio = j{int(a.oh_photolysis)} / {_lit(a.oh_par[1])}")
        out.append("    if ratio > 0.0:")
        power = "ratio" if a.oh_par[2] == 1.0 else f"ratio ** {_lit(a.oh_par[2])}"
        out.append(f"        oh = {_lit(a.oh_par[0])} * {power}")
    for r in range(a.rate_type.size):
        factors = [f"k_thermal[{r}]"]
        if a.photolysis_index[r] >= 0:
            factors.append(f"j{int(a.photolysis_index[r])}")
        if a.oh_factor[r] == 1:
            factors.append("oh")
        out.append(f"    k[{r}] = {' * '.join(factors)}")
    out.append("    return oh")
    return out


def _reaction_rate(a, r: int) -> str:
    return " * ".join([f"k[{r}]"] + [f"y[{int(a.reactants[r, p])}]" for p in range(a.n_reactants[r])])


def _term(coef: float, value: str) -> str:
    """'+ c * value' as the generic kernel's f += c * value (c = +-1 exactly: no multiplication)."""
    if coef == 1.0:
        return f" + {value}"
    if coef == -1.0:
        return f" - {value}"
    return f" + {_lit(coef)} * {value}"


def _emit_tendency(mech: Mechanism) -> list[str]:
    a = mech.arrays
    ns = a.molar_mass.size
    out = ["@njit(cache=True, error_model='numpy')",
           "def tendency(k, y, emission, dilution, background, f):",
           "    if dilution != 0.0:",
           f"        for s in range({ns}):",
           "            f[s] = emission[s] + dilution * (background[s] - y[s])",
           "    else:",
           f"        for s in range({ns}):",
           "            f[s] = emission[s]"]
    terms: dict[int, str] = {}
    for r in range(a.rate_type.size):
        out.append(f"    r{r} = {_reaction_rate(a, r)}")
        for n in range(a.net_start[r], a.net_start[r + 1]):
            s = int(a.net_species[n])
            terms[s] = terms.get(s, "") + _term(float(a.net_coef[n]), f"r{r}")
    for s in sorted(terms):
        out.append(f"    f[{s}] = f[{s}]{terms[s]}  # {mech.species[s].name}")
    return out


def _emit_jacobian(mech: Mechanism, layout: SparseLayout) -> list[str]:
    """jac[slot] = dilution term + contributions in the generic kernel's order (reaction, reactant, product)."""
    a = mech.arrays
    ns = a.molar_mass.size
    parts: dict[tuple[int, int], str] = {}
    for r in range(a.rate_type.size):
        nreac = int(a.n_reactants[r])
        for p in range(nreac):
            d = " * ".join([f"k[{r}]"] + [f"y[{int(a.reactants[r, q])}]" for q in range(nreac) if q != p])
            col = int(a.reactants[r, p])
            for n in range(a.net_start[r], a.net_start[r + 1]):
                row = int(a.net_species[n])
                value = f"({d})" if nreac > 1 else d
                parts[(row, col)] = parts.get((row, col), "") + _term(float(a.net_coef[n]), value)
    out = ["@njit(cache=True, error_model='numpy')",
           "def jacobian(k, y, dilution, jac):",
           "    \"\"\"The analytic Jacobian in the sparse layout (JAC_ROW, JAC_COL); fill-in entries are left as\n"
           "    they are (zero from allocate()).\"\"\""]
    for s in range(ns):
        text = parts.pop((s, s), "")
        out.append(f"    jac[{layout.of_species(s, s)}] = -dilution{text}")
    for (row, col), text in sorted(parts.items(), key=lambda kv: layout.of_species(*kv[0])):
        text = text[3:] if text.startswith(" + ") else "-" + text[3:]
        out.append(f"    jac[{layout.of_species(row, col)}] = {text}")
    return out


def _emit_lu(layout: SparseLayout) -> list[str]:
    slot = layout.slot
    out = ["@njit(cache=True, error_model='numpy')",
           "def decompose(a):",
           "    \"\"\"In-place LU without pivoting in the Markowitz order; the diagonal keeps 1 / U_ii. False if a\n"
           "    pivot is zero or not finite.\"\"\""]
    for i, row in enumerate(layout.rows):
        for j in row:
            if j >= i:
                break
            out.append(f"    a[{slot[(i, j)]}] *= a[{slot[(j, j)]}]")
            for k in layout.rows[j]:
                if k > j:
                    out.append(f"    a[{slot[(i, k)]}] -= a[{slot[(i, j)]}] * a[{slot[(j, k)]}]")
        d = slot[(i, i)]
        out.append(f"    if not (abs(a[{d}]) > 0.0 and abs(a[{d}]) < INF):")
        out.append("        return False")
        out.append(f"    a[{d}] = 1.0 / a[{d}]")
    out.append("    return True")
    out += ["", "", "@njit(cache=True, error_model='numpy')",
            "def solve_lu(a, b):",
            "    \"\"\"Solve (LU) x = b in place (b indexed by species), with the factors from decompose().\"\"\""]
    order = layout.order
    for i, row in enumerate(layout.rows):
        lower = "".join(f" - a[{slot[(i, j)]}] * b[{order[j]}]" for j in row if j < i)
        if lower:
            out.append(f"    b[{order[i]}] = b[{order[i]}]{lower}")
    for i in range(len(layout.rows) - 1, -1, -1):
        upper = "".join(f" - a[{slot[(i, k)]}] * b[{order[k]}]" for k in layout.rows[i] if k > i)
        s = order[i]
        out.append(f"    b[{s}] = (b[{s}]{upper}) * a[{slot[(i, i)]}]" if upper else f"    b[{s}] *= a[{slot[(i, i)]}]")
    out += ["", "", "@njit(cache=True, error_model='numpy')",
            "def stage_matrix(jac, diagonal, a):",
            "    \"\"\"a = diagonal I - J on the sparse layout.\"\"\"",
            f"    for n in range({layout.nnz}):",
            "        a[n] = -jac[n]"]
    for s in range(len(order)):
        out.append(f"    a[{slot[(s, s)]}] += diagonal")
    return out


def _emit_equilibrium(mech: Mechanism) -> list[str]:
    eq = mech.arrays.equilibrium
    out = ["@njit(cache=True, error_model='numpy')",
           "def equilibrate(y, temperature, rh_percent):"]
    if eq[0] < 0:
        return out + ["    return"]
    nh3, hno3, nh4, no3, so4 = (int(v) for v in eq)
    return out + [
        "    k_eq = nh4no3_dissociation_constant(temperature, rh_percent)",
        f"    a, b, c, d = partition_ammonium_nitrate(y[{nh3}] + y[{nh4}], y[{hno3}] + y[{no3}], y[{so4}], k_eq)",
        f"    y[{nh3}] = a", f"    y[{hno3}] = b", f"    y[{nh4}] = c", f"    y[{no3}] = d"]


# -------------------------------------------------------------------------------------------------------------------
# The same pieces for LANES cells at once (the lockstep driver below): every per-cell array is a flat array of
# entry-major, lane-minor values, x[e * LANES + l], and each generated statement sits inside one loop over the lanes,
# so that the compiler turns it into SIMD code across cells. The loop runs to a bound read from an array's size
# (a literal 8 would be unrolled into scalar code instead of vectorised). Each lane computes exactly the scalar
# function's operations on its own cell.
# -------------------------------------------------------------------------------------------------------------------
LANES = 8  # cells a lockstep group advances together: 8 float64 fill one AVX-512 register
LANE_CHUNK = 20  # statements per loop over the lanes (_lane_loops)
_INDEX = re.compile(r"\b([A-Za-z_][A-Za-z_0-9]*)\[(\d+)\]")
_LANE_ARRAYS = ("k", "k_thermal", "y", "f", "jac", "a", "b")  # the per-cell arrays the emitted pieces index


def _per_lane(statement: str) -> str:
    """name[n] -> name[n * LANES + l] for every literal index of a per-cell array in a generated statement (any
    other indexed name is refused: it would be read at a wrong place)."""
    def lane(m):
        if m.group(1) not in _LANE_ARRAYS:
            raise CodegenError(f"lockstep code: {m.group(0)!r} in {statement.strip()!r} is not a per-cell array")
        return f"{m.group(1)}[{int(m.group(2)) * LANES} + l]"

    return _INDEX.sub(lane, statement.split("  #")[0].rstrip())


def _body(block: list[str], header: str) -> list[str]:
    """The statements of an emitted function after its def line and docstring, less the function's indentation."""
    lines = block[block.index(header) + 1:]
    if lines and lines[0].lstrip().startswith('"""'):
        first = lines[0].strip()
        end = 0 if len(first) >= 6 and first.endswith('"""') else next(
            n for n in range(1, len(lines)) if lines[n].rstrip().endswith('"""'))
        lines = lines[end + 1:]
    body = []
    for line in lines:
        if line.strip() and not line.startswith("    "):  # the next function (blocks may hold several)
            break
        body.append(line[4:])
    while body and not body[-1].strip():
        body.pop()
    return body


def _lane_loops(statements: list[str], bound: str, before: str = "", after: str = "") -> list[str]:
    """The statements in loops over the lanes of LANE_CHUNK statements each (LLVM vectorises a loop of a few dozen
    statements but gives up on one of hundreds: cb05_aero's Jacobian in one loop ran at 0.42 of the scalar speed and
    took 108 s to compile); ``before`` and ``after`` open and close each loop."""
    out = []
    for n in range(0, len(statements), LANE_CHUNK):
        out.append(f"    for l in range({bound}):")
        out += ["        " + b for b in ([before] if before else []) + statements[n:n + LANE_CHUNK]
                + ([after] if after else [])]
    return out


def _emit_lanes(mech: Mechanism, jacobian: list[str], lu: list[str], rates: list[str]) -> list[str]:
    njit = "@njit(cache=True, error_model='numpy')"
    a = mech.arrays
    out = [f"LANES = {LANES}", "", ""]
    # tendency: the dilution and emission prologue over all entries, then the reactions in chunks, each species' sum
    # continued chunk after chunk (f = f + terms: the additions of the scalar sum, in its order)
    out += [njit, "def lanes_tendency(k, y, emission, dilution, background, f):",
            "    if dilution != 0.0:",
            "        for n in range(f.size):",
            "            f[n] = emission[n] + dilution * (background[n] - y[n])",
            "    else:",
            "        for n in range(f.size):",
            "            f[n] = emission[n]"]
    n_reactions = a.rate_type.size
    for first in range(0, n_reactions, LANE_CHUNK):
        out.append("    for l in range(y.size // NS):")
        terms: dict[int, str] = {}
        for r in range(first, min(n_reactions, first + LANE_CHUNK)):
            out.append(f"        r{r} = {_per_lane(_reaction_rate(a, r))}")
            for n in range(a.net_start[r], a.net_start[r + 1]):
                sp = int(a.net_species[n])
                terms[sp] = terms.get(sp, "") + _term(float(a.net_coef[n]), f"r{r}")
        out += [f"        f[{sp * LANES} + l] = f[{sp * LANES} + l]{terms[sp]}" for sp in sorted(terms)]
    out += ["", ""]
    body = [_per_lane(b) for b in _body(jacobian, "def jacobian(k, y, dilution, jac):")]
    out += [njit, "def lanes_jacobian(k, y, dilution, jac):"] + _lane_loops(body, "jac.size // NNZ") + ["", ""]
    pivot = re.compile(r"if not \(abs\(a\[(\d+)\]\) > 0\.0 and abs\(a\[(\d+)\]\) < INF\):")
    body = []
    for b in _body(lu, "def decompose(a):"):
        m = pivot.match(b)
        if m:
            d = int(m.group(1)) * LANES
            body.append(f"fine = fine & (abs(a[{d} + l]) > 0.0) & (abs(a[{d} + l]) < INF)")
        elif b.strip() not in ("return False", "return True"):
            body.append(_per_lane(b))
    out += [njit, "def lanes_decompose(a, ok):",
            "    \"\"\"decompose() for each lane; ok[l]: its pivots are nonzero and finite (a lane that fails goes on, its\n"
            "    values unused).\"\"\"",
            "    for l in range(ok.size):", "        ok[l] = True"]
    out += _lane_loops(body, "ok.size", before="fine = True", after="ok[l] = ok[l] & fine") + ["", ""]
    body = [_per_lane(b) for b in _body(lu, "def solve_lu(a, b):")]
    out += [njit, "def lanes_solve_lu(a, b):"] + _lane_loops(body, "b.size // NS") + ["", ""]
    body = [_per_lane(b.replace("diagonal", "diagonal[l]")) for b in _body(lu, "def stage_matrix(jac, diagonal, a):")[2:]]
    out += [njit, "def lanes_stage_matrix(jac, diagonal, a):", "    for n in range(a.size):", "        a[n] = -jac[n]"]
    out += _lane_loops(body, "diagonal.size") + ["", ""]
    # rate constants: exp and log stay scalar (no vector library here, and a vector exp would not match libm's
    # bits): one lane a call
    body = _body(rates, "def rate_constants(cos_chi, cloud_factor, k_thermal, k):")
    out += [njit, "def lane_rate_constants(cos_chi, cloud_factor, k_thermal, k, l):"]
    out += ["    " + _per_lane(b) if b.strip() else "" for b in body] + ["", ""]
    return out


def _array_literal(values, dtype: str) -> str:
    values = np.asarray(values)
    if values.ndim == 2:
        return f"np.array([{', '.join('[' + ', '.join(_lit(v) for v in row) + ']' for row in values)}], " \
               f"dtype=np.{dtype})"
    text = ", ".join(str(int(v)) if dtype == "int64" else _lit(v) for v in values)
    return f"np.array([{text}], dtype=np.{dtype})"


# The solver around the generated pieces: the generic integrate_cell and drivers of airmodel.kernels.chemistry,
# written for the full species vector (non-solved species have zero tendency, so their stage values are zero), with
# the sparse LU in place of the dense block LU, without the mechanism arrays, and reusing the rate constants of
# the last stage time (t + h) for the start of the next step (the same value, computed once).
TEMPLATE = '''
@njit(cache=True, error_model='numpy')
def allocate(n_stages):
    """Scratch for integrate_cell: k_thermal, k_now, k_stage, k_time, f_now, f_stage, f_time, y_stage, y_new,
    stage_k, jac, lu."""
    return (np.empty(NR), np.empty(NR), np.empty(NR), np.empty(NR), np.empty(NS), np.empty(NS), np.empty(NS),
            np.empty(NS), np.empty(NS), np.zeros((n_stages, NS)), np.zeros(NNZ), np.zeros(NNZ))


@njit(cache=True, error_model='numpy')
def integrate_cell(y, dt, sun, lon, sin_lat, cos_lat, cloud_factor, emission, dilution, background, solve, tab,
                   rtol, atol, max_steps, ws, first_step):
    """Advance y (ppb, all species, in place) over dt s: airmodel.kernels.chemistry.integrate_cell with the
    generated pieces. ws = allocate(tab.stages) with ws[0] the thermal rate constants. Returns (status, accepted,
    rejected, next step size)."""
    k_thermal, k_now, k_stage, k_time, f_now, f_stage, f_time, y_stage, y_new, stage_k, jac, lu = ws
    n_stages = tab.stages
    n_accepted = 0
    n_rejected = 0
    n_singular = 0
    if dt <= 0.0 or solve.size == 0:
        return STATUS_OK, 0, 0, first_step
    h_min = 1e-12 * max(dt, 1.0)
    t = 0.0
    fixed_sun = sun[7] == sun[7]
    c_now = cos_zenith_in_call(t, dt, sun, lon, sin_lat, cos_lat)
    rate_constants(c_now, cloud_factor, k_thermal, k_now)
    tendency(k_now, y, emission, dilution, background, f_now)
    h = starting_step(y, f_now, solve, atol, rtol, first_step, dt, h_min)
    rejected_last = False
    h_plan = h
    stage_time = -1.0  # the time k_stage belongs to
    while t < dt:
        remaining = dt - t
        h_plan = h
        last = h >= remaining * (1.0 - 1e-12)
        if last:
            h = remaining
        c_next = cos_zenith_in_call(t + TIME_DERIVATIVE_DELTA, dt, sun, lon, sin_lat, cos_lat)
        if fixed_sun or (c_now <= 0.0 and c_next <= 0.0):
            for s in range(NS):
                f_time[s] = 0.0
        else:
            # f_t = S r(dk/dt, y), as in airmodel.kernels.chemistry.integrate_cell (why: there)
            rate_constants(c_next, cloud_factor, k_thermal, k_time)
            for r in range(NR):
                k_time[r] = (k_time[r] - k_now[r]) / TIME_DERIVATIVE_DELTA
            for s in range(NS):
                f_stage[s] = 0.0
            tendency(k_time, y, f_stage, 0.0, background, f_time)
        jacobian(k_now, y, dilution, jac)
        while True:
            if n_accepted + n_rejected >= max_steps:
                return STATUS_TOO_MANY_STEPS, n_accepted, n_rejected, h
            if h < h_min:
                return STATUS_STEP_TOO_SMALL, n_accepted, n_rejected, h
            inv = 1.0 / (h * tab.gamma)
            stage_matrix(jac, inv, lu)
            if not decompose(lu):
                n_singular += 1
                if n_singular > 5:
                    return STATUS_SINGULAR, n_accepted, n_rejected, h
                h *= 0.5
                last = False
                rejected_last = True
                continue
            use_start = True
            for i in range(n_stages):
                if i > 0 and tab.new_f[i] == 1:
                    for s in range(NS):
                        y_stage[s] = y[s]
                    for j in range(i):
                        a_ij = tab.a[i, j]
                        if a_ij != 0.0:
                            for s in range(NS):
                                y_stage[s] += a_ij * stage_k[j, s]
                    tau = t + tab.alpha[i] * h
                    if fixed_sun:
                        tendency(k_now, y_stage, emission, dilution, background, f_stage)
                    else:
                        if tau != stage_time:
                            rate_constants(cos_zenith_in_call(tau, dt, sun, lon, sin_lat, cos_lat), cloud_factor,
                                           k_thermal, k_stage)
                            stage_time = tau
                        tendency(k_stage, y_stage, emission, dilution, background, f_stage)
                    use_start = False
                h_gamma_i = h * tab.gamma_i[i]
                row = stage_k[i]
                if use_start:
                    for s in range(NS):
                        row[s] = f_now[s] + h_gamma_i * f_time[s]
                else:
                    for s in range(NS):
                        row[s] = f_stage[s] + h_gamma_i * f_time[s]
                for j in range(i):
                    c_ij = tab.c[i, j] / h
                    if c_ij != 0.0:
                        for s in range(NS):
                            row[s] += c_ij * stage_k[j, s]
                solve_lu(lu, row)
            err, bad_negative = new_solution_and_error(y, y_new, stage_k, solve, tab, rtol, atol, True)
            accepted, h_next = control_step(err, bad_negative, h, tab.elo, rejected_last)
            if accepted:
                clip_negatives_by_element(ELEMENT_OF, ELEMENT_WEIGHT, y_new, solve)
                y[:] = y_new
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
                if t == stage_time:  # the rate constants of the last stage time: swap them in
                    k_now, k_stage = k_stage, k_now
                    stage_time = -1.0
                else:
                    rate_constants(c_now, cloud_factor, k_thermal, k_now)
            tendency(k_now, y, emission, dilution, background, f_now)
    return STATUS_OK, n_accepted, n_rejected, max(h, h_plan)


@njit(parallel=True, nogil=True, cache=True, error_model='numpy')
def chemistry_3d_by_cell(concentration, slot, active, solve, air_density, temperature, rh_percent, cloud_fraction,
                         cloud_cover, lon, lat, sun, dt, tab, rtol, atol, max_steps, status, steps, next_step,
                         photolysis_at_midpoint):
    """airmodel.kernels.chemistry.chemistry_3d with the generated pieces (same arguments less the mechanism
    arrays, n_coupled and position), one cell after the other; chemistry_3d gives the same result LANES cells at
    a time."""
    nz, ny, nx = air_density.shape
    n_cells = nz * ny * nx
    n_chunks = (n_cells + CELLS_PER_CHUNK - 1) // CELLS_PER_CHUNK
    stride = chunk_stride(n_chunks)  # chunks spread over the threads (why: airmodel.kernels.chemistry)
    for p in prange(n_chunks):
        chunk = (p * stride) % n_chunks
        ws = allocate(tab.stages)
        cell_sun = sun.copy()
        y = np.zeros(NS)
        no_emission = np.zeros(NS)
        for cell in range(chunk * CELLS_PER_CHUNK, min(n_cells, (chunk + 1) * CELLS_PER_CHUNK)):
            k = cell // (ny * nx)
            rest = cell - k * ny * nx
            j = rest // nx
            i = rest - j * nx
            rho = air_density[k, j, i]
            cell_to_ppb(concentration, slot, active, MOLAR_MASS, k, j, i, rho, y)
            t_cell = temperature[k, j, i]
            rh = rh_percent[k, j, i]
            thermal_rate_constants(t_cell, air_number_density(rho), rh, cloud_fraction[k, j, i], ws[0])
            phi = math.radians(lat[j, i])
            sin_lat = math.sin(phi)
            cos_lat = math.cos(phi)
            cloud_factor = cloud_attenuation(cloud_cover[j, i], CLOUD_A, CLOUD_B)
            if photolysis_at_midpoint:
                cell_sun[7] = cos_zenith_in_call(0.5 * dt, dt, sun, lon[j, i], sin_lat, cos_lat)
            st, n_acc, n_rej, h_next = integrate_cell(y, dt, cell_sun, lon[j, i], sin_lat, cos_lat, cloud_factor,
                                                      no_emission, 0.0, no_emission, solve, tab, rtol, atol,
                                                      max_steps, ws, next_step[k, j, i])
            next_step[k, j, i] = h_next
            equilibrate(y, t_cell, rh)
            ppb_to_cell(concentration, slot, active, MOLAR_MASS, k, j, i, rho, y)
            status[k, j, i] = st
            steps[k, j, i] = n_acc + n_rej


@njit(cache=True, error_model='numpy')
def integrate_box(y, segment_start, segment_length, segment_days_in_year, segment_temperature,
                  segment_number_density, segment_rh, segment_cloud, segment_emission, segment_record, dilution,
                  background, lon, lat, fixed_cos_zenith, tab, solve, rtol, atol, max_steps, out, stats):
    """airmodel.kernels.chemistry.integrate_box with the generated pieces (same arguments less the mechanism
    arrays, n_coupled and position)."""
    ws = allocate(tab.stages)
    phi = math.radians(lat)
    sin_lat = math.sin(phi)
    cos_lat = math.cos(phi)
    h_next = 0.0
    for n in range(segment_start.size):
        dt = segment_length[n]
        sun = sun_parameters(segment_start[n], segment_days_in_year[n], dt, fixed_cos_zenith)
        thermal_rate_constants(segment_temperature[n], segment_number_density[n], segment_rh[n], segment_cloud[n],
                               ws[0])
        cloud_factor = cloud_attenuation(segment_cloud[n], CLOUD_A, CLOUD_B)
        st, n_acc, n_rej, h_next = integrate_cell(y, dt, sun, lon, sin_lat, cos_lat, cloud_factor,
                                                  segment_emission[n], dilution, background, solve, tab, rtol,
                                                  atol, max_steps, ws, h_next)
        stats[0] += n_acc
        stats[1] += n_rej
        if st != STATUS_OK:
            return st, n
        equilibrate(y, segment_temperature[n], segment_rh[n])
        row = segment_record[n]
        if row >= 0:
            for s in range(NS):
                out[row, s] = y[s]
    return STATUS_OK, -1
'''


LANES_TEMPLATE = '''

# ------------------------------------------------------------------------------------------------------------------
# Lockstep across cells: LANES cells advance together, one per SIMD lane, through the linear algebra and the
# right-hand side (lanes_* above); each lane keeps its own time, step size, error and accept/reject decisions, and
# computes, operation for operation, what integrate_cell computes for its cell (the same values, bit for bit:
# tests/unit/test_chemistry_lanes.py). Lane l of a group walks the cells of one chunk in order, as chemistry_3d_by_cell
# does; a lane whose chunk is done stands idle until the group's other lanes are done.
# ------------------------------------------------------------------------------------------------------------------
GROUP_CHUNKS = 4 * LANES  # chunks of neighbouring cells a lockstep group shares out among its lanes (at most)


@njit(cache=True, error_model='numpy')
def _cell_index(cell, ny, nx):
    k = cell // (ny * nx)
    rest = cell - k * ny * nx
    j = rest // nx
    return k, j, rest - j * nx


@njit(cache=True, error_model='numpy')
def _lanes_error(y, y_new, stage_k, solve, tab, rtol, atol, err, bad, dy, de):
    """new_solution_and_error for every lane (the same operations, in the same order, per lane)."""
    nl = err.size
    for n in range(y.size):
        y_new[n] = y[n]
    for l in range(nl):
        err[l] = 0.0
        bad[l] = False
    for a in range(solve.size):
        s = solve[a]
        for l in range(nl):
            dy[l] = 0.0
            de[l] = 0.0
        for i in range(tab.stages):
            m_i = tab.m[i]
            e_i = tab.e[i]
            row = stage_k[i]
            for l in range(nl):
                dy[l] += m_i * row[s * LANES + l]
                de[l] += e_i * row[s * LANES + l]
        atol_s = atol[s]
        for l in range(nl):
            old = y[s * LANES + l]
            new = old + dy[l]
            y_new[s * LANES + l] = new
            sc = atol_s + rtol * max(abs(old), abs(new))
            err[l] += (de[l] / sc) ** 2
            bad[l] = bad[l] or new < -atol_s
    for l in range(nl):
        err[l] = math.sqrt(err[l] / solve.size)


@njit(cache=True, error_model='numpy')
def _finish_cell(l, st, h_next, cell, y, ty, concentration, slot, active, air_density, temperature, rh_percent,
                 status, steps, next_step, n_steps):
    """The end of a lane's cell, as chemistry_3d_by_cell ends it: equilibrium, back to the grid, status."""
    nz, ny, nx = air_density.shape
    k, j, i = _cell_index(cell, ny, nx)
    next_step[k, j, i] = h_next
    for s in range(NS):
        ty[s] = y[s * LANES + l]
    equilibrate(ty, temperature[k, j, i], rh_percent[k, j, i])
    for s in range(NS):
        y[s * LANES + l] = ty[s]
    ppb_to_cell(concentration, slot, active, MOLAR_MASS, k, j, i, air_density[k, j, i], ty)
    status[k, j, i] = st
    steps[k, j, i] = n_steps


@njit(cache=True, error_model='numpy')
def _lanes_group(chunk_begin, chunk_end, concentration, slot, active, solve, air_density, temperature, rh_percent,
                 cloud_fraction, cloud_cover, lon, lat, sun, dt, tab, rtol, atol, max_steps, status, steps, next_step,
                 photolysis_at_midpoint):
    """The cells of chunks chunk_begin .. chunk_end - 1, neighbours in the grid (similar work), a cell to a lane at a
    time in their order: a lane waits for the others only at the group's end."""
    L = LANES
    nz, ny, nx = air_density.shape
    n_cells = nz * ny * nx
    n_stages = tab.stages
    y = np.zeros(NS * L)
    y_new = np.zeros(NS * L)
    y_stage = np.zeros(NS * L)
    f_now = np.zeros(NS * L)
    f_stage = np.zeros(NS * L)
    f_time = np.zeros(NS * L)
    f_sun = np.zeros(NS * L)
    zero = np.zeros(NS * L)
    stage_k = np.zeros((n_stages, NS * L))
    k_thermal = np.zeros(NR * L)
    k_now = np.zeros(NR * L)
    k_stage = np.zeros(NR * L)
    k_time = np.zeros(NR * L)
    jac = np.zeros(NNZ * L)
    lu = np.zeros(NNZ * L)
    t = np.zeros(L)
    h = np.zeros(L)
    h_plan = np.zeros(L)
    h_min = 1e-12 * max(dt, 1.0)
    c_now = np.zeros(L)
    stage_time = np.zeros(L)
    diagonal = np.zeros(L)
    err = np.zeros(L)
    h_gamma = np.zeros(L)
    c_ij = np.zeros(L)
    dy = np.zeros(L)
    de = np.zeros(L)
    sin_lat = np.zeros(L)
    cos_lat = np.zeros(L)
    lon_l = np.zeros(L)
    cloud_factor = np.zeros(L)
    last = np.zeros(L, dtype=np.bool_)
    rejected_last = np.zeros(L, dtype=np.bool_)
    new_step = np.zeros(L, dtype=np.bool_)
    alive = np.zeros(L, dtype=np.bool_)
    skip = np.zeros(L, dtype=np.bool_)
    fixed_sun = np.zeros(L, dtype=np.bool_)
    no_sun_term = np.zeros(L, dtype=np.bool_)
    ok = np.zeros(L, dtype=np.bool_)
    bad = np.zeros(L, dtype=np.bool_)
    n_acc = np.zeros(L, dtype=np.int64)
    n_rej = np.zeros(L, dtype=np.int64)
    n_singular = np.zeros(L, dtype=np.int64)
    cell_of = np.zeros(L, dtype=np.int64)
    sun_l = np.zeros((L, sun.size))
    ty = np.zeros(NS)
    tf = np.zeros(NS)
    tk = np.zeros(NR)
    no_emission = np.zeros(NS)
    next_cell = chunk_begin * CELLS_PER_CHUNK
    end_cell = min(n_cells, chunk_end * CELLS_PER_CHUNK)
    while True:
        # a lane that has finished its cell takes the group's next cell (integrate_cell's prologue follows). The
        # values a lane's y keeps from its previous cell for the species that are not active (chemistry_3d_by_cell
        # keeps them from the chunk's previous cell) enter nothing: they are no reactant, no solved species, carry
        # no element and are not written back.
        for l in range(L):
            if alive[l] or next_cell >= end_cell:
                continue
            cell = next_cell
            next_cell += 1
            cell_of[l] = cell
            k, j, i = _cell_index(cell, ny, nx)
            rho = air_density[k, j, i]
            for s in range(NS):
                ty[s] = y[s * L + l]
            cell_to_ppb(concentration, slot, active, MOLAR_MASS, k, j, i, rho, ty)
            for s in range(NS):
                y[s * L + l] = ty[s]
            thermal_rate_constants(temperature[k, j, i], air_number_density(rho), rh_percent[k, j, i],
                                   cloud_fraction[k, j, i], tk)
            for r in range(NR):
                k_thermal[r * L + l] = tk[r]
            phi = math.radians(lat[j, i])
            sin_lat[l] = math.sin(phi)
            cos_lat[l] = math.cos(phi)
            lon_l[l] = lon[j, i]
            cloud_factor[l] = cloud_attenuation(cloud_cover[j, i], CLOUD_A, CLOUD_B)
            for q in range(sun.size):
                sun_l[l, q] = sun[q]
            if photolysis_at_midpoint:
                sun_l[l, 7] = cos_zenith_in_call(0.5 * dt, dt, sun, lon_l[l], sin_lat[l], cos_lat[l])
            if dt <= 0.0 or solve.size == 0:
                _finish_cell(l, STATUS_OK, next_step[k, j, i], cell, y, ty, concentration, slot, active,
                             air_density, temperature, rh_percent, status, steps, next_step, 0)
                continue
            t[l] = 0.0
            fixed_sun[l] = sun_l[l, 7] == sun_l[l, 7]
            c_now[l] = cos_zenith_in_call(0.0, dt, sun_l[l], lon_l[l], sin_lat[l], cos_lat[l])
            lane_rate_constants(c_now[l], cloud_factor[l], k_thermal, k_now, l)
            for r in range(NR):
                tk[r] = k_now[r * L + l]
            tendency(tk, ty, no_emission, 0.0, no_emission, tf)
            h[l] = starting_step(ty, tf, solve, atol, rtol, next_step[k, j, i], dt, h_min)
            rejected_last[l] = False
            h_plan[l] = h[l]
            stage_time[l] = -1.0
            new_step[l] = True
            n_acc[l] = 0
            n_rej[l] = 0
            n_singular[l] = 0
            alive[l] = True
        # the start of each lane's attempt
        any_sun = False
        all_fixed = True
        n_live = 0
        for l in range(L):
            skip[l] = True
            if not alive[l]:
                continue
            if new_step[l]:
                remaining = dt - t[l]
                h_plan[l] = h[l]
                last[l] = h[l] >= remaining * (1.0 - 1e-12)
                if last[l]:
                    h[l] = remaining
                c_next = cos_zenith_in_call(t[l] + TIME_DERIVATIVE_DELTA, dt, sun_l[l], lon_l[l], sin_lat[l],
                                            cos_lat[l])
                no_sun_term[l] = fixed_sun[l] or (c_now[l] <= 0.0 and c_next <= 0.0)
                if not no_sun_term[l]:
                    lane_rate_constants(c_next, cloud_factor[l], k_thermal, k_time, l)
                    for r in range(NR):
                        k_time[r * L + l] = (k_time[r * L + l] - k_now[r * L + l]) / TIME_DERIVATIVE_DELTA
                new_step[l] = False
            st = STATUS_OK
            if n_acc[l] + n_rej[l] >= max_steps:
                st = STATUS_TOO_MANY_STEPS
            elif h[l] < h_min:
                st = STATUS_STEP_TOO_SMALL
            if st != STATUS_OK:
                _finish_cell(l, st, h[l], cell_of[l], y, ty, concentration, slot, active, air_density,
                             temperature, rh_percent, status, steps, next_step, n_acc[l] + n_rej[l])
                alive[l] = False
                continue
            any_sun = any_sun or not no_sun_term[l]
            all_fixed = all_fixed and fixed_sun[l]
            diagonal[l] = 1.0 / (h[l] * tab.gamma)
            skip[l] = False
            n_live += 1
        if n_live == 0:
            more = False
            for l in range(L):
                more = more or alive[l] or next_cell < end_cell
            if not more:
                break
            continue
        # every lane's f_t (the derivative of the rate constants kept since the step began), J, f and LU; a lane
        # that retries a step recomputes the values it had
        if any_sun:
            lanes_tendency(k_time, y, zero, 0.0, zero, f_sun)
            for s in range(NS):
                for l in range(L):
                    f_time[s * L + l] = 0.0 if no_sun_term[l] else f_sun[s * L + l]
        else:
            for n in range(NS * L):
                f_time[n] = 0.0
        lanes_jacobian(k_now, y, 0.0, jac)
        lanes_tendency(k_now, y, zero, 0.0, zero, f_now)
        lanes_stage_matrix(jac, diagonal, lu)
        lanes_decompose(lu, ok)
        for l in range(L):
            if skip[l] or ok[l]:
                continue
            n_singular[l] += 1
            skip[l] = True
            n_live -= 1
            if n_singular[l] > 5:
                _finish_cell(l, STATUS_SINGULAR, h[l], cell_of[l], y, ty, concentration, slot, active, air_density,
                             temperature, rh_percent, status, steps, next_step, n_acc[l] + n_rej[l])
                alive[l] = False
                continue
            h[l] *= 0.5
            last[l] = False
            rejected_last[l] = True
        if n_live == 0:
            continue
        use_start = True
        for i in range(n_stages):
            if i > 0 and tab.new_f[i] == 1:
                for n in range(NS * L):
                    y_stage[n] = y[n]
                for j in range(i):
                    a_ij = tab.a[i, j]
                    if a_ij != 0.0:
                        row_j = stage_k[j]
                        for n in range(NS * L):
                            y_stage[n] += a_ij * row_j[n]
                if all_fixed:  # every lane's rate constants are those of the step's start
                    lanes_tendency(k_now, y_stage, zero, 0.0, zero, f_stage)
                else:
                    for l in range(L):
                        if skip[l]:
                            continue
                        if fixed_sun[l]:
                            for r in range(NR):
                                k_stage[r * L + l] = k_now[r * L + l]
                            continue
                        tau = t[l] + tab.alpha[i] * h[l]
                        if tau != stage_time[l]:
                            lane_rate_constants(cos_zenith_in_call(tau, dt, sun_l[l], lon_l[l], sin_lat[l],
                                                                   cos_lat[l]), cloud_factor[l], k_thermal, k_stage, l)
                            stage_time[l] = tau
                    lanes_tendency(k_stage, y_stage, zero, 0.0, zero, f_stage)
                use_start = False
            gamma_i = tab.gamma_i[i]
            for l in range(L):
                h_gamma[l] = h[l] * gamma_i
            row = stage_k[i]
            f = f_now if use_start else f_stage
            for s in range(NS):
                for l in range(L):
                    row[s * L + l] = f[s * L + l] + h_gamma[l] * f_time[s * L + l]
            for j in range(i):
                c = tab.c[i, j]
                if c != 0.0:
                    for l in range(L):
                        c_ij[l] = c / h[l]
                    row_j = stage_k[j]
                    for s in range(NS):
                        for l in range(L):
                            row[s * L + l] += c_ij[l] * row_j[s * L + l]
            lanes_solve_lu(lu, row)
        _lanes_error(y, y_new, stage_k, solve, tab, rtol, atol, err, bad, dy, de)
        # each lane's step control
        for l in range(L):
            if skip[l]:
                continue
            accepted, h_next = control_step(err[l], bad[l], h[l], tab.elo, rejected_last[l])
            if not accepted:
                n_rej[l] += 1
                h[l] = h_next
                rejected_last[l] = True
                last[l] = False
                continue
            negative = False
            for a in range(solve.size):
                negative = negative or not y_new[solve[a] * L + l] >= 0.0
            if negative:  # (clip_negatives_by_element changes nothing where every solved species is >= 0)
                for s in range(NS):
                    ty[s] = y_new[s * L + l]
                clip_negatives_by_element(ELEMENT_OF, ELEMENT_WEIGHT, ty, solve)
                for s in range(NS):
                    y[s * L + l] = ty[s]
            else:
                for s in range(NS):
                    y[s * L + l] = y_new[s * L + l]
            t[l] = dt if last[l] else t[l] + h[l]
            n_acc[l] += 1
            h[l] = h_next
            rejected_last[l] = False
            if t[l] < dt:
                new_step[l] = True
                if not fixed_sun[l]:
                    c_now[l] = cos_zenith_in_call(t[l], dt, sun_l[l], lon_l[l], sin_lat[l], cos_lat[l])
                    if t[l] == stage_time[l]:  # the rate constants of the last stage time, as integrate_cell
                        for r in range(NR):
                            k_now[r * L + l] = k_stage[r * L + l]
                        stage_time[l] = -1.0
                    else:
                        lane_rate_constants(c_now[l], cloud_factor[l], k_thermal, k_now, l)
            else:
                _finish_cell(l, STATUS_OK, max(h[l], h_plan[l]), cell_of[l], y, ty, concentration, slot, active,
                             air_density, temperature, rh_percent, status, steps, next_step, n_acc[l] + n_rej[l])
                alive[l] = False


@njit(parallel=True, nogil=True, cache=True, error_model='numpy')
def chemistry_3d(concentration, slot, active, solve, air_density, temperature, rh_percent, cloud_fraction,
                 cloud_cover, lon, lat, sun, dt, tab, rtol, atol, max_steps, status, steps, next_step,
                 photolysis_at_midpoint):
    """chemistry_3d_by_cell's result, LANES cells at a time in lockstep (above): groups of up to GROUP_CHUNKS
    neighbouring chunks, spread over the threads in chemistry_3d_by_cell's order of chunks (chunk_stride, why:
    there)."""
    nz, ny, nx = air_density.shape
    n_cells = nz * ny * nx
    n_chunks = (n_cells + CELLS_PER_CHUNK - 1) // CELLS_PER_CHUNK
    # at least 16 groups where the grid allows (four a thread on four threads: a thread's share then ends within a
    # group's work); not from numba.get_num_threads(), which would keep this function out of Numba's cache
    per_group = max(LANES, min(GROUP_CHUNKS, n_chunks // 16))
    n_groups = (n_chunks + per_group - 1) // per_group
    stride = chunk_stride(n_groups)
    for p in prange(n_groups):
        g = (p * stride) % n_groups
        _lanes_group(g * per_group, min(n_chunks, (g + 1) * per_group), concentration, slot, active, solve,
                     air_density, temperature, rh_percent, cloud_fraction, cloud_cover, lon, lat, sun, dt, tab, rtol,
                     atol, max_steps, status, steps, next_step, photolysis_at_midpoint)
'''


def generate_source(mech: Mechanism) -> str:
    """The Python source of the specialised module for ``mech`` (see the module docstring)."""
    a = mech.arrays
    for code in sorted(set(int(c) for c in a.rate_type)):
        if code not in SUPPORTED_RATE_TYPES:
            _thermal_expression(code, np.zeros(5))  # raises CodegenError naming the form
    layout = SparseLayout(mech)
    ns, nr = a.molar_mass.size, a.rate_type.size
    head = [
        f'"""Generated by airmodel.chemistry.codegen (generator version {GENERATOR_VERSION}) for the mechanism '
        f'{mech.name}: {ns} species, {nr} reactions, a sparse LU of {layout.nnz} entries ({len(layout.jacobian)} '
        f'of the Jacobian and the diagonal, {layout.n_fill} fill-in) in the Markowitz order. Do not edit: it is '
        f'rewritten whenever the mechanism or the generator changes."""',
        "import math", "", "import numpy as np", "from numba import njit, prange", "",
        "from airmodel.kernels.aerosol import nh4no3_dissociation_constant, partition_ammonium_nitrate",
        "from airmodel.kernels.chemistry import (CELLS_PER_CHUNK, PPB, STATUS_OK, STATUS_SINGULAR,",
        "                                        STATUS_STEP_TOO_SMALL, STATUS_TOO_MANY_STEPS, TIME_DERIVATIVE_DELTA,",
        "                                        air_number_density, cell_to_ppb, chunk_stride,",
        "                                        clip_negatives_by_element,",
        "                                        control_step, cos_zenith_in_call, new_solution_and_error,",
        "                                        ppb_to_cell, starting_step, sun_parameters, troe_jpl,",
        "                                        falloff, oh_hno3, water_number_density, O2_FRACTION, N2_FRACTION)",
        "from airmodel.kernels.photolysis import cloud_attenuation", "",
        f"MECHANISM = {mech.name!r}",
        f"SPECIES = {tuple(mech.species_names)!r}",
        f"NS = {ns}", f"NR = {nr}", f"NNZ = {layout.nnz}", "INF = math.inf",
        f"MOLAR_MASS = {_array_literal(a.molar_mass, 'float64')}",
        f"ELEMENT_OF = {_array_literal(a.element_of, 'int64')}",
        f"ELEMENT_WEIGHT = {_array_literal(a.element_weight, 'float64')}",
        f"CLOUD_A = {_lit(a.cloud_par[0])}", f"CLOUD_B = {_lit(a.cloud_par[1])}",
        "#: species of each stored entry of the sparse matrices (row, column) and the pivot order",
        f"JAC_ROW = {_array_literal(layout.species_row, 'int64')}",
        f"JAC_COL = {_array_literal(layout.species_col, 'int64')}",
        f"PIVOT_ORDER = {_array_literal(layout.order, 'int64')}",
        f"N_JACOBIAN_ENTRIES = {len(layout.jacobian)}", f"N_FILL = {layout.n_fill}", ""]
    rates, tendency, jacobian, lu = _emit_rates(mech), _emit_tendency(mech), _emit_jacobian(mech, layout), \
        _emit_lu(layout)
    blocks = [_emit_thermal(mech), rates, tendency, jacobian, lu, _emit_equilibrium(mech),
              _emit_lanes(mech, jacobian, lu, rates)]
    body = "\n\n\n".join("\n".join(b) for b in blocks)
    return "\n".join(head) + "\n\n" + body + "\n\n" + TEMPLATE + LANES_TEMPLATE


# -------------------------------------------------------------------------------------------------------------------
# Cache and import
# -------------------------------------------------------------------------------------------------------------------
def _kernel_sources() -> bytes:
    return b"".join(Path(m.__file__).read_bytes() for m in (kchem, krosenbrock, kphotolysis, kaerosol))


def cache_key(mech: Mechanism, source: str) -> str:
    digest = hashlib.sha256()
    digest.update(GENERATOR_VERSION.encode())
    if mech.path is not None and Path(mech.path).exists():
        digest.update(read_text(Path(mech.path), "mechanism file").encode())
    digest.update(source.encode())
    digest.update(_kernel_sources())
    return digest.hexdigest()[:20]


_LOADED: dict[str, object] = {}
_BY_MECHANISM: dict[int, tuple[Mechanism, object]] = {}  # id -> (the mechanism object, its module)


def generated_module(mech: Mechanism):
    """The specialised module for ``mech``: generated and written on first use, then imported from the cache (and
    remembered for this mechanism object, so that repeated calls cost nothing)."""
    known = _BY_MECHANISM.get(id(mech))
    if known is not None and known[0] is mech:
        return known[1]
    source = generate_source(mech)
    key = cache_key(mech, source)
    module_name = f"airmodel_generated_{mech.name}_{key}"
    if module_name in _LOADED:
        _BY_MECHANISM[id(mech)] = (mech, _LOADED[module_name])
        return _LOADED[module_name]
    path = cache_folder("generated_mechanisms") / f"mech_{mech.name}_{key}.py"
    if not path.exists() or path.read_text(encoding="utf-8") != source:
        write_text_atomic(path, source, force=True, what="generated chemistry code")
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    _LOADED[module_name] = module
    _BY_MECHANISM[id(mech)] = (mech, module)
    return module


def select_kernels(mech: Mechanism, kernels: str):
    """The generated module for ``kernels`` = "generated", None for "generic"; "auto": generated when the generator
    supports the mechanism, else None (the generic kernels)."""
    if kernels not in KERNEL_CHOICES:
        raise InputError(f"chemistry kernels: unknown value {kernels!r}; choose one of: {', '.join(KERNEL_CHOICES)}")
    if kernels == "generic":
        return None
    if kernels == "auto" and any(int(c) not in SUPPORTED_RATE_TYPES for c in mech.arrays.rate_type):
        return None
    return generated_module(mech)
