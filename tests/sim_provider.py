"""What a hosted provider checks before it runs a model, with its exact error answers.

Used by ``openai_sim.SimServer(rules=ProviderRules(...))``. The bodies are the ones
OpenAI's chat-completions endpoint returns (message, type, param and code as published
in its users' bug reports), so the client's handling is tested against the real shape:
a wrong key (401), an unknown model (404), ``max_tokens`` or a non-default
``temperature`` sent to a reasoning model (400), and a strict ``json_schema`` the
provider refuses (400 "Invalid schema for response_format ...").

Standard library only, like the simulator.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# (status, JSON body) of an error answer.
Answer = tuple[int, bytes]

# The o-series and gpt-5 reasoning models, as OpenAI names them: the family name alone
# or followed by "-..." (o3-mini, o4-mini-2025-04-16, gpt-5-nano).
REASONING_FAMILIES = ("o1", "o3", "o4", "gpt-5")


@dataclass(frozen=True)
class ProviderRules:
    """Checks the simulator applies to every request; the defaults check nothing."""

    api_key: str | None = None  # when set, any other bearer token gets 401
    known_models_only: bool = False  # a chat request for a model not served gets 404
    reasoning_families: tuple[str, ...] = ()  # these reject max_tokens and temperature != 1
    invalid_schema: bool = False  # every json_schema response format gets 400 Invalid schema


def _error(status: int, message: str, type_: str, param: str | None, code: str | None) -> Answer:
    body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
    return status, json.dumps(body).encode()


def _masked(key: str) -> str:
    return f"{key[:3]}*****{key[-4:]}" if len(key) > 8 else "*****"


def check_auth(rules: ProviderRules, headers: Mapping[str, str]) -> Answer | None:
    """401 as OpenAI answers a wrong key (the key is masked in the message)."""
    if rules.api_key is None:
        return None
    given = headers.get("authorization", "").removeprefix("Bearer ").strip()
    if given == rules.api_key:
        return None
    if not given:
        return _error(
            401,
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            "invalid_request_error",
            None,
            None,
        )
    return _error(
        401,
        f"Incorrect API key provided: {_masked(given)}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        None,
        "invalid_api_key",
    )


def is_reasoning(model: str, families: tuple[str, ...]) -> bool:
    return any(model == family or model.startswith(family + "-") for family in families)


def check_chat(
    rules: ProviderRules, body: dict[str, Any], served: tuple[str, ...]
) -> Answer | None:
    """404 unknown model, then 400 for parameters this model rejects, as OpenAI orders them."""
    model = str(body.get("model", ""))
    if rules.known_models_only and model not in served:
        return _error(
            404,
            f"The model `{model}` does not exist or you do not have access to it.",
            "invalid_request_error",
            None,
            "model_not_found",
        )
    if is_reasoning(model, rules.reasoning_families):
        if "max_tokens" in body:
            return _error(
                400,
                "Unsupported parameter: 'max_tokens' is not supported with this model. "
                "Use 'max_completion_tokens' instead.",
                "invalid_request_error",
                "max_tokens",
                "unsupported_parameter",
            )
        temperature = body.get("temperature")
        if temperature is not None and temperature != 1:
            return _error(
                400,
                f"Unsupported value: 'temperature' does not support {temperature} with this "
                "model. Only the default (1) value is supported.",
                "invalid_request_error",
                "temperature",
                "unsupported_value",
            )
    response_format = body.get("response_format")
    if (
        rules.invalid_schema
        and isinstance(response_format, dict)
        and response_format.get("type") == "json_schema"
    ):
        name = (response_format.get("json_schema") or {}).get("name", "response")
        return _error(
            400,
            f"Invalid schema for response_format '{name}': In context=(), "
            "'additionalProperties' is required to be supplied and to be false.",
            "invalid_request_error",
            "response_format",
            "invalid_json_schema",
        )
    return None
