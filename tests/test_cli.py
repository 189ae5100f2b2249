"""The command line on temporary folders: offline analyzer and a local simulated endpoint."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from openai_sim import SimServer

from summarizer.cli import main
from summarizer.output.schema import schema_errors

REPO = Path(__file__).resolve().parents[1]

ARTICLE = (
    "Harbour Bridge to reopen in May\n\n"
    "Transport Minister Ana Lopez said on Monday that the Harbour Bridge will reopen in May. "
    "Engineers reportedly found fewer cracks than feared.\n"
)


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def make_folder(root: Path) -> Path:
    articles = root / "in"
    (articles / "nested").mkdir(parents=True)
    (articles / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (articles / "nested" / "a-copy.txt").write_text(ARTICLE, encoding="utf-8")
    (articles / "b.md").write_text("# Second story\n\nThe council said it will vote on Friday.\n")
    (articles / "c.json").write_text(
        json.dumps({"title": "T", "body": "Police said the road is closed."})
    )
    (articles / "empty.txt").write_text("   \n")
    (articles / "bad.json").write_text("{not json")
    (articles / "slides.pdf").write_bytes(b"%PDF-1.4")
    (articles / ".hidden.txt").write_text(ARTICLE)
    return articles


def read_index(out: Path) -> dict[str, dict]:
    lines = (out / "index.jsonl").read_text(encoding="utf-8").splitlines()
    return {entry["path"]: entry for entry in map(json.loads, lines)}


def test_summarize_offline_by_default(seed_path):
    result = invoke("summarize", str(seed_path), "--no-cache")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert schema_errors(payload, "result") == []
    assert payload["provenance"]["mode"] == "offline"
    assert "No model configured" in result.stderr


def test_summarize_reports_bad_input_in_one_line(tmp_path):
    missing = tmp_path / "missing.txt"
    result = invoke("summarize", str(missing))
    assert result.exit_code == 2
    assert str(missing) in result.stderr
    assert "Traceback" not in result.stderr
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF")
    result = invoke("summarize", str(pdf), "--model", "offline")
    assert result.exit_code == 2
    assert "x.pdf" in result.stderr and "unsupported file type" in result.stderr


def test_run_accounts_for_every_input_and_mirrors_the_tree(tmp_path):
    articles = make_folder(tmp_path)
    out = tmp_path / "out"
    cache = tmp_path / "cache.sqlite3"
    first = invoke(
        "run", str(articles), "--out", str(out), "--model", "offline", "--cache", str(cache)
    )
    assert first.exit_code == 1  # two inputs failed
    index = read_index(out)
    assert set(index) == {
        "a.txt",
        "nested/a-copy.txt",
        "b.md",
        "c.json",
        "empty.txt",
        "bad.json",
        "slides.pdf",
    }
    assert {p for p, e in index.items() if e["status"] == "ok"} == {
        "a.txt",
        "nested/a-copy.txt",
        "b.md",
        "c.json",
    }
    assert index["slides.pdf"]["status"] == "skipped"
    assert index["bad.json"]["status"] == "failed" and "JSON" in index["bad.json"]["reason"]
    assert index["empty.txt"]["status"] == "failed"
    written = json.loads((out / "nested" / "a-copy.txt.json").read_text(encoding="utf-8"))
    assert schema_errors(written, "result") == []
    report = json.loads((out / "report.json").read_text())
    assert (report["inputs"], report["ok"], report["failed"], report["skipped"]) == (7, 4, 2, 1)

    kept, removed = out / "b.md.json", out / "c.json.json"
    kept_bytes = kept.read_bytes()
    mtime = kept.stat().st_mtime_ns
    removed.unlink()
    again = invoke(
        "run", str(articles), "--out", str(out), "--model", "offline", "--cache", str(cache)
    )
    assert again.exit_code == 1
    report = json.loads((out / "report.json").read_text())
    assert report["cache_hits"] + report["duplicates"] == 4 and report["model_calls"] == 0
    assert kept.stat().st_mtime_ns == mtime and kept.read_bytes() == kept_bytes  # left alone
    assert schema_errors(json.loads(removed.read_text()), "result") == []  # written again


def test_validate_command_finds_broken_outputs(tmp_path):
    articles = make_folder(tmp_path)
    out = tmp_path / "out"
    invoke("run", str(articles), "--out", str(out), "--model", "offline", "--no-cache")
    assert invoke("validate", str(out)).exit_code == 0
    broken = out / "b.md.json"
    payload = json.loads(broken.read_text())
    del payload["provenance"]["model"]
    broken.write_text(json.dumps(payload))
    result = invoke("validate", str(out))
    assert result.exit_code == 1
    assert "b.md.json" in result.stderr and "'model' is a required property" in result.stderr


def test_schema_and_cache_commands(tmp_path, seed_path):
    assert json.loads(invoke("schema").stdout)["$id"] == "urn:summarizer:schema:summary:1.0.0"
    assert json.loads(invoke("schema", "--result").stdout)["$id"].startswith(
        "urn:summarizer:schema:result"
    )
    cache = str(tmp_path / "c.sqlite3")
    invoke("summarize", str(seed_path), "--model", "offline", "--cache", cache)
    stats = json.loads(invoke("cache", "stats", "--cache", cache).stdout)
    assert stats["entries"] == 1 and stats["models"] == {"offline": 1}
    assert "removed 1" in invoke("cache", "clear", "--cache", cache).stdout


def test_estimate_counts_tokens_and_cost_without_calls(tmp_path):
    articles = make_folder(tmp_path)
    result = invoke("estimate", str(articles), "--model", "gpt-4o-mini", "--json")
    figures = json.loads(result.stdout)
    assert figures["articles"] == 3  # a.txt and its copy count once; b.md, c.json
    # The same inputs as `run` lists: slides.pdf is there, as unsupported.
    counts = ("inputs", "duplicates", "unreadable", "unsupported")
    assert tuple(figures[c] for c in counts) == (7, 1, 2, 1)
    from summarizer.input.loader import load_article
    from summarizer.prompting.prompt import load_prompt
    from summarizer.prompting.tokens import count_message_tokens

    expected = sum(
        count_message_tokens(
            load_prompt().render(load_article(articles / name).text, include_schema=False)
        )
        for name in ("a.txt", "b.md", "c.json")
    )
    assert figures["prompt_tokens"] == expected
    assert figures["cost_usd"] > 0


def sim_args(sim: SimServer, cache: Path) -> list[str]:
    return [
        "--model",
        "sim-model",
        "--base-url",
        sim.base_url,
        "--api-key",
        "sk-test",
        "--cache",
        str(cache),
    ]


def run_on_sim(sim: SimServer, articles: Path, out: Path, cache: Path, *options: str):
    """``summarizer run ARTICLES --out OUT`` against the simulator, with ``options``."""
    return invoke("run", str(articles), "--out", str(out), *options, *sim_args(sim, cache))


def test_identical_articles_cost_one_call(tmp_path):
    articles = tmp_path / "in"
    articles.mkdir()
    for i in range(6):
        (articles / f"copy{i}.txt").write_text(ARTICLE)
    (articles / "other.txt").write_text(ARTICLE.replace("May", "June"))
    with SimServer(latency=0.2) as sim:
        result = run_on_sim(sim, articles, tmp_path / "out", tmp_path / "c.sqlite3", "-j", "8")
        calls = len(sim.chat_requests)
    assert result.exit_code == 0
    assert calls == 2
    assert len(list((tmp_path / "out").glob("*.json"))) == 8  # 7 outputs + report.json
    index = read_index(tmp_path / "out")
    assert sum(1 for e in index.values() if e.get("duplicate_of")) == 5


@pytest.mark.parametrize("refresh", [[], ["--refresh"]], ids=["cached", "refresh"])
def test_a_duplicate_found_after_its_first_call_finished_is_still_a_duplicate(
    tmp_path, refresh
):
    # With one request slot, z.txt starts only after a.txt's call has finished and
    # been cached, so the cache serves it; the report must still call it a
    # duplicate of a.txt, not a hit from an earlier run. --refresh ignores earlier
    # runs' results, not this run's: z.txt must not pay for a second call.
    articles = tmp_path / "in"
    articles.mkdir()
    (articles / "a.txt").write_text(ARTICLE)
    for name in "bcde":
        (articles / f"{name}.txt").write_text(ARTICLE.replace("May", f"May ({name})"))
    (articles / "z.txt").write_text(ARTICLE)
    out = tmp_path / "out"
    with SimServer() as sim:
        result = run_on_sim(sim, articles, out, tmp_path / "c.sqlite3", "-j", "1", *refresh)
        calls = len(sim.chat_requests)
    assert result.exit_code == 0, result.output
    assert calls == 5
    assert read_index(out)["z.txt"]["duplicate_of"] == "a.txt"
    report = json.loads((out / "report.json").read_text())
    assert (report["duplicates"], report["cache_hits"], report["model_calls"]) == (1, 0, 5)


def test_concurrency_bounds_requests_in_flight_not_workers(tmp_path):
    # Twice as many workers as request slots prepare and finish articles; the
    # endpoint must still never see more than --concurrency requests at once.
    articles = tmp_path / "in"
    articles.mkdir()
    for i in range(12):
        (articles / f"story{i:02d}.txt").write_text(ARTICLE.replace("May", f"May {i + 1}"))
    with SimServer(latency=0.2) as sim:
        result = run_on_sim(sim, articles, tmp_path / "out", tmp_path / "c.db", "-j", "3")
        stats = sim.stats()
    assert result.exit_code == 0, result.output
    assert stats["requests"] == 12
    assert stats["max_in_flight"] == 3


def test_outputs_are_written_off_the_event_loop_from_the_cached_json(tmp_path, monkeypatch):
    import sqlite3
    import threading

    import summarizer.batch.writer as batch

    writers: list[str] = []
    original = batch.write_atomic

    def recording_write(path, text):
        if path.name.endswith(".txt.json"):
            writers.append(threading.current_thread().name)
        original(path, text)

    monkeypatch.setattr(batch, "write_atomic", recording_write)
    articles = tmp_path / "in"
    articles.mkdir()
    for i in range(3):
        (articles / f"story{i}.txt").write_text(ARTICLE.replace("May", f"May {i + 1}"))
    with SimServer() as sim:
        result = run_on_sim(sim, articles, tmp_path / "out", tmp_path / "c.db")
    assert result.exit_code == 0, result.output
    # A slow disk must not stall requests in flight: no output is written on the loop.
    assert len(writers) == 3
    assert all(name.startswith("summarizer-writer") for name in writers)
    # Each result is serialised once: the output file holds the cached JSON exactly.
    with sqlite3.connect(tmp_path / "c.db") as db:
        rows = db.execute("SELECT payload FROM results").fetchall()
    cached = {json.loads(payload)["article"]["source"]: payload for (payload,) in rows}
    assert len(cached) == 3
    for source, payload in cached.items():
        output = tmp_path / "out" / f"{Path(source).name}.json"
        assert output.read_text(encoding="utf-8") == payload + "\n"


def test_token_budget_stops_cleanly(tmp_path):
    articles = tmp_path / "in"
    articles.mkdir()
    for i in range(5):
        (articles / f"a{i}.txt").write_text(ARTICLE + f" This is story number {i} of the batch.")
    with SimServer() as sim:
        result = run_on_sim(
            sim, articles, tmp_path / "out", tmp_path / "c.sqlite3", "-j", "1",
            "--max-tokens", "3500",
        )
    index = read_index(tmp_path / "out")
    assert result.exit_code == 1
    assert len(index) == 5
    done = [e for e in index.values() if e["status"] == "ok"]
    assert done and len(done) < 5
    assert all(e["status"] in ("ok", "skipped") for e in index.values())
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["stopped_reason"] == "budget reached"
    assert report["tokens"]["total"] <= 3500


def _start_cli_run(articles: Path, out: Path, sim: SimServer, cache: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "summarizer.cli",
            "run",
            str(articles),
            "--out",
            str(out),
            "-j",
            "4",
            "--grace",
            "30",
            *sim_args(sim, cache),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_outputs(out: Path, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(list(out.glob("*.txt.json"))) < count:
        assert time.monotonic() < deadline, "the run produced no output in time"
        time.sleep(0.05)


@pytest.fixture
def forty_articles(tmp_path) -> Path:
    articles = tmp_path / "in"
    articles.mkdir()
    for i in range(40):
        (articles / f"a{i:02}.txt").write_text(ARTICLE + f" Story number {i}.")
    return articles


def test_kill_9_leaves_no_partial_output_and_rerun_repeats_no_call(tmp_path, forty_articles):
    out, cache = tmp_path / "out", tmp_path / "c.sqlite3"
    with SimServer(latency=0.3) as sim:
        process = _start_cli_run(forty_articles, out, sim, cache)
        _wait_for_outputs(out, 6)
        process.kill()
        process.wait()
        finished = {p.name[: -len(".json")] for p in out.glob("*.txt.json")}
        for path in out.rglob("*.json"):
            json.loads(path.read_text())  # every visible output is complete
        first_calls = len(sim.chat_requests)
        rerun = _start_cli_run(forty_articles, out, sim, cache)
        assert rerun.wait(60) == 0
        # A request the kill cut off mid-body can reach the simulator's records after
        # first_calls was read; it has no parsed body and was never answered.
        second = [r for r in sim.chat_requests[first_calls:] if r.body is not None]
    sent = {
        line.split("Story number ")[1].split(".")[0]
        for r in second
        for line in [r.body["messages"][0]["content"]]
    }
    already = {name[1:3].lstrip("0") or "0" for name in finished}
    assert not sent & already, "a finished article was paid for again"
    assert len(second) <= 40 - len(finished)
    index = read_index(out)
    assert len(index) == 40 and all(e["status"] == "ok" for e in index.values())


def test_ctrl_c_finishes_in_flight_writes_report_and_exits_130(tmp_path, forty_articles):
    out, cache = tmp_path / "out", tmp_path / "c.sqlite3"
    with SimServer(latency=0.3) as sim:
        process = _start_cli_run(forty_articles, out, sim, cache)
        _wait_for_outputs(out, 4)
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 130
        calls = len(sim.chat_requests)
    report = json.loads((out / "report.json").read_text())
    assert report["interrupted"] is True
    index = read_index(out)
    assert len(index) == 40  # everything accounted for
    ok = [e for e in index.values() if e["status"] == "ok"]
    assert {e["status"] for e in index.values()} == {"ok", "skipped"}
    # Workers waiting for a request slot when Ctrl-C came did not send anything.
    skipped = [e for e in index.values() if e["status"] == "skipped"]
    assert {e["reason"] for e in skipped} == {"not started: interrupted"}
    assert len(ok) == calls  # in-flight calls were allowed to finish and were written
    assert len(ok) < 40


def test_second_ctrl_c_cancels_in_flight_and_still_accounts_for_everything(
    tmp_path, forty_articles
):
    out, cache = tmp_path / "out", tmp_path / "c.sqlite3"
    with SimServer(latency=5) as sim:
        process = _start_cli_run(forty_articles, out, sim, cache)
        deadline = time.monotonic() + 30
        while len(sim.chat_requests) < 4:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        assert process.wait(20) == 130
    index = read_index(out)
    assert len(index) == 40
    reasons = [e.get("reason", "") for e in index.values()]
    assert sum(r == "cancelled: run interrupted" for r in reasons) == 4
    assert not list(out.glob("*.txt.json"))  # nothing half-done was written
    assert json.loads((out / "report.json").read_text())["interrupted"] is True


def test_verbose_logs_never_show_the_key(tmp_path):
    secret = "fake-key-VERBOSE-SECRET-0123456789"
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    with SimServer() as sim:
        env = {**os.environ, "PYTHONPATH": str(REPO), "OPENAI_API_KEY": secret}
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "summarizer.cli",
                "--verbose",
                "summarize",
                str(article),
                "--model",
                "sim-model",
                "--base-url",
                sim.base_url,
                "--no-cache",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert completed.returncode == 0, completed.stderr
    assert "DEBUG" in completed.stderr  # verbose really logged the exchange
    assert secret not in completed.stderr and secret not in completed.stdout


def test_budget_prices_the_model_the_run_calls(tmp_path):
    """--api-key alone selects the default API model; --max-cost must price that model."""
    empty = tmp_path / "in"
    empty.mkdir()
    result = invoke(
        "run",
        str(empty),
        "--out",
        str(tmp_path / "out"),
        "--api-key",
        "fake-key",
        "--max-cost",
        "1",
    )
    assert result.exit_code == 0, result.stderr
    unpriced = invoke(
        "run",
        str(empty),
        "--out",
        str(tmp_path / "out2"),
        "--model",
        "my-local-model",
        "--base-url",
        "http://127.0.0.1:9/v1",
        "--max-cost",
        "1",
    )
    assert (
        unpriced.exit_code == 2
        and "(--max-cost) needs a price for 'my-local-model'" in unpriced.stderr
    )


def test_eval_seed_works_from_the_package_under_test():
    """``summarizer eval seed`` needs the example gold shipped inside the package."""
    result = invoke("eval", "seed", "--model", "offline", "--no-cache")
    assert result.exit_code == 0, result.output
    assert "schema" in result.stdout.lower()
