"""Running snippets in a fresh interpreter (thread counts, signals)."""

from __future__ import annotations

import os
import subprocess
import sys


def run_python(code: str, *, threads: int | None = None, timeout: float = 120) -> str:
    env = dict(os.environ)
    if threads is not None:
        env["OMP_NUM_THREADS"] = str(threads)
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return out.stdout
