"""What the README and the shipped texts say agrees with what the code does.

Users have the package, its docs and the README, not the project's internal notes: nothing
they see may cite a specification file ("SPEC section N"), and the README's counts of the
shipped model configs are those of :func:`ropebound.models`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ropebound as rb
from ropebound.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")
SPEC_REFERENCE = re.compile(r"\bSPEC\b|SPEC\.md|specification file")


def test_readme_model_counts() -> None:
    """Invariant: the README's counts of shipped configs are those of models()."""
    everything = rb.models(include_incomplete=True)
    complete = rb.models()
    held = re.search(r"holds (\d+) public configs", README)
    split = re.search(r"\((\d+) verified against a copy of the real config, (\d+) marked", README)
    returned = re.search(
        r"`models\(\)` returns\s+the (\d+) complete ones \((\d+) verified, (\d+)", README
    )
    assert held and split and returned, "the README lost its sentence on the shipped configs"
    assert int(held.group(1)) == len(everything)
    assert int(split.group(1)) == sum(e.verified for e in everything)
    assert int(split.group(2)) == sum(not e.verified for e in everything)
    assert int(returned.group(1)) == len(complete)
    assert int(returned.group(2)) == sum(e.verified for e in complete)
    assert int(returned.group(3)) == sum(not e.verified for e in complete)


def test_readme_audit_table_lists_every_model() -> None:
    """Invariant: the README's audit table has one row per model that models() returns."""
    section = README.split("## Scaled RoPE, float32, and the model-config audit", 1)[1]
    table = section.split("| model | layer type |", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines()[2:] if line.startswith("| ")]
    assert len(rows) == len(rb.models())
    unverified = [r for r in rows if "(unverified)" in r]
    assert len(unverified) == sum(not e.verified for e in rb.models())


def _package_texts() -> list[tuple[str, str]]:
    folder = Path(rb.__file__).parent
    return [(p.name, p.read_text("utf-8")) for p in sorted(folder.glob("*.py*"))]


@pytest.mark.parametrize(("name", "text"), _package_texts(), ids=lambda v: str(v)[:30])
def test_package_sources_cite_no_spec_file(name: str, text: str) -> None:
    """Invariant: no docstring, comment or message of the installed package cites SPEC."""
    assert not SPEC_REFERENCE.search(text), f"{name} cites a file users do not have"


def test_readme_cites_no_spec_file() -> None:
    assert not SPEC_REFERENCE.search(README)


def test_cli_help_cites_no_spec_file() -> None:
    """Invariant: the help of the command and of every subcommand cites no SPEC file."""
    parser = build_parser()
    texts = [parser.format_help()]
    sub = next(a for a in parser._actions if a.dest == "command")
    texts += [p.format_help() for p in sub.choices.values()]  # type: ignore[union-attr]
    assert len(texts) > 8
    for text in texts:
        assert not SPEC_REFERENCE.search(text)


def test_partial_rotary_reason_names_no_spec_file() -> None:
    """The audit's reasons (CLI output) explain unrotated pairs in words, not by a citation."""
    cfg = {
        "head_dim": 128,
        "num_attention_heads": 32,
        "hidden_size": 4096,
        "partial_rotary_factor": 0.25,
        "max_position_embeddings": 4096,
    }
    report = rb.check_config(cfg, min_base=False)
    reasons = " ".join(report.layer_types[0].reasons)
    assert "unrotated pairs" in reasons
    assert not SPEC_REFERENCE.search(reasons)


def test_readme_comparison_shows_the_exact_min_base_in_full() -> None:
    """Invariant: the README's exact b* row is min_base's, to the 10 digits compare prints."""
    row = re.search(r"^\| exact b\* \(decay sum ≥ 0\) \| exact \|(.*)\|$", README, re.MULTILINE)
    assert row, "the README lost the exact row of its comparison table"
    shown = [cell.split()[0] for cell in row.group(1).split("|")]
    contexts = [4096, 32768, 131072, 1 << 20]
    assert shown == [f"{rb.min_base(L, 128).base:.10g}" for L in contexts]
