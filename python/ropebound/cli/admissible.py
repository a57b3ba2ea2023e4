"""``ropebound admissible``: every window of admissible bases in a range."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from ..bounds import admissible_bases, min_base
from ..plots import plot_admissible
from ._numbers import parse_base, parse_int
from ._output import add_common, add_inclusive, add_subcommand, convention, emit_json, progress_bar


def run(args: argparse.Namespace) -> int:
    if args.range is None:
        # The default range starts at the first window: [b*(L), 2 b*(L)]. Where every base
        # is admissible, b* = 1 is an infimum, not a base: the range starts one double above.
        bound = min_base(
            args.context, args.dim, rotary_dim=args.rotary_dim, inclusive=args.inclusive
        )
        lo = bound.base if bound.attained else math.nextafter(1.0, math.inf)
        hi = 2.0 * bound.base
    else:
        lo, hi = args.range
    with progress_bar(args.progress, "admissible") as progress:
        windows = admissible_bases(
            args.context,
            args.dim,
            (lo, hi),
            rotary_dim=args.rotary_dim,
            inclusive=args.inclusive,
            progress=progress,
        )
    rotary_dim = args.dim if args.rotary_dim is None else args.rotary_dim
    if args.plot is not None:
        plot_admissible(windows, (lo, hi), args.plot, context=args.context, dim=args.dim)
    if args.json:
        doc: dict[str, Any] = {
            "context": args.context,
            "dim": args.dim,
            "rotary_dim": rotary_dim,
            "inclusive": args.inclusive,
            "distances": convention(args.inclusive),
            "range": [lo, hi],
            "windows": [[a, e] for a, e in windows],
        }
        if args.plot is not None:
            doc["plot"] = str(args.plot)
        emit_json(doc)
        return 0
    rot = "" if rotary_dim == args.dim else f", rotary_dim={rotary_dim}"
    print(
        f"admissible bases for L = {args.context} (distances {convention(args.inclusive)}), "
        f"dim = {args.dim}{rot}, in [{lo!r}, {hi!r}]: {len(windows)} windows"
    )
    print(f"{'from':>24} {'to':>24} {'width':>10}")
    for a, e in windows:
        print(f"{a!r:>24} {e!r:>24} {e / a - 1:>10.2e}")
    if args.plot is not None:
        print(f"wrote {args.plot}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``admissible`` to the ``ropebound`` parser's subcommands."""
    p = add_subcommand(
        subparsers,
        "admissible",
        "every window of admissible bases in a range (default [b*, 2 b*]), certified",
        "  ropebound admissible 4096 --dim 128\n"
        "  ropebound admissible 64k --dim 128 --range 2e6 4e6 --json --plot windows.png\n",
    )
    p.add_argument("context", type=parse_int, help="context length L (e.g. 65536, 64k, 2^16)")
    add_common(p)
    add_inclusive(p)
    p.add_argument(
        "--range",
        type=parse_base,
        nargs=2,
        default=None,
        metavar=("LO", "HI"),
        help="range of bases (default: b*(L) to 2 b*(L))",
    )
    p.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="FILE",
        help="draw the windows on the base axis (needs matplotlib)",
    )
    p.set_defaults(func=run)
