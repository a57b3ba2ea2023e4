"""GPU-vs-CPU timings for bench/gpu_check.sh; one case per call, JSON lines out.

    python bench/gpu_bench.py curve|max_context|min_base [--quick] [--emulate]

``--emulate`` runs the CUDA side through the host emulation at tiny sizes: it
checks this script (not the GPU) on a machine without one.

Every case checks the two backends against each other before it reports a
time (the CUDA values must lie within the stated bound of the CPU's).
"""

from __future__ import annotations

import argparse
import inspect
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import ropebound as rb
from ropebound import _backend, _core

SEED = 20240528
EMULATE = False


def emit(**row: Any) -> None:
    print(json.dumps(row), flush=True)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def case_curve(quick: bool) -> None:
    length = 2**16 if EMULATE else 2**26 if quick else 2**30
    base, dim = 5e5, 128
    if EMULATE:
        t = _core.FrequencyTable.rope(base, dim, dim)
        cuda = _backend.cuda_module()
        assert cuda is not None
        bound = _core.decay_curve_error_bound(t, length - 1)
        t_gpu, gpu = timed(
            lambda: cuda.decay_curve(t.hi, t.lo, t.rel_err, t.constant, 0, length, emulate=True)
        )
    else:
        t_gpu, (gpu, bound) = timed(
            lambda: rb.decay_curve(length, base, dim, backend="cuda", return_error=True)
        )
    t_cpu, cpu = timed(lambda: rb.decay_curve(length, base, dim, backend="cpu"))
    worst = 0.0
    for lo in range(0, length, 1 << 24):  # chunked: no 8 GiB temporaries
        worst = max(
            worst, float(np.max(np.abs(gpu[lo : lo + (1 << 24)] - cpu[lo : lo + (1 << 24)])))
        )
    assert worst <= 2 * bound, (worst, bound)
    name = f"decay_curve(2**{length.bit_length() - 1}, 5e5, 128)"
    emit(
        case=name, backend="cuda", seconds=t_gpu, check=f"max|gpu-cpu|={worst:.2e} <= 2*{bound:.2e}"
    )
    emit(case=name, backend="cpu", seconds=t_cpu, check="reference")


def cpu_first_negative(base: float, dim: int, limit: int) -> int:
    """CPU oracle: decay_curve window by window, uncertain values by decay_sum."""
    lo, width = 0, 1 << 15
    while lo < limit:
        n = min(width, limit - lo)
        curve, bound = rb.decay_curve(n, base, dim, start=lo, return_error=True)
        for k in np.flatnonzero(curve <= bound):
            v, e = rb.decay_sum(lo + int(k), base, dim, return_error=True)
            if v + e < 0:
                return lo + int(k)
        lo, width = lo + n, width * 2
    return -1


def case_max_context(quick: bool) -> None:
    cuda = _backend.cuda_module()
    assert cuda is not None
    n = 20 if EMULATE else 10**4 if quick else 10**5
    limit = 1 << (16 if EMULATE else 20)
    bases = 10 ** np.random.default_rng(SEED).uniform(3, 7, n)
    t_gpu, got = timed(lambda: cuda.max_context(bases, 128, 128, limit, emulate=EMULATE))
    name = f"max_context({n} bases in [1e3, 1e7], d=128, limit 2**{limit.bit_length() - 1})"
    # CPU: the lead's max_context when it takes many bases; otherwise this
    # file's oracle on a sample, extrapolated (and said so).
    sample = np.arange(0, n, max(1, n // 300))
    t_cpu_sample, want = timed(
        lambda: [cpu_first_negative(float(bases[i]), 128, limit) for i in sample]
    )
    assert got[sample].tolist() == want, "CUDA max_context differs from the CPU oracle"
    emit(
        case=name, backend="cuda", seconds=t_gpu, check=f"{sample.size} sampled bases equal the CPU"
    )
    fn = getattr(rb, "max_context", None)
    if fn is not None:
        try:
            t_cpu, _ = timed(lambda: fn(bases, 128, limit=limit))
            emit(case=name, backend="cpu", seconds=t_cpu, check="rb.max_context")
            return
        except Exception as exc:  # API not as assumed: fall back, and say so
            note = f"rb.max_context(bases, 128, limit=...) failed ({type(exc).__name__}); "
    else:
        note = "rb.max_context does not exist yet; "
    emit(
        case=name,
        backend="cpu",
        seconds=t_cpu_sample * n / sample.size,
        check=note + f"oracle on {sample.size} bases, extrapolated",
    )


def case_min_base(quick: bool) -> None:
    length = 2**20 if quick else 2**24
    name = f"min_base(2**{length.bit_length() - 1}, 128)"
    fn = getattr(rb, "min_base", None)
    if fn is None:
        emit(case=name, backend="-", seconds=None, check="rb.min_base does not exist yet")
        return
    has_backend = "backend" in inspect.signature(fn).parameters
    t_cpu, cpu = timed(lambda: fn(length, 128))
    emit(case=name, backend="cpu", seconds=t_cpu, check=f"b*={cpu!r}"[:80])
    if not has_backend:
        emit(case=name, backend="cuda", seconds=None, check="min_base has no backend= yet")
        return
    t_gpu, gpu = timed(lambda: fn(length, 128, backend="cuda"))
    same = repr(gpu) == repr(cpu)
    emit(
        case=name,
        backend="cuda",
        seconds=t_gpu,
        check="equal to CPU" if same else f"DIFFERS: {gpu!r}"[:80],
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["curve", "max_context", "min_base"])
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--emulate", action="store_true", help="host emulation, tiny sizes")
    args = ap.parse_args()
    global EMULATE
    EMULATE = args.emulate
    if args.case != "min_base" and not EMULATE and _backend.select_backend("auto") != "cuda":
        raise SystemExit(f"no CUDA backend here: {_backend.cuda_unavailable_reason()}")
    if args.case != "min_base" and not EMULATE:
        print(f"# device: {_backend.cuda_module().device_description()}", flush=True)  # type: ignore[union-attr]
    {"curve": case_curve, "max_context": case_max_context, "min_base": case_min_base}[args.case](
        args.quick
    )


if __name__ == "__main__":
    main()
