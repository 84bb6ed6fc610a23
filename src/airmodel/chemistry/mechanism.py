"""Chemical mechanisms as data: read a ``.mech`` text file, check it, and compile it to arrays for the kernels.

The format is documented in ``airmodel/chemistry/README.md``; ``grs_aero.mech`` beside this module is the
reference example. Every error names the file and line, the bad item and what would be valid, e.g.::

    grs_aero.mech line 64: reaction R6: unknown species 'NO3x'; known: NO, NO2, O3, ...

The compiled form (:class:`airmodel.kernels.chemistry.MechanismArrays`) is integer and float arrays: reactant
indices, net stoichiometric coefficients in CSR form, rate-type codes with their parameters, photolysis indices.
Generic Numba kernels compute rates, tendencies and the analytic Jacobian from them; no code is generated.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..data import data_path
from ..errors import InputError
from ..files import read_text
from ..kernels import chemistry as kchem
from ..met.deposition import DEPOSITION_CLASSES
from ..kernels.chemistry import MOLAR_MASS_AIR, MechanismArrays

MECHANISM_DIR = data_path("mechanisms")
OUTPUT_UNITS = ("ppb", "ppm", "ug m-3")
PHASES = ("gas", "aerosol")
#: Units of rate constants, in braces at the end of a rate: name -> (scale for n reactants, molecule units?)
RATE_UNITS = ("ppb s", "ppm min", "molecule cm-3 s", "s-1")
RATE_FORMS = {  # name: (code, allowed numbers of arguments, argument names)
    "CONST": (kchem.RATE_CONSTANT, (1,), "k"),
    "ARR": (kchem.RATE_ARRHENIUS, (2, 3), "A, E[, n]"),
    "TROE": (kchem.RATE_TROE, (5,), "k0_300, n0, kinf_300, ninf, Fc"),
    "LINM": (kchem.RATE_LINEAR_M, (2,), "A, M0"),
    "RHCLOUD": (kchem.RATE_HUMIDITY_CLOUD, (2,), "a, p"),
    "FALLOFF": (kchem.RATE_FALLOFF, (8,), "A0, E0, n0, Ainf, Einf, ninf, Fc, N"),
    "ARRM": (kchem.RATE_ARRHENIUS_M, (4,), "A1, E1, A2, E2"),
    "KHNO3": (kchem.RATE_OH_HNO3, (6,), "A0, E0, A2, E2, A3, E3"),
}
#: forms whose constants are in molecule cm-3 units and need the air number density
MOLECULE_FORMS = (kchem.RATE_TROE, kchem.RATE_FALLOFF, kchem.RATE_ARRHENIUS_M, kchem.RATE_OH_HNO3)
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*$")
NUMBER_TEXT = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
TERM = re.compile(r"^\s*(?:(" + NUMBER_TEXT + r")\s*\*?\s*)?([A-Za-z][A-Za-z0-9_]*)\s*$")  # "0.5 SOA", "2 RP"
EQUILIBRIUM_ROLES = ("nh3", "hno3", "ammonium", "nitrate", "sulfate")


class MechanismError(InputError):
    """A mechanism file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class SpeciesInfo:
    """One species: what it is, how to convert it, how it deposits (the single table writers and docs use)."""

    name: str
    phase: str  # "gas" | "aerosol"
    molar_mass: float  # g mol-1
    units: str  # output units: ppb, ppm or ug m-3
    long_name: str
    standard_name: str  # "" where CF has none
    elements: dict  # conserved element -> atoms per molecule
    deposition_class: str  # dry-deposition class of the resistance model (airmodel/met/deposition.py)
    wet_scavenging: float  # below-cloud washout coefficient, s-1 at 1 mm h-1 of rain (linear in the rate)
    incloud: float = 0.0  # aerosol: the mass fraction taken into cloud water (in-cloud scavenging); gases: 0
    solubility: "Solubility | None" = None  # gases: the effective Henry's law solubility (in-cloud scavenging)


#: Temperature of the tabulated equilibrium constants (K).
T_REFERENCE = 298.15


@dataclass(frozen=True)
class Solubility:
    """A gas's effective Henry's law solubility in cloud water, each constant as (value at 298.15 K, C in K) with
    K(T) = K298 exp(C (1/T - 1/298.15)) (C = -dH/R, as Seinfeld and Pandis tabulate it):
    H* = H (1 + K1/[H+] + K1 K2/[H+]^2) for an acid, H (1 + Kb [H+]/Kw) for a base (mol L-1 atm-1)."""

    henry: tuple  # (M atm-1, K)
    acid1: tuple = (0.0, 0.0)  # (M, K)
    acid2: tuple = (0.0, 0.0)
    base: tuple = (0.0, 0.0)


@dataclass(frozen=True)
class CloudWater:
    """The cloud water's fixed pH and the ion product of water (value at 298.15 K, C in K)."""

    ph: float
    water_ion_product: tuple


@dataclass(frozen=True)
class Reaction:
    label: str
    reactants: tuple  # species names, repeated for a coefficient > 1
    products: tuple  # (coefficient, species name)
    rate: str  # the rate text as written
    line: int


@dataclass(frozen=True)
class Diagnostic:
    name: str
    terms: tuple  # species names whose mass concentrations add up
    units: str
    long_name: str
    standard_name: str


