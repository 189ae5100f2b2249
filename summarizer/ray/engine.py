"""``summarizer run --engine ray``: the same output folder as a one-machine run.

The driver walks (or names) the input, hands it to :func:`summarize_dataset`, and
writes what comes back with the one-machine run's own parts (``batch/writer.py``,
``batch/report.py``, ``batch/lock.py``), so an output folder looks the same whoever
made it. What differs, and why:

* No SQLite cache (it cannot span nodes). A rerun instead skips every article whose
  output exists and was made for the same generation key: the keys of what this
  engine wrote are kept in ``.summarizer-keys.jsonl`` (hidden, so no walk reads it),
  appended as each output is written, so even a killed run's work counts. A folder
  written by a one-machine run has no keys and is redone once.
* Identical articles are collapsed across the cluster by the run's ledger.
* Ctrl-C (or SIGTERM): no new article is started anywhere; in-flight ones get the
  grace period; a second Ctrl-C, or the end of the grace period, stops at once. Inputs
  never answered get a ``not started`` line when the driver listed them (a folder);
  for a dataset, the report counts them as ``unaccounted``.
* The report adds ``engine``, ``actors`` and per-node counts.
"""

from __future__ import annotations

import json
import logging
import queue
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from summarizer.batch.engine import INDEX_NAME, REPORT_NAME
from summarizer.batch.lock import OutputLock, prepare_output
from summarizer.batch.recording import RecordsOutcomes
from summarizer.batch.report import Outcome, Totals, one_line
from summarizer.batch.writer import IndexFile, is_disk_error, output_name, write_atomic
from summarizer.config import resolve
from summarizer.errors import SummarizerError
from summarizer.options import BudgetOptions, GenerationOptions, TransportOptions
from summarizer.pricing import CostMeter, model_info
from summarizer.ray.dataset import connect, new_ledger, summarize_dataset
from summarizer.ray.inputs import Source, input_kind, is_uri, open_input
from summarizer.ray.keys import KEYS_NAME, KeyFile
from summarizer.ray.options import RayOptions

log = logging.getLogger("summarizer")

_END = object()


