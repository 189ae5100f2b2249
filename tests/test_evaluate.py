"""Evaluation harness: metric arithmetic, gold loading, and the corpus converters.

Metric tests use hand-made articles and a fake predictor written here (a test double
that returns fixed briefs), so the expected numbers can be worked out by hand and do
not depend on the loader or analyzer. The converter tests read the real corpora from
``../shared/data`` and are skipped when it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer.evaluation import matching, runner, scoring, textmatch
from summarizer.evaluation.corpora import gum_gold, polnear_gold
from summarizer.evaluation.gold import (
    GoldArticle,
    GoldAttribution,
    GoldEntity,
    GoldError,
    GoldHedgeCue,
    load_gold,
)
from summarizer.evaluation.report import format_table
from summarizer.evaluation.sets import builtin_gold, seed_gold_path
from summarizer.input.article import Article

SEED_GOLD = seed_gold_path()


# ------------------------------------------------------------------ ROUGE-L / LCS


def test_lcs_classic_example() -> None:
    assert matching.lcs_length(list("ABCBDAB"), list("BDCABA")) == 4
    assert matching.lcs_length([], ["a"]) == 0


def test_rouge_l_known_values() -> None:
    p, r, f = matching.rouge_l("the cat on the mat", "The cat sat on the mat.")
    assert (p, r) == (1.0, 5 / 6)
    assert f == pytest.approx(10 / 11)
    assert matching.rouge_l("same words here", "Same words, here!") == (1.0, 1.0, 1.0)
    assert matching.rouge_l("nothing shared", "entirely different") == (0.0, 0.0, 0.0)
    assert matching.rouge_l("", "reference") == (0.0, 0.0, 0.0)


# ------------------------------------------------------------------ span / names


def test_overlap_is_half_open() -> None:
    assert scoring.overlaps((0, 6), (5, 10))
    assert not scoring.overlaps((0, 5), (5, 10))
    assert scoring.overlaps((3, 4), (0, 10))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Putin", "Vladimir Putin"),
        ("President Zelensky", "Volodymyr Zelensky"),
        ("Kim", "Kim Jong Un"),
        ("Hillary Clinton", "Hillary Rodham Clinton"),
        ("J. Smith", "John Smith"),
        ("the BBC", "BBC"),
        ("Peskov's", "Dmitry Peskov"),
        ("Mr. Trump", "Donald J. Trump"),
        ("Zelenskyy", "ZELENSKYY"),
    ],
)
def test_names_match(a: str, b: str) -> None:
    assert matching.names_match(a, b)
    assert matching.names_match(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Bill Clinton", "Hillary Clinton"),
        ("State Department", "Defense Department"),
        ("Department", "State Department"),
        ("North Korea", "South Korea"),
        ("North", "North Korea"),
        ("President", "President Zelensky"),
        ("", "Putin"),
    ],
)
def test_names_do_not_match(a: str, b: str) -> None:
    assert not matching.names_match(a, b)


def test_entity_aliases() -> None:
    russia = GoldEntity("Russia", aliases=("Moscow", "Kremlin"))
    assert matching.entity_matches("the Kremlin", russia)
    assert matching.entity_matches("Moscow", russia)
    assert not matching.entity_matches("Ukraine", russia)


def _attr(source: str | None, *aliases: str) -> GoldAttribution:
    return GoldAttribution(source=source, content_start=0, content_end=1, source_aliases=aliases)


def test_claimant_rules() -> None:
    # author's own assertion <-> null claimant
    assert matching.claimant_matches([], _attr(None))
    assert not matching.claimant_matches(["Putin"], _attr(None))
    assert not matching.claimant_matches([], _attr("Putin"))
    assert matching.claimant_matches([], _attr("we"))  # first person: the author
    # unresolvable pronoun: any named claimant
    assert matching.claimant_matches(["Donald Trump"], _attr("he"))
    # names, titles, aliases, descriptions, GUM clauses
    assert matching.claimant_matches(["Jeff Weaver"], _attr("Sanders campaign manager Jeff Weaver"))
    assert matching.claimant_matches(["Peskov"], _attr("Kremlin spokesperson Dmitry Peskov"))
    assert matching.claimant_matches(["Moscow"], _attr("the government", "Moscow"))
    assert matching.claimant_matches(
        ["Russia", "a military source in Russia's Far East"],
        _attr("A military source in Russia\u2019s Far East"),
    )
    assert matching.claimant_matches(
        ["Jeff Rathke"], _attr("Jeff Rathke, the State Department Spokesperson, said,")
    )
    peskov = _attr("Kremlin spokesperson Peskov")
    assert not matching.claimant_matches(["Volodymyr Zelensky"], peskov)
    assert not matching.claimant_matches(["the government"], _attr("the campaign"))


def test_claimant_names_from_stakeholder_and_attribution() -> None:
    holders = {"s1": _person("s1", "Dmitry Peskov")}
    claim = _claim("c1", "s1", "x") | {"attribution": "Kremlin spokesperson"}
    assert scoring._claimant_names(claim, holders) == ["Dmitry Peskov", "Kremlin spokesperson"]
    # null claimant but an attribution: an unnamed source, not the author
    anonymous = _claim("c2", None, "x") | {"attribution": "Recent reports"}
    assert scoring._claimant_names(anonymous, holders) == ["Recent reports"]
    assert matching.claimant_matches(["Recent reports"], _attr("Recent reports"))
    assert scoring._claimant_names(_claim("c3", None, "x"), holders) == []
    # a claimant that is not an id is taken as a name
    assert scoring._claimant_names(_claim("c4", "Putin", "x"), holders) == ["Putin"]


def test_cue_matching() -> None:
    assert matching.cues_match("suggests", "suggest")
    assert matching.cues_match("is highly likely", "highly likely")
    assert matching.cues_match("May", "may")
    assert not matching.cues_match("could", "may")


def test_ratio_zero_denominator_is_none() -> None:
    assert textmatch.ratio(0, 0) is None
    assert textmatch.ratio(1, 4) == 0.25


def test_text_index_tolerance() -> None:
    text = "He said \u201cno\u2014never\u201d.\n\nIt  was   late. It was late."
    index = textmatch.TextIndex(text)
    assert index.find('said "no-never"')[2] == "normalized"
    assert index.find("it was late", tolerant=True)[2] == "folded"
    assert index.find("it was late") is None
    assert index.find("He said ... was late", tolerant=True) == (
        0, text.index("late") + 4, "elided")
    # decomposed accents and soft hyphens in the raw file, NFC and none in the quote
    raw = textmatch.TextIndex(accented := "Pen\u0303a met Doug \u00adAndres.")
    assert raw.find("Pe\u00f1a met Doug Andres")[:2] == (0, accented.index("."))
    # repeated quote: the occurrence nearest the hint wins
    assert index.find("It was late.", hint=40)[0] == text.rindex("It was late.")


# ------------------------------------------------------------------ end to end

RAW = (
    "Bridge to close\n\nMenu | Login | Subscribe\n\n"
    "Alice Smith said the bridge will close. Officials believe repairs may take a year.\n\n"
    "Read more: unrelated story here.\n"
)
CLEANED = (
    "Bridge to close\n\n"
    "Alice Smith said the bridge will close. Officials believe repairs may take a year."
)


def _span(text: str) -> tuple[int, int]:
    start = RAW.index(text)
    return start, start + len(text)


def _gold(**layers: Any) -> GoldArticle:
    return GoldArticle(id=layers.pop("id", "bridge"), text=RAW, **layers)


FULL_GOLD = dict(
    attributions=[
        GoldAttribution("Alice Smith", *_span("the bridge will close")),
        GoldAttribution("Officials", *_span("repairs may take a year")),
    ],
    entities=[
        GoldEntity("Alice Smith", salience=5),
        GoldEntity("City council", salience=4),
        GoldEntity("Officials", salience=1),  # below threshold: neutral for precision
    ],
    hedge_cues=[GoldHedgeCue("believe"), GoldHedgeCue("may")],
    reference_summary="Alice Smith said the bridge will close.",
)


def _claim(cid: str, claimant: str | None, evidence: str) -> dict[str, Any]:
    return {"id": cid, "statement": evidence, "claimant": claimant, "attribution": None,
            "evidence": evidence, "certainty": "reported"}


def _person(sid: str, name: str) -> dict[str, Any]:
    return {"id": sid, "name": name, "type": "person", "role": None, "stance": None}


FAKE_BRIEF = {
    "headline": "Bridge to close",
    "summary": "Alice Smith said the bridge will close. Read more: unrelated story here.",
    "stakeholders": [
        _person("s1", "Smith"), _person("s2", "officials"), _person("s3", "Bob Jones"),
    ],
    "key_claims": [
        _claim("c1", "s1", "Alice Smith said the bridge will close."),  # full hit
        _claim("c2", None, "Officials believe repairs may take a year."),  # span only
        _claim("c3", "s3", "Read more: unrelated story here."),  # boilerplate
        _claim("c4", "s3", "Pigs can fly."),  # invented
    ],
    "uncertainty": {"overall": "medium", "items": [
        {"aspect": "repairs", "description": "estimate", "kind": "speculation",
         "cues": ["may", "likely"], "claim_ids": ["c2"]},
    ]},
}


def fake_predict(article: Article) -> dict[str, Any]:
    """Test double: a fixed envelope for the bridge article, an error for anything else."""
    if "bridge" not in article.text:
        raise RuntimeError("model unavailable")
    return {"summary": FAKE_BRIEF, "evidence_spans": [], "warnings": []}


@pytest.fixture
def cleaned_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-in for the loader's cleaning, so the raw/cleaned offsets differ known ways."""
    def load(gold: GoldArticle) -> Article:
        if gold.id == "broken":
            return Article(text="no such article text")
        return Article(text=CLEANED, title="Bridge to close")

    monkeypatch.setattr(runner, "_load", load)


