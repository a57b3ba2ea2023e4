"""A scaling scheme is one module plus one line in ``scaling._registry.SCHEMES``.

The test writes a scheme the library does not have (every frequency halved, "half") as a
scheme module would, registers it, and checks that every layer reaches it: parsing, the
exact and float32 frequencies, the solver's piecewise model and the certified search.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytest

import ropebound as rb
from ropebound.scaling import _registry, frequency_model, parse_scaling, scaled_frequencies
from ropebound.scaling._base import (
    Float32Array,
    FloatArray,
    RopeScaling,
    Scheme,
    Terms,
    one_term_each,
)
from ropebound.scaling._float32 import F32, default32

HALF = {"rope_type": "half"}
LINEAR_2 = {"rope_type": "linear", "factor": 2.0}


def _parse(d: Mapping[str, Any], rotary_dim: int | None) -> RopeScaling:
    return RopeScaling("half", factor=2.0)


def _exact(base: float, r: int, p: RopeScaling, seq_len: int | None) -> FloatArray:
    return rb.frequencies(base, r) / 2.0


def _float32(base: float, r: int, p: RopeScaling, seq_len: int | None) -> Float32Array:
    out: Float32Array = default32(base, r) / F32(2.0)
    return out


def _terms(p: RopeScaling, r: int, bases: Sequence[float], seq_len: int | None) -> Terms:
    return one_term_each([0.5] * (r // 2), bases)


@pytest.fixture
def half(monkeypatch: pytest.MonkeyPatch) -> None:
    scheme = Scheme(parse=_parse, exact=_exact, float32=_float32, terms=_terms)
    monkeypatch.setitem(_registry.SCHEMES, "half", scheme)


def test_unregistered_scheme_is_rejected_with_the_registry_listed() -> None:
    with pytest.raises(ValueError, match="unknown rope_type 'half'; allowed: default, linear"):
        parse_scaling(HALF)


@pytest.mark.usefixtures("half")
def test_a_registered_scheme_reaches_every_layer() -> None:
    """Invariant: one registry line makes a scheme parse, evaluate, model and search."""
    assert parse_scaling(HALF).rope_type == "half"
    expected = scaled_frequencies(1e4, 64, scaling=LINEAR_2)
    np.testing.assert_array_equal(scaled_frequencies(1e4, 64, scaling=HALF), expected)
    np.testing.assert_array_equal(rb.frequencies(1e4, 64, scaling=HALF), expected)
    np.testing.assert_array_equal(
        scaled_frequencies(1e4, 64, scaling=HALF, precision="float32"),
        scaled_frequencies(1e4, 64, scaling=LINEAR_2, precision="float32"),
    )
    model, linear = frequency_model(64, scaling=HALF), frequency_model(64, scaling=LINEAR_2)
    for name in ("edges", "coefficients", "powers", "counts"):
        np.testing.assert_array_equal(getattr(model, name), getattr(linear, name))
    bound = rb.min_base(4096, 64, scaling=HALF)
    assert bound.base == rb.min_base(4096, 64, scaling=LINEAR_2).base
    assert bound.certified
