"""Benchmark the offline analyzer (and, with ``--segmenters``, sentence splitters).

Usage::

    python bench/bench_offline.py [FOLDER] [--limit N] [--segmenters] [--sizes]

FOLDER defaults to ``../shared/data/bbc/articles`` beside the checkout; every ``*.txt``
under it is read (first line = title, as in the BBC set). Import time is measured and
printed separately so that per-article numbers show steady-state cost only.

``--segmenters`` also compares the built-in regex splitter with pysbd and syntok (when
installed) on speed over the same articles and on a small set of hand-written hard
cases; it is how the built-in splitter was chosen.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared" / "data" / "bbc" / "articles"

# Hand-written paragraphs with the expected sentence count (our own text, not corpus).
HARD_CASES: list[tuple[str, int]] = [
    ("Mr. Smith met Dr. Jones at 5 p.m. on Friday. They talked.", 2),
    ("The U.S. economy grew. The U.K. economy shrank.", 2),
    ("He moved to the U.S. in 1990 and stayed.", 1),
    ("Shares rose on Jan. 5 after the report. Analysts were surprised.", 2),
    ("John F. Kennedy was elected in 1960. He was 43.", 2),
    ('"We will win," she said. "No doubt about it."', 2),
    ("Is this the end? Nobody knows! Markets fell 3.5% anyway.", 3),
    ("The firm, Acme Inc., denied it. The regulator did not.", 2),
    ("Prices fell by 2.5 per cent. That was expected.", 2),
    ("Gen. Mark Milley spoke to Sen. Jack Reed. Both declined to comment.", 2),
    ("It was sold to Smith & Co. The deal closed in May.", 2),
    ("The No. 10 spokesman said the U.N. would meet. It did not.", 2),
    ("“It is over,” he said. “We lost.”", 2),
    ("She earned a Ph.D. at MIT. Then she left.", 2),
    ("The deal is under review by the SEC. The firm said nothing.", 2),
    ("Rival firm AT&T. Consolidation followed later.", 2),
    ('He said growth slowed. "[Prices] will rise," he added.', 2),
    ("The paper reported it, sources told the FT. But the firm disagreed.", 2),
    ("Profit rose to $42.09bn. Revenue fell.", 2),
    ("Troops arrived near Ussuriysk, not far from Vladivostok. However, numbers vary.", 2),
]


def load_texts(folder: Path, limit: int | None) -> list[tuple[str, str]]:
    """Read articles as (title, text) pairs; bytes that are not UTF-8 are replaced."""
    paths = sorted(folder.rglob("*.txt"))
    if limit:
        paths = paths[:limit]
    out = []
    for p in paths:
        raw = p.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
        first = raw.split("\n", 1)[0].strip()
        out.append((first or p.stem, raw.strip()))
    return out


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def bench_analyzer(texts: list[tuple[str, str]]) -> None:
    t0 = time.perf_counter()
    from summarizer.input.article import Article
    from summarizer.offline import analyze

    import_ms = (time.perf_counter() - t0) * 1000
    print(f"import summarizer.offline: {import_ms:.1f} ms")
    analyze(Article(text="Warm-up. Nothing here.", title=None))
    times = []
    for title, text in texts:
        art = Article(text=text, title=title)
        t = time.perf_counter()
        analyze(art)
        times.append((time.perf_counter() - t) * 1000)
    total = sum(times) / 1000
    print(
        f"analyze: {len(times)} articles, median {statistics.median(times):.2f} ms, "
        f"p95 {_percentile(times, 0.95):.2f} ms, max {max(times):.2f} ms, "
        f"{len(times) / total:.0f} articles/s"
    )


SIZES = (100_000, 1_000_000, 10_000_000)


def bench_sizes(texts: list[tuple[str, str]]) -> None:
    """Time one analysis of a synthetic article per size, as one line and as paragraphs.

    The text is the corpus concatenated and repeated up to the size. Printed per size:
    seconds, ms per MB, and the growth ratio (time ratio over size ratio against the
    previous size: 1.0 is linear, 10 would be quadratic over a tenfold step). Sizes
    above the analyzer's cap (``MAX_ANALYZED_CHARS``) measure the cut as well.
    """
    from summarizer.input.article import Article
    from summarizer.offline import MAX_ANALYZED_CHARS, analyze

    print(f"size sweep (analyzer cap {MAX_ANALYZED_CHARS:,} chars)")
    paras = "\n".join(text for _, text in texts)
    for shape, body in (("one-line", paras.replace("\n", " ")), ("paragraphs", paras)):
        prev: tuple[int, float] | None = None
        for size in SIZES:
            text = (body * (size // len(body) + 1))[:size]
            t = time.perf_counter()
            analyze(Article(text=text, title=None))
            secs = time.perf_counter() - t
            growth = ""
            if prev is not None:
                growth = f"  growth {(secs / prev[1]) / (size / prev[0]):.2f}"
            print(
                f"  {shape:10s} {size / 1e6:5.1f} MB  {secs:7.2f} s  "
                f"{secs * 1000 / (size / 1e6):8.0f} ms/MB{growth}"
            )
            prev = (size, secs)


def _segmenters() -> dict[str, Callable[[str], list[str]]]:
    from summarizer.offline.sentences import split_paragraph

    segs: dict[str, Callable[[str], list[str]]] = {
        "regex (built-in)": lambda p: [p[s:e] for s, e in split_paragraph(p)],
    }
    try:
        import pysbd

        seg = pysbd.Segmenter(language="en", clean=False)
        segs["pysbd"] = lambda p: [s.strip() for s in seg.segment(p) if s.strip()]
    except ImportError:
        print("pysbd not installed: skipped")
    try:
        from syntok import segmenter as syn

        def _syntok(p: str) -> list[str]:
            out = []
            for para in syn.analyze(p):
                for sent in para:
                    out.append("".join(t.spacing + t.value for t in sent).strip())
            return out

        segs["syntok"] = _syntok
    except ImportError:
        print("syntok not installed: skipped")
    return segs


def bench_segmenters(texts: list[tuple[str, str]]) -> None:
    paragraphs = [line for _, text in texts for line in text.split("\n") if line.strip()]
    for name, fn in _segmenters().items():
        correct = sum(len(fn(p)) == n for p, n in HARD_CASES)
        t = time.perf_counter()
        count = 0
        for p in paragraphs:
            count += len(fn(p))
        ms = (time.perf_counter() - t) * 1000
        print(
            f"{name:18s} hard cases {correct}/{len(HARD_CASES)}  "
            f"{len(paragraphs)} paragraphs -> {count} sentences in {ms:.0f} ms "
            f"({ms / max(1, len(texts)):.3f} ms/article)"
        )
        failed = [p for p, n in HARD_CASES if len(fn(p)) != n]
        for p in failed:
            print(f"    miss: {p!r} -> {fn(p)!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--segmenters", action="store_true", help="also compare splitters")
    ap.add_argument("--sizes", action="store_true", help="also time 0.1/1/10 MB articles")
    args = ap.parse_args(argv)
    if not args.folder.is_dir():
        print(f"no such folder: {args.folder}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO))
    texts = load_texts(args.folder, args.limit)
    if not texts:
        print(f"no .txt files under {args.folder}", file=sys.stderr)
        return 2
    bench_analyzer(texts)
    if args.segmenters:
        bench_segmenters(texts)
    if args.sizes:
        bench_sizes(texts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
