"""An OpenAI-compatible chat-completions endpoint as a :class:`Backend`.

The wire work (structured-output modes, capability fallback, transport retries)
is :class:`summarizer.client.ModelClient`'s; this layer adds what every request to
a paid, rate-limited endpoint needs before it is sent: refusing a prompt that
cannot fit the context window, the run's budget, and the run's rate limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from summarizer.backends.base import AttemptGate, CallStats, Capabilities, Completion, Request
from summarizer.budget import Budget
from summarizer.config import Settings, endpoint_host
from summarizer.options import MODES, BudgetOptions, GenerationOptions, TransportOptions
from summarizer.pricing import ModelInfo, model_info
from summarizer.ratelimit import RateLimiter
from summarizer.tokens import (
    TOKENS_PER_MESSAGE,
    TOKENS_PER_REPLY,
    count_message_tokens,
    ensure_fits_context,
    load_encoding,
)

if TYPE_CHECKING:
    from summarizer.client import ModelClient

Message = dict[str, str]


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
        self.budget = Budget(budget, self.info, settings.model)
        # Always present: even without rpm/tpm limits, a 429 pauses and slows the run.
        self.rate_limiter = RateLimiter(rpm=transport.rpm, tpm=transport.tpm)
        modes = MODES if generation.mode == "auto" else (generation.mode,)
        self.capabilities = Capabilities(
            modes=modes, context_window=self.info.context_window, batches=True
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
        from summarizer.client import ModelClient

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
        if _upper_bound_tokens(request.render(client.mode)) > self.info.context_window - allowance:
            await load_encoding(encoding)
            ensure_fits_context(
                prompt_tokens(client.mode),
                context_window=self.info.context_window,
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

        completion = await client.complete(request.render, stats, gate=attempt_gate)
        budget.add(completion)
        return completion

    async def aclose(self) -> None:
        loop = asyncio.get_running_loop()
        client = self._clients.pop(loop, None)
        if client is not None:
            await client.aclose()
