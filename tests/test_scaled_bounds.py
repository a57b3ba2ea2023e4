"""Bounds under RoPE scaling: the base varies, the scaling dict is held fixed."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

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
