"""Generated bad input for every public function and every CLI subcommand.

Invariant: substituting a bad value for one argument of a valid call raises only
ValueError or TypeError, whose message names that argument (the CLI: exit status 1
or 2 with one line on stderr, no traceback), and never hangs. Values that are
"maybe bad" (huge but finite factors, say) may also succeed.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import math
import os
import signal
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ropebound as rb
from ropebound import cli, config, decay, literature, scaling

SECONDS_PER_CALL = 10


class Hang(Exception):
    """Raised by the alarm when a call runs past SECONDS_PER_CALL."""


@contextlib.contextmanager
def bounded_time(seconds: int = SECONDS_PER_CALL) -> Iterator[None]:
    def on_alarm(signum: int, frame: Any) -> None:
        raise Hang(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------------------- bad values

WRONG_TYPES = st.one_of(
    st.text(max_size=6),
    st.binary(max_size=6),
    st.complex_numbers(allow_nan=True, allow_infinity=True).filter(lambda z: z.imag != 0),
    st.just(object()),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(set),
)
NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf, np.float64("nan")])
HUGE_INTS = st.one_of(
    st.integers(2**64, 2**2000), st.integers(-(2**2000), -(2**64)), st.just(10**400)
)


def bad_int(lo: int, hi: int, *, even: bool = False, none_ok: bool = False) -> Any:
    """Values that are not an integer in [lo, hi] (even when ``even``)."""
    options = [
        WRONG_TYPES,
        st.booleans(),
        st.floats(allow_nan=True, allow_infinity=True),
        HUGE_INTS,
        st.integers(max_value=lo - 1),
        st.integers(min_value=hi + 1),
    ]
    if even:
        options.append(st.integers(lo, hi).filter(lambda k: k % 2 == 1))
    if not none_ok:
        options.append(st.none())
    return st.one_of(*options)


def bad_real(lo: float, hi: float, *, none_ok: bool = False) -> Any:
    """Values that are not a real number in (lo, hi]."""
    # Ints above hi even once rounded to a double (beyond the double range for hi = inf).
    top = int(math.nextafter(hi, math.inf)) if math.isfinite(hi) else 2**1024
    options = [
        WRONG_TYPES,
        st.booleans(),
        NON_FINITE,
        st.integers(top + 1, 10**600),
        st.integers(-(10**600), min(int(lo), 0) - 1) if lo > -1e300 else st.nothing(),
        st.floats(max_value=lo, allow_nan=False, allow_infinity=False),
    ]
    if math.isfinite(hi):
        options.append(st.floats(min_value=hi, exclude_min=True, allow_infinity=False))
    if not none_ok:
        options.append(st.none())
    return st.one_of(*options)


BAD_BOOL = st.one_of(
    WRONG_TYPES,
    st.integers(),
    st.floats(allow_nan=True),
    st.none(),
    st.just(np.float64("nan")),
)
BAD_CALLABLE = st.one_of(WRONG_TYPES, st.integers(), st.floats(allow_nan=True))
BAD_EXECUTOR = st.one_of(WRONG_TYPES, st.integers(), st.floats(allow_nan=True))


def bad_choice(options: tuple[str, ...]) -> Any:
    return st.one_of(
        st.text(max_size=12).filter(lambda s: s not in options),
        st.binary(max_size=6),
        st.integers(),
        st.floats(allow_nan=True),
        st.none(),
    )


SCALING_TYPES = ("linear", "ntk", "dynamic", "yarn", "llama3", "longrope")
BAD_FACTOR = st.one_of(
    WRONG_TYPES, st.booleans(), NON_FINITE, st.floats(max_value=0.0), st.none(), HUGE_INTS
)
BAD_SCALING = st.one_of(
    st.text(max_size=6),
    st.binary(max_size=6),
    st.integers(),
    st.lists(st.integers(), max_size=2),
    st.builds(
        lambda t: {"rope_type": t, "factor": 2.0},
        st.one_of(
            st.text(max_size=8).filter(lambda s: s not in (*SCALING_TYPES, "default", "su")),
            st.integers(),
            st.floats(allow_nan=True),
        ),
    ),
    st.builds(
        lambda t, f: {"rope_type": t, "factor": f}, st.sampled_from(SCALING_TYPES), BAD_FACTOR
    ),
    st.builds(
        lambda lo, hi: {
            "rope_type": "llama3",
            "factor": 8.0,
            "low_freq_factor": lo,
            "high_freq_factor": hi,
            "original_max_position_embeddings": 16,
        },
        st.one_of(BAD_FACTOR, st.just(5.0)),
        st.one_of(BAD_FACTOR, st.just(1.0)),
    ),
    st.builds(
        lambda n: {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": n},
        bad_int(1, 2**53),
    ),
    st.builds(
        lambda k: {"rope_type": "longrope", "original_max_position_embeddings": 16, k: [1.0]},
        st.sampled_from(["short_factor", "long_factor"]),
    ),
)
# Finite but extreme parameters: a clean error naming the key, or a finite answer.
EXTREME = st.one_of(
    st.floats(1e-300, 1e-30), st.floats(1e30, 1e308), st.just(float(2**1000)), st.just(5e-324)
)
MAYBE_BAD_SCALING = st.one_of(
    st.builds(
        lambda t, f: {"rope_type": t, "factor": f, "max_position_embeddings": 64},
        st.sampled_from(("linear", "ntk", "dynamic", "yarn")),
        EXTREME,
    ),
    st.builds(
        lambda f: {
            "rope_type": "longrope",
            "short_factor": [f] * 4,
            "long_factor": [1.0] * 4,
            "original_max_position_embeddings": 16,
        },
        EXTREME,
    ),
    st.builds(
        lambda key, beta: {
            "rope_type": "yarn",
            "factor": 4.0,
            "original_max_position_embeddings": 16,
            key: beta,
        },
        st.sampled_from(("beta_fast", "beta_slow")),
        EXTREME,
    ),
)


def bad_int_seq(lo: int, hi: int) -> Any:
    return st.one_of(
        st.text(max_size=4),
        st.binary(min_size=1, max_size=4),
        st.integers(),
        st.floats(allow_nan=True),
        st.none(),
        st.just([]),
        st.lists(bad_int(lo, hi), min_size=1, max_size=3),
    )


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    """A valid call, and per argument the bad values to put in it."""

    name: str
    func: Callable[..., Any]
    valid: dict[str, Any]
    bad: dict[str, Any]
    maybe_bad: dict[str, Any] | None = None
    # Words any of which the message must contain, per argument (default: its name).
    names: dict[str, tuple[str, ...]] | None = None

    def __repr__(self) -> str:
        return f"Case({self.name})"


DIM = bad_int(2, 2**16, even=True)
ROTARY = bad_int(2, 8, even=True, none_ok=True)
BASE = bad_real(1.0, 1e250)
PROGRESS = BAD_CALLABLE
LIN = {"rope_type": "linear", "factor": 2.0}
CONFIG = {"head_dim": 8, "rope_theta": 1e4, "max_position_embeddings": 64}

CASES = [
    Case(
        "decay_sum",
        rb.decay_sum,
        {"m": 10, "base": 1e4, "dim": 8},
        {
            # Floats with integer values are distances too (arrays of them are common).
            "m": bad_int(0, 2**53 - 1).filter(
                lambda v: not (isinstance(v, float) and v.is_integer() and 0 <= v < 2**53)
            ),
            "base": BASE,
            "dim": DIM,
            "rotary_dim": ROTARY,
            "return_error": BAD_BOOL,
            "progress": PROGRESS,
            "scaling": BAD_SCALING,
            "precision": bad_choice(("exact", "float32", "bfloat16-table")),
            "seq_len": bad_int(1, 2**53, none_ok=True),
        },
        {"scaling": MAYBE_BAD_SCALING},
    ),
    Case(
        "decay_curve",
        rb.decay_curve,
        {"length": 16, "base": 1e4, "dim": 8},
        {
            "length": bad_int(0, 2**30),
            "base": BASE,
            "dim": DIM,
            "rotary_dim": ROTARY,
            "start": bad_int(0, 2**53 - 17),
            "return_error": BAD_BOOL,
            "progress": PROGRESS,
            "backend": bad_choice(("cpu", "cuda", "auto")),
            "scaling": BAD_SCALING,
            "precision": bad_choice(("exact", "float32", "bfloat16-table")),
            "seq_len": bad_int(1, 2**53, none_ok=True),
        },
        {"scaling": MAYBE_BAD_SCALING},
    ),
    Case(
        "frequencies",
        rb.frequencies,
        {"base": 1e4, "dim": 8},
        {
            "base": BASE,
            "dim": DIM,
            "rotary_dim": ROTARY,
            "scaling": BAD_SCALING,
            "precision": bad_choice(("exact", "float32")),
            "seq_len": bad_int(1, 2**53, none_ok=True),
        },
        {"scaling": MAYBE_BAD_SCALING},
    ),
    Case(
        "frequencies (float32)",
        rb.frequencies,
        {"base": 1e4, "dim": 8, "precision": "float32"},
        {"precision": bad_choice(("exact", "float32"))},
        {"scaling": MAYBE_BAD_SCALING},
    ),
    Case(
        "scaled_frequencies",
        rb.scaled_frequencies,
        {"base": 1e4, "dim": 8, "scaling": LIN},
        {
            "base": BASE,
            "dim": DIM,
            "rotary_dim": ROTARY,
            "scaling": BAD_SCALING,
            "precision": bad_choice(("exact", "float32")),
            "seq_len": bad_int(1, 2**53, none_ok=True),
        },
        {"scaling": MAYBE_BAD_SCALING},
    ),
    Case(
        "max_context",
        rb.max_context,
        {"base": 1e4, "dim": 8, "limit": 64},
        {
            "base": BASE,
            "dim": DIM,
            "rotary_dim": ROTARY,
            "limit": bad_int(1, 2**53),
            "inclusive": BAD_BOOL,
            "progress": PROGRESS,
            "scaling": BAD_SCALING,
            "precision": bad_choice(("exact", "float32", "bfloat16-table")),
            "seq_len": bad_int(1, 2**53, none_ok=True),
            "backend": bad_choice(("cpu", "cuda", "auto")),
        },
        {"scaling": MAYBE_BAD_SCALING},
    ),
    Case(
        "max_context over bases",
        rb.max_context,
        {"base": [1e4, 2e4], "dim": 8, "limit": 64, "executor": None},
        {
            "executor": BAD_EXECUTOR,
            # Any chunk size >= 1 works, however large.
            "chunk_size": bad_int(1, 2**62).filter(lambda v: not (isinstance(v, int) and v > 0)),
        },
        names={"executor": ("executor",), "chunk_size": ("chunk_size",)},
    ),
    Case(
        "min_base",
        rb.min_base,
        {"context": 64, "dim": 8},
        {
            "context": bad_int(1, 2**40),
            "dim": DIM,
            "rotary_dim": ROTARY,
            "inclusive": BAD_BOOL,
            "start": bad_real(1.0, 1e250, none_ok=True),
            "progress": PROGRESS,
            "scaling": BAD_SCALING,
            "precision": bad_choice(("exact", "float32", "bfloat16-table")),
            "seq_len": bad_int(1, 2**53, none_ok=True),
            "backend": bad_choice(("cpu", "cuda", "auto")),
        },
        {"scaling": MAYBE_BAD_SCALING},
    ),
    Case(
        "staircase",
        rb.staircase,
        {"max_context": 64, "dim": 8},
        {
            "max_context": bad_int(1, 2**32),
            "dim": DIM,
            "rotary_dim": ROTARY,
            "inclusive": BAD_BOOL,
            "progress": PROGRESS,
            "scaling": BAD_SCALING,
            "seq_len": bad_int(1, 2**53, none_ok=True),
        },
        {"scaling": MAYBE_BAD_SCALING},
    ),
    Case(
        "admissible_bases",
        rb.admissible_bases,
        {"context": 16, "dim": 8, "base_range": (2.0, 10.0)},
        {
            "context": bad_int(1, 2**40),
            "dim": DIM,
            "base_range": st.one_of(
                WRONG_TYPES,
                st.none(),
                st.tuples(BASE, st.just(10.0)),
                st.tuples(st.just(2.0), BASE),
                st.just((10.0, 2.0)),
                st.lists(st.just(2.0), min_size=3, max_size=4),
            ),
            "rotary_dim": ROTARY,
            "inclusive": BAD_BOOL,
            "scaling": BAD_SCALING,
            "seq_len": bad_int(1, 2**53, none_ok=True),
        },
    ),
    Case(
        "sweep_min_base",
        rb.sweep_min_base,
        {"contexts": [16, 32], "dims": [8]},
        {
            "contexts": bad_int_seq(1, 2**40),
            "dims": bad_int_seq(2, 2**16),
            "rotary_dims": st.one_of(
                st.text(min_size=1, max_size=3),
                st.integers(),
                st.lists(ROTARY.filter(lambda x: x is not None), min_size=1, max_size=1),
                st.lists(st.just(8), min_size=2, max_size=3),
            ),
            "inclusive": BAD_BOOL,
            "executor": BAD_EXECUTOR,
            "progress": PROGRESS,
            "scaling": BAD_SCALING,
            "backend": bad_choice(("cpu", "cuda", "auto")),
        },
        names={"rotary_dims": ("rotary_dim",)},
    ),
    Case(
        "precision_report",
        rb.precision_report,
        {"base": 1e4, "dim": 8, "contexts": [64]},
        {
            "base": BASE,
            "dim": DIM,
            "rotary_dim": ROTARY,
            "scaling": BAD_SCALING,
            "seq_len": bad_int(1, 2**53, none_ok=True),
            "contexts": bad_int_seq(1, 2**40).filter(lambda v: v is not None),
            "precision": bad_choice(("float32", "bfloat16-table")),
            "progress": PROGRESS,
        },
    ),
    Case(
        "check_config",
        rb.check_config,
        {"path_or_dict": CONFIG, "limit": 128, "min_base": False},
        {
            "path_or_dict": st.one_of(
                st.integers(), st.floats(allow_nan=True), st.binary(min_size=1), st.none()
            ),
            "limit": bad_int(1, 2**53, none_ok=True),
            "min_base": BAD_BOOL,
        },
        names={"path_or_dict": ("config", "path")},
    ),
    Case(
        "models",
        rb.models,
        {},
        {"include_incomplete": BAD_BOOL},
    ),
]

# Config keys: a bad value for one key is a config error naming that key.
CONFIG_KEYS = {
    "head_dim": bad_int(2, 2**16, even=True, none_ok=True),
    "rope_theta": bad_real(1.0, 1e250, none_ok=True),
    "max_position_embeddings": bad_int(1, 2**40, none_ok=True),
    "partial_rotary_factor": bad_real(0.0, 1.0, none_ok=True),
    "rope_scaling": BAD_SCALING,
}

LIT_CONTEXT = bad_int(1, 2**53)
LIT_DIM = bad_int(4, 2**16, even=True)
CASES += [
    Case(
        "aliasing_min_base",
        literature.aliasing_min_base,
        {"context": 4096},
        {"context": LIT_CONTEXT, "dim": bad_int(4, 2**16, even=True, none_ok=True)},
    ),
    Case(
        "asymptotic_min_base",
        literature.asymptotic_min_base,
        {"context": 4096},
        {"context": LIT_CONTEXT},
    ),
    Case(
        "beta_base_min_base",
        literature.beta_base_min_base,
        {"context": 4096},
        {"context": LIT_CONTEXT},
    ),
    Case(
        "power_law_min_base",
        literature.power_law_min_base,
        {"context": 4096},
        {"context": LIT_CONTEXT},
    ),
    Case(
        "liu_small_base_thresholds",
        literature.liu_small_base_thresholds,
        {"tune_length": 4096},
        {"tune_length": LIT_CONTEXT},
    ),
    Case("cosine_integral", literature.cosine_integral, {"x": 1.0}, {"x": bad_real(0.0, math.inf)}),
    Case(
        "asymptotic_decay_sum",
        literature.asymptotic_decay_sum,
        {"m": 100.0, "base": 1e4, "dim": 128},
        {
            "m": bad_real(-1e-300, math.inf).filter(
                lambda x: not isinstance(x, float) or x < 0 or not math.isfinite(x)
            ),
            "base": BASE,
            "dim": DIM,
            "rotary_dim": bad_int(2, 128, even=True, none_ok=True),
        },
    ),
    Case(
        "dc_stability_min_base",
        literature.dc_stability_min_base,
        {"context": 4096},
        {
            "context": LIT_CONTEXT,
            "eps": bad_real(0.0, math.nextafter(1.0, 0.0)),
            "dim": bad_int(4, 2**16, even=True, none_ok=True),
        },
    ),
    Case(
        "depth_min_base",
        literature.depth_min_base,
        {"context": 4096, "layers": 32},
        {
            "context": LIT_CONTEXT,
            "layers": bad_int(1, 2**53),
            "eps": bad_real(0.0, math.nextafter(1.0, 0.0)),
            "dim": bad_int(4, 2**16, even=True, none_ok=True),
        },
    ),
    Case(
        "liu_critical_base",
        literature.liu_critical_base,
        {"train_length": 4096, "tune_length": 16384},
        {"train_length": bad_int(7, 2**53), "tune_length": LIT_CONTEXT, "pretrain_base": BASE},
    ),
    Case(
        "liu_critical_dimension",
        literature.liu_critical_dimension,
        {"train_length": 4096, "dim": 128},
        {"train_length": LIT_CONTEXT, "dim": DIM, "base": BASE},
    ),
    Case(
        "liu_extrapolation_limit",
        literature.liu_extrapolation_limit,
        {"base": 1e5, "dim": 128, "train_length": 4096},
        {
            "base": BASE,
            "dim": DIM,
            "train_length": bad_int(7, 2**53),
            "pretrain_base": BASE,
            "tune_length": bad_int(1, 2**53, none_ok=True),
        },
    ),
    Case(
        "ntk_aware_base",
        literature.ntk_aware_base,
        {"base": 1e4, "scale": 2.0, "dim": 128},
        {"base": BASE, "scale": bad_real(0.0, math.inf), "dim": LIT_DIM},
        {"scale": st.floats(1e30, 1e308)},
    ),
    Case(
        "pre_critical_pairs",
        literature.pre_critical_pairs,
        {"base": 1e4, "dim": 128, "train_length": 4096},
        {"base": BASE, "dim": DIM, "train_length": LIT_CONTEXT},
    ),
    Case(
        "precision_ceiling",
        literature.precision_ceiling,
        {},
        {
            "dtype": bad_choice(("float64", "float32", "float16", "bfloat16")),
            "dim": bad_int(4, 2**16, even=True, none_ok=True),
        },
    ),
    Case(
        "precision_max_context",
        literature.precision_max_context,
        {},
        {
            "dtype": bad_choice(("float64", "float32", "float16", "bfloat16")),
            "layers": bad_int(1, 2**53),
            "eps": bad_real(0.0, math.nextafter(1.0, 0.0)),
        },
    ),
    Case(
        "resonance_frequencies",
        literature.resonance_frequencies,
        {"theta": [1.0, 0.5]},
        {
            "theta": st.one_of(
                WRONG_TYPES.filter(lambda v: not isinstance(v, (dict, set))),
                st.lists(
                    st.one_of(NON_FINITE, st.floats(max_value=-1e-300)), min_size=1, max_size=3
                ),
                st.lists(st.floats(13.0, 1e300), min_size=1, max_size=3),
            )
        },
    ),
    Case(
        "roformer_relative_bound",
        literature.roformer_relative_bound,
        {"length": 16, "base": 1e4, "dim": 8},
        {
            "length": bad_int(0, 2**30),
            "base": BASE,
            "dim": DIM,
            "rotary_dim": ROTARY,
            "start": bad_int(0, 2**53 - 17),
            "return_error": BAD_BOOL,
        },
    ),
    Case(
        "yarn_correction_dim",
        literature.yarn_correction_dim,
        {"num_rotations": 1.0, "dim": 128, "base": 1e4, "original_length": 4096},
        {
            "num_rotations": bad_real(0.0, math.inf),
            "dim": DIM,
            "base": BASE,
            "original_length": LIT_CONTEXT,
        },
    ),
    Case(
        "yarn_correction_range",
        literature.yarn_correction_range,
        {"dim": 128, "base": 1e4, "original_length": 4096},
        {
            "dim": DIM,
            "base": BASE,
            "original_length": LIT_CONTEXT,
            "beta_fast": bad_real(0.0, math.inf),
            "beta_slow": bad_real(0.0, math.inf),
        },
    ),
    Case(
        "compare",
        literature.compare,
        {"context": 256, "dim": 16},
        {
            "context": bad_int(1, 2**40),
            "dim": DIM,
            "rotary_dim": bad_int(2, 16, even=True, none_ok=True),
            "inclusive": BAD_BOOL,
            "eps": bad_real(0.0, math.nextafter(1.0, 0.0)),
            "layers": bad_int(1, 2**53),
            "train_length": bad_int(1, 2**53),
            "pretrain_base": BASE,
        },
    ),
    Case(
        "attention_factor",
        scaling.attention_factor,
        {"scaling": LIN},
        {"scaling": BAD_SCALING, "max_position_embeddings": bad_int(1, 2**53, none_ok=True)},
    ),
    Case(
        "frequency_model",
        scaling.frequency_model,
        {"dim": 8, "scaling": LIN},
        {
            "dim": DIM,
            "rotary_dim": ROTARY,
            "scaling": BAD_SCALING,
            "seq_len": bad_int(1, 2**53, none_ok=True),
        },
    ),
    Case(
        "ntk_base",
        scaling.ntk_base,
        {"base": 1e4, "dim": 8, "factor": 2.0},
        {"base": BASE, "dim": DIM, "factor": BAD_FACTOR},
        {"factor": st.floats(1e30, 1e308)},
    ),
    Case(
        "parse_scaling",
        scaling.parse_scaling,
        {"scaling": LIN},
        {"scaling": BAD_SCALING, "rotary_dim": bad_int(2, 2**16, even=True, none_ok=True)},
    ),
    Case(
        "rope_type_of",
        scaling.rope_type_of,
        {"scaling": LIN},
        {
            "scaling": st.one_of(
                st.text(max_size=3),
                st.integers(),
                st.builds(
                    lambda t: {"rope_type": t},
                    st.one_of(
                        st.integers(),
                        st.text(max_size=5).filter(
                            lambda s: s not in (*SCALING_TYPES, "default", "su")
                        ),
                    ),
                ),
            )
        },
    ),
    Case(
        "load_config",
        config.load_config,
        {"path_or_dict": CONFIG},
        {"path_or_dict": st.one_of(st.integers(), st.floats(allow_nan=True), st.none())},
        names={"path_or_dict": ("config", "path")},
    ),
]

STAIRS = rb.staircase(64, 8)
CASES += [
    Case("Staircase.min_base", STAIRS.min_base, {"context": 10}, {"context": bad_int(1, 64)}),
    Case(
        "frequency_table",
        decay.frequency_table,
        {"base": 1e4, "dim": 8},
        {"base": BASE, "dim": DIM, "rotary_dim": ROTARY},
    ),
]

BY_NAME = {case.name: case for case in CASES}
ARGS = [(case.name, arg) for case in CASES for arg in case.bad]
MAYBE = [(case.name, arg) for case in CASES for arg in (case.maybe_bad or {})]


def _named(exc: BaseException, words: tuple[str, ...]) -> bool:
    text = str(exc)
    return any(w in text for w in words)


def _call_expecting_error(case: Case, arg: str, value: Any, *, may_succeed: bool) -> None:
    kwargs = {**case.valid, arg: value}
    words = (case.names or {}).get(arg, (arg,))
    try:
        with bounded_time(), warnings.catch_warnings():
            # Extreme values may leave signs unsettled: a warning, not a failure.
            warnings.simplefilter("ignore", rb.UncertifiedWarning)
            answer = case.func(**kwargs)
    except (ValueError, TypeError) as exc:
        assert _named(exc, words), (
            f"{case.name}({arg}={value!r}): message {exc!r} names none of {words}"
        )
        return
    if not may_succeed:
        pytest.fail(f"{case.name}({arg}={value!r}) was accepted")
    assert _finite(answer), f"{case.name}({arg}={value!r}) answered {answer!r}"


def _finite(answer: Any) -> bool:
    """No NaN or infinity among an answer's numbers (an answer, not an overflow)."""
    if isinstance(answer, (tuple, list)):
        return all(_finite(item) for item in answer)
    if isinstance(answer, (float, np.floating)):
        return math.isfinite(answer)
    if isinstance(answer, np.ndarray) and answer.dtype.kind in "fc":
        return bool(np.all(np.isfinite(answer)))
    return True


