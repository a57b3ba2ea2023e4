"""Backend selection when the CUDA module or a device is missing.

These run everywhere: the "no module" and "no device" cases are simulated by
replacing the module the package found, and the real environment is checked
as it is (on a machine without a GPU, backend="cuda" must refuse).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

import ropebound as rb
from ropebound import _backend, _core

from reference import arb_decay_sum


def test_import_works_whatever_the_build() -> None:
    # The package imported at all: the CUDA module is optional.
    assert rb.decay_curve(3, 1e4, 8)[0] == 4.0


def test_cuda_without_module_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_backend, "_cuda_module", None)
    with pytest.raises(RuntimeError, match="built without the CUDA backend"):
        _backend.select_backend("cuda")
    with pytest.raises(RuntimeError, match="ROPEBOUND_CUDA=ON"):
        rb.decay_curve(10, 1e4, 64, backend="cuda")


def test_cuda_without_device_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_backend, "_cuda_module", SimpleNamespace(device_count=lambda: 0))
    with pytest.raises(RuntimeError, match="no CUDA device"):
        _backend.select_backend("cuda")
    with pytest.raises(RuntimeError, match="no CUDA device"):
        rb.decay_curve(10, 1e4, 64, backend="cuda")


@pytest.mark.parametrize("module", [None, SimpleNamespace(device_count=lambda: 0)])
def test_auto_falls_back_to_cpu(monkeypatch: pytest.MonkeyPatch, module: object) -> None:
    monkeypatch.setattr(_backend, "_cuda_module", module)
    assert _backend.select_backend("auto") == "cpu"
    auto, auto_bound = rb.decay_curve(
        5000, 5e5, 128, start=10**9, backend="auto", return_error=True
    )
    cpu, cpu_bound = rb.decay_curve(5000, 5e5, 128, start=10**9, backend="cpu", return_error=True)
    # Same backend, same code: bit-identical, same bound.
    np.testing.assert_array_equal(auto, cpu)
    assert auto_bound == cpu_bound


def test_cpu_is_always_available(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_backend, "_cuda_module", None)
    assert _backend.select_backend("cpu") == "cpu"


@pytest.mark.parametrize("bad", ["gpu", "CUDA", "", None, 1])
def test_bad_backend_is_a_value_error(bad: object) -> None:
    with pytest.raises(ValueError, match="backend"):
        _backend.select_backend(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="backend"):
        rb.decay_curve(10, 1e4, 64, backend=bad)  # type: ignore[arg-type]


def test_real_environment_is_consistent() -> None:
    # Whatever this machine has, "cuda" either works or says why, and "auto"
    # picks "cuda" exactly when "cuda" works.
    reason = _backend.cuda_unavailable_reason()
    if reason is None:
        assert _backend.select_backend("cuda") == "cuda"
        assert _backend.select_backend("auto") == "cuda"
    else:
        with pytest.raises(RuntimeError, match="not available"):
            _backend.select_backend("cuda")
        assert _backend.select_backend("auto") == "cpu"


@pytest.mark.parametrize("module", [None, SimpleNamespace(device_count=lambda: 0)])
def test_bound_functions_select_their_backend(
    monkeypatch: pytest.MonkeyPatch, module: object
) -> None:
    """max_context, min_base and sweep_min_base: "cuda" refuses, "auto" is the CPU path."""
    monkeypatch.setattr(_backend, "_cuda_module", module)
    bases = np.array([1e4, 5e5])
    with pytest.raises(RuntimeError):
        rb.max_context(bases, 64, backend="cuda")
    with pytest.raises(RuntimeError):
        rb.min_base(1000, 64, backend="cuda")
    with pytest.raises(RuntimeError):
        rb.sweep_min_base([500], [32], backend="cuda")
    np.testing.assert_array_equal(
        rb.max_context(bases, 64, backend="auto"), rb.max_context(bases, 64)
    )
    assert rb.min_base(1000, 64, backend="auto").base == rb.min_base(1000, 64).base
    with pytest.raises(ValueError, match="backend"):
        rb.max_context(bases, 64, backend="gpu")
    with pytest.raises(ValueError, match="backend"):
        rb.min_base(1000, 64, backend="tpu")


def _fake_scan(uncertain: list[int], first: int = -1) -> SimpleNamespace:
    """A CUDA module whose scan reports `uncertain` (|value| within its bound) and `first`."""

    def scan_violators(*_args: object) -> tuple[int, np.ndarray, float]:
        return first, np.array(uncertain, dtype=np.uint64), 1e-12

    return SimpleNamespace(device_count=lambda: 1, scan_violators=scan_violators)


def test_gpu_certification_escalates_like_certified_sign(monkeypatch: pytest.MonkeyPatch) -> None:
    """Distances the GPU cannot decide go to decay_sum (value and error), then to the
    double-double evaluator; a settled negative is a disagreement, never accepted."""
    from ropebound.bounds import _gpu_certify

    bound = rb.min_base(4096, 128)
    m = bound.critical_distance
    assert m is not None
    at = _core.FrequencyTable.rope(bound.base, 128, 128)
    below = _core.FrequencyTable.rope(math.nextafter(bound.base, 0.0), 128, 128)
    # At b*, B_m ~ 1e-14 is within decay_sum's error (~4e-14): the precise evaluator
    # (error ~1e-25) settles it non-negative, and the reference agrees.
    value, error = _core.decay_sum_table(at, np.array([m], dtype=np.uint64))
    assert value[0] - error[0] < 0 <= value[0] + error[0]
    assert arb_decay_sum(m, bound.base, 128).lower() >= 0
    monkeypatch.setattr(_backend, "_cuda_module", _fake_scan([m]))
    assert _gpu_certify(at, 4096)
    # One double below, B_m < 0 (Arb): the GPU path must refuse, not certify.
    assert arb_decay_sum(m, math.nextafter(bound.base, 0.0), 128).upper() < 0
    with pytest.raises(RuntimeError, match="disagrees"):
        _gpu_certify(below, 4096)
    monkeypatch.setattr(_backend, "_cuda_module", _fake_scan([], first=17))
    with pytest.raises(RuntimeError, match="disagrees"):
        _gpu_certify(at, 4096)
