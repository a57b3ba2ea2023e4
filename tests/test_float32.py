"""float32 "as implemented" arithmetic, pinned against an independent numpy emulation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ropebound as rb


def hf_inv_freq32(base: float, dim: int) -> np.ndarray:
    """transformers' default inv_freq, step by step in float32 (pow rounded once)."""
    exponents = (np.arange(0, dim, 2, dtype=np.int64).astype(np.float32) / np.float32(dim)).astype(
        np.float32
    )
    powers = np.array(
        [np.float32(float(np.float32(base)) ** float(e)) for e in exponents], dtype=np.float32
    )
    return (np.float32(1.0) / powers).astype(np.float32)


def emulated_b32(m: int, base: float, dim: int) -> float:
    """B^_m: phase fl32(fl32(m) * theta32), cos in float64, summed with math.fsum."""
    import math

    theta32 = hf_inv_freq32(base, dim)
    phase = (np.float32(m) * theta32).astype(np.float32).astype(np.float64)
    return math.fsum(np.cos(phase).tolist())


@pytest.mark.parametrize("m", [0, 1, 1000, 18438, 10**6, 10**7 + 3, 2**25 + 1])
def test_float32_values_match_emulation(m: int) -> None:
    value, err = rb.decay_sum(m, 5e5, 128, precision="float32", return_error=True)
    # math.fsum is exact on the cos values; numpy's cos is within 1 ulp per term.
    assert abs(value - emulated_b32(m, 5e5, 128)) <= err + 64 * 2.3e-16


def test_float32_frequencies_are_the_stack_s() -> None:
    theta32 = rb.scaled_frequencies(5e5, 128, precision="float32")
    np.testing.assert_array_equal(theta32, hf_inv_freq32(5e5, 128))


def test_float32_and_exact_part_ways_at_large_distances() -> None:
    m = 10**7
    exact = rb.decay_sum(m, 5e5, 128)
    f32 = rb.decay_sum(m, 5e5, 128, precision="float32")
    assert abs(exact - f32) > 0.1  # SPEC 4: phases off by ~0.5 rad there


@given(base=st.floats(2.0, 1e7), m=st.integers(0, 2**30))
@settings(max_examples=30)
def test_float32_matches_emulation_property(base: float, m: int) -> None:
    value, err = rb.decay_sum(m, base, 64, precision="float32", return_error=True)
    assert abs(value - emulated_b32(m, base, 64)) <= err + 32 * 2.3e-16


def test_float32_max_context_is_first_negative_of_emulation() -> None:
    base = 3e4
    mc = rb.max_context(base, 64, precision="float32", limit=20000)
    assert mc is not None
    assert emulated_b32(mc, base, 64) < 0
    values = [emulated_b32(m, base, 64) for m in range(mc)]
    assert min(values) >= -1e-12


def test_bfloat16_table_rounds_cos() -> None:
    v32 = rb.decay_sum(1234, 1e4, 128, precision="float32")
    vbf = rb.decay_sum(1234, 1e4, 128, precision="bfloat16-table")
    assert v32 != vbf and abs(v32 - vbf) < 64 * 2**-8


def test_explicit_frequencies() -> None:
    theta = rb.frequencies(1e4, 64)
    full = np.concatenate([theta, np.zeros(8)])
    assert rb.max_context(frequencies=full) == rb.max_context(1e4, 80, rotary_dim=64)
    np.testing.assert_allclose(
        rb.decay_curve(100, frequencies=full),
        rb.decay_curve(100, 1e4, 80, rotary_dim=64),
        atol=1e-10,
    )
    with pytest.raises(TypeError, match="frequencies"):
        rb.max_context(1e4, 64, frequencies=theta)
    with pytest.raises(ValueError, match="frequencies"):
        rb.max_context(frequencies=[-1.0])


def test_bad_precision() -> None:
    with pytest.raises(ValueError, match="precision"):
        rb.decay_sum(1, 1e4, 64, precision="float16")


def test_precision_report() -> None:
    rep = rb.precision_report(5e5, 128, contexts=[1024, 2**20, 10**7])
    by = {row.context: row for row in rep.rows}
    assert by[1024].first_sign_disagreement is None
    assert by[10**7].fastest_pair_phase_error == 0.0  # theta_0 = 1 and m < 2^24: exact
    assert 0.3 < by[10**7].max_phase_error < 1.0  # SPEC 4: about 0.5 rad at 10^7
    d = rep.first_sign_disagreement
    assert d is not None
    exact, e_err = rb.decay_sum(d, 5e5, 128, return_error=True)
    f32, f_err = rb.decay_sum(d, 5e5, 128, precision="float32", return_error=True)
    assert (exact + e_err < 0 <= f32 - f_err) or (f32 + f_err < 0 <= exact - e_err)
    assert rep.to_dict()["rows"][0]["context"] == 1024
