"""The sparse emission kernels (airmodel/kernels/emission.py) and the emission rates held in parts: bitwise the
same as the NumPy operations they replace (``np.add.at`` for the injection, ``np.bincount`` for the totals by
species), repeated entries included; and the meteorology's interpolation, remembered for the same instant."""
import numpy as np

from airmodel.emissions.inventory import EmissionRates
from airmodel.kernels.emission import add_by_species, add_sparse
from airmodel.met.base import MetSnapshot, interpolate_snapshots


def _entries(rng, n, shape):
    index = np.stack([rng.integers(0, m, n) for m in shape], axis=1).astype(np.int64)
    index[n // 3: n // 3 + 50] = index[0]  # one cell many times (stacks sharing a cell)
    return index, rng.random(n) * 10.0 ** rng.uniform(-9, -3, n)


def test_add_sparse_is_numpy_add_at_bit_for_bit():
    rng = np.random.default_rng(3)
    shape = (6, 5, 7, 9)
    index, rate = _entries(rng, 4000, shape)
    start = rng.random(shape) * 1e3
    expected = start.copy()
    np.add.at(expected, tuple(index.T), rate * 900.0)
    got = start.copy()
    add_sparse(got, index, rate, 900.0)
    assert np.array_equal(got, expected)
    assert not np.array_equal(got, start)


def test_add_by_species_is_numpy_bincount_bit_for_bit():
    rng = np.random.default_rng(4)
    index, rate = _entries(rng, 5000, (6, 5, 7, 9))
    got = np.zeros(6)
    add_by_species(index, rate, got)
    assert np.array_equal(got, np.bincount(index[:, 0], weights=rate, minlength=6))


def test_rates_in_parts_equal_the_concatenated_entries():
    """The hour's area entries and the step's stack entries, held apart, give what the entries concatenated gave:
    the same injected masses and the same totals, bit for bit."""
    rng = np.random.default_rng(5)
    shape = (4, 6, 8, 10)
    parts = tuple(_entries(rng, n, shape) for n in (3000, 200))
    surface = rng.random(shape[:1] + shape[2:])
    rates = EmissionRates(surface, parts)
    index = np.concatenate([p[0] for p in parts])
    rate = np.concatenate([p[1] for p in parts])
    assert np.array_equal(rates.index, index) and np.array_equal(rates.rate, rate)
    start = rng.random(shape)
    expected = start.copy()
    np.add.at(expected, tuple(index.T), rate * 600.0)
    got = start.copy()
    rates.add_elevated(got, 600.0)
    assert np.array_equal(got, expected)
    expected_total = surface.sum(axis=(1, 2)) + np.bincount(index[:, 0], weights=rate, minlength=shape[0])
    assert np.array_equal(rates.by_species(), expected_total)
    empty = EmissionRates(surface, ((np.zeros((0, 4), dtype=np.int64), np.zeros(0)),) * 2)
    assert np.array_equal(empty.by_species(), surface.sum(axis=(1, 2)))
    assert empty.index.shape == (0, 4) and empty.rate.size == 0


def test_interpolated_snapshot_is_remembered_for_the_same_instant():
    rng = np.random.default_rng(6)
    a = MetSnapshot(**{name: None for name in MetSnapshot.__dataclass_fields__})
    a = a.replace(air_density=rng.random((2, 3, 4)), temperature=rng.random((2, 3, 4)))
    b = a.replace(air_density=rng.random((2, 3, 4)), temperature=rng.random((2, 3, 4)))
    first = interpolate_snapshots(a, b, 0.25)
    np.testing.assert_array_equal(first.air_density, a.air_density + 0.25 * (b.air_density - a.air_density))
    assert interpolate_snapshots(a, b, 0.25) is first
    other = interpolate_snapshots(a, b, 0.5)
    assert other is not first
    np.testing.assert_array_equal(other.temperature, a.temperature + 0.5 * (b.temperature - a.temperature))
    c = b.replace(air_density=b.air_density.copy())  # another snapshot with equal values: not taken for b
    assert interpolate_snapshots(a, c, 0.25) is not first
    assert interpolate_snapshots(a, b, 0.0) is a and interpolate_snapshots(a, b, 1.0) is b
