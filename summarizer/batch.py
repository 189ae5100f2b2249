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
* one bad article is recorded in ``index.jsonl`` and the batch goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import os
import statistics
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.article import Article
from summarizer.errors import ArticleError, BudgetExceeded, SummarizerError
from summarizer.loader import SUPPORTED_SUFFIXES, load_article
from summarizer.pipeline import Summarizer
from summarizer.result import Result
from summarizer.runguard import FailFast

INDEX_NAME = "index.jsonl"
REPORT_NAME = "report.json"
# Workers per request slot: the extra ones prepare the next article and finish the
# last one while the slots are busy with HTTP.
WORKERS_PER_SLOT = 2


class _NotStarted(Exception):
    """The run was stopping when this article's first request got its slot."""


@dataclass
class Outcome:
    """One input's line in ``index.jsonl``."""

    path: str
    status: str  # ok, failed or skipped
    reason: str | None = None
    output: str | None = None
    cache_hit: bool = False
    duplicate_of: str | None = None
    latency_ms: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 0
    reasks: int = 0
    retries: dict[str, int] = field(default_factory=dict)
    warnings: int = 0


def walk(
    root: Path, patterns: list[str], exclude: Path | None = None
) -> Iterator[tuple[Path, str]]:
    """``(path, relative path)`` of files under ``root`` matching any glob, depth
    first in name order, streamed.

    Hidden files and folders are ignored, and so is the output folder when it sits
    inside the input folder (a rerun must not read its own outputs). Relative paths
    are cut from the scanned path (``os.path.relpath`` asks for the working
    directory on every call, which showed up in warm-rerun profiles).
    """
    prefix = len(os.path.join(str(root), ""))
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                if exclude is None or Path(entry.path).resolve() != exclude:
                    subfolders.append(entry.path)
            elif entry.is_file():
                relative = entry.path[prefix:].replace(os.sep, "/")
                if any(
                    fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(entry.name, p) for p in patterns
                ):
                    yield Path(entry.path), relative
        stack.extend(reversed(subfolders))


def _write_file(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file in the same folder and rename: never a partial file."""
    # One writer per path and process, so pid + thread id make a unique temp name
    # without mkstemp's extra system calls.
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        try:
            _write_file(temp, text)
        except FileNotFoundError:
            # The folder is made only when missing: a mkdir per file, and the stat
            # behind exist_ok, were a tenth of the writer thread's profile samples.
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_file(temp, text)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _already_written(target: Path, result: Result) -> bool:
    """Whether ``target`` already holds this brief for this article.

    A rerun served from the cache then leaves the file alone (its provenance keeps
    recording when and how the brief was made); reading is much cheaper than an
    atomic rewrite, which is most of a warm rerun's cost.
    """
    try:
        written = json.loads(target.read_bytes())
    except (OSError, ValueError):
        return False
    return bool(
        written.get("summary") == result.brief
        and written.get("article") == result.article.identity()
        and written.get("provenance", {}).get("model") == result.provenance["model"]
    )


class OutputWriter:
    """Writes output files on one background thread.

    Creating a file is mostly system calls, and on some machines it costs more than
    all the rest of an article's client-side work (0.05 to 0.9 ms per file on the
    benchmark machine, see bench/bench_batch.py). On the event loop that time stalls
    every request in flight; on a thread it runs while the loop goes on, because
    Python releases the GIL around system calls. One thread is enough: more only
    added kernel time in measurements.
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summarizer-writer")

    async def write(self, target: Path, result: Result, serialized: str | None) -> None:
        """Write ``result`` to ``target``; ``serialized`` is its JSON when already made."""
        if serialized is None:
            # A rerun's check that the file already holds this brief stays on the
            # loop: it is a small read, cheaper than the trip to the thread and back.
            if result.cache_hit and _already_written(target, result):
                return
            # Compact JSON: the indenting encoder is pure Python and dominated warm reruns.
            serialized = json.dumps(result.to_dict(), ensure_ascii=False)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, write_atomic, target, serialized + "\n")

    def close(self) -> None:
        """Wait for the writes already queued, then stop the thread."""
        self._executor.shutdown(wait=True)


