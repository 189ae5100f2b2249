"""Line shapes of a pasted web page: the score of each line and the shapes of headers.

Why: page.py finds the article as the best run of lines; what it needs to know about
one line at a time lives here (prose or furniture, and how much; a date line, a
byline, a trailer heading, the site speaking to its reader), so each rule about a
line's shape sits in one place and page.py keeps to the page's structure.
"""

from __future__ import annotations

import re

from .lexicon import cue_alternation, phrases, word_set

CAPTION = re.compile(
    r"(?<!\w)(?:" + cue_alternation(phrases("caption_cues")) + r")(?!\w)",
    re.IGNORECASE,
)
_FURNITURE = re.compile(
    r"(?<!\w)(?:" + cue_alternation(phrases("furniture_cues")) + r")(?!\w)",
    re.IGNORECASE,
)
_CTA_OPENERS = word_set("cta_openers")
_READER = word_set("reader_address")
_SITE = word_set("site_voice")
# Quoted speech, which may address anyone ("“You have to be ready,” she said").
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»")
_TRAILER = re.compile(
    r"^\W*(?:" + cue_alternation(phrases("trailer_openers")) + r")(?!\w)",
    re.IGNORECASE,
)
# A dateline or timestamp line ("on Monday, November 18th, 2019 at 11:08 a.m.",
# "Published 10:02 GMT"): a clock time in a short line.
TIMESTAMP = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?|GMT|UTC|ET|BST|CET)?", re.I)
# A date line ("November 15, 2019", "by Ann Lee on 19.11.2019"): a year and a day number.
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_DAY = re.compile(r"(?<![\d,.])\b\d{1,2}\b(?!\d|,\d)")
# A clock time for sure ("9:38 pm", "11.08 GMT"), not a price ("$67.77") or a decimal.
_CLOCK = re.compile(
    r"(?<![\d$€£.,])\d{1,2}(?::\d{2}(?!\d)|\.\d{2}\s*(?:[ap]\.?m\b|GMT|UTC|CET|BST))", re.I
)
# A story header's date line is this short.
_MAX_DATELINE_WORDS = 10
# A wire or press-release dateline that opens a story: "BERLIN --", "DUBAI, United
# Arab Emirates —", "WASHINGTON (AP) -", or a line of its own ("BAAR, SWITZERLAND").
PLACE_OPENER = re.compile(
    r"^(?:[A-Z][A-Z.'’-]+ ?){1,3}(?:,(?: [A-Z][\w.'’-]*){1,3})?(?: \([^)]{1,30}\))? ?[—–-]"
)
PLACE_LINE = re.compile(r"^(?:[A-Z][A-Z.'’-]+ ?){1,3},(?: [A-Z][A-Z.'’-]+){1,3}$")
# A byline: "By Ann Lee", "Ann Lee @annlee".
BYLINE = re.compile(
    r"^(?:[Bb][Yy]\s+[A-Z][\w.'’-]*(?:\s+\S+){0,6}|[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3}\s*@\w+)$"
)
# Trailer headings are this short ("About Ascom", "Media contact").
MAX_TRAILER_WORDS = 6
_PROSE_END = re.compile(r"""[.!?]['"’”)\]]*\s*$""")
_TEASER_END = re.compile(r"(?:\.\.\.|…)\s*$")
_CUT_TEASER = re.compile(r"\s[A-Za-z][a-z]?(?:\.\.\.|…)\s*$")
_LINKISH = re.compile(r"[|»«›•@#]|https?://|www\.|\.com\b")
_HANDLE = re.compile(r"(?<![\w.])@\w|https?://|www\.")
QUOTES = "\"'“”‘’«„"
_PUNCT = "\"'“”‘’()[],.;:!?—–-"
# A prose line shorter than this counts only a little: one-line news paragraphs are
# common, but so are one-line teasers.
MIN_PROSE_WORDS = 12
# Notices, link lines and teasers are shorter than this.
MAX_NOTICE_WORDS = 25


SUBHEAD = -3.0


def line_score(line: str, repeats: int) -> float:
    """Positive for article prose (about its word count), negative for furniture."""
    words = len(line.split())
    if repeats > 1:
        return -2.0 * words
    if CAPTION.search(line):
        return -1.0 * max(words, 4)
    first = line.split()[0].lower().strip("\"'“‘(") if words else ""
    cue = _FURNITURE.search(line) is not None
    # An imperative to the reader: furniture when short, or at any length when it is
    # about subscribing, following or signing in (a promo box, not a quoted appeal).
    if (first in _CTA_OPENERS and (cue or words < 2 * MAX_NOTICE_WORDS)) or (
        words < 15 and TIMESTAMP.search(line)
    ):
        return -1.0 * max(words, 4)
    # A reader-addressed cue next to a handle or address ("... is out now. Follow him
    # on Twitter @ann"): the author box or promo under an article, up to a paragraph.
    if cue and words < 2 * MAX_NOTICE_WORDS and _HANDLE.search(line):
        return -1.0 * words
    # Notices, menus and teasers are short; a long paragraph that mentions a cookie
    # or a URL is prose about one.
    if words < MAX_NOTICE_WORDS and (
        _FURNITURE.search(line) or _TEASER_END.search(line) or _LINKISH.search(line)
    ):
        return -1.0 * max(words, 4)
    # A teaser cut inside a word ("announced only in Ma..."): no paragraph of prose ends
    # in half a word, whatever its length.
    if _CUT_TEASER.search(line):
        return -1.0 * words
    if not _PROSE_END.search(line):
        return SUBHEAD
    if words < MIN_PROSE_WORDS:
        return 0.5
    return float(words)


def addresses_reader(line: str) -> bool:
    """The site speaking to its reader ("please activate your subscription"), unquoted."""
    words = {w.strip(_PUNCT).lower() for w in _QUOTED.sub(" ", line).split()}
    return not words.isdisjoint(_READER) and not words.isdisjoint(_SITE)


def trailer_heading(line: str) -> bool:
    """A short heading that opens what follows an article ("About Ascom", "Related")."""
    line = line.strip()
    return (
        len(line.split()) <= MAX_TRAILER_WORDS
        and _TRAILER.match(line) is not None
        and (not _PROSE_END.search(line) or line.endswith(":"))
    )


def site_line(line: str) -> bool:
    """The site speaking to its reader, or a line opening on a call to action."""
    words = line.split()
    return addresses_reader(line) or (
        bool(words) and words[0].lower().strip(_PUNCT) in _CTA_OPENERS
    )


def is_header(line: str) -> bool:
    """A headline or byline over a date line; "(all times EST):" opens a live blog, a
    rule ("___") separates its updates."""
    line = line.rstrip()
    return not line.endswith(":") and any(c.isalpha() for c in line)


def dateline(line: str) -> bool:
    """A short date or timestamp line that is not the signature of an embedded post."""
    line = line.strip()
    if len(line.split()) > _MAX_DATELINE_WORDS or _PROSE_END.search(line):
        return False
    if line[:1] in "—–-" or "@" in line:  # "— Ann Lee (@ann) November 18, 2019": a tweet
        return False
    if "/" in line and _HANDLE.search(line):  # a link with a date in its path
        return False
    return bool(_CLOCK.search(line) or (_YEAR.search(line) and _DAY.search(line)))


def trigrams(line: str) -> set[tuple[str, str, str]]:
    words = [w.strip(_PUNCT).lower() for w in line.split()]
    words = [w for w in words if w]
    return set(zip(words, words[1:], words[2:], strict=False))
