"""``ropebound check``: Hugging Face config.json files against the decay bound.

The verdicts come from :func:`ropebound.check_config` (:class:`ropebound.ConfigReport`,
its ``supported_context`` and its text); this module only runs batches and prints.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..config import ConfigReport, check_config
from ..plots import plot_audit
from ._numbers import parse_positive_int
from ._output import CliError, add_common, add_subcommand, emit_json, error, progress_bar

Batch = tuple[list[tuple[str, ConfigReport]], bool]


def audit_row(name: str, report: ConfigReport) -> dict[str, Any]:
    """The advertised vs supported context of one report, for :func:`plot_audit`."""
    supported, lower_bound = report.supported_context
    return {
        "name": name,
        "advertised": report.max_position_embeddings,
        "supported": supported,
        "lower_bound": lower_bound,
        "verdict": report.verdict,
    }


def check_many(items: list[tuple[str, Any]], args: argparse.Namespace) -> Batch:
    """The reports of a batch, and whether any item failed.

    A failing item (missing file, bad config) is reported on its own line and the
    batch goes on.
    """
    reports = []
    failed = False
    with progress_bar(args.progress and len(items) > 1, "check") as progress:
        for k, (name, source) in enumerate(items):
            try:
                report = check_config(source, limit=args.limit, min_base=not args.no_min_base)
            except (CliError, ValueError, TypeError, OSError) as exc:
                error(exc if name in str(exc) else f"{name}: {exc}")
                failed = True
            else:
                reports.append((name, report))
            if progress is not None:
                progress(k + 1, len(items))
    return reports, failed


def finish_check(batch: Batch, args: argparse.Namespace) -> int:
    reports, failed = batch
    if args.plot is not None and reports:
        plot_audit([audit_row(name, rep) for name, rep in reports], args.plot)
    if args.json:
        emit_json([{"name": name, **rep.to_dict()} for name, rep in reports])
    else:
        for name, rep in reports:
            print(rep.format(name))
        if args.plot is not None and reports:
            print(f"wrote {args.plot}")
    if failed or (args.strict and any(rep.verdict != "supported" for _, rep in reports)):
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    items: list[tuple[str, Any]] = [(str(p), str(p)) for p in args.configs]
    return finish_check(check_many(items, args), args)


def add_check_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--limit",
        type=parse_positive_int,
        default=None,
        metavar="N",
        help="scan distances m < N (default: twice the advertised context); below the "
        "context a scan without B_m < 0 gives the verdict 'unchecked'",
    )
    p.add_argument(
        "--no-min-base", action="store_true", help="skip the minimal-base search (faster)"
    )
    p.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="FILE",
        help="write an advertised-vs-supported context plot",
    )
    p.add_argument(
        "--strict", action="store_true", help="exit 1 unless every verdict is 'supported'"
    )
    add_common(p, dim=False)


def register(subparsers: Any) -> None:
    """Add ``check`` to the ``ropebound`` parser's subcommands."""
    check_example = (
        "  ropebound check path/to/config.json\n"
        "  ropebound check ~/models/Llama-3.1-8B/ other/config.json --json\n"
        "  ropebound check cfg.json --plot audit.png --strict\n"
    )
    p = add_subcommand(
        subparsers,
        "check",
        "check Hugging Face config.json files against the decay bound",
        check_example,
    )
    p.add_argument(
        "configs",
        nargs="+",
        metavar="CONFIG_OR_DIR",
        help="a config.json, or a model directory holding one",
    )
    add_check_options(p)
    p.set_defaults(func=run)
