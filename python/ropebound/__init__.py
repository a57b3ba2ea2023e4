"""ropebound: exact, certified bounds relating the RoPE base and the context length.

Modules: :mod:`ropebound.decay` (the decay sum and frequencies),
:mod:`ropebound.bounds` (max context of a base, minimal base of a context,
staircase, admissible intervals, sweeps), :mod:`ropebound.scaling` (RoPE scaling
schemes of model configs), :mod:`ropebound.config` (model-config audit),
:mod:`ropebound.precision` (float32 "as implemented" against exact).
"""

from __future__ import annotations

from . import literature
from ._dispatch import CpuInfo, cpu_info
from .bounds import (
    BaseBound,
    Staircase,
    UncertifiedWarning,
    admissible_bases,
    max_context,
    min_base,
    staircase,
    sweep_min_base,
)
from .config import ConfigReport, check_config, models
from .decay import decay_curve, decay_sum, frequencies
from .precision import PrecisionReport, precision_report
from .scaling import scaled_frequencies

__version__ = "0.1.0"

__all__ = [
    "BaseBound",
    "ConfigReport",
    "CpuInfo",
    "PrecisionReport",
    "Staircase",
    "UncertifiedWarning",
    "__version__",
    "admissible_bases",
    "check_config",
    "cpu_info",
    "decay_curve",
    "decay_sum",
    "frequencies",
    "literature",
    "max_context",
    "min_base",
    "models",
    "precision_report",
    "scaled_frequencies",
    "staircase",
    "sweep_min_base",
]
