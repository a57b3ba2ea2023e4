r"""``linear`` (position interpolation): :math:`\theta^0_i / s`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._frequencies import plain_frequencies
from ._base import (
    Float32Array,
    FloatArray,
    RopeScaling,
    Scheme,
    Terms,
    one_term_each,
    parse_factor_only,
)
from ._float32 import F32, default32


def _parse(d: Mapping[str, Any], rotary_dim: int | None) -> RopeScaling:
    return parse_factor_only(d, "linear")


def _exact(base: float, r: int, p: RopeScaling, seq_len: int | None) -> FloatArray:
    assert p.factor is not None
    return plain_frequencies(base, r) / p.factor


def _float32(base: float, r: int, p: RopeScaling, seq_len: int | None) -> Float32Array:
    assert p.factor is not None
    out: Float32Array = default32(base, r) / F32(p.factor)  # in-place f32 /=
    return out


def _terms(p: RopeScaling, r: int, bases: Sequence[float], seq_len: int | None) -> Terms:
    assert p.factor is not None
    return one_term_each(np.full(r // 2, 1.0 / p.factor), bases)


SCHEME = Scheme(parse=_parse, exact=_exact, float32=_float32, terms=_terms)
