"""Flags map onto the options objects: one default each, shared by run and estimate."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from openai_sim import SimServer

from summarizer.cli import main
from summarizer.options import GenerationOptions, TransportOptions

ARTICLE = "Bridge to reopen\n\nThe minister said on Monday that the bridge will reopen in May.\n"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_help_shows_the_options_defaults():
    text = " ".join(invoke("run", "--help").stdout.split())
    assert f"[default: {GenerationOptions().max_output_tokens}]" in text
    assert f"[default: {TransportOptions().concurrency}; x>=1]" in text
    assert "--max-total-tokens" in text and "--max-tokens " not in text  # alias hidden


def test_estimate_takes_runs_flags_and_honours_the_output_allowance(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE * 40, encoding="utf-8")
    common = ["--model", "gpt-4o-mini", "-j", "4", "--rpm", "60", "--max-cost", "1", "--json"]
    fits = json.loads(invoke("estimate", str(folder), *common).stdout)
    assert fits["articles"] == 1 and fits["too_long"] == 0
    # An output allowance that leaves no room for the prompt: run would refuse it.
    squeezed = invoke("estimate", str(folder), *common, "--max-output-tokens", "127900")
    figures = json.loads(squeezed.stdout)
    assert figures["articles"] == 0 and figures["too_long"] == 1


def test_old_budget_flag_is_a_hidden_alias_with_a_warning(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    with SimServer() as sim:
        args = ["--model", "sim-model", "--base-url", sim.base_url, "--api-key", "k", "--no-cache"]
        result = invoke("run", str(folder), "--out", str(tmp_path / "out"), *args,
                        "--max-tokens", "10", "-q")
        assert len(sim.chat_requests) == 0  # 10 tokens cannot pay for any call
    assert "--max-tokens is deprecated" in result.stderr
    assert "--max-total-tokens" in result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["stopped_reason"] == "budget reached"
