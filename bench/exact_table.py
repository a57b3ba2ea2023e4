"""The exact table (README; user guide, 'The exact table'), recomputed, with the evidence.

    python bench/exact_table.py [--max-exp 20] [--huge-to K]

For L = 2^10 ... 2^20 at d = 128 (distances 0..L-1) prints the certified b*,
its critical distance, and for each published value (the paper's and J. Su's
corrected row) whether it is admissible: if not, the distance at which B_m
already turns negative (max_context of the published base).

With --huge-to K (up to 30) instead: L = 2^20 ... 2^K, no published values,
each b* with its critical distance, the search's wall time and jump count
(one run each, all threads), and the progress of the long ones on stderr.
"""

from __future__ import annotations

import argparse
import sys
import time

import ropebound as rb

PAPER = [4.3e3, 1.6e4, 2.7e4, 8.4e4, 3.1e5, 6.4e5, 2.1e6, 7.8e6, 3.6e7, 6.4e7, 5.1e8]
SU = [4.3e3, 1.2e4, 2.7e4, 8.4e4, 2.3e5, 6.3e5, 2.1e6, 4.9e6, 2.4e7, 5.8e7, 6.5e7]
LABELS = ["1k", "2k", "4k", "8k", "16k", "32k", "64k", "128k", "256k", "512k", "1M"]


def verdict(base: float, context: int) -> str:
    mc = rb.max_context(base, 128, limit=context)
    return "ok" if mc is None else f"fails at m={mc}"


def huge_rows(top: int) -> None:
    print("| L | b* (exact) | critical m | time | jumps |")
    print("|---|---|---|---|---|")
    for exp in range(20, top + 1):
        L = 2**exp
        last = [time.perf_counter()]

        def progress(done: int, total: int, exp: int = exp, last: list[float] = last) -> None:
            if time.perf_counter() - last[0] > 30:
                last[0] = time.perf_counter()
                print(f"  2^{exp}: violator at {done} of {total}", file=sys.stderr, flush=True)

        t0 = time.perf_counter()
        bound = rb.min_base(L, 128, progress=progress)
        dt = time.perf_counter() - t0
        assert bound.certified
        print(
            f"| 2^{exp} | {bound.base:.16g} | {bound.critical_distance} | {dt:.1f} s "
            f"| {bound.jumps} |",
            flush=True,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--max-exp", type=int, default=20)
    ap.add_argument("--huge-to", type=int, default=0, metavar="K")
    args = ap.parse_args()
    if args.huge_to:
        huge_rows(args.huge_to)
        return
    print("| L | b* (exact) | critical m | 2 digits | paper | paper's value | Su | Su's value |")
    print("|---|---|---|---|---|---|---|---|")
    for k, exp in enumerate(range(10, args.max_exp + 1)):
        L = 2**exp
        bound = rb.min_base(L, 128)
        assert bound.certified
        print(
            f"| {LABELS[k]} | {bound.base:.10g} | {bound.critical_distance} | {bound.base:.1e} "
            f"| {PAPER[k]:.1e} | {verdict(PAPER[k], L)} | {SU[k]:.1e} | {verdict(SU[k], L)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
