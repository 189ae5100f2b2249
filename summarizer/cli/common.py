"""What every command shares: exit codes, one-line errors, the option decorators and
how flags become the options objects (each default read from those objects, so
``--help`` never disagrees with the library), and the ``main`` group itself.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from summarizer.batchapi.cli import (  # noqa: F401 - EXIT_BATCHES_OPEN: the documented code
    EXIT_BATCHES_OPEN,
    batch_api_options,
    take_batch_options,
)
from summarizer.config import OFFLINE_NOTICE
from summarizer.errors import SummarizerError
from summarizer.options import (
    BudgetOptions,
    GenerationOptions,
    TransportOptions,
)
from summarizer.ray.options import RayOptions

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILED_ITEMS = 1
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_DISK_ERROR = 74  # run: the output disk failed (full, I/O error); report.json written
EXIT_OUTPUT_LOCKED = 75  # run: another run holds the output folder; try again later
# Defaults are read from the options objects, so --help never disagrees with the library.
GENERATION = GenerationOptions()
TRANSPORT = TransportOptions()
RAY = RayOptions()


def _fail(message: str, code: int = EXIT_USER_ERROR) -> None:
    click.echo(f"summarizer: error: {message}", err=True)
    sys.exit(code)


def user_errors(function: F) -> F:
    """Turn the library's errors into one-line messages instead of tracebacks."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except SummarizerError as exc:
            if logging.getLogger("summarizer").isEnabledFor(logging.DEBUG):
                raise
            _fail(str(exc))
        except KeyboardInterrupt:
            # Ctrl-C before a run installed its own handling (while starting up).
            _fail("interrupted", EXIT_INTERRUPTED)

    return wrapper  # type: ignore[return-value]


