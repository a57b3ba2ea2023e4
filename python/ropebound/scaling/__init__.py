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

Layout: one module per scheme (``default``, ``linear``, ``ntk``, ``dynamic``, ``yarn``,
``llama3``, ``longrope``), each a ``SCHEME`` with its parser, exact formula, float32 recipe
and piecewise terms, listed in the one table ``_registry.SCHEMES``; ``_parse`` reads a dict,
``_model`` builds the solver's piecewise model. Nothing here imports the public API.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .._validate import (
    MAX_BASE,
    check_dim,
    check_rotary_dim,
    check_scalar_base,
    check_seq_len,
)
from ._base import RopeScaling, length, real, where
from ._model import FrequencyModel, FrequencySegment, frequency_model
from ._parse import ROPE_TYPES, parse_scaling, rope_type_of
from ._registry import SCHEMES

Precision = Literal["exact", "float32"]

__all__ = [
    "ROPE_TYPES",
    "FrequencyModel",
    "FrequencySegment",
    "RopeScaling",
    "attention_factor",
    "frequency_model",
    "ntk_base",
    "parse_scaling",
    "rope_type_of",
    "scaled_frequencies",
]


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
    b = check_scalar_base(base)
    d = check_dim(dim)
    s = real(factor, "factor", "ntk")
    if d == 2:
        return b
    try:
        changed = b * float(s ** (d / (d - 2)))
    except OverflowError:
        changed = math.inf
    if not 1.0 < changed <= MAX_BASE:
        raise ValueError(
            f"{where('ntk')}: 'factor' {s!r} gives the base b * factor**(d/(d-2)) = "
            f"{changed!r}, outside (1, {MAX_BASE:g}]"
        )
    return changed


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

    The scaling layer's implementation of :func:`ropebound.frequencies`, which is the
    canonical public name (it calls this); both give the same arrays.

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
    b = check_scalar_base(base)
    n = check_seq_len(seq_len, scaling)
    if precision not in ("exact", "float32"):
        raise ValueError(f"precision must be 'exact' or 'float32', got {precision!r}")
    p = parse_scaling(scaling, r)
    scheme = SCHEMES[p.rope_type]
    # Parameters that pass their own checks can still overflow together (a longrope factor
    # of 5e-324 is positive; 1/5e-324 is not a double): reported here, not returned.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        theta = scheme.exact(b, r, p, n) if precision == "exact" else scheme.float32(b, r, p, n)
    if not np.all(np.isfinite(theta)):
        arithmetic = "float64" if precision == "exact" else "float32"
        raise ValueError(
            f"{where(p.rope_type)}: these parameters give frequencies that are not finite "
            f"in {arithmetic} at base {b!r} (a factor beyond {arithmetic}'s range)"
        )
    return theta


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
        length(max_position_embeddings, "max_position_embeddings", t)
    # Validated whatever the type: a malformed dict is an error even where the factor is 1.
    parse_scaling(scaling)
    if scaling is None:
        return 1.0
    merged = dict(scaling)
    if max_position_embeddings is not None:
        merged.setdefault("max_position_embeddings", max_position_embeddings)
    factor = SCHEMES[t].attention(parse_scaling(merged))
    if not math.isfinite(factor):
        raise ValueError(f"{where(t)}: these parameters give an attention factor of {factor!r}")
    return factor


# The public objects are documented (and their doctests run) as ropebound.scaling.*.
for _obj in (
    FrequencyModel,
    FrequencySegment,
    RopeScaling,
    frequency_model,
    parse_scaling,
    rope_type_of,
):
    _obj.__module__ = __name__
del _obj
