"""Chemistry and aerosol: mechanisms as data (``*.mech``), compiled to arrays for the Numba kernels, the
``Chemistry`` process for the 3-D model, and the box model (``airmodel box``). See README.md in this folder."""
from .box import run_box
from .mechanism import (Mechanism, MechanismError, SpeciesInfo, available_mechanisms, load_mechanism,
                        parse_mechanism)
from .process import Chemistry


__all__ = ["Chemistry", "Mechanism", "MechanismError", "SpeciesInfo", "available_mechanisms", "load_mechanism",
           "parse_mechanism", "run_box"]
