"""The exceptions summarizer raises.

Everything the library raises on purpose derives from :class:`SummarizerError`, so a
caller (or the CLI) can catch one type and print a one-line message: the ``str()`` of
each error names the input and the reason.
"""

from __future__ import annotations

from typing import Any


class SummarizerError(Exception):
    """Base class of every error summarizer raises on purpose.

    ``stats`` and ``reasks`` are set by the pipeline on an article that failed after
    calling a model: those calls were paid for, and a run's report counts them.
    """

    stats: Any = None  # summarizer.backends.CallStats
    reasks: int = 0


class ConfigError(SummarizerError):
    """The settings are missing or contradictory (no model, bad config file, ...)."""


class ArticleError(SummarizerError):
    """An input could not be read or holds no usable article text."""

    def __init__(self, source: str | None, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}" if source else reason)


class ArticleTooLong(ArticleError):
    """The article does not fit in the model's context window; it is never truncated."""

    def __init__(self, source: str | None, tokens: int, limit: int, model: str) -> None:
        self.tokens = tokens
        self.limit = limit
        reason = (
            f"article needs {tokens} prompt tokens but {model} allows at most {limit} "
            "for the prompt (context window minus the output allowance); "
            "it was not truncated"
        )
        super().__init__(source, reason)


class ModelError(SummarizerError):
    """The model endpoint failed: transport errors after retries, or a refused request."""


class RequestRejected(ModelError):
    """The endpoint refused the request itself (HTTP 4xx other than 429): a wrong key, an
    unknown model, a parameter the model does not take. Not retried, since the same
    request gets the same answer; a run whose first articles all get it stops."""

    def __init__(self, message: str, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class ContextTruncated(ModelError):
    """The server read far fewer prompt tokens than were sent: it cut the prompt."""

    def __init__(self, source: str | None, sent: int, read: int, endpoint: str) -> None:
        self.sent = sent
        self.read = read
        super().__init__(
            f"{source or 'article'}: {endpoint} read only {read} of the about {sent} prompt "
            "tokens sent: it cut the prompt to its context window without saying so, and a "
            "brief of a fragment is not made. Raise the server's context (Ollama: num_ctx or "
            "OLLAMA_CONTEXT_LENGTH; llama.cpp: --ctx-size/--n_ctx; vLLM: --max-model-len), "
            f"or pass --context-window {read} so long articles are split to fit"
        )


class ContextExceeded(ModelError):
    """The server refused a prompt as longer than its context, and said how long that is."""

    def __init__(self, message: str, window: int) -> None:
        self.window = window
        super().__init__(message)


class OutputError(SummarizerError):
    """The model's output stayed invalid (not JSON, schema errors, ungrounded) after re-asks."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        self.errors = list(errors or [])
        super().__init__(message)


class TruncatedOutput(OutputError):
    """The model stopped at its token limit (finish_reason == "length")."""


class BudgetExceeded(SummarizerError):
    """A run stopped because the next call would go over --max-cost or --max-tokens."""


class CacheError(SummarizerError):
    """The result cache could not be opened or written."""