@dataclass
class Mechanism:
    """A parsed and compiled mechanism. ``arrays`` feeds the kernels; the rest describes it."""

    name: str
    path: Path
    species: list[SpeciesInfo]
    reactions: list[Reaction]
    photolysis: dict  # name -> (l, m, n)
    diagnostics: list[Diagnostic]
    equilibrium: dict  # role -> species name (empty: none)
    arrays: MechanismArrays
    kinetic: np.ndarray  # indices of species in any reaction (the solver's unknowns in the 3-D model)
    active: np.ndarray  # indices of species chemistry can change (kinetic, equilibrium, conserved elements)
    elements: list[str] = field(default_factory=list)
    #: wet scavenging by particle size class (the dry-deposition class): {"pm_fine": (wet, incloud), ...}, for
    #: model species outside the mechanism (the boundary tracers) and aerosol species that give no wet/incloud
    particle_scavenging: dict = field(default_factory=dict)
    cloud_water: CloudWater | None = None
    #: the solver tolerances the mechanism recommends for the 3-D model (rtol, atol in ppb) from its
    #: ``tolerance`` line; None: the chemistry's general defaults (airmodel/chemistry/process.py)
    tolerance: tuple[float, float] | None = None
    #: the default of chemistry.aqueous_sulfate for runs with this mechanism (its ``aqueous_sulfate`` line): on
    #: for a mechanism whose cloud sulfate is the aqueous process (no in-cloud term of its own)
    aqueous_sulfate: bool = False

    def solve_order(self, solved) -> tuple[np.ndarray, int, np.ndarray]:
        """Order solved species for the kernel: reactants first (the coupled block of the stage matrix), then
        the rest. Returns (solve, n_coupled, position) with position[s] = index of s in solve, or -1."""
        reactant = set(int(i) for i in self.arrays.reactants.ravel() if i >= 0)
        solved = sorted(set(int(i) for i in solved))
        missing = reactant - set(solved)
        if missing:
            raise ValueError(f"every reactant must be solved; missing {sorted(missing)}")
        coupled = [i for i in solved if i in reactant]
        solve = np.array(coupled + [i for i in solved if i not in reactant], dtype=np.int64)
        position = -np.ones(len(self.species), dtype=np.int64)
        position[solve] = np.arange(solve.size)
        return solve, len(coupled), position

    @property
    def species_names(self) -> list[str]:
        return [sp.name for sp in self.species]

    def index(self, name: str) -> int:
        names = self.species_names
        if name not in names:
            raise InputError(f"mechanism {self.name}: unknown species {name!r}; known: {', '.join(names)}")
        return names.index(name)

    @property
    def molar_mass(self) -> np.ndarray:
        return self.arrays.molar_mass


# -------------------------------------------------------------------------------------------------------------------
# Loading
# -------------------------------------------------------------------------------------------------------------------
def available_mechanisms() -> list[str]:
    return sorted(p.stem for p in MECHANISM_DIR.glob("*.mech"))


def load_mechanism(name_or_path) -> Mechanism:
    """A mechanism by name (a ``.mech`` file shipped in airmodel/data/mechanisms/) or by path."""
    text_name = str(name_or_path)
    path = Path(text_name)
    if not (path.suffix == ".mech" or path.exists()):
        path = MECHANISM_DIR / f"{text_name}.mech"
        if not path.exists():
            raise InputError(f"unknown chemical mechanism {text_name!r}; choose one of: "
                             f"{', '.join(available_mechanisms())} (or give the path of a .mech file)")
    return parse_mechanism(read_text(path, "mechanism file"), path.name, path)


# -------------------------------------------------------------------------------------------------------------------
# Parsing
# -------------------------------------------------------------------------------------------------------------------
def _number(text: str, where: str, what: str) -> float:
    """A number, or a product/quotient of numbers such as ``3.0e-8/100/3600`` (so that unit conversions can be
    written out exactly in the file)."""
    parts = re.split(r"([*/])", text.strip())
    try:
        value = float(parts[0])
        for op, operand in zip(parts[1::2], parts[2::2]):
            value = value * float(operand) if op == "*" else value / float(operand)
    except (ValueError, ZeroDivisionError):
        raise MechanismError(f"{where}: {what}: expected a number (or numbers joined by * and /), got {text!r}") \
            from None
    if not np.isfinite(value):
        raise MechanismError(f"{where}: {what}: expected a finite number, got {text!r}")
    return value


def _key_values(tokens: list[str], where: str, allowed: dict, required: tuple) -> dict:
    out = {}
    for tok in tokens:
        if "=" not in tok:
            raise MechanismError(f"{where}: expected key=value, got {tok!r}; valid keys: {', '.join(allowed)}")
        key, value = tok.split("=", 1)
        if key not in allowed:
            raise MechanismError(f"{where}: unknown key {key!r}; valid keys: {', '.join(allowed)}")
        if key in out:
            raise MechanismError(f"{where}: key {key!r} given twice")
        out[key] = value
    missing = [k for k in required if k not in out]
    if missing:
        raise MechanismError(f"{where}: missing {', '.join(missing)} ({'; '.join(allowed[k] for k in missing)})")
    return out


def _split_top_level(text: str, sep: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for n, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:n])
            start = n + 1
    parts.append(text[start:])
    return parts


