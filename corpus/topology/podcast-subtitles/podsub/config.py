"""Settings from config.yaml, with defaults for everything optional."""
from pathlib import Path

import yaml

DEFAULTS = {
    "asr": {"engine": "whisper", "size": "small"},
    "episodes_dir": "episodes",
    "output_dir": "subtitles",
}


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_config(path: str) -> dict:
    file = Path(path)
    if not file.exists():
        return _merge(DEFAULTS, {})
    with file.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return _merge(DEFAULTS, data)
