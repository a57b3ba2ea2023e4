"""The family table: every model_type read as its transformers config class reads it.

The reference is transformers itself (the ``test`` extra installs it): each family's config is
built through transformers' own config class (its defaults, ``attribute_map`` and legacy-key
conversions) and the resolved values (head dim, rotary dim, base, scaling, context) must equal
the built-in reader's. Also the five readings of issue 15 (Pythia, GPT-J, Qwen2-VL, models
without RoPE, Falcon-7B), the PretrainedConfig / model directory / Hub cache inputs (download
mocked: nothing is fetched), and the shipped configs against transformers.
"""

from __future__ import annotations

import json
import logging
import math
import warnings
from pathlib import Path
from typing import Any

import pytest
import transformers
from transformers import CONFIG_MAPPING

import ropebound as rb
from ropebound import families
from ropebound.config import ConfigError, load_config

logging.getLogger("transformers").setLevel(logging.ERROR)

ROPE_IN_TRANSFORMERS = sorted(
    name
    for name, fam in families.FAMILIES.items()
    if fam.positions == "rope" and fam.in_transformers
)
NOT_ROPE = sorted(name for name, fam in families.FAMILIES.items() if fam.positions != "rope")
GPTJ_STYLE = ("gptj", "codegen")  # the base 10000 is fixed in the modelling code


def _build(model_type: str, raw: dict[str, Any]) -> Any:
    """transformers' resolved text config of ``raw`` (the class of ``model_type``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfg = CONFIG_MAPPING[model_type](**raw)
    return cfg.get_text_config()


def _hf_reading(tc: Any) -> dict[str, Any]:
    """What transformers' modelling code takes from a resolved config, as ropebound names it.

    head dim: ``head_dim``, else ``hidden_size // num_attention_heads`` (DeepSeek MLA: the
    query/key head ``qk_nope_head_dim + qk_rope_head_dim``, of which ``qk_rope_head_dim``
    rotate); rotary dim: ``int(head_dim * partial_rotary_factor)`` (GPT-J / CodeGen:
    ``rotary_dim``); base and scaling per layer type from ``rope_parameters``.
    """
    if getattr(tc, "qk_rope_head_dim", None) is not None:
        head = tc.qk_rope_head_dim + tc.qk_nope_head_dim
        rotary = tc.qk_rope_head_dim
    else:
        head = getattr(tc, "head_dim", None) or tc.hidden_size // tc.num_attention_heads
        rotary = head
    params = getattr(tc, "rope_parameters", None)
    layers: dict[str, tuple[float, str, Any]] = {}
    if params is None:  # GPT-J / CodeGen: rotary_dim, base fixed at 10000
        rotary = tc.rotary_dim or head
        layers["all"] = (10000.0, "default", None)
    else:
        per_type = all(isinstance(v, dict) for v in params.values())
        for name, p in params.items() if per_type else [("all", params)]:
            layers[name] = (float(p["rope_theta"]), p.get("rope_type", "default"), p.get("factor"))
        first = next(iter(params.values())) if per_type else params
        rotary = int(head * first.get("partial_rotary_factor", 1.0)) if rotary == head else rotary
    return {
        "head_dim": head,
        "rotary_dim": rotary,
        "context": tc.max_position_embeddings,
        "layers": layers,
    }


def _our_reading(source: Any) -> dict[str, Any]:
    rc = load_config(source)
    layers = {}
    for layer in rc.layers:
        if layer.layer_type == "mrope_temporal":
            continue  # not a transformers notion: the text reading is compared
        factor = None if layer.scaling is None else layer.scaling.get("factor")
        name = "all" if layer.layer_type in ("all", "rope_layers") else layer.layer_type
        layers[name] = (layer.rope_theta, layer.rope_type, factor)
    return {
        "head_dim": rc.head_dim,
        "rotary_dim": rc.rotary_dim,
        "context": rc.max_position_embeddings,
        "layers": layers,
    }


def _same(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert ours["head_dim"] == theirs["head_dim"]
    assert ours["rotary_dim"] == theirs["rotary_dim"]
    assert ours["context"] == theirs["context"]
    assert ours["layers"].keys() == theirs["layers"].keys()
    for name, (theta, rope_type, factor) in theirs["layers"].items():
        our_theta, our_type, our_factor = ours["layers"][name]
        assert math.isclose(our_theta, theta, rel_tol=1e-12), name
        assert our_type == rope_type, name
        assert our_factor == factor, name


def test_transformers_is_the_v5_reference() -> None:
    """The comparison is against transformers v5 (rope_parameters), as the table cites."""
    assert int(transformers.__version__.split(".")[0]) >= 5


@pytest.mark.parametrize("model_type", ROPE_IN_TRANSFORMERS)
def test_defaults_equal_the_config_class_defaults(model_type: str) -> None:
    """Invariant: a config that says only its model_type reads as transformers' defaults."""
    ours = _our_reading({"model_type": model_type})
    theirs = _hf_reading(_build(model_type, {}))
    if model_type == "llama4":
        theirs["layers"] = {"all": theirs["layers"]["all"]}
    _same(ours, theirs)


