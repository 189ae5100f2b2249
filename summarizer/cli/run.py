"""Commands that summarise: ``summarize`` (files to JSON), ``run`` (a folder, a
dataset on Ray, or the provider's batch API) and ``estimate`` (what ``run`` would cost).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from summarizer.batchapi.cli import (  # noqa: F401 - EXIT_BATCHES_OPEN: the documented code
    EXIT_BATCHES_OPEN,
    batch_api_options,
    take_batch_options,
)
from summarizer.cli.common import (
    EXIT_DISK_ERROR,
    EXIT_FAILED_ITEMS,
    EXIT_INTERRUPTED,
    EXIT_OUTPUT_LOCKED,
    EXIT_USER_ERROR,
    RAY,
    _budget,
    _fail,
    build_summarizer,
    generation_options,
    main,
    model_options,
    run_options,
    user_errors,
)
from summarizer.config import resolve
from summarizer.errors import SummarizerError
from summarizer.options import (
    FolderOptions,
)
from summarizer.ray.options import RayOptions


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "html"]),
    default="json",
    show_default=True,
    help="html: one self-contained page (one FILE only).",
)
@model_options
@user_errors
def summarize(files: tuple[Path, ...], output_format: str, **options: Any) -> None:
    """Summarise FILE... and print the result JSON (a list when several)."""
    if output_format == "html" and len(files) != 1:
        _fail("--format html takes exactly one FILE (use 'summarizer report' for a run)")
    summarizer = build_summarizer(options)
    results, failed = [], 0
    for path in files:
        try:
            results.append(summarizer.summarize(path).to_dict())
        except SummarizerError as exc:
            failed += 1
            click.echo(f"summarizer: error: {exc}", err=True)
    summarizer.close()
    if results and output_format == "html":
        from summarizer.report.commands import html_page

        click.echo(html_page(results[0], files[0]), nl=False)
    elif results:
        payload = results[0] if len(files) == 1 else results
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    if failed:
        sys.exit(EXIT_FAILED_ITEMS if results else EXIT_USER_ERROR)


@main.command()
@click.argument("input_dir", metavar="INPUT")
@click.option(
    "--out",
    "-o",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (mirrors the input tree).",
)
@click.option(
    "--progress",
    type=click.Choice(["auto", "bar", "jsonl", "none"]),
    default="auto",
    show_default=True,
    help="Progress display on stderr; jsonl prints one JSON line per article.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress display (same as --progress none).")
@click.option(
    "--grace",
    type=float,
    default=10.0,
    show_default=True,
    help="Seconds in-flight calls may finish after Ctrl-C.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: this machine; ray: a Ray cluster (INPUT may then be .jsonl or .parquet).",
)
@click.option("--ray-address", help="Ray cluster to join (default: start a local Ray).")
@click.option(
    "--ray-actors",
    type=click.IntRange(min=1),
    default=RAY.actors,
    show_default=True,
    help="Ray actors; --concurrency and --rpm/--tpm/--max-* are divided among them.",
)
@click.option(
    "--ray-endpoint",
    "ray_endpoints",
    multiple=True,
    help="Base URL of a model server replica (repeatable): actors spread over them.",
)
@run_options
@batch_api_options
@user_errors
def run(
    input_dir: str,
    out_dir: Path,
    patterns: tuple[str, ...],
    concurrency: int,
    rpm: float | None,
    tpm: float | None,
    max_cost: float | None,
    max_total_tokens: int | None,
    deprecated_max_tokens: int | None,
    progress: str,
    quiet: bool,
    grace: float,
    engine: str,
    ray_address: str | None,
    ray_actors: int,
    ray_endpoints: tuple[str, ...],
    **options: Any,
) -> None:
    """Summarise every article under INPUT (a folder; with --engine ray also a .jsonl
    or .parquet file or folder, local or any URI Ray reads) into --out, with
    index.jsonl and report.json."""
    from summarizer.backends.runguard import describe_slow_attempts
    from summarizer.batch import OutputLocked, run_folder
    from summarizer.batch.progress import make_progress

    batch_api, wait = take_batch_options(options)
    if engine == "ray" and batch_api is not None:
        _fail("--batch-api sends the run to the provider's batch API: not with --engine ray")
    if engine == "ray":
        from summarizer.ray.cli import run_on_ray

        run_on_ray(
            input_dir,
            out_dir,
            options,
            limits={"rpm": rpm, "tpm": tpm, "concurrency": concurrency},
            budget=_budget(max_cost, max_total_tokens, deprecated_max_tokens),
            ray=RayOptions(actors=ray_actors, endpoints=ray_endpoints),
            patterns=list(patterns) or None,
            address=ray_address,
            grace=grace,
            progress="none" if quiet else progress,
        )
        return
    if ray_address or ray_endpoints:
        _fail("--ray-address and --ray-endpoint need --engine ray")
    folder = click.Path(exists=True, file_okay=False, path_type=Path)
    input_dir = folder.convert(input_dir, None, click.get_current_context())
    summarizer = build_summarizer(
        options,
        _budget(max_cost, max_total_tokens, deprecated_max_tokens),
        {"rpm": rpm, "tpm": tpm, "concurrency": concurrency},
    )
    if batch_api is not None:
        _run_batch_api(summarizer, input_dir, out_dir, patterns, batch_api, wait, quiet)
    display = make_progress("none" if quiet else progress)
    display.start()
    try:
        report = run_folder(
            input_dir,
            out_dir,
            summarizer=summarizer,
            folder=FolderOptions(patterns=patterns, grace_seconds=grace),
            on_outcome=display.update,
            count_first=display.needs_total,
            on_stopping=lambda message: click.echo(f"\nsummarizer: {message}", err=True),
        )
    except OutputLocked as exc:
        _fail(str(exc), EXIT_OUTPUT_LOCKED)
    finally:
        display.stop()
        summarizer.close()
    click.echo(
        f"summarizer: {report['inputs']} inputs: {report['ok']} ok "
        f"({report['cache_hits']} from cache, {report['duplicates']} duplicates), "
        f"{report['failed']} failed, {report['skipped']} skipped "
        f"in {report['duration_s']} s; see {out_dir / 'index.jsonl'}",
        err=True,
    )
    if report["slow_attempts"]:
        warning = describe_slow_attempts(report["slow_attempts"])
        click.echo(f"summarizer: warning: {warning}", err=True)
    if report["disk_error"]:
        _fail(f"{out_dir}: {report['disk_error']}; free some space and rerun", EXIT_DISK_ERROR)
    if report["interrupted"]:
        sys.exit(EXIT_INTERRUPTED)
    if report["fail_fast"]:
        _fail(f"run stopped: {report['fail_fast']}")  # a settings error: EXIT_USER_ERROR
    if report["failed"] or report["stopped_reason"]:
        sys.exit(EXIT_FAILED_ITEMS)


def _run_batch_api(summarizer: Any, input_dir: Path, out_dir: Path, patterns: tuple[str, ...],
                   batch_api: Any, wait: bool, quiet: bool) -> None:  # fmt: skip
    """``run --batch-api`` (see summarizer/batchapi/): exits with the run's code."""
    from summarizer.batch import OutputLocked
    from summarizer.batchapi.cli import exit_code, run_batch_api

    try:
        report = run_batch_api(
            summarizer, input_dir, out_dir, list(patterns) or None, batch_api, wait, quiet
        )
    except OutputLocked as exc:
        _fail(str(exc), EXIT_OUTPUT_LOCKED)
    summarizer.close()
    sys.exit(exit_code(report, EXIT_FAILED_ITEMS, EXIT_INTERRUPTED))


@main.command()
@click.argument("input_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--expected-output-tokens",
    type=int,
    default=900,
    show_default=True,
    help="Expected completion tokens per article (a brief is typically 600-1,200).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the estimate as JSON.")
@click.option("--batch-api", is_flag=True, help="Also price the run at the batch-API discount.")
@run_options
@user_errors
def estimate(
    input_dir: Path,
    patterns: tuple[str, ...],
    expected_output_tokens: int,
    as_json: bool,
    batch_api: bool,
    **options: Any,
) -> None:
    """Articles, tokens and cost of running INPUT_DIR, before any call.

    Takes the same flags as ``run``, so it counts what that run would send: the
    output allowance decides which articles are too long, the mode whether the
    schema is in the prompt. Limits and cache flags are accepted and do not change
    the estimate.
    """
    from summarizer.estimate import estimate_folder, format_estimate

    settings = resolve(model=options["model"], base_url=options["base_url"], api_key=None)
    figures = estimate_folder(
        input_dir,
        settings,
        generation_options(options),
        patterns=list(patterns) or None,
        expected_output_tokens=expected_output_tokens,
    )
    click.echo(json.dumps(figures, indent=2) if as_json else format_estimate(figures, batch_api))
