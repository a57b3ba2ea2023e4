r"""Certified bounds: the max context of a base and the minimal base of a context.

With :math:`B_m(b, d) = \sum_i \cos(m\theta_i)` (see :mod:`ropebound.decay`):

* :func:`max_context` gives :math:`m^*(b) = \min\{m \ge 0 : B_m(b) < 0\}`, the
  longest context whose distances :math:`0 \dots L-1` all have :math:`B \ge 0`;
* :func:`min_base` gives :math:`b^*(L) = \min\{b > 1 : B_m(b) \ge 0\ \forall m < L\}`,
  the smallest admissible base (as the smallest admissible double);
* :func:`staircase` gives every :math:`b^*(L)`, :math:`L \le L_{max}`, in one pass;
* :func:`admissible_bases` gives every interval of admissible bases in a range
  (the admissible set is *not* an interval: a base above an admissible one can
  fail again, which is why no bisection is used anywhere);
* :func:`sweep_min_base` runs :func:`min_base` over many ``(L, d)``.

Conventions. By default a context of ``L`` tokens has the distances
``0 ... L-1`` (``inclusive=False``), the convention of J. Su's corrected table
(kexue.fm/archives/10122). ``inclusive=True`` uses ``0 ... L`` as the paper
(Men, Xu et al., arXiv 2405.14591, Eq. 10-11) writes its definition.

Every sign decision is certified: an estimate whose error bound straddles zero
is re-evaluated with :func:`~ropebound.decay_sum`'s evaluator and then in
double-double arithmetic (~1e-28). A result that still depends on an unsettled
sign says so (``certified=False`` or an :class:`UncertifiedWarning`).
"""

from __future__ import annotations

import itertools
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _backend, _core
from . import _evaluators as evaluators
from ._validate import (
    MAX_DISTANCE,
    check_base,
    check_dim,
    check_executor,
    check_int,
    check_int_list,
    check_progress,
    check_rotary_dim,
    check_scalar_base,
    check_seq_len,
)
from .scaling import frequency_model

Progress = Callable[[int, int], Any] | None

#: The search starts here: below every b*(L) with L >= 3 (near b = 1 all
#: theta_i ~ 1 and B_2 ~ (r/2) cos 2 < 0).
START_BASE = 1.0 + 2.0**-40
MAX_SEARCH_CONTEXT = 1 << 40
MAX_STAIRCASE_CONTEXT = 1 << 32


# Threads per jump search: 0 lets the C++ core use every OpenMP thread; a sweep,
# which already runs one search per head dimension concurrently, sets 1 in its
# own threads.
_SEARCH = threading.local()


def _search_workers() -> int:
    return int(getattr(_SEARCH, "workers", 0))


# Tasks that a call hands to an executor (a sweep's dimensions, a batched max_context's
# chunks) stop when that call is interrupted: the call adds its id here, and the tasks
# running in this process see it at their next progress poll (every 50 ms) and raise.
# Tasks in another process (a Dask worker) are cancelled through their futures only.
# An id stays here after a call that did not own its executor: its tasks may still be
# running, and an int per interrupted call is all it costs.
_CANCELLED: set[int] = set()
_CALL_IDS = itertools.count()
# Items (a sweep's contexts) finished so far by the tasks of a call, in this process.
_FINISHED: dict[int, int] = {}
_FINISHED_LOCK = threading.Lock()


class _Cancelled(Exception):
    """Raised inside a task whose call was interrupted."""


@dataclass(frozen=True)
class _StopIfCancelled:
    """A task's ``progress``: raises once its call is interrupted (picklable, for Dask)."""

    call: int

    def __call__(self, done: int, total: int) -> None:
        if self.call in _CANCELLED:
            raise _Cancelled


@dataclass(frozen=True)
class _BasesDone:
    """A scan's progress hook reporting ``(bases done, bases)`` instead of distances."""

    progress: Callable[[int, int], Any]
    done: int
    total: int

    def __call__(self, _distance: int, _limit: int) -> None:
        self.progress(self.done, self.total)


def _gather(
    futures: Sequence[Future[Any]],
    call: int,
    sizes: Sequence[int],
    progress: Progress,
) -> list[Any]:
    """The futures' results in order. ``progress(done, total)`` in items (``sizes`` per
    future; finer where the tasks report finished items in ``_FINISHED``) while they
    run. Any exception here, Ctrl-C included, cancels the tasks before it propagates."""
    total = sum(sizes)
    size_of = dict(zip(futures, sizes, strict=True))
    try:
        pending = set(futures)
        reported = -1
        while pending:
            finished, pending = wait(pending, timeout=0.1)
            for fut in finished:
                fut.result()  # a task's error surfaces at once
            if progress is not None:
                by_futures = sum(size_of[f] for f in futures if f.done())
                done = max(by_futures, _FINISHED.get(call, 0))
                if done != reported:
                    progress(done, total)
                    reported = done
        return [fut.result() for fut in futures]
    except BaseException:
        _CANCELLED.add(call)
        for fut in futures:
            fut.cancel()
        raise
    finally:
        with _FINISHED_LOCK:
            _FINISHED.pop(call, None)


