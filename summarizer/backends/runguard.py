"""Two run-wide guards against paying for, or waiting on, requests that cannot succeed.

* :class:`FailFast`: a wrong key, an unknown model or a parameter the model refuses
  fails every article the same way. When the first few articles of a run all fail with
  the same refused request (HTTP 4xx other than 429, see
  :class:`~summarizer.errors.RequestRejected`), the run stops with one message instead
  of sending thousands of doomed requests. One success disarms it: later failures are
  then about their articles, and the batch goes on as usual.
* :class:`AttemptClock`: behind a gateway that retries on its own (a LiteLLM proxy
  with ``num_retries``), every one of our attempts may hide many upstream attempts, so
  retries multiply and a failing article takes minutes. The symptom is an attempt far
  longer than the others; the clock records every attempt's duration and reports the
  outliers in ``report.json`` with one warning.

Why here and not in the batch engine: both are small state machines the engine only
feeds (one call per outcome, one per attempt), so they test on their own and the
engine's code stays about scheduling.
"""

from __future__ import annotations

import statistics
import threading
from dataclasses import dataclass
from typing import Any

from summarizer.errors import RequestRejected


@dataclass(frozen=True)
class GuardOptions:
    """``fail_fast_after``: identical refusals, with no success before them, that stop a
    run (0 disables). An attempt is slow when it takes more than ``slow_ratio`` times the
    median attempt and more than ``slow_floor_s`` seconds."""

    fail_fast_after: int = 3
    slow_ratio: float = 5.0
    slow_floor_s: float = 20.0


class FailFast:
    """Fed every article's outcome; says when the run should stop."""

    def __init__(self, after: int = GuardOptions.fail_fast_after) -> None:
        self.after = after
        self._armed = after > 0
        self._message: str | None = None
        self._count = 0
        self.stop_message: str | None = None

    def succeeded(self) -> None:
        """A model call worked: the settings are fine, so never stop for them."""
        self._armed = False

    def failed(self, error: BaseException) -> str | None:
        """Record a failed article; the stop message once the run should stop."""
        if not self._armed or self.stop_message is not None:
            return None
        if not isinstance(error, RequestRejected):
            return None  # an article's own problem (bad file, invalid output) says nothing
        message = str(error)
        if message != self._message:
            self._message, self._count = message, 0
        self._count += 1
        if self._count >= self.after:
            self.stop_message = (
                f"the first {self._count} articles all failed the same way, which no retry "
                f"can fix ({message}); fix the settings and run the same command again: it "
                "resumes where this run stopped"
            )
        return self.stop_message


class AttemptClock:
    """Durations of every HTTP attempt of a run (thread-safe: loader threads share it)."""

    def __init__(self, options: GuardOptions | None = None) -> None:
        self.options = options or GuardOptions()
        self._lock = threading.Lock()
        self._seconds: list[float] = []

    def record(self, seconds: float) -> None:
        with self._lock:
            self._seconds.append(seconds)

    def report(self) -> dict[str, Any] | None:
        """The outliers, for ``report.json``; None when there are none."""
        with self._lock:
            durations = list(self._seconds)
        if not durations:
            return None
        median = statistics.median(durations)
        limit = max(self.options.slow_floor_s, self.options.slow_ratio * median)
        slow = [s for s in durations if s > limit]
        if not slow:
            return None
        return {
            "count": len(slow),
            "attempts": len(durations),
            "slowest_s": round(max(slow), 3),
            "median_s": round(median, 3),
            "threshold_s": round(limit, 3),
            "hint": (
                "attempts far longer than the others: a gateway in between may be retrying "
                "on its own (LiteLLM: set num_retries to 0 for this client); see README, "
                "Troubleshooting"
            ),
        }

    def warning(self) -> str | None:
        """One line for the end of a run, or None."""
        found = self.report()
        return None if found is None else describe_slow_attempts(found)


def describe_slow_attempts(found: dict[str, Any]) -> str:
    """One line for the end of a run from :meth:`AttemptClock.report`'s figures."""
    return (
        f"{found['count']} of {found['attempts']} HTTP attempts took over "
        f"{found['threshold_s']:g} s (slowest {found['slowest_s']:g} s, median "
        f"{found['median_s']:g} s): {found['hint']}"
    )
