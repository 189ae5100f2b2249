"""The built-in model table, config overrides, cost arithmetic and the budget meter."""

from __future__ import annotations

import json
import threading
from importlib import resources

import pytest

from summarizer.errors import ConfigError
from summarizer.pricing import CostMeter, ModelInfo, cost_usd, model_info


def priced(input_per_mtok: float | None, output_per_mtok: float | None) -> ModelInfo:
    return ModelInfo("test", 8192, 4096, input_per_mtok, output_per_mtok, "o200k_base", True)


# -- the shipped table ----------------------------------------------------------------


def test_table_is_package_data_dated_and_covers_the_common_models() -> None:
    raw = json.loads((resources.files("summarizer") / "models.json").read_text("utf-8"))
    assert "2025" in raw["_note"] and "override" in raw["_note"]
    required = [
        "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3-mini",
        "o4-mini", "gpt-3.5-turbo", "gpt-4-turbo", "llama3.1:8b",
        "meta-llama/Llama-3.1-8B-Instruct", "qwen2.5:7b", "mistral:7b", "gemma3:12b",
    ]
    for name in required:
        info = model_info(name)
        assert info.known, name
        assert info.context_window > info.max_output_tokens > 0, name
        assert info.input_per_mtok is not None and info.output_per_mtok is not None, name


def test_exact_match() -> None:
    info = model_info("gpt-4o-mini")
    assert info == ModelInfo(
        "gpt-4o-mini", 128_000, 16_384, 0.15, 0.6, "o200k_base", True, batch_discount=0.5
    )
    assert model_info("gpt-3.5-turbo").encoding == "cl100k_base"
    assert model_info("GPT-4o-Mini").name == "gpt-4o-mini"  # case does not matter


@pytest.mark.parametrize(
    ("requested", "matched"),
    [
        ("gpt-4o-2024-08-06", "gpt-4o"),  # dated snapshot finds its family
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),  # the longest prefix wins
        ("gpt-4.1-nano-2025-04-14", "gpt-4.1-nano"),
        ("gpt-4-turbo-preview", "gpt-4-turbo"),
        ("o3-mini-2025-01-31", "o3-mini"),
        ("llama3.1:8b", "llama3.1"),  # Ollama tag
        ("llama3.1:70b-instruct-q4_K_M", "llama3.1"),
        ("ollama/llama3.1:8b", "llama3.1"),  # routing prefix removed
        ("openrouter/openai/gpt-4o", "gpt-4o"),
        ("Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B-Instruct"),  # bare HF name
        ("hosted_vllm/meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B-Instruct"),
        ("Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", "Meta-Llama-3.1-8B-Instruct"),  # llama.cpp
        ("Qwen/Qwen2.5-7B-Instruct-AWQ", "qwen2.5"),
        ("mistralai/Mistral-7B-Instruct-v0.3", "mistralai/Mistral-7B-Instruct-v0.3"),
        ("gemma3:27b", "gemma3"),
        ("gemma3:1b", "gemma3:1b"),  # an exact key beats its family
        ("google/gemma-3-27b-it", "google/gemma-3"),
        ("google/gemma-3-1b-it", "google/gemma-3-1b"),
    ],
)
def test_prefix_and_alias_matches(requested: str, matched: str) -> None:
    info = model_info(requested)
    assert info.known
    assert info.name == matched


def test_a_snapshot_with_its_own_price_is_not_priced_as_its_family() -> None:
    old = model_info("gpt-4o-2024-05-13")
    assert (old.input_per_mtok, old.output_per_mtok) == (5.0, 15.0)
    assert model_info("gpt-4o-2024-11-20").input_per_mtok == 2.5


def test_context_windows_of_local_models() -> None:
    assert model_info("llama3.1:8b").context_window == 131_072
    assert model_info("qwen2.5:14b").context_window == 32_768
    assert model_info("gemma3:1b").context_window == 32_768
    assert model_info("gemma3:4b").context_window == 131_072
    assert cost_usd(model_info("mistral:latest"), 10_000, 10_000) == 0.0


@pytest.mark.parametrize(
    "requested",
    [
        "totally-new-model",
        "mistral-large-latest",  # a paid API model, not local mistral at price 0
        "gpt-4o-audio-preview",  # a different product at different prices
        "o3-pro",
        "gpt-4.5-preview",
        "qwen2.5-max",
        "default",  # the fallback's key is not a model name
    ],
)
def test_unknown_models_get_the_default_with_unknown_price(requested: str) -> None:
    info = model_info(requested)
    assert not info.known
    assert info.name == "default"
    assert info.context_window == 8192
    assert info.input_per_mtok is None and info.output_per_mtok is None
    assert cost_usd(info, 1000, 1000) is None


# -- overrides from the config --------------------------------------------------------


def test_override_changes_one_field_and_keeps_the_rest() -> None:
    info = model_info("gpt-4o-mini", {"gpt-4o-mini": {"input_per_mtok": 0.1}})
    assert info.input_per_mtok == 0.1
    assert info.output_per_mtok == 0.6
    assert info.context_window == 128_000
    # Variants found by prefix get the overridden entry too, and keys ignore case.
    snapshot = model_info("gpt-4o-mini-2024-07-18", {"GPT-4o-MINI": {"output_per_mtok": 1}})
    assert snapshot.output_per_mtok == 1.0
    # The built-in table is not modified by an override.
    assert model_info("gpt-4o-mini").input_per_mtok == 0.15


