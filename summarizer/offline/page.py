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

from collections import Counter

from .pagelines import (
    BYLINE,
    CAPTION,
    MAX_TRAILER_WORDS,
    MIN_PROSE_WORDS,
    PLACE_LINE,
    PLACE_OPENER,
    QUOTES,
    SUBHEAD,
    TIMESTAMP,
    dateline,
    is_header,
    line_score,
    site_line,
    trailer_heading,
    trigrams,
)
from .sentences import Sentence

# A story's dateline or byline comes within this many lines of the run's start: what
# is above it is a deck, a summary box or a caption.
MAX_LEAD = 4
# A line is a restatement when this share of its word trigrams is in a longer line.
RESTATED = 0.5
# A promo or sign-up paragraph is at most this long.
MAX_BOX_WORDS = 60
# A trailer heading ends the article after this many prose lines of it.
MIN_ARTICLE_LINES = 3
# An author or company box under an article has at most this many paragraphs.
MAX_BOX_LINES = 2
# Below this many lines there is no page around the article to find.
MIN_LINES = 8


def restatements(lines: list[str]) -> set[int]:
    """Lines that mostly restate later, longer lines: a key-points box above a story.

    Why: a page repeats its story's opening sentences in a summary box above the text,
    shorter than the paragraphs it comes from. A copy below its source (a pull quote,
    a section summary) is left alone, as readers and annotators keep those, and so is
    a quotation (a pull quote, or the post the story quotes, may come first). Word
    trigrams make it one pass; a trigram in three or more lines is a template
    ("held in jail in lieu of"), not a copy, and does not count.
    """
    grams = [trigrams(line) for line in lines]
    lengths = [len(line.split()) for line in lines]
    seen: dict[tuple[str, str, str], list[int]] = {}
    for k, line_grams in enumerate(grams):
        for g in line_grams:
            where = seen.setdefault(g, [])
            if len(where) < 3:
                where.append(k)
    out = set()
    for k, line_grams in enumerate(grams):
        if lengths[k] < MIN_PROSE_WORDS or lines[k].lstrip()[:1] in QUOTES:
            continue  # a quote said twice is a pull quote or the post it quotes
        shared = sum(
            len(seen[g]) == 2 and seen[g][1] > k and lengths[seen[g][1]] >= lengths[k]
            for g in line_grams
        )
        if shared >= RESTATED * len(line_grams):
            out.add(k)
    # A box restates two points or more; one restated line is a deck or an abstract,
    # which the text keeps.
    return {k for k in out if k - 1 in out or k + 1 in out}


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
    if len(keys) < MIN_LINES:
        return set()
    lines = [text[paragraphs[k][0] : paragraphs[k][1]] for k in keys]
    counts = Counter(line.strip().lower() for line in lines)
    scores = [line_score(line, counts[line.strip().lower()]) for line in lines]
    # A page, not a plain article: some line is a menu, link, notice or repeat. Only a
    # page has story headers, summary boxes and boxes under the text to look for; a
    # plain article keeps its abstract, datelines and live-blog timestamps.
    page = any(v < SUBHEAD for v in scores)
    for k in restatements(lines) if page else ():
        scores[k] = min(scores[k], -1.0 * len(lines[k].split()))
    # The line above a photo credit ("Courtesy of X", "Ann Lee | Agency | Getty Images")
    # is its caption.
    for k in range(len(lines) - 1):
        credit = lines[k + 1].strip()
        words = [w for w in credit.split() if w not in "|/•·"]  # separators are no words
        if len(words) <= MAX_TRAILER_WORDS and CAPTION.search(credit):
            scores[k] = min(scores[k], -1.0 * max(len(lines[k].split()), 4))
    # A trailer heading in the page's second half ends the article there; a comment
    # thread (anywhere after the first quarter) does too.
    for k in range(len(lines) // 4, len(lines)):
        line = lines[k].strip()
        short = len(line.split()) <= MAX_TRAILER_WORDS
        heading = k >= len(lines) // 2 and trailer_heading(line)
        # A reader comment: a short "name says:" line over a timestamp line.
        comment = (
            short
            and line.endswith(":")
            and k + 1 < len(lines)
            and len(lines[k + 1].split()) < 15
            and TIMESTAMP.search(lines[k + 1]) is not None
        )
        if heading or comment:
            scores[k:] = [min(v, -1.0) for v in scores[k:]]
            break
    # A story header: a date line under a headline or byline (not under prose, as a
    # live blog's timestamps are). Articles carry theirs above the text, so no article
    # runs across one: the run before it is a teaser (a dek, a caption, the blurb of
    # another story) and the run after it is the story.
    breaks = {
        k
        for k in range(1, len(lines))
        if page
        and scores[k - 1] <= 0.5
        and is_header(lines[k - 1])
        and dateline(lines[k])
    }
    best, first, last = float("-inf"), 0, 0
    run, run_start = 0.0, 0
    for k, value in enumerate(scores):  # Kadane: the maximum-sum run of lines
        if k in breaks:
            run = 0.0
            continue
        if run <= 0:
            run, run_start = value, k
        else:
            run += value
        if run > best:
            best, first, last = run, run_start, k
    if page:
        first, last = _story_bounds(lines, scores, first, last)
    return {
        key
        for k, key in enumerate(keys)
        if not first <= k <= last or scores[k] < SUBHEAD
    }


def _story_bounds(lines: list[str], scores: list[float], first: int, last: int) -> tuple[int, int]:
    """The best run of a page trimmed to its story: header above, boxes below cut off."""
    # A dateline or byline in the run's first lines starts the story; a prose line
    # above it is a deck, a summary box, a caption or a headline that ends in a stop
    # (a short one is left alone).
    start = first
    for k in range(first + 1, min(first + MAX_LEAD, last)):
        line = lines[k].strip()
        if PLACE_OPENER.match(line) or PLACE_LINE.match(line):
            start = k
        elif dateline(line) or BYLINE.match(line):
            start = k + 1
    for k in range(first, start):
        if scores[k] >= MIN_PROSE_WORDS:
            scores[k] = -scores[k]
    # A trailer heading after the article has begun ends it, wherever it is on the page
    # (a long menu below can put an author box in the page's first half), if what
    # follows it in the run is box-sized.
    # A box is a heading and a paragraph or two; after a widget inside the text (a
    # "Trending" list) the article goes on for longer.
    total = sum(scores[k] >= MIN_PROSE_WORDS for k in range(first, last + 1))
    before = 0
    for k in range(first, last + 1):
        if before >= MIN_ARTICLE_LINES and trailer_heading(lines[k]):
            if total - before <= MAX_BOX_LINES:
                last = k - 1
            break
        before += scores[k] >= MIN_PROSE_WORDS
    # The article does not end on the site speaking to its reader: a run's last lines
    # that address the reader ("If you buy through this post...", "Please activate
    # your subscription") or tell them to do something ("Get access to..."), and the
    # short lines among them, are the box below it.
    end, site = last, False
    while end > first and (scores[end] <= 0.5 or site_line(lines[end])):
        if scores[end] > MAX_BOX_WORDS:  # an interview's answer, not a promo box
            break
        site = site or site_line(lines[end])
        end -= 1
    if site:
        last = end
    return first, last
