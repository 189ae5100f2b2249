"""Counts for one article: what a brief got right against its gold.

Counts, not rates: the report sums them over articles and divides once
(micro-averaging), so long articles with many claims weigh more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from summarizer.input.article import Article

from .gold import GoldArticle, GoldAttribution, GoldEntity
from .matching import claimant_matches, cues_match, entity_matches, rouge_l
from .textmatch import TextIndex, split_sentences


@dataclass
class ArticleScore:
    """Counts for one article; the report sums these (micro-averaging)."""

    id: str
    ok: bool = True
    error: str | None = None
    seconds: float | None = None
    counts: dict[str, float] = field(default_factory=dict)
    rouge_l_f1: float | None = None

    def add(self, key: str, value: float = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + value

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "ok": self.ok, "error": self.error, "seconds": self.seconds,
                "rouge_l_f1": self.rouge_l_f1, "counts": dict(self.counts)}


def _brief_of(output: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(envelope, brief) from what ``predict`` returned.

    Accepts the envelope dict, an object with ``to_dict()`` (a ``Result``), or a bare
    brief (what ``summarizer.offline.analyze`` returns), so the offline analyzer can be
    scored without the full pipeline.
    """
    if hasattr(output, "to_dict"):
        output = output.to_dict()
    if not isinstance(output, dict):
        raise TypeError(f"predict returned {type(output).__name__}, expected a dict")
    if isinstance(output.get("summary"), dict):
        return output, output["summary"]
    if "key_claims" in output:
        return {"summary": output, "evidence_spans": []}, output
    raise ValueError("predict returned neither a result envelope nor a brief")


def _list_of_dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _schema_valid(brief: dict[str, Any]) -> bool:
    from summarizer.output.schema import schema_errors  # jsonschema: a project dependency

    return not schema_errors(brief, "summary")


def score_article(
    gold: GoldArticle, article: Article, output: Any, *, min_salience: float = 3.0
) -> ArticleScore:
    """Every metric's counts for one article and one prediction."""
    envelope, brief = _brief_of(output)
    score = ArticleScore(gold.id)
    score.add("schema_valid", 1 if _schema_valid(brief) else 0)
    raw, cleaned = TextIndex(gold.raw_text), TextIndex(article.text)
    scale = len(raw.text) / max(len(cleaned.text), 1)

    stakeholders = {s.get("id"): s for s in _list_of_dicts(brief.get("stakeholders"))}
    hints = {
        s.get("claim_id"): s.get("start")
        for s in _list_of_dicts(envelope.get("evidence_spans"))
        if isinstance(s.get("start"), int)
    }

    # Evidence: grounding in the cleaned text, leaks, and position in the raw text.
    claims: list[tuple[tuple[int, int] | None, list[str]]] = []
    evidences: list[str] = []
    for claim in _list_of_dicts(brief.get("key_claims")):
        evidence = claim.get("evidence") if isinstance(claim.get("evidence"), str) else ""
        score.add("claims")
        in_cleaned = cleaned.find(evidence)
        if in_cleaned:
            score.add("grounded")
            score.add("grounded_exact", in_cleaned[2] == "exact")
        hint = hints.get(claim.get("id"))
        in_raw = raw.find(
            evidence, hint=None if hint is None else int(hint * scale), tolerant=True
        )
        if not in_cleaned:
            score.add("evidence_not_in_cleaned")
            score.add("evidence_from_boilerplate" if in_raw else "evidence_invented")
        span = (in_raw[0], in_raw[1]) if in_raw else None
        claims.append((span, _claimant_names(claim, stakeholders)))
        evidences.append(evidence)

    summary = brief.get("summary") if isinstance(brief.get("summary"), str) else ""
    for sentence in split_sentences(summary):
        score.add("summary_sentences")
        if raw.find(sentence) and not cleaned.find(sentence):
            score.add("summary_from_boilerplate")

    if gold.attributions is not None:
        _score_attributions(score, gold.attributions, claims)
    if gold.entities is not None:
        _score_stakeholders(score, gold.entities, stakeholders.values(), min_salience)
    predicted = {
        cue.strip().lower(): cue
        for item in _list_of_dicts((brief.get("uncertainty") or {}).get("items"))
        for cue in item.get("cues") or []
        if isinstance(cue, str) and cue.strip()
    }
    if gold.hedge_cues is not None:
        gold_cues = {c.text.strip().lower(): c.text for c in gold.hedge_cues}
        score.add("hedge_gold", len(gold_cues))
        score.add("hedge_pred", len(predicted))
        score.add("hedge_gold_hit", sum(
            any(cues_match(p, g) for p in predicted.values()) for g in gold_cues.values()))
        score.add("hedge_pred_hit", sum(
            any(cues_match(p, g) for g in gold_cues.values()) for p in predicted.values()))
    if gold.sentences is not None:
        _score_sentences(score, gold, list(predicted.values()))
    if gold.clean_text is not None:
        reference = TextIndex(gold.clean_text)
        for evidence in evidences:
            score.add("ref_quotes")
            if not reference.find(evidence, tolerant=True):
                score.add("ref_leaks")
    if gold.reference_summary:
        score.rouge_l_f1 = rouge_l(summary, gold.reference_summary)[2]
    return score


