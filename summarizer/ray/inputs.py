"""What ``summarizer run --engine ray`` reads: a folder, a JSONL file, or Parquet.

Why the kind comes from the name: a URI on object storage cannot be listed cheaply
before Ray reads it, and a folder of Parquet files looks like any other folder.
``*.jsonl`` is JSON Lines, ``*.parquet`` (a file or a folder) is Parquet, both read
by Ray itself (local paths or any URI Ray reads: ``s3://``, ``gs://``, ...); any
other local folder is a folder of article files, walked on the driver exactly as a
one-machine run walks it, so every entry gets the same verdict. Its files are read
by the actors, so on a cluster the folder must be at the same path on every node
(a shared file system); put corpora on object storage as JSONL or Parquet instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.batch.report import Outcome
from summarizer.batch.walk import walk_entries
from summarizer.errors import ConfigError
from summarizer.input.loader import SUPPORTED_SUFFIXES
from summarizer.ray.rows import PATH_COLUMN

# Rows per block of a folder input: small enough that every actor gets blocks early
# and a retried block redoes little; the ledger makes redoing cheap anyway.
ROWS_PER_BLOCK = 64


@dataclass
class Source:
    """The input as a Dataset, with what the driver already knows about it.

    ``verdicts``: outcomes decided on the driver (walk verdicts, unsupported types);
    ``ids``: every id sent to Ray when the driver listed them (a folder), so that a
    run cut short can still give each one a line; ``count``: rows in the dataset,
    when known or counted.
    """

    kind: str  # folder, jsonl or parquet
    dataset: Any
    local_path: Path | None
    verdicts: list[Outcome] = field(default_factory=list)
    ids: list[str] | None = None
    count: int | None = None


def is_uri(text: str) -> bool:
    return "://" in text


def input_kind(text: str) -> str:
    """``folder``, ``jsonl`` or ``parquet``; a one-line error for anything else."""
    name = text.rstrip("/").lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".jsonl"):
        return "jsonl"
    if not is_uri(text) and Path(text).is_dir():
        return "folder"
    if not is_uri(text) and not Path(text).exists():
        raise ConfigError(f"{text}: no such file or folder")
    raise ConfigError(
        f"{text}: not a folder, a .jsonl file or a .parquet file or folder "
        "(the kind is read from the name)"
    )


def open_input(
    text: str,
    out_dir: Path,
    patterns: list[str],
    *,
    count: bool,
    blocks: int = 1,
) -> Source:
    """The input as a :class:`Source`; ``count`` counts a dataset's rows first (for a
    progress bar: Parquet reads only its footers, JSONL is read once more); a folder
    is cut into at least ``blocks`` blocks, so that every actor gets work."""
    import ray

    kind = input_kind(text)
    local = None if is_uri(text) else Path(text)
    if kind == "folder":
        assert local is not None
        return _folder(local, out_dir, patterns, blocks)
    # Ray may read fewer blocks than asked (one per file or row group at most).
    if kind == "parquet":
        dataset = ray.data.read_parquet(text, override_num_blocks=blocks)
    else:
        dataset = ray.data.read_json(text, lines=True, override_num_blocks=blocks)
    return Source(kind, dataset, local, count=dataset.count() if count else None)


def _folder(root: Path, out_dir: Path, patterns: list[str], blocks: int) -> Source:
    """Walk on the driver; the actors read each file by its path."""
    import ray

    verdicts: list[Outcome] = []
    items: list[dict[str, str]] = []
    for entry in walk_entries(root, patterns, out_dir.resolve()):
        if entry.fail is not None or entry.skip is not None:
            status = "failed" if entry.fail is not None else "skipped"
            verdicts.append(Outcome(entry.relative, status, entry.fail or entry.skip))
        elif entry.path.suffix.lower() not in SUPPORTED_SUFFIXES:
            reason = f"unsupported file type {entry.path.suffix or '(none)'!r}"
            verdicts.append(Outcome(entry.relative, "skipped", reason))
        else:
            items.append({"id": entry.relative, PATH_COLUMN: os.fspath(entry.path)})
    if items:
        blocks = min(len(items), max(blocks, -(-len(items) // ROWS_PER_BLOCK)))
        dataset = ray.data.from_items(items, override_num_blocks=blocks)
    else:
        dataset = None
    ids = [item["id"] for item in items]
    return Source("folder", dataset, root, verdicts, ids, count=len(ids))