class UncertifiedWarning(UserWarning):
    r"""A result depends on a sign that no evaluator could settle (:math:`|B_m| < 10^{-27}`).

    Examples
    --------
    >>> import warnings
    >>> import ropebound as rb
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", rb.UncertifiedWarning)
    ...     rb.max_context(5e5, 128)  # certified: no warning
    18438
    """


@dataclass(frozen=True)
class BaseBound:
    """The minimal base :math:`b^*(L, d)` of a context length.

    Attributes
    ----------
    base : float
        The smallest double that is admissible (every ``B_m >= 0``, ``m`` in
        the context's distances). ``1.0`` when every base > 1 is admissible
        (then ``attained`` is False: 1 is an infimum, not a base).
    critical_distance : int or None
        The distance whose ``B_m`` touches 0 at ``base``: the largest ``m``
        with ``B_m < 0`` at the double just below ``base`` (the same whatever
        path the search took, and so whatever the number of threads).
    certified : bool
        True when every sign decision behind ``base`` was settled rigorously.
    context, dim, rotary_dim, inclusive
        The question asked.
    attained : bool
        False for the infimum case described above.
    jumps : int
        Intervals of bad bases jumped over by the search (over all threads; it
        varies from run to run when the search runs on several).

    Examples
    --------
    >>> import ropebound as rb
    >>> bound = rb.min_base(4096, 128)
    >>> float(bound), bound.critical_distance, bound.certified, bound.attained
    (26952.33922785787, 4012, True, True)
    >>> rb.min_base(2, 128).attained
    False
    """

    base: float
    critical_distance: int | None
    certified: bool
    context: int
    dim: int
    rotary_dim: int
    inclusive: bool = False
    attained: bool = True
    # A diagnostic that varies with thread timing: not part of the answer, so it
    # takes no part in equality or hashing.
    jumps: int = field(default=0, compare=False)

    def __float__(self) -> float:
        return self.base


@dataclass(frozen=True)
class Staircase:
    r"""The step function :math:`L \mapsto b^*(L)` up to ``max_context``.

    ``bases[k]`` is :math:`b^*(L)` for ``contexts[k-1] < L <= contexts[k]``
    (``contexts[-1] == max_context``); ``critical_distances[k]`` is its critical
    distance as :func:`min_base` reports it for the smallest of those :math:`L`
    (-1 where the step is the first base of a scaling scheme's segment).

    Examples
    --------
    >>> import ropebound as rb
    >>> stairs = rb.staircase(2048, 128)
    >>> stairs.min_base(1024), stairs.min_base(2048)
    (4293.437569262579, 11587.24430311107)
    >>> len(stairs) > 10
    True
    """

    contexts: npt.NDArray[np.int64]
    bases: npt.NDArray[np.float64]
    critical_distances: npt.NDArray[np.int64]
    dim: int
    rotary_dim: int
    inclusive: bool
    max_context: int
    certified: bool = True
    # Contexts below this have b* = 1 (every base admissible).
    trivial_up_to: int = field(default=2)

    def min_base(self, context: int) -> float:
        """:math:`b^*(L)` by lookup; equal to ``min_base(L).base``."""
        L = check_int(context, "context")
        if not 1 <= L <= self.max_context:
            raise ValueError(f"context must be in [1, {self.max_context}], got {L}")
        if L <= self.trivial_up_to:
            return 1.0
        k = int(np.searchsorted(self.contexts, L, side="left"))
        return float(self.bases[k])

    def __len__(self) -> int:
        return int(self.contexts.size)


def _check_context(context: Any, *, limit: int = MAX_SEARCH_CONTEXT, name: str = "context") -> int:
    L = check_int(context, name)
    if not 1 <= L <= limit:
        raise ValueError(f"{name} must be an integer in [1, {limit}], got {L}")
    return L


def _distances(context: int, inclusive: bool) -> int:
    """Number of distances checked: 0..L-1 (default) or 0..L (inclusive)."""
    if not isinstance(inclusive, (bool, np.bool_)):
        raise TypeError(f"inclusive must be a bool, got {type(inclusive).__name__}")
    return context + 1 if inclusive else context


def _trivial_bound(
    n_distances: int, context: int, dim: int, r: int, inclusive: bool
) -> BaseBound | None:
    """The cases the search does not need: L <= 2 distances, or one rotary pair."""
    constant = (dim - r) // 2
    if n_distances <= 2 or (r == 2 and constant >= 1):
        # B_0 = d/2 > 0 and B_1 = sum cos(theta_i) >= (r/2) cos 1 > 0 (theta_i <= 1);
        # one pair plus c >= 1 unrotated ones gives B_m = c + cos m >= 0.
        return BaseBound(1.0, None, True, context, dim, r, inclusive, attained=False)
    if r == 2 and constant == 0:
        raise ValueError(
            "no base is admissible: with dim = rotary_dim = 2, B_m = cos(m) whatever the base, "
            f"and cos(2) < 0 is among the {n_distances} distances"
        )
    return None


