"""admissible_bases: the admissible set is a union of intervals, each checked by brute force."""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest

import ropebound as rb

from oracle import decay_values, model, numpy_tolerance, oracle_walk
from reference import arb_decay_sum

# The oracle stops within its tolerance of a window's left end; observed agreement
# with the library <= 1.5e-11 relative (the cases below), so 1e-9 is within 100x.
ORACLE_RTOL = 1e-9
# Step off a right end before walking: B_m there is 0 to ~1e-15 and grows like
# slope * du, so 1e-7 puts the violator well below the oracle's tolerance.
STEP_OFF = 1e-7

CASES = [
    (4096, 128, (2e4, 1e5)),
    (2048, 64, (1e4, 6e4)),
    (1500, 64, (1e3, 1e5)),
    (900, 96, (1e3, 3e4)),
]


def min_decay(context: int, dim: int, base: float) -> tuple[int, float]:
    theta = base ** (-2.0 * np.arange(dim // 2) / dim)
    values = decay_values(theta, np.arange(context))
    m = int(np.argmin(values))
    return m, float(values[m])


@pytest.mark.parametrize(("context", "dim", "base_range"), CASES)
def test_windows_are_complete_against_brute_force(
    context: int, dim: int, base_range: tuple[float, float]
) -> None:
    """Every base in a gap between two windows has a violator (the oracle's walk crosses
    the whole gap), and the walk from below the range stops at the first window."""
    intervals = rb.admissible_bases(context, dim, base_range)
    assert len(intervals) >= 2
    freq = model(dim)
    lo = base_range[0]
    if intervals[0][0] > lo:
        first = oracle_walk(context, freq, u_start=math.log(lo))
        assert intervals[0][0] * (1 - ORACLE_RTOL) <= first <= intervals[0][0] * (1 + 1e-15)
    for (_, end), (start, _) in itertools.pairwise(intervals):
        nxt = oracle_walk(context, freq, u_start=math.log(end) + STEP_OFF)
        # The walk certifies every base in [end e^1e-7, nxt) inadmissible and finds no
        # violator beyond its tolerance at nxt: the next window starts there.
        assert start * (1 - ORACLE_RTOL) <= nxt <= start * (1 + 1e-15), (end, start, nxt)


@pytest.mark.parametrize(("context", "dim", "base_range"), CASES)
def test_bases_inside_windows_have_no_violator(
    context: int, dim: int, base_range: tuple[float, float]
) -> None:
    tol = numpy_tolerance(context, dim // 2)
    rng = np.random.default_rng(context)
    for a, e in rb.admissible_bases(context, dim, base_range):
        samples = [a, e, *np.exp(rng.uniform(math.log(a), math.log(e), size=4)).tolist()]
        for b in samples:
            m, value = min_decay(context, dim, b)
            if value < tol:
                # Within numpy's error of zero (the window's ends): Arb settles the sign.
                assert arb_decay_sum(m, b, dim).lower() >= 0, (a, e, b, m)


def test_window_ends_are_tight() -> None:
    """The doubles just outside each finite end have a negative B_m, certified by Arb at the
    distance where brute force finds the minimum."""
    intervals = rb.admissible_bases(2048, 64, (1e4, 6e4))
    for a, e in intervals[:-1]:
        for outside in (math.nextafter(a, 0.0), math.nextafter(e, math.inf)):
            m, _ = min_decay(2048, 64, outside)
            assert arb_decay_sum(m, outside, 64).upper() < 0, (a, e, outside, m)


def test_non_monotone_admissibility() -> None:
    """b1 admissible, a larger b2 not, for the same context (SPEC section 2)."""
    (a1, e1), (a2, _) = rb.admissible_bases(4096, 128, (2e4, 1e5))[:2]
    b2 = 0.5 * (e1 + a2)  # strictly inside the gap
    assert min_decay(4096, 128, a1)[1] > -numpy_tolerance(4096, 64)
    assert min_decay(4096, 128, b2)[1] < -1e-3


def test_bad_range() -> None:
    with pytest.raises(ValueError, match="lo <= hi"):
        rb.admissible_bases(100, 64, (1e4, 1e3))
    with pytest.raises(TypeError, match="base_range"):
        rb.admissible_bases(100, 64, 1e4)  # type: ignore[arg-type]


def test_progress_is_polled_not_called_per_chunk() -> None:
    """Invariant: progress is called about every 50 ms, like every other kernel, not after
    each chunk of a pass (2 242 calls in 0.44 s at 2^20 before: a slow callback or the
    CLI's bar then dominated the run)."""
    b = rb.min_base(2**20, 128).base
    calls: list[tuple[int, int]] = []
    t0 = time.perf_counter()
    rb.admissible_bases(2**20, 128, (b, 4 * b), progress=lambda d, t: calls.append((d, t)))
    elapsed = time.perf_counter() - t0
    assert len(calls) <= 2 * elapsed / 0.05 + 10, (len(calls), elapsed)
    assert all(t == 1000 for _, t in calls)
