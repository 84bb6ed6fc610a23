"""Concentration-response functions: the GEMM (Burnett et al. 2018, PNAS 115, 9592, eq. 1)

    z = max(0, C - 2.4 ug m-3),  HR(C) = exp(theta ln(1 + z/alpha) / (1 + exp(-(z - mu)/nu)))

with the China-cohort parameters as published, the log-linear functions from the published percentages, the
BenMAP linear and logistic forms, and the table's checks."""
import math

import numpy as np
import pytest

from airmodel.errors import InputError
from airmodel.health.functions import Z95, avoided_fraction, gemm_hazard_ratio, read_functions

#: Burnett et al. 2018 (authors' calculator, "GEMM fit parameters"; ages 25+ with the China cohort):
#: theta, se, alpha, mu, nu
PUBLISHED = {"ncd_lri": (0.1430, 0.01807, 1.6, 15.5, 36.8), "ihd": (0.2969, 0.01787, 1.9, 12.0, 40.2),
             "stroke": (0.2720, 0.07697, 6.2, 16.7, 23.7), "copd": (0.2510, 0.06762, 6.5, 2.5, 32.0),
             "lung_cancer": (0.2942, 0.06147, 6.2, 9.3, 29.8), "lri": (0.4468, 0.11735, 6.4, 5.7, 8.4)}
COUNTERFACTUAL = 2.4
#: the NCD+LRI hazard ratios of the calculator, to its 4 digits
NCD_LRI_CHECK = {10.0: 1.118, 35.0: 1.309, 60.0: 1.479, 85.0: 1.629}
THETA_BY_AGE_NCD_LRI = (.1585, .1577, .1570, .1558, .1532, .1499, .1462, .1421, .1374, .1319, .1253, .1141)


def hr_by_hand(c, theta, alpha, mu, nu, cf=COUNTERFACTUAL):
    z = max(0.0, c - cf)
    return math.exp(theta * math.log(1.0 + z / alpha) / (1.0 + math.exp(-(z - mu) / nu)))


@pytest.fixture(scope="module")
def table():
    return {f.id: f for f in read_functions()}


def test_ncd_lri_reproduces_the_published_hazard_ratios(table):
    f = table["gemm_ncd_lri_25plus"]
    theta, se, alpha, mu, nu = PUBLISHED["ncd_lri"]
    assert (f.beta, f.beta_se, f.alpha, f.mu, f.nu, f.counterfactual) == (theta, se, alpha, mu, nu, 2.4)
    for c, check in NCD_LRI_CHECK.items():
        exact = hr_by_hand(c, theta, alpha, mu, nu)
        assert abs(float(f.hazard_ratio(c)) - exact) < 1e-6
        assert abs(float(gemm_hazard_ratio(c, theta, alpha, mu, nu)) - exact) < 1e-6
        assert round(float(f.hazard_ratio(c)), 3) == check


@pytest.mark.parametrize("cause", list(PUBLISHED))
def test_each_cause_at_three_concentrations(table, cause):
    f = table[f"gemm_{cause}_25plus"]
    theta, se, alpha, mu, nu = PUBLISHED[cause]
    assert (f.beta, f.beta_se, f.alpha, f.mu, f.nu) == (theta, se, alpha, mu, nu)
    for c in (15.0, 50.0, 100.0):
        assert abs(float(f.hazard_ratio(c)) - hr_by_hand(c, theta, alpha, mu, nu)) < 1e-6


def test_ncd_lri_by_age_as_published(table):
    rows = sorted((f for f in table.values() if f.group == "gemm_by_age" and f.endpoint == "ncd_lri"),
                  key=lambda f: f.age_start)
    assert [f.beta for f in rows] == list(THETA_BY_AGE_NCD_LRI)
    assert [f.age_start for f in rows] == list(range(25, 81, 5))
    assert rows[-1].age_end == 120
    for f in rows:
        assert f.beta_se == pytest.approx(f.beta * 0.01807 / 0.1430, rel=1e-5)
        assert abs(float(f.hazard_ratio(35.0)) - hr_by_hand(35.0, f.beta, 1.6, 15.5, 36.8)) < 1e-6


def test_counterfactual_applied_once_exactly(table):
    """HR is 1 up to 2.4 ug m-3 and above 1 beyond; a counterfactual applied twice (4.8) or halved (1.2) moves the
    hazard ratios at the check concentrations far beyond the 1e-6 the tests above allow."""
    f = table["gemm_ncd_lri_25plus"]
    theta, _, alpha, mu, nu = PUBLISHED["ncd_lri"]
    assert float(f.hazard_ratio(2.4)) == 1.0 and float(f.hazard_ratio(0.0)) == 1.0
    assert float(f.hazard_ratio(2.41)) > 1.0
    for c in NCD_LRI_CHECK:
        got = float(f.hazard_ratio(c))
        assert abs(got - hr_by_hand(c, theta, alpha, mu, nu, cf=2 * COUNTERFACTUAL)) > 1e-3
        assert abs(got - hr_by_hand(c, theta, alpha, mu, nu, cf=COUNTERFACTUAL / 2)) > 1e-3
    for f in table.values():
        if f.form == "gemm":
            assert f.counterfactual == 2.4


