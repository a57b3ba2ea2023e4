"""The ``ropebound`` command line.

Every subcommand prints a short human-readable summary, or one JSON document with
``--json``. Exit status: 0 on success, 2 on a usage error (argparse), 1 when the
library rejects the input or a file cannot be read or written, 130 on Ctrl-C.
Errors are one line on stderr (``ropebound: error: ...``), never a traceback.

The number and list syntax is :data:`NUMBER_SYNTAX` (shown by ``ropebound --help``).

A thin shell over the library: one module per subcommand (``bound``, ``context``, ``curve``,
``staircase``, ``admissible``, ``sweep``, ``check``, ``models``, ``precision``, ``compare``),
each with ``register(subparsers)`` and ``run(args)``; the number syntax in ``_numbers``; everything
printed (JSON, one-line errors, progress bars, shared options) in ``_output``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import warnings

from .. import __version__
from . import (
    admissible,
    bound,
    check,
    compare,
    context,
    curve,
    models,
    precision,
    staircase,
    sweep,
)
from ._numbers import NUMBER_SYNTAX, parse_base, parse_int, parse_int_list, parse_positive_int
from ._output import PROG, CliError, Parser, error, show_warning

__all__ = [
    "NUMBER_SYNTAX",
    "build_parser",
    "main",
    "parse_base",
    "parse_int",
    "parse_int_list",
    "parse_positive_int",
]

#: The subcommands, in the order ``ropebound --help`` lists them.
SUBCOMMANDS = (
    bound,
    context,
    curve,
    staircase,
    admissible,
    sweep,
    check,
    models,
    precision,
    compare,
)


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of the ``ropebound`` command.

    Examples
    --------
    >>> from ropebound.cli import build_parser
    >>> args = build_parser().parse_args(["bound", "128k", "--dim", "128"])
    >>> args.command, args.context, args.dim
    ('bound', 131072, 128)
    """
    parser = Parser(
        prog=PROG,
        description="Exact, certified bounds relating the RoPE base and the context length.",
        epilog=NUMBER_SYNTAX,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


def _check_combinations(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage errors argparse cannot see: options that only make sense together, and an
    option given ``--`` as its value (argparse then stores [] without calling its type)."""
    for key, value in vars(args).items():
        if isinstance(value, list) and not value and key != "configs":  # check: may be empty
            parser.error(f"argument --{key.replace('_', '-')}: expected a value, got '--'")
    if args.command == "check" and not args.configs and args.hub_cache is None:
        parser.error("check: give a CONFIG_OR_DIR or --hub-cache")
    if getattr(args, "float32", False) and getattr(args, "plot", None) is None:
        parser.error("curve: --float32 overlays the float32 curve on --plot; give --plot FILE")


def main(argv: list[str] | None = None) -> int:
    """Run the ``ropebound`` command line; returns the exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (without the program name); default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 1 on a failure, 2 on a usage error, 130 on Ctrl-C.

    Examples
    --------
    >>> from ropebound.cli import main
    >>> main(["context", "5e5", "--dim", "128"])
    max context = 18438  (first B_m < 0 at m = 18438; base 500000, dim 128, distances 0..L-1)
    0
    """
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        error("standard output is closed: nowhere to write the result")
        return 1
    old_show = warnings.showwarning
    warnings.showwarning = show_warning
    try:
        # Parsing too runs inside the Ctrl-C handler (a number can take a moment).
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
            _check_combinations(parser, args)
        except SystemExit as exc:  # --help, --version, usage errors
            return exc.code if isinstance(exc.code, int) else 1
        status: int = args.func(args)
        sys.stdout.flush()
        return status
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except BrokenPipeError:
        # `ropebound staircase ... | head`: the reader left; say nothing more.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1
    except (CliError, ValueError, TypeError, OSError, ImportError) as exc:
        error(exc)
        return 1
    except Exception as exc:  # last resort: a bug, still one line and no traceback
        error(f"internal error ({type(exc).__name__}): {exc}")
        return 1
    finally:
        warnings.showwarning = old_show


# The number parsers are documented (and their doctests run) as ropebound.cli.*.
for _func in (parse_base, parse_int, parse_int_list, parse_positive_int):
    _func.__module__ = __name__
del _func
