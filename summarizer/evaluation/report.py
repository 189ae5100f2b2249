"""Summed counts turned into rates, and the table ``summarizer eval`` prints.

Every metric carries its numerator and denominator, and a metric with a zero
denominator is ``None`` ("not measurable"), never 0 or 1.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from .scoring import ArticleScore
from .textmatch import ratio

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
        rate("uncertain_sentence_recall", "uncertain-sentence recall (a cue in it)",
             "unc_gold_hit", "unc_gold"),
        rate("uncertain_sentence_precision", "  flagged sentences that are uncertain",
             "unc_flagged_hit", "unc_flagged"),
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
        rate("page_dump_leak_rate", "page-dump leaks (quotes not in the human article text)",
             "ref_leaks", "ref_quotes"),
        Metric("seconds_median", "seconds per article (median)",
               statistics.median(seconds) if seconds else None, None, len(seconds), "seconds"),
        Metric("seconds_mean", "seconds per article (mean)",
               statistics.fmean(seconds) if seconds else None, None, len(seconds), "seconds"),
    ]
    return EvalReport(set_name, scores, metrics)


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
