"""The summarizing actor: one ``Summarizer`` per actor, a batch of rows in, rows out.

Why an async callable class: Ray Data keeps each actor alive across blocks (so the
HTTP connections, the rate limiter and the budget of its ``Summarizer`` persist),
and an async ``__call__`` lets one actor keep many requests in flight on its event
loop, as a one-machine run does. Every row comes back as a row: a failure is a
``failed`` status with its reason, never an exception that would fail the block.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from typing import Any

from summarizer.batch.report import one_line
from summarizer.config import Settings
from summarizer.errors import ArticleError, BudgetExceeded, SummarizerError
from summarizer.input.article import Article
from summarizer.input.loader import (
    article_from_html,
    article_from_text,
    is_decoding_warning,
    load_article,
)
from summarizer.offload import OFFLOAD_CHARS, run_cpu
from summarizer.options import BudgetOptions, GenerationOptions, TransportOptions
from summarizer.ray.options import RayOptions, actor_shares
from summarizer.ray.rows import PATH_COLUMN, Row, rows_to_table, unsafe_id

log = logging.getLogger("summarizer")


@dataclass(frozen=True)
class ActorSpec:
    """Everything an actor needs, resolved once on the driver (settings included, so
    the driver's config file and environment decide, not each worker's)."""

    settings: Settings
    generation: GenerationOptions
    transport: TransportOptions
    budget: BudgetOptions
    options: RayOptions
    ledger: Any  # ActorHandle of the run's Ledger
    done_keys: Any  # [ObjectRef] of {id: key} whose outputs already exist, or None


class _NotStarted(Exception):
    """The run was stopping when this article's first request got its slot."""