@pytest.mark.parametrize("model_type", ROPE_IN_TRANSFORMERS)
def test_every_family_cites_the_class_it_follows(model_type: str) -> None:
    """Invariant: the cited class is the one transformers uses for the model_type."""
    fam = families.FAMILIES[model_type]
    built = type(_build(model_type, {})).__name__
    assert fam.follows == f"transformers.{built}"


# One raw config per family, in the family's own key names (legacy keys, aliases), with the
# values of a public checkpoint of that family.
RAW: dict[str, dict[str, Any]] = {
    "gpt_neox": {  # EleutherAI/pythia-6.9b
        "hidden_size": 4096,
        "num_attention_heads": 32,
        "rotary_pct": 0.25,
        "rotary_emb_base": 10000,
        "max_position_embeddings": 2048,
    },
    "gpt_neox_japanese": {  # abeja/gpt-neox-japanese-2.7b
        "hidden_size": 2560,
        "num_attention_heads": 32,
        "rotary_pct": 1.0,
        "rotary_emb_base": 10000,
        "max_position_embeddings": 2048,
    },
    "gptj": {"n_embd": 4096, "n_head": 16, "rotary_dim": 64, "n_positions": 2048},
    "codegen": {"n_embd": 1024, "n_head": 16, "rotary_dim": 32, "n_positions": 2048},
    "falcon": {"hidden_size": 4544, "num_attention_heads": 71, "alibi": False},
    "persimmon": {
        "hidden_size": 4096,
        "num_attention_heads": 64,
        "partial_rotary_factor": 0.5,
        "rope_theta": 25000.0,
        "max_position_embeddings": 16384,
    },
    "stablelm": {"hidden_size": 2560, "num_attention_heads": 32, "partial_rotary_factor": 0.25},
    "phi": {"hidden_size": 2560, "num_attention_heads": 32, "partial_rotary_factor": 0.4},
    "nemotron": {"hidden_size": 6144, "num_attention_heads": 48, "partial_rotary_factor": 0.5},
    "qwen2_vl": {
        "hidden_size": 3584,
        "num_attention_heads": 28,
        "rope_theta": 1000000.0,
        "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]},
        "max_position_embeddings": 32768,
    },
    "qwen3_vl": {
        "text_config": {
            "hidden_size": 4096,
            "num_attention_heads": 32,
            "head_dim": 128,
            "rope_theta": 5000000,
            "rope_scaling": {
                "rope_type": "default",
                "mrope_section": [24, 20, 20],
                "mrope_interleaved": True,
            },
            "max_position_embeddings": 262144,
        }
    },
    "deepseek_v3": {
        "hidden_size": 7168,
        "num_attention_heads": 128,
        "qk_rope_head_dim": 64,
        "qk_nope_head_dim": 128,
        "rope_theta": 10000,
        "rope_scaling": {
            "type": "yarn",
            "factor": 40,
            "original_max_position_embeddings": 4096,
            "beta_fast": 32,
            "beta_slow": 1,
            "mscale": 1.0,
            "mscale_all_dim": 1.0,
        },
        "max_position_embeddings": 163840,
    },
    "glm4": {"hidden_size": 4096, "num_attention_heads": 32, "head_dim": 128},
    "cohere": {"hidden_size": 8192, "num_attention_heads": 64, "rope_theta": 8000000},
    "gemma3": {
        "text_config": {
            "hidden_size": 2560,
            "num_attention_heads": 8,
            "head_dim": 256,
            "rope_theta": 1e6,
            "rope_local_base_freq": 1e4,
            "rope_scaling": {"rope_type": "linear", "factor": 8.0},
            "sliding_window": 1024,
            "num_hidden_layers": 34,
        }
    },
    "phi3": {"hidden_size": 3072, "num_attention_heads": 32, "partial_rotary_factor": 0.75},
}


