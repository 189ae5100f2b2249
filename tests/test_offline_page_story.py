"""Where the story starts and ends on a page: one test per rule of the page-leak round.

The pages are made up, built the way news pages put these shapes: a menu above, the
story, and a teaser list, an author box or a promo below. Each test checks that its
shape is furniture (so it fails if its rule is removed) and, where a rule could
overreach, that the article's own lines are kept.
"""

from __future__ import annotations

from test_offline import check_brief  # tests/ is on sys.path, as for openai_sim
from test_offline_page import PROSE  # the same article paragraphs as the first page tests

from summarizer.input.article import Article
from summarizer.offline import analyze
from summarizer.offline.page import furniture, restatements
from summarizer.offline.pagelines import dateline
from summarizer.offline.sentences import split_sentences

MENU = ["Home", "News | Sport | Weather", "Local", "Business", "Opinion"]
HEADLINE = "Harbour bridge to close for repairs"
FOOTER = ["Contact us", "Privacy policy | Terms", "Careers"]


def _page(*parts: str) -> str:
    return "\n\n".join(parts)


def _junk_lines(text: str) -> set[str]:
    sentences = split_sentences(text)
    junk = furniture(text, sentences)
    return {s.text for s in sentences if s.paragraph in junk}


def _assert_furniture(text: str, line: str, kept: list[str] = PROSE) -> None:
    junk = _junk_lines(text)
    sentences = split_sentences(text)
    mine = {s.text for s in sentences if s.text in line}
    assert mine and mine <= junk, line
    assert not {s.text for s in sentences if any(s.text in p for p in kept)} & junk
    article = Article(text=text, title=None)
    brief = analyze(article)
    check_brief(article, brief)
    assert not any(c["evidence"] in line for c in brief["key_claims"])


def test_teaser_list_under_story_headers_is_furniture() -> None:
    """Headline, byline, date line, blurb: another story's header; no article spans one."""
    blurb = (
        "The ferry company said on Monday that it will add two crossings a day to the "
        "timetable from March, after complaints about crowded boats at rush hour."
    )
    text = _page(
        *MENU, HEADLINE, *PROSE,
        "Ferry timetable to change in spring", "Ann Lee", "Monday November 18, 2019",
        blurb,
        "Museum reopens after two years", "Tom Berg", "Sunday November 17, 2019",
        "The city museum reopened its doors on Sunday after two years of building work "
        "that cost more than the council had planned when it first approved the project.",
        *FOOTER,
    )
    _assert_furniture(text, blurb)


def test_live_blog_timestamps_do_not_cut_the_story() -> None:
    """A timestamp under "(all times EST):" or a rule line is an update, not a new story."""
    updates = [
        "The council said the bridge would close at noon and that police officers would "
        "direct traffic at both ends for the first days of the closure, as planned.",
        "Buses started running on the ring road within the hour, and the first reports "
        "from drivers said that the diversion was slow but moving without any accidents.",
    ]
    text = _page(
        *MENU, HEADLINE,
        "HARBOURTON — The latest on the bridge closure (all times local):",
        "11:02 a.m.:", *PROSE[:3], "___", "10:15 a.m.:", *updates, *FOOTER,
    )
    junk = _junk_lines(text)
    assert not {s for s in junk for p in PROSE[:3] + updates if s in p}


def test_key_points_box_above_the_story_is_furniture() -> None:
    """Two lines that restate later, longer paragraphs above the story: a summary box."""
    points = [
        "The council voted to close the old harbour bridge after engineers found cracks.",
        "The repairs will cost about four million euros, the council said in its estimate.",
    ]
    text = _page(*MENU, HEADLINE, "Key points", *points, *PROSE, *FOOTER)
    assert restatements(text.split("\n\n")) >= {len(MENU) + 2, len(MENU) + 3}
    _assert_furniture(text, points[0])
    _assert_furniture(text, points[1])


def test_caption_above_a_credit_with_separators_is_furniture() -> None:
    """A credit with separators ("Ann | Times | Getty Images") is short: above it, a caption."""
    caption = (
        "Workers inspect the underside of the old harbour bridge during the morning low "
        "tide, as engineers prepare the supports for the repairs that start next week."
    )
    text = _page(
        *MENU, HEADLINE, *PROSE[:2], caption, "Ann Lee | Harbour Times | Getty Images",
        *PROSE[2:], *FOOTER,
    )
    _assert_furniture(text, caption)


def test_author_promo_with_a_handle_is_furniture() -> None:
    """A paragraph-long promo that tells the reader to follow an @handle is no claim."""
    promo = (
        "Ann Lee's book about the harbour, Bridges and Boats, is out now from Northland "
        "Press. Follow her on Twitter @annlee or follow us on Facebook."
    )
    text = _page(*MENU, HEADLINE, *PROSE, promo, *FOOTER)
    _assert_furniture(text, promo)


