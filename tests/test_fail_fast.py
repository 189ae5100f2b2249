"""Settings errors stop a run early; gateway-style slow attempts are reported.

Against the simulator with OpenAI's own checks (401 for a wrong key, 404 for an unknown
model), through the real ``summarizer run`` command.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from click.testing import CliRunner
from openai_sim import SimServer, hang, status
from sim_provider import ProviderRules

from summarizer import Summarizer
from summarizer.backends.runguard import AttemptClock, FailFast, GuardOptions
from summarizer.batch import BatchRun
from summarizer.cli import main
from summarizer.config import resolve
from summarizer.errors import ModelError, OutputError, RequestRejected
from summarizer.options import TransportOptions

KEY = "sk-test-right-key"


def articles(folder: Path, start: int, stop: int) -> Path:
    folder.mkdir(exist_ok=True)
    for i in range(start, stop):
        (folder / f"a{i:03}.txt").write_text(
            f"Story {i}\n\nThe mayor said on Monday that bridge {i} will reopen in May.\n"
        )
    return folder


def run(sim: SimServer, folder: Path, out: Path, cache: Path, *extra: str):
    args = ["run", str(folder), "--out", str(out), "--base-url", sim.base_url, "--quiet"]
    args += ["--cache", str(cache), "--max-attempts", "3", *extra]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def index(out: Path) -> dict[str, dict]:
    lines = (out / "index.jsonl").read_text().splitlines()
    return {entry["path"]: entry for entry in map(json.loads, lines)}


def test_wrong_key_stops_the_run_after_three_articles_and_a_rerun_resumes(tmp_path):
    rules = ProviderRules(api_key=KEY, known_models_only=True)
    folder, cache = tmp_path / "in", tmp_path / "c.sqlite3"
    with SimServer(rules=rules, models=("sim-model",)) as sim:
        good = ("--model", "sim-model", "--api-key", KEY)
        articles(folder, 0, 5)
        assert run(sim, folder, tmp_path / "o1", cache, *good).exit_code == 0
        articles(folder, 5, 40)
        calls_before = len(sim.chat_requests)

        bad = run(
            sim,
            folder,
            tmp_path / "o2",
            cache,
            "--model",
            "sim-model",
            "--api-key",
            "sk-test-wrong-key",
            "-j",
            "1",
        )
        assert bad.exit_code == 2  # documented: a settings error
        assert len(sim.chat_requests) - calls_before == 3  # 3 articles, 1 attempt each
        assert "run stopped: the first 3 articles all failed the same way" in bad.stderr
        assert "HTTP 401" in bad.stderr and "sk-test-wrong" not in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 2  # the summary line and the error
        lines = index(tmp_path / "o2")
        assert len(lines) == 40  # every input accounted for
        statuses = [entry["status"] for entry in lines.values()]
        assert statuses.count("ok") == 5 and statuses.count("failed") == 3
        assert statuses.count("skipped") == 32
        skipped = next(e for e in lines.values() if e["status"] == "skipped")
        assert skipped["reason"].startswith("not started: the first 3 articles")
        report = json.loads((tmp_path / "o2" / "report.json").read_text())
        assert "401" in report["fail_fast"] and report["failed"] == 3

        calls_before = len(sim.chat_requests)
        again = run(sim, folder, tmp_path / "o2", cache, *good)
        assert again.exit_code == 0, again.stderr
        assert len(sim.chat_requests) - calls_before == 35  # only what was left
        assert all(entry["status"] == "ok" for entry in index(tmp_path / "o2").values())


def test_unknown_model_stops_even_with_many_requests_in_flight(tmp_path):
    rules = ProviderRules(known_models_only=True)
    folder = articles(tmp_path / "in", 0, 60)
    with SimServer(rules=rules, models=("sim-model",), latency=0.05) as sim:
        result = run(
            sim,
            folder,
            tmp_path / "out",
            tmp_path / "c.sqlite3",
            "--model",
            "gpt-4o-typo",
            "--api-key",
            KEY,
            "-j",
            "4",
        )
        sent = len(sim.chat_requests)
    assert result.exit_code == 2
    assert "HTTP 404" in result.stderr and "'gpt-4o-typo'" in result.stderr
    assert 3 <= sent <= 8  # those already in flight, then nothing new
    assert len(index(tmp_path / "out")) == 60


def test_refusals_are_not_retried_but_5xx_are(tmp_path):
    with SimServer() as sim:
        sim.script(status(401), status(403), status(404), status(400), status(503))
        settings = resolve(model="sim-model", base_url=sim.base_url, api_key="k", config={})
        fast = TransportOptions(backoff_base=0.01)
        with Summarizer(settings=settings, transport=fast, cache=False) as summarizer:
            errors = []
            for _ in range(4):
                try:
                    summarizer.summarize("The mayor said the bridge will reopen in May.")
                except ModelError as exc:
                    errors.append(exc)
            assert [type(e) for e in errors] == [RequestRejected] * 4
            assert [e.status for e in errors] == [401, 403, 404, 400]
            assert len(sim.chat_requests) == 4  # one attempt each
            summarizer.summarize("The mayor said the bridge will reopen in May.")
            assert len(sim.chat_requests) == 6  # the 503 was retried once, then a brief


def test_fail_fast_needs_the_same_refusal_from_the_start():
    guard = FailFast(after=3)
    refused = RequestRejected("host: HTTP 401: bad key", 401)
    assert guard.failed(OutputError("invalid output")) is None  # an article's own problem
    assert guard.failed(refused) is None
    assert guard.failed(RequestRejected("host: HTTP 404: other", 404)) is None  # resets
    assert guard.failed(refused) is None and guard.failed(refused) is None
    assert "HTTP 401: bad key" in (guard.failed(refused) or "")
    after_success = FailFast(after=3)
    after_success.succeeded()
    assert all(after_success.failed(refused) is None for _ in range(10))


def test_an_attempt_far_longer_than_the_others_is_reported(tmp_path):
    folder = articles(tmp_path / "in", 0, 8)
    clock = AttemptClock(GuardOptions(slow_ratio=5.0, slow_floor_s=0.75))
    with SimServer() as sim:
        sim.script(hang(1.5))  # one attempt waits as behind a gateway that retries upstream
        settings = resolve(model="sim-model", base_url=sim.base_url, api_key="k", config={})
        summarizer = Summarizer(settings=settings, cache=False)
        summarizer.backend.attempt_clock = clock  # a lower floor, so a test can wait for it
        batch = BatchRun(summarizer, folder, tmp_path / "out", concurrency=1)
        report = asyncio.run(batch.run())
        summarizer.close()
    slow = report["slow_attempts"]
    assert slow["count"] == 1 and slow["attempts"] == 8 and slow["slowest_s"] >= 1.5
    assert "num_retries" in slow["hint"]
    assert json.loads((tmp_path / "out" / "report.json").read_text())["slow_attempts"] == slow
    assert "1 of 8 HTTP attempts took over" in (clock.warning() or "")
    assert AttemptClock(GuardOptions(slow_floor_s=0.75)).report() is None