def output_name(relative: str) -> str:
    """``a/b.txt`` → ``a/b.txt.json``: keeps ``b.txt`` and ``b.html`` apart.

    Relative to the output folder; it is also the index's ``output`` field.
    """
    return f"{relative}.json"


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 2)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 2)


@dataclass
class Totals:
    """Running figures for the progress display and the final report."""

    total: int = 0
    done: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    cache_hits: int = 0
    duplicates: int = 0
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 0
    reasks: int = 0
    retries: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    spent_usd: float | None = None
    started: float = field(default_factory=time.perf_counter)

    def add(self, outcome: Outcome) -> None:
        self.done += 1
        self.statuses[outcome.status] += 1
        if outcome.duplicate_of:
            self.duplicates += 1
        elif outcome.cache_hit:
            self.cache_hits += 1
        elif outcome.status == "ok":
            self.calls += 1
            if outcome.latency_ms is not None:
                self.latencies.append(outcome.latency_ms)
        if not outcome.cache_hit:
            self.prompt_tokens += outcome.prompt_tokens
            self.completion_tokens += outcome.completion_tokens
            self.attempts += outcome.attempts
            self.reasks += outcome.reasks
            self.retries.update(outcome.retries)

    def report(self, *, interrupted: bool, stopped_reason: str | None) -> dict[str, Any]:
        duration = time.perf_counter() - self.started
        return {
            "inputs": self.done,
            "ok": self.statuses["ok"],
            "failed": self.statuses["failed"],
            "skipped": self.statuses["skipped"],
            "cache_hits": self.cache_hits,
            "duplicates": self.duplicates,
            "model_calls": self.calls,
            "attempts": self.attempts,
            "reasks": self.reasks,
            "retries": dict(self.retries),
            "tokens": {
                "prompt": self.prompt_tokens,
                "completion": self.completion_tokens,
                "total": self.prompt_tokens + self.completion_tokens,
            },
            "cost_usd": None if self.spent_usd is None else round(self.spent_usd, 6),
            "latency_ms": {
                "p50": _percentile(self.latencies, 50),
                "p90": _percentile(self.latencies, 90),
                "p99": _percentile(self.latencies, 99),
            },
            "duration_s": round(duration, 3),
            "articles_per_s": round(self.done / duration, 2) if duration > 0 else None,
            "interrupted": interrupted,
            "stopped_reason": stopped_reason,
        }


