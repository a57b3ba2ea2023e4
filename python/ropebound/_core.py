"""The compiled core: the variant of it this CPU runs best.

The build holds one extension module per instruction-set level
(``_core_baseline``, ``_core_avx2``, ``_core_avx512``, or one ``_core_native``);
:mod:`ropebound._dispatch` picks one. This module then replaces itself in
``sys.modules`` by it, so ``from ropebound import _core`` gives the compiled
module itself (its classes, functions and ``_core.pyi`` types) whatever variant
was chosen, and no caller needs to know about variants.
"""

from __future__ import annotations

import sys

from ._dispatch import load_core

sys.modules[__name__] = load_core()
