r"""``longrope`` (alias ``su``): :math:`\theta^0_i / e_i`, :math:`e` = ``long_factor`` if
seq_len > L0 else ``short_factor``."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._base import (
    Float32Array,
    FloatArray,
    RopeScaling,
    Scheme,
    Terms,
    factor_list,
    length,
    one_term_each,
    opt_length,
    opt_real,
    require,
    where,
)
from ._float32 import base32, exponents32, pow32, recip32
from .default import _exact as plain


def _factors(p: RopeScaling, seq_len: int | None) -> tuple[float, ...]:
    assert p.short_factor is not None and p.long_factor is not None
    assert p.original_max_position_embeddings is not None
    if seq_len is not None and seq_len > p.original_max_position_embeddings:
        return p.long_factor
    return p.short_factor


def _parse(d: Mapping[str, Any], rotary_dim: int | None) -> RopeScaling:
    t = "longrope"
    max_pos = opt_length(d, "max_position_embeddings", t)
    pairs = None if rotary_dim is None else rotary_dim // 2
    short = factor_list(require(d, "short_factor", t), "short_factor", pairs)
    long = factor_list(require(d, "long_factor", t), "long_factor", pairs)
    if len(short) != len(long):
        raise ValueError(
            f"{where(t)}: 'short_factor' and 'long_factor' must have the same length, "
            f"got {len(short)} and {len(long)}"
        )
    orig = length(
        require(
            d,
            "original_max_position_embeddings",
            t,
            " (Phi-3 keeps it at the config's top level; put it into the dict)",
        ),
        "original_max_position_embeddings",
        t,
    )
    return RopeScaling(
        t,
        factor=opt_real(d, "factor", t),
        max_position_embeddings=max_pos,
        original_max_position_embeddings=orig,
        attention_factor=opt_real(d, "attention_factor", t),
        short_factor=short,
        long_factor=long,
    )


def _exact(base: float, r: int, p: RopeScaling, seq_len: int | None) -> FloatArray:
    ext = np.asarray(_factors(p, seq_len), dtype=np.float64)
    return plain(base, r, p, seq_len) / ext


def _float32(base: float, r: int, p: RopeScaling, seq_len: int | None) -> Float32Array:
    # ext (float32 tensor from the list) * base ** shape, then reciprocal.
    ext = np.asarray(_factors(p, seq_len), dtype=np.float64).astype(np.float32)
    return recip32(ext * pow32(base32(base), exponents32(r)))


def _terms(p: RopeScaling, r: int, bases: Sequence[float], seq_len: int | None) -> Terms:
    ext = np.asarray(_factors(p, seq_len), dtype=np.float64)
    return one_term_each(1.0 / ext, bases)


def _attention(p: RopeScaling) -> float:
    if p.attention_factor is not None:
        return p.attention_factor
    assert p.original_max_position_embeddings is not None
    factor = p.factor
    if factor is None:
        if p.max_position_embeddings is None:
            raise ValueError(
                f"{where('longrope')}: need 'factor' or 'max_position_embeddings' for the "
                "default attention factor"
            )
        factor = p.max_position_embeddings / p.original_max_position_embeddings
    if factor <= 1.0:
        return 1.0
    if p.original_max_position_embeddings == 1:
        # ln(1) = 0 divides (transformers raises ZeroDivisionError).
        raise ValueError(
            f"{where('longrope')}: the default attention factor divides by "
            "ln(original_max_position_embeddings), which is 0 at 1; give 'attention_factor' "
            "or original_max_position_embeddings >= 2"
        )
    return math.sqrt(1 + math.log(factor) / math.log(p.original_max_position_embeddings))


SCHEME = Scheme(parse=_parse, exact=_exact, float32=_float32, terms=_terms, attention=_attention)
