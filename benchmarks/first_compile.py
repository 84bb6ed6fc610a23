"""The first call of a kernel from an empty Numba cache: the compile a fresh machine pays once.

    NUMBA_CACHE_DIR=$(mktemp -d) AIRMODEL_CACHE_DIR=$(mktemp -d) python benchmarks/first_compile.py advection
    NUMBA_CACHE_DIR=$(mktemp -d) AIRMODEL_CACHE_DIR=$(mktemp -d) python benchmarks/first_compile.py chemistry cb05_aero

``advection``: one Walcek ``advect`` call (x sweep) on a 2 x 3 x 10 x 12 problem. ``chemistry MECH``: one 3-D step
of ``Chemistry(MECH)`` (generated kernels) on 4 x 3 x 2 cells of benchmarks/chemistry.py's polluted state, 900 s.
Prints the process CPU time of that first call (compile included; run it with empty caches, as above).
"""
from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np


def advection() -> float:
    from airmodel.kernels import advection as adv
    rng = np.random.default_rng(1)
    ns, nz, ny, nx = 2, 3, 10, 12
    tracer, air = rng.random((ns, nz, ny, nx)), 1.0 + rng.random((nz, ny, nx))
    flux = 0.1 * rng.standard_normal((nz, ny, nx + 1))
    low, transport = np.zeros((ns, nz, ny)), np.zeros((2, ns, nz, ny))
    t0 = time.process_time()
    adv.advect(tracer, air, flux, 1.0, 2, low, low, transport, 0.9, adv.SCHEME_WALCEK)
    return time.process_time() - t0


def chemistry(mechanism: str) -> float:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import chemistry as bench

    from airmodel.chemistry.process import Chemistry
    t0 = time.process_time()
    chem = Chemistry(mechanism, rtol=1e-3, atol=1e-6)
    c, rho, temperature, lon, lat = bench.grid_state(chem, 4, 3, 2, np.random.default_rng(0),
                                                     bench.URBAN_CASE[mechanism])
    chem.step(c, rho, temperature, 0.65, 0.0, lon, lat, datetime(2008, 8, 1, 3, tzinfo=timezone.utc), 900.0,
              cell_volume=np.full(rho.shape, 1e10))
    return time.process_time() - t0


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "advection"
    seconds = advection() if what == "advection" else chemistry(sys.argv[2] if len(sys.argv) > 2 else "grs_aero")
    print(f"{' '.join(sys.argv[1:]) or 'advection'}: first call {seconds:.1f} s of CPU")
