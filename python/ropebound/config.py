r"""Model configs: read the RoPE facts of a Hugging Face ``config.json`` and check them.

:func:`load_config` normalises what a config says about RoPE (head dim, rotary dim, base,
context length, scaling, per-layer-type variants); :func:`check_config` asks the solver
whether the advertised context is within the decay bound of the paper
(:math:`B_m \ge 0` for every distance :math:`m` below the context; arXiv 2405.14591);
:func:`models` lists the public model configs shipped with the package.

Conventions follow Hugging Face transformers (current v5 where versions differ):

* Each ``model_type`` first goes through :mod:`ropebound.families`: its key aliases
  (GPT-J's ``n_embd``, GPT-NeoX's ``rotary_pct``) and its config class's defaults, each
  default with a note; a family without RoPE (GPT-2, BLOOM, MPT, ...) is not read further.
* M-RoPE (``mrope_section``): the text reading over all pairs, plus ``mrope_temporal``.

* ``head_dim`` if present and not null, else ``hidden_size // num_attention_heads``;
  rotary dim ``int(head_dim * partial_rotary_factor)``.
* DeepSeek V2/V3 (MLA): RoPE acts on ``qk_rope_head_dim`` dims of a
  ``qk_nope_head_dim + qk_rope_head_dim`` query/key head; the unrotated dims add to every
  :math:`B_m` like any partial rotary head (user guide, 'The decay sum': partial rotary
  heads).
* GLM-4 / ChatGLM (remote code): head dim ``kv_channels``, rotary dim ``kv_channels // 2``,
  base ``10000 * rope_ratio``, context ``seq_length``.
* ``rope_theta`` missing: 10000 (transformers' ``default_theta``), with a note.
* ``rope_parameters`` (v5) wins over ``rope_scaling`` (v4); a dict whose keys are layer
  types (Gemma 3: ``full_attention`` / ``sliding_attention``) gives one entry per type;
  Gemma 3 v4 configs (``rope_local_base_freq``) are split the same way.
* ``original_max_position_embeddings`` at the config's top level (Phi-3) wins over the one
  in the dict; llama3 / yarn / longrope without it get ``max_position_embeddings``.
* A ``text_config`` (Llama 4, Gemma 3 multimodal) is read instead of the outer config.
"""

from __future__ import annotations

import importlib.resources
import json
import math
import numbers
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import _optional, bounds, families
from ._validate import MAX_BASE, MAX_DIM, MAX_DISTANCE, check_bool, check_int
from .scaling import attention_factor, parse_scaling, rope_type_of
from .scaling._float32 import FLOAT32_MAX

DEFAULT_THETA = 10000.0
#: Real configs are a few KB; a bigger file is not one (and is not read into memory).
MAX_CONFIG_BYTES = 16 << 20
VERDICTS = ("supported", "superficial", "unknown", "unchecked", families.NOT_ROPE)
#: A Hub repo id ("owner/name"), as huggingface_hub accepts it.
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")


class ConfigError(ValueError):
    """A config that cannot be read or that says something impossible about RoPE."""


# --------------------------------------------------------------------------------------------
# Normalised RoPE facts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerRope:
    """RoPE of one layer type.

    Attributes
    ----------
    layer_type : str
        ``"all"`` when every layer shares one RoPE; else the config's layer type name.
    rope_theta : float
        Base :math:`b` of this layer type.
    scaling : dict or None
        A self-contained scaling dict for :func:`ropebound.scaling.scaled_frequencies`
        (``max_position_embeddings`` / ``original_max_position_embeddings`` filled in);
        None for plain RoPE.
    num_layers : int or None
        How many layers have this type (None if the config does not say).
    attention_span : int or None
        The longest distance + 1 these layers can see when a sliding window or chunked
        attention limits it; None for full attention.
    rotary_dim : int or None
        The rotary dim of this entry when it differs from the model's (the temporal axis of
        M-RoPE, where only the temporal section rotates); None: the model's.
    theta_power : float
        ``rope_theta`` is the model's base to this power (M-RoPE temporal axis: its pairs
        are the first ones of the full head, a partial head of base ``b ** (r_t / r)``); the
        minimal base is reported for the model's base.
    unchecked_reason : str or None
        Why this entry cannot be checked (its verdict is then ``unknown``).
    """

    layer_type: str
    rope_theta: float
    scaling: dict[str, Any] | None
    num_layers: int | None = None
    attention_span: int | None = None
    rotary_dim: int | None = None
    theta_power: float = 1.0
    unchecked_reason: str | None = None

    @property
    def rope_type(self) -> str:
        return rope_type_of(self.scaling)


@dataclass(frozen=True)
class RopeConfig:
    """What a model config says about RoPE, normalised (see the module docstring)."""

    model_type: str | None
    head_dim: int
    rotary_dim: int
    max_position_embeddings: int | None
    layers: tuple[LayerRope, ...]
    notes: tuple[str, ...] = ()
    #: False for a family without rotary positions (GPT-2, BLOOM, MPT, ...): no layers.
    uses_rope: bool = True


def _err(key: str, msg: str) -> ConfigError:
    return ConfigError(f"config key {key!r}: {msg}")


def _get_int(cfg: Mapping[str, Any], key: str, *, required: bool = False) -> int | None:
    v = cfg.get(key)
    if v is None:
        if required:
            raise _err(key, "missing (required)")
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"config key {key!r} must be an integer, got {type(v).__name__} {v!r}")
    if not 1 <= int(v) <= MAX_DISTANCE:
        raise _err(key, f"must be a positive integer <= 2**53, got {v}")
    return int(v)


