"""Hypothesis strategies named after the domain, aimed at the contract (SPEC 4).

The contract region is bases in [1, 1e15] (most models use 1e3-1e9), head dims up to
1024, distances up to 2^40 (the 1e-12 promise) and curve starts up to 2^53. The
strategies pick a region first, then a log-uniform value inside it, so that a few dozen
examples cover every region; hypothesis shrinks towards the first region listed, which
is the one that matters most.

Every drawn value is recorded in ``COVERAGE``; conftest.py prints how many examples
fell in each region once per session.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable, Sequence

from hypothesis import strategies as st

# (test, strategy, region) -> examples drawn
COVERAGE: Counter[tuple[str, str, str]] = Counter()


def _region_of(value: float, edges: Sequence[tuple[str, float, float]]) -> str:
    for name, lo, hi in edges:
        if lo <= value < hi:
            return name
    return "outside"


def _recorded(name: str, edges: Sequence[tuple[str, float, float]]) -> Callable[[float], float]:
    def record(value: float) -> float:
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").split("::")[-1].split(" ")[0]
        COVERAGE[(test, name, _region_of(value, edges))] += 1
        return value

    return record


def _log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    """exp of a uniform in [ln lo, ln hi], clipped to [lo, hi] against exp's rounding."""
    a, b = math.log(lo), math.log(hi)
    return st.floats(a, b).map(lambda t: min(max(math.exp(t), lo), hi))


BASE_REGIONS = [
    ("1e3-1e9 (models)", 1e3, 1e9),
    ("1-1e3", 1.0, 1e3),
    ("1e9-1e15", 1e9, 1e15 * (1 + 1e-15)),
    ("above 1e15", 1e15 * (1 + 1e-15), math.inf),
]


def bases(max_base: float = 1e15) -> st.SearchStrategy[float]:
    """Bases in (1, max_base]: 1e3-1e9 on 3 of 6 draws, the rest of [1, 1e15] on 2,
    barely above 1 or beyond 1e15 (when max_base allows) on 1."""
    top = min(max_base, 1e15)
    regions = [
        _log_uniform(1e3, min(1e9, top)),
        _log_uniform(1e3, min(1e9, top)),
        _log_uniform(1e3, min(1e9, top)),
        _log_uniform(1.0 + 2**-40, 1e3),
        _log_uniform(min(1e9, top), top),
    ]
    edge = [st.floats(2**-52, 1e-3).map(lambda e: 1.0 + e), st.just(top)]
    if max_base > 1e15:
        edge.append(_log_uniform(1e15, max_base))
    regions.append(st.one_of(*edge))
    return st.one_of(*regions).filter(lambda b: b > 1.0).map(_recorded("bases", BASE_REGIONS))


M_REGIONS = [
    ("[2^30, 2^40)", 2.0**30, 2.0**40),
    ("[0, 2^30)", 0.0, 2.0**30),
    ("[2^40, 2^53)", 2.0**40, 2.0**53),
]


def distances(max_exclusive: int = 2**40) -> st.SearchStrategy[int]:
    """Distances in [0, max_exclusive): half in [2^30, 2^40) (log-uniform), the rest
    spread over smaller scales, exact powers of two, and above 2^40 when allowed."""
    top = max_exclusive - 1
    big_lo = min(2**30, top)
    big_hi = min(2**40 - 1, top)
    log_int = st.floats(math.log2(big_lo), math.log2(big_hi + 1)).map(
        lambda t: min(int(2.0**t), big_hi)
    )
    regions = [
        log_int,
        log_int,
        st.integers(big_lo, big_hi),
        st.integers(0, 1000),
        st.floats(10.0, 30.0).map(lambda t: min(int(2.0**t), top)),
        st.integers(0, 62).map(lambda k: min(2**k, top)),
    ]
    if max_exclusive > 2**40:
        regions.append(st.integers(2**40, top))
    return st.one_of(*regions).map(_recorded("distances", M_REGIONS))  # type: ignore[arg-type]


START_REGIONS = [
    ("[2^32, 2^53)", 2.0**32, 2.0**53),
    ("[0, 2^32)", 0.0, 2.0**32),
]


def curve_starts(length: int) -> st.SearchStrategy[int]:
    """decay_curve starts such that start + length <= 2^53, half of them at or above 2^32."""
    top = 2**53 - length
    return st.one_of(
        st.floats(32.0, 53.0).map(lambda t: min(int(2.0**t), top)),
        st.integers(2**32, top),
        st.integers(0, 10**6),
        st.integers(0, 2**32 - 1),
    ).map(_recorded("curve starts", START_REGIONS))  # type: ignore[arg-type]


DIM_REGIONS = [
    ("(256, 1024]", 257.0, 1025.0),
    ("[2, 256]", 2.0, 257.0),
    ("(1024, 65536]", 1025.0, 65537.0),
]


def head_dims(max_dim: int = 1024) -> st.SearchStrategy[int]:
    """Even head dims up to max_dim; for max_dim > 256 half of them above 256."""
    small = st.integers(1, min(max_dim, 256) // 2).map(lambda k: 2 * k)
    if max_dim <= 256:
        return small.map(_recorded("head dims", DIM_REGIONS))  # type: ignore[arg-type]
    large = st.integers(129, max_dim // 2).map(lambda k: 2 * k)
    return st.one_of(large, small).map(_recorded("head dims", DIM_REGIONS))  # type: ignore[arg-type]


@st.composite
def dims_with_rotary(draw: st.DrawFn, max_dim: int = 1024) -> tuple[int, int]:
    d = draw(head_dims(max_dim))
    r = draw(st.one_of(st.just(d), st.integers(1, d // 2).map(lambda k: 2 * k)))
    return d, r


def coverage_report() -> list[str]:
    """Per test and strategy: examples drawn in each region (shrinking included)."""
    keys = sorted({(test, name) for test, name, _ in COVERAGE})
    lines = []
    for test, name in keys:
        parts = [
            f"{region}: {n}"
            for (t, s, region), n in sorted(COVERAGE.items())
            if (t, s) == (test, name)
        ]
        lines.append(f"{test} / {name}: " + ", ".join(parts))
    return lines
