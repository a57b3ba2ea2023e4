r""":math:`\theta_i(b)` as a piecewise sum of powers of the base, for the solver."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .._frequencies import plain_frequencies
from .._validate import check_dim, check_rotary_dim, check_scalar_base, check_seq_len
from ._base import FloatArray, IntArray
from ._parse import parse_scaling
from ._registry import SCHEMES


class FrequencySegment(NamedTuple):
    r"""On ``base_lo <= b < base_hi``: :math:`\theta_i(b) = \sum_{j < n_i} c_{ij} b^{-p_{ij}/q}`.

    ``coefficients`` :math:`c` and ``powers`` :math:`p` have shape ``(r/2, T)``, ``counts``
    :math:`n` shape ``(r/2,)``; slots :math:`j \ge n_i` hold zeros. Views into the model's
    arrays.
    """

    base_lo: float
    base_hi: float
    coefficients: FloatArray
    powers: IntArray
    counts: IntArray


@dataclass(frozen=True, eq=False)
class FrequencyModel:
    r""":math:`\theta_i` as a piecewise sum of powers of the base :math:`b`.

    Segment ``k`` is ``edges[k] <= b < edges[k + 1]``; on it pair ``i`` is
    :math:`\theta_i(b) = \sum_{j < n_{ki}} c_{kij}\, b^{-p_{kij}/q}`. The arrays are
    read-only.

    Attributes
    ----------
    dim, rotary_dim : int
        :math:`d` and :math:`r`; ``r/2`` pairs are modelled (the unrotated ones have
        :math:`\theta = 0`).
    denominator : int
        :math:`q = r/2`: every exponent is :math:`-p/q` with an integer :math:`p \ge 0`.
    edges : numpy.ndarray
        float64, shape ``(S + 1,)`` for ``S`` segments: consecutive intervals covering
        :math:`(1, \infty)`, from 1.0 to ``inf``. Boundaries are where a pair changes band
        (llama3) or a YaRN correction index changes (floor/ceil), solved for in closed form.
    coefficients : numpy.ndarray
        :math:`c`, float64, shape ``(S, r/2, T)`` (``T`` the most terms of any pair).
    powers : numpy.ndarray
        :math:`p`, int64, shape ``(S, r/2, T)``.
    counts : numpy.ndarray
        :math:`n`, the number of terms of each pair, int64, shape ``(S, r/2)``; slots past
        it hold :math:`c = 0`, :math:`p = 0`.
    jumps : tuple of float
        The boundaries where :math:`\theta(b)` is discontinuous (YaRN with ``truncate``);
        at any other boundary the neighbouring segments agree. Exactly *at* a boundary the
        reference implementation may take either side (floating-point rounding of the
        correction dims); the segments are listed half-open, ``[base_lo, base_hi)``.
    """

    dim: int
    rotary_dim: int
    denominator: int
    edges: FloatArray
    coefficients: FloatArray
    powers: IntArray
    counts: IntArray
    jumps: tuple[float, ...]

    @property
    def constant(self) -> float:
        """Number of unrotated pairs, :math:`(d-r)/2`: each adds :math:`\\cos 0 = 1` to B_m."""
        return float((self.dim - self.rotary_dim) // 2)

    @property
    def segments(self) -> tuple[FrequencySegment, ...]:
        """Every segment, in increasing order of the base."""
        return tuple(self._segment(k) for k in range(len(self.counts)))

    def _segment(self, k: int) -> FrequencySegment:
        lo, hi = self.edges[k : k + 2].tolist()
        return FrequencySegment(lo, hi, self.coefficients[k], self.powers[k], self.counts[k])

    def segment(self, base: float) -> FrequencySegment:
        """The segment with ``base_lo <= base < base_hi``."""
        b = check_scalar_base(base)
        k = int(np.searchsorted(self.edges, b, side="right")) - 1
        return self._segment(max(k, 0))

    def evaluate(self, base: float) -> FloatArray:
        r""":math:`\theta_i(b)` from the model (float64)."""
        b = check_scalar_base(base)
        seg = self.segment(b)
        q = self.denominator
        # b^(-p/q) = b^(-(p mod q)/q) * b^(-(p div q)), the first factor from the core's
        # double-double table: a plain exp(-p ln(b)/q) would lose |ln b| ulps.
        roots = plain_frequencies(b, 2 * q)
        out = np.empty(len(seg.counts), dtype=np.float64)
        for i, (cs, ps, n) in enumerate(
            zip(seg.coefficients.tolist(), seg.powers.tolist(), seg.counts.tolist(), strict=True)
        ):
            out[i] = math.fsum(
                c * float(roots[p % q]) * b ** -(p // q)
                for c, p in zip(cs[:n], ps[:n], strict=True)
            )
        return out


def frequency_model(
    dim: int,
    *,
    rotary_dim: int | None = None,
    scaling: Mapping[str, Any] | None = None,
    seq_len: int | None = None,
) -> FrequencyModel:
    r""":math:`\theta_i(b)` for all bases :math:`b > 1`, as exact piecewise sums of powers.

    On each segment ``[b_lo, b_hi)``,
    :math:`\theta_i(b) = \sum_j c_{ij}\, b^{-p_{ij}/q}` with integers :math:`p_{ij} \ge 0`,
    :math:`q = r/2`, and float64 :math:`c_{ij}` (held as arrays over all segments at once,
    see :class:`FrequencyModel`):

    * default: one term, :math:`c = 1`, :math:`p = i`;
    * linear: :math:`c = 1/s`; longrope: :math:`c = 1/e_i` (``seq_len`` picks the list);
    * ntk / dynamic (base :math:`b\kappa`): :math:`c = \kappa^{-i/q}`;
    * yarn (``truncate`` only): :math:`c = \rho_i/s + 1 - \rho_i`, with the ramp
      :math:`\rho_i` fixed on a segment; segments break where a floored/ceiled correction
      index changes, :math:`b_k = (L_0/(2\pi\beta))^{r/(2k)}`, and :math:`\theta` jumps there;
    * llama3: one term in the high band (:math:`c = 1`) and the low band (:math:`c = 1/s`);
      in the smooth band :math:`\theta' = \theta((1-\sigma)/s + \sigma)` with :math:`\sigma`
      linear in :math:`\theta`, i.e. :math:`c_1 b^{-i/q} + c_2 b^{-2i/q}`; a pair changes
      band at :math:`b = (\Lambda/2\pi)^{r/(2i)}`, :math:`\Lambda \in \{L_0/h, L_0/l\}`
      (continuously).

    Evaluating the model reproduces :func:`scaled_frequencies` with ``precision="exact"``
    to about 1e-15 relative (1e-14 in the llama3 smooth band, where the two terms partly
    cancel).

    Raises
    ------
    ValueError
        For yarn with ``truncate: false`` the ramp is linear in :math:`\ln b`, which is not a
        sum of powers of :math:`b`; not supported.

    Examples
    --------
    >>> from ropebound.scaling import frequency_model, scaled_frequencies
    >>> import numpy as np
    >>> scaling = {"rope_type": "linear", "factor": 4.0}
    >>> model = frequency_model(8, scaling=scaling)
    >>> np.allclose(model.evaluate(1e4), scaled_frequencies(1e4, 8, scaling=scaling))
    True
    >>> model.edges.tolist(), model.coefficients.shape, model.powers[0, :, 0].tolist()
    ([1.0, inf], (1, 4, 1), [0, 1, 2, 3])
    """
    d = check_dim(dim)
    r = check_rotary_dim(d, rotary_dim)
    n = check_seq_len(seq_len, scaling)
    p = parse_scaling(scaling, r)
    scheme = SCHEMES[p.rope_type]
    breaks = [1.0, *sorted(set(scheme.breakpoints(p, r))), math.inf]
    logs = [math.log(x) for x in breaks]
    los: list[float] = []
    insides: list[float] = []
    for (lo, hi), (log_lo, log_hi) in zip(
        itertools.pairwise(breaks), itertools.pairwise(logs), strict=True
    ):
        # A point well inside (lo, hi): the geometric mean (via logs: lo*hi may overflow),
        # or 2*lo on the last interval.
        inside = math.exp(0.5 * (log_lo + log_hi)) if math.isfinite(hi) else 2.0 * lo
        if lo < inside < hi:  # else an interval too thin to sample (coinciding breakpoints)
            los.append(lo)
            insides.append(inside)
    c, pw, cnt = scheme.terms(p, r, insides, n)
    # A segment is a run of intervals with the same terms; it starts where they change.
    # (Indexing with the mask copies: the model owns C-contiguous arrays, not the scheme's.)
    starts = np.ones(len(insides), dtype=bool)
    starts[1:] = (
        (c[1:] != c[:-1]).any(axis=(1, 2))
        | (pw[1:] != pw[:-1]).any(axis=(1, 2))
        | (cnt[1:] != cnt[:-1]).any(axis=1)
    )
    edges = np.append(np.asarray(los, dtype=np.float64)[starts], math.inf)
    model = FrequencyModel(
        dim=d,
        rotary_dim=r,
        denominator=r // 2,
        edges=edges,
        coefficients=c[starts],
        powers=pw[starts],
        counts=cnt[starts],
        jumps=tuple(edges[1:-1].tolist()) if scheme.jumps else (),
    )
    for a in (model.edges, model.coefficients, model.powers, model.counts):
        a.flags.writeable = False
    return model
