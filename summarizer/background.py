"""The blocking API's event loop: one background thread per ``Summarizer``.

``summarize()`` and ``summarize_many()`` are plain functions for scripts and
notebooks (where a loop may already be running), so they hand their coroutines to
a loop of their own on a daemon thread instead of calling ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from summarizer.errors import SummarizerError
from summarizer.input.article import Article

T = TypeVar("T")


@dataclass
class ItemError:
    """A per-item failure from ``Summarizer.summarize_many``; the batch goes on."""

    source: str | None
    error: SummarizerError

    def __str__(self) -> str:
        return str(self.error)


class BackgroundLoop:
    """An event loop on a daemon thread, started on first use."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def _running(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="summarizer", daemon=True).start()
                self._loop = loop
            return self._loop

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._running()).result()

    def stop(self, before: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``before()`` on the loop (closing what was opened there), then stop it."""
        if self._loop is None:
            return
        loop, self._loop = self._loop, None
        asyncio.run_coroutine_threadsafe(before(), loop).result()
        loop.call_soon_threadsafe(loop.stop)

    def map_completed(
        self, function: Callable[[Any], Awaitable[T]], sources: Iterable[Any], limit: int
    ) -> Iterator[T | ItemError]:
        """``function(source)`` for each source, at most ``limit`` at once, yielded in
        completion order; a ``SummarizerError`` becomes an :class:`ItemError`."""
        results: queue.Queue[T | ItemError | None] = queue.Queue(maxsize=limit * 2)

        async def one(source: Any, gate: asyncio.Semaphore) -> None:
            async with gate:
                try:
                    item: T | ItemError = await function(source)
                except SummarizerError as exc:
                    name = source.source if isinstance(source, Article) else str(source)[:80]
                    item = ItemError(name, exc)
                await asyncio.to_thread(results.put, item)

        async def produce() -> None:
            gate = asyncio.Semaphore(limit)
            tasks: set[asyncio.Task[None]] = set()
            try:
                for source in sources:
                    # The gate bounds calls in flight; this bound keeps a long or
                    # endless iterable from becoming an unbounded pile of tasks.
                    task = asyncio.create_task(one(source, gate))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                    while len(tasks) >= limit * 2:
                        await asyncio.wait(set(tasks), return_when=asyncio.FIRST_COMPLETED)
                if tasks:
                    await asyncio.gather(*tasks)
            finally:
                await asyncio.to_thread(results.put, None)

        future = asyncio.run_coroutine_threadsafe(produce(), self._running())
        while (item := results.get()) is not None:
            yield item
        future.result()
