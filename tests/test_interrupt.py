"""Ctrl-C stops a long computation cleanly: KeyboardInterrupt, usable interpreter."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import ropebound as rb

from helpers import default_sigint
from oracle import oracle_min_base

CURVE_SNIPPET = """
import ropebound as rb
print("ready", flush=True)
try:
    rb.decay_curve(2**30, 5e5, 1024)
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    print("after", rb.decay_sum(0, 1e4, 8), flush=True)
"""

MIN_BASE_SNIPPET = """
import ropebound as rb
print("ready", flush=True)
try:
    rb.min_base(2**27, 128)  # 10-12 s on 2 cores: far longer than the 1.5 s before SIGINT
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    print("after", rb.min_base(1024, 128).base, flush=True)
"""


# One long base: its scan must poll the monitor itself (no next base to poll at).
MAX_CONTEXT_ONE_SNIPPET = """
import numpy as np, ropebound as rb
print("ready", flush=True)
try:
    rb.max_context(np.array([1e250]), 128, limit=2**50)
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    print("after", rb.max_context(np.array([5e5]), 128), flush=True)
"""

# More long bases than threads: each thread's scan polls the shared stop flag.
MAX_CONTEXT_MANY_SNIPPET = """
import numpy as np, ropebound as rb
print("ready", flush=True)
try:
    rb.max_context(np.full(7, 1e250), 128, limit=2**50)
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    print("after", rb.max_context(np.array([5e5]), 128), flush=True)
"""


def progress_snippet(imports: str, call: str, after: str) -> str:
    """A snippet that runs `call` with a progress callback (`PROGRESS`), and once
    interrupted prints how progress was reported ("progress n_calls monotone total")
    and then `after`, computed by the same interpreter."""
    return f"""
import {imports}
calls = []
PROGRESS = lambda d, t: calls.append((d, t))
print("ready", flush=True)
try:
    {call}
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    done = [d for d, _ in calls]
    print("progress", len(calls), done == sorted(done), calls[-1][1] if calls else 0, flush=True)
    print("after", {after}, flush=True)
"""


# One base, 10^7 distances: split across threads, progress reported.
DECAY_SUM_SNIPPET = progress_snippet(
    "numpy as np, ropebound as rb",
    "rb.decay_sum(np.arange(10_000_000), 5e5, 1024, progress=PROGRESS)",
    "rb.decay_sum(0, 1e4, 8)",
)

# Every window of a wide range at 2^16: tens of seconds; progress in the range.
ADMISSIBLE_SNIPPET = progress_snippet(
    "ropebound as rb",
    "rb.admissible_bases(2**16, 128, (2e6, 2e8), progress=PROGRESS)",
    "rb.admissible_bases(4096, 128, (2.69e4, 2.7e4))[0][0]",
)

# The staircase up to 2^24: minutes; progress is the largest context settled.
STAIRCASE_SNIPPET = progress_snippet(
    "ropebound as rb",
    "rb.staircase(2**24, 128, progress=PROGRESS)",
    "rb.staircase(4096, 128).min_base(4096)",
)


# A sweep's searches run in pool threads: the interrupt must reach them too.
SWEEP_SNIPPET = progress_snippet(
    "ropebound as rb",
    "rb.sweep_min_base([2**k for k in range(10, 28)], [128], progress=PROGRESS)",
    "rb.sweep_min_base([1024], [128])['base'][0]",
)

# A batched max_context on a caller's executor: its chunks stop too.
MAX_CONTEXT_EXECUTOR_SNIPPET = progress_snippet(
    "numpy as np, ropebound as rb; from concurrent.futures import ThreadPoolExecutor; "
    "pool = ThreadPoolExecutor(2)",
    "rb.max_context(np.full(4, 1e250), 128, limit=2**50, executor=pool, chunk_size=1, "
    "progress=PROGRESS)",
    "rb.max_context(np.array([5e5]), 128)",
)


def background_cpu_after(snippet: str) -> str:
    """The snippet, then the CPU seconds the process uses in the next second (printed
    as "background S"): any task still running after the interrupt shows there."""
    return (
        snippet
        + """