def _strip_comment(line: str) -> str:
    quoted = False
    for n, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == "#" and not quoted:
            return line[:n]
    return line


SPECIES_KEYS = {
    "phase": "gas or aerosol", "mw": "molar mass in g mol-1", "units": "output units: ppb, ppm or \"ug m-3\"",
    "long_name": "a description", "standard_name": "the CF standard name, if one exists",
    "elements": "conserved elements, e.g. N:1",
    "drydep": "dry-deposition class of airmodel/met/deposition.py, e.g. so2, o3, hno3, pm_fine, inert",
    "wet": "below-cloud washout coefficient (s-1) at 1 mm h-1 of rain; aerosols: default from particle_class",
    "incloud": "aerosols: the mass fraction taken into cloud water, 0..1; default from particle_class",
}
SOLUBILITY_KEYS = {"henry": "Henry's law constant at 298.15 K (M atm-1):C (K), e.g. 62:4110",
                   "acid1": "first acid dissociation constant (M):C", "acid2": "second acid dissociation (M):C",
                   "base": "base dissociation constant (M):C"}


def parse_mechanism(text: str, filename: str = "<mechanism>", path: Path | None = None) -> Mechanism:
    """Parse mechanism text; ``filename`` is used in error messages."""
    name = Path(filename).stem
    elements: list[str] = []
    species: list[SpeciesInfo] = []
    species_line: dict[str, int] = {}
    raw_reactions: list[tuple[int, str, str]] = []  # (line, label, rest)
    photolysis: dict[str, tuple] = {}
    oh_proxy = None
    cloud = (0.0, 1.0)
    equilibrium: tuple[int, dict] | None = None
    raw_diagnostics: list[tuple[int, str]] = []
    particle_scavenging: dict = {}
    solubility: dict = {}
    cloud_water = None
    tolerance = None
    aqueous_sulfate = None

    for number, raw in enumerate(text.splitlines(), start=1):
        where = f"{filename} line {number}"
        line = _strip_comment(raw).strip()
        if not line:
            continue
        keyword, _, rest = line.partition(" ")
        rest = rest.strip()
        try:
            tokens = shlex.split(rest) if keyword not in ("reaction", "diagnostic") else []
        except ValueError as exc:
            raise MechanismError(f"{where}: {exc}") from None
        if keyword == "mechanism":
            if not NAME.match(rest):
                raise MechanismError(f"{where}: mechanism: expected a name, got {rest!r}")
            name = rest
        elif keyword == "element":
            if len(tokens) != 1 or not NAME.match(tokens[0]):
                raise MechanismError(f"{where}: element: expected one element symbol, e.g. 'element N'")
            elements.append(tokens[0])
        elif keyword == "species":
            species.append(_parse_species(tokens, where, elements, species_line))
            species_line[species[-1].name] = number
        elif keyword == "photolysis":
            if not tokens or not NAME.match(tokens[0]):
                raise MechanismError(f"{where}: photolysis: expected a name then l=, m=, n=, e.g. "
                                     f"'photolysis NO2 l=1.165e-2 m=0.244 n=0.267'")
            kv = _key_values(tokens[1:], where, {"l": "MCM l (s-1)", "m": "MCM m", "n": "MCM n"}, ("l", "m", "n"))
            if tokens[0] in photolysis:
                raise MechanismError(f"{where}: photolysis {tokens[0]!r} defined twice")
            photolysis[tokens[0]] = tuple(_number(kv[k], where, k) for k in ("l", "m", "n"))
        elif keyword == "cloud_attenuation":
            kv = _key_values(tokens, where, {"a": "factor a of 1 - a f^b", "b": "exponent b"}, ("a", "b"))
            cloud = (_number(kv["a"], where, "a"), _number(kv["b"], where, "b"))
        elif keyword == "oh_proxy":
            kv = _key_values(tokens, where, {"j": "the photolysis it follows", "j_ref": "J at which OH = oh_ref",
                                             "oh_ref": "OH (molecule cm-3) at j_ref", "exponent": "power of J/j_ref"},
                             ("j", "j_ref", "oh_ref", "exponent"))
            oh_proxy = (number, kv["j"], _number(kv["oh_ref"], where, "oh_ref"), _number(kv["j_ref"], where, "j_ref"),
                        _number(kv["exponent"], where, "exponent"))
            if oh_proxy[3] <= 0:
                raise MechanismError(f"{where}: oh_proxy: j_ref must be positive")
        elif keyword == "reaction":
            label, sep, body = rest.partition(":")
            label = label.strip()
            if not sep or not NAME.match(label):
                raise MechanismError(f"{where}: expected 'reaction LABEL: A + B -> C + D : RATE {{units}}', "
                                     f"got {line!r}")
            if any(label == lab for _, lab, _ in raw_reactions):
                raise MechanismError(f"{where}: reaction label {label!r} used twice")
            raw_reactions.append((number, label, body))
        elif keyword == "equilibrium":
            if not tokens or tokens[0] != "ammonium_nitrate":
                raise MechanismError(f"{where}: equilibrium: the only kind is ammonium_nitrate, got "
                                     f"{tokens[0] if tokens else ''!r}")
            if equilibrium is not None:
                raise MechanismError(f"{where}: equilibrium given twice")
            kv = _key_values(tokens[1:], where, {r: f"the {r} species" for r in EQUILIBRIUM_ROLES}, EQUILIBRIUM_ROLES)
            equilibrium = (number, kv)
        elif keyword == "diagnostic":
            raw_diagnostics.append((number, rest))
        elif keyword == "particle_class":
            if not tokens or tokens[0] not in DEPOSITION_CLASSES or tokens[0] in particle_scavenging:
                raise MechanismError(f"{where}: particle_class: expected a new dry-deposition class (e.g. pm_fine) "
                                     f"then wet= and incloud=, got {rest!r}")
            kv = _key_values(tokens[1:], where, {k: SPECIES_KEYS[k] for k in ("wet", "incloud")}, ("wet", "incloud"))
            particle_scavenging[tokens[0]] = (_fraction_or_rate(kv, "wet", where, tokens[0]),
                                              _fraction_or_rate(kv, "incloud", where, tokens[0]))
        elif keyword == "solubility":
            if not tokens or not NAME.match(tokens[0]) or tokens[0] in solubility:
                raise MechanismError(f"{where}: solubility: expected a gas species not given before, then henry= "
                                     f"and acid1=, acid2= or base=, e.g. 'solubility NH3 henry=62:4110 "
                                     f"base=1.7e-5:-450'")
            kv = _key_values(tokens[1:], where, SOLUBILITY_KEYS, ("henry",))
            if "base" in kv and ("acid1" in kv or "acid2" in kv):
                raise MechanismError(f"{where}: solubility {tokens[0]}: give acid dissociation or base, not both")
            if "acid2" in kv and "acid1" not in kv:
                raise MechanismError(f"{where}: solubility {tokens[0]}: acid2 needs acid1")
            solubility[tokens[0]] = (number, Solubility(**{k: _constant(v, where, k) for k, v in kv.items()}))
        elif keyword == "cloud_water":
            kv = _key_values(tokens, where, {"ph": "the fixed pH of cloud water", "kw": "ion product of water "
                                             "(M2):C, e.g. 1.0e-14:-6710"}, ("ph", "kw"))
            ph = _number(kv["ph"], where, "cloud_water ph")
            if not 0.0 < ph < 14.0:
                raise MechanismError(f"{where}: cloud_water: ph must lie between 0 and 14, got {ph}")
            cloud_water = CloudWater(ph, _constant(kv["kw"], where, "kw"))
        elif keyword == "tolerance":
            if tolerance is not None:
                raise MechanismError(f"{where}: tolerance given twice")
            kv = _key_values(tokens, where, {"rtol": "relative tolerance, between 0 and 1",
                                             "atol": "absolute tolerance (ppb), greater than 0"}, ("rtol", "atol"))
            rtol, atol = _number(kv["rtol"], where, "rtol"), _number(kv["atol"], where, "atol")
            if not 0.0 < rtol < 1.0:
                raise MechanismError(f"{where}: tolerance: rtol must lie between 0 and 1, got {rtol}")
            if not atol > 0.0:  # _number has rejected inf and nan
                raise MechanismError(f"{where}: tolerance: atol must be a positive number of ppb, got {atol}")
            tolerance = (rtol, atol)
        elif keyword == "aqueous_sulfate":
            if aqueous_sulfate is not None:
                raise MechanismError(f"{where}: aqueous_sulfate given twice")
            kv = _key_values(tokens, where, {"default": "on or off: chemistry.aqueous_sulfate where a scenario "
                                                        "leaves it unset"}, ("default",))
            if kv["default"] not in ("on", "off"):
                raise MechanismError(f"{where}: aqueous_sulfate: default must be on or off, got {kv['default']!r}")
            aqueous_sulfate = kv["default"] == "on"
            aqueous_line = number
        else:
            raise MechanismError(f"{where}: unknown line type {keyword!r}; valid: mechanism, element, species, "
                                 f"photolysis, cloud_attenuation, oh_proxy, reaction, equilibrium, diagnostic, "
                                 f"particle_class, solubility, cloud_water, tolerance, aqueous_sulfate")

    if not species:
        raise MechanismError(f"{filename}: no species defined")
    species = _wet_parameters(species, particle_scavenging, solubility, cloud_water, species_line, filename)
    names = [sp.name for sp in species]
    if aqueous_sulfate and not ({"SO2", "SULF"} <= set(names) and {"H2O2", "O3"} & set(names)):
        raise MechanismError(f"{filename} line {aqueous_line}: aqueous_sulfate default=on needs the species SO2, "
                             f"SULF and an oxidant, H2O2 or O3 (airmodel/aqueous_chemistry.py); this mechanism has "
                             f"{', '.join(n for n in ('SO2', 'SULF', 'H2O2', 'O3') if n in names) or 'none of them'}")

    def known(where: str, what: str, sp: str) -> int:
        if sp not in names:
            raise MechanismError(f"{where}: {what}: unknown species {sp!r}; known: {', '.join(names)}")
        return names.index(sp)

    if oh_proxy is not None and oh_proxy[1] not in photolysis:
        raise MechanismError(f"{filename} line {oh_proxy[0]}: oh_proxy: unknown photolysis {oh_proxy[1]!r}; "
                             f"defined: {', '.join(photolysis) or 'none'}")

    reactions, rate_info = [], []
    for number, label, body in raw_reactions:
        where = f"{filename} line {number}"
        reaction, info = _parse_reaction(label, body, where, number, names, photolysis, oh_proxy is not None)
        _check_balance(reaction, species, elements, where)
        reactions.append(reaction)
        rate_info.append(info)
    if not reactions:
        raise MechanismError(f"{filename}: no reactions defined")

    eq_roles: dict = {}
    if equilibrium is not None:
        where = f"{filename} line {equilibrium[0]}"
        for role in EQUILIBRIUM_ROLES:
            known(where, f"equilibrium {role}", equilibrium[1][role])
        eq_roles = dict(equilibrium[1])

    diagnostics = []
    for number, rest in raw_diagnostics:
        diagnostics.append(_parse_diagnostic(rest, f"{filename} line {number}", names, species))

    arrays, kinetic, active = _compile(species, reactions, rate_info, photolysis, oh_proxy, cloud, elements,
                                       eq_roles, names)
    return Mechanism(name=name, path=path or Path(filename), species=species, reactions=reactions,
                     photolysis=photolysis, diagnostics=diagnostics, equilibrium=eq_roles, arrays=arrays,
                     kinetic=kinetic, active=active, elements=elements, particle_scavenging=particle_scavenging,
                     cloud_water=cloud_water, tolerance=tolerance,
                     aqueous_sulfate=bool(aqueous_sulfate))


