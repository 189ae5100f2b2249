"""The model layer against a real local HTTP server that misbehaves on purpose."""

from __future__ import annotations

import json
import time

import pytest
from openai_sim import SimServer, brief, content, drop_connection, hang, status

from summarizer import Article, ModelError, OutputError, Summarizer, TruncatedOutput
from summarizer.options import BudgetOptions, GenerationOptions, TransportOptions
from summarizer.output.schema import schema_errors

GENERATION_FIELDS = set(GenerationOptions.__dataclass_fields__)

TEXT = (
    "Harbour Bridge to reopen in May\n\n"
    "Transport Minister Ana Lopez said on Monday that the Harbour Bridge will reopen in May. "
    "Engineers reportedly found fewer cracks than feared. "
    "Union leader Tom Baker denied that the repairs were finished."
)
ARTICLE = Article(text=TEXT, title="Harbour Bridge to reopen in May", source="bridge.txt")
SECRET = "fake-key-DO-NOT-LEAK-0123456789abcdef"


@pytest.fixture
def sim():
    with SimServer() as server:
        yield server


def make(
    sim: SimServer,
    tmp_path,
    *,
    cache=None,
    refresh: bool = False,
    budget: BudgetOptions | None = None,
    **fields,
) -> Summarizer:
    """A Summarizer on the simulator; ``fields`` go to whichever options object has them."""
    generation = {k: fields.pop(k) for k in list(fields) if k in GENERATION_FIELDS}
    transport = {"backoff_base": 0.01, "timeout": 5.0, **fields}
    return Summarizer(
        generation=GenerationOptions(**{"model": "sim-model", **generation}),
        transport=TransportOptions(base_url=sim.base_url, api_key=SECRET, **transport),
        budget=budget,
        refresh=refresh,
        cache=tmp_path / "cache.sqlite3" if cache is None else cache,
    )


def test_valid_answer_is_a_validated_result(sim, tmp_path):
    with make(sim, tmp_path) as summarizer:
        result = summarizer.summarize(ARTICLE)
    payload = result.to_dict()
    assert schema_errors(payload, "result") == []
    assert payload["provenance"]["attempts"] == 1
    assert payload["provenance"]["mode"] == "json_schema"
    assert payload["provenance"]["endpoint"] == sim.base_url.split("//")[1].split("/")[0]
    assert all(span["match"] != "none" for span in payload["evidence_spans"])
    body = sim.chat_requests[0].body
    assert body["temperature"] == 0 and body["seed"] == 0
    assert body["response_format"]["json_schema"]["strict"] is True
    # The article comes last, fenced as data.
    assert body["messages"][-1]["content"].rstrip().endswith(f"<article>\n{TEXT}\n</article>")


def test_json_schema_rejection_falls_back_and_is_remembered(tmp_path):
    with SimServer(reject_json_schema=True) as sim, make(sim, tmp_path, cache=False) as summarizer:
        first = summarizer.summarize(ARTICLE)
        second = summarizer.summarize(Article(text=TEXT + " More.", source="b.txt"))
    kinds = [r.body.get("response_format", {}).get("type") for r in sim.chat_requests]
    assert kinds == ["json_schema", "json_object", "json_object"]
    assert first.provenance["mode"] == second.provenance["mode"] == "json_object"
    # In json_object mode the schema travels with the request and in the prompt.
    body = sim.chat_requests[1].body
    assert "properties" in body["response_format"]["schema"]
    assert "must validate against this JSON Schema" in body["messages"][0]["content"]


def test_429_honours_retry_after_and_is_counted(sim, tmp_path):
    sim.script(status(429, headers={"Retry-After": "1"}))
    started = time.perf_counter()
    with make(sim, tmp_path) as summarizer:
        result = summarizer.summarize(ARTICLE)
    assert time.perf_counter() - started >= 0.95
    assert result.provenance["attempts"] == 2
    assert result.provenance["retries"] == {"rate_limit": 1}


def test_5xx_timeouts_and_dropped_connections_are_retried(sim, tmp_path):
    sim.script(status(500), status(503), hang(3), drop_connection())
    with make(sim, tmp_path, timeout=0.5) as summarizer:
        result = summarizer.summarize(ARTICLE)
    assert result.provenance["attempts"] == 5
    assert result.provenance["retries"] == {
        "http_500": 1,
        "http_503": 1,
        "timeout": 1,
        "connection": 1,
    }


def test_retries_are_bounded(sim, tmp_path):
    sim.script(*[status(503)] * 10)
    with make(sim, tmp_path, max_attempts=3) as summarizer, pytest.raises(ModelError) as caught:
        summarizer.summarize(ARTICLE)
    assert "HTTP 503" in str(caught.value)
    assert len(sim.chat_requests) == 3


@pytest.mark.parametrize("code", [400, 401, 403, 404])
def test_client_errors_are_not_retried(sim, tmp_path, code):
    sim.script(status(code))
    with make(sim, tmp_path) as summarizer, pytest.raises(ModelError) as caught:
        summarizer.summarize(ARTICLE)
    assert len(sim.chat_requests) == 1
    assert SECRET not in str(caught.value)
    if code == 401:
        assert "authentication failed" in str(caught.value)


def test_malformed_json_is_reasked_with_the_error(sim, tmp_path):
    sim.script(content('{"headline": "unterminated'))
    with make(sim, tmp_path) as summarizer:
        result = summarizer.summarize(ARTICLE)
    assert result.provenance["reasks"] == 1
    assert result.provenance["attempts"] == 2
    followup = sim.chat_requests[1].body["messages"]
    assert followup[-2] == {"role": "assistant", "content": '{"headline": "unterminated'}
    assert "not valid JSON" in followup[-1]["content"]