def test_log_linear_from_published_percentages(table):
    f = table["chen2017_pm25_nonaccidental"]
    assert f.beta == pytest.approx(math.log(1.0022) / 10, rel=1e-14)
    assert f.beta_se == pytest.approx((math.log(1.0028) - math.log(1.0015)) / (2 * Z95 * 10), rel=1e-14)
    o3 = table["yin2017_o3_nonaccidental"]
    assert o3.beta == pytest.approx(math.log(1.0024) / 10, rel=1e-14)
    assert (o3.pollutant, o3.metric, o3.term) == ("O3", "mda8", "short")


def test_forms_against_hand_values(table):
    f = table["chen2017_pm25_nonaccidental"]
    y0 = 0.0002
    got = avoided_fraction(f, 80.0, 60.0, y0)
    assert got == pytest.approx(y0 * (1 - math.exp(-f.beta * 20.0)), rel=1e-12)
    gemm = table["gemm_ihd_25plus"]
    theta, _, alpha, mu, nu = PUBLISHED["ihd"]
    hb, hc = hr_by_hand(80.0, theta, alpha, mu, nu), hr_by_hand(60.0, theta, alpha, mu, nu)
    assert avoided_fraction(gemm, 80.0, 60.0, y0) == pytest.approx(y0 * (1 - hc / hb), rel=1e-12)


def _write(tmp_path, rows, header=None):
    header = header or ("id,group,endpoint,term,pollutant,metric,form,age_start,age_end,incidence,beta,beta_se,"
                        "alpha,mu,nu,counterfactual,concentration_units,source")
    path = tmp_path / "f.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


def test_linear_and_logistic_forms_from_a_user_table(tmp_path):
    path = _write(tmp_path, ["lin,g,x,short,PM25,daily_mean,linear,0,120,,0.001,0.0001,,,,,ug m-3,test",
                             "logi,g,y,short,PM25,daily_mean,logistic,0,120,nonaccidental,0.002,0.0005,,,,,ug m-3,t"])
    lin, logi = read_functions(path)
    assert avoided_fraction(lin, 50.0, 40.0, 0.3) == pytest.approx(0.001 * 10.0, rel=1e-14)
    y0 = 0.01
    expected = y0 - y0 / ((1 - y0) * math.exp(0.002 * 10.0) + y0)
    assert avoided_fraction(logi, 50.0, 40.0, y0) == pytest.approx(expected, rel=1e-14)
    # a small change: the logistic form tends to the log-linear one for a rare outcome
    assert avoided_fraction(logi, 50.0, 40.0, 1e-9) == pytest.approx(1e-9 * (1 - math.exp(-0.02)), rel=1e-6)


@pytest.mark.parametrize("row, words", [
    ("g1,g,ncd_lri,long,PM25,annual_mean,gemm,25,120,ncd_lri,0.143,0.018,1.6,,36.8,2.4,ug m-3,x", ["line 2", "'mu'"]),
    ("g1,g,ncd_lri,long,PM25,annual_mean,gemm,25,120,ncd_lri,0.143,abc,1.6,15.5,36.8,2.4,ug m-3,x",
     ["line 2", "'beta_se'", "abc"]),
    ("g1,g,ncd_lri,long,PM25,annual_mean,cubic,25,120,ncd_lri,0.143,0.01,1.6,15.5,36.8,2.4,ug m-3,x", ["cubic"]),
    ("g1,g,ncd_lri,long,PM25,daily_mean,gemm,25,120,ncd_lri,0.143,0.01,1.6,15.5,36.8,2.4,ug m-3,x", ["daily_mean"]),
    ("g1,g,ncd_lri,long,PM25,annual_mean,gemm,25,120,ncd_lri,0.143,0.01,1.6,15.5,36.8,2.4,ppb,x", ["ppb"]),
    ("g1,g,ncd_lri,long,PM25,annual_mean,gemm,25,120,ncd_lri,0.143,0.01,1.6,15.5,inf,2.4,ug m-3,x", ["'nu'", "inf"]),
    ("g1,g,ncd_lri,long,PM25,annual_mean,gemm,25,120,ncd_lri,0.143,0.01,1.6,15.5,36.8,-1,ug m-3,x", ["-1"]),
])
def test_bad_rows_name_file_line_and_value(tmp_path, row, words):
    path = _write(tmp_path, [row])
    with pytest.raises(InputError) as err:
        read_functions(path)
    assert str(path) in str(err.value)
    for w in words:
        assert w in str(err.value)


def test_percent_form_needs_all_three_numbers(tmp_path):
    header = ("id,group,endpoint,term,pollutant,metric,form,age_start,age_end,incidence,increment,percent,"
              "percent_low,percent_high,concentration_units,source")
    path = _write(tmp_path, ["s,g,x,short,PM25,daily_mean,loglinear,0,120,nonaccidental,10,0.22,,0.28,ug m-3,x"],
                  header)
    with pytest.raises(InputError, match="percent_low"):
        read_functions(path)


def test_vectorised_gemm_matches_scalar():
    c = np.array([0.0, 2.4, 5.0, 35.0, 200.0])
    theta, _, alpha, mu, nu = PUBLISHED["stroke"]
    expected = [hr_by_hand(x, theta, alpha, mu, nu) for x in c]
    assert np.allclose(gemm_hazard_ratio(c, theta, alpha, mu, nu), expected, rtol=0, atol=1e-12)