def min_base(
    context: int,
    dim: int,
    *,
    rotary_dim: int | None = None,
    inclusive: bool = False,
    start: float | None = None,
    progress: Progress = None,
    scaling: Mapping[str, Any] | None = None,
    precision: str = "exact",
    seq_len: int | None = None,
    backend: str = "cpu",
) -> BaseBound:
    r"""The exact minimal base :math:`b^*(L, d)`, certified.

    :math:`b^*(L) = \min\{ b > 1 : B_m(b) \ge 0 \text{ for every } 0 \le m < L \}`
    (``inclusive=True``: :math:`0 \le m \le L`), returned as the smallest
    double that is admissible.

    Method (user guide, 'The method, and why answers are certified'). Starting
    from a base known to be below :math:`b^*`, while some :math:`m` has
    :math:`B_m(b) < 0` (certified), the base jumps to the end of the interval on
    which that :math:`B_m` stays negative. With :math:`g(u) = B_m(e^u)`, steps are bounded by
    :math:`g(u+h) \le g(u) + g'(u)h + Mh^2/2` with
    :math:`M = \sum_i a_i^2(x_i^2 + x_i) \ge |g''|` for every larger :math:`u`
    (:math:`a_i = 2i/r`, :math:`x_i = m\theta_i`), or by the cubic bound with the
    computed :math:`g''` and a bound on :math:`g'''`, so they cannot cross a root.
    Past the first (exact) evaluation the phases
    :math:`m\theta_i(u + t) = m\theta_i(u)\,e^{-a_i t}` advance in closed form
    from one exact reduction, with a rigorous error bound. Violators are looked
    for near the previous one (single-precision screening, every candidate
    confirmed in double, the one whose negative interval looks longest taken);
    a rigorous pass over all :math:`m` runs when that finds none, and either
    finds one or certifies the base. On several OpenMP threads the base axis is
    cut into segments searched concurrently (an idle thread takes the upper
    part of a running segment); ``b*`` is the first admissible base of the
    lowest segment that has one, the same for any number of threads.

    Invariant (why the result is a proof): every double between the start and
    the current base has some :math:`m` with :math:`B_m < 0`; the search stops at
    a base where no :math:`m` is negative, which is therefore the smallest
    admissible double. The defaults reproduce J. Su's corrected table (distances
    ``0 ... L-1``); ``inclusive=True`` the paper's definition.

    Parameters
    ----------
    context : int
        Context length :math:`L`, in [1, 2**40].
    dim, rotary_dim
        Head and rotary dimension, as in :func:`~ropebound.decay_sum`.
    inclusive : bool
        Check distances ``0 ... L`` instead of ``0 ... L-1``.
    start : float, optional
        A base known to be <= b* (e.g. b* of a smaller context, as
        :func:`sweep_min_base` does); default ``1 + 2**-40``.
    progress : callable, optional
        ``progress(distance, context)`` with the current violating distance.
        Ctrl-C stops the search with ``KeyboardInterrupt``.
    scaling, seq_len
        A ``rope_scaling`` dict held fixed while the base varies. Its
        frequencies are piecewise sums of powers of the base
        (:func:`~ropebound.scaling.frequency_model`); the search crosses the
        segments itself, each jump certified with its segment's exact model. At a
        discontinuity of the model (YaRN's truncated ramp) ``b*`` can be the
        segment's first base, with no critical distance.
    precision : {"exact", "float32", "bfloat16-table"}
        ``"float32"`` looks for the smallest float32 base at or above the exact
        ``b*`` that is admissible under float32 arithmetic (see
        :func:`~ropebound.decay_sum`). That result is **not certified**
        (``certified=False``): float32 bases below the exact ``b*`` are not all
        examined.
    backend : {"cpu", "cuda", "auto"}
        ``"cuda"`` re-runs the final certification pass (no distance below the
        context negative at ``b*``) on the GPU as an independent check; the
        jump search itself runs on the CPU.

    Raises
    ------
    ValueError
        For bad arguments, and when no base is admissible (``dim = rotary_dim = 2``).

    Examples
    --------
    >>> import ropebound as rb
    >>> bound = rb.min_base(131072, 128)
    >>> bound.base, bound.critical_distance, bound.certified
    (4869104.370528781, 124837, True)
    >>> rb.max_context(bound.base, 128) >= 131072
    True
    >>> rb.min_base(1024, 128, inclusive=True).base >= rb.min_base(1024, 128).base
    True
    """
    L = _check_context(context)
    d = check_dim(dim)
    r = check_rotary_dim(d, rotary_dim)
    n = _distances(L, inclusive)
    check_progress(progress)
    check_seq_len(seq_len, scaling)
    prec = evaluators.check_precision(precision)
    use_cuda = _backend.select_backend(backend) == "cuda"
    trivial = _trivial_bound(n, L, d, r, inclusive)
    if trivial is not None:
        return trivial
    b0 = START_BASE if start is None else check_scalar_base(start, "start")
    model = _model(d, r, scaling, seq_len)
    res = _core.min_base_search(model, n, b0, False, progress, workers=_search_workers())
    if res.exhausted:
        raise ValueError(
            f"no admissible base <= 1e250 for context={L}, dim={d}, rotary_dim={r}"
            + ("" if scaling is None else " with this scaling")
        )
    certified = res.certified
    if use_cuda:
        certified = _gpu_certify(model.table(res.base), n) and certified
    if res.critical_distance < 0 and res.base == b0:
        # The start itself is admissible: nothing below it was examined, so it
        # is b* only when given as a base known to be <= b*.
        if start is None:
            exact = BaseBound(1.0, None, False, L, d, r, inclusive, attained=False)
        else:
            exact = BaseBound(b0, None, certified, L, d, r, inclusive)
    else:
        exact = BaseBound(
            res.base,
            # None: b* is the first base of a segment of a scaling scheme's model.
            None if res.critical_distance < 0 else res.critical_distance,
            certified,
            L,
            d,
            r,
            inclusive,
            jumps=res.jumps,
        )
    if prec == "exact":
        return exact
    return _min_base_float32(exact, n, prec, scaling, seq_len)


