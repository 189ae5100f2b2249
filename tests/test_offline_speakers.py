"""Speakers the offline analyzer finds beyond 'NAME said' (issue 17, claimant round).

Each test is one shape of reported speech whose speaker used to be lost (the sentence
was offered as the article's own assertion) or garbled; the articles are made up,
written the way the shapes occur in news.
"""

from __future__ import annotations

from test_offline import (  # tests/ is on sys.path, as for openai_sim
    claim_for,
    claims_of,
)


def _speaker(names: dict[str, str], claim: dict) -> str:
    return names.get(claim["claimant"] or "", "") + " | " + (claim["attribution"] or "")


def test_a_negation_inside_the_quotation_does_not_cancel_the_verb() -> None:
    names, claims = claims_of(
        "Senator Ted Cruz spoke after the debate.\n\n"
        "\u201cOf course it\u2019s not appropriate,\u201d Cruz said in response to a "
        "question from a reporter on Monday.\n"
    )
    claim = claim_for(claims, "\u201cOf course")
    assert "Cruz" in _speaker(names, claim)


def test_a_closing_quote_mark_is_not_part_of_the_speaker() -> None:
    _, claims = claims_of(
        "Governor Tom Hale visited the plant.\n\n"
        "\u201cThe most important job anyone here will have is being a parent,\u201d he "
        "said.\n"
    )
    claim = claim_for(claims, "\u201cThe most important")
    assert claim["attribution"] == "he"


def test_a_middle_initial_does_not_end_the_speaker_after_the_verb() -> None:
    _, claims = claims_of(
        "''Some courses are adapting, others are just not,'' said Paul H. Chipok, a "
        "lawyer in Orlando.\n"
    )
    [claim] = claims
    assert claim["attribution"] == "Paul H. Chipok"


def test_a_lower_case_subject_speaks() -> None:
    _, claims = claims_of(
        "In a statement, the network said that the senator's description was false.\n\n"
        "In Texas, half of the primary voters said they were angry about the economy.\n"
    )
    assert claim_for(claims, "In a statement")["attribution"] == "the network"
    assert claim_for(claims, "In Texas")["attribution"] == "half of the primary voters"


def test_a_what_clause_opens_its_own_speaker() -> None:
    _, claims = claims_of(
        "Congress raised funding this year, yet it is still less than half of what "
        "researchers say they need every year.\n"
    )
    [claim] = claims
    assert claim["attribution"] == "researchers"


def test_the_speaker_before_an_apposition_chain() -> None:
    names, claims = claims_of(
        "Hogan Gidley, a former executive director of the state party, whose roots are "
        "in the evangelical community, said the party base was angry about Washington.\n"
    )
    [claim] = claims
    assert names[claim["claimant"]] == "Hogan Gidley"


def test_the_speaker_of_a_relative_who() -> None:
    _, claims = claims_of(
        "The plan was backed on Friday by the mayor of Springfield, Maria Lopez, who said "
        "it would save the city money.\n"
    )
    [claim] = claims
    assert claim["attribution"] == "Maria Lopez"


def test_a_second_verb_borrows_the_sentence_subject() -> None:
    _, claims = claims_of(
        "Carson did not mention any of his rivals by name, but told his supporters that "
        "the nation is in horrible trouble.\n"
    )
    [claim] = claims
    assert claim["attribution"] == "Carson"


def test_a_participle_borrows_the_sentence_subject() -> None:
    _, claims = claims_of(
        "The Florida senator sought to calm his supporters, saying the heckler would not "
        "be hurt at the rally.\n"
    )
    [claim] = claims
    assert claim["attribution"] == "The Florida senator"


def test_a_participle_after_a_speech_verb_adds_no_second_claim() -> None:
    names, claims = claims_of(
        "Kremlin spokesperson Dmitry Peskov dismissed the claims, labeling them rumors "
        "spread by Western intelligence.\n\n"
        "Asked about the reports, the foreign minister dismissed them, labeling them "
        "rumors spread abroad.\n"
    )
    first, second = claims
    assert names[first["claimant"]] == "Dmitry Peskov"
    assert "dismissed" in first["evidence"]
    assert second["attribution"] == "the foreign minister"


def test_a_participle_does_not_invert() -> None:
    _, claims = claims_of(
        "The document named the database, adding the words \"and Emergency\" to its "
        "name.\n"
    )
    assert not any("Emergency" in (c["attribution"] or "") for c in claims)


def test_say_before_a_preposition_names_no_speaker() -> None:
    _, claims = claims_of(
        "Is the problem national, say between Protestants and Catholics, or is it a "
        "matter of generations?\n"
    )
    assert not any("Catholics" in (c["attribution"] or "") for c in claims)


def test_a_short_speaker_sentence_closes_the_quotation_before_it() -> None:
    names, claims = claims_of(
        "\"His strategy, his media campaign, it's all a show, no?\" Freddy Ortega said.\n"
    )
    [claim] = claims
    assert claim["evidence"].startswith('"His strategy')
    assert names[claim["claimant"]] == "Freddy Ortega"


def test_content_before_a_mid_sentence_quotation() -> None:
    _, claims = claims_of(
        'The media are "manipulating and shaping and framing this campaign," Gilmore '
        "said.\n"
    )
    [claim] = claims
    assert claim["attribution"] == "Gilmore"


def test_a_lower_case_role_before_the_name_after_the_verb() -> None:
    names, claims = claims_of(
        '"I can guarantee that this will appear in some ad at some point," said pollster '
        "Frank Luntz.\n"
    )
    [claim] = claims
    assert names[claim["claimant"]] == "Frank Luntz"


def test_added_closing_the_sentence_reports_it() -> None:
    _, claims = claims_of(
        "The mayor, who is not taking large donations, fits that bill for many people, "
        "he added.\n"
    )
    [claim] = claims
    assert claim["attribution"] == "he"


def test_a_lower_case_subject_after_a_quotation() -> None:
    _, claims = claims_of(
        '"We absolutely need to come out on top in the states that lie ahead," the email '
        "said.\n"
    )
    [claim] = claims
    assert claim["attribution"] == "the email"


def test_the_speaker_before_a_dash_apposition() -> None:
    names, claims = claims_of(
        "Governor Jane Roe - who earlier said she would veto it - said on Monday that she "
        "would sign the bill after all.\n"
    )
    speakers = [_speaker(names, c) for c in claims]
    assert any("Jane Roe" in s and "earlier" not in s for s in speakers), speakers


def test_a_borrowed_subject_keeps_its_role_words() -> None:
    _, claims = claims_of(
        "Senate leader Mitch Rowe met the governors, but told reporters that he would not "
        "block the bill.\n"
    )
    [claim] = claims
    assert claim["attribution"] == "Senate leader Mitch Rowe"


def test_a_name_and_a_colon_open_a_quoted_line() -> None:
    _, claims = claims_of(
        "The governor lost the first primary by ten points on Tuesday night.\n\n"
        "Insiders: the governor will rebound in the next primary.\n\n"
        "The result: after the debate, the senator must travel for three hours.\n"
    )
    assert claim_for(claims, "Insiders:")["attribution"] == "Insiders"
    assert not any(c["attribution"] == "The result" for c in claims)
