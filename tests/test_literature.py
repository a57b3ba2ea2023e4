"""ropebound.literature: each relation against the worked numbers of LITERATURE.md
(section cited per test) and against independent evaluations (mpmath, numpy).
"""

from __future__ import annotations

import json
import math
from typing import Any

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import ropebound as rb
from ropebound import cli
from ropebound import literature as lit

from strategies import bases, head_dims

K = 1024


# ------------------------------------------------------------ Su: Ci and L/x0 (LIT 2)


def test_ci_first_zero_matches_mpmath_root() -> None:
    # LITERATURE 2: x0 = 0.6165054856207163; computed here by Newton on our own Ci.
    x0 = lit.ci_first_zero()
    ref = float(mpmath.findroot(mpmath.ci, 0.6))
    assert abs(x0 - ref) < 1e-15
    assert abs(x0 - 0.6165054856207163) < 1e-15


@given(x=st.floats(1e-12, 1e13))
@example(x=4.0)  # the switch from the power series to the continued fraction
@example(x=4.000001)
@example(x=0.6165054856207163)
def test_cosine_integral_matches_mpmath(x: float) -> None:
    ref = float(mpmath.ci(mpmath.mpf(x)))
    # Absolute 1e-14 (series near x = 4 loses ~2 digits to cancellation of terms ~3),
    # plus a relative 4e-15 for |Ci| large (x tiny: Ci ~ ln x).
    assert abs(lit.cosine_integral(x) - ref) <= 1e-14 + 4e-15 * abs(ref)


def test_asymptotic_min_base_is_about_1_622_L() -> None:
    # LITERATURE 2: b >= L/x0 ~= 1.622 L.
    assert lit.asymptotic_min_base(1_000_000) / 1_000_000 == pytest.approx(1.622, abs=5e-4)


@given(m=st.floats(1e-3, 1e7), base=bases(1e12), d=head_dims(512))
def test_asymptotic_decay_sum_is_the_integral(m: float, base: float, d: int) -> None:
    # (d/2) * int_0^1 cos(m b^-t) dt by mpmath quadrature (independent of Ci).
    if base < 1.0 + 1e-9:
        base = 1.0 + 1e-9  # ln b so small that both sides lose all digits
    with mpmath.workdps(30):
        b = mpmath.mpf(base)
        ref = (d / 2) * (mpmath.ci(m) - mpmath.ci(m / b)) / mpmath.log(b)
    got = lit.asymptotic_decay_sum(m, base, d)
    # Ci is good to 1e-14 absolute; dividing by ln b amplifies that.
    tol = (d / 2) * 3e-14 / math.log(base) + 1e-12 * abs(float(ref))
    assert abs(got - float(ref)) <= tol


def test_asymptotic_decay_sum_tracks_the_exact_sum_at_large_dim() -> None:
    # The Riemann sum over i < d/2 of cos(m b^(-2i/d)) converges to the integral:
    # at d = 8192 the two agree to well under 1% of d/2 for moderate m.
    d = 8192
    for m in (10, 100, 1000):
        exact = rb.decay_sum(m, 1e4, d)
        approx = lit.asymptotic_decay_sum(m, 1e4, d)
        assert abs(exact - approx) < 0.01 * d / 2
    assert lit.asymptotic_decay_sum(0, 1e4, 128) == 64.0


# --------------------------------------------------- beta-base, power-law fit (LIT 1.4)


def test_beta_base_is_L() -> None:
    assert lit.beta_base_min_base(32 * K) == 32768.0


PAPER_ROW = [4.3e3, 1.6e4, 2.7e4, 8.4e4, 3.1e5, 6.4e5, 2.1e6, 7.8e6, 3.6e7, 6.4e7, 5.1e8]
SU_ROW = [4.3e3, 1.2e4, 2.7e4, 8.4e4, 2.3e5, 6.3e5, 2.1e6, 4.9e6, 2.4e7, 5.8e7, 6.5e7]
LENGTHS = [2**k * K for k in range(11)]


def _loglog_fit(row: list[float], unit: int) -> tuple[float, float]:
    x = np.log([2**k * unit for k in range(11)])
    slope, intercept = np.polyfit(x, np.log(row), 1)
    return float(math.exp(intercept)), float(slope)


