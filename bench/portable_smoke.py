"""Smoke test of an installed ropebound, for bench/portable_check.sh.

    python bench/portable_smoke.py run OUT.json        # compute, write the answers
    python bench/portable_smoke.py compare REF.json GOT.json [--variant V]

``run`` records the variant that ran, decay_sum(10**9, 5e5, 128),
decay_curve(2**16, 5e5, 128) and min_base(65536, 128), each with its error
bound. ``compare`` checks GOT against REF (computed natively): the certified
minimal base bit-identical, decay values within the sum of both error bounds,
and, with --variant, which kernel variant ran. Exit status 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np


def run(out: Path) -> None:
    import ropebound as rb

    value, error = rb.decay_sum(10**9, 5e5, 128, return_error=True)
    curve, bound = rb.decay_curve(2**16, 5e5, 128, return_error=True)
    b = rb.min_base(65536, 128)
    result: dict[str, Any] = {
        "variant": rb.cpu_info().variant,
        "decay_sum": [float(value), float(error)],
        "curve": curve.tolist(),
        "curve_bound": np.broadcast_to(bound, curve.shape).tolist(),
        "min_base": [b.base.hex(), b.critical_distance, b.certified],
    }
    out.write_text(json.dumps(result))
    print(f"variant {result['variant']}: min_base(65536, 128) = {b.base!r}")


def compare(ref_path: Path, got_path: Path, variant: str | None) -> int:
    ref, got = json.loads(ref_path.read_text()), json.loads(got_path.read_text())
    failures = []
    if variant is not None and got["variant"] != variant:
        failures.append(f"variant {got['variant']!r}, expected {variant!r}")
    if got["min_base"] != ref["min_base"]:
        failures.append(f"min_base {got['min_base']} != native {ref['min_base']}")
    (v1, e1), (v2, e2) = ref["decay_sum"], got["decay_sum"]
    if not abs(v1 - v2) <= e1 + e2:
        failures.append(f"decay_sum {v2!r} vs native {v1!r} beyond the bounds {e1 + e2:.3g}")
    c1, c2 = np.asarray(ref["curve"]), np.asarray(got["curve"])
    b1, b2 = np.asarray(ref["curve_bound"]), np.asarray(got["curve_bound"])
    bad = int(np.count_nonzero(~(np.abs(c1 - c2) <= b1 + b2)))
    if c1.shape != c2.shape or bad:
        failures.append(f"decay_curve: {bad} of {c1.size} values beyond their bounds")
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print(
            f"OK: variant {got['variant']}, min_base identical, decay_sum and decay_curve "
            f"within bounds (max |diff| {np.max(np.abs(c1 - c2)):.3g})"
        )
    return 1 if failures else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("out", type=Path)
    c = sub.add_parser("compare")
    c.add_argument("ref", type=Path)
    c.add_argument("got", type=Path)
    c.add_argument("--variant")
    args = ap.parse_args()
    if args.cmd == "run":
        run(args.out)
        return 0
    return compare(args.ref, args.got, args.variant)


if __name__ == "__main__":
    sys.exit(main())
