"""What every engine that writes a run folder does with each input's outcome.

The local engine and the Ray engine write the same ``index.jsonl`` and stop the same
way when the output disk fails; this mixin is that shared behaviour, so the two
folders cannot drift apart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from summarizer.batch.report import Outcome, Totals, index_line, one_line
from summarizer.batch.writer import DiskError, IndexFile

log = logging.getLogger("summarizer")


class RecordsOutcomes:
    """Index line, totals and progress for each outcome; a failing disk stops the run.

    The engine provides ``_index``, ``totals``, ``on_outcome``, ``disk_error`` and
    ``request_stop``.
    """

    _index: IndexFile | None
    totals: Totals
    on_outcome: Callable[[Outcome, Totals], None] | None
    disk_error: str | None

    def request_stop(self, reason: str) -> None:
        raise NotImplementedError

    def _record(self, outcome: Outcome) -> None:
        assert self._index is not None
        if self._index.intact:
            try:
                self._index.append(index_line(outcome))
            except DiskError as exc:
                self._disk_failed(one_line(str(exc)))
        self.totals.add(outcome)
        if self.on_outcome is not None:
            self.on_outcome(outcome, self.totals)

    def _disk_failed(self, reason: str) -> None:
        """The output disk failed: every later write would too, so stop the run."""
        if self.disk_error is None:
            self.disk_error = reason
            log.error("output disk: %s; stopping the run", reason)
        self.request_stop(f"disk error: {reason}")
