"""An OpenAI-compatible chat-completions endpoint as a :class:`Backend`.

The wire work (structured-output modes, capability fallback, transport retries)
is :class:`summarizer.backends.wire.ModelClient`'s; this layer adds what every request to
a paid, rate-limited endpoint needs before it is sent: refusing a prompt that
cannot fit the context window, the run's budget, and the run's rate limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from summarizer.backends.base import AttemptGate, CallStats, Capabilities, Completion, Request
from summarizer.backends.budget import Budget
from summarizer.backends.ratelimit import RateLimiter
from summarizer.backends.request_rules import request_rules
from summarizer.backends.runguard import AttemptClock
from summarizer.config import Settings, endpoint_host
from summarizer.errors import ConfigError, ContextExceeded, ContextTruncated, ModelError
from summarizer.options import MODES, BudgetOptions, GenerationOptions, TransportOptions
from summarizer.pricing import ModelInfo, model_info
from summarizer.prompting.tokens import (
    TOKENS_PER_MESSAGE,
    TOKENS_PER_REPLY,
    count_message_tokens,
    ensure_fits_context,
    load_encoding,
)

if TYPE_CHECKING:
    from summarizer.backends.wire import ModelClient

Message = dict[str, str]
log = logging.getLogger("summarizer")

# A server that reports fewer prompt tokens than this share of our count cut the
# prompt: tokenizers of served models differ from tiktoken's by far less.
TRUNCATION_RATIO = 0.7
# Below this many bytes per reported token the count is surely not a truncation,
# so the prompt is not counted again (a UTF-8 token is rarely under 3 bytes).
_SUSPICIOUS_BYTES_PER_TOKEN = 3.0 / TRUNCATION_RATIO
# How servers word "longer than my context" (OpenAI and vLLM; llama-cpp-python).
_SERVED_WINDOW = re.compile(
    r"maximum context length is (\d+) tokens|exceed(?:s)? context window of (\d+)"
)


def _upper_bound_tokens(messages: list[Message]) -> int:
    """More tokens than the messages can hold: BPE tokens are at least one byte each."""
    framing = TOKENS_PER_REPLY + len(messages) * (TOKENS_PER_MESSAGE + 4)
    return framing + sum(len(m["content"].encode("utf-8")) for m in messages)


class ChatBackend:
    """One model at one endpoint, shared by every article (and event loop) of a run."""

    def __init__(
        self,
        settings: Settings,
        generation: GenerationOptions,
        transport: TransportOptions,
        budget: BudgetOptions,
    ) -> None:
        self.model = settings.model
        self.endpoint = endpoint_host(settings.base_url)
        self.settings = settings
        self.generation = generation
        self.transport = transport
        self.info: ModelInfo = model_info(settings.model, settings.model_overrides)
        if self.info.known and generation.max_output_tokens > self.info.max_output_tokens:
            # The provider would refuse every request with HTTP 400: say so once, up front.
            raise ConfigError(
                f"--max-output-tokens {generation.max_output_tokens} is more than "
                f"{settings.model!r} can write ({self.info.max_output_tokens} tokens, from the "
                "model table); lower it, or correct the model's entry in the config file"
            )
        self.budget = Budget(budget, self.info, settings.model)
        # Always present: even without rpm/tpm limits, a 429 pauses and slows the run.
        self.rate_limiter = RateLimiter(rpm=transport.rpm, tpm=transport.tpm)
        # Every HTTP attempt's duration, for the slow-attempt (gateway retries) report.
        self.attempt_clock = AttemptClock()
        modes = MODES if generation.mode == "auto" else (generation.mode,)
        # An explicit window (--context-window, the config's context_window) is the
        # user's word and beats what the server says; the model table's does not.
        self._explicit_window = generation.context_window or settings.context_window
        self.capabilities = Capabilities(
            modes=modes,
            context_window=self._explicit_window or self.info.context_window,
            tokenizer=self.info.encoding,
            batches=True,
        )
        self._probed = self._explicit_window is not None or not settings.base_url
        self._probe_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ModelClient] = (
            weakref.WeakKeyDictionary()
        )
        # Modes the endpoint rejected, remembered across articles and event loops.
        self._modes: list[str] | None = None

    def key_parameters(self) -> dict[str, Any]:
        generation = self.generation
        return {
            "mode": generation.mode,
            "temperature": generation.temperature,
            "seed": generation.seed,
            "max_output_tokens": generation.max_output_tokens,
        }

    def analyzer(self) -> None:
        return None

    def spent_usd(self) -> float | None:
        return self.budget.spent_usd

    def slow_attempts(self) -> dict[str, Any] | None:
        return self.attempt_clock.report()
    async def probe_context_window(self) -> int | None:
        """The window, asked of the server once per run (see :mod:`.probe`)."""
        if not self._probed:
            lock = self._probe_locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
            async with lock:
                if not self._probed:
                    await self._probe()
        return self.capabilities.context_window

    async def _probe(self) -> None:
        from summarizer.backends.probe import probe_context_window

        assert self.settings.base_url is not None
        found = await probe_context_window(
            self.settings.base_url, self.model, self.settings.api_key, self.transport.timeout
        )
        self._probed = True
        if found is not None:
            tokens, how = found
            log.info("%s serves %d tokens of context (%s)", self.endpoint, tokens, how)
            self.capabilities = replace(self.capabilities, context_window=tokens)

    def _client(self) -> ModelClient:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self.new_client()
            if self._modes is None:
                self._modes = client.modes
            client.modes = self._modes
            self._clients[loop] = client
        return client

    def new_client(self) -> ModelClient:
        """A wire client for this model and its options; the batch API builds its
        request bodies with one, so a batch line is exactly what a live call sends."""
        # Imported here: the openai SDK takes most of a second to import, and
        # all-cache-hit reruns never need it.
        from summarizer.backends.wire import ModelClient

        generation, transport = self.generation, self.transport
        return ModelClient(
            model=self.model,
            base_url=self.settings.base_url,
            api_key=self.settings.api_key,
            mode=generation.mode,
            timeout=transport.timeout,
            max_attempts=transport.max_attempts,
            max_retry_seconds=transport.max_retry_seconds,
            backoff_base=transport.backoff_base,
            temperature=generation.temperature,
            seed=generation.seed,
            max_output_tokens=generation.max_output_tokens,
            on_rate_limited=self.rate_limiter.penalize,
            rules=request_rules(self.model, self.settings.model_overrides),
            server=self.settings.server,
            attempt_clock=self.attempt_clock,
        )

    async def complete(
        self, request: Request, stats: CallStats, gate: AttemptGate | None = None
    ) -> Completion:
        client = self._client()
        allowance = self.generation.max_output_tokens
        encoding = self.info.encoding
        counted: dict[str, int] = {}

        def prompt_tokens(mode: str) -> int:
            # Counted once per mode for this conversation, not once per attempt.
            if mode not in counted:
                counted[mode] = count_message_tokens(request.render(mode), encoding)
            return counted[mode]

        # Refuse what cannot fit before spending anything on it. A token is at least
        # one byte, so a prompt with fewer bytes than the room left fits uncounted.
        window = self.capabilities.context_window or self.info.context_window
        if _upper_bound_tokens(request.render(client.mode)) > window - allowance:
            await load_encoding(encoding)
            ensure_fits_context(
                prompt_tokens(client.mode),
                context_window=window,
                output_allowance=allowance,
                model=self.model,
                source=request.article.source,
            )
        budget, limiter = self.budget, self.rate_limiter
        counts_needed = budget.needs_token_counts or limiter.tpm is not None

        @contextlib.asynccontextmanager
        async def attempt_gate() -> AsyncIterator[None]:
            # The caller's gate first: a request waiting for a slot must not hold
            # rate-limiter capacity it is not using yet.
            async with gate() if gate is not None else contextlib.nullcontext():
                if counts_needed:
                    await load_encoding(encoding)
                    tokens = prompt_tokens(client.mode)
                    budget.ensure_affordable(tokens, allowance)
                    # The whole output allowance stays reserved: providers count
                    # prompt + max_tokens against the TPM limit when a request arrives.
                    await limiter.acquire(tokens + allowance)
                else:
                    await limiter.acquire(0)  # only the request count matters
                yield

        try:
            completion = await client.complete(request.render, stats, gate=attempt_gate)
        except ModelError as exc:
            self._learn_window(exc)
            raise
        budget.add(completion)
        await self._check_not_truncated(request, completion, prompt_tokens)
        return completion

    def _learn_window(self, exc: ModelError) -> None:
        """A refusal that names the server's context: remember it for the rest of the
        run and say so, so the pipeline can split the article to fit."""
        match = _SERVED_WINDOW.search(str(exc))
        if match is None or self._explicit_window:
            return
        served = int(match.group(1) or match.group(2))
        if served < (self.capabilities.context_window or served + 1):
            log.info("%s serves %d tokens of context (from its refusal)", self.endpoint, served)
            self.capabilities = replace(self.capabilities, context_window=served)
            self._probed = True
            raise ContextExceeded(str(exc), served) from None

    async def _check_not_truncated(
        self, request: Request, completion: Completion, prompt_tokens: Callable[[str], int]
    ) -> None:
        """Refuse an answer to a prompt the server cut short without saying so.

        Ollama (and llama.cpp with context shift) drop what does not fit their
        context and answer from the rest: a brief of a fragment that would pass
        every check. Their reported ``prompt_tokens`` gives it away.
        """
        reported = completion.prompt_tokens
        if not reported:
            return
        messages = request.render(completion.mode)
        size = sum(len(m["content"].encode("utf-8")) for m in messages)
        if reported * _SUSPICIOUS_BYTES_PER_TOKEN >= size:
            return  # cheap test first: most answers never need a second count
        await load_encoding(self.info.encoding)
        counted = prompt_tokens(completion.mode)
        if reported < TRUNCATION_RATIO * counted:
            raise ContextTruncated(request.article.source, counted, reported, self.endpoint)

    async def aclose(self) -> None:
        loop = asyncio.get_running_loop()
        client = self._clients.pop(loop, None)
        if client is not None:
            await client.aclose()
