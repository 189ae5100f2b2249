"""``summarizer estimate``: what a run will cost, before any call is made.

Prompt tokens are counted exactly with the model's tokenizer over the rendered
prompt; output tokens can only be an expectation. Prices and context windows come
from the built-in table (:mod:`summarizer.pricing`), overridable in the config file:
nothing is fetched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from summarizer.batch import walk
from summarizer.config import Settings
from summarizer.errors import ArticleError
from summarizer.input.loader import SUPPORTED_SUFFIXES, load_article
from summarizer.longform.estimate import LongformEstimate
from summarizer.options import GenerationOptions
from summarizer.pricing import batch_priced, cost_usd, model_info
from summarizer.prompting.prompt import load_prompt
from summarizer.prompting.tokens import count_message_tokens


def estimate_folder(
    folder: Path,
    settings: Settings,
    generation: GenerationOptions | None = None,
    *,
    patterns: list[str] | None = None,
    expected_output_tokens: int = 900,
) -> dict[str, Any]:
    generation = generation or GenerationOptions()
    info = model_info(settings.model, settings.model_overrides)
    template = load_prompt(generation.prompt)
    include_schema = generation.mode not in ("auto", "json_schema")
    inputs = articles = duplicates = unsupported = unreadable = too_long = 0
    prompt_tokens = 0
    distinct: set[str] = set()
    window = generation.context_window or settings.context_window or info.context_window
    long = LongformEstimate(template, generation, window, info.encoding, expected_output_tokens)
    for path, _ in walk(folder, patterns or ["*"]):
        inputs += 1  # every file `run` would list in its index
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            unsupported += 1
            continue
        try:
            article = load_article(path)
        except ArticleError:
            unreadable += 1
            continue
        if article.sha256 in distinct:
            duplicates += 1  # identical articles cost one call
            continue
        distinct.add(article.sha256)
        tokens = count_message_tokens(
            template.render(article.text, include_schema=include_schema), info.encoding
        )
        if long.may_need_parts(tokens, include_schema):
            try:  # split into parts as the run will, plus one merge call
                plan = long.plan(article)
            except ArticleError:
                too_long += 1  # more parts than --max-chunks, or a window too small
                continue
            if plan is not None:
                long.add(article, plan, include_schema)
                articles += 1
                continue
        articles += 1
        prompt_tokens += tokens
    prompt_tokens += long.prompt_tokens
    output_tokens = (articles - long.articles) * expected_output_tokens + long.output_tokens
    batch = batch_priced(info)
    return {
        "model": info.name if info.known else settings.model,
        "model_known": info.known,
        "inputs": inputs,
        "duplicates": duplicates,
        "unsupported": unsupported,
        "articles": articles,
        "unreadable": unreadable,
        "too_long": too_long,
        "prompt_tokens": prompt_tokens,
        "expected_output_tokens": output_tokens,
        "cost_usd": cost_usd(info, prompt_tokens, output_tokens),
        "prices_per_mtok": {"input": info.input_per_mtok, "output": info.output_per_mtok},
        "context_window": window,
        **long.figures(),
        # The provider's batch API (run --batch-api): None when no batch price is known.
        "batch_discount": info.batch_discount,
        "batch_cost_usd": None if batch is None else cost_usd(batch, prompt_tokens, output_tokens),
    }


def format_estimate(figures: dict[str, Any], batch_api: bool = False) -> str:
    cost = figures["cost_usd"]
    unknown_model = "" if figures["model_known"] else " (not in the price table)"
    if cost is None:
        cost_text = "unknown (no price for this model; add one in the config)"
    else:
        cost_text = f"${cost:,.4f}"
    lines = [
        f"model                  {figures['model']}{unknown_model}",
        f"inputs                 {figures['inputs']:,}",
        f"duplicates             {figures['duplicates']:,} (same cleaned text, no call)",
        f"articles to call       {figures['articles']:,} (distinct; long ones split into parts)",
        f"  of which long        {figures['long_articles']:,} (in {figures['parts']:,} parts, "
        f"+{figures['merge_calls']:,} merge calls; {figures['truncated']:,} truncated)",
        f"too long for context   {figures['too_long']:,} (more parts than --max-chunks)",
        f"unreadable             {figures['unreadable']:,}",
        f"unsupported file type  {figures['unsupported']:,}",
        f"prompt tokens          {figures['prompt_tokens']:,}",
        f"expected output tokens {figures['expected_output_tokens']:,}",
        f"estimated cost         {cost_text}",
    ]
    if batch_api:
        batch_cost = figures["batch_cost_usd"]
        lines.append(
            f"with the batch API     ${batch_cost:,.4f} (x{figures['batch_discount']:g})"
            if batch_cost is not None
            else "with the batch API     unknown: no batch price for this model "
            '(set batch_discount under [models."name"] in the config)'
        )
    return "\n".join(lines)
