"""Everything the subcommands print or report: JSON, one-line messages, progress bars,
the shared options, and the one-line usage errors."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TextIO

import numpy as np

from .._optional import tqdm
from ._numbers import parse_int

PROG = "ropebound"


class CliError(Exception):
    """A failure to report as one line with exit status 1."""


class Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (exit status 2, as argparse's default)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


def emit_json(doc: Any) -> None:
    json.dump(doc, sys.stdout, indent=2, default=json_default)
    sys.stdout.write("\n")


def json_default(obj: Any) -> Any:
    # numpy scalars and arrays reach here from the library's results.
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def one_line(message: object) -> str:
    return " ".join(str(message).split())


@contextlib.contextmanager
def progress_bar(enabled: bool, description: str) -> Iterator[Callable[[int, int], None] | None]:
    """A ``progress(done, total)`` callback drawing a tqdm bar on stderr.

    None (no callback, so the library skips the calls) when disabled, when stderr is
    not a terminal (a bar in a log file is noise) or when tqdm is not installed.
    """
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    bar_class = tqdm()
    if bar_class is None:
        yield None
        return
    bar = bar_class(total=0, desc=description, unit="", leave=False, file=sys.stderr)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        # Some searches report a position that can move backwards (min_base's current
        # violating distance): set it rather than increment it.
        bar.n = min(done, total)
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


def convention(inclusive: bool) -> str:
    return "0..L" if inclusive else "0..L-1"


def add_common(parser: argparse.ArgumentParser, *, dim: bool = True) -> None:
    if dim:
        parser.add_argument("--dim", type=parse_int, required=True, help="head dimension d")
        parser.add_argument(
            "--rotary-dim",
            type=parse_int,
            default=None,
            metavar="R",
            help="rotary dimension r <= d (partial RoPE); default d",
        )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document instead of text"
    )
    parser.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="no progress bar (it is only drawn when stderr is a terminal anyway)",
    )


def add_inclusive(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--inclusive",
        action="store_true",
        help="check distances 0..L (the paper's definition) instead of 0..L-1",
    )


def add_subcommand(
    subparsers: Any, name: str, help_text: str, example: str
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=help_text,
        description=help_text[0].upper() + help_text[1:] + ".",
        epilog="example:\n" + example,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    # One line per warning, like errors; the default format adds a source line.
    print(f"{PROG}: warning: {one_line(message)}", file=sys.stderr)


def error(message: object) -> None:
    print(f"{PROG}: error: {one_line(message)}", file=sys.stderr)
