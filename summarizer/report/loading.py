"""Read a ``summarizer run`` output folder back: the index, the report and each result.

Why the article text is re-loaded: a result envelope records the article's identity
(source path, SHA-256 of the cleaned text) but not the text itself, while the
evidence offsets point into that cleaned text. So the source file is loaded and
cleaned again with the same loader, and the fingerprint decides whether the offsets
still apply. A missing or changed source is not an error: the page says so and
lists the evidence without highlights.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.errors import ArticleError, ConfigError
from summarizer.input.loader import load_article

INDEX_NAME = "index.jsonl"
REPORT_NAME = "report.json"


@dataclass(frozen=True)
class ArticleText:
    """The cleaned text a result's offsets refer to, or why it is unavailable."""

    text: str | None
    note: str | None = None


@dataclass(frozen=True)
class Entry:
    """One input of the run: its index line and, when it produced one, its result."""

    line: dict[str, Any]
    result: dict[str, Any] | None
    problem: str | None = None

    @property
    def path(self) -> str:
        return str(self.line.get("path", ""))

    @property
    def status(self) -> str:
        return "failed" if self.problem else str(self.line.get("status", "unknown"))


def read_run(out_dir: Path) -> tuple[dict[str, Any], list[Entry]]:
    """``report.json`` (empty when absent) and one :class:`Entry` per index line."""
    index_path = out_dir / INDEX_NAME
    if not index_path.is_file():
        raise ConfigError(f"{out_dir}: no {INDEX_NAME}; is this a 'summarizer run' output folder?")
    report = _read_json(out_dir / REPORT_NAME) if (out_dir / REPORT_NAME).is_file() else {}
    if not isinstance(report, dict):
        report = {}
    return report, list(_entries(out_dir, index_path))


def _entries(out_dir: Path, index_path: Path) -> Iterator[Entry]:
    with open(index_path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield Entry({"path": f"{INDEX_NAME} line {number}"}, None, f"bad JSON: {exc}")
                continue
            output = line.get("output")
            if line.get("status") != "ok" or not output:
                yield Entry(line, None)
                continue
            try:
                result = _read_json(out_dir / output)
            except ConfigError as exc:
                yield Entry(line, None, str(exc))
                continue
            yield Entry(line, result)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not readable JSON: {exc}") from None


def article_text(result: dict[str, Any], candidates: list[Path]) -> ArticleText:
    """Re-load the cleaned text the result's offsets point into; see the module docstring.

    ``candidates`` are the paths to try in order (the recorded source first, then
    the same file under a folder the user named).
    """
    identity = result.get("article") or {}
    expected = identity.get("sha256")
    tried = [p for p in candidates if p]
    if not tried:
        return ArticleText(None, "The source article was not recorded, so it cannot be shown.")
    for path in tried:
        if not path.is_file():
            continue
        try:
            text = load_article(path).text
        except ArticleError as exc:
            return ArticleText(None, f"The source article could not be read again: {exc}")
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != expected:
            return ArticleText(
                None,
                f"The source article {path} has changed since the run, so the evidence "
                "offsets no longer apply; the quotes are listed without highlights.",
            )
        return ArticleText(text)
    return ArticleText(
        None,
        f"The source article is gone ({tried[0]}); the brief is shown without its text. "
        "Pass --articles INPUT_DIR to 'summarizer report' if it moved.",
    )