def test_long_call_to_subscribe_is_furniture() -> None:
    """An imperative opening a long line about a subscription is a promo box."""
    promo = (
        "Get full access to the Harbour Times and all of our local reporting for as little "
        "as two euros a month in the first year with a digital subscription. Our reporters "
        "cover the council, the courts, the schools and the port every day of the week, "
        "and the morning edition lands in the inbox at seven."
    )
    assert len(promo.split()) > 50
    text = _page(*MENU, HEADLINE, *PROSE[:3], promo, *PROSE[3:], *FOOTER)  # a box mid-text
    _assert_furniture(text, promo, kept=PROSE[:3])


def test_site_speaking_to_its_reader_ends_the_story() -> None:
    """The run's last lines in the site's voice ("please ... your") are a box below."""
    notice = (
        "An email with a confirmation link has been sent to your address. Please confirm "
        "your sign-up within two days to start receiving our morning edition."
    )
    text = _page(*MENU, HEADLINE, *PROSE, "Stay up to date with us.", notice, *FOOTER)
    _assert_furniture(text, notice)


def test_long_answer_in_an_interview_is_kept() -> None:
    """A long answer that says "we" and "you" is not a sign-up box."""
    answer = (
        "We expect the repairs to take most of the summer. When you drive past the bridge "
        "in June you will see scaffolding on both sides, and we will keep one footpath open "
        "for as long as the engineers allow it, because we know how many people walk to "
        "work across it every morning and we do not want to send all of them round by the "
        "ring road for half a year if we can help it."
    )
    assert len(answer.split()) > 60
    text = _page(*MENU, HEADLINE, *PROSE, "How long will it take?", answer, *FOOTER)
    assert not {s for s in _junk_lines(text) if s in answer}


def test_author_box_in_the_first_half_of_the_page_is_furniture() -> None:
    """A trailer heading after the story's first lines ends it when a box follows."""
    bio = (
        "Ann Lee has covered the city council for the Harbour Times since 2012 and writes "
        "about transport, housing and the port for the paper's weekend edition."
    )
    links = [f"Section {k}" for k in range(40)]  # a long menu puts the box in the first half
    text = _page(*MENU, HEADLINE, *PROSE, "About Ann Lee", bio, *links, *FOOTER)
    _assert_furniture(text, bio)


def test_trending_widget_inside_the_story_does_not_end_it() -> None:
    """After a widget inside the text the story goes on for longer than a box."""
    links = [f"Section {k}" for k in range(40)]
    text = _page(*MENU, HEADLINE, *PROSE[:3], "Trending", "Ferry times", *PROSE[3:],
                 PROSE[0].replace("Tuesday", "Monday"), *links, *FOOTER)
    assert not {s for s in _junk_lines(text) for p in PROSE if s in p}


def test_deck_above_a_place_dateline_is_furniture() -> None:
    """A paragraph above "HARBOURTON, Northland —" in the run's first lines is a deck."""
    deck = (
        "The full closure of the harbour bridge for six months will move all traffic to the "
        "ring road and cost the council about four million euros in repairs and buses."
    )
    text = _page(
        *MENU, HEADLINE, deck, "HARBOURTON, Northland — " + PROSE[0], *PROSE[1:], *FOOTER
    )
    _assert_furniture(text, deck, kept=PROSE[1:])


def test_deck_above_a_byline_is_furniture() -> None:
    """A paragraph above "By Ann Lee" in the run's first lines is a deck, short or long."""
    deck = "Six months of closure will move all traffic to the ring road, at a cost of millions."
    text = _page(*MENU, HEADLINE, deck, "By Ann Lee", *PROSE, *FOOTER)
    _assert_furniture(text, deck)


def test_date_line_shapes() -> None:
    """A date line has a year and a day or a clock time; prices and links are none."""
    assert dateline("Tuesday November 19, 2019")
    assert dateline("Updated: 18 Nov 2019 9:38 pm")
    assert not dateline("Get it on Amazon for $67.77")
    assert not dateline("Sold 1,300 tickets in 2019")
    assert not dateline("http://example.org/2011/09/07/fatwa")
    assert not dateline("— Ann Lee (@annlee) November 18, 2019")


def test_plain_article_keeps_its_summary_and_a_single_deck() -> None:
    """Story rules apply to pages only; on a page one restated line (a deck) is kept."""
    points = [
        "The council voted to close the old harbour bridge after engineers found cracks.",
        "The repairs will cost about four million euros, the council said in its estimate.",
    ]
    plain = _page(HEADLINE, "Summary.", *points, "Full text.", *PROSE)
    assert not {s for s in _junk_lines(plain) for p in points if s in p}
    page = _page(*MENU, HEADLINE, points[0], *PROSE, *FOOTER)
    assert not {s for s in _junk_lines(page) if s in points[0]}
