"""float32 "as implemented" arithmetic, pinned against an independent numpy emulation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ropebound as rb

from oracle import (
    bf16_round,
    float32_first_negative,
    float32_oracle_min_base,
    oracle_min_base,
    transformers_inv_freq32,
)


def emulated_b32(m: int, base: float, dim: int) -> float:
    """B^_m: phase fl32(fl32(m) * theta32), cos in float64, summed with math.fsum."""
    import math

    theta32 = transformers_inv_freq32(base, dim)
    phase = (np.float32(m) * theta32).astype(np.float32).astype(np.float64)
    return math.fsum(np.cos(phase).tolist())


@pytest.mark.parametrize("m", [0, 1, 1000, 18438, 10**6, 10**7 + 3, 2**25 + 1])
def test_float32_values_match_emulation(m: int) -> None:
    value, err = rb.decay_sum(m, 5e5, 128, precision="float32", return_error=True)
    # math.fsum is exact on the cos values; numpy's cos is within 1 ulp per term.
    assert abs(value - emulated_b32(m, 5e5, 128)) <= err + 64 * 2.3e-16


def test_float32_frequencies_are_the_stack_s() -> None:
    theta32 = rb.scaled_frequencies(5e5, 128, precision="float32")
    np.testing.assert_array_equal(theta32, transformers_inv_freq32(5e5, 128))


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


@pytest.mark.parametrize("precision", ["float32", "bfloat16-table"])
@pytest.mark.parametrize(
    ("base", "dim"),
    [
        (3e4, 64),
        (5e5, 128),
        (1147.6066957218104, 16),  # bf16 table: 52, float32 and exact: 53
        (741.4848876677778, 64),  # bf16 table: 167, float32 and exact: 180
    ],
)
def test_max_context_is_first_negative_of_emulation(precision: str, base: float, dim: int) -> None:
    limit = 200_000
    got = rb.max_context(base, dim, precision=precision, limit=limit)
    expected = float32_first_negative(
        transformers_inv_freq32(base, dim), limit, bf16=precision == "bfloat16-table"
    )
    assert got == expected


def test_bfloat16_table_parts_from_float32_where_brute_force_does() -> None:
    theta32 = transformers_inv_freq32(1147.6066957218104, 16)
    bf = float32_first_negative(theta32, 1000, bf16=True)
    f32 = float32_first_negative(theta32, 1000)
    assert bf is not None and f32 is not None and bf < f32  # the case is not vacuous
    assert rb.max_context(1147.6066957218104, 16, precision="bfloat16-table") == bf


def test_bf16_rounding_matches_torch() -> None:
    """The oracle's bf16 rounding (float64 -> float32 -> bf16, nearest even) is torch's."""
    import torch

    x = np.cos(np.linspace(0.0, 50.0, 20001))
    ours = bf16_round(x)
    theirs = torch.from_numpy(x.astype(np.float32)).to(torch.bfloat16).to(torch.float64)
    np.testing.assert_array_equal(ours, theirs.numpy())


@pytest.mark.parametrize(("context", "dim"), [(1024, 64), (2048, 128), (3000, 64)])
def test_float32_min_base_against_brute_force(context: int, dim: int) -> None:
    """The smallest float32 base >= b* admissible under float32 arithmetic, found by the
    oracle's own walk (exact b*) and a float32 scan with numpy emulation."""
    bound = rb.min_base(context, dim, precision="float32")
    assert not bound.certified
    expected = float32_oracle_min_base(context, dim, oracle_min_base(context, dim))
    assert bound.base == expected


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
