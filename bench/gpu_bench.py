"""GPU checks and GPU-vs-CPU timings for bench/gpu_check.sh; one case per call, JSON lines.

    python bench/gpu_bench.py accuracy|curve|max_context|min_base [--quick] [--emulate]

``--emulate`` runs the CUDA side through the host emulation at tiny sizes: it
checks this script (not the GPU) on a machine without one.

Every case checks the two backends against each other before it reports a time and
exits non-zero (an AssertionError) when a check fails:

* accuracy: for d in {2, 128, 1024} and starts near 0, 2^40 and 2^53, the largest
  |device - emulation| and |device - exact| (the CPU's rigorous decay_sum, whose own
  error is subtracted) as fractions of the CUDA bound; the second must be <= 1.
* curve: decay_curve(2**30) on both backends, within the bounds of each other.
* max_context: >= 10**4 bases, every answer equal to the CPU's.
* min_base: backend="cuda" equal to the CPU (base, critical distance, certified).
"""

from __future__ import annotations

import argparse
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


def case_accuracy(quick: bool) -> None:
    cuda = _backend.cuda_module()
    assert cuda is not None
    length = 2000 if EMULATE else 20000 if quick else 50000
    rng = np.random.default_rng(SEED)
    for dim in (2, 128, 1024):
        for start in (0, 2**40 - length // 2, 2**53 - length):
            base = float(10 ** rng.uniform(3, 9))
            t = _core.FrequencyTable.rope(base, dim, dim)
            args = (t.hi, t.lo, t.rel_err, t.constant, start, length)
            bound = cuda.curve_error_bound(*args[:4], start + length - 1)
            dev = cuda.decay_curve(*args, emulate=EMULATE)
            emu = cuda.decay_curve(*args, emulate=True)
            # Exact reference on a sample (decay_sum is rigorous; its error is subtracted).
            idx = np.unique(np.linspace(0, length - 1, 400).astype(np.int64))
            exact, exact_err = rb.decay_sum(
                (start + idx).astype(np.uint64), base, dim, return_error=True
            )
            dev_emu = float(np.max(np.abs(dev - emu))) / bound
            dev_exact = float(np.max(np.abs(dev[idx] - exact))) / bound
            outside = float(np.max(np.abs(dev[idx] - exact) - exact_err)) / bound
            emit(
                case=f"accuracy d={dim} start={start} base={base:.4g}",
                backend="cuda",
                seconds=None,
                check=f"max|dev-emu|/bound={dev_emu:.3g} max|dev-exact|/bound={dev_exact:.3g}",
                dev_minus_emulation=dev_emu,
                dev_minus_exact=dev_exact,
                bound=bound,
            )
            assert outside <= 1.0, ("device value outside its bound", dim, start, base)
            assert dev_emu <= 0.25, ("device far from its emulation", dim, start, base)


def case_max_context(quick: bool) -> None:
    cuda = _backend.cuda_module()
    assert cuda is not None
    n = 20 if EMULATE else 10**4 if quick else 3 * 10**4
    limit = 1 << (16 if EMULATE else 20)
    bases = 10 ** np.random.default_rng(SEED).uniform(3, 7, n)
    t_gpu, (got, unknown) = timed(lambda: cuda.max_context(bases, 128, 128, limit, emulate=EMULATE))
    name = f"max_context({n} bases in [1e3, 1e7], d=128, limit 2**{limit.bit_length() - 1})"
    t_cpu, want = timed(lambda: rb.max_context(bases, 128, limit=limit))
    differ = np.flatnonzero(np.asarray(got) != np.asarray(want))
    emit(
        case=name,
        backend="cuda",
        seconds=t_gpu,
        check=f"{n - differ.size}/{n} equal to the CPU, {int(np.count_nonzero(unknown))} unsettled",
    )
    emit(case=name, backend="cpu", seconds=t_cpu, check="rb.max_context")
    assert differ.size == 0, f"CUDA max_context differs at bases {bases[differ[:10]].tolist()}"


def case_min_base(quick: bool) -> None:
    length = 2**12 if EMULATE else 2**20 if quick else 2**24
    name = f"min_base(2**{length.bit_length() - 1}, 128)"
    t_cpu, cpu = timed(lambda: rb.min_base(length, 128))
    emit(case=name, backend="cpu", seconds=t_cpu, check=f"b*={cpu.base!r}")
    if EMULATE:  # backend="cuda" needs a device: check the emulated scan at the CPU's b*
        cuda = _backend.cuda_module()
        assert cuda is not None
        t = _core.FrequencyTable.rope(cpu.base, 128, 128)
        first, _, _ = cuda.scan_violators(
            t.hi, t.lo, t.rel_err, t.constant, 0, length, emulate=True
        )
        emit(case=name, backend="emulated", seconds=None, check=f"scan first={first}")
        assert first == -1, first
        return
    t_gpu, gpu = timed(lambda: rb.min_base(length, 128, backend="cuda"))
    same = (gpu.base, gpu.critical_distance, gpu.certified) == (
        cpu.base,
        cpu.critical_distance,
        cpu.certified,
    )
    emit(
        case=name,
        backend="cuda",
        seconds=t_gpu,
        check="equal to CPU" if same else f"DIFFERS: {gpu!r}",
    )
    assert same, (gpu, cpu)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["accuracy", "curve", "max_context", "min_base"])
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--emulate", action="store_true", help="host emulation, tiny sizes")
    args = ap.parse_args()
    global EMULATE
    EMULATE = args.emulate
    if not EMULATE and _backend.select_backend("auto") != "cuda":
        raise SystemExit(f"no CUDA backend here: {_backend.cuda_unavailable_reason()}")
    if not EMULATE:
        print(f"# device: {_backend.cuda_module().device_description()}", flush=True)  # type: ignore[union-attr]
    cases = {
        "accuracy": case_accuracy,
        "curve": case_curve,
        "max_context": case_max_context,
        "min_base": case_min_base,
    }
    cases[args.case](args.quick)


if __name__ == "__main__":
    main()
