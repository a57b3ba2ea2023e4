"""Bounds under RoPE scaling: the base varies, the scaling dict is held fixed."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ropebound as rb

from oracle import decay_values, model, numpy_tolerance, oracle_min_base, oracle_walk

SCHEMES = {
    "linear": {"rope_type": "linear", "factor": 4.0},
    "ntk": {"rope_type": "ntk", "factor": 4.0},
    "llama3": {
        "rope_type": "llama3",
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 2048,
    },
    "yarn": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 1024},
    "longrope": {
        "rope_type": "longrope",
        "original_max_position_embeddings": 1024,
        "short_factor": [1.0] * 32,
        "long_factor": [1.0 + 0.1 * i for i in range(32)],
    },
}


# Observed agreement with the oracle <= 2.4e-11 relative (all schemes, L = 1500, 3000).
ORACLE_RTOL = 1e-9


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_oracle_frequencies_are_the_library_s(name: str) -> None:
    """The oracle's own transcription of each scheme gives the library's exact theta."""
    for seq_len in (None, 1500, 3000):
        freq = model(64, None, SCHEMES[name], seq_len)
        for base in (10.0, 1e3, 3e4, 1e6, 1e9):
            theta, _, _ = freq.at(math.log(base))
            got = rb.frequencies(base, 64, scaling=SCHEMES[name], seq_len=seq_len)
            np.testing.assert_allclose(got, theta, rtol=1e-13)


@pytest.mark.parametrize("context", [1500, 3000])
@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_scaled_min_base_against_brute_force(name: str, context: int) -> None:
    scaling = SCHEMES[name]
    bound = rb.min_base(context, 64, scaling=scaling, seq_len=context)
    assert bound.certified
    lower = oracle_min_base(context, 64, scaling=scaling, seq_len=context)
    assert lower * (1 - 1e-15) <= bound.base <= lower * (1 + ORACLE_RTOL)


def test_linear_scaling_divides_theta() -> None:
    # theta/s at distance m equals theta at m/s: every s-th distance is the plain case.
    s = 4.0
    m_plain = rb.max_context(1e4, 128)
    m_scaled = rb.max_context(1e4, 128, scaling={"rope_type": "linear", "factor": s})
    assert m_scaled <= s * m_plain
    assert m_scaled > m_plain


def test_sweep_with_scaling_against_brute_force() -> None:
    linear = SCHEMES["linear"]
    table = rb.sweep_min_base([1024, 2048], [64], scaling=linear)
    for L, b in zip(table["context"], table["base"], strict=True):
        lower = oracle_min_base(int(L), 64, scaling=linear, seq_len=int(L))
        assert lower * (1 - 1e-15) <= b <= lower * (1 + ORACLE_RTOL)


def test_frequencies_take_scaling_and_precision() -> None:
    np.testing.assert_allclose(
        rb.frequencies(1e4, 64, scaling=SCHEMES["linear"]), rb.frequencies(1e4, 64) / 4.0
    )
    assert rb.frequencies(1e4, 64, precision="float32").dtype == np.float32


def test_staircase_with_scaling_against_brute_force() -> None:
    llama3 = SCHEMES["llama3"]
    stairs = rb.staircase(2500, 64, scaling=llama3)
    for L in (10, 700, 2048, 2500):
        lower = oracle_min_base(L, 64, scaling=llama3)
        assert lower * (1 - 1e-15) <= stairs.min_base(L) <= lower * (1 + ORACLE_RTOL)


def test_admissible_bases_with_scaling() -> None:
    linear = SCHEMES["linear"]
    b = rb.min_base(1500, 64, scaling=linear).base
    intervals = rb.admissible_bases(1500, 64, (b / 2, b * 3), scaling=linear)
    assert intervals[0][0] == b
    freq = model(64, None, linear)
    tol = numpy_tolerance(1500, 32)
    for a, e in intervals:
        for x in (a, e, 0.5 * (a + e)):
            theta, _, _ = freq.at(math.log(x))
            values = decay_values(theta, np.arange(1500))
            assert values.min() >= -tol
    for (_, end), (start, _) in itertools.pairwise(intervals):
        # The oracle's walk crosses the whole gap: no window is missed.
        nxt = oracle_walk(1500, freq, u_start=math.log(end) + 1e-7)
        assert start * (1 - ORACLE_RTOL) <= nxt <= start * (1 + 1e-15)


SMALL_SCHEMES = {
    "linear": {"rope_type": "linear", "factor": 4.0},
    "ntk": {"rope_type": "ntk", "factor": 4.0},
    "yarn": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 16},
    "llama3": {
        "rope_type": "llama3",
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 16,
    },
}


def test_scaled_min_base_whose_start_is_admissible_is_the_infimum() -> None:
    # Issue 12 item 3: linear x4 at d = 8 keeps B_m >= 0 for m < 7 near b = 1; the
    # search start 1 + 2**-40 is admissible, so it is not minimal (1 + 2**-52 is too).
    linear = SMALL_SCHEMES["linear"]
    bound = rb.min_base(7, 8, scaling=linear)
    assert (bound.base, bound.attained, bound.certified) == (1.0, False, False)
    assert rb.max_context(1 + 2**-52, 8, scaling=linear, limit=100) == 7
    assert rb.min_base(7, 8, scaling=linear, precision="float32").attained is False
    assert rb.sweep_min_base([7], [8], scaling=linear)["base"][0] == 1.0


@settings(max_examples=25)
@given(name=st.sampled_from(sorted(SMALL_SCHEMES)), L=st.integers(3, 48))
def test_scaled_min_base_is_minimal_or_the_infimum(name: str, L: int) -> None:
    """Invariant: an attained b* has a failing double just below it; an infimum b* = 1
    has the smallest double above 1 admissible; staircase and sweep give the same b*."""
    scaling = SMALL_SCHEMES[name]
    bound = rb.min_base(L, 8, scaling=scaling)
    if bound.attained:
        below = math.nextafter(bound.base, 0.0)
        assert below <= 1.0 or rb.max_context(below, 8, scaling=scaling, limit=L) is not None
        assert rb.max_context(bound.base, 8, scaling=scaling, limit=L) is None
    else:
        assert bound.base == 1.0
        assert rb.max_context(1 + 2**-52, 8, scaling=scaling, limit=L) is None
    assert rb.staircase(L, 8, scaling=scaling).min_base(L) == bound.base
    assert rb.sweep_min_base([L], [8], scaling=scaling)["base"][0] == bound.base
