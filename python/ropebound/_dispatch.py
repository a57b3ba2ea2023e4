"""Run-time choice of the compiled core's variant, and :func:`cpu_info`.

The probe ``_cpuid`` (compiled for the plainest CPU of the architecture) says
which levels the CPU and its OS support; the best variant the build holds and
the CPU supports is imported. A higher variant is never imported on a CPU that
lacks its instructions: its static initialisers may already use them.
``ROPEBOUND_CPU`` forces a lower variant (for tests and bug reports).
"""

from __future__ import annotations

import importlib
import os
import platform
import warnings
from dataclasses import dataclass
from types import ModuleType

from . import _cpuid

#: Variants from lowest to highest; ``native`` (a ROPEBOUND_NATIVE build) stands alone.
LEVELS = ("baseline", "avx2", "avx512")
ENV = "ROPEBOUND_CPU"


@dataclass(frozen=True)
class CpuInfo:
    """Which compiled kernels run, and why (see :func:`cpu_info`).

    Attributes
    ----------
    variant : str
        The variant imported: ``"baseline"`` (x86-64-v2: SSE4.2, or the one
        portable variant off x86), ``"avx2"`` (x86-64-v3: AVX2 and FMA),
        ``"avx512"`` (x86-64-v4) or ``"native"`` (a build with
        ``ROPEBOUND_NATIVE=ON``, for the building machine only).
    built : tuple of str
        The variants this build holds.
    supported : tuple of str
        The levels this CPU and its operating system support.
    forced : str or None
        The value of ``ROPEBOUND_CPU`` when set, else None.
    machine : str
        ``platform.machine()``.

    Examples
    --------
    >>> import ropebound as rb
    >>> info = rb.cpu_info()
    >>> info.variant in info.built
    True
    """

    variant: str
    built: tuple[str, ...]
    supported: tuple[str, ...]
    forced: str | None
    machine: str


def _choose() -> CpuInfo:
    built = tuple(_cpuid.variants.split(","))
    supported = tuple(level for level in LEVELS if _cpuid.supports(level))
    forced = os.environ.get(ENV) or None
    if forced is not None and forced not in (*LEVELS, "native"):
        raise ValueError(
            f"{ENV}={forced!r}: must be one of 'baseline', 'avx2', 'avx512' (or 'native' for a "
            f"ROPEBOUND_NATIVE build), or unset for the best variant this CPU supports"
        )
    if built == ("native",):
        if forced not in (None, "native"):
            warnings.warn(
                f"{ENV}={forced!r} ignored: this ropebound was built with ROPEBOUND_NATIVE=ON "
                "and holds only the variant for the building machine",
                RuntimeWarning,
                stacklevel=3,
            )
        return CpuInfo("native", built, supported, forced, platform.machine())
    if _cpuid.x86_levels and "baseline" not in supported:
        raise ImportError(
            "ropebound needs an x86-64-v2 CPU (SSE4.2, POPCNT), the level numpy's wheels require; "
            "this CPU lacks it"
        )
    runnable = [v for v in built if v in supported]
    best = max(runnable, key=LEVELS.index)
    variant = best
    if forced is not None:
        if forced in runnable:
            variant = forced
        else:
            why = "this CPU does not support it" if forced in built else "this build lacks it"
            warnings.warn(
                f"{ENV}={forced!r} ignored ({why}); running the {best!r} variant",
                RuntimeWarning,
                stacklevel=3,
            )
    return CpuInfo(variant, built, supported, forced, platform.machine())


_INFO: CpuInfo | None = None


def load_core() -> ModuleType:
    """Choose the variant (once per process) and import its module."""
    global _INFO
    if _INFO is None:
        _INFO = _choose()
    return importlib.import_module(f"ropebound._core_{_INFO.variant}")


def cpu_info() -> CpuInfo:
    """Which variant of the compiled kernels this process runs, and why.

    On x86-64 the default build holds three variants of the compiled core,
    for x86-64-v2 (SSE4.2), x86-64-v3 (AVX2 and FMA) and x86-64-v4 (AVX-512);
    the best one the CPU supports is chosen at import. The environment variable
    ``ROPEBOUND_CPU=baseline|avx2|avx512``, set before ``import ropebound``,
    forces a lower variant; asking for one the CPU or the build lacks warns and
    runs the best available instead. Certified answers (``min_base``,
    ``max_context``, ``staircase``, ``admissible_bases``) are identical on
    every variant; ``decay_sum`` and ``decay_curve`` values agree within their
    error bounds.

    Returns
    -------
    CpuInfo
        The variant running, the variants built, the levels the CPU supports,
        and the forced value.

    Examples
    --------
    >>> import ropebound as rb
    >>> info = rb.cpu_info()
    >>> info.variant in info.built
    True
    >>> info.variant in info.supported or info.variant == "native"
    True
    """
    load_core()
    assert _INFO is not None
    return _INFO