def _get_real(cfg: Mapping[str, Any], key: str) -> float | None:
    v = cfg.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"config key {key!r} must be a number, got {type(v).__name__} {v!r}")
    try:
        x = float(v)
    except OverflowError:  # an integer beyond the double range
        x = math.inf
    if not math.isfinite(x) or x <= 0:
        raise _err(key, f"must be a finite positive number, got {v!r}")
    return x


def _theta(value: float | None, key: str) -> float:
    if value is None:
        return DEFAULT_THETA
    if not 1.0 < value <= MAX_BASE:
        raise _err(key, f"must be in (1, {MAX_BASE:g}], got {value!r}")
    return value


def _read(source: Any, download: bool = False) -> tuple[dict[str, Any], str]:
    if isinstance(source, Mapping):
        return dict(source), "<dict>"
    if callable(getattr(source, "to_dict", None)) and hasattr(source, "model_type"):
        # A transformers PretrainedConfig (duck-typed: transformers is optional). Its
        # to_dict() holds the resolved values (rope_parameters, defaults filled in).
        data = source.to_dict()
        if not isinstance(data, dict):
            raise TypeError(f"{type(source).__name__}.to_dict() did not return a dict")
        return data, f"<{type(source).__name__}>"
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(
            "load_config takes a path to config.json, a directory containing one, a Hub repo "
            f"id, a transformers PretrainedConfig or a dict; got {type(source).__name__}"
        )
    path = Path(source)
    if isinstance(source, str) and not path.exists() and _REPO_ID.match(source):
        path = _from_hub(source, download)
        source = str(path)
    if path.is_dir():
        path = path / "config.json"
        if not path.is_file():
            raise ConfigError(f"directory {str(Path(source))!r} has no config.json")
    if not path.exists():
        raise ConfigError(f"no such config file: {str(path)!r}")
    if not path.is_file():
        # A FIFO would block, /dev/zero never ends: only regular files are read.
        raise ConfigError(f"{str(path)!r} is not a regular file (a FIFO, device or socket)")
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{str(path)!r} is too large for a config file "
            f"({path.stat().st_size} bytes; at most {MAX_CONFIG_BYTES})"
        )
    try:
        # utf-8-sig: a leading byte-order mark (as some editors write) is skipped.
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text)
    except RecursionError:
        raise ConfigError(f"{str(path)!r}: JSON nested too deeply to be a config") from None
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError, int digit limit
        raise ConfigError(f"{str(path)!r} is not a JSON file: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{str(path)!r}: the top level must be a JSON object")
    return data, str(path)


def _from_hub(repo_id: str, download: bool) -> Path:
    """The ``config.json`` of a Hub repo: from the local cache, or fetched if ``download``."""
    huggingface_hub = _optional.huggingface_hub()
    if huggingface_hub is None:
        raise ConfigError(
            f"no such config file: {repo_id!r}; reading it as a Hub repo id needs "
            "huggingface_hub (pip install 'ropebound[hf]')"
        )
    try:
        got = huggingface_hub.hf_hub_download(repo_id, "config.json", local_files_only=not download)
    except Exception as exc:  # huggingface_hub's errors have no common public base
        where = "on the Hub" if download else "in the local Hugging Face cache"
        hint = "" if download else " (download=True / --download fetches it)"
        raise ConfigError(
            f"{repo_id!r} is neither a config file nor a repo {where}{hint}: "
            f"{type(exc).__name__}: {exc}"
        ) from None
    return Path(got)


def _mrope(raw: Any) -> tuple[Any, list[int] | None, bool]:
    """``raw`` without its M-RoPE keys, the section (None: no M-RoPE), interleaved or not.

    transformers reads ``{"type": "mrope", "mrope_section": ...}`` (Qwen2-VL) as default RoPE
    with sections; the sections only say which position id (time, height, width) each pair
    rotates by.
    """
    if not isinstance(raw, Mapping) or (
        raw.get("mrope_section") is None and _rope_kind(raw) != "mrope"
    ):
        return raw, None, False
    section = raw.get("mrope_section")
    if (
        not isinstance(section, list)
        or not section
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in section)
    ):
        raise _err("mrope_section", f"must be a list of non-negative integers, got {section!r}")
    interleaved = raw.get("mrope_interleaved") is True
    out = {k: v for k, v in raw.items() if k not in ("mrope_section", "mrope_interleaved")}
    for key in ("type", "rope_type"):
        if out.get(key) == "mrope":
            out[key] = "default"
    return out, list(section), interleaved


def _rope_kind(raw: Mapping[str, Any]) -> Any:
    return raw.get("rope_type", raw.get("type"))


def _temporal_layer(
    theta: float, scaling: Any, section: list[int], interleaved: bool, rotary_dim: int
) -> LayerRope:
    """The temporal axis of M-RoPE: along a video's time axis only its section rotates."""
    r_t = 2 * section[0]
    name = "mrope_temporal"
    if 2 * sum(section) != rotary_dim:
        raise _err(
            "mrope_section",
            f"the sections must cover the {rotary_dim // 2} rotary pairs, got {section}",
        )
    why = None
    if interleaved:
        why = (
            "interleaved M-RoPE: the temporal pairs are every third frequency, not a partial "
            "head of one base; the temporal axis is not checked"
        )
    elif scaling is not None:
        why = "M-RoPE with scaling: the temporal axis is not checked"
    elif r_t < 2:
        why = "the temporal section is empty"
    power = r_t / rotary_dim
    return LayerRope(
        name,
        theta**power if why is None else theta,
        None,
        rotary_dim=r_t if why is None else None,
        theta_power=power if why is None else 1.0,
        unchecked_reason=why,
    )


