"""Chemistry as a process of the 3-D model: one call per model step, the kernel's own sub-steps inside it.

The model's state is mass concentration (kg m-3) per species, ``c[s, k, j, i]``; the solver works in ppb
(mole fractions). The conversion uses each species' molar mass and the air density:
ppb = c / rho_air * (M_air / M_s) * 1e9 with M_air = 28.9647 g mol-1, and the air number density for rate
constants is rho_air / M_air * N_A.
"""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

from ..errors import InputError, ModelHealthError
from ..kernels import chemistry as kchem
from ..kernels import wet_deposition as kwet
from ..kernels.rosenbrock import METHODS, tableau
from .codegen import select_kernels
from .mechanism import Mechanism, kg_m3_per_ppb, load_mechanism

STATUS_TEXT = {
    kchem.STATUS_TOO_MANY_STEPS: "the chemistry solver needed more than max_steps steps",
    kchem.STATUS_STEP_TOO_SMALL: "the chemistry solver's step size fell below its minimum",
    kchem.STATUS_SINGULAR: "the chemistry solver's matrix was repeatedly singular",
}

#: Default settings of the [chemistry] scenario section (see the README in this folder).
PHOTOLYSIS_MODES = ("per_step", "continuous")
DEFAULTS = {"mechanism": "grs_aero", "method": "rodas3", "rtol": 1e-3, "atol": 1e-6, "max_steps": 100000}


def solver_tolerance(mechanism: Mechanism | None, rtol: float | None = None,
                     atol: float | None = None) -> tuple[float, float]:
    """(rtol, atol in ppb) of the 3-D solver: those given, else the mechanism's ``tolerance`` line, else DEFAULTS.
    A mechanism names its own because the error control weighs every species by atol + rtol |y|: with 1e-6 ppb
    every species above about 1e-3 ppb is held to rtol, the many radicals and lumped intermediates of a
    carbon-bond mechanism included; with 1e-4 ppb only those above about 0.1 ppb, and the solver takes about half
    the steps (measured in benchmarks/RESULTS.md)."""
    own = (mechanism.tolerance if mechanism is not None else None) or (DEFAULTS["rtol"], DEFAULTS["atol"])
    return (own[0] if rtol is None else rtol), (own[1] if atol is None else atol)


def seconds_of_year(time_utc: datetime) -> tuple[float, float]:
    """Seconds since 1 January 00:00 UTC of its year, and the number of days in that year."""
    if time_utc.tzinfo is not None:
        time_utc = time_utc.astimezone(timezone.utc).replace(tzinfo=None)
    start = datetime(time_utc.year, 1, 1)
    days = (datetime(time_utc.year + 1, 1, 1) - start).days
    return (time_utc - start).total_seconds(), float(days)


def check_settings(rtol, atol, method, max_steps, where="chemistry") -> None:
    if not (isinstance(rtol, (int, float)) and 0.0 < rtol < 1.0):
        raise InputError(f"{where}.rtol: {rtol!r} is out of range; it must lie between 0 and 1 (e.g. 1e-3)")
    if not (isinstance(atol, (int, float)) and atol > 0.0):
        raise InputError(f"{where}.atol: {atol!r} is out of range; it must be greater than 0 (ppb, e.g. 1e-6)")
    if method not in METHODS:
        raise InputError(f"{where}.method: unknown value {method!r}; choose one of: {', '.join(METHODS)}")
    if not (isinstance(max_steps, int) and max_steps >= 1):
        raise InputError(f"{where}.max_steps: {max_steps!r} must be a whole number of at least 1")


