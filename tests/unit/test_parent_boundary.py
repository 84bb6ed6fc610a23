"""The parent domain's boundary table: it reads, covers every species of the child table on every side, and its
faces carry the background stations' published (mostly summer) surface values (tools/build_parent_boundary.py)."""
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
    ("O3", "west", 54.0),  # Mt Waliguan, summer 2003
    ("O3", "east", 23.0), ("CO", "east", 0.106),  # Oki, summer monthly means 2001-2002
    ("SO2", "east", 1.98 * 0.46 / 0.83),  # Gosan annual 2004-05 times its 1994 summer : annual ratio
    ("CO", "south", 0.54 - 0.0111 * (2008.62 - 2012.0)),  # Lin'an summer mean 2006-2017 carried to August 2008
    ("SO2", "south", 2.8 / 7.0 * 7.1),  # Lin'an July : mean ratio times the July 2008 - June 2010 mean
    ("NO2", "south", 7.1 * 12.5 / 13.6), ("NO", "south", 7.1 * 1.1 / 13.6),  # Lin'an July NOx, its NO2 share
    ("O3", "south", 39.1)])  # Lin'an, annual 1994-95 (no summer mean found)
def test_faces_carry_the_measured_surface_values(species, side, value):
    heights, values, _ = read_profiles(PARENT)[(species, side)]
    assert heights[0] == 0.0 and values[0] == pytest.approx(value, rel=1e-3)


def test_free_troposphere_is_the_child_tables():
    parent, child = read_profiles(PARENT), read_profiles(CHILD)
    for (species, side), (heights, values, _) in parent.items():
        if side == "top":
            np.testing.assert_array_equal(values, child[(species, side)][1])
