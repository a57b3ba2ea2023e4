r"""The other published relations between the RoPE base and the context length.

One small function per relation, each documented with its source, its
convention and its status:

* **exact** -- a definition computed without approximation (here only the
  certified :math:`b^*(L, d)` of :func:`ropebound.min_base` and RoFormer's
  relative bound, an identity);
* **asymptotic** -- exact in a limit (:math:`d \to \infty`), approximate at finite ``d``;
* **heuristic** -- an argument about one channel or one rule of thumb;
* **fit** -- a curve fitted to published numbers.

:func:`compare` puts every *lower bound on the base* for a context length next to
the exact :math:`b^*` and says, for each, whether that base actually satisfies the
decay criterion :math:`B_m \ge 0` for all distances of the window.

Notation: :math:`\theta_i = b^{-2i/r}`, :math:`i < r/2`, :math:`r` the rotary
dimension (:math:`r = d` by default); the lowest frequency is
:math:`b^{-(r-2)/r}`. Several heuristics replace it by :math:`1/b`; each of those
comes in the published ``1/b`` form (``dim=None``) and in the exact finite-``d``
form (``dim=r``). Context lengths are used as the sources write them (``L``
itself, not the largest distance ``L - 1``): the difference is a relative
``1/L``. Only the exact :math:`b^*` and the admissibility checks depend on the
inclusive/exclusive convention.
"""

from __future__ import annotations

import cmath
import functools
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from . import _core
from ._frequencies import frequency_table
from ._optional import pyplot
from ._validate import (
    MAX_BASE,
    check_bool,
    check_count,
    check_dim,
    check_length,
    check_real,
    check_rotary_dim,
    check_scalar_base,
    check_start,
)
from .bounds import max_context, min_base
from .scaling import ntk_base
from .scaling.yarn import check_rotations, correction_dim, correction_range

FloatArray = npt.NDArray[np.float64]
Kind = Literal["exact", "asymptotic", "heuristic", "fit"]
DType = Literal["float32", "bfloat16", "float16", "float64"]

#: Machine epsilon (spacing of 1.0 and the next number) of the phase arithmetic.
MACHINE_EPSILON: dict[str, float] = {
    "float64": 2.0**-52,
    "float32": 2.0**-23,
    "float16": 2.0**-10,
    "bfloat16": 2.0**-7,
}

_SRC_MEN = "Men, Xu et al., Base of RoPE Bounds Context Length, arXiv 2405.14591"
_SRC_SU = "Su, kexue.fm/archives/10122 (2024)"
_SRC_SU_BETA = "Su, kexue.fm/archives/9675 and 10122"
_SRC_PHASE = "F. Liu, RoPE as Phase Modulation, arXiv 2602.10959"
_SRC_SCALING = "X. Liu et al., Scaling Laws of RoPE-based Extrapolation, arXiv 2310.05209"
_SRC_NTK = "bloc97 (2023), NTK-aware scaled RoPE; YaRN arXiv 2309.00071"


# --------------------------------------------------------------------------- checks


def _check_eps(eps: Any) -> float:
    e = check_real(eps, "eps")
    if not 0.0 < e < 1.0:
        raise ValueError(f"eps must be in (0, 1), got {e!r}")
    return e


def _finite_exponent(dim: int | None) -> float:
    """``r / (r - 2)``: turns a condition on ``1/b`` into one on ``b^{-(r-2)/r}``."""
    if dim is None:
        return 1.0
    r = check_dim(dim)
    if r == 2:
        raise ValueError(
            "dim must be >= 4 for the finite-d form: with 2 rotary dims the only "
            "frequency is theta_0 = 1, whatever the base"
        )
    return r / (r - 2)


def _check_dtype(dtype: Any) -> float:
    if not isinstance(dtype, str):
        raise TypeError(f"dtype must be one of {sorted(MACHINE_EPSILON)}, got {dtype!r}")
    try:
        return MACHINE_EPSILON[dtype]
    except KeyError:
        raise ValueError(f"dtype must be one of {sorted(MACHINE_EPSILON)}, got {dtype!r}") from None


# ------------------------------------------------------- cosine integral (Su, asymptotic)

_EULER_GAMMA = 0.57721566490153286061


def cosine_integral(x: float) -> float:
    r"""The cosine integral :math:`\mathrm{Ci}(x) = -\int_x^\infty \cos t/t\,dt`, ``x > 0``.

    Power series :math:`\gamma + \ln x + \sum_{k\ge1} (-x^2)^k / (2k\,(2k)!)` for
    ``x <= 4`` (terms below 3, so little cancellation), and for ``x > 4`` the continued
    fraction of :math:`E_1(ix)` (modified Lentz), :math:`\mathrm{Ci}(x) =
    -\mathrm{Re}\,E_1(ix)` (Numerical Recipes, Sec. 6.8). Absolute error below
    1e-14, relative error a few 1e-15 away from the zeros of Ci. Pure Python, so
    the package needs no scipy.

    Examples
    --------
    >>> from ropebound.literature import cosine_integral
    >>> round(cosine_integral(1.0), 12)
    0.337403922901
    """
    x = check_real(x, "x", minimum="> 0")
    if x <= 4.0:
        total = _EULER_GAMMA + math.log(x)
        term = 1.0  # (-x^2)^k / (2k)!
        for k in range(1, 60):
            term *= -x * x / ((2 * k - 1) * (2 * k))
            total += term / (2 * k)
            if abs(term) < 1e-18:
                break
        return total
    tiny = 1e-300
    b = complex(1.0, x)
    c = complex(1.0 / tiny, 0.0)
    d = 1.0 / b
    h = d
    for i in range(2, 100_000):
        a = -float((i - 1) ** 2)
        b += 2.0
        d = 1.0 / (a * d + b)
        c = b + a / c
        delta = c * d
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    h *= cmath.exp(complex(0.0, -x))  # h = E_1(ix)
    return -h.real


