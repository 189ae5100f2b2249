"""Headline and summary of a long article, from its part briefs.

A model writes them in one extra call over the part briefs (``prompts/merge.md``),
never over the text again: the parts already read it, and the briefs fit any
context. A backend that does not read prompts (the offline analyzer) gets the
extractive merge instead: the first part's headline and summary, which in news
lead with what matters, followed by the lead sentence of later parts.
"""

from __future__ import annotations

import re
from typing import Any

from summarizer.backends import AttemptGate, Backend, CallStats, Request
from summarizer.input.article import Article
from summarizer.longform.settings import settings
from summarizer.output.validate import parse_json
from summarizer.prompting.prompt import load_prompt

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")


def part_digest(briefs: list[dict[str, Any]], spans: list[tuple[int, int]]) -> str:
    """The part briefs as the merge call reads them: short, in article order."""
    per_part = settings().merge_claims_per_part
    blocks = []
    for number, (brief, (start, end)) in enumerate(zip(briefs, spans, strict=True), 1):
        lines = [
            f"Part {number} of {len(briefs)} (characters {start} to {end})",
            f"Headline: {brief['headline']}",
            f"Summary: {brief['summary']}",
        ]
        claims = brief["key_claims"][:per_part]
        if claims:
            lines.append("Key claims:")
            lines += [f"- {c['statement']} ({c['certainty']})" for c in claims]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def extractive_merge(briefs: list[dict[str, Any]]) -> tuple[str, str]:
    """The offline merge: part 1's headline; its summary plus later parts' leads."""
    limit = settings().summary_max_words
    summary = briefs[0]["summary"].strip()
    later = briefs[1:]
    if later:
        # The middle and the end, not just the next part: at most two more leads.
        picks = sorted({len(later) // 2, len(later) - 1})
        for index in picks:
            lead = _SENTENCE_END.split(later[index]["summary"].strip(), maxsplit=1)[0]
            if lead and len((summary + " " + lead).split()) <= limit and lead not in summary:
                summary = f"{summary} {lead}"
    return briefs[0]["headline"], summary


def _problems(content: str, finish_reason: str | None) -> tuple[tuple[str, str] | None, list[str]]:
    if finish_reason == "length":
        return None, ["the answer stopped at the output limit; answer with a shorter JSON object"]
    value, problem = parse_json(content)
    if problem:
        return None, [problem]
    if not isinstance(value, dict):
        return None, ["the answer must be a JSON object"]
    errors = [
        f"$.{name}: a non-empty string is required"
        for name in ("headline", "summary")
        if not isinstance(value.get(name), str) or not value[name].strip()
    ]
    if errors:
        return None, errors
    return (" ".join(value["headline"].split()), value["summary"].strip()), []


async def model_merge(
    backend: Backend,
    article: Article,
    digest: str,
    *,
    stats: CallStats,
    gate: AttemptGate | None,
    max_reasks: int,
) -> tuple[tuple[str, str] | None, int, list[str]]:
    """``((headline, summary) or None, re-asks, last errors)`` from the merge call."""
    template = load_prompt("merge")
    followups: list[dict[str, str]] = []

    def render(mode: str) -> list[dict[str, str]]:
        return template.render(digest, include_schema=mode != "json_schema") + followups

    source = f"{article.source or 'article'} (merge of parts)"
    request = Request(Article(digest, title=article.title, source=source), render)
    reasks = 0
    while True:
        completion = await backend.complete(request, stats, gate)
        merged, errors = _problems(completion.content, completion.finish_reason)
        if merged is not None or reasks >= max_reasks:
            return merged, reasks, errors
        reasks += 1
        followups += [
            {"role": "assistant", "content": completion.content},
            template.reask(errors),
        ]
