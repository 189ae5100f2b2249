"""Benchmark long articles: chunked wall time against its part calls, offline time per MB.

Usage::

    PYTHONPATH=. python bench/bench_longform.py [--latency 0.5] [--concurrency 8]
        [--repeat 3] [--window 8192] [--offline-mb 1 2 4] [--skip-offline]

1. **Chunked vs its part calls.** One long article (about 30 BBC articles joined,
   read from ../shared/data; a synthetic one when absent) against the in-process
   simulator (tests/openai_sim.py) serving ``--window`` tokens with ``--latency``
   seconds per request. Measured side by side, ``--repeat`` times each, medians:

   * ``long``: ``Summarizer.summarize`` of the article: parts concurrently, then
     the merge call;
   * ``parts, one by one``: the same part texts summarised one after another (the
     sum of the part calls);
   * ``parts, concurrently``: the same part texts at ``--concurrency``, no merge.

   Printed: the medians, ``long / parts one by one`` and the merge's extra cost
   ``(long - parts concurrently) / one call`` (expected about 1: one extra call).
   Caching is off, so every run pays every call.

2. **Offline time per MB.** Articles of each ``--offline-mb`` size (BBC articles
   repeated, or synthetic), summarised by the offline analyzer through the
   long-article path; seconds and seconds per MB for each size. Linear time shows
   as a flat seconds-per-MB column. ``--offline-mb 10`` runs the 10 MB case (a few
   minutes on two cores).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from longform_corpus import bbc_long_read, synthetic_long_read  # noqa: E402
from openai_sim import SimServer  # noqa: E402
from sim_context import ContextLimits  # noqa: E402

from summarizer.input.article import Article  # noqa: E402
from summarizer.longform.run import part_articles  # noqa: E402
from summarizer.options import GenerationOptions, TransportOptions  # noqa: E402
from summarizer.pipeline import Summarizer  # noqa: E402
from summarizer.prompting.tokens import get_encoding  # noqa: E402

DATA = REPO.parent / "shared" / "data"


def long_text(chars: int) -> tuple[str, str]:
    if (DATA / "bbc" / "articles").is_dir():
        return bbc_long_read(DATA, chars), "BBC articles joined"
    return synthetic_long_read(chars), "synthetic (../shared/data absent)"


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def bench_chunked(args: argparse.Namespace) -> None:
    text, origin = long_text(100_000)
    encoding = get_encoding("o200k_base")

    def count(s: str) -> int:
        return len(encoding.encode(s, disallowed_special=()))

    limits = ContextLimits(limit=args.window)
    with SimServer(latency=args.latency, token_counter=count, context=limits) as sim:
        summarizer = Summarizer(
            base_url=sim.base_url,
            api_key="bench",
            generation=GenerationOptions(
                model="sim-model",
                context_window=args.window,
                max_output_tokens=1024,
                max_chunks=64,
            ),
            transport=TransportOptions(concurrency=args.concurrency),
            cache=False,
        )
        article = summarizer.load(text)
        result = summarizer.summarize(article)
        chunks = result.provenance["chunks"]
        from summarizer.longform import plan_article

        plan = summarizer._loop.run(
            plan_article(article, summarizer.backend, summarizer.template, summarizer.generation, 2)
        )
        assert plan is not None and len(plan.parts) == chunks
        parts = part_articles(article, plan)

        def one_by_one() -> None:
            for part in parts:
                summarizer.summarize(part)

        def concurrently() -> None:
            for item in summarizer.summarize_many(parts, concurrency=args.concurrency):
                assert not isinstance(item, Exception), item

        rows: dict[str, list[float]] = {"long": [], "one_by_one": [], "concurrently": []}
        for _ in range(args.repeat):
            rows["long"].append(timed(summarizer.summarize, article))
            rows["one_by_one"].append(timed(one_by_one))
            rows["concurrently"].append(timed(concurrently))
        summarizer.close()
        refused = sum(r.status != 200 for r in sim.chat_requests)
    med = {k: statistics.median(v) for k, v in rows.items()}
    single = med["one_by_one"] / chunks
    print(f"article: {len(text):,} chars ({origin}); window {args.window} tokens; "
          f"{chunks} parts; latency {args.latency} s; concurrency {args.concurrency}; "
          f"repeat {args.repeat}; requests refused by the context limit: {refused}")  # fmt: skip
    print(f"  long article (parts + merge)   median {med['long']:.3f} s")
    print(f"  parts one by one (sum)         median {med['one_by_one']:.3f} s")
    print(f"  parts concurrently, no merge   median {med['concurrently']:.3f} s")
    print(f"  long / parts one by one        {med['long'] / med['one_by_one']:.2f}")
    extra = (med["long"] - med["concurrently"]) / single
    print(f"  merge's extra cost             {extra:.2f} calls (one call = {single:.3f} s)")


def bench_offline(sizes: list[float]) -> None:
    print("offline analyzer through the long-article path:")
    print("    MB   chars        parts  seconds  s/MB")
    for mb in sizes:
        chars = int(mb * 1_000_000)
        base, origin = long_text(min(chars, 400_000))
        text = (base * (chars // len(base) + 1))[:chars] if len(base) < chars else base
        with Summarizer("offline", cache=False) as summarizer:
            started = time.perf_counter()
            result = summarizer.summarize(Article(text))
            seconds = time.perf_counter() - started
        parts = result.provenance.get("chunks", 1)
        print(f"  {mb:5.1f} {len(text):>11,} {parts:>6} {seconds:8.2f} {seconds / mb:6.2f}")
    print(f"  (text: {origin}, repeated to size)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=TransportOptions().concurrency)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--window", type=int, default=8192)
    parser.add_argument("--offline-mb", type=float, nargs="*", default=[0.5, 1, 2])
    parser.add_argument("--skip-offline", action="store_true")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}; command: {' '.join(sys.argv)}")
    bench_chunked(args)
    if not args.skip_offline:
        bench_offline(args.offline_mb)


if __name__ == "__main__":
    main()
