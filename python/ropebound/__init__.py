"""ropebound: exact, certified bounds relating the RoPE base and the context length.

See ``SPEC``-level definitions in the module docstrings: :mod:`ropebound.decay`
(the decay sum and frequencies).
"""

from __future__ import annotations

from . import literature
from .decay import decay_curve, decay_sum, frequencies

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "decay_curve",
    "decay_sum",
    "frequencies",
    "literature",
]
