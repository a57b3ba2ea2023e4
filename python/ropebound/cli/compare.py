"""``ropebound compare``: published base-length relations beside the exact b*.

Prints every published lower bound on the RoPE base for a context length next to
the exact, certified b* (see :func:`ropebound.literature.compare`).
"""

from __future__ import annotations

import argparse
from typing import Any

from ..literature import compare
from ._numbers import parse_positive_int, parse_unit_interval

EXAMPLE = """\
example:
  ropebound compare 32768 --dim 128
  ropebound compare 131072 --dim 128 --inclusive --json

Each row is a lower bound on the base from the literature; "admissible" says
whether that base keeps B_m >= 0 for every distance of the window
(max_context(base) >= L), "x b*" is its ratio to the exact minimal base.
"""


def run(args: argparse.Namespace) -> int:
    """Run ``compare`` for parsed arguments; prints the table (or JSON), returns 0.

    Examples
    --------
    >>> import argparse
    >>> from ropebound.cli import compare as cli_compare
    >>> parser = argparse.ArgumentParser(prog="ropebound")
    >>> cli_compare.register(parser.add_subparsers(dest="command"))
    >>> import contextlib, io
    >>> args = parser.parse_args(["compare", "4096", "--dim", "128"])
    >>> with contextlib.redirect_stdout(io.StringIO()) as out:
    ...     status = cli_compare.run(args)
    >>> status, "exact b*" in out.getvalue()
    (0, True)
    """
    table = compare(
        args.context,
        args.dim,
        rotary_dim=args.rotary_dim,
        inclusive=args.inclusive,
        eps=args.eps,
        layers=args.layers,
        train_length=args.train_length,
    )
    print(table.to_json() if args.json else table.format())
    return 0


def register(subparsers: Any) -> None:
    """Add the ``compare`` subcommand to an argparse ``subparsers`` object.

    The parser's ``func`` default is :func:`run` (``args.func(args)`` returns the
    exit status).

    Examples
    --------
    >>> import argparse
    >>> from ropebound.cli import compare as cli_compare
    >>> parser = argparse.ArgumentParser(prog="ropebound")
    >>> cli_compare.register(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["compare", "4096", "--dim", "128"])
    >>> args.command, args.context, args.dim
    ('compare', 4096, 128)
    """
    parser = subparsers.add_parser(
        "compare",
        help="published base-length relations side by side with the exact b*",
        description="Every published lower bound on the RoPE base for a context length L, "
        "next to the exact, certified minimal base b*(L, d).",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("context", type=parse_positive_int, help="context length L (tokens)")
    parser.add_argument("--dim", type=parse_positive_int, required=True, help="head dimension d")
    parser.add_argument(
        "--rotary-dim", type=parse_positive_int, default=None, help="rotary dim r <= d"
    )
    parser.add_argument(
        "--inclusive",
        action="store_true",
        help="distances 0..L (the paper's convention) instead of 0..L-1",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--eps",
        type=parse_unit_interval,
        default=0.95,
        help="DC-stability tolerance (default 0.95)",
    )
    parser.add_argument(
        "--layers",
        type=parse_positive_int,
        default=32,
        help="layers for the depth bound (default 32)",
    )
    parser.add_argument(
        "--train-length",
        type=parse_positive_int,
        default=4096,
        help="pre-training length for the scaling-law and NTK rows (default 4096)",
    )
    parser.set_defaults(func=run)
