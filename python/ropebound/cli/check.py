"""``ropebound check``: Hugging Face config.json files against the decay bound.

The verdicts come from :func:`ropebound.check_config` (:class:`ropebound.ConfigReport`,
its ``supported_context`` and its text); this module only runs batches and prints.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .._discover import configs_below, hub_cache_configs, hub_cache_dir
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
                report = check_config(
                    source,
                    limit=args.limit,
                    min_base=not args.no_min_base,
                    download=getattr(args, "download", False),
                )
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


def _items(args: argparse.Namespace) -> tuple[list[tuple[str, Any]], bool, int]:
    """(name, source) of every config to check, whether finding them failed somewhere, and
    how many config.json files below the folders were not model configs."""
    items: list[tuple[str, Any]] = []
    failed = False
    skipped = 0
    for given in args.configs or []:
        path = Path(given)
        try:
            found, not_models = configs_below(path) if path.is_dir() else ([path], 0)
        except (ValueError, OSError) as exc:
            error(exc)
            failed = True
            continue
        skipped += not_models
        if not found:
            error(f"{given}: no model config.json in or below this directory")
            failed = True
        if found == [path] or found == [path / "config.json"]:
            items.append((given, given))  # a file, a repo id, or a model folder
        else:
            items += [(str(cfg.parent), str(cfg)) for cfg in found]
    if args.hub_cache is not None:
        root = Path(args.hub_cache) if args.hub_cache else hub_cache_dir()
        try:
            items += [(repo, str(cfg)) for repo, cfg in hub_cache_configs(root)]
        except OSError as exc:
            error(exc)
            failed = True
    return items, failed, skipped


def run(args: argparse.Namespace) -> int:
    """Check files, folders (every model config.json below), Hub repo ids and the Hub cache.

    Two or more models print one line per model and layer type and a verdict count;
    exit 1 only if some file failed (or, with --strict, some verdict is not supported).
    """
    items, failed, skipped = _items(args)
    if not items:
        return 1 if failed else finish_check(([], False), args)
    reports, batch_failed = check_many(items, args)
    if len(items) < 2 or args.json or args.plot is not None:
        return max(finish_check((reports, batch_failed), args), int(failed))
    counts: dict[str, int] = {}
    for name, report in reports:
        rep = report.to_dict()
        counts[rep["verdict"]] = counts.get(rep["verdict"], 0) + 1
        if not rep["layer_types"]:
            print(f"{name}: d/r {rep['head_dim']}/{rep['rotary_dim']} -> {rep['verdict']}")
        for layer in rep["layer_types"]:
            first = layer["max_context"]
            first_text = "none" if first is None else str(first)
            print(
                f"{name}: [{layer['layer_type']}] d/r {layer['head_dim']}/{layer['rotary_dim']} "
                f"base {layer['rope_theta']:g} {layer['rope_type']} context {layer['context']} "
                f"first B_m<0 {first_text} -> {layer['verdict']}"
            )
    print("verdicts: " + ", ".join(f"{v} {n}" for v, n in sorted(counts.items())))
    if skipped:
        print(f"skipped {skipped} config.json that are not model configs (no model_type)")
    strict = args.strict and any(rep.verdict != "supported" for _, rep in reports)
    return 1 if failed or batch_failed or strict else 0


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
        "  ropebound check ~/models/ --hub-cache\n"
        "  ropebound check EleutherAI/pythia-6.9b --download\n"
    )
    p = add_subcommand(
        subparsers,
        "check",
        "check Hugging Face config.json files against the decay bound",
        check_example,
    )
    p.add_argument(
        "configs",
        nargs="*",
        default=None,
        metavar="CONFIG_OR_DIR",
        help="a config.json, a folder (its config.json, else every config.json below it), "
        "or a Hub repo id owner/name found in the local Hugging Face cache",
    )
    p.add_argument(
        "--hub-cache",
        nargs="?",
        const="",
        default=None,
        metavar="DIR",
        help="also check every model downloaded into the Hugging Face cache (default: "
        "HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub)",
    )
    p.add_argument(
        "--download",
        action="store_true",
        help="fetch the config.json of a Hub repo id that is not cached (huggingface_hub)",
    )
    add_check_options(p)
    p.set_defaults(func=run)
