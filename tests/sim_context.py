"""Context-window behaviour for the simulator (tests/openai_sim.py): three servers' ways.

* ``limit``: refuse a request whose prompt plus ``max_tokens`` exceeds the window
  with HTTP 400 and OpenAI's/vLLM's message and code (``context_length_exceeded``);
* ``truncate_above``: Ollama's way: keep only the first N prompt tokens without
  a word, answer from what was kept, and report the truncated ``prompt_tokens``;
* ``max_model_len``: list the window in ``GET /v1/models`` as vLLM does.

Kept apart from openai_sim.py so the simulator's core stays small; the handler
calls :meth:`ContextLimits.check` and :meth:`ContextLimits.model_fields`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ContextLimits:
    limit: int | None = None
    truncate_above: int | None = None
    max_model_len: int | None = None

    def model_fields(self) -> dict[str, Any]:
        """Extra fields of each ``/v1/models`` entry."""
        return {"max_model_len": self.max_model_len} if self.max_model_len else {}

    def check(
        self, prompt_tokens: int, article: str, body: dict[str, Any]
    ) -> tuple[tuple[int, bytes, None] | None, int, str]:
        """``(refusal or None, prompt tokens to report, article to answer from)``."""
        requested = int(body.get("max_completion_tokens") or body.get("max_tokens") or 0)
        if self.limit is not None and prompt_tokens + requested > self.limit:
            message = (
                f"This model's maximum context length is {self.limit} tokens. However, you "
                f"requested {prompt_tokens + requested} tokens ({prompt_tokens} in the "
                f"messages, {requested} in the completion). Please reduce the length of the "
                "messages or completion."
            )
            error = {
                "error": {
                    "message": message,
                    "type": "invalid_request_error",
                    "param": "messages",
                    "code": "context_length_exceeded",
                }
            }
            return (400, json.dumps(error).encode(), None), prompt_tokens, article
        if self.truncate_above is not None and prompt_tokens > self.truncate_above:
            kept = max(1, len(article) * self.truncate_above // prompt_tokens)
            return None, self.truncate_above, article[:kept]
        return None, prompt_tokens, article