def _fraction_or_rate(kv: dict, key: str, where: str, name: str):
    """``wet`` (s-1, >= 0) or ``incloud`` (a fraction 0..1) of a species or particle class; None if absent."""
    if key not in kv:
        return None
    value = _number(kv[key], where, f"{name}: {key}")
    if value < 0 or (key == "incloud" and value > 1):
        raise MechanismError(f"{where}: {name}: {key} = {value} is out of range; it must be "
                             + ("between 0 and 1" if key == "incloud" else ">= 0"))
    return value


def _constant(text: str, where: str, key: str) -> tuple:
    """An equilibrium constant 'K298:C' (C in K, the temperature coefficient; 0 if left out)."""
    value, _, coefficient = text.partition(":")
    k = _number(value, where, key)
    if k <= 0:
        raise MechanismError(f"{where}: {key} must be positive, got {k}")
    return (k, _number(coefficient or "0", where, f"{key} temperature coefficient"))


def _wet_parameters(species, particle_scavenging, solubility, cloud_water, species_line, filename):
    """Fill each species' wet-scavenging parameters: aerosols without wet= or incloud= take their particle
    class's; solubilities go to their gases (which need the cloud_water line for the pH)."""
    by_name = {sp.name: sp for sp in species}
    for gas, (number, _) in solubility.items():
        where = f"{filename} line {number}"
        if gas not in by_name or by_name[gas].phase != "gas":
            raise MechanismError(f"{where}: solubility: {gas!r} is not a gas species of the mechanism")
        if cloud_water is None:
            raise MechanismError(f"{where}: solubility needs a 'cloud_water ph=... kw=...' line for the pH")
    out = []
    for sp in species:
        wet, incloud = sp.wet_scavenging, sp.incloud
        if sp.phase == "aerosol" and (wet is None or incloud is None):
            if sp.deposition_class not in particle_scavenging:
                raise MechanismError(f"{filename} line {species_line[sp.name]}: species {sp.name}: give wet= and "
                                     f"incloud=, or a 'particle_class {sp.deposition_class} wet=... incloud=...' "
                                     f"line")
            default_wet, default_incloud = particle_scavenging[sp.deposition_class]
            wet = default_wet if wet is None else wet
            incloud = default_incloud if incloud is None else incloud
        out.append(SpeciesInfo(**{**sp.__dict__, "wet_scavenging": wet or 0.0, "incloud": incloud or 0.0,
                                  "solubility": solubility[sp.name][1] if sp.name in solubility else None}))
    return out


