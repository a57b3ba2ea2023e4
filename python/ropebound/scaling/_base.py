"""What every scheme module shares: the parsed dict, the scheme record, key readers."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from .._validate import check_real

FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class RopeScaling:
    """A validated scaling dict (all values checked, defaults filled in).

    Fields that do not apply to ``rope_type`` are None.
    """

    rope_type: str
    factor: float | None = None
    max_position_embeddings: int | None = None
    original_max_position_embeddings: int | None = None
    attention_factor: float | None = None
    beta_fast: float = 32.0
    beta_slow: float = 1.0
    mscale: float | None = None
    mscale_all_dim: float | None = None
    truncate: bool = True
    low_freq_factor: float | None = None
    high_freq_factor: float | None = None
    short_factor: tuple[float, ...] | None = None
    long_factor: tuple[float, ...] | None = None


class Terms(NamedTuple):
    r"""Every pair's terms at each of K bases, ``T`` slots per pair.

    At base ``k`` pair ``i`` is :math:`\sum_{j < n_{ki}} c_{kij}\, b^{-p_{kij}/q}` (``q``
    is the model's, :math:`r/2`): ``coefficients`` :math:`c` (float64) and ``powers``
    :math:`p` (int64, :math:`\ge 0`) have shape ``(K, r/2, T)``, ``counts`` :math:`n`
    (int64, :math:`\le T`) shape ``(K, r/2)``. Slots past a pair's count hold
    :math:`c = 0`, :math:`p = 0`, so equal terms are equal arrays.
    """

    coefficients: FloatArray
    powers: IntArray
    counts: IntArray


def _no_breakpoints(p: RopeScaling, r: int) -> list[float]:
    return []


def _unit_attention(p: RopeScaling) -> float:
    return 1.0


@dataclass(frozen=True)
class Scheme:
    """One ``rope_type``: everything the library computes differently for it.

    ``exact`` / ``float32`` take ``(base, r, parsed, seq_len)``; ``terms`` gives the
    piecewise model's terms of every pair at each of ``bases`` (one base inside each
    segment, all at once, as arrays built with numpy: a model has up to a few hundred
    segments, which Python objects per term would make slow to build); ``breakpoints``
    the bases where the terms change (``jumps``: theta is discontinuous there).
    """

    parse: Callable[[Mapping[str, Any], int | None], RopeScaling]
    exact: Callable[[float, int, RopeScaling, int | None], FloatArray]
    float32: Callable[[float, int, RopeScaling, int | None], Float32Array]
    terms: Callable[[RopeScaling, int, Sequence[float], int | None], Terms]
    breakpoints: Callable[[RopeScaling, int], list[float]] = _no_breakpoints
    jumps: bool = False
    attention: Callable[[RopeScaling], float] = _unit_attention


# --------------------------------------------------------------------- reading the dict


def where(rope_type: str) -> str:
    return f"rope_scaling (rope_type {rope_type!r})"


def real(value: Any, key: str, rope_type: str, *, positive: bool = True) -> float:
    """A finite real number (bool rejected); positive unless ``positive`` is False (then >= 0)."""
    return check_real(value, f"{where(rope_type)}: {key!r}", minimum="> 0" if positive else ">= 0")


def length(value: Any, key: str, rope_type: str) -> int:
    """A positive integer length; a float with an integer value (4096.0) is accepted."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{where(rope_type)}: {key!r} must be a positive integer, "
            f"got {type(value).__name__} {value!r}"
        )
    n = int(value)
    if not 1 <= n <= 2**53:
        raise ValueError(
            f"{where(rope_type)}: {key!r} must be a positive integer <= 2**53, got {n}"
        )
    return n


def factor_list(value: Any, key: str, pairs: int | None) -> tuple[float, ...]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise TypeError(
            f"{where('longrope')}: {key!r} must be a list of {pairs or 'r/2'} positive "
            f"numbers, got {type(value).__name__}"
        )
    # Frequencies are divided by each, as by divisor()'s factor.
    out = tuple(
        reciprocable(real(v, f"{key}[{j}]", "longrope"), f"{key}[{j}]", "longrope")
        for j, v in enumerate(value)
    )
    if pairs is not None and len(out) != pairs:
        raise ValueError(
            f"{where('longrope')}: {key!r} must have rotary_dim/2 = {pairs} entries, got {len(out)}"
        )
    return out


def require(d: Mapping[str, Any], key: str, rope_type: str, why: str = "") -> Any:
    value = d.get(key)
    if value is None:
        raise ValueError(
            f"{where(rope_type)}: missing required key {key!r}{why}; present keys: {sorted(d)}"
        )
    return value


def opt_real(
    d: Mapping[str, Any], key: str, rope_type: str, *, positive: bool = True
) -> float | None:
    v = d.get(key)
    return None if v is None else real(v, key, rope_type, positive=positive)


def opt_length(d: Mapping[str, Any], key: str, rope_type: str) -> int | None:
    v = d.get(key)
    return None if v is None else length(v, key, rope_type)


def reciprocable(x: float, key: str, rope_type: str) -> float:
    """A positive ``x`` whose reciprocal is a double too (not 5e-324): frequencies are
    divided by it."""
    if not math.isfinite(1.0 / x):
        raise ValueError(f"{where(rope_type)}: {key!r} must be >= 2**-1022, got {x!r}")
    return x


def divisor(d: Mapping[str, Any], key: str, rope_type: str) -> float:
    return reciprocable(real(require(d, key, rope_type), key, rope_type), key, rope_type)


def parse_factor_only(d: Mapping[str, Any], rope_type: str) -> RopeScaling:
    """``factor`` (required) and ``max_position_embeddings``: linear, ntk and dynamic."""
    max_pos = opt_length(d, "max_position_embeddings", rope_type)
    return RopeScaling(
        rope_type, factor=divisor(d, "factor", rope_type), max_position_embeddings=max_pos
    )


def one_term_each(coefficients: npt.ArrayLike, bases: Sequence[float]) -> Terms:
    """Pair i is :math:`c_i\\,b^{-i/q}` at every base: every scheme that rescales theta."""
    c = np.asarray(coefficients, dtype=np.float64)
    k, q = len(bases), len(c)
    return Terms(
        np.broadcast_to(c[None, :, None], (k, q, 1)),
        np.broadcast_to(np.arange(q, dtype=np.int64)[None, :, None], (k, q, 1)),
        np.ones((k, q), dtype=np.int64),
    )