def test_power_law_is_the_fit_of_the_paper_row_with_k_1024() -> None:
    # LITERATURE 1.4: exponent 1.628, coefficient 0.0423 with 1k = 1024; 0.0440 with 1000.
    coef, slope = _loglog_fit(PAPER_ROW, 1024)
    assert slope == pytest.approx(lit.POWER_LAW_EXPONENT, abs=5e-4)
    assert coef == pytest.approx(0.0423, abs=5e-5)
    assert _loglog_fit(PAPER_ROW, 1000)[0] == pytest.approx(0.0440, abs=5e-5)
    # Su's corrected row: 0.144 * x^1.479 (computed, not published).
    coef_su, slope_su = _loglog_fit(SU_ROW, 1024)
    assert (round(coef_su, 3), round(slope_su, 3)) == (0.144, 1.479)
    assert lit.power_law_min_base(32 * K) == pytest.approx(0.0424 * 32768**1.628, rel=1e-15)


# ----------------------------------------------------- X. Liu et al. scaling laws (LIT 4)


@pytest.mark.parametrize(("train", "expected"), [(4096, 92), (2048, 82), (8192, 100)])
def test_critical_dimension_worked_numbers(train: int, expected: int) -> None:
    # LITERATURE 4, Lemma 1 (LLaMA2: 92; computed 82 and 100).
    assert lit.liu_critical_dimension(train, 128) == expected


@pytest.mark.parametrize(
    ("tune", "expected"),
    [(4096, 1e4), (16384, 71_738), (32768, 192_145), (100_000, 938_327)],
)
def test_critical_base_worked_numbers(tune: int, expected: float) -> None:
    # LITERATURE 4, Theorem 3; "100k" is 100 000 here (102 400 gives 970 497).
    assert round(lit.liu_critical_base(4096, tune)) == pytest.approx(expected, abs=1)


@pytest.mark.parametrize(
    ("beta", "expected"),
    [(1e4, 4712), (5e4, 14_982), (1e5, 24_656), (5e5, 78_400), (1e6, 129_027), (1e7, 675_196)],
)
def test_extrapolation_limit_worked_numbers(beta: float, expected: int) -> None:
    # LITERATURE 4, Theorem 3, LLaMA2 (d_extra = 92).
    assert round(lit.liu_extrapolation_limit(beta, 128, train_length=4096)) == expected


def test_extrapolation_limit_small_base_branch_is_the_tune_length() -> None:
    # beta <= beta_0 -> limit = T_tune (Theorem 3); just above beta_0 -> the formula.
    beta0 = lit.liu_critical_base(4096, 32768)
    assert lit.liu_extrapolation_limit(1e5, 128, train_length=4096, tune_length=32768) == 32768
    above = lit.liu_extrapolation_limit(beta0 * 1.01, 128, train_length=4096, tune_length=32768)
    assert above == lit.liu_extrapolation_limit(beta0 * 1.01, 128, train_length=4096)


@given(tune=st.integers(4097, 2**30))
def test_extrapolation_limit_at_critical_base_reaches_tune_length(tune: int) -> None:
    # 2 pi beta0^(x) = T_tune with x the critical dimension before the ceil, and
    # d_extra/d >= x: so the limit at beta_0 is at least T_tune.
    beta0 = lit.liu_critical_base(4096, tune)
    assert lit.liu_extrapolation_limit(beta0, 128, train_length=4096) >= tune * (1 - 1e-12)


def test_small_base_thresholds_worked_numbers() -> None:
    # LITERATURE 4: T_tune = 4096 -> 2607.6, 1303.8, 651.9.
    assert [round(v, 1) for v in lit.liu_small_base_thresholds(4096)] == [2607.6, 1303.8, 651.9]


# ----------------------------------------------- F. Liu, phase modulation (LIT 3)


def test_dc_stability_worked_number() -> None:
    # LITERATURE 3: arccos(0.95) = 0.31756, base >= 3.149 L.
    assert round(lit.dc_stability_min_base(1_000_000) / 1e6, 3) == 3.149


@pytest.mark.parametrize(("layers", "ratio"), [(32, 17.67), (80, 27.93), (126, 35.05)])
def test_depth_bound_worked_numbers(layers: int, ratio: float) -> None:
    # LITERATURE 3: eps = 0.95, N = 32 / 80 / 126.
    assert round(lit.depth_min_base(1_000_000, layers) / 1e6, 2) == ratio


def test_aliasing_bound() -> None:
    assert lit.aliasing_min_base(32768) == pytest.approx(32768 / (2 * math.pi), rel=1e-15)


