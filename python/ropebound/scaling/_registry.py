"""The one table of scaling schemes: ``rope_type`` -> its module's :class:`Scheme`.

Adding a scheme: write ``scaling/<name>.py`` with a ``SCHEME`` and add one line here.
"""

from __future__ import annotations

from . import default, dynamic, linear, llama3, longrope, ntk, yarn
from ._base import Scheme

SCHEMES: dict[str, Scheme] = {
    "default": default.SCHEME,
    "linear": linear.SCHEME,
    "ntk": ntk.SCHEME,
    "dynamic": dynamic.SCHEME,
    "yarn": yarn.SCHEME,
    "llama3": llama3.SCHEME,
    "longrope": longrope.SCHEME,
}
