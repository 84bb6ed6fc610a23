"""Health checks on model fields.

Nothing here imports ``airmodel``; no I/O.
"""

import math

import numpy as np
from numba import njit, prange

# Elements per parallel chunk (fixed, so the work split does not depend on the thread count).
_CHUNK = 1 << 16


@njit(cache=True)
def _all_valid(values):
    """True iff every element of the 1-D array is >= 0.0 and < +inf (branch-free, so the loop vectorises)."""
    ok = True
    for n in range(values.shape[0]):
        v = values[n]
        # v >= 0.0 is False for NaN and negatives; v < inf excludes +inf (-inf already fails v >= 0)
        ok &= (v >= 0.0) & (v < math.inf)
    return ok


@njit(cache=True)
def _first_invalid_range(values, start, stop):
    """Flat index of the first invalid element in values[start:stop], or -1.

    The range is screened branch-free first; only a range that fails is rescanned element by element
    (the range is at most one chunk, so the rescan stays in cache).
    """
    if _all_valid(values[start:stop]):
        return -1
    for n in range(start, stop):
        v = values[n]
        if not (v >= 0.0) or not (v < math.inf):
            return n
    return -1


@njit(cache=True, parallel=True, nogil=True)
def first_invalid(values):
    """Flat index of the first element that is NaN, infinite or negative (< 0.0); -1 if none.

    values : float64 1-D array (the caller passes ``field.ravel()`` of a contiguous array).

    An element v is valid iff ``v >= 0.0 and v < +inf`` (NaN compares False; -0.0 is valid).  The array is
    cut into fixed chunks; each chunk finds its own first invalid index in parallel, and the serial scan
    of the chunk results in order returns the first of them, so the answer is the first invalid index
    whatever the number of threads.
    """
    n = values.shape[0]
    if n <= _CHUNK:
        return _first_invalid_range(values, 0, n)
    nchunks = (n + _CHUNK - 1) // _CHUNK
    found = np.empty(nchunks, dtype=np.int64)
    for c in prange(nchunks):
        start = c * _CHUNK
        stop = min(start + _CHUNK, n)
        found[c] = _first_invalid_range(values, start, stop)
    for c in range(nchunks):
        if found[c] >= 0:
            return found[c]
    return -1
