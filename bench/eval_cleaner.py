"""Measure summarizer.input.clean.clean_text on real page dumps with human gold article text.

Why: the cleaner's one hard requirement is that it never deletes article text (evidence
quotes are matched against what it keeps), and its usefulness is how much page furniture
it removes. Both can only be judged on real pages, which are copyrighted and therefore
read from ../shared/data at run time, never copied into the repo.

Usage::

    PYTHONPATH=. python bench/eval_cleaner.py [--data ../shared/data/boilerplate-dev] [-v]

Line-level figures over the ``naive_fulltext`` dumps (non-empty lines after whitespace
normalisation). A dump line is *gold* when it appears in the human ``clean_text`` (as a
whole line, or as a substring for lines of 40+ chars, since the gold text sometimes
joins or splits lines differently).

- removal precision: removed lines that are not gold / removed lines
- removal recall: removed non-gold lines / all non-gold lines
- gold lines kept: gold lines still present after cleaning / gold lines in the dump
- gold chars kept: the same weighted by line length
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.input.clean import clean_text, normalize_whitespace

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "boilerplate-dev"


@dataclass
class PageScore:
    """Counts for one page; summed over pages for the report."""

    page: str
    gold_lines: int = 0
    gold_kept: int = 0
    gold_chars: int = 0
    gold_chars_kept: int = 0
    junk_lines: int = 0
    junk_removed: int = 0
    lost: list[str] = field(default_factory=list)


def score_page(page: str, naive: str, gold: str) -> tuple[PageScore, float]:
    """Score one page; returns the counts and the seconds clean_text took."""
    gold_norm = normalize_whitespace(gold)
    gold_set = {line for line in gold_norm.split("\n") if line}
    started = time.perf_counter()
    cleaned = clean_text(naive)
    elapsed = time.perf_counter() - started
    kept = {line for line in cleaned.split("\n") if line}
    score = PageScore(page)
    for line in normalize_whitespace(naive).split("\n"):
        if not line:
            continue
        is_gold = line in gold_set or (len(line) >= 40 and line in gold_norm)
        survived = line in kept
        if is_gold:
            score.gold_lines += 1
            score.gold_chars += len(line)
            if survived:
                score.gold_kept += 1
                score.gold_chars_kept += len(line)
            else:
                score.lost.append(line)
        else:
            score.junk_lines += 1
            score.junk_removed += 0 if survived else 1
    return score, elapsed


def evaluate(data: Path) -> tuple[list[PageScore], list[float]]:
    """Score every page listed in ``index.jsonl``."""
    scores: list[PageScore] = []
    times: list[float] = []
    with (data / "index.jsonl").open(encoding="utf-8") as index:
        for row in map(json.loads, index):
            naive = (data / row["naive_fulltext_path"]).read_text(encoding="utf-8")
            gold = (data / row["clean_text_path"]).read_text(encoding="utf-8")
            clean_text(naive)  # warm-up so the timing is of the steady state
            score, elapsed = score_page(row["id"][:12], naive, gold)
            scores.append(score)
            times.append(elapsed)
    return scores, times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("-v", "--verbose", action="store_true", help="print lost gold lines")
    args = parser.parse_args(argv)
    if not (args.data / "index.jsonl").is_file():
        print(f"no boilerplate-dev corpus at {args.data}", file=sys.stderr)
        return 2
    scores, times = evaluate(args.data)
    gold = sum(s.gold_lines for s in scores)
    gold_kept = sum(s.gold_kept for s in scores)
    gold_chars = sum(s.gold_chars for s in scores)
    gold_chars_kept = sum(s.gold_chars_kept for s in scores)
    junk = sum(s.junk_lines for s in scores)
    junk_removed = sum(s.junk_removed for s in scores)
    removed = junk_removed + (gold - gold_kept)
    pages_losing = [s for s in scores if s.lost]
    print(f"pages: {len(scores)}  lines: {gold + junk} ({gold} gold, {junk} boilerplate)")
    print(f"removed lines: {removed}")
    print(f"removal precision (removed lines not in gold): {junk_removed / max(removed, 1):.4f}")
    print(f"removal recall (boilerplate lines removed):    {junk_removed / max(junk, 1):.4f}")
    print(f"gold lines kept: {gold_kept}/{gold} = {gold_kept / max(gold, 1):.4f}")
    print(f"gold chars kept: {gold_chars_kept / max(gold_chars, 1):.4f}")
    print(f"pages that lost any gold line: {len(pages_losing)}")
    ms = sorted(t * 1000 for t in times)
    print(
        f"ms per page: mean {sum(ms) / len(ms):.3f}  median {ms[len(ms) // 2]:.3f}  "
        f"max {ms[-1]:.3f}"
    )
    if args.verbose:
        for s in pages_losing:
            for line in s.lost:
                print(f"  LOST {s.page}: {line[:120]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
