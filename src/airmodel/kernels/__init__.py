"""Pure Numba kernels (see README.md): arrays in, arrays out; never imports airmodel."""
import os

# Threads that wait between parallel loops sleep instead of spinning, unless the user has chosen otherwise. Numba's
# OpenMP threading layer (GNU libgomp) reads this when it is first loaded, at the first parallel call, which
# comes after this import. With the default (active waiting) a waiting thread keeps a core busy through every
# serial part of a model step; where other programs share the cores that starves the working threads: on this
# 2-core machine under other load two threads took 5-8 times the wall and CPU time of the same run with passive
# waiting (benchmarks/RESULTS.md, "Threads that wait"). Results do not depend on it (no kernel's result depends on
# which thread computes what).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
