"""Where the versioned data files (``prompts/``, ``schemas/``) live.

In the repository they sit at the top level so they read as data, not code; a wheel
ships them inside the package as ``summarizer/_data/``. Both layouts are looked up
here so an installed package and a source checkout behave the same.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from summarizer.errors import ConfigError

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(kind: str) -> Path:
    for candidate in (_PACKAGE / "_data" / kind, _PACKAGE.parent / kind):
        if candidate.is_dir():
            return candidate
    raise ConfigError(f"summarizer's {kind}/ folder is missing from the installation")


def read_text(kind: str, name: str) -> str:
    path = data_dir(kind) / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