def _not_rope(cfg: Mapping[str, Any], fam: families.Family, notes: list[str]) -> RopeConfig:
    model_type = str(cfg.get("model_type"))
    notes.append(families.positions_note(model_type, fam, cfg))
    try:
        head_dim = _hidden_over_heads(cfg)
    except (ConfigError, TypeError):
        head_dim = 0  # the head size is irrelevant to a model without RoPE
    ctx = cfg.get("max_position_embeddings")
    return RopeConfig(
        model_type=model_type,
        head_dim=head_dim,
        rotary_dim=0,
        max_position_embeddings=ctx if isinstance(ctx, int) else None,
        layers=(),
        notes=tuple(notes),
        uses_rope=False,
    )


def _scaling_dict(
    raw: Any,
    key: str,
    cfg: Mapping[str, Any],
    max_pos: int | None,
    rotary_dim: int,
    notes: list[str],
) -> dict[str, Any] | None:
    """A validated, self-contained copy of a scaling dict (None for plain RoPE)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise TypeError(f"config key {key!r} must be an object (dict) or null, got {raw!r}")
    try:
        t = rope_type_of(raw)
    except ValueError as exc:
        raise ConfigError(f"config key {key!r}: {exc}") from exc
    if t == "default":
        return None
    out = {k: v for k, v in raw.items() if k not in ("type", "rope_theta")}
    out["rope_type"] = t
    if max_pos is not None:
        out.setdefault("max_position_embeddings", max_pos)
    if t in ("llama3", "yarn", "longrope"):
        top = cfg.get("original_max_position_embeddings")
        if top is not None:
            # transformers v5 (and Phi-3's v4 config class): the top-level value wins.
            out["original_max_position_embeddings"] = top
        elif out.get("original_max_position_embeddings") is None and max_pos is not None:
            out["original_max_position_embeddings"] = max_pos
            notes.append(
                f"{t}: no original_max_position_embeddings; using max_position_embeddings "
                f"{max_pos} (transformers v5 default)"
            )
    try:
        parse_scaling(out, rotary_dim)
    except ValueError as exc:
        raise ConfigError(f"config key {key!r}: {exc}") from exc
    except TypeError as exc:
        raise TypeError(f"config key {key!r}: {exc}") from exc
    return out


def _layer_counts(cfg: Mapping[str, Any]) -> dict[str, int] | None:
    types = cfg.get("layer_types")
    if isinstance(types, list) and all(isinstance(t, str) for t in types):
        counts: dict[str, int] = {}
        for t in types:
            counts[t] = counts.get(t, 0) + 1
        return counts
    pattern = cfg.get("sliding_window_pattern")
    n = cfg.get("num_hidden_layers")
    if isinstance(pattern, int) and isinstance(n, int) and pattern > 0:
        # Gemma 3: layer i is global iff (i + 1) % pattern == 0.
        full = n // pattern
        return {"full_attention": full, "sliding_attention": n - full}
    return None


def load_config(path_or_dict: Any, *, download: bool = False) -> RopeConfig:
    """Read the RoPE facts of a Hugging Face model config.

    Each ``model_type`` is read as its transformers config class reads it (key aliases such
    as GPT-J's ``n_embd``, legacy keys such as GPT-NeoX's ``rotary_pct``, the class's defaults,
    each with a note): see :mod:`ropebound.families`. A family without RoPE (GPT-2, BLOOM,
    MPT, ...) gives ``uses_rope=False`` and no layers.

    Parameters
    ----------
    path_or_dict : str, os.PathLike, dict or PretrainedConfig
        A ``config.json`` file, a directory containing one, the parsed dict, a transformers
        ``PretrainedConfig``, or a Hub repo id (``"owner/name"``) found in the local Hugging
        Face cache (with ``download=True``, fetched if absent; needs ``ropebound[hf]``).
    download : bool
        Fetch a Hub repo's ``config.json`` that is not in the local cache.

    Returns
    -------
    RopeConfig

    Raises
    ------
    ConfigError
        (a ``ValueError``) unreadable or non-JSON files, directories without config.json,
        missing or impossible values, unknown ``rope_type``; the message names the key.
    TypeError
        A value of the wrong type (the message names the key).

    Examples
    --------
    >>> from ropebound.config import load_config
    >>> rc = load_config({"hidden_size": 4096, "num_attention_heads": 32,
    ...                   "max_position_embeddings": 8192, "rope_theta": 500000.0})
    >>> rc.head_dim, rc.rotary_dim, rc.max_position_embeddings, rc.layers[0].rope_theta
    (128, 128, 8192, 500000.0)
    """
    download = check_bool(download, "download")
    return _normalise(_read(path_or_dict, download)[0])


def _normalise(cfg: dict[str, Any]) -> RopeConfig:
    notes: list[str] = []
    text = cfg.get("text_config")
    if text is not None:
        if not isinstance(text, Mapping):
            raise TypeError(f"config key 'text_config' must be an object, got {text!r}")
        outer_type = cfg.get("model_type")
        cfg = dict(text)
        if cfg.get("model_type") is None and outer_type is not None:
            cfg["model_type"] = outer_type
        notes.append("read the nested text_config (multimodal config)")
    cfg, family, family_notes = families.canonical(cfg)
    notes.extend(family_notes)
    if family is not None and not families.is_rope(family, cfg):
        return _not_rope(cfg, family, notes)
    model_type = cfg.get("model_type")
    if model_type is not None and not isinstance(model_type, str):
        raise TypeError(f"config key 'model_type' must be a string, got {model_type!r}")

    max_pos = _get_int(cfg, "max_position_embeddings")
    for alt in ("seq_length", "n_positions"):
        if max_pos is None and cfg.get(alt) is not None:
            max_pos = _get_int(cfg, alt)
            notes.append(f"context length from {alt!r} (no max_position_embeddings)")
    if max_pos is None:
        notes.append("no max_position_embeddings: the advertised context is unknown")
    elif max_pos > bounds.MAX_SEARCH_CONTEXT:
        raise _err(
            "max_position_embeddings",
            f"the context must be at most 2**40 (the minimal-base search's limit), got {max_pos}",
        )

    # ---- head and rotary dimensions ----
    is_glm = cfg.get("rope_ratio") is not None or model_type == "chatglm"
    theta_override: float | None = None
    if is_glm:
        hd = _get_int(cfg, "kv_channels")
        if hd is None:
            hd = _hidden_over_heads(cfg)
        if hd % 4 != 0:
            raise _err("kv_channels", f"rotary dim kv_channels // 2 must be even, got {hd}")
        head_dim, rotary_dim = hd, hd // 2
        ratio = _get_real(cfg, "rope_ratio") or 1.0
        theta_override = DEFAULT_THETA * ratio
        if not 1.0 < theta_override <= MAX_BASE:
            raise _err(
                "rope_ratio",
                f"the base 10000 * rope_ratio must be in (1, {MAX_BASE:g}], got {theta_override!r}",
            )
        notes.append(
            f"ChatGLM/GLM-4 remote code: rotary dim = kv_channels // 2 = {rotary_dim}, "
            f"base = 10000 * rope_ratio = {theta_override:g}"
        )
    elif cfg.get("qk_rope_head_dim") is not None:
        rope_d = _get_int(cfg, "qk_rope_head_dim")
        assert rope_d is not None
        nope_d = _get_int(cfg, "qk_nope_head_dim") or 0
        head_dim, rotary_dim = rope_d + nope_d, rope_d
        notes.append(
            f"MLA (DeepSeek): RoPE on qk_rope_head_dim = {rope_d} of a {head_dim}-dim "
            f"query/key head; the {nope_d} unrotated dims add {nope_d // 2} to every B_m "
            "(transformers sets head_dim := qk_rope_head_dim for the rotary part)"
        )
    else:
        hd_raw = cfg.get("head_dim")
        if hd_raw is None:
            head_dim = _hidden_over_heads(cfg)
        else:
            head_dim = _get_int(cfg, "head_dim") or 0
        rotary_dim = head_dim
        if cfg.get("rotary_dim") is not None:  # GPT-J / old phi-msft key
            rotary_dim = _get_int(cfg, "rotary_dim") or 0
    # partial_rotary_factor: top level (v4) or inside rope_parameters (v5)
    params = cfg.get("rope_parameters")
    prf = _get_real(cfg, "partial_rotary_factor")
    if prf is None and isinstance(params, Mapping) and "partial_rotary_factor" in params:
        prf = _get_real(params, "partial_rotary_factor")
    if prf is not None and not is_glm:
        if prf > 1.0:
            raise _err("partial_rotary_factor", f"must be in (0, 1], got {prf}")
        rotary_dim = int(head_dim * prf)
    if head_dim < 2 or head_dim % 2 or head_dim > MAX_DIM:
        raise _err("head_dim", f"head dimension must be even and in [2, {MAX_DIM}], got {head_dim}")
    if rotary_dim < 2 or rotary_dim % 2 or rotary_dim > head_dim:
        raise _err(
            "partial_rotary_factor",
            f"rotary dim must be even, in [2, head_dim={head_dim}], got {rotary_dim}",
        )

    # ---- base and scaling, per layer type ----
    top_theta = _get_real(cfg, "rope_theta")
    if theta_override is not None:
        top_theta = theta_override
    elif top_theta is None and not (isinstance(params, Mapping) and "rope_theta" in params):
        notes.append(f"no rope_theta: using the default {DEFAULT_THETA:g}")
    layer_counts = _layer_counts(cfg)
    layer_types_list = cfg.get("layer_types")
    sliding = _get_int(cfg, "sliding_window")
    layers: list[LayerRope] = []

    def span_of(layer_type: str) -> int | None:
        if "sliding" in layer_type and sliding is not None:
            return sliding
        return None

    raw_key = "rope_parameters" if isinstance(params, Mapping) and params else "rope_scaling"
    raw, mrope_section, mrope_interleaved = _mrope(cfg.get(raw_key))
    per_type = (
        isinstance(raw, Mapping)
        and bool(raw)
        and all(isinstance(v, Mapping) for v in raw.values())
        and (
            (isinstance(layer_types_list, list) and set(raw) <= set(layer_types_list))
            or set(raw) <= {"full_attention", "sliding_attention", "chunked_attention"}
        )
    )
    if per_type:
        assert isinstance(raw, Mapping)
        for name in sorted(raw):
            sub = raw[name]
            theta = _theta(_get_real(sub, "rope_theta") or top_theta, f"{raw_key}.{name}")
            scaling = _scaling_dict(sub, f"{raw_key}.{name}", cfg, max_pos, rotary_dim, notes)
            layers.append(
                LayerRope(
                    name,
                    theta,
                    scaling,
                    None if layer_counts is None else layer_counts.get(name),
                    span_of(name),
                )
            )
    else:
        raw_theta = top_theta
        if isinstance(raw, Mapping) and raw.get("rope_theta") is not None:
            raw_theta = _get_real(raw, "rope_theta")
        theta = _theta(raw_theta, "rope_theta")
        scaling = _scaling_dict(raw, raw_key, cfg, max_pos, rotary_dim, notes)
        local = _get_real(cfg, "rope_local_base_freq")
        if local is not None:
            # Gemma 3 (v4 config): sliding layers use rope_local_base_freq, unscaled.
            counts = layer_counts or {}
            layers.append(
                LayerRope("full_attention", theta, scaling, counts.get("full_attention"), None)
            )
            layers.append(
                LayerRope(
                    "sliding_attention",
                    _theta(local, "rope_local_base_freq"),
                    None,
                    counts.get("sliding_attention"),
                    sliding,
                )
            )
            notes.append(
                "sliding_attention layers use rope_local_base_freq without scaling; "
                "full_attention layers use rope_theta and rope_scaling"
            )
        else:
            layers.append(_single_layer(cfg, theta, scaling, notes))
            if mrope_section is not None:
                temporal = _temporal_layer(
                    theta, scaling, mrope_section, mrope_interleaved, rotary_dim
                )
                layers.append(temporal)
                notes.append(
                    f"M-RoPE (mrope_section {mrope_section}"
                    + (", interleaved" if mrope_interleaved else "")
                    + f"): text tokens have equal time/height/width ids, so layer type "
                    f"'{layers[0].layer_type}' is plain RoPE over all {rotary_dim // 2} pairs; "
                    "'mrope_temporal' is a video's time axis, along which only the temporal "
                    f"section's {mrope_section[0]} pairs rotate"
                    + (
                        f" (a partial head of base rope_theta ** ({temporal.rotary_dim} / "
                        f"{rotary_dim}) = {temporal.rope_theta:.6g}; its minimal base is "
                        "given as a rope_theta)"
                        if temporal.unchecked_reason is None
                        else ""
                    )
                )
            if (
                sliding is not None
                and cfg.get("use_sliding_window") is not False
                and (max_pos is None or sliding < max_pos)
            ):
                notes.append(
                    f"sliding_window {sliding} is set: if every layer slides, distances "
                    f">= {sliding} never occur; the check uses the full context"
                )
    return RopeConfig(
        model_type=model_type,
        head_dim=head_dim,
        rotary_dim=rotary_dim,
        max_position_embeddings=max_pos,
        layers=tuple(layers),
        notes=tuple(notes),
    )


def _hidden_over_heads(cfg: Mapping[str, Any]) -> int:
    hidden = _get_int(cfg, "hidden_size")
    heads = _get_int(cfg, "num_attention_heads")
    if hidden is None or heads is None:
        missing = "hidden_size" if hidden is None else "num_attention_heads"
        raise _err(missing, "missing: needed for the head dim when head_dim is absent or null")
    return hidden // heads


def _single_layer(
    cfg: Mapping[str, Any], theta: float, scaling: dict[str, Any] | None, notes: list[str]
) -> LayerRope:
    nope = cfg.get("no_rope_layers")
    if isinstance(nope, list) and nope and all(x in (0, 1) for x in nope):
        # Llama 4: no_rope_layers[i] == 1 means layer i uses RoPE; those layers use chunked
        # attention of attention_chunk_size (transformers Llama4: chunked iff RoPE).
        n_rope = sum(int(x) for x in nope)
        chunk = _get_int(cfg, "attention_chunk_size")
        notes.append(
            f"{len(nope) - n_rope} of {len(nope)} layers are NoPE (no rotary); only the "
            f"{n_rope} RoPE layers are checked"
            + (f"; they attend in chunks of attention_chunk_size = {chunk}" if chunk else "")
        )
        return LayerRope("rope_layers", theta, scaling, n_rope, chunk)
    n = cfg.get("num_hidden_layers", cfg.get("num_layers"))
    return LayerRope("all", theta, scaling, n if isinstance(n, int) else None, None)


# --------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerTypeReport:
    r"""The decay-bound check of one layer type (see :func:`check_config`).

    Attributes
    ----------
    layer_type, num_layers, rope_theta, rope_type, scaling
        As in :class:`LayerRope`.
    head_dim, rotary_dim : int
        :math:`d` and :math:`r`.
    advertised_context : int or None
        ``max_position_embeddings``.
    context : int or None
        Distances checked are ``0 ... context-1``: the advertised context, capped by the
        layer type's sliding window / attention chunk.
    seq_len : int or None
        Sequence length used for dynamic / longrope frequencies (= ``context``).
    attention_factor : float
        cos/sin multiplier of yarn / longrope (does not change :math:`B_m`).
    max_context, max_context_float32 : int or None
        Smallest :math:`m` with :math:`B_m < 0` for the exact frequencies and for the
        float32 frequencies as transformers builds them; None if none below
        ``max_context_limit`` or not computed (see ``reasons``).
    min_base : float or None
        Smallest base (same scaling) with :math:`B_m \ge 0` for all :math:`m <` ``context``.
    min_base_certified : bool or None
    verdict : {"supported", "superficial", "unknown", "unchecked"}
        ``superficial``: some distance below ``context`` has :math:`B_m < 0` (exact
        frequencies); ``supported``: none has; ``unknown``: not decidable (missing data, or a
        solver feature not available), see ``reasons``; ``unchecked``: not checked up to the
        context (a scan ``limit`` below ``context`` found no :math:`B_m < 0`).
    reasons : tuple of str
        The numbers behind the verdict.
    """

    layer_type: str
    num_layers: int | None
    rope_theta: float
    rope_type: str
    scaling: dict[str, Any] | None
    head_dim: int
    rotary_dim: int
    advertised_context: int | None
    context: int | None
    seq_len: int | None
    attention_factor: float
    max_context: int | None
    max_context_float32: int | None
    max_context_limit: int | None
    min_base: float | None
    min_base_certified: bool | None
    verdict: str
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["reasons"] = list(self.reasons)
        return out


@dataclass(frozen=True)
class ConfigReport:
    """:func:`check_config`'s result: one :class:`LayerTypeReport` per layer type.

    ``verdict`` is ``superficial`` if any layer type is, else ``unknown`` if any is, else
    ``unchecked`` if any is, else ``supported``.

    Examples
    --------
    >>> import ropebound as rb
    >>> report = rb.check_config({"hidden_size": 4096, "num_attention_heads": 32,
    ...                           "max_position_embeddings": 4096}, min_base=False)
    >>> report.verdict, report.to_dict()["layer_types"][0]["max_context"]
    ('superficial', 1707)
    """

    source: str
    model_type: str | None
    head_dim: int
    rotary_dim: int
    max_position_embeddings: int | None
    layer_types: tuple[LayerTypeReport, ...]
    verdict: str
    notes: tuple[str, ...] = field(default=())

    @property
    def supported_context(self) -> tuple[int | None, bool]:
        """``(tokens, lower_bound)``: the context the model supports, as far as checked.

        The smallest over the layer types of: the first distance with :math:`B_m < 0`
        (``max_context``); the scan limit when none was found below it (then
        ``lower_bound`` is True: supported is at least that); the advertised context for a
        sliding-window or chunked layer type whose span is shorter and has no
        :math:`B_m < 0` below it (it never sees longer distances). ``(None, False)`` when
        no layer type gives a number.

        Examples
        --------
        >>> import ropebound as rb
        >>> report = rb.check_config({"hidden_size": 4096, "num_attention_heads": 32,
        ...                           "max_position_embeddings": 4096}, min_base=False)
        >>> report.supported_context
        (1707, False)
        """
        # (value, is_lower_bound) per layer type; the model supports the smallest.
        candidates: list[tuple[int, bool]] = []
        advertised = self.max_position_embeddings
        for layer in self.layer_types:
            span, first_negative = layer.context, layer.max_context
            if (
                advertised is not None
                and span is not None
                and span < advertised
                and (first_negative is None or first_negative >= span)
            ):
                # A sliding-window or chunked layer type never sees distances >= span, and
                # its B_m >= 0 below span: it does not limit the context.
                candidates.append((int(advertised), True))
            elif first_negative is not None:
                candidates.append((int(first_negative), False))
            elif layer.max_context_limit is not None:
                # No negative B_m below the scan limit: supported is at least the limit.
                candidates.append((int(layer.max_context_limit), True))
        return min(candidates) if candidates else (None, False)

    def format(self, name: str | None = None) -> str:
        """The verdict, one line per layer type with its reasons, and the notes.

        ``name`` heads the text (default ``source``).

        Examples
        --------
        >>> import ropebound as rb
        >>> report = rb.check_config({"hidden_size": 4096, "num_attention_heads": 32,
        ...                           "max_position_embeddings": 4096}, min_base=False)
        >>> print(report.format("llama2").splitlines()[0])
        llama2: superficial  (head_dim 128, rotary_dim 128, max_position_embeddings 4096)
        """
        lines = [
            f"{self.source if name is None else name}: {self.verdict}  "
            f"(head_dim {self.head_dim}, rotary_dim {self.rotary_dim}, "
            f"max_position_embeddings {self.max_position_embeddings})"
        ]
        for layer in self.layer_types:
            lines.append(
                f"  [{layer.layer_type}] rope_theta {layer.rope_theta:g}, "
                f"{layer.rope_type}: {layer.verdict}"
            )
            lines.extend(f"      - {reason}" for reason in layer.reasons)
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (``json.dumps`` works on it)."""
        return {
            "source": self.source,
            "model_type": self.model_type,
            "head_dim": self.head_dim,
            "rotary_dim": self.rotary_dim,
            "max_position_embeddings": self.max_position_embeddings,
            "verdict": self.verdict,
            "notes": list(self.notes),
            "layer_types": [lt.to_dict() for lt in self.layer_types],
        }


