"""Briggs plume rise against the formulas, case by case (Briggs 1975, 1984; the forms of the ISC3 User's Guide,
Vol. II, EPA-454/B-95-003b, section 1.1.4, and its stack-tip downwash after Briggs 1974).

With Fb = g vs d^2 (Ts - Ta) / (4 Ts) and Fm = vs^2 d^2 Ta / (4 Ts):

unstable/neutral  dTc = 0.0297 Ts vs^(1/3) / d^(2/3) (Fb < 55), 0.00575 Ts vs^(2/3) / d^(1/3) (Fb >= 55);
                  buoyant dh = 21.425 Fb^(3/4) / u (Fb < 55), 38.71 Fb^(3/5) / u (Fb >= 55); momentum dh = 3 d vs / u
stable            s = g (dtheta/dz) / Ta, dTc = 0.019582 Ts vs sqrt(s);
                  buoyant dh = 2.6 (Fb / (u s))^(1/3); momentum dh = min(1.5 (Fm / (u sqrt s))^(1/3), 3 d vs / u)

The expected values below were worked out by hand from these formulas (4 significant digits) and are recomputed
here in plain scalar arithmetic; the regime each case must take is part of the table.
"""
import math

import numpy as np
import pytest

from airmodel.emissions.plume_rise import (buoyancy_flux, final_rise, momentum_flux, potential_temperature_gradient,
                                           stack_tip_downwash)

G = 9.80665

# (label, Ts K, Ta K, vs m/s, d m, u m/s, stable, dtheta/dz K/m, regime, hand value of dh m)
CASES = [
    ("neutral buoyant, Fb < 55", 400.0, 293.0, 10.0, 2.0, 5.0, False, 0.0, "buoyant", 49.67),
    ("neutral buoyant, Fb >= 55", 420.0, 290.0, 20.0, 6.0, 6.0, False, 0.0, "buoyant", 283.2),
    ("neutral momentum", 300.0, 295.0, 15.0, 1.0, 4.0, False, 0.0, "momentum", 11.25),
    ("stable buoyant (E, 0.020 K/m)", 400.0, 280.0, 10.0, 3.0, 3.0, True, 0.020, "buoyant", 82.11),
    ("stable momentum (F, 0.035 K/m)", 287.0, 285.0, 20.0, 1.0, 2.0, True, 0.035, "momentum", 16.90),
    ("stable momentum, neutral form lower", 285.5, 285.0, 5.0, 1.0, 10.0, True, 0.035, "momentum", 1.5),
    ("calm: wind raised to 1 m/s", 400.0, 293.0, 10.0, 2.0, 0.3, False, 0.0, "buoyant", 248.3),
]


def by_hand(ts, ta, vs, d, u, stable, gradient):
    """The formulas of the module docstring, scalar, with the regime they pick."""
    u = max(u, 1.0)
    fb = G * vs * d * d * (ts - ta) / (4 * ts)
    fm = vs * vs * d * d * ta / (4 * ts)
    dt = ts - ta
    if not stable:
        if fb < 55:
            dtc = 0.0297 * ts * vs ** (1 / 3) / d ** (2 / 3)
            buoyant = 21.425 * fb ** 0.75 / u
        else:
            dtc = 0.00575 * ts * vs ** (2 / 3) / d ** (1 / 3)
            buoyant = 38.71 * fb ** 0.6 / u
        return (buoyant, "buoyant") if dt >= dtc else (3 * d * vs / u, "momentum")
    s = G * gradient / ta
    dtc = 0.019582 * ts * vs * math.sqrt(s)
    if dt >= dtc:
        return 2.6 * (fb / (u * s)) ** (1 / 3), "buoyant"
    return min(1.5 * (fm / (u * math.sqrt(s))) ** (1 / 3), 3 * d * vs / u), "momentum"


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_final_rise_equals_the_briggs_formulas(case):
    label, ts, ta, vs, d, u, stable, gradient, regime, hand = case
    expected, picked = by_hand(ts, ta, vs, d, u, stable, gradient)
    assert picked == regime
    assert abs(expected / hand - 1) < 5e-4, (expected, hand)
    s = G * gradient / ta if stable else None
    got = float(final_rise(vs, d, ts, ta, u, stable, s))
    assert abs(got / expected - 1) < 1e-12, (label, got, expected)


def test_vectorized_over_a_table_of_stacks():
    """All cases at once give the same as one by one."""
    cols = list(zip(*[(c[1], c[2], c[3], c[4], c[5], c[6], G * c[7] / c[2] if c[6] else 1.0) for c in CASES]))
    ts, ta, vs, d, u, stable, s = (np.array(c) for c in cols)
    got = final_rise(vs, d, ts, ta, u, stable, s)
    expected = [by_hand(*c[1:8])[0] for c in CASES]
    assert np.allclose(got, expected, rtol=1e-12)


def test_fluxes():
    """Fb = g vs d^2 dT / (4 Ts); Fm = vs^2 d^2 Ta / (4 Ts); a plume cooler than the air has no buoyancy."""
    assert buoyancy_flux(10.0, 2.0, 400.0, 293.0) == pytest.approx(G * 10 * 4 * 107 / 1600, rel=1e-14)
    assert momentum_flux(10.0, 2.0, 400.0, 293.0) == pytest.approx(100 * 4 * 293 / 1600, rel=1e-14)
    assert buoyancy_flux(10.0, 2.0, 280.0, 293.0) == 0.0


