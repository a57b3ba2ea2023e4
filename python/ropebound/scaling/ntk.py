r"""``ntk``: static NTK-aware base change, base :math:`b\kappa`, :math:`\kappa = s^{r/(r-2)}`.

bloc97 / YaRN paper section 3.1 and the transformers development-branch formula, *not*
vLLM's ``ntk`` (which multiplies the base by ``factor`` and divides every :math:`\theta_i`
by ``factor**(2/r)``). :mod:`ropebound.scaling.dynamic` shares the base change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .._frequencies import plain_frequencies
from .._validate import check_base
from ._base import (
    Float32Array,
    FloatArray,
    RopeScaling,
    Scheme,
    Terms,
    one_term_each,
    parse_factor_only,
    where,
)
from ._float32 import default32, scaled_base32


def kappa(p: RopeScaling, r: int, ratio: float) -> float:
    """The base multiplier :math:`\\kappa` = ratio**(r/(r-2)) (1 for r = 2), checked."""
    if r == 2:
        return 1.0
    try:
        k = float(ratio ** (r / (r - 2)))
    except OverflowError:
        k = math.inf
    if not 0.0 < k < math.inf:
        raise ValueError(
            f"{where(p.rope_type)}: 'factor' {p.factor!r} is out of range: the base "
            f"multiplier factor**(r/(r-2)) = {k!r} must be a positive double"
        )
    return k


def exact_with_kappa(base: float, r: int, p: RopeScaling, k: float) -> FloatArray:
    """Plain frequencies of the effective base :math:`b\\kappa`."""
    eff = base * k
    if k != 1.0:
        check_base(eff, f"{where(p.rope_type)}: the effective (NTK-scaled) base")
    return plain_frequencies(eff, r)


def terms_with_kappa(r: int, k: float, bases: Sequence[float]) -> Terms:
    q = r // 2
    # Python's pow, one pair at a time: numpy's vectorised pow may round differently.
    return one_term_each([k ** (-i / q) for i in range(q)], bases)


def _parse(d: Mapping[str, Any], rotary_dim: int | None) -> RopeScaling:
    return parse_factor_only(d, "ntk")


def _kappa(p: RopeScaling, r: int) -> float:
    assert p.factor is not None
    return kappa(p, r, p.factor)


def _exact(base: float, r: int, p: RopeScaling, seq_len: int | None) -> FloatArray:
    return exact_with_kappa(base, r, p, _kappa(p, r))


def _float32(base: float, r: int, p: RopeScaling, seq_len: int | None) -> Float32Array:
    # development-branch transformers: base * factor ** (dim/(dim-2)) in Python doubles
    return default32(scaled_base32(base * _kappa(p, r), p), r)


def _terms(p: RopeScaling, r: int, bases: Sequence[float], seq_len: int | None) -> Terms:
    return terms_with_kappa(r, _kappa(p, r), bases)


SCHEME = Scheme(parse=_parse, exact=_exact, float32=_float32, terms=_terms)
