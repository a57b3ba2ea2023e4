"""``ropebound context``: the max context of a base."""

from __future__ import annotations

import argparse
from typing import Any

from .. import bounds
from ._numbers import parse_base, parse_positive_int
from ._output import add_common, add_inclusive, add_subcommand, convention, emit_json, progress_bar


def run(args: argparse.Namespace) -> int:
    with progress_bar(args.progress, "max_context") as progress:
        result = bounds.max_context(
            args.base,
            args.dim,
            rotary_dim=args.rotary_dim,
            limit=args.limit,
            inclusive=args.inclusive,
            progress=progress,
        )
    rotary = args.rotary_dim if args.rotary_dim is not None else args.dim
    doc = {
        "base": args.base,
        "dim": args.dim,
        "rotary_dim": rotary,
        "inclusive": args.inclusive,
        "distances": convention(args.inclusive),
        "limit": args.limit,
        "max_context": result,
        "first_negative_distance": None if result is None else result + int(args.inclusive),
    }
    if args.json:
        emit_json(doc)
    elif result is None:
        print(
            f"max context > {args.limit}: no B_m < 0 for m < {args.limit} "
            f"(base {args.base:g}, dim {args.dim})"
        )
    else:
        print(
            f"max context = {result}  (first B_m < 0 at m = {doc['first_negative_distance']}; "
            f"base {args.base:g}, dim {args.dim}, distances {convention(args.inclusive)})"
        )
    return 0


def register(subparsers: Any) -> None:
    """Add ``context`` to the ``ropebound`` parser's subcommands."""
    p = add_subcommand(
        subparsers,
        "context",
        "max context of a base: the first distance with B_m < 0",
        "  ropebound context 500000 --dim 128\n  ropebound context 1e4 --dim 128 --json\n",
    )
    p.add_argument("base", type=parse_base, help="RoPE base b (e.g. 10000, 1e4)")
    add_common(p)
    p.add_argument(
        "--limit",
        type=parse_positive_int,
        default=2**32,
        help="examine distances m < N (default 2^32)",
        metavar="N",
    )
    add_inclusive(p)
    p.set_defaults(func=run)
