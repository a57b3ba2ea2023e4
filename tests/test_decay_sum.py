"""decay_sum against Arb balls: the exact value always lies in value +- bound."""

from __future__ import annotations

import flint
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import ropebound as rb
from ropebound import _core

from reference import arb_decay_sum, mpmath_decay_sum
from strategies import bases, dims_with_rotary, distances, head_dims


def _inside(value: float, bound: float, exact: flint.arb) -> bool:
    """|value - exact| <= bound, decided in ball arithmetic at 200 bits."""
    old = flint.ctx.prec
    flint.ctx.prec = 200
    try:
        return bool(abs(flint.arb(value) - exact) <= flint.arb(bound))
    finally:
        flint.ctx.prec = old


@given(m=distances(2**53), base=bases(1e250), dims=dims_with_rotary(1024))
@example(m=2**53 - 1, base=1e15, dims=(128, 128))
@example(m=2**40 - 1, base=1e6, dims=(1024, 1024))
@example(m=10**9, base=5e5, dims=(128, 128))
@example(m=12223, base=3.1e5, dims=(128, 128))
@example(m=57, base=1e250, dims=(18, 2))  # Arb ball printed wider than the bound
def test_exact_value_lies_within_error_bound(m: int, base: float, dims: tuple[int, int]) -> None:
    d, r = dims
    value, bound = rb.decay_sum(m, base, d, rotary_dim=r, return_error=True)
    exact = arb_decay_sum(m, base, d, r)
    assert _inside(value, bound, exact), (value, bound, exact)


@given(m=distances(2**40), base=bases(1e15), d=head_dims(1024))
def test_error_bound_below_1e12_in_contract_range(m: int, base: float, d: int) -> None:
    """SPEC 4: the stated bound is <= 1e-12 for m < 2^40, base <= 1e15, dim <= 1024."""
    _, bound = rb.decay_sum(m, base, d, return_error=True)
    assert bound <= 1e-12


@given(m=distances(2**40), base=bases(1e15), d=head_dims(1024))
def test_agrees_with_mpmath(m: int, base: float, d: int) -> None:
    value, bound = rb.decay_sum(m, base, d, return_error=True)
    # mpmath at 60 digits is exact to far below the bound; its own float
    # rounding adds at most one ulp of a value <= d/2.
    assert abs(value - mpmath_decay_sum(m, base, d)) <= bound + d * 2**-53


def test_distance_zero_gives_half_dim() -> None:
    for d in (2, 4, 64, 128, 1024):
        value, bound = rb.decay_sum(0, 10000.0, d, return_error=True)
        assert value == d / 2
        assert bound < 1e-12


def test_unrotated_pairs_add_a_constant() -> None:
    # (d - r)/2 unrotated pairs contribute exactly cos(0) each.
    full, full_err = rb.decay_sum(np.arange(50), 10000.0, 32, return_error=True)
    partial, part_err = rb.decay_sum(np.arange(50), 10000.0, 128, rotary_dim=32, return_error=True)
    # Same terms, summed from a different starting value: equal within the bounds.
    assert np.all(np.abs(partial - (full + 48)) <= full_err + part_err)
    assert not np.allclose(partial, full)


def test_base_just_above_one() -> None:
    # All theta_i ~ 1: B_m ~ (d/2) cos(m).
    base = 1.0 + 2**-52
    value, bound = rb.decay_sum(3, base, 64, return_error=True)
    exact = arb_decay_sum(3, base, 64)
    assert abs(value - float(exact.mid())) <= bound
    assert value == pytest.approx(32 * np.cos(3.0), abs=1e-9)


def test_distance_near_2_pow_53() -> None:
    m = 2**53 - 1
    value, bound = rb.decay_sum(m, 1e6, 128, return_error=True)
    exact = arb_decay_sum(m, 1e6, 128)
    assert abs(value - float(exact.mid())) <= bound


def test_plain_double_product_would_be_wrong() -> None:
    """At m = 10^9 a naive np.cos(m * theta) is off by far more than our bound."""
    m, base, d = 10**9, 5e5, 128
    value, bound = rb.decay_sum(m, base, d, return_error=True)
    exact = float(arb_decay_sum(m, base, d).mid())
    naive = float(np.cos(m * rb.frequencies(base, d)).sum())
    assert abs(value - exact) <= bound
    assert abs(naive - exact) > 1000 * bound


def test_broadcasting_and_scalars() -> None:
    m = np.arange(6).reshape(3, 2)
    base = np.array([1e4, 5e5])
    out = rb.decay_sum(m, base, 64)
    assert out.shape == (3, 2)
    assert out.dtype == np.float64
    for i in range(3):
        for j in range(2):
            assert out[i, j] == rb.decay_sum(int(m[i, j]), float(base[j]), 64)
    assert isinstance(rb.decay_sum(5, 1e4, 64), float)
    values, errors = rb.decay_sum([1, 2], 1e4, 64, return_error=True)
    assert values.shape == errors.shape == (2,)
    assert np.all(errors > 0)


def test_integer_valued_floats_are_distances() -> None:
    assert rb.decay_sum(7.0, 1e4, 64) == rb.decay_sum(7, 1e4, 64)


@given(m=st.lists(distances(2**40), min_size=1, max_size=20), base=bases(1e15))
def test_order_of_elements_does_not_change_values(m: list[int], base: float) -> None:
    forward = rb.decay_sum(m, base, 128)
    backward = rb.decay_sum(m[::-1], base, 128)
    np.testing.assert_array_equal(forward, backward[::-1])


@given(m=distances(2**53), base=bases(1e250), dims=dims_with_rotary(256))
@settings(max_examples=40)
def test_precise_evaluator_lies_within_its_bound(
    m: int, base: float, dims: tuple[int, int]
) -> None:
    """The double-double evaluator that settles signs near zero (bound ~1e-28)."""
    d, r = dims
    value, bound = _core.decay_sum_precise(_core.FrequencyTable.rope(base, d, r), m)
    # Beyond the final rounding of the value to a double (u |value|): ~1e-28 plus
    # the frequencies' own double-double error, m * theta_i * i * 40u^2 per pair.
    assert bound - 2**-52 * abs(value) < 1e-20 + m * (r / 2) ** 2 * 1e-30
    assert _inside(value, bound, arb_decay_sum(m, base, d, r))
