"""The report package's side of the ``report`` and ``summarize --format html`` commands.

``summarizer/cli.py`` only declares the options; the work and the messages live here
so the CLI module stays a table of commands.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from summarizer.report.loading import article_text
from summarizer.report.site import render_result, write_site


def write_report(out_dir: Path, articles_dir: Path | None, jobs: int = 1) -> None:
    """Render the run in ``out_dir`` and say where the pages are and what was missing."""
    started = time.perf_counter()
    counts = write_site(out_dir, articles_dir=articles_dir, workers=jobs)
    seconds = time.perf_counter() - started
    click.echo(
        f"summarizer: wrote {counts['pages']} article pages and {counts['index']} "
        f"in {seconds:.1f} s",
        err=True,
    )
    if counts["missing_text"]:
        click.echo(
            f"summarizer: {counts['missing_text']} articles' source text could not be loaded "
            "again; their pages show the brief without highlights (see the note on each page; "
            "--articles INPUT_DIR helps if the input folder moved)",
            err=True,
        )


def html_page(result: dict[str, Any], source: Path) -> str:
    """One article's page for ``summarize FILE --format html``."""
    loaded = article_text(result, [source])
    return render_result(result, loaded.text, loaded.note)
