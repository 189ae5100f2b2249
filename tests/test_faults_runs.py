"""Issue 11, items 3, 4, 10, 11: full disks, two runs at once, credentials, honest totals.

Everything talks to the real command line; model runs go to the local simulator.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from openai_sim import SimServer, brief, content

from summarizer.cli import EXIT_DISK_ERROR, EXIT_OUTPUT_LOCKED, main

REPO = Path(__file__).resolve().parents[1]
ARTICLE = (
    "Harbour Bridge to reopen in May\n\n"
    "Transport Minister Ana Lopez said on Monday that the Harbour Bridge will reopen in May. "
    "Engineers reportedly found fewer cracks than feared.\n"
)


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def make_articles(folder: Path, count: int) -> Path:
    folder.mkdir()
    for i in range(count):
        (folder / f"story{i:03}.txt").write_text(ARTICLE.replace("May", f"May {i + 1}"))
    return folder


def read_index(out: Path) -> dict[str, dict]:
    text = (out / "index.jsonl").read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n"), "index.jsonl ends in a partial line"
    return {entry["path"]: entry for entry in map(json.loads, text.splitlines())}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sim_args(sim: SimServer, cache: Path, key: str = "sk-test") -> list[str]:
    return ["--model", "sim-model", "--base-url", sim.base_url, "--api-key", key,
            "--cache", str(cache)]  # fmt: skip


# -- 3: a full disk -------------------------------------------------------------------


def test_a_full_disk_stops_the_run_cleanly_and_a_rerun_completes(tmp_path, monkeypatch):
    import summarizer.batch.writer as writer

    articles = make_articles(tmp_path / "in", 8)
    out = tmp_path / "out"
    outputs: list[Path] = []
    original = writer._write_file

    def filling_disk(path, text):
        if '"inputs"' not in text:  # an article's output, not the report
            if len(outputs) >= 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            outputs.append(path)
        original(path, text)

    monkeypatch.setattr(writer, "_write_file", filling_disk)
    port = free_port()  # the endpoint is part of the cache key: both runs use one
    with SimServer(port=port) as sim:
        result = invoke("run", str(articles), "--out", str(out), "-j", "1", "-q",
                        *sim_args(sim, tmp_path / "c.db"))  # fmt: skip
        first_calls = len(sim.chat_requests)
    assert result.exit_code == EXIT_DISK_ERROR, result.output
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.output
    index = read_index(out)
    report = json.loads((out / "report.json").read_text())
    assert len(index) == report["inputs"] == 8  # every input accounted for
    statuses = [e["status"] for e in index.values()]
    assert statuses.count("ok") == 3
    assert report["stopped_reason"].startswith("disk error")
    failed = [e for e in index.values() if e["status"] == "failed"]
    # The article that hit the full disk, and one a second worker had in flight.
    assert 1 <= len(failed) <= 2
    assert all(e["reason"] == "cannot write output: No space left on device" for e in failed)
    assert all(e["reason"].startswith("not started: disk error")
               for e in index.values() if e["status"] == "skipped")  # fmt: skip
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp")]  # no partial file
    # With space again, the rerun completes and pays for nothing twice.
    monkeypatch.setattr(writer, "_write_file", original)
    with SimServer(port=port) as sim:
        rerun = invoke("run", str(articles), "--out", str(out), "-j", "1", "-q",
                       *sim_args(sim, tmp_path / "c.db"))  # fmt: skip
        second_calls = len(sim.chat_requests)
    assert rerun.exit_code == 0, rerun.output
    # Results that could not be written were cached: the rerun pays only for the rest.
    assert first_calls == 3 + len(failed) and second_calls == 8 - first_calls
    assert len(list(out.glob("*.txt.json"))) == 8


def _limited_run(args: list[str], limit: int) -> subprocess.CompletedProcess:
    """``summarizer ARGS`` in a process whose files may not grow past ``limit`` bytes."""

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "PYTHONPATH": str(REPO), "SUMMARIZER_MODEL": "offline"}
    return subprocess.run(
        [sys.executable, "-m", "summarizer.cli", *args], env=env, capture_output=True,
        text=True, timeout=300, preexec_fn=limit_file_size,
    )  # fmt: skip


def test_index_never_ends_in_half_a_line_when_the_disk_fills(tmp_path):
    """A real file-size limit (RLIMIT_FSIZE): the index outgrows it mid-run."""
    articles = make_articles(tmp_path / "in", 150)
    out = tmp_path / "out"
    cache = tmp_path / "c.db"
    limited = _limited_run(["run", str(articles), "--out", str(out), "-q", "--no-cache"], 9000)
    assert limited.returncode == EXIT_DISK_ERROR, limited.stderr
    assert "Traceback" not in limited.stderr
    assert "File too large" in limited.stderr
    index = read_index(out)  # every line whole
    assert 0 < len(index) < 150
    report = json.loads((out / "report.json").read_text())
    assert report["inputs"] == 150 and report["index_complete"] is False
    assert report["ok"] + report["failed"] + report["skipped"] == 150
    # A rerun with space completes.
    rerun = _limited_run(["run", str(articles), "--out", str(out), "-q", "--cache", str(cache)],
                         resource.RLIM_INFINITY)  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    assert len(read_index(out)) == 150


def test_report_goes_to_stderr_when_it_cannot_be_written(tmp_path, monkeypatch):
    import summarizer.batch.writer as writer

    articles = make_articles(tmp_path / "in", 2)
    original = writer.write_atomic

    def no_room_for_the_report(path, text):
        if path.name == "report.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        original(path, text)

    monkeypatch.setattr(writer, "write_atomic", no_room_for_the_report)
    monkeypatch.setenv("SUMMARIZER_MODEL", "offline")
    result = invoke("run", str(articles), "--out", str(tmp_path / "out"), "--no-cache", "-q")
    assert result.exit_code == EXIT_DISK_ERROR
    assert "cannot write the report" in result.stderr
    shown = result.stderr.split("here it is:\n", 1)[1]
    assert json.loads(shown[: shown.rindex("}") + 1])["inputs"] == 2


# -- 4: two runs into one folder --------------------------------------------------------


def test_a_second_run_into_the_same_folder_says_who_holds_it(tmp_path):
    articles = make_articles(tmp_path / "in", 6)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with SimServer(latency=0.3) as sim:
        first = subprocess.Popen(
            [sys.executable, "-m", "summarizer.cli", "run", str(articles), "--out", str(out),
             "-j", "1", "-q", *sim_args(sim, tmp_path / "c.db", key="sk-secret-key")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not (out / ".summarizer.lock").exists() or not (
            out / ".summarizer.lock"
        ).read_text():
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        second = invoke("run", str(articles), "--out", str(out), "-q",
                        *sim_args(sim, tmp_path / "c2.db"))  # fmt: skip
        _, first_err = first.communicate(timeout=120)
        calls = len(sim.chat_requests)
    assert second.exit_code == EXIT_OUTPUT_LOCKED
    assert f"pid {first.pid}" in second.stderr and "in use by another run" in second.stderr
    assert "sk-secret-key" not in second.stderr  # the holder's command line is redacted
    assert first.returncode == 0, first_err
    assert calls == 6  # the second run paid for nothing
    assert len(read_index(out)) == 6


# -- 10: credentials in the base URL -----------------------------------------------------


def test_url_credentials_are_never_shown_and_the_bearer_key_is_kept(tmp_path, seed_path):
    with SimServer() as sim:
        url = sim.base_url.replace("://", "://alice:hunter2@")
        result = CliRunner().invoke(
            main, ["--verbose", "summarize", str(seed_path), "--model", "sim-model",
                   "--base-url", url, "--api-key", "sk-mine", "--no-cache"],
        )  # fmt: skip
        requests = sim.chat_requests
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output and "hunter2" not in result.stderr
    assert requests and requests[0].headers["authorization"] == "Bearer sk-mine"
    assert json.loads(result.stdout)["provenance"]["endpoint"].startswith("127.0.0.1")


def test_redacted_command_lines_and_urls():
    from summarizer.config import redact_argv, redact_url

    assert redact_url("http://u:p@host:8/v1") == "http://***@host:8/v1"
    assert redact_url("http://host/v1") == "http://host/v1"
    shown = redact_argv(["run", "--api-key", "sk-1", "--api-key=sk-2", "--base-url",
                         "https://u:pw@h/v1"])  # fmt: skip
    assert "sk-1" not in shown and "--api-key=***" in shown and "https://***@h/v1" in shown


# -- 11: totals over every article, failed ones included -----------------------------------


def test_report_totals_include_failed_articles(tmp_path):
    articles = make_articles(tmp_path / "in", 3)
    out = tmp_path / "out"
    with SimServer() as sim:
        # One article gets an invalid answer, one a truncation (no re-asks, so the
        # order the two workers take the steps in does not matter); the third is valid.
        sim.script(content("not json"), brief(finish_reason="length"))
        result = invoke("run", str(articles), "--out", str(out), "-j", "1", "-q",
                        "--max-reasks", "0", *sim_args(sim, tmp_path / "c.db"))  # fmt: skip
        served = len(sim.chat_requests)
    assert result.exit_code == 1
    index = read_index(out)
    report = json.loads((out / "report.json").read_text())
    assert (report["ok"], report["failed"]) == (1, 2)
    failed = [e for e in index.values() if e["status"] == "failed"]
    assert sorted(e["attempts"] for e in failed) == [1, 1]
    assert all(e["prompt_tokens"] > 0 for e in failed)
    # Attempts and tokens add up over all articles and match what the server served.
    assert report["attempts"] == sum(e.get("attempts", 0) for e in index.values()) == 3
    assert served == 3
    assert report["tokens"]["prompt"] == sum(e.get("prompt_tokens", 0) for e in index.values())
    assert report["tokens"]["total"] == sum(e.get("prompt_tokens", 0) + e.get(
        "completion_tokens", 0) for e in index.values())  # fmt: skip
    assert "\n" not in "".join(e.get("reason", "") for e in index.values())
