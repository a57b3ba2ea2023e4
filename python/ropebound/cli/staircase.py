"""``ropebound staircase``: every step of L -> b*(L) up to LMAX."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..bounds import staircase
from ..plots import plot_staircase
from ._numbers import parse_int
from ._output import add_common, add_inclusive, add_subcommand, convention, emit_json, progress_bar


def run(args: argparse.Namespace) -> int:
    with progress_bar(args.progress, "staircase") as progress:
        stairs = staircase(
            args.max_context,
            args.dim,
            rotary_dim=args.rotary_dim,
            inclusive=args.inclusive,
            progress=progress,
        )
    lows = [stairs.trivial_up_to + 1, *(int(c) + 1 for c in stairs.contexts[:-1])]
    steps = [
        {"from": lo, "to": int(hi), "min_base": float(b), "critical_distance": int(m)}
        for lo, hi, b, m in zip(
            lows, stairs.contexts, stairs.bases, stairs.critical_distances, strict=True
        )
    ]
    if args.plot is not None:
        plot_staircase(stairs, args.plot, published=stairs.dim == 128 and not stairs.inclusive)
    if args.json:
        doc = {
            "max_context": stairs.max_context,
            "dim": stairs.dim,
            "rotary_dim": stairs.rotary_dim,
            "inclusive": stairs.inclusive,
            "distances": convention(stairs.inclusive),
            "certified": stairs.certified,
            "trivial_up_to": stairs.trivial_up_to,
            "steps": steps,
        }
        if args.plot is not None:
            doc["plot"] = str(args.plot)
        emit_json(doc)
        return 0
    print(
        f"staircase of b*(L) for L <= {stairs.max_context}, dim {stairs.dim}, "
        f"distances {convention(stairs.inclusive)}: {len(steps)} steps, "
        f"certified: {'yes' if stairs.certified else 'NO'}"
    )
    print(f"L <= {stairs.trivial_up_to}: every base > 1 is admissible")
    print(f"{'L from':>12} {'L to':>12} {'b*':>24} {'critical m':>12}")
    for step in steps:
        print(
            f"{step['from']:>12} {step['to']:>12} {step['min_base']!r:>24} "
            f"{step['critical_distance']:>12}"
        )
    if args.plot is not None:
        print(f"wrote {args.plot}")
    return 0


_SWEEP_COLUMNS = ("context", "dim", "rotary_dim", "base", "critical_distance", "certified")


def register(subparsers: Any) -> None:
    """Add ``staircase`` to the ``ropebound`` parser's subcommands."""
    p = add_subcommand(
        subparsers,
        "staircase",
        "every step of L -> b*(L) up to LMAX, in one pass",
        "  ropebound staircase 64k --dim 128\n"
        "  ropebound staircase 1M --dim 128 --plot staircase.png --json\n",
    )
    p.add_argument("max_context", type=parse_int, metavar="LMAX", help="largest context length")
    add_common(p)
    add_inclusive(p)
    p.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="FILE",
        help="write a log-log plot (with the published values when dim = 128)",
    )
    p.set_defaults(func=run)
