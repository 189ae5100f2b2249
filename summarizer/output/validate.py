"""Parsing and validating a brief: JSON, then schema, then the checks a schema cannot express.

A schema can say that ``evidence`` is a string; only the article can say whether the
model really copied it. Grounding is what makes a brief verifiable, so every quote is
located in the cleaned article (tolerating whitespace, quote-mark and dash variants
that models and typesetters swap freely) and its character offsets recorded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from summarizer.output.schema import schema_errors

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)\n?\s*```", re.DOTALL)

# Characters that vary between an article and a model's copy of it without changing
# the quote: curly and straight quotes, the dash family, non-breaking spaces.
EQUIVALENT_CHARACTERS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2026": "...",
    }
)
# Evidence shorter than this cannot tie a claim to a place in the article.
MIN_EVIDENCE_WORDS = 3
_WRAPPING_QUOTES = "\"'\u201c\u201d\u2018\u2019 "


@dataclass(frozen=True)
class Span:
    claim_id: str
    start: int | None
    end: int | None
    match: str  # "exact", "normalized" or "none"

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "start": self.start,
            "end": self.end,
            "match": self.match,
        }


@dataclass
class Validation:
    """The outcome of checking one model answer against one article."""

    brief: dict[str, Any] | None
    # Problems that make the answer unusable (not JSON, schema violations).
    fatal: list[str] = field(default_factory=list)
    # Problems a re-ask should fix but that do not void the brief.
    grounding: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.fatal and not self.grounding

    @property
    def errors(self) -> list[str]:
        return self.fatal + self.grounding


class ArticleIndex:
    """The article text prepared once for repeated quote look-ups."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._normalized: tuple[str, list[int]] | None = None

    def _normalized_text(self) -> tuple[str, list[int]]:
        # Built on first need only: most quotes match exactly, and a cache hit
        # re-checks every quote, so the slow path must not run per article.
        if self._normalized is None:
            self._normalized = _normalize_with_offsets(self.text)
        return self._normalized

    def find(self, quote: str) -> tuple[int, int, str] | None:
        """``(start, end, how)`` of ``quote`` in the original text, or None."""
        candidate = quote.strip()
        if not candidate:
            return None
        start = self.text.find(candidate)
        if start >= 0:
            return start, start + len(candidate), "exact"
        needle, _ = _normalize_with_offsets(candidate.strip(_WRAPPING_QUOTES))
        needle = needle.strip()
        if not needle:
            return None
        normalized, offsets = self._normalized_text()
        at = normalized.find(needle)
        if at < 0:
            return None
        last = at + len(needle) - 1
        return offsets[at], offsets[last] + 1, "normalized"


def _normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Text with variants unified and whitespace collapsed, plus each char's origin."""
    chars: list[str] = []
    offsets: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        mapped = char.translate(EQUIVALENT_CHARACTERS)
        if mapped.isspace():
            if previous_space:
                continue
            mapped, previous_space = " ", True
        else:
            previous_space = False
        for piece in mapped:
            chars.append(piece)
            offsets.append(index)
    return "".join(chars), offsets


def parse_json(content: str) -> tuple[Any, str | None]:
    """The JSON value in a model's answer, tolerating code fences and raw newlines.

    Grammar-constrained servers can emit raw newlines inside strings and chatty
    models wrap JSON in Markdown, so both are accepted; anything else is an error
    message meant for the re-ask.
    """
    text = content.strip()
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    elif not text.startswith(("{", "[")):
        first, last = text.find("{"), text.rfind("}")
        if first >= 0 and last > first:
            text = text[first : last + 1]
    if not text:
        return None, "the answer was empty; a JSON object was expected"
    try:
        return json.loads(text, strict=False), None
    except json.JSONDecodeError as exc:
        return (
            None,
            f"the answer is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
        )


def validate_answer(content: str, index: ArticleIndex) -> Validation:
    value, problem = parse_json(content)
    if problem:
        return Validation(brief=None, fatal=[problem])
    errors = schema_errors(value, "summary")
    if errors:
        return Validation(brief=None, fatal=errors)
    return check_brief(value, index)


def check_brief(brief: dict[str, Any], index: ArticleIndex) -> Validation:
    """Grounding and cross-references of a schema-valid brief."""
    result = Validation(brief=brief)
    stakeholder_ids = [s["id"] for s in brief["stakeholders"]]
    claim_ids = [c["id"] for c in brief["key_claims"]]
    for kind, ids in (("stakeholder", stakeholder_ids), ("claim", claim_ids)):
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            result.grounding.append(f"duplicate {kind} ids: {', '.join(duplicates)}")
    known_stakeholders, known_claims = set(stakeholder_ids), set(claim_ids)
    for i, claim in enumerate(brief["key_claims"]):
        where = f"$.key_claims[{i}]"
        found = None
        if len(claim["evidence"].split()) < MIN_EVIDENCE_WORDS:
            # A word or a full stop is "found" in any article and verifies nothing.
            result.grounding.append(
                f"{where}.evidence: too short to verify ({claim['evidence']!r}); "
                f"quote at least {MIN_EVIDENCE_WORDS} words, a full sentence or clause"
            )
        else:
            found = index.find(claim["evidence"])
            if found is None:
                result.grounding.append(
                    f"{where}.evidence: not found in the article; copy a sentence exactly: "
                    f"{claim['evidence'][:120]!r}"
                )
        if found is None:
            result.spans.append(Span(claim["id"], None, None, "none"))
        else:
            result.spans.append(Span(claim["id"], *found))
        claimant = claim["claimant"]
        if claimant is not None and claimant not in known_stakeholders:
            result.grounding.append(
                f"{where}.claimant: {claimant!r} is not a stakeholder id "
                f"(known: {', '.join(stakeholder_ids) or 'none'})"
            )
    for i, item in enumerate(brief["uncertainty"]["items"]):
        for ref in item["claim_ids"]:
            if ref not in known_claims:
                result.grounding.append(
                    f"$.uncertainty.items[{i}].claim_ids: {ref!r} is not a key claim id"
                )
    return result


def drop_ungrounded(validation: Validation) -> list[str]:
    """Strict grounding: remove claims whose evidence is not in the article.

    Returns one warning per dropped claim; references to dropped claims are removed
    too so the brief stays self-consistent.
    """
    brief = validation.brief
    assert brief is not None
    ungrounded = {s.claim_id for s in validation.spans if s.match == "none"}
    if not ungrounded:
        return []
    brief["key_claims"] = [c for c in brief["key_claims"] if c["id"] not in ungrounded]
    for item in brief["uncertainty"]["items"]:
        item["claim_ids"] = [c for c in item["claim_ids"] if c not in ungrounded]
    validation.spans = [s for s in validation.spans if s.claim_id not in ungrounded]
    return [f"dropped claim {c}: evidence not found in the article" for c in sorted(ungrounded)]
