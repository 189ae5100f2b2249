"""``--engine ray`` and ``summarize_dataset`` against a local Ray and the simulator.

One local Ray instance serves the whole session (``ray.init(num_cpus=2)``); the
simulator runs in this process, so it counts every request the actors send. Marked
``ray`` (excluded from the default run; ``.ci/ray-tests`` runs them). Without Ray
installed these tests are skipped with the reason, except under CI, where a missing
Ray is a failure.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openai_sim import SimServer, extract_article

from summarizer.cli import main

pytestmark = pytest.mark.ray

ARTICLE = (
    "Harbour Bridge to reopen in {month}\n\n"
    "Transport Minister Ana Lopez said on Monday that the Harbour Bridge will reopen in "
    "{month}. Engineers reportedly found fewer cracks than feared in inspection {n}.\n"
)
MONTHS = ("May", "June", "July", "August", "September")


def article(n: int) -> str:
    return ARTICLE.format(month=MONTHS[n % len(MONTHS)], n=n)


@pytest.fixture(scope="session")
def ray_session() -> Any:
    try:
        import ray
        import ray.data
    except ImportError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Ray is not installed in CI ({exc}): run .ci/ray-tests")
        pytest.skip(f"Ray is not installed ({exc}): pip install '.[ray]'")
    with pytest.MonkeyPatch.context() as env:
        for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_MODEL", "SUMMARIZER_CONFIG"):
            env.delenv(name, raising=False)  # the workers inherit this environment
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield ray
    ray.shutdown()


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def sim_args(sim: SimServer) -> list[str]:
    return ["--model", "sim-model", "--base-url", sim.base_url, "--api-key", "sk-test"]


def requests_per_article(sim: SimServer) -> Counter[str]:
    """How many chat requests the simulator received for each article text."""
    counts: Counter[str] = Counter()
    for request in sim.chat_requests:
        user = [m["content"] for m in request.body["messages"] if m["role"] == "user"]
        counts[extract_article(user[-1]) or ""] += 1
    return counts


def without_timings(payload: dict[str, Any]) -> dict[str, Any]:
    provenance = dict(payload["provenance"])
    provenance.pop("latency_ms")
    provenance.pop("created_at")
    return {**payload, "provenance": provenance}


def read_index(out: Path) -> dict[str, dict[str, Any]]:
    lines = (out / "index.jsonl").read_text(encoding="utf-8").splitlines()
    return {entry["path"]: entry for entry in map(json.loads, lines)}


def test_ray_and_local_engines_write_the_same_folder(ray_session, tmp_path):
    articles = tmp_path / "in"
    (articles / "world").mkdir(parents=True)
    for n in range(50):
        (articles / ("world" if n % 2 else "") / f"story{n:02}.txt").write_text(article(n))
    (articles / "empty.txt").write_text("   \n")
    (articles / "notes.pdf").write_bytes(b"%PDF")
    with SimServer(latency=0.05) as sim:
        local = invoke("run", str(articles), "--out", str(tmp_path / "local"), "-q", "-j", "4",
                       "--cache", str(tmp_path / "cache.sqlite"), *sim_args(sim))  # fmt: skip
        local_requests = len(sim.chat_requests)
        on_ray = invoke("run", str(articles), "--out", str(tmp_path / "ray"), "-q", "-j", "4",
                        "--engine", "ray", "--ray-actors", "2", *sim_args(sim))  # fmt: skip
        ray_requests = len(sim.chat_requests) - local_requests
        in_flight = sim.stats()["max_in_flight"]
        port = sim.port
    assert local.exit_code == on_ray.exit_code == 1  # the empty file failed in both
    assert local_requests == ray_requests == 50
    assert in_flight <= 4  # the same total concurrency, divided among the actors
    outputs = sorted(
        p.relative_to(tmp_path / "local") for p in (tmp_path / "local").rglob("*.json")
    )
    assert len(outputs) == 51  # 50 results and report.json
    for name in outputs:
        if name.name == "report.json":
            continue
        written = [json.loads((tmp_path / run / name).read_text()) for run in ("local", "ray")]
        assert without_timings(written[0]) == without_timings(written[1]), name
        assert written[1]["article"]["source"] == str(articles / name.with_suffix(""))
    index = [read_index(tmp_path / run) for run in ("local", "ray")]
    assert index[0].keys() == index[1].keys()
    for path, entry in index[0].items():
        entry.pop("latency_ms", None)
        index[1][path].pop("latency_ms", None)
        assert entry == index[1][path], path
    reports = [json.loads((tmp_path / run / "report.json").read_text()) for run in ("local", "ray")]
    for field in ("inputs", "ok", "failed", "skipped", "model_calls", "tokens", "attempts"):
        assert reports[0][field] == reports[1][field], field
    assert reports[1]["engine"] == "ray"
    [node] = reports[1]["nodes"].values()
    assert (node["ok"], node["failed"], node["model_calls"]) == (50, 1, 50)

    # A rerun sends nothing: every output is already there for the same key (the
    # endpoint is part of the key, hence the same port).
    with SimServer(port=port) as sim:
        rerun = invoke("run", str(articles), "--out", str(tmp_path / "ray"), "-q",
                       "--engine", "ray", *sim_args(sim))  # fmt: skip
        assert sim.chat_requests == []
    assert rerun.exit_code == 1
    report = json.loads((tmp_path / "ray" / "report.json").read_text())
    assert (report["ok"], report["cache_hits"], report["model_calls"]) == (50, 50, 0)


def test_a_killed_actor_loses_no_article_and_pays_for_none_twice(ray_session, tmp_path):
    from summarizer.options import GenerationOptions, TransportOptions
    from summarizer.ray import new_ledger, summarize_dataset

    latency = 0.5
    texts = {f"a{n:02}": article(n) for n in range(40)}
    ledger = new_ledger()
    killed: dict[str, Any] = {}
    with SimServer(latency=latency) as sim:

        def kill_one_actor() -> None:
            deadline = time.monotonic() + 120
            while sim.stats()["ok"] < 8 and time.monotonic() < deadline:
                time.sleep(0.05)
            actors = ray_session.get(ledger.actors.remote())
            victim, info = sorted(actors.items())[0]
            killed.update(actor=victim, at=time.time())
            os.kill(info["pid"], signal.SIGKILL)

        killer = threading.Thread(target=kill_one_actor)
        killer.start()
        dataset = ray_session.data.from_items(
            [{"id": rid, "text": text} for rid, text in texts.items()], override_num_blocks=8
        )
        results = summarize_dataset(
            dataset,
            generation=GenerationOptions(model="sim-model"),
            transport=TransportOptions(base_url=sim.base_url, api_key="sk-test", concurrency=8),
            actors=2,
            ledger=ledger,
        )
        rows = {row["id"]: row for row in results.iter_rows()}
        killer.join()
        requests = sorted(sim.chat_requests, key=lambda r: r.time)
    assert killed, "no actor was killed"
    assert sorted(rows) == sorted(texts)
    assert all(row["status"] == "ok" for row in rows.values()), rows
    for rid, row in rows.items():
        assert json.loads(row["result"])["article"]["source"] == rid
    restarted = ray_session.get(ledger.actors.remote())[killed["actor"]]
    assert restarted["starts"] == 2  # Ray restarted it, and it came back for more
    firsts: dict[str, float] = {}
    again: list[str] = []
    for request in requests:
        user = [m["content"] for m in request.body["messages"] if m["role"] == "user"]
        text = extract_article(user[-1]) or ""
        if text in firsts:
            again.append(text)
            # Only a request still unanswered when the actor died may be sent again.
            assert firsts[text] + latency > killed["at"] - 0.2, "a paid answer was bought twice"
        else:
            firsts[text] = request.time
    assert len(firsts) == 40
    assert len(again) <= 8  # at most what the killed actor had in flight


def test_jsonl_and_parquet_inputs(ray_session, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        {"id": "one", "text": article(1)},
        {"id": "dup/two", "text": article(1)},  # the same article: one call for both
        {"id": "three", "text": article(3)},
        {"id": "blank", "text": "  "},
        {"id": "../escape", "text": article(4)},
    ]
    jsonl = tmp_path / "articles.jsonl"
    jsonl.write_text("".join(json.dumps(row) + "\n" for row in rows))
    html = [
        {"id": f"page{n}", "html": f"<html><head><title>Bridge {n}</title></head><body>"
                                   f"<article><p>{article(n)}</p></article></body></html>"}
        for n in range(3)
    ]  # fmt: skip
    parquet = tmp_path / "pages.parquet"
    pq.write_table(pa.Table.from_pylist(html), parquet)
    with SimServer() as sim:
        first = invoke("run", str(jsonl), "--out", str(tmp_path / "from-jsonl"), "-q",
                       "--engine", "ray", *sim_args(sim))  # fmt: skip
        assert len(sim.chat_requests) == 2
        second = invoke("run", str(parquet), "--out", str(tmp_path / "from-parquet"), "-q",
                        "--engine", "ray", *sim_args(sim))  # fmt: skip
        assert len(sim.chat_requests) == 5
    assert first.exit_code == 1, first.output  # the blank row and the escaping id failed
    index = read_index(tmp_path / "from-jsonl")
    assert index["blank"]["reason"] == "no text (empty or only whitespace)"
    assert index["../escape"]["status"] == "failed"
    assert "unusable id" in index["../escape"]["reason"]
    assert not (tmp_path / "escape.json").exists()
    dup = json.loads((tmp_path / "from-jsonl" / "dup" / "two.json").read_text())
    assert dup["article"]["source"] == "dup/two" and dup["provenance"]["cache_hit"] is True
    assert index["dup/two"]["duplicate_of"] == "one"
    assert second.exit_code == 0, second.output
    for n in range(3):
        result = json.loads((tmp_path / "from-parquet" / f"page{n}.json").read_text())
        assert result["article"]["title"] == f"Bridge {n}"
        assert "Ana Lopez" in result["summary"]["summary"] or result["summary"]["key_claims"]


@pytest.mark.slow
def test_rpm_limit_holds_across_actors(ray_session, tmp_path):
    """The simulator allows 20 requests a minute; 24 articles through two actors with
    --rpm 20 must never see a 429 (each actor gets 10 a minute, not 20)."""
    articles = tmp_path / "in"
    articles.mkdir()
    for n in range(24):
        (articles / f"s{n:02}.txt").write_text(article(n))
    with SimServer(rpm=20) as sim:
        result = invoke("run", str(articles), "--out", str(tmp_path / "out"), "-q", "--rpm", "20",
                        "--engine", "ray", "--ray-actors", "2", *sim_args(sim))  # fmt: skip
        stats = sim.stats()
        times = sorted(r.time for r in sim.chat_requests)
    assert result.exit_code == 0, result.output
    assert stats["rate_limited"] == 0
    assert stats["ok"] == 24
    assert max(sum(1 for t in times if start <= t < start + 60) for start in times) <= 20


def test_ctrl_c_starts_nothing_new_and_accounts_for_every_input(ray_session, tmp_path):
    articles = tmp_path / "in"
    articles.mkdir()
    for n in range(30):
        (articles / f"s{n:02}.txt").write_text(article(n))
    interrupted: list[float] = []
    with SimServer(latency=1.0) as sim:

        def press_ctrl_c() -> None:
            deadline = time.monotonic() + 180
            while len(sim.chat_requests) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            interrupted.append(time.time())
            os.kill(os.getpid(), signal.SIGINT)  # the CLI's handler runs in this main thread

        presser = threading.Thread(target=press_ctrl_c)
        presser.start()
        result = invoke("run", str(articles), "--out", str(tmp_path / "out"), "-q", "-j", "2",
                        "--engine", "ray", "--ray-actors", "2", *sim_args(sim))  # fmt: skip
        presser.join()
        sent = [r.time for r in sim.chat_requests]
    assert result.exit_code == 130, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert (report["interrupted"], report["stopped_reason"]) == (True, "interrupted")
    index = read_index(tmp_path / "out")
    assert len(index) == 30  # every input has its line
    ok = [e for e in index.values() if e["status"] == "ok"]
    assert len(ok) == len(sent) >= 2  # what was in flight finished within the grace period
    assert all(t < interrupted[0] + 0.5 for t in sent)  # nothing new after Ctrl-C
    for entry in index.values():
        if entry["status"] != "ok":
            assert entry["reason"] == "not started: interrupted", entry


def test_the_budget_is_divided_and_stops_the_run(ray_session, tmp_path):
    articles = tmp_path / "in"
    articles.mkdir()
    for n in range(20):
        (articles / f"s{n:02}.txt").write_text(article(n))
    with SimServer() as sim:
        result = invoke("run", str(articles), "--out", str(tmp_path / "out"), "-q", "-j", "2",
                        "--max-total-tokens", "12000", "--engine", "ray", "--ray-actors", "2",
                        *sim_args(sim))  # fmt: skip
        calls = len(sim.chat_requests)
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["stopped_reason"] == "budget reached"
    assert report["tokens"]["total"] <= 12000
    assert report["ok"] == calls < 20
    assert report["ok"] + report["skipped"] == report["inputs"] == 20


def test_unreadable_input_and_bad_options_are_one_line_errors(ray_session, tmp_path):
    jsonl = tmp_path / "articles.jsonl"
    jsonl.write_text(json.dumps({"id": "a", "body": article(1)}) + "\n")
    out = tmp_path / "out"
    with SimServer() as sim:
        missing = invoke("run", str(tmp_path / "nothing.parquet"), "--out", str(out), "-q",
                         "--engine", "ray", *sim_args(sim))  # fmt: skip
        no_column = invoke("run", str(jsonl), "--out", str(out), "-q",
                           "--engine", "ray", *sim_args(sim))  # fmt: skip
        good = tmp_path / "good.jsonl"
        good.write_text(json.dumps({"id": "a", "text": article(1)}) + "\n")
        no_price = invoke("run", str(good), "--out", str(out), "-q", "--max-cost", "1",
                          "--engine", "ray", *sim_args(sim))  # fmt: skip
        assert sim.chat_requests == []
    assert missing.exit_code == 2 and "nothing.parquet: cannot read:" in missing.stderr
    assert no_column.exit_code == 2 and "has no column 'text'" in no_column.stderr
    assert no_price.exit_code == 2 and "needs a price" in no_price.stderr
    for result in (missing, no_column, no_price):
        assert result.stderr.count("\n") == 1, result.stderr  # one line, no traceback
    assert not (out / "index.jsonl").exists()
