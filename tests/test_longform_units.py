"""The long-article steps one by one: split, stakeholders, claims, conflicts, probes."""

from __future__ import annotations

from itertools import pairwise

import pytest
from longform_corpus import synthetic_long_read

from summarizer.backends.probe import from_llama_props, from_models_list, from_ollama_show
from summarizer.input.article import Article
from summarizer.longform.claims import Candidate, collapse_duplicates, find_conflicts
from summarizer.longform.merge import merge_parts
from summarizer.longform.split import Part, split_text
from summarizer.longform.stakeholders import merge_stakeholders, name_tokens
from summarizer.longform.summary import extractive_merge
from summarizer.output.result import Result
from summarizer.output.validate import ArticleIndex, check_brief


def words(text: str) -> int:
    return len(text.split())


def test_parts_fit_cover_the_text_and_overlap():
    text = synthetic_long_read(40_000)
    parts = split_text(text, 600, words, overlap=40)
    assert len(parts) > 5
    assert parts[0].start == 0 and parts[-1].end == len(text.rstrip())
    for before, after in pairwise(parts):
        assert words(text[before.start : before.end]) <= 600
        assert after.start < before.end, "consecutive parts share a little text"
        assert before.end - after.start < (before.end - before.start) // 4
        assert after.start > before.start
        # Cuts fall at sentence ends, never inside a word.
        assert text[before.end - 1] in ".!?\"'" and text[after.start - 1].isspace()


def test_cuts_prefer_paragraph_ends():
    paragraph = " ".join(f"Sentence {i} of this paragraph is here." for i in range(10))
    text = "\n\n".join([paragraph] * 6)
    parts = split_text(text, 200, words, overlap=0)
    assert len(parts) == 3
    for part in parts[:-1]:
        assert text[part.end : part.end + 2] == "\n\n"


def test_a_sentence_longer_than_a_part_is_cut_between_words():
    text = "word " * 1000 + "end."
    parts = split_text(text, 100, words, overlap=0)
    assert len(parts) == 11
    assert all(words(text[p.start : p.end]) <= 100 for p in parts)
    assert "".join(text[p.start : p.end] for p in parts).split() == text.split()


def test_split_is_one_measure_per_sentence():
    calls = []

    def counting(piece: str) -> int:
        calls.append(len(piece))
        return len(piece)

    text = synthetic_long_read(200_000)
    split_text(text, 10_000, counting, overlap=300)
    assert sum(calls) <= len(text)  # each character measured at most once


def _stakeholder(sid: str, name: str, type_: str = "person", role=None, stance=None) -> dict:
    return {"id": sid, "name": name, "type": type_, "role": role, "stance": stance}


def _brief(stakeholders: list, claims: list, items: list | None = None, overall="low") -> dict:
    return {
        "headline": "h",
        "summary": "s",
        "stakeholders": stakeholders,
        "key_claims": claims,
        "uncertainty": {"overall": overall, "items": items or []},
    }


def test_stakeholders_one_per_entity_with_roles_merged():
    briefs = [
        _brief([_stakeholder("s1", "Angela Merkel", role="Chancellor"),
                _stakeholder("s2", "World Health Organization", "organization")], []),
        _brief([_stakeholder("s1", "Merkel", role="CDU leader"),
                _stakeholder("s2", "WHO", "organization"),
                _stakeholder("s3", "Mrs Merkel")], []),
        _brief([_stakeholder("s1", "John Smith"), _stakeholder("s2", "Jane Doe")], []),
    ]  # fmt: skip
    entities = merge_stakeholders(briefs)
    names = [e.name for e in entities]
    assert names == ["Angela Merkel", "World Health Organization", "John Smith", "Jane Doe"]
    assert entities[0].roles == ["Chancellor", "CDU leader"]
    assert set(entities[0].members) == {(0, "s1"), (1, "s1"), (1, "s3")}
    assert name_tokens("Mr Brown's") == ("brown",)


def _result(text: str, brief: dict) -> Result:
    validation = check_brief(brief, ArticleIndex(text))
    return Result(Article(text), brief, validation.spans, {})  # type: ignore[arg-type]


def _claim(cid: str, evidence: str, claimant=None, certainty="reported") -> dict:
    return {"id": cid, "statement": evidence, "claimant": claimant, "attribution": None,
            "evidence": evidence, "certainty": certainty}  # fmt: skip


def test_merge_maps_offsets_collapses_overlap_and_flags_conflicting_figures():
    first = "The storm hit the coast on Monday. Officials said 30 people were killed in the town."
    middle = " Rescue teams worked through the night."
    last = " Police later said 45 people were killed in the town. The mayor, Tom Hale, wept."
    text = first + middle + last
    cut = len(first) + len(middle)
    parts = [Part(0, 0, cut), Part(1, len(first) + 1, len(text))]  # overlap: `middle`
    part_texts = [text[p.start : p.end] for p in parts]
    results = [
        _result(part_texts[0], _brief(
            [_stakeholder("s1", "Officials", "group")],
            [_claim("c1", "Officials said 30 people were killed in the town.", "s1"),
             _claim("c2", "Rescue teams worked through the night.")])),
        _result(part_texts[1], _brief(
            [_stakeholder("s1", "Tom Hale", role="mayor"), _stakeholder("s2", "Police", "group")],
            [_claim("c1", "Rescue teams worked through the night."),
             _claim("c2", "Police later said 45 people were killed in the town.", "s2"),
             _claim("c3", "The mayor, Tom Hale, wept.", "s1")],
            [{"aspect": "toll", "description": "d", "kind": "unverified", "cues": ["said"],
              "claim_ids": ["c2"]}], overall="medium")),
    ]  # fmt: skip
    brief, warnings = merge_parts(text, parts, results)
    assert warnings == []
    evidence = [c["evidence"] for c in brief["key_claims"]]
    assert evidence.count("Rescue teams worked through the night.") == 1  # overlap twin
    index = ArticleIndex(text)
    for claim in brief["key_claims"]:
        start, end, how = index.find(claim["evidence"])
        assert how == "exact" and text[start:end] == claim["evidence"]
    ids = {c["evidence"]: c["id"] for c in brief["key_claims"]}
    kinds = {i["kind"]: i for i in brief["uncertainty"]["items"]}
    conflict = kinds["conflicting_reports"]
    assert conflict["cues"] == ["30 people", "45 people"]
    assert set(conflict["claim_ids"]) == {
        ids["Officials said 30 people were killed in the town."],
        ids["Police later said 45 people were killed in the town."],
    }
    assert kinds["unverified"]["claim_ids"] == [
        ids["Police later said 45 people were killed in the town."]
    ]
    assert brief["uncertainty"]["overall"] == "medium"
    by_name = {s["name"]: s["id"] for s in brief["stakeholders"]}
    hale = next(c for c in brief["key_claims"] if "Hale" in c["evidence"])
    assert hale["claimant"] == by_name["Tom Hale"]


