"""What long articles add to ``summarizer estimate``: their parts and the merge call.

The estimate splits an article with the same plan the run uses (same room, same
cuts; the window is the configured one, since an estimate asks no server), counts
each part's rendered prompt exactly, and adds one merge call per article whose
prompt holds the part briefs (estimated at a third of a part's expected output
each, as the digest carries headline, summary and three claims).
"""

from __future__ import annotations

from typing import Any

from summarizer.input.article import Article
from summarizer.longform.plan import Plan, part_room, plan_by_tokens, prompt_overhead
from summarizer.options import MODES, GenerationOptions
from summarizer.prompting.prompt import PromptTemplate, load_prompt
from summarizer.prompting.tokens import count_message_tokens

# The merge call answers a brief with empty lists: headline and summary only.
MERGE_OUTPUT_TOKENS = 250


class LongformEstimate:
    def __init__(
        self,
        template: PromptTemplate,
        generation: GenerationOptions,
        window: int,
        tokenizer: str,
        expected_output_tokens: int,
    ) -> None:
        self.template = template
        self.generation = generation
        self.window = window
        self.tokenizer = tokenizer
        self.expected = expected_output_tokens
        self.modes = MODES if generation.mode == "auto" else (generation.mode,)
        self.overhead = prompt_overhead(template, self.modes, tokenizer)
        self.room = part_room(window, self.overhead, generation, generation.max_reasks)
        self.articles = self.parts = self.truncated = 0
        self.prompt_tokens = self.output_tokens = 0

    def may_need_parts(self, prompt_tokens: int, include_schema: bool) -> bool:
        """Cheap test on the whole prompt's count: could the plan split this article?"""
        own = self.overhead if include_schema == any(m != "json_schema" for m in self.modes) else 0
        return prompt_tokens - own > self.room - 16

    def plan(self, article: Article) -> Plan | None:
        """The run's plan (raises the run's errors for an article it would refuse)."""
        return plan_by_tokens(
            article,
            window=self.window,
            overhead=self.overhead,
            tokenizer=self.tokenizer,
            generation=self.generation,
            max_reasks=self.generation.max_reasks,
            model="the model",
        )

    def add(self, article: Article, plan: Plan, include_schema: bool) -> None:
        self.articles += 1
        self.parts += len(plan.parts)
        self.truncated += plan.truncated
        for part in plan.parts:
            messages = self.template.render(
                article.text[part.start : part.end], include_schema=include_schema
            )
            self.prompt_tokens += count_message_tokens(messages, self.tokenizer)
        self.output_tokens += len(plan.parts) * self.expected
        if len(plan.parts) > 1:
            merge = load_prompt("merge").render("", include_schema=include_schema)
            digest = len(plan.parts) * (self.expected // 3)
            self.prompt_tokens += count_message_tokens(merge, self.tokenizer) + digest
            self.output_tokens += MERGE_OUTPUT_TOKENS

    def figures(self) -> dict[str, Any]:
        merges = self.articles - self.truncated  # a truncated article has one part
        return {
            "long_articles": self.articles,
            "parts": self.parts,
            "merge_calls": merges if self.parts > self.articles else 0,
            "truncated": self.truncated,
        }
