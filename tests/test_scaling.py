"""scaled_frequencies / frequency_model / attention_factor for every rope_type.

The float32 reference below is an independent op-by-op emulation of Hugging Face
transformers' float32 inv_freq recipes; its ``pow`` is mpmath's exact power rounded once to
float32 (correct rounding), which is what the library promises for that one op.
"""

from __future__ import annotations

import importlib.resources
import itertools
import json
import math
from typing import Any

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ropebound import scaled_frequencies
from ropebound.scaling import (
    FrequencySegment,
    attention_factor,
    frequency_model,
    ntk_base,
    parse_scaling,
)
from ropebound.scaling._registry import SCHEMES

from strategies import bases

f32 = np.float32


def shipped_scaled() -> list[tuple[str, float, int, int, dict[str, Any]]]:
    """(name, base, d, r, self-contained scaling) of every shipped entry with rope_scaling."""
    text = importlib.resources.files("ropebound").joinpath("data/models.json").read_text()
    out = []
    for m in json.loads(text)["models"]:
        c = m["config"]
        rs = c.get("rope_scaling")
        # M-RoPE's rope_scaling ({type: mrope, mrope_section}) scales no frequency.
        if not rs or m.get("incomplete") or rs.get("mrope_section") is not None:
            continue
        rs = dict(rs)
        rs["max_position_embeddings"] = c["max_position_embeddings"]
        if c.get("original_max_position_embeddings"):
            rs["original_max_position_embeddings"] = c["original_max_position_embeddings"]
        hd = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
        r = int(hd * c.get("partial_rotary_factor", 1.0))
        if "qk_rope_head_dim" in c:
            hd = r = c["qk_rope_head_dim"]
        out.append((m["name"], float(c["rope_theta"]), hd, r, rs))
    return out


SHIPPED = shipped_scaled()


def test_shipped_entries_cover_every_scaled_type() -> None:
    types = {rs.get("rope_type", rs.get("type")) for *_, rs in SHIPPED}
    assert types >= {"linear", "dynamic", "yarn", "llama3", "longrope"}


# ---- independent float32 emulation ---------------------------------------------------------


def pow32(base: np.float32, e: np.ndarray) -> np.ndarray:
    mpmath.mp.prec = 120
    return np.array(
        [float(mpmath.mpf(float(base)) ** mpmath.mpf(float(x))) for x in e], dtype=np.float64
    ).astype(np.float32)


def ref_default32(base: Any, r: int) -> np.ndarray:
    e = np.arange(0, r, 2).astype(np.float32) / f32(r)
    return f32(1) / pow32(f32(base), e)


