"""admissible_bases against min_base and one decay_curve pass, in one run.

    python bench/bench_admissible.py [--quick] [--sizes 12 14 16 18 20]

For each L = 2**k (d = 128): every admissible window in [b*, 2 b*]
(admissible_bases), min_base(L, 128) and one decay_curve pass over L distances
at b*, each best of several runs (three; one above 2**16), interleaved so a
busy machine slows all of them alike. Printed: the times, the number of
windows, and admissible_bases as a multiple of min_base and of one pass.
Targets (issue 16): <= 1 s at 2**16, <= 60 s at 2**20.

Results go to bench/results/admissible.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import ropebound as rb


def timed(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def row(context: int, runs: int) -> dict[str, Any]:
    b = rb.min_base(context, 128).base
    calls: dict[str, Any] = {
        "admissible": lambda: rb.admissible_bases(context, 128, (b, 2.0 * b)),
        "min_base": lambda: rb.min_base(context, 128),
        "pass": lambda: rb.decay_curve(context, b, 128),
    }
    best = {name: float("inf") for name in calls}
    windows: list[tuple[float, float]] = []
    for _ in range(runs):
        for name, call in calls.items():
            seconds, out = timed(call)
            best[name] = min(best[name], seconds)
            if name == "admissible":
                windows = out
    return {
        "context": context,
        "b_star": b,
        "windows": len(windows),
        "seconds": best,
        "to_min_base": best["admissible"] / best["min_base"],
        "to_pass": best["admissible"] / best["pass"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="L = 2**12 and 2**14 only (smoke test)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[12, 14, 16, 18, 20], help="log2 L")
    args = ap.parse_args()
    sizes = [12, 14] if args.quick else args.sizes
    rb.decay_curve(4096, 1e4, 128)  # warm-up
    print("admissible_bases(L, 128, (b*, 2 b*)) against min_base and one pass, best of runs")
    print(f"{'L':>9}{'windows':>9}{'admissible s':>14}{'min_base s':>12}{'pass s':>10}", end="")
    print(f"{'x min_base':>12}{'x pass':>9}")
    rows = []
    for k in sizes:
        r = row(2**k, 3 if k <= 16 else 1)
        rows.append(r)
        s = r["seconds"]
        print(
            f"{r['context']:>9}{r['windows']:>9}{s['admissible']:>14.3f}{s['min_base']:>12.4f}"
            f"{s['pass']:>10.5f}{r['to_min_base']:>12.1f}{r['to_pass']:>9.0f}",
            flush=True,
        )
    out = Path(__file__).parent / "results" / "admissible.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"rows": rows}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
