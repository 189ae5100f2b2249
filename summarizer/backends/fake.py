"""A scripted backend for tests and for trying the pipeline without a model.

Answers come from a list (consumed in order, the last one repeated) or from a
function of the request. Every request is recorded, so a test can check what the
pipeline sent, and usage is made up from the sizes of prompt and answer so budgets
and reports have something to count.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from summarizer.backends.base import AttemptGate, CallStats, Capabilities, Completion, Request

Answer = str | dict[str, Any]


class FakeBackend:
    endpoint = "fake"

    def __init__(
        self,
        answers: Iterable[Answer] | Callable[[Request], Answer],
        *,
        model: str = "fake",
        finish_reason: str = "stop",
        context_window: int | None = None,
    ) -> None:
        self.model = model
        self._answer = answers if callable(answers) else None
        self._queue = [] if callable(answers) else list(answers)
        self.finish_reason = finish_reason
        self.capabilities = Capabilities(modes=("prompt",), context_window=context_window)
        self.requests: list[Request] = []

    def key_parameters(self) -> dict[str, Any]:
        return {"fake": True}

    def analyzer(self) -> None:
        return None

    def spent_usd(self) -> None:
        return None

    def slow_attempts(self) -> None:
        return None

    async def complete(
        self, request: Request, stats: CallStats, gate: AttemptGate | None = None
    ) -> Completion:
        if gate is not None:
            async with gate():
                return self._answer_for(request, stats)
        return self._answer_for(request, stats)

    def _answer_for(self, request: Request, stats: CallStats) -> Completion:
        self.requests.append(request)
        if self._answer is not None:
            answer = self._answer(request)
        elif len(self._queue) > 1:
            answer = self._queue.pop(0)
        elif self._queue:
            answer = self._queue[0]
        else:
            raise RuntimeError("FakeBackend has no answers")
        content = answer if isinstance(answer, str) else json.dumps(answer)
        prompt = sum(len(m["content"]) for m in request.render("prompt")) // 4
        completion = len(content) // 4
        stats.attempts += 1
        stats.prompt_tokens += prompt
        stats.completion_tokens += completion
        return Completion(content, self.finish_reason, prompt, completion, mode="prompt")

    async def aclose(self) -> None:
        return None
