"""Commands around the results: schemas, validation, the HTML report and terminal view,
the cache, and evaluation on annotated sets.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from summarizer.batchapi.cli import (  # noqa: F401 - EXIT_BATCHES_OPEN: the documented code
    EXIT_BATCHES_OPEN,
    batch_api_options,
    take_batch_options,
)
from summarizer.cli.common import (
    EXIT_FAILED_ITEMS,
    build_summarizer,
    main,
    model_options,
    user_errors,
)
from summarizer.config import resolve


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
