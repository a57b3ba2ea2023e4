"""``ropebound precision``: exact vs float32 'as implemented' decay sums."""

from __future__ import annotations

import argparse
from typing import Any

from ..precision import precision_report
from ._numbers import parse_base, parse_int_list
from ._output import add_common, add_subcommand, emit_json, progress_bar


def run(args: argparse.Namespace) -> int:
    contexts = None if args.contexts is None else [c for item in args.contexts for c in item]
    with progress_bar(args.progress, "precision") as progress:
        report = precision_report(
            args.base,
            args.dim,
            rotary_dim=args.rotary_dim,
            contexts=contexts,
            precision=args.precision,
            progress=progress,
        )
    doc = report.to_dict()
    if args.json:
        emit_json(doc)
        return 0
    print(
        f"base {doc['base']:g}, dim {doc['dim']}, rotary_dim {doc['rotary_dim']}: "
        f"exact vs {doc['precision']} as implemented"
    )
    largest = max(row["context"] for row in doc["rows"])

    def shown(value: int | None) -> str:
        return f"> {largest} (no B_m < 0 below it)" if value is None else str(value)

    print(f"max context, exact:      {shown(doc['exact_max_context'])}")
    print(f"max context, {doc['precision']}: {shown(doc['float32_max_context'])}")
    first = doc["first_sign_disagreement"]
    print(
        "first certified sign disagreement: "
        + ("none below the largest context" if first is None else f"m = {first}")
    )
    print(f"{'context':>10} {'phase err pair 0':>17} {'max phase err':>14} {'pair':>5}")
    for row in doc["rows"]:
        print(
            f"{row['context']:>10} {row['fastest_pair_phase_error']:>17.3g} "
            f"{row['max_phase_error']:>14.3g} {row['worst_pair']:>5}"
        )
    return 0


# ---------------------------------------------------------------------------
# Parser


def register(subparsers: Any) -> None:
    """Add ``precision`` to the ``ropebound`` parser's subcommands."""
    p = add_subcommand(
        subparsers,
        "precision",
        "exact vs float32 'as implemented' decay sums of a base",
        "  ropebound precision 500000 --dim 128\n"
        "  ropebound precision 1e6 --dim 128 --contexts 2^12..2^22 --json\n",
    )
    p.add_argument("base", type=parse_base, help="RoPE base b")
    add_common(p)
    p.add_argument(
        "--contexts",
        type=parse_int_list,
        nargs="+",
        default=None,
        metavar="LIST",
        help="context lengths to report (default 2^10..2^20)",
    )
    p.add_argument(
        "--precision",
        choices=["float32", "bfloat16-table"],
        default="float32",
        help="the 'as implemented' arithmetic (default float32)",
    )
    p.set_defaults(func=run)
