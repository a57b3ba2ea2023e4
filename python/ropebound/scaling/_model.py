r""":math:`\theta_i(b)` as a piecewise sum of powers of the base, for the solver."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .._frequencies import plain_frequencies
from .._validate import check_base, check_dim, check_rotary_dim, check_seq_len
from ._base import FloatArray, Pairs
from ._parse import parse_scaling
from ._registry import SCHEMES


class FrequencySegment(NamedTuple):
    r"""On ``base_lo <= b < base_hi``: :math:`\theta_i(b) = \sum_j c_{ij} b^{-p_{ij}/q}`."""

    base_lo: float
    base_hi: float
    terms: Pairs


@dataclass(frozen=True)
class FrequencyModel:
    r""":math:`\theta_i` as a piecewise sum of powers of the base :math:`b`.

    Attributes
    ----------
    dim, rotary_dim : int
        :math:`d` and :math:`r`; ``r/2`` pairs are modelled (the unrotated ones have
        :math:`\theta = 0`).
    denominator : int
        :math:`q = r/2`: every exponent is :math:`-p/q` with an integer :math:`p \ge 0`.
    segments : tuple of FrequencySegment
        Consecutive intervals covering :math:`(1, \infty)`; the first starts at 1.0, the last
        ends at ``inf``. Boundaries are where a pair changes band (llama3) or a YaRN
        correction index changes (floor/ceil), solved for in closed form.
    jumps : tuple of float
        The boundaries where :math:`\theta(b)` is discontinuous (YaRN with ``truncate``);
        at any other boundary the neighbouring segments agree. Exactly *at* a boundary the
        reference implementation may take either side (floating-point rounding of the
        correction dims); the segments are listed half-open, ``[base_lo, base_hi)``.
    """

    dim: int
    rotary_dim: int
    denominator: int
    segments: tuple[FrequencySegment, ...]
    jumps: tuple[float, ...]

    @property
    def constant(self) -> float:
        """Number of unrotated pairs, :math:`(d-r)/2`: each adds :math:`\\cos 0 = 1` to B_m."""
        return float((self.dim - self.rotary_dim) // 2)

    def segment(self, base: float) -> FrequencySegment:
        """The segment with ``base_lo <= base < base_hi``."""
        b = float(check_base(base))
        los = [s.base_lo for s in self.segments]
        k = int(np.searchsorted(los, b, side="right")) - 1
        return self.segments[max(k, 0)]

    def evaluate(self, base: float) -> FloatArray:
        r""":math:`\theta_i(b)` from the model (float64)."""
        b = float(check_base(base))
        seg = self.segment(b)
        q = self.denominator
        # b^(-p/q) = b^(-(p mod q)/q) * b^(-(p div q)), the first factor from the core's
        # double-double table: a plain exp(-p ln(b)/q) would lose |ln b| ulps.
        roots = plain_frequencies(b, 2 * q)
        out = np.empty(len(seg.terms), dtype=np.float64)
        for i, terms in enumerate(seg.terms):
            out[i] = math.fsum(c * float(roots[p % q]) * b ** -(p // q) for c, p in terms)
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
    :math:`q = r/2`, and float64 :math:`c_{ij}`:

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
    """
    d = check_dim(dim)
    r = check_rotary_dim(d, rotary_dim)
    n = check_seq_len(seq_len, scaling)
    p = parse_scaling(scaling, r)
    scheme = SCHEMES[p.rope_type]
    edges = [1.0, *sorted(set(scheme.breakpoints(p, r))), math.inf]
    intervals: list[tuple[float, float]] = []
    insides: list[float] = []
    for lo, hi in itertools.pairwise(edges):
        # A point well inside (lo, hi): the geometric mean (via logs: lo*hi may overflow),
        # or 2*lo on the last interval.
        inside = math.exp(0.5 * (math.log(lo) + math.log(hi))) if math.isfinite(hi) else 2.0 * lo
        if lo < inside < hi:  # else an interval too thin to sample (coinciding breakpoints)
            intervals.append((lo, hi))
            insides.append(inside)
    segments: list[FrequencySegment] = []
    jumps: list[float] = []
    # All intervals' terms at once: the scheme shares term objects between them.
    for (lo, hi), terms in zip(intervals, scheme.terms(p, r, insides, n), strict=True):
        if segments and segments[-1].terms == terms:
            segments[-1] = segments[-1]._replace(base_hi=hi)
            continue
        if segments and scheme.jumps:
            jumps.append(lo)
        if segments:
            segments[-1] = segments[-1]._replace(base_hi=lo)
        segments.append(FrequencySegment(lo, hi, terms))
    return FrequencyModel(
        dim=d, rotary_dim=r, denominator=r // 2, segments=tuple(segments), jumps=tuple(jumps)
    )
