"""Asking an OpenAI-compatible server what context it really serves.

A model table knows what a model was trained for; the server decides what it
serves: vLLM's ``--max-model-len``, llama.cpp's ``--ctx-size`` and Ollama's
``num_ctx`` are often far smaller. Three servers say so, each its own way:

* vLLM: ``GET /v1/models`` lists ``max_model_len`` for each model;
* llama.cpp's ``llama-server``: ``GET /props`` has ``n_ctx`` (under
  ``default_generation_settings`` in most builds, at the top level in some);
  llama-cpp-python's server has no such route and says nothing;
* Ollama: ``POST /api/show`` gives ``num_ctx`` in ``parameters`` when the model
  file sets it, and the model's trained length in ``model_info``. Without a
  ``num_ctx`` Ollama serves its default (4096 tokens on most machines), which is
  what is assumed then.

Every probe is best effort: a server that answers none of them (OpenAI itself, a
proxy) leaves the configured window in force, and nothing here ever fails a run.
"""

from __future__ import annotations

import logging
import re
from typing import Any

log = logging.getLogger("summarizer")

OLLAMA_DEFAULT_NUM_CTX = 4096
_NUM_CTX = re.compile(r"^\s*num_ctx\s+(\d+)\s*$", re.MULTILINE)


def _positive_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def from_models_list(payload: Any, model: str) -> int | None:
    """vLLM's ``max_model_len`` for ``model`` in a ``/v1/models`` answer."""
    entries = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(entries, list):
        return None
    for entry in entries:
        if isinstance(entry, dict) and entry.get("id") == model:
            return _positive_int(entry.get("max_model_len"))
    return None


def from_llama_props(payload: Any) -> int | None:
    """llama.cpp's ``n_ctx`` in a ``/props`` answer."""
    if not isinstance(payload, dict):
        return None
    settings = payload.get("default_generation_settings")
    if isinstance(settings, dict) and _positive_int(settings.get("n_ctx")):
        return _positive_int(settings.get("n_ctx"))
    return _positive_int(payload.get("n_ctx"))


def from_ollama_show(payload: Any) -> int | None:
    """The context Ollama serves, from an ``/api/show`` answer."""
    if not isinstance(payload, dict):
        return None
    trained = None
    info = payload.get("model_info")
    if isinstance(info, dict):
        trained = next(
            (_positive_int(v) for k, v in info.items() if k.endswith(".context_length")), None
        )
    parameters = payload.get("parameters")
    match = _NUM_CTX.search(parameters) if isinstance(parameters, str) else None
    served = int(match.group(1)) if match else OLLAMA_DEFAULT_NUM_CTX
    return min(served, trained) if trained else served


async def probe_context_window(
    base_url: str, model: str, api_key: str | None, timeout: float = 5.0
) -> tuple[int, str] | None:
    """``(tokens, how)`` from the first server route that tells, or None."""
    try:  # the HTTP library under the openai SDK: httpx2 from openai 3, httpx before
        import httpx2 as http
    except ImportError:  # pragma: no cover - depends on the installed SDK
        import httpx as http  # type: ignore[no-redef]

    root = re.sub(r"/v1/?$", "", base_url.rstrip("/"))
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    attempts = (
        (
            "GET",
            f"{base_url.rstrip('/')}/models",
            None,
            lambda p: from_models_list(p, model),
            "vLLM /v1/models max_model_len",
        ),
        ("GET", f"{root}/props", None, from_llama_props, "llama.cpp /props n_ctx"),
        ("POST", f"{root}/api/show", {"model": model}, from_ollama_show, "Ollama /api/show"),
    )
    async with http.AsyncClient(timeout=timeout, headers=headers) as client:
        for method, url, body, read, how in attempts:
            try:
                response = await client.request(method, url, json=body)
                if response.status_code != 200:
                    continue
                tokens = read(response.json())
            except Exception as exc:  # a probe never fails a run
                log.debug("context probe %s failed: %s", how, type(exc).__name__)
                continue
            if tokens is not None:
                return tokens, how
    return None
