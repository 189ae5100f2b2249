"""Provider batch APIs: a run as request files submitted, then collected later.

One module per step: :mod:`.requests` (request lines, the live path's body),
:mod:`.state` (what was sent, in the output folder), :mod:`.submit` (chunks,
upload, batches), :mod:`.poll` (progress), :mod:`.collect` (answers through the
pipeline's judge), :mod:`.outputs` (the live writer and report), :mod:`.engine`
(the passes), :mod:`.files` (self-hosted ``vllm run-batch`` files) and
:mod:`.cli` (the commands).
"""

from summarizer.batchapi.engine import BatchApiRun

__all__ = ["BatchApiRun"]
