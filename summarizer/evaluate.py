"""Scoring briefs against gold annotations (``docs/eval.md`` explains every rule).

Why the harness does its own text matching instead of trusting the envelope's
``evidence_spans``: the spans are produced by the system under test, and a harness
that believes them cannot catch a grounding bug. Every quote is re-located here, in
the cleaned text (grounding, boilerplate leaks) and in the RAW text (gold offsets
refer to the raw file, and cleaning shifts offsets, so a predicted quote is mapped to
gold by finding it again in the raw text, tolerant of whitespace, quote marks,
dashes, case and "..." elisions).

Metrics are micro-averaged (counts summed over articles, then divided) so that long
articles with many claims weigh more than one-claim articles; every metric carries
its numerator and denominator, and a metric with a zero denominator is ``None``
("not measurable"), never 0 or 1. The metric code uses only the standard library.
"""

from __future__ import annotations

import re
import statistics
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.article import Article
from summarizer.gold import (
    BUILTIN_SETS,
    GoldArticle,
    GoldAttribution,
    GoldEntity,
    GoldError,
    builtin_gold,
    load_gold,
)
from summarizer.validate import EQUIVALENT_CHARACTERS

Predict = Callable[[Article], Any]

# ------------------------------------------------------------------- text location

# The grounding check's table of interchangeable quote marks, dashes and spaces:
# the harness must locate quotes the same way validation accepted them.
_EQUIVALENT = EQUIVALENT_CHARACTERS
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\s*){3}\]|\.\.\.|\u2026)\s*")
_WRAPPING = "\"'\u201c\u201d\u2018\u2019 \n\t"


def _normalize(text: str, fold_case: bool) -> tuple[str, list[int]]:
    """Variants unified, whitespace runs collapsed, and each output char's source index."""
    chars: list[str] = []
    origin: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        if not char.isascii() and unicodedata.category(char) == "Cf":
            continue  # soft hyphens, zero-width spaces, BOMs: cleaning drops them
        mapped = char.translate(_EQUIVALENT)
        if mapped.isspace():
            if previous_space:
                continue
            mapped, previous_space = " ", True
        else:
            previous_space = False
        if fold_case:
            lowered = mapped.lower()
            mapped = lowered if len(lowered) == len(mapped) else mapped  # keep offsets 1:1
        if not mapped.isascii():
            # Compare base letters only: a raw file may hold "A" + combining tilde where
            # the cleaned (NFC) text holds "\u00c3"; both become "A".
            mapped = "".join(
                c for c in unicodedata.normalize("NFD", mapped) if not unicodedata.combining(c)
            )
        for piece in mapped:
            chars.append(piece)
            origin.append(index)
    return "".join(chars), origin


def _all_occurrences(haystack: str, needle: str) -> list[int]:
    out, at = [], haystack.find(needle)
    while at >= 0:
        out.append(at)
        at = haystack.find(needle, at + 1)
    return out


