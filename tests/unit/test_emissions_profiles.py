"""Temporal and vertical profiles, local time, speciation, and the keys of [emissions]."""
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from airmodel.emissions.inventory import DEFAULT_TEMPORAL, DEFAULT_VERTICAL
from airmodel.emissions.profiles import (LocalClock, TemporalProfile, hour_fraction, read_temporal_profiles,
                                         read_vertical_profiles, window_fractions)
from airmodel.emissions.quantities import POLLUTANTS
from airmodel.emissions.settings import EMISSIONS_KEYS, merged_schema, validate_emissions
from airmodel.emissions.speciation import read_speciation
from airmodel.errors import InputError

UTC = timezone.utc
CLOCK = LocalClock(8.0)


@pytest.fixture(scope="module")
def profiles():
    return read_temporal_profiles(DEFAULT_TEMPORAL)


@pytest.mark.parametrize("year", [2007, 2008])
def test_hourly_fractions_add_up_to_one_in_any_year(profiles, year):
    for p in profiles.values():
        annual, of_month, months = p.hourly(year)
        assert annual.size == (8784 if year == 2008 else 8760)
        assert abs(annual.sum() - 1.0) < 1e-13
        for m in range(1, 13):
            assert abs(of_month[months == m].sum() - 1.0) < 1e-13


def test_month_weights_are_daily_rates_and_weekdays_stay_in_their_month():
    """Flat months give every day the same amount; a weekday weight moves mass between days of one month only."""
    p = TemporalProfile("t", np.ones(12), np.array([2.0, 1, 1, 1, 1, 1, 1]), np.ones(24))
    annual, _, months = p.hourly(2008)
    feb = annual[months == 2].sum()
    assert feb == pytest.approx(29 / 366, rel=1e-13)
    daily = annual.reshape(-1, 24).sum(axis=1)
    # 4 February 2008 is a Monday: twice the other days of February (4 Mondays, 25 other days)
    assert daily[31 + 3] == pytest.approx(2 * daily[31 + 4]) and daily[31 + 3] == pytest.approx(feb * 2 / 33)


def test_local_time_is_utc_plus_eight(profiles):
    p = profiles["transport"]
    # 2007-12-31 23:30 UTC is 07:30 on 1 January 2008 in Beijing
    assert CLOCK.position(datetime(2007, 12, 31, 23, 30, tzinfo=UTC)) == (2008, 7, 0.5)
    rush = hour_fraction(p, CLOCK, datetime(2008, 8, 6, 0, 30, tzinfo=UTC))  # Wednesday 08:30 local
    night = hour_fraction(p, CLOCK, datetime(2008, 8, 5, 19, 30, tzinfo=UTC))  # Wednesday 03:30 local
    assert rush / night == pytest.approx(p.hour[8] / p.hour[3])


def test_window_fractions_count_partial_hours(profiles):
    p = profiles["residential"]
    t = datetime(2008, 3, 1, 3, tzinfo=UTC)
    whole = window_fractions(p, CLOCK, t, t + timedelta(hours=1))
    assert whole == pytest.approx(hour_fraction(p, CLOCK, t), rel=1e-14)
    assert window_fractions(p, CLOCK, t + timedelta(minutes=15), t + timedelta(minutes=45)) == \
        pytest.approx(whole / 2, rel=1e-12)
    year = window_fractions(p, CLOCK, CLOCK.utc(datetime(2008, 1, 1)), CLOCK.utc(datetime(2009, 1, 1)))
    assert year == pytest.approx(1.0, abs=1e-13)
    two = window_fractions(p, CLOCK, CLOCK.utc(datetime(2007, 7, 1)), CLOCK.utc(datetime(2008, 7, 1)))
    assert 0.9 < two < 1.1  # half of 2007 and half of 2008, each year's own calendar


def test_vertical_profiles_split_over_layers():
    vp = read_vertical_profiles(DEFAULT_VERTICAL)
    interfaces = np.array([0.0, 50.0, 150.0, 300.0, 600.0])
    f = vp["power"].layer_fractions(interfaces)
    assert f.sum() == pytest.approx(1.0, abs=1e-14)
    assert f[0] == 0.0 and f[1] == pytest.approx(0.3) and f[2] == pytest.approx(0.7)
    assert vp["surface"].layer_fractions(interfaces)[0] == 1.0
    assert vp["industry"].layer_fractions(np.array([0.0, 100.0]))[0] == pytest.approx(1.0)  # clipped at the top