import time
t0 = time.process_time()
time.sleep(1.0)
print("background", time.process_time() - t0, flush=True)
"""
    )


def background_seconds(out: str) -> float:
    line = next(line for line in out.splitlines() if line.startswith("background"))
    return float(line.split()[1])


def reported_progress(out: str) -> tuple[int, bool, int]:
    """(calls, whether `done` never decreased, the last total) from a progress snippet."""
    line = next(line for line in out.splitlines() if line.startswith("progress"))
    _, n_calls, monotone, total = line.split()
    return int(n_calls), monotone == "True", int(total)


def interrupt_after(snippet: str, delay: float) -> tuple[str, float]:
    """Run snippet, send SIGINT `delay` s after it prints "ready"; (stdout, seconds to exit)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", snippet],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, OMP_NUM_THREADS="2"),
        preexec_fn=default_sigint,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        sent = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        return out, time.perf_counter() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_ctrl_c_interrupts_decay_curve() -> None:
    out, elapsed = interrupt_after(CURVE_SNIPPET, 1.0)
    assert "interrupted" in out, out
    assert "after 4.0" in out, out
    assert elapsed < 5.0  # generous for a loaded CI machine; polling is every 50 ms


def test_ctrl_c_interrupts_min_base() -> None:
    out, elapsed = interrupt_after(MIN_BASE_SNIPPET, 1.5)
    assert "interrupted" in out, out
    # The interpreter still computes right: b*(1024, 128) against the brute-force oracle.
    after = [line for line in out.splitlines() if line.startswith("after ")]
    assert after, out
    got = float(after[0].split()[1])
    lower = oracle_min_base(1024, 128)
    assert lower * (1 - 1e-15) <= got <= lower * (1 + 1e-9)
    assert elapsed < 5.0


# The issue asks for a stop within 1 s of SIGINT; the measured times are ~0.05 s
# (polling every 50 ms). The margin covers interpreter exit on a loaded machine.
STOP_WITHIN = 1.0


def test_ctrl_c_interrupts_one_long_base_scan() -> None:
    out, elapsed = interrupt_after(MAX_CONTEXT_ONE_SNIPPET, 1.0)
    assert "interrupted" in out, out
    assert "after [18438]" in out, out
    assert elapsed < STOP_WITHIN, elapsed


def test_ctrl_c_interrupts_many_long_base_scans() -> None:
    out, elapsed = interrupt_after(MAX_CONTEXT_MANY_SNIPPET, 1.0)
    assert "interrupted" in out, out
    assert "after [18438]" in out, out
    assert elapsed < STOP_WITHIN, elapsed


def test_ctrl_c_interrupts_decay_sum_of_one_base_with_progress() -> None:
    out, elapsed = interrupt_after(DECAY_SUM_SNIPPET, 1.5)
    assert "interrupted" in out, out
    n_calls, monotone, total = reported_progress(out)
    assert n_calls >= 2 and monotone and total > 1, out
    assert "after 4.0" in out, out
    assert elapsed < STOP_WITHIN, elapsed


def test_ctrl_c_interrupts_admissible_bases_with_progress() -> None:
    out, elapsed = interrupt_after(ADMISSIBLE_SNIPPET, 1.5)
    assert "interrupted" in out, out
    n_calls, monotone, total = reported_progress(out)
    # The position in the range only moves up, out of 1000.
    assert n_calls >= 2 and monotone and total == 1000, out
    # The interpreter still computes right: the first window starts at b*(4096, 128).
    assert "after 26952.33922785787" in out, out
    assert elapsed < STOP_WITHIN, elapsed


def test_ctrl_c_interrupts_staircase_with_progress() -> None:
    out, elapsed = interrupt_after(STAIRCASE_SNIPPET, 1.5)
    assert "interrupted" in out, out
    n_calls, monotone, total = reported_progress(out)
    # Contexts settled so far only grow, out of 2^24 distances.
    assert n_calls >= 2 and monotone and total == 2**24, out
    assert "after 26952.33922785787" in out, out
    assert elapsed < STOP_WITHIN, elapsed


def test_ctrl_c_interrupts_sweep_and_its_pool_threads() -> None:
    out, elapsed = interrupt_after(background_cpu_after(SWEEP_SNIPPET), 1.5)
    assert "interrupted" in out, out
    n_calls, monotone, total = reported_progress(out)
    # Contexts finished so far, out of 18 (one dim): reported as they finish.
    assert n_calls >= 2 and monotone and total == 18, out
    assert f"after {rb.min_base(1024, 128).base!r}" in out, out
    assert elapsed < 2.0 + STOP_WITHIN, elapsed  # the 1 s of background measurement
    assert background_seconds(out) < 0.2, out


def test_ctrl_c_stops_max_context_tasks_on_a_callers_executor() -> None:
    out, elapsed = interrupt_after(background_cpu_after(MAX_CONTEXT_EXECUTOR_SNIPPET), 1.5)
    assert "interrupted" in out, out
    assert "after [18438]" in out, out
    assert elapsed < 2.0 + STOP_WITHIN, elapsed
    assert background_seconds(out) < 0.2, out
