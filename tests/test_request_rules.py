"""Per-model request rules: reasoning models get max_completion_tokens and no temperature.

Against the simulator with OpenAI's checks on (``sim_provider``): it answers 400 with the
provider's exact body when ``max_tokens`` or a non-default ``temperature`` reaches a
reasoning model, so a regression fails here the way it fails in production.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from openai_sim import SimServer
from sim_provider import REASONING_FAMILIES, ProviderRules

from summarizer import Article, ModelError, Summarizer, TransportOptions
from summarizer.backends.request_rules import request_rules
from summarizer.config import resolve
from summarizer.errors import ConfigError
from summarizer.output.schema import schema_errors

TEXT = (
    "Harbour Bridge to reopen in May\n\n"
    "Transport Minister Ana Lopez said on Monday that the Harbour Bridge will reopen in May."
)
ARTICLE = Article(text=TEXT, title="Harbour Bridge to reopen in May", source="bridge.txt")
MODELS = ("o3-mini", "o4-mini-2025-04-16", "gpt-5.1", "gpt-4o-mini")


@pytest.fixture
def sim():
    rules = ProviderRules(reasoning_families=REASONING_FAMILIES, known_models_only=True)
    with SimServer(rules=rules, models=MODELS) as server:
        yield server


def summarizer_for(sim: SimServer, model: str, config: dict | None = None) -> Summarizer:
    settings = resolve(model=model, base_url=sim.base_url, api_key="sk-test", config=config or {})
    transport = TransportOptions(backoff_base=0.01, timeout=5.0)
    return Summarizer(settings=settings, transport=transport, cache=False)


@pytest.mark.parametrize(
    ("model", "source"),
    [
        ("o3", "o3"),
        ("o3-pro", "o3"),
        ("openai/o4-mini-deep-research", "o4-mini"),
        ("gpt-5.1-codex", "gpt-5"),
        ("O1-preview", "o1"),
    ],
)
def test_reasoning_families_and_their_successors_have_rules(model, source):
    rules = request_rules(model)
    assert (rules.token_parameter, rules.temperature, rules.source) == (
        "max_completion_tokens",
        False,
        source,
    )


@pytest.mark.parametrize("model", ["gpt-4o-mini", "gpt-50", "llama3.1:8b", "o30", "sim-model"])
def test_other_models_keep_max_tokens_and_temperature(model):
    rules = request_rules(model)
    assert (rules.token_parameter, rules.temperature, rules.source) == ("max_tokens", True, None)


def test_config_can_give_a_model_rules_and_typos_fail():
    config = {"my-reasoner": {"token_parameter": "max_completion_tokens", "temperature": False}}
    assert request_rules("my-reasoner-v2", config).token_parameter == "max_completion_tokens"
    with pytest.raises(ConfigError, match="token_parameter"):
        request_rules("x", {"x": {"token_parameter": "max_output_tokens"}})
    with pytest.raises(ConfigError, match="temperature must be true or false"):
        request_rules("x", {"x": {"temperature": 0}})


@pytest.mark.parametrize("model", ["o3-mini", "o4-mini-2025-04-16", "gpt-5.1"])
def test_reasoning_models_are_sent_what_they_accept(sim, model):
    with summarizer_for(sim, model) as summarizer:
        result = summarizer.summarize(ARTICLE)
    assert schema_errors(result.to_dict(), "result") == []
    body = sim.chat_requests[-1].body
    assert body["max_completion_tokens"] == 2048
    assert "max_tokens" not in body and "temperature" not in body


def test_ordinary_models_still_get_max_tokens_and_temperature_zero(sim):
    with summarizer_for(sim, "gpt-4o-mini") as summarizer:
        summarizer.summarize(ARTICLE)
    body = sim.chat_requests[-1].body
    assert body["max_tokens"] == 2048 and body["temperature"] == 0
    assert "max_completion_tokens" not in body


def test_without_the_rules_the_provider_refuses_max_tokens_then_temperature(sim):
    as_before = {"models": {"o3-mini": {"token_parameter": "max_tokens", "temperature": True}}}
    with summarizer_for(sim, "o3-mini", as_before) as summarizer, pytest.raises(ModelError) as err:
        summarizer.summarize(ARTICLE)
    assert "HTTP 400" in str(err.value) and "max_completion_tokens" in str(err.value)
    assert len(sim.chat_requests) == 1  # a 400 is not retried
    only_tokens = {"models": {"o3-mini": {"temperature": True}}}
    with (
        summarizer_for(sim, "o3-mini", only_tokens) as summarizer,
        pytest.raises(ModelError) as err,
    ):
        summarizer.summarize(ARTICLE)
    assert "'temperature' does not support 0.0 with this model" in str(err.value)


def post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def test_simulator_answers_exactly_as_the_provider(sim):
    messages = [{"role": "user", "content": "hi"}]
    url = f"{sim.base_url}/chat/completions"
    code, body = post(url, {"model": "o3-mini", "messages": messages, "max_tokens": 5})
    assert code == 400
    assert body == {
        "error": {
            "message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.",
            "type": "invalid_request_error",
            "param": "max_tokens",
            "code": "unsupported_parameter",
        }
    }
    code, body = post(url, {"model": "o3-mini", "messages": messages, "temperature": 0.2})
    assert (code, body["error"]["param"], body["error"]["code"]) == (
        400,
        "temperature",
        "unsupported_value",
    )
    code, body = post(url, {"model": "gpt-4o-typo", "messages": messages})
    assert (code, body["error"]["code"]) == (404, "model_not_found")
    assert body["error"]["message"] == (
        "The model `gpt-4o-typo` does not exist or you do not have access to it."
    )