class TextIndex:
    """A text prepared once for repeated tolerant look-ups of quotes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._norm = _normalize(text, fold_case=False)
        self._folded = _normalize(text, fold_case=True)

    def find(
        self, quote: str, *, hint: int | None = None, tolerant: bool = False
    ) -> tuple[int, int, str] | None:
        """``(start, end, how)`` of ``quote`` in the text, or None.

        ``how`` is ``exact`` or ``normalized`` (whitespace, quote-mark and dash
        variants, combining accents, invisible format characters); with ``tolerant``
        also ``folded`` (case-insensitive) and ``elided`` (fragments around "..." found
        in order). When a quote occurs several times the
        occurrence nearest ``hint`` (a position in this text) wins.
        """
        candidate = quote.strip()
        if not candidate:
            return None
        hits = _all_occurrences(self.text, candidate)
        if hits:
            start = _nearest(hits, hint)
            return start, start + len(candidate), "exact"
        found = self._find_normalized(candidate, self._norm, False, hint)
        if found:
            return (*found, "normalized")
        if not tolerant:
            return None
        found = self._find_normalized(candidate, self._folded, True, hint)
        if found:
            return (*found, "folded")
        fragments = [f for f in _ELLIPSIS.split(candidate) if len(f.strip(_WRAPPING)) >= 3]
        if len(fragments) < 2:
            return None
        spans: list[tuple[int, int]] = []
        for fragment in fragments:
            floor = spans[-1][1] if spans else None
            piece = self._find_normalized(fragment, self._folded, True, floor, after=floor)
            if piece is None:
                return None
            spans.append(piece)
        return spans[0][0], spans[-1][1], "elided"

    @staticmethod
    def _find_normalized(
        quote: str,
        index: tuple[str, list[int]],
        fold_case: bool,
        hint: int | None,
        after: int | None = None,
    ) -> tuple[int, int] | None:
        normalized, origin = index
        needle = _normalize(quote.strip(_WRAPPING), fold_case)[0].strip()
        if not needle:
            return None
        hits = _all_occurrences(normalized, needle)
        if after is not None:
            hits = [h for h in hits if origin[h] >= after]
        if not hits:
            return None
        by_origin = {origin[h]: h for h in hits}
        at = by_origin[_nearest(list(by_origin), hint)]
        return origin[at], origin[at + len(needle) - 1] + 1


def _nearest(positions: list[int], hint: int | None) -> int:
    if hint is None:
        return positions[0]
    return min(positions, key=lambda p: (abs(p - hint), p))


# ------------------------------------------------------------------- name matching

def _wordset(words: str) -> frozenset[str]:
    """Whitespace-separated word list as a set (keeps long lists readable)."""
    return frozenset(words.split())


_STOPWORDS = _wordset(
    """the a an of and or in on at for to from by with 's s de del la le von van der"""
)
_PRONOUNS = _wordset(
    """i me my we us our you your he him his she her they them their it its this that
    these those who one"""
)
_FIRST_PERSON = _wordset("i me my we us our")
# Titles and roles that precede a name; dropped before comparing person names.
_TITLES = _wordset(
    """mr mrs ms mx dr prof professor president vice prime minister sen senator rep
    representative gov governor secretary gen general col lt sgt capt adm chancellor
    king queen prince princess pope rev sir dame lord lady judge justice mayor
    spokesperson spokesman spokeswoman leader chief chairman chairwoman ceo founder
    attorney ambassador commander premier"""
)
# Words too generic to identify an entity on their own ("Department" must not match
# "State Department", "North" must not match "North Korea").
_GENERIC = _wordset(
    """department ministry party government office council committee house university
    college school news times post press campaign group association agency service
    services forces force army military state states people church center centre
    foundation court bank union commission administration company corporation corp inc
    ltd co organization organisation institute national international federal world
    united new north south east west northern southern eastern western central
    officials official sources source experts expert analysts report reports media
    team staff members member city country region"""
)