class RayRun(RecordsOutcomes):
    """One ``summarizer run --engine ray`` (see the module docstring)."""

    def __init__(
        self,
        source: str,
        out_dir: Path,
        *,
        generation: GenerationOptions,
        transport: TransportOptions,
        budget: BudgetOptions,
        options: RayOptions,
        patterns: list[str] | None = None,
        address: str | None = None,
        grace_seconds: float = 10.0,
        count_first: bool = True,
        refresh: bool = False,
        on_outcome: Callable[[Outcome, Totals], None] | None = None,
        on_interrupt: Callable[[float], None] | None = None,
    ) -> None:
        self.source = source
        self.out_dir = out_dir
        self.generation, self.transport, self.budget = generation, transport, budget
        self.options = options
        self.patterns = patterns or ["*"]
        self.address = address
        self.grace_seconds = grace_seconds
        self.count_first = count_first
        self.refresh = refresh
        self.on_outcome = on_outcome
        self.on_interrupt = on_interrupt
        self.totals = Totals()
        self.disk_error: str | None = None
        self.stopped_reason: str | None = None
        self.ledger: Any = None
        self._stop = threading.Event()
        self._abort = threading.Event()
        self._index: IndexFile | None = None
        self._keys = KeyFile(out_dir)
        self._seen: set[str] = set()
        self._nodes: dict[str, Counter[str]] = {}
        self._hosts: dict[str, str] = {}
        settings = resolve(
            model=generation.model,
            base_url=transport.base_url or (options.endpoints[0] if options.endpoints else None),
            api_key=transport.api_key,
        )
        self.settings = settings
        self._meter = CostMeter(model_info(settings.model, settings.model_overrides))

    def request_stop(self, reason: str) -> None:
        """First call: no new articles; a second call: stop at once. Signal-safe."""
        if self._stop.is_set():
            self._abort.set()
            return
        self.stopped_reason = self.stopped_reason or reason
        self._stop.set()

    def run(self) -> dict[str, Any]:
        """The whole run; ``report.json`` is written whatever happens after the lock."""
        input_kind(self.source)  # a one-line error before anything is created
        if is_uri(self.source):
            self.out_dir.mkdir(parents=True, exist_ok=True)
        else:
            prepare_output(Path(self.source), self.out_dir)
        with OutputLock(self.out_dir):
            started_ray = connect(self.address)
            # After ray.init, which sets handlers of its own in the driver.
            previous = self._handle_signals()
            try:
                return self._run_locked()
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
                if started_ray:
                    import ray

                    ray.shutdown()

    def _handle_signals(self) -> dict[int, Any]:
        """Ctrl-C and SIGTERM stop the run as in a one-machine run (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            return {}

        def on_signal(signum: int, frame: object) -> None:
            first = not self._stop.is_set()
            self.request_stop("interrupted")
            if first and self.on_interrupt is not None:
                self.on_interrupt(self.grace_seconds)

        return {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}

    def _run_locked(self) -> dict[str, Any]:
        # Everything that can refuse the input or the options comes before the index
        # is replaced, so a refused rerun keeps the previous run's index.
        try:
            source = open_input(
                self.source,
                self.out_dir,
                self.patterns,
                count=self.count_first,
                blocks=self.options.actors * 4,
            )
        except SummarizerError:
            raise
        except Exception as exc:  # Ray's and Arrow's errors for unreadable input
            raise SummarizerError(f"{self.source}: cannot read: {one_line(str(exc))}") from None
        if source.count is not None:
            self.totals.total = source.count + len(source.verdicts)
        done = {} if self.refresh else self._keys.read()
        results = None
        if source.dataset is not None:
            options = _with_html_column(self.options, source)
            self.ledger = new_ledger()
            results = summarize_dataset(
                source.dataset,
                generation=self.generation,
                transport=self.transport,
                budget=self.budget,
                done_keys={rid: key for rid, (_, key) in done.items()},
                ledger=self.ledger,
                **{name: getattr(options, name) for name in _PASSED_OPTIONS},
            )
        self._index = IndexFile(self.out_dir / INDEX_NAME)
        self._keys.open()
        interrupted = False
        try:
            for verdict in source.verdicts:
                self._record(verdict)
            if results is not None:
                interrupted = self._consume(results, source)
                self._read_stop_reason()
        finally:
            self._index.close()
            self._keys.close(done)
        return self._report(interrupted, source)

    def _consume(self, results: Any, source: Source) -> bool:
        """Write rows as they arrive; True when the run was cut short."""
        rows: queue.Queue[Any] = queue.Queue(maxsize=1024)

        def pump() -> None:
            try:
                for batch in results.iter_batches(batch_size=None, batch_format="pyarrow"):
                    for row in batch.to_pylist():
                        rows.put(row)
            except Exception as exc:  # the job failed as a whole: report it, keep what came
                rows.put(exc)
            rows.put(_END)

        threading.Thread(target=pump, name="summarizer-ray-rows", daemon=True).start()
        deadline = None
        while True:
            if self._stop.is_set() and deadline is None:
                self.ledger.stop.remote(self.stopped_reason or "interrupted")
                deadline = time.monotonic() + self.grace_seconds
            if self._abort.is_set() or (deadline is not None and time.monotonic() > deadline):
                self._account_for_the_rest(source)
                return True
            try:
                item = rows.get(timeout=0.2)
            except queue.Empty:
                continue
            if item is _END:
                return self.stopped_reason == "interrupted"
            if isinstance(item, Exception):
                log.error("the Ray job failed", exc_info=item)
                self.stopped_reason = f"ray job failed: {one_line(str(item))}"
                self._account_for_the_rest(source)
                return False
            self._handle(item)

    def _handle(self, row: dict[str, Any]) -> None:
        rid = row["id"]
        if rid in self._seen:
            self._record(Outcome(rid, "failed", "duplicate id: an earlier row has this id"))
            return
        self._seen.add(rid)
        counts = self._nodes.setdefault(row["node"], Counter())
        counts[row["status"]] += 1
        stats = {
            "prompt_tokens": row["prompt_tokens"],
            "completion_tokens": row["completion_tokens"],
            "attempts": row["attempts"],
            "reasks": row["reasks"],
            "retries": json.loads(row["retries"]) if row["retries"] else {},
        }
        if not row["cache_hit"]:
            counts["attempts"] += row["attempts"]
            counts["model_calls"] += row["status"] == "ok" and not row["existing"]
            self._meter.add(row["prompt_tokens"], row["completion_tokens"])
        self._hosts[row["node"]] = row["host"]
        if row["status"] != "ok":
            self._record(Outcome(rid, row["status"], row["error"], **stats))
            return
        name = output_name(rid)
        if not row["existing"]:
            try:
                write_atomic(self.out_dir / name, row["result"] + "\n")
            except OSError as exc:
                reason = one_line(f"cannot write output: {exc.strerror or exc}")
                if is_disk_error(exc):
                    self._disk_failed(reason)
                self._record(Outcome(rid, "failed", reason, **stats))
                return
        try:
            self._keys.add(rid, name, row["key"])
        except OSError as exc:
            self._disk_failed(one_line(f"{KEYS_NAME}: cannot write: {exc.strerror or exc}"))
        outcome = Outcome(
            rid,
            "ok",
            output=name,
            cache_hit=bool(row["cache_hit"]),
            duplicate_of=row["duplicate_of"],
            latency_ms=row["latency_ms"],
            warnings=row["warnings"],
            **stats,
        )
        self._record(outcome)

    def _account_for_the_rest(self, source: Source) -> None:
        """Inputs the driver listed but never heard back about: not started."""
        reason = f"not started or cancelled: {self.stopped_reason or 'run stopped'}"
        for rid in source.ids or ():
            if rid not in self._seen:
                self._seen.add(rid)
                self._record(Outcome(rid, "skipped", reason))

    def _read_stop_reason(self) -> None:
        """A stop an actor decided (the budget) is the run's stop reason too."""
        import ray

        reason = ray.get(self.ledger.stop_reason.remote())
        if reason is not None and self.stopped_reason is None:
            self.stopped_reason = reason

    def _report(self, interrupted: bool, source: Source) -> dict[str, Any]:
        self.totals.spent_usd = self._meter.spent_usd
        report = self.totals.report(interrupted=interrupted, stopped_reason=self.stopped_reason)
        report["index_complete"] = self._index is not None and self._index.intact
        report["engine"] = "ray"
        report["actors"] = self.options.actors
        report["nodes"] = {
            node: {"host": self._hosts.get(node, ""), **{k: v for k, v in c.items() if v}}
            for node, c in self._nodes.items()
        }
        if source.ids is None and source.count is not None:
            report["unaccounted"] = max(0, source.count - len(self._seen))
        text = json.dumps(report, indent=2) + "\n"
        try:
            write_atomic(self.out_dir / REPORT_NAME, text)
        except OSError as exc:
            self.disk_error = self.disk_error or one_line(exc.strerror or str(exc))
            sys.stderr.write(
                f"summarizer: error: {self.out_dir / REPORT_NAME}: cannot write the report "
                f"({exc.strerror or exc}); here it is:\n{text}"
            )
        return report


_PASSED_OPTIONS = (
    "actors",
    "concurrency_per_actor",
    "endpoints",
    "id_column",
    "text_column",
    "html_column",
)


def _with_html_column(options: RayOptions, source: Source) -> RayOptions:
    """A dataset without the text column but with an ``html`` one is read as pages."""
    if source.kind == "folder" or options.html_column is not None:
        return options
    schema = source.dataset.schema()
    names = set(schema.names) if schema is not None else set()
    if options.text_column not in names and "html" in names:
        return replace(options, html_column="html")
    return options
