"""Package metadata: one version everywhere, the license shipped, the citation file current."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import ropebound
from ropebound.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_version_has_one_source() -> None:
    """Invariant: __version__, the installed metadata and the source agree."""
    assert ropebound.__version__ == importlib.metadata.version("ropebound")
    init = (ROOT / "python" / "ropebound" / "__init__.py").read_text("utf-8")
    assert re.search(rf'^__version__ = "{re.escape(ropebound.__version__)}"$', init, re.M)
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    assert re.search(r'^dynamic = \["version"\]$', pyproject, re.M)
    assert not re.search(r"^version\s*=", pyproject, re.M), "a second copy of the version"


def test_cli_version(capsys: object) -> None:
    """Invariant: ``ropebound --version`` prints the package version and exits 0."""
    assert main(["--version"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert out.strip() == f"ropebound {ropebound.__version__}"
    done = subprocess.run(
        [sys.executable, "-m", "ropebound", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"ropebound {ropebound.__version__}"


def test_license_is_shipped() -> None:
    """Invariant: the installed distribution carries the MIT LICENSE and says so."""
    meta = importlib.metadata.metadata("ropebound")
    assert meta["License-Expression"] == "MIT"
    files = importlib.metadata.files("ropebound") or []
    shipped = [f for f in files if f.name == "LICENSE"]
    assert shipped, "LICENSE is not in the installed distribution"
    text = shipped[0].read_text()
    assert text == (ROOT / "LICENSE").read_text("utf-8")
    assert text.startswith("MIT License")


def test_classifiers() -> None:
    classifiers = importlib.metadata.metadata("ropebound").get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)
    # py.typed makes "Typing :: Typed" true for the installed package.
    assert (Path(ropebound.__file__).parent / "py.typed").is_file()


def test_citation_file_is_current() -> None:
    """Invariant: CITATION.cff names this version, and the paper the library implements."""
    text = (ROOT / "CITATION.cff").read_text("utf-8")
    assert re.search(rf"^version: {re.escape(ropebound.__version__)}$", text, re.M)
    assert "cff-version: 1.2.0" in text
    assert "Base of RoPE Bounds Context Length" in text
    assert "2405.14591" in text


def test_changelog_has_this_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert f"## [{ropebound.__version__}]" in text
