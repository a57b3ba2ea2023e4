"""The ``ropebound`` command line.

Every subcommand prints a short human-readable summary, or one JSON document with
``--json``. Exit status: 0 on success, 2 on a usage error (argparse), 1 when the
library rejects the input or a file cannot be read or written, 130 on Ctrl-C.
Errors are one line on stderr (``ropebound: error: ...``), never a traceback.

The number and list syntax is :data:`NUMBER_SYNTAX` (shown by ``ropebound --help``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import re
import signal
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TextIO

import numpy as np

from . import __version__

PROG = "ropebound"

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


class CliError(Exception):
    """A failure to report as one line with exit status 1."""


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (exit status 2, as argparse's default)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


# ---------------------------------------------------------------------------
# Argument types


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
    """:func:`parse_int`, at least 1."""
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


# ---------------------------------------------------------------------------
# Output helpers


def _emit_json(doc: Any) -> None:
    json.dump(doc, sys.stdout, indent=2, default=_json_default)
    sys.stdout.write("\n")


def _json_default(obj: Any) -> Any:
    # numpy scalars and arrays reach here from the library's results.
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _one_line(message: object) -> str:
    return " ".join(str(message).split())


@contextlib.contextmanager
def _progress(enabled: bool, description: str) -> Iterator[Callable[[int, int], None] | None]:
    """A ``progress(done, total)`` callback drawing a tqdm bar on stderr.

    None (no callback, so the library skips the calls) when disabled, when stderr is
    not a terminal (a bar in a log file is noise) or when tqdm is not installed.
    """
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    try:
        from tqdm import tqdm
    except ImportError:
        yield None
        return
    bar = tqdm(total=0, desc=description, unit="", leave=False, file=sys.stderr)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        # Some searches report a position that can move backwards (min_base's current
        # violating distance): set it rather than increment it.
        bar.n = min(done, total)
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


def _convention(inclusive: bool) -> str:
    return "0..L" if inclusive else "0..L-1"


# ---------------------------------------------------------------------------
# Subcommands


def _cmd_bound(args: argparse.Namespace) -> int:
    from .bounds import min_base

    with _progress(args.progress, "min_base") as progress:
        bound = min_base(
            args.context,
            args.dim,
            rotary_dim=args.rotary_dim,
            inclusive=args.inclusive,
            progress=progress,
        )
    doc = {
        "context": bound.context,
        "dim": bound.dim,
        "rotary_dim": bound.rotary_dim,
        "inclusive": bound.inclusive,
        "distances": _convention(bound.inclusive),
        "min_base": bound.base,
        "attained": bound.attained,
        "certified": bound.certified,
        "critical_distance": bound.critical_distance,
        "jumps": bound.jumps,
    }
    if args.json:
        _emit_json(doc)
        return 0
    rot = "" if bound.rotary_dim == bound.dim else f", rotary_dim={bound.rotary_dim}"
    print(
        f"context L = {bound.context} (distances {_convention(bound.inclusive)}), "
        f"dim = {bound.dim}{rot}"
    )
    if bound.attained:
        print(f"minimal base b* = {bound.base!r}  ({bound.base:.4g})")
    else:
        print("minimal base b* = 1 (infimum, not attained: every base > 1 is admissible)")
    print(f"certified       = {'yes' if bound.certified else 'NO'}")
    if bound.critical_distance is not None:
        print(f"critical m      = {bound.critical_distance}  (B_m touches 0 there at b*)")
    return 0


def _cmd_context(args: argparse.Namespace) -> int:
    from .bounds import max_context

    with _progress(args.progress, "max_context") as progress:
        result = max_context(
            args.base,
            args.dim,
            rotary_dim=args.rotary_dim,
            limit=args.limit,
            inclusive=args.inclusive,
            progress=progress,
        )
    rotary = args.rotary_dim if args.rotary_dim is not None else args.dim
    doc = {
        "base": args.base,
        "dim": args.dim,
        "rotary_dim": rotary,
        "inclusive": args.inclusive,
        "distances": _convention(args.inclusive),
        "limit": args.limit,
        "max_context": result,
        "first_negative_distance": None if result is None else result + int(args.inclusive),
    }
    if args.json:
        _emit_json(doc)
    elif result is None:
        print(
            f"max context > {args.limit}: no B_m < 0 for m < {args.limit} "
            f"(base {args.base:g}, dim {args.dim})"
        )
    else:
        print(
            f"max context = {result}  (first B_m < 0 at m = {doc['first_negative_distance']}; "
            f"base {args.base:g}, dim {args.dim}, distances {_convention(args.inclusive)})"
        )
    return 0


def _write_curve_csv(path: Path, start: int, values: np.ndarray[Any, Any]) -> None:
    with path.open("w", newline="") as fh:
        fh.write("m,B_m\n")
        # In chunks: np.savetxt on one array would build the whole text in memory.
        chunk = 1 << 16
        for lo in range(0, values.size, chunk):
            part = values[lo : lo + chunk]
            ms = np.arange(start + lo, start + lo + part.size, dtype=np.int64)
            np.savetxt(fh, np.column_stack([ms, part]), fmt=["%d", "%.17g"], delimiter=",")


def _cmd_curve(args: argparse.Namespace) -> int:
    from .decay import decay_curve

    with _progress(args.progress, "decay_curve") as progress:
        values, error = decay_curve(
            args.length,
            args.base,
            args.dim,
            rotary_dim=args.rotary_dim,
            start=args.start,
            return_error=True,
            progress=progress,
        )
    doc: dict[str, Any] = {
        "base": args.base,
        "dim": args.dim,
        "rotary_dim": args.rotary_dim if args.rotary_dim is not None else args.dim,
        "start": args.start,
        "length": args.length,
        "error_bound": error,
        "min": None,
        "argmin": None,
        "first_negative_distance": None,
        "first_negative_certified": None,
    }
    if values.size:
        k = int(np.argmin(values))
        doc["min"] = float(values[k])
        doc["argmin"] = args.start + k
        negative = np.flatnonzero(values < 0)
        if negative.size:
            j = int(negative[0])
            doc["first_negative_distance"] = args.start + j
            # Below -error the sign is proven; within the bound only max_context decides.
            doc["first_negative_certified"] = bool(values[j] < -error)
    if args.csv is not None:
        _write_curve_csv(args.csv, args.start, values)
        doc["csv"] = str(args.csv)
    if args.plot is not None:
        from .plots import plot_decay_curve

        float32: np.ndarray[Any, Any] | None = None
        if args.float32:
            # The same distances as float32 inference stacks compute them (overlay).
            float32 = np.asarray(
                decay_curve(
                    args.length,
                    args.base,
                    args.dim,
                    rotary_dim=args.rotary_dim,
                    start=args.start,
                    precision="float32",
                )
            )
        plot_decay_curve(
            args.base,
            args.dim,
            args.length,
            args.plot,
            rotary_dim=args.rotary_dim,
            start=args.start,
            values=values,
            float32=float32,
        )
        doc["plot"] = str(args.plot)
    if args.json:
        _emit_json(doc)
        return 0
    end = args.start + args.length - 1
    print(
        f"B_m for m = {args.start}..{end}, base {args.base:g}, dim {args.dim}: "
        f"error bound {error:.3g}"
    )
    if doc["min"] is not None:
        print(f"min B_m = {doc['min']:.6g} at m = {doc['argmin']}")
    if doc["first_negative_distance"] is None:
        print("no B_m < 0 in this range")
    else:
        tag = "" if doc["first_negative_certified"] else " (within the error bound: uncertain)"
        print(f"first B_m < 0 at m = {doc['first_negative_distance']}{tag}")
    for key in ("csv", "plot"):
        if key in doc:
            print(f"wrote {doc[key]}")
    return 0


def _cmd_staircase(args: argparse.Namespace) -> int:
    from .bounds import staircase

    with _progress(args.progress, "staircase") as progress:
        stairs = staircase(
            args.max_context,
            args.dim,
            rotary_dim=args.rotary_dim,
            inclusive=args.inclusive,
            progress=progress,
        )
    lows = [stairs.trivial_up_to + 1, *(int(c) + 1 for c in stairs.contexts[:-1])]
    steps = [
        {"from": lo, "to": int(hi), "min_base": float(b), "critical_distance": int(m)}
        for lo, hi, b, m in zip(
            lows, stairs.contexts, stairs.bases, stairs.critical_distances, strict=True
        )
    ]
    if args.plot is not None:
        from .plots import plot_staircase

        plot_staircase(stairs, args.plot, published=stairs.dim == 128 and not stairs.inclusive)
    if args.json:
        doc = {
            "max_context": stairs.max_context,
            "dim": stairs.dim,
            "rotary_dim": stairs.rotary_dim,
            "inclusive": stairs.inclusive,
            "distances": _convention(stairs.inclusive),
            "certified": stairs.certified,
            "trivial_up_to": stairs.trivial_up_to,
            "steps": steps,
        }
        if args.plot is not None:
            doc["plot"] = str(args.plot)
        _emit_json(doc)
        return 0
    print(
        f"staircase of b*(L) for L <= {stairs.max_context}, dim {stairs.dim}, "
        f"distances {_convention(stairs.inclusive)}: {len(steps)} steps, "
        f"certified: {'yes' if stairs.certified else 'NO'}"
    )
    print(f"L <= {stairs.trivial_up_to}: every base > 1 is admissible")
    print(f"{'L from':>12} {'L to':>12} {'b*':>24} {'critical m':>12}")
    for step in steps:
        print(
            f"{step['from']:>12} {step['to']:>12} {step['min_base']!r:>24} "
            f"{step['critical_distance']:>12}"
        )
    if args.plot is not None:
        print(f"wrote {args.plot}")
    return 0


_SWEEP_COLUMNS = ("context", "dim", "rotary_dim", "base", "critical_distance", "certified")


def _cmd_sweep(args: argparse.Namespace) -> int:
    from .bounds import sweep_min_base

    out: Path | None = args.out
    if out is not None:
        suffix = out.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise CliError(f"--out must end in .csv or .parquet, got {str(out)!r}")
        if suffix == ".parquet":
            # Fail before the (possibly long) sweep, not after it.
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise CliError(
                    "writing parquet needs pyarrow (pip install pyarrow); or use --out FILE.csv"
                ) from None
    contexts = [c for item in args.contexts for c in item]
    dims = [d for item in args.dims for d in item]
    rotary = None if args.rotary_dim is None else [args.rotary_dim] * len(dims)
    with _progress(args.progress, "sweep") as progress:
        table = sweep_min_base(
            contexts, dims, rotary_dims=rotary, inclusive=args.inclusive, progress=progress
        )
    rows = [
        {name: _json_default(table[name][k]) for name in _SWEEP_COLUMNS}
        for k in range(table["context"].size)
    ]
    if out is not None:
        if out.suffix.lower() == ".csv":
            with out.open("w", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=_SWEEP_COLUMNS)
                writer.writeheader()
                for row in rows:
                    writer.writerow({**row, "base": repr(row["base"])})
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.table({name: table[name] for name in _SWEEP_COLUMNS}), out)
    if args.json:
        _emit_json({"inclusive": args.inclusive, "out": out, "rows": rows})
        return 0
    print(f"{'context':>12} {'dim':>6} {'rotary':>6} {'b*':>24} {'critical m':>12} certified")
    for row in rows:
        print(
            f"{row['context']:>12} {row['dim']:>6} {row['rotary_dim']:>6} "
            f"{row['base']!r:>24} {row['critical_distance']:>12} "
            f"{'yes' if row['certified'] else 'NO'}"
        )
    if out is not None:
        print(f"wrote {out}")
    return 0


def _require(name: str) -> Any:
    """``ropebound.<name>``, or a CliError when this build does not have it yet."""
    import ropebound

    func = getattr(ropebound, name, None)
    if func is None:
        raise CliError(f"this version of ropebound has no {name}() (not implemented yet)")
    return func


def _audit_row(name: str, report: dict[str, Any]) -> dict[str, Any]:
    """The advertised vs supported context of one report, for :func:`plot_audit`."""
    # (value, is_lower_bound) per layer type; the model supports the smallest.
    candidates: list[tuple[int, bool]] = []
    advertised = report.get("max_position_embeddings")
    for layer in report.get("layer_types", []):
        span, first_negative = layer.get("context"), layer.get("max_context")
        if (
            advertised is not None
            and span is not None
            and span < advertised
            and (first_negative is None or first_negative >= span)
        ):
            # A sliding-window or chunked layer type never sees distances >= span, and
            # its B_m >= 0 below span: it does not limit the context.
            candidates.append((int(advertised), True))
        elif first_negative is not None:
            candidates.append((int(first_negative), False))
        elif layer.get("max_context_limit") is not None:
            # No negative B_m below the scan limit: supported is at least the limit.
            candidates.append((int(layer["max_context_limit"]), True))
    supported, lower_bound = min(candidates) if candidates else (None, False)
    return {
        "name": name,
        "advertised": advertised,
        "supported": supported,
        "lower_bound": lower_bound,
        "verdict": report.get("verdict"),
    }


def _print_report(name: str, report: dict[str, Any]) -> None:
    print(
        f"{name}: {report.get('verdict', '?')}  (head_dim {report.get('head_dim')}, "
        f"rotary_dim {report.get('rotary_dim')}, "
        f"max_position_embeddings {report.get('max_position_embeddings')})"
    )
    for layer in report.get("layer_types", []):
        print(
            f"  [{layer.get('layer_type')}] rope_theta {layer.get('rope_theta'):g}, "
            f"{layer.get('rope_type')}: {layer.get('verdict')}"
        )
        for reason in layer.get("reasons", []):
            print(f"      - {reason}")
    for note in report.get("notes", []):
        print(f"  note: {note}")


def _check_many(
    items: list[tuple[str, Any]], args: argparse.Namespace
) -> tuple[list[tuple[str, dict[str, Any]]], bool]:
    """The reports of a batch, and whether any item failed.

    A failing item (missing file, bad config) is reported on its own line and the
    batch goes on.
    """
    check_config = _require("check_config")
    reports = []
    failed = False
    with _progress(args.progress and len(items) > 1, "check") as progress:
        for k, (name, source) in enumerate(items):
            try:
                report = check_config(
                    source,
                    limit=args.limit,
                    min_base=not args.no_min_base,
                    download=getattr(args, "download", False),
                )
            except (CliError, ValueError, TypeError, OSError) as exc:
                _error(exc if name in str(exc) else f"{name}: {exc}")
                failed = True
            else:
                reports.append((name, report.to_dict()))
            if progress is not None:
                progress(k + 1, len(items))
    return reports, failed


def _finish_check(
    batch: tuple[list[tuple[str, dict[str, Any]]], bool], args: argparse.Namespace
) -> int:
    reports, failed = batch
    if args.plot is not None and reports:
        from .plots import plot_audit

        plot_audit([_audit_row(name, rep) for name, rep in reports], args.plot)
    if args.json:
        _emit_json([{"name": name, **rep} for name, rep in reports])
    else:
        for name, rep in reports:
            _print_report(name, rep)
        if args.plot is not None and reports:
            print(f"wrote {args.plot}")
    if failed or (args.strict and any(rep.get("verdict") != "supported" for _, rep in reports)):
        return 1
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    """Check files, folders (every config.json below), Hub repo ids and the Hub cache.

    Two or more models print one line per model and layer type and a verdict count;
    exit 1 only if some file failed (or, with --strict, some verdict is not supported).
    """
    from ._discover import configs_below, hub_cache_configs, hub_cache_dir

    _require("check_config")
    items: list[tuple[str, Any]] = []
    failed = False
    skipped = 0
    for given in args.configs or []:
        path = Path(given)
        try:
            found, not_models = configs_below(path) if path.is_dir() else ([path], 0)
        except (ValueError, OSError) as exc:
            _error(exc)
            failed = True
            continue
        skipped += not_models
        if not found:
            _error(f"{given}: no model config.json in or below this directory")
            failed = True
        if found == [path] or found == [path / "config.json"]:
            items.append((given, given))  # a file, a repo id, or a model folder
        else:
            items += [(str(cfg.parent), str(cfg)) for cfg in found]
    if args.hub_cache is not None:
        root = Path(args.hub_cache) if args.hub_cache else hub_cache_dir()
        try:
            items += [(repo, str(cfg)) for repo, cfg in hub_cache_configs(root)]
        except OSError as exc:
            _error(exc)
            failed = True
    if not items:
        return 1 if failed else _finish_check(([], False), args)
    reports, batch_failed = _check_many(items, args)
    if len(items) < 2 or args.json or args.plot is not None:
        return max(_finish_check((reports, batch_failed), args), int(failed))
    counts: dict[str, int] = {}
    for name, rep in reports:
        counts[rep["verdict"]] = counts.get(rep["verdict"], 0) + 1
        shape = f"d/r {rep['head_dim']}/{rep['rotary_dim']}"
        if not rep["layer_types"]:
            print(f"{name}: {shape} -> {rep['verdict']}")
        for layer in rep["layer_types"]:
            first = layer["max_context"]
            first_text = "none" if first is None else str(first)
            print(
                f"{name}: [{layer['layer_type']}] d/r {layer['head_dim']}/{layer['rotary_dim']} "
                f"base {layer['rope_theta']:g} {layer['rope_type']} context {layer['context']} "
                f"first B_m<0 {first_text} -> {layer['verdict']}"
            )
    print("verdicts: " + ", ".join(f"{v} {n}" for v, n in sorted(counts.items())))
    if skipped:
        print(f"skipped {skipped} config.json that are not model configs (no model_type)")
    strict = args.strict and any(rep["verdict"] != "supported" for _, rep in reports)
    return 1 if failed or batch_failed or strict else 0


def _cmd_models(args: argparse.Namespace) -> int:
    models = _require("models")
    entries = list(models())
    if args.check or args.plot is not None:
        items: list[tuple[str, Any]] = [(e.name, dict(e.config)) for e in entries]
        return _finish_check(_check_many(items, args), args)
    try:
        from .config import models_table
    except ImportError:
        rows = [{"name": e.name, "hf_repo": getattr(e, "hf_repo", None)} for e in entries]
    else:
        rows = models_table()
    if args.json:
        _emit_json(rows)
        return 0
    if rows and "rope_theta" in rows[0]:
        print(
            f"{'model':<34} {'layers':<10} {'d':>5} {'r':>5} {'rope_theta':>12} "
            f"{'scaling':<10} {'max_pos':>9}"
        )
        for row in rows:
            print(
                f"{row['name']:<34} {row['layer_type'] or '-':<10} {row['head_dim']:>5} "
                f"{row['rotary_dim']:>5} {row['rope_theta'] or 0:>12g} "
                f"{row['rope_type'] or 'no RoPE':<10} "
                f"{row['max_position_embeddings'] or '-':>9}"
            )
    else:
        for row in rows:
            print(row["name"])
    return 0


def _cmd_precision(args: argparse.Namespace) -> int:
    precision_report = _require("precision_report")
    contexts = None if args.contexts is None else [c for item in args.contexts for c in item]
    with _progress(args.progress, "precision") as progress:
        report = precision_report(
            args.base,
            args.dim,
            rotary_dim=args.rotary_dim,
            contexts=contexts,
            precision=args.precision,
            progress=progress,
        )
    doc = report.to_dict()
    if args.json:
        _emit_json(doc)
        return 0
    print(
        f"base {doc['base']:g}, dim {doc['dim']}, rotary_dim {doc['rotary_dim']}: "
        f"exact vs {doc['precision']} as implemented"
    )
    largest = max(row["context"] for row in doc["rows"])

    def shown(value: int | None) -> str:
        return f"> {largest} (no B_m < 0 below it)" if value is None else str(value)

    print(f"max context, exact:      {shown(doc['exact_max_context'])}")
    print(f"max context, {doc['precision']}: {shown(doc['float32_max_context'])}")
    first = doc["first_sign_disagreement"]
    print(
        "first certified sign disagreement: "
        + ("none below the largest context" if first is None else f"m = {first}")
    )
    print(f"{'context':>10} {'phase err pair 0':>17} {'max phase err':>14} {'pair':>5}")
    for row in doc["rows"]:
        print(
            f"{row['context']:>10} {row['fastest_pair_phase_error']:>17.3g} "
            f"{row['max_phase_error']:>14.3g} {row['worst_pair']:>5}"
        )
    return 0


# ---------------------------------------------------------------------------
# Parser


def _add_common(parser: argparse.ArgumentParser, *, dim: bool = True) -> None:
    if dim:
        parser.add_argument("--dim", type=parse_int, required=True, help="head dimension d")
        parser.add_argument(
            "--rotary-dim",
            type=parse_int,
            default=None,
            metavar="R",
            help="rotary dimension r <= d (partial RoPE); default d",
        )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document instead of text"
    )
    parser.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="no progress bar (it is only drawn when stderr is a terminal anyway)",
    )


def _add_inclusive(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--inclusive",
        action="store_true",
        help="check distances 0..L (the paper's definition) instead of 0..L-1",
    )


def _sub(subparsers: Any, name: str, help_text: str, example: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=help_text,
        description=help_text[0].upper() + help_text[1:] + ".",
        epilog="example:\n" + example,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of the ``ropebound`` command.

    Examples
    --------
    >>> from ropebound.cli import build_parser
    >>> args = build_parser().parse_args(["bound", "128k", "--dim", "128"])
    >>> args.command, args.context, args.dim
    ('bound', 131072, 128)
    """
    parser = _Parser(
        prog=PROG,
        description="Exact, certified bounds relating the RoPE base and the context length.",
        epilog=NUMBER_SYNTAX,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = _sub(
        subparsers,
        "bound",
        "minimal base b*(L, d) of a context length, certified",
        "  ropebound bound 131072 --dim 128\n  ropebound bound 128k --dim 128 --inclusive --json\n",
    )
    p.add_argument("context", type=parse_int, help="context length L (e.g. 131072, 128k, 2^17)")
    _add_common(p)
    _add_inclusive(p)
    p.set_defaults(func=_cmd_bound)

    p = _sub(
        subparsers,
        "context",
        "max context of a base: the first distance with B_m < 0",
        "  ropebound context 500000 --dim 128\n  ropebound context 1e4 --dim 128 --json\n",
    )
    p.add_argument("base", type=parse_base, help="RoPE base b (e.g. 10000, 1e4)")
    _add_common(p)
    p.add_argument(
        "--limit",
        type=parse_positive_int,
        default=2**32,
        help="examine distances m < N (default 2^32)",
        metavar="N",
    )
    _add_inclusive(p)
    p.set_defaults(func=_cmd_context)

    p = _sub(
        subparsers,
        "curve",
        "the decay curve B_m for consecutive distances: summary, CSV, plot",
        "  ropebound curve --base 1e4 --dim 128 --length 8192 --plot curve.png\n"
        "  ropebound curve --base 5e5 --dim 128 --length 1M --csv curve.csv --json\n",
    )
    p.add_argument("--base", type=parse_base, required=True, help="RoPE base b")
    _add_common(p)
    p.add_argument(
        "--length", type=parse_positive_int, required=True, help="number of distances (>= 1)"
    )
    p.add_argument("--start", type=parse_int, default=0, help="first distance (default 0)")
    p.add_argument("--plot", type=Path, default=None, metavar="FILE", help="write a plot (PNG)")
    p.add_argument("--csv", type=Path, default=None, metavar="FILE", help="write m,B_m as CSV")
    p.add_argument(
        "--float32",
        action="store_true",
        help="with --plot: overlay the float32 'as implemented' curve",
    )
    p.set_defaults(func=_cmd_curve)

    p = _sub(
        subparsers,
        "staircase",
        "every step of L -> b*(L) up to LMAX, in one pass",
        "  ropebound staircase 64k --dim 128\n"
        "  ropebound staircase 1M --dim 128 --plot staircase.png --json\n",
    )
    p.add_argument("max_context", type=parse_int, metavar="LMAX", help="largest context length")
    _add_common(p)
    _add_inclusive(p)
    p.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="FILE",
        help="write a log-log plot (with the published values when dim = 128)",
    )
    p.set_defaults(func=_cmd_staircase)

    p = _sub(
        subparsers,
        "sweep",
        "b*(L, d) for every context and head dimension, to CSV or parquet",
        "  ropebound sweep --contexts 2^10..2^20 --dims 64,128,256 --out sweep.csv\n"
        "  ropebound sweep --contexts 1024,4096,32k --dims 128 --json\n\n"
        "Lists: comma-separated numbers or ranges; A..B doubles from A up to B\n"
        "(2^10..2^20 = 1024, 2048, ..., 1048576); A..B+S steps by S.\n",
    )
    p.add_argument(
        "--contexts", type=parse_int_list, nargs="+", required=True, help="context lengths"
    )
    p.add_argument("--dims", type=parse_int_list, nargs="+", required=True, help="head dims")
    p.add_argument(
        "--rotary-dim",
        type=parse_int,
        default=None,
        metavar="R",
        help="one rotary dimension for every dim (default: each dim)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE",
        help="FILE.csv, or FILE.parquet (needs pyarrow)",
    )
    _add_common(p, dim=False)
    _add_inclusive(p)
    p.set_defaults(func=_cmd_sweep)

    check_example = (
        "  ropebound check path/to/config.json\n"
        "  ropebound check ~/models/Llama-3.1-8B/ other/config.json --json\n"
        "  ropebound check cfg.json --plot audit.png --strict\n"
        "  ropebound check ~/models/ --hub-cache\n"
        "  ropebound check EleutherAI/pythia-6.9b --download\n"
    )
    p = _sub(
        subparsers,
        "check",
        "check Hugging Face config.json files against the decay bound",
        check_example,
    )
    p.add_argument(
        "configs",
        nargs="*",
        default=None,
        metavar="CONFIG_OR_DIR",
        help="a config.json, a folder (its config.json, else every config.json below it), "
        "or a Hub repo id owner/name found in the local Hugging Face cache",
    )
    p.add_argument(
        "--hub-cache",
        nargs="?",
        const="",
        default=None,
        metavar="DIR",
        help="also check every model downloaded into the Hugging Face cache (default: "
        "HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub)",
    )
    p.add_argument(
        "--download",
        action="store_true",
        help="fetch the config.json of a Hub repo id that is not cached (huggingface_hub)",
    )
    _add_check_options(p)
    p.set_defaults(func=_cmd_check)

    p = _sub(
        subparsers,
        "models",
        "the shipped public model configs (and their check)",
        "  ropebound models\n  ropebound models --check --json\n"
        "  ropebound models --plot audit.png\n",
    )
    p.add_argument(
        "--check", action="store_true", help="run the config check on every shipped model"
    )
    _add_check_options(p)
    p.set_defaults(func=_cmd_models)

    p = _sub(
        subparsers,
        "precision",
        "exact vs float32 'as implemented' decay sums of a base",
        "  ropebound precision 500000 --dim 128\n"
        "  ropebound precision 1e6 --dim 128 --contexts 2^12..2^22 --json\n",
    )
    p.add_argument("base", type=parse_base, help="RoPE base b")
    _add_common(p)
    p.add_argument(
        "--contexts",
        type=parse_int_list,
        nargs="+",
        default=None,
        metavar="LIST",
        help="context lengths to report (default 2^10..2^20)",
    )
    p.add_argument(
        "--precision",
        choices=["float32", "bfloat16-table"],
        default="float32",
        help="the 'as implemented' arithmetic (default float32)",
    )
    p.set_defaults(func=_cmd_precision)

    # The compare subcommand lives in its own module (literature tables); it appears
    # when that module is installed.
    try:
        from . import cli_compare  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        pass
    else:
        cli_compare.register(subparsers)
    return parser


