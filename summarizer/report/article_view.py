"""What one article page shows, computed from a result envelope and the cleaned text.

Kept apart from the templates so the page's facts (which claims are anonymous, which
stakeholders a claim mentions, the highlighted pieces) are plain Python that the
overview reuses and tests can check without a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from summarizer.report.markup import Piece, cue_ranges, evidence_highlights, pieces

ANONYMOUS_KIND = "anonymous_sourcing"
CONFLICT_KINDS = frozenset({"conflicting_reports", "denial"})
CONFLICT_CERTAINTIES = frozenset({"disputed", "denied"})


@cache
def _anonymous_pattern() -> re.Pattern[str]:
    raw = resources.files("summarizer.report").joinpath("data/anonymous_attribution.txt")
    phrases = [
        line.strip()
        for line in raw.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def anonymous_claim_ids(brief: dict[str, Any]) -> set[str]:
    """Claims resting on an anonymous or unnamed source.

    Either the brief itself says so (an ``anonymous_sourcing`` uncertainty item names
    the claim) or the claim has no named claimant and its attribution uses one of the
    phrases in ``data/anonymous_attribution.txt``.
    """
    found: set[str] = set()
    for item in brief.get("uncertainty", {}).get("items", []):
        if item.get("kind") == ANONYMOUS_KIND:
            found.update(item.get("claim_ids", []))
    pattern = _anonymous_pattern()
    for claim in brief.get("key_claims", []):
        attribution = claim.get("attribution") or ""
        if not claim.get("claimant") and attribution and pattern.search(attribution):
            found.add(claim["id"])
    return found


def has_conflict(brief: dict[str, Any]) -> bool:
    """True when the article reports conflicting accounts or a denial."""
    if any(c.get("certainty") in CONFLICT_CERTAINTIES for c in brief.get("key_claims", [])):
        return True
    items = brief.get("uncertainty", {}).get("items", [])
    return any(item.get("kind") in CONFLICT_KINDS for item in items)


@dataclass(frozen=True)
class ClaimView:
    id: str
    statement: str
    certainty: str
    claimant: str | None
    attribution: str | None
    evidence: str
    grounded: bool
    anonymous: bool


@dataclass(frozen=True)
class StakeholderView:
    id: str
    name: str
    type: str
    role: str | None
    stance: str | None
    claim_ids: tuple[str, ...]


@dataclass(frozen=True)
class ArticleView:
    """Everything the article template needs, already decided."""

    title: str
    source: str | None
    url: str | None
    url_href: str | None
    summary: str
    overall: str
    pieces: list[Piece] | None
    text_note: str | None
    claims: list[ClaimView]
    stakeholders: list[StakeholderView]
    uncertainty: list[dict[str, Any]]
    warnings: list[str]
    provenance: dict[str, Any]


def _safe_url(url: Any) -> str | None:
    """Only web links become links; anything else (``javascript:``) stays text."""
    if isinstance(url, str) and re.match(r"https?://", url, re.IGNORECASE):
        return url
    return None


def _mentioning(
    stakeholder: dict[str, Any], claims: list[tuple[dict[str, Any], str]]
) -> tuple[str, ...]:
    """Ids of the claims the stakeholder makes or is named in (``claims`` pairs each
    claim with its lower-cased statement, attribution and evidence)."""
    name = (stakeholder.get("name") or "").strip().lower()
    return tuple(
        claim["id"]
        for claim, haystack in claims
        if claim.get("claimant") == stakeholder.get("id") or (name and name in haystack)
    )


def build_article_view(result: dict[str, Any], text: str | None, note: str | None) -> ArticleView:
    brief = result.get("summary") or {}
    identity = result.get("article") or {}
    raw_claims = brief.get("key_claims", [])
    raw_stakeholders = brief.get("stakeholders", [])
    names = {s.get("id"): s.get("name") for s in raw_stakeholders}
    anonymous = anonymous_claim_ids(brief)
    items = brief.get("uncertainty", {}).get("items", [])
    highlights = evidence_highlights(result.get("evidence_spans", []), len(text or ""))
    grounded = {h.claim_id for h in highlights}
    claims = [
        ClaimView(
            id=c["id"],
            statement=c.get("statement", ""),
            certainty=c.get("certainty", "confirmed"),
            claimant=names.get(c.get("claimant")) or c.get("claimant"),
            attribution=c.get("attribution"),
            evidence=c.get("evidence", ""),
            grounded=c["id"] in grounded,
            anonymous=c["id"] in anonymous,
        )
        for c in raw_claims
    ]
    searchable = [
        (c, " ".join(str(c.get(k) or "") for k in ("statement", "attribution", "evidence")).lower())
        for c in raw_claims
    ]
    stakeholders = [
        StakeholderView(
            id=s.get("id", ""),
            name=s.get("name", ""),
            type=s.get("type", "other"),
            role=s.get("role"),
            stance=s.get("stance"),
            claim_ids=_mentioning(s, searchable),
        )
        for s in raw_stakeholders
    ]
    text_pieces = None
    if text is not None:
        cues = cue_ranges(text, (cue for item in items for cue in item.get("cues", [])))
        certainty_of = {c.id: c.certainty for c in claims}
        text_pieces = pieces(text, highlights, cues, certainty_of)
    return ArticleView(
        title=brief.get("headline") or identity.get("title") or identity.get("source") or "",
        source=identity.get("source"),
        url=identity.get("url"),
        url_href=_safe_url(identity.get("url")),
        summary=brief.get("summary", ""),
        overall=brief.get("uncertainty", {}).get("overall", ""),
        pieces=text_pieces,
        text_note=note,
        claims=claims,
        stakeholders=stakeholders,
        uncertainty=items,
        warnings=list(result.get("warnings", [])),
        provenance=result.get("provenance") or {},
    )
