"""Deliberate one-line bugs that once passed the whole suite (issue 11, "Tests that must
catch what users would notice"); each test here fails when its bug is put back.

* the pipeline's cache key without the prompt hash, the schema hash or
  ``max_output_tokens`` (the README promises that changing any of them misses);
* the TPM limiter reserving only prompt tokens, not the output allowance;
* a resumed run leaving a stale output file alone.
"""

from __future__ import annotations

import dataclasses
import json

from click.testing import CliRunner
from openai_sim import SimServer

import summarizer.pipeline as pipeline
from summarizer.cli import main
from summarizer.input.loader import article_from_text
from summarizer.options import GenerationOptions, TransportOptions
from summarizer.pipeline import Summarizer

ARTICLE = (
    "Harbour Bridge to reopen in May\n\n"
    "Transport Minister Ana Lopez said on Monday that the Harbour Bridge will reopen in May. "
    "Engineers reportedly found fewer cracks than feared.\n"
)


def model_summarizer(**generation) -> Summarizer:
    return Summarizer(
        base_url="http://127.0.0.1:9/v1",
        api_key="sk-test",
        generation=GenerationOptions(model="sim-model", **generation),
        cache=False,
    )


def test_the_pipeline_key_changes_with_prompt_schema_and_output_allowance(monkeypatch):
    article = article_from_text(ARTICLE)
    base = model_summarizer().generation_key(article)
    assert model_summarizer().generation_key(article) == base  # stable
    assert model_summarizer(max_output_tokens=1000).generation_key(article) != base
    other_prompt = model_summarizer()
    assert other_prompt.template is not None
    other_prompt.template = dataclasses.replace(other_prompt.template, sha256="0" * 64)
    assert other_prompt.generation_key(article) != base
    monkeypatch.setattr(pipeline, "schema_hash", lambda name: "f" * 64)
    assert model_summarizer().generation_key(article) != base


def test_the_tpm_limiter_reserves_prompt_plus_the_output_allowance():
    allowance = 3000
    with SimServer() as sim:
        summarizer = Summarizer(
            generation=GenerationOptions(model="sim-model", max_output_tokens=allowance),
            transport=TransportOptions(base_url=sim.base_url, api_key="sk-test", tpm=10_000_000),
            cache=False,
        )
        with summarizer:
            summarizer.summarize(ARTICLE)
        requests = len(sim.chat_requests)
    acquired = summarizer.backend.rate_limiter.stats()["tokens_acquired"]
    assert requests == 1
    prompt_part = acquired - allowance * requests
    # The prompt is a few hundred to a couple of thousand tokens; the allowance is all
    # of the rest (reserving only the prompt would leave prompt_part negative).
    assert 100 < prompt_part < allowance


def test_a_resumed_run_rewrites_a_stale_output_and_leaves_a_current_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARIZER_MODEL", "offline")
    articles = tmp_path / "in"
    articles.mkdir()
    (articles / "a.txt").write_text(ARTICLE)
    (articles / "b.txt").write_text(ARTICLE.replace("May", "June"))
    out, cache = tmp_path / "out", str(tmp_path / "c.db")
    args = ["run", str(articles), "--out", str(out), "--cache", cache, "-q"]
    assert CliRunner().invoke(main, args).exit_code == 0
    stale, current = out / "a.txt.json", out / "b.txt.json"
    good = json.loads(stale.read_text())
    tampered = {**good, "summary": {**good["summary"], "headline": "An older brief"}}
    stale.write_text(json.dumps(tampered))
    current_text = current.read_text()
    current_mtime = current.stat().st_mtime_ns
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    index = [json.loads(line) for line in (out / "index.jsonl").read_text().splitlines()]
    assert all(entry.get("cache_hit") for entry in index)
    assert json.loads(stale.read_text())["summary"] == good["summary"]  # rewritten
    assert current.read_text() == current_text  # left alone: provenance keeps its call
    assert current.stat().st_mtime_ns == current_mtime
