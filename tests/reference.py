"""Independent references: Arb balls (python-flint) and mpmath.

Nothing here uses ropebound's own arithmetic: the frequencies are recomputed
from the double base with 200-bit ball arithmetic, so the exact B_m lies in the
returned ball with certainty.
"""

from __future__ import annotations

import flint
import mpmath

PREC_BITS = 200


def arb_decay_sum(m: int, base: float, dim: int, rotary_dim: int | None = None) -> flint.arb:
    """B_m as an Arb ball (radius ~1e-55)."""
    r = rotary_dim or dim
    old = flint.ctx.prec
    flint.ctx.prec = PREC_BITS
    try:
        b = flint.arb(base)
        total = flint.arb((dim - r) // 2)
        for i in range(r // 2):
            theta = b ** (flint.arb(-2 * i) / r)
            total += (flint.arb(m) * theta).cos()
        return total
    finally:
        flint.ctx.prec = old


def arb_to_float(x: flint.arb) -> float:
    return float(x.mid())


def mpmath_decay_sum(m: int, base: float, dim: int, rotary_dim: int | None = None) -> float:
    """B_m with mpmath at 60 digits (a second, unrelated evaluation)."""
    r = rotary_dim or dim
    with mpmath.workdps(60):
        b = mpmath.mpf(base)
        total = mpmath.mpf((dim - r) // 2)
        for i in range(r // 2):
            total += mpmath.cos(mpmath.mpf(m) * b ** (mpmath.mpf(-2 * i) / r))
        return float(total)
