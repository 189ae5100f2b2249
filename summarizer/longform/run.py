"""Summarising a long article: its parts concurrently, then one merged brief.

Each part is an article of its own to the pipeline: the same backend, the same
gate (request slots, budget, rate limits), its own cache key, so a rerun after a
failure pays only for the parts that did not finish. The merged brief is checked
like any brief (schema, grounding against the whole article) before it is
returned, and its provenance says how many parts it was made from.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from summarizer.backends import AttemptGate, CallStats
from summarizer.errors import OutputError, SummarizerError
from summarizer.input.article import Article
from summarizer.longform.merge import merge_parts
from summarizer.longform.plan import Plan
from summarizer.longform.summary import extractive_merge, model_merge, part_digest
from summarizer.offload import run_cpu
from summarizer.output.result import Result
from summarizer.output.schema import schema_errors
from summarizer.output.validate import ArticleIndex, check_brief, drop_ungrounded

if TYPE_CHECKING:
    from summarizer.pipeline import Summarizer


def part_articles(article: Article, plan: Plan) -> list[Article]:
    source = article.source or "article"
    return [
        Article(
            article.text[part.start : part.end],
            title=article.title if part.index == 0 else None,
            source=f"{source} (part {part.index + 1} of {plan.needed})",
        )
        for part in plan.parts
    ]


def _add_usage(stats: CallStats, result: Result) -> int:
    """Count a fresh part's calls into ``stats``; returns its re-asks."""
    if result.cache_hit:
        return 0  # paid for by an earlier run
    provenance = result.provenance
    stats.attempts += provenance["attempts"]
    stats.prompt_tokens += provenance["usage"]["prompt_tokens"]
    stats.completion_tokens += provenance["usage"]["completion_tokens"]
    stats.retries.update(provenance.get("retries", {}))
    return int(provenance["reasks"])


async def _run_parts(
    summarizer: Summarizer, articles: list[Article], gate: AttemptGate | None, stats: CallStats
) -> list[Result]:
    """All parts, at most ``concurrency`` at a time; the first failure fails the
    article, with every finished part's cost counted (and its result cached)."""
    slots = asyncio.Semaphore(summarizer.transport.concurrency)

    async def one(part: Article) -> Result:
        async with slots:
            return await summarizer.summarize_part(part, gate)

    tasks = [asyncio.ensure_future(one(part)) for part in articles]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException as exc:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for task in tasks:
            if not task.cancelled() and task.exception() is None:
                _add_usage(stats, task.result())
        if isinstance(exc, SummarizerError) and exc.stats is not None:
            failed = exc.stats
            stats.attempts += failed.attempts
            stats.prompt_tokens += failed.prompt_tokens
            stats.completion_tokens += failed.completion_tokens
            stats.retries.update(failed.retries)
            exc.stats = stats
        raise


async def summarize_long(
    summarizer: Summarizer, article: Article, plan: Plan, gate: AttemptGate | None
) -> Result:
    """One brief of ``article`` from its parts (see the module docstring)."""
    started = time.perf_counter()
    stats = CallStats()
    results = await _run_parts(summarizer, part_articles(article, plan), gate, stats)
    reasks = sum(_add_usage(stats, r) for r in results)
    warnings = list(article.warnings)
    for part, result in zip(plan.parts, results, strict=True):
        warnings += [f"part {part.index + 1}: {w}" for w in result.warnings]
    if plan.truncated:
        warnings.append(
            f"the article needs {plan.needed} parts, more than --max-chunks: only its first "
            f"part (characters 0 to {plan.parts[-1].end} of {len(article.text)}) was "
            "summarised (--long truncate)"
        )
    text = article.text
    brief, merge_warnings = await run_cpu(merge_parts, text, plan.parts, results)
    warnings += merge_warnings
    briefs = [r.brief for r in results]
    backend = summarizer.backend
    try:
        if len(results) == 1:
            headline, summary = briefs[0]["headline"], briefs[0]["summary"]
        elif backend.capabilities.reads_prompt:
            digest = part_digest(briefs, [(p.start, p.end) for p in plan.parts])
            merged, merge_reasks, errors = await model_merge(
                backend, article, digest, stats=stats, gate=gate, max_reasks=summarizer.max_reasks
            )
            reasks += merge_reasks
            if merged is None:
                headline, summary = extractive_merge(briefs)
                warnings.append(
                    "the merge call's answer stayed unusable "
                    f"({'; '.join(errors[:2])}): headline and summary are the parts' own"
                )
            else:
                headline, summary = merged
        else:
            headline, summary = extractive_merge(briefs)
    except SummarizerError as exc:
        exc.stats = stats  # the parts were paid for
        raise
    brief = {"headline": headline, "summary": summary, **brief}
    problems = schema_errors(brief, "summary")
    if problems:  # a merge bug, never the model's doing: say so rather than write it
        raise OutputError(f"{article.source}: the merged brief is invalid: {problems[0]}", problems)
    validation = await run_cpu(check_brief, brief, ArticleIndex(text))
    warnings += validation.grounding
    if summarizer.generation.strict_grounding:
        warnings += drop_ungrounded(validation)
    modes = [r.provenance["mode"] for r in results]
    provenance = summarizer._provenance(mode=modes[0], stats=stats, reasks=reasks, started=started)
    provenance["chunks"] = len(plan.parts)
    if plan.truncated:
        provenance["truncated_at"] = plan.parts[-1].end
    return Result(
        article=article,
        brief=validation.brief,  # type: ignore[arg-type]
        evidence_spans=validation.spans,
        provenance=provenance,
        warnings=list(dict.fromkeys(warnings)),
    )
