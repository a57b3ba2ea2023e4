"""Run-time CPU dispatch: every compiled variant gives the same certified answers.

The default x86-64 build holds one core per instruction-set level (baseline =
x86-64-v2, avx2 = x86-64-v3, avx512 = x86-64-v4). Each variant this machine
supports runs the solver suite in its own interpreter (``ROPEBOUND_CPU`` is read
once, at import); certified answers must be bit-identical, decay sums must agree
within the sum of their rigorous error bounds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ropebound as rb
from ropebound import _dispatch

SUITE = """
import json, numpy as np, ropebound as rb
h = float.hex
llama3 = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
          "high_freq_factor": 4.0, "original_max_position_embeddings": 2048}
out = {"variant": rb.cpu_info().variant}
b = rb.min_base(20000, 128)
out["min_base"] = [h(b.base), b.critical_distance, b.certified]
b = rb.min_base(4096, 64, scaling={"rope_type": "linear", "factor": 4.0})
out["min_base_scaled"] = [h(b.base), b.critical_distance, b.certified]
b = rb.min_base(4096, 128, precision="float32")
out["min_base_float32"] = [h(b.base), b.critical_distance, b.certified]
out["max_context"] = [int(x) for x in
                      rb.max_context(np.geomspace(2, 1e6, 40), 96, limit=10**5)]
out["max_context_scaled"] = int(rb.max_context(5e5, 128, scaling=llama3, limit=10**6))
out["max_context_float32"] = int(rb.max_context(5e5, 128, precision="float32"))
s = rb.staircase(3000, 64)
out["staircase"] = [[h(float(x)) for x in s.bases], [int(x) for x in s.contexts]]
out["admissible"] = [[h(a), h(e)] for a, e in rb.admissible_bases(4096, 128, (2e4, 6e4))]
curve, err = rb.decay_curve(50_000, 5e5, 128, start=123_456_789, return_error=True)
out["curve"] = [curve.tolist(), np.broadcast_to(err, curve.shape).tolist()]
m = np.random.default_rng(0).integers(0, 2**50, size=5_000)
base = np.random.default_rng(1).uniform(2.0, 1e9, size=5_000)
v, e = rb.decay_sum(m, base, 96, return_error=True)
out["decay_sum"] = [v.tolist(), e.tolist()]
print(json.dumps(out))
"""

CERTIFIED = (
    "min_base",
    "min_base_scaled",
    "min_base_float32",
    "max_context",
    "max_context_scaled",
    "max_context_float32",
    "staircase",
    "admissible",
)


def runnable_variants() -> list[str]:
    info = rb.cpu_info()
    return [v for v in info.built if v in info.supported or v == "native"]


def run_with_cpu(code: str, cpu: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("ROPEBOUND_CPU", None)
    if cpu is not None:
        env["ROPEBOUND_CPU"] = cpu
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600
    )


@cache
def suite(cpu: str) -> dict[str, Any]:
    proc = run_with_cpu(SUITE, cpu)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.mark.slow
@pytest.mark.parametrize("cpu", runnable_variants())
def test_certified_answers_identical_on_every_variant(cpu: str) -> None:
    """Invariant: the certified answers do not depend on the kernel variant."""
    lowest = runnable_variants()[0]
    got, ref = suite(cpu), suite(lowest)
    assert got["variant"] == cpu
    for key in CERTIFIED:
        assert got[key] == ref[key], key


@pytest.mark.slow
@pytest.mark.parametrize("cpu", runnable_variants())
@pytest.mark.parametrize("key", ["curve", "decay_sum"])
def test_decay_values_agree_within_their_bounds(cpu: str, key: str) -> None:
    """Invariant: |B_a - B_b| <= err_a + err_b for any two variants a, b."""
    lowest = runnable_variants()[0]
    va, ea = (np.asarray(x) for x in suite(cpu)[key])
    vb, eb = (np.asarray(x) for x in suite(lowest)[key])
    assert np.all(np.abs(va - vb) <= ea + eb)


def test_default_is_the_best_supported_variant() -> None:
    info = rb.cpu_info()
    if os.environ.get("ROPEBOUND_CPU"):
        pytest.skip("ROPEBOUND_CPU is set for this run")
    assert info.variant == runnable_variants()[-1]
    assert rb._core.variant == info.variant


@pytest.mark.parametrize("cpu", runnable_variants())
def test_forcing_selects_the_variant(cpu: str) -> None:
    code = "import ropebound as rb; print(rb.cpu_info().variant, rb._core.variant)"
    proc = run_with_cpu(code, cpu)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [cpu, cpu]


def test_unknown_forced_value_is_a_clear_error() -> None:
    proc = run_with_cpu("import ropebound", "avx9000")
    assert proc.returncode != 0
    assert "ValueError: ROPEBOUND_CPU='avx9000'" in proc.stderr
    assert "'baseline', 'avx2', 'avx512'" in proc.stderr


LEVELS = list(_dispatch.LEVELS)


@given(
    cpu_levels=st.integers(1, 3),
    built_levels=st.integers(1, 3),
    forced=st.sampled_from([None, *LEVELS]),
)
def test_choice_is_never_above_the_cpu(
    cpu_levels: int, built_levels: int, forced: str | None
) -> None:
    """Invariant: the chosen variant is built and supported; it is the forced one when
    that is runnable, else the best runnable one, with a RuntimeWarning."""
    supported, built = LEVELS[:cpu_levels], LEVELS[:built_levels]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_dispatch._cpuid, "supports", lambda level: level in supported)
        mp.setattr(_dispatch._cpuid, "variants", ",".join(built))
        mp.setattr(_dispatch._cpuid, "x86_levels", True)
        if forced is None:
            mp.delenv("ROPEBOUND_CPU", raising=False)
        else:
            mp.setenv("ROPEBOUND_CPU", forced)
        best = LEVELS[min(cpu_levels, built_levels) - 1]
        if forced is None or LEVELS.index(forced) < min(cpu_levels, built_levels):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                info = _dispatch._choose()
            assert info.variant == (forced or best)
        else:
            with pytest.warns(RuntimeWarning, match="ROPEBOUND_CPU"):
                info = _dispatch._choose()
            assert info.variant == best
    assert info.variant in built and info.variant in supported
    assert info.forced == forced


def test_cpu_below_baseline_is_an_import_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_dispatch._cpuid, "supports", lambda level: False)
    monkeypatch.setattr(_dispatch._cpuid, "x86_levels", True)
    monkeypatch.setattr(_dispatch._cpuid, "variants", "baseline,avx2,avx512")
    monkeypatch.delenv("ROPEBOUND_CPU", raising=False)
    with pytest.raises(ImportError, match="x86-64-v2"):
        _dispatch._choose()


def test_native_build_ignores_forcing_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_dispatch._cpuid, "variants", "native")
    monkeypatch.setenv("ROPEBOUND_CPU", "baseline")
    with pytest.warns(RuntimeWarning, match="ROPEBOUND_NATIVE"):
        info = _dispatch._choose()
    assert info.variant == "native"
