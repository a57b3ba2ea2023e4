"""``ropebound bound``: the minimal base b*(L, d) of a context length."""

from __future__ import annotations

import argparse
from typing import Any

from .. import bounds
from ._numbers import parse_int
from ._output import add_common, add_inclusive, add_subcommand, convention, emit_json, progress_bar


def run(args: argparse.Namespace) -> int:
    with progress_bar(args.progress, "min_base") as progress:
        bound = bounds.min_base(
            args.context,
            args.dim,
            rotary_dim=args.rotary_dim,
            inclusive=args.inclusive,
            progress=progress,
        )
    doc = {
        "context": bound.context,
        "dim": bound.dim,
        "rotary_dim": bound.rotary_dim,
        "inclusive": bound.inclusive,
        "distances": convention(bound.inclusive),
        "min_base": bound.base,
        "attained": bound.attained,
        "certified": bound.certified,
        "critical_distance": bound.critical_distance,
        "jumps": bound.jumps,
    }
    if args.json:
        emit_json(doc)
        return 0
    rot = "" if bound.rotary_dim == bound.dim else f", rotary_dim={bound.rotary_dim}"
    print(
        f"context L = {bound.context} (distances {convention(bound.inclusive)}), "
        f"dim = {bound.dim}{rot}"
    )
    if bound.attained:
        print(f"minimal base b* = {bound.base!r}  ({bound.base:.4g})")
    else:
        print("minimal base b* = 1 (infimum, not attained: every base > 1 is admissible)")
    print(f"certified       = {'yes' if bound.certified else 'NO'}")
    if bound.critical_distance is not None:
        print(f"critical m      = {bound.critical_distance}  (B_m touches 0 there at b*)")
    return 0


def register(subparsers: Any) -> None:
    """Add ``bound`` to the ``ropebound`` parser's subcommands."""
    p = add_subcommand(
        subparsers,
        "bound",
        "minimal base b*(L, d) of a context length, certified",
        "  ropebound bound 131072 --dim 128\n  ropebound bound 128k --dim 128 --inclusive --json\n",
    )
    p.add_argument("context", type=parse_int, help="context length L (e.g. 131072, 128k, 2^17)")
    add_common(p)
    add_inclusive(p)
    p.set_defaults(func=run)
