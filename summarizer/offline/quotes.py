"""Quotations that run across sentences: every sentence inside one has its speaker.

Why: news often opens a quote, runs it over two or three sentences, and names the
speaker only once ('"We will not pay. Not now, not ever," the minister said.' or
'She said: "We will not pay. Not now."'). The sentence splitter cuts the quote, and
only the sentence holding the speech verb was attributed; the others looked like the
article's own assertions. Quote marks are matched as written: a curly quote closes
only with a curly one, and straight quotes alternate.
"""

from __future__ import annotations

from .claims import CandidateClaim, certainty_of
from .sentences import Sentence
from .sources import same_length_quotes

_OPEN = "“\""
_CLOSE = "”\""
# A quotation longer than this many sentences is more likely an unbalanced mark.
_MAX_RUN = 4


def _balance(s: str) -> int:
    """Open quotations left by ``s``: curly opens minus closes, straight ones by parity."""
    s = same_length_quotes(s)
    return (s.count("“") - s.count("”")) + (s.count('"') % 2)


def continue_quotes(
    text: str, sentences: list[Sentence], attributed: list[CandidateClaim], taken: set[int]
) -> set[int]:
    """Stretch each attributed quote over the sentences it runs across.

    Returns the indexes of the sentences taken in, so they are not also offered as
    the article's own assertions.
    """
    covered: set[int] = set()
    used = set(taken)
    for c in attributed:
        if c.claimant is None and not c.attribution:
            continue
        here = sentences[c.sentence]
        run: list[Sentence] = []
        # Backward: the quotation opened at the start of an earlier sentence and closes
        # in this one ('"A. B," she said.').
        for k in range(c.sentence - 1, max(-1, c.sentence - 1 - _MAX_RUN), -1):
            prev = sentences[k]
            if prev.paragraph != here.paragraph or prev.heading or k in used:
                break
            if same_length_quotes(prev.text).lstrip()[:1] in _OPEN:
                opened = _balance(text[prev.start : here.start]) > 0
                if opened and _balance(text[prev.start : here.end]) <= 0:
                    run = list(sentences[k : c.sentence])
                break
            if any(q in same_length_quotes(prev.text) for q in _OPEN + _CLOSE):
                break
        # Forward: this sentence leaves a quotation open ('She said: "A. B."').
        if _balance(here.text) > 0:
            ahead: list[Sentence] = []
            for k in range(c.sentence + 1, min(len(sentences), c.sentence + 1 + _MAX_RUN)):
                nxt = sentences[k]
                if nxt.paragraph != here.paragraph or nxt.heading or k in used:
                    break
                ahead.append(nxt)
                if _balance(text[here.start : nxt.end]) <= 0:
                    run += ahead  # only a quotation that closes is taken in
                    break
        if not run:
            continue
        # One claim, one quotation: the evidence grows to the whole quote (still a
        # verbatim slice) instead of spending claim slots on its pieces.
        used.update(x.index for x in run)
        covered.update(x.index for x in run)
        if run[0].start < here.start:  # opened earlier: content starts at the quote
            c.content = (run[0].start, c.content[1])
        if run[-1].end > here.end:  # runs on: content ends with the quote
            c.content = (c.content[0], run[-1].end)
        c.evidence = (min(c.evidence[0], run[0].start), max(c.evidence[1], run[-1].end))
    return covered


# Sources that stand for whoever speaks the quotation they appear in ("I think", "we
# cannot"): inside quote marks they are the quoted speaker, not the author.
_SPEAKER_PRONOUNS = frozenset({"i", "we", "you"})


def _in_quote(text: str, c: CandidateClaim, sentences: list[Sentence]) -> bool:
    here = sentences[c.sentence]
    if c.source_span is None:
        return False
    # Open quotations between the paragraph's first sentence and the source.
    start = here.start
    for k in range(c.sentence - 1, -1, -1):
        if sentences[k].paragraph != here.paragraph:
            break
        start = sentences[k].start
    return _balance(text[start : c.source_span[0]]) > 0


def quoted_speakers(text: str, sentences: list[Sentence], claims: list[CandidateClaim]) -> None:
    """Give a quoted "I"/"we" the speaker of its quotation.

    Why: in '"I think we will win," Clinton said. "I believe it."' the second
    sentence's "I believe" is Clinton's, but it was attributed to "I". The speaker is
    the nearest named claimant of a quotation in the same or the previous paragraph.
    """
    named = [c for c in claims if c.claimant is not None and c.claimant.type == "person"]
    for c in claims:
        src = (c.attribution or "").lower().split()
        if not src or (src[0] not in _SPEAKER_PRONOUNS and src[-1] not in _SPEAKER_PRONOUNS):
            continue
        if len(src) > 3 or not _in_quote(text, c, sentences):
            continue
        para = sentences[c.sentence].paragraph
        near = [
            n for n in named
            if n is not c and para - 1 <= sentences[n.sentence].paragraph <= para
        ]
        if not near:
            continue
        best = min(near, key=lambda n: abs(n.sentence - c.sentence))
        c.claimant, c.attribution = best.claimant, best.attribution


def speakerless_quotes(
    text: str, sentences: list[Sentence], attributed: list[CandidateClaim], taken: set[int]
) -> list[CandidateClaim]:
    """Quotation paragraphs with no speaker of their own, given the previous one's.

    Why: news runs a quote on into the next paragraph and names the speaker once
    ('Clinton said: "We will win." / "We have the votes."'); the second paragraph
    opens with a quote mark and no speech verb, so it was neither attributed nor
    offered as the article's own assertion. Only a paragraph that opens with a quote
    mark, right after a paragraph with a named speaker, is taken; the quotation ends
    where its marks balance (at most ``_MAX_RUN`` sentences).
    """
    by_para: dict[int, list[CandidateClaim]] = {}
    for c in attributed:
        if c.claimant is not None and c.claimant.type == "person":
            by_para.setdefault(sentences[c.sentence].paragraph, []).append(c)
    out: list[CandidateClaim] = []
    prev_para: int | None = None
    k = 0
    while k < len(sentences):
        s = sentences[k]
        first_of_para = k == 0 or sentences[k - 1].paragraph != s.paragraph
        if s.heading or not first_of_para:
            if not s.heading:
                prev_para = s.paragraph
            k += 1
            continue
        speakers = by_para.get(prev_para) if prev_para is not None else None
        opens = same_length_quotes(s.text).lstrip()[:1] in _OPEN
        if speakers and opens and s.index not in taken:
            run = [s]
            while _balance(text[s.start : run[-1].end]) > 0 and len(run) < _MAX_RUN:
                nxt = k + len(run)
                if nxt >= len(sentences) or sentences[nxt].paragraph != s.paragraph:
                    break
                if sentences[nxt].index in taken:
                    break
                run.append(sentences[nxt])
            if _balance(text[s.start : run[-1].end]) <= 0:
                who = speakers[-1]
                span = (s.start, run[-1].end)
                verb = who.verb or "said"
                content = text[span[0] : span[1]]
                cert, cues = certainty_of(verb, who.attribution or "", content, False)
                out.append(
                    CandidateClaim(
                        s.index, span, span, verb, None, who.attribution, None,
                        who.claimant, cert, False, cues,
                    )
                )
                taken.update(x.index for x in run)
        prev_para = s.paragraph
        k += 1
    return out
