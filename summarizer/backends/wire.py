"""Calling the model: structured-output modes, capability fallback and transport retries.

Two layers of resilience, kept apart on purpose:

* transport retries (here, with tenacity): 429s, 5xx, timeouts and dropped
  connections are retried with exponential backoff and jitter, honouring
  ``Retry-After``, within a bounded number of attempts and total time. The SDK's own
  retries are switched off so the two layers do not multiply.
* content re-asks (in :mod:`summarizer.pipeline`): a well-formed HTTP answer whose
  JSON is unusable is sent back with the exact errors.

Structured output has three modes, tried in order when ``mode="auto"``: strict
``json_schema``; ``json_object``; and plain prompting with JSON extraction. Many
OpenAI-compatible servers reject ``json_schema`` (llama-cpp-python's answers HTTP 500
naming ``response_format``); that rejection is recognised, the next mode is used,
and the endpoint's capability is remembered for the rest of the run.

``json_object`` carries the schema beside the type (a non-standard field) only for
llama.cpp servers, which enforce it with a grammar: when the settings say so
(``server = "llama.cpp"``), or when the endpoint rejected ``json_schema`` with
llama-cpp-python's own validation error. Other servers get the standard request.

A 400 saying that our schema itself is invalid ("Invalid schema for response_format")
is not a missing capability: falling back would hide a bug in summarizer behind a
weaker mode, so it is raised as an error that says so.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import openai

try:  # the HTTP library under the openai SDK: httpx2 from openai 3, httpx before
    import httpx2 as _http
except ImportError:  # pragma: no cover - depends on the installed SDK
    import httpx as _http  # type: ignore[no-redef]
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
)

from summarizer.backends.base import AttemptGate, CallStats, Completion
from summarizer.backends.http_errors import (
    LLAMA_CPP_SIGNATURE,
    REFUSALS,
    provider_message,
    rejects_mode,
    retry_after,
    retry_cause,
    schema_refused,
)
from summarizer.backends.request_rules import RequestRules, request_rules
from summarizer.backends.runguard import AttemptClock
from summarizer.config import endpoint_host
from summarizer.errors import ModelError, RequestRejected
from summarizer.options import MODES
from summarizer.output.schema import bounded_schema, wire_schema

log = logging.getLogger("summarizer")

Message = dict[str, str]


class CapabilityRejected(Exception):
    """The endpoint refused a structured-output mode; the next mode should be tried."""


class ModelClient:
    """One endpoint and model, shared by every article of a run."""

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None,
        api_key: str | None,
        mode: str = "auto",
        timeout: float = 120.0,
        max_attempts: int = 6,
        max_retry_seconds: float = 300.0,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        temperature: float = 0.0,
        seed: int | None = 0,
        max_output_tokens: int = 2048,
        on_rate_limited: Callable[[float | None], None] | None = None,
        rules: RequestRules | None = None,
        server: str | None = None,
        attempt_clock: AttemptClock | None = None,
    ) -> None:
        """``rules`` default to the model table's for ``model`` (without config overrides)."""
        if mode != "auto" and mode not in MODES:
            raise ModelError(f"unknown mode {mode!r} (choose auto, {', '.join(MODES)})")
        self.model = model
        self.base_url = base_url
        self.endpoint = endpoint_host(base_url)
        self.modes = list(MODES) if mode == "auto" else [mode]
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_retry_seconds = max_retry_seconds
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.temperature = temperature
        self.seed = seed
        self.max_output_tokens = max_output_tokens
        self.on_rate_limited = on_rate_limited
        self.rules = rules or request_rules(model)
        self.attempt_clock = attempt_clock
        # Built once per run: the schema is the same for every article.
        self._response_formats: dict[str, dict[str, Any] | None] = {
            "json_schema": {
                "type": "json_schema",
                "json_schema": {"name": "article_brief", "strict": True, "schema": wire_schema()},
            },
            "json_object": {"type": "json_object"},
            "prompt": None,
        }
        if server == "llama.cpp":
            self._attach_grammar_schema()
        # Local servers usually need no key, but the SDK insists on one.
        self._client = openai.AsyncOpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            max_retries=0,
            timeout=timeout,
        )

    def _attach_grammar_schema(self) -> None:
        """llama.cpp enforces a schema given beside ``json_object``; bounded for its grammar."""
        self._response_formats["json_object"] = {"type": "json_object", "schema": bounded_schema()}

    @property
    def mode(self) -> str:
        """The structured-output mode the next request will use."""
        return self.modes[0]

    async def aclose(self) -> None:
        await self._client.close()

    def _request(self, messages: list[Message], mode: str) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            self.rules.token_parameter: self.max_output_tokens,
        }
        if self.rules.temperature:  # reasoning models accept only their default: send none
            request["temperature"] = self.temperature
        if self.seed is not None:
            request["seed"] = self.seed
        response_format = self._response_formats[mode]
        if response_format is not None:
            request["response_format"] = response_format
        return request

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = retry_after(exc) if exc else None
        if hinted is not None:
            return min(hinted, self.backoff_max)
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (state.attempt_number - 1))
        return random.uniform(ceiling / 2, ceiling)  # "equal jitter": never zero, spreads retries

    async def complete(
        self,
        render: Callable[[str], list[Message]],
        stats: CallStats,
        *,
        gate: AttemptGate | None = None,
    ) -> Completion:
        """One answer for the conversation ``render(mode)`` builds.

        ``render`` takes the mode because the prompt differs by mode (the schema is
        written into the prompt only where the endpoint does not enforce it), and the
        mode can change mid-call when the endpoint rejects one.
        """
        while True:
            mode = self.mode
            try:
                return await self._complete_with_retries(render(mode), mode, stats, gate)
            except CapabilityRejected as rejected:
                if LLAMA_CPP_SIGNATURE in str(rejected):
                    self._attach_grammar_schema()  # llama-cpp-python said who it is
                if len(self.modes) > 1 and self.modes[0] == mode:
                    self.modes.pop(0)  # remembered for every later article of the run
                    log.info("%s rejected %s; using %s from now on", self.endpoint, mode, self.mode)
                    continue
                if self.modes[0] != mode:
                    continue  # another article already fell back meanwhile
                raise ModelError(
                    f"{self.endpoint}: the endpoint rejected structured-output mode {mode!r}: "
                    f"{rejected}"
                ) from None

    async def _complete_with_retries(
        self,
        messages: list[Message],
        mode: str,
        stats: CallStats,
        gate: AttemptGate | None,
    ) -> Completion:
        def record_retry(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            cause = retry_cause(exc) if exc else None
            if cause is None:
                return
            stats.retries[cause] += 1
            log.debug(
                "%s: retrying after %s (attempt %d)", self.endpoint, cause, state.attempt_number
            )
            if cause == "rate_limit" and self.on_rate_limited is not None:
                self.on_rate_limited(retry_after(exc))

        retrying = AsyncRetrying(
            retry=retry_if_exception(
                lambda exc: retry_cause(exc) is not None and not rejects_mode(exc, mode)
            ),
            before_sleep=record_retry,
            wait=self._wait,
            stop=stop_after_attempt(self.max_attempts) | stop_after_delay(self.max_retry_seconds),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    async with gate() if gate is not None else contextlib.nullcontext():
                        stats.attempts += 1
                        started = time.perf_counter()
                        try:
                            return await self._send(messages, mode, stats)
                        finally:
                            if self.attempt_clock is not None:
                                self.attempt_clock.record(time.perf_counter() - started)
        except openai.APIStatusError as exc:
            if rejects_mode(exc, mode):
                raise CapabilityRejected(exc.message) from None
            if schema_refused(exc):
                raise RequestRejected(
                    f"{self.endpoint}: the provider refused summarizer's own JSON schema "
                    f"({provider_message(exc)}); this is a bug in summarizer, please report it; "
                    "--mode json_object avoids it meanwhile",
                    exc.status_code,
                ) from None
            if exc.status_code in REFUSALS:
                raise RequestRejected(self._describe(exc), exc.status_code) from None
            raise ModelError(self._describe(exc)) from None
        except openai.APIConnectionError as exc:
            raise ModelError(self._describe(exc)) from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _send(self, messages: list[Message], mode: str, stats: CallStats) -> Completion:
        # The request is plain JSON already, so it goes through the SDK's generic
        # post(): same auth, errors and timeouts, without the typed-parameter
        # transform and response models of chat.completions.create(), which walked
        # the schema and every message and cost more client CPU per call than the
        # rest of the pipeline (bench/bench_batch.py).
        response = await self._client.post(
            "/chat/completions", body=self._request(messages, mode), cast_to=_http.Response
        )
        try:
            payload = response.json()
            choice = payload["choices"][0]
            message = choice.get("message") or {}
            usage = payload.get("usage") or {}
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise ModelError(
                f"{self.endpoint}: the response is not a chat completion: {response.text[:200]!r}"
            ) from None
        prompt_tokens = usage.get("prompt_tokens")
        completion_tokens = usage.get("completion_tokens")
        stats.prompt_tokens += prompt_tokens or 0
        stats.completion_tokens += completion_tokens or 0
        return Completion(
            content=message.get("content") or "",
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            mode=mode,
        )

    def _describe(self, exc: openai.APIError) -> str:
        """One line naming the endpoint and what went wrong, without secrets."""
        if isinstance(exc, openai.AuthenticationError):
            return (
                f"{self.endpoint}: authentication failed (HTTP 401); "
                "check OPENAI_API_KEY or --api-key"
            )
        if isinstance(exc, openai.PermissionDeniedError):
            return f"{self.endpoint}: permission denied (HTTP 403) for model {self.model!r}"
        if isinstance(exc, openai.NotFoundError):
            return (
                f"{self.endpoint}: not found (HTTP 404); is {self.model!r} a model this "
                "endpoint serves, and does the base URL end in /v1?"
            )
        if isinstance(exc, openai.APITimeoutError):
            return (
                f"{self.endpoint}: timed out after {self.max_attempts} attempts "
                f"({self.timeout:g} s each)"
            )
        if isinstance(exc, openai.APIConnectionError):
            return (
                f"{self.endpoint}: cannot connect ({exc.__cause__ or exc}); is the server running?"
            )
        if isinstance(exc, openai.APIStatusError):
            return f"{self.endpoint}: HTTP {exc.status_code}: {provider_message(exc)}"
        return f"{self.endpoint}: {exc}"