def test_precision_ceiling_and_max_context_worked_numbers() -> None:
    # LITERATURE 3: FP32 wall 8.39e6; L_max = 2.66e6 (N=1), 4.75e5 (N=32).
    assert round(lit.precision_ceiling("float32") / 1e6, 2) == 8.39
    assert round(lit.precision_max_context("float32") / 1e6, 2) == 2.66
    assert round(lit.precision_max_context("float32", layers=32) / 1e5, 2) == 4.75
    assert lit.precision_ceiling("bfloat16") == 128.0
    assert lit.precision_ceiling("float16") == 1024.0
    assert lit.precision_ceiling("float64") == 2.0**52


@given(context=st.integers(1, 2**40), d=head_dims(1024).filter(lambda d: d >= 4))
def test_finite_d_form_uses_the_true_lowest_frequency(context: int, d: int) -> None:
    # At the finite-d bound b, the true lowest frequency b^(-(d-2)/d) equals the
    # published form's 1/b_published: the same phase condition, solved exactly.
    for published, exact in [
        (lit.aliasing_min_base(context), lit.aliasing_min_base(context, dim=d)),
        (lit.dc_stability_min_base(context), lit.dc_stability_min_base(context, dim=d)),
        (lit.depth_min_base(context, 32), lit.depth_min_base(context, 32, dim=d)),
    ]:
        lowest = exact ** (-(d - 2) / d)
        assert lowest == pytest.approx(1 / published, rel=1e-12)


@given(layers=st.integers(1, 200), d=head_dims(1024).filter(lambda d: d >= 4))
def test_goldilocks_zone_closes_at_precision_max_context(layers: int, d: int) -> None:
    # The depth lower bound meets the precision ceiling at L_max, in both forms.
    for dtype in ("float32", "bfloat16", "float16", "float64"):
        L_max = lit.precision_max_context(dtype, layers=layers)  # type: ignore[arg-type]
        L = max(1, math.floor(L_max))
        for dim in (None, d):
            assert lit.depth_min_base(L, layers, dim=dim) <= lit.precision_ceiling(
                dtype,  # type: ignore[arg-type]
                dim=dim,
            ) * (1 + 1e-12)


# ------------------------------------------------------- NTK, YaRN, Resonance (LIT 7, 5)


@pytest.mark.parametrize(("scale", "expected"), [(2, 20_221), (4, 40_890), (8, 82_685)])
def test_ntk_aware_worked_numbers(scale: float, expected: int) -> None:
    # LITERATURE 7: d = 128, b = 1e4.
    assert round(lit.ntk_aware_base(1e4, scale, 128)) == expected


@given(base=bases(1e9), scale=st.floats(1.0, 1e3), d=head_dims(1024).filter(lambda d: d >= 4))
def test_ntk_aware_keeps_the_lowest_frequency_last_angle(base: float, scale: float, d: int) -> None:
    # T' b'^(-(d-2)/d) = T b^(-(d-2)/d) with T' = s T (LITERATURE 1.6, Eq. 6).
    new = lit.ntk_aware_base(base, scale, d)
    assert scale * new ** (-(d - 2) / d) == pytest.approx(base ** (-(d - 2) / d), rel=1e-12)


def test_yarn_correction_range_defaults() -> None:
    # i(r) = d ln(L/(2 pi r)) / (2 ln b) at d = 128, b = 1e4, L = 4096:
    # i(32) = 20.94 -> floor 20; i(1) = 45.03 -> ceil 46 (the HF implementation's numbers).
    assert lit.yarn_correction_dim(1, 128, 1e4, 4096) == pytest.approx(45.0269, abs=1e-4)
    assert lit.yarn_correction_range(128, 1e4, 4096) == (20, 46)


@given(base=bases(1e12).filter(lambda b: b > 1.01), train=st.integers(7, 2**24))
def test_yarn_correction_dim_is_the_continuous_critical_dimension(base: float, train: int) -> None:
    # LITERATURE 7: i(1) is the continuous version of d_extra/2 (section 4).
    i1 = lit.yarn_correction_dim(1, 128, base, train)
    if abs(i1 - round(i1)) < 1e-9:
        return  # the ceil is ill-conditioned at integers
    assert lit.liu_critical_dimension(train, 128, base) == 2 * min(max(math.ceil(i1), 0), 64)


def test_pre_critical_pairs_is_half_the_critical_dimension() -> None:
    # LITERATURE 5: 46 pairs for b = 1e4, d = 128, L = 4096 (= d_extra/2).
    assert lit.pre_critical_pairs(1e4, 128, 4096) == 46
    assert lit.pre_critical_pairs(1e4, 128, 4096) == lit.liu_critical_dimension(4096, 128) // 2


