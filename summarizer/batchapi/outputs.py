"""Outputs, ``index.jsonl`` and ``report.json`` of a batch-API run, as a live run writes them.

Why from the cache and a second walk: every answer was cached when it was collected
(by this process or an earlier one), so the output folder can be rebuilt at any time
from the state and the cache, with the live engine's writer (atomic files, whole
index lines) and report (the same totals). An article still in a batch gets an index
line with status ``pending``; the report adds ``"via": "batch"``, the batches and
the count of pending articles.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any

from summarizer.batch.engine import INDEX_NAME, REPORT_NAME
from summarizer.batch.report import Outcome, Totals, one_line
from summarizer.batch.writer import IndexFile, already_written, output_name, write_atomic
from summarizer.errors import ArticleError, SummarizerError
from summarizer.input.loader import SUPPORTED_SUFFIXES, load_article
from summarizer.pricing import cost_usd

if TYPE_CHECKING:
    from summarizer.batchapi.engine import BatchApiRun
    from summarizer.batchapi.state import Line
    from summarizer.output.result import Result


def write_outputs(run: BatchApiRun) -> dict[str, Any]:
    """Walk the inputs again and write what is known; returns the report."""
    totals = Totals(started=run.started)  # the whole invocation, collection included
    index_path = run.out_dir / INDEX_NAME
    try:
        index = IndexFile(index_path)
    except OSError as exc:
        raise SummarizerError(
            f"{index_path}: cannot create the index: {exc.strerror or exc}"
        ) from None
    with contextlib.closing(index):
        for entry in run.inputs():
            outcome = _outcome(run, entry.path, entry.relative, entry.skip, entry.fail)
            line = {k: v for k, v in vars(outcome).items() if v not in (None, {}, 0, False)}
            line.setdefault("status", outcome.status)
            index.append(json.dumps(line, ensure_ascii=False) + "\n")
            totals.add(outcome)
    state = run.state
    totals.spent_usd = _spent(run)
    report = totals.report(interrupted=run.interrupted, stopped_reason=run.stopped_reason)
    report["index_complete"] = index.intact
    report["via"] = "batch"
    report["pending"] = totals.statuses["pending"]
    report["batch_requests"] = sum(line.requests for line in state.lines.values())
    report["live_requests"] = sum(line.live_requests for line in state.lines.values())
    report["batches"] = [
        {
            "id": chunk.batch_id,
            "input": chunk.name,
            "status": chunk.status,
            "requests": chunk.lines,
            "counts": chunk.counts,
        }
        for chunk in state.chunks
    ]
    write_atomic(run.out_dir / REPORT_NAME, json.dumps(report, indent=2) + "\n")
    return report


def _outcome(
    run: BatchApiRun, path: Any, relative: str, skip: str | None, fail: str | None
) -> Outcome:
    if fail is not None or skip is not None:
        return Outcome(relative, "failed" if fail is not None else "skipped", fail or skip)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return Outcome(relative, "skipped", f"unsupported file type {path.suffix or '(none)'!r}")
    try:
        article = load_article(path)
    except ArticleError as exc:
        return Outcome(relative, "failed", one_line(exc.reason))
    summarizer = run.summarizer
    key = summarizer.generation_key(article)
    line = run.state.lines.get(key)
    if line is None:
        cached = summarizer.cached_result(article, key)
        if cached is None:
            return Outcome(relative, "pending", "not submitted yet: rerun the same command")
        return _written(run, relative, cached, Outcome(relative, "ok", cache_hit=True))
    first = line.inputs[0] == relative
    if line.status == "failed":
        outcome = Outcome(relative, "failed", one_line(line.reason or "failed"))
        return _with_usage(outcome, line) if first else outcome
    if line.status != "done":
        return Outcome(relative, "pending", _waiting(run, line))
    cached = summarizer.cached_result(article, key, made_this_run=True)
    if cached is None:  # the cache lost it (cleared mid-run): send it again next time
        line.status, line.round, line.followups = "new", 0, []
        with contextlib.suppress(OSError):
            run.state.save()
        return Outcome(relative, "pending", "result missing from the cache: rerun to send again")
    if not first:
        outcome = Outcome(relative, "ok", cache_hit=True, duplicate_of=line.inputs[0])
        return _written(run, relative, cached, outcome)
    result = cached.for_article(article, cache_hit=False)
    outcome = _with_usage(Outcome(relative, "ok", reasks=line.round), line)
    outcome.latency_ms = result.provenance.get("latency_ms")  # batch creation to collection
    return _written(run, relative, result, outcome)


def _with_usage(outcome: Outcome, line: Line) -> Outcome:
    outcome.prompt_tokens = line.prompt_tokens + line.live_prompt_tokens
    outcome.completion_tokens = line.completion_tokens + line.live_completion_tokens
    outcome.attempts = line.requests + line.live_requests
    outcome.reasks = line.round
    return outcome


def _written(run: BatchApiRun, relative: str, result: Result, outcome: Outcome) -> Outcome:
    target = run.out_dir / output_name(relative)
    outcome.output = output_name(relative)
    outcome.warnings = len(result.warnings)
    try:
        # A rerun finds most outputs already written: reading is cheaper than rewriting.
        if not already_written(target, result):
            write_atomic(target, json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    except OSError as exc:
        return Outcome(relative, "failed", f"cannot write output: {exc.strerror or exc}")
    return outcome


def _waiting(run: BatchApiRun, line: Line) -> str:
    if line.status == "sent":
        chunk = next((c for c in run.state.chunks if c.name == line.chunk), None)
        if chunk is not None:
            return f"in batch {chunk.batch_id or chunk.name} ({chunk.status})"
    if run.stopped_reason:
        return f"not submitted: {run.stopped_reason}"
    return "waiting to be sent (re-ask or retry): rerun the same command"


def _spent(run: BatchApiRun) -> float | None:
    """Batch tokens at batch prices plus ``--fallback live`` tokens at live prices."""
    lines = run.state.lines.values()
    batch = cost_usd(
        run.prices,
        sum(line.prompt_tokens for line in lines),
        sum(line.completion_tokens for line in lines),
    )
    live = cost_usd(
        run.summarizer.backend.info,  # type: ignore[attr-defined]
        sum(line.live_prompt_tokens for line in lines),
        sum(line.live_completion_tokens for line in lines),
    )
    return None if batch is None or live is None else batch + live
