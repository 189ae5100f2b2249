import copy

from summarizer.output.validate import ArticleIndex, drop_ungrounded, parse_json, validate_answer

ARTICLE = (
    "Minister Ana Lopez said the bridge “will reopen in May” — officials hedged.\n\n"
    "Critics denied the plan would work."
)


def brief(**overrides):
    value = {
        "headline": "Bridge to reopen",
        "summary": "A minister said the bridge will reopen.",
        "stakeholders": [
            {"id": "s1", "name": "Ana Lopez", "type": "person", "role": "Minister", "stance": None}
        ],
        "key_claims": [
            {
                "id": "c1",
                "statement": "The bridge will reopen in May.",
                "claimant": "s1",
                "attribution": "Minister Ana Lopez",
                "evidence": 'the bridge "will reopen in May" - officials',
                "certainty": "claimed",
            }
        ],
        "uncertainty": {
            "overall": "medium",
            "items": [
                {
                    "aspect": "plan",
                    "description": "critics deny",
                    "kind": "denial",
                    "cues": ["denied"],
                    "claim_ids": ["c1"],
                }
            ],
        },
    }
    value.update(overrides)
    return value


def test_normalized_quote_is_grounded_with_offsets_into_original():
    import json

    result = validate_answer(json.dumps(brief()), ArticleIndex(ARTICLE))
    assert result.ok, result.errors
    span = result.spans[0]
    assert span.match == "normalized"
    assert ARTICLE[span.start : span.end] == "the bridge “will reopen in May” — officials"


def test_exact_quote_and_whitespace_variants():
    index = ArticleIndex(ARTICLE)
    assert index.find("Critics denied the plan would work.")[2] == "exact"
    assert index.find("hedged.   Critics  denied")[2] == "normalized"
    assert index.find("Critics approved the plan") is None


def test_ungrounded_and_dangling_references_are_reported_by_path():
    import json

    bad = brief()
    bad["key_claims"][0]["evidence"] = "The bridge is closed forever."
    bad["key_claims"][0]["claimant"] = "s9"
    bad["uncertainty"]["items"][0]["claim_ids"] = ["c7"]
    result = validate_answer(json.dumps(bad), ArticleIndex(ARTICLE))
    assert not result.fatal
    text = "\n".join(result.grounding)
    assert "$.key_claims[0].evidence: not found" in text
    assert "$.key_claims[0].claimant: 's9'" in text
    assert "$.uncertainty.items[0].claim_ids: 'c7'" in text


def test_schema_errors_are_all_reported():
    import json

    bad = brief(headline=3)
    del bad["summary"]
    bad["key_claims"][0]["certainty"] = "sure"
    result = validate_answer(json.dumps(bad), ArticleIndex(ARTICLE))
    assert result.brief is None
    joined = "\n".join(result.fatal)
    assert "'summary' is a required property" in joined
    assert "$.headline" in joined
    assert "$.key_claims[0].certainty" in joined


def test_parse_json_tolerates_fences_and_raw_newlines_but_reports_garbage():
    assert parse_json('```json\n{"a": "x\ny"}\n```')[0] == {"a": "x\ny"}
    assert parse_json('Here it is: {"a": 1} hope it helps')[0] == {"a": 1}
    value, problem = parse_json('{"a": ')
    assert value is None and "not valid JSON" in problem
    assert "empty" in parse_json("   ")[1]


def test_strict_grounding_drops_claim_and_its_references():
    import json

    bad = brief()
    extra = copy.deepcopy(bad["key_claims"][0])
    extra.update(id="c2", evidence="Invented sentence.")
    bad["key_claims"].append(extra)
    bad["uncertainty"]["items"][0]["claim_ids"] = ["c1", "c2"]
    result = validate_answer(json.dumps(bad), ArticleIndex(ARTICLE))
    warnings = drop_ungrounded(result)
    assert warnings == ["dropped claim c2: evidence not found in the article"]
    assert [c["id"] for c in result.brief["key_claims"]] == ["c1"]
    assert result.brief["uncertainty"]["items"][0]["claim_ids"] == ["c1"]


def test_evidence_too_short_to_verify_is_not_grounded():
    import json

    bad = brief()
    bad["key_claims"][0]["evidence"] = "."
    result = validate_answer(json.dumps(bad), ArticleIndex(ARTICLE))
    assert result.spans[0].match == "none"
    assert any("too short to verify" in e for e in result.grounding)
