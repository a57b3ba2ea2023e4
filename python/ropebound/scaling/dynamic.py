r"""``dynamic``: the ``ntk`` base change with :math:`s_\text{eff} = s\,n/L - (s-1)` at
sequence length :math:`n = \max(\text{seq\_len}, L)`, :math:`L` = ``max_position_embeddings``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._base import (
    Float32Array,
    FloatArray,
    RopeScaling,
    Scheme,
    Terms,
    parse_factor_only,
    where,
)
from ._float32 import F32, base32, default32, pow32, scaled_base32
from .ntk import exact_with_kappa, kappa, terms_with_kappa


def _ratio(p: RopeScaling, seq_len: int | None) -> float:
    """:math:`s_\\text{eff} = s\\,n/L - (s-1)`, n = max(seq_len, L); 1 below L."""
    if seq_len is None:
        return 1.0
    if p.max_position_embeddings is None:
        raise ValueError(
            f"{where('dynamic')}: missing required key 'max_position_embeddings' (the "
            "config's top-level value, needed with seq_len)"
        )
    big_l = p.max_position_embeddings
    if seq_len <= big_l:
        return 1.0
    assert p.factor is not None
    return p.factor * seq_len / big_l - (p.factor - 1.0)


def _kappa(p: RopeScaling, r: int, seq_len: int | None) -> float:
    # r = 2: the only frequency is 1 whatever the base; seq_len is not even looked at.
    return 1.0 if r == 2 else kappa(p, r, _ratio(p, seq_len))


def _parse(d: Mapping[str, Any], rotary_dim: int | None) -> RopeScaling:
    return parse_factor_only(d, "dynamic")


def _exact(base: float, r: int, p: RopeScaling, seq_len: int | None) -> FloatArray:
    _ratio(p, seq_len)  # the missing-key error, also for r = 2
    return exact_with_kappa(base, r, p, _kappa(p, r, seq_len))


def _float32(base: float, r: int, p: RopeScaling, seq_len: int | None) -> Float32Array:
    assert p.factor is not None
    _ratio(p, seq_len)  # the missing-key error, as in the exact mode
    big_l = p.max_position_embeddings
    if seq_len is None or big_l is None or seq_len <= big_l or r == 2:
        # Initialisation (seq_len = None -> L) and the "reset" below L: the new base is a
        # Python double, base * (factor*L/L - (factor-1)) ** (r/(r-2)).
        if r == 2 or big_l is None:
            return default32(base, r)
        f = p.factor
        b = base * ((f * big_l / big_l) - (f - 1)) ** (r / (r - 2))
        return default32(scaled_base32(b, p), r)
    # Growth in the forward pass: seq_len = max(position_ids)+1 is an int64 tensor, so the
    # new base is a 0-dim float32 tensor built op by op.
    s = F32(p.factor) * F32(seq_len)
    s = s / F32(big_l)
    s = s - F32(p.factor - 1.0)
    s = pow32(s, np.asarray([r / (r - 2)], dtype=np.float32))[0]
    new_base = base32(base) * s
    return default32(new_base, r)


def _terms(p: RopeScaling, r: int, bases: Sequence[float], seq_len: int | None) -> Terms:
    return terms_with_kappa(r, _kappa(p, r, seq_len), bases)


SCHEME = Scheme(parse=_parse, exact=_exact, float32=_float32, terms=_terms)
