"""``ropebound sweep``: b*(L, d) for every context and head dimension."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

from .._optional import has_pyarrow, pyarrow_parquet
from ..bounds import sweep_min_base
from ._numbers import parse_int, parse_int_list
from ._output import (
    CliError,
    add_common,
    add_inclusive,
    add_subcommand,
    emit_json,
    json_default,
    progress_bar,
)

_SWEEP_COLUMNS = ("context", "dim", "rotary_dim", "base", "critical_distance", "certified")


def run(args: argparse.Namespace) -> int:
    out: Path | None = args.out
    if out is not None:
        suffix = out.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise CliError(f"--out must end in .csv or .parquet, got {str(out)!r}")
        if suffix == ".parquet":
            # Fail before the (possibly long) sweep, not after it.
            if not has_pyarrow():
                raise CliError(
                    "writing parquet needs pyarrow (pip install pyarrow); or use --out FILE.csv"
                )
    contexts = [c for item in args.contexts for c in item]
    dims = [d for item in args.dims for d in item]
    rotary = None if args.rotary_dim is None else [args.rotary_dim] * len(dims)
    with progress_bar(args.progress, "sweep") as progress:
        table = sweep_min_base(
            contexts, dims, rotary_dims=rotary, inclusive=args.inclusive, progress=progress
        )
    rows = [
        {name: json_default(table[name][k]) for name in _SWEEP_COLUMNS}
        for k in range(table["context"].size)
    ]
    if out is not None:
        if out.suffix.lower() == ".csv":
            with out.open("w", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=_SWEEP_COLUMNS)
                writer.writeheader()
                for row in rows:
                    writer.writerow({**row, "base": repr(row["base"])})
        else:
            pa, pq = pyarrow_parquet()
            pq.write_table(pa.table({name: table[name] for name in _SWEEP_COLUMNS}), out)
    if args.json:
        emit_json({"inclusive": args.inclusive, "out": out, "rows": rows})
        return 0
    print(f"{'context':>12} {'dim':>6} {'rotary':>6} {'b*':>24} {'critical m':>12} certified")
    for row in rows:
        print(
            f"{row['context']:>12} {row['dim']:>6} {row['rotary_dim']:>6} "
            f"{row['base']!r:>24} {row['critical_distance']:>12} "
            f"{'yes' if row['certified'] else 'NO'}"
        )
    if out is not None:
        print(f"wrote {out}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``sweep`` to the ``ropebound`` parser's subcommands."""
    p = add_subcommand(
        subparsers,
        "sweep",
        "b*(L, d) for every context and head dimension, to CSV or parquet",
        "  ropebound sweep --contexts 2^10..2^20 --dims 64,128,256 --out sweep.csv\n"
        "  ropebound sweep --contexts 1024,4096,32k --dims 128 --json\n\n"
        "Lists: comma-separated numbers or ranges; A..B doubles from A up to B\n"
        "(2^10..2^20 = 1024, 2048, ..., 1048576); A..B+S steps by S.\n",
    )
    p.add_argument(
        "--contexts", type=parse_int_list, nargs="+", required=True, help="context lengths"
    )
    p.add_argument("--dims", type=parse_int_list, nargs="+", required=True, help="head dims")
    p.add_argument(
        "--rotary-dim",
        type=parse_int,
        default=None,
        metavar="R",
        help="one rotary dimension for every dim (default: each dim)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE",
        help="FILE.csv, or FILE.parquet (needs pyarrow)",
    )
    add_common(p, dim=False)
    add_inclusive(p)
    p.set_defaults(func=run)