class Chemistry:
    """The chemistry process for the 3-D model.

    ``Chemistry("grs_aero", rtol=1e-3, atol=1e-6)`` compiles the mechanism (rtol, atol left out: the mechanism's
    ``tolerance`` line, else 1e-3 and 1e-6 ppb; ``solver_tolerance``); ``species`` is its table (names, molar
    masses, output units, long and CF standard names, deposition parameters). ``model_species`` (the names of the
    model's state array, in order) lets the state carry other species too; chemistry reads and writes only its own.
    ``kernels``: "auto" (the default: the code generated for the mechanism, ``codegen.py``, when the generator
    supports it), "generated", or "generic" (the index-array kernels, the reference).
    """

    def __init__(self, mechanism: str | Mechanism = "grs_aero", rtol: float | None = None,
                 atol: float | None = None, method: str = DEFAULTS["method"],
                 max_steps: int = DEFAULTS["max_steps"], model_species: list[str] | None = None,
                 photolysis: str = "per_step", kernels: str = "auto"):
        self.mechanism = mechanism if isinstance(mechanism, Mechanism) else load_mechanism(mechanism)
        rtol, atol = solver_tolerance(self.mechanism, rtol, atol)
        check_settings(rtol, atol, method, max_steps)
        if photolysis not in PHOTOLYSIS_MODES:
            raise InputError(f"chemistry.photolysis: unknown value {photolysis!r}; choose one of: "
                             f"{', '.join(PHOTOLYSIS_MODES)}")
        #: "per_step": photolysis at the middle of each model step, held over it (CMAQ, CAMx); "continuous":
        #: the sun moves within the step (the box model's reference behaviour)
        self.photolysis_at_midpoint = photolysis == "per_step"
        self.species = self.mechanism.species
        self.names = self.mechanism.species_names
        self.rtol, self.atol, self.method, self.max_steps = float(rtol), float(atol), method, int(max_steps)
        self.tableau = tableau(method)
        #: the generated module (None: the generic kernels)
        self.generated = select_kernels(self.mechanism, kernels)
        ns = len(self.names)
        if model_species is None:
            self.slot = np.arange(ns, dtype=np.int64)
            self.n_model_species = ns
        else:
            missing = [n for n in self.names if n not in model_species]
            if missing:
                raise InputError(f"chemistry mechanism {self.mechanism.name} needs species missing from the "
                                 f"model: {', '.join(missing)}")
            self.slot = np.array([list(model_species).index(n) for n in self.names], dtype=np.int64)
            self.n_model_species = len(model_species)
        self.solve, self.n_coupled, self.position = self.mechanism.solve_order(self.mechanism.kinetic)
        self.active = self.mechanism.active
        self.atol_array = np.full(ns, self.atol)
        self.last_steps: np.ndarray | None = None
        #: each cell's next solver step (s), carried from call to call (and across restarts, in checkpoints)
        self.next_step: np.ndarray | None = None

    # -- restart state (airmodel/checkpoint.py) ---------------------------------------------------------------
    def restart_state(self) -> dict:
        """The step sizes carried from call to call (none before the first call)."""
        return {} if self.next_step is None else {"chemistry_next_step": self.next_step}

    def restore_state(self, state: dict) -> None:
        if state.get("chemistry_next_step") is not None:
            self.next_step = state["chemistry_next_step"]

    # -- metadata for writers ---------------------------------------------------------------------------------
    def output_metadata(self) -> dict[str, dict]:
        """units, long_name and standard_name of every species and diagnostic (PM2.5, PM10)."""
        meta = {sp.name: dict(units=sp.units, long_name=sp.long_name, standard_name=sp.standard_name)
                for sp in self.species}
        for d in self.mechanism.diagnostics:
            meta[d.name] = dict(units=d.units, long_name=d.long_name, standard_name=d.standard_name)
        return meta

    def to_output_units(self, name: str, concentration_kg_m3: np.ndarray, air_density: np.ndarray) -> np.ndarray:
        """A species field in kg m-3 converted to its output units (ppb, ppm or ug m-3)."""
        sp = self.species[self.mechanism.index(name)]
        if sp.units == "ug m-3":
            return concentration_kg_m3 * 1e9
        ppb = concentration_kg_m3 / kg_m3_per_ppb(sp.molar_mass, air_density)
        return ppb * 1e-3 if sp.units == "ppm" else ppb

    def diagnostics(self, concentration: np.ndarray) -> dict[str, np.ndarray]:
        """PM2.5, PM10 (ug m-3) from the model state c[s, k, j, i] (kg m-3)."""
        out = {}
        for d in self.mechanism.diagnostics:
            out[d.name] = sum(concentration[self.slot[self.mechanism.index(n)]] for n in d.terms) * 1e9
        return out

    def deposition_parameters(self) -> dict[str, dict]:
        """Per species, as cited in the .mech file: the dry-deposition class of the resistance model
        (airmodel/met/deposition.py); the below-cloud washout coefficient (s-1 at 1 mm h-1 of rain), the fraction
        of an aerosol taken into cloud water, and a gas's effective Henry's law constant (M atm-1) at 298.15 K and
        the mechanism's cloud-water pH (0 for an insoluble gas), which airmodel/wet_deposition.py uses."""
        cloud = self.mechanism.cloud_water
        out = {}
        for sp in self.species:
            henry = 0.0
            if sp.solubility is not None:
                sol = sp.solubility
                henry = kwet.effective_henry(np.array(sol.henry), np.array(sol.acid1), np.array(sol.acid2),
                                             np.array(sol.base), np.array(cloud.water_ion_product),
                                             10.0 ** -cloud.ph, kwet.T_REFERENCE)
            out[sp.name] = dict(deposition_class=sp.deposition_class, wet_scavenging_s1_per_mm_h=sp.wet_scavenging,
                                incloud_fraction=sp.incloud, effective_henry_M_per_atm=henry)
        return out

    # -- the step -----------------------------------------------------------------------------------------------
    def step(self, concentration: np.ndarray, air_density: np.ndarray, temperature, relative_humidity,
             cloud_fraction, lon, lat, time_utc: datetime, dt: float, cell_volume: np.ndarray,
             cloud_cover=None) -> np.ndarray:
        """Advance chemistry over dt seconds in place and return the net chemical production (kg) per species.

        concentration[s, k, j, i] in kg m-3 (the model's species order); air_density [nz, ny, nx] kg m-3;
        temperature (K), relative_humidity (a fraction, 0.8 = 80 %, as in MetSnapshot) and the layer
        cloud_fraction (0..1; aqueous sulfate): scalars or [nz, ny, nx]; lon, lat (degrees): scalars or
        [ny, nx]; time_utc: the start of the step; cell_volume [nz, ny, nx] m3; cloud_cover: the column's cloud
        area fraction [ny, nx] that attenuates photolysis (default: the largest layer cloud fraction of the
        column, i.e. maximum overlap).
        The returned array is indexed like the state's species axis (zero for species chemistry does not touch).
        """
        if concentration.ndim != 4 or concentration.shape[0] != self.n_model_species:
            raise ValueError(f"concentration must be [{self.n_model_species}, nz, ny, nx], got {concentration.shape}")
        if not (concentration.flags.c_contiguous and concentration.dtype == np.float64):
            raise ValueError("concentration must be a C-contiguous float64 array (it is updated in place)")
        shape3 = concentration.shape[1:]

        def field(value, shape):  # C-contiguous, writeable float64 (one compiled signature for every caller)
            return np.require(np.broadcast_to(value, shape), np.float64, ["C", "W"])

        rho = field(air_density, shape3)
        temp = field(temperature, shape3)
        rh = field(relative_humidity, shape3) * 100.0
        cloud = field(cloud_fraction, shape3)
        cover = field(cloud.max(axis=0) if cloud_cover is None else cloud_cover, shape3[1:])
        lon2 = field(lon, shape3[1:])
        lat2 = field(lat, shape3[1:])
        touched = self.slot[self.active]
        before = concentration[touched].copy()
        sec, days = seconds_of_year(time_utc)
        sun = kchem.sun_parameters(sec, days, float(dt), np.nan)
        status = np.zeros(shape3, dtype=np.int64)
        steps = np.zeros(shape3, dtype=np.int64)
        if self.next_step is None or self.next_step.shape != shape3:
            self.next_step = np.zeros(shape3)
        if self.generated is not None:
            self.generated.chemistry_3d(concentration, self.slot, self.active, self.solve, rho, temp, rh, cloud,
                                        cover, lon2, lat2, sun, float(dt), self.tableau, self.rtol, self.atol_array,
                                        self.max_steps, status, steps, self.next_step, self.photolysis_at_midpoint)
        else:
            kchem.chemistry_3d(concentration, self.slot, self.active, self.solve, self.n_coupled, self.position,
                               rho, temp, rh, cloud, cover, lon2, lat2, sun, float(dt), self.mechanism.arrays,
                               self.tableau, self.rtol, self.atol_array, self.max_steps, status, steps,
                               self.next_step, self.photolysis_at_midpoint)
        self.last_steps = steps
        if status.any():
            k, j, i = np.argwhere(status != 0)[0]
            raise ModelHealthError(f"chemistry: {STATUS_TEXT.get(int(status[k, j, i]), 'solver failure')} in cell "
                                   f"(k={k}, j={j}, i={i}) during the step from {time_utc:%Y-%m-%d %H:%M:%S} UTC "
                                   f"(T={temp[k, j, i]:.1f} K, RH={rh[k, j, i]:.0f} %)")
        produced = np.zeros(self.n_model_species)
        change = concentration[touched] - before
        produced[touched] = np.einsum("skji,kji->s", change, cell_volume)
        return produced