def _model(
    d: int, r: int, scaling: Mapping[str, Any] | None, seq_len: int | None
) -> _core.PiecewiseModel:
    """The core's frequency model: one piece for plain RoPE, else the scheme's exact
    segments (:func:`~ropebound.scaling.frequency_model`), converted once per call."""
    if scaling is None:
        return _core.PiecewiseModel.rope(d, r)
    return _core.PiecewiseModel.scaled(
        frequency_model(d, rotary_dim=r, scaling=scaling, seq_len=seq_len)
    )


def _gpu_certify(table: _core.FrequencyTable, n: int) -> bool:
    """The GPU's scan must agree that no distance below n is negative.

    Distances the GPU cannot decide (|value| within its bound) go through the same
    escalation as the CPU's certified_sign: decay_sum (value and error), then the
    double-double evaluator (value and error). Returns False when a sign stays
    unknown after both, like the CPU search's ``certified``; raises when the GPU finds
    a violator the CPU search did not.
    """
    cuda = _backend.cuda_module()
    assert cuda is not None
    first, uncertain, _bound = cuda.scan_violators(
        table.hi, table.lo, table.rel_err, table.constant, 0, n
    )
    negative, unknown = _settle_signs(table, np.asarray(uncertain, dtype=np.uint64))
    if first >= 0 or negative:
        raise RuntimeError(
            f"the GPU scan disagrees with the CPU certification (violator {first}, "
            f"{len(negative)} settled negative): please report this"
        )
    return not unknown


def _settle_signs(
    table: _core.FrequencyTable, distances: npt.NDArray[np.uint64]
) -> tuple[list[int], list[int]]:
    """(certified negative, still unknown) among ``distances``, as certified_sign decides."""
    negative: list[int] = []
    unknown: list[int] = []
    if distances.size == 0:
        return negative, unknown
    values, errors = _core.decay_sum_table(table, distances)
    for m, value, error in zip(distances.tolist(), values.tolist(), errors.tolist(), strict=True):
        if value + error < 0.0:
            negative.append(m)
        elif value - error < 0.0:
            precise, precise_error = _core.decay_sum_precise(table, m)
            if precise + precise_error < 0.0:
                negative.append(m)
            elif precise - precise_error < 0.0:
                unknown.append(m)
    return negative, unknown


def _min_base_float32(
    exact: BaseBound,
    n: int,
    precision: str,
    scaling: Mapping[str, Any] | None,
    seq_len: int | None,
    max_steps: int = 4096,
) -> BaseBound:
    """Smallest float32 base >= exact b* admissible under float32 arithmetic (uncertified)."""
    f = np.float32(exact.base)
    if float(f) <= 1.0 or float(f) < exact.base:
        # An infimum b* = 1 is no base: the float32 candidates start above it.
        f = np.nextafter(f, np.float32(np.inf))
    for step in range(max_steps):
        ev = evaluators.build(
            float(f),
            exact.dim,
            exact.rotary_dim,
            scaling=scaling,
            precision=precision,
            frequencies=None,
            seq_len=seq_len,
        )
        assert ev.float32 is not None
        m, _unknown = _core.first_negative_float32(ev.float32, 0, n, None)
        if m < 0 and step == 0 and not exact.attained:
            # As exact arithmetic: the smallest float32 above 1 is admissible too.
            return exact
        if m < 0:
            return BaseBound(
                float(f),
                None,
                False,
                exact.context,
                exact.dim,
                exact.rotary_dim,
                exact.inclusive,
                jumps=exact.jumps,
            )
        f = np.nextafter(f, np.float32(np.inf))
    raise ValueError(
        f"no float32 base within {max_steps} float32 steps above the exact b* = {exact.base!r} "
        "is admissible under float32 arithmetic"
    )


