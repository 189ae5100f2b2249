"""Who-said-what shapes the offline analyzer attributes (issue 17, second pass).

Each test is one shape of reported speech that used to be missed or given the wrong
speaker; the articles are made up, written the way the shapes occur in news.
"""

from __future__ import annotations

from test_offline import (  # tests/ is on sys.path, as for openai_sim
    claim_for,
    claims_of,
)

from summarizer.offline import MAX_CLAIMS, MIN_CLAIMS, WORDS_PER_CLAIM


def test_two_apostrophe_quote_marks_are_quotes() -> None:
    names, claims = claims_of(
        "The bank lent widely.\n\n"
        "''Guarantees are good when you have a good venture,'' said Melba Acosta, "
        "the president of the bank.\n"
    )
    claim = claim_for(claims, "''Guarantees")
    assert names[claim["claimant"]] == "Melba Acosta"


def test_inverted_speaker_after_a_mid_sentence_quote() -> None:
    names, claims = claims_of(
        "The tax plans are ''profoundly irresponsible,'' said Steve Bell, a director "
        "at the Bipartisan Policy Center.\n"
    )
    [claim] = claims
    assert names[claim["claimant"]] == "Steve Bell"
    assert claim["evidence"].startswith("The tax plans")


def test_speaker_before_an_apposition() -> None:
    names, claims = claims_of(
        "Dan Kritenbrink, senior director for Asian affairs at the council, said he "
        "expects the three leaders to show unity against the missile tests.\n"
    )
    [claim] = claims
    assert names[claim["claimant"]] == "Dan Kritenbrink"


def test_descriptive_speaker_after_the_verb() -> None:
    _, claims = claims_of(
        "\u201cThe gap in New Hampshire is too wide for her to overtake,\u201d said a "
        "Nevada Democrat.\n"
    )
    [claim] = claims
    assert claim["attribution"] == "a Nevada Democrat"


def test_quoted_first_person_is_the_quoted_speaker() -> None:
    names, claims = claims_of(
        "\u201cWe will build it,\u201d Maria Lopez said at the rally.\n\n"
        "\u201cI think the people I have are spectacular and I believe we will win.\u201d\n"
    )
    claim = claim_for(claims, "\u201cI think")
    assert names[claim["claimant"]] == "Maria Lopez"


def test_quote_paragraph_without_a_speaker_keeps_the_previous_one() -> None:
    names, claims = claims_of(
        "Maria Lopez said on Sunday that the plan would pass.\n\n"
        "\u201cWe have the votes. Nobody in this chamber doubts it.\u201d\n\n"
        "The vote is due on Friday.\n"
    )
    claim = claim_for(claims, "\u201cWe have the votes")
    assert names[claim["claimant"]] == "Maria Lopez"
    assert claim["evidence"].endswith("doubts it.\u201d")


def test_a_poll_that_shows_is_a_source_but_hikers_who_found_are_not() -> None:
    _, claims = claims_of(
        "A national poll released on Sunday shows the senator leading the field by "
        "nine points.\n\nHikers found a car abandoned near the border crossing late on "
        "Monday night.\n"
    )
    poll = claim_for(claims, "A national poll")
    assert poll["attribution"] and "poll" in poll["attribution"]
    assert poll["certainty"] == "reported"
    hikers = claim_for(claims, "Hikers found")
    assert hikers["attribution"] is None


def test_claim_count_grows_with_length_within_bounds() -> None:
    para = (
        "Officials said on {day} that the bridge number {k} would reopen after repairs.\n\n"
        "The bridge number {k} carries about 4,000 cars a day over the river.\n\n"
    )
    days = ("Monday", "Tuesday", "Friday")
    short = "".join(para.format(day=days[k % 3], k=k) for k in range(10))
    long = "".join(para.format(day=days[k % 3], k=k) for k in range(150))
    _, few = claims_of(short)
    _, many = claims_of(long)
    assert len(few) == MIN_CLAIMS  # 280 words: the floor
    assert len(many) == MAX_CLAIMS  # 4,200 words: the ceiling
    mid = "".join(para.format(day=days[k % 3], k=k) for k in range(30))
    _, some = claims_of(mid)
    assert MIN_CLAIMS < len(some) == len(mid.split()) // WORDS_PER_CLAIM < MAX_CLAIMS
