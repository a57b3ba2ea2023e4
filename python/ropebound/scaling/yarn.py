r"""``yarn``: :math:`\theta^0_i\,(1 - \rho_i + \rho_i/s)`, the ramp :math:`\rho_i` between
the correction dims of ``beta_fast`` / ``beta_slow`` (Peng et al., arXiv 2309.00071).

Follows transformers v5: the correction range uses ``original_max_position_embeddings``,
an explicit ``factor`` is never overwritten by ``max/original`` (only a missing one is
derived; transformers ~4.5x overwrote it, issue #38224, fixed by PR #40320); ``truncate``
(default True) and ``mscale``/``mscale_all_dim`` are honoured.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from ._base import (
    Float32Array,
    FloatArray,
    RopeScaling,
    Scheme,
    Terms,
    divisor,
    length,
    opt_length,
    opt_real,
    require,
    where,
)
from ._float32 import F32, base32, exponents32, pow32, recip32
from .default import _exact as plain

_LogBase = TypeVar("_LogBase", float, FloatArray)


def check_rotations(rotations: float, original_length: int, name: str, prefix: str = "") -> None:
    """``L0 / (2 pi rotations)``, whose log correction_dim takes, must be a positive double."""
    ratio = original_length / (rotations * 2 * math.pi)
    if not 0.0 < ratio < math.inf:
        raise ValueError(
            f"{prefix}{name} = {rotations!r} is out of range: the original length / "
            f"(2 pi {name}) = {ratio!r} must be a positive finite double"
        )


def _dim_at(rotations: float, r: int, log_base: _LogBase, original_length: int) -> _LogBase:
    """:func:`correction_dim` from :math:`\\ln b`: one base, or many at once (_terms)."""
    return r * math.log(original_length / (rotations * 2 * math.pi)) / (2 * log_base)


def correction_dim(rotations: float, r: int, base: float, original_length: int) -> float:
    """The (continuous) pair index whose frequency turns ``rotations`` times over ``L0``."""
    return _dim_at(rotations, r, math.log(base), original_length)


def correction_range(
    r: int,
    base: float,
    original_length: int,
    beta_fast: float,
    beta_slow: float,
    *,
    truncate: bool = True,
) -> tuple[float, float]:
    """YaRN's (low, high) pair indices, as transformers computes them (Python doubles)."""
    lo = correction_dim(beta_fast, r, base, original_length)
    hi = correction_dim(beta_slow, r, base, original_length)
    if truncate:
        lo, hi = math.floor(lo), math.ceil(hi)
    return max(lo, 0), min(hi, r - 1)


def _range(p: RopeScaling, r: int, base: float) -> tuple[float, float]:
    assert p.original_max_position_embeddings is not None
    return correction_range(
        r,
        base,
        p.original_max_position_embeddings,
        p.beta_fast,
        p.beta_slow,
        truncate=p.truncate,
    )


def _ramp(lo: float, hi: float, pairs: int) -> FloatArray:
    if lo == hi:
        hi += 0.001  # transformers: "prevent singularity"
    j = np.arange(pairs, dtype=np.float64)
    ramp: FloatArray = np.clip((j - lo) / (hi - lo), 0.0, 1.0)
    return ramp


def _parse(d: Mapping[str, Any], rotary_dim: int | None) -> RopeScaling:
    t = "yarn"
    max_pos = opt_length(d, "max_position_embeddings", t)
    orig = length(
        require(d, "original_max_position_embeddings", t), "original_max_position_embeddings", t
    )
    f = divisor(d, "factor", t) if d.get("factor") is not None else None
    if f is None:
        # v5: only a missing factor is derived from the two lengths.
        if max_pos is None:
            raise ValueError(
                f"{where(t)}: missing required key 'factor' (or "
                "'max_position_embeddings' to derive it as max/original)"
            )
        f = max_pos / orig
    truncate = d.get("truncate", True)
    if truncate is None:
        truncate = True
    if not isinstance(truncate, (bool, np.bool_)):
        raise TypeError(f"{where(t)}: 'truncate' must be true or false, got {truncate!r}")
    # transformers: `get("beta_fast") or 32`, so 0 and None both mean the default.
    beta_fast = opt_real(d, "beta_fast", t, positive=False) or 32.0
    beta_slow = opt_real(d, "beta_slow", t, positive=False) or 1.0
    check_rotations(beta_fast, orig, "beta_fast", f"{where(t)}: ")
    check_rotations(beta_slow, orig, "beta_slow", f"{where(t)}: ")
    return RopeScaling(
        t,
        factor=f,
        max_position_embeddings=max_pos,
        original_max_position_embeddings=orig,
        attention_factor=opt_real(d, "attention_factor", t),
        beta_fast=beta_fast,
        beta_slow=beta_slow,
        mscale=opt_real(d, "mscale", t, positive=False),
        mscale_all_dim=opt_real(d, "mscale_all_dim", t, positive=False),
        truncate=bool(truncate),
    )


