"""Plots: the decay curve, the staircase against the published values, a config audit.

matplotlib is an optional dependency (``pip install 'ropebound[plot]'``); each function
loads it on first use (:mod:`ropebound._optional`, the non-interactive Agg backend), so
importing this module costs nothing and works on a headless machine.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ._optional import legend_patch, pyplot
from .decay import decay_curve

if TYPE_CHECKING:
    from .bounds import Staircase

#: Context lengths of the published tables (1k = 1024; user guide, 'The exact table').
PUBLISHED_CONTEXTS: tuple[int, ...] = tuple(1024 << k for k in range(11))

#: b*(L) for d = 128 as printed in Men, Xu et al., "Base of RoPE Bounds Context Length"
#: (NeurIPS 2024, arXiv 2405.14591), table of lower bounds (coarse inverse-function search).
#: Published data, not results of this library; several values are not admissible.
PAPER_MIN_BASE: tuple[float, ...] = (
    4.3e3, 1.6e4, 2.7e4, 8.4e4, 3.1e5, 6.4e5, 2.1e6, 7.8e6, 3.6e7, 6.4e7, 5.1e8,
)  # fmt: skip

#: The same table re-computed by J. Su (kexue.fm/archives/10122, dense GPU grid search,
#: distances 0 ... L-1). Published data, not results of this library.
SU_MIN_BASE: tuple[float, ...] = (
    4.3e3, 1.2e4, 2.7e4, 8.4e4, 2.3e5, 6.3e5, 2.1e6, 4.9e6, 2.4e7, 5.8e7, 6.5e7,
)  # fmt: skip

#: The paper's fit b* ~ 0.0424 L^1.628 (for reference in the legend).
PAPER_FIT = (0.0424, 1.628)


def _save(fig: Any, path: str | Path) -> Path:
    out = Path(path)
    fig.savefig(out, dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    return out


def plot_decay_curve(
    base: float,
    dim: int,
    length: int,
    path: str | Path,
    *,
    rotary_dim: int | None = None,
    start: int = 0,
    float32: npt.ArrayLike | None = None,
    values: npt.ArrayLike | None = None,
) -> Path:
    r"""Plot :math:`B_m` for ``m = start ... start+length-1`` with the zero line.

    The first negative distance (if any) is marked. With ``float32`` (the same
    distances evaluated in float32 "as implemented" arithmetic) both curves are
    overlaid.

    Parameters
    ----------
    base, dim, length, rotary_dim, start
        As in :func:`ropebound.decay_curve`.
    path : str or Path
        Output file; the format follows the suffix (``.png``, ``.svg``, ``.pdf``).
    float32 : array_like, optional
        ``length`` values to overlay, labelled "float32".
    values : array_like, optional
        The exact curve when already computed (skips recomputing it).

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ropebound.plots import plot_decay_curve
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     plot_decay_curve(1e4, 128, 4096, pathlib.Path(folder) / "curve.png").name
    'curve.png'
    """
    if values is None:
        exact = np.asarray(decay_curve(length, base, dim, rotary_dim=rotary_dim, start=start))
    else:
        exact = np.asarray(values, dtype=np.float64)
    if exact.shape != (length,):
        raise ValueError(f"values must have shape ({length},), got {exact.shape}")
    approx = None if float32 is None else np.asarray(float32, dtype=np.float64)
    if approx is not None and approx.shape != exact.shape:
        raise ValueError(f"float32 must have shape {exact.shape}, got {approx.shape}")
    plt = pyplot()
    m = np.arange(start, start + length, dtype=np.float64)
    log_x = length > 1 and start + length > 100 * max(start, 1)
    if approx is None:
        fig, ax = plt.subplots(figsize=(8, 4.2))
    else:
        fig, (ax, ax_diff) = plt.subplots(
            2, 1, figsize=(8, 5.6), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
        )
    # Millions of points draw the same pixels: keep each bucket's min and max so the
    # envelope (and every dip below 0) survives.
    ax.plot(*_envelope(m, exact, log=log_x), lw=0.7, color="C0", label="exact $B_m$")
    if approx is not None:
        ax.plot(
            *_envelope(m, approx, log=log_x),
            lw=0.6,
            color="C3",
            alpha=0.6,
            label="float32 as implemented",
        )
        ax_diff.plot(*_envelope(m, approx - exact, log=log_x), lw=0.6, color="C3")
        ax_diff.axhline(0.0, color="k", lw=0.6)
        ax_diff.set_ylabel("float32 $-$ exact", fontsize=8)
        ax_diff.set_xlabel("distance m")
        ax_diff.grid(alpha=0.3)
        diff = np.flatnonzero(np.sign(approx) != np.sign(exact))
        if diff.size:
            ax.axvline(
                m[diff[0]],
                color="C3",
                ls=":",
                lw=1,
                label=f"signs part first at m = {int(m[diff[0]])}",
            )
    ax.axhline(0.0, color="k", lw=0.8)
    negative = np.flatnonzero(exact < 0)
    if negative.size:
        first = int(m[negative[0]])
        ax.axvline(first, color="C1", ls="--", lw=1, label=f"first $B_m < 0$: m = {first}")
        ax.plot([first], [exact[negative[0]]], "o", color="C1", ms=4)
    r = dim if rotary_dim is None else rotary_dim
    rot = "" if r == dim else f", r = {r}"
    ax.set_title(f"Decay sum $B_m$, base {base:.4g}, d = {dim}{rot}")
    if approx is None:
        ax.set_xlabel("distance m")
    ax.set_ylabel("$B_m = \\sum_i \\cos(m\\theta_i)$")
    if log_x:
        ax.set_xscale("symlog", linthresh=max(10.0, float(start)))
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def _envelope(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    *,
    log: bool,
    buckets: int = 3000,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each bucket's min and max, in the order they occur: the same picture, fewer points.

    Buckets are geometric on a log axis, so small distances keep every point.
    """
    n = y.size
    if n <= 2 * buckets:
        return x, y
    if log:
        edges = np.unique(np.geomspace(1, n, buckets).astype(np.int64))
        edges = np.unique(np.concatenate([[0], edges]))
    else:
        edges = np.linspace(0, n, buckets + 1).astype(np.int64)
    picks: list[int] = []
    for lo, hi in itertools.pairwise(edges.tolist()):
        if hi <= lo:
            continue
        seg = y[lo:hi]
        a, b = lo + int(seg.argmin()), lo + int(seg.argmax())
        picks.extend(sorted({a, b}))
    picks.append(n - 1)
    idx = np.unique(np.asarray(picks, dtype=np.int64))
    return x[idx], y[idx]


