"""Sphinx configuration of the ropebound documentation.

Build: ``pip install '.[docs]'`` (with ropebound installed), then
``sphinx-build -W -b html docs docs/_build/html``.

The API reference is generated from the docstrings of the *installed* package
(autodoc + napoleon, numpy style), the CLI reference from the argparse parser
(sphinx-argparse), and the exact table and the audit table are recomputed by
``_tables.py`` at build time, so none of them can drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import ropebound

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _tables  # noqa: E402  (docs/_tables.py, found through the path above)

project = "ropebound"
author = "The ropebound developers"
copyright = "2026, The ropebound developers"
release = ropebound.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinxarg.ext",
]

# Generated tables land in _generated/ and enter pages by ``.. include::``.
exclude_patterns = ["_build", "_generated"]
templates_path: list[str] = []
root_doc = "index"

napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_default_options = {"members": True, "show-inheritance": False}
# Type names in docstrings ("int, optional", "numpy.ndarray") are prose, not references:
# nitpicky mode would turn each into a warning, and -W into an error.
nitpicky = False

html_theme = "alabaster"
html_static_path: list[str] = []
html_theme_options = {
    "description": "Exact, certified RoPE base bounds",
    "fixed_sidebar": True,
}

_tables.write_all(HERE / "_generated")

# Option names ("--dim") must not become en dashes in the CLI reference and help texts.
smartquotes = False
