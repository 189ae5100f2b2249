"""Gold annotations for evaluation: one format, a loader, and converters for real corpora.

Why a format of our own: the corpora we score against (PolNeAR attributions, GUM
summaries and salient entities) and our hand-made seed annotation each store
who-said-what, entities and summaries differently. Converting them all to one small
record (:class:`GoldArticle`) lets :mod:`summarizer.evaluation` have a single scoring
path. Every layer is optional, and a layer that is *absent* (``None``) is different
from one that is *empty* (``[]``): absent means "not annotated, do not score", empty
means "annotated, and there is nothing", which matters for precision.

Offsets in gold are character offsets into the RAW article text as stored (file bytes
decoded as UTF-8, nothing stripped or normalised), because that is what the corpora
annotate. The pipeline's offsets are into the *cleaned* text; the evaluator bridges the
two (see ``docs/eval.md``).

The corpora's article texts are copyrighted: converters read them from the shared
data folder at run time and nothing here copies them anywhere.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.errors import SummarizerError

# Top-level keys a gold line may have. Unknown keys are rejected so that a typo
# ("attribution" for "attributions") cannot silently switch a layer off; keys starting
# with "x_" or "_" are free for notes.
_KEYS = frozenset(
    {"id", "article_path", "text", "title", "attributions", "entities", "hedge_cues",
     "reference_summary", "sentences", "clean_text", "clean_text_path"}
)


class GoldError(SummarizerError):
    """A gold file or corpus could not be read; the message names the file and line."""


@dataclass(frozen=True)
class GoldAttribution:
    """Who (``source``; None = the author's own assertion) claimed the raw-text span."""

    source: str | None
    content_start: int
    content_end: int
    source_aliases: tuple[str, ...] = ()
    cue: str | None = None
    content: str | None = None


@dataclass(frozen=True)
class GoldEntity:
    """A salient entity; ``salience`` on GUM's 0-5 scale (None = treat as salient)."""

    name: str
    aliases: tuple[str, ...] = ()
    salience: float | None = None
    type: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class GoldHedgeCue:
    text: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class GoldSentence:
    """A sentence of the raw text, judged certain or uncertain (FactBank's layer)."""

    start: int
    end: int
    uncertain: bool


@dataclass
class GoldArticle:
    """One annotated article. Exactly one of ``article_path`` / ``text`` is set.

    ``None`` layers are not annotated (not scored); ``[]`` layers are annotated-empty.
    """

    id: str
    article_path: Path | None = None
    text: str | None = None
    title: str | None = None
    attributions: list[GoldAttribution] | None = None
    entities: list[GoldEntity] | None = None
    hedge_cues: list[GoldHedgeCue] | None = None
    reference_summary: str | None = None
    # Every sentence with a certain/uncertain judgement (uncertain-sentence recall).
    sentences: list[GoldSentence] | None = None
    # The human-extracted article body of a page dump (the page-dump leak figure).
    clean_text: str | None = None
    origin: str = ""  # "file:line" or corpus name, for error messages
    _raw: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def raw_text(self) -> str:
        """The text gold offsets refer to: ``text``, or the file decoded as UTF-8 as-is.

        Bytes are decoded without newline translation so ``\\r\\n`` files keep their
        offsets (text-mode reading would shift every offset after the first line).
        """
        if self._raw is None:
            if self.text is not None:
                self._raw = self.text
            else:
                assert self.article_path is not None
                try:
                    self._raw = self.article_path.read_bytes().decode("utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise GoldError(
                        f"{self.origin}: cannot read {self.article_path}: {exc}"
                    ) from exc
        return self._raw


# --------------------------------------------------------------------------- loading


def _fail(where: str, reason: str) -> GoldError:
    return GoldError(f"{where}: {reason}")


def _str(obj: dict[str, Any], key: str, where: str, *, nullable: bool = False) -> str | None:
    value = obj.get(key)
    if value is None:
        if nullable or key not in obj:
            return None
        raise _fail(where, f"{key!r} must be a string, not null")
    if not isinstance(value, str):
        raise _fail(where, f"{key!r} must be a string, got {type(value).__name__}")
    return value


def _int(obj: dict[str, Any], key: str, where: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _fail(where, f"{key!r} must be a non-negative integer, got {value!r}")
    return value


def _str_list(obj: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"{key!r} must be a list of strings")
    return tuple(value)


def _list(record: dict[str, Any], key: str, where: str) -> list[Any] | None:
    if key not in record or record[key] is None:
        return None
    value = record[key]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _fail(where, f"{key!r} must be a list of objects")
    return value


def _parse_record(record: Any, base: Path, where: str, default_id: str) -> GoldArticle:
    if not isinstance(record, dict):
        raise _fail(where, f"expected a JSON object, got {type(record).__name__}")
    unknown = sorted(k for k in record if k not in _KEYS and not k.startswith(("x_", "_")))
    if unknown:
        raise _fail(where, f"unknown key(s) {unknown}; allowed: {sorted(_KEYS)}")
    path_value = _str(record, "article_path", where)
    text = _str(record, "text", where)
    if (path_value is None) == (text is None):
        raise _fail(where, "needs exactly one of 'article_path' or 'text'")
    article_path = None
    if path_value is not None:
        article_path = (base / path_value).resolve()
        if not article_path.is_file():
            raise _fail(where, f"article_path {path_value!r} not found (looked at {article_path})")
    gold = GoldArticle(
        id=_str(record, "id", where) or default_id,
        article_path=article_path,
        text=text,
        title=_str(record, "title", where, nullable=True),
        reference_summary=_str(record, "reference_summary", where, nullable=True),
        origin=where,
    )
    raw = gold.raw_text
    n = len(raw)

    items = _list(record, "attributions", where)
    if items is not None:
        gold.attributions = []
        for i, item in enumerate(items):
            at = f"{where}: attributions[{i}]"
            if "source" not in item:
                raise _fail(at, "'source' is required (null for the author's own assertion)")
            start, end = _int(item, "content_start", at), _int(item, "content_end", at)
            if start is None or end is None:
                raise _fail(at, "'content_start' and 'content_end' are required")
            if not start < end <= n:
                raise _fail(at, f"span [{start}, {end}) is empty or outside the text ({n} chars)")
            content = _str(item, "content", at)
            if content is not None and raw[start:end] != content:
                raise _fail(
                    at, f"'content' does not match the text at [{start}, {end}): "
                    f"text has {raw[start:end][:60]!r}, content is {content[:60]!r}"
                )
            gold.attributions.append(
                GoldAttribution(
                    source=_str(item, "source", at, nullable=True),
                    source_aliases=_str_list(item, "source_aliases", at),
                    cue=_str(item, "cue", at, nullable=True),
                    content_start=start,
                    content_end=end,
                    content=content,
                )
            )

    items = _list(record, "entities", where)
    if items is not None:
        gold.entities = []
        for i, item in enumerate(items):
            at = f"{where}: entities[{i}]"
            name = _str(item, "name", at)
            if not name:
                raise _fail(at, "'name' is required")
            salience = item.get("salience")
            if salience is not None and (
                isinstance(salience, bool) or not isinstance(salience, (int, float))
            ):
                raise _fail(at, f"'salience' must be a number, got {salience!r}")
            gold.entities.append(
                GoldEntity(
                    name=name,
                    aliases=_str_list(item, "aliases", at),
                    salience=None if salience is None else float(salience),
                    type=_str(item, "type", at, nullable=True),
                )
            )

    items = _list(record, "hedge_cues", where)
    if items is not None:
        gold.hedge_cues = []
        for i, item in enumerate(items):
            at = f"{where}: hedge_cues[{i}]"
            cue = _str(item, "text", at)
            if not cue:
                raise _fail(at, "'text' is required")
            start, end = _int(item, "start", at), _int(item, "end", at)
            if (start is None) != (end is None):
                raise _fail(at, "give both 'start' and 'end' or neither")
            if start is not None and end is not None and raw[start:end] != cue:
                raise _fail(at, f"text at [{start}, {end}) is {raw[start:end]!r}, not {cue!r}")
            gold.hedge_cues.append(GoldHedgeCue(cue, start, end))

    items = _list(record, "sentences", where)
    if items is not None:
        gold.sentences = []
        for i, item in enumerate(items):
            at = f"{where}: sentences[{i}]"
            start, end = _int(item, "start", at), _int(item, "end", at)
            if start is None or end is None or not 0 <= start < end <= n:
                raise _fail(at, f"needs 'start' < 'end' inside the text ({n} chars)")
            if not isinstance(item.get("uncertain"), bool):
                raise _fail(at, "'uncertain' must be true or false")
            gold.sentences.append(GoldSentence(start, end, item["uncertain"]))
    gold.clean_text = _clean_text(record, base, where)
    return gold


def _clean_text(record: dict[str, Any], base: Path, where: str) -> str | None:
    """The reference article body, given inline or as a path beside the gold file."""
    inline, path_value = _str(record, "clean_text", where), _str(record, "clean_text_path", where)
    if inline is not None and path_value is not None:
        raise _fail(where, "give 'clean_text' or 'clean_text_path', not both")
    if path_value is None:
        return inline
    try:
        return (base / path_value).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(where, f"cannot read clean_text_path {path_value!r}: {exc}") from exc


def load_gold(path: str | os.PathLike[str]) -> list[GoldArticle]:
    """Read a gold JSONL file; ``article_path`` is relative to the file's folder.

    Every offset is checked against the article text now, so a bad annotation fails
    loudly with its file and line instead of silently scoring zero later.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read gold file: {exc}") from exc
    out: list[GoldArticle] = []
    seen: set[str] = set()
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _fail(where, f"invalid JSON ({exc.msg} at column {exc.colno})") from None
        gold = _parse_record(record, path.parent, where, default_id=f"{path.stem}:{lineno}")
        if gold.id in seen:
            raise _fail(where, f"duplicate id {gold.id!r}")
        seen.add(gold.id)
        out.append(gold)
    if not out:
        raise GoldError(f"{path}: no gold articles in file")
    return out


# ------------------------------------------------------------------------ converters