def staircase(
    max_context: int,
    dim: int,
    *,
    rotary_dim: int | None = None,
    inclusive: bool = False,
    progress: Progress = None,
    scaling: Mapping[str, Any] | None = None,
    seq_len: int | None = None,
) -> Staircase:
    r"""All steps of :math:`L \mapsto b^*(L)` for :math:`L \le` ``max_context``.

    A chain of :func:`min_base` searches, each warm-started where the last one
    ended: from a step's base :math:`b_k`, whose first negative distance is
    :math:`f_k = m^*(b_k)`, the next step is :math:`b_{k+1} = b^*(f_k + 1)`,
    searched upward from :math:`b_k` with :math:`f_k` as the first violator,
    and :math:`f_{k+1}` comes from a certified scan at :math:`b_{k+1}` from
    :math:`f_k + 1` on. Then :math:`b^*(L) = b_{k+1}` for
    :math:`f_k < L \le f_{k+1}`: every base below :math:`b_{k+1}` fails at a
    distance :math:`\le f_k`, and :math:`b_{k+1}` has none below :math:`f_{k+1}`.
    The cost is about two certified passes per step (one certifying
    :math:`b_{k+1}`, one finding :math:`f_{k+1}`) plus the jumps of one search.
    ``progress(done, total)`` receives the largest context settled so far and
    the number of distances; Ctrl-C stops the chain. With ``scaling`` (held
    fixed, ``seq_len`` fixed too) the searches cross the segments of the scheme's
    exact model, as in :func:`min_base`.

    Examples
    --------
    >>> import ropebound as rb
    >>> stairs = rb.staircase(4096, 128)
    >>> stairs.min_base(4096) == rb.min_base(4096, 128).base
    True
    >>> stairs.min_base(1000) <= stairs.min_base(2000) <= stairs.min_base(4000)
    True
    """
    L = _check_context(max_context, limit=MAX_STAIRCASE_CONTEXT, name="max_context")
    d = check_dim(dim)
    r = check_rotary_dim(d, rotary_dim)
    n = _distances(L, inclusive)
    check_progress(progress)
    check_seq_len(seq_len, scaling)
    offset = 1 if inclusive else 0
    trivial = _trivial_bound(n, L, d, r, inclusive)
    if trivial is not None:
        return Staircase(
            np.array([L], dtype=np.int64),
            np.array([1.0]),
            np.array([-1], dtype=np.int64),
            d,
            r,
            inclusive,
            L,
            trivial_up_to=L,
        )
    res = _core.min_base_search(_model(d, r, scaling, seq_len), n, START_BASE, True, progress)
    if res.exhausted:
        raise ValueError(f"no admissible base <= 1e250 up to context={L}")
    # Steps are in numbers of distances; convert to contexts (inclusive: L+1 distances).
    contexts = res.step_contexts.astype(np.int64) - offset
    bases = res.step_bases
    critical = res.step_critical
    # The first visited base (the start) only bounds b* from above for the
    # contexts before its first violator: those are the trivial ones (<= 2).
    trivial_up_to = int(contexts[0]) if contexts.size else L
    return Staircase(
        contexts[1:],
        bases[1:],
        critical[1:],
        d,
        r,
        inclusive,
        L,
        certified=res.certified,
        trivial_up_to=trivial_up_to,
    )


