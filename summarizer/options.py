"""The options of a run, each default written once.

Three groups, because they answer three different questions and reach different
layers: :class:`GenerationOptions` shape the answer (and so belong in the cache
key), :class:`TransportOptions` say how requests reach the endpoint (never in the
key: a slower timeout gives the same brief), and :class:`BudgetOptions` say when a
run must stop spending. ``Summarizer``, ``run_folder``, ``estimate``, the config
file and the CLI flags all map onto these objects; the CLI's defaults are read
from them, so ``--help`` can never disagree with the library.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Any

from summarizer.errors import ConfigError

MODES = ("json_schema", "json_object", "prompt")
LONG_POLICIES = ("fail", "truncate")  # an article needing more than max_chunks parts


@dataclass(frozen=True)
class GenerationOptions:
    """What the model is asked and how its answer is judged.

    ``model`` None means: from ``SUMMARIZER_MODEL`` or the config file, else the
    offline analyzer when no endpoint or key is configured either.
    """

    model: str | None = None
    mode: str = "auto"  # auto tries json_schema, then json_object, then prompt
    max_output_tokens: int = 2048
    temperature: float = 0.0  # deterministic where the endpoint allows it
    seed: int | None = 0
    max_reasks: int = 2
    strict_grounding: bool = False  # drop claims whose evidence is not in the article
    prompt: str = "brief"
    # Long articles (summarizer.longform): at most this many parts, each one request.
    max_chunks: int = 8
    long: str = "fail"  # beyond max_chunks: fail the article, or "truncate" to the first part
    context_window: int | None = None  # None: the config's, the model table's, the server's

    def __post_init__(self) -> None:
        if self.mode != "auto" and self.mode not in MODES:
            raise ConfigError(f"unknown mode {self.mode!r} (choose auto, {', '.join(MODES)})")
        _positive("max_output_tokens", self.max_output_tokens)
        _positive("max_chunks", self.max_chunks)
        if self.long not in LONG_POLICIES:
            raise ConfigError(f"unknown long {self.long!r} (choose {', '.join(LONG_POLICIES)})")
        if self.context_window is not None:
            _positive("context_window", self.context_window)
        if self.max_reasks < 0:
            raise ConfigError(f"max_reasks must be 0 or more, not {self.max_reasks}")


@dataclass(frozen=True)
class TransportOptions:
    """How requests reach the endpoint: never part of the cache key.

    ``base_url``/``api_key`` None mean: from ``OPENAI_BASE_URL``/``OPENAI_API_KEY``
    or the config file. ``rpm``/``tpm`` are client-side limits for the whole run;
    ``concurrency`` bounds requests in flight in a batch.
    """

    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 120.0  # seconds per HTTP attempt
    max_attempts: int = 6  # HTTP attempts per request, retries included
    max_retry_seconds: float = 300.0  # total time one request may spend retrying
    backoff_base: float = 1.0
    rpm: float | None = None
    tpm: float | None = None
    concurrency: int = 8

    def __post_init__(self) -> None:
        _positive("max_attempts", self.max_attempts)
        _positive("concurrency", self.concurrency)
        if self.timeout <= 0:
            raise ConfigError(f"timeout must be positive, not {self.timeout}")
        for name in ("rpm", "tpm"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ConfigError(f"{name} must be positive, not {value}")


@dataclass(frozen=True)
class BudgetOptions:
    """When a run stops spending: before a call that could cross either limit."""

    max_cost_usd: float | None = None
    max_total_tokens: int | None = None

    def __post_init__(self) -> None:
        if self.max_cost_usd is not None and self.max_cost_usd < 0:
            raise ConfigError(f"max_cost_usd must be 0 or more, not {self.max_cost_usd}")
        if self.max_total_tokens is not None:
            _positive("max_total_tokens", self.max_total_tokens)

    @property
    def limited(self) -> bool:
        return self.max_cost_usd is not None or self.max_total_tokens is not None


def _positive(name: str, value: int) -> None:
    if isinstance(value, bool) or value < 1:
        raise ConfigError(f"{name} must be a positive integer, not {value!r}")


# Keyword arguments of ``Summarizer()`` in earlier releases, and the options object
# each now belongs to; kept working with a DeprecationWarning.
_LEGACY_OPTIONS = {
    "mode": "generation",
    "max_reasks": "generation",
    "strict_grounding": "generation",
    "max_output_tokens": "generation",
    "prompt": "generation",
    "timeout": "transport",
    "max_attempts": "transport",
    "max_retry_seconds": "transport",
    "backoff_base": "transport",
}


def apply_legacy_options(
    generation: GenerationOptions, transport: TransportOptions, legacy: dict[str, Any]
) -> tuple[GenerationOptions, TransportOptions]:
    """Map the keyword arguments of earlier releases onto the options objects."""
    unknown = sorted(set(legacy) - set(_LEGACY_OPTIONS))
    if unknown:
        raise TypeError(f"Summarizer() got unexpected keyword argument(s): {', '.join(unknown)}")
    if not legacy:
        return generation, transport
    warnings.warn(
        f"Summarizer({', '.join(f'{k}=' for k in legacy)}) is deprecated: pass "
        "generation=GenerationOptions(...) or transport=TransportOptions(...)",
        DeprecationWarning,
        stacklevel=3,
    )
    groups: dict[str, dict[str, Any]] = {"generation": {}, "transport": {}}
    for name, value in legacy.items():
        groups[_LEGACY_OPTIONS[name]][name] = value
    return (
        replace(generation, **groups["generation"]),
        replace(transport, **groups["transport"]),
    )


@dataclass(frozen=True)
class FolderOptions:
    """How a folder run walks its input and stops (``run_folder``, ``summarizer run``)."""

    patterns: tuple[str, ...] = ()  # globs on the relative path or name; empty: every file
    grace_seconds: float = 10.0  # after a first Ctrl-C, how long in-flight calls may finish

    def __post_init__(self) -> None:
        if self.grace_seconds < 0:
            raise ConfigError(f"grace_seconds must be 0 or more, not {self.grace_seconds}")


@dataclass(frozen=True)
class BatchApiOptions:
    """How a run goes through a provider's batch API (``run --batch-api``).

    The limits default to OpenAI's per-batch limits (50,000 requests, 200 MB of
    input file); ``max_enqueued_tokens`` caps the prompt tokens of all open batches
    together, as providers cap them per model. ``fallback`` says where answers that
    need a re-ask (or whose line failed) go next: a follow-up batch, or ``live``.
    ``max_line_retries`` bounds how often one request is sent again after a provider
    error, an expired or a cancelled batch, so nothing loops forever.
    """

    max_requests_per_batch: int = 50_000
    max_bytes_per_file: int = 200 * 1024 * 1024
    max_enqueued_tokens: int | None = None
    poll_seconds: float = 30.0
    fallback: str = "batch"  # or "live"
    max_line_retries: int = 3
    completion_window: str = "24h"  # the only window providers accept

    def __post_init__(self) -> None:
        _positive("max_requests_per_batch", self.max_requests_per_batch)
        _positive("max_bytes_per_file", self.max_bytes_per_file)
        if self.max_enqueued_tokens is not None:
            _positive("max_enqueued_tokens", self.max_enqueued_tokens)
        if self.fallback not in ("batch", "live"):
            raise ConfigError(f"fallback must be batch or live, not {self.fallback!r}")
        if self.poll_seconds <= 0:
            raise ConfigError(f"poll_seconds must be positive, not {self.poll_seconds}")
        if self.max_line_retries < 0:
            raise ConfigError(f"max_line_retries must be 0 or more, not {self.max_line_retries}")
