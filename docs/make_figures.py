"""Regenerate the README figures in docs/ (about 40 s; needs matplotlib).

python docs/make_figures.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import ropebound as rb
from ropebound import _core
from ropebound.cli import _audit_row
from ropebound.plots import plot_audit, plot_decay_curve, plot_staircase

HERE = Path(__file__).resolve().parent


def float32_curve(length: int, base: float, dim: int) -> np.ndarray:
    """B_m with float32 frequencies and phases, as Hugging Face transformers computes them.

    Uses the core's float32 "as implemented" evaluator directly (no public wrapper yet).
    """
    theta = rb.scaled_frequencies(base, dim, precision="float32")
    table = _core.Float32Table(np.ascontiguousarray(theta, dtype=np.float32), 0.0)
    values, _error = _core.decay_sum_float32(table, np.arange(length, dtype=np.uint64))
    return np.asarray(values)


def main() -> None:
    base, dim, length = 5e5, 128, 1 << 17
    plot_decay_curve(
        base, dim, length, HERE / "decay_curve.png", float32=float32_curve(length, base, dim)
    )
    plot_staircase(rb.staircase(1 << 20, 128), HERE / "staircase.png")
    reports = [
        _audit_row(entry.name, rb.check_config(dict(entry.config), min_base=False).to_dict())
        for entry in rb.models()
    ]
    plot_audit(reports, HERE / "audit.png")
    for name in ("decay_curve.png", "staircase.png", "audit.png"):
        print(name, (HERE / name).stat().st_size // 1024, "KiB")


if __name__ == "__main__":
    main()
