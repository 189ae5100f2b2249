"""The batch-API flags of ``run`` and the ``batches`` and ``batch-file`` commands.

Kept out of :mod:`summarizer.cli` so that module only gains a decorator and two
``add_command`` lines; the heavy imports happen inside the commands.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from summarizer.options import BatchApiOptions

F = TypeVar("F", bound=Callable[..., Any])
BATCH = BatchApiOptions()
EXIT_BATCHES_OPEN = 3  # run --batch-api: articles still in batches; rerun to collect
EXIT_OUTPUT_LOCKED = 75  # as summarizer.cli's: another run holds the output folder
_KEYS = (
    "batch_api",
    "no_wait",
    "fallback",
    "max_requests_per_batch",
    "max_bytes_per_file",
    "max_enqueued_tokens",
    "poll_seconds",
)


def batch_api_options(function: F) -> F:
    options = [
        click.option(
            "--batch-api",
            is_flag=True,
            help="Send the run through the provider's batch API (half price, results within 24 h).",
        ),
        click.option(
            "--no-wait",
            is_flag=True,
            help="--batch-api: submit and exit; rerun the same command to collect.",
        ),
        click.option(
            "--fallback",
            type=click.Choice(["batch", "live"]),
            default=BATCH.fallback,
            show_default=True,
            help="--batch-api: where re-asks and failed lines go: a follow-up batch, or live.",
        ),
        click.option(
            "--max-requests-per-batch",
            type=click.IntRange(min=1),
            default=BATCH.max_requests_per_batch,
            show_default=True,
        ),
        click.option(
            "--max-bytes-per-file",
            type=click.IntRange(min=1),
            default=BATCH.max_bytes_per_file,
            show_default=True,
        ),
        click.option(
            "--max-enqueued-tokens",
            type=click.IntRange(min=1),
            help="--batch-api: cap on prompt tokens in open batches (the provider's queue limit).",
        ),
        click.option(
            "--poll-seconds",
            type=click.FloatRange(min=0, min_open=True),
            default=BATCH.poll_seconds,
            show_default=True,
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def take_batch_options(options: dict[str, Any]) -> tuple[BatchApiOptions | None, bool]:
    """Pops the batch flags from ``options``: (the options, or None without
    --batch-api; whether to wait)."""
    values = {key: options.pop(key) for key in _KEYS}
    if not values.pop("batch_api"):
        given = [key for key in ("no_wait", "max_enqueued_tokens") if values[key]]
        if given or values["fallback"] != BATCH.fallback:
            flag = "--" + (given[0] if given else "fallback").replace("_", "-")
            raise click.UsageError(f"{flag} only applies with --batch-api")
        return None, True
    wait = not values.pop("no_wait")
    return BatchApiOptions(**values), wait


def run_batch_api(
    summarizer: Any,
    input_dir: Path,
    out_dir: Path,
    patterns: list[str] | None,
    options: BatchApiOptions,
    wait: bool,
    quiet: bool,
) -> dict[str, Any]:
    from summarizer.batchapi.engine import BatchApiRun

    say = (lambda message: None) if quiet else None
    kwargs = {"say": say} if say is not None else {}
    run = BatchApiRun(
        summarizer, input_dir, out_dir, patterns=patterns, options=options, wait=wait, **kwargs
    )
    report = run.run()
    click.echo(
        f"summarizer: {report['inputs']} inputs: {report['ok']} ok "
        f"({report['cache_hits']} from cache, {report['duplicates']} duplicates), "
        f"{report['failed']} failed, {report['skipped']} skipped, {report['pending']} in "
        f"batches, via the batch API; see {out_dir / 'index.jsonl'}",
        err=True,
    )
    return report


def exit_code(report: dict[str, Any], failed_code: int, interrupted_code: int) -> int:
    if report["interrupted"]:
        return interrupted_code
    if report["failed"] or report["stopped_reason"]:
        return failed_code
    return EXIT_BATCHES_OPEN if report["pending"] else 0


@click.command("batches")
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--cancel", is_flag=True, help="Cancel every batch that is still open.")
@click.option("--base-url", help="Endpoint (default: the one the run used) [env: OPENAI_BASE_URL]")
@click.option("--api-key", help="API key (prefer the OPENAI_API_KEY environment variable).")
@click.option("--json", "as_json", is_flag=True, help="Print the batches as JSON.")
def batches(
    out_dir: Path, cancel: bool, base_url: str | None, api_key: str | None, as_json: bool
) -> None:
    """List the provider batches of a --batch-api run in OUT_DIR (or cancel them).

    A rerun of the same `run` sends again what a cancelled batch left unanswered: to
    abandon the run, cancel and then use another --out.
    """
    from summarizer.batch.lock import OutputLock, OutputLocked
    from summarizer.batchapi.poll import apply, describe
    from summarizer.batchapi.provider import Provider
    from summarizer.batchapi.state import State
    from summarizer.config import resolve
    from summarizer.errors import SummarizerError
    from summarizer.options import TransportOptions

    try:
        state = State.read(out_dir)
        settings = resolve(model=state.model, base_url=base_url or state.base_url, api_key=api_key)
        provider = Provider(settings, TransportOptions())
        lock = OutputLock(out_dir)
        try:
            lock.acquire()
            owned = True
        except OutputLocked:
            if cancel:
                raise
            owned = False  # a run is polling: list what the provider says, write nothing
        try:
            for chunk in state.chunks:
                if chunk.batch_id and chunk.open:
                    apply(chunk, provider.retrieve(chunk.batch_id))
                    if cancel:
                        apply(chunk, provider.cancel(chunk.batch_id))
            if owned:
                state.save()
        finally:
            lock.release()
            provider.close()
    except OutputLocked as exc:
        click.echo(f"summarizer: error: {exc}; stop that run first (Ctrl-C), then cancel", err=True)
        sys.exit(EXIT_OUTPUT_LOCKED)
    except SummarizerError as exc:
        click.echo(f"summarizer: error: {exc}", err=True)
        sys.exit(2)
    if as_json:
        rows = [
            {"id": c.batch_id, "input": c.name, "status": c.status, "counts": c.counts}
            for c in state.chunks
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    if not state.chunks:
        click.echo("no batches submitted yet")
    for chunk in state.chunks:
        click.echo(describe(chunk))
    waiting = sum(1 for line in state.lines.values() if line.status in ("new", "sent", "live"))
    click.echo(f"{len(state.lines)} distinct articles: {waiting} not collected yet")
