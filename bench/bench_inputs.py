"""Per-input CPU figures that used to be timed tests, measured side by side in one run.

Usage::

    PYTHONPATH=. python bench/bench_inputs.py [--sizes 25000,50000,100000,200000] [--repeat 5]

1. ``clean_text`` on a typical 3 KB article: median ms per call (target: below 1 ms;
   this was a wall-clock assertion in tests/test_clean.py, which failed at random on
   a loaded machine).
2. Load + clean + offline analysis of one article at growing sizes, as a multi-line
   article and as one long line: median seconds per size and the ratio between
   consecutive sizes. Linear work doubles when the size doubles (ratio about 2);
   quadratic work quadruples (about 4). Issue 11 asks that time stays linear in size.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from summarizer.input.clean import clean_text
from summarizer.input.loader import load_article
from summarizer.offline import analyze

REPO = Path(__file__).resolve().parents[1]
SENTENCE = "Transport Minister Ana Lopez said on Monday that bridge {i} will reopen in May. "


def median_seconds(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def clean_figure(repeat: int) -> None:
    raw = (REPO / "examples" / "seed-article.txt").read_text(encoding="utf-8")[:3000]
    per_call = median_seconds(lambda: [clean_text(raw) for _ in range(200)], repeat) / 200
    print(f"clean_text, 3 KB article: {per_call * 1000:.3f} ms per call (target < 1 ms)")


def size_figures(sizes: list[int], repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for shape, separator in (("paragraphs", "\n\n"), ("one line", " ")):
            previous = None
            for size in sizes:
                parts, total, i = [], 0, 0
                while total < size:
                    part = SENTENCE.format(i=i) + (separator if i % 5 == 4 else "")
                    parts.append(part)
                    total += len(part)
                    i += 1
                path = Path(folder) / f"a{size}.txt"
                path.write_text("Headline\n\n" + "".join(parts), encoding="utf-8")
                seconds = median_seconds(lambda p=path: analyze(load_article(p)), repeat)
                ratio = "" if previous is None else f"  x{seconds / previous:.2f} vs half"
                print(f"{shape:10} {size:>9,} chars: {seconds:8.3f} s{ratio}")
                previous = seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25000,50000,100000,200000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    clean_figure(args.repeat)
    size_figures([int(s) for s in args.sizes.split(",")], args.repeat)


if __name__ == "__main__":
    main()
