"""max_context: the first distance with B_m < 0, certified."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ropebound as rb

from oracle import decay_values, first_negative
from reference import arb_decay_sum


def brute_first_negative(base: float, dim: int, limit: int) -> int | None:
    """Direct numpy evaluation; values within 1e-9 of zero are settled by Arb."""
    theta = base ** (-2.0 * np.arange(dim // 2) / dim)
    values = decay_values(theta, np.arange(limit))

    def exact_sign(m: int) -> float:
        ball = arb_decay_sum(m, base, dim)
        assert ball.upper() < 0 or ball.lower() >= 0, "Arb could not settle the sign"
        return -1.0 if ball.upper() < 0 else 1.0

    return first_negative(values, exact_sign)


@given(base=st.floats(1.5, 3e4), dim=st.sampled_from([4, 16, 64, 128]))
@settings(max_examples=30)
def test_agrees_with_direct_evaluation(base: float, dim: int) -> None:
    # Exact equality: a negative B_m within numpy's error of zero must not be missed.
    assert rb.max_context(base, dim, limit=5000) == brute_first_negative(base, dim, 5000)


@pytest.mark.parametrize(
    ("base", "dim", "rotary_dim"), [(2e4, 128, None), (3.1e5, 128, None), (5.0, 64, 48)]
)
def test_agrees_with_direct_evaluation_far_out(
    base: float, dim: int, rotary_dim: int | None
) -> None:
    r = rotary_dim or dim
    theta = base ** (-2.0 * np.arange(r // 2) / r)
    limit = 20000
    values = decay_values(theta, np.arange(limit), constant=(dim - r) // 2)

    def exact_sign(m: int) -> float:
        return -1.0 if arb_decay_sum(m, base, dim, rotary_dim).upper() < 0 else 1.0

    assert rb.max_context(base, dim, rotary_dim=rotary_dim, limit=limit) == first_negative(
        values, exact_sign
    )


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


def test_inclusive_counts_the_last_non_negative_distance() -> None:
    # Inclusive: the largest L with B_0..B_L >= 0, i.e. the brute-force first negative - 1.
    first = brute_first_negative(1e4, 128, 5000)
    assert first is not None
    assert rb.max_context(1e4, 128, inclusive=True) == first - 1


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


@pytest.mark.parametrize("bases", [[], np.zeros((0, 3)), [1e4], [[1e4, 2e4], [3e4, 5e5]]])
def test_an_executor_does_not_change_the_answer(bases: object) -> None:
    """Invariant: max_context with an executor equals the local call, shape included."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        remote = rb.max_context(bases, 64, limit=10**5, executor=pool, chunk_size=1)
    local = rb.max_context(bases, 64, limit=10**5)
    assert remote.shape == local.shape
    assert np.array_equal(remote, local)


@pytest.mark.parametrize("scaling", [None, {"rope_type": "linear", "factor": 4.0}])
def test_progress_over_many_bases_counts_bases(scaling: dict[str, object] | None) -> None:
    """Invariant: over an array of bases, plain or scaled, progress is (bases done, bases):
    never decreasing, ending at (n, n). (The scaled path reported each base's distances,
    restarting at every base, out of the limit.)"""
    calls: list[tuple[int, int]] = []
    bases = np.geomspace(1e13, 1e14, 6)
    rb.max_context(
        bases, 128, limit=2**26, scaling=scaling, progress=lambda d, t: calls.append((d, t))
    )
    done = [d for d, _ in calls]
    assert calls and calls[-1] == (6, 6), calls
    assert done == sorted(done) and {t for _, t in calls} == {6}, calls
