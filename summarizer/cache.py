"""The result cache: validated results in SQLite, keyed by everything that shapes them.

SQLite in WAL mode lets several processes read and write one cache file at once
(readers never block the writer), which is what a user running two batches, or a
batch and a notebook, needs. Only validated results are stored, and a hit is
re-validated before use, so a cache written by an older or buggy version can never
hand back a brief that breaks the contract.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from summarizer.errors import CacheError

# Bump when a change in the pipeline (cleaning, validation, prompt assembly) should
# make earlier results stale even though no input of the key changed.
PIPELINE_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    article_sha256 TEXT NOT NULL,
    model TEXT NOT NULL,
    created_at REAL NOT NULL,
    payload TEXT NOT NULL
)
"""


def default_cache_path() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("summarizer", appauthor=False)) / "cache.sqlite3"


def cache_key(
    *,
    article_sha256: str,
    model: str,
    endpoint: str,
    prompt_sha256: str,
    schema_sha256: str,
    parameters: dict[str, Any],
) -> str:
    """A hash over every input that changes the result: change one and the key misses."""
    material = {
        "pipeline": PIPELINE_VERSION,
        "article": article_sha256,
        "model": model,
        "endpoint": endpoint,
        "prompt": prompt_sha256,
        "schema": schema_sha256,
        "parameters": parameters,
    }
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class Cache:
    """A SQLite file of result payloads; one connection per thread."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self._local = threading.local()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connect()
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot open cache {self.path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA busy_timeout=30000")
            connection.execute(_SCHEMA)
            self._local.connection = connection
        return connection

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            row = (
                self._connect()
                .execute("SELECT payload FROM results WHERE key = ?", (key,))
                .fetchone()
            )
        except sqlite3.Error as exc:
            raise CacheError(f"cannot read cache {self.path}: {exc}") from exc
        if row is None:
            return None
        try:
            payload: dict[str, Any] = json.loads(row[0])
        except json.JSONDecodeError:
            return None  # a damaged row is a miss; the fresh result will replace it
        return payload

    def put(self, key: str, payload: dict[str, Any], serialized: str | None = None) -> None:
        """Store ``payload``; ``serialized`` is its JSON when the caller already made it."""
        if serialized is None:
            serialized = json.dumps(payload, ensure_ascii=False)
        try:
            self._connect().execute(
                "INSERT OR REPLACE INTO results (key, article_sha256, model, created_at, payload)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    key,
                    payload["article"]["sha256"],
                    payload["provenance"]["model"],
                    time.time(),
                    serialized,
                ),
            )
        except sqlite3.Error as exc:
            raise CacheError(f"cannot write cache {self.path}: {exc}") from exc

    def delete(self, key: str) -> None:
        self._connect().execute("DELETE FROM results WHERE key = ?", (key,))

    def stats(self) -> dict[str, Any]:
        connection = self._connect()
        entries, size = connection.execute(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(payload)), 0) FROM results"
        ).fetchone()
        models = dict(
            connection.execute("SELECT model, COUNT(*) FROM results GROUP BY model").fetchall()
        )
        file_bytes = sum(
            p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists()
        )
        return {
            "path": str(self.path),
            "entries": entries,
            "payload_bytes": size,
            "file_bytes": file_bytes,
            "models": models,
        }

    def clear(self) -> int:
        connection = self._connect()
        removed: int = connection.execute("DELETE FROM results").rowcount
        connection.execute("VACUUM")
        return removed

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
