"""Argument checking shared by the public functions.

Every check raises ``TypeError`` for a wrong kind of value and ``ValueError`` for
a value out of range, naming the argument and the allowed range, before anything
reaches the compiled core.
"""

from __future__ import annotations

import functools
import math
import numbers
import operator
import os
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

MAX_DIM = 1 << 16
MAX_BASE = 1e250
MAX_DISTANCE = 1 << 53
PRECISIONS = ("exact", "float32", "bfloat16-table")


def check_int(value: Any, name: str) -> int:
    """Return ``value`` as a Python int, or raise TypeError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    return int(value)


def check_dim(dim: Any, name: str = "dim") -> int:
    d = check_int(dim, name)
    if d < 2 or d % 2 != 0 or d > MAX_DIM:
        raise ValueError(f"{name} must be an even integer in [2, {MAX_DIM}], got {d}")
    return d


def check_rotary_dim(dim: int, rotary_dim: Any) -> int:
    if rotary_dim is None:
        return dim
    r = check_int(rotary_dim, "rotary_dim")
    if r < 2 or r % 2 != 0 or r > dim:
        raise ValueError(f"rotary_dim must be an even integer in [2, dim={dim}], got {r}")
    return r


def _as_real_array(value: Any, name: str) -> npt.NDArray[Any]:
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a real number or an array of them") from exc
    if arr.dtype == np.bool_ or (arr.dtype.kind not in "iuf" and arr.dtype != object):
        raise TypeError(f"{name} must be a real number or an array of them, got dtype {arr.dtype}")
    return arr


def check_base(base: Any, name: str = "base") -> npt.NDArray[np.float64]:
    """Bases as float64 in (1, 1e250]; NaN and infinities are rejected."""
    arr = _as_real_array(base, name)
    if arr.dtype == object:
        items = arr.ravel().tolist()
        if not all(
            isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)) for x in items
        ):
            raise TypeError(f"{name} must be a real number or an array of them")
        try:
            arr = np.asarray(arr, dtype=np.float64)
        except OverflowError:  # Python ints beyond the double range (10**400)
            raise ValueError(
                f"{name} must be in (1, {MAX_BASE:g}], got an integer beyond the double range"
            ) from None
    out = arr.astype(np.float64)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} must be finite and in (1, {MAX_BASE:g}], got NaN or infinity")
    if out.size and (np.min(out) <= 1.0 or np.max(out) > MAX_BASE):
        bad = out[(out <= 1.0) | (out > MAX_BASE)].ravel()[0]
        raise ValueError(f"{name} must be in (1, {MAX_BASE:g}], got {bad!r}")
    return out


def check_real(value: Any, name: str, *, minimum: Literal["none", "> 0", ">= 0"] = "none") -> float:
    """A finite real number (bool rejected), optionally ``> 0`` or ``>= 0``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    try:
        x = float(value)
    except OverflowError:  # a Python int beyond the double range
        x = math.inf if operator.gt(value, 0) else -math.inf
    if minimum == "none":
        if not math.isfinite(x):
            raise ValueError(f"{name} must be finite, got {value!r}")
    elif not math.isfinite(x) or (x <= 0.0 if minimum == "> 0" else x < 0.0):
        raise ValueError(f"{name} must be finite and {minimum}, got {x!r}")
    return x


def check_scalar_base(base: Any, name: str = "base") -> float:
    """One base (not an array) in (1, 1e250]."""
    b = check_base(base, name)
    if b.ndim != 0:
        raise TypeError(f"{name} must be a scalar (one base), got an array of shape {b.shape}")
    return float(b)


def check_count(value: Any, name: str) -> int:
    """A positive integer up to 2**53 (beyond it a length is no longer exact as a double)."""
    n = check_int(value, name)
    if not 1 <= n <= MAX_DISTANCE:
        raise ValueError(f"{name} must be a positive integer in [1, 2**53], got {n}")
    return n


def check_precision(precision: Any) -> str:
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    return str(precision)


