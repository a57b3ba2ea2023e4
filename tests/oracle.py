"""Independent brute-force oracles: first negative distance and minimal base, in numpy.

Shares no code with ropebound. Frequencies come from ``FrequencyModel`` below, this
file's own transcription of the conventions (plain, linear, ntk, llama3, yarn,
longrope), written from the formulas, never from the library's code.

``oracle_min_base`` walks u = ln b upward. At each u it evaluates every B_m, m < L,
directly (np.cos of the outer product). While some B_m < -tol, that B_m stays
negative on [u, u + h) for h = (-B_m - tol/2) / (m R(u)), where R(u) >= sum_i
|d theta_i / du| on the whole step (the models below return such an R together
with the next u where the frequencies jump, which caps the step). The walk steps
the worst violator alone (a few cosines per step) until it is no longer negative,
then re-evaluates every m. It stops where no B_m < -tol remains: every base below
the returned one is certified inadmissible, up to tol, which covers numpy's own
phase and summation error (see ``numpy_tolerance``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

TWO_PI = 2.0 * math.pi


@dataclass(frozen=True)
class FrequencyModel:
    """theta_i(b) for i < r/2 under one rope scaling, with (d - r)/2 unrotated pairs.

    ``scaling`` is a transformers-style dict (rope_type and its keys) or None.
    """

    dim: int
    rotary_dim: int
    scaling: Mapping[str, Any] | None = None
    seq_len: int | None = None

    @property
    def constant(self) -> float:
        return float((self.dim - self.rotary_dim) // 2)

    @property
    def kind(self) -> str:
        if not self.scaling:
            return "default"
        return str(self.scaling.get("rope_type", self.scaling.get("type", "default")))

    def exponents(self) -> np.ndarray:
        return 2.0 * np.arange(self.rotary_dim // 2) / self.rotary_dim

    def at(self, u: float) -> tuple[np.ndarray, float, float]:
        """(theta at b = e^u, R bounding sum |d theta/du| on [u, next break), next break)."""
        a = self.exponents()
        r = self.rotary_dim
        s = self.scaling or {}
        kind = self.kind
        if kind == "ntk":
            u = u + (r / (r - 2)) * math.log(s["factor"]) if r > 2 else u
        plain = np.exp(-a * u)
        rate = float(np.sum(a * plain))
        if kind in ("default", "ntk"):
            return plain, rate, math.inf
        if kind == "linear":
            return plain / s["factor"], rate / s["factor"], math.inf
        if kind == "longrope":
            l0 = s["original_max_position_embeddings"]
            long = self.seq_len is not None and self.seq_len > l0
            ext = np.asarray(s["long_factor"] if long else s["short_factor"], dtype=np.float64)
            theta = plain / ext
            return theta, float(np.sum(a * theta)), math.inf
        if kind == "llama3":
            return self._llama3(plain, a, s)
        if kind == "yarn":
            return self._yarn(plain, a, s, u)
        raise ValueError(f"oracle has no model for rope_type {kind!r}")

    @staticmethod
    def _llama3(
        plain: np.ndarray, a: np.ndarray, s: Mapping[str, Any]
    ) -> tuple[np.ndarray, float, float]:
        f, low, high = s["factor"], s["low_freq_factor"], s["high_freq_factor"]
        l0 = s["original_max_position_embeddings"]
        wavelength = TWO_PI / plain
        theta = plain.copy()
        theta[wavelength > l0 / low] /= f
        mid = (wavelength >= l0 / high) & (wavelength <= l0 / low)
        smooth = (l0 / wavelength[mid] - low) / (high - low)
        theta[mid] = (1.0 - smooth) * plain[mid] / f + smooth * plain[mid]
        # In the blend band d theta'/d theta = (1-s)/f + s + (1 - 1/f)(s + low/(high-low))
        # <= 2 + low/(high-low); theta' is continuous across the band edges.
        k = 2.0 + low / (high - low)
        return theta, k * float(np.sum(a * plain)), math.inf

    def _yarn(
        self, plain: np.ndarray, a: np.ndarray, s: Mapping[str, Any], u: float
    ) -> tuple[np.ndarray, float, float]:
        r = self.rotary_dim
        f = s["factor"]
        l0 = s["original_max_position_embeddings"]
        beta_fast, beta_slow = s.get("beta_fast", 32.0), s.get("beta_slow", 1.0)
        c_fast = r * math.log(l0 / (TWO_PI * beta_fast)) / 2.0
        c_slow = r * math.log(l0 / (TWO_PI * beta_slow)) / 2.0
        lo = max(math.floor(c_fast / u), 0)
        hi = min(math.ceil(c_slow / u), r - 1)
        if lo == hi:
            hi += 0.001
        j = np.arange(r // 2, dtype=np.float64)
        ramp = np.clip((j - lo) / (hi - lo), 0.0, 1.0)
        theta = plain / f * ramp + plain * (1.0 - ramp)
        # lo and hi change where c / u crosses an integer: u = c / k.
        cuts = [c / k for c in (c_fast, c_slow) if c > 0 for k in range(1, 2 * r + 2)]
        after = [x for x in cuts if x > u]
        return theta, float(np.sum(a * theta)), min(after, default=math.inf)


def model(
    dim: int,
    rotary_dim: int | None = None,
    scaling: Mapping[str, Any] | None = None,
    seq_len: int | None = None,
) -> FrequencyModel:
    return FrequencyModel(dim, rotary_dim or dim, scaling, seq_len)


def decay_values(theta: np.ndarray, distances: np.ndarray, constant: float = 0.0) -> np.ndarray:
    """B_m for every m in ``distances``, in chunks of ~4M cosines."""
    distances = np.asarray(distances, dtype=np.float64)
    out = np.empty(distances.size)
    step = max(1, (1 << 22) // max(theta.size, 1))
    for lo in range(0, distances.size, step):
        chunk = distances[lo : lo + step]
        out[lo : lo + step] = constant + np.cos(np.outer(chunk, theta)).sum(axis=1)
    return out


def numpy_tolerance(context: int, pairs: int) -> float:
    """A bound on numpy's error in B_m, m < context, with 16x margin.

    theta = exp(-a u) is within ~2 ulp, the product m * theta adds one rounding, so the
    phase is off by <= 3 m 2^-53; cos adds <= 1 ulp, the sum of p terms p ulp each.
    """
    return 16.0 * pairs * (3.0 * context + pairs) * 2.0**-53


def oracle_walk(
    context: int, freq: FrequencyModel, *, u_start: float = 1e-12, tol: float | None = None
) -> float:
    """The first u >= u_start (as e^u, a base) where numpy sees no B_m < -tol, m < context.

    Every base in [e^u_start, returned) has a certified negative B_m.
    """
    if tol is None:
        tol = numpy_tolerance(context, freq.rotary_dim // 2)
    m_all = np.arange(context, dtype=np.float64)
    u = u_start
    while True:
        theta, rate, u_break = freq.at(u)
        values = decay_values(theta, m_all, freq.constant)
        bad = np.flatnonzero(values < -tol)
        if bad.size == 0:
            return math.exp(u)
        steps = (-values[bad] - tol / 2) / (m_all[bad] * rate)
        m = float(m_all[bad[int(np.argmax(steps))]])
        u_before = u
        while True:  # the worst violator alone, until it turns non-negative or theta jumps
            theta, rate, u_break = freq.at(u)
            value = freq.constant + float(np.cos(m * theta).sum())
            if value >= -tol:
                break
            h = (-value - tol / 2) / (m * rate)
            if u + h >= u_break:
                u = u_break
                break
            u += h
        if u == u_before:
            raise RuntimeError(f"oracle walk made no progress at u={u}")


def oracle_min_base(
    context: int,
    dim: int,
    rotary_dim: int | None = None,
    *,
    scaling: Mapping[str, Any] | None = None,
    seq_len: int | None = None,
    tol: float | None = None,
) -> float:
    """A certified lower bound on b*(context) that is within the walk's tol of it."""
    return oracle_walk(context, model(dim, rotary_dim, scaling, seq_len), tol=tol)


