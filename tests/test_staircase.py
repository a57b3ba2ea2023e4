"""staircase: every b*(L) in one pass, equal to min_base."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import ropebound as rb

from oracle import oracle_min_base


def test_lookups_against_brute_force() -> None:
    stairs = rb.staircase(3000, 64)
    assert stairs.contexts[-1] == 3000
    assert np.all(np.diff(stairs.contexts) > 0)
    assert np.all(np.diff(stairs.bases) > 0)
    assert stairs.min_base(1) == stairs.min_base(2) == 1.0
    rng = np.random.default_rng(0)
    for L in [3, 4, 100, 2999, 3000, *rng.integers(3, 3000, size=6).tolist()]:
        lower = oracle_min_base(int(L), 64)
        # Observed agreement <= 2e-11 relative (test_min_base.py).
        assert lower * (1 - 1e-15) <= stairs.min_base(int(L)) <= lower * (1 + 1e-9), L


def test_lookups_equal_min_base() -> None:
    # The staircase and min_base are separate searches (one pass vs a jump search
    # from 1): every lookup agrees exactly.
    stairs = rb.staircase(3000, 64)
    rng = np.random.default_rng(1)
    for L in rng.integers(3, 3000, size=20).tolist():
        assert stairs.min_base(int(L)) == rb.min_base(int(L), 64).base, L


@given(dim=st.sampled_from([8, 32, 96, 128]), max_context=st.integers(3, 1500))
@settings(max_examples=10)
def test_staircase_steps_are_min_bases(dim: int, max_context: int) -> None:
    stairs = rb.staircase(max_context, dim)
    for L, b in zip(stairs.contexts.tolist(), stairs.bases.tolist(), strict=True):
        assert rb.min_base(L, dim).base == b


def test_inclusive_staircase() -> None:
    stairs = rb.staircase(2000, 128, inclusive=True)
    for L in (10, 500, 1999):
        assert stairs.min_base(L) == rb.min_base(L, 128, inclusive=True).base


@given(dim=st.sampled_from([8, 64, 128]), max_context=st.integers(100, 3000))
@settings(max_examples=8, deadline=None)
def test_step_critical_distance_is_min_base_at_its_first_context(
    dim: int, max_context: int
) -> None:
    """Invariant: step k's base and critical distance are min_base's for the step's smallest
    context, one past the previous step's."""
    stairs = rb.staircase(max_context, dim)
    contexts = stairs.contexts.tolist()
    for k in range(1, len(contexts)):
        bound = rb.min_base(contexts[k - 1] + 1, dim)
        assert bound.base == stairs.bases[k]
        expected = -1 if bound.critical_distance is None else bound.critical_distance
        assert stairs.critical_distances[k] == expected, (k, contexts[k - 1] + 1)
