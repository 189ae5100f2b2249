"""The writer: output files and index lines that are whole or absent, never partial.

* Output files go through a temp file in the same folder and a rename, so a crash,
  ``kill -9`` or a full disk never leaves a partial file. The temp name is short, so
  any name the file system accepts as input also works for its output.
* Index lines are appended with one ``write`` each; a failed or short write is cut
  back to the last whole line, so ``index.jsonl`` never ends in half a line.
* Out-of-space and I/O errors are :class:`DiskError`: they stop the run (every later
  write would fail too) instead of failing each remaining article in turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import itertools
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from summarizer.errors import SummarizerError
from summarizer.output.result import Result

# Errors that mean the output disk, not this one article, is the problem.
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG, errno.EROFS})
# Longest file name in bytes on the usual file systems (ext4, xfs, btrfs, apfs, ntfs).
NAME_MAX = 255
_OUTPUT_SUFFIX = ".json"
_temp_numbers = itertools.count()


class DiskError(SummarizerError):
    """Writing the output failed for a reason every later write shares (disk full, I/O)."""


def is_disk_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in DISK_ERRNOS


def output_name(relative: str) -> str:
    """``a/b.txt`` → ``a/b.txt.json``: keeps ``b.txt`` and ``b.html`` apart.

    Relative to the output folder; it is also the index's ``output`` field. A name
    too long for the suffix is shortened and given a hash of the full name, so two
    long names never share an output.
    """
    folder, _, name = relative.rpartition("/")
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) + len(_OUTPUT_SUFFIX) > NAME_MAX:
        digest = hashlib.sha256(encoded).hexdigest()[:16]
        keep = NAME_MAX - len(_OUTPUT_SUFFIX) - len(digest) - 1
        short = encoded[:keep].decode("utf-8", "ignore")
        name = f"{short}~{digest}"
    return f"{folder}/{name}{_OUTPUT_SUFFIX}" if folder else f"{name}{_OUTPUT_SUFFIX}"


def _write_file(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file in the same folder and rename: never a partial file."""
    # pid + a process-wide counter: unique without mkstemp's extra system calls, and
    # short, so it fits wherever the final name fits.
    temp = path.with_name(f".tmp-{os.getpid()}-{next(_temp_numbers)}")
    try:
        try:
            _write_file(temp, text)
        except FileNotFoundError:
            # The folder is made only when missing: a mkdir per file, and the stat
            # behind exist_ok, were a tenth of the writer thread's profile samples.
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_file(temp, text)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def already_written(target: Path, result: Result) -> bool:
    """Whether ``target`` already holds this brief for this article.

    A rerun served from the cache then leaves the file alone (its provenance keeps
    recording when and how the brief was made); reading is much cheaper than an
    atomic rewrite, which is most of a warm rerun's cost.
    """
    try:
        written = json.loads(target.read_bytes())
    except (OSError, ValueError, RecursionError):
        return False
    return bool(
        isinstance(written, dict)
        and written.get("summary") == result.brief
        and written.get("article") == result.article.identity()
        and written.get("provenance", {}).get("model") == result.provenance["model"]
        and written.get("warnings") == result.warnings
    )


class OutputWriter:
    """Writes output files on one background thread.

    Creating a file is mostly system calls, and on some machines it costs more than
    all the rest of an article's client-side work (0.05 to 0.9 ms per file on the
    benchmark machine, see bench/bench_batch.py). On the event loop that time stalls
    every request in flight; on a thread it runs while the loop goes on, because
    Python releases the GIL around system calls. One thread is enough: more only
    added kernel time in measurements.
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summarizer-writer")

    async def write(self, target: Path, result: Result, serialized: str | None) -> None:
        """Write ``result`` to ``target``; ``serialized`` is its JSON when already made."""
        if serialized is None:
            # A rerun's check that the file already holds this brief stays on the
            # loop: it is a small read, cheaper than the trip to the thread and back.
            if result.cache_hit and already_written(target, result):
                return
            # Compact JSON: the indenting encoder is pure Python and dominated warm reruns.
            serialized = json.dumps(result.to_dict(), ensure_ascii=False)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, _call_write_atomic, target, serialized + "\n")

    def close(self) -> None:
        """Wait for the writes already queued, then stop the thread."""
        self._executor.shutdown(wait=True)


def _call_write_atomic(target: Path, text: str) -> None:
    # Looked up at call time, so a test can wrap write_atomic in this module.
    write_atomic(target, text)


class IndexFile:
    """``index.jsonl``, appended one whole line at a time.

    One ``write`` per line (no buffer to lose on ``kill -9``); when a write fails or
    comes up short, the file is cut back to the end of the last whole line and the
    error is raised as :class:`DiskError`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        self._size = 0
        # False once a write failed: later lines are not tried (the run is stopping).
        self.intact = True

    def append(self, line: str) -> None:
        # A name with bytes that are not UTF-8 becomes a \udcXX escape: valid JSON that
        # json.loads turns back into Python's name for the file.
        data = line.encode("utf-8", "backslashreplace")
        try:
            written = os.write(self._fd, data)
            while written < len(data):
                more = os.write(self._fd, data[written:])
                if more == 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                written += more
        except OSError as exc:
            self.intact = False
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._size)
                os.lseek(self._fd, self._size, os.SEEK_SET)
            raise DiskError(f"{self.path}: cannot write: {exc.strerror or exc}") from exc
        self._size += len(data)

    def close(self) -> None:
        os.close(self._fd)


def write_report(path: Path, report: dict[str, Any]) -> str | None:
    """Write ``report.json``; when the disk cannot take it, print it on stderr instead
    (the user must still learn what happened) and return the reason."""
    text = json.dumps(report, indent=2) + "\n"
    try:
        write_atomic(path, text)
    except OSError as exc:
        sys.stderr.write(
            f"summarizer: error: {path}: cannot write the report "
            f"({exc.strerror or exc}); here it is:\n{text}"
        )
        return " ".join(str(exc.strerror or exc).split())
    return None
