"""Benchmark ``summarizer report``: generation time for a whole run and the page sizes.

Usage::

    PYTHONPATH=. python bench/bench_report.py [FOLDER] [--run OUT] [--repeat N] [--jobs J]

Without ``--run`` it first makes an offline run of FOLDER (default: the 2,225 BBC
articles in ``../shared/data/bbc/articles``) into a temporary folder with
``summarizer run --no-cache`` (no key: the offline analyzer, no network), timing it.
Then it renders the site N times (default 3) into an empty ``report/``, in one process
(the default) and with ``--jobs`` worker processes (default 2), and once more over the unchanged
result (unchanged pages are not rewritten), printing medians beside the floor
every generation pays (reading the run back and re-loading and cleaning every source
article, measured in the same process) so the ratio shows what templating and writing
add. Sizes: the overview ``index.html`` (raw and gzip), the median article page, and
the whole ``report/`` folder.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared" / "data" / "bbc" / "articles"


def _without_keys() -> dict[str, str]:
    """The environment minus anything that would send the run to a paid model."""
    dropped = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_CONFIG")
    return {k: v for k, v in os.environ.items() if k not in dropped}


def make_run(folder: Path, out: Path) -> float:
    """An offline ``summarizer run`` of ``folder`` into ``out``; its wall time in seconds."""
    command = [sys.executable, "-m", "summarizer.cli", "run", str(folder), "--out", str(out)]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "--no-cache", "-q"],
        capture_output=True,
        text=True,
        env={**_without_keys(), "SUMMARIZER_MODEL": "offline"},
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"bench_report: the run failed ({done.returncode}): {done.stderr.strip()}")
    return seconds


def floor_seconds(out: Path) -> float:
    """Reading the run back and re-loading every source text: no templates, no writes."""
    from summarizer.report.loading import article_text, read_run
    from summarizer.report.site import _source_candidates

    started = time.perf_counter()
    _, entries = read_run(out)
    for entry in entries:
        if entry.result is not None:
            article_text(entry.result, _source_candidates(entry, None))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--run", type=Path, help="Reuse this run output folder.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2, help="Worker processes to compare.")
    args = parser.parse_args()

    from summarizer.report.site import write_site

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        out = args.run
        run_seconds = None
        if out is None:
            out = Path(tmp) / "run"
            run_seconds = make_run(args.folder, out)
            print(f"offline run of {args.folder}: {run_seconds:.2f} s")
        generation, parallel, again, floors = [], [], [], []
        counts: dict = {}
        for _ in range(args.repeat):
            # Side by side in each round, so machine load hits all of them alike.
            floors.append(floor_seconds(out))
            shutil.rmtree(out / "report", ignore_errors=True)
            started = time.perf_counter()
            counts = write_site(out)
            generation.append(time.perf_counter() - started)
            shutil.rmtree(out / "report", ignore_errors=True)
            started = time.perf_counter()
            write_site(out, workers=args.jobs)
            parallel.append(time.perf_counter() - started)
            started = time.perf_counter()
            write_site(out)
            again.append(time.perf_counter() - started)
        report = out / "report"
        index = (report / "index.html").read_bytes()
        pages = sorted((report / "articles").rglob("*.html"))
        page_sizes = [p.stat().st_size for p in pages]
        total = sum(p.stat().st_size for p in report.rglob("*.html"))
        median = statistics.median(generation)
        floor = statistics.median(floors)
        print(f"article pages: {counts['pages']} (source text missing: {counts['missing_text']})")
        print(
            f"generation: median {median:.2f} s of {args.repeat} "
            f"({', '.join(f'{g:.2f}' for g in generation)}), "
            f"{counts['pages'] / median:.0f} pages/s"
        )
        print(
            f"--jobs {args.jobs}: median {statistics.median(parallel):.2f} s "
            f"({', '.join(f'{g:.2f}' for g in parallel)}); "
            f"--jobs {args.jobs} / one process = {statistics.median(parallel) / median:.2f}x"
        )
        print(
            f"regeneration over an unchanged report/: median {statistics.median(again):.2f} s "
            f"({', '.join(f'{g:.2f}' for g in again)})"
        )
        print(
            f"floor (read run + reload sources): median {floor:.2f} s; "
            f"generation / floor = {median / floor:.1f}x"
        )
        if run_seconds:
            print(f"generation / offline run = {median / run_seconds:.2f}x")
        packed = len(gzip.compress(index))
        print(f"index.html: {len(index) / 1024:.0f} KiB, gzip {packed / 1024:.0f} KiB")
        print(
            f"article page: median {statistics.median(page_sizes) / 1024:.1f} KiB, "
            f"max {max(page_sizes) / 1024:.1f} KiB; report/ total {total / 1024 / 1024:.1f} MiB"
        )


if __name__ == "__main__":
    main()