def max_context(
    base: Any = None,
    dim: int | None = None,
    *,
    rotary_dim: int | None = None,
    limit: int = 2**32,
    inclusive: bool = False,
    progress: Progress = None,
    scaling: Mapping[str, Any] | None = None,
    precision: str = "exact",
    frequencies: Any = None,
    seq_len: int | None = None,
    executor: Executor | None = None,
    chunk_size: int = 256,
    backend: str = "cpu",
) -> Any:
    r"""The max context :math:`m^*(b) = \min\{m \ge 0 : B_m(b) < 0\}` of a base.

    :math:`m^*` is the longest context whose distances ``0 ... L-1`` all have
    :math:`B_m \ge 0` (``inclusive=True``: the longest with ``0 ... L``, i.e.
    :math:`m^* - 1`).

    Parameters
    ----------
    base : float or array_like
        Scalar: returns ``int``, or ``None`` when no ``m < limit`` is negative.
        Array: returns an ``int64`` array, ``-1`` meaning none below ``limit``
        (OpenMP over bases).
    limit : int
        Distances ``m < limit`` are examined, 1 <= limit <= 2**53.
    scaling, precision, frequencies, seq_len
        As in :func:`~ropebound.decay_sum`: a ``rope_scaling`` dict, the float32
        "as implemented" arithmetic, or an explicit frequency table (then
        ``base`` and ``dim`` are omitted). Under ``precision="float32"`` each
        distance costs ``d/2`` cosines (no recurrence).
    progress : callable, optional
        ``progress(done, total)``: for one base, the distances scanned out of
        ``limit``; for an array of bases, the bases done out of their number
        (with an ``executor``, as its chunks finish). Ctrl-C stops the call with
        ``KeyboardInterrupt``.
    executor : concurrent.futures.Executor, optional
        For an array of bases: chunks of ``chunk_size`` bases are submitted to
        it (e.g. ``dask.distributed.Client(...).get_executor()``) and the
        results concatenated; identical to the local path, since every base is
        scanned on its own. Interrupted, the call cancels its chunks; those
        running in this process stop at their next poll (every 50 ms).
    backend : {"cpu", "cuda", "auto"}
        ``"cuda"`` scans plain-RoPE bases on the GPU (values within the error
        bound of zero are settled on the host by the exact evaluators);
        ``"auto"`` uses it when built and a device is present.

    Notes
    -----
    The scan evaluates :math:`B_m` by the recurrence of
    :func:`~ropebound.decay_curve` (bound ~1e-11) and settles every value
    within that bound of zero with the exact evaluators. Cost: proportional to
    the answer (``m* x d/2`` terms).

    Examples
    --------
    >>> import ropebound as rb
    >>> rb.max_context(5e5, 128)
    18438
    >>> rb.max_context([1e4, 5e5, 1e6], 128)
    array([ 1707, 18438, 27115])
    >>> rb.max_context(5e5, 128, limit=1000) is None
    True
    >>> rb.max_context(5e5, 128, precision="float32")
    18438
    """
    lim = check_int(limit, "limit")
    if not 1 <= lim <= MAX_DISTANCE:
        raise ValueError(f"limit must be an integer in [1, 2**53], got {lim}")
    _distances(1, inclusive)
    check_progress(progress)
    check_seq_len(seq_len, scaling)
    check_executor(executor)
    shift = 1 if inclusive else 0
    if _backend.select_backend(backend) == "cuda":
        if not evaluators.is_plain(scaling, evaluators.check_precision(precision), frequencies):
            raise ValueError("backend='cuda' supports plain RoPE only (no scaling/precision)")
        d = check_dim(dim)
        r = check_rotary_dim(d, rotary_dim)
        bases_c = check_base(base)
        cuda = _backend.cuda_module()
        assert cuda is not None  # select_backend returned "cuda"
        found, unsettled = cuda.max_context(bases_c.ravel(), d, r, lim, progress)
        if np.any(unsettled):
            warnings.warn(
                f"{int(np.count_nonzero(unsettled))} bases had signs that could not be settled",
                UncertifiedWarning,
                stacklevel=2,
            )
        gpu = np.asarray(found, dtype=np.int64)
        gpu = np.where(gpu >= 0, gpu - shift, -1)
        if bases_c.ndim == 0:
            return None if gpu[0] < 0 else int(gpu[0])
        return gpu.reshape(bases_c.shape)
    size = check_int(chunk_size, "chunk_size")
    if size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {size}")
    if executor is not None and frequencies is None:
        bases_in = check_base(base)
        if bases_in.ndim > 0 and bases_in.size > 0:
            flat_in = bases_in.ravel()
            call = next(_CALL_IDS)
            kwargs: dict[str, Any] = {
                "rotary_dim": rotary_dim,
                "limit": lim,
                "inclusive": inclusive,
                "scaling": scaling,
                "precision": precision,
                "seq_len": seq_len,
                "progress": _StopIfCancelled(call),
            }
            starts = range(0, flat_in.size, size)
            futures = [
                executor.submit(max_context, flat_in[k : k + size], dim, **kwargs) for k in starts
            ]
            sizes = [min(size, flat_in.size - k) for k in starts]
            parts = [
                np.asarray(part, dtype=np.int64) for part in _gather(futures, call, sizes, progress)
            ]
            return np.concatenate(parts).reshape(bases_in.shape)
    if not evaluators.is_plain(scaling, evaluators.check_precision(precision), frequencies):
        selectors = dict(
            scaling=scaling, precision=precision, frequencies=frequencies, seq_len=seq_len
        )
        if frequencies is not None:
            return _max_context_one(
                evaluators.build(base, dim, rotary_dim, **selectors), lim, shift, progress
            )
        bases_arr = check_base(base)
        if bases_arr.ndim == 0:
            ev = evaluators.build(float(bases_arr), dim, rotary_dim, **selectors)
            return _max_context_one(ev, lim, shift, progress)
        for_base = evaluators.builder(
            dim, rotary_dim, scaling=scaling, precision=precision, seq_len=seq_len
        )
        # Progress in bases done, as the plain path reports it (each base's own scan
        # still polls, for Ctrl-C).
        n = int(bases_arr.size)
        found = []
        for k, b in enumerate(bases_arr.ravel().tolist()):
            step = None if progress is None else _BasesDone(progress, k, n)
            found.append(_max_context_one(for_base(b), lim, shift, step))
        if progress is not None:
            progress(n, n)
        return np.array([-1 if f is None else f for f in found], dtype=np.int64).reshape(
            bases_arr.shape
        )
    d = check_dim(dim)
    r = check_rotary_dim(d, rotary_dim)
    bases = check_base(base)
    if bases.ndim == 0:
        table = _core.FrequencyTable.rope(float(bases), d, r)
        return _max_context_one(evaluators.Evaluator(exact=table), lim, shift, progress)
    model = _core.PiecewiseModel.rope(d, r)
    flat = np.ascontiguousarray(bases.ravel())
    found_arr, unsettled = _core.max_context_bases(model, flat, lim, progress)
    if np.any(unsettled):
        warnings.warn(
            f"{int(np.count_nonzero(unsettled))} bases had signs that could not be settled",
            UncertifiedWarning,
            stacklevel=2,
        )
    out = np.where(found_arr >= 0, found_arr - shift, -1).astype(np.int64)
    return out.reshape(bases.shape)


