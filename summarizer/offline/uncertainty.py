"""Uncertainty items: what the article leaves unsettled, with the words that show it.

Every cue is copied from the article text (a regex match, case preserved), so a reader
can find it. ``overall`` is derived from the items by a fixed weighted count, see
:func:`overall_level`.
"""

from __future__ import annotations

import re

from .claims import CandidateClaim, hedge_cues
from .lexicon import (
    CONFLICT_CUES,
    DENIAL_CUES,
    MISSING_CUES,
    QUANTITY_WORDS,
    UNVERIFIED_CUES,
    cue_alternation,
)
from .sentences import Sentence


def _cue_re(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + cue_alternation(cues) + r")\b", re.IGNORECASE)


_CONFLICT = _cue_re(CONFLICT_CUES)
_DENIAL = _cue_re(DENIAL_CUES)
_MISSING = _cue_re(MISSING_CUES)
_UNVERIFIED = _cue_re(UNVERIFIED_CUES)
_NUMBER_PHRASE = re.compile(
    r"\b\d[\d,.]*(?:\s+(?:million|billion|thousand|hundred|per cent|percent))?"
    r"\s+[a-z][a-z-]+|\b\d[\d,.]*%"
)
_ANON_PHRASE = re.compile(
    r"\b(?:(?:[Aa]n?|[Oo]ne|[Tt]wo|[Ss]everal|[Ss]ome|[Oo]ther|[Uu]nnamed|[Aa]nonymous|"
    r"[Ss]enior|[Mm]ilitary|[Gg]overnment|[Ii]ntelligence|[Ww]estern|[Dd]iplomatic|"
    r"[Ss]ecurity|[Oo]fficial|[Ll]ocal|[Pp]olice)\s+)+"
    r"(?:sources?|officials?|reports|insiders?|aides?)\b"
)
_ASPECT_OF = re.compile(
    r"\b(?:regarding|about|over|on|concerning|of)\s+((?:the\s+)?(?:number|scale|size|extent|"
    r"figures?|toll|count|total)\s+of\s+[^,.;]+)",
    re.IGNORECASE,
)
_CLAUSE_PUNCT = re.compile(r"[;]|,(?!\d)")
_WEIGHTS = {
    "conflicting_reports": 3,
    "denial": 2,
    "unverified": 1,
    "speculation": 1,
    "anonymous_sourcing": 1,
    "missing_information": 1,
}


def _words(s: str, n: int) -> str:
    w = s.split()
    return " ".join(w[:n]) + (" …" if len(w) > n else "")


def _clause_around(text: str, s: Sentence, pos: int) -> str:
    """The comma-delimited clause of sentence ``s`` that contains offset ``pos``."""
    breaks = [m.start() for m in _CLAUSE_PUNCT.finditer(text, s.start, s.end)]
    left = max((b for b in breaks if b < pos), default=-1)
    right = min((b for b in breaks if b >= pos), default=s.end)
    lo = left + 1 if left != -1 else s.start
    hi = right
    return text[lo:hi].strip(" .")


def _unique(xs: list[str]) -> list[str]:
    out: list[str] = []
    for x in xs:
        if x and x not in out:
            out.append(x)
    return out


def _aspect_from(text: str) -> str:
    t = re.sub(r"^(?:that|claims? of|claims? that)\s+", "", text.strip(), flags=re.I)
    return _words(re.split(r"[,;:]", t)[0], 8)