def test_vertical_profile_fractions_must_add_up(tmp_path):
    (tmp_path / "v.csv").write_text("profile,bottom[m],top[m],fraction\nstack,0,20,0.5\nstack,20,100,0.4\n")
    with pytest.raises(InputError, match=r"v.csv line 2: the fractions of vertical profile 'stack' add up to 0.9"):
        read_vertical_profiles(tmp_path / "v.csv")


def test_grs_aero_speciation_conserves_mass_and_counts_nox_as_no2():
    from airmodel.chemistry.mechanism import load_mechanism
    from airmodel.emissions.inventory import speciation_path

    mw = {s.name: s.molar_mass for s in load_mechanism("grs_aero").species}
    sp = read_speciation(speciation_path("grs_aero", "."), mw, "grs_aero")
    species = ["NO", "NO2", "SO2", "SULF", "ROC", "EC", "POA", "PM25_OTHER", "PMC", "CO", "CO2", "NH3"]
    c = sp.matrix("industry", species)
    s = {name: i for i, name in enumerate(species)}
    p = {name: i for i, name in enumerate(POLLUTANTS)}
    # NOx (as NO2): 90 % of the moles as NO, 10 % as NO2
    assert c[p["NOx"], s["NO"]] == pytest.approx(0.9 * 30.006 / 46.006)
    assert c[p["NOx"], s["NO2"]] == pytest.approx(0.1)
    assert c[p["SO2"], s["SULF"]] == pytest.approx(0.02 * 96.06 / 64.064)
    # particles: EC + POA + PM25_OTHER + PMC = PM10 for any PM10 >= PM2.5 >= BC + 1.4 OC
    e = np.zeros(len(POLLUTANTS))
    e[[p["PM10"], p["PM2.5"], p["BC"], p["OC"]]] = [100.0, 60.0, 5.0, 10.0]
    out = e @ c
    assert out[s["EC"]] == 5.0 and out[s["POA"]] == pytest.approx(14.0) and out[s["PMC"]] == pytest.approx(40.0)
    assert out[s["PM25_OTHER"]] == pytest.approx(60.0 - 5.0 - 14.0)
    assert out[[s["EC"], s["POA"], s["PM25_OTHER"], s["PMC"]]].sum() == pytest.approx(100.0)
    # a species the model does not transport is dropped, the others do not change
    fewer = sp.matrix("industry", ["PM25_OTHER", "PMC"])
    assert np.allclose(fewer, c[:, [s["PM25_OTHER"], s["PMC"]]])


def test_speciation_errors(tmp_path):
    mw = {"NO": 30.006, "ROC": 12.011}
    (tmp_path / "s.csv").write_text("sector,pollutant,species,fraction,basis\n*,NMVOC,ROC,0.85,mole\n")
    with pytest.raises(InputError, match=r"s.csv line 2, column 'basis': NMVOC is a mixture with no molar mass"):
        read_speciation(tmp_path / "s.csv", mw, "m")
    (tmp_path / "s.csv").write_text("sector,pollutant,species,fraction,basis\n*,NOx,NOY,1,mole\n")
    with pytest.raises(InputError, match=r"'NOY' is not a species of mechanism 'm'; its species: NO, ROC"):
        read_speciation(tmp_path / "s.csv", mw, "m")


def test_emissions_keys():
    out = validate_emissions({"inventory": "default_2008", "point": [{"species": "x"}]})
    assert out["point"] == [{"species": "x"}] and out["plume_rise"] == "briggs" and out["utc_offset_hours"] == 8.0
    with pytest.raises(InputError, match=r"emissions.inventory: unknown value 'default_2009'; choose one of: none, "
                                         r"default_2008"):
        validate_emissions({"inventory": "default_2009"})
    with pytest.raises(InputError, match=r"emissions: unknown key 'points_file'; valid keys: inventory, year"):
        validate_emissions({"points_file": "x.csv"})
    merged = merged_schema({"point": None})
    assert set(merged) == {"point"} | set(EMISSIONS_KEYS)
