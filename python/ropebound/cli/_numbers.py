"""The one number and list syntax of every subcommand (:data:`NUMBER_SYNTAX`)."""

from __future__ import annotations

import argparse
import math
import re

NUMBER_SYNTAX = """\
numbers:
  contexts, distances, limits: 131072, 0x20000, 2^17 (or 2**17), 1e6, and binary
  suffixes 128k, 1M, 1G (1k = 1024, as in the paper's tables).
  bases: real numbers, 10000, 1e4, 5e5, 2^20.
lists (sweep --contexts, --dims):
  comma-separated items, each a number or a range:
  A..B    A, 2A, 4A, ... up to B   (2^10..2^20 = 1024, 2048, ..., 1048576)
  A..B+S  A, A+S, A+2S, ... up to B (64..256+64 = 64, 128, 192, 256)
exit status: 0 success, 1 failure (bad value, missing file), 2 usage error, 130 Ctrl-C.
"""

#: Binary suffixes, as in the paper's "1k = 1024" tables.
_SUFFIXES = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_POWER = re.compile(r"^\s*(\d+)\s*(?:\^|\*\*)\s*(\d+)\s*$")
#: Bounds checked before any arithmetic, so that "10^100000000" fails at once: no count
#: the library takes reaches 2^64, and no double 2^1024.
_INT_BITS = 64
_REAL_BITS = 1024
_MAX_DIGITS = 400


def _power(match: re.Match[str], text: str, max_bits: int) -> int:
    """``a^e`` of a matched power, refused before computing when it exceeds ``max_bits``."""
    a_text, e_text = match.group(1), match.group(2)
    if len(a_text) > _MAX_DIGITS or len(e_text) > _MAX_DIGITS:
        raise argparse.ArgumentTypeError(f"number out of range: {_short(text)}")
    a, e = int(a_text), int(e_text)
    if a >= 2 and e * math.log2(a) > max_bits:
        raise argparse.ArgumentTypeError(
            f"number out of range (more than 2^{max_bits}): {_short(text)}"
        )
    # int ** int is typed Any (a negative exponent gives a float); both are >= 0 here.
    return int(a**e)


def _short(text: str) -> str:
    """``text`` for a message, cut to a readable length."""
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def parse_int(text: str) -> int:
    """An integer in the CLI's number syntax (see the module docstring).

    Examples
    --------
    >>> from ropebound.cli import parse_int
    >>> parse_int("128k"), parse_int("2^17"), parse_int("1e6"), parse_int("0x20000")
    (131072, 131072, 1000000, 131072)
    """
    value = _parse_int(text)
    if abs(value).bit_length() > _INT_BITS:
        raise argparse.ArgumentTypeError(
            f"number out of range (2^{_INT_BITS} or more): {_short(text)}"
        )
    return value


def parse_positive_int(text: str) -> int:
    """:func:`parse_int`, at least 1.

    Examples
    --------
    >>> from ropebound.cli import parse_positive_int
    >>> parse_positive_int("1k")
    1024
    """
    value = parse_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {_short(text)}")
    return value


def _ascii(text: str) -> str:
    """``text`` without blanks and ``_``; only ASCII (Python's int() also reads other digits)."""
    s = text.strip().replace("_", "")
    if not s.isascii():
        raise argparse.ArgumentTypeError(f"expected an ASCII number, got {_short(text)}")
    return s


def _parse_int(text: str) -> int:
    s = _ascii(text)
    if len(s) > _MAX_DIGITS:
        raise argparse.ArgumentTypeError(f"number out of range: {_short(text)}")
    match = _POWER.match(s)
    if match:
        return _power(match, text, _INT_BITS)
    if s and s[-1].lower() in _SUFFIXES:
        mult = _SUFFIXES[s[-1].lower()]
        try:
            return int(s[:-1], 0) * mult
        except ValueError:
            pass
    try:
        return int(s, 0)
    except ValueError:
        pass
    # "1e6" is a common way to write a count; accept it only when it is integral.
    try:
        value = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {_short(text)}") from None
    if not math.isfinite(value) or value != int(value):
        raise argparse.ArgumentTypeError(f"expected an integer, got {_short(text)}")
    return int(value)


def parse_base(text: str) -> float:
    """A real number: ``10000``, ``1e4``, ``2^20``.

    Examples
    --------
    >>> from ropebound.cli import parse_base
    >>> parse_base("1e4"), parse_base("2^20"), parse_base("500_000")
    (10000.0, 1048576.0, 500000.0)
    """
    s = _ascii(text)
    if len(s) > _MAX_DIGITS:
        raise argparse.ArgumentTypeError(f"number out of range: {_short(text)}")
    match = _POWER.match(s)
    try:
        value = float(_power(match, text, _REAL_BITS)) if match else float(s)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"expected a number, got {_short(text)}") from None
    return value


def parse_int_list(text: str) -> list[int]:
    """Comma-separated integers and ranges ``A..B`` (doubling) or ``A..B+S`` (step S).

    Examples
    --------
    >>> from ropebound.cli import parse_int_list
    >>> parse_int_list("2^10..2^13")
    [1024, 2048, 4096, 8192]
    >>> parse_int_list("64..256+64,1k")
    [64, 128, 192, 256, 1024]
    """
    out: list[int] = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        if ".." not in item:
            out.append(parse_int(item))
            continue
        lo_text, hi_text = item.split("..", 1)
        step: int | None = None
        if "+" in hi_text:
            hi_text, step_text = hi_text.split("+", 1)
            step = parse_int(step_text)
            if step < 1:
                raise argparse.ArgumentTypeError(f"range step must be >= 1 in {item!r}")
        lo, hi = parse_int(lo_text), parse_int(hi_text)
        if lo < 1 or hi < lo:
            raise argparse.ArgumentTypeError(f"range {item!r} must have 1 <= A <= B")
        value = lo
        while value <= hi:
            out.append(value)
            value = value + step if step is not None else value * 2
            if len(out) > 100_000:
                raise argparse.ArgumentTypeError(f"range {item!r} has too many values")
    if not out:
        raise argparse.ArgumentTypeError(f"expected at least one value, got {text!r}")
    return out


def parse_unit_interval(text: str) -> float:
    """A real number in (0, 1), in the syntax of :func:`parse_base`."""
    value = parse_base(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), got {value}")
    return value
