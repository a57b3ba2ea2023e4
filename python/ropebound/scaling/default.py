r"""``default``: plain RoPE, :math:`\theta_i = b^{-2i/r}`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._frequencies import plain_frequencies
from ._base import Float32Array, FloatArray, RopeScaling, Scheme, Terms, one_term_each
from ._float32 import default32


def _parse(d: Mapping[str, Any], rotary_dim: int | None) -> RopeScaling:
    return RopeScaling("default")


def _exact(base: float, r: int, p: RopeScaling, seq_len: int | None) -> FloatArray:
    return plain_frequencies(base, r)


def _float32(base: float, r: int, p: RopeScaling, seq_len: int | None) -> Float32Array:
    return default32(base, r)


def _terms(p: RopeScaling, r: int, bases: Sequence[float], seq_len: int | None) -> Terms:
    return one_term_each(np.ones(r // 2), bases)


SCHEME = Scheme(parse=_parse, exact=_exact, float32=_float32, terms=_terms)
