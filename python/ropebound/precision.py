r"""Where float32 "as implemented" RoPE parts ways with exact arithmetic.

Inference stacks build the inverse frequencies :math:`\hat\theta_i` in float32 and
form the phase :math:`\mathrm{fl}_{32}(\mathrm{fl}_{32}(m)\,\hat\theta_i)` in float32
(user guide, 'Float32 "as implemented" mode'). At a position of :math:`10^7` the
phase of the fastest pair is then known only to about :math:`\pm 0.5` rad.
:func:`precision_report` measures, per context length, the largest phase error of
the fastest pair and the first distance where the exact :math:`B_m` and the float32
:math:`\hat B_m` have (certified) different signs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from . import _core
from . import _evaluators as evaluators
from ._validate import (
    check_dim,
    check_int,
    check_int_list,
    check_progress,
    check_rotary_dim,
    check_scalar_base,
    check_seq_len,
)
from .scaling import scaled_frequencies

Progress = Callable[[int, int], Any] | None

#: Distances below each context examined for the phase error (the error grows
#: with m, so the largest values sit just below the context).
PHASE_WINDOW = 1 << 16
CHUNK = 1 << 16


@dataclass(frozen=True)
class PrecisionRow:
    """One context length of a :class:`PrecisionReport`."""

    context: int
    fastest_pair_phase_error: float  # rad, pair 0, max over the last PHASE_WINDOW m < L
    max_phase_error: float  # rad, the worst pair, same distances
    worst_pair: int  # the pair index of max_phase_error
    first_sign_disagreement: int | None  # smallest m < L with certified opposite signs


@dataclass(frozen=True)
class PrecisionReport:
    """Exact against float32 "as implemented" RoPE for one base.

    Examples
    --------
    >>> import ropebound as rb
    >>> report = rb.precision_report(5e5, 128, contexts=[1 << 15])
    >>> report.exact_max_context, report.float32_max_context
    (18438, 18438)
    >>> report.rows[0].context
    32768
    """

    base: float
    dim: int
    rotary_dim: int
    precision: str
    rows: tuple[PrecisionRow, ...]
    first_sign_disagreement: int | None  # below the largest context
    exact_max_context: int | None
    float32_max_context: int | None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rows"] = [asdict(r) for r in self.rows]
        return out


def precision_report(
    base: float,
    dim: int,
    *,
    rotary_dim: int | None = None,
    scaling: Mapping[str, Any] | None = None,
    seq_len: int | None = None,
    contexts: Sequence[int] | None = None,
    precision: str = "float32",
    progress: Progress = None,
) -> PrecisionReport:
    r"""Phase error and sign disagreements of float32 RoPE, per context length.

    Parameters
    ----------
    base, dim, rotary_dim, scaling, seq_len
        As in :func:`~ropebound.decay_sum`.
    contexts : sequence of int, optional
        Context lengths to report (default: powers of two from 2**10 to 2**20).
    precision : {"float32", "bfloat16-table"}
        The "as implemented" arithmetic compared with exact arithmetic.

    Returns
    -------
    PrecisionReport
        Per context: the largest :math:`|\mathrm{fl}_{32}(\mathrm{fl}_{32}(m)\hat\theta_i)
        - m\theta_i|` over the last 65536 distances below it (the error grows with
        :math:`m`) for the fastest pair :math:`i = 0` (:math:`\theta_0 = 1` is exact in
        float32, so only :math:`\mathrm{fl}_{32}(m)` errs: zero below :math:`2^{24}`)
        and for the worst pair, and the first distance
        with :math:`B_m` and :math:`\hat B_m` of certified opposite signs (both
        values' error bounds exclude zero). Also both max contexts.

    Examples
    --------
    >>> import ropebound as rb
    >>> report = rb.precision_report(5e5, 128, contexts=[4096, 1 << 20])
    >>> report.exact_max_context, report.float32_max_context, report.first_sign_disagreement
    (18438, 18438, 56293)
    >>> [row.context for row in report.rows]
    [4096, 1048576]
    """
    d = check_dim(dim)
    r = check_rotary_dim(d, rotary_dim)
    b = check_scalar_base(base)
    if precision not in ("float32", "bfloat16-table"):
        raise ValueError(f"precision must be 'float32' or 'bfloat16-table', got {precision!r}")
    check_progress(progress)
    check_seq_len(seq_len, scaling)
    if contexts is None:
        contexts = [2**k for k in range(10, 21)]
    ctx = sorted({check_int(c, "contexts") for c in check_int_list(contexts, "contexts")})
    if ctx[0] < 1 or ctx[-1] > 1 << 40:
        raise ValueError("contexts must be integers in [1, 2**40]")
    exact = evaluators.build(
        b, d, r, scaling=scaling, seq_len=seq_len, frequencies=None, precision="exact"
    )
    approx = evaluators.build(
        b, d, r, scaling=scaling, seq_len=seq_len, frequencies=None, precision=precision
    )
    assert exact.exact is not None and approx.float32 is not None
    theta = scaled_frequencies(b, d, rotary_dim=r, scaling=scaling, seq_len=seq_len)
    theta32 = np.asarray(
        scaled_frequencies(
            b, d, rotary_dim=r, scaling=scaling, seq_len=seq_len, precision="float32"
        ),
        dtype=np.float32,
    )

    first = _first_disagreement(exact.exact, approx.float32, ctx[-1], progress)
    rows = []
    for L in ctx:
        errors = _phase_errors(np.arange(max(0, L - PHASE_WINDOW), L), theta, theta32)
        worst = int(np.argmax(errors))
        rows.append(
            PrecisionRow(
                L,
                float(errors[0]),
                float(errors[worst]),
                worst,
                first if first is not None and first < L else None,
            )
        )
    m_exact, _ = _core.first_negative(exact.exact, 0, ctx[-1], progress)
    m_32, _ = _core.first_negative_float32(approx.float32, 0, ctx[-1], progress)
    return PrecisionReport(
        b,
        d,
        r,
        precision,
        tuple(rows),
        first,
        None if m_exact < 0 else int(m_exact),
        None if m_32 < 0 else int(m_32),
    )


def _phase_errors(m: np.ndarray, theta: np.ndarray, theta32: np.ndarray) -> np.ndarray:
    """Per pair, max over m of |fl32(fl32(m) theta32) - m theta| (rad).

    The exact phase m*theta is formed in float64 from the float64 frequencies:
    its own error (~1e-16 relative) is far below the float32 effects measured.
    """
    worst = np.zeros(theta.size)
    for lo in range(0, m.size, 4096):
        mm = m[lo : lo + 4096]
        phase32 = (mm.astype(np.float32)[:, None] * theta32[None, :]).astype(np.float64)
        exact = mm.astype(np.float64)[:, None] * theta[None, :]
        worst = np.maximum(worst, np.abs(phase32 - exact).max(axis=0))
    return worst


def _first_disagreement(
    exact: _core.FrequencyTable, approx: _core.Float32Table, end: int, progress: Progress
) -> int | None:
    """Smallest m < end where exact and float32 B_m have certified opposite signs."""
    for lo in range(0, end, CHUNK):
        n = min(CHUNK, end - lo)
        e_val = _core.decay_curve(exact, lo, n, None)
        e_err = _core.decay_curve_error_bound(exact, lo + n - 1)
        f_val, f_err = _core.decay_sum_float32(approx, np.arange(lo, lo + n, dtype=np.uint64))
        exact_neg, exact_pos = e_val + e_err < 0, e_val - e_err >= 0
        f_neg, f_pos = f_val + f_err < 0, f_val - f_err >= 0
        hits = np.flatnonzero((exact_neg & f_pos) | (exact_pos & f_neg))
        if hits.size:
            return lo + int(hits[0])
        if progress is not None:
            progress(lo + n, end)
    return None