@functools.cache
def ci_first_zero() -> float:
    r"""First positive zero :math:`x_0` of Ci (0.6165054856207163...).

    Computed once (Newton's method on :func:`cosine_integral`,
    :math:`\mathrm{Ci}'(x) = \cos x / x`), not typed in.

    Examples
    --------
    >>> from ropebound.literature import ci_first_zero, cosine_integral
    >>> round(ci_first_zero(), 12)
    0.616505485621
    >>> abs(cosine_integral(ci_first_zero())) < 1e-14
    True
    """
    x = 0.6
    for _ in range(50):
        step = cosine_integral(x) * x / math.cos(x)
        x -= step
        if abs(step) < 1e-17:
            break
    return x


def asymptotic_decay_sum(
    m: float, base: float, dim: int, *, rotary_dim: int | None = None
) -> float:
    r"""Su's integral approximation of the decay sum (asymptotic, :math:`d \to \infty`).

    .. math:: B_m \approx \frac{r}{2}\,\frac{\mathrm{Ci}(m) - \mathrm{Ci}(m/b)}{\ln b}
              + \frac{d-r}{2},

    the Riemann sum :math:`\sum_{i<r/2} \cos(m b^{-2i/r})` replaced by
    :math:`(r/2)\int_0^1 \cos(m b^{-t})\,dt`.

    Source: J. Su, kexue.fm/archives/10122 (2024), who omits the factor ``d/2``
    (only the sign matters). Status: asymptotic; at ``d = 128`` the exact first
    negative distance is several times smaller than this estimate suggests.

    Parameters
    ----------
    m : float
        Distance, ``>= 0`` (real distances are allowed; ``m = 0`` gives ``d/2``).
    base : float
        RoPE base in (1, 1e250].
    dim, rotary_dim : int
        Head and rotary dimension, as in :func:`ropebound.decay_sum`.

    Examples
    --------
    >>> from ropebound.literature import asymptotic_decay_sum
    >>> asymptotic_decay_sum(0, 1e4, 128)
    64.0
    >>> round(asymptotic_decay_sum(1000, 1e4, 128), 4)
    12.0122
    """
    mm = check_real(m, "m")
    if mm < 0.0:
        raise ValueError(f"m must be >= 0, got {mm!r}")
    b = check_scalar_base(base)
    d = check_dim(dim)
    r = check_rotary_dim(d, rotary_dim)
    constant = (d - r) / 2
    if mm == 0.0:
        return d / 2
    return (r / 2) * (cosine_integral(mm) - cosine_integral(mm / b)) / math.log(b) + constant


def asymptotic_min_base(context: int) -> float:
    r"""Su's asymptotic lower bound :math:`b \gtrsim L / x_0 \approx 1.622\,L` (asymptotic).

    With :math:`|\mathrm{Ci}(m)| \le 1/2` neglected for :math:`m \ge 1`,
    :math:`B_m \ge 0` becomes :math:`\mathrm{Ci}(m/b) \le 0`, i.e. :math:`m/b \le
    x_0` (:func:`ci_first_zero`) for every :math:`m \le L`.

    Source: J. Su, kexue.fm/archives/10122. Convention: ``L`` as published.
    Status: asymptotic (``d -> infinity``); far below the finite-``d`` :math:`b^*`
    (``d = 128`` needs about 4 L at 1k and 60 L at 1M).

    Examples
    --------
    >>> from ropebound.literature import asymptotic_min_base
    >>> round(asymptotic_min_base(4096), 1)
    6643.9
    """
    L = check_count(context, "context")
    return L / ci_first_zero()


# --------------------------------------------------------------- Men et al., Su: O(L)


def beta_base_min_base(context: int) -> float:
    r"""The :math:`\beta`-base analogy: :math:`b \ge L` (heuristic).

    With :math:`\beta = b^{2/d}`, the ``d/2`` "digits" of a position represent up
    to :math:`\beta^{d/2} - 1 = b - 1`, so ``L`` positions need :math:`b \ge L`.

    Source: J. Su, kexue.fm/archives/9675 (recalled in 10122). Status: heuristic.

    Examples
    --------
    >>> from ropebound.literature import beta_base_min_base
    >>> beta_base_min_base(4096)
    4096.0
    """
    return float(check_count(context, "context"))


#: Coefficient and exponent of the power law in Men et al., Figure 1.
POWER_LAW_COEFFICIENT = 0.0424
POWER_LAW_EXPONENT = 1.628


