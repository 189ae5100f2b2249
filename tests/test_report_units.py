"""The report's logic without a browser: highlight pieces, data-island escaping, the
cross-article facts, and the commands' messages."""

from __future__ import annotations

import json
from pathlib import Path

from report_site import HOSTILE_TEXT, invoke

from summarizer.report.article_view import anonymous_claim_ids, has_conflict
from summarizer.report.loading import Entry
from summarizer.report.markup import Highlight, cue_ranges, pieces
from summarizer.report.overview import Overview, json_for_script

TEXT = "The mayor said the wall would be finished by spring, officials claimed."


def _joined(parts: list, claim_id: str) -> str:
    return "".join(p.text for p in parts if claim_id in p.claims)


def test_pieces_split_overlapping_and_nested_spans_and_keep_the_text() -> None:
    highlights = [Highlight("c1", 4, 33), Highlight("c2", 20, 51), Highlight("c3", 10, 14)]
    certainty = {"c1": "confirmed", "c2": "denied", "c3": "claimed"}
    parts = pieces(TEXT, highlights, cue_ranges(TEXT, ["officials"]), certainty)
    assert "".join(p.text for p in parts) == TEXT
    for item in highlights:
        assert _joined(parts, item.claim_id) == TEXT[item.start : item.end]
    both = next(p for p in parts if p.claims == ("c1", "c2"))
    assert both.text == TEXT[20:33] and both.certainty == "denied"
    assert next(p for p in parts if p.claims == ("c1", "c3")).text == "said"
    cue = next(p for p in parts if p.cue)
    assert cue.text == "officials" and not cue.claims


def test_identical_spans_for_two_claims_share_one_piece() -> None:
    parts = pieces(TEXT, [Highlight("c1", 0, 9), Highlight("c2", 0, 9)], [], {})
    assert parts[0].claims == ("c1", "c2") and parts[0].text == "The mayor"


def test_cues_match_whole_words_only() -> None:
    assert cue_ranges("may maybe May", ["may"]) == [(0, 3), (10, 13)]


def test_data_island_json_cannot_close_its_script_element() -> None:
    payload = {"text": "</script><script>alert(1)</script> & <!-- \u2028"}
    encoded = json_for_script(payload)
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == payload


def test_anonymous_claims_come_from_the_brief_and_the_attribution_words() -> None:
    brief = {
        "key_claims": [
            {"id": "c1", "claimant": None, "attribution": "sources close to the club"},
            {"id": "c2", "claimant": "s1", "attribution": "officials"},
            {"id": "c3", "claimant": None, "attribution": "the minister"},
            {"id": "c4", "claimant": None, "attribution": None},
        ],
        "uncertainty": {"items": [{"kind": "anonymous_sourcing", "claim_ids": ["c4"]}]},
    }
    assert anonymous_claim_ids(brief) == {"c1", "c4"}


def test_conflict_means_a_disputed_or_denied_claim_or_such_an_uncertainty_item() -> None:
    calm = {"key_claims": [{"certainty": "confirmed"}], "uncertainty": {"items": []}}
    assert not has_conflict(calm)
    assert has_conflict({**calm, "key_claims": [{"certainty": "denied"}]})
    assert has_conflict({**calm, "uncertainty": {"items": [{"kind": "conflicting_reports"}]}})


def test_report_on_a_folder_that_is_not_a_run_is_one_clear_line(tmp_path: Path) -> None:
    made = invoke("report", str(tmp_path))
    assert made.exit_code == 2
    assert made.stderr.strip().splitlines() == [
        f"summarizer: error: {tmp_path}: no index.jsonl; is this a 'summarizer run' output folder?"
    ]


