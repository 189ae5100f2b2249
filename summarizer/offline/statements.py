"""Claims as the brief states them, and the article's own assertions as candidates.

Kept apart from ``claims`` (which finds who said what) because these are the other
half of the key claims: sentences the article asserts itself, picked when there are
fewer attributed claims than room, and the one-line statement every claim gets.
"""

from __future__ import annotations

import re

from .claims import MODAL_HEDGES, QUOTE_OPEN, CandidateClaim, hedge_cues
from .entities import EntityIndex
from .sentences import Sentence

_OPINION = re.compile(
    r"\b(?:justified|crucial|must|should|cannot be overlooked|it is important|"
    r"it will be|evident|in this increasingly|complex web)\b",
    re.IGNORECASE,
)


def _shorten(s: str, n: int = 40) -> str:
    words = s.split()
    return s if len(words) <= n else " ".join(words[:n]) + " …"


def make_statement(text: str, c: CandidateClaim) -> str:
    """A neutral one-line rendering: who + verb + what, in the article's words."""
    content = text[c.content[0] : c.content[1]].strip()
    if c.attribution is None:
        return _shorten(content)
    who = (
        c.claimant.name if c.claimant is not None and c.claimant.type == "person" else c.attribution
    )
    who = who[:1].upper() + who[1:]
    if c.verb == "according to":
        return _shorten(f"According to {c.attribution}, {content[:1].lower()}{content[1:]}")
    if c.verb_start is not None and c.content[0] > c.verb_start:
        return _shorten(f"{who} {text[c.verb_start : c.content[1]].strip()}")
    return _shorten(f"{who} {c.verb}: {content}")


def unattributed_candidates(
    text: str, sentences: list[Sentence], taken: set[int], index: EntityIndex
) -> list[CandidateClaim]:
    """The article's own assertions: declarative body sentences with facts in them."""
    out: list[CandidateClaim] = []
    body = [s for s in sentences if not s.heading]
    for rank, s in enumerate(body):
        if s.index in taken:
            continue
        words = s.text.split()
        if not 6 <= len(words) <= 60 or s.text.rstrip().endswith("?"):
            continue
        if s.text.lstrip()[:1] in QUOTE_OPEN or _OPINION.search(s.text):
            continue
        if re.match(r"(?i)\s*(i|we|you)\b", s.text):
            continue
        cues = hedge_cues(s.text)
        low = s.text.lower()
        if any(c.lower() in MODAL_HEDGES or c.lower().startswith("suggest") for c in cues):
            cert = "speculative"
        elif any(w in low for w in ("reportedly", "reports", "reported", "estimated")):
            cert = "reported"
        else:
            cert = "confirmed"
        n_ents = len(index.in_span(s.start, s.end))
        score = 1.0 + 0.3 * min(n_ents, 4) + (0.5 if re.search(r"\d", s.text) else 0)
        if rank < 2:
            score += 2.0
        score -= rank * 0.02
        out.append(
            CandidateClaim(
                s.index,
                (s.start, s.end),
                (s.start, s.end),
                None,
                None,
                None,
                None,
                None,
                cert,
                False,
                cues,
                score,
            )
        )
    return out
