"""The result cache: validated results in SQLite, keyed by everything that shapes them.

SQLite in WAL mode lets several processes read and write one cache file at once
(readers never block the writer), which is what a user running two batches, or a
batch and a notebook, needs. Only validated results are stored, and a hit is
re-validated before use, so a cache written by an older or buggy version can never
hand back a brief that breaks the contract.

A damaged file (truncated, or garbage in a page) is detected when it is opened or
used: it is moved aside as ``<name>.corrupt-<timestamp>``, one line says so, and the
run goes on with a fresh cache. A cache only saves calls, so losing one must never
stop a command, least of all ``summarizer cache clear``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from summarizer.errors import CacheError

log = logging.getLogger("summarizer")
T = TypeVar("T")
# SQLite's result codes for a damaged file: SQLITE_CORRUPT and SQLITE_NOTADB.
_DAMAGED_CODES = (11, 26)


def is_damaged(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says the database file itself is damaged (not locked, not full)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _DAMAGED_CODES
    return type(exc) is sqlite3.DatabaseError


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
        # Bumped when a damaged file is replaced: every thread then reconnects.
        self._generation = 0
        self._recover_lock = threading.Lock()
        # Where damaged files were moved this session (for messages and tests).
        self.moved_aside: list[Path] = []
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._guard(self._connect)
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cannot open cache {self.path}: {exc}") from exc

    def _guard(self, operation: Callable[[], T]) -> T:
        """Run ``operation``; if the file turns out damaged, set it aside and retry once."""
        generation = self._generation
        try:
            return operation()
        except sqlite3.Error as exc:
            if not is_damaged(exc):
                raise
            self._set_aside(generation, exc)
        return operation()

    def _set_aside(self, generation: int, exc: sqlite3.Error) -> None:
        with self._recover_lock:
            if generation != self._generation:
                return  # another thread already replaced it
            self._drop_connection()
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
            os.replace(self.path, target)
            for suffix in ("-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.replace(f"{self.path}{suffix}", f"{target}{suffix}")
            self.moved_aside.append(target)
            self._generation += 1
            log.error(
                "cache %s is damaged (%s); moved it to %s and started a fresh cache",
                self.path,
                exc,
                target.name,
            )

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            with contextlib.suppress(sqlite3.Error):
                connection.close()
        self._local.connection = None

    def _connect(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None and getattr(self._local, "generation", 0) != self._generation:
            self._drop_connection()
            connection = None
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA busy_timeout=30000")
            try:
                connection.execute(_SCHEMA)
            except sqlite3.Error:
                connection.close()
                raise
            self._local.connection = connection
            self._local.generation = self._generation
        return connection

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            row = self._guard(
                lambda: (
                    self._connect()
                    .execute("SELECT payload FROM results WHERE key = ?", (key,))
                    .fetchone()
                )
            )
        except sqlite3.OperationalError as exc:
            if "decode" not in str(exc):
                raise CacheError(f"cannot read cache {self.path}: {exc}") from exc
            # Garbage inside one row's text: that entry is a miss, and is replaced.
            log.debug("cache %s: damaged entry %s is a miss: %s", self.path, key[:12], exc)
            return None
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
            self._guard(lambda: self._write(key, payload, serialized))
        except sqlite3.Error as exc:
            raise CacheError(f"cannot write cache {self.path}: {exc}") from exc

    def _write(self, key: str, payload: dict[str, Any], serialized: str) -> None:
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

    def delete(self, key: str) -> None:
        self._guard(lambda: self._connect().execute("DELETE FROM results WHERE key = ?", (key,)))

    def stats(self) -> dict[str, Any]:
        try:
            return self._guard(self._stats)
        except sqlite3.Error as exc:
            raise CacheError(f"cannot read cache {self.path}: {exc}") from exc

    def _stats(self) -> dict[str, Any]:
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
        """Delete every entry; a damaged file is set aside instead (0 removed)."""
        try:
            return self._guard(self._clear)
        except sqlite3.Error as exc:
            raise CacheError(f"cannot clear cache {self.path}: {exc}") from exc

    def _clear(self) -> int:
        connection = self._connect()
        # quick_check first: DELETE can succeed on a damaged file without reading it all.
        check = connection.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {check[0] if check else 'no answer'}")
        removed: int = connection.execute("DELETE FROM results").rowcount
        connection.execute("VACUUM")
        return removed

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


CacheSetting = bool | str | os.PathLike[str] | Cache | None


def open_cache(setting: CacheSetting, configured: str | None) -> Cache | None:
    """The cache a setting names: True is the configured file (else the user cache
    directory's), False/None no cache, a path that file, a :class:`Cache` itself."""
    if isinstance(setting, Cache):
        return setting
    if setting is None or setting is False:
        return None
    if setting is True:
        return Cache(configured or default_cache_path())
    return Cache(setting)
