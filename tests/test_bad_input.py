"""Bad input gets a ValueError/TypeError naming the argument, never a crash."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import ropebound as rb

BAD_DIMS = [
    (0, ValueError),
    (-2, ValueError),
    (3, ValueError),
    (1, ValueError),
    (2**17, ValueError),
    (64.0, TypeError),
    ("64", TypeError),
    (True, TypeError),
    (None, TypeError),
]
BAD_BASES = [
    (1.0, ValueError),
    (0.5, ValueError),
    (-10.0, ValueError),
    (float("nan"), ValueError),
    (float("inf"), ValueError),
    (1e300, ValueError),
    ("1e4", TypeError),
    (True, TypeError),
    ([1e4, float("nan")], ValueError),
    (None, TypeError),
    (1 + 2j, TypeError),
]
BAD_DISTANCES = [
    (-1, ValueError),
    (2**53, ValueError),
    (2**70, ValueError),
    (1.5, ValueError),
    (float("nan"), ValueError),
    ("3", TypeError),
    (True, TypeError),
    ([1, -1], ValueError),
    (np.array([1.0, 0.5]), ValueError),
    ([2**64], ValueError),
]


@pytest.mark.parametrize(("dim", "exc"), BAD_DIMS)
def test_bad_dim(dim: object, exc: type) -> None:
    with pytest.raises(exc, match="dim"):
        rb.decay_sum(1, 1e4, dim)  # type: ignore[arg-type]
    with pytest.raises(exc, match="dim"):
        rb.decay_curve(10, 1e4, dim)  # type: ignore[arg-type]
    with pytest.raises(exc, match="dim"):
        rb.frequencies(1e4, dim)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rotary_dim", "exc"), [(3, ValueError), (130, ValueError), (0, ValueError), (32.0, TypeError)]
)
def test_bad_rotary_dim(rotary_dim: object, exc: type) -> None:
    with pytest.raises(exc, match="rotary_dim"):
        rb.decay_sum(1, 1e4, 128, rotary_dim=rotary_dim)  # type: ignore[arg-type]


@pytest.mark.parametrize(("base", "exc"), BAD_BASES)
def test_bad_base(base: object, exc: type) -> None:
    with pytest.raises(exc, match="base"):
        rb.decay_sum(1, base, 64)
    if np.ndim(base) == 0:
        with pytest.raises(exc, match="base"):
            rb.decay_curve(10, base, 64)  # type: ignore[arg-type]


@pytest.mark.parametrize(("m", "exc"), BAD_DISTANCES)
def test_bad_distance(m: object, exc: type) -> None:
    with pytest.raises(exc, match="m"):
        rb.decay_sum(m, 1e4, 64)


def test_unbroadcastable_shapes() -> None:
    with pytest.raises(ValueError, match="broadcast"):
        rb.decay_sum([1, 2, 3], [1e4, 2e4], 64)


@pytest.mark.parametrize(
    ("length", "exc"), [(-1, ValueError), (2**60, ValueError), (10.0, TypeError), ("5", TypeError)]
)
def test_bad_length(length: object, exc: type) -> None:
    with pytest.raises(exc, match="length"):
        rb.decay_curve(length, 1e4, 64)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "exc"), [(-1, ValueError), (2**53, ValueError), (1.0, TypeError)]
)
def test_bad_start(start: object, exc: type) -> None:
    with pytest.raises(exc, match="start"):
        rb.decay_curve(10, 1e4, 64, start=start)  # type: ignore[arg-type]


def test_start_plus_length_beyond_2_pow_53() -> None:
    with pytest.raises(ValueError, match="length"):
        rb.decay_curve(10, 1e4, 64, start=2**53 - 5)


def test_progress_must_be_callable() -> None:
    with pytest.raises(TypeError, match="progress"):
        rb.decay_curve(10, 1e4, 64, progress=5)  # type: ignore[arg-type]


# --- issue 12 item 10: each a clear ValueError/TypeError naming the argument ---------


def test_base_beyond_the_double_range() -> None:
    for call in (
        lambda: rb.decay_sum(1, 10**400, 64),
        lambda: rb.max_context(10**400, 64),
        lambda: rb.frequencies(10**400, 64),
        lambda: rb.min_base(64, 8, start=10**400),
    ):
        with pytest.raises(ValueError, match=r"base|start"):
            call()


def test_ntk_factor_that_overflows_names_the_factor() -> None:
    ntk = {"rope_type": "ntk", "factor": 1e300}
    with pytest.raises(ValueError, match="factor"):
        rb.decay_sum(1, 1e4, 64, scaling=ntk)
    with pytest.raises(ValueError, match="factor"):
        rb.scaled_frequencies(1e4, 64, scaling=ntk)


@pytest.mark.parametrize("value", ["64", 1j, float("nan"), 1, None])
def test_return_error_must_be_a_bool(value: object) -> None:
    with pytest.raises(TypeError, match="return_error"):
        rb.decay_sum(1, 1e4, 64, return_error=value)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="return_error"):
        rb.decay_curve(4, 1e4, 64, return_error=value)  # type: ignore[arg-type]


def test_seq_len_without_scaling_is_an_error() -> None:
    for call in (
        lambda: rb.decay_sum(1, 1e4, 64, seq_len=100),
        lambda: rb.decay_curve(4, 1e4, 64, seq_len=100),
        lambda: rb.frequencies(1e4, 64, seq_len=100),
        lambda: rb.max_context(1e4, 64, seq_len=100),
        lambda: rb.min_base(64, 8, seq_len=100),
        lambda: rb.staircase(64, 8, seq_len=100),
        lambda: rb.admissible_bases(16, 8, (2.0, 10.0), seq_len=100),
        lambda: rb.precision_report(1e4, 8, contexts=[64], seq_len=100),
        lambda: rb.scaled_frequencies(1e4, 64, seq_len=100),
    ):
        with pytest.raises(ValueError, match="seq_len"):
            call()
    # With a scaling dict it is used (dynamic NTK at 2x its context).
    dynamic = {"rope_type": "dynamic", "factor": 2.0, "max_position_embeddings": 64}
    assert rb.decay_sum(100, 1e4, 64, scaling=dynamic, seq_len=128) != rb.decay_sum(
        100, 1e4, 64, scaling=dynamic
    )


@pytest.mark.parametrize("executor", [5, "pool", object()])
def test_executor_must_have_submit(executor: object) -> None:
    with pytest.raises(TypeError, match="executor"):
        rb.max_context([1e4, 2e4], 64, executor=executor)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="executor"):
        rb.sweep_min_base([64], [8], executor=executor)  # type: ignore[arg-type]


def test_precision_report_progress_and_contexts() -> None:
    with pytest.raises(TypeError, match="progress"):
        rb.precision_report(1e4, 64, progress=1)  # type: ignore[arg-type]
    for contexts, exc in ((0, TypeError), ({}, TypeError), ([], ValueError), (b"64", TypeError)):
        with pytest.raises(exc, match="contexts"):
            rb.precision_report(1e4, 64, contexts=contexts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("contexts", "exc"), [(b"64", TypeError), ("64", TypeError), (64, TypeError), ([], ValueError)]
)
def test_sweep_contexts_must_be_a_list_of_integers(contexts: object, exc: type) -> None:
    with pytest.raises(exc, match="contexts"):
        rb.sweep_min_base(contexts, [64])  # type: ignore[arg-type]


def test_staircase_names_max_context() -> None:
    with pytest.raises(ValueError, match="max_context"):
        rb.staircase(0, 64)


# --- parameters that pass their own checks but overflow together ------------------------

OVERFLOWING_FREQUENCIES = [
    # 1 / 5e-324 is not a double (refused with the factor list).
    (
        {
            "rope_type": "longrope",
            "short_factor": [5e-324] * 4,
            "long_factor": [1.0] * 4,
            "original_max_position_embeddings": 16,
        },
        "exact",
        None,
    ),
    ({"rope_type": "linear", "factor": 1e-300}, "float32", None),
    ({"rope_type": "linear", "factor": 1e-40}, "float32", None),
    ({"rope_type": "dynamic", "factor": 1e39, "max_position_embeddings": 64}, "float32", 128),
]


@pytest.mark.parametrize(("scaling", "precision", "seq_len"), OVERFLOWING_FREQUENCIES)
def test_frequencies_are_finite_or_refused(
    scaling: dict[str, object], precision: str, seq_len: int | None
) -> None:
    """Invariant: frequencies() returns finite values or raises; never inf or NaN."""
    with pytest.raises(ValueError, match=f"rope_type '{scaling['rope_type']}'"):
        rb.frequencies(1e4, 8, scaling=scaling, precision=precision, seq_len=seq_len)


@pytest.mark.parametrize(("key", "beta"), [("beta_fast", 5e-324), ("beta_slow", 1e308)])
def test_yarn_beta_whose_correction_dim_is_not_finite_is_refused(key: str, beta: float) -> None:
    # L0 / (2 pi beta) overflows (5e-324) or underflows to 0 (1e308): its log is not finite.
    yarn = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 16, key: beta}
    with pytest.raises(ValueError, match=key):
        rb.frequencies(1e4, 8, scaling=yarn)
    with pytest.raises(ValueError, match=key):
        rb.scaling.frequency_model(8, scaling=yarn)
    with pytest.raises(ValueError, match=key):
        rb.literature.yarn_correction_range(128, 1e4, 4096, **{key: beta})
    with pytest.raises(ValueError, match="num_rotations"):
        rb.literature.yarn_correction_dim(beta, 128, 1e4, 4096)


@pytest.mark.parametrize("factor", [1e-308, 1e-200])
def test_ntk_base_below_one_is_refused(factor: float) -> None:
    # b * factor**(d/(d-2)) < 1 is no base.
    with pytest.raises(ValueError, match="factor"):
        rb.scaling.ntk_base(1e4, 128, factor)
    with pytest.raises(ValueError, match="scale"):
        rb.literature.ntk_aware_base(1e4, factor, 128)


def test_attention_factor_is_finite_or_refused() -> None:
    yarn = {
        "rope_type": "yarn",
        "factor": 1e308,
        "mscale": 1e308,
        "mscale_all_dim": 1.0,
        "original_max_position_embeddings": 16,
    }
    with pytest.raises(ValueError, match="attention factor"):
        rb.scaling.attention_factor(yarn)
    # ln(original_max_position_embeddings) = 0 divides in longrope's default factor.
    longrope = {
        "rope_type": "longrope",
        "factor": 4.0,
        "short_factor": [1.0] * 4,
        "long_factor": [1.0] * 4,
        "original_max_position_embeddings": 1,
    }
    with pytest.raises(ValueError, match="original_max_position_embeddings"):
        rb.scaling.attention_factor(longrope)
    config = {"head_dim": 8, "rope_theta": 1e4, "max_position_embeddings": 64}
    with pytest.raises(ValueError, match="original_max_position_embeddings"):
        rb.check_config({**config, "rope_scaling": longrope}, min_base=False)


@pytest.mark.parametrize("scaling", [None, {"rope_type": "linear", "factor": 2.0}])
def test_broadcast_beyond_memory_is_refused_before_allocating(
    scaling: dict[str, object] | None,
) -> None:
    # 10^5 distances against 10^5 bases: 10^10 values, 80 GB per array.
    m = np.zeros((100_000, 1), dtype=np.int64)
    bases = np.full((1, 100_000), 1e4)
    with pytest.raises(ValueError, match="m and base"):
        rb.decay_sum(m, bases, 8, scaling=scaling)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: rb.frequencies([1e4, 2e4], 8), "base"),
        (lambda: rb.frequencies([1e4], 8), "base"),
        (lambda: rb.scaled_frequencies(np.array([1e4, 2e4]), 8), "base"),
        (lambda: rb.precision_report([1e4, 2e4], 8), "base"),
        (lambda: rb.min_base(64, 8, start=[2.0, 3.0]), "start"),
        (lambda: rb.admissible_bases(64, 8, (2.0, [3.0, 4.0])), r"base_range\[1\]"),
    ],
)
def test_an_array_where_one_base_is_expected_names_the_argument(
    call: Callable[[], object], name: str
) -> None:
    with pytest.raises(TypeError, match=f"{name} must be a scalar"):
        call()