@pytest.mark.parametrize("model_type", sorted(RAW))
def test_raw_legacy_keys_read_as_transformers_reads_them(model_type: str) -> None:
    """Invariant: the family's own key names (aliases, legacy keys) give transformers' values."""
    raw = RAW[model_type]
    ours = _our_reading({"model_type": model_type, **raw})
    _same(ours, _hf_reading(_build(model_type, raw)))


def _shipped() -> list[rb.config.ModelEntry]:
    """The shipped RoPE configs of families transformers has (the others: remote code)."""
    out = []
    for e in rb.models():
        found = families.family_of(e.config.get("model_type"))
        if found is not None and found[1].in_transformers and families.is_rope(found[1], e.config):
            out.append(e)
    return out


@pytest.mark.parametrize("entry", _shipped(), ids=lambda e: e.name)
def test_shipped_configs_read_as_transformers_reads_them(entry: rb.config.ModelEntry) -> None:
    """Invariant: every shipped config of a transformers family reads as transformers reads it."""
    raw = dict(entry.config)
    model_type = raw.pop("model_type")
    theirs = _hf_reading(_build(model_type, raw))
    ours = _our_reading(entry.config)
    if model_type == "llama4_text":  # transformers keeps no "rope_layers" notion: one base for all
        ours["layers"] = {"all": ours["layers"]["all"]}
    _same(ours, theirs)


@pytest.mark.parametrize("model_type", ["llama", "gpt_neox", "gptj", "qwen2_vl", "deepseek_v3"])
def test_a_pretrained_config_reads_as_its_raw_dict(model_type: str) -> None:
    """Invariant: check_config on transformers' object equals the reading of the raw dict."""
    raw = RAW.get(model_type, {"hidden_size": 2048, "num_attention_heads": 16})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obj = CONFIG_MAPPING[model_type](**raw)
    from_obj = rb.check_config(obj, min_base=False)
    from_raw = rb.check_config({"model_type": model_type, **raw}, min_base=False)
    assert from_obj.source == f"<{type(obj).__name__}>"
    # (num_layers differs: the object carries the class's num_hidden_layers default.)
    strip = [
        {k: v for k, v in lt.items() if k != "num_layers"}
        for lt in from_raw.to_dict()["layer_types"]
    ]
    assert [
        {k: v for k, v in lt.items() if k != "num_layers"}
        for lt in from_obj.to_dict()["layer_types"]
    ] == strip
    assert (from_obj.head_dim, from_obj.rotary_dim) == (from_raw.head_dim, from_raw.rotary_dim)


# ---- the five readings of issue 15 ----


def test_pythia_rotary_dim_32_is_supported_by_unrotated_pairs() -> None:
    report = rb.check_config({"model_type": "gpt_neox", **RAW["gpt_neox"]}, min_base=False)
    assert (report.head_dim, report.rotary_dim) == (128, 32)
    assert report.verdict == "supported"
    assert any("48 unrotated pairs >= 16 rotated" in r for r in report.layer_types[0].reasons)
    assert not any("rope_theta" in n for n in report.notes)  # rotary_emb_base was read


def test_gptj_head_256_rotary_64_context_2048() -> None:
    report = rb.check_config({"model_type": "gptj", **RAW["gptj"]}, min_base=False)
    assert (report.head_dim, report.rotary_dim, report.max_position_embeddings) == (256, 64, 2048)
    assert report.verdict == "supported"