def build_items(
    text: str, sentences: list[Sentence], claims: list[CandidateClaim], ids: dict[int, str]
) -> list[dict]:
    """All uncertainty items; ``ids`` maps ``id(claim)`` to its public id."""
    items: list[dict] = []
    body = [s for s in sentences if not s.heading]
    by_sentence: dict[int, list[CandidateClaim]] = {}
    for c in claims:
        by_sentence.setdefault(c.sentence, []).append(c)

    def cids(cs: list[CandidateClaim]) -> list[str]:
        return _unique([ids[id(c)] for c in cs if id(c) in ids])

    # 1. Conflicting reports: cue sentences; figures group into one item.
    conflict_sents = [(s, list(_CONFLICT.finditer(s.text))) for s in body]
    conflict_sents = [(s, ms) for s, ms in conflict_sents if ms]
    quantity, other = [], []
    for s, ms in conflict_sents:
        low = s.text.lower()
        if re.search(r"\d", s.text) or any(re.search(rf"\b{w}\b", low) for w in QUANTITY_WORDS):
            quantity.append((s, ms))
        else:
            other.append((s, ms))
    if quantity:
        # Cue sentences near the figures ("This discrepancy ...") belong to the same item.
        near = {p + d for s, _ in quantity for p in (s.paragraph,) for d in (-1, 0, 1)}
        quantity += [(s, ms) for s, ms in other if s.paragraph in near]
        quantity.sort(key=lambda x: x[0].index)
        other = [(s, ms) for s, ms in other if s.paragraph not in near]
        cues, clauses, related = [], [], []
        aspect = None
        for s, ms in quantity:
            cues += [m.group(0) for m in ms]
            cues += [m.group(0) for m in _NUMBER_PHRASE.finditer(s.text)]
            for m in ms:
                clauses.append(_clause_around(text, s, s.start + m.start()))
            am = _ASPECT_OF.search(s.text)
            if am and aspect is None:
                aspect = _words(re.split(r"\s+(?:that|which|who)\s+", am.group(1))[0], 8)
            related += by_sentence.get(s.index, [])
            # Attributed figures next to the cue ("a number of North Koreans have arrived").
            for c in claims:
                c_text = text[c.content[0] : c.content[1]].lower()
                if (
                    c.attribution
                    and abs(c.sentence - s.index) <= 1
                    and sentences[c.sentence].paragraph == s.paragraph
                    and (
                        re.search(r"\d", c_text)
                        or any(re.search(rf"\b{w}\b", c_text) for w in QUANTITY_WORDS)
                    )
                ):
                    related.append(c)
        related.sort(key=lambda c: c.evidence[0])
        figures = [c for c in cues if c[:1].isdigit()]
        clauses = sorted(_unique(clauses), key=lambda c: not re.search(r"\d", c))
        items.append(
            {
                "aspect": aspect
                or ("figures: " + ", ".join(figures[:2]) if figures else "conflicting accounts"),
                "description": "The article reports conflicting accounts: "
                + "; ".join(f"“{_words(c, 30)}”" for c in clauses[:3])
                + ".",
                "kind": "conflicting_reports",
                "cues": _unique(cues),
                "claim_ids": cids(related),
            }
        )
    for s, ms in other[:2]:
        clause = _clause_around(text, s, s.start + ms[0].start())
        items.append(
            {
                "aspect": _aspect_from(clause),
                "description": f"The article presents this as contested: “{_words(clause, 30)}”.",
                "kind": "conflicting_reports",
                "cues": _unique([m.group(0) for m in ms]),
                "claim_ids": cids(by_sentence.get(s.index, [])),
            }
        )

    # 2. Denials and disputes.
    for c in claims:
        if c.certainty not in ("denied", "disputed"):
            continue
        ev = text[c.evidence[0] : c.evidence[1]]
        cues = [m.group(0) for m in _DENIAL.finditer(ev)]
        if c.verb and c.verb not in cues and c.verb in ev:
            cues.insert(0, c.verb)
        who = c.claimant.name if c.claimant else (c.attribution or "A party")
        content = text[c.content[0] : c.content[1]]
        items.append(
            {
                "aspect": _aspect_from(content),
                "description": f"{who} {c.verb or 'disputes'} this: {_words(content, 30)}",
                "kind": "denial",
                "cues": _unique(cues),
                "claim_ids": cids([c]),
            }
        )

    # 3. Anonymous sourcing.
    anon = [c for c in claims if c.anonymous]
    anon_cues = _unique([m.group(0) for s in body for m in _ANON_PHRASE.finditer(s.text)])
    if anon or len(anon_cues) >= 2:
        attributions = _unique([c.attribution or "" for c in anon])
        items.append(
            {
                "aspect": "sourcing of key claims",
                "description": "Claims rest on unnamed sources: "
                + ", ".join(f"“{a}”" for a in (attributions or anon_cues)[:4])
                + ".",
                "kind": "anonymous_sourcing",
                "cues": _unique(anon_cues + attributions)[:8],
                "claim_ids": cids(anon),
            }
        )

    # 4. Unverified (explicit "reportedly", "unconfirmed", ...).
    unver = []
    for c in claims:
        ev = text[c.evidence[0] : c.evidence[1]]
        hits = [m.group(0) for m in _UNVERIFIED.finditer(ev)]
        if hits and c.certainty not in ("denied", "disputed"):
            unver.append((c, hits))
    if unver:
        items.append(
            {
                "aspect": _aspect_from(text[unver[0][0].content[0] : unver[0][0].content[1]]),
                "description": "The article marks these points as not independently verified.",
                "kind": "unverified",
                "cues": _unique([h for _, hs in unver for h in hs]),
                "claim_ids": cids([c for c, _ in unver]),
            }
        )

    # 5. Speculation: one item per speculative claim (the first four).
    for c in [c for c in claims if c.certainty == "speculative"][:4]:
        ev = text[c.evidence[0] : c.evidence[1]]
        cues = hedge_cues(ev)
        if not cues:
            continue
        content = text[c.content[0] : c.content[1]]
        src = f" according to {c.attribution}" if c.attribution else ""
        items.append(
            {
                "aspect": _aspect_from(content),
                "description": f"Hedged{src}: {_words(content, 30)}",
                "kind": "speculation",
                "cues": cues,
                "claim_ids": cids([c]),
            }
        )

    # 5b. Hedges elsewhere: a reader should see every hedged point, not only the four
    # speculative key claims above; one item gathers the article's other hedge cues.
    covered = {cue.lower() for item in items for cue in item["cues"]}
    hedged = [(s, [c for c in hedge_cues(s.text) if c.lower() not in covered]) for s in body]
    hedged = [(s, cs) for s, cs in hedged if cs]
    if hedged:
        items.append(
            {
                "aspect": "hedged statements in the article",
                "description": "The article hedges these points: "
                + "; ".join(f"“{_words(s.text, 20)}”" for s, _ in hedged[:3]),
                "kind": "speculation",
                "cues": _unique([c for _, cs in hedged for c in cs])[:20],
                "claim_ids": cids([c for s, _ in hedged for c in by_sentence.get(s.index, [])]),
            }
        )

    # 6. Missing information.
    for s in [s for s in body if _MISSING.search(s.text)][:2]:
        m = _MISSING.search(s.text)
        assert m is not None
        before = _clause_around(text, s, s.start + m.start())
        aspect = before.split(m.group(0))[0].strip() or before
        aspect = re.sub(r"^(?:while|although|but|and|though|as)\s+", "", aspect, flags=re.I)
        items.append(
            {
                "aspect": _words(aspect, 8),
                "description": f"The article leaves this open: “{_words(before, 30)}”.",
                "kind": "missing_information",
                "cues": [m.group(0)],
                "claim_ids": cids(by_sentence.get(s.index, [])),
            }
        )
    return items


def overall_level(items: list[dict], claims: list[CandidateClaim]) -> str:
    """Weighted count of items: conflicting 3, denial 2, every other kind 1.

    Each kind counts at most twice, so many hedges alone cannot make an article "high".
    Plus 1 when more than half the key claims are not confirmed. ``high`` when the
    score reaches 6 or the article has both conflicting reports and a denial;
    ``medium`` from 2; ``low`` below.
    """
    kinds = [i["kind"] for i in items]
    score = sum(_WEIGHTS[k] * min(2, kinds.count(k)) for k in set(kinds))
    if claims and sum(c.certainty != "confirmed" for c in claims) > len(claims) / 2:
        score += 1
    if score >= 6 or ("conflicting_reports" in kinds and "denial" in kinds):
        return "high"
    if score >= 2:
        return "medium"
    return "low"