def test_schema_invalid_output_fails_after_bounded_reasks(sim, tmp_path):
    sim.script(content('{"headline": 1}'), content('{"headline": 2}'), content('{"headline": 3}'))
    with make(sim, tmp_path, max_reasks=1) as summarizer, pytest.raises(OutputError) as caught:
        summarizer.summarize(ARTICLE)
    assert len(sim.chat_requests) == 2
    assert any("'summary' is a required property" in e for e in caught.value.errors)
    assert sim.pending == 1  # the third scripted answer was never requested


def _plant_invented_quote(value: dict) -> None:
    value["key_claims"][0]["evidence"] = "The bridge has collapsed into the sea."


def test_ungrounded_quote_is_reasked_then_flagged(sim, tmp_path):
    sim.script(*[brief(_plant_invented_quote)] * 3)
    with make(sim, tmp_path, max_reasks=2) as summarizer:
        result = summarizer.summarize(ARTICLE)
    assert result.provenance["reasks"] == 2
    assert any("evidence: not found in the article" in w for w in result.warnings)
    assert result.evidence_spans[0].match == "none"
    reask = sim.chat_requests[1].body["messages"][-1]["content"]
    assert "The bridge has collapsed into the sea." in reask


def test_strict_grounding_drops_what_stays_ungrounded(sim, tmp_path):
    sim.script(*[brief(_plant_invented_quote)] * 3)
    with make(sim, tmp_path, strict_grounding=True) as summarizer:
        result = summarizer.summarize(ARTICLE)
    evidence = [c["evidence"] for c in result.key_claims]
    assert "The bridge has collapsed into the sea." not in evidence
    assert any(w.startswith("dropped claim") for w in result.warnings)


def test_truncated_output_is_its_own_outcome(sim, tmp_path):
    sim.script(content('{"headline": "Bridge', finish_reason="length"))
    with make(sim, tmp_path) as summarizer, pytest.raises(TruncatedOutput) as caught:
        summarizer.summarize(ARTICLE)
    assert "output limit" in str(caught.value)
    assert len(sim.chat_requests) == 1


def test_cache_hits_misses_and_no_secrets(sim, tmp_path):
    with make(sim, tmp_path) as summarizer:
        first = summarizer.summarize(ARTICLE)
        again = summarizer.summarize(ARTICLE)
    assert not first.cache_hit and again.cache_hit
    assert len(sim.chat_requests) == 1
    assert again.brief == first.brief
    with make(sim, tmp_path, model="other-model") as summarizer:
        assert not summarizer.summarize(ARTICLE).cache_hit
    with make(sim, tmp_path, refresh=True) as summarizer:
        assert not summarizer.summarize(ARTICLE).cache_hit
    assert len(sim.chat_requests) == 3
    stored = (tmp_path / "cache.sqlite3").read_bytes()
    assert SECRET.encode() not in stored
    assert SECRET not in json.dumps(first.to_dict())
    # The key does reach the server, as a header: that is where it belongs.
    assert sim.chat_requests[0].headers["authorization"] == f"Bearer {SECRET}"


def test_tampered_cache_entry_is_revalidated(sim, tmp_path):
    import sqlite3

    with make(sim, tmp_path) as summarizer:
        summarizer.summarize(ARTICLE)
    connection = sqlite3.connect(tmp_path / "cache.sqlite3")
    (payload,) = connection.execute("SELECT payload FROM results").fetchone()
    broken = json.loads(payload)
    del broken["summary"]["headline"]
    connection.execute("UPDATE results SET payload = ?", (json.dumps(broken),))
    connection.commit()
    with make(sim, tmp_path) as summarizer:
        result = summarizer.summarize(ARTICLE)
    assert not result.cache_hit
    assert len(sim.chat_requests) == 2


def test_429_slows_the_whole_run_through_the_shared_limiter(sim, tmp_path):
    sim.script(status(429, headers={"Retry-After": "1"}))
    with make(sim, tmp_path, cache=False, rpm=6000) as summarizer:
        summarizer.summarize(ARTICLE)
    limiter = summarizer.backend.rate_limiter
    stats = limiter.stats()
    assert stats["penalties"] == 1 and stats["rate_decreases"] == 1
    assert limiter.effective_rpm < 6000
    assert stats["acquired"] == 2  # the retry also went through the limiter


def test_budget_counts_retries_and_stops_before_overspending(sim, tmp_path):
    from summarizer import BudgetExceeded

    sim.script(content('{"headline": 1}'))  # invalid: forces a re-ask
    unlimited = BudgetOptions(max_total_tokens=10**9)
    with make(sim, tmp_path, cache=False, budget=unlimited) as summarizer:
        budget = summarizer.backend.budget
        meter = budget.meter
        summarizer.summarize(ARTICLE)
        assert meter.calls == 2  # the re-ask was paid for and counted
        spent = meter.tokens
        # Room for the output allowance but not for the prompt as well.
        budget.options = BudgetOptions(max_total_tokens=spent + 2048)
        with pytest.raises(BudgetExceeded):
            summarizer.summarize(Article(text=TEXT + " Another.", source="b.txt"))
    assert meter.tokens == spent
    assert len(sim.chat_requests) == 2  # the refused call was never sent
