"""Send the lines that need sending: chunk files under the limits, upload, create batches.

Limits, each configurable (:class:`~summarizer.options.BatchApiOptions`): requests per
batch, bytes per input file, and prompt tokens enqueued across all open batches
(providers cap those per model; past the cap a batch is refused or fails). The
budget (``--max-cost``, ``--max-total-tokens``) is checked line by line before
anything is uploaded, at batch prices, with each line's whole output allowance
reserved, so a run cannot be billed past its limit.

Every step is written to the state before the next one (see :mod:`.state`): a killed
submitter resumes where it stopped, and a file already turned into a batch is found
by its id among the provider's batches instead of being submitted again.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from summarizer.batchapi.poll import apply
from summarizer.batchapi.provider import Provider
from summarizer.batchapi.requests import LineBuilder
from summarizer.batchapi.state import Chunk, Line, State
from summarizer.errors import ArticleError
from summarizer.input.article import Article
from summarizer.options import BatchApiOptions, BudgetOptions
from summarizer.pricing import CostMeter, ModelInfo

log = logging.getLogger("summarizer")

# Loads a line's article again from the input folder (None: no input readable).
ArticleLoader = Callable[[Line], Article | None]


@dataclass
class Submitter:
    state: State
    provider: Provider
    builder: LineBuilder
    options: BatchApiOptions
    budget: BudgetOptions
    prices: ModelInfo  # the model at batch prices (unknown prices: None fields)
    load: ArticleLoader
    say: Callable[[str], None]
    stopped_reason: str | None = None

    def resume(self) -> None:
        """Finish chunks a killed process left written or uploaded but not created."""
        for chunk in self.state.chunks:
            if chunk.batch_id is None and chunk.status in ("local", "uploaded"):
                self._send(chunk, resuming=True)

    def submit_new(self) -> int:
        """Chunk and send every line with status ``new``; returns the requests sent."""
        sent = 0
        self.meter = CostMeter(self.prices)
        self.meter.add(*self.state.usage(self.builder.max_output_tokens))
        built = self._built([line for line in self.state.lines.values() if line.status == "new"])
        carry: tuple[Line, bytes, int] | None = None
        while self.stopped_reason is None:
            room = self._room()
            chunk, carry = self._fill(built, carry, room)
            if chunk is None:
                break
            self._send(chunk)
            sent += chunk.lines
        return sent

    def _room(self) -> float:
        cap = self.options.max_enqueued_tokens
        return float("inf") if cap is None else cap - self.state.enqueued_tokens()

    def _built(self, lines: list[Line]) -> Iterator[tuple[Line, bytes, int]]:
        for line in lines:
            article = self.load(line)
            if article is None:
                self._fail(line, "no input of this article is readable any more")
                continue
            try:
                data, prompt = self.builder.line(line.key, line.round, article, line.followups)
            except ArticleError as exc:
                self._fail(line, exc.reason)
                continue
            yield line, data, prompt

    def _fill(
        self,
        built: Iterator[tuple[Line, bytes, int]],
        carry: tuple[Line, bytes, int] | None,
        room: float,
    ) -> tuple[Chunk | None, tuple[Line, bytes, int] | None]:
        """Write the next chunk file; returns it (None when empty) and the line that
        did not fit, which starts the next chunk."""
        options, state, budget = self.options, self.state, self.budget
        allowance = self.builder.max_output_tokens
        members: list[Line] = []
        tokens = size = 0
        name = state.next_chunk_name()
        path = state.chunk_file(name)
        left: tuple[Line, bytes, int] | None = None
        with path.open("wb") as handle:
            while True:
                # Not a chained generator: breaking out of one would close `built`.
                item, carry = (carry, None) if carry is not None else (next(built, None), None)
                if item is None:
                    break
                line, data, prompt = item
                if (
                    len(members) >= options.max_requests_per_batch
                    or size + len(data) > options.max_bytes_per_file
                    or tokens + prompt > room
                ):
                    if members:
                        left = item
                        break
                    if prompt > room and room < (options.max_enqueued_tokens or 0):
                        left = item  # waits until open batches free the queue
                        break
                    self._fail(line, "this request alone exceeds the per-batch limits")
                    continue
                if self.meter.would_exceed(
                    budget.max_cost_usd, budget.max_total_tokens, prompt, allowance
                ):
                    self.stopped_reason = "budget reached"
                    break
                self.meter.add(prompt, allowance)  # reserved: the whole allowance may be used
                line.reserved = prompt
                handle.write(data)
                members.append(line)
                tokens += prompt
                size += len(data)
            handle.flush()
            os.fsync(handle.fileno())
        if not members:
            path.unlink()
            return None, left
        chunk = Chunk(name=name, lines=len(members), tokens=tokens, bytes=size)
        for line in members:
            line.status, line.chunk = "sent", name
        state.chunks.append(chunk)
        state.save()  # recorded before the upload: a rerun sends this file, not a new one
        return chunk, left

    @staticmethod
    def _fail(line: Line, reason: str) -> None:
        line.status, line.reason, line.chunk = "failed", reason, None

    def _send(self, chunk: Chunk, *, resuming: bool = False) -> None:
        state, provider = self.state, self.provider
        if chunk.file_id is None:
            chunk.uploaded_at = time.time()
            chunk.file_id = provider.upload(state.chunk_file(chunk.name))
            chunk.status = "uploaded"
            state.save()
        found = self._existing_batch(chunk) if resuming else None
        batch = found or provider.create(
            chunk.file_id,
            self.options.completion_window,
            {"summarizer_chunk": chunk.name},
        )
        chunk.batch_id = str(batch["id"])
        apply(chunk, batch)  # a found batch may be far along, even finished
        chunk.created_at = float(batch.get("created_at") or time.time())
        state.save()
        self.say(f"batch {chunk.batch_id}: {chunk.lines} requests submitted ({chunk.name})")

    def _existing_batch(self, chunk: Chunk) -> dict[str, object] | None:
        """A batch a killed process created from this file before recording its id."""
        if chunk.status != "uploaded":
            return None
        since = (chunk.uploaded_at or 0) - 3600  # generous: clocks differ
        for batch in self.provider.batches():  # newest first
            if float(batch.get("created_at") or 0) < since:
                break
            if batch.get("input_file_id") == chunk.file_id:
                log.info("%s: found batch %s made from %s", chunk.name, batch["id"], chunk.file_id)
                return batch
        return None
