"""``summarizer run --batch-api``: the run as two phases, submit then collect.

Why an engine of its own rather than a backend under the live engine: a live
backend answers one request while the caller waits; a batch answers thousands,
hours later, possibly to another process. So the unit of work is the run's state
(:mod:`.state`), and one invocation does what is possible now:

1. collect every batch that finished since the last look (:mod:`.collect`), and
   finish a submission a killed process left half done (:mod:`.submit`);
2. walk the input folder: an article already cached (by a live run too) or already
   in the state is never sent again; identical articles share one request;
3. send what is left, within the limits and the budget;
4. with waiting (the default), poll (:mod:`.poll`) and go back to 1 until nothing is
   open; with ``--no-wait``, stop here;
5. write the outputs, ``index.jsonl`` and ``report.json`` with the live run's writer,
   from the cache (:mod:`.outputs`).

Rerunning the same command at any time is always safe: it picks up from the state.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from summarizer.batch.lock import OutputLock, prepare_output
from summarizer.batch.report import one_line
from summarizer.batch.walk import Entry, walk_entries
from summarizer.batch.writer import output_name
from summarizer.batchapi.collect import Collector
from summarizer.batchapi.outputs import write_outputs
from summarizer.batchapi.poll import refresh, wait_for_any
from summarizer.batchapi.provider import Provider
from summarizer.batchapi.requests import LineBuilder
from summarizer.batchapi.state import Line, State
from summarizer.batchapi.submit import Submitter
from summarizer.cache import PIPELINE_VERSION, Cache
from summarizer.errors import ArticleError, ConfigError, ModelError, SummarizerError
from summarizer.input.article import Article
from summarizer.input.loader import SUPPORTED_SUFFIXES, load_article
from summarizer.options import BatchApiOptions
from summarizer.output.schema import schema_errors, schema_version
from summarizer.pipeline import Summarizer
from summarizer.pricing import ModelInfo, batch_priced

log = logging.getLogger("summarizer")
PRIVATE_CACHE = "results.sqlite3"


def _stderr(message: str) -> None:
    sys.stderr.write(f"summarizer: {message}\n")


class BatchApiRun:
    """One invocation of ``run --batch-api`` over an output folder."""

    def __init__(
        self,
        summarizer: Summarizer,
        input_dir: Path,
        out_dir: Path,
        *,
        patterns: list[str] | None = None,
        options: BatchApiOptions | None = None,
        wait: bool = True,
        say: Callable[[str], None] = _stderr,
    ) -> None:
        self.summarizer = summarizer
        self.input_dir = input_dir
        self.out_dir = out_dir
        self.patterns = patterns or ["*"]
        self.options = options or BatchApiOptions()
        self.wait = wait
        self.say = say
        self.interrupted = False
        self.started = time.perf_counter()
        self.stopped_reason: str | None = None

    def inputs(self) -> Iterator[Entry]:
        return walk_entries(self.input_dir, self.patterns, self.out_dir.resolve())

    def run(self) -> dict[str, Any]:
        """Submit, collect, write; raises ``OutputLocked`` when another run holds OUT."""
        builder = LineBuilder(self.summarizer)  # refuses a backend without a batch API
        builder.count_tokens = (
            self.summarizer.budget.limited or self.options.max_enqueued_tokens is not None
        )
        prepare_output(self.input_dir, self.out_dir)
        with OutputLock(self.out_dir):
            return self._run_locked(builder)

    def _prices(self) -> ModelInfo:
        info: ModelInfo = self.summarizer.backend.info  # type: ignore[attr-defined]
        priced = batch_priced(info)
        if priced is None:
            if self.summarizer.budget.max_cost_usd is not None:
                raise ConfigError(
                    f"a cost limit (--max-cost) needs a batch price for {info.name!r}; "
                    f'set batch_discount under [models."{info.name}"] in the config file, '
                    "or limit tokens instead (--max-total-tokens)"
                )
            return replace(info, input_per_mtok=None, output_per_mtok=None)
        return priced

    def open_state(self, mode: str) -> State:
        """The output folder's state, a cache the answers outlive the process in, and
        the batch prices: what every pass needs before it touches a batch."""
        summarizer = self.summarizer
        backend = summarizer.backend
        self.state = state = State.open(
            self.out_dir,
            model=backend.model,
            endpoint=backend.endpoint,
            base_url=summarizer.settings.base_url,
            mode=mode,
        )
        if summarizer.cache is None:  # --no-cache: a private cache in OUT
            summarizer.cache = Cache(state.folder / PRIVATE_CACHE)
        self.prices = self._prices()
        return state

    def _run_locked(self, builder: LineBuilder) -> dict[str, Any]:
        summarizer = self.summarizer
        state = self.open_state(builder.mode)
        provider = Provider(summarizer.settings, summarizer.transport)

        def fetch(file_id: str, chunk: str) -> Path:
            return provider.download(file_id, state.folder / f"{chunk}.{file_id}.jsonl")

        self.collector = Collector(state, fetch, summarizer, self.options, builder.mode, self._load)
        submitter = Submitter(
            state,
            provider,
            builder,
            self.options,
            summarizer.budget,
            self.prices,
            self._load,
            self.say,
        )
        try:
            refresh(state, provider)
            submitter.resume()
            self._register()
            while True:
                self._collect()
                self._finish_live()
                sent = submitter.submit_new()
                self.stopped_reason = submitter.stopped_reason
                if any(chunk.waiting_to_collect for chunk in state.chunks):
                    continue  # e.g. a resumed batch that had already finished
                if sent == 0 and not any(c.open and c.batch_id for c in state.chunks):
                    break
                if not self.wait:
                    self.say(
                        "submitted; rerun the same command to collect "
                        f"(see `summarizer batches {self.out_dir}`)"
                    )
                    break
                wait_for_any(state, provider, self.options.poll_seconds, self.say)
        except ModelError as exc:  # the provider's Files/Batch API failed or is unreachable
            self.stopped_reason = one_line(str(exc))
            self.say(f"error: {self.stopped_reason}; rerun the same command to go on")
        except KeyboardInterrupt:
            self.interrupted = True
            self.say(
                "interrupted: the batches go on at the provider; rerun the same command "
                f"to collect, or cancel them with `summarizer batches {self.out_dir} --cancel`"
            )
        finally:
            with contextlib.suppress(OSError):
                state.save()
            provider.close()
        return write_outputs(self)

    def _collect(self) -> None:
        for chunk in self.state.chunks:
            if chunk.waiting_to_collect:
                counts = self.collector.collect(chunk)
                self.say(
                    f"batch {chunk.batch_id} {chunk.status}: {counts['done']} done, "
                    f"{counts['reask']} to re-ask, {counts['resend']} to send again, "
                    f"{counts['failed']} failed"
                )

    def _register(self) -> None:
        """Every article not cached and not in the state becomes a new line."""
        state, summarizer = self.state, self.summarizer
        for entry in self.inputs():
            if entry.skip or entry.fail or entry.path.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            try:
                article = load_article(entry.path)
            except ArticleError:
                continue  # reported by the output walk
            key = summarizer.generation_key(article)
            line = state.lines.get(key)
            if line is not None:
                if entry.relative not in line.inputs:
                    line.inputs.append(entry.relative)
                continue
            if summarizer.cached_result(article, key) is not None:
                continue  # cache hits are never submitted
            if self._adopt_output(entry.relative, article, key):
                continue  # nor are outputs a live run already wrote here
            state.lines[key] = Line(key=key, inputs=[entry.relative])
        state.save()

    def _adopt_output(self, relative: str, article: Article, key: str) -> bool:
        """An output already in OUT for this very article, model, endpoint, prompt and
        pipeline (a live run's, with --no-cache) counts as done: it is cached, not sent."""
        summarizer, backend = self.summarizer, self.summarizer.backend
        if summarizer.refresh or summarizer.cache is None:
            return False
        try:
            payload = json.loads((self.out_dir / output_name(relative)).read_bytes())
        except (OSError, ValueError, RecursionError):
            return False
        if not isinstance(payload, dict) or schema_errors(payload, "result"):
            return False
        made = payload["provenance"]
        if (
            payload["article"]["sha256"] != article.sha256
            or (made["model"], made["endpoint"]) != (backend.model, backend.endpoint)
            or made["prompt"] != summarizer.template.provenance()
            or made["pipeline_version"] != PIPELINE_VERSION
            or made["summary_schema_version"] != schema_version("summary")
        ):
            return False
        summarizer.cache.put(key, payload)
        return True

    def _load(self, line: Line) -> Article | None:
        """The line's article, from the first of its inputs that still has its text."""
        for relative in line.inputs:
            try:
                article = load_article(self.input_dir / relative)
            except (ArticleError, OSError):
                continue
            if self.summarizer.generation_key(article) == line.key:
                return article
        return None

    def _finish_live(self) -> None:
        """``--fallback live``: re-asks and failed lines finish through the live path."""
        lines = [line for line in self.state.lines.values() if line.status == "live"]
        if lines:
            self.say(f"finishing {len(lines)} articles live (--fallback live)")
            asyncio.run(self._live(lines))
            self.state.save()

    async def _live(self, lines: list[Line]) -> None:
        slots = asyncio.Semaphore(self.summarizer.transport.concurrency)

        async def one(line: Line) -> None:
            article = self._load(line)
            if article is None:
                line.status, line.reason = "failed", "no input of this article is readable"
                return
            async with slots:
                try:
                    result = await self.summarizer.summarize_article(
                        article, line.key, followups=line.followups, reasks=line.round
                    )
                except SummarizerError as exc:
                    line.status, line.reason = "failed", str(exc)
                    stats = exc.stats
                    if stats is not None:
                        line.live_requests += stats.attempts
                        line.live_prompt_tokens += stats.prompt_tokens
                        line.live_completion_tokens += stats.completion_tokens
                    return
            usage = result.provenance["usage"]
            line.live_requests += result.provenance["attempts"]
            line.live_prompt_tokens += usage["prompt_tokens"]
            line.live_completion_tokens += usage["completion_tokens"]
            line.status, line.followups = "done", []

        try:
            await asyncio.gather(*(one(line) for line in lines))
        finally:
            await self.summarizer.backend.aclose()