def test_metrics_by_hand(cleaned_loader: None) -> None:
    gold = [_gold(**FULL_GOLD), _gold(id="broken")]
    report = runner.evaluate(gold, fake_predict, set_name="hand")
    m = {k: (v.value, v.numerator, v.denominator) for k, v in
         ((x.key, x) for x in report.metrics)}
    assert m["articles_scored"][0] == 1
    assert m["articles_failed"][0] == 1
    assert "model unavailable" in report.failed[0].error
    assert m["schema_valid_rate"] == (0.5, 1, 2)  # the failed article counts as invalid
    assert m["grounding_rate"] == (0.5, 2, 4)
    assert m["attribution_recall"] == (0.5, 1, 2)
    assert m["attribution_precision"] == (0.25, 1, 4)
    assert m["attribution_recall_span"] == (1.0, 2, 2)
    assert m["attribution_precision_span"] == (0.5, 2, 4)
    assert m["stakeholder_recall"] == (0.5, 1, 2)
    assert m["stakeholder_precision"] == (0.5, 1, 2)  # "officials" is neutral
    assert m["hedge_recall"] == (0.5, 1, 2)
    assert m["hedge_precision"] == (0.5, 1, 2)
    assert m["rouge_l_f1"][0] == pytest.approx(14 / 19)
    assert m["evidence_from_boilerplate"][0] == 1
    assert m["evidence_invented"][0] == 1
    assert m["summary_from_boilerplate"][0] == 1
    assert m["boilerplate_leaks"][:2] == (3, 3)
    assert m["seconds_median"][2] == 1

    table = format_table(report)
    assert "attribution recall (span + claimant)" in table and "1/2" in table
    assert "failed broken: predict: RuntimeError: model unavailable" in table
    payload = json.loads(json.dumps(report.to_dict()))
    assert payload["metrics"]["grounding_rate"]["value"] == 0.5
    assert payload["failed"] == 1


