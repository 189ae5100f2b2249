"""The output-folder lock: one run per output folder at a time.

Why: two runs writing one folder interleave ``index.jsonl``, pay for the same
articles twice and both report success. An ``fcntl`` lock is released by the kernel
when its holder exits, even after ``kill -9``, so a crash never leaves a stale lock;
the lock file also says who holds it, so the second run can tell the user.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path

from summarizer.config import redact_argv
from summarizer.errors import SummarizerError

LOCK_NAME = ".summarizer.lock"  # hidden: the walk never reads it as an article


class OutputLocked(SummarizerError):
    """Another run holds the output folder."""


class OutputFolderError(SummarizerError):
    """``--out`` cannot be used: inside the input folder, or under a file."""


def prepare_output(input_dir: Path, out_dir: Path) -> None:
    """Check ``out_dir`` against ``input_dir`` and create it, with one-line errors.

    Why refuse an output folder inside the input folder: a rerun would read its own
    outputs as articles (and the walk's exclusion is fragile across symlinks).
    """
    source, target = input_dir.resolve(), out_dir.resolve()
    if target == source or source in target.parents:
        raise OutputFolderError(
            f"--out {out_dir}: is inside the input folder {input_dir}; a rerun would read "
            "its own outputs as articles: choose a folder outside it"
        )
    for folder in (out_dir, *out_dir.parents):
        if folder.exists() and not folder.is_dir():
            raise OutputFolderError(f"--out {out_dir}: {folder} is a file, not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFolderError(
            f"--out {out_dir}: cannot create the folder: {exc.strerror or exc}"
        ) from None


class OutputLock:
    """Hold ``LOCK_NAME`` in ``folder`` from :meth:`acquire` to :meth:`release`."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe(self.path)
            os.close(fd)
            raise OutputLocked(
                f"{self.path.parent}: output folder is in use by another run ({holder}); "
                "wait for it to finish or choose another --out"
            ) from None
        except OSError:
            os.close(fd)
            raise
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "command": " ".join(redact_argv(sys.argv)),
        }
        with contextlib.suppress(OSError):  # who holds it is informative, not essential
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps(holder) + "\n").encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing releases the lock
            self._fd = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _describe(path: Path) -> str:
    """``pid 123 on host, started ..., command ...`` from the lock file, as far as readable."""
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
        return (
            f"pid {holder['pid']} on {holder['host']}, started {holder['started']}: "
            f"{holder['command']}"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown"
