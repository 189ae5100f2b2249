"""The seam between the pipeline and "a model".

A backend takes one rendered request and returns the model's raw answer with its
usage; everything around that (cache, re-asks, validation, grounding, provenance)
is the pipeline's and is the same for every backend. The line is drawn where
simonw/llm draws ``Model.execute``, httpx its transports and langextract its
``BaseLanguageModel``: the backend knows its wire, the caller knows the task.

Backends say what they can do in :class:`Capabilities` instead of the pipeline
asking which backend it holds: a batch-API backend, a Ray engine or a chunker
reads the same fields.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from summarizer.input.article import Article

Message = dict[str, str]
# Entered around every HTTP attempt: the caller's request slots, then the backend's
# budget check and rate limiter; the attempt is sent only once it is inside.
AttemptGate = Callable[[], AbstractAsyncContextManager[object]]


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do, read by the pipeline and the engines.

    ``modes``: structured-output modes it may answer in, in the order tried.
    ``context_window``: tokens a request may hold, None when unbounded.
    ``reads_prompt``: whether the answer depends on the rendered prompt (so the
    prompt's hash belongs in the cache key and its provenance in the result).
    ``deterministic``: the same request always gets the same answer, so re-asking
    with the errors cannot help.
    ``batches``: whether it can take many requests as one provider batch job.
    ``tokenizer``: the tiktoken encoding that counts its prompt tokens.
    ``part_chars``: for a backend without a context window, the longest text it
    analyses in one piece; longer articles are split (:mod:`summarizer.longform`).
    """

    modes: tuple[str, ...]
    context_window: int | None
    reads_prompt: bool = True
    deterministic: bool = False
    batches: bool = False
    tokenizer: str = "o200k_base"
    part_chars: int | None = None


@dataclass(frozen=True)
class Request:
    """One article's request: ``render(mode)`` gives the conversation for a mode
    (the schema goes into the prompt only where the endpoint does not enforce it)."""

    article: Article
    render: Callable[[str], list[Message]]

    @property
    def source(self) -> str:
        return self.article.source or "article"


@dataclass(frozen=True)
class Completion:
    """The model's raw answer: text to parse, why it stopped, and what it cost."""

    content: str
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    mode: str


@dataclass
class CallStats:
    """What one article's calls cost: every HTTP attempt is counted."""

    attempts: int = 0
    retries: Counter[str] = field(default_factory=Counter)
    prompt_tokens: int = 0
    completion_tokens: int = 0


@runtime_checkable
class Backend(Protocol):
    """A model the pipeline can ask; see the module docstring for where the line is."""

    model: str
    endpoint: str  # host[:port], or a name for non-HTTP backends; never a credential
    capabilities: Capabilities

    def key_parameters(self) -> dict[str, Any]:
        """Everything of the backend's that shapes an answer, for the cache key."""
        ...

    def analyzer(self) -> dict[str, str] | None:
        """Name and version of a built-in analyzer, for provenance; None for a model."""
        ...

    def spent_usd(self) -> float | None:
        """What this backend's requests cost so far; None when the price is unknown."""
        ...

    def slow_attempts(self) -> dict[str, Any] | None:
        """HTTP attempts far slower than the others so far (a gateway retrying on its
        own), for report.json; None when there were none, or no HTTP at all."""
        ...

    async def complete(
        self, request: Request, stats: CallStats, gate: AttemptGate | None = None
    ) -> Completion:
        """One answer; counts attempts, retries and usage into ``stats``."""
        ...

    async def aclose(self) -> None:
        """Release connections made on the running event loop."""
        ...


async def context_window(backend: Backend) -> int | None:
    """The backend's context window, asking the server first where the backend can.

    ``probe_context_window()`` is an optional coroutine method of a backend (the chat
    backend has one: it asks vLLM, llama.cpp or Ollama once per run what context
    they really serve); without it ``capabilities.context_window`` is the answer.
    """
    probe = getattr(backend, "probe_context_window", None)
    if probe is not None:
        return await probe()
    return backend.capabilities.context_window
