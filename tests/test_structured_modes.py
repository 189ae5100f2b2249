"""Which structured-output request each server gets, and what auto mode must not hide.

* ``json_object`` carries the non-standard ``schema`` field only for llama.cpp servers
  (declared with ``server = "llama.cpp"``, or recognised by llama-cpp-python's own
  rejection of ``json_schema``); every other server gets the standard request.
* A 400 "Invalid schema for response_format" is OpenAI saying our schema is wrong: auto
  mode must not fall back to a weaker mode and carry on, it must stop and say so.
"""

from __future__ import annotations

import pytest
from openai_sim import SimServer, status
from sim_provider import ProviderRules

from summarizer import Article, GenerationOptions, ModelError, Summarizer, TransportOptions
from summarizer.config import resolve
from summarizer.errors import ConfigError

TEXT = (
    "Harbour Bridge to reopen in May\n\n"
    "Transport Minister Ana Lopez said on Monday that the Harbour Bridge will reopen in May."
)
ARTICLE = Article(text=TEXT, title="Harbour Bridge to reopen in May", source="bridge.txt")


def summarize(sim: SimServer, mode: str, config: dict | None = None):
    settings = resolve(model="sim-model", base_url=sim.base_url, api_key="k", config=config or {})
    with Summarizer(
        settings=settings,
        generation=GenerationOptions(mode=mode),
        transport=TransportOptions(backoff_base=0.01),
        cache=False,
    ) as summarizer:
        return summarizer.summarize(ARTICLE)


def test_json_object_is_standard_for_an_unknown_server():
    with SimServer() as sim:
        summarize(sim, "json_object")
        assert sim.chat_requests[0].body["response_format"] == {"type": "json_object"}


def test_json_object_carries_the_grammar_schema_for_a_declared_llama_cpp_server():
    with SimServer() as sim:
        summarize(sim, "json_object", {"server": "llama.cpp"})
        response_format = sim.chat_requests[0].body["response_format"]
    assert response_format["type"] == "json_object"
    assert response_format["schema"]["properties"]["key_claims"]["maxItems"] == 6


def test_llama_cpp_python_is_recognised_by_its_rejection_of_json_schema():
    with SimServer(reject_json_schema=True) as sim:
        result = summarize(sim, "auto")
        formats = [r.body["response_format"] for r in sim.chat_requests]
    assert result.provenance["mode"] == "json_object"
    assert [f["type"] for f in formats] == ["json_schema", "json_object"]
    assert "schema" in formats[1]


def test_a_plain_rejection_of_json_schema_falls_back_without_the_extra_field():
    rejection = {"error": {"message": "response_format json_schema is not supported"}}
    with SimServer() as sim:
        sim.script(status(400, body=rejection))
        result = summarize(sim, "auto")
        formats = [r.body["response_format"] for r in sim.chat_requests]
    assert result.provenance["mode"] == "json_object"
    assert formats[1] == {"type": "json_object"}


def test_invalid_schema_is_surfaced_as_our_bug_not_a_silent_fallback():
    with SimServer(rules=ProviderRules(invalid_schema=True)) as sim:
        with pytest.raises(ModelError) as err:
            summarize(sim, "auto")
        sent = [r.body["response_format"]["type"] for r in sim.chat_requests]
    assert sent == ["json_schema"]  # neither retried nor retried in another mode
    message = str(err.value)
    assert "refused summarizer's own JSON schema" in message and "bug" in message
    assert "Invalid schema for response_format 'article_brief'" in message
    assert "\n" not in message


def test_unknown_server_kind_is_a_config_error():
    with pytest.raises(ConfigError, match="server 'vllm' is not a known kind"):
        resolve(model="m", base_url="http://127.0.0.1:1/v1", config={"server": "vllm"})
