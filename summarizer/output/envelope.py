"""The result envelope around a validated brief: its provenance, its warnings, and
the same envelope rebuilt for another article from a cached payload.

Kept apart from the pipeline so every route to a result (one request, a long
article's merge, a provider batch line, a cache hit) assembles it the same way.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from summarizer.cache import PIPELINE_VERSION
from summarizer.input.loader import is_decoding_warning
from summarizer.output.result import Brief, Result
from summarizer.output.schema import schema_version
from summarizer.output.validate import ArticleIndex, Validation, check_brief, drop_ungrounded

if TYPE_CHECKING:
    from summarizer.backends import Backend, CallStats
    from summarizer.input.article import Article
    from summarizer.prompting.prompt import PromptTemplate


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def make_provenance(
    backend: Backend,
    template: PromptTemplate | None,
    *,
    mode: str,
    stats: CallStats,
    reasks: int,
    started: float,
) -> dict[str, Any]:
    """What made a result: backend, prompt (None when the backend does not read it),
    versions, usage, attempts and time."""
    return {
        "model": backend.model,
        "endpoint": backend.endpoint,
        "mode": mode,
        "analyzer": backend.analyzer(),
        "prompt": None if template is None else template.provenance(),
        "summary_schema_version": schema_version("summary"),
        "pipeline_version": PIPELINE_VERSION,
        "usage": {
            "prompt_tokens": stats.prompt_tokens,
            "completion_tokens": stats.completion_tokens,
            "total_tokens": stats.prompt_tokens + stats.completion_tokens,
        },
        "attempts": stats.attempts,
        "reasks": reasks,
        "retries": dict(stats.retries),
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
        "cache_hit": False,
        "created_at": _now(),
    }


def finish_result(
    article: Article, validation: Validation, provenance: dict[str, Any], strict: bool
) -> Result:
    """The envelope of a validated brief; ``strict`` drops claims whose evidence is not
    in the article instead of only warning about them."""
    warnings = list(article.warnings) + validation.grounding
    if strict:
        warnings += drop_ungrounded(validation)
    assert validation.brief is not None
    brief: Brief = validation.brief  # type: ignore[assignment]
    return Result(
        article=article,
        brief=brief,
        evidence_spans=validation.spans,
        provenance=provenance,
        warnings=warnings,
    )


def cached_for(payload: dict[str, Any], article: Article) -> Result:
    """A schema-valid cached payload as this article's result (a cache hit)."""
    # Spans are recomputed against this article, so offsets can never go stale.
    validation = check_brief(payload["summary"], ArticleIndex(article.text))
    payload["evidence_spans"] = [span.to_dict() for span in validation.spans]
    # Warnings belong to each file: this file's decoding warnings, not the ones of
    # the file whose result was cached.
    payload["warnings"] = list(article.warnings) + [
        w for w in payload["warnings"] if not is_decoding_warning(w)
    ]
    result = Result.from_dict(payload, article)
    return result.for_article(article, cache_hit=True)