def _ids(pairs: list[tuple[str, str]]) -> list[str]:
    return [f"{name}-{arg}" for name, arg in pairs]


FUZZ = settings(
    max_examples=15,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    deadline=None,
)


@pytest.mark.parametrize(("name", "arg"), ARGS, ids=_ids(ARGS))
@FUZZ
@given(data=st.data())
def test_bad_argument_is_rejected_naming_it(name: str, arg: str, data: st.DataObject) -> None:
    """Invariant: a bad value in one argument raises ValueError/TypeError naming it, in time."""
    case = BY_NAME[name]
    value = data.draw(case.bad[arg], label=arg)
    _call_expecting_error(case, arg, value, may_succeed=False)


@pytest.mark.parametrize(("name", "arg"), MAYBE, ids=_ids(MAYBE))
@FUZZ
@given(data=st.data())
def test_extreme_argument_answers_or_is_rejected_naming_it(
    name: str, arg: str, data: st.DataObject
) -> None:
    """Invariant: an extreme but well-typed value gives an answer or a clean error naming it."""
    case = BY_NAME[name]
    assert case.maybe_bad is not None
    value = data.draw(case.maybe_bad[arg], label=arg)
    _call_expecting_error(case, arg, value, may_succeed=True)


@pytest.mark.parametrize("key", sorted(CONFIG_KEYS))
@FUZZ
@given(data=st.data())
def test_bad_config_value_is_a_config_error_naming_the_key(key: str, data: st.DataObject) -> None:
    """Invariant: a bad value for one config key raises ValueError/TypeError naming the key."""
    value = data.draw(CONFIG_KEYS[key], label=key)
    if value is None:  # a missing optional key is not an error
        return
    words = ("rope_scaling", "scaling") if key == "rope_scaling" else (key,)
    try:
        with bounded_time():
            rb.check_config({**CONFIG, key: value}, limit=128, min_base=False)
    except (ValueError, TypeError) as exc:
        assert _named(exc, words), f"{key}={value!r}: message {exc!r} names none of {words}"
        return
    pytest.fail(f"config {key}={value!r} was accepted")


