"""How each model family's ``config.json`` spells its RoPE facts, as transformers reads it.

One :class:`Family` per ``model_type``: the key aliases (transformers' ``attribute_map`` and
the legacy keyword arguments its config class converts, e.g. GPT-NeoX's ``rotary_pct``), the
defaults the config class supplies for a key a file leaves out, and whether the family uses
RoPE at all. :func:`canonical` rewrites a raw config into the Llama-style keys that
:mod:`ropebound.config` reads (``hidden_size``, ``num_attention_heads``, ``head_dim``,
``partial_rotary_factor``, ``rope_theta``, ``max_position_embeddings``), with a note for every
default it fills in.

Every entry cites the config class it follows (transformers v5, ``transformers.models.<family>``,
or the remote code a family ships with its checkpoints); ``tests/test_families.py`` checks the
reading against transformers' resolved config for every family transformers has. This module
imports nothing of the package: it is data plus one pure function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The verdict of a model whose positions are not rotary.
NOT_ROPE = "not a RoPE model (learned / ALiBi positions)"


@dataclass(frozen=True)
class Family:
    """The RoPE reading of one ``model_type``.

    Attributes
    ----------
    follows : str
        The config class the entry follows: ``transformers.<Class>`` or the remote code.
    positions : {"rope", "learned", "alibi", "relative", "sinusoidal"}
        How the family encodes positions; only ``"rope"`` is checked.
    aliases : dict
        Canonical key -> the keys a file may use instead, in order (transformers'
        ``attribute_map`` and the legacy keyword arguments its ``__init__`` converts). A
        canonical key present in the file wins, as in transformers (``setdefault``).
    defaults : dict
        Canonical key -> the config class's default, used when the file lacks the key.
    in_transformers : bool
        Whether transformers has the config class (False: remote code only).
    alibi_flag : str or None
        A boolean key that switches the family to ALiBi (Falcon's ``alibi``).
    """

    follows: str
    positions: str = "rope"
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    in_transformers: bool = True
    alibi_flag: str | None = None


# attribute_map of GPT-2-style configs (GPT2Config, GPTJConfig, CodeGenConfig, ...).
_GPT2_KEYS: dict[str, tuple[str, ...]] = {
    "hidden_size": ("n_embd",),
    "num_attention_heads": ("n_head",),
    "max_position_embeddings": ("n_positions",),
}
# The shared head: hidden size, heads, context and base of most Llama-style classes.


def _d(hidden: int, heads: int, context: int, theta: float | None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "hidden_size": hidden,
        "num_attention_heads": heads,
        "max_position_embeddings": context,
    }
    if theta is not None:
        out["rope_theta"] = theta
    out.update(extra)
    return out


_T = "transformers."
#: The family table: ``model_type`` -> :class:`Family`.
FAMILIES: dict[str, Family] = {
    # ---- Llama-style: keys as read today, transformers' defaults ----
    "llama": Family(_T + "LlamaConfig", defaults=_d(4096, 32, 2048, 10000.0)),
    "mistral": Family(_T + "MistralConfig", defaults=_d(4096, 32, 131072, 10000.0)),
    "mixtral": Family(_T + "MixtralConfig", defaults=_d(4096, 32, 131072, 1e6)),
    "qwen2": Family(_T + "Qwen2Config", defaults=_d(4096, 32, 32768, 10000.0)),
    "qwen2_moe": Family(_T + "Qwen2MoeConfig", defaults=_d(2048, 16, 32768, 10000.0)),
    "qwen3": Family(_T + "Qwen3Config", defaults=_d(4096, 32, 32768, 10000.0, head_dim=128)),
    "qwen3_moe": Family(_T + "Qwen3MoeConfig", defaults=_d(2048, 32, 32768, 10000.0)),
    # Multimodal: the text model's class (Qwen2-VL v4 files keep text keys at the top).
    "qwen2_vl": Family(_T + "Qwen2VLTextConfig", defaults=_d(8192, 64, 32768, 1e6)),
    "qwen2_5_vl": Family(_T + "Qwen2_5_VLTextConfig", defaults=_d(8192, 64, 32768, 1e6)),
    "qwen3_vl": Family(
        _T + "Qwen3VLTextConfig", defaults=_d(4096, 32, 128000, 500000.0, head_dim=128)
    ),
    "gemma": Family(_T + "GemmaConfig", defaults=_d(3072, 16, 8192, 10000.0, head_dim=256)),
    "gemma2": Family(_T + "Gemma2Config", defaults=_d(2304, 8, 8192, 10000.0, head_dim=256)),
    # Gemma 3: full-attention layers default to 1e6, sliding ones to 1e4 (v5 rope_parameters).
    "gemma3": Family(
        _T + "Gemma3TextConfig",
        defaults=_d(2304, 8, 131072, 1e6, head_dim=256, rope_local_base_freq=10000.0),
    ),
    "phi": Family(
        _T + "PhiConfig", defaults=_d(2048, 32, 2048, 10000.0, partial_rotary_factor=0.5)
    ),
    "phi3": Family(_T + "Phi3Config", defaults=_d(3072, 32, 4096, 10000.0)),
    "phimoe": Family(_T + "PhimoeConfig", defaults=_d(4096, 32, 131072, 1e6)),
    # GPT-NeoX / Pythia: rotary_pct and rotary_emb_base are the legacy keys the class converts.
    "gpt_neox": Family(
        _T + "GPTNeoXConfig",
        aliases={"partial_rotary_factor": ("rotary_pct",), "rope_theta": ("rotary_emb_base",)},
        defaults=_d(6144, 64, 2048, 10000.0, partial_rotary_factor=0.25),
    ),
    "gpt_neox_japanese": Family(
        _T + "GPTNeoXJapaneseConfig",
        aliases={"partial_rotary_factor": ("rotary_pct",), "rope_theta": ("rotary_emb_base",)},
        defaults=_d(2560, 32, 2048, 10000.0, partial_rotary_factor=1.0),
    ),
    # GPT-J / CodeGen: GPT-2 key names, rotary_dim (not a fraction), base 10000 fixed.
    "gptj": Family(
        _T + "GPTJConfig", aliases=_GPT2_KEYS, defaults=_d(4096, 16, 2048, None, rotary_dim=64)
    ),
    "codegen": Family(
        _T + "CodeGenConfig", aliases=_GPT2_KEYS, defaults=_d(4096, 16, 2048, None, rotary_dim=64)
    ),
    # Falcon: n_embed is converted by the class; alibi=True (Falcon-RW) has no RoPE.
    "falcon": Family(
        _T + "FalconConfig",
        aliases={"hidden_size": ("n_embed",), "num_attention_heads": ("n_head",)},
        defaults=_d(4544, 71, 2048, 10000.0),
        alibi_flag="alibi",
    ),
    "persimmon": Family(
        _T + "PersimmonConfig",
        defaults=_d(4096, 64, 16384, 10000.0, partial_rotary_factor=0.5),
    ),
    "stablelm": Family(
        _T + "StableLmConfig",
        defaults=_d(2560, 32, 4096, 10000.0, partial_rotary_factor=0.25),
    ),
    "olmo": Family(_T + "OlmoConfig", defaults=_d(4096, 32, 2048, 10000.0)),
    "olmo2": Family(_T + "Olmo2Config", defaults=_d(4096, 32, 2048, 10000.0)),
    "cohere": Family(_T + "CohereConfig", defaults=_d(8192, 64, 8192, 500000.0)),
    "cohere2": Family(_T + "Cohere2Config", defaults=_d(8192, 64, 8192, 10000.0)),
    "granite": Family(_T + "GraniteConfig", defaults=_d(4096, 32, 2048, 10000.0)),
    "granitemoe": Family(_T + "GraniteMoeConfig", defaults=_d(4096, 32, 2048, 10000.0)),
    "glm": Family(
        _T + "GlmConfig",
        defaults=_d(4096, 32, 131072, 10000.0, head_dim=128, partial_rotary_factor=0.5),
    ),
    "glm4": Family(
        _T + "Glm4Config",
        defaults=_d(4096, 32, 131072, 10000.0, head_dim=128, partial_rotary_factor=0.5),
    ),
    # DeepSeek MLA: config.py reads qk_rope_head_dim / qk_nope_head_dim.
    "deepseek_v2": Family(
        _T + "DeepseekV2Config",
        defaults=_d(4096, 32, 2048, 10000.0, qk_rope_head_dim=64, qk_nope_head_dim=128),
    ),
    "deepseek_v3": Family(
        _T + "DeepseekV3Config",
        defaults=_d(7168, 128, 4096, 10000.0, qk_rope_head_dim=64, qk_nope_head_dim=128),
    ),
    "nemotron": Family(
        _T + "NemotronConfig",
        defaults=_d(6144, 48, 4096, 10000.0, partial_rotary_factor=0.5),
    ),
    "starcoder2": Family(_T + "Starcoder2Config", defaults=_d(3072, 24, 4096, 10000.0)),
    "llama4": Family(
        _T + "Llama4TextConfig", defaults=_d(5120, 40, 131072, 500000.0, head_dim=128)
    ),
    "smollm3": Family(_T + "SmolLM3Config", defaults=_d(2048, 16, 32768, 2000000.0)),
    # ---- remote code only (trust_remote_code): defaults of the shipped config class ----
    "internlm2": Family(
        "remote code: internlm/internlm2-7b configuration_internlm2.InternLM2Config",
        defaults=_d(4096, 32, 2048, 10000.0),
        in_transformers=False,
    ),
    "minicpm": Family(
        "remote code: openbmb/MiniCPM-2B-sft-bf16 configuration_minicpm.MiniCPMConfig",
        defaults=_d(4096, 32, 2048, 10000.0),
        in_transformers=False,
    ),
    # Phi-1 / Phi-1.5 / Phi-2 before transformers' own PhiConfig: GPT-2 key names, rotary_dim.
    "phi-msft": Family(
        "remote code: microsoft/phi-1_5 configuration_phi.PhiConfig (model_type phi-msft)",
        aliases=_GPT2_KEYS,
        in_transformers=False,
    ),
    # Qwen (v1): GPT-NeoX's rotary keys; inference-time dynamic NTK and logn are not RoPE
    # frequencies of the checkpoint (use_dynamic_ntk / use_logn_attn), so they are not read.
    "qwen": Family(
        "remote code: Qwen/Qwen-7B configuration_qwen.QWenConfig",
        aliases={
            **_GPT2_KEYS,
            "partial_rotary_factor": ("rotary_pct",),
            "rope_theta": ("rotary_emb_base",),
        },
        in_transformers=False,
    ),
    # ChatGLM / GLM-4 remote code: config.py reads kv_channels, rope_ratio and seq_length.
    "chatglm": Family(
        "remote code: THUDM/glm-4-9b-chat configuration_chatglm.ChatGLMConfig",
        in_transformers=False,
    ),
    # ---- no RoPE: a verdict, not an error ----
    "gpt2": Family(_T + "GPT2Config", positions="learned", aliases=_GPT2_KEYS),
    "gpt_bigcode": Family(_T + "GPTBigCodeConfig", positions="learned", aliases=_GPT2_KEYS),
    "gpt_neo": Family(
        _T + "GPTNeoConfig", positions="learned", aliases={"num_attention_heads": ("num_heads",)}
    ),
    "opt": Family(_T + "OPTConfig", positions="learned"),
    "bloom": Family(
        _T + "BloomConfig",
        positions="alibi",
        aliases={"hidden_size": ("n_embed",), "num_attention_heads": ("n_head",)},
    ),
    "mpt": Family(
        _T + "MptConfig",
        positions="alibi",
        aliases={"hidden_size": ("d_model",), "num_attention_heads": ("n_heads",)},
    ),
    "bert": Family(_T + "BertConfig", positions="learned"),
    "roberta": Family(_T + "RobertaConfig", positions="learned"),
    "t5": Family(
        _T + "T5Config",
        positions="relative",
        aliases={"hidden_size": ("d_model",), "num_attention_heads": ("num_heads",)},
    ),
    "xglm": Family(
        _T + "XGLMConfig",
        positions="sinusoidal",
        aliases={"hidden_size": ("d_model",), "num_attention_heads": ("attention_heads",)},
    ),
}

#: Other names of a family: the nested text configs of multimodal models, and Falcon's
#: early remote-code names (its checkpoints now say "falcon").
ALIASES = {
    "qwen2_vl_text": "qwen2_vl",
    "qwen2_5_vl_text": "qwen2_5_vl",
    "qwen3_vl_text": "qwen3_vl",
    "gemma3_text": "gemma3",
    "llama4_text": "llama4",
    "RefinedWeb": "falcon",
    "RefinedWebModel": "falcon",
    "glm4_text": "glm4",
}

_POSITION_WORDS = {
    "learned": "learned absolute position embeddings",
    "alibi": "ALiBi attention biases",
    "relative": "relative position biases",
    "sinusoidal": "fixed sinusoidal position embeddings",
}


def family_of(model_type: Any) -> tuple[str, Family] | None:
    """The table's name and entry for a ``model_type`` (None if the table lacks it).

    Examples
    --------
    >>> from ropebound.families import family_of
    >>> name, fam = family_of("gemma3_text")
    >>> name, fam.follows
    ('gemma3', 'transformers.Gemma3TextConfig')
    >>> family_of("no_such_family") is None
    True
    """
    if not isinstance(model_type, str):
        return None
    name = ALIASES.get(model_type, model_type)
    fam = FAMILIES.get(name)
    return None if fam is None else (name, fam)


def _rope_dict_has(cfg: Mapping[str, Any], key: str) -> bool:
    for holder in ("rope_parameters", "rope_scaling"):
        raw = cfg.get(holder)
        if isinstance(raw, Mapping) and (
            raw.get(key) is not None
            or any(isinstance(v, Mapping) and v.get(key) is not None for v in raw.values())
        ):
            return True
    return False


def canonical(cfg: Mapping[str, Any]) -> tuple[dict[str, Any], Family | None, list[str]]:
    """``cfg`` with the family's aliases resolved and its defaults filled in.

    Returns the rewritten dict, the family (None for a missing or unknown ``model_type``) and
    the notes: one per default used, one for an unknown ``model_type``. A family whose
    positions are not rotary is returned with its aliases resolved and no defaults.

    Examples
    --------
    >>> from ropebound.families import canonical
    >>> cfg, fam, notes = canonical({"model_type": "gptj", "n_embd": 4096, "n_head": 16})
    >>> cfg["hidden_size"], cfg["num_attention_heads"], cfg["rotary_dim"]
    (4096, 16, 64)
    >>> notes[0]
    "no max_position_embeddings: using GPTJConfig's default 2048 (gptj)"
    """
    out = dict(cfg)
    notes: list[str] = []
    found = family_of(out.get("model_type"))
    if found is None:
        if isinstance(out.get("model_type"), str):
            notes.append(
                f"model_type {out['model_type']!r} is not in the family table: read with the "
                "generic Llama-style keys"
            )
        return out, None, notes
    name, fam = found
    for key, legacy in fam.aliases.items():
        if out.get(key) is not None:
            continue
        for alt in legacy:
            if out.get(alt) is not None:
                out[key] = out[alt]
                break
    if not is_rope(fam, out):
        return out, fam, notes
    cls = fam.follows.rsplit(".", 1)[-1] + ("" if fam.in_transformers else " (remote code)")
    for key, value in fam.defaults.items():
        if out.get(key) is not None:
            continue
        if key in ("rope_theta", "partial_rotary_factor") and _rope_dict_has(out, key):
            continue  # rope_parameters / rope_scaling give it
        if key == "rotary_dim" and key in out:
            continue  # GPT-J: an explicit null means the whole head rotates
        if key == "rope_local_base_freq" and isinstance(out.get("rope_parameters"), Mapping):
            continue  # Gemma 3 v5: the per-layer-type rope_parameters give both bases
        out[key] = value
        notes.append(f"no {key}: using {cls}'s default {value:g} ({name})")
    return out, fam, notes


def is_rope(fam: Family, cfg: Mapping[str, Any]) -> bool:
    """Whether a config of this family uses rotary positions.

    Examples
    --------
    >>> from ropebound.families import FAMILIES, is_rope
    >>> is_rope(FAMILIES["falcon"], {}), is_rope(FAMILIES["falcon"], {"alibi": True})
    (True, False)
    """
    if fam.positions != "rope":
        return False
    return not (fam.alibi_flag is not None and cfg.get(fam.alibi_flag) is True)


def positions_note(model_type: str, fam: Family, cfg: Mapping[str, Any]) -> str:
    """Why a config of a non-RoPE family is not checked.

    Examples
    --------
    >>> from ropebound.families import FAMILIES, positions_note
    >>> positions_note("bloom", FAMILIES["bloom"], {})
    'bloom (BloomConfig) uses ALiBi attention biases, not RoPE'
    """
    kind = "alibi" if fam.positions == "rope" else fam.positions
    where = f" ({fam.alibi_flag} = true)" if fam.positions == "rope" else ""
    cls = fam.follows.rsplit(".", 1)[-1]
    return f"{model_type} ({cls}){where} uses {_POSITION_WORDS[kind]}, not RoPE"