def _max_context_one(
    ev: evaluators.Evaluator, limit: int, shift: int, progress: Progress
) -> int | None:
    if ev.exact is not None:
        m, unknown = _core.first_negative(ev.exact, 0, limit, progress)
    else:
        assert ev.float32 is not None
        m, unknown = _core.first_negative_float32(ev.float32, 0, limit, progress)
    if unknown:
        warnings.warn(
            f"{unknown} signs near zero could not be settled; the result may be early",
            UncertifiedWarning,
            stacklevel=3,
        )
    return None if m < 0 else int(m) - shift


def sweep_min_base(
    contexts: Iterable[int],
    dims: Iterable[int],
    *,
    rotary_dims: Sequence[int | None] | None = None,
    inclusive: bool = False,
    executor: Executor | None = None,
    progress: Progress = None,
    scaling: Mapping[str, Any] | None = None,
    backend: str = "cpu",
) -> dict[str, npt.NDArray[Any]]:
    """:func:`min_base` for every ``(context, dim)`` pair, warm-started and parallel.

    For each head dimension the contexts run in increasing order, each search
    starting at the previous answer (``b*`` is non-decreasing in ``L``); the
    dimensions run in parallel (threads by default, or any
    ``concurrent.futures``-style ``executor``, e.g. ``dask.distributed``'s
    ``Client.get_executor()``). Results do not depend on the executor.
    ``scaling`` (held fixed while the base varies, ``seq_len = L`` for the
    schemes that need one) and ``backend`` are passed to :func:`min_base`.
    ``progress(done, total)`` counts the ``(context, dim)`` pairs finished (with
    an executor in another process, a dim's at a time). Ctrl-C stops the sweep
    with ``KeyboardInterrupt``: its tasks are cancelled, and those running in
    this process stop at their next poll (every 50 ms).

    Returns
    -------
    dict of numpy arrays
        ``context``, ``dim``, ``rotary_dim``, ``base``, ``critical_distance``
        (-1 for none), ``certified``; rows sorted by dim, then context.

    Examples
    --------
    >>> import ropebound as rb
    >>> table = rb.sweep_min_base([1024, 2048, 4096], [64, 128])
    >>> table["dim"].tolist(), table["context"].tolist()
    ([64, 64, 64, 128, 128, 128], [1024, 2048, 4096, 1024, 2048, 4096])
    >>> bool(table["base"][-1] == rb.min_base(4096, 128).base)
    True
    """
    ctx = sorted({_check_context(c, name="contexts") for c in check_int_list(contexts, "contexts")})
    dim_list = [check_dim(d, "dims") for d in check_int_list(dims, "dims")]
    rot: list[int | None]
    if rotary_dims is None:
        rot = [None] * len(dim_list)
    else:
        rot = check_int_list(rotary_dims, "rotary_dims")
        if len(rot) != len(dim_list):
            raise ValueError("rotary_dims must have one entry per dim")
    jobs = [(d, check_rotary_dim(d, r)) for d, r in zip(dim_list, rot, strict=True)]
    check_progress(progress)
    _distances(1, inclusive)
    check_executor(executor)
    own = executor is None
    pool: Executor = ThreadPoolExecutor(max_workers=2) if executor is None else executor
    call = next(_CALL_IDS)
    rows: list[tuple[int, int, int, float, int, bool]] = []
    try:
        futures = [
            pool.submit(_sweep_one_dim, ctx, d, r, inclusive, scaling, backend, call)
            for d, r in jobs
        ]
        for part in _gather(futures, call, [len(ctx)] * len(futures), progress):
            rows.extend(part)
    finally:
        if own:
            # Interrupted, the running searches stop at their next poll (see _gather).
            pool.shutdown(wait=True, cancel_futures=True)
            _CANCELLED.discard(call)
    rows.sort(key=lambda row: (row[1], row[2], row[0]))
    return {
        "context": np.array([row[0] for row in rows], dtype=np.int64),
        "dim": np.array([row[1] for row in rows], dtype=np.int64),
        "rotary_dim": np.array([row[2] for row in rows], dtype=np.int64),
        "base": np.array([row[3] for row in rows], dtype=np.float64),
        "critical_distance": np.array([row[4] for row in rows], dtype=np.int64),
        "certified": np.array([row[5] for row in rows], dtype=bool),
    }


