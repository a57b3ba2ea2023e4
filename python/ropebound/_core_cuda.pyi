# Stubs of the optional CUDA module (built with ROPEBOUND_CUDA=ON).
#
# Tables are passed as the arrays of a _core.FrequencyTable (hi, lo, rel_err,
# constant) so that this module does not depend on _core's compiled types.
# emulate=True runs the same kernel code serially on the host (tests only).
# geometry = (blocks_per_launch, curve_chunk, scan_window, max_context_window)
# overrides how the drivers cut their work (default: 2^16, 2^26, 2^20, 2^15); tests
# pass small sizes to run several launches, chunks and windows cheaply.
# Every function raises RuntimeError on a failed CUDA call (the message carries
# cudaGetErrorString) or when no device is present (unless emulate=True).
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

_F64 = npt.NDArray[np.float64]
_Progress = Callable[[int, int], Any] | None

def device_count() -> int:
    """Usable CUDA devices; 0 without a device or driver (never raises)."""

def device_description() -> str: ...
def curve_error_bound(
    hi: npt.ArrayLike,
    lo: npt.ArrayLike,
    rel_err: npt.ArrayLike,
    constant: float,
    last_distance: int,
) -> float:
    """The CUDA kernel's own rigorous bound; never above _core.decay_curve_error_bound."""

def decay_curve(
    hi: npt.ArrayLike,
    lo: npt.ArrayLike,
    rel_err: npt.ArrayLike,
    constant: float,
    start: int,
    length: int,
    progress: _Progress = None,
    emulate: bool = False,
    geometry: tuple[int, int, int, int] | None = None,
) -> _F64:
    """B_m for m in [start, start+length); |error| <= _core.decay_curve_error_bound(table, last)."""

def scan_violators(
    hi: npt.ArrayLike,
    lo: npt.ArrayLike,
    rel_err: npt.ArrayLike,
    constant: float,
    start: int,
    length: int,
    progress: _Progress = None,
    emulate: bool = False,
    geometry: tuple[int, int, int, int] | None = None,
) -> tuple[int, npt.NDArray[np.uint64], float]:
    """(first, uncertain, bound) over [start, start+length).

    first: smallest m with certified B_m < 0 (value < -bound), or -1.
    uncertain: sorted m < first (all m in range when first == -1) with
    |value| <= bound, for the caller to decide with an exact evaluator.
    bound: the error bound used (curve_error_bound for the last distance).
    """

def max_context(
    bases: npt.ArrayLike,
    dim: int,
    rotary_dim: int,
    limit: int,
    progress: _Progress = None,
    emulate: bool = False,
    geometry: tuple[int, int, int, int] | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64]]:
    """(first, unknown) per base: min{m < limit : B_m < 0} or -1, and how many
    signs stayed unknown. Uncertain device values are decided on the host as the
    CPU decides them (decay_sum, then decay_sum_precise). Bases must be in
    (1, 1e250] (ValueError otherwise)."""