def check_frequencies(frequencies: Any) -> npt.NDArray[Any]:
    try:
        arr = np.asarray(frequencies)
    except Exception as exc:
        raise TypeError("frequencies must be a 1-D array of real numbers") from exc
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        raise TypeError(f"frequencies must be a 1-D array of real numbers, got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"frequencies must be a non-empty 1-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("frequencies must be finite and >= 0")
    return arr


def check_distances(m: Any, name: str = "m") -> npt.NDArray[np.uint64]:
    """Integer distances in [0, 2^53) as uint64."""
    arr = _as_real_array(m, name)
    if arr.dtype == object:
        items = arr.ravel().tolist()
        for x in items:
            if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Integral):
                raise TypeError(f"{name} must be integers, got {type(x).__name__}")
            if not 0 <= int(x) < MAX_DISTANCE:
                raise ValueError(f"{name} must be integers in [0, 2**53), got {int(x)}")
        return np.asarray([int(x) for x in items], dtype=np.uint64).reshape(arr.shape)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be integers in [0, 2**53), got NaN or infinity")
        if not np.all(arr == np.floor(arr)):
            raise ValueError(f"{name} must be integers in [0, 2**53), got a non-integer value")
    if arr.size:
        lo, hi = arr.min(), arr.max()
        if lo < 0 or hi >= MAX_DISTANCE:
            bad = lo if lo < 0 else hi
            raise ValueError(f"{name} must be integers in [0, 2**53), got {bad}")
    return arr.astype(np.uint64)


# Where a container's memory limit is read (cgroup v2, then v1); "max" or a huge v1
# value means no limit.
_CGROUP_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")


@functools.cache
def _machine_bytes() -> int:
    """Physical memory, or a container's (cgroup) limit where lower: read once, as
    neither changes while the process runs."""
    try:
        limits = [int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))]
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        limits = [1 << 40]
    for path in _CGROUP_LIMITS:
        try:
            with open(path, encoding="ascii") as f:
                text = f.read().strip()
        except (OSError, UnicodeDecodeError):
            continue
        if text.isdigit():
            limits.append(int(text))
    return min(limits)


def _memory_bytes() -> int:
    """Memory this process may use: physical memory, or less where a container (cgroup)
    or an address-space rlimit (``ulimit -v``, read at each call: a process may set it)
    caps it. Past physical memory alone, a length that fits the machine but not the
    container would be an OOM kill."""
    limit = _machine_bytes()
    if resource is not None:
        soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY and soft > 0:
            limit = min(limit, soft)
    return limit


def check_length(length: Any, name: str = "length", *, start: int = 0, arrays: int = 1) -> int:
    """A non-negative output length whose ``arrays`` float64 arrays of that length
    (everything the call allocates in proportion to it) fit in half of the memory this
    process may use (physical memory, a container's limit, ``ulimit -v``)."""
    n = check_int(length, name)
    if n < 0:
        raise ValueError(f"{name} must be >= 0, got {n}")
    limit = min(MAX_DISTANCE - start, _memory_bytes() // 2 // (8 * arrays))
    if n > limit:
        raise ValueError(
            f"{name} must be <= {limit} here (2**53 - start, and the {arrays} float64 "
            f"output array(s) must fit in half of the memory this process may use), got {n}"
        )
    return n


def check_start(start: Any) -> int:
    s = check_int(start, "start")
    if not 0 <= s < MAX_DISTANCE:
        raise ValueError(f"start must be an integer in [0, 2**53), got {s}")
    return s


def check_progress(progress: Any | None) -> Any | None:
    if progress is not None and not callable(progress):
        raise TypeError("progress must be a callable progress(done, total) or None")
    return progress


def check_int_list(values: Any, name: str) -> list[Any]:
    """The items of a non-empty iterable (not a string, bytes or mapping), as a list.

    Bytes iterate as small ints (``b"64"`` would be the contexts 54, 52): refused.
    """
    if isinstance(values, (str, bytes, bytearray, Mapping)) or not isinstance(values, Iterable):
        raise TypeError(
            f"{name} must be a non-empty list of integers, got {type(values).__name__} {values!r}"
        )
    items = list(values)
    if not items:
        raise ValueError(f"{name} must be a non-empty list of integers, got none")
    return items


def check_bool(value: Any, name: str) -> bool:
    """``value`` as a bool; anything else (``"64"``, 1, NaN) is a TypeError naming ``name``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_seq_len(seq_len: Any, scaling: Any) -> int | None:
    """A positive sequence length, given only with a ``scaling`` dict (which alone uses it)."""
    if seq_len is None:
        return None
    n = check_int(seq_len, "seq_len")
    if not 1 <= n <= MAX_DISTANCE:
        raise ValueError(f"seq_len must be an integer in [1, 2**53], got {n}")
    if scaling is None:
        raise ValueError(
            "seq_len applies only with scaling= (the dynamic and longrope schemes); "
            f"got seq_len={n} without scaling"
        )
    return n


def check_executor(executor: Any) -> Any:
    """None or a ``concurrent.futures``-style executor (an object with ``submit``)."""
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError(
            "executor must be a concurrent.futures.Executor (an object with submit()) or None, "
            f"got {type(executor).__name__}"
        )
    return executor
