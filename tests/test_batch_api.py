"""Issue 13: ``run --batch-api`` against the simulator's Files and Batch APIs.

Everything goes through the real command line and the real ``openai`` client; the
simulator answers each batch line with the chat endpoint's own logic, so a batch
run and a live run of the same articles can be compared output for output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openai_sim import SimServer, brief, status

from summarizer.batchapi.cli import EXIT_BATCHES_OPEN
from summarizer.batchapi.state import STATE_DIR, STATE_NAME
from summarizer.cli import EXIT_FAILED_ITEMS, main

ARTICLE = (
    "Harbour Bridge to reopen in {n}\n\n"
    "Transport Minister Ana Lopez said on Monday that the Harbour Bridge will reopen in {n}. "
    "Engineers reportedly found fewer cracks than feared, and the council of Port Elm "
    "approved the repair budget of {n} million.\n"
)


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def make_articles(folder: Path, count: int, start: int = 0) -> Path:
    folder.mkdir(exist_ok=True)
    for i in range(start, start + count):
        (folder / f"story{i:03}.txt").write_text(ARTICLE.format(n=f"May {i + 1}"))
    return folder


def read_index(out: Path) -> dict[str, dict]:
    lines = (out / "index.jsonl").read_text(encoding="utf-8").splitlines()
    return {entry["path"]: entry for entry in map(json.loads, lines)}


def read_state(out: Path) -> dict[str, Any]:
    return json.loads((out / STATE_DIR / STATE_NAME).read_text())


def model_args(sim: SimServer, cache: Path) -> list[str]:
    return ["--model", "sim-model", "--base-url", sim.base_url, "--api-key", "sk-test",
            "--cache", str(cache)]  # fmt: skip


def batch_run(sim: SimServer, articles: Path, out: Path, cache: Path, *extra: str) -> Any:
    return invoke(
        "run", articles, "--out", out, "--batch-api", "--poll-seconds", "0.01",
        *model_args(sim, cache), *extra,
    )  # fmt: skip


def submitted_ids(sim: SimServer) -> list[list[str]]:
    """The custom_ids of every batch's input file, in creation order."""
    api = sim.batch_api
    batches = sorted(api.batches.values(), key=lambda b: b["_seq"])
    return [
        [json.loads(t)["custom_id"] for t in api.contents[b["input_file_id"]].splitlines()]
        for b in batches
    ]


def comparable(payload: dict[str, Any]) -> dict[str, Any]:
    """An output without what differs between any two runs (times, attempts)."""
    provenance = {
        k: v
        for k, v in payload["provenance"].items()
        if k not in ("latency_ms", "created_at", "attempts", "retries")
    }
    return {**payload, "provenance": provenance}


def test_batch_output_matches_a_live_run_and_duplicates_are_sent_once(tmp_path: Path) -> None:
    articles = make_articles(tmp_path / "in", 5)
    (articles / "copy.txt").write_text((articles / "story002.txt").read_text())
    with SimServer() as sim:
        live = invoke("run", articles, "--out", tmp_path / "live",
                      *model_args(sim, tmp_path / "live.db"))  # fmt: skip
        assert live.exit_code == 0, live.output
        chat_calls = len(sim.chat_requests)
        result = batch_run(sim, articles, tmp_path / "batch", tmp_path / "batch.db")
        assert result.exit_code == 0, result.output
        assert len(sim.chat_requests) == chat_calls  # nothing went live
        assert sim.batch_api.lines_answered == 5  # 6 inputs, one duplicate
        ids = submitted_ids(sim)
    assert len(ids) == 1 and len(set(ids[0])) == 5
    for name in [f"story{i:03}.txt" for i in range(5)] + ["copy.txt"]:
        live_out = json.loads((tmp_path / "live" / f"{name}.json").read_text())
        batch_out = json.loads((tmp_path / "batch" / f"{name}.json").read_text())
        assert comparable(batch_out) == comparable(live_out), name
    live_index, batch_index = read_index(tmp_path / "live"), read_index(tmp_path / "batch")
    assert {p: e["status"] for p, e in batch_index.items()} == {
        p: e["status"] for p, e in live_index.items()
    }
    assert {p: e.get("duplicate_of") for p, e in batch_index.items()} == {
        p: e.get("duplicate_of") for p, e in live_index.items()
    }
    assert batch_index["story002.txt"]["duplicate_of"] == "copy.txt"  # walk order
    report = json.loads((tmp_path / "batch" / "report.json").read_text())
    assert report["via"] == "batch"
    assert report["ok"] == 6 and report["duplicates"] == 1 and report["model_calls"] == 5
    assert [b["status"] for b in report["batches"]] == ["completed"]
    assert report["batches"][0]["id"] in sim.batch_api.batches