def _parse_species(tokens, where, elements, seen) -> SpeciesInfo:
    if not tokens or not NAME.match(tokens[0]):
        raise MechanismError(f"{where}: species: expected a name (letters, digits, _) then key=value pairs")
    name = tokens[0]
    if name in seen:
        raise MechanismError(f"{where}: species {name!r} already defined on line {seen[name]}")
    kv = _key_values(tokens[1:], where, SPECIES_KEYS, ("phase", "mw", "units", "drydep"))
    if kv["phase"] not in PHASES:
        raise MechanismError(f"{where}: species {name}: unknown phase {kv['phase']!r}; choose one of: "
                             f"{', '.join(PHASES)}")
    mw = _number(kv["mw"], where, f"species {name}: mw")
    if mw <= 0:
        raise MechanismError(f"{where}: species {name}: mw must be positive, got {mw}")
    if kv["units"] not in OUTPUT_UNITS:
        raise MechanismError(f"{where}: species {name}: unknown units {kv['units']!r}; choose one of: "
                             f"{', '.join(OUTPUT_UNITS)}")
    atoms = {}
    if kv.get("elements"):
        for part in kv["elements"].split(","):
            sym, _, count = part.partition(":")
            if sym not in elements:
                raise MechanismError(f"{where}: species {name}: element {sym!r} is not declared; declared: "
                                     f"{', '.join(elements) or 'none'} (add 'element {sym}' above)")
            atoms[sym] = _number(count or "1", where, f"species {name}: atoms of {sym}")
    if len([v for v in atoms.values() if v]) > 1:
        raise MechanismError(f"{where}: species {name}: carries more than one conserved element; positivity "
                             f"clipping keeps totals only for species with one")
    dep_class = kv["drydep"]
    if dep_class not in DEPOSITION_CLASSES:
        raise MechanismError(f"{where}: species {name}: unknown drydep class {dep_class!r}; choose one of: "
                             f"{', '.join(DEPOSITION_CLASSES)}")
    wet = _fraction_or_rate(kv, "wet", where, f"species {name}")
    incloud = _fraction_or_rate(kv, "incloud", where, f"species {name}")
    if kv["phase"] == "gas":
        if incloud is not None:
            raise MechanismError(f"{where}: species {name}: incloud is for aerosols; a gas's in-cloud scavenging "
                                 f"follows from its 'solubility' line")
        wet = wet or 0.0
    return SpeciesInfo(name=name, phase=kv["phase"], molar_mass=mw, units=kv["units"],
                       long_name=kv.get("long_name", name), standard_name=kv.get("standard_name", ""),
                       elements=atoms, deposition_class=dep_class, wet_scavenging=wet, incloud=incloud)


