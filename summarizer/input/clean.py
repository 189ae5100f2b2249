"""Boilerplate removal and whitespace normalisation for plain-text articles.

Why this exists: whatever survives cleaning reaches the prompt, costs tokens, and can be
quoted back by the model as "evidence". A teaser headline from a "Related Posts" block
that the model summarises as if it were part of the story is worse than useless, so the
cleaner removes the kinds of page furniture that copy-paste and scraping leave behind.

Why it is conservative: evidence quotes are matched verbatim against the cleaned text,
and a deleted article sentence can never be recovered downstream. Every rule therefore
matches a *whole line* (never part of a sentence), most rules only fire on short lines,
and characters inside kept lines are never rewritten except for whitespace, invisible
characters and Unicode NFC composition. Quotes, dashes and spelling stay as they were.

Why it is line-based and regex-only: a warm batch run cleans thousands of articles, so
cleaning must cost microseconds, not the milliseconds an HTML parser or a model would.
All patterns are compiled once at import time.

The rules are listed in :mod:`summarizer.input.boilerplate` (:data:`BOILERPLATE_PATTERNS`
for single lines, :data:`SECTION_HEADINGS` for headings that start a block of teasers); see
``docs/cleaning.md`` for the measured effect on real pages.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata

__all__ = [
    "BOILERPLATE_PATTERNS",
    "SECTION_HEADINGS",
    "Rule",
    "clean_text",
    "normalize_whitespace",
]


from summarizer.input.boilerplate import BOILERPLATE_PATTERNS, SECTION_HEADINGS, Rule

# How far through the text (by characters) a teaser heading must sit before everything
# after it is cut. Chosen on boilerplate-dev: see docs/cleaning.md.
TAIL_FRACTION = 0.5

_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
# Runs of 2+ horizontal blanks (incl. NBSP and the Unicode spaces) or any single tab.
_HSPACE = re.compile("[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}|\t")
_BLANKS = re.compile(r"\n{3,}")
_TRAILING_READ_MORE = re.compile(r"\s(?:Read more|Read More|READ MORE)\s*[.…»›→>]*$")
# A teaser's own headline: short, no sentence punctuation at the end.
_HEADLINE_LIKE = re.compile(r"[^\n]{1,160}(?<![.!?:;,\"”’')])")

# A navigation menu dumped as text: many consecutive one-to-three-word lines. Article
# lists of short items exist (FA Cup fixtures, a shopping list), hence a long minimum
# run that must also touch a line removed by a rule; 8 is the smallest run length that
# lost no gold line on boilerplate-dev (6 lost one, 3 lost four).
MENU_RUN = 8
_LABEL = re.compile(r"[^\s.!?;,]{1,20}(?: [^\s.!?;,]{1,20}){0,2}")

_RULES = BOILERPLATE_PATTERNS
# The distinct max_len values, ascending: a line of length n is checked against the
# rules whose max_len is at least n, as one combined pattern (see _rules_for_length).
_LENGTH_STEPS = sorted({rule.max_len for rule in _RULES})
_MAX_RULE_LEN = _LENGTH_STEPS[-1]


def normalize_whitespace(raw: str) -> str:
    """Whitespace and Unicode normalisation only, no boilerplate removal.

    Separate from :func:`clean_text` so callers that must keep every line (tests,
    evaluation) can still compare texts on the same footing.
    """
    # Most articles are plain ASCII, where only a few ASCII characters can need
    # work and a substring test is far cheaper than a regex scan of the whole text
    # (these scans were half of a batch run's cleaning time).
    ascii_only = raw.isascii()
    text = raw if ascii_only else _INVISIBLE.sub("", raw)
    if not ascii_only or "\r" in text or "\x0b" in text or "\x0c" in text:
        text = _NEWLINES.sub("\n", text)
    if not ascii_only and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if not ascii_only or "\t" in text or "  " in text:
        text = _HSPACE.sub(" ", text)
    return _squeeze_blank_lines("\n".join(line.strip() for line in text.split("\n")))


def _squeeze_blank_lines(text: str) -> str:
    if "\n\n\n" in text:
        text = _BLANKS.sub("\n\n", text)
    return text.strip("\n")


def _is_boilerplate(line: str) -> bool:
    n = len(line)
    if n > _MAX_RULE_LEN:
        return False
    return _rules_for_length(bisect.bisect_left(_LENGTH_STEPS, n)).fullmatch(line) is not None


@functools.cache
def _rules_for_length(step: int) -> re.Pattern[str]:
    """One alternation of every rule whose max_len is at least ``_LENGTH_STEPS[step]``.

    A full match of the alternation is a full match of one of its rules, so this
    equals trying the rules one by one, in one regex call instead of up to fifteen
    (that loop was a third of a warm rerun's cleaning time). Each rule keeps its own
    case sensitivity through a scoped inline flag.
    """
    floor = _LENGTH_STEPS[step]
    assert all(rule.pattern.flags & ~(re.IGNORECASE | re.UNICODE) == 0 for rule in _RULES)
    return re.compile(
        "|".join(
            f"(?{'i' if rule.pattern.flags & re.IGNORECASE else '-i'}:{rule.pattern.pattern})"
            for rule in _RULES
            if rule.max_len >= floor
        )
    )


def _drop_teaser_block(lines: list[str], start: int, keep: list[bool]) -> None:
    """Drop the teasers that follow a section heading at ``start``.

    A teaser is a headline-like line or a blurb that ends in "Read more"; the block
    ends at the first line that reads like article prose, because naive page dumps put
    such blocks in sidebars *before* the story too.
    """
    keep[start] = False
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if not line:
            continue
        if (
            _TRAILING_READ_MORE.search(line)
            or _HEADLINE_LIKE.fullmatch(line)
            or _is_boilerplate(line)
        ):
            keep[i] = False
        else:
            return


def _drop_menu_runs(lines: list[str], keep: list[bool], removed: list[bool]) -> None:
    """Drop runs of at least ``MENU_RUN`` short label lines that touch other furniture.

    Blank lines and lines already removed by a rule do not break a run. A run is only
    dropped when it contains such a removed line ("Home", "Search", "Facebook", ...):
    article lists (fixtures, line-ups) are also runs of short lines, but they do not sit
    among navigation widgets.
    """
    run: list[int] = []
    anchored = False
    for i, line in enumerate(lines):
        if not line:
            continue
        if removed[i]:
            anchored = True
            continue
        if len(line) <= 30 and _LABEL.fullmatch(line):
            run.append(i)
            continue
        if anchored and len(run) >= MENU_RUN:
            for j in run:
                keep[j] = False
        run = []
        anchored = False
    if anchored and len(run) >= MENU_RUN:
        for j in run:
            keep[j] = False


def clean_text(raw: str) -> str:
    """Remove news boilerplate lines and normalise whitespace; see the module docstring.

    Kept lines are returned verbatim (after whitespace/NFC normalisation), so character
    offsets of model quotes into the result are stable for identical input.
    """
    text = normalize_whitespace(raw)
    if not text:
        return ""
    lines = text.split("\n")
    keep = [True] * len(lines)
    total = len(text)
    pos = 0
    for i, line in enumerate(lines):
        here = pos
        pos += len(line) + 1
        if not line or not keep[i]:
            continue
        if len(line) <= 80 and SECTION_HEADINGS.fullmatch(line):
            if here >= total * TAIL_FRACTION:
                for j in range(i, len(lines)):
                    keep[j] = False
                break
            _drop_teaser_block(lines, i, keep)
            continue
        if _TRAILING_READ_MORE.search(line) or _is_boilerplate(line):
            keep[i] = False
    _drop_menu_runs(lines, keep, [not k for k in keep])
    return _squeeze_blank_lines("\n".join(line for line, k in zip(lines, keep, strict=True) if k))
