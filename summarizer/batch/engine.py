"""``summarizer run``: a folder of articles in, one JSON per article out.

Built for folders of many thousands of files and paid, rate-limited APIs:

* the walk streams (nothing holds the file list), so memory stays flat;
* at most ``concurrency`` model requests are in flight; twice as many workers load,
  validate and write around them, so that work never holds a request slot (in
  bench/bench_batch.py at concurrency 32 this took a cold run from about 1.19x to
  1.14x a bare client loop's wall time);
* identical articles (same cleaned text) share one call, and every path still gets
  its output;
* every output and the report are written atomically (temp file + rename), so a
  crash or ``kill -9`` never leaves a partial file; results are cached as they
  finish, so a rerun only does what is left;
* output files are written on a background thread, so a slow disk never stalls the
  requests in flight;
* one bad article is recorded in ``index.jsonl`` and the batch goes on; a full disk
  stops the run cleanly, with the report written;
* CPU-heavy steps of big articles (and the offline analyzer) run off the event loop,
  so one huge file neither stalls the batch nor ignores Ctrl-C.

The parts live beside this module: the walk (walk.py), the writer (writer.py), the
report (report.py), the output-folder checks and lock (lock.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

from summarizer.backends.runguard import FailFast
from summarizer.batch.dedupe import SharedCalls
from summarizer.batch.lock import OutputLock, prepare_output
from summarizer.batch.recording import RecordsOutcomes
from summarizer.batch.report import Outcome, Totals, failed_outcome, one_line
from summarizer.batch.walk import Entry, walk_entries
from summarizer.batch.writer import (
    IndexFile,
    OutputWriter,
    is_disk_error,
    output_name,
    write_report,
)
from summarizer.errors import ArticleError, BudgetExceeded, SummarizerError
from summarizer.input.article import Article
from summarizer.input.loader import SUPPORTED_SUFFIXES, load_article
from summarizer.offload import OFFLOAD_CHARS, run_cpu
from summarizer.pipeline import Summarizer

log = logging.getLogger("summarizer")

INDEX_NAME = "index.jsonl"
REPORT_NAME = "report.json"
# Workers per request slot: the extra ones prepare the next article and finish the
# last one while the slots are busy with HTTP.
WORKERS_PER_SLOT = 2


class _NotStarted(Exception):
    """The run was stopping when this article's first request got its slot."""


