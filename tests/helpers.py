"""Running snippets in a fresh interpreter (thread counts, signals)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def default_sigint() -> None:
    """preexec_fn for children that must see Ctrl-C: a shell that starts a job in the
    background (as CI runners may) leaves SIGINT ignored, and Python then never
    raises KeyboardInterrupt. Restore the default disposition before exec."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


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
