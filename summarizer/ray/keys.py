"""``OUT/.summarizer-keys.jsonl``: which generation key made each output a Ray run wrote.

Why: a cluster has no shared cache, so a rerun decides what is already done from the
output folder itself. An output counts as done only for the same key (article text,
model, endpoint, prompt, schema and options), exactly the cache's rule. Lines are
appended as outputs are written (one ``write`` each), so a killed run's work still
counts; the file is rewritten with one line per output at the end of a run. Hidden,
so no folder walk reads it as an article.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from summarizer.batch.writer import write_atomic
from summarizer.errors import SummarizerError

log = logging.getLogger("summarizer")

KEYS_NAME = ".summarizer-keys.jsonl"


class KeyFile:
    """``id -> (output, key)`` of the outputs in one folder."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / KEYS_NAME
        self.out_dir = out_dir
        self.added: dict[str, tuple[str, str]] = {}
        self._fd: int | None = None

    def read(self) -> dict[str, tuple[str, str]]:
        """Earlier runs' entries whose output file still exists."""
        done: dict[str, tuple[str, str]] = {}
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return done
        except OSError as exc:
            raise SummarizerError(f"{self.path}: cannot read: {exc}") from None
        for line in text.splitlines():
            try:
                entry = json.loads(line)
                done[str(entry["id"])] = (str(entry["output"]), str(entry["key"]))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a crash: that output is simply redone
        return {rid: v for rid, v in done.items() if (self.out_dir / v[0]).is_file()}

    def open(self) -> None:
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)

    def add(self, rid: str, output: str, key: str) -> None:
        """Record a written output; raises ``OSError`` when the line cannot be written."""
        self.added[rid] = (output, key)
        line = json.dumps({"id": rid, "output": output, "key": key}, ensure_ascii=False)
        assert self._fd is not None
        os.write(self._fd, (line + "\n").encode("utf-8", "surrogateescape"))

    def close(self, earlier: dict[str, tuple[str, str]]) -> None:
        """Close, then rewrite with one line per output, this run's entries winning."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        merged = {**earlier, **self.added}
        text = "".join(
            json.dumps({"id": rid, "output": name, "key": key}, ensure_ascii=False) + "\n"
            for rid, (name, key) in merged.items()
        )
        try:
            write_atomic(self.path, text)
        except OSError as exc:  # the appended lines still hold every key
            log.error("%s: cannot compact: %s", self.path, exc)
