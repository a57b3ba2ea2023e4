"""The examples in the docstrings and in the user guide run, and every public function has some.

Doctest runs over every public module of the *installed* package (so the examples exercise
the compiled core that users get), and over the reStructuredText pages of docs/. A public
function is one in ``ropebound.__all__`` (classes there too) or a public module-level
function of a public submodule (its ``__all__`` where it has one); each must have a numpydoc
``Examples`` section, so that the API reference shows how to call it.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import inspect
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import ropebound

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
DOCS = Path(__file__).resolve().parents[1] / "docs"
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
EXAMPLES_HEADING = re.compile(r"^\s*Examples\n\s*-{8}\n", re.MULTILINE)


def public_modules() -> list[str]:
    names = [m.name for m in pkgutil.iter_modules(ropebound.__path__)]
    return ["ropebound"] + [f"ropebound.{n}" for n in sorted(names) if not n.startswith("_")]


def public_functions(module: ModuleType) -> list[str]:
    """Qualified names of the module's public API that need an Examples section."""
    if module is ropebound:
        names = [
            n
            for n in ropebound.__all__
            if inspect.isfunction(getattr(ropebound, n)) or inspect.isclass(getattr(ropebound, n))
        ]
        return [f"ropebound.{n}" for n in names]
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    out = []
    for name in names:
        obj = getattr(module, name)
        if inspect.isfunction(obj) and obj.__module__ == module.__name__:
            out.append(f"{module.__name__}.{name}")
    return out


def resolve(qualname: str) -> object:
    module_name, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(module_name), name)


ALL_PUBLIC = [q for m in public_modules() for q in public_functions(importlib.import_module(m))]


def test_the_installed_package_is_examined() -> None:
    """Invariant: the list of public functions is not vacuous (the checks below see them)."""
    assert len(ALL_PUBLIC) >= 50
    assert "ropebound.min_base" in ALL_PUBLIC
    assert "ropebound.literature.compare" in ALL_PUBLIC
    assert "ropebound.cli.main" in ALL_PUBLIC


@pytest.mark.parametrize("qualname", ALL_PUBLIC)
def test_public_function_has_examples(qualname: str) -> None:
    """Invariant: every public function's docstring has a numpydoc Examples section."""
    doc = inspect.getdoc(resolve(qualname)) or ""
    assert EXAMPLES_HEADING.search(doc), f"{qualname}: no 'Examples' section in its docstring"
    assert ">>> " in doc.split("Examples", 1)[1], f"{qualname}: its Examples section is empty"


def _run(tests: list[doctest.DocTest]) -> tuple[int, int, str]:
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    failures: list[str] = []
    for test in tests:
        if not HAS_MATPLOTLIB and "plot_" in test.name:
            continue  # the plotting examples need the optional matplotlib
        result = runner.run(test, out=failures.append)
        assert result.attempted == len(test.examples)
    summary = runner.summarize(verbose=False)
    return summary.failed, summary.attempted, "".join(failures)


@pytest.mark.parametrize("module_name", public_modules())
def test_docstring_examples_pass(module_name: str) -> None:
    """Invariant: every example in the module's docstrings gives the output it shows."""
    module = importlib.import_module(module_name)
    tests = doctest.DocTestFinder().find(module, module_name)
    failed, attempted, report = _run([t for t in tests if t.examples])
    assert failed == 0, report
    # The top-level names are defined (and their examples run) in the submodules.
    if module is not ropebound and public_functions(module):
        assert attempted > 0


GUIDE_PAGES = sorted(DOCS.glob("*.rst")) + sorted(DOCS.glob("guide/*.rst"))


def test_docs_pages_are_found() -> None:
    assert DOCS.joinpath("conf.py").is_file()
    assert len(GUIDE_PAGES) >= 12


@pytest.mark.parametrize("page", GUIDE_PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_user_guide_examples_pass(page: Path) -> None:
    """Invariant: the user guide's ``>>>`` examples give the output they show."""
    text = page.read_text("utf-8")
    test = doctest.DocTestParser().get_doctest(text, {}, page.name, str(page), 0)
    failed, _, report = _run([test])
    assert failed == 0, report
