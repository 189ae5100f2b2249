"""Turn a finished batch's output and error files into cached results, re-asks or failures.

Every answer goes through :meth:`Summarizer.judge`, the step the live re-ask loop
uses: the same parsing, schema validation, grounding and truncation check, and a
result is cached exactly as a live one. What cannot be used yet goes back into the
state as a line to send again:

* an answer that needs a re-ask: the next round, with the errors, in a follow-up
  batch (or live with ``--fallback live``);
* a provider error, or a line missing from an ``expired``, ``cancelled`` or
  ``failed`` batch: the same request again, at most ``max_line_retries`` times.

Lines are matched by ``custom_id`` (output order is not input order); an answer for
a round that is no longer the line's current one is ignored, so a late duplicate
can never be applied twice.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.backends import CallStats, Completion
from summarizer.batch.report import one_line
from summarizer.batchapi.requests import KEY_CHARS, parse_custom_id
from summarizer.batchapi.state import Chunk, Line, State
from summarizer.errors import SummarizerError
from summarizer.input.article import Article
from summarizer.options import BatchApiOptions
from summarizer.output.result import Result
from summarizer.output.validate import Validation
from summarizer.pipeline import Summarizer

log = logging.getLogger("summarizer")


@dataclass
class Collector:
    state: State
    # A batch file on disk, by id and chunk name: downloaded (streamed, and kept for
    # audit) from the provider, or an imported results file as it is.
    fetch: Callable[[str, str], Path]
    summarizer: Summarizer
    options: BatchApiOptions
    mode: str
    load: Callable[[Line], Article | None]
    may_reask: bool = True  # False for an imported results file: no follow-up batch

    def collect(self, chunk: Chunk) -> dict[str, int]:
        """Apply a terminal batch's files to its lines; returns counts by verdict."""
        members = {line.key: line for line in self.state.lines_in(chunk)}
        prefixes = {key[:KEY_CHARS]: line for key, line in members.items()}
        counts = {"done": 0, "reask": 0, "resend": 0, "failed": 0}
        seen: set[str] = set()
        elapsed = max(0.0, time.time() - (chunk.created_at or time.time()))
        for entry in self._entries(chunk):
            parsed = parse_custom_id(str(entry.get("custom_id", "")))
            line = prefixes.get(parsed[0]) if parsed else None
            if line is None or parsed is None or parsed[1] != line.round or line.key in seen:
                continue
            seen.add(line.key)
            verdict = self._apply(line, entry, elapsed)
            counts[verdict] += 1
        for key, line in members.items():
            if key not in seen:
                counts[self._resend(line, f"not answered: batch {chunk.status}")] += 1
        chunk.collected = True
        self.state.save()  # results are cached first: a crash before this re-collects
        return counts

    def _entries(self, chunk: Chunk) -> Iterator[dict[str, Any]]:
        for file_id in (chunk.output_file_id, chunk.error_file_id):
            if not file_id:
                continue
            path = self.fetch(file_id, chunk.name)
            with path.open(encoding="utf-8", errors="replace") as lines:
                for text in lines:  # one line at a time: output files reach gigabytes
                    if not text.strip():
                        continue
                    try:
                        entry = json.loads(text)
                    except ValueError:
                        log.info("%s: an unreadable line in %s", chunk.name, file_id)
                        continue
                    if isinstance(entry, dict):
                        yield entry

    def _apply(self, line: Line, entry: dict[str, Any], elapsed: float) -> str:
        response = entry.get("response") or {}
        body = response.get("body") if isinstance(response, dict) else None
        status_code = response.get("status_code") if isinstance(response, dict) else None
        if entry.get("error") or status_code != 200 or not isinstance(body, dict):
            return self._resend(line, _error_text(entry))
        try:
            choice = body["choices"][0]
            content = (choice.get("message") or {}).get("content") or ""
            usage = body.get("usage") or {}
        except (KeyError, IndexError, TypeError, AttributeError):
            return self._resend(line, "the answer is not a chat completion")
        prompt = int(usage.get("prompt_tokens") or 0)
        completion_tokens = int(usage.get("completion_tokens") or 0)
        line.requests += 1
        line.prompt_tokens += prompt
        line.completion_tokens += completion_tokens
        line.reserved = 0  # billed now: the usage above replaces the reservation
        completion = Completion(
            content=content,
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=prompt,
            completion_tokens=completion_tokens,
            mode=self.mode,
        )
        article = self.load(line)
        if article is None:
            return self._fail(line, "no input of this article is readable any more")
        stats = CallStats(
            attempts=line.requests,
            prompt_tokens=line.prompt_tokens,
            completion_tokens=line.completion_tokens,
        )
        try:
            judged = self.summarizer.judge(
                article,
                completion,
                stats,
                line.round,
                time.perf_counter() - elapsed,
                may_reask=self.may_reask,
            )
        except SummarizerError as exc:
            return self._fail(line, str(exc))
        if isinstance(judged, Result):
            self.summarizer.store(line.key, judged)
            line.status, line.chunk, line.followups = "done", None, []
            return "done"
        return self._reask(line, completion, judged)

    def _reask(self, line: Line, completion: Completion, validation: Validation) -> str:
        line.followups = [
            *line.followups,
            {"role": "assistant", "content": completion.content},
            self.summarizer.template.reask(validation.errors),
        ]
        line.round += 1
        line.status = "live" if self.options.fallback == "live" else "new"
        line.chunk = None
        return "reask"

    def _resend(self, line: Line, reason: str) -> str:
        line.reserved = 0  # an unanswered request is not billed
        line.retries += 1
        line.chunk = None
        if line.retries > self.options.max_line_retries:
            return self._fail(line, f"{reason} (sent {line.retries} times)")
        line.reason = one_line(reason)
        line.status = "live" if self.options.fallback == "live" else "new"
        return "resend"

    def _fail(self, line: Line, reason: str) -> str:
        line.reserved = 0  # an unanswered request is not billed
        line.status, line.reason, line.chunk = "failed", one_line(reason), None
        return "failed"


def _error_text(entry: dict[str, Any]) -> str:
    error = entry.get("error")
    if isinstance(error, dict):
        return f"provider error {error.get('code')}: {error.get('message')}"
    response = entry.get("response") or {}
    body = response.get("body") if isinstance(response, dict) else None
    message = body.get("error", {}).get("message") if isinstance(body, dict) else None
    code = response.get("status_code") if isinstance(response, dict) else None
    return f"provider error HTTP {code}: {message or 'no answer'}"