def test_unannotated_layers_are_not_measured(cleaned_loader: None) -> None:
    report = runner.evaluate([_gold()], fake_predict)
    for key in ("attribution_recall", "stakeholder_precision", "hedge_recall", "rouge_l_f1"):
        assert report.metric(key).value is None
    assert "n/a" in format_table(report)


def test_empty_gold_layer_counts_predictions_as_wrong(cleaned_loader: None) -> None:
    report = runner.evaluate([_gold(attributions=[], entities=[])], fake_predict)
    assert report.metric("attribution_recall").value is None  # nothing to find
    assert report.metric("attribution_precision").value == 0.0
    assert report.metric("stakeholder_precision").value == 0.0


def test_bare_brief_and_limit(cleaned_loader: None) -> None:
    gold = [_gold(**FULL_GOLD), _gold(id="second", **FULL_GOLD)]
    report = runner.evaluate(gold, lambda article: FAKE_BRIEF, limit=1)
    assert len(report.articles) == 1
    assert report.metric("attribution_recall").value == 0.5


def test_run_eval_rejects_unknown_set() -> None:
    with pytest.raises(GoldError, match="neither a gold file nor a built-in set"):
        runner.run_eval("no-such-set", fake_predict, data_dir=None, limit=None)


# ------------------------------------------------------------------ gold loading