def ref_float32(base: float, r: int, rs: dict[str, Any], seq_len: int | None) -> np.ndarray:
    t = rs.get("rope_type", rs.get("type"))
    if t == "linear":
        return ref_default32(base, r) / f32(rs["factor"])
    if t == "dynamic":
        big_l = rs["max_position_embeddings"]
        if seq_len is None or seq_len <= big_l:
            f = rs["factor"]
            return ref_default32(base * ((f * big_l / big_l) - (f - 1)) ** (r / (r - 2)), r)
        s = (f32(rs["factor"]) * f32(seq_len)) / f32(big_l) - f32(rs["factor"] - 1)
        s = pow32(s, np.array([r / (r - 2)], dtype=np.float32))[0]
        return ref_default32(f32(base) * s, r)
    if t == "yarn":
        e = np.arange(0, r, 2).astype(np.float32) / f32(r)
        pos = pow32(f32(base), e)
        l0 = rs["original_max_position_embeddings"]

        def corr(rot: float) -> float:
            return r * math.log(l0 / (rot * 2 * math.pi)) / (2 * math.log(base))

        lo = max(math.floor(corr(rs.get("beta_fast") or 32)), 0)
        hi = min(math.ceil(corr(rs.get("beta_slow") or 1)), r - 1)
        if lo == hi:
            hi += 0.001
        ramp = np.clip((np.arange(r // 2, dtype=np.float32) - f32(lo)) / f32(hi - lo), 0, 1)
        ef = f32(1) - ramp.astype(np.float32)
        interp = f32(1) / (f32(rs["factor"]) * pos)
        return interp * (f32(1) - ef) + (f32(1) / pos) * ef
    if t == "llama3":
        inv = ref_default32(base, r)
        l0 = rs["original_max_position_embeddings"]
        lo_f, hi_f, fac = rs["low_freq_factor"], rs["high_freq_factor"], rs["factor"]
        wl = (f32(1) / inv) * f32(2 * math.pi)
        inv_l = np.where(wl > f32(l0 / lo_f), inv / f32(fac), inv)
        med = ~(wl < f32(l0 / hi_f)) & ~(wl > f32(l0 / lo_f))
        if hi_f == lo_f:
            return inv_l if not med.any() else np.where(med, inv_l / f32(fac), inv_l)
        sm = ((f32(1) / wl) * f32(l0) - f32(lo_f)) / f32(hi_f - lo_f)
        return np.where(med, (f32(1) - sm) * inv_l / f32(fac) + sm * inv_l, inv_l)
    assert t == "longrope"
    l0 = rs["original_max_position_embeddings"]
    ext = rs["long_factor"] if seq_len and seq_len > l0 else rs["short_factor"]
    e = np.arange(0, r, 2).astype(np.float32) / f32(r)
    return f32(1) / (np.asarray(ext, dtype=np.float32) * pow32(f32(base), e))


@pytest.mark.parametrize("seq_len", [None, 2048, 300_000])
@pytest.mark.parametrize(("name", "base", "d", "r", "rs"), SHIPPED, ids=[s[0] for s in SHIPPED])
def test_float32_matches_step_by_step_emulation(
    name: str, base: float, d: int, r: int, rs: dict[str, Any], seq_len: int | None
) -> None:
    got = scaled_frequencies(
        base, d, rotary_dim=r, scaling=rs, precision="float32", seq_len=seq_len
    )
    assert got.dtype == np.float32 and got.shape == (r // 2,)
    np.testing.assert_array_equal(got, ref_float32(base, r, rs, seq_len))


@pytest.mark.parametrize(("name", "base", "d", "r", "rs"), SHIPPED, ids=[s[0] for s in SHIPPED])
def test_float32_is_within_float32_rounding_of_exact(
    name: str, base: float, d: int, r: int, rs: dict[str, Any]
) -> None:
    exact = scaled_frequencies(base, d, rotary_dim=r, scaling=rs)
    got = scaled_frequencies(base, d, rotary_dim=r, scaling=rs, precision="float32")
    assert exact.dtype == np.float64
    # A handful of float32 roundings (2^-24 each) plus the pow's exponent rounding
    # |ln b| * 2^-24 * 2i/r: 1e-6 covers b up to 1e7.
    np.testing.assert_allclose(got.astype(np.float64), exact, rtol=1e-6)


# ---- transformers itself ---------------------------------------------------------------------

# torch's float32 pow is faithful (<= 1 ulp: Sleef powf_u10 on CPU), the library's correctly
# rounded, so each pow in a recipe may put the last bit apart. Observed with transformers
# 5.24 / torch 2.13 (CPU): llama3 and yarn 0 ulp, linear, longrope and default 1 ulp,
# dynamic 1 ulp at init and up to 4 ulp in its growth path (two chained pows, the first of a
# float32 ratio, then the new base ** exponents).
MAX_ULP = {"default": 1, "linear": 1, "longrope": 1, "llama3": 1, "yarn": 1, "dynamic": 4}


def transformers_inv_freq(
    base: float, hd: int, r: int, rs: dict[str, Any] | None, seq_len: int | None
) -> tuple[np.ndarray, float]:
    """transformers' own init function for the rope type, from a config it builds."""
    import torch
    from transformers import PretrainedConfig
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

    rs = rs or {}
    rope_type = rs.get("rope_type", rs.get("type", "default"))
    params = {k: v for k, v in rs.items() if k not in ("max_position_embeddings", "type")}
    params.update(rope_type=rope_type, rope_theta=base, partial_rotary_factor=r / hd)
    config = PretrainedConfig()
    config.hidden_size, config.num_attention_heads, config.head_dim = 8 * hd, 8, hd
    config.partial_rotary_factor = r / hd
    config.max_position_embeddings = rs.get("max_position_embeddings", 4096)
    config.rope_parameters = params
    if rope_type == "default":
        inv, factor = LlamaRotaryEmbedding.compute_default_rope_parameters(config)
        return inv.numpy(), factor
    # In the forward pass (dynamic_rope_update) seq_len = max(position_ids) + 1, a tensor.
    n = None if seq_len is None else torch.tensor(seq_len, dtype=torch.int64)
    inv, factor = ROPE_INIT_FUNCTIONS[rope_type](config, "cpu", seq_len=n)
    return inv.numpy(), float(factor)


@pytest.mark.parametrize("seq_len", [None, 2048, 300_000])
@pytest.mark.parametrize(("name", "base", "d", "r", "rs"), SHIPPED, ids=[s[0] for s in SHIPPED])
def test_float32_matches_transformers(
    name: str, base: float, d: int, r: int, rs: dict[str, Any], seq_len: int | None
) -> None:
    rope_type = rs.get("rope_type", rs.get("type"))
    theirs, factor = transformers_inv_freq(base, d, r, rs, seq_len)
    ours = scaled_frequencies(
        base, d, rotary_dim=r, scaling=rs, precision="float32", seq_len=seq_len
    )
    assert theirs.dtype == np.float32 and theirs.shape == ours.shape
    np.testing.assert_array_max_ulp(theirs, ours, maxulp=MAX_ULP[rope_type])
    expected = attention_factor(rs, max_position_embeddings=rs["max_position_embeddings"])
    assert factor == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("base", [1e4, 5e5, 1e6, 3.7e7])
@pytest.mark.parametrize("r", [128, 64, 48, 256])
def test_default_float32_matches_transformers(base: float, r: int) -> None:
    # transformers 5's Llama default ignores partial_rotary_factor: compare at r = head_dim.
    theirs, _ = transformers_inv_freq(base, r, r, None, None)
    ours = scaled_frequencies(base, r, precision="float32")
    np.testing.assert_array_max_ulp(theirs, ours, maxulp=MAX_ULP["default"])


def test_default_float32_known_values() -> None:
    got = scaled_frequencies(10000.0, 8, precision="float32")
    np.testing.assert_array_equal(got, np.array([1.0, 0.1, 0.01, 0.001], dtype=np.float32))


# ---- properties named after the invariant --------------------------------------------------

factors = st.floats(1.0 / 64, 64.0)
rotary_dims = st.integers(2, 128).map(lambda k: 2 * k)


@given(base=bases(1e12), r=rotary_dims, s=factors)
def test_linear_scaling_divides_every_theta_by_factor(base: float, r: int, s: float) -> None:
    plain = scaled_frequencies(base, r)
    lin = scaled_frequencies(base, r, scaling={"rope_type": "linear", "factor": s})
    np.testing.assert_array_equal(lin, plain / s)


@given(base=bases(1e12), r=rotary_dims, low=st.floats(0.5, 4), gap=st.floats(0, 8))
def test_llama3_with_factor_one_is_identity(base: float, r: int, low: float, gap: float) -> None:
    rs = {
        "rope_type": "llama3",
        "factor": 1.0,
        "low_freq_factor": low,
        "high_freq_factor": low + gap,
        "original_max_position_embeddings": 8192,
    }
    plain = scaled_frequencies(base, r)
    np.testing.assert_allclose(scaled_frequencies(base, r, scaling=rs), plain, rtol=4e-16)


@given(
    base=bases(1e9).filter(lambda b: b > 100),
    r=st.integers(8, 128).map(lambda k: 2 * k),
    s=st.floats(1, 64),
)
def test_yarn_high_frequency_pairs_are_unchanged_and_slow_ones_interpolated(
    base: float, r: int, s: float
) -> None:
    rs = {"rope_type": "yarn", "factor": s, "original_max_position_embeddings": 4096}
    plain = scaled_frequencies(base, r)
    got = scaled_frequencies(base, r, scaling=rs)
    lo = max(math.floor(r * math.log(4096 / (32 * 2 * math.pi)) / (2 * math.log(base))), 0)
    hi = math.ceil(r * math.log(4096 / (2 * math.pi)) / (2 * math.log(base)))
    fast = slice(0, min(lo + 1, r // 2))
    np.testing.assert_array_equal(got[fast], plain[fast])
    if hi < r // 2:
        np.testing.assert_array_equal(got[hi:], plain[hi:] / s)
    # the mix of theta and theta/s rounds a few times: allow 2 ulps either side
    assert np.all(got <= plain * (1 + 5e-16)) and np.all(got >= plain / s * (1 - 5e-16))


@given(base=bases(1e12), r=st.integers(2, 128).map(lambda k: 2 * k), s=st.floats(1, 64))
def test_ntk_keeps_theta0_and_divides_slowest_theta_by_factor(
    base: float, r: int, s: float
) -> None:
    got = scaled_frequencies(base, r, scaling={"rope_type": "ntk", "factor": s})
    plain = scaled_frequencies(base, r)
    assert got[0] == 1.0
    if r > 2:
        assert math.isclose(got[-1], plain[-1] / s, rel_tol=1e-12)
    assert ntk_base(base, r, s) == pytest.approx(base * s ** (r / (r - 2)) if r > 2 else base)


@given(n=st.integers(1, 32768), s=st.floats(1, 16))
def test_dynamic_below_max_position_embeddings_is_default(n: int, s: float) -> None:
    rs = {"rope_type": "dynamic", "factor": s, "max_position_embeddings": 32768}
    plain = scaled_frequencies(1e6, 128)
    np.testing.assert_array_equal(scaled_frequencies(1e6, 128, scaling=rs, seq_len=n), plain)
    for prec in ("exact", "float32"):
        np.testing.assert_array_equal(
            scaled_frequencies(1e6, 128, scaling=rs, seq_len=n, precision=prec),  # type: ignore[arg-type]
            scaled_frequencies(1e6, 128, precision=prec),  # type: ignore[arg-type]
        )


def test_dynamic_above_max_position_embeddings_is_ntk_of_effective_factor() -> None:
    rs = {"rope_type": "dynamic", "factor": 2.0, "max_position_embeddings": 4096}
    got = scaled_frequencies(1e4, 64, scaling=rs, seq_len=3 * 4096)
    s_eff = 2.0 * 3 - 1.0
    want = scaled_frequencies(1e4, 64, scaling={"rope_type": "ntk", "factor": s_eff})
    np.testing.assert_allclose(got, want, rtol=1e-15)


def test_longrope_picks_long_factors_beyond_original_length() -> None:
    _name, base, d, r, rs = next(s for s in SHIPPED if s[0].startswith("Phi-3.5"))
    plain = scaled_frequencies(base, d, rotary_dim=r)
    l0 = rs["original_max_position_embeddings"]
    for n, key in ((None, "short_factor"), (l0, "short_factor"), (l0 + 1, "long_factor")):
        got = scaled_frequencies(base, d, rotary_dim=r, scaling=rs, seq_len=n)
        np.testing.assert_allclose(got, plain / np.asarray(rs[key]), rtol=1e-15)


# ---- the frequency model -------------------------------------------------------------------

MODEL_CASES = [(name, d, r, rs, n) for name, _b, d, r, rs in SHIPPED for n in (None, 300_000)] + [
    ("ntk", 128, 128, {"rope_type": "ntk", "factor": 4.0}, None),
    ("default-partial", 80, 32, None, None),
    (
        "yarn-beta-slow-above-L0",
        64,
        64,
        {
            "rope_type": "yarn",
            "factor": 8.0,
            "original_max_position_embeddings": 64,
            "beta_fast": 32,
            "beta_slow": 16,
        },
        None,
    ),
    (
        "llama3-low-eq-high",
        128,
        128,
        {
            "rope_type": "llama3",
            "factor": 16.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 1.0,
            "original_max_position_embeddings": 8192,
        },
        None,
    ),
]


@pytest.mark.parametrize(
    ("name", "d", "r", "rs", "n"), MODEL_CASES, ids=[f"{c[0]}-{c[4]}" for c in MODEL_CASES]
)
def test_frequency_model_reproduces_exact_frequencies(
    name: str, d: int, r: int, rs: dict[str, Any] | None, n: int | None
) -> None:
    model = frequency_model(d, rotary_dim=r, scaling=rs, seq_len=n)
    assert model.denominator == r // 2 and model.constant == (d - r) // 2
    segs = model.segments
    assert segs[0].base_lo == 1.0 and segs[-1].base_hi == math.inf
    assert all(a.base_hi == b.base_lo for a, b in itertools.pairwise(segs))
    rng = np.random.default_rng(1234)
    probes = list(np.exp(rng.uniform(np.log(1.0001), np.log(1e9), 300)))
    # and points just inside every segment
    probes += [s.base_lo * (1 + 1e-9) for s in segs[1:]] + [
        s.base_hi * (1 - 1e-9) for s in segs[:-1]
    ]
    for b in (x for x in probes if x <= 1e250):
        want = scaled_frequencies(b, d, rotary_dim=r, scaling=rs, seq_len=n)
        got = model.evaluate(b)
        # terms are exact up to a few ulps; llama3's two smooth-band terms cancel by < 10x
        np.testing.assert_allclose(got, want, rtol=1e-14, err_msg=f"base {b}")


def test_llama3_model_is_continuous_and_yarn_jumps() -> None:
    llama = next(s for s in SHIPPED if s[0] == "Llama-3.1-8B")
    model = frequency_model(llama[2], scaling=llama[4])
    assert model.jumps == () and len(model.segments) == 2 * 63 + 1  # two edges per pair i >= 1

    def theta(seg: FrequencySegment, x: float) -> list[float]:
        return [
            math.fsum(
                c * x ** (-p / model.denominator) for c, p in zip(cs[:n], ps[:n], strict=True)
            )
            for cs, ps, n in zip(seg.coefficients, seg.powers, seg.counts, strict=True)
        ]

    for a, b in itertools.pairwise(model.segments):
        np.testing.assert_allclose(theta(a, a.base_hi), theta(b, a.base_hi), rtol=1e-12)
    ds = next(s for s in SHIPPED if s[0] == "DeepSeek-V3")
    ymodel = frequency_model(ds[2], rotary_dim=ds[3], scaling=ds[4])
    assert len(ymodel.jumps) == len(ymodel.segments) - 1 > 0


@given(
    scheme=st.sampled_from(["llama3", "yarn"]),
    r=st.integers(1, 64).map(lambda k: 2 * k),
    factor=st.floats(1.5, 32),
    original=st.integers(16, 65536),
    picks=st.lists(st.integers(0, 10**6), min_size=1, max_size=12),
)
def test_segment_terms_do_not_depend_on_the_other_bases_asked(
    scheme: str, r: int, factor: float, original: int, picks: list[int]
) -> None:
    # Invariant: the schemes build all segments' terms at once, as arrays; a base's terms
    # are the same whichever other bases come with it.
    extra = {"low_freq_factor": 1.0, "high_freq_factor": 4.0} if scheme == "llama3" else {}
    rs = {"rope_type": scheme, "factor": factor, "original_max_position_embeddings": original}
    p = parse_scaling({**rs, **extra}, r)
    terms = SCHEMES[scheme].terms
    model = frequency_model(r, scaling={**rs, **extra})
    # a base inside some segment each (the model's own choice: its segments' midpoints)
    insides = [
        math.exp(0.5 * (math.log(s.base_lo) + math.log(s.base_hi)))
        if math.isfinite(s.base_hi)
        else 2.0 * s.base_lo
        for s in model.segments
    ]
    bases = [insides[k % len(insides)] for k in picks]
    together = terms(p, r, bases, None)
    for k, b in enumerate(bases):
        alone, seg = terms(p, r, [b], None), model.segment(b)
        for name, got in zip(together._fields, together, strict=True):
            np.testing.assert_array_equal(got[k], getattr(alone, name)[0])
            np.testing.assert_array_equal(got[k], getattr(seg, name))


def test_yarn_without_truncate_has_no_power_model() -> None:
    rs = {
        "rope_type": "yarn",
        "factor": 4.0,
        "original_max_position_embeddings": 4096,
        "truncate": False,
    }
    with pytest.raises(ValueError, match="truncate"):
        frequency_model(64, scaling=rs)
    assert scaled_frequencies(1e4, 64, scaling=rs).shape == (32,)


# ---- attention factor ----------------------------------------------------------------------


def test_attention_factor_values() -> None:
    by = {s[0]: s[4] for s in SHIPPED}
    assert attention_factor(by["DeepSeek-V3"]) == 1.0  # mscale == mscale_all_dim
    assert attention_factor(by["DeepSeek-V2-Lite"]) == 1.0
    yarn = {"rope_type": "yarn", "factor": 40, "original_max_position_embeddings": 4096}
    assert attention_factor(yarn) == pytest.approx(0.1 * math.log(40) + 1)
    assert attention_factor({**yarn, "attention_factor": 0.5}) == 0.5
    assert attention_factor(by["Phi-3.5-mini-instruct"]) == pytest.approx(
        math.sqrt(1 + math.log(32) / math.log(4096))
    )
    assert attention_factor(by["Llama-3.1-8B"]) == 1.0
    assert attention_factor(None) == 1.0


# ---- bad scaling dicts ---------------------------------------------------------------------

L3 = {
    "rope_type": "llama3",
    "factor": 8.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
    "original_max_position_embeddings": 8192,
}
BAD = [
    ({"rope_type": "xpos"}, ValueError, "unknown rope_type 'xpos'.*allowed"),
    ({"type": 3}, TypeError, "rope_type"),
    ([1, 2], TypeError, "dict"),
    ({"rope_type": "linear"}, ValueError, "missing required key 'factor'"),
    ({"rope_type": "linear", "factor": 0}, ValueError, "'factor' must be finite and > 0"),
    ({"rope_type": "linear", "factor": -2.0}, ValueError, "'factor'"),
    ({"rope_type": "linear", "factor": "8"}, TypeError, "'factor' must be a real number"),
    ({"rope_type": "linear", "factor": True}, TypeError, "'factor'"),
    ({"rope_type": "linear", "factor": float("nan")}, ValueError, "'factor'"),
    ({**L3, "low_freq_factor": 5.0}, ValueError, "'low_freq_factor'.*<= 'high_freq_factor'"),
    ({k: v for k, v in L3.items() if k != "high_freq_factor"}, ValueError, "high_freq_factor"),
    ({**L3, "original_max_position_embeddings": 0}, ValueError, "original_max_position"),
    ({**L3, "original_max_position_embeddings": 81.5}, TypeError, "original_max_position"),
    ({"rope_type": "yarn", "factor": 4.0}, ValueError, "original_max_position_embeddings"),
    (
        {
            "rope_type": "yarn",
            "factor": 4.0,
            "original_max_position_embeddings": 4096,
            "truncate": "yes",
        },
        TypeError,
        "'truncate'",
    ),
    (
        {
            "rope_type": "yarn",
            "factor": 4.0,
            "original_max_position_embeddings": 4096,
            "beta_fast": -1,
        },
        ValueError,
        "'beta_fast'",
    ),
    (
        {
            "rope_type": "longrope",
            "short_factor": [1.0] * 4,
            "long_factor": [1.0] * 3,
            "original_max_position_embeddings": 4096,
        },
        ValueError,
        "'long_factor' must have",
    ),
    (
        {
            "rope_type": "longrope",
            "short_factor": [1.0] * 4,
            "long_factor": [1.0, 1.0, 0.0, 1.0],
            "original_max_position_embeddings": 4096,
        },
        ValueError,
        r"long_factor\[2\]",
    ),
    (
        {
            "rope_type": "longrope",
            "short_factor": "1,1,1,1",
            "long_factor": [1.0] * 4,
            "original_max_position_embeddings": 4096,
        },
        TypeError,
        "'short_factor'",
    ),
    (
        {"rope_type": "longrope", "short_factor": [1.0] * 4, "long_factor": [1.0] * 4},
        ValueError,
        "original_max_position_embeddings",
    ),
    ({"rope_type": "linear", "type": "dynamic", "factor": 2}, ValueError, "disagree"),
]


@pytest.mark.parametrize(("scaling", "exc", "match"), BAD)
def test_bad_scaling_is_rejected_naming_the_key(scaling: Any, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        scaled_frequencies(1e4, 8, scaling=scaling)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="precision"):
        scaled_frequencies(1e4, 8, precision="bf16")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seq_len"):
        scaled_frequencies(1e4, 8, seq_len=0)
    with pytest.raises(ValueError, match="max_position_embeddings"):
        scaled_frequencies(1e4, 8, scaling={"rope_type": "dynamic", "factor": 2}, seq_len=10)
    with pytest.raises(ValueError, match="overflows float32"):
        scaled_frequencies(1e100, 8, precision="float32")
    with pytest.raises(ValueError, match="base"):
        scaled_frequencies(1.0, 8)


def test_legacy_type_key_and_su_alias() -> None:
    assert parse_scaling({"type": "linear", "factor": 2}).rope_type == "linear"
    rs = {
        "type": "su",
        "short_factor": [1.0] * 4,
        "long_factor": [2.0] * 4,
        "original_max_position_embeddings": 4096,
    }
    assert parse_scaling(rs, 8).rope_type == "longrope"
    assert parse_scaling(None).rope_type == "default"
    assert parse_scaling({}).rope_type == "default"
