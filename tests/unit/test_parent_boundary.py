"""The parent domain's boundary table: it reads, covers every species of the child table on every side, and its
faces carry the background stations' measured surface values (tools/build_parent_boundary.py)."""
import numpy as np
import pytest

from airmodel.boundary import read_profiles
from airmodel.data import data_path

PARENT = data_path("boundary", "summer_parent_north_china.csv")
CHILD = data_path("boundary", "summer_north_china.csv")


def test_parent_table_reads_and_covers_the_child_species():
    parent, child = read_profiles(PARENT), read_profiles(CHILD)
    assert set(parent) == set(child)
    for (species, side), (heights, values, unit) in parent.items():
        assert np.all(np.isfinite(values)) and np.all(values >= 0.0), (species, side)
        assert unit == child[(species, side)][2]


@pytest.mark.parametrize("species, side, value", [
    ("O3", "west", 49.3), ("SO2", "west", 0.15), ("NO2", "west", 0.04),  # Mt Waliguan
    ("O3", "east", 34.8), ("SO2", "east", 0.7), ("NO2", "east", 2.25),  # Longfengshan (NOx 2.7)
    ("O3", "south", 39.1), ("SO2", "south", 16.1), ("NO2", "south", 6.75)])  # Lin'an (NOx 8.1)
def test_faces_carry_the_measured_surface_values(species, side, value):
    heights, values, _ = read_profiles(PARENT)[(species, side)]
    assert heights[0] == 0.0 and values[0] == pytest.approx(value, rel=1e-3)


def test_free_troposphere_is_the_child_tables():
    parent, child = read_profiles(PARENT), read_profiles(CHILD)
    for (species, side), (heights, values, _) in parent.items():
        if side == "top":
            np.testing.assert_array_equal(values, child[(species, side)][1])