def fit_power_law(contexts: npt.ArrayLike, bases: npt.ArrayLike) -> tuple[float, float]:
    """Least-squares fit ``b = c * L**p`` in log-log space; returns ``(c, p)``.

    Examples
    --------
    >>> from ropebound.plots import fit_power_law
    >>> contexts = [1024, 4096, 16384]
    >>> a, k = fit_power_law(contexts, [2.0 * L**1.5 for L in contexts])
    >>> round(a, 6), round(k, 6)
    (2.0, 1.5)
    """
    x = np.log(np.asarray(contexts, dtype=np.float64))
    y = np.log(np.asarray(bases, dtype=np.float64))
    if x.size < 2:
        raise ValueError("a power-law fit needs at least two points")
    p, log_c = np.polyfit(x, y, 1)
    return float(math.exp(log_c)), float(p)


def plot_staircase(staircase: Staircase, path: str | Path, *, published: bool = True) -> Path:
    r"""Plot the staircase :math:`L \mapsto b^*(L)` on log-log axes.

    Parameters
    ----------
    staircase : Staircase
        From :func:`ropebound.staircase`.
    path : str or Path
        Output file.
    published : bool
        Overlay the published values for ``d = 128`` (:data:`PAPER_MIN_BASE`,
        :data:`SU_MIN_BASE`) inside the plotted range. They are for distances
        ``0 ... L-1``; compare them with a staircase of the same convention.

    Returns
    -------
    Path
        ``path``. The legend shows a least-squares power law ``c L^p`` fitted to the
        steps (right ends of the steps, log-log).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import ropebound as rb
    >>> from ropebound.plots import plot_staircase
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     plot_staircase(rb.staircase(4096, 128), pathlib.Path(folder) / "staircase.png").name
    'staircase.png'
    """
    plt = pyplot()
    contexts = np.asarray(staircase.contexts, dtype=np.float64)
    bases = np.asarray(staircase.bases, dtype=np.float64)
    fig, ax = plt.subplots(figsize=(7, 4.6))
    if contexts.size:
        # A step holds b*_k on (L_{k-1}, L_k]: draw it as a horizontal segment.
        lefts = np.concatenate([[float(staircase.trivial_up_to)], contexts[:-1]])
        xs = np.column_stack([lefts, contexts]).ravel()
        ys = np.repeat(bases, 2)
        ax.plot(xs, ys, color="C0", lw=1.2, label=f"exact $b^*(L)$ ({contexts.size} steps)")
    if contexts.size >= 2:
        c, p = fit_power_law(contexts, bases)
        grid = np.geomspace(contexts[0], contexts[-1], 100)
        ax.plot(
            grid,
            c * grid**p,
            color="C2",
            ls="--",
            lw=1,
            label=f"least-squares fit ${c:.3g}\\,L^{{{p:.3f}}}$",
        )
    if published:
        lo, hi = float(staircase.trivial_up_to), float(staircase.max_context)
        keep = [k for k, L in enumerate(PUBLISHED_CONTEXTS) if lo < L <= hi]
        if keep:
            Ls = [PUBLISHED_CONTEXTS[k] for k in keep]
            ax.plot(
                Ls,
                [PAPER_MIN_BASE[k] for k in keep],
                "s",
                mfc="none",
                color="C3",
                label="paper (arXiv 2405.14591)",
            )
            ax.plot(
                Ls,
                [SU_MIN_BASE[k] for k in keep],
                "x",
                color="C1",
                label="J. Su re-computed (kexue.fm/10122)",
            )
            a, q = PAPER_FIT
            grid = np.geomspace(min(Ls), max(Ls), 50)
            ax.plot(
                grid, a * grid**q, color="C3", ls=":", lw=1, label=f"paper's fit ${a}\\,L^{{{q}}}$"
            )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    conv = "0..L" if staircase.inclusive else "0..L-1"
    r = "" if staircase.rotary_dim == staircase.dim else f", r = {staircase.rotary_dim}"
    ax.set_title(f"Minimal RoPE base $b^*(L)$, d = {staircase.dim}{r}, distances {conv}")
    ax.set_xlabel("context length L")
    ax.set_ylabel("$b^*$")
    ax.grid(which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return _save(fig, path)


def plot_audit(reports: Sequence[Mapping[str, Any]], path: str | Path) -> Path:
    """Advertised vs supported context per model, on a log axis.

    Parameters
    ----------
    reports : sequence of mappings
        Each with ``name``, ``advertised`` and ``supported`` (ints; None is skipped for
        that bar). ``supported`` is the first distance with :math:`B_m < 0` (the longest
        context the base supports); with ``lower_bound=True`` it is only a lower bound
        (no negative :math:`B_m` below the scan limit) and is drawn hatched.
    path : str or Path
        Output file.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from ropebound.plots import plot_audit
    >>> rows = [{"name": "model A", "advertised": 4096, "supported": 1707,
    ...          "lower_bound": False, "verdict": "superficial"}]
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     plot_audit(rows, pathlib.Path(folder) / "audit.png").name
    'audit.png'
    """
    rows = list(reports)
    if not rows:
        raise ValueError("plot_audit needs at least one report")
    for row in rows:
        missing = {"name", "advertised", "supported"} - set(row)
        if missing:
            raise ValueError(f"report {row.get('name', row)!r} lacks {sorted(missing)}")
    plt = pyplot()
    n = len(rows)
    fig, ax = plt.subplots(figsize=(8, 0.42 * n + 1.6))
    y = np.arange(n)
    h = 0.38
    adv = [float(r["advertised"]) if r["advertised"] else np.nan for r in rows]
    sup = [float(r["supported"]) if r["supported"] else np.nan for r in rows]
    ax.barh(y - h / 2, adv, h, color="0.7", label="advertised (max_position_embeddings)")
    colors = [
        "C2" if not (math.isnan(a) or math.isnan(s)) and s >= a else "C3"
        for a, s in zip(adv, sup, strict=True)
    ]
    bars = ax.barh(y + h / 2, sup, h, color=colors, label="supported by the base ($B_m \\geq 0$)")
    for bar, row in zip(bars, rows, strict=True):
        if row.get("lower_bound"):
            bar.set_hatch("///")
            bar.set_edgecolor("white")
    ax.set_yticks(y, [str(r["name"]) for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log", base=2)
    ax.set_xlabel("context length (tokens); hatched: at least this (scan limit)")
    ax.set_title("Advertised context vs what the RoPE base supports (exact frequencies)")
    ax.grid(axis="x", which="both", alpha=0.3)
    Patch = legend_patch()
    handles = [
        Patch(color="0.7", label="advertised"),
        Patch(color="C2", label="supported >= advertised"),
        Patch(color="C3", label="supported < advertised"),
    ]
    ax.legend(handles=handles, fontsize=8, loc="lower right")
    return _save(fig, path)


def plot_admissible(
    windows: Sequence[tuple[float, float]],
    base_range: tuple[float, float],
    path: str | Path,
    *,
    context: int,
    dim: int,
) -> Path:
    """Plot the windows of :func:`ropebound.admissible_bases` on a log base axis.

    Each window ``[a, e]`` is a shaded band; the gaps between them are bases where
    some :math:`B_m` is negative.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import ropebound as rb
    >>> from ropebound.plots import plot_admissible
    >>> windows = rb.admissible_bases(1024, 64, (5e3, 2e4))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = pathlib.Path(folder) / "windows.png"
    ...     plot_admissible(windows, (5e3, 2e4), out, context=1024, dim=64).name
    'windows.png'
    """
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 1.8))
    for a, e in windows:
        # A window narrower than a pixel still shows as a line.
        ax.axvspan(a, e, color="C0", alpha=0.6, lw=0.5)
    ax.set_xscale("log")
    ax.set_xlim(*base_range)
    ax.set_yticks([])
    ax.set_xlabel("base b")
    ax.set_title(
        f"Admissible bases, L = {context}, d = {dim}: {len(windows)} windows (shaded)", fontsize=10
    )
    return _save(fig, path)
