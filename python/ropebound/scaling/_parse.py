"""Reading a ``rope_scaling`` dict: its type, then the type's own parser."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._validate import check_dim
from ._base import RopeScaling, opt_length
from ._registry import SCHEMES

#: The schemes of the registry when the package was imported (lookups use SCHEMES itself).
ROPE_TYPES = tuple(SCHEMES)
# Legacy names a config may carry: Phi-3's early revisions said "su" for LongRoPE.
_ALIASES = {"su": "longrope"}


def rope_type_of(scaling: Mapping[str, Any] | None) -> str:
    """The canonical ``rope_type`` of a scaling dict (``None`` or ``{}`` means default).

    Examples
    --------
    >>> from ropebound.scaling import rope_type_of
    >>> rope_type_of(None), rope_type_of({"type": "linear", "factor": 2.0})
    ('default', 'linear')
    >>> rope_type_of({"rope_type": "su", "short_factor": [1.0], "long_factor": [1.0]})
    'longrope'
    """
    if scaling is None:
        return "default"
    if not isinstance(scaling, Mapping):
        raise TypeError(
            f"rope_scaling must be a dict (or None), got {type(scaling).__name__} {scaling!r}"
        )
    raw = scaling.get("rope_type", scaling.get("type", "default"))
    if raw is None:
        raw = "default"
    if not isinstance(raw, str):
        raise TypeError(f"rope_scaling: 'rope_type' must be a string, got {raw!r}")
    name = _ALIASES.get(raw, raw)
    if name not in SCHEMES:
        raise ValueError(
            f"rope_scaling: unknown rope_type {raw!r}; allowed: {', '.join(SCHEMES)} "
            "(legacy key 'type' and alias 'su' for longrope are accepted)"
        )
    if "rope_type" in scaling and "type" in scaling:
        other = scaling["type"]
        if isinstance(other, str) and _ALIASES.get(other, other) != name:
            raise ValueError(
                f"rope_scaling: 'rope_type' {raw!r} and legacy 'type' {other!r} disagree"
            )
    return name


def parse_scaling(scaling: Mapping[str, Any] | None, rotary_dim: int | None = None) -> RopeScaling:
    """Validate a ``rope_scaling`` / ``rope_parameters`` dict and fill in defaults.

    Parameters
    ----------
    scaling : dict or None
        The dict as in a Hugging Face config (``rope_type`` or legacy ``type``).
    rotary_dim : int, optional
        When given, longrope factor lists must have ``rotary_dim/2`` entries.

    Raises
    ------
    TypeError
        A value of the wrong type (the message names the key).
    ValueError
        Unknown ``rope_type``, a missing required key, a factor that is not > 0,
        ``low_freq_factor > high_freq_factor``, or a factor list of the wrong length.

    Examples
    --------
    >>> from ropebound.scaling import parse_scaling
    >>> p = parse_scaling({"rope_type": "linear", "factor": 4.0})
    >>> p.rope_type, p.factor
    ('linear', 4.0)
    """
    rope_type = rope_type_of(scaling)
    if rotary_dim is not None:
        check_dim(rotary_dim, "rotary_dim")
    if scaling is None or rope_type == "default":
        return RopeScaling("default")
    # The two lengths are checked whatever the type, before the type's own keys.
    opt_length(scaling, "max_position_embeddings", rope_type)
    opt_length(scaling, "original_max_position_embeddings", rope_type)
    return SCHEMES[rope_type].parse(scaling, rotary_dim)
