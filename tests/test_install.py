"""Which copy of summarizer the tests exercise.

CI (``.ci/run``) installs the package non-editably and sets
``SUMMARIZER_EXPECT_INSTALLED=1``: the suite must then test the installed wheel (its
packaged ``_data/`` schemas and prompts included), not the checkout's source, or a
packaging mistake would pass CI and reach users.
"""

from __future__ import annotations

import os
from pathlib import Path

import summarizer
from summarizer.resources import data_dir

REPO = Path(__file__).resolve().parents[1]


def test_package_and_its_data_come_from_one_installation():
    package = Path(summarizer.__file__).resolve().parent
    for kind in ("schemas", "prompts"):
        found = data_dir(kind)
        assert found in (package / "_data" / kind, package.parent / kind), found
        assert any(found.iterdir())
    if os.environ.get("SUMMARIZER_EXPECT_INSTALLED"):
        assert package != REPO / "summarizer", f"summarizer imported from the checkout: {package}"
        assert "site-packages" in package.parts, package
        assert data_dir("schemas") == package / "_data" / "schemas"