class BatchRun(RecordsOutcomes):
    """One ``summarizer run``: walk, summarise with bounded concurrency, write."""

    def __init__(
        self,
        summarizer: Summarizer,
        input_dir: Path,
        out_dir: Path,
        *,
        patterns: list[str] | None = None,
        concurrency: int = 8,
        count_first: bool = True,
        grace_seconds: float = 10.0,
        on_outcome: Callable[[Outcome, Totals], None] | None = None,
    ) -> None:
        self.summarizer = summarizer
        self.input_dir = input_dir
        self.out_dir = out_dir
        self.patterns = patterns or ["*"]
        self.concurrency = max(1, concurrency)
        self.grace_seconds = grace_seconds
        # Counting means walking the tree twice; only a progress display needs it.
        self.count_first = count_first
        self.on_outcome = on_outcome
        self.totals = Totals()
        self.stop_requested = asyncio.Event()
        self.stopped_reason: str | None = None
        # One call per distinct article, whatever the number of paths (see .dedupe).
        self._calls = SharedCalls(summarizer)
        self._index: IndexFile | None = None
        # Set when the output disk failed: the run stops, and the CLI exits with its code.
        self.disk_error: str | None = None
        self._writer: OutputWriter | None = None
        self._request_slots: asyncio.Semaphore | None = None
        # Inputs whose first model request got its slot: cancelling those can lose
        # paid work, cancelling the others loses nothing.
        self._requested: set[str] = set()
        # Stops the run when its first articles all fail the same refused request.
        self.fail_fast = FailFast()

    def inputs(self) -> Iterator[Entry]:
        exclude = self.out_dir.resolve()
        return walk_entries(self.input_dir, self.patterns, exclude)

    def count_inputs(self) -> int:
        return sum(1 for _ in self.inputs())

    def request_stop(self, reason: str) -> None:
        if not self.stop_requested.is_set():
            self.stopped_reason = reason
            self.stop_requested.set()

    async def run(self) -> dict[str, Any]:
        """The whole run; the report is written (or printed to stderr) whatever happens.

        Raises :class:`SummarizerError` before any work when the output folder is
        unusable, and ``OutputLocked`` when another run holds it.
        """
        prepare_output(self.input_dir, self.out_dir)
        with OutputLock(self.out_dir):
            return await self._run_locked()

    async def _run_locked(self) -> dict[str, Any]:
        if self.count_first:
            self.totals.total = self.count_inputs()
        self._request_slots = asyncio.Semaphore(self.concurrency)
        self._writer = OutputWriter()
        workers_wanted = self.concurrency * WORKERS_PER_SLOT
        queue: asyncio.Queue[Entry | None] = asyncio.Queue(maxsize=workers_wanted)
        try:
            self._index = IndexFile(self.out_dir / INDEX_NAME)
        except OSError as exc:
            raise SummarizerError(
                f"{self.out_dir / INDEX_NAME}: cannot create the index: {exc.strerror or exc}"
            ) from None
        pending = self.inputs()
        with contextlib.closing(self._writer), contextlib.closing(self._index):
            workers = [asyncio.create_task(self._worker(queue)) for _ in range(workers_wanted)]
            producer = asyncio.create_task(self._produce(queue, pending, len(workers)))
            interrupted = False
            try:
                await producer
                await asyncio.gather(*workers)
            except asyncio.CancelledError:
                # A second Ctrl-C or the end of the grace period cancelled the work.
                interrupted = True
                for task in (producer, *workers):
                    task.cancel()
                await asyncio.gather(producer, *workers, return_exceptions=True)
                self._account_for_the_rest(queue, pending)
            if self.stopped_reason == "interrupted":
                interrupted = True
        self.totals.spent_usd = self.summarizer.backend.spent_usd()
        report = self.totals.report(interrupted=interrupted, stopped_reason=self.stopped_reason)
        report["index_complete"] = self._index is not None and self._index.intact
        report["fail_fast"] = self.fail_fast.stop_message
        report["slow_attempts"] = self.summarizer.backend.slow_attempts()
        problem = write_report(self.out_dir / REPORT_NAME, report)
        if problem is not None:
            self.disk_error = self.disk_error or problem
        return report

    async def _produce(
        self,
        queue: asyncio.Queue[Entry | None],
        pending: Iterator[Entry],
        workers: int,
    ) -> None:
        for item in pending:
            if self.stop_requested.is_set():
                # Everything not started is still accounted for.
                self._record_not_started(item.relative)
                continue
            try:
                await queue.put(item)
            except asyncio.CancelledError:
                self._record_not_started(item.relative)  # the one in hand when cancelled
                raise
        for _ in range(workers):
            await queue.put(None)

    def _account_for_the_rest(
        self, queue: asyncio.Queue[Entry | None], pending: Iterator[Entry]
    ) -> None:
        """After a cancellation: what was queued or not yet walked, as not started."""
        while not queue.empty():
            item = queue.get_nowait()
            if item is not None:
                self._record_not_started(item.relative)
        for entry in pending:
            self._record_not_started(entry.relative)

    async def _worker(self, queue: asyncio.Queue[Entry | None]) -> None:
        while (item := await queue.get()) is not None:
            relative = item.relative
            if item.fail is not None or item.skip is not None:
                # Walk verdicts are recorded even when stopping: they cost nothing.
                status = "failed" if item.fail is not None else "skipped"
                self._record(Outcome(relative, status, item.fail or item.skip))
                continue
            if self.stop_requested.is_set():
                self._record_not_started(relative)
                continue
            try:
                outcome = await self._process(item.path, relative)
            except asyncio.CancelledError:
                # Cancelled after the grace period: still accounted for.
                if relative in self._requested:
                    self._record(Outcome(relative, "skipped", "cancelled: run interrupted"))
                else:
                    self._record_not_started(relative)
                raise
            finally:
                self._requested.discard(relative)
            self._record(outcome)

    def _not_started(self, relative: str) -> Outcome:
        return Outcome(relative, "skipped", f"not started: {self.stopped_reason}")

    def _record_not_started(self, relative: str) -> None:
        self._record(self._not_started(relative))

    async def _process(self, path: Path, relative: str) -> Outcome:
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            return Outcome(
                relative, "skipped", f"unsupported file type {path.suffix or '(none)'!r}"
            )
        try:
            article = await self._load(path)
            result, duplicate_of, serialized = await self._calls.summarize(
                article, relative, self._attempt_gate(relative)
            )
            assert self._writer is not None
            await self._writer.write(self.out_dir / output_name(relative), result, serialized)
        except _NotStarted:
            return self._not_started(relative)
        except BudgetExceeded as exc:
            self.request_stop("budget reached")
            return Outcome(relative, "skipped", one_line(str(exc)))
        except ArticleError as exc:
            return failed_outcome(relative, exc.reason, exc)
        except SummarizerError as exc:
            if (stop := self.fail_fast.failed(exc)) is not None:
                self.request_stop(stop)
            return failed_outcome(relative, str(exc), exc)
        except OSError as exc:
            reason = f"cannot write output: {exc.strerror or exc}"
            if is_disk_error(exc):
                self._disk_failed(one_line(reason))
            return failed_outcome(relative, reason, exc)
        except Exception as exc:  # a bug must cost one article, not the batch
            log.debug("%s: internal error", relative, exc_info=True)  # --verbose shows it
            return failed_outcome(relative, f"internal error: {type(exc).__name__}: {exc}", exc)
        if not result.cache_hit:
            self.fail_fast.succeeded()  # a model call worked: the settings are fine
        provenance = result.provenance
        usage = provenance["usage"]
        return Outcome(
            path=relative,
            status="ok",
            output=output_name(relative),
            cache_hit=result.cache_hit,
            duplicate_of=duplicate_of,
            latency_ms=provenance.get("latency_ms"),
            prompt_tokens=usage["prompt_tokens"],
            completion_tokens=usage["completion_tokens"],
            attempts=provenance["attempts"],
            reasks=provenance["reasks"],
            retries=dict(provenance.get("retries") or {}),
            warnings=len(result.warnings),
        )

    @staticmethod
    async def _load(path: Path) -> Article:
        """Load and clean; big or HTML files on a CPU thread, so the loop goes on."""
        try:
            big = path.stat().st_size > OFFLOAD_CHARS
        except OSError:
            big = False  # load_article reports why the file cannot be read
        if big or path.suffix.lower() in (".html", ".htm"):
            return await run_cpu(load_article, path)
        return load_article(path)

    def _attempt_gate(
        self, relative: str
    ) -> Callable[[], contextlib.AbstractAsyncContextManager[None]]:
        """One article's gate for its model requests: a request slot, and no first
        request once the run is stopping (retries and re-asks of a started article
        go on: it is in flight)."""

        @contextlib.asynccontextmanager
        async def gate() -> AsyncIterator[None]:
            assert self._request_slots is not None
            async with self._request_slots:
                if relative not in self._requested and self.stop_requested.is_set():
                    raise _NotStarted
                self._requested.add(relative)
                yield

        return gate

