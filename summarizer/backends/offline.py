"""The built-in rule-based analyzer as a :class:`Backend`: no network, no key.

It reads the article, not the prompt, and answers the same JSON a model would, so
its briefs pass the same schema and grounding gate as any model's. The analysis is
CPU work, so it runs on a worker thread (:mod:`summarizer.offload`): a batch's
event loop keeps serving other articles (and Ctrl-C) while one long article is
analysed.
"""

from __future__ import annotations

import json

from summarizer.backends.base import AttemptGate, CallStats, Capabilities, Completion, Request
from summarizer.config import OFFLINE
from summarizer.offload import run_cpu

PART_CHARS = 100_000  # about 3 s of analysis on one core


class OfflineBackend:
    model = OFFLINE
    endpoint = OFFLINE
    # Deterministic: re-asking with the errors would give the same answer again.
    # Longer articles are analysed in parts and merged (summarizer.longform): each
    # part's analysis is bounded, so a 10 MB transcript costs its length, no more.
    capabilities = Capabilities(
        modes=("offline",),
        context_window=None,
        reads_prompt=False,
        deterministic=True,
        part_chars=PART_CHARS,
    )

    def key_parameters(self) -> dict[str, str]:
        from summarizer.offline import ANALYZER_NAME, ANALYZER_VERSION

        return {"analyzer": f"{ANALYZER_NAME}/{ANALYZER_VERSION}"}

    def analyzer(self) -> dict[str, str]:
        from summarizer.offline import ANALYZER_NAME, ANALYZER_VERSION

        return {"name": ANALYZER_NAME, "version": ANALYZER_VERSION}

    def spent_usd(self) -> float:
        return 0.0

    def slow_attempts(self) -> None:
        return None

    async def complete(
        self, request: Request, stats: CallStats, gate: AttemptGate | None = None
    ) -> Completion:
        # No request is made, so there is no attempt to gate or count.
        from summarizer.offline import analyze

        brief = await run_cpu(analyze, request.article)
        return Completion(json.dumps(brief), "stop", None, None, mode=OFFLINE)

    async def aclose(self) -> None:
        return None