def name_tokens(name: str) -> list[str]:
    """Lower-case word tokens, accents and possessives removed, leading article dropped."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['\u2019]s\b", "", text.lower())
    tokens = re.findall(r"[^\W_]+", text)
    while tokens and tokens[0] in ("the", "a", "an"):
        tokens = tokens[1:]
    return tokens


def _contains(longer: list[str], shorter: list[str]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _distinctive(tokens: Iterable[str]) -> bool:
    return any(t not in _GENERIC and t not in _TITLES and t not in _STOPWORDS for t in tokens)


def names_match(a: str, b: str) -> bool:
    """Whether two names plausibly denote the same entity.

    Rules, on :func:`name_tokens` (case, punctuation, accents, possessives, leading
    article ignored): equal; or, with titles dropped ("President Zelensky"), one is a
    contiguous run of the other's tokens ("Putin" / "Vladimir Putin", "Kim" / "Kim Jong
    Un") provided the run has a distinctive, non-generic word; or same last name and
    same first name or initial ("Hillary Clinton" / "Hillary Rodham Clinton").
    """
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    sa = [t for t in ta if t not in _TITLES] or ta
    sb = [t for t in tb if t not in _TITLES] or tb
    if sa == sb:
        return _distinctive(sa)
    shorter, longer = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    if _contains(longer, shorter) and _distinctive(shorter):
        return True
    return (
        len(sa) >= 2
        and len(sb) >= 2
        and sa[-1] == sb[-1]
        and sa[-1] not in _GENERIC
        and len(sa[-1]) >= 3
        and (sa[0] == sb[0] or (min(len(sa[0]), len(sb[0])) == 1 and sa[0][0] == sb[0][0]))
    )


def token_overlap(a: str, b: str) -> float:
    """Share of ``a``'s content words found in ``b`` (0 when they share only generic words).

    Used for attribution sources, which are often descriptions ("a military source in
    Russia's Far East") or whole clauses (GUM: "Jeff Rathke, the State Department
    Spokesperson, said,") rather than names.
    """
    ta = {t for t in name_tokens(a) if t not in _STOPWORDS and t not in _PRONOUNS}
    tb = {t for t in name_tokens(b) if t not in _STOPWORDS and t not in _PRONOUNS}
    shared = ta & tb
    if not ta or not _distinctive(shared):
        return 0.0
    return len(shared) / len(ta)


def entity_matches(name: str, entity: GoldEntity) -> bool:
    """A predicted stakeholder name against a gold entity's name and aliases."""
    return any(names_match(name, candidate) for candidate in entity.names)


def claimant_matches(pred_names: Sequence[str], gold: GoldAttribution) -> bool:
    """Whether a claim's claimant agrees with a gold attribution's source.

    ``pred_names`` are the claimant stakeholder's name and the claim's own attribution
    text; empty means the article itself asserts the claim (null claimant and null
    attribution). A null gold source
    (the author's own assertion) matches only a null claimant; a first-person source
    ("I", "we") also matches a null claimant, since in news and opinion text that is
    usually the author. A source that is nothing but pronouns ("he", "they") cannot be
    resolved without coreference, so any named claimant is accepted (lenient, stated in
    docs/eval.md). Otherwise a name must match the source or an alias by
    :func:`names_match`, or share at least half its content words (:func:`token_overlap`).
    """
    if gold.source is None:
        return not pred_names
    source_tokens = name_tokens(gold.source)
    if not pred_names:
        return bool(source_tokens) and all(t in _FIRST_PERSON for t in source_tokens)
    if source_tokens and all(t in _PRONOUNS for t in source_tokens):
        return True
    for name in pred_names:
        for candidate in (gold.source, *gold.source_aliases):
            if names_match(name, candidate) or token_overlap(name, candidate) >= 0.5:
                return True
    return False


# ------------------------------------------------------------------- other metrics


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Longest common subsequence length, O(len(a)*len(b)) time, O(len(b)) memory."""
    if not a or not b:
        return 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(candidate: str, reference: str) -> tuple[float, float, float]:
    """ROUGE-L ``(precision, recall, F1)`` on lower-cased word tokens (no stemming).

    Summary-level LCS over the whole text (not per-sentence union LCS): the briefs'
    summaries are 2-5 sentences, where the difference is small, and this keeps the
    definition one line long. F1 is the balanced F (beta = 1).
    """
    cand, ref = _words(candidate), _words(reference)
    lcs = lcs_length(cand, ref)
    if lcs == 0:
        return 0.0, 0.0, 0.0
    precision, recall = lcs / len(cand), lcs / len(ref)
    return precision, recall, 2 * precision * recall / (precision + recall)


def _stem(token: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    return token


def cues_match(predicted: str, gold: str) -> bool:
    """Hedge cues match when their crudely stemmed word sequences agree or one contains
    the other ("suggest" / "suggests", "highly likely" / "likely" / "is highly likely")."""
    a = [_stem(t) for t in _words(predicted)]
    b = [_stem(t) for t in _words(gold)]
    if not a or not b:
        return False
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return _contains(longer, shorter)


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or None when nothing could be measured."""
    return numerator / denominator if denominator else None


_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """A deliberately simple splitter: good enough to check summary sentences for leaks."""
    out, start = [], 0
    for boundary in _SENTENCE_END.finditer(text):
        out.append(text[start : boundary.end()].strip())
        start = boundary.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


# ------------------------------------------------------------------------- scoring


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
    from summarizer.schema import schema_errors  # jsonschema: a project dependency

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

    summary = brief.get("summary") if isinstance(brief.get("summary"), str) else ""
    for sentence in split_sentences(summary):
        score.add("summary_sentences")
        if raw.find(sentence) and not cleaned.find(sentence):
            score.add("summary_from_boilerplate")

    if gold.attributions is not None:
        _score_attributions(score, gold.attributions, claims)
    if gold.entities is not None:
        _score_stakeholders(score, gold.entities, stakeholders.values(), min_salience)
    if gold.hedge_cues is not None:
        predicted = {
            cue.strip().lower(): cue
            for item in _list_of_dicts((brief.get("uncertainty") or {}).get("items"))
            for cue in item.get("cues") or []
            if isinstance(cue, str) and cue.strip()
        }
        gold_cues = {c.text.strip().lower(): c.text for c in gold.hedge_cues}
        score.add("hedge_gold", len(gold_cues))
        score.add("hedge_pred", len(predicted))
        score.add("hedge_gold_hit", sum(
            any(cues_match(p, g) for p in predicted.values()) for g in gold_cues.values()))
        score.add("hedge_pred_hit", sum(
            any(cues_match(p, g) for g in gold_cues.values()) for p in predicted.values()))
    if gold.reference_summary:
        score.rouge_l_f1 = rouge_l(summary, gold.reference_summary)[2]
    return score


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


# -------------------------------------------------------------------------- report


@dataclass(frozen=True)
class Metric:
    """One table row: ``value`` is None when the denominator is zero."""

    key: str
    label: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    unit: str = "rate"  # rate | count | seconds | score

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "value": self.value, "numerator": self.numerator,
                "denominator": self.denominator, "unit": self.unit}


