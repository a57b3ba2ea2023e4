"""The CUDA backend agrees with the CPU within the stated bounds.

Two layers:

* ``emulate=True`` runs the kernels' own per-thread code serially on the host.
  It needs the ``_core_cuda`` module but no GPU, so the kernels' arithmetic,
  launch geometry and host drivers are tested wherever the module is built.
* The device tests run the real kernels; they are skipped, with the reason,
  where there is no module or no device. They draw fresh random inputs on each
  run (the seed is in every failure message).
"""

from __future__ import annotations

import os

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ropebound as rb
from ropebound import _backend, _core

from strategies import bases, dims_with_rotary

cuda = pytest.importorskip(
    "ropebound._core_cuda",
    reason="needs a GPU build: ropebound was built without the CUDA backend (ROPEBOUND_CUDA=OFF)",
)
needs_device = pytest.mark.skipif(
    cuda.device_count() == 0, reason="needs a GPU: no CUDA device (cudaGetDeviceCount() == 0)"
)


def table_args(base: float, dim: int, rotary_dim: int) -> tuple[object, ...]:
    t = _core.FrequencyTable.rope(base, dim, rotary_dim)
    return (t.hi, t.lo, t.rel_err, t.constant)


def exact(
    start: int, length: int, base: float, dim: int, rotary_dim: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    m = np.arange(start, start + length, dtype=np.uint64)
    return rb.decay_sum(m, base, dim, rotary_dim=rotary_dim, return_error=True)  # type: ignore[no-any-return]


def cpu_max_context(base: float, dim: int, rotary_dim: int, limit: int) -> int:
    """Oracle: first m < limit with certified B_m < 0 by the CPU curve + decay_sum."""
    curve, bound = rb.decay_curve(limit, base, dim, rotary_dim=rotary_dim, return_error=True)
    for m in np.flatnonzero(curve <= bound):  # candidates, in increasing m
        value, err = rb.decay_sum(int(m), base, dim, rotary_dim=rotary_dim, return_error=True)
        if value + err < 0:
            return int(m)
        assert value - err >= 0, f"oracle cannot certify B_{m}"
    return -1


def check_curve(values: npt.NDArray[np.float64], start: int, base: float, dim: int, r: int) -> None:
    n = values.shape[0]
    ex, ex_err = exact(start, n, base, dim, r)
    t = _core.FrequencyTable.rope(base, dim, r)
    cpu_bound = _core.decay_curve_error_bound(t, start + n - 1)
    # |gpu - B| <= cpu_bound and |exact - B| <= ex_err: the stated contract.
    assert np.all(np.abs(values - ex) <= cpu_bound + ex_err)


# --- emulation: the kernels' code on the host (no GPU needed) -------------------------


@given(
    start=st.one_of(st.integers(0, 10**6), st.integers(0, 2**40)),
    length=st.integers(0, 9000),
    base=bases(1e15),
    dims=dims_with_rotary(256),
)
def test_emulated_curve_is_within_the_cpu_bound(
    start: int, length: int, base: float, dims: tuple[int, int]
) -> None:
    d, r = dims
    values = cuda.decay_curve(*table_args(base, d, r), start, length, emulate=True)
    assert values.shape == (length,)
    if length:
        check_curve(values, start, base, d, r)


@given(base=bases(1e15), dims=dims_with_rotary(65536), last=st.integers(0, 2**53 - 1))
def test_cuda_bound_never_exceeds_the_cpu_bound(
    base: float, dims: tuple[int, int], last: int
) -> None:
    d, r = dims
    t = _core.FrequencyTable.rope(base, d, r)
    assert cuda.curve_error_bound(*table_args(base, d, r), last) <= _core.decay_curve_error_bound(
        t, last
    )


def test_emulated_scan_finds_the_first_violator() -> None:
    # d = 128, b = 3.1e5: SPEC section 3 says B_m turns negative at m = 12223.
    first, uncertain, bound = cuda.scan_violators(
        *table_args(3.1e5, 128, 128), 0, 20000, emulate=True
    )
    assert first == cpu_max_context(3.1e5, 128, 128, 20000) == 12223
    assert bound > 0 and uncertain.dtype == np.uint64 and np.all(uncertain < first)
    # Starting past the violator finds the next one (or none), never an earlier one.
    nxt, _, _ = cuda.scan_violators(*table_args(3.1e5, 128, 128), first + 1, 5000, emulate=True)
    assert nxt == -1 or nxt > first


def test_emulated_max_context_matches_the_cpu() -> None:
    bs = np.array([4.3e3, 1e4, 3.1e5, 1.5, 2.0, 1e9])
    limit = 40000
    got, unknown = cuda.max_context(bs, 64, 64, limit, emulate=True)
    want = [cpu_max_context(float(b), 64, 64, limit) for b in bs]
    assert got.dtype == np.int64 and unknown.dtype == np.uint64
    assert got.tolist() == want
    assert not unknown.any()


# Small geometries run the drivers' loops several times at a small cost: (blocks per
# launch, distances per curve chunk, first scan_violators window, first max_context
# window). Chunks that are multiples of the 4096-distance super-block keep every seed
# where the default geometry puts it, so the values must be bitwise identical.
SUPER_BLOCK = 4096
SMALL_GEOMETRY = (3, 4 * SUPER_BLOCK, SUPER_BLOCK, SUPER_BLOCK)


def test_emulated_curve_over_several_launches_and_chunks() -> None:
    args = table_args(2.7e4, 128, 128)
    start, length = 2**40 - 5 * SUPER_BLOCK - 77, 13 * SUPER_BLOCK + 123
    # 4 chunks of <= 4 super-blocks, each in 2 launches of <= 3 blocks.
    small = cuda.decay_curve(*args, start, length, emulate=True, geometry=SMALL_GEOMETRY)
    default = cuda.decay_curve(*args, start, length, emulate=True)
    np.testing.assert_array_equal(small, default)
    check_curve(small, start, 2.7e4, 128, 128)


def test_emulated_scan_over_several_windows_and_launches() -> None:
    # Windows 4096, 8192, 16384 (then the chunk size) of 1, 2, 4 super-blocks.
    first, uncertain, _ = cuda.scan_violators(
        *table_args(3.1e5, 128, 128), 0, 50000, emulate=True, geometry=SMALL_GEOMETRY
    )
    assert first == 12223 == cpu_max_context(3.1e5, 128, 128, 20000)
    assert np.all(uncertain < first)


def test_emulated_max_context_over_several_windows_and_launches() -> None:
    # Answers from the first window to the fourth (16 super-blocks), 12 tasks of up to
    # 4 super-blocks per window: several launches of 3 blocks per window.
    bs = np.geomspace(2e3, 3e6, 12)
    limit = 1 << 16
    small, unknown = cuda.max_context(bs, 64, 64, limit, emulate=True, geometry=SMALL_GEOMETRY)
    default, _ = cuda.max_context(bs, 64, 64, limit, emulate=True)
    want = [cpu_max_context(float(b), 64, 64, limit) for b in bs]
    assert small.tolist() == default.tolist() == want
    assert max(want) > 4 * SUPER_BLOCK and min(w for w in want if w >= 0) < SUPER_BLOCK
    assert not unknown.any()


@pytest.mark.parametrize("geometry", [(0, 4096, 4096, 4096), (1, 0, 4096, 4096), (1, 1, 0, 1)])
def test_bad_geometry_is_rejected(geometry: tuple[int, int, int, int]) -> None:
    with pytest.raises(ValueError, match="geometry"):
        cuda.decay_curve(*table_args(1e4, 64, 64), 0, 10, emulate=True, geometry=geometry)


def test_max_context_rejects_bad_bases() -> None:
    with pytest.raises(ValueError, match="base"):
        cuda.max_context(np.array([1e4, 0.5]), 64, 64, 100, emulate=True)


def test_bad_tables_are_rejected() -> None:
    with pytest.raises(ValueError):
        cuda.decay_curve([1.0, 0.5], [0.0], [0.0, 0.0], 0.0, 0, 10, emulate=True)
    with pytest.raises(ValueError):
        cuda.decay_curve([1.0], [0.0], [0.0], 0.0, 2**53, 1, emulate=True)


def test_no_device_is_a_runtime_error() -> None:
    if cuda.device_count() > 0:
        pytest.skip("needs no GPU: a CUDA device is present")
    with pytest.raises(RuntimeError, match="no CUDA device"):
        cuda.decay_curve(*table_args(1e4, 64, 64), 0, 10)


# --- the device itself ---------------------------------------------------------------


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(int.from_bytes(os.urandom(8), "little"))


@needs_device
def test_device_curve_is_within_the_cpu_bound(rng: np.random.Generator) -> None:
    for _ in range(20):
        d = 2 * int(rng.integers(1, 513))
        r = 2 * int(rng.integers(1, d // 2 + 1))
        base = float(10 ** rng.uniform(0.001, 15))
        start = int(rng.integers(0, 2**40))
        length = int(rng.integers(1, 20000))
        values = cuda.decay_curve(*table_args(base, d, r), start, length)
        try:
            check_curve(values, start, base, d, r)
        except AssertionError as exc:
            raise AssertionError(f"base={base!r} d={d} r={r} start={start} n={length}") from exc


# The device and the emulation run the same operations; only CUDA's sincos (2 ulp)
# and the host's (1 ulp) differ, in the seeds and rotation coefficients, and those
# differences propagate through <= 32 rotations. Both lie within `bound` of the truth
# (so 2 * bound always holds); a quarter of the bound for the largest and 1/64 for the
# mean difference catch a wrong sincos or rounding mode that stays within 2 * bound.
# bench/gpu_check.sh records the observed fractions to tighten these further.
@needs_device
@pytest.mark.parametrize("dim", [2, 128, 1024])
def test_device_equals_emulation(rng: np.random.Generator, dim: int) -> None:
    for start in (int(rng.integers(0, 2**20)), 2**40 - 25000, 2**53 - 50000):
        base = float(10 ** rng.uniform(3, 9))
        args = table_args(base, dim, dim)
        dev = cuda.decay_curve(*args, start, 50000)
        emu = cuda.decay_curve(*args, start, 50000, emulate=True)
        bound = cuda.curve_error_bound(*args, start + 49999)
        diff = np.abs(dev - emu)
        assert diff.max() <= bound / 4 and diff.mean() <= bound / 64, (base, start, dim)


@needs_device
def test_device_geometry_gives_identical_values(rng: np.random.Generator) -> None:
    """Several launches, chunks and windows on the device: bitwise the default's values."""
    base = float(10 ** rng.uniform(3, 9))
    args = table_args(base, 128, 128)
    start = int(rng.integers(0, 2**40))
    small = cuda.decay_curve(*args, start, 13 * SUPER_BLOCK + 5, geometry=SMALL_GEOMETRY)
    np.testing.assert_array_equal(small, cuda.decay_curve(*args, start, 13 * SUPER_BLOCK + 5))
    bs = 10 ** rng.uniform(3, 6.5, 12)
    got, _ = cuda.max_context(bs, 64, 64, 1 << 16, geometry=SMALL_GEOMETRY)
    assert got.tolist() == [cpu_max_context(float(b), 64, 64, 1 << 16) for b in bs], bs.tolist()


@needs_device
def test_public_decay_curve_backend_cuda(rng: np.random.Generator) -> None:
    assert _backend.select_backend("cuda") == "cuda"
    base = float(10 ** rng.uniform(3, 9))
    n = 1 << 22  # 1024 super-blocks in one launch; tests above cover several launches
    gpu, gpu_bound = rb.decay_curve(n, base, 128, backend="cuda", return_error=True)
    cpu, cpu_bound = rb.decay_curve(n, base, 128, backend="cpu", return_error=True)
    assert gpu_bound == cpu_bound
    assert np.all(np.abs(gpu - cpu) <= 2 * cpu_bound), base


@needs_device
def test_device_max_context_matches_the_cpu(rng: np.random.Generator) -> None:
    bs = np.concatenate([10 ** rng.uniform(0.5, 6, 40), [3.1e5, 4.3e3]])
    limit = 1 << 17
    got, unknown = cuda.max_context(bs, 128, 128, limit)
    want = [cpu_max_context(float(b), 128, 128, limit) for b in bs]
    assert not unknown.any()
    assert got.tolist() == want, bs.tolist()


@needs_device
def test_device_scan_matches_the_cpu(rng: np.random.Generator) -> None:
    for _ in range(10):
        base = float(10 ** rng.uniform(2, 6))
        first, uncertain, _ = cuda.scan_violators(*table_args(base, 128, 128), 0, 1 << 18)
        want = cpu_max_context(base, 128, 128, 1 << 18)
        if uncertain.size == 0:
            assert first == want, base
        else:  # the caller decides: the true answer is an uncertain m or first
            assert want in [*uncertain.tolist(), first], base


def test_emulated_progress_is_reported_and_can_stop() -> None:
    calls: list[tuple[int, int]] = []
    cuda.decay_curve(*table_args(1e4, 64, 64), 0, 50000, lambda d, t: calls.append((d, t)), True)
    assert calls and calls[-1] == (13, 13)  # ceil(50000 / 4096) super-blocks, as on the CPU

    class Stop(Exception):
        pass

    def stop(done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        cuda.max_context(np.array([1e9]), 64, 64, 1 << 20, progress=stop, emulate=True)
