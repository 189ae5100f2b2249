"""Issue 11, item 2: a damaged SQLite cache never blocks a command.

Damage as a user's disk makes it: a truncated file, and garbage over a page in the
middle. Every command then says so in one line, moves the file aside and goes on
with a fresh cache; ``summarizer cache clear`` always works.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer.cli import main

ARTICLE = (
    "Harbour Bridge to reopen in May\n\n"
    "Transport Minister Ana Lopez said on Monday that the Harbour Bridge will reopen in May. "
    "Engineers reportedly found fewer cracks than feared.\n"
)
PAGE = 4096  # SQLite's default page size


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("SUMMARIZER_MODEL", "offline")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def filled_cache(tmp_path: Path) -> tuple[Path, Path]:
    articles = tmp_path / "in"
    articles.mkdir()
    for i in range(30):
        story = ARTICLE.replace("May", f"May {i + 1}") + f" Story {i} had more detail. " * 20
        (articles / f"a{i:02}.txt").write_text(story)
    cache = tmp_path / "c.db"
    result = invoke("run", str(articles), "--out", str(tmp_path / "first"), "--cache", str(cache))
    assert result.exit_code == 0, result.output
    assert cache.stat().st_size > 4 * PAGE
    return articles, cache


def truncate(cache: Path) -> None:
    os.truncate(cache, cache.stat().st_size // 3)


def garbage_in_a_middle_page(cache: Path) -> None:
    with open(cache, "r+b") as handle:
        handle.seek(PAGE)  # page 2: the results table's root
        handle.write(os.urandom(PAGE))


DAMAGE = [truncate, garbage_in_a_middle_page]


def damage_reported(result, cache: Path, caplog) -> None:
    # Logged (at ERROR, which the command prints by default as "summarizer: ERROR: ...");
    # the in-process runner does not capture the logging stream, so read the records.
    lines = [r.getMessage() for r in caplog.records if "is damaged" in r.getMessage()]
    assert len(lines) == 1, lines
    assert "\n" not in lines[0]
    assert str(cache) in lines[0] and ".corrupt-" in lines[0]
    assert "Traceback" not in result.output
    aside = list(cache.parent.glob(f"{cache.name}.corrupt-*"))
    assert [p for p in aside if not p.name.endswith(("-wal", "-shm"))], "moved aside"


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_run_goes_on_with_a_fresh_cache(tmp_path, damage, caplog):
    articles, cache = filled_cache(tmp_path)
    damage(cache)
    out = tmp_path / "out"
    result = invoke("run", str(articles), "--out", str(out), "--cache", str(cache), "-j", "4")
    assert result.exit_code == 0, result.output
    damage_reported(result, cache, caplog)
    report = json.loads((out / "report.json").read_text())
    assert report["ok"] == report["inputs"] == 30
    # The fresh cache works: a rerun is served from it.
    rerun = invoke("run", str(articles), "--out", str(out), "--cache", str(cache))
    assert rerun.exit_code == 0
    assert sum("is damaged" in r.getMessage() for r in caplog.records) == 1  # no new damage
    assert json.loads((out / "report.json").read_text())["cache_hits"] == 30


@pytest.mark.parametrize("damage", DAMAGE)
def test_cache_clear_always_works(tmp_path, damage, caplog):
    _, cache = filled_cache(tmp_path)
    damage(cache)
    result = invoke("cache", "clear", "--cache", str(cache))
    assert result.exit_code == 0, result.output
    damage_reported(result, cache, caplog)
    stats = invoke("cache", "stats", "--cache", str(cache))
    assert stats.exit_code == 0
    assert json.loads(stats.stdout)["entries"] == 0


@pytest.mark.parametrize("damage", DAMAGE)
def test_summarize_and_stats_survive_a_damaged_cache(tmp_path, damage, seed_path, caplog):
    _, cache = filled_cache(tmp_path)
    damage(cache)
    stats = invoke("cache", "stats", "--cache", str(cache))
    assert stats.exit_code == 0, stats.output
    damage_reported(stats, cache, caplog)
    result = invoke("summarize", str(seed_path), "--cache", str(cache))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["headline"]
    assert "Traceback" not in result.output