class BatchRun:
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
        self._inflight: dict[str, tuple[asyncio.Future[Result], str]] = {}
        # The first input of every key this run paid a model call for: a later
        # identical input is its duplicate even once the call has finished and the
        # cache serves it. Keyed by a 64-bit prefix of the key, not the 64-character
        # key: 100,000 distinct articles take about 17 MB, mostly their paths.
        self._called: dict[int, str] = {}
        # Without a cache, recent results serve later duplicates in the same run.
        self._recent: OrderedDict[str, tuple[str, Result]] = OrderedDict()
        self._index_handle: Any = None
        self._writer: OutputWriter | None = None
        self._request_slots: asyncio.Semaphore | None = None
        # Inputs whose first model request got its slot: cancelling those can lose
        # paid work, cancelling the others loses nothing.
        self._requested: set[str] = set()
        # Stops the run when its first articles all fail the same refused request.
        self.fail_fast = FailFast()

    def inputs(self) -> Iterator[tuple[Path, str]]:
        exclude = self.out_dir.resolve()
        return walk(self.input_dir, self.patterns, exclude)

    def count_inputs(self) -> int:
        return sum(1 for _ in self.inputs())

    def request_stop(self, reason: str) -> None:
        if not self.stop_requested.is_set():
            self.stopped_reason = reason
            self.stop_requested.set()

    async def run(self) -> dict[str, Any]:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if self.count_first:
            self.totals.total = self.count_inputs()
        meter = self.summarizer.controls.meter
        self._request_slots = asyncio.Semaphore(self.concurrency)
        self._writer = OutputWriter()
        workers_wanted = self.concurrency * WORKERS_PER_SLOT
        queue: asyncio.Queue[tuple[Path, str] | None] = asyncio.Queue(maxsize=workers_wanted)
        index_path = self.out_dir / INDEX_NAME
        pending = self.inputs()
        with (
            contextlib.closing(self._writer),
            open(index_path, "w", encoding="utf-8") as self._index_handle,
        ):
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
            self._index_handle.flush()
        if meter is not None:
            self.totals.spent_usd = meter.spent_usd
        report = self.totals.report(interrupted=interrupted, stopped_reason=self.stopped_reason)
        report["fail_fast"] = self.fail_fast.stop_message
        clock = self.summarizer.controls.attempt_clock
        report["slow_attempts"] = clock.report() if clock is not None else None
        write_atomic(self.out_dir / REPORT_NAME, json.dumps(report, indent=2) + "\n")
        return report

    async def _produce(
        self,
        queue: asyncio.Queue[tuple[Path, str] | None],
        pending: Iterator[tuple[Path, str]],
        workers: int,
    ) -> None:
        for item in pending:
            if self.stop_requested.is_set():
                # Everything not started is still accounted for.
                self._record_not_started(item[1])
                continue
            try:
                await queue.put(item)
            except asyncio.CancelledError:
                self._record_not_started(item[1])  # the one in hand when cancelled
                raise
        for _ in range(workers):
            await queue.put(None)

    def _account_for_the_rest(
        self, queue: asyncio.Queue[tuple[Path, str] | None], pending: Iterator[tuple[Path, str]]
    ) -> None:
        """After a cancellation: what was queued or not yet walked, as not started."""
        while not queue.empty():
            item = queue.get_nowait()
            if item is not None:
                self._record_not_started(item[1])
        for _, relative in pending:
            self._record_not_started(relative)

    async def _worker(self, queue: asyncio.Queue[tuple[Path, str] | None]) -> None:
        while (item := await queue.get()) is not None:
            if self.stop_requested.is_set():
                self._record_not_started(item[1])
                continue
            try:
                outcome = await self._process(*item)
            except asyncio.CancelledError:
                # Cancelled after the grace period: still accounted for.
                if item[1] in self._requested:
                    self._record(Outcome(item[1], "skipped", "cancelled: run interrupted"))
                else:
                    self._record_not_started(item[1])
                raise
            finally:
                self._requested.discard(item[1])
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
            if path.suffix.lower() in (".html", ".htm"):
                article = await asyncio.to_thread(load_article, path)
            else:
                article = load_article(path)
            result, duplicate_of, serialized = await self._summarize_once(article, relative)
            assert self._writer is not None
            await self._writer.write(self.out_dir / output_name(relative), result, serialized)
        except _NotStarted:
            return self._not_started(relative)
        except BudgetExceeded as exc:
            self.request_stop("budget reached")
            return Outcome(relative, "skipped", str(exc))
        except ArticleError as exc:
            return Outcome(relative, "failed", exc.reason)
        except SummarizerError as exc:
            if (stop := self.fail_fast.failed(exc)) is not None:
                self.request_stop(stop)
            return Outcome(relative, "failed", str(exc))
        except OSError as exc:
            return Outcome(relative, "failed", f"cannot write output: {exc}")
        except Exception as exc:  # a bug must cost one article, not the batch
            return Outcome(relative, "failed", f"internal error: {type(exc).__name__}: {exc}")
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

    async def _summarize_once(
        self, article: Article, relative: str
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
                article, key, store=False, gate=self._attempt_gate(relative)
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
                if len(self._recent) > 1024:
                    self._recent.popitem(last=False)
            return result, None, serialized
        finally:
            del self._inflight[key]

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

    def _record(self, outcome: Outcome) -> None:
        # vars(), not dataclasses.asdict: no deep copy per line (seen in warm-rerun profiles).
        line = {k: v for k, v in vars(outcome).items() if v not in (None, {}, 0, False)}
        line.setdefault("status", outcome.status)
        self._index_handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.totals.add(outcome)
        if self.on_outcome is not None:
            self.on_outcome(outcome, self.totals)
