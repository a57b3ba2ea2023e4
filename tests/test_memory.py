"""Memory beyond the output stays bounded: per-chunk frequency tables, streamed curves.

Each case runs in a fresh interpreter and reports the growth of its peak RSS
(``resource.getrusage``) across the call, after its inputs exist. The issue's
figures: 10^6 distinct bases at d = 1024 must run under 1 GB (24 GB before, OOM);
the float32 curve peaked at 3.1x its output. Here smaller sizes with
proportional limits.
"""

from __future__ import annotations

from helpers import run_python

PEAK_GROWTH = """
import resource, numpy as np, ropebound as rb
def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
{setup}
before = peak_mib()
out = {call}
print(peak_mib() - before)
"""


def peak_growth_mib(setup: str, call: str) -> float:
    return float(run_python(PEAK_GROWTH.format(setup=setup, call=call), timeout=600))


def test_many_distinct_bases_at_d1024_stay_bounded() -> None:
    """10^5 distinct bases at d = 1024 (36 KB of tables each: 3.6 GB when all were
    built up front) under the issue's 1 GB per 10^6 bases, i.e. 100 MB."""
    n = 100_000
    growth = peak_growth_mib(
        f"m = np.arange({n}); b = np.linspace(1e4, 1e6, {n})",
        "rb.decay_sum(m, b, 1024, return_error=True)",
    )
    assert growth < 1024 * n / 1_000_000, growth


def test_max_context_over_many_bases_stays_bounded() -> None:
    """5000 bases at d = 1024: their model tables (~38 KB each, 190 MB) are no
    longer all built before the scans."""
    growth = peak_growth_mib(
        "b = np.linspace(1e4, 1e6, 5000)", "rb.max_context(b, 1024, limit=1000)"
    )
    assert growth < 50, growth


def test_float32_curve_allocates_only_its_output() -> None:
    """decay_curve under float32 used to hold the distances and the per-element
    bounds besides the values (3x the output); now the output alone, which is
    what check_length's guard counts."""
    n = 4_000_000
    output_mib = 8 * n / 2**20
    growth = peak_growth_mib(
        "", f'rb.decay_curve({n}, 5e5, 2, precision="float32", return_error=True)'
    )
    assert growth < 1.25 * output_mib + 8, (growth, output_mib)


UNDER_RLIMIT = """
import resource
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, resource.RLIM_INFINITY))
import ropebound as rb
try:
    rb.decay_curve(400_000_000, 1e4, 2)  # 3.2 GB of output: more than the 3 GiB allowed
except ValueError as exc:
    print("ValueError", exc)
"""


def test_the_length_guard_follows_an_address_space_limit() -> None:
    """Invariant: an output that cannot fit the memory this process may use is a
    ValueError naming the length, also where that memory is capped below the machine's
    (``ulimit -v`` here; a container's cgroup limit is read the same way), not a
    MemoryError or an OOM kill."""
    out = run_python(UNDER_RLIMIT, timeout=120)
    assert out.startswith("ValueError length must be <="), out
