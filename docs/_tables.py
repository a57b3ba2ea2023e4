"""The tables of the documentation, recomputed from the installed package at build time.

``write_all(folder)`` writes ``exact_table.rst`` (the certified minimal base of
L = 2^10 ... 2^20 at d = 128 against the published values) and ``audit_table.rst``
(the config audit of every shipped model), about 5 s together.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import ropebound as rb
from ropebound.cli import build_parser
from ropebound.config import LayerTypeReport

LABELS = ["1k", "2k", "4k", "8k", "16k", "32k", "64k", "128k", "256k", "512k", "1M"]
#: The paper's table (Men, Xu et al., arXiv 2405.14591) and J. Su's corrected row
#: (kexue.fm/archives/10122), d = 128, two digits as published.
PAPER = [4.3e3, 1.6e4, 2.7e4, 8.4e4, 3.1e5, 6.4e5, 2.1e6, 7.8e6, 3.6e7, 6.4e7, 5.1e8]
SU = [4.3e3, 1.2e4, 2.7e4, 8.4e4, 2.3e5, 6.3e5, 2.1e6, 4.9e6, 2.4e7, 5.8e7, 6.5e7]


def _list_table(header: list[str], rows: list[list[str]], widths: str = "auto") -> str:
    lines = [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}", ""]
    for row in [header, *rows]:
        lines.append("   * - " + row[0])
        lines.extend("     - " + cell for cell in row[1:])
    return "\n".join(lines) + "\n"


def _verdict(base: float, context: int) -> str:
    first = rb.max_context(base, 128, limit=context)
    return "admissible" if first is None else f"fails at m = {first}"


def exact_table() -> str:
    header = ["L", "b* (10 digits)", "critical m", "b* (2 digits)"]
    header += ["paper", "paper's value", "Su", "Su's value"]
    rows = []
    for k, label in enumerate(LABELS):
        length = 1 << (10 + k)
        bound = rb.min_base(length, 128)
        if not bound.certified:  # never seen; the table would not be exact
            raise RuntimeError(f"min_base({length}, 128) is not certified")
        rows.append(
            [
                label,
                f"{bound.base:.10g}",
                str(bound.critical_distance),
                f"{bound.base:.1e}",
                f"{PAPER[k]:.1e}",
                _verdict(PAPER[k], length),
                f"{SU[k]:.1e}",
                _verdict(SU[k], length),
            ]
        )
    return _list_table(header, rows)


def audit_table() -> str:
    header = ["model", "layer type", "rope", "base", "d / r", "context", "first B_m < 0", "verdict"]
    rows = []
    for entry in rb.models():
        report = rb.check_config(dict(entry.config), min_base=False)
        name = entry.name if entry.verified else f"{entry.name} (unverified)"
        if not report.layer_types:
            rows.append([name, "-", "none", "-", "-", "-", "-", report.verdict])
        for layer in report.layer_types:
            first = layer.max_context
            if first is None:
                first_text = f"none < {layer.max_context_limit}"
            else:
                first_text = str(first)
            rows.append(
                [
                    name,
                    layer.layer_type,
                    layer.rope_type,
                    f"{layer.rope_theta:g}",
                    f"{layer.head_dim} / {layer.rotary_dim}",
                    str(layer.context),
                    first_text,
                    layer.verdict,
                ]
            )
    return _list_table(header, rows)


def _short_base(base: float) -> str:
    """1e4, 5e5, 1.3e5: the README's notation for a base."""
    mantissa, exponent = f"{base:.1e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def _kind(layer: LayerTypeReport) -> str:
    if layer.layer_type == "mrope_temporal":
        return f"video time axis ({layer.rotary_dim // 2} pairs)"
    if layer.layer_type == "rope_layers":
        return f"RoPE layers (chunked {layer.context})"
    span = f" ({layer.context})" if layer.context != layer.advertised_context else ""
    return layer.layer_type.replace("_attention", "") + span


def _first(layer: LayerTypeReport, alone: bool) -> str:
    if layer.max_context is not None:
        return str(layer.max_context)
    return f"none < {layer.max_context_limit}" if alone else "none"


def _base(layer: LayerTypeReport, text_base: float) -> str:
    if layer.layer_type == "mrope_temporal":
        return f"{_short_base(text_base)}^{layer.rotary_dim}/{layer.head_dim}"
    return _short_base(layer.rope_theta)


def readme_audit_table() -> str:
    """The README's audit table: one row per shipped model, layer types joined by " / "."""
    header = "| model | layer type | rope | base | d / r | advertised | first B_m < 0 | verdict |"
    lines = [header, "|---|---|---|---|---|---|---|---|"]
    for entry in rb.models():
        report = rb.check_config(dict(entry.config), min_base=False)
        name = entry.name if entry.verified else f"{entry.name} (unverified)"
        layers = report.layer_types
        adv = "-" if report.max_position_embeddings is None else str(report.max_position_embeddings)
        if not layers:
            dims = f"{report.head_dim}/0"
            lines.append(f"| {name} | - | none | - | {dims} | {adv} | - | not a RoPE model |")
            continue
        verdict = report.verdict
        text = [lt for lt in layers if lt.layer_type != "mrope_temporal"]
        if verdict == "supported" and all(
            (lt.head_dim - lt.rotary_dim) // 2 >= lt.rotary_dim // 2 for lt in text
        ):
            verdict += " (unrotated ≥ rotated)"
        types = list(dict.fromkeys(lt.rope_type for lt in layers))
        cells = [
            name,
            " / ".join(_kind(lt) for lt in layers),
            " / ".join(types),
            " / ".join(_base(lt, layers[0].rope_theta) for lt in layers),
            " / ".join(dict.fromkeys(f"{lt.head_dim}/{lt.rotary_dim}" for lt in layers)),
            adv,
            " / ".join(_first(lt, len(layers) == 1) for lt in layers),
            verdict,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def cli_epilogs() -> str:
    """The parser's epilogs (number syntax, each subcommand's examples) as literal blocks.

    sphinx-argparse would parse them as reStructuredText, which they are not.
    """
    parser = build_parser()
    parts = ["Numbers, lists and exit status", "------------------------------", "", "::", ""]
    parts += ["   " + line if line else "" for line in (parser.epilog or "").splitlines()]
    parts += ["", "Examples", "--------", ""]
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for name, sub in actions[0].choices.items():
        if not sub.epilog:
            continue
        parts += [f"``ropebound {name}``::", ""]
        parts += ["   " + line if line else "" for line in sub.epilog.splitlines()]
        parts += [""]
    return "\n".join(parts) + "\n"


def write_all(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    generated = (
        ("exact_table.rst", exact_table()),
        ("audit_table.rst", audit_table()),
        ("cli_epilogs.rst", cli_epilogs()),
    )
    for name, text in generated:
        path = folder / name
        # Rewrite only on change, so that Sphinx's incremental build stays incremental.
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
