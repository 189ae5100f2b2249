"""Page-dump signals added in issue 17's second pass: each one's line is never quoted.

The page is made up; its article paragraphs are long prose, and each kind of furniture
sits where pages put it. A test per signal removes that signal's line from the page
only in what it checks, so a signal that stopped working fails its own test.
"""

from __future__ import annotations

import pytest
from test_offline import check_brief  # tests/ is on sys.path, as for openai_sim

from summarizer.input.article import Article
from summarizer.offline import analyze
from summarizer.offline.page import furniture
from summarizer.offline.sentences import split_sentences

PROSE = [
    "The city council voted on Tuesday to close the old harbour bridge for repairs, "
    "after engineers found cracks in two of its main supports during an inspection.",
    "Traffic will move to the ring road for at least six months, the council said, "
    "and buses will run every ten minutes between the two banks while work goes on.",
    "Shop owners near the bridge said they feared losing customers over the summer, "
    "when the harbour district usually has its busiest weeks of the year by far.",
    "The repairs will cost about four million euros, according to the council's own "
    "estimate, which it published together with the engineers' full report on Tuesday.",
    "Engineers said the cracks were not an immediate danger but would grow over the "
    "winter if left alone, and that the supports had not been replaced since the 1970s.",
]
CTA = "Listen to City Radio live at noon on weekdays or listen back here for the full story."
CAPTION = "Workers inspect the underside of the bridge during the morning low tide."
CREDIT = "Courtesy of Harbour Authority"
COMMENT = [
    "harbourfan says:",
    "November 19, 2019 at 3:43 pm",
    "This bridge should have been fixed ten years ago and everybody in town knew it well.",
]
VIDEO = (
    "Video: In this talk the chief engineer explains how the old supports were built "
    "and why they crack."
)
TEASER = (  # longer than a notice: only the word cut by "..." gives it away
    "Starting with the cheapest repair options for ageing harbour bridges across the "
    "country, engineers from four cities compare steel, concrete and timber, and the "
    "plans that were announced only in Ma..."
)
PROFILE = [
    "About City Radio",
    "City Radio is headquartered in the old town, employs around 300 people and "
    "broadcasts news in three languages to listeners across the whole region every day.",
]
PAGE = "\n\n".join(
    [
        "Bridge to close for repairs", PROSE[0], CAPTION, CREDIT, PROSE[1], CTA,
        *PROSE[2:4], VIDEO, PROSE[4], TEASER, *COMMENT, "Menu", "News", *PROFILE,
    ]
)


@pytest.mark.parametrize(
    "line",
    [CTA, CAPTION, VIDEO, TEASER, COMMENT[2], PROFILE[1]],
    ids=[
        "call-to-action", "caption-above-credit", "video-blurb", "teaser-cut-in-a-word",
        "comment-thread", "trailer-profile",
    ],
)
def test_furniture_line_is_detected_and_never_quoted(line: str) -> None:
    text = PAGE
    sentences = split_sentences(text)
    junk = furniture(text, sentences)
    para = {s.paragraph for s in sentences if s.text in line or line.startswith(s.text)}
    assert para and para <= junk, line
    article = Article(text=text, title=None)
    brief = analyze(article)
    check_brief(article, brief)
    assert not any(c["evidence"] in line or line in c["evidence"] for c in brief["key_claims"])


def test_article_prose_is_kept() -> None:
    sentences = split_sentences(PAGE)
    junk = furniture(PAGE, sentences)
    kept = {s.paragraph for s in sentences if any(s.text in p for p in PROSE)}
    assert kept and not kept & junk
