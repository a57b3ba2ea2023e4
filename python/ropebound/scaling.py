r"""RoPE frequency scaling schemes, as model configs spell them.

A Hugging Face ``config.json`` describes scaled RoPE with a ``rope_scaling`` dict (v4) or
``rope_parameters`` (v5), keyed by ``rope_type`` (legacy alias ``type``). This module turns
such a dict into the per-pair angular frequencies :math:`\theta_i`, :math:`i < r/2`, that
enter the decay sum :math:`B_m = \sum_i \cos(m\theta_i)`:

=============  ===============================================================================
``rope_type``  :math:`\theta_i` (with :math:`\theta^0_i = b^{-2i/r}`, :math:`s` = ``factor``)
=============  ===============================================================================
``default``    :math:`\theta^0_i`
``linear``     :math:`\theta^0_i / s` (position interpolation)
``ntk``        :math:`(b\kappa)^{-2i/r}`, :math:`\kappa = s^{r/(r-2)}` (static NTK-aware base
               change, bloc97 / YaRN paper section 3.1; :func:`ntk_base`)
``dynamic``    as ``ntk`` with :math:`s_\text{eff} = s\,n/L - (s-1)` at sequence length
               :math:`n = \max(\text{seq\_len}, L)`, :math:`L` = ``max_position_embeddings``
``yarn``       :math:`\theta^0_i\,(1 - \rho_i + \rho_i/s)`, ramp :math:`\rho_i` between the
               correction dims of ``beta_fast`` / ``beta_slow``
``llama3``     :math:`\theta^0_i`, :math:`\theta^0_i/s`, or the smooth blend, by wavelength band
``longrope``   :math:`\theta^0_i / e_i`, :math:`e` = ``long_factor`` if seq_len > L0 else
               ``short_factor``
=============  ===============================================================================

The dicts are *self-contained*: values that Hugging Face reads from the top level of the
config (``max_position_embeddings`` for ``dynamic`` and as the default ``factor`` of yarn and
longrope; Phi-3's top-level ``original_max_position_embeddings``) go into the dict under the
same names; :func:`ropebound.config.load_config` does that. ``rope_theta`` and
``partial_rotary_factor`` inside the dict are ignored here (``base`` and ``rotary_dim`` are
explicit arguments).

Where versions of the reference implementation (huggingface/transformers
``modeling_rope_utils.py``) differ, the current one (v5, ``rope_parameters``) is followed:
yarn uses ``original_max_position_embeddings`` (not ``max_position_embeddings``) for its
correction range and an explicit ``factor`` is never overwritten by
``max_position_embeddings / original_max_position_embeddings`` (that ratio is only the
default when ``factor`` is missing; transformers ~4.5x overwrote it, issue #38224, fixed by
PR #40320); ``truncate`` (default True) and ``mscale``/``mscale_all_dim`` are honoured.
The static ``ntk`` type follows the bloc97 / transformers development-branch formula, *not*
vLLM's ``ntk`` (which multiplies the base by ``factor`` and divides every
:math:`\theta_i` by ``factor**(2/r)``).
"""

from __future__ import annotations

import itertools
import math
import numbers
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from ._validate import check_base, check_dim, check_rotary_dim, check_seq_len
from .decay import frequencies

FloatArray = npt.NDArray[np.float64]
Precision = Literal["exact", "float32"]

ROPE_TYPES = ("default", "linear", "ntk", "dynamic", "yarn", "llama3", "longrope")
# Legacy names a config may carry: Phi-3's early revisions said "su" for LongRoPE.
_ALIASES = {"su": "longrope"}
_FLOAT32_MAX = float(np.finfo(np.float32).max)


# --------------------------------------------------------------------------------------------
# Parsing and validation of a scaling dict
# --------------------------------------------------------------------------------------------


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


def _where(rope_type: str) -> str:
    return f"rope_scaling (rope_type {rope_type!r})"


def _real(value: Any, key: str, rope_type: str, *, positive: bool = True) -> float:
    """A finite real number (bool rejected); positive unless ``positive`` is False (then >= 0)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{_where(rope_type)}: {key!r} must be a real number, "
            f"got {type(value).__name__} {value!r}"
        )
    try:
        x = float(value)
    except OverflowError:  # a Python int beyond the double range
        x = math.inf if operator.gt(value, 0) else -math.inf
    if not math.isfinite(x) or (x <= 0.0 if positive else x < 0.0):
        allowed = "> 0" if positive else ">= 0"
        raise ValueError(f"{_where(rope_type)}: {key!r} must be finite and {allowed}, got {x!r}")
    return x


def _length(value: Any, key: str, rope_type: str) -> int:
    """A positive integer length; a float with an integer value (4096.0) is accepted."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{_where(rope_type)}: {key!r} must be a positive integer, "
            f"got {type(value).__name__} {value!r}"
        )
    n = int(value)
    if not 1 <= n <= 2**53:
        raise ValueError(
            f"{_where(rope_type)}: {key!r} must be a positive integer <= 2**53, got {n}"
        )
    return n


def _factor_list(value: Any, key: str, pairs: int | None) -> tuple[float, ...]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise TypeError(
            f"{_where('longrope')}: {key!r} must be a list of {pairs or 'r/2'} positive "
            f"numbers, got {type(value).__name__}"
        )
    out = tuple(_real(v, f"{key}[{j}]", "longrope") for j, v in enumerate(value))
    if pairs is not None and len(out) != pairs:
        raise ValueError(
            f"{_where('longrope')}: {key!r} must have rotary_dim/2 = {pairs} entries, "
            f"got {len(out)}"
        )
    return out


