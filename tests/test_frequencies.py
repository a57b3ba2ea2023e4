"""frequencies(): theta_i = base^(-2i/r) against Arb."""

from __future__ import annotations

import flint
import numpy as np
from hypothesis import given

import ropebound as rb
from ropebound import _core

from strategies import bases, dims_with_rotary


@given(base=bases(1e250), dims=dims_with_rotary(1024))
def test_double_double_theta_within_stated_relative_error(
    base: float, dims: tuple[int, int]
) -> None:
    d, r = dims
    table = _core.FrequencyTable.rope(base, d, r)
    assert table.pairs == r // 2
    assert table.constant == (d - r) // 2
    old = flint.ctx.prec
    flint.ctx.prec = 250
    try:
        # Every (r/16)-th pair and always the slowest, i = r/2 - 1.
        for i in sorted({*range(0, r // 2, max(1, r // 16)), r // 2 - 1}):
            exact = flint.arb(base) ** (flint.arb(-2 * i) / r)
            got = flint.arb(float(table.hi[i])) + flint.arb(float(table.lo[i]))
            rel = abs(got - exact) / exact
            assert (
                float(rel.upper())
                <= float(table.rel_err[i]) * float(table.hi[i]) / float(exact.lower()) + 1e-60
            )
    finally:
        flint.ctx.prec = old


def test_frequencies_shape_dtype_and_values() -> None:
    th = rb.frequencies(10000.0, 8)
    np.testing.assert_allclose(th, [1.0, 0.1, 0.01, 0.001], rtol=1e-15)
    assert th.dtype == np.float64
    partial = rb.frequencies(10000.0, 80, rotary_dim=32)
    assert partial.shape == (16,)
    np.testing.assert_allclose(partial, 10000.0 ** (-np.arange(16) / 16), rtol=1e-14)
