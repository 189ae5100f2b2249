"""Read the open batches' state and say how far each has got.

One line per batch on stderr: status, requests completed and failed of the total,
time since it was created, and an ETA from the rate so far (providers give none,
only ``expires_at``, the end of the 24-hour window, which is shown when the rate is
still unknown). The state is saved after each refresh, so ``summarizer batches OUT``
shows what the last poll saw.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from summarizer.batchapi.provider import Provider
from summarizer.batchapi.state import Chunk, State


def refresh(state: State, provider: Provider) -> list[dict[str, Any]]:
    """Update every open batch from the provider; returns what was read."""
    seen = []
    for chunk in state.chunks:
        if chunk.batch_id is None or not chunk.open:
            continue
        batch = provider.retrieve(chunk.batch_id)
        apply(chunk, batch)
        seen.append(batch)
    if seen:
        state.save()
    return seen


def apply(chunk: Chunk, batch: dict[str, Any]) -> None:
    chunk.status = str(batch.get("status") or chunk.status)
    counts = batch.get("request_counts") or {}
    chunk.counts = {k: int(counts.get(k) or 0) for k in ("total", "completed", "failed")}
    chunk.output_file_id = batch.get("output_file_id") or chunk.output_file_id
    chunk.error_file_id = batch.get("error_file_id") or chunk.error_file_id
    chunk.expires_at = batch.get("expires_at") or chunk.expires_at
    chunk.in_progress_at = batch.get("in_progress_at") or chunk.in_progress_at


def describe(chunk: Chunk, now: float | None = None) -> str:
    """``batch_x (input-0001): in_progress 120/500 done, 3 failed, 2m10s, ETA 5m``."""
    now = time.time() if now is None else now
    counts = chunk.counts or {}
    total = counts.get("total") or chunk.lines
    done, failed = counts.get("completed", 0), counts.get("failed", 0)
    parts = [f"{chunk.batch_id or '(not created)'} ({chunk.name}): {chunk.status}"]
    parts.append(f"{done}/{total} done, {failed} failed")
    if chunk.created_at:
        parts.append(f"elapsed {_span(now - chunk.created_at)}")
    if chunk.open:
        started = chunk.in_progress_at
        finished = done + failed
        if started and finished and total > finished:
            rate = finished / max(1e-6, now - started)
            parts.append(f"ETA {_span((total - finished) / rate)}")
        elif chunk.expires_at:
            parts.append(f"expires in {_span(chunk.expires_at - now)}")
    return ", ".join(parts)


def wait_for_any(
    state: State,
    provider: Provider,
    interval: float,
    say: Callable[[str], None],
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Poll until some batch reaches a terminal state (or ``stop()``)."""
    while not stop():
        refresh(state, provider)
        for chunk in state.chunks:
            if chunk.batch_id is not None and (chunk.open or chunk.waiting_to_collect):
                say(describe(chunk))
        if any(chunk.waiting_to_collect for chunk in state.chunks):
            return
        if not any(chunk.open and chunk.batch_id for chunk in state.chunks):
            return
        time.sleep(interval)


def _span(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02}m"
    return f"{minutes}m{secs:02}s" if minutes else f"{secs}s"
