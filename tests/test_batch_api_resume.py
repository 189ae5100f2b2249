"""Issue 13: batch-API runs outlive the process; expired and cancelled batches lose nothing.

"Nothing paid twice" is checked on the simulator's side: ``lines_answered`` counts
every line it answered (what a provider bills), and the batches it holds are every
batch ever created.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from openai_sim import SimServer
from test_batch_api import (
    batch_run,
    invoke,
    make_articles,
    model_args,
    read_index,
    read_state,
    submitted_ids,
)

import summarizer.batchapi.provider as provider_module
from summarizer.batchapi.cli import EXIT_BATCHES_OPEN
from summarizer.cli import EXIT_FAILED_ITEMS, EXIT_USER_ERROR

REPO = Path(__file__).resolve().parents[1]


def test_resume_after_the_process_is_killed_between_submit_and_collect(tmp_path: Path) -> None:
    articles = make_articles(tmp_path / "in", 4)
    out, cache = tmp_path / "out", tmp_path / "cache.db"
    with SimServer() as sim:
        sim.batch_api.hold = True  # the batch stays open: the process sits polling
        command = [
            sys.executable, "-c", "from summarizer.cli import main; main()",
            "run", str(articles), "--out", str(out), "--batch-api", "--poll-seconds", "0.05",
            *model_args(sim, cache),
        ]  # fmt: skip
        process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                state_file = out / ".summarizer-batch-api" / "state"
                if state_file.exists() and any(
                    c.get("batch_id") for c in read_state(out)["chunks"]
                ):
                    break
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.05)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait(timeout=30)
            if process.stderr:
                process.stderr.close()
        assert process.returncode == -signal.SIGKILL
        assert not (out / "report.json").exists()
        sim.batch_api.hold = False
        result = batch_run(sim, articles, out, cache)
        assert result.exit_code == 0, result.output
        assert len(sim.batch_api.batches) == 1 and sim.batch_api.lines_answered == 4
    assert {e["status"] for e in read_index(out).values()} == {"ok"}


class Killed(BaseException):
    """Stands for the process dying: nothing after it runs, no handler catches it."""


def test_killed_after_a_batch_is_created_but_before_its_id_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = make_articles(tmp_path / "in", 3)
    out, cache = tmp_path / "out", tmp_path / "cache.db"
    original = provider_module.Provider.create

    def create_then_die(self: Any, *args: Any, **kwargs: Any) -> Any:
        original(self, *args, **kwargs)
        raise Killed

    with SimServer() as sim:
        monkeypatch.setattr(provider_module.Provider, "create", create_then_die)
        with pytest.raises(Killed):
            batch_run(sim, articles, out, cache)
        assert [c.get("batch_id") for c in read_state(out)["chunks"]] == [None]
        monkeypatch.setattr(provider_module.Provider, "create", original)
        result = batch_run(sim, articles, out, cache)
        assert result.exit_code == 0, result.output
        assert len(sim.batch_api.batches) == 1  # found by its input file, not made again
        assert sim.batch_api.lines_answered == 3
    assert {e["status"] for e in read_index(out).values()} == {"ok"}


def test_an_expired_batch_with_half_the_lines_done_resubmits_only_the_rest(
    tmp_path: Path,
) -> None:
    articles = make_articles(tmp_path / "in", 6)
    out, cache = tmp_path / "out", tmp_path / "cache.db"
    clock = [1000.0]
    with SimServer() as sim:
        api = sim.batch_api
        api.clock = lambda: clock[0]
        api.lines_per_second, api.expire_after = 1.0, 3.0
        first = batch_run(sim, articles, out, cache, "--no-wait")
        assert first.exit_code == EXIT_BATCHES_OPEN
        clock[0] += 3.5  # three lines done, then the window ends
        second = batch_run(sim, articles, out, cache, "--no-wait")
        assert second.exit_code == EXIT_BATCHES_OPEN
        batches = sorted(api.batches.values(), key=lambda b: b["_seq"])
        assert batches[0]["status"] == "expired"
        assert batches[0]["request_counts"] == {"total": 6, "completed": 3, "failed": 0}
        assert sum(1 for e in read_index(out).values() if e["status"] == "ok") == 3
        ids = submitted_ids(sim)
        assert len(ids) == 2 and set(ids[1]) < set(ids[0]) and len(ids[1]) == 3
        api.expire_after = None
        clock[0] += 10
        third = batch_run(sim, articles, out, cache)
        assert third.exit_code == 0, third.output
        assert api.lines_answered == 6 and len(api.batches) == 2
    assert {e["status"] for e in read_index(out).values()} == {"ok"}
    report = json.loads((out / "report.json").read_text())
    assert [b["status"] for b in report["batches"]] == ["expired", "completed"]
    assert report["batch_requests"] == 6


def test_a_cancelled_batch_is_listed_and_a_rerun_sends_what_is_missing(tmp_path: Path) -> None:
    articles = make_articles(tmp_path / "in", 4)
    out, cache = tmp_path / "out", tmp_path / "cache.db"
    clock = [0.0]
    with SimServer() as sim:
        api = sim.batch_api
        api.clock = lambda: clock[0]
        api.lines_per_second = 1.0
        assert batch_run(sim, articles, out, cache, "--no-wait").exit_code == EXIT_BATCHES_OPEN
        clock[0] += 2.5  # two lines answered
        cancelled = invoke("batches", out, "--cancel", "--base-url", sim.base_url)
        assert cancelled.exit_code == 0, cancelled.output
        listed = invoke("batches", out, "--base-url", sim.base_url)
        assert "cancelled" in listed.output and "2/4 done" in listed.output
        api.lines_per_second = None
        result = batch_run(sim, articles, out, cache)
        assert result.exit_code == 0, result.output
        ids = submitted_ids(sim)
        assert [len(i) for i in ids] == [4, 2] and set(ids[1]) < set(ids[0])
        assert api.lines_answered == 4
    assert {e["status"] for e in read_index(out).values()} == {"ok"}


def test_budget_applies_before_submission_at_batch_prices(tmp_path: Path) -> None:
    articles = make_articles(tmp_path / "in", 4)
    with SimServer(models=("gpt-4o-mini",)) as sim:
        args = ["--model", "gpt-4o-mini", "--base-url", sim.base_url, "--api-key", "sk-test"]
        # One request: ~450 prompt tokens + 2,048 allowance at $0.075/$0.30 per M ≈ $0.00065.
        result = invoke(
            "run", articles, "--out", tmp_path / "out", "--batch-api", "--poll-seconds", "0.01",
            "--cache", tmp_path / "c.db", "--max-cost", "0.0015", *args,
        )  # fmt: skip
        assert result.exit_code == EXIT_FAILED_ITEMS, result.output
        assert sim.batch_api.lines_answered == 2
        report = json.loads((tmp_path / "out" / "report.json").read_text())
        assert report["stopped_reason"] == "budget reached"
        assert report["ok"] == 2 and report["pending"] == 2
        assert 0 < report["cost_usd"] <= 0.0015
        unknown = invoke(
            "run", articles, "--out", tmp_path / "out2", "--batch-api", "--max-cost", "1",
            "--model", "llama3.1", "--base-url", sim.base_url, "--cache", tmp_path / "c.db",
        )  # fmt: skip
    assert unknown.exit_code == EXIT_USER_ERROR  # a live price, but no batch price
    assert "needs a batch price for 'llama3.1'" in unknown.output
    assert sim.batch_api.lines_answered == 2


def test_estimate_prices_at_the_batch_discount(tmp_path: Path) -> None:
    articles = make_articles(tmp_path / "in", 3)
    live = invoke("estimate", articles, "--model", "gpt-4o-mini", "--json")
    batch = invoke("estimate", articles, "--model", "gpt-4o-mini", "--json", "--batch-api")
    assert live.exit_code == 0 and batch.exit_code == 0, batch.output
    live_cost = json.loads(live.output)["cost_usd"]
    figures = json.loads(batch.output)
    assert figures["batch_cost_usd"] == pytest.approx(live_cost / 2)
    text = invoke("estimate", articles, "--model", "gpt-4o-mini", "--batch-api").output
    assert "batch API" in text
    unknown = invoke("estimate", articles, "--model", "llama3.1", "--batch-api").output
    assert "no batch price" in unknown


def test_an_offline_model_has_no_batch_api(tmp_path: Path) -> None:
    articles = make_articles(tmp_path / "in", 1)
    result = invoke("run", articles, "--out", tmp_path / "out", "--batch-api",
                    "--model", "offline")  # fmt: skip
    assert result.exit_code == EXIT_USER_ERROR
    assert "--batch-api needs a model endpoint" in result.output


def test_cancel_is_refused_while_a_run_holds_the_folder_and_listing_writes_nothing(
    tmp_path: Path,
) -> None:
    from summarizer.batch.lock import OutputLock

    articles = make_articles(tmp_path / "in", 2)
    out, cache = tmp_path / "out", tmp_path / "cache.db"
    with SimServer() as sim:
        sim.batch_api.hold = True
        assert batch_run(sim, articles, out, cache, "--no-wait").exit_code == EXIT_BATCHES_OPEN
        saved = (out / ".summarizer-batch-api" / "state").read_bytes()
        with OutputLock(out):  # stands for a run polling in another process
            refused = invoke("batches", out, "--cancel", "--base-url", sim.base_url)
            listed = invoke("batches", out, "--base-url", sim.base_url)
        assert refused.exit_code == 75 and "stop that run first" in refused.output
        assert listed.exit_code == 0 and "validating" in listed.output
        assert (out / ".summarizer-batch-api" / "state").read_bytes() == saved
        assert all(b["status"] == "validating" for b in sim.batch_api.batches.values())


def test_an_unreachable_batch_api_writes_the_report_and_keeps_the_state(tmp_path: Path) -> None:
    articles = make_articles(tmp_path / "in", 2)
    out, cache = tmp_path / "out", tmp_path / "cache.db"
    with SimServer() as sim:
        sim.batch_api.hold = True
        assert batch_run(sim, articles, out, cache, "--no-wait").exit_code == EXIT_BATCHES_OPEN
        url = sim.base_url
        saved = read_state(out)
    gone = invoke("run", articles, "--out", out, "--batch-api", "--model", "sim-model",
                  "--base-url", url, "--cache", cache, "--max-attempts", "1")  # fmt: skip
    assert gone.exit_code == EXIT_FAILED_ITEMS
    report = json.loads((out / "report.json").read_text())
    assert "cannot connect" in report["stopped_reason"] and report["pending"] == 2
    assert read_state(out)["chunks"] == saved["chunks"]  # the batch is still ours to collect


def test_a_config_entry_can_give_a_model_a_batch_price() -> None:
    from summarizer.errors import ConfigError
    from summarizer.pricing import batch_priced, model_info

    assert batch_priced(model_info("llama3.1")) is None
    priced = batch_priced(model_info("llama3.1", {"llama3.1": {"batch_discount": 0.25}}))
    assert priced is not None and priced.input_per_mtok == 0
    custom = model_info("my-model", {"my-model": {"input_per_mtok": 2, "output_per_mtok": 8,
                                                  "batch_discount": 0.5}})  # fmt: skip
    assert batch_priced(custom).output_per_mtok == 4  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match="batch_discount"):
        model_info("gpt-4o", {"gpt-4o": {"batch_discount": 2}})
