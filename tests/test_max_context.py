"""max_context: the first distance with B_m < 0, certified."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ropebound as rb

from reference import arb_decay_sum


def brute_first_negative(base: float, dim: int, limit: int) -> int | None:
    """Direct numpy evaluation; fine for the small distances used here."""
    theta = base ** (-2.0 * np.arange(dim // 2) / dim)
    values = np.cos(np.outer(np.arange(limit, dtype=np.float64), theta)).sum(axis=1)
    negative = np.flatnonzero(values < 0)
    return int(negative[0]) if negative.size else None


@given(base=st.floats(1.5, 3e4), dim=st.sampled_from([4, 16, 64, 128]))
@settings(max_examples=30)
def test_agrees_with_direct_evaluation(base: float, dim: int) -> None:
    got = rb.max_context(base, dim, limit=5000)
    expected = brute_first_negative(base, dim, 5000)
    if got != expected:
        # Only a value within numpy's error of zero may differ: settle it with Arb.
        m = min(x for x in (got, expected) if x is not None)
        assert abs(float(arb_decay_sum(m, base, dim).mid())) < 1e-9
    if got is not None:
        exact = arb_decay_sum(got, base, dim)
        assert float(exact.upper()) < 0  # the answer is negative, certified by Arb


def test_scalar_and_array_forms() -> None:
    bases = np.array([[1e4, 5e5], [2.0, 1e12]])
    out = rb.max_context(bases, 128, limit=10**6)
    assert out.dtype == np.int64 and out.shape == (2, 2)
    for idx in np.ndindex(bases.shape):
        scalar = rb.max_context(float(bases[idx]), 128, limit=10**6)
        assert out[idx] == (-1 if scalar is None else scalar)
    assert out[1, 1] == -1  # base 1e12: no negative distance below 10^6


def test_none_below_limit() -> None:
    assert rb.max_context(1e6, 128, limit=1000) is None


def test_inclusive_is_one_less() -> None:
    assert rb.max_context(1e4, 128, inclusive=True) == rb.max_context(1e4, 128) - 1


def test_max_context_of_min_base_reaches_the_context() -> None:
    for L in (1000, 5000, 20000):
        b = rb.min_base(L, 128).base
        assert rb.max_context(b, 128) >= L


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="limit"):
        rb.max_context(1e4, 128, limit=0)
    with pytest.raises(ValueError, match="base"):
        rb.max_context(1.0, 128)
    with pytest.raises(TypeError, match="limit"):
        rb.max_context(1e4, 128, limit=1.5)  # type: ignore[arg-type]