def test_cache_hits_are_never_submitted_and_a_rerun_submits_nothing(tmp_path: Path) -> None:
    articles = make_articles(tmp_path / "in", 3)
    cache = tmp_path / "cache.db"
    with SimServer() as sim:
        assert invoke("run", articles, "--out", tmp_path / "live",
                      *model_args(sim, cache)).exit_code == 0  # fmt: skip
        make_articles(articles, 2, start=3)
        result = batch_run(sim, articles, tmp_path / "out", cache)
        assert result.exit_code == 0, result.output
        assert sim.batch_api.lines_answered == 2
        again = batch_run(sim, articles, tmp_path / "out", cache)
        assert again.exit_code == 0, again.output
        assert sim.batch_api.lines_answered == 2 and len(sim.batch_api.batches) == 1
    index = read_index(tmp_path / "out")
    assert sum(1 for e in index.values() if e.get("cache_hit")) == 3
    assert all(e["status"] == "ok" for e in index.values())


def test_no_wait_submits_and_a_later_run_collects(tmp_path: Path) -> None:
    articles = make_articles(tmp_path / "in", 4)
    out, cache = tmp_path / "out", tmp_path / "cache.db"
    with SimServer() as sim:
        sim.batch_api.hold = True
        first = batch_run(sim, articles, out, cache, "--no-wait")
        assert first.exit_code == EXIT_BATCHES_OPEN, first.output
        assert {e["status"] for e in read_index(out).values()} == {"pending"}
        assert json.loads((out / "report.json").read_text())["pending"] == 4
        listed = invoke("batches", out, "--base-url", sim.base_url)
        assert "validating" in listed.output and "0/4 done" in listed.output
        sim.batch_api.hold = False
        second = batch_run(sim, articles, out, cache, "--no-wait")
        assert second.exit_code == 0, second.output
        assert len(sim.batch_api.batches) == 1 and sim.batch_api.lines_answered == 4
    assert {e["status"] for e in read_index(out).values()} == {"ok"}


def test_requests_per_batch_and_enqueued_token_cap_split_the_work(tmp_path: Path) -> None:
    articles = make_articles(tmp_path / "in", 5)
    with SimServer() as sim:
        result = batch_run(sim, articles, tmp_path / "a", tmp_path / "a.db",
                           "--max-requests-per-batch", "2")  # fmt: skip
        assert result.exit_code == 0, result.output
        assert [len(ids) for ids in submitted_ids(sim)] == [2, 2, 1]
    line_bytes = max(c["bytes"] / c["lines"] for c in read_state(tmp_path / "a")["chunks"])
    with SimServer() as sim:
        result = batch_run(sim, articles, tmp_path / "s", tmp_path / "s.db",
                           "--max-bytes-per-file", str(int(line_bytes * 3.5)))  # fmt: skip
        assert result.exit_code == 0, result.output
        assert [len(ids) for ids in submitted_ids(sim)] == [3, 2]
        api = sim.batch_api
        inputs = [len(api.contents[b["input_file_id"]]) for b in api.batches.values()]
        assert max(inputs) <= line_bytes * 3.5
    with SimServer() as sim:
        sim.batch_api.hold = True
        # Each prompt is a few hundred tokens: room for two at a time.
        capped = batch_run(sim, articles, tmp_path / "b", tmp_path / "b.db",
                           "--max-enqueued-tokens", "1500", "--no-wait")  # fmt: skip
        assert capped.exit_code == EXIT_BATCHES_OPEN
        first = submitted_ids(sim)
        assert len(first) == 1 and 1 <= len(first[0]) < 5
        sim.batch_api.hold = False
        done = batch_run(sim, articles, tmp_path / "b", tmp_path / "b.db",
                         "--max-enqueued-tokens", "1500")  # fmt: skip
        assert done.exit_code == 0, done.output
        ids = submitted_ids(sim)
        assert sum(len(i) for i in ids) == 5 and len({c for i in ids for c in i}) == 5
        state = read_state(tmp_path / "b")
        assert all(c["tokens"] <= 1500 for c in state["chunks"])


def test_an_answer_that_needs_a_reask_goes_into_a_follow_up_batch(tmp_path: Path) -> None:
    articles = make_articles(tmp_path / "in", 3)

    def plant_ungrounded(data: dict[str, Any]) -> None:
        data["key_claims"][0]["evidence"] = "words that appear nowhere in the article at all"

    with SimServer() as sim:
        sim.batch_api.on_line = lambda cid, body: (
            brief(plant_ungrounded) if cid.endswith("-r0") and "May 2" in str(body) else None
        )
        result = batch_run(sim, articles, tmp_path / "out", tmp_path / "c.db")
        assert result.exit_code == 0, result.output
        ids = submitted_ids(sim)
        second_body = json.loads(sim.batch_api.contents[
            sorted(sim.batch_api.batches.values(), key=lambda b: b["_seq"])[1]["input_file_id"]
        ])["body"]  # fmt: skip
    assert [len(i) for i in ids] == [3, 1] and ids[1][0].endswith("-r1")
    assert [m["role"] for m in second_body["messages"]] == ["user", "assistant", "user"]
    assert "nowhere in the article" in second_body["messages"][1]["content"]
    output = json.loads((tmp_path / "out" / "story001.txt.json").read_text())
    assert output["provenance"]["reasks"] == 1 and output["provenance"]["attempts"] == 2
    assert read_index(tmp_path / "out")["story001.txt"]["reasks"] == 1


