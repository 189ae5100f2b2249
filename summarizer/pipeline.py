"""The prompt runner: one article in, one validated, cached :class:`Result` out.

The steps, each in its own module: load and clean (:mod:`loader`, :mod:`clean`),
count and budget tokens (:mod:`tokens`), render the prompt (:mod:`prompt`), call the
model (:mod:`client`), parse and validate (:mod:`validate`), cache (:mod:`cache`).
This module only sequences them and owns the re-ask loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import queue
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summarizer.article import Article
from summarizer.cache import PIPELINE_VERSION, Cache, cache_key, default_cache_path
from summarizer.config import OFFLINE_NOTICE, Settings, endpoint_host, resolve
from summarizer.errors import (
    BudgetExceeded,
    OutputError,
    SummarizerError,
    TruncatedOutput,
)
from summarizer.loader import article_from_text, load_article
from summarizer.pricing import CostMeter, ModelInfo, model_info
from summarizer.prompt import PromptTemplate, load_prompt
from summarizer.ratelimit import RateLimiter
from summarizer.request_rules import request_rules
from summarizer.result import Brief, Result
from summarizer.runguard import AttemptClock
from summarizer.schema import schema_errors, schema_hash, schema_version
from summarizer.tokens import check_budget, count_message_tokens, load_encoding
from summarizer.validate import (
    ArticleIndex,
    Validation,
    check_brief,
    drop_ungrounded,
    validate_answer,
)

if TYPE_CHECKING:
    from summarizer.client import AttemptGate, CallStats, Completion, ModelClient

log = logging.getLogger("summarizer")
Message = dict[str, str]

Source = str | os.PathLike[str] | Article

# Deterministic generation where the endpoint supports it; part of the cache key.
TEMPERATURE = 0.0
SEED = 0


@dataclass
class ItemError:
    """A per-item failure from :meth:`Summarizer.summarize_many`; the batch goes on."""

    source: str | None
    error: SummarizerError

    def __str__(self) -> str:
        return str(self.error)


@dataclass
class RunControls:
    """Run-wide limits shared by every article: rate limits and the spending budget."""

    rate_limiter: RateLimiter | None = None
    meter: CostMeter | None = None
    max_cost: float | None = None
    max_tokens: int | None = None
    # Every HTTP attempt's duration, for the slow-attempt (gateway retries) report.
    attempt_clock: AttemptClock | None = None

    @property
    def needs_token_counts(self) -> bool:
        """Whether requests must be counted in tokens (a TPM limit or a budget)."""
        limiter_counts = self.rate_limiter is not None and self.rate_limiter.tpm is not None
        budget_counts = self.meter is not None and (
            self.max_cost is not None or self.max_tokens is not None
        )
        return limiter_counts or budget_counts

    def check_budget(self, prompt_tokens: int, allowance: int) -> None:
        if self.meter and self.meter.would_exceed(
            self.max_cost, self.max_tokens, prompt_tokens, allowance
        ):
            spent = self.meter.spent_usd
            money = "" if spent is None else f"${spent:.4f}, "
            raise BudgetExceeded(
                "stopping before a call that could exceed the budget "
                f"({money}{self.meter.tokens} tokens used so far)"
            )


def _upper_bound_tokens(messages: list[Message]) -> int:
    """More tokens than the messages can hold: BPE tokens are at least one byte each."""
    from summarizer.tokens import TOKENS_PER_MESSAGE, TOKENS_PER_REPLY

    framing = TOKENS_PER_REPLY + len(messages) * (TOKENS_PER_MESSAGE + 4)
    return framing + sum(len(m["content"].encode("utf-8")) for m in messages)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Summarizer:
    """Summarise articles with a model, or with the offline analyzer.

    ``model``, ``base_url`` and ``api_key`` fall back to ``SUMMARIZER_MODEL``,
    ``OPENAI_BASE_URL`` and ``OPENAI_API_KEY``, then the config file; with none of
    them set the offline analyzer runs. ``cache`` is True (the user cache
    directory), False/None (no cache), a path, or a :class:`Cache`.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        cache: bool | str | os.PathLike[str] | Cache | None = True,
        refresh: bool = False,
        mode: str = "auto",
        max_reasks: int = 2,
        strict_grounding: bool = False,
        max_output_tokens: int = 2048,
        timeout: float = 120.0,
        max_attempts: int = 6,
        max_retry_seconds: float = 300.0,
        backoff_base: float = 1.0,
        prompt: str = "brief",
        controls: RunControls | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings or resolve(model=model, base_url=base_url, api_key=api_key)
        if self.settings.offline_because_unconfigured:
            log.warning(OFFLINE_NOTICE)
        self.model = self.settings.model
        self.refresh = refresh
        self.max_reasks = max_reasks
        self.strict_grounding = strict_grounding
        self.controls = controls or RunControls()
        self.info: ModelInfo = model_info(self.model, self.settings.model_overrides)
        self._client_options: dict[str, Any] = {
            "mode": mode,
            "timeout": timeout,
            "max_attempts": max_attempts,
            "max_retry_seconds": max_retry_seconds,
            "backoff_base": backoff_base,
            "max_output_tokens": max_output_tokens,
            "temperature": TEMPERATURE,
            "seed": SEED,
            "rules": request_rules(self.model, self.settings.model_overrides),
            "server": self.settings.server,
            "attempt_clock": self.controls.attempt_clock,
        }
        self.template: PromptTemplate | None = None if self.offline else load_prompt(prompt)
        self.cache = self._open_cache(cache)
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ModelClient] = (
            weakref.WeakKeyDictionary()
        )
        # Modes the endpoint rejected, remembered across articles and event loops.
        self._modes: list[str] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_lock = threading.Lock()

    # -- configuration -------------------------------------------------------------

    @property
    def offline(self) -> bool:
        return self.settings.offline

    @functools.cached_property
    def endpoint(self) -> str:
        # Cached: it is part of every cache key, and parsing the URL per article
        # showed up in warm-rerun profiles.
        return "offline" if self.offline else endpoint_host(self.settings.base_url)

    def _open_cache(self, cache: bool | str | os.PathLike[str] | Cache | None) -> Cache | None:
        if isinstance(cache, Cache):
            return cache
        if cache is None or cache is False:
            return None
        if cache is True:
            return Cache(self.settings.cache_path or default_cache_path())
        return Cache(cache)

    def _client(self) -> ModelClient:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            # Imported here: the openai SDK takes most of a second to import, and
            # offline runs and all-cache-hit reruns never need it.
            from summarizer.client import ModelClient

            client = ModelClient(
                model=self.model,
                base_url=self.settings.base_url,
                api_key=self.settings.api_key,
                on_rate_limited=self._on_rate_limited,
                **self._client_options,
            )
            if self._modes is None:
                self._modes = client.modes
            client.modes = self._modes
            self._clients[loop] = client
        return client

    def _on_rate_limited(self, retry_after: float | None) -> None:
        if self.controls.rate_limiter is not None:
            self.controls.rate_limiter.penalize(retry_after)

    def generation_key(self, article: Article) -> str:
        """The cache key: changes whenever anything that shapes the result changes."""
        if self.offline:
            from summarizer.offline import ANALYZER_NAME, ANALYZER_VERSION

            prompt_sha, parameters = "", {"analyzer": f"{ANALYZER_NAME}/{ANALYZER_VERSION}"}
        else:
            assert self.template is not None
            options = self._client_options
            prompt_sha = self.template.sha256
            parameters = {
                "mode": options["mode"],
                "temperature": TEMPERATURE,
                "seed": SEED,
                "max_output_tokens": options["max_output_tokens"],
                "max_reasks": self.max_reasks,
                "strict_grounding": self.strict_grounding,
            }
        return cache_key(
            article_sha256=article.sha256,
            model=self.model,
            endpoint=self.endpoint,
            prompt_sha256=prompt_sha,
            schema_sha256=schema_hash("summary"),
            parameters=parameters,
        )

    # -- public API ----------------------------------------------------------------

    def load(self, source: Source) -> Article:
        """An :class:`Article` from a path, an Article, or text.

        A ``str`` is a path when it names an existing file and has no line break;
        otherwise it is article text. Pass a :class:`pathlib.Path` to be explicit.
        """
        if isinstance(source, Article):
            return source
        if isinstance(source, os.PathLike):
            return load_article(source)
        if "\n" not in source and len(source) < 4096 and Path(source).is_file():
            return load_article(source)
        return article_from_text(source)

    def summarize(self, source: Source) -> Result:
        """Summarise one article (blocking)."""
        return self._run(self.asummarize(source))

    async def asummarize(self, source: Source) -> Result:
        """Summarise one article; safe to run many at once on one event loop."""
        article = self.load(source)
        return await self.summarize_article(article, self.generation_key(article))

    async def summarize_article(
        self,
        article: Article,
        key: str,
        *,
        store: bool = True,
        gate: AttemptGate | None = None,
    ) -> Result:
        """The pipeline after loading, for callers that already hold the cache key
        (the batch engine computes it to share one call among identical articles).

        ``store=False`` leaves caching a fresh result to the caller, through
        :meth:`store`: the batch engine serialises each result once, for the cache
        and for the output file. ``gate`` is entered around every model request, before
        the budget check and the rate limiter: the batch engine bounds requests in
        flight with it, so loading, validating and writing never hold a request slot.
        """
        cached = self.cached_result(article, key)
        if cached is not None:
            return cached
        started = time.perf_counter()
        if self.offline:
            result = self._analyze_offline(article, started)
        else:
            result = await self._summarize_with_model(article, started, gate)
        if store:
            self.store(key, result)
        return result

    def store(self, key: str, result: Result, serialized: str | None = None) -> None:
        """Cache a fresh result; ``serialized``, when given, is ``result.to_dict()`` as JSON."""
        if self.cache is not None and not result.cache_hit:
            self.cache.put(key, result.to_dict(), serialized)

    def summarize_many(
        self, sources: Iterable[Source], *, concurrency: int = 4
    ) -> Iterator[Result | ItemError]:
        """Results (or per-item errors) in completion order; one failure never stops the rest."""
        results: queue.Queue[Result | ItemError | None] = queue.Queue(maxsize=concurrency * 2)

        async def one(source: Source, gate: asyncio.Semaphore) -> None:
            async with gate:
                try:
                    item: Result | ItemError = await self.asummarize(source)
                except SummarizerError as exc:
                    name = source.source if isinstance(source, Article) else str(source)[:80]
                    item = ItemError(name, exc)
                await asyncio.to_thread(results.put, item)

        async def produce() -> None:
            gate = asyncio.Semaphore(concurrency)
            tasks: set[asyncio.Task[None]] = set()
            try:
                for source in sources:
                    # The gate bounds calls in flight; this bound keeps a long or
                    # endless iterable from becoming an unbounded pile of tasks.
                    task = asyncio.create_task(one(source, gate))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                    while len(tasks) >= concurrency * 2:
                        await asyncio.wait(set(tasks), return_when=asyncio.FIRST_COMPLETED)
                if tasks:
                    await asyncio.gather(*tasks)
            finally:
                await asyncio.to_thread(results.put, None)

        future = asyncio.run_coroutine_threadsafe(produce(), self._background_loop())
        while (item := results.get()) is not None:
            yield item
        future.result()

    def close(self) -> None:
        if self._loop is not None:
            loop = self._loop
            for client_loop, client in list(self._clients.items()):
                if client_loop is loop:
                    asyncio.run_coroutine_threadsafe(client.aclose(), loop).result()
            loop.call_soon_threadsafe(loop.stop)
            self._loop = None
        if self.cache is not None:
            self.cache.close()

    def __enter__(self) -> Summarizer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- steps ---------------------------------------------------------------------

    def cached_result(
        self, article: Article, key: str, *, made_this_run: bool = False
    ) -> Result | None:
        """A cache hit, re-validated; anything that no longer validates is a miss.

        ``refresh`` ignores what earlier runs cached, not what this run made:
        ``made_this_run`` lets an identical article reuse that instead of paying
        for the same call twice.
        """
        if self.cache is None or (self.refresh and not made_this_run):
            return None
        payload = self.cache.get(key)
        if payload is None:
            return None
        if schema_errors(payload, "result"):
            self.cache.delete(key)
            return None
        # Spans are recomputed against this article, so offsets can never go stale.
        validation = check_brief(payload["summary"], ArticleIndex(article.text))
        payload["evidence_spans"] = [span.to_dict() for span in validation.spans]
        result = Result.from_dict(payload, article)
        return result.for_article(article, cache_hit=True)

    def _provenance(
        self,
        *,
        mode: str,
        stats: CallStats | None,
        reasks: int,
        started: float,
    ) -> dict[str, Any]:
        prompt_tokens = stats.prompt_tokens if stats else 0
        completion_tokens = stats.completion_tokens if stats else 0
        analyzer = None
        if self.offline:
            from summarizer.offline import ANALYZER_NAME, ANALYZER_VERSION

            analyzer = {"name": ANALYZER_NAME, "version": ANALYZER_VERSION}
        return {
            "model": self.model,
            "endpoint": self.endpoint,
            "mode": mode,
            "analyzer": analyzer,
            "prompt": None if self.template is None else self.template.provenance(),
            "summary_schema_version": schema_version("summary"),
            "pipeline_version": PIPELINE_VERSION,
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
            "attempts": stats.attempts if stats else 0,
            "reasks": reasks,
            "retries": dict(stats.retries) if stats else {},
            "latency_ms": round((time.perf_counter() - started) * 1000, 2),
            "cache_hit": False,
            "created_at": _now(),
        }

    def _analyze_offline(self, article: Article, started: float) -> Result:
        from summarizer.offline import analyze

        brief = analyze(article)
        # The analyzer's output passes the same gate as a model's.
        errors = schema_errors(brief)
        if errors:
            raise OutputError(
                f"{article.source or 'article'}: offline analyzer produced an invalid brief",
                errors,
            )
        validation = check_brief(brief, ArticleIndex(article.text))
        return self._finish(article, validation, "offline", None, 0, started)

    def _finish(
        self,
        article: Article,
        validation: Validation,
        mode: str,
        stats: CallStats | None,
        reasks: int,
        started: float,
    ) -> Result:
        warnings = list(article.warnings) + validation.grounding
        if self.strict_grounding:
            warnings += drop_ungrounded(validation)
        assert validation.brief is not None
        brief: Brief = validation.brief  # type: ignore[assignment]
        return Result(
            article=article,
            brief=brief,
            evidence_spans=validation.spans,
            provenance=self._provenance(mode=mode, stats=stats, reasks=reasks, started=started),
            warnings=warnings,
        )

    async def _summarize_with_model(
        self, article: Article, started: float, gate: AttemptGate | None = None
    ) -> Result:
        assert self.template is not None
        template = self.template
        client = self._client()
        allowance = client.max_output_tokens
        index = ArticleIndex(article.text)
        followups: list[Message] = []

        def render(mode: str) -> list[Message]:
            return template.render(article.text, include_schema=mode != "json_schema") + followups

        counted: dict[tuple[str, int], int] = {}

        def prompt_tokens(mode: str) -> int:
            # Counted once per distinct conversation, not once per attempt.
            key = (mode, len(followups))
            if key not in counted:
                counted[key] = count_message_tokens(render(mode), self.info.encoding)
            return counted[key]

        # Refuse what cannot fit before spending anything on it. A token is at least
        # one byte, so a prompt with fewer bytes than the room left fits uncounted.
        room = self.info.context_window - allowance
        first = render(client.mode)
        if _upper_bound_tokens(first) > room:
            await load_encoding(self.info.encoding)
            check_budget(
                prompt_tokens(client.mode),
                context_window=self.info.context_window,
                output_allowance=allowance,
                model=self.model,
                source=article.source,
            )
        counts_needed = self.controls.needs_token_counts

        async def before_attempt() -> None:
            if not counts_needed:
                # No TPM limit and no budget: only the request count matters.
                if self.controls.rate_limiter is not None:
                    await self.controls.rate_limiter.acquire(0)
                return
            await load_encoding(self.info.encoding)
            tokens = prompt_tokens(client.mode)
            self.controls.check_budget(tokens, allowance)
            if self.controls.rate_limiter is not None:
                await self.controls.rate_limiter.acquire(tokens + allowance)

        @contextlib.asynccontextmanager
        async def attempt_gate() -> AsyncIterator[None]:
            # The caller's gate first: a request waiting for a slot must not hold
            # rate-limiter capacity it is not using yet.
            async with gate() if gate is not None else contextlib.nullcontext():
                await before_attempt()
                yield

        from summarizer.client import CallStats

        stats = CallStats()
        reasks = 0
        source = article.source or "article"
        while True:
            completion = await client.complete(render, stats, gate=attempt_gate)
            self._account(completion)
            if completion.finish_reason == "length":
                raise TruncatedOutput(
                    f"{source}: the model stopped at its output limit ({allowance} tokens) "
                    "before finishing the JSON; raise --max-output-tokens",
                )
            validation = validate_answer(completion.content, index)
            if validation.ok or reasks >= self.max_reasks:
                break
            reasks += 1
            log.debug(
                "%s: re-ask %d with %d errors: %s",
                source,
                reasks,
                len(validation.errors),
                "; ".join(validation.errors[:5]),
            )
            followups += [
                {"role": "assistant", "content": completion.content},
                template.reask(validation.errors),
            ]
        if validation.fatal:
            raise OutputError(
                f"{source}: the model's output was still invalid after {reasks} re-asks: "
                f"{validation.fatal[0]}",
                validation.fatal,
            )
        return self._finish(article, validation, completion.mode, stats, reasks, started)

    def _account(self, completion: Completion) -> None:
        # The rate limiter keeps the whole output allowance it reserved: providers
        # such as OpenAI count prompt + max_tokens against the TPM limit when a
        # request arrives, so refunding unused output would overshoot their window.
        if self.controls.meter is not None:
            self.controls.meter.add(
                completion.prompt_tokens or 0, completion.completion_tokens or 0
            )

    # -- event loop for the blocking API -------------------------------------------

    def _background_loop(self) -> asyncio.AbstractEventLoop:
        with self._loop_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="summarizer", daemon=True).start()
                self._loop = loop
            return self._loop

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._background_loop()).result()