class SummarizeActor:
    """The ``map_batches`` callable class (see the module docstring)."""

    def __init__(self, spec: ActorSpec) -> None:
        import ray

        from summarizer.backends import backend_for
        from summarizer.pipeline import Summarizer

        context = ray.get_runtime_context()
        self.actor_id = context.get_actor_id() or f"pid-{os.getpid()}"
        self.node = context.get_node_id()
        self.host = socket.gethostname()
        self.ledger = spec.ledger
        index = ray.get(spec.ledger.register.remote(self.actor_id, os.getpid(), self.node))
        transport, budget = actor_shares(spec.options, spec.transport, spec.budget, index)
        settings = replace(spec.settings, base_url=transport.base_url)
        backend = backend_for(settings, spec.generation, transport, budget)
        self.summarizer = Summarizer(
            generation=spec.generation,
            transport=transport,
            budget=budget,
            cache=False,  # the ledger is the run's cache; SQLite cannot span nodes
            backend=backend,
        )
        self.per_actor = transport.concurrency
        self.options = spec.options
        self.done_keys: dict[str, str] = ray.get(spec.done_keys[0]) if spec.done_keys else {}
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, batch: Any) -> Any:
        """A pyarrow batch of input rows in, a pyarrow table of result rows out."""
        if self._slots is None:  # made on the loop Ray Data runs this UDF on
            self._slots = asyncio.Semaphore(self.per_actor)
        columns = batch.to_pydict()
        options = self.options
        ids = [str(value) for value in columns[options.id_column]]
        paths = columns.get(PATH_COLUMN) or [None] * len(ids)
        html = columns.get(options.html_column) if options.html_column else None
        texts = html or columns.get(options.text_column) or [None] * len(ids)
        rows = await asyncio.gather(
            *(
                self._row(row_id, path, body, is_html=html is not None)
                for row_id, path, body in zip(ids, paths, texts, strict=True)
            )
        )
        return rows_to_table(rows)

    async def _row(self, row_id: str, path: str | None, body: Any, *, is_html: bool) -> Row:
        row = Row(id=row_id, node=self.node, host=self.host)
        bad_id = unsafe_id(row_id)
        if bad_id is not None:
            return row.failed(f"unusable id: {bad_id}")
        try:
            article = await self._load(row_id, path, body, is_html)
        except ArticleError as exc:
            return row.failed(exc.reason)
        except Exception as exc:  # a parser bug must cost one row, not the block
            log.error("%s: internal error while loading", row_id, exc_info=True)
            return row.failed(f"internal error: {type(exc).__name__}: {exc}")
        key = self.summarizer.generation_key(article)
        row.key = key
        if self.done_keys.get(row_id) == key:
            row.status, row.cache_hit, row.existing = "ok", True, True
            return row
        verdict = await self.ledger.claim.remote(key, self.actor_id, row_id)
        if verdict[0] == "stop":
            return row.skipped(f"not started: {verdict[1]}")
        if verdict[0] == "done":
            return self._reuse(row, article, *verdict[1:])
        return await self._call(row, article, key)

    async def _load(self, row_id: str, path: str | None, body: Any, is_html: bool) -> Article:
        """Load and clean; HTML and big articles on a CPU thread, so the loop goes on."""
        if path is not None:
            return await _load_file(path)
        if not isinstance(body, str):
            raise ArticleError(row_id, "no article text in this row")
        if is_html:
            return await run_cpu(lambda: article_from_html(body, source=row_id))
        if len(body) > OFFLOAD_CHARS:
            return await run_cpu(lambda: article_from_text(body, source=row_id))
        return article_from_text(body, source=row_id)

    def _reuse(
        self,
        row: Row,
        article: Article,
        first_id: str,
        payload: str | None,
        error: str | None,
        stats: dict[str, Any],
    ) -> Row:
        """An outcome the run already paid for: this row's own (its block was retried
        after its actor died) or an identical article's."""
        own = first_id == row.id
        if own:
            row.add_stats(stats)
        else:
            row.duplicate_of = first_id
            row.cache_hit = True
        if error is not None:
            return row.failed(error)
        if own:
            row.result = payload
        else:
            data = json.loads(payload or "{}")
            data["article"] = article.identity()
            # Warnings belong to each input: the first one's decoding warnings are not ours.
            data["warnings"] = list(article.warnings) + [
                w for w in data["warnings"] if not is_decoding_warning(w)
            ]
            data["provenance"]["cache_hit"] = True
            row.result = json.dumps(data, ensure_ascii=False)
        row.status = "ok"
        return row

    def _gate(self) -> Callable[[], contextlib.AbstractAsyncContextManager[None]]:
        """One article's gate for its model requests: a request slot, and no first
        request once the run is stopping (retries and re-asks of a started article go
        on: it was paid for). Asked when the slot is free, not when the row arrived,
        because rows wait for slots and a Ctrl-C must not let them all through."""
        slots = self._slots
        assert slots is not None
        started = False

        @contextlib.asynccontextmanager
        async def gate() -> AsyncIterator[None]:
            nonlocal started
            async with slots:
                if not started:
                    reason = await self.ledger.stop_reason.remote()
                    if reason is not None:
                        raise _NotStarted(reason)
                    started = True
                yield

        return gate

    async def _call(self, row: Row, article: Article, key: str) -> Row:
        """This actor pays for the article: call, then record the outcome in the ledger."""
        try:
            result = await self.summarizer.summarize_article(
                article, key, store=False, gate=self._gate()
            )
        except _NotStarted as stop:
            await self.ledger.abandon.remote(key)
            return row.skipped(f"not started: {stop}")
        except BudgetExceeded as exc:
            await self.ledger.abandon.remote(key)
            await self.ledger.stop.remote("budget reached")
            return row.skipped(one_line(str(exc)))
        except Exception as exc:
            if isinstance(exc, ArticleError):
                reason = exc.reason
            elif isinstance(exc, SummarizerError):
                reason = str(exc)
            else:  # a bug must cost one article, not the batch
                log.error("%s: internal error", row.id, exc_info=True)
                reason = f"internal error: {type(exc).__name__}: {exc}"
            stats = getattr(exc, "stats", None)
            if stats is not None:
                row.add_stats(
                    {
                        "prompt_tokens": stats.prompt_tokens,
                        "completion_tokens": stats.completion_tokens,
                        "attempts": stats.attempts,
                        "reasks": getattr(exc, "reasks", 0),
                        "retries": dict(stats.retries),
                    }
                )
            row.failed(reason)
            await self.ledger.finish.remote(key, row.id, None, row.error, row.stats())
            return row
        provenance = result.provenance
        usage = provenance["usage"]
        row.add_stats(
            {
                "prompt_tokens": usage["prompt_tokens"],
                "completion_tokens": usage["completion_tokens"],
                "attempts": provenance["attempts"],
                "reasks": provenance["reasks"],
                "retries": dict(provenance.get("retries") or {}),
                "latency_ms": provenance.get("latency_ms"),
                "warnings": len(result.warnings),
            }
        )
        row.result = json.dumps(result.to_dict(), ensure_ascii=False)
        row.status = "ok"
        await self.ledger.finish.remote(key, row.id, row.result, None, row.stats())
        return row


async def _load_file(path: str) -> Article:
    """A file of a folder input, loaded as the one-machine engine loads it."""
    try:
        big = os.stat(path).st_size > OFFLOAD_CHARS
    except OSError:
        big = False  # load_article names the problem
    if big or path.lower().endswith((".html", ".htm")):
        return await run_cpu(load_article, path)
    return load_article(path)
