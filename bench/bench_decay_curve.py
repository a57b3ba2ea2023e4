"""decay_curve against a straightforward numpy evaluation, in one run.

    python bench/bench_decay_curve.py [--length 16777216] [--base 5e5] [--dim 128]

numpy baseline: ``np.cos(np.outer(m, theta)).sum(axis=1)`` in chunks of 2**16
distances, split over as many processes as ropebound has threads, best of the
same number of runs as ropebound. Both results are checked against each other
(numpy's own error at these distances is ~1e-10), then terms/s and the ratio are
printed, with the measured FMA throughput of this machine (a vector FMA loop,
same run) for scale. No fraction of peak is claimed: the operations per term of
the compiled loop are not measured here.
Results go to ``bench/results/decay_curve.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

import ropebound as rb
from ropebound import _core


def numpy_part(start: int, stop: int, theta: np.ndarray, chunk: int = 1 << 16) -> np.ndarray:
    out = np.empty(stop - start)
    for lo in range(start, stop, chunk):
        m = np.arange(lo, min(lo + chunk, stop), dtype=np.float64)
        out[lo - start : lo - start + m.size] = np.cos(np.outer(m, theta)).sum(axis=1)
    return out


def numpy_curve(
    pool: ProcessPoolExecutor, workers: int, length: int, theta: np.ndarray
) -> np.ndarray:
    """The numpy baseline split into one contiguous part per process."""
    cuts = np.linspace(0, length, workers + 1).astype(int).tolist()
    parts = pool.map(numpy_part, cuts[:-1], cuts[1:], [theta] * workers)
    return np.concatenate(list(parts))


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

    peak, threads = _core.measure_fma_peak(0.5)
    rb.decay_curve(4096, args.base, args.dim)  # warm-up (page faults, thread pool)
    t_core, (curve, bound) = best_of(
        lambda: rb.decay_curve(args.length, args.base, args.dim, return_error=True), args.repeats
    )
    theta = rb.frequencies(args.base, args.dim)
    with ProcessPoolExecutor(threads) as pool:
        numpy_curve(pool, threads, threads * 4096, theta)  # start the processes
        t_numpy, reference = best_of(
            lambda: numpy_curve(pool, threads, args.length, theta), args.repeats
        )
    # numpy's float64 phase m*theta loses ~m*1e-16 rad per term: allow for it.
    tolerance = bound + args.dim / 2 * args.length * 2.3e-16
    max_diff = float(np.max(np.abs(curve - reference)))
    assert max_diff <= tolerance, (max_diff, tolerance)

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
        "numpy_processes": threads,
        "repeats": args.repeats,
        "fma_lanes_per_s_measured": peak,
        "error_bound": bound,
        "max_abs_diff_vs_numpy": max_diff,
    }
    print(
        f"decay_curve(2**{args.length.bit_length() - 1}, base={args.base:g}, dim={args.dim}),"
        f" {threads} threads"
    )
    print(f"{'method':<12}{'seconds':>10}{'terms/s':>14}")
    print(f"{'ropebound':<12}{t_core:>10.3f}{core_rate:>14.3e}   ({threads} threads)")
    print(f"{'numpy':<12}{t_numpy:>10.3f}{numpy_rate:>14.3e}   ({threads} processes)")
    print(
        f"ratio ropebound/numpy: {rows['ratio']:.0f}x (target >= 100x), both best of "
        f"{args.repeats} on {threads} threads/processes"
    )
    print(f"measured FMA throughput: {peak:.3e} double lanes/s (for scale; no % of peak claimed)")
    print(f"stated error bound {bound:.2e}; max |ropebound - numpy| {max_diff:.2e}")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "decay_curve.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
