"""Page-dump detection: which lines of a copy-pasted web page are the article.

Why: pasted pages still carry navigation, teasers, captions and notices after cleaning,
and a brief quoting them is wrong even though the quote is verbatim. The signals are
the ones extractors such as jusText and boilerpipe use, not strings of particular
sites: prose lines are long and end like sentences; menus and teasers are short,
unpunctuated or end in "..."; site furniture repeats across the page and addresses
the reader; captions describe a picture. Each line gets a score (positive for prose,
negative for furniture) and the article is the run of lines with the highest total
(a maximum-sum segment), so one-line subheadings inside an article do not cut it.
On a clean article every line is prose and the segment is the whole text.
"""

from __future__ import annotations

import re
from collections import Counter

from .lexicon import cue_alternation, phrases, word_set
from .sentences import Sentence

_CAPTION = re.compile(
    r"(?<!\w)(?:" + cue_alternation(phrases("caption_cues")) + r")(?!\w)",
    re.IGNORECASE,
)
_FURNITURE = re.compile(
    r"(?<!\w)(?:" + cue_alternation(phrases("furniture_cues")) + r")(?!\w)",
    re.IGNORECASE,
)
_CTA_OPENERS = word_set("cta_openers")
_TRAILER = re.compile(
    r"^\W*(?:" + cue_alternation(phrases("trailer_openers")) + r")(?!\w)",
    re.IGNORECASE,
)
# A dateline or timestamp line ("on Monday, November 18th, 2019 at 11:08 a.m.",
# "Published 10:02 GMT"): a clock time in a short line.
_TIMESTAMP = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?|GMT|UTC|ET|BST|CET)?", re.I)
# Trailer headings are this short ("About Ascom", "Media contact").
_MAX_TRAILER_WORDS = 6
_PROSE_END = re.compile(r"""[.!?]['"’”)\]]*\s*$""")
_TEASER_END = re.compile(r"(?:\.\.\.|…)\s*$")
_CUT_TEASER = re.compile(r"\s[A-Za-z][a-z]?(?:\.\.\.|…)\s*$")
_LINKISH = re.compile(r"[|»«›•@#]|https?://|www\.|\.com\b")
# A prose line shorter than this counts only a little: one-line news paragraphs are
# common, but so are one-line teasers.
_MIN_PROSE_WORDS = 12
# Notices, link lines and teasers are shorter than this.
_MAX_NOTICE_WORDS = 25
# Below this many lines there is no page around the article to find.
_MIN_LINES = 8


_SUBHEAD = -3.0


def _line_score(line: str, repeats: int) -> float:
    """Positive for article prose (about its word count), negative for furniture."""
    words = len(line.split())
    if repeats > 1:
        return -2.0 * words
    if _CAPTION.search(line):
        return -1.0 * max(words, 4)
    first = line.split()[0].lower().strip("\"'“‘(") if words else ""
    if (first in _CTA_OPENERS and words < 2 * _MAX_NOTICE_WORDS) or (
        words < 15 and _TIMESTAMP.search(line)
    ):
        return -1.0 * max(words, 4)
    # Notices, menus and teasers are short; a long paragraph that mentions a cookie
    # or a URL is prose about one.
    if words < _MAX_NOTICE_WORDS and (
        _FURNITURE.search(line) or _TEASER_END.search(line) or _LINKISH.search(line)
    ):
        return -1.0 * max(words, 4)
    # A teaser cut inside a word ("announced only in Ma..."): no paragraph of prose ends
    # in half a word, whatever its length.
    if _CUT_TEASER.search(line):
        return -1.0 * words
    if not _PROSE_END.search(line):
        return _SUBHEAD
    if words < _MIN_PROSE_WORDS:
        return 0.5
    return float(words)


def furniture(text: str, sentences: list[Sentence]) -> set[int]:
    """Paragraph numbers that are page furniture, not article: empty for a plain article.

    Outside the best run of lines everything is furniture; inside it, lines that score
    as captions, notices, teasers or repeats are (a subheading is not).
    """
    paragraphs: dict[int, tuple[int, int]] = {}
    for s in sentences:
        lo, hi = paragraphs.get(s.paragraph, (s.start, s.end))
        paragraphs[s.paragraph] = (min(lo, s.start), max(hi, s.end))
    keys = sorted(paragraphs)
    if len(keys) < _MIN_LINES:
        return set()
    lines = [text[paragraphs[k][0] : paragraphs[k][1]] for k in keys]
    counts = Counter(line.strip().lower() for line in lines)
    scores = [_line_score(line, counts[line.strip().lower()]) for line in lines]
    # The line above a photo credit ("Courtesy of X", "Photo: Y") is its caption.
    for k in range(len(lines) - 1):
        credit = lines[k + 1].strip()
        if len(credit.split()) <= _MAX_TRAILER_WORDS and _CAPTION.search(credit):
            scores[k] = min(scores[k], -1.0 * max(len(lines[k].split()), 4))
    # A trailer heading in the page's second half ends the article there; a comment
    # thread (anywhere after the first quarter) does too.
    for k in range(len(lines) // 4, len(lines)):
        line = lines[k].strip()
        short = len(line.split()) <= _MAX_TRAILER_WORDS
        heading = k >= len(lines) // 2 and short and _TRAILER.match(line) and (
            not _PROSE_END.search(line) or line.endswith(":")
        )
        # A reader comment: a short "name says:" line over a timestamp line.
        comment = (
            short
            and line.endswith(":")
            and k + 1 < len(lines)
            and len(lines[k + 1].split()) < 15
            and _TIMESTAMP.search(lines[k + 1]) is not None
        )
        if heading or comment:
            scores[k:] = [min(v, -1.0) for v in scores[k:]]
            break
    best, first, last = float("-inf"), 0, 0
    run, run_start = 0.0, 0
    for k, value in enumerate(scores):  # Kadane: the maximum-sum run of lines
        if run <= 0:
            run, run_start = value, k
        else:
            run += value
        if run > best:
            best, first, last = run, run_start, k
    return {
        key
        for k, key in enumerate(keys)
        if not first <= k <= last or scores[k] < _SUBHEAD
    }