# --------------------------------------------------------------------------------------------
# First negative distance, settled by an exact reference where numpy cannot tell
# --------------------------------------------------------------------------------------------


def first_negative(
    values: np.ndarray, exact_sign: Any, *, margin: float = 1e-9, start: int = 0
) -> int | None:
    """Smallest index with a negative value.

    ``values`` come from numpy (error far below ``margin``); where a value lies within
    ``margin`` of zero, ``exact_sign(index)`` (an Arb or mpmath evaluation) decides.
    """
    for idx in np.flatnonzero(values < margin).tolist():
        if values[idx] < -margin:
            return start + idx
        if exact_sign(start + idx) < 0:
            return start + idx
    return None


def float32_phases(m: np.ndarray, theta32: np.ndarray) -> np.ndarray:
    """fl32(fl32(m) * theta32) as exact doubles (numpy float32 multiply rounds to nearest)."""
    mf = np.asarray(m, dtype=np.float64).astype(np.float32)
    return np.multiply.outer(mf, theta32.astype(np.float32)).astype(np.float64)


def bf16_round(x: np.ndarray) -> np.ndarray:
    """Round doubles to float32, then to bfloat16 (nearest, ties to even), as a bf16 table
    built from float32 cos values stores them."""
    bits = np.asarray(x, dtype=np.float64).astype(np.float32).view(np.uint32).astype(np.uint64)
    keep = bits >> np.uint64(16)
    rest = bits & np.uint64(0xFFFF)
    up = (rest > 0x8000) | ((rest == 0x8000) & ((keep & np.uint64(1)) == 1))
    rounded = ((keep + up.astype(np.uint64)) << np.uint64(16)).astype(np.uint32)
    return rounded.view(np.float32).astype(np.float64)


