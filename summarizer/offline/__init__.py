"""The embedded default "model": a deterministic, rule-based article analyzer.

It needs no API key, no network and no model download, and produces a brief valid
against ``schemas/summary.schema.json`` in a few milliseconds, so a newcomer gets a
useful (if literal) result on the first run. Every ``evidence`` string is a slice of
``article.text``; every ``claimant`` and ``claim_ids`` entry refers to an id present in
the same brief.
"""

from __future__ import annotations

from dataclasses import replace

from ..input.article import Article
from .claims import CandidateClaim, find_attributions
from .entities import Entity, build_index
from .groups import find_groups
from .page import furniture
from .quotes import continue_quotes, quoted_speakers, speakerless_quotes
from .salience import rank_stakeholders
from .sentences import split_sentences
from .statements import make_statement, unattributed_candidates
from .summary import headline, summarize
from .uncertainty import build_items, overall_level

__all__ = ["ANALYZER_NAME", "ANALYZER_VERSION", "analyze"]

ANALYZER_NAME = "summarizer-offline"
ANALYZER_VERSION = "1.3.0"

# How many key claims: one per WORDS_PER_CLAIM words of the article, at least
# MIN_CLAIMS and at most MAX_CLAIMS. Why by length: a flat 12 left most of a long
# report's who-said-what out (PolNeAR articles carry about one attribution per 30
# words), while a short item has few claims worth a line. Attributed claims fill the
# room first; the article's own assertions (the less precise half: about half of them
# are someone's claim in the annotation) fill at most PLAIN_EXTRA places beyond what
# a short brief needs.
WORDS_PER_CLAIM = 30
MIN_CLAIMS = 12
MAX_CLAIMS = 40
PLAIN_EXTRA = 8
MIN_PLAIN = 3
# The analyzer reads at most this many characters (about 80,000 words, ten times a
# long feature). Its cost is linear, about 3 s per MB of one-line text, so the cap is
# what keeps a 10 MB page dump to seconds; a brief of 12 claims is drawn from the
# opening anyway. Evidence offsets stay valid: the prefix is a slice of the text.
MAX_ANALYZED_CHARS = 500_000


def _select_claims(
    text: str, attributed: list[CandidateClaim], plain: list[CandidateClaim]
) -> list[CandidateClaim]:
    """Attributed claims first (named claimants, then earliest), lead sentences next."""
    for c in attributed:
        c.score = 3.0 + (1.0 if c.claimant is not None else 0.0) - 0.01 * c.sentence
        if c.certainty in ("denied", "disputed"):
            c.score += 0.5
    limit = min(MAX_CLAIMS, max(MIN_CLAIMS, len(text.split()) // WORDS_PER_CLAIM))
    chosen = sorted(attributed, key=lambda c: -c.score)[: limit - MIN_PLAIN]
    room = min(limit - len(chosen), max(PLAIN_EXTRA, MIN_CLAIMS - len(chosen)))
    chosen += sorted(plain, key=lambda c: (-c.score, c.sentence))[:room]
    chosen.sort(key=lambda c: (c.evidence[0], c.evidence[1]))
    for c in chosen:
        c.statement = make_statement(text, c)
    return chosen


def _stance(text: str, e: Entity, claims: list[CandidateClaim]) -> str | None:
    for c in claims:
        if c.claimant is e and c.verb_start is not None and c.content[1] > c.verb_start:
            words = text[c.verb_start : c.content[1]].split()
            s = " ".join(words[:25]) + (" …" if len(words) > 25 else "")
            return s.rstrip(".")
    return None


def _prefix(text: str) -> str:
    """``text`` cut to ``MAX_ANALYZED_CHARS`` at the last line or sentence break."""
    if len(text) <= MAX_ANALYZED_CHARS:
        return text
    cut = text[:MAX_ANALYZED_CHARS]
    for sep in ("\n", ". ", " "):
        k = cut.rfind(sep, MAX_ANALYZED_CHARS // 2)
        if k > 0:
            return cut[: k + (1 if sep != "\n" else 0)]
    return cut


def analyze(article: Article) -> dict:
    """Build a schema-valid brief for ``article`` from its cleaned text alone."""
    text = _prefix(article.text)
    sentences = split_sentences(text)
    junk = furniture(text, sentences)
    if junk:  # page furniture carries no claim: treat it like a heading
        sentences = [replace(s, heading=True) if s.paragraph in junk else s for s in sentences]
    index = build_index(text, sentences)
    attributed: list[CandidateClaim] = []
    for s in sentences:
        if not s.heading:
            attributed += find_attributions(text, s, index)
    taken = {c.sentence for c in attributed}
    taken |= continue_quotes(text, sentences, attributed, taken)
    quoted_speakers(text, sentences, attributed)
    attributed += speakerless_quotes(text, sentences, attributed, taken)
    plain = unattributed_candidates(text, sentences, taken, index)
    claims = _select_claims(text, attributed, plain)

    body = [s for s in sentences if not s.heading]
    lead_end = body[1].end if len(body) > 1 else (body[0].end if body else 0)
    groups = find_groups(index)
    ranked = rank_stakeholders(index.entities + groups, claims, index.headline, lead_end)
    sid = {id(e): f"s{k}" for k, e in enumerate(ranked, 1)}
    stakeholders = [
        {
            "id": sid[id(e)],
            "name": e.name,
            "type": e.type,
            "role": e.role,
            "stance": _stance(text, e, claims),
        }
        for e in ranked
    ]
    cid = {id(c): f"c{k}" for k, c in enumerate(claims, 1)}
    key_claims = [
        {
            "id": cid[id(c)],
            "statement": c.statement,
            "claimant": sid.get(id(c.claimant)) if c.claimant is not None else None,
            "attribution": c.attribution,
            "evidence": text[c.evidence[0] : c.evidence[1]],
            "certainty": c.certainty,
        }
        for c in claims
    ]
    items = build_items(text, sentences, claims, cid)
    return {
        "headline": headline(article.title, sentences),
        "summary": summarize(sentences, article.title),
        "stakeholders": stakeholders,
        "key_claims": key_claims,
        "uncertainty": {"overall": overall_level(items, claims), "items": items},
    }
