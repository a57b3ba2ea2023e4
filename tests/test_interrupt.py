"""Ctrl-C stops a long computation cleanly: KeyboardInterrupt, usable interpreter."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from helpers import default_sigint

SNIPPET = """
import sys, time, ropebound as rb
print("ready", flush=True)
t0 = time.perf_counter()
try:
    rb.decay_curve(2**30, 5e5, 1024)
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted after %.2f s" % (time.perf_counter() - t0), flush=True)
    print("after", rb.decay_sum(0, 1e4, 8), flush=True)
"""


def test_ctrl_c_interrupts_decay_curve() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SNIPPET],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, OMP_NUM_THREADS="2"),
        preexec_fn=default_sigint,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(1.0)
        sent = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        elapsed = time.perf_counter() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "interrupted" in out, out
    assert "after 4.0" in out, out
    assert elapsed < 5.0  # generous for a loaded CI machine; polling is every 50 ms


MIN_BASE_SNIPPET = """
import time, ropebound as rb
print("ready", flush=True)
try:
    rb.min_base(2**24, 128)
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    print("after", rb.min_base(1024, 128).base, flush=True)
"""


def test_ctrl_c_interrupts_min_base() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", MIN_BASE_SNIPPET],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(1.5)
        sent = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        elapsed = time.perf_counter() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "interrupted" in out, out
    assert "after 4293.437569" in out, out
    assert elapsed < 5.0
