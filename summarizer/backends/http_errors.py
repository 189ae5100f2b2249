"""What an endpoint's error answer means: retry it, fall back to another mode, or stop.

Kept apart from :mod:`summarizer.backends.wire` so the classification (which statuses are
transient, which answers say a structured-output mode is unsupported, which say our
own schema is wrong) reads and tests on its own.

Not retried: 400, 401, 403, 404 and 422 are answers about the request or the settings
(bad parameter, bad key, no access, unknown model); sending the same request again
gets the same answer, so they fail at once.
"""

from __future__ import annotations

import openai

# Answers about the request or the settings: the same request gets the same answer.
REFUSALS = frozenset({400, 401, 403, 404, 422})

__all__ = [
    "LLAMA_CPP_SIGNATURE",
    "REFUSALS",
    "provider_message",
    "rejects_mode",
    "retry_after",
    "retry_cause",
    "schema_refused",
]


def retry_cause(exc: BaseException) -> str | None:
    """Why an exception is worth retrying, or None when it is not."""
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    if isinstance(exc, openai.RateLimitError):
        return "rate_limit"
    if isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
        return f"http_{exc.status_code}"
    return None


def retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    if response is None:
        return None
    headers = response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                continue  # an HTTP date; rare for APIs, fall back to backoff
    return None


# llama-cpp-python's pydantic error for a response_format type it does not know.
LLAMA_CPP_SIGNATURE = "'text' or 'json_object'"


def schema_refused(exc: BaseException) -> bool:
    """The provider says the schema we sent is invalid: a bug of ours, not a capability."""
    if not isinstance(exc, openai.BadRequestError):
        return False
    body = exc.body if isinstance(exc.body, dict) else {}
    return body.get("code") == "invalid_json_schema" or "invalid schema" in exc.message.lower()


def rejects_mode(exc: BaseException, mode: str) -> bool:
    """An error that says the endpoint does not support this structured-output mode.

    Checked before retrying: llama-cpp-python answers an unsupported
    ``response_format`` with HTTP 500, which would otherwise be retried in vain.
    """
    if mode == "prompt" or not isinstance(exc, openai.APIStatusError) or schema_refused(exc):
        return False
    if exc.status_code not in (400, 422, 500):
        return False
    text = f"{exc.message} {getattr(exc, 'body', '')}".lower()
    return "response_format" in text or "json_schema" in text or "json_object" in text


def provider_message(exc: openai.APIStatusError) -> str:
    """The provider's own error message, without the SDK's "Error code: 400 - " prefix."""
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        message = inner.get("message")
        if isinstance(message, str) and message:
            return message
    return exc.message
