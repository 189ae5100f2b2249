"""The prompt runner: one article in, one validated, cached :class:`Result` out.

The steps, each in its own module: load and clean (:mod:`summarizer.input`), render
the prompt (:mod:`summarizer.prompting`), ask a backend (:mod:`summarizer.backends`:
the offline analyzer, an OpenAI-compatible endpoint, or your own), parse and validate
(:mod:`summarizer.output`), cache (:mod:`summarizer.cache`); an article too long for
one request goes through :mod:`summarizer.longform`. This module only sequences them
and owns the re-ask loop; it never asks which backend it holds, only what the backend
can do (:class:`~summarizer.backends.Capabilities`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from summarizer.backends import (
    AttemptGate,
    Backend,
    CallStats,
    Completion,
    Request,
    backend_for,
)
from summarizer.background import BackgroundLoop, ItemError
from summarizer.cache import CacheSetting, cache_key, open_cache
from summarizer.config import Settings, resolve
from summarizer.errors import OutputError, SummarizerError, TruncatedOutput
from summarizer.input.article import Article
from summarizer.input.loader import Source, load_source
from summarizer.longform.route import summarize_fitting
from summarizer.offload import OFFLOAD_CHARS, run_cpu
from summarizer.options import (
    BudgetOptions,
    GenerationOptions,
    TransportOptions,
    apply_legacy_options,
)
from summarizer.output.envelope import cached_for, finish_result, make_provenance
from summarizer.output.result import Result
from summarizer.output.schema import schema_errors, schema_hash
from summarizer.output.validate import (
    ArticleIndex,
    Validation,
    validate_answer,
)
from summarizer.prompting.prompt import load_prompt

log = logging.getLogger("summarizer")



class Summarizer:
    """Summarise articles with a model, or with the offline analyzer.

    ``model``, ``base_url`` and ``api_key`` (shortcuts for the fields of the same
    name in the options) fall back to ``SUMMARIZER_MODEL``, ``OPENAI_BASE_URL`` and
    ``OPENAI_API_KEY``, then the config file; with none of them set the offline
    analyzer runs. ``cache`` is True (the configured or user cache file),
    False/None (no cache), a path, or a :class:`Cache`. ``backend`` replaces the
    one the settings name (see :mod:`summarizer.backends`). ``settings``, already
    resolved (:func:`summarizer.config.resolve`, e.g. from a config dict instead of
    the config file), replace the model, endpoint and key lookup altogether.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        generation: GenerationOptions | None = None,
        transport: TransportOptions | None = None,
        budget: BudgetOptions | None = None,
        cache: CacheSetting = True,
        refresh: bool = False,
        backend: Backend | None = None,
        settings: Settings | None = None,
        **legacy: Any,
    ) -> None:
        generation, transport = apply_legacy_options(
            generation or GenerationOptions(), transport or TransportOptions(), legacy
        )
        if model is not None:
            generation = replace(generation, model=model)
        if base_url is not None or api_key is not None:
            transport = replace(
                transport,
                base_url=base_url or transport.base_url,
                api_key=api_key or transport.api_key,
            )
        self.generation, self.transport = generation, transport
        self.budget = budget or BudgetOptions()
        self.refresh = refresh
        if settings is None:
            settings = resolve(
                model=generation.model, base_url=transport.base_url, api_key=transport.api_key
            )
        self.settings = settings
        if backend is None:
            backend = backend_for(settings, generation, transport, self.budget)
        self.backend: Backend = backend
        capabilities = backend.capabilities
        self.template = load_prompt(generation.prompt)
        self.max_reasks = 0 if capabilities.deterministic else generation.max_reasks
        self.cache = open_cache(cache, settings.cache_path)
        self._loop = BackgroundLoop()

    @property
    def model(self) -> str:
        return self.backend.model

    def generation_key(self, article: Article) -> str:
        """The cache key: changes whenever anything that shapes the result changes."""
        reads_prompt = self.backend.capabilities.reads_prompt
        parameters = {
            **self.backend.key_parameters(),
            "max_reasks": self.max_reasks,
            "strict_grounding": self.generation.strict_grounding,
        }
        if self.generation.long != "fail":  # a brief of the first part only is another result
            parameters["long"] = self.generation.long
        return cache_key(
            article_sha256=article.sha256,
            model=self.backend.model,
            endpoint=self.backend.endpoint,
            prompt_sha256=self.template.sha256 if reads_prompt else "",
            schema_sha256=schema_hash("summary"),
            parameters=parameters,
        )

    # -- public API ----------------------------------------------------------------

    def load(self, source: Source) -> Article:
        """An :class:`Article` from a path, an Article, or text (see :func:`load_source`)."""
        return load_source(source)

    def summarize(self, source: Source) -> Result:
        """Summarise one article (blocking)."""
        return self._loop.run(self.asummarize(source))

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
        followups: list[dict[str, str]] | None = None,
        reasks: int = 0,
    ) -> Result:
        """The pipeline after loading, for callers that already hold the cache key
        (the batch engine computes it to share one call among identical articles).

        ``store=False`` leaves caching a fresh result to the caller, through
        :meth:`store`: the batch engine serialises each result once, for the cache
        and for the output file. ``gate`` is entered around every model request, before
        the budget check and the rate limiter: the batch engine bounds requests in
        flight with it, so loading, validating and writing never hold a request slot.
        ``followups``/``reasks`` continue a conversation begun in a provider batch.
        """
        cached = self.cached_result(article, key)
        if cached is not None:
            return cached
        if followups:
            # A conversation begun in a provider batch: its request already fitted.
            result = await self._generate(article, gate, followups, reasks)
        else:
            # An article too long for one request is split, summarised in parts, merged.
            result = await summarize_fitting(self, article, gate)
        if store:
            self.store(key, result)
        return result

    async def summarize_part(self, part: Article, gate: AttemptGate | None = None) -> Result:
        """One part of a long article (:mod:`summarizer.longform`), cached by its own key."""
        key = self.generation_key(part)
        cached = self.cached_result(part, key)
        if cached is not None:
            return cached
        result = await self._generate(part, gate)
        self.store(key, result)
        return result

    def store(self, key: str, result: Result, serialized: str | None = None) -> None:
        """Cache a fresh result; ``serialized``, when given, is ``result.to_dict()`` as JSON."""
        if self.cache is not None and not result.cache_hit:
            self.cache.put(key, result.to_dict(), serialized)

    def summarize_many(
        self, sources: Iterable[Source], *, concurrency: int | None = None
    ) -> Iterator[Result | ItemError]:
        """Results (or per-item errors) in completion order; one failure never stops the
        rest. ``concurrency`` defaults to the transport options'."""
        limit = concurrency or self.transport.concurrency
        return self._loop.map_completed(self.asummarize, sources, limit)

    def close(self) -> None:
        self._loop.stop(before=self.backend.aclose)
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
        return cached_for(payload, article)

    async def _generate(
        self,
        article: Article,
        gate: AttemptGate | None,
        followups: list[dict[str, str]] | None = None,
        reasks: int = 0,
    ) -> Result:
        """Ask the backend; a failure carries what its calls cost (they were paid for)."""
        stats = CallStats()
        try:
            return await self._ask(article, gate, stats, followups=followups, reasks=reasks)
        except SummarizerError as exc:
            exc.stats = stats  # the run's report counts failed articles' costs too
            raise

    async def _ask(
        self,
        article: Article,
        gate: AttemptGate | None,
        stats: CallStats,
        *,
        followups: list[dict[str, str]] | None = None,
        reasks: int = 0,
    ) -> Result:
        """The re-ask loop: the errors go back to the backend while that may help.

        ``followups``/``reasks`` continue a conversation begun elsewhere (a batch-API
        line whose answer needs a re-ask, finished live with ``--fallback live``).
        """
        started = time.perf_counter()
        template = self.template
        index = ArticleIndex(article.text)
        followups = list(followups or [])

        def render(mode: str) -> list[dict[str, str]]:
            return template.render(article.text, include_schema=mode != "json_schema") + followups

        request = Request(article, render)
        while True:
            completion = await self.backend.complete(request, stats, gate)
            if len(article.text) > OFFLOAD_CHARS:  # off the event loop: other articles go on
                judged = await run_cpu(
                    self.judge, article, completion, stats, reasks, started, index
                )
            else:
                judged = self.judge(article, completion, stats, reasks, started, index)
            if isinstance(judged, Result):
                return judged
            reasks += 1
            log.debug(
                "%s: re-ask %d with %d errors: %s",
                request.source,
                reasks,
                len(judged.errors),
                "; ".join(judged.errors[:5]),
            )
            followups += [
                {"role": "assistant", "content": completion.content},
                template.reask(judged.errors),
            ]

    def judge(
        self,
        article: Article,
        completion: Completion,
        stats: CallStats,
        reasks: int,
        started: float,
        index: ArticleIndex | None = None,
        *,
        may_reask: bool = True,
    ) -> Result | Validation:
        """One answer's verdict: the :class:`Result`, or the :class:`Validation` whose
        errors a re-ask should send back (only while re-asks are left).

        Shared by the live re-ask loop and the batch-API collector, so an answer that
        comes back in a provider's batch file is parsed, validated, grounded and
        finished exactly as a live one (``may_reask=False`` where no re-ask can be
        sent: a self-hosted batch file). Raises :class:`TruncatedOutput` and, when no
        re-ask is left, :class:`OutputError`.
        """
        source = article.source or "article"
        if completion.finish_reason == "length":
            raise TruncatedOutput(
                f"{source}: the model stopped at its output limit "
                f"({self.generation.max_output_tokens} tokens) before finishing the JSON; "
                "raise --max-output-tokens",
            )
        validation = validate_answer(completion.content, index or ArticleIndex(article.text))
        if not validation.ok and may_reask and reasks < self.max_reasks:
            return validation
        if validation.fatal:
            error = OutputError(
                f"{source}: the output of {self.backend.model!r} was still invalid "
                f"after {reasks} re-asks: {validation.fatal[0]}",
                validation.fatal,
            )
            error.reasks = reasks
            raise error
        return self._finish(article, validation, completion.mode, stats, reasks, started)

    def _finish(
        self,
        article: Article,
        validation: Validation,
        mode: str,
        stats: CallStats,
        reasks: int,
        started: float,
    ) -> Result:
        provenance = self._provenance(mode=mode, stats=stats, reasks=reasks, started=started)
        return finish_result(article, validation, provenance, self.generation.strict_grounding)

    def _provenance(
        self, *, mode: str, stats: CallStats, reasks: int, started: float
    ) -> dict[str, Any]:
        reads_prompt = self.backend.capabilities.reads_prompt
        template = self.template if reads_prompt else None
        return make_provenance(
            self.backend, template, mode=mode, stats=stats, reasks=reasks, started=started
        )
