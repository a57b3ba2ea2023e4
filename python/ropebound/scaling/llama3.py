r"""``llama3``: :math:`\theta^0_i`, :math:`\theta^0_i/s`, or the smooth blend, by wavelength
band (:math:`\lambda_i = 2\pi/\theta^0_i` against :math:`L_0/\text{high}` and
:math:`L_0/\text{low}`)."""

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
    divisor,
    length,
    opt_length,
    real,
    require,
    where,
)
from ._float32 import F32, default32, recip32
from .default import _exact as plain


def _parse(d: Mapping[str, Any], rotary_dim: int | None) -> RopeScaling:
    t = "llama3"
    max_pos = opt_length(d, "max_position_embeddings", t)
    factor = divisor(d, "factor", t)
    low = real(require(d, "low_freq_factor", t), "low_freq_factor", t)
    high = real(require(d, "high_freq_factor", t), "high_freq_factor", t)
    orig = length(
        require(d, "original_max_position_embeddings", t), "original_max_position_embeddings", t
    )
    if low > high:
        raise ValueError(
            f"{where(t)}: 'low_freq_factor' ({low}) must be <= 'high_freq_factor' ({high})"
        )
    return RopeScaling(
        t,
        factor=factor,
        max_position_embeddings=max_pos,
        original_max_position_embeddings=orig,
        low_freq_factor=low,
        high_freq_factor=high,
    )


def _exact(base: float, r: int, p: RopeScaling, seq_len: int | None) -> FloatArray:
    assert p.factor is not None and p.low_freq_factor is not None
    assert p.high_freq_factor is not None and p.original_max_position_embeddings is not None
    theta = plain(base, r, p, seq_len)
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


def _float32(base: float, r: int, p: RopeScaling, seq_len: int | None) -> Float32Array:
    assert p.factor is not None and p.low_freq_factor is not None
    assert p.high_freq_factor is not None and p.original_max_position_embeddings is not None
    f32 = F32
    inv = default32(base, r)
    big_l = p.original_max_position_embeddings
    low, high, factor = p.low_freq_factor, p.high_freq_factor, p.factor
    # wavelen = 2*pi / inv_freq -> inv_freq.reciprocal() * float32(2*pi)
    wavelen = recip32(inv) * f32(2 * math.pi)
    # Comparisons against Python doubles: torch casts the scalar to the tensor's float32.
    lo_wl, hi_wl = f32(big_l / low), f32(big_l / high)
    inv_l = np.where(wavelen > lo_wl, inv / f32(factor), inv)
    medium = ~(wavelen < hi_wl) & ~(wavelen > lo_wl)
    if high > low:
        # smooth = (L0 / wavelen - low) / (high - low): reciprocal, * f32(L0), - f32(low),
        # / f32(high - low) with high - low a Python double.
        smooth = (recip32(wavelen) * f32(big_l) - f32(low)) / f32(high - low)
        smoothed = (f32(1.0) - smooth) * inv_l / f32(factor) + smooth * inv_l
    else:
        # transformers divides by zero here (NaN/inf, used only on an exact hit of L0/low);
        # use smooth = 0 like vLLM, as the exact mode does.
        smoothed = inv_l / f32(factor)
    out: Float32Array = np.where(medium, smoothed, inv_l).astype(np.float32)
    return out


def _terms(p: RopeScaling, r: int, bases: Sequence[float], seq_len: int | None) -> Terms:
    assert p.factor is not None and p.low_freq_factor is not None
    assert p.high_freq_factor is not None and p.original_max_position_embeddings is not None
    q = r // 2
    f, low, high = p.factor, p.low_freq_factor, p.high_freq_factor
    big_l = p.original_max_position_embeddings
    pair = np.arange(q, dtype=np.int64)
    # Each pair has one of three forms, by band (rows: high, low, smooth), one or two slots.
    slots = 2 if high > low else 1
    coefficients = np.zeros((3, q, slots), dtype=np.float64)
    powers = np.zeros((3, q, slots), dtype=np.int64)
    counts = np.ones((3, q), dtype=np.int64)
    coefficients[0, :, 0] = 1.0
    coefficients[1:, :, 0] = 1.0 / f  # high == low: no smooth band, the low form stands in
    powers[:, :, 0] = pair
    if high > low:
        # (1-s)theta/f + s theta, s = (L0 theta/(2pi) - low)/(high-low):
        # c1 theta + c2 theta^2 with theta^2 = b^(-2i/q); pair 0 is the one term c1 + c2.
        c1 = 1.0 / f - low * (1.0 - 1.0 / f) / (high - low)
        c2 = big_l * (1.0 - 1.0 / f) / (2 * math.pi * (high - low))
        coefficients[2, 0, 0] = c1 + c2
        coefficients[2, 1:] = (c1, c2)
        powers[2, 1:, 1] = 2 * pair[1:]
        counts[2, 1:] = 2
    # Wavelengths of every pair at every base (rows: bases). A pair changes band only at a
    # breakpoint and the bases lie well inside segments: no decision hinges on pow's last bit.
    wavelen = 2 * math.pi * np.power(np.asarray(bases, dtype=np.float64)[:, None], np.arange(q) / q)
    band = np.where(wavelen < big_l / high, 0, np.where(wavelen > big_l / low, 1, 2))
    # Pair i's form at each base, as a row of the forms flattened to (3 * q, slots): one
    # np.take per array (indexing with two index arrays is ten times slower).
    row = band * q + pair
    return Terms(
        np.take(coefficients.reshape(3 * q, slots), row, axis=0),
        np.take(powers.reshape(3 * q, slots), row, axis=0),
        np.take(counts.reshape(3 * q), row),
    )


def _breakpoints(p: RopeScaling, r: int) -> list[float]:
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


SCHEME = Scheme(
    parse=_parse, exact=_exact, float32=_float32, terms=_terms, breakpoints=_breakpoints
)
