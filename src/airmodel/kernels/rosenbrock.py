"""Rosenbrock methods: coefficient tables, dense LU and the step-size controller (pure Numba / NumPy).

The methods are written in the form used by KPP (Damian et al., 2002, Comput. Chem. Eng. 26, 1567; Sandu et
al., 1997, Atmos. Environ. 31, 3459), which is the transformed form of Hairer and Wanner (1996, Solving ODEs
II, sec. IV.7) that needs no matrix-vector products. For y' = f(t, y), with J = df/dy and f_t = df/dt at
(t_n, y_n), each stage solves

.. math::

    \\Big(\\frac{1}{h\\gamma} I - J\\Big) K_i = f\\big(t_n + \\alpha_i h,\\; y_n + \\sum_{j<i} a_{ij} K_j\\big)
        + \\sum_{j<i} \\frac{c_{ij}}{h} K_j + h\\,\\gamma_i\\, f_t

    y_{n+1} = y_n + \\sum_i m_i K_i, \\qquad \\text{error estimate } \\sum_i e_i K_i

Methods
-------
``ROS2``   2 stages, order 2 (embedded order 1), L-stable: Verwer, Spee, Blom and Hundsdorfer (1999,
           SIAM J. Sci. Comput. 20, 1456), gamma = 1 + 1/sqrt(2).
``RODAS3`` 4 stages, order 3 (embedded order 2), stiffly accurate, L-stable: Sandu et al. (1997), gamma = 1/2;
           three function evaluations per step (stage 2 reuses stage 1's).

Step-size control (Hairer and Wanner 1996, sec. IV.8; KPP's defaults): the error is the RMS over the solved
components of e_s / (atol_s + rtol max(|y_n,s|, |y_n+1,s|)); a step is accepted when it is <= 1 and the next
step is h * min(6, max(0.2, 0.9 err^(-1/elo))) (not larger than h right after a rejection; 0.1 h after two
rejections in a row).
"""
from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

ROS2 = 0
RODAS3 = 1
METHODS = {"ros2": ROS2, "rodas3": RODAS3}

#: Coefficients of one method: s stages, gamma (the diagonal), a[s, s] and c[s, s] (strictly lower triangular),
#: m[s], e[s], alpha[s], gamma_i[s] (the sums of the gamma_ij), new_f[s] (1: stage i evaluates f; 0: reuses
#: stage i-1's), elo (order of the error estimator + 1, for the step-size formula).
RosenbrockTableau = namedtuple("RosenbrockTableau", "stages gamma a c m e alpha gamma_i new_f elo")

FAC_MIN = 0.2
FAC_MAX = 6.0
FAC_SAFE = 0.9
FAC_REJECT = 0.1


def tableau(name: str) -> RosenbrockTableau:
    """The coefficients of ``"ros2"`` or ``"rodas3"`` as float64 arrays (see the module docstring)."""
    if name == "ros2":
        g = 1.0 + 1.0 / math.sqrt(2.0)
        a = np.zeros((2, 2)); c = np.zeros((2, 2))
        a[1, 0] = 1.0 / g
        c[1, 0] = -2.0 / g
        return RosenbrockTableau(2, g, a, c, np.array([1.5 / g, 0.5 / g]), np.array([0.5 / g, 0.5 / g]),
                                 np.array([0.0, 1.0]), np.array([g, -g]), np.array([1, 1], dtype=np.int64), 2.0)
    if name == "rodas3":
        a = np.zeros((4, 4)); c = np.zeros((4, 4))
        a[2, 0] = 2.0
        a[3, 0] = 2.0; a[3, 2] = 1.0
        c[1, 0] = 4.0
        c[2, 0] = 1.0; c[2, 1] = -1.0
        c[3, 0] = 1.0; c[3, 1] = -1.0; c[3, 2] = -8.0 / 3.0
        return RosenbrockTableau(4, 0.5, a, c, np.array([2.0, 0.0, 1.0, 1.0]), np.array([0.0, 0.0, 0.0, 1.0]),
                                 np.array([0.0, 0.0, 1.0, 1.0]), np.array([0.5, 1.5, 0.0, 0.0]),
                                 np.array([1, 0, 1, 1], dtype=np.int64), 3.0)
    raise ValueError(f"unknown Rosenbrock method {name!r}; choose one of: {', '.join(METHODS)}")


@njit(cache=True, error_model="numpy")
def lu_factor(a, pivot):
    """In-place LU decomposition with partial pivoting of the n x n matrix a (Doolittle, row swaps recorded in
    pivot). Returns False if a pivot is exactly zero or not finite (the caller then shortens the step)."""
    n = a.shape[0]
    for k in range(n):
        p = k
        big = abs(a[k, k])
        for i in range(k + 1, n):
            v = abs(a[i, k])
            if v > big:
                big = v
                p = i
        pivot[k] = p
        if not (big > 0.0) or not math.isfinite(big):
            return False
        if p != k:
            for j in range(n):
                tmp = a[k, j]
                a[k, j] = a[p, j]
                a[p, j] = tmp
        inv = 1.0 / a[k, k]
        for i in range(k + 1, n):
            a[i, k] *= inv
            lik = a[i, k]
            if lik != 0.0:
                for j in range(k + 1, n):
                    a[i, j] -= lik * a[k, j]
    return True


@njit(cache=True, error_model="numpy")
def lu_solve(lu, pivot, b):
    """Solve (LU) x = P b in place in b, with the factors and pivots from lu_factor."""
    n = lu.shape[0]
    for k in range(n):
        p = pivot[k]
        if p != k:
            tmp = b[k]
            b[k] = b[p]
            b[p] = tmp
    for i in range(1, n):
        s = b[i]
        for j in range(i):
            s -= lu[i, j] * b[j]
        b[i] = s
    for i in range(n - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, n):
            s -= lu[i, j] * b[j]
        b[i] = s / lu[i, i]


@njit(cache=True, error_model="numpy")
def next_step_factor(err, elo, accepted, rejected_before):
    """Factor for the next step size from the scaled error norm (see the module docstring)."""
    if accepted:
        if err <= 0.0:
            fac = FAC_MAX
        else:
            fac = min(FAC_MAX, max(FAC_MIN, FAC_SAFE / err ** (1.0 / elo)))
        if rejected_before:
            fac = min(fac, 1.0)
        return fac
    if rejected_before:
        return FAC_REJECT
    if not math.isfinite(err):
        return FAC_MIN
    return min(1.0, max(FAC_MIN, FAC_SAFE / err ** (1.0 / elo)))