def _add_check_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--limit",
        type=parse_positive_int,
        default=None,
        metavar="N",
        help="scan distances m < N (default: twice the advertised context); below the "
        "context a scan without B_m < 0 gives the verdict 'unchecked'",
    )
    p.add_argument(
        "--no-min-base", action="store_true", help="skip the minimal-base search (faster)"
    )
    p.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="FILE",
        help="write an advertised-vs-supported context plot",
    )
    p.add_argument(
        "--strict", action="store_true", help="exit 1 unless every verdict is 'supported'"
    )
    _add_common(p, dim=False)


# ---------------------------------------------------------------------------
# Entry point


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    # One line per warning, like errors; the default format adds a source line.
    print(f"{PROG}: warning: {_one_line(message)}", file=sys.stderr)


def _error(message: object) -> None:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)


def _check_combinations(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage errors argparse cannot see: options that only make sense together, and an
    option given ``--`` as its value (argparse then stores [] without calling its type)."""
    for key, value in vars(args).items():
        if isinstance(value, list) and not value and key != "configs":  # check: may be empty
            parser.error(f"argument --{key.replace('_', '-')}: expected a value, got '--'")
    if args.command == "check" and not args.configs and args.hub_cache is None:
        parser.error("check: give a CONFIG_OR_DIR or --hub-cache")
    if getattr(args, "float32", False) and getattr(args, "plot", None) is None:
        parser.error("curve: --float32 overlays the float32 curve on --plot; give --plot FILE")


def main(argv: list[str] | None = None) -> int:
    """Run the ``ropebound`` command line; returns the exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (without the program name); default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 1 on a failure, 2 on a usage error, 130 on Ctrl-C.

    Examples
    --------
    >>> from ropebound.cli import main
    >>> main(["context", "5e5", "--dim", "128"])
    max context = 18438  (first B_m < 0 at m = 18438; base 500000, dim 128, distances 0..L-1)
    0
    """
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        _error("standard output is closed: nowhere to write the result")
        return 1
    old_show = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        # Parsing too runs inside the Ctrl-C handler (a number can take a moment).
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
            _check_combinations(parser, args)
        except SystemExit as exc:  # --help, --version, usage errors
            return exc.code if isinstance(exc.code, int) else 1
        status: int = args.func(args)
        sys.stdout.flush()
        return status
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except BrokenPipeError:
        # `ropebound staircase ... | head`: the reader left; say nothing more.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1
    except (CliError, ValueError, TypeError, OSError, ImportError) as exc:
        _error(exc)
        return 1
    except Exception as exc:  # last resort: a bug, still one line and no traceback
        _error(f"internal error ({type(exc).__name__}): {exc}")
        return 1
    finally:
        warnings.showwarning = old_show


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
