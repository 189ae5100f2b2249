"""Progress for ``summarizer run``, on stderr so stdout stays clean for data.

``bar`` is a rich progress bar for people; ``jsonl`` is one JSON line per article
for logs and other programs; ``none`` is silence. ``auto`` picks the bar on a
terminal and nothing otherwise.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Protocol

from summarizer.batch import Outcome, Totals


class Display(Protocol):
    needs_total: bool

    def start(self) -> None: ...
    def update(self, outcome: Outcome, totals: Totals) -> None: ...
    def stop(self) -> None: ...


class Silent:
    needs_total = False

    def start(self) -> None:
        pass

    def update(self, outcome: Outcome, totals: Totals) -> None:
        pass

    def stop(self) -> None:
        pass


class JsonLines(Silent):
    needs_total = True

    def update(self, outcome: Outcome, totals: Totals) -> None:
        line = {
            "done": totals.done,
            "total": totals.total,
            "path": outcome.path,
            "status": outcome.status,
            "cache_hit": outcome.cache_hit,
            "reason": outcome.reason,
            "tokens": totals.prompt_tokens + totals.completion_tokens,
            "spent_usd": None if totals.spent_usd is None else round(totals.spent_usd, 6),
            "elapsed_s": round(time.perf_counter() - totals.started, 3),
        }
        sys.stderr.write(json.dumps(line) + "\n")
        sys.stderr.flush()


class Bar(Silent):
    """done/total, rate, ETA, tokens, spend, cache hits and failures."""

    needs_total = True

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[detail]}"),
            console=Console(stderr=True),
            transient=False,
        )
        self._task = self._progress.add_task("run", total=None, rate="", detail="")

    def start(self) -> None:
        self._progress.start()

    def update(self, outcome: Outcome, totals: Totals) -> None:
        elapsed = max(time.perf_counter() - totals.started, 1e-9)
        spend = "" if not totals.spent_usd else f" ${totals.spent_usd:.4f}"
        detail = (
            f"tok {totals.prompt_tokens + totals.completion_tokens:,}{spend} "
            f"cache {totals.cache_hits} failed {totals.statuses['failed']}"
        )
        self._progress.update(
            self._task,
            completed=totals.done,
            total=totals.total or None,
            rate=f"{totals.done / elapsed:.1f}/s",
            detail=detail,
        )

    def stop(self) -> None:
        self._progress.stop()


def make_progress(kind: str) -> Display:
    if kind == "auto":
        kind = "bar" if sys.stderr.isatty() else "none"
    if kind == "bar":
        return Bar()
    if kind == "jsonl":
        return JsonLines()
    return Silent()