def test_override_adds_a_model_with_defaults_for_missing_fields() -> None:
    overrides = {
        "my-local-model": {"context_window": 32_768, "input_per_mtok": 0, "output_per_mtok": 0}
    }
    info = model_info("my-local-model", overrides)
    assert info == ModelInfo("my-local-model", 32_768, 4096, 0.0, 0.0, "o200k_base", True)
    assert model_info("my-local-model:q4", overrides).name == "my-local-model"
    unpriced = model_info("other", {"other": {"context_window": 65_536}})
    assert unpriced.known and unpriced.input_per_mtok is None


def test_override_of_default_changes_the_fallback() -> None:
    info = model_info("mystery", {"default": {"context_window": 4096, "input_per_mtok": 1.0}})
    assert not info.known
    assert info.context_window == 4096
    assert info.input_per_mtok == 1.0


@pytest.mark.parametrize(
    "overrides",
    [
        {"gpt-4o": {"input_price": 1.0}},  # misspelt field
        {"gpt-4o": {"input_per_mtok": -1}},
        {"gpt-4o": {"input_per_mtok": "cheap"}},
        {"gpt-4o": {"context_window": 0}},
        {"gpt-4o": {"context_window": True}},
        {"gpt-4o": {"encoding": "p50k_base"}},
        {"gpt-4o": 3},
    ],
)
def test_invalid_overrides_fail_loudly(overrides: dict) -> None:
    with pytest.raises(ConfigError):
        model_info("gpt-4o", overrides)


# -- cost arithmetic ------------------------------------------------------------------


def test_cost_arithmetic() -> None:
    gpt4o = model_info("gpt-4o")
    assert cost_usd(gpt4o, 1_000_000, 1_000_000) == pytest.approx(12.5)
    assert cost_usd(model_info("gpt-4o-mini"), 1_000, 500) == pytest.approx(0.00045)
    assert cost_usd(gpt4o, 0, 0) == 0.0
    assert cost_usd(priced(1.0, None), 10, 0) is None
    with pytest.raises(ValueError):
        cost_usd(gpt4o, -1, 0)


def test_meter_accumulates_tokens_and_spend() -> None:
    meter = CostMeter(model_info("gpt-4o"))
    meter.add(1_000, 200)
    meter.add(3_000, 800)
    assert meter.tokens == 5_000
    assert (meter.prompt_tokens, meter.completion_tokens, meter.calls) == (4_000, 1_000, 2)
    assert meter.spent_usd == pytest.approx(4_000 * 2.5e-6 + 1_000 * 10e-6)
    unknown = CostMeter(model_info("mystery"))
    unknown.add(10, 10)
    assert unknown.spent_usd is None and not unknown.prices_known
    with pytest.raises(ValueError):
        meter.add(-1, 0)


def test_meter_is_thread_safe() -> None:
    meter = CostMeter(priced(1.0, 1.0))

    def work() -> None:
        for _ in range(2_000):
            meter.add(3, 2)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert meter.calls == 16_000
    assert meter.tokens == 16_000 * 5


# -- would_exceed: stop before, not after ---------------------------------------------


def test_token_budget_boundary() -> None:
    meter = CostMeter(priced(1.0, 2.0))
    meter.add(600, 300)
    assert not meter.would_exceed(None, 1_000, 50, 50)  # lands exactly on the limit
    assert meter.would_exceed(None, 1_000, 51, 50)  # one token over
    assert meter.would_exceed(None, 1_000, 0, 101)  # the allowance counts in full
    assert not meter.would_exceed(None, None, 10**9, 10**9)  # no limits, never


def test_cost_budget_boundary() -> None:
    meter = CostMeter(priced(1.0, 2.0))  # $1 and $2 per million
    meter.add(100_000, 50_000)  # $0.20 spent
    assert not meter.would_exceed(0.40, None, 100_000, 50_000)  # exactly $0.40
    assert meter.would_exceed(0.3999, None, 100_000, 50_000)
    assert meter.would_exceed(0.40, None, 100_000, 50_001)  # $0.000002 over


def test_cost_boundary_is_not_tripped_by_float_noise() -> None:
    info = model_info("gpt-4o-mini")
    meter = CostMeter(info)
    one_call = cost_usd(info, 100, 427)
    assert one_call is not None
    meter.add(100, 427)
    meter.add(100, 427)
    budget = one_call + one_call + one_call  # summed differently than the meter does
    assert cost_usd(info, 300, 3 * 427) != budget  # the noise this test is about
    assert not meter.would_exceed(budget, None, 100, 427)
    assert meter.would_exceed(budget, None, 100, 428)


def test_either_limit_alone_can_stop_the_batch() -> None:
    meter = CostMeter(priced(1.0, 1.0))
    assert meter.would_exceed(1.0, 10, 6, 5)  # tokens over, cost far under
    assert meter.would_exceed(0.000001, 10**9, 1, 1)  # cost over, tokens far under


def test_cost_limit_with_unknown_price_is_refused_not_ignored() -> None:
    meter = CostMeter(model_info("mystery"))
    with pytest.raises(ConfigError, match="price"):
        meter.would_exceed(1.0, None, 10, 10)
    assert not meter.would_exceed(None, 100, 10, 10)  # a token limit still works
    assert meter.would_exceed(None, 100, 60, 41)