@dataclass
class EvalReport:
    """Aggregated metrics plus the per-article scores they came from."""

    set_name: str
    articles: list[ArticleScore]
    metrics: list[Metric] = field(default_factory=list)

    @property
    def failed(self) -> list[ArticleScore]:
        return [a for a in self.articles if not a.ok]

    def metric(self, key: str) -> Metric:
        for m in self.metrics:
            if m.key == key:
                return m
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "set": self.set_name,
            "articles": len(self.articles),
            "failed": len(self.failed),
            "errors": [{"id": a.id, "error": a.error} for a in self.failed],
            "metrics": {m.key: m.to_dict() for m in self.metrics},
            "per_article": [a.to_dict() for a in self.articles],
        }


def _aggregate(set_name: str, scores: list[ArticleScore]) -> EvalReport:
    ok = [s for s in scores if s.ok]
    total: dict[str, float] = {}
    for s in ok:
        for key, value in s.counts.items():
            total[key] = total.get(key, 0) + value

    def rate(key: str, label: str, num: str, den: str) -> Metric:
        n, d = total.get(num, 0), total.get(den, 0)
        return Metric(key, label, ratio(n, d), n, d)

    rouges = [s.rouge_l_f1 for s in ok if s.rouge_l_f1 is not None]
    seconds = [s.seconds for s in scores if s.seconds is not None]
    leaks = total.get("evidence_not_in_cleaned", 0) + total.get("summary_from_boilerplate", 0)
    checked = total.get("claims", 0) + total.get("summary_sentences", 0)
    metrics = [
        Metric("articles_scored", "articles scored", len(ok), len(ok), len(scores), "count"),
        Metric("articles_failed", "articles failed", len(scores) - len(ok),
               len(scores) - len(ok), len(scores), "count"),
        Metric("schema_valid_rate", "schema-valid rate (failed count as invalid)",
               ratio(total.get("schema_valid", 0), len(scores)),
               total.get("schema_valid", 0), len(scores)),
        rate("grounding_rate", "grounding rate (evidence in cleaned text)", "grounded", "claims"),
        rate("grounding_exact_rate", "  of which verbatim", "grounded_exact", "claims"),
        rate("attribution_recall", "attribution recall (span + claimant)",
             "attr_gold_hit", "attr_gold"),
        rate("attribution_precision", "attribution precision (span + claimant)",
             "attr_pred_hit", "attr_pred"),
        rate("attribution_recall_span", "attribution recall (span only)",
             "attr_gold_hit_span", "attr_gold"),
        rate("attribution_precision_span", "attribution precision (span only)",
             "attr_pred_hit_span", "attr_pred"),
        rate("stakeholder_recall", "salient-stakeholder recall", "stake_gold_hit", "stake_gold"),
        rate("stakeholder_precision", "salient-stakeholder precision",
             "stake_pred_hit", "stake_pred"),
        rate("hedge_recall", "hedge-cue recall", "hedge_gold_hit", "hedge_gold"),
        rate("hedge_precision", "hedge-cue precision", "hedge_pred_hit", "hedge_pred"),
        Metric("rouge_l_f1", "ROUGE-L F1 (mean over articles)",
               statistics.fmean(rouges) if rouges else None, None, len(rouges), "score"),
        Metric("boilerplate_leaks", "boilerplate leaks (quotes + summary sentences)",
               leaks, leaks, checked, "count"),
        Metric("evidence_from_boilerplate", "  evidence only in raw text (boilerplate)",
               total.get("evidence_from_boilerplate", 0),
               total.get("evidence_from_boilerplate", 0), total.get("claims", 0), "count"),
        Metric("evidence_invented", "  evidence in neither text (invented)",
               total.get("evidence_invented", 0), total.get("evidence_invented", 0),
               total.get("claims", 0), "count"),
        Metric("summary_from_boilerplate", "  summary sentences from boilerplate",
               total.get("summary_from_boilerplate", 0), total.get("summary_from_boilerplate", 0),
               total.get("summary_sentences", 0), "count"),
        Metric("seconds_median", "seconds per article (median)",
               statistics.median(seconds) if seconds else None, None, len(seconds), "seconds"),
        Metric("seconds_mean", "seconds per article (mean)",
               statistics.fmean(seconds) if seconds else None, None, len(seconds), "seconds"),
    ]
    return EvalReport(set_name, scores, metrics)


