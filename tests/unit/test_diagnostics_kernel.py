"""Unit tests for kernels/diagnostics.py (first NaN / infinite / negative value)."""

import numpy as np
import pytest

from airmodel.kernels import diagnostics

import numba


def numpy_first_invalid(a):
    """Index of the first a[n] with not (isfinite(a[n]) and a[n] >= 0), else -1."""
    bad = np.flatnonzero(~(np.isfinite(a) & (a >= 0.0)))
    return int(bad[0]) if bad.size else -1


# sizes below, at and above one parallel chunk (65536), and several chunks
SIZES = [0, 1, 7, 65535, 65536, 65537, 1_000_003]


@pytest.mark.parametrize("n", SIZES)
def test_valid_array_gives_minus_one(n):
    """All finite and >= 0 (zeros, -0.0 and huge values included): -1."""
    rng = np.random.default_rng(n)
    a = rng.random(n) * 1e300
    if n > 3:
        a[0] = 0.0
        a[1] = -0.0
        a[2] = np.finfo(np.float64).max
        a[3] = 5e-324  # smallest subnormal
    assert diagnostics.first_invalid(a) == -1


@pytest.mark.parametrize("seed, bad", list(enumerate([np.nan, -np.nan, np.inf, -np.inf, -1.0, -5e-324])))
def test_finds_first_invalid_at_random_positions(seed, bad):
    """One or several invalid values at random positions: the returned index is the smallest one."""
    rng = np.random.default_rng(100 + seed)
    n = 1_000_003
    for _ in range(20):
        a = rng.random(n)
        k = int(rng.integers(1, 4))
        pos = rng.choice(n, size=k, replace=False)
        a[pos] = bad
        # also other kinds of invalid values later on
        later = pos.min() + rng.integers(0, n - pos.min(), size=3)
        a[later] = rng.choice([np.nan, np.inf, -2.0])
        assert diagnostics.first_invalid(a) == pos.min() == numpy_first_invalid(a)


@pytest.mark.parametrize("n", [1, 2, 65536, 65537, 200_000])
def test_edges(n):
    """Invalid value in the first and the last element, and at chunk edges."""
    a = np.ones(n)
    a[-1] = np.nan
    assert diagnostics.first_invalid(a) == n - 1
    a[0] = -1.0
    assert diagnostics.first_invalid(a) == 0
    if n > 65537:
        b = np.ones(n)
        b[65536] = np.inf
        b[65535 + 65536] = -1.0
        assert diagnostics.first_invalid(b) == 65536
        b[65535] = np.nan
        assert diagnostics.first_invalid(b) == 65535


def test_multidimensional_ravel():
    """A [s,k,j,i] field passed as .ravel(): the flat C-order index is returned."""
    f = np.ones((3, 4, 50, 60))
    f[2, 1, 10, 20] = -1e-30
    f[2, 3, 0, 0] = np.nan
    idx = diagnostics.first_invalid(f.ravel())
    assert np.unravel_index(idx, f.shape) == (2, 1, 10, 20)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs NUMBA_NUM_THREADS >= 2")
def test_same_answer_with_1_and_2_threads():
    """The first invalid index does not depend on the thread count."""
    rng = np.random.default_rng(3)
    a = rng.random(3_000_000)
    a[[2_999_000, 1_500_000, 70_000]] = [np.nan, -1.0, np.inf]
    old = numba.get_num_threads()
    try:
        res = []
        for nt in (1, 2):
            numba.set_num_threads(nt)
            res.append(diagnostics.first_invalid(a))
    finally:
        numba.set_num_threads(old)
    assert res == [70_000, 70_000]
