"""Who the offline analyzer lists as stakeholders (issue 17, salience round).

Each test is one rule of ``summarizer/offline/groups.py``, ``salience.py`` or the name
scan in ``entities.py``, on a made-up article written the way the shape occurs in
news; each fails if its rule is removed.
"""

from __future__ import annotations

from test_offline import check_brief  # tests/ is on sys.path, as for openai_sim

from summarizer.input.article import Article
from summarizer.offline import analyze
from summarizer.offline.salience import MAX_SALIENT


def _brief(text: str) -> dict:
    article = Article(text=text, title=text.split("\n", 1)[0])
    brief = analyze(article)
    check_brief(article, brief)
    return brief


def _by_name(brief: dict) -> dict[str, dict]:
    return {s["name"]: s for s in brief["stakeholders"]}


def test_a_group_named_in_the_headline_and_body_is_a_stakeholder() -> None:
    brief = _brief(
        "Over 500 asylum seekers rescued off the coast\n\n"
        "Fishermen rescued over 300 asylum seekers on Friday after their boat sank.\n"
        "The navy said another 200 asylum seekers were found on a beach.\n"
        "The weather was calm on the coast, residents said.\n"
    )
    group = _by_name(brief)["asylum seekers"]
    assert group["type"] == "group"


def test_a_national_institution_is_one_stakeholder_named_with_its_country() -> None:
    brief = _brief(
        "Storm nears the coast\n\n"
        "The Indian government ordered the evacuation of coastal villages on Monday.\n"
        "The government opened 500 shelters in schools.\n"
        "Rain fell across the region. The government also closed the ports.\n"
    )
    names = _by_name(brief)
    assert names["Indian government"]["type"] == "government"
    assert "government" not in names  # the bare mentions joined the national one


def test_an_institution_without_its_country_names_nobody() -> None:
    brief = _brief(
        "Shelters open\n\n"
        "The government opened shelters on Monday. The government closed the ports.\n"
        "The government said schools would stay shut.\n"
    )
    assert not [s for s in brief["stakeholders"] if s["name"].lower() == "government"]


def test_the_headline_names_the_interviewee_without_the_dateline() -> None:
    brief = _brief(
        "Interview with audiobook founder Hugh Sample Sunday, May 28, 2006\n\n"
        "The project features a catalog of about a hundred completed books.\n\n"
        "Why did you start it?\n\n"
        "I thought a vibrant public domain was important. I emailed some friends, "
        "and Hugh Sample was the name on the first recording.\n"
    )
    names = _by_name(brief)
    assert "Hugh Sample" in names
    assert not [n for n in names if "Sunday" in n]


def test_a_title_case_headline_is_not_read_for_names() -> None:
    brief = _brief(
        "Keep Your Eyes Peeled For Cosmic Debris\n\n"
        "Volunteers searched the samples for dust from the comet.\n"
        "The samples reached the laboratory in January.\n"
    )
    assert not [s for s in brief["stakeholders"] if s["name"] in ("Keep", "Cosmic Debris")]


def test_a_news_outlet_is_the_attribution_not_the_claimant() -> None:
    brief = _brief(
        "Boat sinks off the coast\n\n"
        "A boat carrying 100 people sank on Friday.\n"
        "According to Global Wire News, the captain left the boat before it sank.\n"
    )
    [claim] = [c for c in brief["key_claims"] if c["attribution"] == "Global Wire News"]
    assert claim["claimant"] is None
    assert "Global Wire News" not in _by_name(brief)


def test_a_country_s_people_are_a_group_apart_from_the_country() -> None:
    brief = _brief(
        "Refugees reach the border\n\n"
        "Bangladeshis made up most of the passengers, and Bangladeshis were the first "
        "to be registered. Bangladesh said it would take them back.\n"
    )
    names = _by_name(brief)
    assert names["Bangladeshis"]["type"] == "group"
    assert names["Bangladesh"]["type"] == "country"


def test_troops_and_soldiers_of_one_country_are_one_group() -> None:
    brief = _brief(
        "Troops move to the front\n\n"
        "North Korean troops arrived in the region on Monday. North Korean soldiers "
        "were seen near the river. Commanders said North Korean troops would stay.\n"
    )
    groups = [s["name"] for s in brief["stakeholders"] if s["type"] == "group"]
    assert groups == ["North Korean troops"]


def test_a_copula_gives_a_person_a_role() -> None:
    brief = _brief(
        "Dust hunt\n\n"
        "Andrew Sample is the director of the dust project at the university. "
        "Volunteers have searched a million images.\n"
    )
    person = _by_name(brief)["Andrew Sample"]
    assert person["type"] == "person"
    assert person["role"] == "the director of the dust project at the university"


def test_a_word_capitalised_only_at_sentence_starts_is_no_name() -> None:
    brief = _brief(
        "Migrants at sea\n\n"
        "Estimates suggest 8000 migrants may be at sea in the region. "
        "Six boats were found on Monday, and migrants were taken ashore.\n"
    )
    names = _by_name(brief)
    assert "Estimates" not in names and "Six" not in names


def test_a_capitalised_first_word_does_not_speak_through_a_noun_like_verb() -> None:
    """'Personality test questions ...' is no claim by 'Personality' (noun_like_verbs
    are speech verbs only after a name, and a sentence's first word is not one)."""
    brief = _brief(
        "Hiring\n\n"
        "Personality test questions given to applicants cover honesty and tact.\n"
        "Mary Sample questions the value of such tests, and said so often.\n"
    )
    speakers = {brief_name(brief, c["claimant"]) for c in brief["key_claims"]}
    assert "Personality" not in speakers


def brief_name(brief: dict, sid: str | None) -> str | None:
    return next((s["name"] for s in brief["stakeholders"] if s["id"] == sid), None)


def test_passing_names_make_room_for_the_salient_and_speakers_stay_listed() -> None:
    passing = " ".join(
        f"Delegates from {town} attended."
        for town in (
            "Arlen",
            "Borwick",
            "Castmoor",
            "Dunhollow",
            "Elsmere",
            "Fenwick",
            "Garth",
            "Holloway",
        )
    )
    brief = _brief(
        "Harbour deal signed by Port Authority\n\n"
        "The Port Authority signed the harbour deal on Monday. "
        "The Port Authority will dredge the channel. "
        f"{passing} "
        "\u201cThe channel will be open by May,\u201d said Ruth Sample, an engineer.\n"
    )
    names = [s["name"] for s in brief["stakeholders"]]
    assert names[0] == "Port Authority"
    assert "Ruth Sample" in names  # a speaker is listed: the claim refers to her
    for town in ("Arlen", "Holloway"):
        assert town not in names  # named once, in passing
    assert len([n for n in names if n != "Ruth Sample"]) <= MAX_SALIENT
