"""Deciding whether an article must be split, and into which parts.

The decision reads only what the backend says it can do (its context window and
tokenizer, or for a backend without a window the longest text it analyses in one
piece), never which backend it is. A part's room is the window minus the output
allowance, minus the prompt's own tokens (instructions and, where the endpoint
does not enforce it, the schema), minus room for one re-ask's copy of the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from summarizer.backends import Backend
from summarizer.backends.base import context_window
from summarizer.errors import ArticleError, ArticleTooLong
from summarizer.input.article import Article
from summarizer.longform.settings import settings
from summarizer.longform.split import Part, split_text
from summarizer.offload import run_cpu
from summarizer.options import GenerationOptions
from summarizer.prompting.prompt import PromptTemplate
from summarizer.prompting.tokens import count_message_tokens, get_encoding, load_encoding

# The smallest room worth splitting into: below it a part holds a sentence or two.
MIN_PART_TOKENS = 256


class TooManyParts(ArticleError):
    """The article needs more parts than ``--max-chunks`` allows."""


@dataclass(frozen=True)
class Plan:
    """How one article is summarised in parts.

    ``parts`` are the parts that will be summarised; ``needed`` is how many the
    whole article takes (more than ``len(parts)`` when ``--long truncate`` cut it).
    ``unit``/``budget``: what a part was measured in and its room.
    """

    parts: list[Part]
    needed: int
    unit: str
    budget: int

    @property
    def truncated(self) -> bool:
        return self.needed > len(self.parts)


_overheads: dict[tuple[str, str, bool, str], int] = {}


def _include_schema(modes: tuple[str, ...]) -> bool:
    # The largest prompt the backend may send: with the schema, unless only strict
    # json_schema mode is possible (the endpoint then enforces it).
    return any(mode != "json_schema" for mode in modes)


def prompt_overhead(template: PromptTemplate, modes: tuple[str, ...], tokenizer: str) -> int:
    """Tokens of the prompt around the article (counted once per prompt and mode)."""
    include_schema = _include_schema(modes)
    key = (template.id, template.sha256, include_schema, tokenizer)
    if key not in _overheads:
        messages = template.render("", include_schema=include_schema)
        _overheads[key] = count_message_tokens(messages, tokenizer)
    return _overheads[key]


def part_room(window: int, overhead: int, generation: GenerationOptions, max_reasks: int) -> int:
    """Tokens a part's text may take: the window minus the output allowance, the
    prompt around it, and (when re-asks are allowed) room for one re-ask's copy of
    the previous answer."""
    allowance = generation.max_output_tokens
    reserve = min(allowance, settings().reask_reserve_tokens) if max_reasks else 0
    return window - allowance - overhead - reserve


def plan_by_tokens(
    article: Article,
    *,
    window: int,
    overhead: int,
    tokenizer: str,
    generation: GenerationOptions,
    max_reasks: int,
    model: str,
) -> Plan | None:
    """The token-measured plan (CPU work: run it off the event loop for long text).

    Also what ``summarizer estimate`` counts with, so an estimate splits an article
    exactly as the run will.
    """
    text = article.text
    room = part_room(window, overhead, generation, max_reasks)
    encoding = get_encoding(tokenizer)

    def measure(piece: str) -> int:
        return len(encoding.encode(piece, disallowed_special=()))

    tokens = measure(text)
    if tokens <= room:
        return None
    if room < MIN_PART_TOKENS:
        # The prompt alone nearly fills the window: no part could hold any text.
        limit = window - generation.max_output_tokens
        raise ArticleTooLong(article.source, tokens + overhead, limit, model)
    tuning = settings()
    budget = int(room * tuning.count_margin)
    overlap = min(tuning.max_overlap, int(budget * tuning.overlap_fraction))
    parts = split_text(text, budget, measure, overlap=overlap)
    if len(parts) <= generation.max_chunks:
        return Plan(parts, len(parts), "tokens", budget)
    if generation.long == "truncate":
        return Plan(parts[:1], len(parts), "tokens", budget)
    raise TooManyParts(
        article.source,
        f"article needs {len(parts)} parts of at most {budget} tokens to fit a context "
        f"window of {window}, more than --max-chunks {generation.max_chunks}; raise "
        "--max-chunks (each part is one request), or pass --long truncate to summarise "
        "the first part only",
    )


async def plan_article(
    article: Article,
    backend: Backend,
    template: PromptTemplate,
    generation: GenerationOptions,
    max_reasks: int,
) -> Plan | None:
    """The parts ``article`` needs, or None when it fits in one request."""
    text = article.text
    capabilities = backend.capabilities
    window = await context_window(backend)
    if window is None:
        limit = capabilities.part_chars
        if limit is None or len(text) <= limit:
            return None
        tuning = settings()
        overlap = min(tuning.max_overlap, int(limit * tuning.overlap_fraction))
        parts = await run_cpu(partial(split_text, overlap=overlap), text, limit, len)
        # Free parts (no request is paid for) are not bounded by --max-chunks.
        return Plan(parts, len(parts), "chars", limit)
    # A token is at least one byte: a prompt with fewer bytes than the room fits,
    # and most articles are decided here without loading the tokenizer.
    empty = template.render("", include_schema=_include_schema(capabilities.modes))
    framing = sum(len(m["content"].encode("utf-8")) + 8 for m in empty)
    free = part_room(window, framing, generation, max_reasks)
    if len(text) <= free and len(text.encode("utf-8")) <= free:
        return None
    await load_encoding(capabilities.tokenizer)
    overhead = prompt_overhead(template, capabilities.modes, capabilities.tokenizer)
    return await run_cpu(
        partial(
            plan_by_tokens,
            window=window,
            overhead=overhead,
            tokenizer=capabilities.tokenizer,
            generation=generation,
            max_reasks=max_reasks,
            model=backend.model,
        ),
        article,
    )
