"""load_config / check_config / models: parsing real configs, bad configs, verdicts."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ropebound as rb
from ropebound.config import ConfigError, load_config, models, models_table

ENTRIES = {e.name: e for e in models()}

# name -> (head_dim, rotary_dim, context, [(layer_type, theta, rope_type, span)])
EXPECTED = {
    "Llama-2-7B": (128, 128, 4096, [("all", 1e4, "default", None)]),
    "Llama-3.1-8B": (128, 128, 131072, [("all", 5e5, "llama3", None)]),
    "Llama-4-Scout-17B-16E-Instruct (text_config)": (
        128,
        128,
        10485760,
        [("rope_layers", 5e5, "llama3", 8192)],
    ),
    "Gemma-3-27B-it (text_config)": (
        128,
        128,
        131072,
        [("full_attention", 1e6, "linear", None), ("sliding_attention", 1e4, "default", 1024)],
    ),
    "Phi-2": (80, 32, 2048, [("all", 1e4, "default", None)]),
    "Phi-4-mini-instruct": (128, 96, 131072, [("all", 1e4, "longrope", None)]),
    "DeepSeek-V3": (192, 64, 163840, [("all", 1e4, "yarn", None)]),
    "GLM-4-9B-chat": (128, 64, 131072, [("all", 5e6, "default", None)]),
    "InternLM2.5-7B-chat": (128, 128, 32768, [("all", 1e6, "dynamic", None)]),
    "StableLM-2-Zephyr-1.6B": (64, 16, 4096, [("all", 1e4, "default", None)]),
}


def test_every_shipped_model_loads_and_incomplete_ones_are_skipped() -> None:
    names = [e.name for e in models()]
    assert len(names) == 76 and "Phi-3-mini-128k-instruct" not in names
    assert "Phi-3-mini-128k-instruct" in [e.name for e in models(include_incomplete=True)]
    for e in models():
        rc = e.load()
        # Models without RoPE (GPT-2, BLOOM, ...) have no layers; every other has some.
        assert bool(rc.layers) == rc.uses_rope and rc.rotary_dim <= rc.head_dim


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shipped_models_normalise_as_expected(name: str) -> None:
    rc = ENTRIES[name].load()
    hd, r, ctx, layers = EXPECTED[name]
    assert (rc.head_dim, rc.rotary_dim, rc.max_position_embeddings) == (hd, r, ctx)
    got = [(lr.layer_type, lr.rope_theta, lr.rope_type, lr.attention_span) for lr in rc.layers]
    assert got == layers


def test_models_table_has_a_row_per_layer_type() -> None:
    rows = models_table()
    gemma = [row for row in rows if row["name"].startswith("Gemma-3-4B")]
    assert {row["layer_type"] for row in gemma} == {"full_attention", "sliding_attention"}
    # A model without RoPE has one row and no base; every RoPE row has one.
    assert all(
        isinstance(row["rope_theta"], float) == (row["rope_type"] is not None) for row in rows
    )
    assert {row["name"] for row in rows if row["rope_type"] is None} >= {"GPT-2", "BLOOM-560m"}
    json.dumps(rows)


def test_phi3_top_level_original_length_goes_into_the_scaling_dict() -> None:
    rc = ENTRIES["Phi-3.5-mini-instruct"].load()
    sc = rc.layers[0].scaling
    assert sc is not None and sc["original_max_position_embeddings"] == 4096
    assert sc["max_position_embeddings"] == 131072 and sc["rope_type"] == "longrope"


# ---- sources and HF conventions ------------------------------------------------------------

LLAMA = {
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "max_position_embeddings": 8192,
    "rope_theta": 500000.0,
}


def test_path_directory_and_dict_give_the_same(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps(LLAMA))
    a = load_config(tmp_path / "config.json")
    assert a == load_config(tmp_path) == load_config(str(tmp_path)) == load_config(LLAMA)


def test_head_dim_null_falls_back_and_missing_theta_is_noted() -> None:
    rc = load_config({**{k: v for k, v in LLAMA.items() if k != "rope_theta"}, "head_dim": None})
    assert rc.head_dim == 128 and rc.layers[0].rope_theta == 1e4
    assert any("no rope_theta" in n for n in rc.notes)


def test_text_config_is_read() -> None:
    rc = load_config({"model_type": "llava", "text_config": {**LLAMA, "head_dim": 64}})
    assert rc.head_dim == 64 and any("text_config" in n for n in rc.notes)


def test_v5_rope_parameters_single_dict() -> None:
    cfg = {
        **{k: v for k, v in LLAMA.items() if k != "rope_theta"},
        "rope_parameters": {
            "rope_type": "yarn",
            "rope_theta": 1e6,
            "factor": None,
            "original_max_position_embeddings": 2048,
            "partial_rotary_factor": 0.5,
        },
    }
    rc = load_config(cfg)
    assert rc.rotary_dim == 64 and rc.layers[0].rope_theta == 1e6
    assert rc.layers[0].rope_type == "yarn"
    # v5: a missing yarn factor is max_position_embeddings / original
    th = rb.scaled_frequencies(1e6, 128, rotary_dim=64, scaling=rc.layers[0].scaling)
    assert th[-1] == pytest.approx(rb.frequencies(1e6, 128, rotary_dim=64)[-1] / 4, rel=1e-15)


def test_v5_per_layer_type_rope_parameters() -> None:
    cfg = {
        **LLAMA,
        "head_dim": 256,
        "sliding_window": 512,
        "layer_types": ["sliding_attention"] * 5 + ["full_attention"],
        "rope_parameters": {
            "full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1e6},
            "sliding_attention": {"rope_type": "default", "rope_theta": 1e4},
        },
    }
    rc = load_config(cfg)
    got = [
        (lr.layer_type, lr.rope_theta, lr.rope_type, lr.num_layers, lr.attention_span)
        for lr in rc.layers
    ]
    assert got == [
        ("full_attention", 1e6, "linear", 1, None),
        ("sliding_attention", 1e4, "default", 5, 512),
    ]


def test_legacy_type_key_in_rope_scaling() -> None:
    rc = load_config({**LLAMA, "rope_scaling": {"type": "linear", "factor": 2.0}})
    assert rc.layers[0].rope_type == "linear"


# ---- bad configs ---------------------------------------------------------------------------

BAD: list[tuple[Any, type, str]] = [
    ({"num_attention_heads": 32, "max_position_embeddings": 10}, ConfigError, "hidden_size"),
    ({**LLAMA, "hidden_size": "4096"}, TypeError, "hidden_size"),
    ({**LLAMA, "rope_theta": -5.0}, ConfigError, "rope_theta"),
    ({**LLAMA, "rope_theta": 1.0}, ConfigError, "rope_theta"),
    ({**LLAMA, "rope_theta": "1e4"}, TypeError, "rope_theta"),
    ({**LLAMA, "max_position_embeddings": -1}, ConfigError, "max_position_embeddings"),
    ({**LLAMA, "head_dim": 7}, ConfigError, "head_dim"),
    ({**LLAMA, "partial_rotary_factor": 1.5}, ConfigError, "partial_rotary_factor"),
    ({**LLAMA, "rope_scaling": {"rope_type": "ropey"}}, ConfigError, "unknown rope_type"),
    ({**LLAMA, "rope_scaling": {"rope_type": "linear"}}, ConfigError, "'factor'"),
    ({**LLAMA, "rope_scaling": {"rope_type": "linear", "factor": -1}}, ConfigError, "'factor'"),
    ({**LLAMA, "rope_scaling": [1, 2]}, TypeError, "rope_scaling"),
    (
        {
            **LLAMA,
            "rope_scaling": {
                "rope_type": "llama3",
                "factor": 8,
                "low_freq_factor": 4,
                "high_freq_factor": 1,
            },
        },
        ConfigError,
        "low_freq_factor",
    ),
    (
        {
            **LLAMA,
            "rope_scaling": {
                "rope_type": "longrope",
                "short_factor": [1.0] * 3,
                "long_factor": [1.0] * 3,
            },
        },
        ConfigError,
        "64 entries",
    ),
    ({"text_config": "x"}, TypeError, "text_config"),
    (42, TypeError, "path"),
]


@pytest.mark.parametrize(("cfg", "exc", "match"), BAD)
def test_bad_config_is_rejected_naming_the_key(cfg: Any, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        load_config(cfg)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no config\.json"):
        load_config(tmp_path)
    bad = tmp_path / "config.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="not a JSON file"):
        load_config(bad)
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not a JSON file"):
        load_config(bad)
    bad.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="JSON object"):
        load_config(bad)
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "missing.json")
    assert issubclass(ConfigError, ValueError)


# ---- check_config --------------------------------------------------------------------------


def test_check_config_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    # base 1e4, d = 128: B_m first turns negative near m = 1.7k (Su's table: b*(4k) = 2.7e4)
    small = {**LLAMA, "rope_theta": 1e4, "max_position_embeddings": 4096}
    rep = rb.check_config(small)
    lt = rep.layer_types[0]
    assert rep.verdict == lt.verdict == "superficial"
    assert lt.max_context is not None and lt.max_context < 4096
    assert lt.min_base == rb.min_base(4096, 128).base and lt.min_base_certified
    linear = {"rope_type": "linear", "factor": 2.0}
    scaled = rb.check_config({**small, "rope_scaling": linear})
    assert scaled.layer_types[0].min_base == rb.min_base(4096, 128, scaling=linear).base
    assert scaled.layer_types[0].max_context == rb.max_context(1e4, 128, scaling=linear)
    ok = rb.check_config({**small, "max_position_embeddings": 1024})
    assert ok.verdict == "supported"
    json.dumps(rep.to_dict())
    assert rep.to_dict()["layer_types"][0]["verdict"] == "superficial"


def test_check_config_per_layer_type() -> None:
    rep = rb.check_config(ENTRIES["Gemma-3-1B-it"].config, min_base=False)
    by = {lt.layer_type: lt for lt in rep.layer_types}
    assert by["sliding_attention"].context == 512  # the window caps the distances
    assert by["full_attention"].context == 32768
    assert by["sliding_attention"].verdict == "supported"


def test_check_config_without_context_is_unknown() -> None:
    rep = rb.check_config({k: v for k, v in LLAMA.items() if k != "max_position_embeddings"})
    assert rep.verdict == "unknown" and rep.layer_types[0].context is None


# ---- end to end with the real solver -------------------------------------------------------


def test_check_config_end_to_end_default_rope() -> None:
    rep = rb.check_config(ENTRIES["Llama-2-7B"].config)
    lt = rep.layer_types[0]
    assert rep.verdict == "superficial"
    assert lt.max_context == rb.max_context(1e4, 128) < 4096
    bb = rb.min_base(4096, 128)
    assert lt.min_base == bb.base and lt.min_base_certified
    assert f"{lt.min_base:.2g}" == "2.7e+04"  # J. Su's corrected table, L = 4k


def test_check_config_end_to_end_scaled_uses_explicit_frequencies() -> None:
    rep = rb.check_config(ENTRIES["Llama-3.1-8B"].config)
    lt = rep.layer_types[0]
    theta = rb.scaled_frequencies(5e5, 128, scaling=lt.scaling)
    b = np.cos(np.outer(np.arange(lt.max_context + 1), theta)).sum(axis=1)
    # brute force in float64 (error ~1e-13 per value): first negative is the same m
    assert b[-1] < 0 and np.all(b[:-1] >= -1e-9)
    assert lt.verdict == "superficial"
    # min_base holds the llama3 scaling fixed and varies the base: certified, and
    # the advertised context then fits.
    assert lt.min_base is not None and lt.min_base_certified
    assert rb.max_context(lt.min_base, 128, scaling=lt.scaling) >= lt.context


def test_check_config_end_to_end_per_layer_type_and_unrotated() -> None:
    rep = rb.check_config(ENTRIES["Gemma-3-1B-it"].config)
    assert [lt.verdict for lt in rep.layer_types] == ["supported", "supported"]
    phi2 = rb.check_config(ENTRIES["Phi-2"].config, min_base=False).layer_types[0]
    assert phi2.max_context is None and phi2.verdict == "supported"
    assert any("unrotated pairs" in r for r in phi2.reasons)


# --- issue 12: hostile configs and arguments ------------------------------------------

PLAIN = {"head_dim": 128, "rope_theta": 1e4, "max_position_embeddings": 4096}


def test_limit_below_the_context_is_unchecked_not_supported() -> None:
    assert rb.check_config(PLAIN, min_base=False).verdict == "superficial"
    rep = rb.check_config(PLAIN, limit=1000, min_base=False)
    assert rep.verdict == rep.layer_types[0].verdict == "unchecked"
    assert "not checked up to the context" in rep.layer_types[0].reasons[-1]
    # A limit at or above the context decides as before.
    assert rb.check_config(PLAIN, limit=4096, min_base=False).verdict == "superficial"
    llama3 = {"head_dim": 128, "rope_theta": 5e5, "max_position_embeddings": 8192}
    assert rb.check_config(llama3, limit=8192, min_base=False).verdict == "supported"
    assert rb.check_config(llama3, limit=8191, min_base=False).verdict == "unchecked"
    # Unrotated pairs >= rotated ones prove B_m >= 0 everywhere: no scan needed.
    phi2 = {**PLAIN, "head_dim": 80, "partial_rotary_factor": 0.4}
    assert rb.check_config(phi2, limit=1, min_base=False).verdict == "supported"


@pytest.mark.parametrize(
    ("kwargs", "exc", "word"),
    [
        ({"limit": 0}, ValueError, "limit"),
        ({"limit": 2**60}, ValueError, "limit"),
        ({"limit": "5"}, TypeError, "limit"),
        ({"min_base": 1j}, TypeError, "min_base"),
        ({"min_base": "64"}, TypeError, "min_base"),
        ({"min_base": float("nan")}, TypeError, "min_base"),
    ],
)
def test_check_config_arguments(kwargs: dict[str, Any], exc: type, word: str) -> None:
    with pytest.raises(exc, match=word):
        rb.check_config(PLAIN, **kwargs)


@pytest.mark.parametrize("value", ["64", 1, 1j, float("nan"), None])
def test_models_include_incomplete_must_be_a_bool(value: object) -> None:
    with pytest.raises(TypeError, match="include_incomplete"):
        rb.models(include_incomplete=value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("rope_theta", 1e300),
        ("rope_theta", 10**400),
        ("head_dim", 2**70),
        ("head_dim", 2**17),
        ("max_position_embeddings", 2**70),
        ("max_position_embeddings", 2**41),
        ("partial_rotary_factor", 10**400),
    ],
)
def test_out_of_range_config_values_name_the_key(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=key):
        rb.check_config({**PLAIN, key: value}, min_base=False)


def test_ntk_factor_beyond_the_double_range_names_the_factor() -> None:
    cfg = {**PLAIN, "rope_scaling": {"rope_type": "ntk", "factor": 1e300}}
    with pytest.raises(ValueError, match="factor"):
        rb.check_config(cfg, min_base=False)


def test_deeply_nested_json_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"a":' * 100_000 + "{}" + "}" * 100_000)
    with pytest.raises(ConfigError, match=r"deep\.json"):
        rb.check_config(path)


def test_fifo_and_devices_are_not_config_files(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(ConfigError, match="not a regular file"):
            load_config(path)
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "missing.json")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(PLAIN).encode())
    assert load_config(path).head_dim == 128


def test_huge_json_integer_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text('{"head_dim": ' + "9" * 5000 + "}")
    with pytest.raises(ConfigError, match=r"config\.json"):
        load_config(path)


def test_rope_theta_beyond_float32_is_audited_without_the_float32_scan() -> None:
    """A rope_theta in (float32 max, 1e250] is a valid base: the exact audit runs and the
    float32 one says why it was not computed, instead of refusing the config."""
    report = rb.check_config({"head_dim": 8, "rope_theta": 1e39, "max_position_embeddings": 64})
    (layer,) = report.layer_types
    assert layer.verdict == "supported"
    assert layer.max_context_float32 is None
    assert any("float32 as implemented not computed" in reason for reason in layer.reasons)
    assert layer.min_base == rb.min_base(64, 8).base


@pytest.mark.parametrize("ratio", [1e300, 1e-5])
def test_glm_rope_ratio_giving_no_base_names_rope_ratio(ratio: float) -> None:
    """ChatGLM's base is 10000 * rope_ratio: out of range, the error names the key the
    config has (rope_ratio), not the derived rope_theta."""
    glm = {
        "model_type": "chatglm",
        "hidden_size": 4096,
        "num_attention_heads": 32,
        "seq_length": 8192,
        "rope_ratio": ratio,
    }
    with pytest.raises(ConfigError, match="'rope_ratio'"):
        rb.check_config(glm, min_base=False)
