"""Bounds under RoPE scaling: the base varies, the scaling dict is held fixed."""

from __future__ import annotations

import math

import pytest

import ropebound as rb

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


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_scaled_min_base_is_admissible_and_minimal(name: str) -> None:
    scaling = SCHEMES[name]
    L = 3000
    bound = rb.min_base(L, 64, scaling=scaling, seq_len=L)
    assert bound.certified
    mc = rb.max_context(bound.base, 64, scaling=scaling, seq_len=L)
    assert mc is None or mc >= L
    below = math.nextafter(bound.base, 0.0)
    assert rb.max_context(below, 64, scaling=scaling, seq_len=L, limit=L) is not None


def test_linear_scaling_divides_theta() -> None:
    # theta/s at distance m equals theta at m/s: every s-th distance is the plain case.
    s = 4.0
    m_plain = rb.max_context(1e4, 128)
    m_scaled = rb.max_context(1e4, 128, scaling={"rope_type": "linear", "factor": s})
    assert m_scaled <= s * m_plain
    assert m_scaled > m_plain


def test_min_base_float32_is_reported_uncertified() -> None:
    bound = rb.min_base(2048, 128, precision="float32")
    assert not bound.certified
    assert bound.base >= rb.min_base(2048, 128).base
    assert rb.max_context(bound.base, 128, precision="float32", limit=2048) is None


def test_sweep_with_scaling_matches_min_base() -> None:
    linear = SCHEMES["linear"]
    table = rb.sweep_min_base([1024, 2048], [64], scaling=linear)
    for L, b in zip(table["context"], table["base"], strict=True):
        assert b == rb.min_base(int(L), 64, scaling=linear, seq_len=int(L)).base


def test_frequencies_take_scaling_and_precision() -> None:
    import numpy as np

    np.testing.assert_allclose(
        rb.frequencies(1e4, 64, scaling=SCHEMES["linear"]), rb.frequencies(1e4, 64) / 4.0
    )
    assert rb.frequencies(1e4, 64, precision="float32").dtype == np.float32


def test_staircase_with_scaling_matches_min_base() -> None:
    llama3 = SCHEMES["llama3"]
    stairs = rb.staircase(2500, 64, scaling=llama3)
    for L in (10, 700, 2048, 2500):
        assert stairs.min_base(L) == rb.min_base(L, 64, scaling=llama3).base


def test_admissible_bases_with_scaling() -> None:
    linear = SCHEMES["linear"]
    b = rb.min_base(1500, 64, scaling=linear).base
    intervals = rb.admissible_bases(1500, 64, (b / 2, b * 3), scaling=linear)
    assert intervals[0][0] == b
    for a, e in intervals:
        for x in (a, e, 0.5 * (a + e)):
            mc = rb.max_context(x, 64, scaling=linear, limit=1500)
            assert mc is None
