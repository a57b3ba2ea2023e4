"""An independent brute-force oracle for b*(L): certified Lipschitz steps in numpy.

Shares no code with ropebound. Walks u = ln b upward from near 0. At each u it
evaluates every B_m, m < L, directly (np.cos of the outer product). While some
B_m < -tol, no base in [u, u + h) is admissible for
h = (-B_m - tol) / (m R(u)), R(u) = sum_i a_i theta_i(u) >= |dB_m/du| / m for
every larger u (a_i = 2i/r). It stops where no B_m < -tol remains: every base
below the returned one is certified inadmissible (up to tol, which covers
numpy's own phase error, ~m * 1e-16 rad per term).
"""

from __future__ import annotations

import math

import numpy as np


def oracle_lower_bound(
    context: int, dim: int, rotary_dim: int | None = None, *, tol: float = 1e-9
) -> float:
    r = rotary_dim or dim
    a = 2.0 * np.arange(r // 2) / r
    m = np.arange(context, dtype=np.float64)
    constant = (dim - r) // 2
    u = 1e-12
    while True:
        theta = np.exp(-a * u)
        values = constant + np.cos(np.outer(m, theta)).sum(axis=1)
        rate = float(np.sum(a * theta))
        bad = values < -tol
        if not bad.any():
            return math.exp(u)
        steps = (-values[bad] - tol) / (m[bad] * rate)
        h = float(steps.max())
        if h < u * 1e-13:
            return math.exp(u)
        u += h
