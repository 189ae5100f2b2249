"""``summarizer doctor`` against the local simulator and with broken settings."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from openai_sim import SimServer
from sim_provider import ProviderRules

from summarizer.cli import main


def doctor(*args: str):
    return CliRunner().invoke(main, ["doctor", *args], catch_exceptions=False)


def lines(result) -> dict[str, str]:
    """Check name -> its whole line."""
    out = {}
    for line in result.stdout.splitlines():
        name = line[6:].split(":", 1)[0]
        out[name] = line
    return out


@pytest.fixture
def sim():
    rules = ProviderRules(api_key="sk-test-right-key", known_models_only=True)
    with SimServer(rules=rules, models=("sim-model", "gpt-4o-mini")) as server:
        yield server


def test_offline_install_passes_every_check(tmp_path):
    result = doctor("--out", str(tmp_path / "briefs"), "--cache", str(tmp_path / "c.sqlite3"))
    assert result.exit_code == 0, result.stdout
    found = lines(result)
    for name in ("packages", "html extractor", "tokenizer", "cache", "output folder", "endpoint"):
        assert found[name].startswith("ok"), found[name]
    assert "lxml-html-clean" in found["packages"] and "trafilatura" in found["packages"]
    assert "0 entries" in found["cache"]
    assert (tmp_path / "briefs").is_dir() and not list((tmp_path / "briefs").iterdir())
    assert found["structured output"].startswith("skip")


def test_probe_against_the_simulator_finds_the_accepted_mode(sim, tmp_path):
    args = ["--base-url", sim.base_url, "--model", "gpt-4o-mini", "--probe"]
    args += ["--api-key", "sk-test-right-key", "--cache", str(tmp_path / "c.sqlite3")]
    result = doctor(*args)
    assert result.exit_code == 0, result.stdout
    found = lines(result)
    assert found["endpoint"].startswith("ok") and "2 model(s)" in found["endpoint"]
    assert found["model"].startswith("ok") and "0.15" in found["model"]
    assert "'json_schema'" in found["structured output"]
    assert len(sim.chat_requests) == 1  # the probe is one request


def test_probe_learns_json_object_from_a_llama_cpp_like_server(tmp_path):
    with SimServer(reject_json_schema=True) as server:
        result = doctor(
            "--base-url",
            server.base_url,
            "--model",
            "sim-model",
            "--probe",
            "--cache",
            str(tmp_path / "c.sqlite3"),
        )
    found = lines(result)
    assert "'json_object'" in found["structured output"], result.stdout
    assert found["model"].startswith("warn") and 'add [models."sim-model"]' in found["model"]
    assert result.exit_code == 0  # an unknown price is a warning, not a failure


def test_wrong_key_unknown_model_and_no_server_fail_with_the_fix(sim, tmp_path):
    cache = ["--cache", str(tmp_path / "c.sqlite3")]
    wrong_key = doctor("--base-url", sim.base_url, "--api-key", "sk-test-wrong", *cache)
    assert wrong_key.exit_code == 1
    line = lines(wrong_key)["endpoint"]
    assert line.startswith("FAIL") and "401" in line and "fix: set OPENAI_API_KEY" in line
    assert "sk-test-wrong" not in wrong_key.stdout  # never print a secret

    unknown = doctor(
        "--base-url",
        sim.base_url,
        "--api-key",
        "sk-test-right-key",
        "--model",
        "gpt-4o-typo",
        "--probe",
        *cache,
    )
    assert unknown.exit_code == 1
    found = lines(unknown)
    assert found["model"].startswith("FAIL") and "'gpt-4o-typo'" in found["model"]
    assert "404" in found["structured output"]  # the probe reports the provider's answer

    port = sim.port
    sim.stop()
    gone = doctor("--base-url", f"http://127.0.0.1:{port}/v1", "--model", "m", "--probe", *cache)
    assert gone.exit_code == 1
    found = lines(gone)
    assert found["endpoint"].startswith("FAIL") and "cannot connect" in found["endpoint"]
    assert "fix: start the server" in found["endpoint"]
    assert found["structured output"].startswith("skip")


def test_broken_config_and_unwritable_folders_fail(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('model = "gpt-4o-mini"\n[models\n')
    monkeypatch.setenv("SUMMARIZER_CONFIG", str(config))
    # A folder cannot be made under a file, whoever runs the test (root ignores modes).
    result = doctor("--out", str(config / "out"))
    assert result.exit_code == 1
    found = lines(result)
    assert found["config"].startswith("FAIL") and str(config) in found["config"]
    assert (
        found["output folder"].startswith("FAIL")
        and "fix: choose another --out" in (found["output folder"])
    )
    assert found["packages"].startswith("ok")  # checks that need no config still ran
    assert "summarizer doctor: 2 check(s) failed: output folder, config" in result.stderr


def test_unwritable_cache_fails(tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    result = doctor("--cache", str(not_a_dir / "cache.sqlite3"))
    assert result.exit_code == 1
    assert lines(result)["cache"].startswith("FAIL")