def _sweep_one_dim(
    contexts: list[int],
    dim: int,
    rotary_dim: int,
    inclusive: bool,
    scaling: Mapping[str, Any] | None,
    backend: str,
    call: int,
) -> list[tuple[int, int, int, float, int, bool]]:
    """One head dimension of a sweep, contexts ascending, warm-started; stops when the
    sweep ``call`` is interrupted."""
    rows = []
    start: float | None = None
    previous = _search_workers()
    _SEARCH.workers = 1  # the sweep runs dimensions in parallel already
    try:
        for L in contexts:
            bound = min_base(
                L,
                dim,
                rotary_dim=rotary_dim,
                inclusive=inclusive,
                start=start,
                scaling=scaling,
                seq_len=L if scaling is not None else None,
                backend=backend,
                progress=_StopIfCancelled(call),
            )
            critical = -1 if bound.critical_distance is None else bound.critical_distance
            rows.append((L, dim, rotary_dim, bound.base, critical, bound.certified))
            with _FINISHED_LOCK:
                _FINISHED[call] = _FINISHED.get(call, 0) + 1
            if bound.attained:
                start = bound.base
    finally:
        _SEARCH.workers = previous
    return rows


def admissible_bases(
    context: int,
    dim: int,
    base_range: tuple[float, float],
    *,
    rotary_dim: int | None = None,
    inclusive: bool = False,
    progress: Progress = None,
    scaling: Mapping[str, Any] | None = None,
    seq_len: int | None = None,
) -> list[tuple[float, float]]:
    """Every interval of admissible bases inside ``base_range = (lo, hi)``.

    Returns closed intervals ``[a, e]`` of doubles: every double in ``[a, e]`` is
    admissible, and the doubles just outside (when inside the range) are not.
    Left ends come from the jump search (:func:`min_base` started at the
    previous right end). Right ends come from certified steps up from ``a``: one
    pass over all distances at an anchor base gives every distance a safe
    horizon by the first-order bound :math:`B_m(u+h) \\ge B_m - m R h` with
    :math:`R = \\sum_i |d\\theta_i/du|`; the few distances whose horizon is
    shortest are followed one by one with second-order steps
    :math:`B_m(u+h) \\ge B_m + g'h - Mh^2/2` (a phase walk over the pairs, no
    pass) until the rest's horizon, where the next anchor is taken. Where the
    steps stall below one ulp, the next double is proved inadmissible (one
    certified evaluation, or a rigorous pass). With ``scaling`` the steps use
    the exact model of each segment of the scheme, and intervals running
    across a continuous segment boundary are joined.

    ``progress(done, 1000)`` reports the position reached in the range (in
    thousandths of :math:`\\ln(hi/lo)`); Ctrl-C stops the call with
    ``KeyboardInterrupt``.

    Examples
    --------
    >>> import ropebound as rb
    >>> windows = rb.admissible_bases(4096, 128, (2.69e4, 2.7e4))
    >>> windows[0]
    (26952.33922785787, 26973.083351538604)
    >>> windows[0][0] == rb.min_base(4096, 128).base
    True
    """
    L = _check_context(context)
    d = check_dim(dim)
    r = check_rotary_dim(d, rotary_dim)
    n = _distances(L, inclusive)
    check_seq_len(seq_len, scaling)
    if not isinstance(base_range, (tuple, list)) or len(base_range) != 2:
        raise TypeError("base_range must be a pair (lo, hi)")
    lo, hi = (check_scalar_base(x, f"base_range[{i}]") for i, x in enumerate(base_range))
    if lo > hi:
        raise ValueError(f"base_range must have lo <= hi, got ({lo}, {hi})")
    check_progress(progress)
    if _trivial_bound(n, L, d, r, inclusive) is not None:
        return [(lo, hi)]
    return _core.admissible_windows(_model(d, r, scaling, seq_len), n, lo, hi, progress)
