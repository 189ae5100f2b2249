"""The backend seam: every backend's answer passes the same gate, and the pipeline
reads only capabilities, never which backend it holds."""

from __future__ import annotations

import json
import warnings

import pytest
from openai_sim import SimServer, build_brief, extract_article

from summarizer import (
    Article,
    Backend,
    Capabilities,
    GenerationOptions,
    OutputError,
    Request,
    Summarizer,
    TransportOptions,
)
from summarizer.backends.fake import FakeBackend
from summarizer.options import BudgetOptions
from summarizer.output.schema import schema_errors

TEXT = (
    "Council votes on budget\n\n"
    "The city council said on Monday it will vote on the budget next week. "
    "Officials said the plan would cut spending on roads by ten percent."
)


def grounded_answer(request: Request) -> dict:
    """What the simulator answers: a brief quoting the article in the prompt."""
    prompt = request.render("prompt")[-1]["content"]
    article = extract_article(prompt)
    assert article is not None
    return build_brief(article)


def summarize_with(backend: Backend | None, **kwargs) -> dict:
    with Summarizer(backend=backend, cache=False, **kwargs) as summarizer:
        return summarizer.summarize(Article(text=TEXT, source="a.txt")).to_dict()


def test_every_backend_gives_a_result_that_validates_the_same_way():
    results = {"offline": summarize_with(None, model="offline")}
    results["fake"] = summarize_with(FakeBackend(grounded_answer))
    with SimServer() as sim:
        results["chat"] = summarize_with(
            None,
            generation=GenerationOptions(model="sim-model"),
            transport=TransportOptions(base_url=sim.base_url, api_key="test"),
        )
        assert len(sim.chat_requests) == 1
    for name, payload in results.items():
        assert schema_errors(payload, "result") == [], name
        spans = payload["evidence_spans"]
        assert spans and len(spans) == len(payload["summary"]["key_claims"]), name
        evidence = {c["id"]: c["evidence"] for c in payload["summary"]["key_claims"]}
        for span in spans:  # every quote is verbatim at its offset, for every backend
            assert span["match"] == "exact", name
            assert TEXT[span["start"] : span["end"]] == evidence[span["claim_id"]], name
    provenance = {name: payload["provenance"] for name, payload in results.items()}
    assert provenance["offline"]["analyzer"] and provenance["offline"]["prompt"] is None
    assert provenance["chat"]["analyzer"] is None and provenance["chat"]["prompt"]
    assert provenance["chat"]["attempts"] == 1 and provenance["offline"]["attempts"] == 0
    # The fake and the simulator build the same brief from the same prompt.
    assert results["fake"]["summary"] == results["chat"]["summary"]


def test_an_invalid_answer_is_reasked_through_any_backend():
    backend = FakeBackend(['{"headline": 1}', grounded_answer(_request())])
    with Summarizer(backend=backend, cache=False) as summarizer:
        result = summarizer.summarize(TEXT)
    assert result.provenance["reasks"] == 1 and len(backend.requests) == 2
    reask = backend.requests[1].render("prompt")
    assert reask[-2] == {"role": "assistant", "content": '{"headline": 1}'}
    assert "headline" in reask[-1]["content"]  # the errors were sent back


def test_a_deterministic_backend_is_not_reasked():
    backend = FakeBackend(['{"headline": 1}'])
    backend.capabilities = Capabilities(modes=("prompt",), context_window=None, deterministic=True)
    with Summarizer(backend=backend, cache=False) as summarizer, pytest.raises(OutputError):
        summarizer.summarize(TEXT)
    assert len(backend.requests) == 1


def test_cache_key_follows_the_backend_and_the_options(tmp_path):
    article = Article(text=TEXT, source="a.txt")
    keys = set()
    for backend, generation in (
        (FakeBackend([]), GenerationOptions()),
        (FakeBackend([], model="other"), GenerationOptions()),
        (FakeBackend([]), GenerationOptions(max_reasks=0)),
        (FakeBackend([]), GenerationOptions(strict_grounding=True)),
    ):
        with Summarizer(backend=backend, generation=generation, cache=False) as summarizer:
            keys.add(summarizer.generation_key(article))
    assert len(keys) == 4