def test_report_survives_an_unreadable_result_file(tmp_path: Path) -> None:
    articles = tmp_path / "in"  # the output folder may not sit inside the input folder
    articles.mkdir()
    (articles / "good.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    assert invoke("run", str(articles), "--out", str(out), "--no-cache", "-q").exit_code == 0
    (out / "good.txt.json").write_text("{not json", encoding="utf-8")
    made = invoke("report", str(out))
    assert made.exit_code == 0, made.output
    index = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert "good.txt.json: not readable JSON" in index


def test_show_prints_the_brief_and_its_markup_as_text(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "hostile.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    invoke("run", str(tmp_path / "in"), "--out", str(out), "--no-cache", "-q")
    shown = invoke("show", str(out / "hostile.txt.json"))
    assert shown.exit_code == 0
    assert "Council warns of hostile form" in shown.stdout
    assert "[/script]" not in shown.stdout and "<script>alert('x')</script>" in shown.stdout
    for heading in ("Key claims", "Stakeholders", "Uncertainty: medium", "model offline"):
        assert heading in shown.stdout


def test_show_rejects_a_file_that_is_not_a_result(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    shown = invoke("show", str(bad))
    assert shown.exit_code == 2
    assert "not a result file" in shown.stderr and "Traceback" not in shown.output


def test_summarize_html_takes_one_file(tmp_path: Path) -> None:
    made = invoke("summarize", "a.txt", "b.txt", "--format", "html")
    assert made.exit_code == 2 and "exactly one FILE" in made.stderr


def _run(tmp_path: Path, names: list[str]) -> Path:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in names:
        (inputs / name).write_text(HOSTILE_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    assert invoke("run", str(inputs), "--out", str(out), "--no-cache", "-q").exit_code == 0
    return out


def test_rerunning_report_keeps_unchanged_pages_and_removes_stale_ones(tmp_path: Path) -> None:
    out = _run(tmp_path, ["a.txt", "b.txt"])
    assert invoke("report", str(out)).exit_code == 0
    page = out / "report" / "articles" / "a.txt.json.html"
    stale = out / "report" / "articles" / "gone.txt.json.html"
    stale.write_text("old", encoding="utf-8")
    before = page.stat().st_mtime_ns
    assert invoke("report", str(out)).exit_code == 0
    assert page.stat().st_mtime_ns == before
    assert not stale.exists()


def test_links_to_pages_with_odd_file_names_are_percent_encoded(tmp_path: Path) -> None:
    out = _run(tmp_path, ["odd #1?.txt"])
    assert invoke("report", str(out)).exit_code == 0
    assert (out / "report" / "articles" / "odd #1?.txt.json.html").is_file()
    index = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert '"articles/odd%20%231%3F.txt.json.html"' in index


def test_articles_option_finds_sources_that_moved(tmp_path: Path) -> None:
    out = _run(tmp_path, ["a.txt"])
    moved = tmp_path / "moved"
    (tmp_path / "in").rename(moved)
    page = out / "report" / "articles" / "a.txt.json.html"
    made = invoke("report", str(out))
    assert made.exit_code == 0 and "1 articles' source text could not be loaded" in made.stderr
    assert 'id="text-note"' in page.read_text(encoding="utf-8")
    assert invoke("report", str(out), "--articles", str(moved)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert 'id="text-note"' not in html and "<mark " in html


def test_a_changed_source_is_not_highlighted_with_stale_offsets(tmp_path: Path) -> None:
    out = _run(tmp_path, ["a.txt"])
    (tmp_path / "in" / "a.txt").write_text("Other text entirely.\n", encoding="utf-8")
    assert invoke("report", str(out)).exit_code == 0
    html = (out / "report" / "articles" / "a.txt.json.html").read_text(encoding="utf-8")
    assert "has changed since the run" in html and "<mark " not in html


def test_worker_processes_write_the_same_pages_as_one_process(tmp_path: Path) -> None:
    from summarizer.report.site import write_site

    out = _run(tmp_path, ["a.txt", "b.txt", "c.txt"])
    write_site(out, workers=1)
    pages = {p: p.read_bytes() for p in (out / "report").rglob("*.html")}
    for page in pages:
        page.unlink()
    write_site(out, workers=2)
    assert {p: p.read_bytes() for p in (out / "report").rglob("*.html")} == pages


def _entry(path: str, stakeholders: list[dict], claims: list[dict], items: list[dict]) -> Entry:
    brief = {
        "headline": path.upper(),
        "stakeholders": stakeholders,
        "key_claims": claims,
        "uncertainty": {"overall": "low", "items": items},
    }
    return Entry({"path": path, "status": "ok", "output": f"{path}.json"}, {"summary": brief})


def test_overview_indexes_stakeholders_across_articles_and_counts_anonymous_claims() -> None:
    minister = {"id": "s1", "name": "Jane  Doe", "type": "person", "role": None, "stance": None}
    overview = Overview()
    overview.add(
        _entry(
            "a.txt",
            [minister],
            [
                {"id": "c1", "claimant": "s1", "attribution": "Doe", "certainty": "claimed"},
                {"id": "c2", "claimant": "s1", "attribution": "Doe", "certainty": "claimed"},
                {"id": "c3", "claimant": None, "attribution": "officials", "certainty": "reported"},
            ],
            [],
        ),
        "articles/a.txt.json.html",
    )
    overview.add(
        _entry(
            "b.txt",
            [{**minister, "name": "jane doe"}],
            [{"id": "c1", "claimant": None, "attribution": None, "certainty": "denied"}],
            [],
        ),
        "articles/b.txt.json.html",
    )
    overview.add(Entry({"path": "c.txt", "status": "failed", "reason": "empty"}, None), None)
    assert overview.stakeholder_index() == [["Jane Doe", 2, [0, 1]]]
    assert (overview.anonymous_claims, overview.claims) == (1, 4)
    assert [path for _, path, _ in overview.conflicts] == ["b.txt"]
    assert overview.failed == [("c.txt", "empty")]


def test_overview_says_when_the_run_has_no_report_json(tmp_path: Path) -> None:
    out = _run(tmp_path, ["a.txt"])
    (out / "report.json").unlink()
    assert invoke("report", str(out)).exit_code == 0
    assert "has no report.json" in (out / "report" / "index.html").read_text(encoding="utf-8")