def _parse_terms(text, where, what, label, names, integer):
    out = []
    text = text.strip()
    if not text:
        return out
    for term in text.split("+"):
        m = TERM.match(term)
        if not m:
            raise MechanismError(f"{where}: reaction {label}: cannot read {what} term {term.strip()!r}; write "
                                 f"e.g. 'NO', '2 RP' or '0.5 SOA'")
        coef = float(m.group(1)) if m.group(1) else 1.0
        sp = m.group(2)
        if sp not in names:
            raise MechanismError(f"{where}: reaction {label}: unknown species {sp!r}; known: {', '.join(names)}")
        if coef <= 0:
            raise MechanismError(f"{where}: reaction {label}: coefficient of {sp} must be positive")
        if integer and coef != int(coef):
            raise MechanismError(f"{where}: reaction {label}: a reactant coefficient must be a whole number "
                                 f"(mass action), got {coef} {sp}")
        out.append((coef, sp))
    return out


def _parse_reaction(label, body, where, line_number, names, photolysis, has_oh):
    parts = body.split(":")
    if len(parts) != 2 or "->" not in parts[0]:
        raise MechanismError(f"{where}: reaction {label}: expected 'A + B -> C + D : RATE {{units}}'")
    left, right = parts[0].split("->", 1)
    reac_terms = _parse_terms(left, where, "reactant", label, names, integer=True)
    prod_terms = _parse_terms(right, where, "product", label, names, integer=False)
    reactants = tuple(sp for coef, sp in reac_terms for _ in range(int(coef)))
    if not 1 <= len(reactants) <= 3:
        raise MechanismError(f"{where}: reaction {label}: needs 1 to 3 reactant molecules, got {len(reactants)}")
    rate_text = parts[1].strip()
    m = re.match(r"^(.*?)\{([^}]*)\}\s*$", rate_text)
    if not m:
        raise MechanismError(f"{where}: reaction {label}: give the units of the rate constant in braces at the end, "
                             f"one of: {', '.join('{' + u + '}' for u in RATE_UNITS)}")
    expr, units = m.group(1).strip(), " ".join(m.group(2).split())
    if units not in RATE_UNITS:
        raise MechanismError(f"{where}: reaction {label}: unknown rate units {{{units}}}; choose one of: "
                             f"{', '.join('{' + u + '}' for u in RATE_UNITS)}")
    n = len(reactants)
    if units == "s-1" and n != 1:
        raise MechanismError(f"{where}: reaction {label}: {{s-1}} is for first-order reactions; this one has {n} "
                             f"reactants: use {{ppb s}}, {{ppm min}} or {{molecule cm-3 s}}")
    info = _parse_rate(expr, where, label, photolysis, has_oh)
    if info["code"] in MOLECULE_FORMS and units != "molecule cm-3 s":
        form = [n for n, v in RATE_FORMS.items() if v[0] == info["code"]][0]
        raise MechanismError(f"{where}: reaction {label}: {form} needs {{molecule cm-3 s}} units")
    if any(info["fixed"]) and units != "molecule cm-3 s":
        raise MechanismError(f"{where}: reaction {label}: the factors {', '.join(kchem.FIXED_FACTORS)} are number "
                             f"densities (molecule cm-3) and need {{molecule cm-3 s}} units")
    info["scale"] *= {"ppb s": 1.0, "s-1": 1.0, "molecule cm-3 s": 1.0, "ppm min": 1e-3 ** (n - 1) / 60.0}[units]
    info["molecule_units"] = 1 if units == "molecule cm-3 s" else 0
    products = tuple((coef, sp) for coef, sp in prod_terms)
    return Reaction(label=label, reactants=reactants, products=products, rate=rate_text, line=line_number), info