def _check_layer(
    rc: RopeConfig, layer: LayerRope, limit: int | None, want_min_base: bool
) -> LayerTypeReport:
    d = rc.head_dim
    r = rc.rotary_dim if layer.rotary_dim is None else layer.rotary_dim
    adv = rc.max_position_embeddings
    context = adv
    if layer.attention_span is not None:
        context = layer.attention_span if adv is None else min(adv, layer.attention_span)
    reasons: list[str] = []
    if layer.attention_span is not None and context is not None:
        reasons.append(f"attention span {layer.attention_span} caps the distances checked")
    t = layer.rope_type
    seq_len = context if t in ("dynamic", "longrope") else None
    af = attention_factor(layer.scaling)
    base = dict(
        layer_type=layer.layer_type,
        num_layers=layer.num_layers,
        rope_theta=layer.rope_theta,
        rope_type=t,
        scaling=layer.scaling,
        head_dim=d,
        rotary_dim=r,
        advertised_context=adv,
        context=context,
        seq_len=seq_len,
        attention_factor=af,
    )
    if context is None or layer.unchecked_reason is not None:
        return LayerTypeReport(
            **base,  # type: ignore[arg-type]
            max_context=None,
            max_context_float32=None,
            max_context_limit=None,
            min_base=None,
            min_base_certified=None,
            verdict="unknown",
            reasons=(
                layer.unchecked_reason
                or "the config gives no context length (max_position_embeddings)",
            ),
        )
    if layer.theta_power != 1.0:
        reasons.append(
            f"only {r // 2} of {d // 2} pairs rotate along this axis, with the frequencies of "
            f"a partial head of base {layer.rope_theta:.6g} = rope_theta ** {layer.theta_power:g}"
        )
    if t == "dynamic":
        reasons.append(
            f"dynamic NTK: frequencies at seq_len = {context}; shorter sequences use others"
        )
    if t == "longrope":
        assert layer.scaling is not None
        orig = layer.scaling["original_max_position_embeddings"]
        which = "long" if context > orig else "short"
        reasons.append(f"longrope: {which}_factor (seq_len {context} vs original {orig})")
    if (d - r) // 2 >= r // 2:
        reasons.append(
            f"{(d - r) // 2} unrotated pairs >= {r // 2} rotated ones: B_m >= 0 for every m "
            "and every base (each unrotated pair adds cos 0 = 1 to B_m)"
        )
    lim = limit if limit is not None else 2 * context
    # Unrotated pairs >= rotated ones prove B_m >= 0 at every distance, scanned or not.
    proven = (d - r) // 2 >= r // 2
    verdict = "unknown"
    m_f32: int | None = None
    b_min: float | None = None
    b_cert: bool | None = None
    selectors: dict[str, Any] = {"rotary_dim": r, "scaling": layer.scaling, "seq_len": seq_len}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", bounds.UncertifiedWarning)
        m_exact = bounds.max_context(layer.rope_theta, d, limit=lim, **selectors)
    unsettled = any(issubclass(w.category, bounds.UncertifiedWarning) for w in caught)
    if unsettled:
        reasons.append("some signs near zero could not be settled")
    elif m_exact is None and lim < context and not proven:
        # A scan that stopped before the context cannot support it.
        verdict = "unchecked"
        reasons.append(
            f"B_m >= 0 for every m < {lim} (exact frequencies), but the scan limit {lim} "
            f"is below the context {context}: not checked up to the context"
        )
    elif m_exact is None:
        verdict = "supported"
        reasons.append(f"B_m >= 0 for every m < {lim} (exact frequencies)")
    elif m_exact >= context:
        verdict = "supported"
        reasons.append(f"first B_m < 0 at m = {m_exact} >= context {context}")
    else:
        verdict = "superficial"
        reasons.append(f"first B_m < 0 at m = {m_exact} < context {context}")
    f32_computed = layer.rope_theta <= FLOAT32_MAX
    if f32_computed:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", bounds.UncertifiedWarning)
            m_f32 = bounds.max_context(
                layer.rope_theta, d, limit=lim, precision="float32", **selectors
            )
    else:
        # No float32 frequencies to scan: the base itself is no float32.
        reasons.append(
            f"float32 as implemented not computed: rope_theta {layer.rope_theta:.6g} overflows "
            f"float32 (max {FLOAT32_MAX:.4g})"
        )
    f32_superficial = m_f32 is not None and m_f32 < context
    parts_ways = f32_superficial != (verdict == "superficial")
    if f32_computed and verdict in ("supported", "superficial") and parts_ways:
        reasons.append(
            f"float32 as implemented parts ways: first B_m < 0 at {m_f32} vs exact {m_exact}"
        )
    if want_min_base:
        bb = bounds.min_base(context, d, **selectors)
        b_min = float(bb.base)
        b_cert = bool(bb.certified)
        if layer.theta_power != 1.0:
            # The axis's base is rope_theta ** power: report the rope_theta that gives it.
            b_min = b_min ** (1.0 / layer.theta_power)
        reasons.append(
            f"minimal base for context {context}: {b_min:.6g}"
            + (" (as rope_theta)" if layer.theta_power != 1.0 else "")
            + ("" if b_cert else " (not certified)")
        )
    return LayerTypeReport(
        **base,  # type: ignore[arg-type]
        max_context=m_exact,
        max_context_float32=m_f32,
        max_context_limit=lim,
        min_base=b_min,
        min_base_certified=b_cert,
        verdict=verdict,
        reasons=tuple(reasons),
    )


