"""Provider batch APIs: a run as request files submitted, then collected later.

One module per step: :mod:`.requests` (request lines, the live path's body),
:mod:`.state` (what was sent, in the output folder), :mod:`.submit` (chunks,
upload, batches), :mod:`.poll` (progress), :mod:`.collect` (answers through the
pipeline's judge), :mod:`.outputs` (the live writer and report), :mod:`.engine`
(the passes), :mod:`.files` (self-hosted ``vllm run-batch`` files) and
:mod:`.cli` (the commands).

Nothing is imported here eagerly: ``summarizer.cli`` imports :mod:`.cli` at start-up,
and the command line must start fast (a Ctrl-C during start-up imports shows a
traceback, and every command pays for them).
"""

from __future__ import annotations

from typing import Any

__all__ = ["BatchApiRun"]


def __getattr__(name: str) -> Any:
    if name == "BatchApiRun":
        from summarizer.batchapi.engine import BatchApiRun

        return BatchApiRun
    raise AttributeError(name)
