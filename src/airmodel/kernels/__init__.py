"""Pure Numba kernels (see README.md): arrays in, arrays out; never imports airmodel."""