def test_every_public_function_is_fuzzed() -> None:
    """Every function of ropebound.__all__, literature.__all__ and the public functions of
    the scaling, config and decay modules has a case."""
    fuzzed = {case.func for case in CASES}
    public = [getattr(rb, n) for n in rb.__all__] + [
        getattr(literature, n) for n in literature.__all__
    ]
    for module in (scaling, config, decay):
        public += [
            f
            for n, f in inspect.getmembers(module, inspect.isfunction)
            if not n.startswith("_") and f.__module__ == module.__name__
        ]
    # plot_comparison needs matplotlib (its arguments are compare's); ci_first_zero,
    # models_table and cpu_info take no arguments.
    skipped = {
        literature.plot_comparison,
        literature.ci_first_zero,
        config.models_table,
        rb.cpu_info,
    }
    missing = [
        f.__name__
        for f in public
        if callable(f) and not isinstance(f, type) and f not in fuzzed and f not in skipped
    ]
    assert not missing


# --------------------------------------------------------------------------- the CLI


def _bad_number_tokens(*, real: bool = False) -> Any:
    tokens = st.one_of(
        st.sampled_from(
            [
                "",
                "abc",
                "nan",
                "inf",
                "-inf",
                "1e400",
                "10^100000000",
                "2**99999999999",
                "9" * 5000,
                "1" + "0" * 400 + "k",
                "0x",
                "1.5.2",
                "--",
                "1e6e6",
                "\u0661\u0662",
                "2^-1",
            ]
        ),
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
            max_size=6,
        ).filter(lambda s: not s.strip().lstrip("-").replace(".", "", 1).isdigit()),
    )
    if not real:
        tokens = st.one_of(tokens, st.sampled_from(["1.5", "-1", "1e-3", "0.5k"]))
    return tokens