@given(base=bases(1e9), d=head_dims(512))
def test_resonance_wavelengths_are_integers(base: float, d: int) -> None:
    theta = rb.frequencies(base, d)
    out = lit.resonance_frequencies(theta)
    wavelengths = 2 * np.pi / out
    assert np.allclose(wavelengths, np.round(wavelengths), rtol=0, atol=1e-9 * wavelengths)
    # Rounding moves each wavelength by at most 1/2.
    assert np.all(np.abs(wavelengths - 2 * np.pi / theta) <= 0.5 + 1e-9 * wavelengths)


def test_resonance_composes_with_scaling_and_keeps_zeros() -> None:
    theta = np.array([1.0, 0.5, 0.1, 0.0])
    out = lit.resonance_frequencies(theta / 8)  # e.g. after position interpolation
    assert out[-1] == 0.0
    assert np.array_equal(out[:3], 2 * np.pi / np.round(2 * np.pi * 8 / theta[:3]))


# -------------------------------------------------------------- RoFormer (LIT 1.6, 7)


def _roformer_mpmath(m: int, base: float, d: int, r: int) -> float:
    with mpmath.workdps(40):
        s = mpmath.mpc(0)
        total = mpmath.mpf(0)
        for n in range(d // 2):
            theta = mpmath.mpf(base) ** (mpmath.mpf(-2 * n) / r) if n < r // 2 else 0
            s += mpmath.expj(m * theta)
            total += abs(s)
        return float(total / (d // 2))


def test_roformer_curve_matches_numpy_direct_sum() -> None:
    # (1/(d/2)) sum_n |S_n|, S_n = cumulative sum of exp(i m theta_l): numpy in
    # float64 is good to ~1e-11 for m < 1e4 (phase error m * 1e-16).
    d, base, n = 128, 1e4, 4000
    theta = base ** (-np.arange(d // 2) * 2 / d)
    m = np.arange(n)[:, None]
    direct = np.abs(np.cumsum(np.exp(1j * m * theta), axis=1)).sum(axis=1) / (d // 2)
    got = lit.roformer_relative_bound(n, base, d)
    assert isinstance(got, np.ndarray)
    np.testing.assert_allclose(got, direct, rtol=0, atol=1e-10)
    assert got[0] == (d / 2 + 1) / 2  # S_n = n at m = 0


@given(
    m=st.integers(0, 2**53 - 1),
    base=bases(1e12),
    dims=st.sampled_from([(128, 128), (64, 32), (8, 2), (256, 128), (6, 6)]),
)
@example(m=10**9, base=5e5, dims=(128, 128))
def test_roformer_value_lies_within_error_bound(m: int, base: float, dims: tuple[int, int]) -> None:
    d, r = dims
    values, errors = lit.roformer_relative_bound(
        1, base, d, rotary_dim=r, start=m, return_error=True
    )
    ref = _roformer_mpmath(m, base, d, r)
    # The reference rebuilds theta from the double base at 40 digits: the
    # library's dd table agrees to ~1e-30 relative, far below the bound.
    assert abs(values[0] - ref) <= errors[0] + 1e-15 * abs(ref)


def test_roformer_curve_decays() -> None:
    # RoFormer's Fig. 2 message: the bound decays from 32.5 to a few units by m ~ 1000.
    curve = lit.roformer_relative_bound(1001, 1e4, 128)
    assert isinstance(curve, np.ndarray)
    assert curve[0] == 32.5
    assert curve[1000] < 0.2 * curve[0]


# ------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "exc", "word"),
    [
        (lambda: lit.asymptotic_min_base(0), ValueError, "context"),
        (lambda: lit.asymptotic_min_base(1.5), TypeError, "context"),
        (lambda: lit.dc_stability_min_base(100, eps=1.0), ValueError, "eps"),
        (lambda: lit.depth_min_base(100, 0), ValueError, "layers"),
        (lambda: lit.aliasing_min_base(100, dim=2), ValueError, "dim"),
        (lambda: lit.precision_ceiling("int8"), ValueError, "dtype"),  # type: ignore[arg-type]
        (lambda: lit.ntk_aware_base(1.0, 2, 128), ValueError, "base"),
        (lambda: lit.ntk_aware_base(1e4, -2, 128), ValueError, "scale"),
        (lambda: lit.cosine_integral(0.0), ValueError, "x"),
        (lambda: lit.resonance_frequencies([1.0, -1.0]), ValueError, "theta"),
        (lambda: lit.resonance_frequencies(10**400), ValueError, "theta"),
        (lambda: lit.ntk_aware_base(1e4, 1e-308, 128), ValueError, "scale"),
        (lambda: lit.yarn_correction_dim(5e-324, 128, 1e4, 4096), ValueError, "num_rotations"),
        (lambda: lit.roformer_relative_bound(-1, 1e4, 128), ValueError, "length"),
        (lambda: lit.liu_critical_base(6, 100), ValueError, "train_length"),
    ],
)
def test_bad_input_names_the_argument(call: Any, exc: type[Exception], word: str) -> None:
    with pytest.raises(exc, match=word):
        call()


# ---------------------------------------------------------------- compare and the CLI


@pytest.mark.parametrize("context", [4 * K, 32 * K])
@pytest.mark.parametrize("inclusive", [False, True])
def test_compare_admissible_flag_is_max_context(context: int, inclusive: bool) -> None:
    table = lit.compare(context, 128, inclusive=inclusive)
    assert table.exact.kind == "exact"
    assert table.exact.admissible is True
    for row in table.rows:
        first = rb.max_context(row.base, 128, limit=max(2**32, context + 2), inclusive=inclusive)
        assert row.admissible == (first is None or first >= context), row


def test_compare_exact_row_is_min_base_and_reproduces_su() -> None:
    # LITERATURE 1.3: Su's row at 32k is 6.3e5 (2 significant digits).
    table = lit.compare(32 * K, 128)
    bb = rb.min_base(32 * K, 128)
    assert table.exact.base == bb.base
    assert table.certified == bb.certified
    assert float(f"{table.exact.base:.1e}") == 6.3e5
    # The O(L) heuristics stay far below b*; the asymptotic one is inadmissible.
    assert lit.asymptotic_min_base(32 * K) < table.exact.base
    names = {row.name for row in table.rows}
    assert any(n.startswith("aliasing") for n in names) and len(names) == len(table.rows)


def test_compare_rotary_dim_two_has_no_finite_d_rows() -> None:
    table = lit.compare(2, 8, rotary_dim=2)
    assert not any("(exact)" in row.name for row in table.rows)


def test_cli_compare_prints_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["compare", "32k", "--dim", "128"]) == 0
    text = capsys.readouterr().out
    assert "exact b*" in text and "admissible" in text
    # The exact b* in full (10 significant digits), the heuristics to 4.
    exact = rb.min_base(32 * K, 128).base
    assert f"{exact:.10g}" in text and len(f"{exact:.10g}".replace(".", "")) >= 10
    assert cli.main(["compare", "4096", "--dim", "128", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["context"] == 4096 and data["rows"][0]["kind"] == "exact"
    assert cli.main(["compare", "0", "--dim", "128"]) == 2
    assert "expected a positive integer" in capsys.readouterr().err


def test_compare_is_exported_at_the_top_level() -> None:
    assert rb.compare is lit.compare and "compare" in rb.__all__


def test_plot_comparison_writes_a_png(tmp_path: Any) -> None:
    out = lit.plot_comparison([1024, 4096, 16384], 128, tmp_path / "cmp.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_rejects_bad_knobs_by_name() -> None:
    # Issue 12: layers=2**70 divided by zero, train_length=nan was accepted.
    for kwargs, word in (
        ({"layers": 2**70}, "layers"),
        ({"train_length": float("nan")}, "train_length"),
        ({"train_length": 0}, "train_length"),
        ({"pretrain_base": 1.0}, "pretrain_base"),
    ):
        with pytest.raises((ValueError, TypeError), match=word):
            lit.compare(4096, 128, **kwargs)  # type: ignore[arg-type]


def test_depth_bound_stays_finite_for_many_layers() -> None:
    # acos(eps**(1/N)) computed without rounding eps**(1/N) to 1: finite and decreasing in N
    # (the bound grows like sqrt(N)), where the naive form divided by zero.
    layers = (32, 10**6, 10**12, 2**53)
    values = [lit.depth_min_base(4096, n) for n in layers]
    assert values == sorted(values)
    with mpmath.workdps(60):
        for n, value in zip(layers, values, strict=True):
            ref = 4096 / mpmath.acos(mpmath.mpf(0.95) ** (mpmath.mpf(1) / n))
            assert math.isclose(value, float(ref), rel_tol=1e-12)
