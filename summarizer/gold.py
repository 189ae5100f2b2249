"""Gold annotations for evaluation: one format, a loader, and converters for real corpora.

Why a format of our own: the corpora we score against (PolNeAR attributions, GUM
summaries and salient entities) and our hand-made seed annotation each store
who-said-what, entities and summaries differently. Converting them all to one small
record (:class:`GoldArticle`) lets :mod:`summarizer.evaluate` have a single scoring
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
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from summarizer.errors import SummarizerError

BUILTIN_SETS = ("seed", "gum-dev", "polnear-train")

_REPO = Path(__file__).resolve().parents[1]
# In the wheel the examples ship as summarizer/_data/examples (pyproject.toml), so
# ``summarizer eval seed`` works after ``pip install .``, not only in a checkout.
_EXAMPLES = Path(__file__).resolve().parent / "_data" / "examples"
SEED_GOLD = (_EXAMPLES if _EXAMPLES.is_dir() else _REPO / "examples") / "seed-article.gold.jsonl"

# Top-level keys a gold line may have. Unknown keys are rejected so that a typo
# ("attribution" for "attributions") cannot silently switch a layer off; keys starting
# with "x_" or "_" are free for notes.
_KEYS = frozenset(
    {"id", "article_path", "text", "title", "attributions", "entities", "hedge_cues",
     "reference_summary"}
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
    return gold


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


def _read_jsonl(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise GoldError(f"{path}: cannot read: {exc}") from exc
    with handle:
        for lineno, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield lineno, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise GoldError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from None


def polnear_gold(
    data_dir: str | os.PathLike[str], split: str = "train", limit: int | None = None
) -> list[GoldArticle]:
    """PolNeAR who-said-what as gold attributions, one annotator per article.

    Articles annotated by several people keep only their first annotation set (file
    order): mixing annotators would count one attribution several times. A source-less
    attribution (``source: null``) is the author's own assertion. Discontinuous content
    (several segments, or several content parts such as a quote split by "he said") is
    reduced to the overall start/end of all its segments, because claims are matched
    by span overlap; attributions with no content span at all are skipped. Articles
    come round-robin across publishers so that ``limit`` gives a balanced sample.
    """
    data_dir = Path(data_dir)
    rows: dict[str, list[tuple[int, dict[str, Any]]]] = {}  # publisher -> first sets
    seen: set[str] = set()
    for lineno, row in _read_jsonl(data_dir / "attributions.jsonl"):
        if row.get("split") != split or row["article_id"] in seen:
            continue
        seen.add(row["article_id"])
        rows.setdefault(str(row.get("publisher")), []).append((lineno, row))
    if not rows:
        raise GoldError(f"{data_dir}: no {split!r} articles in attributions.jsonl")
    # Round-robin over publishers, so that a --limit sample covers all of them rather
    # than the first publisher in file order.
    ordered = [
        group[i] for i in range(max(map(len, rows.values())))
        for group in rows.values() if i < len(group)
    ]
    return [_polnear_article(data_dir, split, lineno, row) for lineno, row in ordered[:limit]]


def _polnear_article(data_dir: Path, split: str, lineno: int, row: dict[str, Any]) -> GoldArticle:
    where = f"{data_dir / 'attributions.jsonl'}:{lineno}"
    path = data_dir / row["text_path"]
    if not path.is_file():  # PROVENANCE.md describes articles/<split>/<id>.txt
        path = data_dir / "articles" / split / f"{row['article_id']}.txt"
    if not path.is_file():
        raise GoldError(f"{where}: article text {row['text_path']!r} not found")
    gold = GoldArticle(id=row["article_id"], article_path=path.resolve(),
                       title=row.get("title"), origin=where)
    raw = gold.raw_text
    gold.attributions = []
    for attr in row["attributions"]:
        segments = [seg for part in attr.get("content") or [] for seg in part["segments"]]
        if not segments:
            continue
        start = min(s for s, _ in segments)
        end = max(e for _, e in segments)
        source = attr.get("source")
        cue = attr.get("cue")
        gold.attributions.append(
            GoldAttribution(
                source=source["text"] if source else None,
                cue=cue["text"] if cue else None,
                content_start=start,
                content_end=end,
                content=raw[start:end],
            )
        )
    return gold


# GUM entity types that can be stakeholders; places only when wikified (countries,
# cities acting as governments), since unnamed places ("land", "the lab") cannot be.
GUM_STAKEHOLDER_TYPES = ("person", "organization", "place")

def _wordset(words: str) -> frozenset[str]:
    """Whitespace-separated word list as a set (keeps long lists readable)."""
    return frozenset(words.split())


_PRONOUNS = _wordset(
    """i me my mine we us our ours you your yours he him his she her hers it its they
    them their theirs this that these those who whom which what one"""
)
_DETERMINERS = ("the ", "a ", "an ")


def _proper_name_like(text: str) -> bool:
    """A mention usable as an alias: capitalised after any article, not a pronoun.

    Long descriptive mentions (more than six words) are left out: as aliases they
    would let unrelated names match by containment.
    """
    stripped = text.strip()
    lower = stripped.lower()
    for det in _DETERMINERS:
        if lower.startswith(det):
            stripped = stripped[len(det):]
            break
    words = stripped.split()
    if not words or len(words) > 6:
        return False
    head = re.split(r"['\u2019]", words[0])[0].lower()  # "I've" -> "i"
    if len(words) == 1 and head in _PRONOUNS:
        return False
    return stripped[0].isupper() and any(ch.isalpha() for ch in stripped)


def _identity_name(identity: str) -> str:
    """``"Georgia_(country)"`` -> ``"Georgia"``: Wikipedia title as a plain name."""
    return re.sub(r"\s*\(.*\)$", "", unquote(identity).replace("_", " ")).strip()


def gum_gold(
    data_dir: str | os.PathLike[str],
    *,
    min_salience: float = 3,
    types: tuple[str, ...] = GUM_STAKEHOLDER_TYPES,
) -> list[GoldArticle]:
    """GUM documents as gold: human summary, salient stakeholders, RST attributions.

    * ``reference_summary`` is ``summary1`` only when it is human-written; the other
      summaries are mostly LLM output and must not be scored as gold.
    * ``entities`` are salient entities with ``score_0_5 >= min_salience`` whose type can
      be a stakeholder (person/organization, and wikified places); the name is the
      Wikipedia identity or else the first mention, aliases are every proper-name-like
      mention of the entity (GUM's PROVENANCE: match against all mentions).
    * ``attributions`` come from ``attributions_rst``: the source is the attributing
      clause (source + cue, e.g. "Jeff Rathke, the State Department Spokesperson,
      said,"), the content span is the head EDU. ``content_edus_approx`` is not used
      because it is a heuristic that over-extends. EDU offsets include trailing
      whitespace, which is trimmed so the span slices exactly to the EDU text.
    """
    data_dir = Path(data_dir)
    out: list[GoldArticle] = []
    for lineno, doc in _read_jsonl(data_dir / "annotations.jsonl"):
        where = f"{data_dir / 'annotations.jsonl'}:{lineno}"
        path = data_dir / doc["text_path"]
        if not path.is_file():
            raise GoldError(f"{where}: article text {doc['text_path']!r} not found")
        gold = GoldArticle(id=doc["doc_id"], article_path=path.resolve(),
                           title=doc.get("title"), origin=where)
        raw = gold.raw_text
        for summary in doc.get("summaries", []):
            if summary.get("key") == "summary1" and summary.get("human_written"):
                gold.reference_summary = summary["text"]

        mentions = {e["entity_id"]: e.get("mentions", []) for e in doc.get("entities", [])}
        by_name: dict[str, GoldEntity] = {}  # GUM splits some entities (same identity)
        for ent in doc.get("salient_entities", []):
            if ent["score_0_5"] < min_salience or ent.get("type") not in types:
                continue
            if ent.get("type") == "place" and not ent.get("identity"):
                continue
            name = _identity_name(ent["identity"]) if ent.get("identity") else ent["first_mention"]
            aliases: list[str] = []
            for m in [{"text": ent["first_mention"]}, *mentions.get(ent["entity_id"], [])]:
                alias = m["text"].strip()
                if _proper_name_like(alias) and alias != name and alias not in aliases:
                    aliases.append(alias)
            if name in by_name:  # merge: keep the higher score, union the aliases
                old = by_name[name]
                aliases = [*old.aliases, *(a for a in aliases if a not in old.aliases)]
                score = max(old.salience or 0.0, float(ent["score_0_5"]))
            else:
                score = float(ent["score_0_5"])
            by_name[name] = GoldEntity(name=name, aliases=tuple(aliases), salience=score,
                                       type=ent.get("type"))
        gold.entities = list(by_name.values())

        gold.attributions = []
        for rel in doc.get("attributions_rst", []):
            head, source = rel.get("content_head_edu"), rel.get("attributing_edu")
            if not head or head.get("start") is None or head.get("end") is None:
                continue
            start, end = _trim_span(raw, head["start"], head["end"], head["text"])
            gold.attributions.append(
                GoldAttribution(
                    source=source["text"].strip() if source else None,
                    content_start=start,
                    content_end=end,
                    content=raw[start:end],
                )
            )
        out.append(gold)
    if not out:
        raise GoldError(f"{data_dir}: no documents in annotations.jsonl")
    return out


def _trim_span(raw: str, start: int, end: int, text: str) -> tuple[int, int]:
    """Shrink ``[start, end)`` to where ``text`` sits inside it (EDUs carry whitespace)."""
    at = raw.find(text.strip(), start, end)
    if at < 0:
        return start, end
    return at, at + len(text.strip())


def _shared_candidates(shared_dir: str | os.PathLike[str] | None) -> list[Path]:
    """Where the corpora may be: the given folder (``shared/data`` or its parent
    ``shared``), else ``$SUMMARIZER_SHARED_DATA``, else ``../shared/data`` beside the
    checkout or beside / inside the working folder."""
    if shared_dir is not None:
        return [Path(shared_dir), Path(shared_dir) / "data"]
    env = os.environ.get("SUMMARIZER_SHARED_DATA")
    if env:
        return [Path(env), Path(env) / "data"]
    cwd = Path.cwd()
    return [_REPO.parent / "shared" / "data", cwd.parent / "shared" / "data",
            cwd / "shared" / "data"]


def builtin_gold(name: str, shared_dir: str | os.PathLike[str] | None = None) -> list[GoldArticle]:
    """A named gold set: ``seed`` (in the repo), ``gum-dev`` or ``polnear-train``."""
    if name == "seed":
        if not SEED_GOLD.is_file():
            raise GoldError(f"seed gold {SEED_GOLD} is missing (it ships with the repository)")
        return load_gold(SEED_GOLD)
    if name not in BUILTIN_SETS:
        raise GoldError(f"unknown gold set {name!r}; built-in sets: {', '.join(BUILTIN_SETS)}")
    candidates = _shared_candidates(shared_dir)
    for base in candidates:
        folder = base / name
        if folder.is_dir():
            return polnear_gold(folder) if name == "polnear-train" else gum_gold(folder)
    looked = ", ".join(str(base / name) for base in candidates)
    raise GoldError(f"{name}: corpus folder not found (looked at {looked}); pass the shared "
                    "data folder")
