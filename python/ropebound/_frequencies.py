"""The bottom layer: plain RoPE frequency tables.

Everything above (:mod:`ropebound.scaling`, :mod:`ropebound.decay`, the bounds) gets
:math:`\\theta_i = b^{-2i/r}` from here, so that no module needs the public API to build a
table. Scaled models reach the core as :class:`_core.PiecewiseModel` (built from
:func:`ropebound.scaling.frequency_model`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from . import _core
from ._validate import check_base, check_dim, check_rotary_dim


def frequency_table(base: Any, dim: Any, rotary_dim: Any = None) -> _core.FrequencyTable:
    """The compiled double-double frequency table for one base (validated).

    Examples
    --------
    >>> from ropebound.decay import frequency_table
    >>> table = frequency_table(1e4, 8)
    >>> [float(h) for h in table.hi]
    [1.0, 0.1, 0.01, 0.001]
    """
    d = check_dim(dim)
    r = check_rotary_dim(d, rotary_dim)
    b = check_base(base)
    if b.ndim != 0:
        raise TypeError("base must be a scalar here")
    return _core.FrequencyTable.rope(float(b), d, r)


def plain_frequencies(base: Any, dim: Any, rotary_dim: Any = None) -> npt.NDArray[np.float64]:
    """:math:`b^{-2i/r}`, each the double nearest to the core's double-double value."""
    table = frequency_table(base, dim, rotary_dim)
    return np.asarray(table.hi + table.lo, dtype=np.float64)
