"""Where the configs of a batch audit are: ``config.json`` files below folders, and the models
downloaded into the local Hugging Face cache (no huggingface_hub needed to find them).
"""

from __future__ import annotations

import os
from pathlib import Path


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


def configs_below(folder: Path) -> list[Path]:
    """``folder/config.json`` if there is one, else every ``config.json`` below it, sorted.

    A model folder's own sub-folders (a processor's or a draft model's config) are not
    searched once the folder has its config.
    """
    own = folder / "config.json"
    if own.is_file():
        return [own]
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        if "config.json" in filenames:
            out.append(Path(dirpath) / "config.json")
            dirnames.clear()
    return out
