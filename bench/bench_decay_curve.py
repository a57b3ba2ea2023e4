"""decay_curve against a straightforward numpy evaluation, in one run.

    python bench/bench_decay_curve.py [--length 16777216] [--base 5e5] [--dim 128]

numpy baseline: ``np.cos(np.outer(m, theta)).sum(axis=1)`` in chunks of 2**16
distances. Both results are checked against each other (numpy's own error at
these distances is ~1e-10), then terms/s, the ratio, and the throughput as a
fraction of this machine's FMA peak (a trivial vector FMA loop, same run) are
printed and written to ``bench/results/decay_curve.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

import ropebound as rb
from ropebound import _core

# Multiply/FMA-pipe operations per term in the rotation recurrence:
# c' = c*C - s*S and s' = s*C + c*S are two multiplies and two FMAs.
FMA_OPS_PER_TERM = 4


def numpy_curve(length: int, base: float, dim: int, chunk: int = 1 << 16) -> np.ndarray:
    theta = rb.frequencies(base, dim)
    out = np.empty(length)
    for lo in range(0, length, chunk):
        m = np.arange(lo, min(lo + chunk, length), dtype=np.float64)
        out[lo : lo + m.size] = np.cos(np.outer(m, theta)).sum(axis=1)
    return out


def best_of(fn, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--length", type=int, default=2**24)
    ap.add_argument("--base", type=float, default=5e5)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    terms = args.length * args.dim // 2

    rb.decay_curve(4096, args.base, args.dim)  # warm-up (page faults, thread pool)
    t_core, (curve, bound) = best_of(
        lambda: rb.decay_curve(args.length, args.base, args.dim, return_error=True), args.repeats
    )
    t_numpy, reference = best_of(lambda: numpy_curve(args.length, args.base, args.dim), 1)
    # numpy's float64 phase m*theta loses ~m*1e-16 rad per term: allow for it.
    tolerance = bound + args.dim / 2 * args.length * 2.3e-16
    max_diff = float(np.max(np.abs(curve - reference)))
    assert max_diff <= tolerance, (max_diff, tolerance)

    peak, threads = _core.measure_fma_peak(0.5)
    core_rate, numpy_rate = terms / t_core, terms / t_numpy
    rows = {
        "length": args.length,
        "base": args.base,
        "dim": args.dim,
        "threads": threads,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "core_seconds": t_core,
        "numpy_seconds": t_numpy,
        "core_terms_per_s": core_rate,
        "numpy_terms_per_s": numpy_rate,
        "ratio": core_rate / numpy_rate,
        "fma_peak_lanes_per_s": peak,
        "fraction_of_fma_peak": core_rate * FMA_OPS_PER_TERM / peak,
        "error_bound": bound,
        "max_abs_diff_vs_numpy": max_diff,
    }
    print(
        f"decay_curve(2**{args.length.bit_length() - 1}, base={args.base:g}, dim={args.dim}),"
        f" {threads} threads"
    )
    print(f"{'method':<12}{'seconds':>10}{'terms/s':>14}")
    print(f"{'ropebound':<12}{t_core:>10.3f}{core_rate:>14.3e}")
    print(f"{'numpy':<12}{t_numpy:>10.3f}{numpy_rate:>14.3e}")
    print(f"ratio ropebound/numpy: {rows['ratio']:.0f}x (target >= 100x)")
    print(
        f"FMA peak: {peak:.3e} lanes/s; decay_curve uses {FMA_OPS_PER_TERM} FMA-pipe ops/term "
        f"-> {100 * rows['fraction_of_fma_peak']:.0f}% of peak"
    )
    print(f"stated error bound {bound:.2e}; max |ropebound - numpy| {max_diff:.2e}")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "decay_curve.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
