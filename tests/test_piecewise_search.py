"""The search owns the model: one C++ search across every segment of a scaled model.

The reference is the per-segment search the package used to run from Python: each
segment's exact model searched on its own up to its last base, then the next segment
from its first base. The C++ search, crossing segments itself with its violator hint
and scratch state kept, must land on the same double.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ropebound as rb
from ropebound import _core
from ropebound.bounds import START_BASE
from ropebound.scaling import frequency_model


def llama3(factor: float, original: int) -> dict[str, Any]:
    return {
        "rope_type": "llama3",
        "factor": factor,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": original,
    }


def yarn(factor: float, original: int) -> dict[str, Any]:
    return {"rope_type": "yarn", "factor": factor, "original_max_position_embeddings": original}


def per_segment_min_base(
    context: int, dim: int, scaling: dict[str, Any]
) -> tuple[float, int | None]:
    """(b*, critical distance) by one search per segment, restarted at each boundary."""
    fm = frequency_model(dim, rotary_dim=dim, scaling=scaling, seq_len=context)
    b = START_BASE
    for k, seg in enumerate(fm.segments):
        one = _core.PiecewiseModel.scaled(
            SimpleNamespace(
                denominator=fm.denominator,
                constant=fm.constant,
                edges=fm.edges[k : k + 2],
                coefficients=fm.coefficients[k : k + 1],
                powers=fm.powers[k : k + 1],
                counts=fm.counts[k : k + 1],
            )
        )
        last = math.nextafter(seg.base_hi, 0.0) if math.isfinite(seg.base_hi) else 1e250
        if last < b:
            continue
        res = _core.min_base_search(one, context, max(b, seg.base_lo), max_base=last)
        if not res.exhausted:
            return res.base, None if res.critical_distance < 0 else res.critical_distance
        b = math.nextafter(last, math.inf)
    raise AssertionError("no admissible base")


@settings(max_examples=20, deadline=None)
@given(
    context=st.integers(3, 6000),
    dim=st.sampled_from([32, 64, 128]),
    scheme=st.sampled_from([llama3, yarn]),
    factor=st.sampled_from([2.0, 4.0, 8.0]),
    original=st.sampled_from([16, 64, 256, 2048]),
)
def test_crossing_segments_equals_searching_each(
    context: int, dim: int, scheme: Any, factor: float, original: int
) -> None:
    scaling = scheme(factor, original)
    bound = rb.min_base(context, dim, scaling=scaling, seq_len=context)
    if not bound.attained:
        return  # every base admissible: no search ran
    assert (bound.base, bound.critical_distance) == per_segment_min_base(context, dim, scaling)


def test_search_result_is_a_class() -> None:
    res = _core.min_base_search(_core.PiecewiseModel.rope(128, 128), 4096, START_BASE)
    assert isinstance(res, _core.SearchResult)
    assert (res.base, res.critical_distance) == (26952.33922785787, 4012)
    assert not res.exhausted and res.certified and res.jumps > 0
    assert res.step_bases.size == 0  # steps only in staircase mode


def test_one_model_per_scaled_call() -> None:
    fm = frequency_model(128, rotary_dim=128, scaling=llama3(8.0, 2048), seq_len=8192)
    assert _core.PiecewiseModel.scaled(fm).pieces == len(fm.segments) > 1
    assert _core.PiecewiseModel.rope(128, 128).pieces == 1


@settings(max_examples=30, deadline=None)
@given(
    scheme=st.sampled_from([llama3, yarn]),
    dim=st.sampled_from([8, 32, 128]),
    factor=st.sampled_from([2.0, 8.0, 32.0]),
    original=st.sampled_from([16, 1024, 8192]),
    where=st.floats(0.01, 0.99),
)
def test_converted_model_tables_are_the_exact_frequencies(
    scheme: Any, dim: int, factor: float, original: int, where: float
) -> None:
    # Invariant: the core's table of the converted model, at a base inside any segment,
    # is the scheme's exact formula (scaled_frequencies, which never sees the terms).
    scaling = scheme(factor, original)
    fm = frequency_model(dim, scaling=scaling)
    pm = _core.PiecewiseModel.scaled(fm)
    assert pm.pieces == len(fm.segments)
    for seg in fm.segments:
        hi = min(seg.base_hi, 1e12 * seg.base_lo)
        b = math.exp(math.log(seg.base_lo) + where * (math.log(hi) - math.log(seg.base_lo)))
        if not seg.base_lo < b < seg.base_hi:
            continue
        want = rb.scaled_frequencies(b, dim, scaling=scaling)
        table = pm.table(b)
        assert table.constant == 0.0
        np.testing.assert_allclose(table.hi, want, rtol=1e-13, err_msg=f"base {b}")


def arrays_of(fm: Any, **changes: Any) -> SimpleNamespace:
    names = ("denominator", "constant", "edges", "coefficients", "powers", "counts")
    return SimpleNamespace(**{name: getattr(fm, name) for name in names} | changes)


def test_conversion_rejects_inconsistent_arrays() -> None:
    fm = frequency_model(16, scaling=llama3(8.0, 64))
    assert _core.PiecewiseModel.scaled(arrays_of(fm)).pieces == len(fm.segments)
    bad = [
        ({"powers": fm.powers.astype(np.float64)}, TypeError, "powers must be an array of int"),
        ({"counts": fm.counts + 2}, ValueError, "counts must be in"),
        ({"powers": fm.powers - 1}, ValueError, "exponents p must be in"),
        ({"edges": fm.edges[:-1]}, ValueError, "edges must have one more entry"),
        ({"counts": fm.counts[:, :-1]}, ValueError, "matching shapes"),
        ({"coefficients": fm.coefficients[0]}, ValueError, "must be 3-d"),
        ({"denominator": 0}, ValueError, "denominator must be >= 1"),
    ]
    for changes, error, match in bad:
        with pytest.raises(error, match=match):
            _core.PiecewiseModel.scaled(arrays_of(fm, **changes))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"scaling": llama3(8.0, 2048), "seq_len": 4096},
        {"precision": "float32"},
        {"context": 2},  # answered without a search
    ],
)
def test_backend_is_checked_on_every_path(kwargs: dict[str, Any]) -> None:
    args = {"context": 4096, "dim": 128, **kwargs}
    with pytest.raises(ValueError, match="backend must be one of"):
        rb.min_base(backend="bogus", **args)


def test_sweep_checks_backend() -> None:
    with pytest.raises(ValueError, match="backend must be one of"):
        rb.sweep_min_base([1024], [64], scaling=yarn(4.0, 64), backend="bogus")
