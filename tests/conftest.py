"""Shared fixtures.

Tests that read the real corpora in ``../shared/data`` (beside the checkout, never
copied into the repo) use ``shared_data``; when the folder is absent they are
reported as skipped with the reason, which ``-ra`` prints.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "examples" / "seed-article.txt"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = REPO.parent / "shared" / "data"
    if not path.is_dir():
        pytest.skip(f"real corpora not found at {path} (see ../shared/data/README.md)")
    return path


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(autouse=True)
def isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test reads the developer's keys, config file or cache."""
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "SUMMARIZER_MODEL",
        "SUMMARIZER_CACHE",
        "SUMMARIZER_CONFIG",
        "SUMMARIZER_SERVER",
    ):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