def test_qwen2_vl_text_and_temporal_reports() -> None:
    """Text: plain RoPE over all 64 pairs; temporal: the 16 temporal pairs at base b^(32/128)."""
    report = rb.check_config({"model_type": "qwen2_vl", **RAW["qwen2_vl"]})
    text, temporal = report.layer_types
    assert (text.layer_type, text.rotary_dim, text.rope_theta) == ("all", 128, 1e6)
    plain = rb.check_config(
        {
            "hidden_size": 3584,
            "num_attention_heads": 28,
            "rope_theta": 1e6,
            "max_position_embeddings": 32768,
        }
    )
    assert text.max_context == plain.layer_types[0].max_context
    assert text.min_base == plain.layer_types[0].min_base
    assert report.verdict == text.verdict  # the temporal axis does not enter the verdict
    assert temporal.layer_type == "mrope_temporal"
    assert temporal.rotary_dim == 32
    assert math.isclose(temporal.rope_theta, 1e6**0.25, rel_tol=1e-15)
    # 48 unrotated pairs against 16 rotated: no distance fails along the time axis.
    assert temporal.verdict == "supported" and temporal.max_context is None
    assert any("mrope_temporal" in n and "16 pairs" in n for n in report.notes)


def test_temporal_axis_equals_the_first_section_frequencies() -> None:
    """Invariant: the temporal entry's frequencies are the model's first section[0] ones."""
    rc = load_config({"model_type": "qwen2_vl", **RAW["qwen2_vl"]})
    temporal = rc.layers[1]
    assert temporal.rotary_dim is not None
    ours = rb.frequencies(temporal.rope_theta, rc.head_dim, rotary_dim=temporal.rotary_dim)
    full = rb.frequencies(1e6, rc.head_dim)
    assert len(ours) == 16
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(ours, full[:16], strict=True))


def test_temporal_min_base_is_given_as_rope_theta() -> None:
    """A section with rotated pairs dominating: the minimal base maps back through b^(r/r_t)."""
    cfg = {
        "model_type": "qwen2_vl",
        "hidden_size": 1024,
        "num_attention_heads": 8,
        "rope_theta": 1e6,
        "rope_scaling": {"type": "mrope", "mrope_section": [48, 8, 8]},
        "max_position_embeddings": 4096,
    }
    temporal = rb.check_config(cfg).layer_types[1]
    assert temporal.rotary_dim == 96
    direct = rb.min_base(4096, 128, rotary_dim=96)
    assert temporal.min_base is not None
    assert math.isclose(temporal.min_base, float(direct.base) ** (128 / 96), rel_tol=1e-12)


def test_interleaved_mrope_temporal_axis_is_unknown_with_a_reason() -> None:
    report = rb.check_config({"model_type": "qwen3_vl", **RAW["qwen3_vl"]}, min_base=False)
    temporal = report.layer_types[1]
    assert temporal.verdict == "unknown" and "interleaved" in temporal.reasons[0]
    assert report.verdict == report.layer_types[0].verdict


@pytest.mark.parametrize(
    "cfg",
    [
        {"model_type": "gpt2", "n_embd": 768, "n_head": 12, "n_positions": 1024},
        {"model_type": "bloom", "hidden_size": 4096, "n_head": 32},
        {"model_type": "mpt", "d_model": 4096, "n_heads": 32, "max_seq_len": 2048},
        {"model_type": "opt", "hidden_size": 768, "num_attention_heads": 12},
        {"model_type": "falcon", "hidden_size": 2048, "num_attention_heads": 32, "alibi": True},
    ],
    ids=lambda c: c["model_type"],
)
def test_models_without_rope_get_a_verdict_not_an_error(cfg: dict[str, Any]) -> None:
    report = rb.check_config(cfg)
    assert report.verdict == "not a RoPE model (learned / ALiBi positions)"
    assert report.layer_types == ()
    assert any("not RoPE" in n for n in report.notes)


