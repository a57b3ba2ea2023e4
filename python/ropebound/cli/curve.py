"""``ropebound curve``: the decay curve B_m for consecutive distances."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from ..decay import decay_curve
from ..plots import plot_decay_curve
from ._numbers import parse_base, parse_int, parse_positive_int
from ._output import add_common, add_subcommand, emit_json, progress_bar


def _write_curve_csv(path: Path, start: int, values: np.ndarray[Any, Any]) -> None:
    with path.open("w", newline="") as fh:
        fh.write("m,B_m\n")
        # In chunks: np.savetxt on one array would build the whole text in memory.
        chunk = 1 << 16
        for lo in range(0, values.size, chunk):
            part = values[lo : lo + chunk]
            ms = np.arange(start + lo, start + lo + part.size, dtype=np.int64)
            np.savetxt(fh, np.column_stack([ms, part]), fmt=["%d", "%.17g"], delimiter=",")


def run(args: argparse.Namespace) -> int:
    with progress_bar(args.progress, "decay_curve") as progress:
        values, error = decay_curve(
            args.length,
            args.base,
            args.dim,
            rotary_dim=args.rotary_dim,
            start=args.start,
            return_error=True,
            progress=progress,
        )
    doc: dict[str, Any] = {
        "base": args.base,
        "dim": args.dim,
        "rotary_dim": args.rotary_dim if args.rotary_dim is not None else args.dim,
        "start": args.start,
        "length": args.length,
        "error_bound": error,
        "min": None,
        "argmin": None,
        "first_negative_distance": None,
        "first_negative_certified": None,
    }
    if values.size:
        k = int(np.argmin(values))
        doc["min"] = float(values[k])
        doc["argmin"] = args.start + k
        negative = np.flatnonzero(values < 0)
        if negative.size:
            j = int(negative[0])
            doc["first_negative_distance"] = args.start + j
            # Below -error the sign is proven; within the bound only max_context decides.
            doc["first_negative_certified"] = bool(values[j] < -error)
    if args.csv is not None:
        _write_curve_csv(args.csv, args.start, values)
        doc["csv"] = str(args.csv)
    if args.plot is not None:
        float32: np.ndarray[Any, Any] | None = None
        if args.float32:
            # The same distances as float32 inference stacks compute them (overlay).
            float32 = np.asarray(
                decay_curve(
                    args.length,
                    args.base,
                    args.dim,
                    rotary_dim=args.rotary_dim,
                    start=args.start,
                    precision="float32",
                )
            )
        plot_decay_curve(
            args.base,
            args.dim,
            args.length,
            args.plot,
            rotary_dim=args.rotary_dim,
            start=args.start,
            values=values,
            float32=float32,
        )
        doc["plot"] = str(args.plot)
    if args.json:
        emit_json(doc)
        return 0
    end = args.start + args.length - 1
    print(
        f"B_m for m = {args.start}..{end}, base {args.base:g}, dim {args.dim}: "
        f"error bound {error:.3g}"
    )
    if doc["min"] is not None:
        print(f"min B_m = {doc['min']:.6g} at m = {doc['argmin']}")
    if doc["first_negative_distance"] is None:
        print("no B_m < 0 in this range")
    else:
        tag = "" if doc["first_negative_certified"] else " (within the error bound: uncertain)"
        print(f"first B_m < 0 at m = {doc['first_negative_distance']}{tag}")
    for key in ("csv", "plot"):
        if key in doc:
            print(f"wrote {doc[key]}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``curve`` to the ``ropebound`` parser's subcommands."""
    p = add_subcommand(
        subparsers,
        "curve",
        "the decay curve B_m for consecutive distances: summary, CSV, plot",
        "  ropebound curve --base 1e4 --dim 128 --length 8192 --plot curve.png\n"
        "  ropebound curve --base 5e5 --dim 128 --length 1M --csv curve.csv --json\n",
    )
    p.add_argument("--base", type=parse_base, required=True, help="RoPE base b")
    add_common(p)
    p.add_argument(
        "--length", type=parse_positive_int, required=True, help="number of distances (>= 1)"
    )
    p.add_argument("--start", type=parse_int, default=0, help="first distance (default 0)")
    p.add_argument("--plot", type=Path, default=None, metavar="FILE", help="write a plot (PNG)")
    p.add_argument("--csv", type=Path, default=None, metavar="FILE", help="write m,B_m as CSV")
    p.add_argument(
        "--float32",
        action="store_true",
        help="with --plot: overlay the float32 'as implemented' curve",
    )
    p.set_defaults(func=run)
