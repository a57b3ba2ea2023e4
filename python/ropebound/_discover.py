"""Where the configs of a batch audit are: ``config.json`` files below folders, and the models
downloaded into the local Hugging Face cache (no huggingface_hub needed to find them).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

#: A config.json larger than this is not a model config (real ones are a few KB).
MAX_SEARCHED_BYTES = 16 << 20


def hub_cache_dir() -> Path:
    """The Hub cache as huggingface_hub finds it: ``HF_HUB_CACHE``, else ``$HF_HOME/hub``,
    else ``$XDG_CACHE_HOME/huggingface/hub`` (``~/.cache`` when unset)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "huggingface" / "hub"


def hub_cache_configs(root: Path) -> list[tuple[str, Path]]:
    """``(repo id, config.json)`` of every model in a Hub cache folder, sorted by repo id.

    A model folder is ``models--<owner>--<name>``; its config is the one of the snapshot that
    ``refs/main`` names, else of the most recently written snapshot that has one.
    """
    if not root.is_dir():
        raise FileNotFoundError(f"no Hugging Face cache folder at {str(root)!r}")
    found = []
    for folder in sorted(root.glob("models--*")):
        repo = folder.name[len("models--") :].replace("--", "/", 1)
        snapshots = folder / "snapshots"
        ref = folder / "refs" / "main"
        candidates = []
        if ref.is_file():
            candidates.append(snapshots / ref.read_text("utf-8").strip() / "config.json")
        if snapshots.is_dir():
            others = [p for p in snapshots.glob("*/config.json") if p not in candidates]
            candidates += sorted(others, key=lambda p: p.stat().st_mtime, reverse=True)
        config = next((p for p in candidates if p.is_file()), None)
        if config is not None:
            found.append((repo, config))
    return found


def _is_model_config(path: Path) -> bool:
    """Whether a config.json found by a search is a model's (a JSON object naming its
    ``model_type`` or ``architectures``), not another tool's settings file."""
    try:
        if path.stat().st_size > MAX_SEARCHED_BYTES:
            return False
        data = json.loads(path.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False
    return isinstance(data, dict) and ("model_type" in data or "architectures" in data)


def configs_below(folder: Path) -> tuple[list[Path], int]:
    """``folder/config.json`` if there is one, else every model ``config.json`` below it.

    Returns the files, sorted, and how many other ``config.json`` files the search skipped
    (not JSON, or no ``model_type`` / ``architectures``: another tool's settings). The search
    does not enter hidden folders, follow links or cross into another file system (as
    ``find -xdev``), nor a model folder's own sub-folders once it has its config; the file
    system root is refused (a search of everything is never what is meant).
    """
    own = folder / "config.json"
    if own.is_file():
        return [own], 0
    resolved = folder.resolve()
    if resolved == Path(resolved.anchor):
        raise ValueError(
            f"{str(folder)!r} is the file system root and has no config.json: give a "
            "narrower folder to search"
        )
    device = resolved.stat().st_dev
    found: list[Path] = []
    skipped = 0
    for dirpath, dirnames, filenames in os.walk(resolved):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and (here / d).stat().st_dev == device
        )
        if "config.json" in filenames:
            cfg = here / "config.json"
            if _is_model_config(cfg):
                found.append(cfg)
                dirnames.clear()
            else:
                skipped += 1
    return found, skipped
