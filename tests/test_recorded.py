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
from summarizer.schema import schema_errors

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
    at once (no retries of that 500) and the real answer goes through validation."""
    with make(max_reasks=1) as summarizer:
        outcome = _outcome(summarizer, SHORT)
    requests = _requests(vcr)
    kinds = [r["response_format"]["type"] for r in requests]
    assert kinds[:2] == ["json_schema", "json_object"]
    assert "json_schema" not in kinds[1:]  # the rejection is remembered
    assert "schema" in requests[1]["response_format"]  # grammar-bounded schema attached
    _check_outcome(outcome, SHORT)


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
    assert 2 <= len(requests) <= 3  # this recording needed at least one re-ask
    for earlier, later in itertools.pairwise(requests):
        # Each re-ask repeats the conversation and adds the model's answer and the errors.
        assert later["messages"][: len(earlier["messages"])] == earlier["messages"]
        assert later["messages"][-1]["content"].startswith("Your previous answer cannot be used.")
        assert "$." in later["messages"][-1]["content"]  # errors are given by path
    _check_outcome(outcome, MEDIUM)
    if isinstance(outcome, Result):
        assert outcome.provenance["reasks"] == len(requests) - 1
        if len(requests) == 3:
            assert outcome.warnings  # still wrong after the last re-ask: flagged


def _outcome(summarizer: Summarizer, article: Article) -> Result | OutputError:
    """What a weak real model ends in: a result, or a typed output error."""
    try:
        return summarizer.summarize(article)
    except OutputError as exc:
        return exc


def _check_outcome(outcome: Result | OutputError, article: Article) -> None:
    if isinstance(outcome, Result):
        assert schema_errors(outcome.to_dict(), "result") == []
        for span in outcome.evidence_spans:
            if span.match != "none":
                assert article.text[span.start : span.end]
    elif isinstance(outcome, TruncatedOutput):
        assert "output limit" in str(outcome)
    else:
        assert outcome.errors, "an invalid answer is reported with its errors"


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