def _require(d: Mapping[str, Any], key: str, rope_type: str, why: str = "") -> Any:
    value = d.get(key)
    if value is None:
        raise ValueError(
            f"{_where(rope_type)}: missing required key {key!r}{why}; present keys: {sorted(d)}"
        )
    return value


def rope_type_of(scaling: Mapping[str, Any] | None) -> str:
    """The canonical ``rope_type`` of a scaling dict (``None`` or ``{}`` means default).

    Examples
    --------
    >>> from ropebound.scaling import rope_type_of
    >>> rope_type_of(None), rope_type_of({"type": "linear", "factor": 2.0})
    ('default', 'linear')
    >>> rope_type_of({"rope_type": "su", "short_factor": [1.0], "long_factor": [1.0]})
    'longrope'
    """
    if scaling is None:
        return "default"
    if not isinstance(scaling, Mapping):
        raise TypeError(
            f"rope_scaling must be a dict (or None), got {type(scaling).__name__} {scaling!r}"
        )
    raw = scaling.get("rope_type", scaling.get("type", "default"))
    if raw is None:
        raw = "default"
    if not isinstance(raw, str):
        raise TypeError(f"rope_scaling: 'rope_type' must be a string, got {raw!r}")
    name = _ALIASES.get(raw, raw)
    if name not in ROPE_TYPES:
        raise ValueError(
            f"rope_scaling: unknown rope_type {raw!r}; allowed: {', '.join(ROPE_TYPES)} "
            "(legacy key 'type' and alias 'su' for longrope are accepted)"
        )
    if "rope_type" in scaling and "type" in scaling:
        other = scaling["type"]
        if isinstance(other, str) and _ALIASES.get(other, other) != name:
            raise ValueError(
                f"rope_scaling: 'rope_type' {raw!r} and legacy 'type' {other!r} disagree"
            )
    return name


