"""The optional dependencies, loaded in this one place and only when a feature needs them.

Importing ropebound imports none of them: matplotlib (plots), tqdm (CLI progress bars),
pyarrow (Parquet output), huggingface_hub (configs by Hub repo id). The optional CUDA
module is looked up in :mod:`._backend`.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the file-only Agg backend, or an ImportError saying how."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(
            "plotting needs matplotlib: pip install 'ropebound[plot]' (or matplotlib>=3.5)"
        ) from exc
    # Agg renders to files without a display; plots here are always saved, never shown.
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def legend_patch() -> Any:
    """``matplotlib.patches.Patch`` (after :func:`pyplot` has loaded matplotlib)."""
    from matplotlib.patches import Patch

    return Patch


def tqdm() -> Any | None:
    """The ``tqdm`` progress-bar class, or None when tqdm is not installed."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm


def pyarrow_parquet() -> tuple[ModuleType, ModuleType]:
    """``(pyarrow, pyarrow.parquet)``; ImportError when pyarrow is not installed."""
    import pyarrow
    import pyarrow.parquet

    return pyarrow, pyarrow.parquet


def has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def huggingface_hub() -> ModuleType | None:
    """The ``huggingface_hub`` module, or None when it is not installed."""
    try:
        import huggingface_hub
    except ImportError:
        return None
    return huggingface_hub
