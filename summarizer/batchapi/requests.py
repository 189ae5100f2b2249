"""Request lines in the provider's batch format, with the body the live path sends.

Why the body comes from :class:`summarizer.backends.wire.ModelClient`: the issue asks for
``body`` exactly as a live call would send it (model, messages, temperature, seed,
output allowance, ``response_format``), and sharing the builder keeps the two paths
from drifting when a request rule changes. The mode is fixed per run: a batch
cannot fall back mid-call the way a live request does, so ``auto`` sends the mode a
live call tries first (``json_schema``); ``--mode`` chooses another.

A ``custom_id`` is the article's cache key (40 of its 64 hex digits, to stay within
providers' 64-character limit) and the round: round 0 is the first request, round
``n`` the ``n``-th re-ask. Identical articles share a key, so they share one line.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from summarizer.backends.chat import _upper_bound_tokens
from summarizer.errors import ConfigError
from summarizer.options import MODES
from summarizer.prompting.tokens import count_message_tokens, ensure_fits_context

if TYPE_CHECKING:
    from summarizer.input.article import Article
    from summarizer.pipeline import Summarizer

URL = "/v1/chat/completions"
KEY_CHARS = 40

Message = dict[str, str]


def custom_id(key: str, round_: int) -> str:
    return f"{key[:KEY_CHARS]}-r{round_}"


def parse_custom_id(value: str) -> tuple[str, int] | None:
    """``(key prefix, round)``, or None for an id this tool did not write."""
    prefix, sep, round_ = value.rpartition("-r")
    if not sep or len(prefix) != KEY_CHARS or not round_.isdigit():
        return None
    return prefix, int(round_)


class LineBuilder:
    """Builds one JSONL line per request for a :class:`Summarizer`'s model."""

    def __init__(self, summarizer: Summarizer) -> None:
        backend = summarizer.backend
        if not backend.capabilities.batches:
            raise ConfigError(
                f"--batch-api needs a model endpoint with a batch API; {backend.model!r} "
                "has none (set --model and --base-url, or OPENAI_API_KEY)"
            )
        self.summarizer = summarizer
        generation = summarizer.generation
        self.mode = MODES[0] if generation.mode == "auto" else generation.mode
        self.max_output_tokens = generation.max_output_tokens
        info = getattr(backend, "info", None)
        self.encoding = info.encoding if info is not None else "o200k_base"
        self.context_window = info.context_window if info is not None else None
        self.model = backend.model
        self._client = backend.new_client()  # type: ignore[attr-defined]
        # Exact prompt tokens cost a tokenizer pass per line; only a budget or a cap on
        # enqueued tokens needs them (set by the engine).
        self.count_tokens = True

    def messages(self, article: Article, followups: list[Message]) -> list[Message]:
        include_schema = self.mode != "json_schema"
        return (
            self.summarizer.template.render(article.text, include_schema=include_schema) + followups
        )

    def body(self, article: Article, followups: list[Message]) -> dict[str, Any]:
        return self._client._request(self.messages(article, followups), self.mode)

    def line(
        self, key: str, round_: int, article: Article, followups: list[Message]
    ) -> tuple[bytes, int]:
        """The line and its prompt tokens (0 when not counted, see ``count_tokens``);
        raises the live path's error for a prompt that cannot fit the context window
        (refused before anything is paid)."""
        messages = self.messages(article, followups)
        room = None if self.context_window is None else self.context_window - self.max_output_tokens
        if self.count_tokens or (room is not None and _upper_bound_tokens(messages) > room):
            tokens = count_message_tokens(messages, self.encoding)
        else:
            tokens = 0  # fits for sure, and neither a budget nor a token cap needs the count
        if room is not None and tokens:
            ensure_fits_context(
                tokens,
                context_window=room + self.max_output_tokens,
                output_allowance=self.max_output_tokens,
                model=self.model,
                source=article.source,
            )
        payload = {
            "custom_id": custom_id(key, round_),
            "method": "POST",
            "url": URL,
            "body": self._client._request(messages, self.mode),
        }
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n"
        return text.encode("utf-8"), tokens
