"""ropebound: exact, certified bounds relating the RoPE base and the context length.

Modules: :mod:`ropebound.decay` (the decay sum and frequencies),
:mod:`ropebound.bounds` (max context of a base, minimal base of a context,
staircase, admissible intervals, sweeps), :mod:`ropebound.scaling` (RoPE scaling
schemes of model configs), :mod:`ropebound.config` (model-config audit),
:mod:`ropebound.precision` (float32 "as implemented" against exact).
"""

# No `from __future__ import annotations` here: it would be the attribute
# ropebound.annotations (there are no annotations in this file to defer).
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
from .literature import compare
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
    "compare",
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
