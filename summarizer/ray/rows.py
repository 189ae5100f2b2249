"""The rows ``summarize_dataset`` returns: one per input row, whatever happened to it.

Why a fixed Arrow schema: blocks made on different actors must concatenate, and a
column that happens to hold only nulls in one block would otherwise get Arrow's null
type there and a string type elsewhere.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from summarizer.batch.report import one_line

# The folder input's column with each file's path (the id is its relative path).
PATH_COLUMN = "_path"

_STRING = ("id", "status", "result", "error", "key", "duplicate_of", "retries", "node", "host")
_INT = ("prompt_tokens", "completion_tokens", "attempts", "reasks", "warnings")


@dataclass
class Row:
    """One output row. ``result`` is the result JSON exactly as a one-machine run
    writes it (``result.schema.json``); ``existing`` means the output folder already
    holds this article's result for the same key, so nothing was done."""

    id: str
    node: str = ""
    host: str = ""
    status: str = "failed"  # ok, failed or skipped
    result: str | None = None
    error: str | None = None
    key: str | None = None
    cache_hit: bool = False
    existing: bool = False
    duplicate_of: str | None = None
    latency_ms: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 0
    reasks: int = 0
    retries: Counter[str] = field(default_factory=Counter)
    warnings: int = 0

    def failed(self, reason: str) -> Row:
        self.status, self.error = "failed", one_line(reason)
        return self

    def skipped(self, reason: str) -> Row:
        self.status, self.error = "skipped", one_line(reason)
        return self

    def add_stats(self, stats: dict[str, Any]) -> None:
        for name in _INT:
            setattr(self, name, getattr(self, name) + int(stats.get(name) or 0))
        self.retries.update(stats.get("retries") or {})
        if stats.get("latency_ms") is not None:
            self.latency_ms = float(stats["latency_ms"])

    def stats(self) -> dict[str, Any]:
        """What the ledger keeps with an outcome, so a retried row reports it again."""
        return {
            **{name: getattr(self, name) for name in _INT},
            "retries": dict(self.retries),
            "latency_ms": self.latency_ms,
        }


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [pa.field(name, pa.string()) for name in _STRING]
        + [pa.field(name, pa.int64()) for name in _INT]
        + [
            pa.field("cache_hit", pa.bool_()),
            pa.field("existing", pa.bool_()),
            pa.field("latency_ms", pa.float64()),
        ]
    )


def rows_to_table(rows: list[Row]) -> Any:
    """The rows as a pyarrow Table with the fixed schema."""
    import pyarrow as pa

    columns: dict[str, list[Any]] = {}
    for name in (*_STRING, *_INT, "cache_hit", "existing", "latency_ms"):
        if name == "retries":
            columns[name] = [json.dumps(dict(r.retries)) if r.retries else None for r in rows]
        else:
            columns[name] = [getattr(r, name) for r in rows]
    return pa.Table.from_pydict(columns, schema=_schema())


def unsafe_id(row_id: str) -> str | None:
    """Why ``row_id`` cannot name an output file under ``--out``, or None when it can.

    Ids of a dataset become relative output paths (``id`` + ``.json``), so one
    that is absolute or climbs out with ``..`` must never be written.
    """
    if not row_id.strip():
        return "empty id"
    if "\x00" in row_id:
        return "id contains a NUL character"
    if row_id.startswith(("/", "\\")) or (len(row_id) > 1 and row_id[1] == ":"):
        return "absolute path as id"
    if any(part in ("", ".", "..") for part in row_id.replace("\\", "/").split("/")):
        return "id has an empty, '.' or '..' path component"
    return None
