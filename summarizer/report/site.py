"""Render briefs as self-contained HTML pages: one per article and a run overview.

Why one module-level Jinja2 environment: templates compile once and are reused for
every page of a 2,225-article run. Autoescape is on for every template, so article
text and model output are always data; the only unescaped inserts are our own CSS,
JS and the JSON data island, which :func:`~summarizer.report.overview.json_for_script`
makes unable to close its element.

Why hashes in the Content-Security-Policy: the pages must work from ``file://``
with no server, so the policy travels in a ``<meta>`` tag. ``default-src 'none'``
forbids everything; the page's own inline style and script are then allowed by
their SHA-256, so any other script (an injected ``<script>``, an ``onerror=``
attribute, a ``javascript:`` URL) is refused by the browser even if it got in.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from summarizer.pricing import cost_usd, model_info
from summarizer.report.article_view import ArticleView, build_article_view
from summarizer.report.loading import Entry, article_text, read_run
from summarizer.report.overview import Overview

REPORT_DIR = "report"
ARTICLES_DIR = "articles"


@dataclass(frozen=True)
class Inline:
    """A static file to inline, with the CSP source expression that admits it."""

    code: Markup
    csp: str


@cache
def _inline(name: str) -> Inline:
    code = resources.files("summarizer.report").joinpath("static", name).read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode()
    return Inline(Markup(code), f"'sha256-{digest}'")


def _csp(style: Inline, script: Inline) -> str:
    return (
        f"default-src 'none'; style-src {style.csp}; script-src {script.csp}; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("summarizer.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _provenance_facts(provenance: dict[str, Any]) -> list[tuple[str, str]]:
    usage = provenance.get("usage") or {}
    model = str(provenance.get("model", ""))
    cost = None
    if provenance.get("mode") != "offline" and usage:
        cost = cost_usd(
            model_info(model), usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)
        )
    return [
        ("model", model),
        ("mode", str(provenance.get("mode", ""))),
        ("endpoint", str(provenance.get("endpoint", ""))),
        (
            "tokens",
            f"{usage.get('prompt_tokens', 0)} in + {usage.get('completion_tokens', 0)} out",
        ),
        # Of the call that made the brief (a cache hit cost nothing this time).
        ("cost", "n/a" if cost is None else f"${cost:.4f} at list price"),
        ("cache", "hit" if provenance.get("cache_hit") else "miss"),
        ("attempts", f"{provenance.get('attempts', 0)} (re-asks: {provenance.get('reasks', 0)})"),
        ("created", str(provenance.get("created_at", ""))),
    ]


def render_article(view: ArticleView, *, index_href: str | None = None) -> str:
    """One article's page as a complete HTML document."""
    style, script = _inline("report.css"), _inline("article.js")
    return (
        environment()
        .get_template("article.html.j2")
        .render(
            view=view,
            facts=_provenance_facts(view.provenance),
            index_href=index_href,
            css=style.code,
            js=script.code,
            csp=_csp(style, script),
        )
    )


def render_result(result: dict[str, Any], text: str | None, note: str | None = None) -> str:
    """The page for one result envelope and its cleaned article text (None: not shown)."""
    if text is None and note is None:
        note = "The article text is not available; the brief is shown without it."
    return render_article(build_article_view(result, text, note))


def page_name(entry: Entry) -> str:
    """The article page's path under ``report/``, mirroring the output tree."""
    return f"{ARTICLES_DIR}/{entry.line.get('output') or entry.path}.html"


def _source_candidates(entry: Entry, articles_dir: Path | None) -> list[Path]:
    source = (entry.result or {}).get("article", {}).get("source")
    found = [Path(source)] if source else []
    if articles_dir is not None and entry.path:
        found.insert(0, articles_dir / entry.path)
    return found


def _render_page(job: tuple[dict[str, Any], str, list[Path]]) -> tuple[str, str, bool]:
    """Load the text, build the view and render one page: ``(name, html, text missing)``."""
    result, name, candidates = job
    loaded = article_text(result, candidates)
    view = build_article_view(result, loaded.text, loaded.note)
    html = render_article(view, index_href="../" * name.count("/") + "index.html")
    return name, html, loaded.text is None


def _rendered(
    jobs: list[tuple[dict[str, Any], str, list[Path]]], workers: int
) -> Iterator[tuple[str, str, bool]]:
    """Pages in job order, rendered here or by ``workers`` processes.

    Loading, cleaning and templating are CPU-bound Python, so threads would not help;
    the parent keeps reading, writing and the overview, which need every entry. One
    process is the default: on the shared 2-core benchmark machine, two workers were
    slower, not faster (``bench/bench_report.py`` measures both side by side).
    """
    if workers < 2:
        yield from map(_render_page, jobs)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_render_page, jobs, chunksize=32)


def write_site(
    out_dir: Path, *, articles_dir: Path | None = None, workers: int = 1
) -> dict[str, Any]:
    """Write ``OUT/report/index.html`` and one page per brief; return counts.

    ``articles_dir`` is the run's input folder when the recorded source paths no
    longer resolve (the run was made from another working directory); ``workers``
    the rendering processes.
    """
    report, entries = read_run(out_dir)
    writer = _Writer(out_dir / REPORT_DIR)
    overview = Overview()
    jobs = [
        (entry.result, page_name(entry), _source_candidates(entry, articles_dir))
        for entry in entries
        if entry.result is not None
    ]
    pages = missing_text = 0
    rendered = _rendered(jobs, workers)
    for entry in entries:
        if entry.result is None:
            overview.add(entry, None)
            continue
        name, html, missing = next(rendered)
        writer.write(name, html)
        missing_text += missing
        # A link, not a path: "#" or "?" in a file name must not end the URL's path.
        overview.add(entry, quote(name))
        pages += 1
    writer.write("index.html", render_overview(overview, report, out_dir))
    writer.remove_stale()
    return {"pages": pages, "missing_text": missing_text, "index": writer.root / "index.html"}


def render_overview(overview: Overview, report: dict[str, Any], out_dir: Path) -> str:
    style, script = _inline("report.css"), _inline("index.js")
    return (
        environment()
        .get_template("index.html.j2")
        .render(
            overview=overview,
            report=report,
            run_name=os.fspath(out_dir),
            data=Markup(overview.data_island()),
            css=style.code,
            js=script.code,
            csp=_csp(style, script),
        )
    )


class _Writer:
    """Writes pages, leaving unchanged ones alone and removing stale ones at the end.

    Why compare first: pages are deterministic, so re-running ``report`` mostly
    rewrites identical bytes, and on some file systems truncating a file costs ten
    times what reading it does. Stale pages (articles no longer in the run) would
    otherwise linger and be linked from nowhere.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: set[Path] = set()
        self._folders: set[Path] = set()

    def write(self, relative: str, html: str) -> None:
        path = self.root / relative
        data = html.encode("utf-8")
        self.written.add(path)
        if path.parent not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(path.parent)
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return
        except FileNotFoundError:
            pass
        path.write_bytes(data)

    def remove_stale(self) -> None:
        for page in (self.root / ARTICLES_DIR).rglob("*.html"):
            if page not in self.written:
                page.unlink()
