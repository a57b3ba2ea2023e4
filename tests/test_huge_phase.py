"""Huge phases: the bound holds up to m*theta = 2**53, and beyond it every entry point
raises a ValueError stating the range (never a wrong bound, never NaN).

The issue's reproducers (explicit frequencies 1e20 and 1e300, a linear factor of
1e-20 or 1e-300) are here, and the bound is checked against Arb at the edge of the
proven range, where the reduction's quotient can be one off (quadrant +-3).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import flint
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import ropebound as rb

MAX_PHASE = 2.0**53
RANGE_MESSAGE = r"2\*\*53"


def _arb_cos_sum(m: int, thetas: list[float], constant: float = 0.0) -> flint.arb:
    """sum cos(m * theta) for exact double thetas, as a 300-bit Arb ball."""
    old = flint.ctx.prec
    flint.ctx.prec = 300
    try:
        total = flint.arb(constant)
        for theta in thetas:
            total += (flint.arb(m) * flint.arb(theta)).cos()
        return total
    finally:
        flint.ctx.prec = old


def _inside(value: float, bound: float, exact: flint.arb) -> bool:
    old = flint.ctx.prec
    flint.ctx.prec = 300
    try:
        return bool(abs(flint.arb(value) - exact) <= flint.arb(bound))
    finally:
        flint.ctx.prec = old


# -------------------------------------------------------------- the issue's reproducers

REPRODUCERS: list[Callable[[], Any]] = [
    lambda: rb.decay_sum(10**15, frequencies=[1e20], return_error=True),
    lambda: rb.decay_sum(
        2**52 + 1, 1e4, 8, scaling={"rope_type": "linear", "factor": 1e-20}, return_error=True
    ),
    lambda: rb.decay_sum(10, frequencies=[1e300], return_error=True),
    lambda: rb.admissible_bases(
        100, 8, (10.0, 1000.0), scaling={"rope_type": "linear", "factor": 1e-300}
    ),
]


@pytest.mark.parametrize("call", REPRODUCERS, ids=["freq1e20", "linear1e-20", "freq1e300", "adm"])
def test_issue_reproducers_raise_with_the_range(call: Callable[[], Any]) -> None:
    with pytest.raises(ValueError, match=RANGE_MESSAGE):
        call()


TINY = {"rope_type": "linear", "factor": 1e-20}


ENTRY_POINTS: list[Callable[[], Any]] = [
    lambda: rb.decay_curve(1000, 1e4, 8, scaling=TINY),
    lambda: rb.decay_curve(1000, frequencies=[1e14]),
    lambda: rb.decay_sum(np.arange(1000), frequencies=[1e14]),
    lambda: rb.max_context(1e4, 8, scaling=TINY),
    lambda: rb.max_context(np.array([1e4, 2e4]), 8, scaling=TINY),
    lambda: rb.max_context(np.array([1e4, 2e4, 3e4, 4e4, 5e4]), 8, scaling=TINY),
    lambda: rb.max_context(None, None, frequencies=[1e14], limit=1000),
    lambda: rb.min_base(1000, 8, scaling=TINY),
    lambda: rb.staircase(1000, 8, scaling=TINY),
    lambda: rb.admissible_bases(1000, 8, (10.0, 1000.0), scaling=TINY),
    lambda: rb.decay_sum(10**9, frequencies=[1e8], precision="float32"),
    lambda: rb.decay_curve(1000, frequencies=[1e14], precision="float32"),
    lambda: rb.max_context(None, None, frequencies=[1e14], precision="float32", limit=1000),
    lambda: rb.decay_sum(10**9, 1e4, 8, scaling=TINY, precision="float32"),
]


@pytest.mark.parametrize("call", ENTRY_POINTS)
def test_every_entry_point_rejects_phases_beyond_the_range(call: Callable[[], Any]) -> None:
    with pytest.raises(ValueError, match=RANGE_MESSAGE):
        call()


def test_float32_frequencies_beyond_float32_are_rejected() -> None:
    with pytest.raises(ValueError, match="frequencies"):
        rb.decay_sum(10, frequencies=[1e300], precision="float32")
    with pytest.raises(ValueError, match="finite"):
        rb.decay_sum(
            10, 1e4, 8, scaling={"rope_type": "linear", "factor": 1e-300}, precision="float32"
        )


# ---------------------------------------------------------------- the edge of the range


def _last_distance_in_range(theta: float) -> int:
    """Largest distance m < 2**53 with fl(m * theta) <= 2**53 (the core's test, in the
    same IEEE operation)."""
    m = min(math.floor(MAX_PHASE / theta) + 4, 2**53 - 1)
    while float(m) * theta > MAX_PHASE:
        m -= 1
    return m


@pytest.mark.parametrize("theta", [1.0000000000000002, 1.5, 1.375, 1536.0, 2.0**30 * 1.5])
def test_the_edge_itself_is_in_and_the_next_distance_out(theta: float) -> None:
    top = _last_distance_in_range(theta)
    for m in (top, top - 1, top - 3):
        value, bound = rb.decay_sum(m, frequencies=[theta], return_error=True)
        assert _inside(value, bound, _arb_cos_sum(m, [theta])), (m, value, bound)
    with pytest.raises(ValueError, match=RANGE_MESSAGE):
        rb.decay_sum(top + 1, frequencies=[theta], return_error=True)


@st.composite
def phases_near_the_edge(draw: st.DrawFn) -> tuple[int, list[float]]:
    """Frequencies up to 2**30 and a distance putting the largest phase within
    2**-20 (relative) of 2**53, or anywhere below it."""
    thetas = draw(
        st.lists(
            st.floats(2.0**-20, 2.0**30, allow_nan=False, allow_infinity=False),
            min_size=1,
            max_size=6,
        )
    )
    top = _last_distance_in_range(max(thetas))
    near = draw(st.integers(0, max(top >> 20, 0)))
    m = draw(st.one_of(st.just(top - near), st.integers(0, top)))
    return m, thetas


@settings(max_examples=300)
@given(case=phases_near_the_edge())
@example(case=(6004799502123469, [1.5]))  # remainder 4.83 rad: quadrant -3
@example(case=(2**53 - 1, [1.0]))
@example(case=(10**15, [9.007]))
def test_bound_holds_at_the_edge_of_the_range(case: tuple[int, list[float]]) -> None:
    m, thetas = case
    value, bound = rb.decay_sum(m, frequencies=thetas, return_error=True)
    assert math.isfinite(value) and math.isfinite(bound)
    assert bound < 1e-12 * len(thetas) + 1e-14
    assert _inside(value, bound, _arb_cos_sum(m, thetas)), (m, thetas, value, bound)


@settings(max_examples=100)
@given(
    m=st.integers(2**24, 2**53 - 1),
    theta=st.floats(2.0**-10, 2.0**12, allow_nan=False).map(lambda x: float(np.float32(x))),
)
@example(m=2**50, theta=16.0)  # phase 2**54: rejected
@example(m=2**49, theta=16.0)  # phase exactly 2**53: in range
def test_float32_bound_holds_at_the_edge(m: int, theta: float) -> None:
    """Under precision="float32" the phase is fl32(fl32(m) * theta32); the bound
    covers our evaluation of cos of that phase, which must stay <= 2**53."""
    phase = float(np.float32(np.float32(m) * np.float32(theta)))
    if phase > MAX_PHASE:
        with pytest.raises(ValueError, match=RANGE_MESSAGE):
            rb.decay_sum(m, frequencies=[theta], precision="float32", return_error=True)
        return
    value, bound = rb.decay_sum(m, frequencies=[theta], precision="float32", return_error=True)
    assert _inside(value, bound, _arb_cos_sum(1, [phase]))


def test_scaled_bound_holds_near_the_edge() -> None:
    """A linear factor of 2**-30 multiplies every frequency by 2**30 exactly."""
    factor = 2.0**-30
    top = math.floor(MAX_PHASE * factor)
    for m in (top, top - 1, top - 12345, top // 3):
        value, bound = rb.decay_sum(
            m, 1e4, 8, scaling={"rope_type": "linear", "factor": factor}, return_error=True
        )
        old = flint.ctx.prec
        flint.ctx.prec = 300
        try:
            exact = sum(
                (
                    (flint.arb(m) * flint.arb(10000) ** (flint.arb(-2 * i) / 8) * 2**30).cos()
                    for i in range(4)
                ),
                flint.arb(0),
            )
        finally:
            flint.ctx.prec = old
        assert _inside(value, bound, exact), (m, value, bound)


# ------------------------------------------------------------------------- never a NaN

EXTREME = st.sampled_from([1e-300, 1e-200, 1e-20, 2.0**-40, 1e-9, 1e-3, 0.5, 1.0, 4.0, 1e300])


@settings(max_examples=60, deadline=None)
@given(factor=EXTREME, m=st.sampled_from([0, 1, 10, 10**6, 2**40, 2**53 - 1]))
@example(factor=1e-300, m=100)
def test_no_nan_ever_comes_back(factor: float, m: int) -> None:
    """Either a finite value with a finite bound, or a ValueError: for decay_sum,
    decay_curve and max_context under every precision path."""
    scaling = {"rope_type": "linear", "factor": factor}
    calls: list[Callable[[], Any]] = [
        lambda: rb.decay_sum(m, 1e4, 8, scaling=scaling, return_error=True),
        lambda: rb.decay_sum(m, 1e4, 8, scaling=scaling, precision="float32", return_error=True),
        lambda: rb.decay_sum(m, frequencies=[1.0 / factor], return_error=True),
        lambda: rb.decay_curve(16, 1e4, 8, start=m, scaling=scaling, return_error=True),
        lambda: rb.max_context(1e4, 8, scaling=scaling, limit=min(m + 1, 10**6)),
    ]
    for call in calls:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = call()
        except ValueError:
            continue
        for part in out if isinstance(out, tuple) else (out,):
            if part is not None:  # max_context: None when no violator
                assert np.all(np.isfinite(np.asarray(part, dtype=np.float64))), (factor, m, out)
