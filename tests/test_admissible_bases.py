"""admissible_bases: the admissible set is a union of intervals, not one."""

from __future__ import annotations

import math

import pytest

import ropebound as rb


def test_non_monotone_admissibility() -> None:
    """b1 admissible, a larger b2 not, for the same context (SPEC section 2)."""
    intervals = rb.admissible_bases(4096, 128, (2e4, 1e5))
    assert len(intervals) >= 2
    (a1, e1), (a2, _) = intervals[0], intervals[1]
    assert a1 == rb.min_base(4096, 128).base
    b2 = 0.5 * (e1 + a2)  # strictly inside the gap
    assert rb.max_context(a1, 128) >= 4096
    assert rb.max_context(e1, 128) >= 4096
    assert rb.max_context(b2, 128) < 4096


def test_interval_ends_are_exact() -> None:
    for a, e in rb.admissible_bases(2048, 64, (1e4, 6e4))[:-1]:
        assert rb.max_context(math.nextafter(a, 0.0), 64, limit=2048) is not None
        assert rb.max_context(math.nextafter(e, math.inf), 64, limit=2048) is not None
        for b in (a, e, 0.5 * (a + e)):
            mc = rb.max_context(b, 64)
            assert mc is None or mc >= 2048


def test_bad_range() -> None:
    with pytest.raises(ValueError, match="lo <= hi"):
        rb.admissible_bases(100, 64, (1e4, 1e3))
    with pytest.raises(TypeError, match="base_range"):
        rb.admissible_bases(100, 64, 1e4)  # type: ignore[arg-type]