def check_config(
    path_or_dict: Any, *, limit: int | None = None, min_base: bool = True, download: bool = False
) -> ConfigReport:
    """Check a model config's advertised context against the RoPE decay bound.

    For every layer type: the frequencies the config implies
    (:func:`~ropebound.scaling.scaled_frequencies`, at ``seq_len = context`` for dynamic and
    longrope), the first distance with :math:`B_m < 0` below ``limit`` (default
    ``2 * context``; :func:`ropebound.max_context` with the layer type's ``scaling``,
    certified), the same under float32 "as implemented" arithmetic
    (``precision="float32"``), the minimal base for the context with the scaling held fixed
    (:func:`ropebound.min_base` with ``scaling=``, certified), and a verdict. Where the
    config lacks what a number needs (no context length), that number is ``None`` and the
    verdict ``"unknown"``, with a reason, never a guess.

    A model without RoPE (GPT-2's learned positions, BLOOM's and MPT's ALiBi) gets the verdict
    ``"not a RoPE model (learned / ALiBi positions)"`` and no layer types. M-RoPE (Qwen2-VL)
    gives the text reading (plain RoPE over all pairs) and a labelled ``mrope_temporal``
    entry, a video's time axis, which does not enter the overall verdict.

    Parameters
    ----------
    path_or_dict : str, os.PathLike, dict or PretrainedConfig
        As in :func:`load_config`.
    limit : int, optional
        Search limit of the max-context scan, in [1, 2**53]. Below the context, a scan
        that finds no :math:`B_m < 0` gives the verdict ``unchecked``, never ``supported``.
    min_base : bool
        Also compute the minimal base (the most expensive part).
    download : bool
        A Hub repo id not in the local Hugging Face cache: fetch its ``config.json`` with
        huggingface_hub (default False: nothing is fetched unless asked).

    Returns
    -------
    ConfigReport

    Examples
    --------
    >>> import ropebound as rb
    >>> report = rb.check_config({"hidden_size": 4096, "num_attention_heads": 32,
    ...                           "max_position_embeddings": 4096, "rope_theta": 10000.0})
    >>> report.verdict
    'superficial'
    >>> layer = report.layer_types[0]
    >>> layer.max_context, layer.max_context_float32, round(layer.min_base, 2)
    (1707, 1707, 26952.34)
    """
    if limit is not None:
        limit = check_int(limit, "limit")
        if not 1 <= limit <= MAX_DISTANCE:
            raise ValueError(f"limit must be an integer in [1, 2**53], got {limit}")
    min_base = check_bool(min_base, "min_base")
    download = check_bool(download, "download")
    cfg, source = _read(path_or_dict, download)
    rc = _normalise(cfg)
    if not rc.uses_rope:
        return ConfigReport(
            source=source,
            model_type=rc.model_type,
            head_dim=rc.head_dim,
            rotary_dim=0,
            max_position_embeddings=rc.max_position_embeddings,
            layer_types=(),
            verdict=families.NOT_ROPE,
            notes=rc.notes,
        )
    reports = tuple(_check_layer(rc, layer, limit, min_base) for layer in rc.layers)
    # M-RoPE's temporal axis is reported beside the text reading, not folded into it.
    verdicts = {rep.verdict for rep in reports if rep.layer_type != "mrope_temporal"}
    # The first of these that any layer type has; "supported" only when all are.
    overall = next(
        (v for v in ("superficial", "unknown", "unchecked") if v in verdicts), "supported"
    )
    return ConfigReport(
        source=source,
        model_type=rc.model_type,
        head_dim=rc.head_dim,
        rotary_dim=rc.rotary_dim,
        max_position_embeddings=rc.max_position_embeddings,
        layer_types=reports,
        verdict=overall,
        notes=rc.notes,
    )


