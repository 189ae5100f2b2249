"""Key claims across parts: grounded in the whole article, deduplicated, chosen fairly.

Each part's claims carry evidence offsets into that part; adding the part's start
puts them in the whole article, and the evidence is replaced by the article's own
characters at that place, so every quote is verbatim at its offset even where the
model's copy differed in quote marks or spacing. Neighbouring parts overlap, so
the same claim can come twice: claims whose evidence overlaps, or whose
statements share most words, are one claim. The brief's claim limit is applied by
salience per part, in rounds (every part's best claim, then every part's second),
so the end of an article is never crowded out by its start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from summarizer.longform.settings import settings
from summarizer.longform.split import Part
from summarizer.output.result import Result

_WORD = re.compile(r"[a-z0-9][a-z0-9'’-]*")
_FIGURE = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(%|per ?cent)|\s+([A-Za-z]{3,}))"
)
# Figures of one unit compared with each new one: the most recent ones.
_MAX_SAME_UNIT = 200


@dataclass
class Candidate:
    """One part's claim placed in the whole article."""

    part: int
    rank: int
    claim: dict[str, Any]
    start: int
    end: int
    merged_into: Candidate | None = None
    pinned: bool = False
    words: frozenset[str] = field(default_factory=frozenset)

    @property
    def key(self) -> tuple[int, str]:
        return self.part, self.claim["id"]

    @property
    def salience(self) -> float:
        """Lower is more salient: the part's own order (models list what matters
        first), moved up for a claim someone makes (a brief is about who claims what)
        and for one the article disputes or denies (what is unsettled)."""
        bonus = settings().salience_bonus
        up = bonus.get(self.claim["certainty"], 0.0)
        up += bonus["claimant"] if self.claim["claimant"] is not None else 0.0
        return self.rank - up


def place_claims(
    text: str, parts: list[Part], results: list[Result]
) -> tuple[list[Candidate], list[str]]:
    """Every part's grounded claims with offsets in ``text``; warnings for the rest."""
    candidates: list[Candidate] = []
    warnings: list[str] = []
    for part, result in zip(parts, results, strict=True):
        spans = {span.claim_id: span for span in result.evidence_spans}
        for rank, claim in enumerate(result.brief["key_claims"]):
            span = spans.get(claim["id"])
            if span is None or span.start is None or span.end is None:
                warnings.append(
                    f"part {part.index + 1}: claim {claim['id']} left out of the merged brief: "
                    "its evidence is not in the article"
                )
                continue
            start, end = part.start + span.start, part.start + span.end
            placed = {**claim, "evidence": text[start:end]}
            words = frozenset(_WORD.findall(claim["statement"].lower()))
            candidates.append(Candidate(part.index, rank, placed, start, end, words=words))
    return candidates, warnings


def collapse_duplicates(candidates: list[Candidate]) -> list[Candidate]:
    """One claim per overlap duplicate: same evidence place, or nearly the same words."""
    threshold = settings().near_duplicate_overlap
    kept: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c.start, c.part)):
        twin = None
        for other in reversed(kept[-40:]):  # neighbours only: overlaps are local
            if abs(other.part - candidate.part) > 1:
                continue
            overlapping = candidate.start < other.end and other.start < candidate.end
            union = candidate.words | other.words
            similar = bool(union) and len(candidate.words & other.words) / len(union) >= threshold
            if overlapping or similar:
                twin = other
                break
        if twin is None:
            kept.append(candidate)
        elif candidate.salience < twin.salience:
            kept[kept.index(twin)] = candidate
            twin.merged_into = candidate
        else:
            candidate.merged_into = twin
    return kept


def _figures(claim: Candidate, text: str) -> list[tuple[str, str, frozenset[str], str]]:
    """``(unit, value, subject words, exact figure text)`` found in a claim's evidence."""
    out = []
    evidence = text[claim.start : claim.end]
    stop = settings().name_stopwords
    for m in _FIGURE.finditer(evidence):
        unit = (m.group(2) or m.group(3) or "").lower().replace(" ", "")
        if unit in stop or unit in ("and", "the", "was", "were", "are", "has", "had"):
            continue
        before = evidence[max(0, m.start() - 60) : m.start()].lower()
        after = evidence[m.end() : m.end() + 60].lower()
        nearby = _WORD.findall(before + " " + after)
        subject = frozenset(w for w in nearby if len(w) > 3 and not w[0].isdigit())
        out.append((unit, m.group(1).replace(",", ""), subject, m.group(0)))
    return out


def find_conflicts(
    candidates: list[Candidate], text: str
) -> list[tuple[Candidate, Candidate, str, str]]:
    """Pairs of claims from different parts giving different figures for one thing:
    the same unit ("people", "%", "March") and a shared subject word nearby."""
    limit = settings().max_conflicts
    seen: dict[str, list[tuple[Candidate, str, frozenset[str], str]]] = {}
    conflicts: list[tuple[Candidate, Candidate, str, str]] = []
    paired: set[int] = set()
    for candidate in candidates:
        for unit, value, subject, figure in _figures(candidate, text):
            for other, other_value, other_subject, other_figure in seen.get(unit, []):
                if (
                    other.part != candidate.part
                    and other_value != value
                    and subject & other_subject
                    and id(other) not in paired
                    and id(candidate) not in paired
                ):
                    conflicts.append((other, candidate, other_figure, figure))
                    paired.update((id(other), id(candidate)))
                    if len(conflicts) >= limit:
                        return conflicts
            earlier = seen.setdefault(unit, [])
            earlier.append((candidate, value, subject, figure))
            if len(earlier) > _MAX_SAME_UNIT:  # bounded: a 10 MB article stays linear
                del earlier[0]
    return conflicts


def select_claims(candidates: list[Candidate], limit: int) -> list[Candidate]:
    """Pinned claims, then rounds over the parts by salience, in article order.

    A round with fewer places left than parts takes parts evenly spread over the
    article, first and last included, so a 100-part transcript's ten claims come
    from its whole length rather than from its first ten parts.
    """
    chosen = [c for c in candidates if c.pinned][:limit]
    by_part: dict[int, list[Candidate]] = {}
    for c in candidates:
        if not c.pinned:
            by_part.setdefault(c.part, []).append(c)
    queues = [sorted(q, key=lambda c: c.salience) for _, q in sorted(by_part.items())]
    depth = 0
    while len(chosen) < limit:
        available = [q for q in queues if depth < len(q)]
        if not available:
            break
        room = limit - len(chosen)
        if len(available) > room:
            step = (len(available) - 1) / max(room - 1, 1)
            available = [available[round(i * step)] for i in range(room)]
        chosen += [q[depth] for q in available]
        depth += 1
    return sorted(chosen, key=lambda c: (c.start, c.part))


def resolve(candidate: Candidate) -> Candidate:
    """The claim a duplicate was collapsed into."""
    while candidate.merged_into is not None:
        candidate = candidate.merged_into
    return candidate
