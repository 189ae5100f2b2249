"""Through a real LiteLLM proxy, started by the test in front of the simulator.

What a user behind a gateway depends on: structured output passes through, a settings
error the gateway reports (an unknown model name) stops the run after the first articles,
and the gateway's own retries multiply ours unless it is told ``num_retries: 0`` (what
README, Troubleshooting recommends). LiteLLM comes from the ``test-gateway`` extra; it
takes seconds to start, so these tests are marked slow. Under CI (``CI=true``) a missing
LiteLLM fails them instead of skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from openai_sim import SimServer, status

from summarizer.cli import main
from summarizer.output.schema import schema_errors

pytestmark = pytest.mark.slow

PROXY_KEY = "sk-proxy-test-key"
UPSTREAM_KEY = "sk-upstream-test-key"


def _litellm() -> str:
    found = shutil.which("litellm", path=str(Path(sys.executable).parent)) or shutil.which(
        "litellm"
    )
    if found:
        return found
    reason = "LiteLLM is not installed (pip install '.[test-gateway]')"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}, and CI must run the gateway tests")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _start_proxy(folder: Path, upstream: str, num_retries: int) -> tuple[subprocess.Popen, str]:
    """Start a LiteLLM proxy serving ``gateway-model`` from ``upstream``; (process, base URL)."""
    port = _free_port()
    params = {"model": "openai/sim-model", "api_base": upstream, "api_key": UPSTREAM_KEY}
    config = folder / f"litellm-{port}.yaml"
    config.write_text(
        json.dumps(  # JSON is YAML: no YAML writer needed
            {
                "model_list": [{"model_name": "gateway-model", "litellm_params": params}],
                "litellm_settings": {"num_retries": num_retries, "request_timeout": 30},
                "router_settings": {"num_retries": num_retries, "disable_cooldowns": True},
                "general_settings": {"master_key": PROXY_KEY},
            }
        )
    )
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False"}
    with (folder / f"litellm-{port}.log").open("w") as log:
        proc = subprocess.Popen(
            [_litellm(), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory) -> Iterator[tuple[SimServer, str, str]]:
    """The simulator behind two proxies started side by side (each takes a while to start):
    one with ``num_retries: 0`` (what README recommends) and one with 2 retries."""
    _litellm()
    folder = tmp_path_factory.mktemp("litellm")
    with SimServer(models=("sim-model",)) as sim:
        proxies = [_start_proxy(folder, sim.base_url, retries) for retries in (0, 2)]
        try:
            deadline = time.monotonic() + 180
            for proc, base in proxies:
                while not _ready(f"{base}/health/liveliness"):
                    if proc.poll() is not None:
                        logs = "".join(p.read_text()[-1500:] for p in folder.glob("*.log"))
                        pytest.fail(f"litellm exited: {logs}")
                    if time.monotonic() > deadline:
                        pytest.fail("litellm did not become ready within 180 s")
                    time.sleep(0.5)
            yield sim, f"{proxies[0][1]}/v1", f"{proxies[1][1]}/v1"
        finally:
            for proc, _ in proxies:
                proc.terminate()
            for proc, _ in proxies:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def _articles(folder: Path, count: int) -> Path:
    folder.mkdir(exist_ok=True)
    for i in range(count):
        (folder / f"a{i}.txt").write_text(
            f"Story {i}\n\nThe mayor said on Monday that bridge {i} will reopen in May.\n"
        )
    return folder


def _run(proxy: str, folder: Path, out: Path, model: str, *extra: str):
    args = ["run", str(folder), "--out", str(out), "--base-url", proxy, "--api-key", PROXY_KEY]
    args += ["--model", model, "--no-cache", "--quiet", *extra]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_a_run_through_litellm_and_a_settings_error_behind_it(gateway, tmp_path):
    sim, proxy, _ = gateway
    folder = _articles(tmp_path / "in", 6)
    before = len(sim.chat_requests)
    ok = _run(proxy, folder, tmp_path / "ok", "gateway-model", "-j", "2")
    assert ok.exit_code == 0, ok.stderr
    written = json.loads((tmp_path / "ok" / "a0.txt.json").read_text())
    assert schema_errors(written, "result") == []
    assert written["provenance"]["mode"] == "json_schema"  # passed through the gateway
    upstream = sim.chat_requests[before:]
    assert len(upstream) == 6
    assert upstream[0].headers["authorization"] == f"Bearer {UPSTREAM_KEY}"

    before = len(sim.chat_requests)
    wrong = _run(proxy, folder, tmp_path / "wrong", "no-such-model", "-j", "1")
    assert wrong.exit_code == 2, wrong.stderr
    assert "run stopped: the first 3 articles all failed the same way" in wrong.stderr
    assert len(sim.chat_requests) == before  # the gateway refused; nothing went upstream
    report = json.loads((tmp_path / "wrong" / "report.json").read_text())
    assert report["failed"] == 3 and report["skipped"] == 3


def test_gateway_retries_multiply_ours_unless_num_retries_is_zero(gateway, tmp_path):
    sim, no_retries, two_retries = gateway
    folder = _articles(tmp_path / "in", 1)
    for name, proxy in (("retrying", two_retries), ("plain", no_retries)):
        before = len(sim.chat_requests)
        sim.script(*[status(503)] * 3)  # upstream fails three times, then answers
        result = _run(proxy, folder, tmp_path / name, "gateway-model", "--max-attempts", "4")
        upstream = len(sim.chat_requests) - before
        assert result.exit_code == 0, result.stderr
        report = json.loads((tmp_path / name / "report.json").read_text())
        if name == "retrying":
            assert report["attempts"] < upstream  # one of ours hid several upstream tries
        else:
            assert report["attempts"] == upstream == 4  # ours are the only retries