@pytest.mark.parametrize("model_type", NOT_ROPE)
def test_every_non_rope_family_lacks_rope_in_transformers(model_type: str) -> None:
    """Invariant: the families marked without RoPE have no rope_parameters in transformers."""
    cfg = CONFIG_MAPPING[model_type]()
    assert getattr(cfg, "rope_parameters", None) is None
    assert rb.check_config({"model_type": model_type}).verdict == families.NOT_ROPE


def test_falcon_7b_gets_transformers_default_context_with_a_note() -> None:
    report = rb.check_config({"model_type": "falcon", **RAW["falcon"]}, min_base=False)
    assert report.max_position_embeddings == 2048 == _build("falcon", {}).max_position_embeddings
    assert report.verdict != "unknown"
    assert "no max_position_embeddings: using FalconConfig's default 2048 (falcon)" in report.notes


def test_unknown_model_type_is_read_generically_with_a_note() -> None:
    cfg = {"hidden_size": 4096, "num_attention_heads": 32, "max_position_embeddings": 4096}
    known = rb.check_config(cfg, min_base=False)
    unknown = rb.check_config({"model_type": "my_new_arch", **cfg}, min_base=False)
    assert unknown.to_dict()["layer_types"] == known.to_dict()["layer_types"]
    assert any("'my_new_arch' is not in the family table" in n for n in unknown.notes)


# ---- model directories and the Hugging Face cache ----


def _fake_cache(root: Path, repo: str, config: dict[str, Any]) -> Path:
    """A Hub cache laid out as huggingface_hub lays it out (refs/main -> snapshot)."""
    folder = root / ("models--" + repo.replace("/", "--"))
    snap = folder / "snapshots" / "0123456789abcdef0123456789abcdef01234567"
    snap.mkdir(parents=True)
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text(snap.name)
    (snap / "config.json").write_text(json.dumps(config))
    return snap


def test_hub_repo_id_is_read_from_the_local_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = {"model_type": "gpt_neox", **RAW["gpt_neox"]}
    _fake_cache(tmp_path, "EleutherAI/pythia-6.9b", cfg)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants as hc

    monkeypatch.setattr(hc, "HF_HUB_CACHE", str(tmp_path))
    report = rb.check_config("EleutherAI/pythia-6.9b", min_base=False)
    assert report.rotary_dim == 32 and report.source.endswith("config.json")
    with pytest.raises(ConfigError, match=r"local Hugging Face cache.*download"):
        rb.check_config("EleutherAI/not-downloaded", min_base=False)


def test_download_is_asked_for_and_mocked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """download=True calls hf_hub_download without local_files_only; nothing else does."""
    import huggingface_hub

    path = tmp_path / "config.json"
    path.write_text(json.dumps({"model_type": "gptj", **RAW["gptj"]}))
    calls: list[tuple[str, str, bool]] = []

    def fake(repo_id: str, filename: str, *, local_files_only: bool = False) -> str:
        calls.append((repo_id, filename, local_files_only))
        if local_files_only:
            raise FileNotFoundError("not cached")
        return str(path)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake)
    with pytest.raises(ConfigError):
        rb.check_config("EleutherAI/gpt-j-6b", min_base=False)
    report = rb.check_config("EleutherAI/gpt-j-6b", min_base=False, download=True)
    assert report.rotary_dim == 64
    assert calls == [
        ("EleutherAI/gpt-j-6b", "config.json", True),
        ("EleutherAI/gpt-j-6b", "config.json", False),
    ]


def test_download_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="download"):
        rb.check_config({"hidden_size": 128, "num_attention_heads": 2}, download="yes")  # type: ignore[arg-type]


# ---- the check command over folders and the Hub cache ----


def _zoo(root: Path) -> None:
    for name, cfg in {
        "pythia": {"model_type": "gpt_neox", **RAW["gpt_neox"]},
        "gpt2": {"model_type": "gpt2", "n_embd": 768, "n_head": 12, "n_positions": 1024},
        "vl/qwen2-vl": {"model_type": "qwen2_vl", **RAW["qwen2_vl"]},
    }.items():
        (root / name).mkdir(parents=True)
        (root / name / "config.json").write_text(json.dumps(cfg))


