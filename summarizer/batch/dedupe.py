"""One model call per distinct article in a run, however many paths hold it.

Identical articles (same cache key) share one call: a copy that arrives while the
first is in flight waits for it; a copy that arrives later is served from the cache
(or, without a cache, from the last 1,024 results) and is reported as a duplicate of
the first input, so the counts do not depend on timing.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict

from summarizer.backends import AttemptGate
from summarizer.input.article import Article
from summarizer.output.result import Result
from summarizer.pipeline import Summarizer

# Without a cache, this many recent results serve later duplicates in the same run.
RECENT_RESULTS = 1024


class SharedCalls:
    """The run's memory of which keys it has called, is calling, or just answered."""

    def __init__(self, summarizer: Summarizer) -> None:
        self.summarizer = summarizer
        self._inflight: dict[str, tuple[asyncio.Future[Result], str]] = {}
        # The first input of every key this run paid a model call for: a later
        # identical input is its duplicate even once the call has finished and the
        # cache serves it. Keyed by a 64-bit prefix of the key, not the 64-character
        # key: 100,000 distinct articles take about 17 MB, mostly their paths.
        self._called: dict[int, str] = {}
        self._recent: OrderedDict[str, tuple[str, Result]] = OrderedDict()

    async def summarize(
        self, article: Article, relative: str, gate: AttemptGate
    ) -> tuple[Result, str | None, str | None]:
        """One call per distinct article per run, whatever the number of paths.

        Returns the result, the input it duplicates (if any), and for a fresh result
        its JSON, made once for the cache and the output file. A fresh result is
        cached before later duplicates can look for it.
        """
        key = self.summarizer.generation_key(article)
        pending = self._inflight.get(key)
        if pending is not None:
            future, source = pending
            first = await asyncio.shield(future)
            return first.for_article(article, cache_hit=True), source, None
        if key in self._recent:
            source, earlier = self._recent[key]
            return earlier.for_article(article, cache_hit=True), source, None
        short_key = int(key[:16], 16)
        first_path = self._called.get(short_key)
        if first_path is not None:
            earlier = self.summarizer.cached_result(article, key, made_this_run=True)
            if earlier is not None:
                return earlier, first_path, None
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._inflight[key] = (future, relative)
        serialized = None
        try:
            result = await self.summarizer.summarize_article(
                article, key, store=False, gate=gate
            )
            if not result.cache_hit:
                serialized = json.dumps(result.to_dict(), ensure_ascii=False)
                self.summarizer.store(key, result, serialized)
                self._called[short_key] = relative
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here, so an unused failure is not logged
            raise
        else:
            future.set_result(result)
            if self.summarizer.cache is None:
                self._recent[key] = (relative, result)
                if len(self._recent) > RECENT_RESULTS:
                    self._recent.popitem(last=False)
            return result, None, serialized
        finally:
            del self._inflight[key]