@dataclass(frozen=True)
class CliCase:
    argv: tuple[str, ...]
    # Index of the token to replace, or the option whose value to replace.
    slot: int | str
    bad: Any

    def __repr__(self) -> str:
        return f"CliCase({' '.join(self.argv)}, {self.slot})"


CLI_CASES = [
    CliCase(("bound", "64", "--dim", "8"), 1, st.one_of(_bad_number_tokens(), st.just("0"))),
    CliCase(
        ("bound", "64", "--dim", "8"),
        "--dim",
        st.one_of(_bad_number_tokens(), st.sampled_from(["0", "3", "2^70"])),
    ),
    CliCase(
        ("bound", "64", "--dim", "8"),
        "--rotary-dim",
        st.one_of(_bad_number_tokens(), st.sampled_from(["3", "10"])),
    ),
    CliCase(
        ("context", "1e4", "--dim", "8", "--limit", "64"),
        1,
        st.one_of(_bad_number_tokens(real=True), st.sampled_from(["1", "0.5", "-5", "1e300"])),
    ),
    CliCase(
        ("context", "1e4", "--dim", "8", "--limit", "64"),
        "--limit",
        st.one_of(_bad_number_tokens(), st.sampled_from(["0", "2^60"])),
    ),
    CliCase(
        ("curve", "--base", "1e4", "--dim", "8", "--length", "16"),
        "--length",
        st.one_of(_bad_number_tokens(), st.sampled_from(["0", "2^62"])),
    ),
    CliCase(
        ("curve", "--base", "1e4", "--dim", "8", "--length", "16"),
        "--start",
        st.one_of(_bad_number_tokens(), st.just("2^53")),
    ),
    CliCase(
        ("curve", "--base", "1e4", "--dim", "8", "--length", "16"),
        "--base",
        _bad_number_tokens(real=True),
    ),
    CliCase(
        ("staircase", "64", "--dim", "8"),
        1,
        st.one_of(_bad_number_tokens(), st.sampled_from(["0", "2^33"])),
    ),
    CliCase(
        ("admissible", "64", "--dim", "8", "--range", "10", "100"),
        1,
        st.one_of(_bad_number_tokens(), st.sampled_from(["0", "2^41"])),
    ),
    CliCase(
        ("admissible", "64", "--dim", "8", "--range", "10", "100"),
        "--dim",
        st.one_of(_bad_number_tokens(), st.sampled_from(["0", "3", "2^17"])),
    ),
    CliCase(
        ("admissible", "64", "--dim", "8", "--range", "10", "100"),
        5,
        st.one_of(_bad_number_tokens(real=True), st.sampled_from(["1", "0.5", "1e300", "1000"])),
    ),
    CliCase(
        ("admissible", "64", "--dim", "8", "--range", "10", "100"),
        6,
        st.one_of(_bad_number_tokens(real=True), st.sampled_from(["1", "5", "1e300"])),
    ),
    CliCase(
        ("sweep", "--contexts", "16,32", "--dims", "8"),
        "--contexts",
        st.one_of(_bad_number_tokens(), st.sampled_from(["1..0", "4..8+0", ",", "0", "2^41"])),
    ),
    CliCase(
        ("sweep", "--contexts", "16,32", "--dims", "8"),
        "--dims",
        st.one_of(_bad_number_tokens(), st.sampled_from(["3", "0", "2^17"])),
    ),
    CliCase(
        ("precision", "1e4", "--dim", "8", "--contexts", "64"),
        "--contexts",
        st.one_of(_bad_number_tokens(), st.sampled_from(["0", "2^41"])),
    ),
    CliCase(
        ("precision", "1e4", "--dim", "8", "--contexts", "64"), 1, _bad_number_tokens(real=True)
    ),
    CliCase(
        ("check", "--no-min-base", "--limit", "64", "CFG"),
        "--limit",
        st.one_of(_bad_number_tokens(), st.sampled_from(["0", "2^60"])),
    ),
    CliCase(
        ("models", "--check", "--no-min-base", "--limit", "64"),
        "--limit",
        st.one_of(_bad_number_tokens(), st.just("0")),
    ),
    CliCase(
        ("compare", "256", "--dim", "16"),
        1,
        st.one_of(_bad_number_tokens(), st.sampled_from(["0", "2^41"])),
    ),
    CliCase(
        ("compare", "256", "--dim", "16"),
        "--layers",
        st.one_of(_bad_number_tokens(), st.sampled_from(["0", "2^70"])),
    ),
    CliCase(
        ("compare", "256", "--dim", "16"),
        "--eps",
        st.one_of(_bad_number_tokens(real=True), st.sampled_from(["1", "0", "-0.5"])),
    ),
]