def parse_scaling(scaling: Mapping[str, Any] | None, rotary_dim: int | None = None) -> RopeScaling:
    """Validate a ``rope_scaling`` / ``rope_parameters`` dict and fill in defaults.

    Parameters
    ----------
    scaling : dict or None
        The dict as in a Hugging Face config (``rope_type`` or legacy ``type``).
    rotary_dim : int, optional
        When given, longrope factor lists must have ``rotary_dim/2`` entries.

    Raises
    ------
    TypeError
        A value of the wrong type (the message names the key).
    ValueError
        Unknown ``rope_type``, a missing required key, a factor that is not > 0,
        ``low_freq_factor > high_freq_factor``, or a factor list of the wrong length.

    Examples
    --------
    >>> from ropebound.scaling import parse_scaling
    >>> p = parse_scaling({"rope_type": "linear", "factor": 4.0})
    >>> p.rope_type, p.factor
    ('linear', 4.0)
    """
    rope_type = rope_type_of(scaling)
    if rotary_dim is not None:
        check_dim(rotary_dim, "rotary_dim")
    if scaling is None or rope_type == "default":
        return RopeScaling("default")
    d = scaling
    t = rope_type

    def opt_real(key: str, *, positive: bool = True) -> float | None:
        v = d.get(key)
        return None if v is None else _real(v, key, t, positive=positive)

    def divisor(key: str) -> float:
        # Frequencies are divided by it: 1/x must be a double too (not 5e-324).
        x = _real(_require(d, key, t), key, t)
        if not math.isfinite(1.0 / x):
            raise ValueError(f"{_where(t)}: {key!r} must be >= 2**-1022, got {x!r}")
        return x

    def opt_len(key: str) -> int | None:
        v = d.get(key)
        return None if v is None else _length(v, key, t)

    max_pos = opt_len("max_position_embeddings")
    orig = opt_len("original_max_position_embeddings")
    if t in ("linear", "ntk", "dynamic"):
        factor = divisor("factor")
        return RopeScaling(t, factor=factor, max_position_embeddings=max_pos)
    if t == "yarn":
        orig = _length(
            _require(d, "original_max_position_embeddings", t),
            "original_max_position_embeddings",
            t,
        )
        f = divisor("factor") if d.get("factor") is not None else None
        if f is None:
            # v5: only a missing factor is derived from the two lengths.
            if max_pos is None:
                raise ValueError(
                    f"{_where(t)}: missing required key 'factor' (or "
                    "'max_position_embeddings' to derive it as max/original)"
                )
            f = max_pos / orig
        truncate = d.get("truncate", True)
        if truncate is None:
            truncate = True
        if not isinstance(truncate, (bool, np.bool_)):
            raise TypeError(f"{_where(t)}: 'truncate' must be true or false, got {truncate!r}")
        # transformers: `get("beta_fast") or 32`, so 0 and None both mean the default.
        beta_fast = opt_real("beta_fast", positive=False) or 32.0
        beta_slow = opt_real("beta_slow", positive=False) or 1.0
        return RopeScaling(
            t,
            factor=f,
            max_position_embeddings=max_pos,
            original_max_position_embeddings=orig,
            attention_factor=opt_real("attention_factor"),
            beta_fast=beta_fast,
            beta_slow=beta_slow,
            mscale=opt_real("mscale", positive=False),
            mscale_all_dim=opt_real("mscale_all_dim", positive=False),
            truncate=bool(truncate),
        )
    if t == "llama3":
        factor = divisor("factor")
        low = _real(_require(d, "low_freq_factor", t), "low_freq_factor", t)
        high = _real(_require(d, "high_freq_factor", t), "high_freq_factor", t)
        orig = _length(
            _require(d, "original_max_position_embeddings", t),
            "original_max_position_embeddings",
            t,
        )
        if low > high:
            raise ValueError(
                f"{_where(t)}: 'low_freq_factor' ({low}) must be <= 'high_freq_factor' ({high})"
            )
        return RopeScaling(
            t,
            factor=factor,
            max_position_embeddings=max_pos,
            original_max_position_embeddings=orig,
            low_freq_factor=low,
            high_freq_factor=high,
        )
    # longrope
    pairs = None if rotary_dim is None else rotary_dim // 2
    short = _factor_list(_require(d, "short_factor", t), "short_factor", pairs)
    long = _factor_list(_require(d, "long_factor", t), "long_factor", pairs)
    if len(short) != len(long):
        raise ValueError(
            f"{_where(t)}: 'short_factor' and 'long_factor' must have the same length, "
            f"got {len(short)} and {len(long)}"
        )
    orig = _length(
        _require(
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
        factor=opt_real("factor"),
        max_position_embeddings=max_pos,
        original_max_position_embeddings=orig,
        attention_factor=opt_real("attention_factor"),
        short_factor=short,
        long_factor=long,
    )


# --------------------------------------------------------------------------------------------
# Exact (float64) frequencies
# --------------------------------------------------------------------------------------------


def ntk_base(base: float, dim: int, factor: float) -> float:
    r"""Static NTK-aware base change :math:`b' = b\,s^{d/(d-2)}`.

    The unique base change that keeps :math:`\theta_0 = 1` and divides the slowest
    frequency :math:`\theta_{d/2-1} = b^{-(d-2)/d}` by exactly :math:`s` (bloc97; YaRN paper,
    arXiv 2309.00071, section 3.1). ``dim`` is the *rotary* dimension. For ``dim == 2`` the
    only frequency is :math:`\theta_0 = 1` whatever the base, and ``base`` is returned.

    Examples
    --------
    >>> from ropebound.scaling import ntk_base
    >>> round(ntk_base(1e4, 128, 2.0), 3)
    20221.262
    """
    b = float(check_base(base))
    d = check_dim(dim)
    s = _real(factor, "factor", "ntk")
    if d == 2:
        return b
    try:
        return b * float(s ** (d / (d - 2)))
    except OverflowError:
        raise ValueError(
            f"{_where('ntk')}: 'factor' {s!r} is too large: factor**(d/(d-2)) overflows"
        ) from None


def _dynamic_ratio(p: RopeScaling, seq_len: int | None) -> float:
    """:math:`s_\\text{eff} = s\\,n/L - (s-1)`, n = max(seq_len, L); 1 below L."""
    if seq_len is None:
        return 1.0
    if p.max_position_embeddings is None:
        raise ValueError(
            f"{_where('dynamic')}: missing required key 'max_position_embeddings' (the "
            "config's top-level value, needed with seq_len)"
        )
    big_l = p.max_position_embeddings
    if seq_len <= big_l:
        return 1.0
    assert p.factor is not None
    return p.factor * seq_len / big_l - (p.factor - 1.0)


def _base_multiplier(p: RopeScaling, r: int, seq_len: int | None) -> float:
    """:math:`\\kappa` with effective base :math:`b\\kappa` (ntk, dynamic); 1 otherwise."""
    if r == 2:
        return 1.0
    if p.rope_type not in ("ntk", "dynamic"):
        return 1.0
    assert p.factor is not None
    ratio = p.factor if p.rope_type == "ntk" else _dynamic_ratio(p, seq_len)
    try:
        kappa = float(ratio ** (r / (r - 2)))
    except OverflowError:
        kappa = math.inf
    if not 0.0 < kappa < math.inf:
        raise ValueError(
            f"{_where(p.rope_type)}: 'factor' {p.factor!r} is out of range: the base "
            f"multiplier factor**(r/(r-2)) = {kappa!r} must be a positive double"
        )
    return kappa


def _correction_range(p: RopeScaling, r: int, base: float) -> tuple[float, float]:
    """YaRN's (low, high) pair indices, as transformers computes them (Python doubles)."""
    assert p.original_max_position_embeddings is not None
    big_l = p.original_max_position_embeddings

    def corr(rot: float) -> float:
        return r * math.log(big_l / (rot * 2 * math.pi)) / (2 * math.log(base))

    lo, hi = corr(p.beta_fast), corr(p.beta_slow)
    if p.truncate:
        lo, hi = math.floor(lo), math.ceil(hi)
    return max(lo, 0), min(hi, r - 1)


def _yarn_ramp(lo: float, hi: float, pairs: int) -> FloatArray:
    if lo == hi:
        hi += 0.001  # transformers: "prevent singularity"
    j = np.arange(pairs, dtype=np.float64)
    ramp: FloatArray = np.clip((j - lo) / (hi - lo), 0.0, 1.0)
    return ramp


def _llama3_exact(p: RopeScaling, theta: FloatArray) -> FloatArray:
    assert p.factor is not None and p.low_freq_factor is not None
    assert p.high_freq_factor is not None and p.original_max_position_embeddings is not None
    f, low, high = p.factor, p.low_freq_factor, p.high_freq_factor
    big_l = p.original_max_position_embeddings
    wavelen = 2 * math.pi / theta
    out = np.where(wavelen > big_l / low, theta / f, theta)
    medium = ~(wavelen < big_l / high) & ~(wavelen > big_l / low)
    if high > low:
        smooth = (big_l / wavelen - low) / (high - low)
        out = np.where(medium, (1 - smooth) * theta / f + smooth * theta, out)
    else:
        # low == high: the band is the single wavelength L0/low, where the smooth factor is
        # 0/0. transformers yields NaN there (masked unless hit exactly); vLLM and this
        # library use smooth = 0, i.e. theta / factor.
        out = np.where(medium, theta / f, out)
    return np.asarray(out, dtype=np.float64)


def _scaled_exact(base: float, r: int, p: RopeScaling, seq_len: int | None) -> FloatArray:
    kappa = _base_multiplier(p, r, seq_len)
    eff = base * kappa
    if kappa != 1.0:
        check_base(eff, f"{_where(p.rope_type)}: the effective (NTK-scaled) base")
    theta = frequencies(eff, r)
    t = p.rope_type
    if t in ("default", "ntk", "dynamic"):
        return theta
    if t == "linear":
        assert p.factor is not None
        return theta / p.factor
    if t == "yarn":
        assert p.factor is not None
        lo, hi = _correction_range(p, r, base)
        ramp = _yarn_ramp(lo, hi, r // 2)
        # transformers' mix; exact theta and theta/factor where the ramp is 0 or 1
        return theta / p.factor * ramp + theta * (1.0 - ramp)
    if t == "llama3":
        return _llama3_exact(p, theta)
    ext = np.asarray(_longrope_factors(p, seq_len), dtype=np.float64)
    return theta / ext


def _longrope_factors(p: RopeScaling, seq_len: int | None) -> tuple[float, ...]:
    assert p.short_factor is not None and p.long_factor is not None
    assert p.original_max_position_embeddings is not None
    if seq_len is not None and seq_len > p.original_max_position_embeddings:
        return p.long_factor
    return p.short_factor


# --------------------------------------------------------------------------------------------
# Float32 frequencies as Hugging Face transformers builds them
# --------------------------------------------------------------------------------------------

_F32 = np.float32


def _pow32(base: np.float32 | float, exponent: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """float32 ``base ** exponent``, correctly rounded.

    Evaluated in float64 and rounded once to float32: the float64 ``pow`` errs by < 1 ulp of
    a double, so the result is the correctly rounded float32 except when the exact value lies
    within ~2^-29 relative of a float32 rounding boundary. torch's float32 ``pow`` (Sleef
    ``powf_u10`` on vectorised CPU paths, CUDA ``powf``) is only faithful to about 1 ulp, so
    it may differ from this in the last bit of some entries.
    """
    wide = np.power(np.float64(base), exponent.astype(np.float64))
    return wide.astype(np.float32)


def _recip32(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    # torch evaluates `1.0 / t` as t.reciprocal() * 1.0: one correctly rounded division.
    out: npt.NDArray[np.float32] = _F32(1.0) / x
    return out


def _exponents32(r: int) -> npt.NDArray[np.float32]:
    # torch.arange(0, r, 2, dtype=int64).float() / r: exact small integers, one f32 division.
    e: npt.NDArray[np.float32] = np.arange(0, r, 2, dtype=np.int64).astype(np.float32) / _F32(r)
    return e


def _scaled_base32(base: float, p: RopeScaling) -> float:
    """An NTK-scaled base that float32 code can hold, or an error naming the factor."""
    if not base <= _FLOAT32_MAX:
        raise ValueError(
            f"{_where(p.rope_type)}: 'factor' {p.factor!r} is too large for float32: the "
            f"scaled base {base:.4g} overflows float32 (max {_FLOAT32_MAX:.4g})"
        )
    return base


def _base32(base: float) -> np.float32:
    if base > _FLOAT32_MAX:
        raise ValueError(
            f"precision='float32': base {base!r} overflows float32 (max {_FLOAT32_MAX:.4g})"
        )
    return _F32(base)


def _default32(base: float | np.float32, r: int) -> npt.NDArray[np.float32]:
    b = base if isinstance(base, np.float32) else _base32(float(base))
    return _recip32(_pow32(b, _exponents32(r)))


def _dynamic32(base: float, r: int, p: RopeScaling, seq_len: int | None) -> npt.NDArray[np.float32]:
    assert p.factor is not None
    big_l = p.max_position_embeddings
    if seq_len is None or big_l is None or seq_len <= big_l or r == 2:
        # Initialisation (seq_len = None -> L) and the "reset" below L: the new base is a
        # Python double, base * (factor*L/L - (factor-1)) ** (r/(r-2)).
        if r == 2 or big_l is None:
            return _default32(base, r)
        f = p.factor
        b = base * ((f * big_l / big_l) - (f - 1)) ** (r / (r - 2))
        return _default32(_scaled_base32(b, p), r)
    # Growth in the forward pass: seq_len = max(position_ids)+1 is an int64 tensor, so the
    # new base is a 0-dim float32 tensor built op by op.
    s = _F32(p.factor) * _F32(seq_len)
    s = s / _F32(big_l)
    s = s - _F32(p.factor - 1.0)
    s = _pow32(s, np.asarray([r / (r - 2)], dtype=np.float32))[0]
    new_base = _base32(base) * s
    return _default32(new_base, r)


def _yarn32(base: float, r: int, p: RopeScaling) -> npt.NDArray[np.float32]:
    assert p.factor is not None
    # pos_freqs = base ** (arange(0, r, 2).float() / r); extrapolated = 1/pos,
    # interpolated = 1/(factor * pos); all float32.
    pos = _pow32(_base32(base), _exponents32(r))
    extrap = _recip32(pos)
    interp = _recip32(_F32(p.factor) * pos)
    lo, hi = _correction_range(p, r, base)  # Python doubles / ints, as in transformers
    if lo == hi:
        hi += 0.001
    j = np.arange(r // 2, dtype=np.float32)
    ramp = np.clip((j - _F32(lo)) / _F32(hi - lo), _F32(0.0), _F32(1.0))
    extrap_factor = _F32(1.0) - ramp
    out: npt.NDArray[np.float32] = interp * (_F32(1.0) - extrap_factor) + extrap * extrap_factor
    return out


def _llama3_32(base: float, r: int, p: RopeScaling) -> npt.NDArray[np.float32]:
    assert p.factor is not None and p.low_freq_factor is not None
    assert p.high_freq_factor is not None and p.original_max_position_embeddings is not None
    f32 = _F32
    inv = _default32(base, r)
    big_l = p.original_max_position_embeddings
    low, high, factor = p.low_freq_factor, p.high_freq_factor, p.factor
    # wavelen = 2*pi / inv_freq -> inv_freq.reciprocal() * float32(2*pi)
    wavelen = _recip32(inv) * f32(2 * math.pi)
    # Comparisons against Python doubles: torch casts the scalar to the tensor's float32.
    lo_wl, hi_wl = f32(big_l / low), f32(big_l / high)
    inv_l = np.where(wavelen > lo_wl, inv / f32(factor), inv)
    medium = ~(wavelen < hi_wl) & ~(wavelen > lo_wl)
    if high > low:
        # smooth = (L0 / wavelen - low) / (high - low): reciprocal, * f32(L0), - f32(low),
        # / f32(high - low) with high - low a Python double.
        smooth = (_recip32(wavelen) * f32(big_l) - f32(low)) / f32(high - low)
        smoothed = (f32(1.0) - smooth) * inv_l / f32(factor) + smooth * inv_l
    else:
        # transformers divides by zero here (NaN/inf, used only on an exact hit of L0/low);
        # use smooth = 0 like vLLM, as the exact mode does.
        smoothed = inv_l / f32(factor)
    out: npt.NDArray[np.float32] = np.where(medium, smoothed, inv_l).astype(np.float32)
    return out


def _scaled_float32(
    base: float, r: int, p: RopeScaling, seq_len: int | None
) -> npt.NDArray[np.float32]:
    t = p.rope_type
    if t == "default":
        return _default32(base, r)
    if t == "linear":
        assert p.factor is not None
        out: npt.NDArray[np.float32] = _default32(base, r) / _F32(p.factor)  # in-place f32 /=
        return out
    if t == "ntk":
        # development-branch transformers: base * factor ** (dim/(dim-2)) in Python doubles
        return _default32(_scaled_base32(base * _base_multiplier(p, r, None), p), r)
    if t == "dynamic":
        return _dynamic32(base, r, p, seq_len)
    if t == "yarn":
        return _yarn32(base, r, p)
    if t == "llama3":
        return _llama3_32(base, r, p)
    # longrope: ext (float32 tensor from the list) * base ** shape, then reciprocal.
    ext = np.asarray(_longrope_factors(p, seq_len), dtype=np.float64).astype(np.float32)
    return _recip32(ext * _pow32(_base32(base), _exponents32(r)))


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def scaled_frequencies(
    base: float,
    dim: int,
    *,
    rotary_dim: int | None = None,
    scaling: Mapping[str, Any] | None = None,
    precision: Precision = "exact",
    seq_len: int | None = None,
) -> npt.NDArray[Any]:
    r"""Angular frequencies :math:`\theta_i`, :math:`i < r/2`, under a RoPE scaling scheme.

    Parameters
    ----------
    base : float
        ``rope_theta`` :math:`b`, in (1, 1e250].
    dim : int
        Head dimension :math:`d` (even).
    rotary_dim : int, optional
        Rotary dimension :math:`r \le d` (even), default ``dim``; every exponent has
        denominator :math:`r`. The :math:`(d-r)/2` unrotated pairs are not listed.
    scaling : dict, optional
        A ``rope_scaling`` / ``rope_parameters`` dict (see the module docstring for the
        types and :func:`parse_scaling` for the checks). None means plain RoPE.
    precision : {"exact", "float32"}
        ``"exact"``: the formulas evaluated in float64 (:math:`b^{-2i/r}` from the
        double-double core, relative error < 1e-15 per entry; the scaling arithmetic adds a
        few ulps; no float32 anywhere). ``"float32"``: the float32 ``inv_freq`` buffer that
        Hugging Face transformers builds on the CPU, emulated op by op (see Notes).
    seq_len : int, optional
        Sequence length, for the types that depend on it: ``dynamic`` (NTK base change for
        ``seq_len > max_position_embeddings``; below it, plain RoPE) and ``longrope``
        (``long_factor`` when ``seq_len > original_max_position_embeddings``, else
        ``short_factor``; None means the short factors, as at model initialisation).

    Returns
    -------
    numpy.ndarray
        ``r/2`` frequencies, float64 for ``"exact"``, float32 for ``"float32"``.

    Notes
    -----
    The float32 recipe (transformers ``modeling_rope_utils``; every operation rounds to
    float32; Python scalars are rounded to float32 when they meet a float32 tensor; ``1/x`` is
    torch's ``x.reciprocal() * 1.0``, a single correctly rounded division):

    * default: ``e = float32(arange(0, r, 2, int64)) / r``; ``p = float32(b) ** e``;
      ``inv = 1 / p``.
    * linear: ``inv_default / float32(factor)``.
    * ntk: the default recipe with the base ``b * factor**(r/(r-2))`` formed in float64.
    * dynamic: for ``seq_len <= L`` (or None) the base ``b*(factor*L/L-(factor-1))**(r/(r-2))``
      in float64 (what the model is initialised and reset to); for ``seq_len > L`` (growth in
      the forward pass, ``seq_len`` an int64 tensor): ``s = f32(factor)*f32(seq_len)``,
      ``s /= f32(L)``, ``s -= f32(factor-1)``, ``s = s ** f32(r/(r-2))``,
      ``b' = f32(b)*s``, then the default recipe with the float32 base ``b'``. (transformers
      only recomputes on growth, so a model that has seen a longer sequence keeps that one's
      frequencies; this function gives a fresh model's.)
    * yarn: ``pos = f32(b) ** e``; ``extrap = 1/pos``; ``interp = 1/(f32(factor)*pos)``;
      correction range in float64 (floor/ceil if ``truncate``, clamped to [0, r-1]; +0.001 if
      equal); ``ramp = clip((arange(r/2) - f32(lo)) / f32(hi-lo), 0, 1)``;
      ``ef = 1 - ramp``; ``inv = interp*(1-ef) + extrap*ef``.
    * llama3: ``inv`` default; ``wl = (1/inv) * f32(2*pi)``; ``inv_l = where(wl > f32(L0/low),
      inv/f32(factor), inv)``; ``sm = ((1/wl)*f32(L0) - f32(low)) / f32(high-low)``;
      ``where(medium, (1-sm)*inv_l/f32(factor) + sm*inv_l, inv_l)``.
    * longrope: ``1 / (float32(ext) * (f32(b) ** e))``.

    ``pow`` is rounded correctly here; torch's float32 ``pow`` is faithful only (about 1 ulp),
    so single entries may differ from torch in the last bit. On CUDA, torch divides by a
    Python scalar as a multiplication by its float32 reciprocal, which can also change the
    last bit; this emulates the CPU build.

    Examples
    --------
    >>> import ropebound as rb
    >>> rb.scaled_frequencies(1e4, 8, scaling={"rope_type": "linear", "factor": 4.0})
    array([0.25   , 0.025  , 0.0025 , 0.00025])
    >>> llama3 = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
    ...           "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}
    >>> theta = rb.scaled_frequencies(5e5, 128, scaling=llama3)
    >>> theta_plain = rb.frequencies(5e5, 128)
    >>> theta.shape, float(theta[0]), float(theta[-1] * 8 / theta_plain[-1])
    ((64,), 1.0, 1.0)
    """
    d = check_dim(dim)
    r = check_rotary_dim(d, rotary_dim)
    b = float(check_base(base))
    n = check_seq_len(seq_len, scaling)
    if precision not in ("exact", "float32"):
        raise ValueError(f"precision must be 'exact' or 'float32', got {precision!r}")
    p = parse_scaling(scaling, r)
    if p.rope_type == "dynamic" and n is not None and p.max_position_embeddings is None:
        _dynamic_ratio(p, n)  # raises the missing-key error
    if precision == "exact":
        return _scaled_exact(b, r, p, n)
    return _scaled_float32(b, r, p, n)


def _mscale(scale: float, m: float = 1.0) -> float:
    return 1.0 if scale <= 1 else 0.1 * m * math.log(scale) + 1.0


def attention_factor(
    scaling: Mapping[str, Any] | None, *, max_position_embeddings: int | None = None
) -> float:
    r"""The cos/sin multiplier (logit temperature) of yarn and longrope; 1 for other types.

    It does not change :math:`\theta_i` or :math:`B_m`; it is reported for completeness.

    * yarn: ``attention_factor`` if given; else, when ``mscale`` and ``mscale_all_dim`` are
      both non-zero, :math:`g(s, \text{mscale})/g(s, \text{mscale\_all\_dim})`, otherwise
      :math:`g(s, 1)`, with :math:`g(s, k) = 1` for :math:`s \le 1` and
      :math:`0.1\,k\ln s + 1` above.
    * longrope: ``attention_factor`` if given; else with :math:`s` = ``factor`` (default
      ``max_position_embeddings / original_max_position_embeddings``):
      :math:`\sqrt{1 + \ln s / \ln L_0}` for :math:`s > 1`, else 1.

    ``max_position_embeddings`` may also be given inside the dict.

    Examples
    --------
    >>> from ropebound.scaling import attention_factor
    >>> attention_factor(None)
    1.0
    >>> round(attention_factor({"rope_type": "yarn", "factor": 4.0,
    ...                         "original_max_position_embeddings": 4096}), 6)
    1.138629
    """
    t = rope_type_of(scaling)
    if max_position_embeddings is not None:
        _length(max_position_embeddings, "max_position_embeddings", t)
    # Validated whatever the type: a malformed dict is an error even where the factor is 1.
    parse_scaling(scaling)
    if t not in ("yarn", "longrope") or scaling is None:
        return 1.0
    merged = dict(scaling)
    if max_position_embeddings is not None:
        merged.setdefault("max_position_embeddings", max_position_embeddings)
    p = parse_scaling(merged)
    if p.attention_factor is not None:
        return p.attention_factor
    if t == "yarn":
        assert p.factor is not None
        if p.mscale and p.mscale_all_dim:
            return _mscale(p.factor, p.mscale) / _mscale(p.factor, p.mscale_all_dim)
        return _mscale(p.factor)
    assert p.original_max_position_embeddings is not None
    factor = p.factor
    if factor is None:
        if p.max_position_embeddings is None:
            raise ValueError(
                f"{_where('longrope')}: need 'factor' or 'max_position_embeddings' for the "
                "default attention factor"
            )
        factor = p.max_position_embeddings / p.original_max_position_embeddings
    if factor <= 1.0:
        return 1.0
    return math.sqrt(1 + math.log(factor) / math.log(p.original_max_position_embeddings))


# --------------------------------------------------------------------------------------------
# theta_i as a function of the base, for the solver
# --------------------------------------------------------------------------------------------


class FrequencyTerm(NamedTuple):
    r"""One term :math:`c\,b^{-p/q}` of a pair's frequency (``q`` is the model's)."""

    coefficient: float
    power: int


class FrequencySegment(NamedTuple):
    r"""On ``base_lo <= b < base_hi``: :math:`\theta_i(b) = \sum_j c_{ij} b^{-p_{ij}/q}`."""

    base_lo: float
    base_hi: float
    terms: tuple[tuple[FrequencyTerm, ...], ...]


@dataclass(frozen=True)
class FrequencyModel:
    r""":math:`\theta_i` as a piecewise sum of powers of the base :math:`b`.

    Attributes
    ----------
    dim, rotary_dim : int
        :math:`d` and :math:`r`; ``r/2`` pairs are modelled (the unrotated ones have
        :math:`\theta = 0`).
    denominator : int
        :math:`q = r/2`: every exponent is :math:`-p/q` with an integer :math:`p \ge 0`.
    segments : tuple of FrequencySegment
        Consecutive intervals covering :math:`(1, \infty)`; the first starts at 1.0, the last
        ends at ``inf``. Boundaries are where a pair changes band (llama3) or a YaRN
        correction index changes (floor/ceil), solved for in closed form.
    jumps : tuple of float
        The boundaries where :math:`\theta(b)` is discontinuous (YaRN with ``truncate``);
        at any other boundary the neighbouring segments agree. Exactly *at* a boundary the
        reference implementation may take either side (floating-point rounding of the
        correction dims); the segments are listed half-open, ``[base_lo, base_hi)``.
    """

    dim: int
    rotary_dim: int
    denominator: int
    segments: tuple[FrequencySegment, ...]
    jumps: tuple[float, ...]

    @property
    def constant(self) -> float:
        """Number of unrotated pairs, :math:`(d-r)/2`: each adds :math:`\\cos 0 = 1` to B_m."""
        return float((self.dim - self.rotary_dim) // 2)

    def segment(self, base: float) -> FrequencySegment:
        """The segment with ``base_lo <= base < base_hi``."""
        b = float(check_base(base))
        los = [s.base_lo for s in self.segments]
        k = int(np.searchsorted(los, b, side="right")) - 1
        return self.segments[max(k, 0)]

    def evaluate(self, base: float) -> FloatArray:
        r""":math:`\theta_i(b)` from the model (float64)."""
        b = float(check_base(base))
        seg = self.segment(b)
        q = self.denominator
        # b^(-p/q) = b^(-(p mod q)/q) * b^(-(p div q)), the first factor from the core's
        # double-double table: a plain exp(-p ln(b)/q) would lose |ln b| ulps.
        roots = frequencies(b, 2 * q)
        out = np.empty(len(seg.terms), dtype=np.float64)
        for i, terms in enumerate(seg.terms):
            out[i] = math.fsum(c * float(roots[p % q]) * b ** -(p // q) for c, p in terms)
        return out


def _breakpoints_yarn(p: RopeScaling, r: int) -> list[float]:
    """Bases where floor(c(beta_fast)) or ceil(c(beta_slow)) changes.

    :math:`c(\\beta) = r \\ln(L_0/(2\\pi\\beta)) / (2 \\ln b)` equals the integer :math:`k`
    at :math:`b_k = \\exp(r A / (2k))`, :math:`A = \\ln(L_0/(2\\pi\\beta))`. Indices beyond
    ``r + 1`` change nothing: ``hi`` is clamped at ``r - 1`` and once ``lo >= r`` every ramp
    is clamped to 1.
    """
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


def _breakpoints_llama3(p: RopeScaling, r: int) -> list[float]:
    r"""Bases where pair :math:`i \ge 1` crosses a band edge :math:`\lambda = 2\pi/\theta_i`.

    :math:`2\pi b^{2i/r} = \Lambda` at :math:`b = (\Lambda/2\pi)^{r/(2i)}` for the edges
    :math:`\Lambda = L_0/\text{high}` and :math:`L_0/\text{low}`.
    """
    assert p.original_max_position_embeddings is not None
    assert p.low_freq_factor is not None and p.high_freq_factor is not None
    out: list[float] = []
    for edge in (
        p.original_max_position_embeddings / p.high_freq_factor,
        p.original_max_position_embeddings / p.low_freq_factor,
    ):
        ratio = edge / (2 * math.pi)
        if ratio <= 1.0:
            continue  # every pair i >= 1 has wavelength > 2*pi*1 > edge for all b > 1
        for i in range(1, r // 2):
            x = math.log(ratio) * r / (2 * i)
            if x < 700.0:
                out.append(math.exp(x))
    return out


def _terms_at(
    p: RopeScaling, r: int, b: float, kappa: float, ext: Sequence[float] | None
) -> tuple[tuple[FrequencyTerm, ...], ...]:
    """The terms of every pair on the segment containing ``b`` (a point inside it)."""
    q = r // 2
    t = p.rope_type
    pairs: list[tuple[FrequencyTerm, ...]] = []
    if t in ("default", "ntk", "dynamic"):
        for i in range(q):
            pairs.append((FrequencyTerm(kappa ** (-i / q), i),))
    elif t == "linear":
        assert p.factor is not None
        for i in range(q):
            pairs.append((FrequencyTerm(1.0 / p.factor, i),))
    elif t == "longrope":
        assert ext is not None
        for i in range(q):
            pairs.append((FrequencyTerm(1.0 / ext[i], i),))
    elif t == "yarn":
        assert p.factor is not None
        lo, hi = _correction_range(p, r, b)
        ramp = _yarn_ramp(lo, hi, q)
        for i in range(q):
            pairs.append((FrequencyTerm(float(ramp[i] / p.factor + (1.0 - ramp[i])), i),))
    else:  # llama3
        assert p.factor is not None and p.low_freq_factor is not None
        assert p.high_freq_factor is not None and p.original_max_position_embeddings is not None
        f, low, high = p.factor, p.low_freq_factor, p.high_freq_factor
        big_l = p.original_max_position_embeddings
        for i in range(q):
            wavelen = 2 * math.pi * b ** (i / q)
            if wavelen < big_l / high:
                pairs.append((FrequencyTerm(1.0, i),))
            elif wavelen > big_l / low or high == low:
                pairs.append((FrequencyTerm(1.0 / f, i),))
            else:
                # (1-s)theta/f + s theta, s = (L0 theta/(2pi) - low)/(high-low):
                # c1 theta + c2 theta^2 with theta^2 = b^(-2i/q).
                c1 = 1.0 / f - low * (1.0 - 1.0 / f) / (high - low)
                c2 = big_l * (1.0 - 1.0 / f) / (2 * math.pi * (high - low))
                if i == 0:
                    pairs.append((FrequencyTerm(c1 + c2, 0),))
                else:
                    pairs.append((FrequencyTerm(c1, i), FrequencyTerm(c2, 2 * i)))
    return tuple(pairs)


def frequency_model(
    dim: int,
    *,
    rotary_dim: int | None = None,
    scaling: Mapping[str, Any] | None = None,
    seq_len: int | None = None,
) -> FrequencyModel:
    r""":math:`\theta_i(b)` for all bases :math:`b > 1`, as exact piecewise sums of powers.

    On each segment ``[b_lo, b_hi)``,
    :math:`\theta_i(b) = \sum_j c_{ij}\, b^{-p_{ij}/q}` with integers :math:`p_{ij} \ge 0`,
    :math:`q = r/2`, and float64 :math:`c_{ij}`:

    * default: one term, :math:`c = 1`, :math:`p = i`;
    * linear: :math:`c = 1/s`; longrope: :math:`c = 1/e_i` (``seq_len`` picks the list);
    * ntk / dynamic (base :math:`b\kappa`): :math:`c = \kappa^{-i/q}`;
    * yarn (``truncate`` only): :math:`c = \rho_i/s + 1 - \rho_i`, with the ramp
      :math:`\rho_i` fixed on a segment; segments break where a floored/ceiled correction
      index changes, :math:`b_k = (L_0/(2\pi\beta))^{r/(2k)}`, and :math:`\theta` jumps there;
    * llama3: one term in the high band (:math:`c = 1`) and the low band (:math:`c = 1/s`);
      in the smooth band :math:`\theta' = \theta((1-\sigma)/s + \sigma)` with :math:`\sigma`
      linear in :math:`\theta`, i.e. :math:`c_1 b^{-i/q} + c_2 b^{-2i/q}`; a pair changes
      band at :math:`b = (\Lambda/2\pi)^{r/(2i)}`, :math:`\Lambda \in \{L_0/h, L_0/l\}`
      (continuously).

    Evaluating the model reproduces :func:`scaled_frequencies` with ``precision="exact"``
    to about 1e-15 relative (1e-14 in the llama3 smooth band, where the two terms partly
    cancel).

    Raises
    ------
    ValueError
        For yarn with ``truncate: false`` the ramp is linear in :math:`\ln b`, which is not a
        sum of powers of :math:`b`; not supported.

    Examples
    --------
    >>> from ropebound.scaling import frequency_model, scaled_frequencies
    >>> import numpy as np
    >>> scaling = {"rope_type": "linear", "factor": 4.0}
    >>> model = frequency_model(8, scaling=scaling)
    >>> np.allclose(model.evaluate(1e4), scaled_frequencies(1e4, 8, scaling=scaling))
    True
    """
    d = check_dim(dim)
    r = check_rotary_dim(d, rotary_dim)
    n = check_seq_len(seq_len, scaling)
    p = parse_scaling(scaling, r)
    q = r // 2
    if p.rope_type == "yarn" and not p.truncate:
        raise ValueError(
            "frequency_model: yarn with truncate=false has a ramp linear in ln(b), which is "
            "not a sum of powers of b; use truncate=true (the default) or scaled_frequencies"
        )
    kappa = _base_multiplier(p, r, n)
    ext = _longrope_factors(p, n) if p.rope_type == "longrope" else None
    if p.rope_type == "yarn":
        cuts = _breakpoints_yarn(p, r)
    elif p.rope_type == "llama3":
        cuts = _breakpoints_llama3(p, r)
    else:
        cuts = []
    edges = [1.0, *sorted(set(cuts)), math.inf]
    segments: list[FrequencySegment] = []
    jumps: list[float] = []
    for lo, hi in itertools.pairwise(edges):
        # A point well inside (lo, hi): the geometric mean (via logs: lo*hi may overflow),
        # or 2*lo on the last interval.
        inside = math.exp(0.5 * (math.log(lo) + math.log(hi))) if math.isfinite(hi) else 2.0 * lo
        if not lo < inside < hi:
            continue  # an interval too thin to sample (coinciding breakpoints)
        terms = _terms_at(p, r, inside, kappa, ext)
        if segments and segments[-1].terms == terms:
            segments[-1] = segments[-1]._replace(base_hi=hi)
            continue
        if segments and p.rope_type == "yarn":
            jumps.append(lo)
        if segments:
            segments[-1] = segments[-1]._replace(base_hi=lo)
        segments.append(FrequencySegment(lo, hi, terms))
    return FrequencyModel(
        dim=d, rotary_dim=r, denominator=q, segments=tuple(segments), jumps=tuple(jumps)
    )