def _write(tmp_path: Path, *lines: str) -> Path:
    (tmp_path / "a.txt").write_text("Alice said hello.", encoding="utf-8")
    path = tmp_path / "g.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = json.dumps({"id": "a", "article_path": "a.txt",
                   "attributions": [{"source": "Alice", "content_start": 11,
                                     "content_end": 16, "content": "hello"}]})


def test_load_gold_ok(tmp_path: Path) -> None:
    gold, second = load_gold(_write(tmp_path, GOOD, "", '{"text": "x", "entities": []}'))
    assert gold.attributions == [GoldAttribution("Alice", 11, 16, content="hello")]
    assert gold.raw_text == "Alice said hello."
    assert gold.entities is None  # not annotated, unlike []
    assert second.entities == [] and second.id == "g:3"  # default id: file stem and line


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"id": "b"}', "exactly one of 'article_path' or 'text'"),
        ('{"text": "t", "article_path": "a.txt"}', "exactly one of"),
        ('{"article_path": "missing.txt"}', "not found"),
        ('{"text": "t", "attribution": []}', "unknown key"),
        ('{"text": "abc", "attributions": [{"content_start": 0, "content_end": 1}]}',
         "'source' is required"),
        ('{"text": "abc", "attributions": [{"source": null, "content_start": 2, '
         '"content_end": 9}]}', "outside the text"),
        ('{"article_path": "a.txt", "attributions": [{"source": null, "content_start": 0, '
         '"content_end": 5, "content": "Bob s"}]}', "does not match the text"),
        ('{"text": "abc", "entities": [{"name": "X", "salience": "high"}]}', "must be a number"),
        ('{"text": "abc", "hedge_cues": [{"text": "may", "start": 0}]}', "both 'start' and"),
        ('{"id": "a", "text": "t"}', "duplicate id"),
    ],
)
def test_load_gold_errors_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path, GOOD, line)
    with pytest.raises(GoldError, match=message) as info:
        load_gold(path)
    assert f"{path}:2" in str(info.value)


def test_load_gold_empty_file(tmp_path: Path) -> None:
    with pytest.raises(GoldError, match="no gold articles"):
        load_gold(_write(tmp_path, ""))


# ------------------------------------------------------------------ seed gold


