"""Which evaluator a call uses: plain RoPE, an explicit or scaled table, or float32.

Every public function that evaluates B_m accepts the same selectors:

* ``scaling`` — a Hugging Face ``rope_scaling`` / ``rope_parameters`` dict
  (:mod:`ropebound.scaling`), with ``seq_len`` for the schemes that depend on it;
* ``precision`` — ``"exact"`` (real-number math on the frequencies), ``"float32"``
  (the phase ``fl32(fl32(m) * theta32)`` of float32 inference stacks, cos in float64
  of that phase) or ``"bfloat16-table"`` (the same, each cos rounded to bfloat16);
* ``frequencies`` — an explicit table of angular frequencies in place of
  ``base``/``dim`` (zero entries allowed: they add cos 0 = 1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _core
from ._validate import (
    check_base,
    check_dim,
    check_frequencies,
    check_rotary_dim,
)
from ._validate import (
    check_precision as check_precision,  # re-exported: bounds.py calls it from here
)
from .scaling import frequency_model, scaled_frequencies


@dataclass(frozen=True)
class Evaluator:
    """A compiled table: ``exact`` (double-double or explicit doubles) or ``float32``."""

    exact: _core.FrequencyTable | None = None
    float32: _core.Float32Table | None = None


def core_model(
    d: int, r: int, scaling: Mapping[str, Any] | None, seq_len: int | None
) -> _core.PiecewiseModel | None:
    """The compiled exact piecewise model of ``scaling`` (the one min_base's search
    uses), or None when the scheme has no such model (YaRN without truncation)."""
    try:
        fm = frequency_model(d, rotary_dim=r, scaling=scaling, seq_len=seq_len)
    except ValueError:
        return None
    return _core.PiecewiseModel.scaled(fm)


def is_plain(scaling: Mapping[str, Any] | None, precision: str, frequencies: Any) -> bool:
    """Plain RoPE in exact arithmetic: the double-double tables of the core."""
    return scaling is None and precision == "exact" and frequencies is None


def build(
    base: Any,
    dim: Any,
    rotary_dim: Any,
    *,
    scaling: Mapping[str, Any] | None,
    precision: str,
    frequencies: Any,
    seq_len: int | None,
) -> Evaluator:
    """The evaluator for one base (or one explicit table)."""
    precision = check_precision(precision)
    if frequencies is not None:
        if base is not None or dim is not None or scaling is not None:
            raise TypeError("frequencies= replaces base, dim and scaling: pass None for those")
        theta = check_frequencies(frequencies)
        if precision == "exact":
            return Evaluator(exact=_core.FrequencyTable.explicit(theta.astype(np.float64)))
        if np.max(theta) > np.finfo(np.float32).max:
            raise ValueError(
                f"frequencies must be <= {float(np.finfo(np.float32).max):.7g} (float32's "
                f"largest) with precision={precision!r}, got {float(np.max(theta))!r}"
            )
        return Evaluator(
            float32=_core.Float32Table(theta.astype(np.float32), 0.0, precision == "bfloat16-table")
        )
    return builder(dim, rotary_dim, scaling=scaling, precision=precision, seq_len=seq_len)(base)


def builder(
    dim: Any,
    rotary_dim: Any,
    *,
    scaling: Mapping[str, Any] | None,
    precision: str,
    seq_len: int | None,
) -> Callable[[Any], Evaluator]:
    """:func:`build` for many bases of one (dim, scaling, precision): what does not depend
    on the base (the checks, the exact piecewise model) is done once, here."""
    precision = check_precision(precision)
    d = check_dim(dim)
    r = check_rotary_dim(d, rotary_dim)
    unrotated = (d - r) // 2
    # The same exact model as min_base's search (double-double powers of the base), so
    # that both certify the same function of the base.
    exact_model = (
        core_model(d, r, scaling, seq_len) if precision == "exact" and scaling is not None else None
    )

    def for_base(base: Any) -> Evaluator:
        b = check_base(base)
        if b.ndim != 0:
            raise TypeError("base must be a scalar here")
        if scaling is None and precision == "exact":
            return Evaluator(exact=_core.FrequencyTable.rope(float(b), d, r))
        if precision == "exact":
            if exact_model is not None:
                return Evaluator(exact=exact_model.table(float(b)))
            theta = scaled_frequencies(float(b), d, rotary_dim=r, scaling=scaling, seq_len=seq_len)
            full = np.concatenate([np.asarray(theta, dtype=np.float64), np.zeros(unrotated)])
            return Evaluator(exact=_core.FrequencyTable.explicit(full))
        # (A factor beyond float32's range is a ValueError of scaled_frequencies.)
        theta32 = scaled_frequencies(
            float(b), d, rotary_dim=r, scaling=scaling, seq_len=seq_len, precision="float32"
        )
        return Evaluator(
            float32=_core.Float32Table(
                np.asarray(theta32, dtype=np.float32),
                float(unrotated),
                precision == "bfloat16-table",
            )
        )

    return for_base