def _parse_rate(expr, where, label, photolysis, has_oh) -> dict:
    info = {"scale": 1.0, "code": None, "par": [0.0] * kchem.N_RATE_PARAMETERS, "photolysis": None, "oh": 0,
            "fixed": [0] * len(kchem.FIXED_FACTORS)}
    if not expr:
        raise MechanismError(f"{where}: reaction {label}: missing rate expression")
    for factor in _split_top_level(expr, "*"):
        f = factor.strip()
        call = re.match(r"^([A-Za-z][A-Za-z0-9]*)\s*\((.*)\)$", f)
        if call:
            fname, args = call.group(1), call.group(2)
            if fname == "J":
                jname = args.strip()
                if jname not in photolysis:
                    raise MechanismError(f"{where}: reaction {label}: unknown photolysis J({jname}); defined: "
                                         f"{', '.join(photolysis) or 'none'} (add a 'photolysis' line)")
                if info["photolysis"] is not None:
                    raise MechanismError(f"{where}: reaction {label}: only one J(...) factor is allowed")
                info["photolysis"] = jname
                continue
            if fname not in RATE_FORMS:
                raise MechanismError(f"{where}: reaction {label}: unknown rate form {fname}(...); choose one of: "
                                     f"{', '.join(RATE_FORMS)}, J(name), OH, "
                                     f"{', '.join(kchem.FIXED_FACTORS)}, or a number")
            code, counts, argnames = RATE_FORMS[fname]
            values = [a for a in args.split(",")] if args.strip() else []
            if len(values) not in counts:
                raise MechanismError(f"{where}: reaction {label}: {fname} takes {' or '.join(map(str, counts))} "
                                     f"numbers ({argnames}), got {len(values)}")
            if info["code"] is not None:
                raise MechanismError(f"{where}: reaction {label}: only one of {', '.join(RATE_FORMS)} is allowed")
            info["code"] = code
            for n, v in enumerate(values):
                info["par"][n] = _number(v.strip(), where, f"reaction {label}: {fname} argument {n + 1}")
        elif f in kchem.FIXED_FACTORS:  # a third body or a collision partner in excess: its number density
            info["fixed"][kchem.FIXED_FACTORS.index(f)] += 1
        elif f == "OH":
            if not has_oh:
                raise MechanismError(f"{where}: reaction {label}: OH is used but no 'oh_proxy' line defines it")
            info["oh"] = 1
        else:
            try:
                info["scale"] *= _number(f, where, f"reaction {label}")
            except MechanismError:
                raise MechanismError(f"{where}: reaction {label}: cannot read rate factor {f!r}; use a number, "
                                     f"{', '.join(n + '(...)' for n in RATE_FORMS)}, J(name), OH or one of "
                                     f"{', '.join(kchem.FIXED_FACTORS)} (number densities)") from None
    if info["code"] is None:
        info["code"] = kchem.RATE_CONSTANT
        info["par"][0] = 1.0
    return info


def _check_balance(reaction: Reaction, species, elements, where):
    by_name = {sp.name: sp for sp in species}
    for e in elements:
        left = sum(by_name[sp].elements.get(e, 0.0) for sp in reaction.reactants)
        right = sum(coef * by_name[sp].elements.get(e, 0.0) for coef, sp in reaction.products)
        if abs(left - right) > 1e-9 * max(1.0, abs(left)):
            raise MechanismError(f"{where}: reaction {reaction.label} does not conserve {e}: {left:g} atom(s) in "
                                 f"the reactants, {right:g} in the products")


def _parse_diagnostic(rest, where, names, species) -> Diagnostic:
    m = re.match(r"^([A-Za-z][A-Za-z0-9_]*)\s*=\s*([^=]*?)\s+((?:\w+=.*)?)$", rest)
    if not m:
        raise MechanismError(f"{where}: expected 'diagnostic NAME = A + B + ... units=\"ug m-3\" long_name=...'")
    name, sum_text, attrs = m.groups()
    if name in names:
        raise MechanismError(f"{where}: diagnostic {name!r} has the name of a species")
    terms = []
    for term in sum_text.split("+"):
        sp = term.strip()
        if sp not in names:
            raise MechanismError(f"{where}: diagnostic {name}: unknown species {sp!r}; known: {', '.join(names)}")
        terms.append(sp)
    try:
        tokens = shlex.split(attrs)
    except ValueError as exc:
        raise MechanismError(f"{where}: {exc}") from None
    kv = _key_values(tokens, where, {"units": "ug m-3", "long_name": "a description",
                                     "standard_name": "the CF standard name"}, ("units",))
    if kv["units"] != "ug m-3":
        raise MechanismError(f"{where}: diagnostic {name}: units must be \"ug m-3\" (a sum of mass concentrations)")
    return Diagnostic(name=name, terms=tuple(terms), units=kv["units"], long_name=kv.get("long_name", name),
                      standard_name=kv.get("standard_name", ""))


