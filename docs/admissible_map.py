"""The admissible-window map (d = 128): every admissible window in [b*(L), 4 b*(L)].

    python docs/admissible_map.py [--max-log2 20] [--per-octave 4]

For L = 2**(k / per_octave) from 2**10 up to 2**max_log2, each row of the figure is
the base axis from b*(L) to 4 b*(L), with every window of admissible_bases shaded and
the rest of the row light grey (L on the vertical axis, the base on the horizontal,
both logarithmic). The published b*(L) of the paper (arXiv 2405.14591) and J. Su's re-computation
(kexue.fm/10122) are marked at their rows: a mark in an unshaded part of its row
(light grey) is a published base that is not admissible. Writes docs/admissible_map.png and
prints each row's time and window count. Needs matplotlib.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import ropebound as rb
from ropebound._optional import pyplot
from ropebound.plots import PAPER_MIN_BASE, PUBLISHED_CONTEXTS, SU_MIN_BASE

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--max-log2", type=int, default=20, help="largest context: 2**MAX_LOG2")
    ap.add_argument("--per-octave", type=int, default=4, help="rows per doubling of L")
    ap.add_argument("--out", type=Path, default=HERE / "admissible_map.png")
    args = ap.parse_args()
    steps = (args.max_log2 - 10) * args.per_octave
    contexts = sorted({round(2 ** (10 + k / args.per_octave)) for k in range(steps + 1)})
    # The published rows are drawn too, so that their marks sit on a row.
    contexts = sorted(set(contexts) | {L for L in PUBLISHED_CONTEXTS if L <= contexts[-1]})
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 6))
    total = 0.0
    for L in contexts:
        b = rb.min_base(L, 128).base
        t0 = time.perf_counter()
        windows = rb.admissible_bases(L, 128, (b, 4.0 * b))
        seconds = time.perf_counter() - t0
        total += seconds
        print(f"L = {L:>8}: {len(windows):>5} windows in [b*, 4 b*], {seconds:.2f} s", flush=True)
        # Row L spans L 2^(+-1/2 per_octave) on the log axis.
        half = 2 ** (0.5 / args.per_octave)
        for a, e in windows:
            ax.fill_between([a, e], L / half, L * half, color="C0", lw=0.3, edgecolor="C0")
        ax.fill_between([b, 4.0 * b], L / half, L * half, color="0.88", lw=0, zorder=0)
    keep = [k for k, L in enumerate(PUBLISHED_CONTEXTS) if L <= contexts[-1]]
    Ls = [PUBLISHED_CONTEXTS[k] for k in keep]
    ax.plot([PAPER_MIN_BASE[k] for k in keep], Ls, "s", mfc="none", color="C3", label="paper")
    ax.plot([SU_MIN_BASE[k] for k in keep], Ls, "x", color="C1", label="J. Su re-computed")
    ax.set_xscale("log")
    ax.set_yscale("log", base=2)
    ax.set_xlabel("base b")
    ax.set_ylabel("context length L")
    ax.set_title("Admissible bases (shaded) in $[b^*(L), 4\\,b^*(L)]$, d = 128, distances 0..L-1")
    ax.grid(which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.savefig(args.out, dpi=110, bbox_inches="tight")
    size = args.out.stat().st_size // 1024
    print(f"wrote {args.out} ({size} KiB), {total:.0f} s in admissible_bases")


if __name__ == "__main__":
    main()
