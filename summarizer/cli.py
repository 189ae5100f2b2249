"""The ``summarizer`` command.

User errors (a missing file, a bad key, an invalid config) print one line naming
the input and the reason, and exit non-zero without a traceback; ``--verbose`` adds
detail for debugging.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from summarizer.batchapi.cli import (  # noqa: F401 - EXIT_BATCHES_OPEN: the documented code
    EXIT_BATCHES_OPEN,
    batch_api_options,
    take_batch_options,
)
from summarizer.config import OFFLINE_NOTICE, resolve
from summarizer.doctor import doctor_command
from summarizer.errors import SummarizerError
from summarizer.options import (
    BudgetOptions,
    FolderOptions,
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


@main.command()
@click.option(
    "--result", "which", flag_value="result", help="Print the result envelope schema instead."
)
@click.option(
    "--summary",
    "which",
    flag_value="summary",
    default=True,
    help="Print the brief schema (default).",
)
def schema(which: str) -> None:
    """Print the JSON Schema of the brief (or of the result envelope)."""
    from summarizer.output.schema import load_schema

    click.echo(json.dumps(load_schema(which), indent=2))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@user_errors
def validate(paths: tuple[Path, ...]) -> None:
    """Re-validate written result files (or folders of them) against result.schema.json."""
    from summarizer.output.schema import schema_errors

    checked = bad = 0
    for path in paths:
        files = (
            sorted(p for p in path.rglob("*.json") if p.name != "report.json")
            if path.is_dir()
            else [path]
        )
        for file in files:
            checked += 1
            try:
                payload = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                bad += 1
                click.echo(f"{file}: not readable JSON: {exc}", err=True)
                continue
            errors = schema_errors(payload, "result")
            if errors:
                bad += 1
                for error in errors:
                    click.echo(f"{file}: {error}", err=True)
    click.echo(f"{checked - bad} of {checked} result files valid")
    if bad:
        sys.exit(EXIT_FAILED_ITEMS)


@main.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--articles",
    "articles_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The run's input folder, when the recorded source paths do not resolve from here.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes rendering pages.",
)
@user_errors
def report(out_dir: Path, articles_dir: Path | None, jobs: int) -> None:
    """Write OUT_DIR/report/: a page per brief and an overview (index.html) of a run."""
    from summarizer.report.commands import write_report

    write_report(out_dir, articles_dir, jobs)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@user_errors
def show(file: Path) -> None:
    """Print a result file (FILE.json) readably in the terminal."""
    from summarizer.report.terminal import load_result, show_result

    show_result(load_result(file))


@main.group()
def cache() -> None:
    """Inspect or empty the result cache."""


def _open_cache(path: str | None) -> Any:
    from summarizer.cache import Cache, default_cache_path

    settings = resolve(model="offline", cache_path=path)
    return Cache(settings.cache_path or default_cache_path())


@cache.command("stats")
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False))
@user_errors
def cache_stats(cache_path: str | None) -> None:
    """Entries, size and models in the cache."""
    click.echo(json.dumps(_open_cache(cache_path).stats(), indent=2))


@cache.command("clear")
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False))
@user_errors
def cache_clear(cache_path: str | None) -> None:
    """Delete every cached result."""
    store = _open_cache(cache_path)
    click.echo(f"removed {store.clear()} cached results from {store.path}")


@main.command("eval")
@click.argument("gold_set")
@click.option("--limit", type=int, help="Evaluate only the first N articles.")
@click.option(
    "--data",
    "--shared",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder holding the annotated corpora (gum-dev/, ...). [env: SUMMARIZER_SHARED_DATA]",
)
@click.option("--part", type=click.Choice(["dev", "check"]), help="Score only one half of the set.")
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the metrics as JSON here.",
)
@model_options
@user_errors
def evaluate_command(
    gold_set: str,
    limit: int | None,
    data_dir: Path | None,
    part: str | None,
    json_out: Path | None,
    **options: Any,
) -> None:
    """Score a model on an annotated set (seed, polnear-train, gum-dev, factbank-dev,
    boilerplate-dev) or a gold JSONL file."""
    from summarizer.evaluation import format_table, run_eval

    summarizer = build_summarizer(options)
    started = time.perf_counter()
    report = run_eval(
        gold_set,
        lambda article: summarizer.summarize(article).to_dict(),
        data_dir=data_dir,
        limit=limit,
        part=part,
    )
    summarizer.close()
    click.echo(format_table(report))
    click.echo(f"({time.perf_counter() - started:.1f} s)", err=True)
    if json_out:
        json_out.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")


main.add_command(doctor_command)


def _add_batch_commands() -> None:
    from summarizer.batchapi.cli import batches
    from summarizer.batchapi.files import batch_file_group

    main.add_command(batches)
    main.add_command(
        batch_file_group(model_options, user_errors, build_summarizer, EXIT_FAILED_ITEMS)
    )


_add_batch_commands()

if __name__ == "__main__":
    main()
