"""Quotations that run across sentences: every sentence inside one has its speaker.

Why: news often opens a quote, runs it over two or three sentences, and names the
speaker only once ('"We will not pay. Not now, not ever," the minister said.' or
'She said: "We will not pay. Not now."'). The sentence splitter cuts the quote, and
only the sentence holding the speech verb was attributed; the others looked like the
article's own assertions. Quote marks are matched as written: a curly quote closes
only with a curly one, and straight quotes alternate.
"""

from __future__ import annotations

from .claims import Claim
from .sentences import Sentence

_OPEN = "“\""
_CLOSE = "”\""
# A quotation longer than this many sentences is more likely an unbalanced mark.
_MAX_RUN = 4


def _balance(s: str) -> int:
    """Open quotations left by ``s``: curly opens minus closes, straight ones by parity."""
    return (s.count("“") - s.count("”")) + (s.count('"') % 2)


def continue_quotes(
    text: str, sentences: list[Sentence], attributed: list[Claim], taken: set[int]
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
            if prev.text[:1] in _OPEN:
                opened = _balance(text[prev.start : here.start]) > 0
                if opened and _balance(text[prev.start : here.end]) <= 0:
                    run = list(sentences[k : c.sentence])
                break
            if any(q in prev.text for q in _OPEN + _CLOSE):
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
