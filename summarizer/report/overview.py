"""The run overview's facts: one compact row per article and the cross-article indexes.

Why a compact data island instead of HTML rows: a 2,225-article run would make a
multi-megabyte table that the browser lays out before anything is usable. The rows
travel as short JSON arrays that the page's script sorts, filters and renders a
screenful at a time, so the index page stays small and opens at once.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from summarizer.report.article_view import anonymous_claim_ids, has_conflict
from summarizer.report.loading import Entry

# Column order of a row in the data island; index.js reads the same names from
# the island's "columns" list, so the order is defined here only.
COLUMNS = (
    "headline",
    "path",
    "page",
    "claims",
    "stakeholders",
    "uncertainty",
    "status",
    "reason",
    "conflict",
    "anonymous",
)


@dataclass
class Overview:
    """Totals and indexes gathered while the article pages are written."""

    rows: list[list[Any]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    conflicts: list[tuple[str, str, str]] = field(default_factory=list)
    claims: int = 0
    anonymous_claims: int = 0
    # Stakeholder name (case-folded) -> display name, article rows, claimant count.
    _names: dict[str, str] = field(default_factory=dict)
    _articles: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    _as_claimant: Counter[str] = field(default_factory=Counter)

    def add(self, entry: Entry, page: str | None) -> None:
        """Record one input: a row, and for a brief its claims and stakeholders."""
        result = entry.result
        if result is None:
            reason = entry.problem or str(entry.line.get("reason") or entry.status)
            self.rows.append([entry.path, entry.path, None, 0, 0, 0, entry.status, reason, 0, 0])
            if entry.status != "ok":
                self.failed.append((entry.path, reason))
            return
        brief = result.get("summary") or {}
        claims = brief.get("key_claims", [])
        stakeholders = brief.get("stakeholders", [])
        anonymous = anonymous_claim_ids(brief)
        conflict = has_conflict(brief)
        headline = brief.get("headline") or entry.path
        status = "duplicate" if entry.line.get("duplicate_of") else entry.status
        row_number = len(self.rows)
        self.rows.append(
            [
                headline,
                entry.path,
                page,
                len(claims),
                len(stakeholders),
                len(brief.get("uncertainty", {}).get("items", [])),
                status,
                entry.line.get("duplicate_of") or "",
                int(conflict),
                len(anonymous),
            ]
        )
        self.claims += len(claims)
        self.anonymous_claims += len(anonymous)
        if conflict and page:
            self.conflicts.append((headline, entry.path, page))
        claimant_ids = {c.get("claimant") for c in claims}
        for stakeholder in stakeholders:
            name = " ".join(str(stakeholder.get("name") or "").split())
            if not name:
                continue
            key = name.casefold()
            self._names.setdefault(key, name)
            if not self._articles[key] or self._articles[key][-1] != row_number:
                self._articles[key].append(row_number)
            if stakeholder.get("id") in claimant_ids:
                self._as_claimant[key] += sum(
                    1 for c in claims if c.get("claimant") == stakeholder.get("id")
                )

    @property
    def anonymous_share(self) -> float | None:
        return self.anonymous_claims / self.claims if self.claims else None

    def stakeholder_index(self) -> list[list[Any]]:
        """``[name, claimant count, [row numbers]]``, most widely reported first."""
        keys = sorted(self._articles, key=lambda k: (-len(self._articles[k]), self._names[k]))
        return [[self._names[k], self._as_claimant[k], self._articles[k]] for k in keys]

    def data_island(self) -> str:
        """The page's JSON, safe inside ``<script type="application/json">``."""
        payload = {
            "columns": COLUMNS,
            "rows": self.rows,
            "stakeholders": self.stakeholder_index(),
        }
        return json_for_script(payload)


def json_for_script(payload: Any) -> str:
    """JSON that cannot end its ``<script>`` element or open markup.

    ``<``, ``>`` and ``&`` become ``\\u003c``-style escapes, which JSON.parse reads back
    as the same characters, so ``</script>`` in an article is data, not a tag.
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
