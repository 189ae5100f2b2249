"""``summarizer run --engine ray``: the command's side (flags in, summary line and
exit codes out, the same as a one-machine run's)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from summarizer.config import OFFLINE_NOTICE
from summarizer.options import BudgetOptions
from summarizer.ray.options import RayOptions


def run_on_ray(
    source: str,
    out_dir: Path,
    options: dict[str, Any],
    *,
    limits: dict[str, Any],
    budget: BudgetOptions,
    ray: RayOptions,
    patterns: list[str] | None,
    address: str | None,
    grace: float,
    progress: str,
) -> None:
    from summarizer.batch import OutputLocked
    from summarizer.batch.progress import make_progress
    from summarizer.cli import (
        EXIT_DISK_ERROR,
        EXIT_FAILED_ITEMS,
        EXIT_INTERRUPTED,
        EXIT_OUTPUT_LOCKED,
        _fail,
        generation_options,
        transport_options,
    )
    from summarizer.ray.engine import RayRun

    if options["cache_path"] or options["no_cache"]:
        click.echo(
            "summarizer: note: --engine ray keeps no SQLite cache (it cannot span nodes); "
            "a rerun skips the outputs already in --out",
            err=True,
        )
    display = make_progress(progress)

    def on_interrupt(seconds: float) -> None:
        click.echo(
            f"\nsummarizer: stopping: no new articles; in-flight ones get {seconds:g} s "
            "(Ctrl-C again to stop now)",
            err=True,
        )

    run = RayRun(
        source,
        out_dir,
        generation=generation_options(options),
        transport=transport_options(options, limits),
        budget=budget,
        options=ray,
        patterns=patterns,
        address=address,
        grace_seconds=grace,
        count_first=display.needs_total,
        refresh=options["refresh"],
        on_outcome=display.update,
        on_interrupt=on_interrupt,
    )
    if run.settings.offline_because_unconfigured:
        click.echo(f"summarizer: {OFFLINE_NOTICE}", err=True)
    display.start()
    try:
        report = run.run()
    except OutputLocked as exc:
        _fail(str(exc), EXIT_OUTPUT_LOCKED)
    finally:
        display.stop()
    nodes = len(report["nodes"])
    click.echo(
        f"summarizer: {report['inputs']} inputs: {report['ok']} ok "
        f"({report['cache_hits']} already done, {report['duplicates']} duplicates), "
        f"{report['failed']} failed, {report['skipped']} skipped "
        f"in {report['duration_s']} s on {nodes} node{'s' if nodes != 1 else ''}; "
        f"see {out_dir / 'index.jsonl'}",
        err=True,
    )
    if run.disk_error:
        _fail(f"{out_dir}: {run.disk_error}; free some space and rerun", EXIT_DISK_ERROR)
    if report["interrupted"]:
        sys.exit(EXIT_INTERRUPTED)
    if report["failed"] or report["stopped_reason"]:
        sys.exit(EXIT_FAILED_ITEMS)
