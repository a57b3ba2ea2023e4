"""``ropebound models``: the shipped public model configs, and their check."""

from __future__ import annotations

import argparse
from typing import Any

from ..config import models, models_table
from ._output import add_subcommand, emit_json
from .check import add_check_options, check_many, finish_check


def run(args: argparse.Namespace) -> int:
    if args.check or args.plot is not None:
        items: list[tuple[str, Any]] = [(e.name, dict(e.config)) for e in models()]
        return finish_check(check_many(items, args), args)
    rows = models_table()
    if args.json:
        emit_json(rows)
        return 0
    print(
        f"{'model':<34} {'layers':<10} {'d':>5} {'r':>5} {'rope_theta':>12} "
        f"{'scaling':<10} {'max_pos':>9}"
    )
    for row in rows:
        print(
            f"{row['name']:<34} {row['layer_type'] or '-':<10} {row['head_dim']:>5} "
            f"{row['rotary_dim']:>5} {row['rope_theta'] or 0:>12g} "
            f"{row['rope_type'] or 'no RoPE':<10} "
            f"{row['max_position_embeddings'] or '-':>9}"
        )
    return 0


def register(subparsers: Any) -> None:
    """Add ``models`` to the ``ropebound`` parser's subcommands."""
    p = add_subcommand(
        subparsers,
        "models",
        "the shipped public model configs (and their check)",
        "  ropebound models\n  ropebound models --check --json\n"
        "  ropebound models --plot audit.png\n",
    )
    p.add_argument(
        "--check", action="store_true", help="run the config check on every shipped model"
    )
    add_check_options(p)
    p.set_defaults(func=run)
