"""Results are bit-identical for any OMP_NUM_THREADS."""

from __future__ import annotations

from helpers import run_python

SNIPPET = """
import numpy as np, ropebound as rb, hashlib
h = hashlib.sha256()
h.update(rb.decay_curve(100_000, 5e5, 128, start=123_456_789).tobytes())
m = np.random.default_rng(0).integers(0, 2**50, size=20_000)
b = np.random.default_rng(1).uniform(2.0, 1e9, size=20_000)
v, e = rb.decay_sum(m, b, 96, return_error=True)
h.update(v.tobytes()); h.update(e.tobytes())
b = rb.min_base(20000, 128)
h.update(repr((b.base, b.critical_distance, b.certified)).encode())
s = rb.staircase(3000, 64)
h.update(s.bases.tobytes()); h.update(s.contexts.tobytes())
h.update(rb.max_context(np.geomspace(2, 1e6, 50), 96, limit=10**5).tobytes())
# Two bases: scanned one after the other with parallel waves at 3 threads, side
# by side at 1 and 2 (max_context_bases picks by the thread count).
h.update(rb.max_context(np.array([3e4, 5e5]), 128, limit=10**5).tobytes())
# One base, many distances: chunks of distances spread over the threads.
h.update(rb.decay_sum(np.arange(0, 2**50, 2**50 // 5000), 5e5, 128).tobytes())
print(h.hexdigest())
"""


def test_threads_do_not_change_results() -> None:
    digests = {run_python(SNIPPET, threads=t) for t in (1, 2, 3)}
    assert len(digests) == 1, digests
