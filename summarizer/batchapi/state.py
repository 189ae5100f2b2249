"""What a batch-API run has sent, kept in the output folder so the run outlives the process.

Why a file written atomically at every step (chunk made, file uploaded, batch
created, batch collected): a process killed between any two steps must leave a
state the next run can finish from without paying twice. The order is always
"write the local fact, then act, then write the provider's id": a chunk is recorded
before its upload, an uploaded file before its batch is created (and a rerun looks
for a batch already made from that file before creating one), a batch's lines are
marked done only after their answers are cached.

Every distinct article (cache key) is one :class:`Line`; the paths that share it are
its ``inputs``. No article text is stored: it is read again from the input folder,
and a file whose text changed has another key, so it is simply a new line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from summarizer.batch.writer import write_atomic
from summarizer.errors import ConfigError

STATE_DIR = ".summarizer-batch-api"  # hidden: never read as articles or results
STATE_NAME = "state"  # no .json suffix: `summarizer validate OUT` must not read it
VERSION = 1

# Line statuses: "new" (to send), "sent" (in a chunk), "live" (to finish live),
# "done" (answer cached), "failed" (reason says why). Chunk statuses: "local" (file
# written), "uploaded", then the provider's batch statuses.
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})

Message = dict[str, str]


@dataclass
class Line:
    key: str
    inputs: list[str]
    round: int = 0  # re-asks so far; the next request is round `round`
    followups: list[Message] = field(default_factory=list)
    status: str = "new"
    chunk: str | None = None
    retries: int = 0  # sent again after a provider error, expiry or cancellation
    reason: str | None = None
    requests: int = 0  # answered requests (what the provider bills)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    live_requests: int = 0  # --fallback live: billed at live prices
    live_prompt_tokens: int = 0
    live_completion_tokens: int = 0
    reserved: int = 0  # prompt tokens of the request out now (budgeted with its allowance)


@dataclass
class Chunk:
    name: str
    lines: int
    tokens: int  # prompt tokens enqueued
    bytes: int
    status: str = "local"
    file_id: str | None = None
    batch_id: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    uploaded_at: float | None = None  # time.time() before the upload
    created_at: float | None = None  # time.time() when the batch was created
    in_progress_at: float | None = None
    expires_at: float | None = None
    collected: bool = False

    @property
    def open(self) -> bool:
        return self.status not in TERMINAL

    @property
    def waiting_to_collect(self) -> bool:
        return self.status in TERMINAL and not self.collected


@dataclass
class State:
    folder: Path
    model: str
    endpoint: str
    base_url: str | None
    mode: str
    lines: dict[str, Line] = field(default_factory=dict)
    chunks: list[Chunk] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.folder / STATE_NAME

    @classmethod
    def open(
        cls, out_dir: Path, *, model: str, endpoint: str, base_url: str | None, mode: str
    ) -> State:
        """The state in ``out_dir``, or a new one; refuses a folder made for another
        model or endpoint (its batches would be collected with the wrong judge)."""
        folder = out_dir / STATE_DIR
        path = folder / STATE_NAME
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            return cls(folder, model, endpoint, base_url, mode)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("version") != VERSION:
                raise ValueError(f"version {raw.get('version')!r}")
            state = cls(
                folder,
                raw["model"],
                raw["endpoint"],
                raw.get("base_url"),
                raw["mode"],
                {key: Line(**line) for key, line in raw["lines"].items()},
                [Chunk(**chunk) for chunk in raw["chunks"]],
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: cannot read the batch state: {exc}") from None
        if (state.model, state.endpoint, state.mode) != (model, endpoint, mode):
            raise ConfigError(
                f"{out_dir}: holds batches for model {state.model!r} at {state.endpoint} "
                f"in {state.mode} mode, not {model!r} at {endpoint} in {mode} mode; "
                "choose another --out"
            )
        return state

    @classmethod
    def read(cls, out_dir: Path) -> State:
        """The state as saved, for ``summarizer batches``."""
        path = out_dir / STATE_DIR / STATE_NAME
        if not path.exists():
            raise ConfigError(f"{out_dir}: no batch-API run here (no {STATE_DIR}/{STATE_NAME})")
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls.open(
            out_dir,
            model=raw["model"],
            endpoint=raw["endpoint"],
            base_url=raw.get("base_url"),
            mode=raw["mode"],
        )

    def save(self) -> None:
        payload = {
            "version": VERSION,
            "model": self.model,
            "endpoint": self.endpoint,
            "base_url": self.base_url,
            "mode": self.mode,
            "chunks": [dict(vars(chunk)) for chunk in self.chunks],
            "lines": {key: _compact(line) for key, line in self.lines.items()},
        }
        write_atomic(self.path, json.dumps(payload, ensure_ascii=False) + "\n")

    def chunk_file(self, name: str) -> Path:
        return self.folder / f"{name}.jsonl"

    def next_chunk_name(self) -> str:
        return f"input-{len(self.chunks) + 1:04}"

    def lines_in(self, chunk: Chunk) -> list[Line]:
        return [line for line in self.lines.values() if line.chunk == chunk.name]

    def by_prefix(self, prefix_chars: int) -> dict[str, Line]:
        return {key[:prefix_chars]: line for key, line in self.lines.items()}

    def usage(self, allowance: int) -> tuple[int, int]:
        """Prompt and completion tokens billed so far, plus the worst case (whole
        output allowance) of every request still out: what a budget is checked against."""
        prompt = completion = 0
        for line in self.lines.values():
            prompt += line.prompt_tokens + line.reserved
            completion += line.completion_tokens + (allowance if line.reserved else 0)
        return prompt, completion

    def enqueued_tokens(self) -> int:
        return sum(chunk.tokens for chunk in self.chunks if chunk.open and chunk.batch_id)


_DEFAULTS = {f.name: f.default for f in fields(Line) if f.name not in ("key", "inputs")}


def _compact(line: Line) -> dict[str, Any]:
    """A line without its default fields: most lines are new or done, and 200,000 of
    them are rewritten at every step."""
    data = vars(line)  # not asdict: its deep copy was most of a save's time
    return {
        name: value
        for name, value in data.items()
        if name in ("key", "inputs") or value not in (_DEFAULTS.get(name), [], None)
    }