BAD_PATHS = st.one_of(
    st.sampled_from(["/nonexistent/config.json", "/dev/zero", "/dev/null", "/", "/etc/hostname"]),
    st.text(alphabet="abc./-_", min_size=1, max_size=6).filter(lambda s: not s.startswith("-")),
)
CLI_CASES.append(CliCase(("check", "--no-min-base", "CFG"), 2, BAD_PATHS))


def test_every_subcommand_is_fuzzed() -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == {case.argv[0] for case in CLI_CASES}


def _substitute(case: CliCase, value: str, config_path: str) -> list[str]:
    argv = [config_path if tok == "CFG" else tok for tok in case.argv]
    if isinstance(case.slot, int):
        argv[case.slot] = value
    elif case.slot in argv:
        argv[argv.index(case.slot) + 1] = value
    else:
        argv += [case.slot, value]
    # "--opt=value" keeps values that start with "-" from reading as options.
    out = []
    skip = False
    for k, tok in enumerate(argv):
        if skip:
            skip = False
            continue
        if tok.startswith("--") and k + 1 < len(argv) and tok in (case.slot,):
            out.append(f"{tok}={argv[k + 1]}")
            skip = True
        else:
            out.append(tok)
    return out


@pytest.mark.parametrize(
    "index", range(len(CLI_CASES)), ids=[f"{c.argv[0]}-{c.slot}" for c in CLI_CASES]
)
@FUZZ
@given(data=st.data())
def test_cli_bad_value_is_one_line_and_a_failure_status(
    index: int,
    data: st.DataObject,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Invariant: a bad value exits 1 (rejected value) or 2 (usage) with one line, in time."""
    case = CLI_CASES[index]
    cfg = tmp_path_factory.mktemp("cfg") / "config.json"
    cfg.write_text('{"head_dim": 8, "rope_theta": 1e4, "max_position_embeddings": 64}')
    value = data.draw(case.bad, label=str(case.slot))
    argv = _substitute(case, value, str(cfg))
    if isinstance(case.slot, int) and value.startswith("-"):
        # A positional that looks like an option goes last, after "--".
        argv = [*argv[: case.slot], *argv[case.slot + 1 :], "--", value]
    capsys.readouterr()
    # check searches folders for model configs: relative paths (".", "../..") resolve in an
    # empty folder three levels deep, so that no drawn path reaches another test's files.
    cwd = tmp_path_factory.mktemp("cwd") / "a" / "b" / "c"
    cwd.mkdir(parents=True)
    before = os.getcwd()
    os.chdir(cwd)
    try:
        with bounded_time():
            status = cli.main(argv)
    finally:
        os.chdir(before)
    err = capsys.readouterr().err
    assert status in (1, 2), (argv, status, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ropebound"), (argv, err)
    assert "Traceback" not in err
