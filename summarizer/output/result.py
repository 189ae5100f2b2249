"""What a run returns: the validated brief in its envelope (``schemas/result.schema.json``)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypedDict

from summarizer.input.article import Article
from summarizer.output.validate import Span


class Stakeholder(TypedDict):
    id: str
    name: str
    type: Literal["person", "organization", "government", "country", "group", "other"]
    role: str | None
    stance: str | None


class Claim(TypedDict):
    id: str
    statement: str
    claimant: str | None
    attribution: str | None
    evidence: str
    certainty: Literal["confirmed", "reported", "claimed", "disputed", "denied", "speculative"]


class UncertaintyItem(TypedDict):
    aspect: str
    description: str
    kind: str
    cues: list[str]
    claim_ids: list[str]


class Uncertainty(TypedDict):
    overall: Literal["low", "medium", "high"]
    items: list[UncertaintyItem]


class Brief(TypedDict):
    headline: str
    summary: str
    stakeholders: list[Stakeholder]
    key_claims: list[Claim]
    uncertainty: Uncertainty


RESULT_SCHEMA_VERSION = "1.0.0"


@dataclass(frozen=True)
class Result:
    """One article's validated brief with provenance.

    ``to_dict()`` is exactly what the CLI writes and what ``result.schema.json``
    describes.
    """

    article: Article
    brief: Brief
    evidence_spans: list[Span]
    provenance: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def headline(self) -> str:
        return self.brief["headline"]

    @property
    def summary(self) -> str:
        """Deprecated: ``to_dict()["summary"]`` is the whole brief, so this name misled;
        use ``result.brief["summary"]`` for the summary text."""
        warnings.warn(
            'Result.summary is deprecated: use result.brief["summary"] (the summary text) '
            "or result.brief (what to_dict()['summary'] holds)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.brief["summary"]

    @property
    def key_claims(self) -> list[Claim]:
        return self.brief["key_claims"]

    @property
    def stakeholders(self) -> list[Stakeholder]:
        return self.brief["stakeholders"]

    @property
    def uncertainty(self) -> Uncertainty:
        return self.brief["uncertainty"]

    @property
    def cache_hit(self) -> bool:
        return bool(self.provenance.get("cache_hit"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "result_schema_version": RESULT_SCHEMA_VERSION,
            "article": self.article.identity(),
            "summary": self.brief,
            "evidence_spans": [span.to_dict() for span in self.evidence_spans],
            "provenance": self.provenance,
            "warnings": list(self.warnings),
        }

    def for_article(self, article: Article, *, cache_hit: bool) -> Result:
        """The same brief reported for another path with identical cleaned text."""
        provenance = {**self.provenance, "cache_hit": cache_hit}
        # Warnings belong to each file: the other file's decoding warnings are not its own.
        own = [w for w in self.warnings if w not in self.article.warnings]
        warnings = list(article.warnings) + own
        return replace(self, article=article, provenance=provenance, warnings=warnings)

    @classmethod
    def from_dict(cls, payload: dict[str, Any], article: Article) -> Result:
        spans = [
            Span(s["claim_id"], s["start"], s["end"], s["match"]) for s in payload["evidence_spans"]
        ]
        return cls(
            article=article,
            brief=payload["summary"],
            evidence_spans=spans,
            provenance=dict(payload["provenance"]),
            warnings=list(payload["warnings"]),
        )