def _load(gold: GoldArticle) -> Article:
    from summarizer.loader import article_from_text, load_article  # a colleague's module

    if gold.article_path is not None:
        return load_article(gold.article_path)
    assert gold.text is not None
    return article_from_text(gold.text, title=gold.title, source=gold.id)


def evaluate(
    gold: Sequence[GoldArticle],
    predict: Predict,
    *,
    limit: int | None = None,
    min_salience: float = 3.0,
    set_name: str = "",
) -> EvalReport:
    """Run ``predict`` on each gold article (first ``limit``) and score the results.

    ``predict`` returns the result envelope (``Result.to_dict()``), a ``Result``, or a
    bare brief. An article whose loading, prediction or scoring raises is recorded as
    failed with its error and the run continues: one bad article must not hide the
    numbers of the other few hundred.
    """
    scores: list[ArticleScore] = []
    for item in list(gold)[:limit] if limit is not None else gold:
        stage = "load"
        seconds = None
        try:
            article = _load(item)
            stage = "predict"
            started = time.perf_counter()
            output = predict(article)
            seconds = time.perf_counter() - started
            stage = "score"
            score = score_article(item, article, output, min_salience=min_salience)
        except Exception as exc:  # recorded per article, never fatal to the run
            score = ArticleScore(item.id, ok=False, error=f"{stage}: {type(exc).__name__}: {exc}")
        score.seconds = seconds
        scores.append(score)
    return _aggregate(set_name, scores)


def run_eval(
    set_name_or_path: str,
    predict: Predict,
    *,
    shared_dir: Path | None = None,
    limit: int | None = None,
) -> EvalReport:
    """What ``summarizer eval SET`` calls: a gold file path or a built-in set name."""
    path = Path(set_name_or_path)
    if path.is_file():
        gold = load_gold(path)
    elif set_name_or_path in BUILTIN_SETS:
        gold = builtin_gold(set_name_or_path, shared_dir)
    else:
        raise GoldError(
            f"{set_name_or_path}: neither a gold file nor a built-in set "
            f"({', '.join(BUILTIN_SETS)})"
        )
    return evaluate(gold, predict, limit=limit, set_name=str(set_name_or_path))


def _format_value(metric: Metric) -> str:
    if metric.value is None:
        return "n/a"
    if metric.unit == "count":
        return f"{metric.value:g}"
    if metric.unit == "seconds":
        return f"{metric.value:.3f} s"
    return f"{metric.value:.3f}"


def _format_n(metric: Metric) -> str:
    if metric.denominator is None:
        return ""
    if metric.numerator is None:
        return f"{metric.denominator:g}"
    return f"{metric.numerator:g}/{metric.denominator:g}"


def format_table(report: EvalReport) -> str:
    """Aligned plain-text table (metric, value, n) with failed articles listed below."""
    rows = [("metric", "value", "n")] + [
        (m.label, _format_value(m), _format_n(m)) for m in report.metrics
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"gold set: {report.set_name}"] if report.set_name else []
    for i, (label, value, n) in enumerate(rows):
        lines.append(f"{label:<{widths[0]}}  {value:>{widths[1]}}  {n:>{widths[2]}}".rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    for failure in report.failed[:10]:
        lines.append(f"failed {failure.id}: {failure.error}")
    if len(report.failed) > 10:
        lines.append(f"... and {len(report.failed) - 10} more failed articles")
    return "\n".join(lines)
