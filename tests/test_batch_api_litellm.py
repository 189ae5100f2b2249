"""Issue 13: ``run --batch-api`` through a real LiteLLM proxy in front of the simulator.

The proxy (``pip install 'litellm[proxy]'``; it may live in its own virtualenv: set
``LITELLM`` to its ``litellm`` executable) passes ``/v1/files`` and ``/v1/batches``
to the simulator as it would to OpenAI. It takes most of a minute to start, so the
test is slow-marked; under CI (``CI=true``) a missing LiteLLM fails the test instead
of skipping it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai_sim import SimServer
from test_batch_api import EXIT_BATCHES_OPEN, comparable, invoke, make_articles, read_index

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def litellm_executable() -> str:
    for candidate in (
        os.environ.get("LITELLM"),
        str(Path(sys.executable).parent / "litellm"),  # the test-gateway extra, as in CI
        shutil.which("litellm"),
        str(REPO / ".venv-litellm" / "bin" / "litellm"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    message = "LiteLLM proxy not installed: pip install 'litellm[proxy]' (or set LITELLM)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[tuple[SimServer, str]]:
    executable = litellm_executable()
    with SimServer() as sim:
        upstream = sim.base_url
        config = tmp_path / "litellm.yaml"
        config.write_text(
            "model_list:\n"
            "  - model_name: sim-model\n"
            f"    litellm_params: {{model: openai/sim-model, api_base: '{upstream}', "
            "api_key: sk-upstream}\n"
            "files_settings:\n"
            f"  - {{custom_llm_provider: openai, api_base: '{upstream}', api_key: sk-upstream}}\n"
            "general_settings: {master_key: sk-proxy}\n"
        )
        port = free_port()
        log = (tmp_path / "litellm.log").open("w")
        process = subprocess.Popen(
            [executable, "--config", str(config), "--port", str(port), "--host", "127.0.0.1"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    url = f"http://127.0.0.1:{port}/health/liveliness"
                    with urllib.request.urlopen(url, timeout=2):
                        break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.flush()
                        tail = (tmp_path / "litellm.log").read_text()[-2000:]
                        pytest.fail(f"LiteLLM did not start: {tail}")
                    time.sleep(0.5)
            yield sim, f"http://127.0.0.1:{port}/v1"
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()


def test_batch_api_through_a_litellm_proxy(proxy: tuple[SimServer, str], tmp_path: Path) -> None:
    sim, proxy_url = proxy
    articles = make_articles(tmp_path / "in", 4)
    (articles / "copy.txt").write_text((articles / "story000.txt").read_text())
    out = tmp_path / "out"
    args = ["--model", "sim-model", "--base-url", proxy_url, "--api-key", "sk-proxy",
            "--cache", str(tmp_path / "cache.db"), "--poll-seconds", "0.2"]  # fmt: skip
    sim.batch_api.hold = True
    first = invoke("run", articles, "--out", out, "--batch-api", "--no-wait", *args)
    assert first.exit_code == EXIT_BATCHES_OPEN, first.output
    listed = invoke("batches", out, "--api-key", "sk-proxy")
    assert listed.exit_code == 0 and "0/4 done" in listed.output, listed.output
    sim.batch_api.hold = False
    second = invoke("run", articles, "--out", out, "--batch-api", *args)
    assert second.exit_code == 0, second.output
    assert len(sim.batch_api.batches) == 1 and sim.batch_api.lines_answered == 4
    assert {e["status"] for e in read_index(out).values()} == {"ok"}
    # The same articles straight to the simulator give the same briefs.
    direct = invoke("run", articles, "--out", tmp_path / "direct", "--batch-api",
                    "--model", "sim-model", "--base-url", sim.base_url,
                    "--cache", str(tmp_path / "direct.db"), "--poll-seconds", "0.01")  # fmt: skip
    assert direct.exit_code == 0, direct.output
    for path in sorted(articles.iterdir()):
        via_proxy = json.loads((out / f"{path.name}.json").read_text())
        straight = json.loads((tmp_path / "direct" / f"{path.name}.json").read_text())
        via_proxy["provenance"].pop("endpoint")
        straight["provenance"].pop("endpoint")
        assert comparable(via_proxy) == comparable(straight), path.name
