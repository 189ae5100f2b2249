"""Replays of real exchanges with a real OpenAI-compatible server.

The cassettes in ``tests/cassettes/test_recorded/`` were recorded from
llama-cpp-python's server running Gemma 3 270M (see ``tests/record_cassettes.sh``,
the one command that re-records them). The model is weak on purpose-free grounds:
it exercises the wire path, the ``json_schema`` → ``json_object`` fallback, schema
failures and re-asks with real answers. Requests are matched on their body, so any
change to the prompt, schema or parameters makes replay fail until re-recorded.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest

from summarizer import (
    Article,
    GenerationOptions,
    OutputError,
    Result,
    Summarizer,
    TransportOptions,
    TruncatedOutput,
)
from summarizer.config import Settings, resolve
from summarizer.output.schema import schema_errors

# Fixed so replayed requests match the recorded ones; the recording script starts
# the server here.
BASE_URL = os.environ.get("SUMMARIZER_RECORD_BASE_URL", "http://127.0.0.1:8765/v1")
MODEL = "gemma-3-270m"

SHORT = Article(
    text=(
        "City council approves new bike lanes\n\n"
        "The city council voted 7-2 on Tuesday to add bike lanes on Main Street, "
        "council member Rosa Diaz said. Shop owners warned that parking could suffer."
    ),
    title="City council approves new bike lanes",
    source="bike-lanes.txt",
)


@pytest.fixture(scope="module")
def vcr_config():
    return {
        "filter_headers": ["authorization", "x-api-key", "openai-organization"],
        "match_on": ["method", "scheme", "host", "port", "path", "body"],
        "decode_compressed_response": True,
    }


def make(settings: Settings | None = None, **generation: Any) -> Summarizer:
    return Summarizer(
        generation=GenerationOptions(model=MODEL, max_output_tokens=600, **generation),
        transport=TransportOptions(
            base_url=BASE_URL, api_key="fake-recording-key", timeout=600, max_attempts=1
        ),
        settings=settings,
        cache=False,
    )


@pytest.mark.vcr
def test_fallback_from_json_schema_on_real_server(vcr):
    """llama-cpp-python answers json_schema with HTTP 500; we fall back to json_object
    at once (no retries of that 500). In this recording the 270M model's json_object
    answer ran to the 600-token limit (``finish_reason: length``), which must be
    reported as truncated output, not re-asked."""
    with make(max_reasks=1) as summarizer:
        outcome = _outcome(summarizer, SHORT)
    requests = _requests(vcr)
    kinds = [r["response_format"]["type"] for r in requests]
    assert kinds == ["json_schema", "json_object"]  # no retry of the 500, no re-ask
    assert "schema" in requests[1]["response_format"]  # grammar-bounded schema attached
    assert isinstance(outcome, TruncatedOutput), outcome
    assert "output limit (600 tokens)" in str(outcome)


@pytest.mark.vcr
def test_truncated_answer_on_real_server(vcr, seed_path):
    """Plain prompting (no response_format): the 270M model echoed the prompt until
    max_tokens, which is reported as truncated output, not re-asked as invalid."""
    from summarizer import load_article

    with make(mode="prompt", max_reasks=1) as summarizer, pytest.raises(TruncatedOutput):
        summarizer.summarize(load_article(seed_path))
    requests = _requests(vcr)
    assert len(requests) == 1
    assert "response_format" not in requests[0]
    prompt = requests[0]["messages"][0]["content"]
    assert "Kremlin spokesperson Dmitry Peskov" in prompt
    assert "KEEP READING" not in prompt and "Related Posts" not in prompt


MEDIUM = Article(
    text=(
        "Port strike enters second week\n\n"
        "Dock workers at the port of Valmora stayed off the job for an eighth day on Monday, "
        "union spokesperson Lena Ortiz told reporters. The port authority said about 40 ships "
        "were waiting offshore, but shipping agents put the figure closer to 60.\n\n"
        "Transport minister Paul Grant denied that the government had refused to meet the union. "
        "Talks may resume on Thursday, according to two people familiar with the matter."
    ),
    title="Port strike enters second week",
    source="port-strike.txt",
)


@pytest.mark.vcr
def test_reasks_with_real_answers(vcr):
    """json_object mode on a real server: what the model got wrong went back to it
    with the exact errors (bounded), and what remained is reported, not hidden."""
    # Recorded from llama-cpp-python: declared, so json_object carries the grammar schema.
    llama_cpp = resolve(
        model=MODEL, base_url=BASE_URL, api_key="fake-recording-key", config={"server": "llama.cpp"}
    )
    with make(mode="json_object", max_reasks=2, settings=llama_cpp) as summarizer:
        outcome = _outcome(summarizer, MEDIUM)
    requests = _requests(vcr)
    assert len(requests) == 3  # this recording needed both re-asks
    for earlier, later in itertools.pairwise(requests):
        # Each re-ask repeats the conversation and adds the model's answer and the errors.
        assert later["messages"][: len(earlier["messages"])] == earlier["messages"]
        assert later["messages"][-1]["content"].startswith("Your previous answer cannot be used.")
        assert "$." in later["messages"][-1]["content"]  # errors are given by path
    # Still not fully right after the last re-ask: a valid result with what remained
    # wrong listed in warnings, never hidden.
    assert isinstance(outcome, Result), outcome
    assert schema_errors(outcome.to_dict(), "result") == []
    assert outcome.provenance["reasks"] == 2
    _check_spans(outcome, MEDIUM)
    assert any("not found in the article" in w for w in outcome.warnings)


def _outcome(summarizer: Summarizer, article: Article) -> Result | OutputError:
    """What a weak real model ends in: a result, or a typed output error."""
    try:
        return summarizer.summarize(article)
    except OutputError as exc:
        return exc


def _check_spans(result: Result, article: Article) -> None:
    """One span per claim; a found quote points at non-empty text equal to the quote
    (up to whitespace and case), and every quote not found is named in a warning."""
    claims = result.brief["key_claims"]
    assert len(result.evidence_spans) == len(claims)
    for claim, span in zip(claims, result.evidence_spans, strict=True):
        if span.match == "none":
            assert any(claim["evidence"][:40] in w for w in result.warnings), claim
        else:
            found = article.text[span.start : span.end]
            assert found.strip(), "a found span must not be empty"
            assert " ".join(found.lower().split()) == " ".join(claim["evidence"].lower().split())


def _requests(cassette) -> list[dict]:
    """The request bodies this test sent (``vcr`` is pytest-recording's cassette)."""
    import json

    return [json.loads(r.body) for r in cassette.requests]


# Last in the file: when re-recording, the cassettes exist by the time it runs.
def test_cassettes_hold_no_secrets():
    folder = os.path.join(os.path.dirname(__file__), "cassettes", "test_recorded")
    names = sorted(os.listdir(folder))
    assert names, "no cassettes recorded"
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            text = handle.read()
        assert "fake-recording-key" not in text
        assert "authorization" not in text.lower()
