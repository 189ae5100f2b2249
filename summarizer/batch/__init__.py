"""``summarizer run``: a folder of articles in, one JSON per article out.

One module per job: :mod:`.walk` (every entry gets a verdict), :mod:`.writer`
(whole files and index lines), :mod:`.report` (totals), :mod:`.lock` (one run per
output folder) and :mod:`.engine` (bounded concurrency around the pipeline). The
names other code imports are re-exported here.
"""

from summarizer.batch.engine import INDEX_NAME, REPORT_NAME, WORKERS_PER_SLOT, BatchRun
from summarizer.batch.folder import run_folder
from summarizer.batch.lock import LOCK_NAME, OutputFolderError, OutputLock, OutputLocked
from summarizer.batch.report import Outcome, Totals, one_line
from summarizer.batch.walk import Entry, walk, walk_entries
from summarizer.batch.writer import (
    DiskError,
    OutputWriter,
    already_written,
    output_name,
    write_atomic,
)

__all__ = [
    "INDEX_NAME",
    "LOCK_NAME",
    "REPORT_NAME",
    "WORKERS_PER_SLOT",
    "BatchRun",
    "DiskError",
    "Entry",
    "Outcome",
    "OutputFolderError",
    "OutputLock",
    "OutputLocked",
    "OutputWriter",
    "Totals",
    "already_written",
    "one_line",
    "output_name",
    "run_folder",
    "walk",
    "walk_entries",
    "write_atomic",
]
