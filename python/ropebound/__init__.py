"""ropebound: exact, certified bounds relating the RoPE base and the context length.

See ``SPEC``-level definitions in the module docstrings: :mod:`ropebound.decay`
(the decay sum and frequencies).
"""

from __future__ import annotations

from .config import ConfigReport, check_config, models
from .decay import decay_curve, decay_sum, frequencies
from .scaling import scaled_frequencies

__version__ = "0.1.0"

__all__ = [
    "ConfigReport",
    "__version__",
    "check_config",
    "decay_curve",
    "decay_sum",
    "frequencies",
    "models",
    "scaled_frequencies",
]