def test_the_claim_limit_is_shared_fairly_across_parts():
    text = " ".join(f"Statement number {i} was made today." for i in range(60))
    size = len(text) // 4
    parts = [Part(k, k * size, (k + 1) * size if k < 3 else len(text)) for k in range(4)]
    results = []
    for part in parts:
        chunk = text[part.start : part.end]
        sentences = [s + "." for s in chunk.split(".") if s.strip().startswith("Statement")]
        claims = [_claim(f"c{i}", s.strip()) for i, s in enumerate(sentences[1:-1], 1)]
        results.append(_result(chunk, _brief([], claims)))
    brief, _ = merge_parts(text, parts, results)
    assert len(brief["key_claims"]) == 10
    starts = [text.find(c["evidence"]) for c in brief["key_claims"]]
    for part in parts:  # every quarter of the article keeps at least two claims
        assert sum(part.start <= s < part.end for s in starts) >= 2


def test_no_conflict_between_unrelated_figures():
    text = "Sales rose 5% in March. Profits at the bank fell 8% last year."
    a = Candidate(0, 0, _claim("c1", text[:23]), 0, 23)
    b = Candidate(1, 0, _claim("c1", text[24:]), 24, len(text))
    assert find_conflicts([a, b], text) == []
    same = Candidate(1, 1, _claim("c2", text[:23]), 0, 23)
    assert collapse_duplicates([a, same]) == [a]


def test_extractive_merge_keeps_the_lead_and_adds_later_parts():
    briefs = [
        {"headline": "Storm hits coast", "summary": "A storm hit the coast. It was bad."},
        {"headline": "x", "summary": "Rescuers arrived. More text."},
        {"headline": "y", "summary": "The town began to rebuild. Later more."},
    ]
    headline, summary = extractive_merge(briefs)
    assert headline == "Storm hits coast"
    assert summary.startswith("A storm hit the coast.") and "The town began to rebuild." in summary


@pytest.mark.parametrize(
    ("read", "payload", "expected"),
    [
        (lambda p: from_models_list(p, "m"),
         {"data": [{"id": "other", "max_model_len": 4}, {"id": "m", "max_model_len": 32768}]},
         32768),
        (lambda p: from_models_list(p, "m"), {"data": [{"id": "m"}]}, None),
        (from_llama_props, {"default_generation_settings": {"n_ctx": 8192}}, 8192),
        (from_llama_props, {"n_ctx": 4096}, 4096),
        (from_llama_props, {"error": "no"}, None),
        (from_ollama_show,
         {"parameters": "stop x\nnum_ctx 16384", "model_info": {"llama.context_length": 131072}},
         16384),
        (from_ollama_show, {"model_info": {"llama.context_length": 131072}}, 4096),
        (from_ollama_show, {"model_info": {"gemma.context_length": 2048}}, 2048),
    ],
)  # fmt: skip
def test_server_context_reports(read, payload, expected):
    assert read(payload) == expected


def test_more_parts_than_claims_spreads_the_claims_over_the_whole_article():
    sentences = [f"Statement number {i} was made on day {i}." for i in range(90)]
    text = " ".join(sentences)
    parts, results, start = [], [], 0
    for k in range(30):  # 30 parts of three sentences, more parts than the claim limit
        chunk = " ".join(sentences[3 * k : 3 * k + 3])
        start = text.index(chunk, start)
        parts.append(Part(k, start, start + len(chunk)))
        claims = [_claim(f"c{i}", s) for i, s in enumerate(sentences[3 * k : 3 * k + 3], 1)]
        results.append(_result(chunk, _brief([], claims)))
    brief, _ = merge_parts(text, parts, results)
    numbers = [int(c["evidence"].split()[2]) for c in brief["key_claims"]]
    assert len(numbers) == 10
    assert numbers[0] == 0 and numbers[-1] >= 87  # the first part and the last
    gaps = [b - a for a, b in pairwise(numbers)]
    assert max(gaps) <= 12  # evenly spread, no stretch of the article left out


def test_uncertainty_items_are_bounded_and_spread_when_parts_are_many():
    from summarizer.longform.merge import _bounded

    items = [
        {"aspect": f"a{i}", "kind": "unverified", "claim_ids": ["c1"] if i == 50 else []}
        for i in range(100)
    ]
    kept = _bounded(items, 10)
    aspects = [int(i["aspect"][1:]) for i in kept]
    assert len(kept) == 10 and 50 in aspects
    assert aspects[0] == 0 and aspects[-1] == 99 and aspects == sorted(aspects)
