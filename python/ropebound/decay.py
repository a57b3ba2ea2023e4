r"""The decay sum and RoPE frequencies.

RoPE rotates pair :math:`i` of a head of dimension :math:`d` by :math:`m\theta_i`,
with :math:`\theta_i = b^{-2i/r}` for :math:`i < r/2` (:math:`r \le d` the rotary
dimension). The decay sum

.. math:: B_m(b, d) = \sum_{i=0}^{d/2-1} \cos(m\theta_i)

(unrotated pairs have :math:`\theta = 0` and add :math:`(d-r)/2`) is the expected
logit gap between a similar and a random token at distance :math:`m`
(Men, Xu et al., "Base of RoPE Bounds Context Length", arXiv 2405.14591).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

from . import _backend, _core
from . import _evaluators as evaluators
from ._frequencies import frequency_table
from ._validate import (
    check_base,
    check_bool,
    check_dim,
    check_distances,
    check_length,
    check_precision,
    check_progress,
    check_rotary_dim,
    check_seq_len,
    check_start,
)
from .scaling import scaled_frequencies

Progress = Callable[[int, int], Any] | None
FloatArray = npt.NDArray[np.float64]


def frequencies(
    base: float,
    dim: int,
    *,
    rotary_dim: int | None = None,
    scaling: Mapping[str, Any] | None = None,
    precision: str = "exact",
    seq_len: int | None = None,
) -> npt.NDArray[Any]:
    r"""Angular frequencies :math:`\theta_i`, :math:`i < r/2`.

    Plain RoPE: :math:`\theta_i = b^{-2i/r}`; with ``scaling`` the frequencies of
    that ``rope_scaling`` scheme. This is the canonical public name;
    :func:`~ropebound.scaling.scaled_frequencies` is the scaling layer's implementation that
    it calls (same arguments, same arrays).

    Parameters
    ----------
    base : float
        RoPE base :math:`b`, in (1, 1e250].
    dim : int
        Head dimension :math:`d`, even, in [2, 65536].
    rotary_dim : int, optional
        Rotary dimension :math:`r \le d` (even); defaults to ``dim``. The
        exponent's denominator is ``r``, as in Hugging Face, vLLM and ggml.
    scaling : dict, optional
        A ``rope_scaling`` / ``rope_parameters`` dict; ``seq_len`` for the
        schemes that depend on the sequence length.
    precision : {"exact", "float32"}
        ``"float32"`` returns the float32 ``inv_freq`` that Hugging Face
        transformers builds (emulated op by op).

    Returns
    -------
    numpy.ndarray
        ``r/2`` values: float64, each the double nearest to the double-double
        :math:`\theta_i` the core uses (plain RoPE), or float32.

    Examples
    --------
    >>> import ropebound as rb
    >>> rb.frequencies(1e4, 8)
    array([1.   , 0.1  , 0.01 , 0.001])
    >>> rb.frequencies(1e4, 8, scaling={"rope_type": "linear", "factor": 2.0})
    array([0.5   , 0.05  , 0.005 , 0.0005])
    >>> rb.frequencies(5e5, 128, precision="float32").dtype
    dtype('float32')
    """
    check_seq_len(seq_len, scaling)
    return scaled_frequencies(
        base,
        dim,
        rotary_dim=rotary_dim,
        scaling=scaling,
        precision=precision,  # type: ignore[arg-type]
        seq_len=seq_len,
    )


@overload
def decay_sum(
    m: int,
    base: float,
    dim: int,
    *,
    rotary_dim: int | None = ...,
    return_error: Literal[False] = ...,
    progress: Progress = ...,
    scaling: Mapping[str, Any] | None = ...,
    precision: str = ...,
    seq_len: int | None = ...,
) -> float: ...
@overload
def decay_sum(
    m: Any,
    base: Any = ...,
    dim: int | None = ...,
    *,
    rotary_dim: int | None = ...,
    return_error: bool = ...,
    progress: Progress = ...,
    scaling: Mapping[str, Any] | None = ...,
    precision: str = ...,
    frequencies: Any = ...,
    seq_len: int | None = ...,
) -> Any: ...


def decay_sum(
    m: Any,
    base: Any = None,
    dim: int | None = None,
    *,
    rotary_dim: int | None = None,
    return_error: bool = False,
    progress: Progress = None,
    scaling: Mapping[str, Any] | None = None,
    precision: str = "exact",
    frequencies: Any = None,
    seq_len: int | None = None,
) -> Any:
    r"""The decay sum :math:`B_m = \sum_i \cos(m\theta_i)` with a rigorous error bound.

    Broadcasts over ``m`` and ``base``. A scalar in gives a ``float`` out.

    Parameters
    ----------
    m : int or array_like of int
        Distances, integers in [0, 2**53).
    base : float or array_like of float
        RoPE bases in (1, 1e250].
    dim : int
        Head dimension (even, >= 2).
    rotary_dim : int, optional
        Rotary dimension (even, <= dim); the ``(dim - rotary_dim)/2`` unrotated
        pairs add ``(dim - rotary_dim)/2`` to every value.
    return_error : bool
        Also return ``error_bound``, with ``|value - B_m| <= error_bound``
        guaranteed per element.
    progress : callable, optional
        ``progress(done, total)``, called from the calling thread on long calls.
    scaling : dict, optional
        A ``rope_scaling`` dict (:func:`~ropebound.scaling.scaled_frequencies`);
        ``seq_len`` for the schemes that depend on it.
    precision : {"exact", "float32", "bfloat16-table"}
        ``"float32"`` evaluates what float32 inference stacks compute: their
        float32 inverse frequencies, the phase ``fl32(fl32(m) * theta32)``
        rounded once, cos in float64 of that phase (``"bfloat16-table"``: each
        cos rounded to bfloat16). The bound then covers only our evaluation of
        that model.
    frequencies : array_like, optional
        An explicit table of angular frequencies (taken as exact doubles, or as
        float32 values under ``precision="float32"``), in place of ``base`` and
        ``dim``; zero entries add cos 0 = 1.

    Notes
    -----
    :math:`\theta_i` is computed in double-double arithmetic (relative error
    below :math:`10^{-28}`), :math:`m\theta_i` is formed exactly and reduced
    modulo a triple-double :math:`2\pi` and then :math:`\pi/2`; cos and sin come
    from degree-17/18 Taylor polynomials on :math:`|y| \le \pi/4` (no libm, so the
    bound is the code's own); the terms are summed with compensation.
    The resulting bound is below 1e-12 for ``m < 2**40``, ``base <= 1e15``,
    ``dim <= 1024`` (about ``d/2 * 4.5e-16``). The reduction is proven for phases
    ``m * theta_i <= 2**53``: larger ones (explicit or down-scaled frequencies)
    raise ``ValueError``.

    Examples
    --------
    >>> import ropebound as rb
    >>> rb.decay_sum(0, 1e4, 128)
    64.0
    >>> round(rb.decay_sum(1707, 1e4, 128), 6)
    -0.498932
    >>> value, error = rb.decay_sum(10**9, 5e5, 128, return_error=True)
    >>> error < 1e-12
    True
    >>> rb.decay_sum([0, 1, 2], 1e4, 4).round(6)
    array([2.      , 1.540252, 0.583653])
    """
    check_progress(progress)
    return_error = check_bool(return_error, "return_error")
    check_seq_len(seq_len, scaling)
    if not evaluators.is_plain(scaling, check_precision(precision), frequencies):
        return _decay_sum_tables(
            m,
            base,
            dim,
            rotary_dim,
            return_error,
            progress,
            scaling=scaling,
            precision=precision,
            frequencies=frequencies,
            seq_len=seq_len,
        )
    d = check_dim(dim)
    r = check_rotary_dim(d, rotary_dim)
    m_arr = check_distances(m)
    base_arr = check_base(base)
    if base_arr.size == 1:
        # One base: no broadcast copy, no sort (the core takes a lone base).
        shape = np.broadcast_shapes(m_arr.shape, base_arr.shape)
        values, errors = _core.decay_sum_bases(
            np.ascontiguousarray(np.broadcast_to(m_arr, shape).ravel()),
            np.ascontiguousarray(base_arr.ravel()),
            d,
            r,
            progress,
        )
    else:
        m_flat, b_flat, shape = _broadcast(m_arr, base_arr)
        # Equal bases adjacent: each chunk of work builds a table per run.
        order = np.argsort(b_flat, kind="stable")
        values_sorted, errors_sorted = _core.decay_sum_bases(
            np.ascontiguousarray(m_flat[order]), np.ascontiguousarray(b_flat[order]), d, r, progress
        )
        values = np.empty_like(values_sorted)
        errors = np.empty_like(errors_sorted)
        values[order] = values_sorted
        errors[order] = errors_sorted
    if shape == ():
        if return_error:
            return float(values[0]), float(errors[0])
        return float(values[0])
    values = values.reshape(shape)
    errors = errors.reshape(shape)
    return (values, errors) if return_error else values


def _broadcast(
    m: npt.NDArray[np.uint64], base: FloatArray
) -> tuple[npt.NDArray[np.uint64], FloatArray, tuple[int, ...]]:
    """m and base broadcast together, flattened, with the common shape.

    Broadcasting multiplies sizes (10^5 distances against 10^5 bases is 10^10 values):
    the common size is checked against memory before anything is allocated, for the
    ten arrays of that size the callers hold at once (flat m and base, the sort order,
    sorted copies, values and errors).
    """
    try:
        shape = np.broadcast_shapes(m.shape, base.shape)
    except ValueError as exc:
        raise ValueError(
            f"m and base cannot be broadcast together: shapes {m.shape} and {base.shape}"
        ) from exc
    check_length(math.prod(shape), "the size of m and base broadcast together", arrays=10)
    m_b, b_b = np.broadcast_arrays(m, base)
    return m_b.ravel(), b_b.ravel(), shape


def _evaluate_table(
    ev: evaluators.Evaluator, m: npt.NDArray[np.uint64], progress: Progress
) -> tuple[FloatArray, FloatArray]:
    if ev.exact is not None:
        return _core.decay_sum_table(ev.exact, m, progress)
    assert ev.float32 is not None
    return _core.decay_sum_float32(ev.float32, m, progress)


def _offset_progress(
    progress: Callable[[int, int], Any], offset: int, size: int, total: int
) -> Progress:
    """progress for a group of ``size`` of a call's ``total`` distances, starting at
    ``offset``: the group's own (done, total) in work units, mapped to distances."""
    return lambda done, units: progress(offset + size * done // max(units, 1), total)


def _decay_sum_tables(
    m: Any,
    base: Any,
    dim: Any,
    rotary_dim: Any,
    return_error: bool,
    progress: Progress,
    **selectors: Any,
) -> Any:
    """decay_sum for scaled, float32 or explicit frequency tables: one table per base."""
    m_arr = check_distances(m)
    if selectors["frequencies"] is not None:
        ev = evaluators.build(base, dim, rotary_dim, **selectors)
        values, errors = _evaluate_table(ev, np.ascontiguousarray(m_arr.ravel()), progress)
        shape = m_arr.shape
    else:
        m_flat, b_flat, shape = _broadcast(m_arr, check_base(base))
        values = np.empty(m_flat.shape)
        errors = np.empty(m_flat.shape)
        # One table per distinct base, over the positions of that base: sorted
        # once (a mask per base would cost len(m) per base).
        order = np.argsort(b_flat, kind="stable")
        b_sorted = b_flat[order]
        starts = np.flatnonzero(np.r_[True, b_sorted[1:] != b_sorted[:-1]])
        ends = np.r_[starts[1:], b_sorted.size]
        total = int(b_sorted.size)
        for_base = evaluators.builder(
            dim,
            rotary_dim,
            scaling=selectors["scaling"],
            precision=selectors["precision"],
            seq_len=selectors["seq_len"],
        )
        for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
            ev = for_base(float(b_sorted[lo]))
            sel = order[lo:hi]
            step = None if progress is None else _offset_progress(progress, lo, hi - lo, total)
            v, e = _evaluate_table(ev, np.ascontiguousarray(m_flat[sel]), step)
            values[sel] = v
            errors[sel] = e
    if shape == ():
        return (float(values[0]), float(errors[0])) if return_error else float(values[0])
    values, errors = values.reshape(shape), errors.reshape(shape)
    return (values, errors) if return_error else values


def decay_curve(
    length: int,
    base: float | None = None,
    dim: int | None = None,
    *,
    rotary_dim: int | None = None,
    start: int = 0,
    return_error: bool = False,
    progress: Progress = None,
    backend: str = "cpu",
    scaling: Mapping[str, Any] | None = None,
    precision: str = "exact",
    frequencies: Any = None,
    seq_len: int | None = None,
) -> FloatArray | tuple[FloatArray, float]:
    r""":math:`B_m` for the consecutive distances ``m = start ... start+length-1``.

    Per pair, :math:`(\cos, \sin)(m\theta_i)` advances by a 2x2 rotation (a few
    FMAs per term, vectorised, OpenMP-parallel over blocks of 4096 distances).
    Every block is seeded exactly (as in :func:`decay_sum`); inside it a giant
    step by :math:`64\theta_i` re-seeds every 64 distances, and baby steps by
    :math:`\theta_i` fill in. Each of the at most 126 rotation steps since an
    exact seed adds at most :math:`\sqrt2\,\eta + 2.83u` to the error of a
    pair's vector (:math:`\eta` the coefficient error, :math:`u = 2^{-53}`), so

    .. math:: |\hat B_m - B_m| \le \sum_i \bigl(\sqrt2\,\eta_{seed} +
              63(\sqrt2\,\eta_{64} + 2.83u) + 63(\sqrt2\,\eta_1 + 2.83u)\bigr)
              + \gamma_h \Bigl(\sum_i |\cos| + \tfrac{d-r}{2}\Bigr),

    about 1.3e-13 per pair: 8e-12 for ``dim = 128``, 7e-11 for ``dim = 1024``.
    The exact bound for the call is returned with ``return_error=True``.
    Results are bit-identical for any number of threads.

    Parameters
    ----------
    length : int
        Number of distances (>= 0; the output must fit in memory).
    base, dim, rotary_dim
        As in :func:`decay_sum`.
    start : int
        First distance; ``start + length <= 2**53``.
    return_error : bool
        Also return the bound above (a float, valid for every element).
    progress : callable, optional
        ``progress(done_blocks, total_blocks)``; Ctrl-C stops the computation
        within ~50 ms with ``KeyboardInterrupt``.
    backend : {"cpu", "cuda", "auto"}
        ``"cuda"`` runs the recurrence on the GPU (one thread per 32 distances,
        exact seeds every 4096, one jump then baby steps); its error never
        exceeds the bound above, which is the one returned either way.
        ``"auto"`` uses CUDA when built and a device is present. See
        :func:`ropebound._backend.select_backend` for the errors.
    scaling, precision, frequencies, seq_len
        As in :func:`decay_sum`. Under ``precision="float32"`` every phase is
        rounded on its own, so there is no recurrence: each distance costs
        ``d/2`` cosines (still parallel), and the bound returned is the largest
        per-element bound.

    Examples
    --------
    >>> import ropebound as rb
    >>> curve = rb.decay_curve(2**16, 5e5, 128)
    >>> curve.shape, float(curve[0])
    ((65536,), 64.0)
    >>> int((curve < 0).argmax())
    18438
    >>> curve, bound = rb.decay_curve(1024, 1e4, 128, return_error=True)
    >>> bound < 1e-10
    True
    """
    s = check_start(start)
    n = check_length(length, start=s)
    check_progress(progress)
    return_error = check_bool(return_error, "return_error")
    check_seq_len(seq_len, scaling)
    if not evaluators.is_plain(scaling, check_precision(precision), frequencies):
        if backend != "cpu":
            raise ValueError("backend must be 'cpu' with scaling, precision or frequencies")
        ev = evaluators.build(
            base,
            dim,
            rotary_dim,
            scaling=scaling,
            precision=precision,
            frequencies=frequencies,
            seq_len=seq_len,
        )
        if ev.exact is not None:
            curve = _core.decay_curve(ev.exact, s, n, progress)
            if return_error:
                return curve, float(_core.decay_curve_error_bound(ev.exact, max(s + n - 1, 0)))
            return curve
        assert ev.float32 is not None
        # Streamed in the core: the output is the only array of this length
        # (what check_length counts), no distances or per-element bounds.
        values32, worst = _core.decay_curve_float32(ev.float32, s, n, progress)
        return (values32, float(worst)) if return_error else values32
    table = frequency_table(base, dim, rotary_dim)
    if _backend.select_backend(backend) == "cuda":
        cuda = _backend.cuda_module()
        assert cuda is not None  # select_backend returned "cuda"
        values: FloatArray = cuda.decay_curve(
            table.hi, table.lo, table.rel_err, table.constant, s, n, progress
        )
    else:
        values = _core.decay_curve(table, s, n, progress)
    if return_error:
        bound = _core.decay_curve_error_bound(table, max(s + n - 1, 0))
        return values, float(bound)
    return values
