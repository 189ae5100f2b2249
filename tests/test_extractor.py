"""The HTML extractor's import: one clear reason, the same for every page, never half-imported.

The failure is simulated the way lxml >= 5.2 without ``lxml_html_clean`` produces it:
``lxml.html.clean`` raising ImportError while trafilatura is being imported. It runs in
a subprocess so that the test's own interpreter keeps its working trafilatura.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from summarizer.input.extractor import html_extractor, missing_package

PAGE = (
    "<html><head><title>Council votes</title></head><body><article>"
    "<p>The council said on Monday that it will vote on the rail plan on Friday, "
    "after a long debate about the cost of the new line and its stations.</p>"
    "</article></body></html>"
)

# Installed before anything imports lxml.html.clean: the module then fails exactly as
# lxml 5.2's stub does when the separate package is missing.
BLOCK_LXML_CLEAN = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    class NoLxmlHtmlClean(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name in ("lxml.html.clean", "lxml_html_clean"):
                raise ImportError(
                    "lxml.html.clean module is now a separate project lxml_html_clean.\\n"
                    "Install lxml[html_clean] or lxml_html_clean directly."
                )
            return None

    sys.meta_path.insert(0, NoLxmlHtmlClean())
    for name in [n for n in sys.modules if n.startswith(("lxml", "trafilatura", "justext"))]:
        del sys.modules[name]
    """
)


def test_extractor_imports_when_installed():
    assert callable(html_extractor().extract)


def test_missing_package_names_what_to_install():
    stub = ImportError("lxml.html.clean module is now a separate project lxml_html_clean.")
    assert missing_package(stub) == "lxml_html_clean"
    assert missing_package(ModuleNotFoundError("x", name="trafilatura.core")) == "trafilatura"
    assert missing_package(ModuleNotFoundError("x", name="courlan.urlutils")) == "courlan"


def test_failed_import_gives_every_html_file_the_same_one_line_reason(tmp_path: Path):
    articles = tmp_path / "in"
    articles.mkdir()
    (articles / "a.html").write_text(PAGE, encoding="utf-8")
    (articles / "b.html").write_text(PAGE.replace("rail", "bus"), encoding="utf-8")
    (articles / "c.txt").write_text("Title\n\nThe mayor said the bridge will reopen.\n")
    out = tmp_path / "out"
    script = BLOCK_LXML_CLEAN + textwrap.dedent(
        f"""
        from summarizer.cli import main
        main(["run", {str(articles)!r}, "--out", {str(out)!r}, "--model", "offline",
              "--no-cache", "--quiet"])
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # not the checkout: "-c" puts the working directory on sys.path
    )
    assert proc.returncode == 1, proc.stderr  # documented: some items failed
    assert "Traceback" not in proc.stderr
    index = {
        entry["path"]: entry
        for entry in map(json.loads, (out / "index.jsonl").read_text().splitlines())
    }
    assert index["c.txt"]["status"] == "ok"  # the batch went on
    reasons = {index[name]["reason"] for name in ("a.html", "b.html")}
    assert len(reasons) == 1, reasons  # the second page is not "has no attribute 'extract'"
    (reason,) = reasons
    assert "pip install lxml_html_clean" in reason
    assert "\n" not in reason and "attribute" not in reason
    report = json.loads((out / "report.json").read_text())
    assert (report["ok"], report["failed"]) == (1, 2)