def test_stack_tip_downwash():
    """h's = hs + 2 d (vs/u - 1.5) when vs < 1.5 u (Briggs 1974); unchanged otherwise."""
    assert float(stack_tip_downwash(50.0, 2.0, 3.0, 5.0)) == pytest.approx(50 + 2 * 2 * (3 / 5 - 1.5))
    assert float(stack_tip_downwash(50.0, 2.0, 10.0, 5.0)) == 50.0


def test_potential_temperature_gradient():
    """An isothermal column at 1000 hPa to 900 hPa: dtheta/dz = T d(p0/p)^kappa / dz, here positive (stable)."""
    z = np.array([100.0, 1000.0])
    t = np.array([290.0, 290.0])
    p = np.array([100000.0, 90000.0])
    kappa = 287.05 / 1004.7
    expected = 290.0 * ((100000 / 90000) ** kappa - 1.0) / 900.0
    assert potential_temperature_gradient(z, t, p, 500.0) == pytest.approx(expected, rel=1e-12)


def test_stack_in_the_model_uses_the_met_at_the_stack_and_spreads_the_plume(tmp_path):
    """One stack under a hand-made column: the wind and temperature at the stack top, stability from L and
    dtheta/dz; in stable air the smaller of the stable and neutral rises (weak stratification gives the neutral
    one); the plume fills h's + 0.5 dh .. h's + 1.5 dh, shared among layers by overlap."""
    from datetime import datetime, timezone

    from airmodel.emissions.inventory import Emissions
    from airmodel.grid import VerticalLayers, lonlat_grid
    from airmodel.met.base import MetSnapshot

    (tmp_path / "s.csv").write_text("id,name,sector,lon,lat,height[m],diameter[m],exit_velocity[m/s],"
                                    "exit_temperature[K],SO2[t/yr]\nS1,plant,power,116.45,39.95,150,5,15,400,1000\n")
    g = lonlat_grid(116.0, 117.0, 39.5, 40.5, 0.1, VerticalLayers.from_interfaces(
        [0.0, 100.0, 200.0, 400.0, 800.0, 1600.0, 3200.0]))
    e = Emissions({"point_files": ["s.csv"], "year": 2008}, [], g, ["SO2"], None, None, tmp_path)
    nz, ny, nx = g.shape
    mid = g.layers.midpoints

    p = 100000.0 * np.exp(-mid / 8400.0)

    def column(gradient):  # about dtheta/dz = gradient
        return 293.0 + gradient * (mid - mid[0]) - 0.0098 * (mid - mid[0])

    def met(u, gradient, length):
        t = column(gradient)
        t3 = np.broadcast_to(t[:, None, None], g.shape).copy()
        zeros = np.zeros
        return MetSnapshot(air_density=np.ones(g.shape), u=np.full((nz, ny, nx + 1), u), v=zeros((nz, ny + 1, nx)),
                           kx=zeros((nz, ny, nx + 1)), ky=zeros((nz, ny + 1, nx)), kz=zeros((nz + 1, ny, nx)),
                           temperature=t3, pressure=np.broadcast_to(p[:, None, None], g.shape).copy(),
                           monin_obukhov_length=np.full((ny, nx), length))

    comps = [e.inventory.components[n] for n in e.points]
    neutral = e.plume_heights(comps, met(4.0, 0.0, -50.0))
    ta = float(np.interp(150.0, mid, 293.0 - 0.0098 * (mid - mid[0])))
    assert neutral["wind_speed"][0] == 4.0 and not neutral["stable"][0]
    assert neutral["ambient_temperature"][0] == pytest.approx(ta, rel=1e-6)
    assert neutral["rise"][0] == pytest.approx(by_hand(400.0, ta, 15.0, 5.0, 4.0, False, 0.0)[0], rel=1e-6)
    assert neutral["release"][0] == 150.0  # no downwash: vs >= 1.5 u
    strong = e.plume_heights(comps, met(4.0, 0.035, 100.0))
    assert strong["stable"][0]
    gradient = potential_temperature_gradient(mid, column(0.035), p, 150.0)
    assert gradient == pytest.approx(0.035, rel=0.05)
    s_expected = by_hand(400.0, float(strong["ambient_temperature"][0]), 15.0, 5.0, 4.0, True, gradient)[0]
    assert strong["rise"][0] == pytest.approx(s_expected, rel=1e-9) and strong["rise"][0] < neutral["rise"][0]
    weak = e.plume_heights(comps, met(4.0, 0.0002, 100.0))
    assert weak["stable"][0] and weak["rise"][0] == pytest.approx(neutral["rise"][0], rel=1e-3)
    # the layers: uniform over [150 + 0.5 dh, 150 + 1.5 dh]
    dh = float(neutral["rise"][0])
    layers = e.plume_layers(comps, met(4.0, 0.0, -50.0))[0]
    lo, hi = 150 + 0.5 * dh, 150 + 1.5 * dh
    edges = g.layers.interfaces
    expected = np.clip(np.minimum(edges[1:], hi) - np.maximum(edges[:-1], lo), 0, None) / (hi - lo)
    assert np.allclose(layers, expected) and layers.sum() == pytest.approx(1.0)
    rates = e.rates(datetime(2008, 8, 1, 4, tzinfo=timezone.utc), met(4.0, 0.0, -50.0))
    assert rates.surface.sum() == 0.0 and set(rates.index[:, 1]) == set(np.nonzero(expected)[0])