# --------------------------------------------------------------------------------------------
# Shipped model configs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelEntry:
    """One entry of the shipped ``data/models.json`` (public model configs).

    ``config`` is the RoPE-relevant part of the model's ``config.json``; ``verified`` says
    whether every value was checked against a copy of the real config (see ``notes`` and
    ``source``).
    """

    name: str
    hf_repo: str
    config: dict[str, Any]
    verified: bool
    notes: str
    source: tuple[str, ...]

    def load(self) -> RopeConfig:
        return load_config(self.config)


def _models_json() -> dict[str, Any]:
    text = importlib.resources.files("ropebound").joinpath("data/models.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def models(*, include_incomplete: bool = False) -> list[ModelEntry]:
    """The shipped public model configs, in file order.

    Entries marked ``"incomplete": true`` (Phi-3-mini-128k-instruct: its LongRoPE factor
    lists are not transcribed) are skipped unless ``include_incomplete``.

    Examples
    --------
    >>> import ropebound as rb
    >>> entries = rb.models()
    >>> len(entries), sum(e.verified for e in entries)
    (76, 57)
    >>> len(rb.models(include_incomplete=True))
    77
    >>> entries[0].name, entries[0].hf_repo
    ('Llama-2-7B', 'meta-llama/Llama-2-7b-hf')
    """
    include_incomplete = check_bool(include_incomplete, "include_incomplete")
    out = []
    for m in _models_json()["models"]:
        if m.get("incomplete") and not include_incomplete:
            continue
        out.append(
            ModelEntry(
                name=m["name"],
                hf_repo=m["hf_repo"],
                config=m["config"],
                verified=bool(m.get("verified")),
                notes=m.get("notes", ""),
                source=tuple(m.get("source", ())),
            )
        )
    return out


def models_table() -> list[dict[str, Any]]:
    """One row per shipped model and layer type: the RoPE facts, for the CLI.

    A model without RoPE has one row, its ``layer_type``, ``rope_theta`` and ``rope_type`` None.

    Keys: ``name``, ``hf_repo``, ``verified``, ``layer_type``, ``head_dim``, ``rotary_dim``,
    ``rope_theta``, ``rope_type``, ``factor``, ``max_position_embeddings``,
    ``attention_span``.

    Examples
    --------
    >>> from ropebound.config import models_table
    >>> row = models_table()[0]
    >>> row["name"], row["head_dim"], row["rope_theta"], row["rope_type"]
    ('Llama-2-7B', 128, 10000.0, 'default')
    """
    rows = []
    for entry in models():
        rc = entry.load()
        if not rc.uses_rope:
            # One row all the same: a model without RoPE has no rope_theta or rope_type.
            rows.append(
                {
                    "name": entry.name,
                    "hf_repo": entry.hf_repo,
                    "verified": entry.verified,
                    "layer_type": None,
                    "head_dim": rc.head_dim,
                    "rotary_dim": 0,
                    "rope_theta": None,
                    "rope_type": None,
                    "factor": None,
                    "max_position_embeddings": rc.max_position_embeddings,
                    "attention_span": None,
                }
            )
        for layer in rc.layers:
            rows.append(
                {
                    "name": entry.name,
                    "hf_repo": entry.hf_repo,
                    "verified": entry.verified,
                    "layer_type": layer.layer_type,
                    "head_dim": rc.head_dim,
                    "rotary_dim": layer.rotary_dim or rc.rotary_dim,
                    "rope_theta": layer.rope_theta,
                    "rope_type": layer.rope_type,
                    "factor": None if layer.scaling is None else layer.scaling.get("factor"),
                    "max_position_embeddings": rc.max_position_embeddings,
                    "attention_span": layer.attention_span,
                }
            )
    return rows
