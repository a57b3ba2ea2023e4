"""Choosing the compute backend: ``"cpu"``, ``"cuda"`` or ``"auto"``.

The CUDA backend is the optional compiled module ``ropebound._core_cuda``
(built with ``pip install . -Ccmake.define.ROPEBOUND_CUDA=ON``). Its results
agree with the CPU's within the same stated error bounds (user guide, 'Precision
contract'), so ``"auto"`` may pick either.
"""

from __future__ import annotations

from types import ModuleType

_cuda_module: ModuleType | None
try:
    from . import _core_cuda

    _cuda_module = _core_cuda
except ImportError:  # built without ROPEBOUND_CUDA: the CPU backend only
    _cuda_module = None

BACKENDS = ("cpu", "cuda", "auto")


def cuda_module() -> ModuleType | None:
    """The compiled CUDA module, or None when this build has none."""
    return _cuda_module


def cuda_unavailable_reason() -> str | None:
    """Why ``backend="cuda"`` cannot run here, or None when it can."""
    module = cuda_module()
    if module is None:
        return (
            "ropebound was built without the CUDA backend (no ropebound._core_cuda module); "
            "rebuild with: pip install . -Ccmake.define.ROPEBOUND_CUDA=ON"
        )
    if module.device_count() == 0:
        return (
            "the CUDA backend is built, but no CUDA device is available "
            "(cudaGetDeviceCount() == 0: no GPU, or no working driver)"
        )
    return None


def select_backend(backend: str) -> str:
    """Resolve ``backend`` to ``"cpu"`` or ``"cuda"``.

    Parameters
    ----------
    backend : {"cpu", "cuda", "auto"}
        ``"cuda"`` requires the CUDA module and a device; ``"auto"`` uses them
        when both are present and otherwise falls back to ``"cpu"`` silently.

    Raises
    ------
    ValueError
        ``backend`` is not one of the three names.
    RuntimeError
        ``backend="cuda"`` without the CUDA module, or without a device; the
        message says which.
    """
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise ValueError(f"backend must be one of 'cpu', 'cuda', 'auto', got {backend!r}")
    if backend == "cpu":
        return "cpu"
    reason = cuda_unavailable_reason()
    if reason is None:
        return "cuda"
    if backend == "auto":
        return "cpu"
    raise RuntimeError(f"backend='cuda' is not available: {reason}")