def float32_decay_values(
    theta32: np.ndarray, distances: np.ndarray, *, bf16: bool = False, constant: float = 0.0
) -> np.ndarray:
    """B^_m: cos in float64 of the float32 phase (bf16: each cos rounded to bfloat16)."""
    out = np.empty(len(distances))
    step = max(1, (1 << 21) // max(theta32.size, 1))
    for lo in range(0, len(distances), step):
        c = np.cos(float32_phases(distances[lo : lo + step], theta32))
        if bf16:
            c = bf16_round(c)
        out[lo : lo + step] = constant + c.sum(axis=1)
    return out


def transformers_inv_freq32(base: float, rotary_dim: int) -> np.ndarray:
    """Default float32 inv_freq: 1 / fl32(fl32(b)^fl32(2i/r)), pow correctly rounded."""
    e = np.arange(0, rotary_dim, 2).astype(np.float32) / np.float32(rotary_dim)
    b32 = float(np.float32(base))
    return np.float32(1.0) / np.array([np.float32(b32 ** float(x)) for x in e], np.float32)


def distances(values: Sequence[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def float32_first_negative(
    theta32: np.ndarray, limit: int, *, bf16: bool = False, start: int = 0, constant: float = 0.0
) -> int | None:
    """First m in [start, limit) with B^_m < 0 under the float32 (or bf16-table) model.

    numpy's cos is within an ulp per term, so sums within 1e-12 of zero are recomputed
    from the exact float32 phases with mpmath at 40 digits.
    """
    import mpmath

    m = np.arange(start, limit)
    values = float32_decay_values(theta32, m, bf16=bf16, constant=constant)

    def exact_sign(k: int) -> float:
        phases = float32_phases(np.array([k]), theta32)[0]
        with mpmath.workdps(40):
            terms = [mpmath.cos(mpmath.mpf(float(p))) for p in phases]
            if bf16:
                terms = [mpmath.mpf(float(bf16_round(np.array([float(t)]))[0])) for t in terms]
            total = mpmath.fsum(terms) + constant
        return float(mpmath.sign(total))

    return first_negative(values, exact_sign, margin=1e-12, start=start)


def float32_oracle_min_base(context: int, dim: int, exact_lower: float) -> float:
    """Smallest float32 base >= the exact b* (from ``exact_lower``, the walk's bound)
    whose float32 model (transformers' default inv_freq) has no B^_m < 0 for m < context."""
    f = np.float32(exact_lower)
    if float(f) < exact_lower:
        f = np.nextafter(f, np.float32(np.inf))
    while float32_first_negative(transformers_inv_freq32(float(f), dim), context) is not None:
        f = np.nextafter(f, np.float32(np.inf))
    return float(f)