def test_legacy_keyword_arguments_still_work_with_a_warning():
    with pytest.warns(DeprecationWarning, match="max_output_tokens="):
        summarizer = Summarizer(model="offline", cache=False, max_output_tokens=100, timeout=3)
    assert summarizer.generation.max_output_tokens == 100
    assert summarizer.transport.timeout == 3
    with pytest.raises(TypeError, match="no_such_option"):
        Summarizer(cache=False, no_such_option=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Summarizer(model="offline", cache=False, generation=GenerationOptions(max_reasks=1))


def test_options_are_checked_where_they_are_made():
    from summarizer import ConfigError

    with pytest.raises(ConfigError, match="unknown mode"):
        GenerationOptions(mode="xml")
    with pytest.raises(ConfigError, match="concurrency"):
        TransportOptions(concurrency=0)
    with pytest.raises(ConfigError, match="max_cost_usd"):
        BudgetOptions(max_cost_usd=-1)


def _request() -> Request:
    with Summarizer(backend=FakeBackend([]), cache=False) as summarizer:
        template = summarizer.template
    article = Article(text=TEXT, source="a.txt")
    return Request(article, lambda mode: template.render(article.text, include_schema=True))


def test_fake_backend_answers_are_json_text():
    answer = FakeBackend([{"a": 1}])
    request = _request()
    import asyncio

    from summarizer.backends import CallStats

    completion = asyncio.run(answer.complete(request, CallStats()))
    assert json.loads(completion.content) == {"a": 1}


def test_result_summary_is_deprecated_in_favour_of_the_brief():
    with Summarizer(model="offline", cache=False) as summarizer:
        result = summarizer.summarize(TEXT)
    with pytest.warns(DeprecationWarning, match=r'brief\["summary"\]'):
        text = result.summary
    assert text == result.brief["summary"] == result.to_dict()["summary"]["summary"]


def test_run_folder_is_the_library_batch_entry(tmp_path):
    from summarizer import FolderOptions, run_folder

    articles = tmp_path / "in"
    (articles / "nested").mkdir(parents=True)
    (articles / "a.txt").write_text(TEXT, encoding="utf-8")
    (articles / "nested" / "b.txt").write_text(TEXT + " Police said the road is closed.")
    (articles / "skip.md").write_text("# Not this one\n\nThe mayor said it is fine.\n")
    seen = []
    report = run_folder(
        articles,
        tmp_path / "out",
        model="offline",
        cache=False,
        folder=FolderOptions(patterns=("*.txt",)),
        on_outcome=lambda outcome, totals: seen.append(outcome.path),
    )
    assert report["ok"] == 2 and report["failed"] == 0 and report["disk_error"] is None
    assert sorted(seen) == ["a.txt", "nested/b.txt"]
    written = json.loads((tmp_path / "out" / "nested" / "b.txt.json").read_text())
    assert schema_errors(written, "result") == []
    index = (tmp_path / "out" / "index.jsonl").read_text().splitlines()
    assert {json.loads(line)["path"] for line in index} == {"a.txt", "nested/b.txt"}


def test_an_output_allowance_the_model_cannot_write_is_a_settings_error():
    from summarizer import ConfigError

    too_much = GenerationOptions(model="gpt-4o-mini", max_output_tokens=20_000)
    with pytest.raises(ConfigError, match=r"more than 'gpt-4o-mini' can write \(16384"):
        Summarizer(generation=too_much, api_key="k", cache=False)
    # An unknown model has no known limit: the endpoint decides.
    Summarizer(generation=GenerationOptions(model="my-local", max_output_tokens=20_000),
               base_url="http://127.0.0.1:9/v1", cache=False).close()