def test_check_folder_audits_every_config_below(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ropebound import cli

    _zoo(tmp_path)
    assert cli.main(["check", str(tmp_path), "--no-min-base"]) == 0  # superficial is no failure
    lines = capsys.readouterr().out.strip().splitlines()
    # One line per model and layer type, then the verdict count.
    assert len(lines) == 5
    assert lines[0].startswith(f"{tmp_path / 'gpt2'}: ") and families.NOT_ROPE in lines[0]
    assert "d/r 128/32" in lines[1] and lines[1].endswith("-> supported")
    assert "[mrope_temporal] d/r 128/32" in lines[3]
    assert lines[4] == (f"verdicts: {families.NOT_ROPE} 1, superficial 1, supported 1")
    assert cli.main(["check", str(tmp_path), "--no-min-base", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [d["model_type"] for d in doc] == ["gpt2", "gpt_neox", "qwen2_vl"]


def test_check_exits_1_only_when_a_file_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ropebound import cli

    _zoo(tmp_path)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "config.json").write_text('{"model_type": "llama", "head_dim": 3}')
    assert cli.main(["check", str(tmp_path), "--no-min-base"]) == 1
    out = capsys.readouterr()
    assert "verdicts:" in out.out and "broken" in out.err and "head_dim" in out.err
    (tmp_path / "empty").mkdir()
    assert cli.main(["check", str(tmp_path / "empty")]) == 1
    assert "no model config.json" in capsys.readouterr().err


def test_folder_search_skips_other_tools_configs_hidden_folders_and_the_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only model configs count; settings files, hidden folders and "/" are not searched."""
    from ropebound import cli
    from ropebound._discover import configs_below

    _zoo(tmp_path)
    (tmp_path / "editor").mkdir()
    (tmp_path / "editor" / "config.json").write_text('{"theme": "dark"}')
    (tmp_path / "notjson").mkdir()
    (tmp_path / "notjson" / "config.json").write_text("{not json")
    (tmp_path / ".cache" / "m").mkdir(parents=True)
    (tmp_path / ".cache" / "m" / "config.json").write_text('{"model_type": "gpt2"}')
    found, skipped = configs_below(tmp_path)
    assert [p.parent.name for p in found] == ["gpt2", "pythia", "qwen2-vl"]
    assert skipped == 2
    assert cli.main(["check", str(tmp_path), "--no-min-base"]) == 0
    assert "skipped 2 config.json that are not model configs" in capsys.readouterr().out
    with pytest.raises(ValueError, match="file system root"):
        configs_below(Path("/"))
    assert cli.main(["check", "/"]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.parametrize("how", ["HF_HUB_CACHE", "HF_HOME", "argument"])
def test_check_hub_cache_audits_every_downloaded_model(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ropebound import cli

    cache = tmp_path / "home" / "hub"
    _fake_cache(cache, "EleutherAI/pythia-6.9b", {"model_type": "gpt_neox", **RAW["gpt_neox"]})
    _fake_cache(cache, "bigscience/bloom-560m", {"model_type": "bloom", "n_head": 16})
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "elsewhere"))
    argv = ["check", "--hub-cache", "--no-min-base", "--json"]
    if how == "HF_HUB_CACHE":
        monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    elif how == "HF_HOME":
        monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    else:
        argv = ["check", "--hub-cache", str(cache), "--no-min-base", "--json"]
    assert cli.main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(d["name"], d["verdict"]) for d in doc] == [
        ("EleutherAI/pythia-6.9b", "supported"),
        ("bigscience/bloom-560m", families.NOT_ROPE),
    ]


def test_check_without_input_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from ropebound import cli

    assert cli.main(["check"]) == 2
    assert "--hub-cache" in capsys.readouterr().err


def test_check_download_flag_reaches_the_hub_mock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import huggingface_hub

    from ropebound import cli

    path = tmp_path / "config.json"
    path.write_text(json.dumps({"model_type": "gptj", **RAW["gptj"]}))
    asked: list[bool] = []

    def fake(repo_id: str, filename: str, *, local_files_only: bool = False) -> str:
        asked.append(local_files_only)
        if local_files_only:
            raise FileNotFoundError("not cached")
        return str(path)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake)
    assert cli.main(["check", "EleutherAI/gpt-j-6b", "--no-min-base"]) == 1
    assert cli.main(["check", "EleutherAI/gpt-j-6b", "--no-min-base", "--download"]) == 0
    assert asked == [True, False]
    assert "rotary_dim 64" in capsys.readouterr().out


def test_readme_audit_table_is_the_generated_one() -> None:
    """Invariant: the README's audit table is docs/_tables.readme_audit_table()'s output."""
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("_tables", root / "docs" / "_tables.py")
    assert spec is not None and spec.loader is not None
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)
    readme = (root / "README.md").read_text("utf-8")
    assert tables.readme_audit_table() in readme


def test_shipped_table_covers_the_families() -> None:
    """Every family of the issue with public checkpoints has a shipped config."""
    shipped = set()
    for entry in rb.models():
        found = families.family_of(entry.config.get("model_type"))
        assert found is not None, f"{entry.name}: model_type not in the family table"
        shipped.add(found[0])
    wanted = {
        "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen2_vl", "qwen2_5_vl",
        "gemma", "gemma2", "gemma3", "phi", "phi3", "gpt_neox", "gptj", "falcon", "stablelm",
        "cohere", "internlm2", "chatglm", "deepseek_v2", "deepseek_v3", "minicpm", "starcoder2",
        "llama4", "persimmon", "granite", "gpt2", "bloom", "mpt", "opt",
    }  # fmt: skip
    assert wanted <= shipped, wanted - shipped
    assert len(rb.models()) >= 60


# ---- remote-code families: no transformers class, the reading their shipped code documents ----


@pytest.mark.parametrize(
    ("name", "head", "rotary", "context", "base", "note"),
    [
        # phi-msft: GPT-2 key names, rotary_dim 32 of a 64-dim head.
        ("Phi-1.5 (phi-msft)", 64, 32, 2048, 10000.0, "no rope_theta"),
        # Qwen v1: GPT-NeoX's rotary_pct / rotary_emb_base.
        ("Qwen-1.8B (v1)", 128, 128, 8192, 10000.0, None),
        # MiniCPM: no rope_theta in the file, the remote MiniCPMConfig's default.
        ("MiniCPM-2B-sft-bf16", 64, 64, 4096, 10000.0, "MiniCPMConfig (remote code)'s default"),
        # ChatGLM: kv_channels // 2 rotate, base 10000 * rope_ratio, context seq_length.
        ("ChatGLM3-6B", 128, 64, 8192, 10000.0, "kv_channels // 2"),
    ],
)
def test_remote_code_families_read_as_their_code_documents(
    name: str, head: int, rotary: int, context: int, base: float, note: str | None
) -> None:
    entry = next(e for e in rb.models() if e.name == name)
    rc = load_config(entry.config)
    assert (rc.head_dim, rc.rotary_dim, rc.max_position_embeddings) == (head, rotary, context)
    assert rc.layers[0].rope_theta == base
    if note is not None:
        assert any(note in n for n in rc.notes), rc.notes


@pytest.mark.parametrize("alias", ["RefinedWebModel", "RefinedWeb"])
def test_falcon_remote_code_names_read_as_falcon(alias: str) -> None:
    cfg = {"hidden_size": 4544, "num_attention_heads": 71}
    assert _our_reading({"model_type": alias, **cfg}) == _our_reading(
        {"model_type": "falcon", **cfg}
    )


def test_persimmon_without_a_rotary_fraction_takes_the_class_default() -> None:
    """The real persimmon-8b-base file has no partial_rotary_factor: 0.5, as transformers."""
    entry = next(e for e in rb.models() if e.name == "Persimmon-8B-base")
    raw = {k: v for k, v in entry.config.items() if k != "model_type"}
    assert "partial_rotary_factor" not in raw
    ours = _our_reading(entry.config)
    assert ours["rotary_dim"] == 32
    _same(ours, _hf_reading(_build("persimmon", raw)))