def test_seed_gold_offsets_are_exact(seed_path: Path) -> None:
    [gold] = builtin_gold("seed")
    raw = seed_path.read_bytes().decode("utf-8")
    # The gold names the seed article beside it: the checkout's, or the installed copy.
    assert gold.article_path.name == seed_path.name
    assert gold.article_path.read_bytes() == seed_path.read_bytes()
    assert gold.attributions and gold.entities and gold.hedge_cues
    for attr in gold.attributions:
        assert raw[attr.content_start : attr.content_end] == attr.content
    for cue in gold.hedge_cues:
        assert raw[cue.start : cue.end] == cue.text
    record = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    assert len(record["attributions"]) == len(gold.attributions)
    sources = {a.source for a in gold.attributions}
    assert {"Kremlin spokesperson Dmitry Peskov", "Experts", None} <= sources
    assert len(textmatch.split_sentences(gold.reference_summary or "")) == 3


# ------------------------------------------------------------------ real corpora


def test_polnear_converter(shared_data: Path) -> None:
    folder = shared_data / "polnear-train"
    golds = polnear_gold(folder)
    assert len(golds) == 840  # PROVENANCE.md: train 840
    assert len(list((folder / "articles").rglob("*.txt"))) == 840
    first: dict[str, dict[str, Any]] = {}
    with (folder / "attributions.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            first.setdefault(row["article_id"], row)  # one annotator: the first set
    checked = 0
    for gold in golds:
        row = first[gold.id]
        expected = [a for a in row["attributions"] if a["content"]]
        assert len(gold.attributions) == len(expected)
        raw = gold.raw_text
        for mine, theirs in zip(gold.attributions, expected, strict=True):
            assert mine.source == (theirs["source"]["text"] if theirs["source"] else None)
            parts = theirs["content"]
            if len(parts) == 1 and len(parts[0]["segments"]) == 1:
                assert raw[mine.content_start : mine.content_end] == parts[0]["text"]
                checked += 1
            else:  # discontinuous: overall extent of all segments
                segs = [s for p in parts for s in p["segments"]]
                assert mine.content_start == min(s for s, _ in segs)
                assert mine.content_end == max(e for _, e in segs)
    assert checked > 15000
    assert sum(a.source is None for g in golds for a in g.attributions) > 1000
    sample = polnear_gold(folder, limit=7)  # round-robin: one per publisher
    assert len({g.id.split("_")[0] for g in sample}) == 7


def test_gum_converter(shared_data: Path) -> None:
    folder = shared_data / "gum-dev"
    golds = gum_gold(folder)
    docs = [json.loads(line) for line in (folder / "annotations.jsonl").open(encoding="utf-8")]
    assert len(golds) == len(docs) == 22
    for gold, doc in zip(golds, docs, strict=True):
        human = [s for s in doc["summaries"] if s["key"] == "summary1" and s["human_written"]]
        assert gold.reference_summary == human[0]["text"]
        scores = {e["first_mention"]: e["score_0_5"] for e in doc["salient_entities"]}
        assert all((e.salience or 0) >= 3 for e in gold.entities or [])
        assert all(e.type in ("person", "organization", "place") for e in gold.entities or [])
        assert scores  # salient entities exist for every document
        raw = gold.raw_text
        assert len(gold.attributions or []) == len(doc["attributions_rst"])
        for mine, rel in zip(gold.attributions or [], doc["attributions_rst"], strict=True):
            head = rel["content_head_edu"]
            assert raw[mine.content_start : mine.content_end] == head["text"].strip()
            assert head["start"] <= mine.content_start <= mine.content_end <= head["end"]
    total = sum(len(g.attributions or []) for g in golds)
    assert total == sum(len(d["attributions_rst"]) for d in docs)
    chomsky = next(g for g in golds if g.id == "GUM_interview_chomsky")
    assert any(e.name == "Noam Chomsky" and "Professor Chomsky" in e.aliases
               for e in chomsky.entities or [])


def test_builtin_gold_accepts_shared_or_data_folder(shared_data: Path) -> None:
    assert len(builtin_gold("gum-dev", shared_data)) == 22
    assert len(builtin_gold("gum-dev", shared_data.parent)) == 22  # the CLI's --shared


def test_builtin_gold_unknown_name(tmp_path: Path) -> None:
    with pytest.raises(GoldError, match="unknown gold set"):
        builtin_gold("nope", tmp_path)
    with pytest.raises(GoldError, match=r"no gum-dev/ folder in .*--data"):
        builtin_gold("gum-dev", tmp_path)


def test_corpus_set_without_data_folder_names_the_option(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SUMMARIZER_SHARED_DATA", raising=False)
    with pytest.raises(GoldError, match="pass --data DIR"):
        builtin_gold("gum-dev")
    monkeypatch.setenv("SUMMARIZER_SHARED_DATA", "/nonexistent-folder")
    with pytest.raises(GoldError, match="no gum-dev/ folder in /nonexistent-folder"):
        builtin_gold("gum-dev")


def test_uncertain_sentences_and_page_dump_leaks_by_hand() -> None:
    """Sentence flags come from the brief's cues; leaks are quotes not in the human text."""
    from summarizer.evaluation.gold import GoldSentence

    raw = "Menu Home News\nThe dam may fail. Water rose. Officials said it could hold.\n"
    s1, s2, s3 = raw.index("The dam"), raw.index("Water"), raw.index("Officials")
    gold = GoldArticle(id="g", text=raw, clean_text="The dam may fail. Water rose.\n")
    gold.sentences = [
        GoldSentence(s1, s2 - 1, True),
        GoldSentence(s2, s3 - 1, False),
        GoldSentence(s3, len(raw) - 1, True),
    ]
    brief = {
        "headline": "h", "summary": "s", "stakeholders": [],
        "key_claims": [
            {"id": "c1", "statement": "x", "claimant": None, "attribution": None,
             "evidence": "The dam may fail.", "certainty": "speculative"},
            {"id": "c2", "statement": "y", "claimant": None, "attribution": None,
             "evidence": "Menu Home News", "certainty": "claimed"},
        ],
        "uncertainty": {"overall": "medium", "items": [
            {"aspect": "a", "description": "d", "type": "speculation", "claim_ids": ["c1"],
             "cues": ["may"]}]},
    }
    score = scoring.score_article(gold, Article(text=raw), brief)
    c = score.counts
    counts = (c["unc_gold"], c["unc_gold_hit"], c["unc_flagged"], c["unc_flagged_hit"])
    assert counts == (2, 1, 1, 1)
    assert (c["ref_quotes"], c.get("ref_leaks")) == (2, 1)


def test_new_corpus_sets(shared_data: Path) -> None:
    from summarizer.evaluation.sets import boilerplate_gold, factbank_gold

    fact = factbank_gold(shared_data / "factbank-dev")
    assert len(fact) == 104
    assert sum(len(g.hedge_cues or []) for g in fact) == 382
    assert all(g.raw_text[c.start : c.end] == c.text for g in fact for c in g.hedge_cues or [])
    assert any(s.uncertain for g in fact for s in g.sentences or [])
    pages = boilerplate_gold(shared_data / "boilerplate-dev")
    assert len(pages) == 91 and all(g.clean_text for g in pages)
    assert all(g.article_path and "naive_fulltext" in str(g.article_path) for g in pages)


def test_run_eval_parts_split_the_set_in_two(shared_data: Path) -> None:
    seen = {}
    for part in ("dev", "check"):
        ids: list[str] = []

        def predict(article: Article, ids: list[str] = ids) -> dict[str, Any]:
            ids.append(article.text)
            return FAKE_BRIEF

        runner.run_eval("factbank-dev", predict, data_dir=shared_data, part=part)
        seen[part] = ids
    assert len(seen["dev"]) == 52 and len(seen["check"]) == 52
    assert len(set(seen["dev"]) | set(seen["check"])) >= 100  # a few documents repeat
