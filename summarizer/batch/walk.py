"""The folder walk: every entry under the input folder, each with what to do with it.

Why every entry gets a verdict: a user counting files in the input folder must find
each one in ``index.jsonl``, as done, skipped (with why) or failed (with why). A
symlink loop, a broken link, a FIFO (which blocks the reader forever), a socket, a
device or an unreadable folder is reported, never silently dropped or crashed on.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# What the walk says about entries that are not regular files, by file type.
_SPECIAL = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


@dataclass(frozen=True)
class Entry:
    """One walked entry. ``skip``/``fail`` hold the one-line reason, or None for a file
    to summarise."""

    path: Path
    relative: str
    skip: str | None = None
    fail: str | None = None


def _matches(relative: str, name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p) for p in patterns)


def _classify(entry: os.DirEntry[str]) -> tuple[str, str | None, str | None]:
    """``(kind, skip, fail)``: kind is ``dir``, ``file`` or ``other``."""
    try:
        if entry.is_dir(follow_symlinks=False):
            return "dir", None, None
        if entry.is_file(follow_symlinks=False):
            return "file", None, None  # from the folder listing: no stat call
        mode = os.stat(entry.path).st_mode  # follows a symlink to what it names
    except FileNotFoundError:
        return "other", None, "broken symbolic link (its target does not exist)"
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            return "other", None, "symbolic link loop"
        return "other", None, f"cannot read: {exc.strerror or type(exc).__name__}"
    if stat.S_ISREG(mode):
        return "file", None, None
    if stat.S_ISDIR(mode):
        return "other", "symbolic link to a folder (not followed)", None
    kind = _SPECIAL.get(stat.S_IFMT(mode), "not a regular file")
    return "other", f"{kind}, not a regular file", None


def walk_entries(root: Path, patterns: list[str], exclude: Path | None = None) -> Iterator[Entry]:
    """Entries under ``root`` matching any glob, depth first in name order, streamed.

    Hidden files and folders are ignored, and so is ``exclude`` (the output folder).
    Relative paths are cut from the scanned path (``os.path.relpath`` asks for the
    working directory on every call, which showed up in warm-rerun profiles).
    """
    prefix = len(os.path.join(str(root), ""))
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            relative = folder[prefix:].replace(os.sep, "/") or "."
            reason = exc.strerror or type(exc).__name__
            yield Entry(Path(folder), relative + "/", fail=f"cannot read folder: {reason}")
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relative = entry.path[prefix:].replace(os.sep, "/")
            kind, skip, fail = _classify(entry)
            if kind == "dir":
                if exclude is None or Path(entry.path).resolve() != exclude:
                    subfolders.append(entry.path)
            elif _matches(relative, entry.name, patterns):
                yield Entry(Path(entry.path), relative, skip, fail)
        stack.extend(reversed(subfolders))


def walk(
    root: Path, patterns: list[str], exclude: Path | None = None
) -> Iterator[tuple[Path, str]]:
    """``(path, relative path)`` of the regular files :func:`walk_entries` finds."""
    for entry in walk_entries(root, patterns, exclude):
        if entry.skip is None and entry.fail is None:
            yield entry.path, entry.relative
