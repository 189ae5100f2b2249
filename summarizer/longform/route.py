"""The pipeline's one entry into long-article handling: one request, or parts.

Kept apart from :mod:`.run` so that importing the pipeline does not import the
merge code, which only long articles need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from summarizer.backends import AttemptGate
from summarizer.errors import ContextExceeded
from summarizer.longform.plan import plan_article

if TYPE_CHECKING:
    from summarizer.input.article import Article
    from summarizer.output.result import Result
    from summarizer.pipeline import Summarizer


async def summarize_fitting(
    summarizer: Summarizer, article: Article, gate: AttemptGate | None
) -> Result:
    """The article in one request when it fits the backend's context, else split into
    parts and merged; also when the server refuses it naming a smaller context."""
    plan = await plan_article(
        article, summarizer.backend, summarizer.template, summarizer.generation,
        summarizer.max_reasks,
    )  # fmt: skip
    if plan is None:
        try:
            return await summarizer._generate(article, gate)
        except ContextExceeded:
            # The server serves less than we knew, and said how much: split to fit.
            plan = await plan_article(
                article, summarizer.backend, summarizer.template, summarizer.generation,
                summarizer.max_reasks,
            )  # fmt: skip
            if plan is None:
                raise
    from summarizer.longform.run import summarize_long

    return await summarize_long(summarizer, article, plan, gate)
