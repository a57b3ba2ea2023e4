"""decay_curve: the recurrence agrees with decay_sum within its stated bound."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ropebound as rb

from strategies import bases, curve_starts, dims_with_rotary


@given(
    start=curve_starts(9000),
    length=st.integers(0, 9000),
    base=bases(1e15),
    dims=dims_with_rotary(1024),
)
def test_curve_matches_decay_sum_within_bound(
    start: int, length: int, base: float, dims: tuple[int, int]
) -> None:
    """The API accepts starts up to 2^53 - length; the bound holds there too."""
    d, r = dims
    curve, bound = rb.decay_curve(length, base, d, rotary_dim=r, start=start, return_error=True)
    assert curve.shape == (length,)
    # README: <= 1e-10 while the last distance is < 2^40 (7.4e-11 at most there), and
    # 9.1e-10 at most towards 2^53 (base near 1, d = 1024).
    assert bound <= (1e-10 if start + length <= 2**40 else 1e-9)
    if length == 0:
        return
    m = np.arange(start, start + length, dtype=np.uint64)
    exact, exact_err = rb.decay_sum(m, base, d, rotary_dim=r, return_error=True)
    assert np.all(np.abs(curve - exact) - exact_err <= bound)


def test_curve_near_2_pow_32() -> None:
    start = 2**32 - 5000
    curve, bound = rb.decay_curve(5000, 5e5, 128, start=start, return_error=True)
    exact, exact_err = rb.decay_sum(np.arange(start, start + 5000), 5e5, 128, return_error=True)
    assert np.all(np.abs(curve - exact) <= bound + exact_err)


def test_curve_starts_at_half_dim() -> None:
    curve = rb.decay_curve(3, 10000.0, 128)
    assert curve[0] == 64.0
    assert curve[1] < 64.0


def test_empty_curve() -> None:
    assert rb.decay_curve(0, 10000.0, 64).shape == (0,)


def test_progress_is_reported() -> None:
    calls: list[tuple[int, int]] = []
    rb.decay_curve(300_000, 1e4, 64, progress=lambda done, total: calls.append((done, total)))
    assert calls, "progress was never called"
    assert calls[-1][0] == calls[-1][1]


def test_progress_exception_stops_the_computation() -> None:
    class Stop(Exception):
        pass

    def progress(done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        rb.decay_curve(2**22, 1e4, 64, progress=progress)
