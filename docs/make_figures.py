"""Regenerate the README figures in docs/ (about 40 s; needs matplotlib).

python docs/make_figures.py
"""

from __future__ import annotations

from pathlib import Path

import ropebound as rb
from ropebound.cli.check import audit_row
from ropebound.plots import plot_audit, plot_decay_curve, plot_staircase

HERE = Path(__file__).resolve().parent


def main() -> None:
    base, dim, length = 5e5, 128, 1 << 17
    plot_decay_curve(
        base,
        dim,
        length,
        HERE / "decay_curve.png",
        float32=rb.decay_curve(length, base, dim, precision="float32"),
    )
    plot_staircase(rb.staircase(1 << 20, 128), HERE / "staircase.png")
    reports = [
        audit_row(entry.name, rb.check_config(dict(entry.config), min_base=False))
        for entry in rb.models()
    ]
    plot_audit(reports, HERE / "audit.png")
    for name in ("decay_curve.png", "staircase.png", "audit.png"):
        print(name, (HERE / name).stat().st_size // 1024, "KiB")


if __name__ == "__main__":
    main()
