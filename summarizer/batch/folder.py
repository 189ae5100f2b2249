"""``run_folder``: the library's batch entry; ``summarizer run`` is a thin shell on it.

It owns what a run needs around the engine: a ``Summarizer`` when the caller gives
none, and Ctrl-C (SIGINT/SIGTERM, when called from the main thread): the first
takes no new work and gives in-flight calls ``grace_seconds``, the second cancels
at once; the report is written either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer.batch.engine import BatchRun
from summarizer.batch.report import Outcome, Totals
from summarizer.options import FolderOptions
from summarizer.pipeline import Summarizer

log = logging.getLogger("summarizer")


def run_folder(
    input_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    summarizer: Summarizer | None = None,
    folder: FolderOptions | None = None,
    on_outcome: Callable[[Outcome, Totals], None] | None = None,
    count_first: bool = False,
    on_stopping: Callable[[str], None] | None = None,
    **summarizer_options: Any,
) -> dict[str, Any]:
    """Summarise every article under ``input_dir`` into ``out_dir``.

    Writes one JSON per article (mirroring the input tree), ``index.jsonl`` and
    ``report.json``, and returns the report. ``summarizer_options`` build a
    :class:`Summarizer` when none is given (``model=``, ``generation=``,
    ``transport=``, ``budget=``, ``cache=``, ...); requests in flight are bounded by
    its ``transport.concurrency``. ``on_outcome`` sees each input's index line as it
    is written; ``count_first`` walks the tree once more first so progress can show
    a total. ``on_stopping`` is told why the run is stopping after a first Ctrl-C.

    Raises ``OutputLocked`` when another run holds ``out_dir``, and
    ``SummarizerError`` when ``out_dir`` is unusable, before any work.
    """
    folder = folder or FolderOptions()
    own = summarizer is None
    if summarizer is None:
        summarizer = Summarizer(**summarizer_options)
    elif summarizer_options:
        raise TypeError("pass either summarizer= or options to build one, not both")
    batch = BatchRun(
        summarizer,
        Path(input_dir),
        Path(out_dir),
        patterns=list(folder.patterns) or None,
        concurrency=summarizer.transport.concurrency,
        grace_seconds=folder.grace_seconds,
        count_first=count_first,
        on_outcome=on_outcome,
    )
    try:
        report = asyncio.run(_run_with_interrupts(batch, on_stopping))
    finally:
        if own:
            summarizer.close()
    report["disk_error"] = batch.disk_error
    return report


async def _run_with_interrupts(
    batch: BatchRun, on_stopping: Callable[[str], None] | None
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    interrupts = 0
    deadline: asyncio.TimerHandle | None = None

    def cancel_work() -> None:
        for other in asyncio.all_tasks(loop):
            if other is not task:
                other.cancel()

    def on_interrupt() -> None:
        nonlocal interrupts, deadline
        interrupts += 1
        batch.request_stop("interrupted")
        if interrupts == 1:
            message = (
                f"stopping: no new articles; in-flight ones get {batch.grace_seconds:g} s "
                "(Ctrl-C again to stop now)"
            )
            (on_stopping or log.warning)(message)
            deadline = loop.call_later(batch.grace_seconds, cancel_work)
        else:
            cancel_work()

    # Signal handlers can only be set from the main thread; elsewhere (a notebook's
    # worker thread, a web server) the caller owns interruption.
    signals = (signal.SIGINT, signal.SIGTERM)
    handled = threading.current_thread() is threading.main_thread()
    if handled:
        for sig in signals:
            loop.add_signal_handler(sig, on_interrupt)
    try:
        return await batch.run()
    finally:
        if deadline is not None:
            deadline.cancel()
        if handled:
            for sig in signals:
                with contextlib.suppress(Exception):
                    loop.remove_signal_handler(sig)