def _score_sentences(score: ArticleScore, gold: GoldArticle, cues: list[str]) -> None:
    """A sentence is flagged when one of the brief's cues occurs in it as whole words.

    Cues are strings without offsets, so a cue flags every sentence it occurs in: the
    flagged-precision count shows what that costs.
    """
    if not cues:
        pattern = None
    else:
        alts = "|".join(re.escape(c) for c in sorted(set(cues), key=len, reverse=True))
        pattern = re.compile(r"(?<!\w)(?:" + alts + r")(?!\w)", re.IGNORECASE)
    raw = gold.raw_text
    for sent in gold.sentences or []:
        flagged = pattern is not None and pattern.search(raw, sent.start, sent.end) is not None
        score.add("unc_gold", sent.uncertain)
        score.add("unc_gold_hit", sent.uncertain and flagged)
        score.add("unc_flagged", flagged)
        score.add("unc_flagged_hit", sent.uncertain and flagged)


def _claimant_names(claim: dict[str, Any], stakeholders: dict[Any, dict[str, Any]]) -> list[str]:
    """Names standing for who makes the claim; [] means the article itself asserts it.

    That is the claimant stakeholder's name (or the raw claimant string when it is not
    a known id) plus the claim's attribution text. A claim with a null claimant but an
    attribution ("Recent reports", "a military source") is attributed to an unnamed
    source, not asserted by the author, so its attribution text still counts.
    """
    names = []
    claimant = claim.get("claimant")
    if isinstance(claimant, str) and claimant.strip():
        holder = stakeholders.get(claimant)
        name = holder.get("name") if holder else claimant
        if isinstance(name, str) and name.strip():
            names.append(name)
    attribution = claim.get("attribution")
    if isinstance(attribution, str) and attribution.strip():
        names.append(attribution)
    return names


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Half-open spans share at least one character."""
    return max(a[0], b[0]) < min(a[1], b[1])


def _score_attributions(
    score: ArticleScore,
    gold: Sequence[GoldAttribution],
    claims: Sequence[tuple[tuple[int, int] | None, list[str]]],
) -> None:
    def hit(span: tuple[int, int] | None, names: list[str], g: GoldAttribution, full: bool) -> bool:
        if span is None or not overlaps(span, (g.content_start, g.content_end)):
            return False
        return not full or claimant_matches(names, g)

    score.add("attr_gold", len(gold))
    score.add("attr_pred", len(claims))
    for full, suffix in ((True, ""), (False, "_span")):
        score.add("attr_gold_hit" + suffix, sum(
            any(hit(span, names, g, full) for span, names in claims) for g in gold))
        score.add("attr_pred_hit" + suffix, sum(
            any(hit(span, names, g, full) for g in gold) for span, names in claims))


def _score_stakeholders(
    score: ArticleScore,
    entities: Sequence[GoldEntity],
    stakeholders: Iterable[dict[str, Any]],
    min_salience: float,
) -> None:
    salient = [e for e in entities if e.salience is None or e.salience >= min_salience]
    minor = [e for e in entities if e not in salient]
    names = [
        s["name"] for s in stakeholders if isinstance(s.get("name"), str) and s["name"].strip()
    ]
    score.add("stake_gold", len(salient))
    score.add("stake_gold_hit", sum(any(entity_matches(n, e) for n in names) for e in salient))
    for name in names:
        if any(entity_matches(name, e) for e in salient):
            score.add("stake_pred")
            score.add("stake_pred_hit")
        elif not any(entity_matches(name, e) for e in minor):
            score.add("stake_pred")  # a below-threshold gold entity is neutral