def model_options(function: F) -> F:
    options = [
        click.option(
            "--model",
            "-m",
            help="Model name, or 'offline' for the built-in analyzer. [env: SUMMARIZER_MODEL]",
        ),
        click.option(
            "--base-url",
            help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1 [env: OPENAI_BASE_URL]",
        ),
        click.option("--api-key", help="API key (prefer the OPENAI_API_KEY environment variable)."),
        click.option(
            "--mode",
            type=click.Choice(["auto", "json_schema", "json_object", "prompt"]),
            default=GENERATION.mode,
            show_default=True,
            help="Structured-output mode; auto falls back when the endpoint rejects one.",
        ),
        click.option(
            "--max-output-tokens",
            type=int,
            default=GENERATION.max_output_tokens,
            show_default=True,
            help="Output allowance of each request (the model's max_tokens).",
        ),
        click.option(
            "--max-reasks",
            type=int,
            default=GENERATION.max_reasks,
            show_default=True,
            help="Re-asks with the validation errors before giving up.",
        ),
        click.option(
            "--strict-grounding",
            is_flag=True,
            help="Drop claims whose evidence is not found in the article (default: keep and warn).",
        ),
        click.option(
            "--max-chunks",
            type=click.IntRange(min=1),
            default=GENERATION.max_chunks,
            show_default=True,
            help="Long articles: most parts (one request each) an article may be split into.",
        ),
        click.option(
            "--long",
            type=click.Choice(["fail", "truncate"]),
            default=GENERATION.long,
            show_default=True,
            help="An article needing more parts than --max-chunks: fail it, or summarise "
            "its first part only (recorded in the result).",
        ),
        click.option(
            "--context-window",
            type=click.IntRange(min=1),
            help="Tokens the server serves (prompt and output); beats the model table and "
            "the server's own report. [config: context_window]",
        ),
        click.option(
            "--timeout",
            type=float,
            default=TRANSPORT.timeout,
            show_default=True,
            help="Seconds per HTTP attempt.",
        ),
        click.option(
            "--max-attempts",
            type=int,
            default=TRANSPORT.max_attempts,
            show_default=True,
            help="HTTP attempts per request, retries included.",
        ),
        click.option(
            "--cache",
            "cache_path",
            type=click.Path(dir_okay=False),
            help="Cache file. [env: SUMMARIZER_CACHE; default: user cache dir]",
        ),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
        click.option("--refresh", is_flag=True, help="Ignore cached results and overwrite them."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def generation_options(options: dict[str, Any]) -> GenerationOptions:
    """The generation options the model flags name."""
    return GenerationOptions(
        model=options["model"],
        mode=options["mode"],
        max_output_tokens=options["max_output_tokens"],
        max_reasks=options["max_reasks"],
        strict_grounding=options["strict_grounding"],
        max_chunks=options["max_chunks"],
        long=options["long"],
        context_window=options["context_window"],
    )


def transport_options(
    options: dict[str, Any], limits: dict[str, Any] | None = None
) -> TransportOptions:
    """The transport options the model flags name, plus run-wide ``limits``."""
    return TransportOptions(
        base_url=options["base_url"],
        api_key=options["api_key"],
        timeout=options["timeout"],
        max_attempts=options["max_attempts"],
        **(limits or {}),
    )


def build_summarizer(
    options: dict[str, Any],
    budget: BudgetOptions | None = None,
    limits: dict[str, Any] | None = None,
) -> Any:
    """A Summarizer from the model flags; ``limits`` adds run-wide transport fields
    (rpm, tpm, concurrency)."""
    from summarizer.pipeline import Summarizer

    summarizer = Summarizer(
        generation=generation_options(options),
        transport=transport_options(options, limits),
        budget=budget,
        cache=False if options["no_cache"] else (options["cache_path"] or True),
        refresh=options["refresh"],
    )
    if summarizer.settings.offline_because_unconfigured:
        click.echo(f"summarizer: {OFFLINE_NOTICE}", err=True)
    return summarizer


@click.group()
@click.option("--verbose", "-v", is_flag=True, help="Log details and show tracebacks.")
@click.version_option(package_name="summarizer")
def main(verbose: bool) -> None:
    """Turn news articles into structured, verifiable briefs."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.ERROR,
        format="summarizer: %(levelname)s: %(message)s",
    )
    logging.getLogger("summarizer").setLevel(logging.DEBUG if verbose else logging.ERROR)
    if not verbose:
        for noisy in ("httpx", "httpx2", "openai", "trafilatura", "htmldate"):
            logging.getLogger(noisy).setLevel(logging.ERROR)


def _deprecated_max_tokens(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None:
        click.echo(
            "summarizer: warning: --max-tokens is deprecated (it is a budget for the whole "
            "run): use --max-total-tokens",
            err=True,
        )
    return value


def run_options(function: F) -> F:
    """The flags ``run`` and ``estimate`` share, so an estimate prices the run it names."""
    options = [
        click.option(
            "--glob",
            "patterns",
            multiple=True,
            help="Only files matching this glob (repeatable; default: every file).",
        ),
        click.option(
            "--concurrency",
            "-j",
            type=click.IntRange(min=1),
            default=TRANSPORT.concurrency,
            show_default=True,
            help="Model requests in flight at once.",
        ),
        click.option(
            "--rpm",
            type=click.FloatRange(min=0, min_open=True),
            help="Client-side limit: requests per minute.",
        ),
        click.option(
            "--tpm",
            type=click.FloatRange(min=0, min_open=True),
            help="Client-side limit: tokens per minute (prompt + output allowance).",
        ),
        click.option(
            "--max-cost",
            type=click.FloatRange(min=0),
            help="Stop before the run could spend more than this many USD.",
        ),
        click.option(
            "--max-total-tokens",
            type=click.IntRange(min=1),
            help="Stop before the run could use more tokens than this, all requests together.",
        ),
        click.option(
            "--max-tokens",
            "deprecated_max_tokens",
            type=click.IntRange(min=1),
            hidden=True,
            callback=_deprecated_max_tokens,
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return model_options(function)


def _budget(max_cost: float | None, total: int | None, deprecated: int | None) -> BudgetOptions:
    return BudgetOptions(max_cost_usd=max_cost, max_total_tokens=total or deprecated)
