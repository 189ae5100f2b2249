"""The run's report: one ``Outcome`` per input, and totals that add up over all of them.

Why failed articles count in full: a call that ended in an invalid answer or a
truncation was still paid for, so its attempts, retries, tokens and cost belong in
the totals, or ``report.json`` disagrees with the provider's bill.
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from summarizer.errors import SummarizerError

log = logging.getLogger("summarizer")

# Longest reason kept in the index and on the progress line; the rest goes to the log.
REASON_CHARS = 300


def one_line(text: str) -> str:
    """``text`` as one line of at most ``REASON_CHARS`` characters: what the index and
    the progress display show (details such as every schema error go to the log)."""
    line = " ".join(text.split())
    return line if len(line) <= REASON_CHARS else line[: REASON_CHARS - 1] + "…"


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


def index_line(outcome: Outcome) -> str:
    """One input's line in ``index.jsonl``: fields that are false, zero or empty are left
    out, ``path`` and ``status`` never are."""
    # vars(), not dataclasses.asdict: no deep copy per line (seen in warm-rerun profiles).
    line = {k: v for k, v in vars(outcome).items() if v not in (None, {}, 0, False)}
    line.setdefault("status", outcome.status)
    return json.dumps(line, ensure_ascii=False) + "\n"


def failed_outcome(relative: str, reason: str, exc: BaseException) -> Outcome:
    """A failed article: one line in the index, details in the log, and what its calls
    cost (paid for even though they failed; the pipeline attaches them as ``stats``)."""
    if "\n" in reason or len(reason) > REASON_CHARS:
        log.info("%s: %s", relative, reason)
    outcome = Outcome(relative, "failed", one_line(reason))
    stats = exc.stats if isinstance(exc, SummarizerError) else None
    if stats is not None:
        outcome.prompt_tokens = stats.prompt_tokens
        outcome.completion_tokens = stats.completion_tokens
        outcome.attempts = stats.attempts
        outcome.retries = dict(stats.retries)
        outcome.reasks = exc.reasks
    return outcome
