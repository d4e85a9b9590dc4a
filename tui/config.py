"""The user's settings file (who is coding) and the folder for what margin keeps of its own. Small
functions, created on first use."""

from __future__ import annotations

import json
import os
from pathlib import Path


def config_dir() -> Path:
    """The folder for margin's settings: $XDG_CONFIG_HOME/margin or ~/.config/margin."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "margin"


def state_dir() -> Path:
    """The folder for what margin keeps of its own (logs, the files it has checked):
    $XDG_STATE_HOME/margin or ~/.local/state/margin."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "margin"


def write_private_json(path: Path, data: object) -> None:
    """Write `data` as JSON to `path`, readable by its owner only (0600, its folder 0700),
    replacing the file at once (never half written). OSError when it cannot."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    os.replace(tmp, path)


def config_path() -> Path:
    """The settings file."""
    return config_dir() / "config.json"


def load_config() -> dict[str, str]:
    """The saved settings; empty when there are none or the file cannot be read."""
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def save_config(**values: str) -> None:
    """Merge `values` into the settings file (mode 0600), replacing it atomically."""
    write_private_json(config_path(), {**load_config(), **values})


def saved_coder() -> str | None:
    """The coder name saved in the settings file, if any."""
    name = load_config().get("coder", "").strip()
    return name or None
