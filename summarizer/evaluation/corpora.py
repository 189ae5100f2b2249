"""Converters from the real corpora (PolNeAR, GUM, ...) to gold records, and the named sets.

The corpora's article texts are copyrighted: they are read in place from a data
folder given by the caller (``--data DIR`` or ``$SUMMARIZER_SHARED_DATA``), never
copied, and never looked for at a guessed path.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .gold import GoldArticle, GoldAttribution, GoldEntity, GoldError


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