def power_law_min_base(context: int) -> float:
    r"""The descriptive fit :math:`b^* \approx 0.0424\,L^{1.628}` (fit).

    Source: Men, Xu et al., "Base of RoPE Bounds Context Length", arXiv 2405.14591,
    Figure 1, fitted to their table with ``1k = 1024`` at ``d = 128``. Status: a
    fit through rounded, partly inadmissible points; not a bound.

    Examples
    --------
    >>> from ropebound.literature import power_law_min_base
    >>> f"{power_law_min_base(4096):.3e}"
    '3.223e+04'
    """
    L = check_count(context, "context")
    return float(POWER_LAW_COEFFICIENT * float(L) ** POWER_LAW_EXPONENT)


# ------------------------------------------------- Liu et al., scaling laws (ICLR 2024)


def liu_critical_dimension(train_length: int, dim: int, base: float = 10_000.0) -> int:
    r"""Critical dimension :math:`d_{extra} = 2\lceil (d/2)\log_b(T/2\pi)\rceil` (heuristic).

    The dimensions (2 per pair) whose period :math:`2\pi b^{2i/d}` fits in the
    training length ``T`` have seen a full period in training.

    Source: X. Liu et al., "Scaling Laws of RoPE-based Extrapolation", arXiv 2310.05209,
    Lemma 1 (with ``base = 10000``; the ``log_b`` form is the stated generalisation).
    Worked: ``d = 128``, ``b = 1e4``: ``T = 4096 -> 92``, ``2048 -> 82``, ``8192 -> 100``.
    The result is clamped to ``[0, d]``.

    Examples
    --------
    >>> from ropebound.literature import liu_critical_dimension
    >>> liu_critical_dimension(4096, 128)
    92
    """
    T = check_count(train_length, "train_length")
    d = check_dim(dim)
    b = check_scalar_base(base)
    pairs = math.ceil((d / 2) * math.log(T / (2 * math.pi)) / math.log(b))
    return 2 * min(max(pairs, 0), d // 2)


def liu_critical_base(
    train_length: int, tune_length: int, pretrain_base: float = 10_000.0
) -> float:
    r"""Critical base :math:`\beta_0 = b_0^{\log_{T_{train}/2\pi}(T_{tune}/2\pi)}` (heuristic).

    Fine-tuning with a base :math:`\beta \le \beta_0` at length :math:`T_{tune}`
    extrapolates up to :math:`T_{tune}`; above it the limit is
    :func:`liu_extrapolation_limit`.

    Read as a lower bound for a context ``L = T_tune``: :math:`\beta_0` is the
    smallest base whose extrapolation limit reaches ``L``, since
    :math:`2\pi\beta_0^{x} = T_{tune}` for :math:`x = \log_{b_0}(T_{train}/2\pi)`,
    the critical dimension before rounding up (so
    ``liu_extrapolation_limit(beta_0) >= T_tune``).

    Source: X. Liu et al., arXiv 2310.05209, Theorem 3. Worked (``T_train = 4096``):
    ``T_tune = 16384 -> 71738``, ``32768 -> 192145``.

    Examples
    --------
    >>> from ropebound.literature import liu_critical_base
    >>> round(liu_critical_base(4096, 16384))
    71738
    """
    t0 = check_count(train_length, "train_length")
    t1 = check_count(tune_length, "tune_length")
    b0 = check_scalar_base(pretrain_base, "pretrain_base")
    if t0 <= 2 * math.pi:
        raise ValueError(f"train_length must be > 2*pi, got {t0}")
    exponent = math.log(t1 / (2 * math.pi)) / math.log(t0 / (2 * math.pi))
    return float(b0**exponent)


def liu_extrapolation_limit(
    base: float,
    dim: int,
    *,
    train_length: int,
    pretrain_base: float = 10_000.0,
    tune_length: int | None = None,
) -> float:
    r"""Extrapolation limit :math:`T_{extra} = 2\pi\beta^{d_{extra}/d}` (heuristic).

    :math:`d_{extra}` is :func:`liu_critical_dimension` of the pre-training
    (``train_length``, ``pretrain_base``). With ``tune_length`` given and
    :math:`\beta \le \beta_0` (:func:`liu_critical_base`) the limit is
    ``tune_length`` instead (Theorem 3's small-base branch).

    Source: X. Liu et al., arXiv 2310.05209, Theorem 3. Worked (LLaMA2, ``d = 128``,
    ``d_extra = 92``): ``1e4 -> 4712``, ``1e5 -> 24656``, ``1e6 -> 129027``.

    Examples
    --------
    >>> from ropebound.literature import liu_extrapolation_limit
    >>> round(liu_extrapolation_limit(1e4, 128, train_length=4096))
    4712
    """
    beta = check_scalar_base(base)
    d = check_dim(dim)
    check_scalar_base(pretrain_base, "pretrain_base")
    d_extra = liu_critical_dimension(train_length, d, pretrain_base)
    if tune_length is not None:
        if beta <= liu_critical_base(train_length, tune_length, pretrain_base):
            return float(check_count(tune_length, "tune_length"))
    return float(2 * math.pi * beta ** (d_extra / d))


def liu_small_base_thresholds(tune_length: int) -> tuple[float, float, float]:
    r"""Small-base thresholds :math:`(\beta_1, \beta_2, \beta_3) = (2T/\pi, T/\pi, T/2\pi)`.

    Bases below these make extrapolation improve markedly (heuristic; upper
    thresholds, not lower bounds). Source: X. Liu et al., arXiv 2310.05209.
    Worked: ``T_tune = 4096 -> (2607.6, 1303.8, 651.9)``.

    Examples
    --------
    >>> from ropebound.literature import liu_small_base_thresholds
    >>> [round(b, 1) for b in liu_small_base_thresholds(4096)]
    [2607.6, 1303.8, 651.9]
    """
    T = check_count(tune_length, "tune_length")
    return 2 * T / math.pi, T / math.pi, T / (2 * math.pi)


# ------------------------------------------------ F. Liu, phase modulation (2026)


def aliasing_min_base(context: int, *, dim: int | None = None) -> float:
    r"""Aliasing ("Nyquist-like") bound: the lowest phase must not wrap (heuristic).

    Published (lowest frequency :math:`\approx 1/b`): :math:`L < 2\pi b`, i.e.
    :math:`b > L/2\pi`. Exact finite-``d`` form (``dim = r``, lowest frequency
    :math:`b^{-(r-2)/r}`): :math:`b > (L/2\pi)^{r/(r-2)}`.

    Source: F. Liu, "Rotary Positional Embeddings as Phase Modulation", arXiv
    2602.10959. Status: heuristic (one channel).

    Examples
    --------
    >>> from ropebound.literature import aliasing_min_base
    >>> round(aliasing_min_base(4096), 1), round(aliasing_min_base(4096, dim=128), 1)
    (651.9, 722.5)
    """
    L = check_count(context, "context")
    return float((L / (2 * math.pi)) ** _finite_exponent(dim))


def dc_stability_min_base(context: int, eps: float = 0.95, *, dim: int | None = None) -> float:
    r"""DC-stability bound: :math:`\cos(L\theta_{min}) \ge \varepsilon` (heuristic).

    Published: :math:`b \ge L/\arccos\varepsilon` (``eps = 0.95``: 3.149 L).
    Exact finite-``d``: :math:`b \ge (L/\arccos\varepsilon)^{r/(r-2)}`.

    Source: F. Liu, arXiv 2602.10959 (``eps = 0.95`` in its case study).

    Examples
    --------
    >>> from ropebound.literature import dc_stability_min_base
    >>> round(dc_stability_min_base(4096) / 4096, 3)
    3.149
    """
    L = check_count(context, "context")
    e = _check_eps(eps)
    return float((L / math.acos(e)) ** _finite_exponent(dim))


def depth_min_base(
    context: int, layers: int, eps: float = 0.95, *, dim: int | None = None
) -> float:
    r"""Depth-tightened DC bound for ``N`` layers: :math:`b \ge L/\arccos(\varepsilon^{1/N})`.

    The per-layer tolerance is :math:`\varepsilon^{1/N}` because the paper
    multiplies the misalignments of independent layers. Exact finite-``d``:
    :math:`(L/\arccos\varepsilon^{1/N})^{r/(r-2)}`. Worked (``eps = 0.95``):
    ``N = 32 -> 17.67 L``, ``80 -> 27.93 L``, ``126 -> 35.05 L``.

    Source: F. Liu, arXiv 2602.10959. Status: heuristic (assumes independence
    across layers and the same vector rotated ``N`` times).

    Examples
    --------
    >>> from ropebound.literature import depth_min_base
    >>> round(depth_min_base(4096, 32) / 4096, 2)
    17.67
    """
    L = check_count(context, "context")
    n = check_count(layers, "layers")
    e = _check_eps(eps)
    return float((L / _acos_root(e, n)) ** _finite_exponent(dim))


def _acos_root(eps: float, layers: int) -> float:
    """``acos(eps**(1/layers))`` without the rounding of ``eps**(1/layers)`` to 1.

    With ``1 - eps**(1/N) = t = -expm1(ln(eps)/N)``, ``acos(1 - t) = 2 asin(sqrt(t/2))``:
    never 0 for eps < 1, however many layers (the naive form divides by 0 from ~2**53).
    """
    t = -math.expm1(math.log(eps) / layers)
    return 2.0 * math.asin(math.sqrt(t / 2.0))


def precision_ceiling(dtype: DType = "float32", *, dim: int | None = None) -> float:
    r"""Precision wall: an *upper* bound on the base, :math:`b < 1/\epsilon_{mach}`.

    The lowest frequency must stay above the phase arithmetic's machine epsilon.
    Published: :math:`b < 1/\epsilon` (float32: 8.39e6). Exact finite-``d``:
    :math:`b^{-(r-2)/r} > \epsilon`, i.e. :math:`b < \epsilon^{-r/(r-2)}`.
    :data:`MACHINE_EPSILON` lists the ``dtype`` values (float64 2^-52, float32
    2^-23, float16 2^-10, bfloat16 2^-7).

    Source: F. Liu, arXiv 2602.10959. Status: heuristic (relative epsilon used
    as an absolute phase resolution).

    Examples
    --------
    >>> from ropebound.literature import precision_ceiling
    >>> precision_ceiling("float32"), precision_ceiling("bfloat16")
    (8388608.0, 128.0)
    """
    eps_mach = _check_dtype(dtype)
    return float(eps_mach ** (-_finite_exponent(dim)))


def precision_max_context(dtype: DType = "float32", *, layers: int = 1, eps: float = 0.95) -> float:
    r"""Where the "Goldilocks zone" closes (heuristic).

    .. math:: L_{max} = \arccos(\varepsilon^{1/N}) / \epsilon_{mach}

    The depth bound :func:`depth_min_base` meets :func:`precision_ceiling`. The
    finite-``d`` forms give the same ``L_max`` (both sides carry the exponent
    ``r/(r-2)``). Worked (float32, ``eps = 0.95``): ``N = 1 -> 2.66e6``,
    ``N = 32 -> 4.75e5``. Source: F. Liu, arXiv 2602.10959 (heuristic).

    Examples
    --------
    >>> from ropebound.literature import precision_max_context
    >>> f"{precision_max_context('float32'):.3g}", f"{precision_max_context(layers=32):.3g}"
    ('2.66e+06', '4.75e+05')
    """
    eps_mach = _check_dtype(dtype)
    n = check_count(layers, "layers")
    e = _check_eps(eps)
    return _acos_root(e, n) / eps_mach


# ------------------------------------------------------ NTK-aware, YaRN, Resonance


def ntk_aware_base(base: float, scale: float, dim: int) -> float:
    r"""NTK-aware base change :math:`b' = b\,s^{d/(d-2)}` (heuristic).

    Keeps the lowest frequency's last angle: :math:`T' b'^{-(d-2)/d} = T b^{-(d-2)/d}`
    with :math:`s = T'/T`. ``dim`` is the rotary dimension (as in Hugging Face).
    Worked (``d = 128``, ``b = 1e4``): ``s = 2 -> 20221``, ``4 -> 40890``, ``8 -> 82685``.

    Source: bloc97 (2023), quoted as Eq. 6 in arXiv 2405.14591 and in YaRN
    (arXiv 2309.00071).

    Examples
    --------
    >>> from ropebound.literature import ntk_aware_base
    >>> round(ntk_aware_base(1e4, 2.0, 128))
    20221
    """
    b = check_scalar_base(base)
    s = check_real(scale, "scale", minimum="> 0")
    d = check_dim(dim)
    _finite_exponent(d)  # d = 2 has no finite-d form
    try:
        return ntk_base(b, d, s)
    except ValueError:  # the only one left: the new base is not a base
        raise ValueError(
            f"scale {s!r} gives a base * scale**(d/(d-2)) outside (1, {MAX_BASE:g}]"
        ) from None


def yarn_correction_dim(num_rotations: float, dim: int, base: float, original_length: int) -> float:
    r"""YaRN's correction dimension :math:`i(\rho) = d\ln(L/2\pi\rho)/(2\ln b)` (exact).

    The (continuous) pair index whose frequency completes :math:`\rho` rotations
    over the original length ``L``; :math:`\lceil i(1)\rceil = d_{extra}/2` of
    :func:`liu_critical_dimension`. Source: Peng et al., YaRN, arXiv 2309.00071
    (``find_correction_dim`` in Hugging Face ``modeling_rope_utils``).

    Examples
    --------
    >>> from ropebound.literature import yarn_correction_dim
    >>> round(yarn_correction_dim(1.0, 128, 1e4, 4096), 4)
    45.0269
    """
    rho = check_real(num_rotations, "num_rotations", minimum="> 0")
    d = check_dim(dim)
    b = check_scalar_base(base)
    L = check_count(original_length, "original_length")
    check_rotations(rho, L, "num_rotations")
    return correction_dim(rho, d, b, L)


def yarn_correction_range(
    dim: int,
    base: float,
    original_length: int,
    *,
    beta_fast: float = 32.0,
    beta_slow: float = 1.0,
) -> tuple[int, int]:
    r"""YaRN's ramp ``(low, high)``: ``floor(i(beta_fast))``, ``ceil(i(beta_slow))``, clamped.

    Clamped to ``[0, d - 1]`` as in Hugging Face ``find_correction_range``.
    Source: YaRN, arXiv 2309.00071 (defaults ``beta_fast = 32``, ``beta_slow = 1``).

    Examples
    --------
    >>> from ropebound.literature import yarn_correction_range
    >>> yarn_correction_range(128, 1e4, 4096)
    (20, 46)
    """
    d = check_dim(dim)
    fast = check_real(beta_fast, "beta_fast", minimum="> 0")
    slow = check_real(beta_slow, "beta_slow", minimum="> 0")
    b = check_scalar_base(base)
    L = check_count(original_length, "original_length")
    check_rotations(fast, L, "beta_fast")
    check_rotations(slow, L, "beta_slow")
    low, high = correction_range(d, b, L, fast, slow, truncate=True)
    return int(low), int(high)


def resonance_frequencies(theta: npt.ArrayLike) -> FloatArray:
    r"""Resonance RoPE: round every wavelength to an integer (exact transform).

    :math:`\tilde\lambda_i = \mathrm{round}(2\pi/\theta_i)`,
    :math:`\tilde\theta_i = 2\pi/\tilde\lambda_i`; zero frequencies (unrotated
    pairs) stay zero. Takes and returns a frequency array, so it composes with
    any scaling scheme (scale first, then round, as the reference code does).

    Source: Wang et al., "Resonance RoPE", arXiv 2403.00071 (Findings ACL 2024).

    Raises
    ------
    ValueError
        On negative or non-finite entries, or a wavelength that rounds to 0
        (``theta > 4*pi``).

    Examples
    --------
    >>> import numpy as np
    >>> from ropebound.literature import resonance_frequencies
    >>> wavelengths = 2 * np.pi / resonance_frequencies([1.0, 0.1])
    >>> wavelengths.round(9)
    array([ 6., 63.])
    >>> resonance_frequencies([0.0])
    array([0.])
    """
    try:
        t = np.asarray(theta, dtype=np.float64)
    except OverflowError:  # an integer beyond the doubles
        raise ValueError("theta must be finite and <= 4*pi") from None
    except (TypeError, ValueError) as exc:
        raise TypeError("theta must be an array of real frequencies") from exc
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError("theta must be finite and >= 0")
    if np.any(t > 4 * np.pi):
        raise ValueError("theta must be <= 4*pi (a wavelength below 1/2 rounds to 0)")
    out = np.zeros_like(t)
    nz = t > 0
    # np.round rounds halves to even; the reference code (torch.round) does too.
    out[nz] = 2 * np.pi / np.round(2 * np.pi / t[nz])
    return out


def pre_critical_pairs(base: float, dim: int, train_length: int) -> int:
    r"""Resonance RoPE's pre-critical pair count :math:`\#\{i : \lambda_i \le L_{train}\}`.

    Pairs whose wavelength fits in training see every phase there (46 for
    ``b = 1e4``, ``d = 128``, ``L = 4096``). Source: arXiv 2403.00071.

    Examples
    --------
    >>> from ropebound.literature import pre_critical_pairs
    >>> pre_critical_pairs(1e4, 128, 4096)
    46
    """
    L = check_count(train_length, "train_length")
    table = frequency_table(base, dim)
    theta = np.asarray(table.hi, dtype=np.float64)
    return int(np.count_nonzero(2 * np.pi / theta <= L))


# ------------------------------------------------------------------------- RoFormer


def roformer_relative_bound(
    length: int,
    base: float,
    dim: int,
    *,
    rotary_dim: int | None = None,
    start: int = 0,
    return_error: bool = False,
) -> FloatArray | tuple[FloatArray, FloatArray]:
    r"""RoFormer's relative upper bound of the attention logit, for consecutive ``m``.

    .. math:: \frac{1}{d/2}\sum_{n=1}^{d/2} |S_n(m)|, \qquad
              S_n(m) = \sum_{l=0}^{n-1} e^{i m\theta_l},

    for ``m = start ... start + length - 1``. By Abel summation
    :math:`|q^T R_m k| \le \max_l |h_l - h_{l+1}|\sum_n |S_n|` (exact identity).
    Pairs in frequency order, the ``(d - r)/2`` unrotated ones (theta = 0) last;
    ``m = 0`` gives ``(d/2 + 1)/2``.

    Source: Su et al., "RoFormer", arXiv 2104.09864, Sec. 3.4.3 (Fig. 2), restated
    as Eq. 7 of arXiv 2405.14591. Status: exact.

    Computed by the C++ core from exact phases (as in :func:`ropebound.decay_sum`),
    OpenMP over ``m``. With ``return_error=True`` also returns per-element
    rigorous bounds (about 1e-13 at ``d = 128``).

    Examples
    --------
    >>> from ropebound.literature import roformer_relative_bound
    >>> curve = roformer_relative_bound(4096, 1e4, 128)
    >>> curve.shape, bool(curve[0] >= curve[-1])
    ((4096,), True)
    """
    s = check_start(start)
    n = check_length(length, start=s, arrays=2)  # values and errors
    return_error = check_bool(return_error, "return_error")
    table = frequency_table(base, dim, rotary_dim)
    values, errors = _core.roformer_curve(table, s, n)
    return (values, errors) if return_error else values


# -------------------------------------------------------------------------- compare


@dataclass(frozen=True)
class BoundRow:
    """One lower bound on the base for a context length.

    ``admissible`` is ``max_context(base, ...) >= context`` (the decay criterion
    holds for the whole window at that base), or ``None`` when ``base`` is not a
    valid base (``<= 1`` or above 1e250).
    """

    name: str
    base: float
    kind: Kind
    source: str
    admissible: bool | None


@dataclass(frozen=True)
class Ceiling:
    """An upper bound on the base (the precision wall), listed beside the rows."""

    name: str
    base: float
    source: str


@dataclass(frozen=True)
class ComparisonTable:
    """Every published lower bound on the base for ``context``, beside the exact b*.

    ``rows[0]`` is the exact :math:`b^*` from :func:`ropebound.min_base`;
    ``certified`` and ``critical_distance`` come from its ``BaseBound``.
    """

    context: int
    dim: int
    rotary_dim: int
    inclusive: bool
    certified: bool
    critical_distance: int | None
    rows: tuple[BoundRow, ...]
    ceilings: tuple[Ceiling, ...]

    @property
    def exact(self) -> BoundRow:
        return self.rows[0]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def format(self) -> str:
        """An aligned text table (one line per row, then the ceilings)."""
        exact = self.exact.base
        conv = "0..L" if self.inclusive else "0..L-1"
        head = (
            f"context L = {self.context}, dim = {self.dim}, rotary_dim = {self.rotary_dim}, "
            f"distances {conv}"
        )
        lines = [head, ""]
        header = ("relation", "base >=", "x b*", "kind", "admissible", "source")
        body = []
        for row in self.rows:
            adm = "n/a" if row.admissible is None else ("yes" if row.admissible else "NO")
            # The exact b* is the one certified number on the page: shown in full.
            shown = f"{row.base:.10g}" if row is self.exact else f"{row.base:.4g}"
            body.append((row.name, shown, f"{row.base / exact:.3g}", row.kind, adm, row.source))
        widths = [max(len(r[k]) for r in [header, *body]) for k in range(len(header))]

        def fmt(cells: Sequence[str]) -> str:
            parts = [
                c.rjust(w) if k in (1, 2) else c.ljust(w)
                for k, (c, w) in enumerate(zip(cells, widths, strict=True))
            ]
            return "  ".join(parts).rstrip()

        lines.append(fmt(header))
        lines.append(fmt(["-" * w for w in widths]))
        lines.extend(fmt(r) for r in body)
        if not self.certified:
            lines.append("note: the exact b* could not be certified (see ropebound.min_base)")
        if self.ceilings:
            lines += ["", "precision ceilings (upper bounds on the base, heuristic):"]
            w = max(len(c.name) for c in self.ceilings)
            lines.extend(f"  {c.name.ljust(w)}  base <  {c.base:.4g}" for c in self.ceilings)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


def _admissible(
    base: float, context: int, dim: int, rotary_dim: int, inclusive: bool
) -> bool | None:
    if not 1.0 < base <= MAX_BASE:
        return None
    # The scan costs ~limit * d/2 terms, and only distances up to L matter: any
    # limit above every distance of the window (L, inclusive) decides
    # max_context(...) >= context, with "None" (none negative below the limit)
    # meaning admissible.
    limit = context + 2
    first = max_context(base, dim, rotary_dim=rotary_dim, limit=limit, inclusive=inclusive)
    return first is None or first >= context


def compare(
    context: int,
    dim: int,
    *,
    rotary_dim: int | None = None,
    inclusive: bool = False,
    eps: float = 0.95,
    layers: int = 32,
    train_length: int = 4096,
    pretrain_base: float = 10_000.0,
) -> ComparisonTable:
    r"""Every published lower bound on the base for ``context``, next to the exact b*.

    Rows: the exact :math:`b^*` (:func:`ropebound.min_base`), Su's asymptotic
    :math:`L/x_0`, the :math:`\beta`-base :math:`L`, the power-law fit, X. Liu's
    critical base (for a model pre-trained at
    ``train_length`` with ``pretrain_base``), the NTK-aware base for that
    pre-training scaled to ``L``, and F. Liu's aliasing, DC-stability (``eps``) and
    depth (``layers``) bounds in the published and the exact finite-``d`` forms.
    Each row's ``admissible`` is ``max_context(base, dim, rotary_dim=...,
    inclusive=...) >= context``. The precision walls per dtype are listed as
    ``ceilings``.

    Parameters
    ----------
    context : int
        Context length ``L`` (distances ``0 ... L-1``, or ``0 ... L`` with
        ``inclusive=True``).
    dim, rotary_dim : int
        Head dimension and rotary dimension (``r <= d``, default ``d``).
    inclusive : bool
        The paper's convention (distances up to ``L``) for b* and admissibility.
    eps, layers, train_length, pretrain_base
        The knobs of the heuristics (defaults: the case study's ``eps = 0.95``,
        32 layers, LLaMA2's 4096 tokens at base 1e4).

    Examples
    --------
    >>> from ropebound.literature import compare
    >>> table = compare(4096, 128)
    >>> exact = table.exact
    >>> exact.name, round(exact.base, 2), exact.admissible
    ('exact b* (decay sum >= 0)', 26952.34, True)
    >>> [row.name for row in table.rows if row.admissible]
    ['exact b* (decay sum >= 0)', 'depth N=32 eps=0.95 (1/b)', 'depth N=32 eps=0.95 (exact)']
    """
    L = check_count(context, "context")
    d = check_dim(dim)
    r = check_rotary_dim(d, rotary_dim)
    if not isinstance(inclusive, (bool, np.bool_)):
        raise TypeError(f"inclusive must be a bool, got {inclusive!r}")
    e = _check_eps(eps)
    n_layers = check_count(layers, "layers")
    train_length = check_count(train_length, "train_length")
    pretrain_base = check_scalar_base(pretrain_base, "pretrain_base")
    exact = min_base(L, d, rotary_dim=r, inclusive=bool(inclusive))

    spec: list[tuple[str, float, Kind, str]] = [
        ("exact b* (decay sum >= 0)", float(exact.base), "exact", _SRC_MEN),
        ("asymptotic L/x0 (d -> inf)", asymptotic_min_base(L), "asymptotic", _SRC_SU),
        ("beta-base analogy b >= L", beta_base_min_base(L), "heuristic", _SRC_SU_BETA),
        ("power-law fit 0.0424 L^1.628", power_law_min_base(L), "fit", _SRC_MEN),
    ]
    if L > train_length:
        spec += [
            (
                f"critical base (T_train={train_length})",
                liu_critical_base(train_length, L, pretrain_base),
                "heuristic",
                _SRC_SCALING,
            ),
        ]
    if r >= 4:
        scale = max(1.0, L / train_length)
        spec.append(
            (
                f"NTK-aware {pretrain_base:g}@{train_length} -> L",
                ntk_aware_base(pretrain_base, scale, r),
                "heuristic",
                _SRC_NTK,
            )
        )
    for label, finite in (("1/b", None), ("exact", r)):
        if finite is not None and r < 4:
            continue
        spec += [
            (f"aliasing ({label})", aliasing_min_base(L, dim=finite), "heuristic", _SRC_PHASE),
            (
                f"DC stability eps={e:g} ({label})",
                dc_stability_min_base(L, e, dim=finite),
                "heuristic",
                _SRC_PHASE,
            ),
            (
                f"depth N={n_layers} eps={e:g} ({label})",
                depth_min_base(L, n_layers, e, dim=finite),
                "heuristic",
                _SRC_PHASE,
            ),
        ]
    rows = tuple(
        BoundRow(name, base, kind, source, _admissible(base, L, d, r, bool(inclusive)))
        for name, base, kind, source in spec
    )
    ceilings: list[Ceiling] = []
    dtypes: tuple[DType, ...] = ("bfloat16", "float16", "float32", "float64")
    for dtype in dtypes:
        ceilings.append(Ceiling(f"{dtype} (1/b)", precision_ceiling(dtype), _SRC_PHASE))
        if r >= 4:
            ceilings.append(
                Ceiling(f"{dtype} (exact)", precision_ceiling(dtype, dim=r), _SRC_PHASE)
            )
    return ComparisonTable(
        context=L,
        dim=d,
        rotary_dim=r,
        inclusive=bool(inclusive),
        certified=bool(exact.certified),
        critical_distance=exact.critical_distance,
        rows=rows,
        ceilings=tuple(ceilings),
    )


def plot_comparison(
    contexts: Sequence[int],
    dim: int,
    path: str | Path,
    *,
    rotary_dim: int | None = None,
    inclusive: bool = False,
) -> Path:
    """Plot every lower bound of :func:`compare` against ``L`` on log-log axes.

    The exact b* is drawn as a thick line; heuristics dashed. Needs matplotlib
    (``pip install ropebound[plot]``); imported here so the package does not.
    Returns the path written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ropebound.literature import plot_comparison
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     plot_comparison([1024, 2048], 128, pathlib.Path(folder) / "compare.png").name
    'compare.png'
    """
    plt = pyplot()
    if isinstance(contexts, (str, bytes)) or len(contexts) == 0:
        raise ValueError("contexts must be a non-empty sequence of context lengths")
    tables = [compare(L, dim, rotary_dim=rotary_dim, inclusive=inclusive) for L in contexts]
    xs = [t.context for t in tables]
    names = [row.name for row in tables[-1].rows]
    fig, ax = plt.subplots(figsize=(8, 5.5))
    for name in names:
        pts = [(t.context, row.base) for t in tables for row in t.rows if row.name == name]
        style: dict[str, Any] = {"lw": 3, "color": "k"} if name == names[0] else {"ls": "--"}
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=".", label=name, **style)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("context length L")
    ax.set_ylabel("lower bound on the RoPE base")
    ax.set_title(f"RoPE base lower bounds, d = {tables[0].dim}")
    ax.set_xlim(min(xs), max(xs))
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    out = Path(path)
    fig.savefig(out, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return out


__all__ = [
    "MACHINE_EPSILON",
    "POWER_LAW_COEFFICIENT",
    "POWER_LAW_EXPONENT",
    "BoundRow",
    "Ceiling",
    "ComparisonTable",
    "aliasing_min_base",
    "asymptotic_decay_sum",
    "asymptotic_min_base",
    "beta_base_min_base",
    "ci_first_zero",
    "compare",
    "cosine_integral",
    "dc_stability_min_base",
    "depth_min_base",
    "liu_critical_base",
    "liu_critical_dimension",
    "liu_extrapolation_limit",
    "liu_small_base_thresholds",
    "ntk_aware_base",
    "plot_comparison",
    "power_law_min_base",
    "pre_critical_pairs",
    "precision_ceiling",
    "precision_max_context",
    "resonance_frequencies",
    "roformer_relative_bound",
    "yarn_correction_dim",
    "yarn_correction_range",
]