def _exact(base: float, r: int, p: RopeScaling, seq_len: int | None) -> FloatArray:
    assert p.factor is not None
    theta = plain(base, r, p, seq_len)
    lo, hi = _range(p, r, base)
    ramp = _ramp(lo, hi, r // 2)
    # transformers' mix; exact theta and theta/factor where the ramp is 0 or 1
    return theta / p.factor * ramp + theta * (1.0 - ramp)


def _float32(base: float, r: int, p: RopeScaling, seq_len: int | None) -> Float32Array:
    assert p.factor is not None
    # pos_freqs = base ** (arange(0, r, 2).float() / r); extrapolated = 1/pos,
    # interpolated = 1/(factor * pos); all float32.
    pos = pow32(base32(base), exponents32(r))
    extrap = recip32(pos)
    interp = recip32(F32(p.factor) * pos)
    lo, hi = _range(p, r, base)  # Python doubles / ints, as in transformers
    if lo == hi:
        hi += 0.001
    j = np.arange(r // 2, dtype=np.float32)
    ramp = np.clip((j - F32(lo)) / F32(hi - lo), F32(0.0), F32(1.0))
    extrap_factor = F32(1.0) - ramp
    out: Float32Array = interp * (F32(1.0) - extrap_factor) + extrap * extrap_factor
    return out


def _terms(p: RopeScaling, r: int, bases: Sequence[float], seq_len: int | None) -> Terms:
    assert p.factor is not None and p.original_max_position_embeddings is not None
    q = r // 2
    # correction_range at every base at once (truncated: the model requires it), ln(b) from
    # math.log as there: numpy's vectorised log may round differently.
    log_b = np.array([math.log(b) for b in bases], dtype=np.float64)
    big_l = p.original_max_position_embeddings
    lo = np.maximum(np.floor(_dim_at(p.beta_fast, r, log_b, big_l)), 0.0)[:, None]
    hi = np.minimum(np.ceil(_dim_at(p.beta_slow, r, log_b, big_l)), r - 1)[:, None]
    hi = np.where(lo == hi, hi + 0.001, hi)  # as _ramp
    ramp = np.clip((np.arange(q, dtype=np.float64) - lo) / (hi - lo), 0.0, 1.0)
    coefficients = ramp / p.factor + (1.0 - ramp)  # transformers' mix, as _exact
    shape = (len(bases), q, 1)
    return Terms(
        coefficients.reshape(shape),
        np.broadcast_to(np.arange(q, dtype=np.int64)[None, :, None], shape),
        np.ones(shape[:2], dtype=np.int64),
    )


def _breakpoints(p: RopeScaling, r: int) -> list[float]:
    """Bases where floor(c(beta_fast)) or ceil(c(beta_slow)) changes.

    :math:`c(\\beta) = r \\ln(L_0/(2\\pi\\beta)) / (2 \\ln b)` equals the integer :math:`k`
    at :math:`b_k = \\exp(r A / (2k))`, :math:`A = \\ln(L_0/(2\\pi\\beta))`. Indices beyond
    ``r + 1`` change nothing: ``hi`` is clamped at ``r - 1`` and once ``lo >= r`` every ramp
    is clamped to 1.
    """
    if not p.truncate:
        raise ValueError(
            "frequency_model: yarn with truncate=false has a ramp linear in ln(b), which is "
            "not a sum of powers of b; use truncate=true (the default) or scaled_frequencies"
        )
    assert p.original_max_position_embeddings is not None
    out: list[float] = []
    for beta in (p.beta_fast, p.beta_slow):
        a = math.log(p.original_max_position_embeddings / (2 * math.pi * beta))
        if a == 0.0:
            continue
        for k in range(-(r + 2), r + 3):
            if k == 0 or (k > 0) != (a > 0):
                continue
            x = r * a / (2 * k)
            if x < 700.0:
                b = math.exp(x)
                if b > 1.0:
                    out.append(b)
    return out


def _mscale(scale: float, m: float = 1.0) -> float:
    return 1.0 if scale <= 1 else 0.1 * m * math.log(scale) + 1.0


def _attention(p: RopeScaling) -> float:
    assert p.factor is not None
    if p.attention_factor is not None:
        return p.attention_factor
    if p.mscale and p.mscale_all_dim:
        return _mscale(p.factor, p.mscale) / _mscale(p.factor, p.mscale_all_dim)
    return _mscale(p.factor)


SCHEME = Scheme(
    parse=_parse,
    exact=_exact,
    float32=_float32,
    terms=_terms,
    breakpoints=_breakpoints,
    jumps=True,
    attention=_attention,
)
