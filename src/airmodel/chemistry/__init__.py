"""Chemistry and aerosol: mechanisms as data (``*.mech``), compiled to arrays for the Numba kernels, the
``Chemistry`` process for the 3-D model, and the box model (``airmodel box``). See README.md in this folder."""
from .mechanism import (Mechanism, MechanismError, SpeciesInfo, available_mechanisms, load_mechanism,
                        parse_mechanism)
from .process import Chemistry


def run_box(config):
    """Run the box model (see :func:`airmodel.chemistry.box.run_box`)."""
    from .box import run_box as _run_box

    return _run_box(config)


__all__ = ["Chemistry", "Mechanism", "MechanismError", "SpeciesInfo", "available_mechanisms", "load_mechanism",
           "parse_mechanism", "run_box"]
