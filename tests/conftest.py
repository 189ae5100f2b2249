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