def test_fallback_live_finishes_reasks_and_failed_lines_live(tmp_path: Path) -> None:
    articles = make_articles(tmp_path / "in", 3)

    def plant_ungrounded(data: dict[str, Any]) -> None:
        data["key_claims"][0]["evidence"] = "words that appear nowhere in the article at all"

    def hook(cid: str, body: dict[str, Any]) -> Any:
        if "May 1" in str(body):
            return brief(plant_ungrounded)
        if "May 3" in str(body):
            return status(500)
        return None

    with SimServer() as sim:
        sim.batch_api.on_line = hook
        result = batch_run(sim, articles, tmp_path / "out", tmp_path / "c.db",
                           "--fallback", "live")  # fmt: skip
        assert result.exit_code == 0, result.output
        assert len(sim.batch_api.batches) == 1
        chats = sim.chat_requests
    assert len(chats) == 2
    reask = next(r for r in chats if len(r.body["messages"]) == 3)
    assert reask.body["messages"][1]["role"] == "assistant"
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["ok"] == 3 and report["live_requests"] == 2 and report["batch_requests"] == 2


def test_a_provider_error_line_is_sent_again_and_gives_up_after_the_retries(
    tmp_path: Path,
) -> None:
    articles = make_articles(tmp_path / "in", 2)
    with SimServer() as sim:
        sim.batch_api.on_line = lambda cid, body: status(500) if "May 1" in str(body) else None
        result = batch_run(sim, articles, tmp_path / "out", tmp_path / "c.db")
        assert result.exit_code == EXIT_FAILED_ITEMS
        assert len(sim.batch_api.batches) == 4  # the first, then three retries of one line
    index = read_index(tmp_path / "out")
    assert index["story001.txt"]["status"] == "ok"
    failed = index["story000.txt"]
    assert failed["status"] == "failed" and "HTTP 500" in failed["reason"]
    assert "sent 4 times" in failed["reason"]


@pytest.mark.parametrize("reject", [1])
def test_a_rejected_input_file_is_submitted_again(tmp_path: Path, reject: int) -> None:
    articles = make_articles(tmp_path / "in", 3)
    with SimServer() as sim:
        sim.batch_api.reject_input = reject
        result = batch_run(sim, articles, tmp_path / "out", tmp_path / "c.db")
        assert result.exit_code == 0, result.output
        assert sim.batch_api.lines_answered == 3
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [b["status"] for b in report["batches"]] == ["failed", "completed"]
    assert report["ok"] == 3


def test_outputs_a_live_run_already_wrote_are_not_submitted(tmp_path: Path) -> None:
    articles = make_articles(tmp_path / "in", 3)
    out = tmp_path / "out"
    with SimServer() as sim:
        args = ["--model", "sim-model", "--base-url", sim.base_url, "--no-cache"]
        assert invoke("run", articles, "--out", out, *args).exit_code == 0
        written = {p.name: p.read_bytes() for p in out.glob("*.txt.json")}
        make_articles(articles, 1, start=3)
        result = invoke("run", articles, "--out", out, "--batch-api", "--poll-seconds", "0.01",
                        *args)  # fmt: skip
        assert result.exit_code == 0, result.output
        assert sim.batch_api.lines_answered == 1
    assert {p.name: p.read_bytes() for p in out.glob("story00[012].txt.json")} == written
    index = read_index(out)
    assert [index[f"story{i:03}.txt"].get("cache_hit") for i in range(4)] == [True] * 3 + [None]


def test_an_article_too_long_for_the_context_window_fails_before_anything_is_sent(
    tmp_path: Path,
) -> None:
    articles = make_articles(tmp_path / "in", 2)
    words = " ".join(f"word{i} zebra{i * 7}" for i in range(6000))  # > 8,192 tokens
    (articles / "huge.txt").write_text(f"A long one\n\nMinister Ana Lopez said {words}.\n")
    with SimServer() as sim:
        result = batch_run(sim, articles, tmp_path / "out", tmp_path / "c.db")
        assert result.exit_code == EXIT_FAILED_ITEMS
        assert sim.batch_api.lines_answered == 2
    huge = read_index(tmp_path / "out")["huge.txt"]
    assert huge["status"] == "failed" and "context window" in huge["reason"]