# -------------------------------------------------------------------------------------------------------------------
# Compilation to arrays
# -------------------------------------------------------------------------------------------------------------------
def _compile(species, reactions, rate_info, photolysis, oh_proxy, cloud, elements, eq_roles, names):
    ns, nr = len(species), len(reactions)
    index = {n: i for i, n in enumerate(names)}
    reactants = -np.ones((nr, 3), dtype=np.int64)
    n_reactants = np.zeros(nr, dtype=np.int64)
    net_start = np.zeros(nr + 1, dtype=np.int64)
    net_species, net_coef = [], []
    rate_type = np.zeros(nr, dtype=np.int64)
    rate_par = np.zeros((nr, kchem.N_RATE_PARAMETERS))
    fixed_power = np.zeros((nr, len(kchem.FIXED_FACTORS)), dtype=np.int64)
    rate_scale = np.zeros(nr)
    molecule_units = np.zeros(nr, dtype=np.int64)
    photolysis_names = list(photolysis)
    photolysis_index = -np.ones(nr, dtype=np.int64)
    oh_factor = np.zeros(nr, dtype=np.int64)
    kinetic = set()
    for r, (reaction, info) in enumerate(zip(reactions, rate_info)):
        for p, sp in enumerate(reaction.reactants):
            reactants[r, p] = index[sp]
            kinetic.add(index[sp])
        n_reactants[r] = len(reaction.reactants)
        net: dict[int, float] = {}
        for sp in reaction.reactants:
            net[index[sp]] = net.get(index[sp], 0.0) - 1.0
        for coef, sp in reaction.products:
            net[index[sp]] = net.get(index[sp], 0.0) + coef
            kinetic.add(index[sp])
        for s in sorted(net):
            if net[s] != 0.0:
                net_species.append(s)
                net_coef.append(net[s])
        net_start[r + 1] = len(net_species)
        rate_type[r] = info["code"]
        rate_par[r] = info["par"]
        fixed_power[r] = info["fixed"]
        rate_scale[r] = info["scale"]
        molecule_units[r] = info["molecule_units"]
        if info["photolysis"] is not None:
            photolysis_index[r] = photolysis_names.index(info["photolysis"])
        oh_factor[r] = info["oh"]
    photolysis_par = np.array([photolysis[n] for n in photolysis_names], dtype=np.float64).reshape(-1, 3)
    element_weight = np.zeros((max(len(elements), 1), ns))
    element_of = -np.ones(ns, dtype=np.int64)
    for s, sp in enumerate(species):
        for e, sym in enumerate(elements):
            w = sp.elements.get(sym, 0.0)
            element_weight[e, s] = w
            if w:
                element_of[s] = e
    equilibrium = -np.ones(5, dtype=np.int64)
    if eq_roles:
        for n, role in enumerate(EQUILIBRIUM_ROLES):
            equilibrium[n] = index[eq_roles[role]]
    if oh_proxy is not None:
        oh_photolysis = photolysis_names.index(oh_proxy[1])
        oh_par = np.array([oh_proxy[2], oh_proxy[3], oh_proxy[4]])
    else:
        oh_photolysis, oh_par = -1, np.array([0.0, 1.0, 1.0])
    arrays = MechanismArrays(
        molar_mass=np.array([sp.molar_mass for sp in species], dtype=np.float64),
        reactants=reactants, n_reactants=n_reactants, net_start=net_start,
        net_species=np.array(net_species, dtype=np.int64), net_coef=np.array(net_coef, dtype=np.float64),
        rate_type=rate_type, rate_par=rate_par, rate_scale=rate_scale, molecule_units=molecule_units,
        photolysis_index=photolysis_index, oh_factor=oh_factor, fixed_power=fixed_power, photolysis_par=photolysis_par,
        oh_photolysis=int(oh_photolysis), oh_par=oh_par, cloud_par=np.array(cloud, dtype=np.float64),
        element_weight=element_weight, element_of=element_of, equilibrium=equilibrium)
    kinetic_idx = np.array(sorted(kinetic), dtype=np.int64)
    active = set(kinetic) | {s for s in range(ns) if element_of[s] >= 0}
    active |= {int(s) for s in equilibrium if s >= 0}
    return arrays, kinetic_idx, np.array(sorted(active), dtype=np.int64)


# -------------------------------------------------------------------------------------------------------------------
# Units at the edges
# -------------------------------------------------------------------------------------------------------------------
GAS_CONSTANT = 8.314462618  # J mol-1 K-1


def air_molar_density(temperature, pressure):
    """Moles of air per m3 from T (K) and p (Pa), ideal gas."""
    return pressure / (GAS_CONSTANT * temperature)


def ppb_to_output(values_ppb, sp: SpeciesInfo, air_mol_m3):
    """Mole fraction (ppb) to the species' output units (ppb, ppm or ug m-3)."""
    if sp.units == "ppb":
        return values_ppb
    if sp.units == "ppm":
        return values_ppb * 1e-3
    return values_ppb * 1e-9 * air_mol_m3 * sp.molar_mass * 1e6


def output_to_ppb(values, sp: SpeciesInfo, air_mol_m3, unit: str | None = None):
    """A value in ``unit`` (default: the species' output units; ppt, ppb, ppm or ug m-3) to ppb."""
    unit = unit or sp.units
    if unit == "ppb":
        return values
    if unit == "ppm":
        return values * 1e3
    if unit == "ppt":
        return values * 1e-3
    if unit == "ug m-3":
        return values / (1e-9 * air_mol_m3 * sp.molar_mass * 1e6)
    raise InputError(f"unknown concentration unit {unit!r}; choose one of: ppt, ppb, ppm, ug m-3")


def kg_m3_per_ppb(molar_mass, air_density):
    """kg m-3 of a species per ppb, for its molar mass (g mol-1) and the air density (kg m-3)."""
    return 1e-9 * np.asarray(molar_mass) / MOLAR_MASS_AIR * air_density
