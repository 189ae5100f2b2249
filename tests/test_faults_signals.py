"""Issue 11, item 9 and the fault suite: kill -9 and Ctrl-C at random points, and Ctrl-C
while one huge article is being analysed. Afterwards index + report account for every
input, and a rerun completes without paying twice for finished articles."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openai_sim import SimServer

from summarizer.output.schema import schema_errors

REPO = Path(__file__).resolve().parents[1]
ARTICLE = (
    "Harbour Bridge to reopen in May\n\n"
    "Transport Minister Ana Lopez said on Monday that the Harbour Bridge will reopen in May. "
    "Engineers reportedly found fewer cracks than feared.\n"
)
COUNT = 16


def make_articles(folder: Path, count: int = COUNT) -> Path:
    folder.mkdir()
    for i in range(count):
        (folder / f"story{i:03}.txt").write_text(ARTICLE.replace("May", f"May {i + 1}"))
    return folder


def read_index(out: Path) -> dict[str, dict]:
    text = (out / "index.jsonl").read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n"), "index.jsonl ends in a partial line"
    return {entry["path"]: entry for entry in map(json.loads, text.splitlines())}


def start_run(articles: Path, out: Path, *options: str, code: str | None = None):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = ["-c", code] if code else ["-m", "summarizer.cli"]
    return subprocess.Popen(
        [sys.executable, *command, "run", str(articles), "--out", str(out), "-q", *options],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def sim_options(sim: SimServer, cache: Path) -> list[str]:
    return ["--model", "sim-model", "--base-url", sim.base_url, "--api-key", "sk-test",
            "--cache", str(cache), "-j", "4"]  # fmt: skip


def outputs_valid(out: Path) -> int:
    outputs = list(out.glob("*.txt.json"))
    for output in outputs:
        assert schema_errors(json.loads(output.read_text(encoding="utf-8")), "result") == []
    assert not list(out.glob(".tmp-*"))
    return len(outputs)


def check_kill_and_rerun(tmp_path: Path, seed: int, how: signal.Signals) -> None:
    rng = random.Random(seed)
    articles = make_articles(tmp_path / "in")
    out, cache = tmp_path / "out", tmp_path / "c.db"
    with SimServer(latency=0.15) as sim:
        run = start_run(articles, out, "--grace", "0.5", *sim_options(sim, cache))
        # From the moment the run holds its folder (a signal during interpreter start-up
        # is Python's own KeyboardInterrupt, before any of summarizer runs).
        lock = out / ".summarizer.lock"
        deadline = time.monotonic() + 60
        while not (lock.exists() and lock.read_text()):
            assert run.poll() is None and time.monotonic() < deadline, run.communicate()
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 1.2))
        run.send_signal(how)
        _, err = run.communicate(timeout=60)
        first_calls = len(sim.chat_requests)
        assert "Traceback" not in err
        if how == signal.SIGKILL:
            assert run.returncode == -signal.SIGKILL
        else:
            # Ctrl-C: the index and the report account for every input.
            assert run.returncode in (130, 0), err
            index = read_index(out)
            report = json.loads((out / "report.json").read_text())
            assert len(index) == report["inputs"] == COUNT
            assert {e["status"] for e in index.values()} <= {"ok", "skipped"}
            assert report["ok"] == sum(e["status"] == "ok" for e in index.values())
        outputs_valid(out)
        rerun = start_run(articles, out, *sim_options(sim, cache))
        _, err = rerun.communicate(timeout=120)
        total_calls = len(sim.chat_requests)
    assert rerun.returncode == 0, err
    index = read_index(out)
    report = json.loads((out / "report.json").read_text())
    assert len(index) == report["inputs"] == report["ok"] == COUNT
    assert outputs_valid(out) == COUNT
    # Nothing paid twice, except calls in flight when the first run died (at most -j).
    assert first_calls <= total_calls <= COUNT + 4


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_a_random_kill_loses_nothing(tmp_path, how):
    check_kill_and_rerun(tmp_path, seed=11, how=how)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_kills_at_many_random_points_lose_nothing(tmp_path, how, seed):
    check_kill_and_rerun(tmp_path, seed=1000 + seed, how=how)


# The offline analyzer stuck on one article (pure-Python CPU, like a quadratic pass over
# a 10 MB line): the rest of the batch must go on, and Ctrl-C must still stop the run.
STUCK_ANALYZER = """
import sys, summarizer.offline as offline
real = offline.analyze
def analyze(article):
    while "huge" in (article.source or ""):
        sum(range(10_000))
    return real(article)
offline.analyze = analyze
from summarizer.cli import main
sys.argv[0] = "summarizer"
main()
"""


def test_one_stuck_article_neither_stalls_the_batch_nor_ignores_ctrl_c(tmp_path):
    articles = make_articles(tmp_path / "in", 6)
    (articles / "huge.txt").write_text(ARTICLE.replace("May", "December"))
    out = tmp_path / "out"
    run = start_run(articles, out, "--model", "offline", "--no-cache", "-j", "2",
                    "--grace", "0.5", code=STUCK_ANALYZER)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not (out / "index.jsonl").exists() or len(read_index(out)) < 6:
            assert run.poll() is None, run.communicate()
            assert time.monotonic() < deadline, "the batch stalled behind the stuck article"
            time.sleep(0.1)
        assert all(e["status"] == "ok" for e in read_index(out).values())
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=30)  # Ctrl-C is honoured despite the busy thread
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 130, err
    index = read_index(out)
    assert len(index) == 7 and index["huge.txt"]["status"] == "skipped"
    assert json.loads((out / "report.json").read_text())["interrupted"] is True


def test_ctrl_c_while_a_command_starts_is_one_line_and_exit_130(tmp_path, monkeypatch):
    """Before a run installs its own handling, Ctrl-C is Python's KeyboardInterrupt: the
    command still ends with one line and 130, not a traceback."""
    from click.testing import CliRunner

    import summarizer.pipeline as pipeline
    from summarizer.cli import main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "backend_for", interrupted)  # while the run is being set up
    articles = make_articles(tmp_path / "in", 1)
    result = CliRunner().invoke(main, ["run", str(articles), "--out", str(tmp_path / "out"),
                                       "--model", "offline", "--no-cache"])  # fmt: skip
    assert result.exit_code == 130
    assert result.stderr == "summarizer: error: interrupted\n"
