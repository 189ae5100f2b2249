"""Compare the offline analyzer of two checkouts, interleaved, in one run.

Usage::

    python bench/bench_offline_ab.py BASE_CHECKOUT [FOLDER] [--rounds N] [--sizes]

Why interleaved: the machine is shared, so two runs made minutes apart see different
loads; here each article is analysed by the base checkout and by this one in turn
(order alternating), each in its own worker process importing its own ``summarizer``
package, and each worker times only ``analyze`` itself. Prints both medians and the
ratio (this / base). ``--sizes`` also times the articles joined into one text of
10 kB .. 10 MB, to show the cost stays linear (both cut at the analyzer's cap).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared" / "data" / "bbc" / "articles"

_WORKER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from summarizer.input.article import Article
from summarizer.offline import analyze
analyze(Article(text="Warm-up. Nothing here.", title=None))
for line in sys.stdin:
    job = json.loads(line)
    article = Article(text=job["text"], title=job["title"])
    t0 = time.perf_counter()
    analyze(article)
    print(json.dumps((time.perf_counter() - t0) * 1000), flush=True)
"""


class Worker:
    """A process that analyses the articles it is sent with one checkout's code."""

    def __init__(self, checkout: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(checkout)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )

    def time_ms(self, title: str, text: str) -> float:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"title": title, "text": text}) + "\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait()


def load_texts(folder: Path, limit: int | None) -> list[tuple[str, str]]:
    out = []
    for p in sorted(folder.rglob("*.txt"))[:limit]:
        raw = p.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
        out.append((raw.split("\n", 1)[0].strip() or p.stem, raw.strip()))
    return out


def compare(base: Worker, mine: Worker, jobs: list[tuple[str, str]], rounds: int) -> tuple:
    times: dict[str, list[float]] = {"base": [], "this": []}
    for r in range(rounds):
        for k, (title, text) in enumerate(jobs):
            order = [("base", base), ("this", mine)]
            if (k + r) % 2:
                order.reverse()
            for name, worker in order:
                times[name].append(worker.time_ms(title, text))
    b, t = statistics.median(times["base"]), statistics.median(times["this"])
    return b, t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("base", type=Path, help="checkout of the code to compare against")
    ap.add_argument("folder", type=Path, nargs="?", default=DEFAULT)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--sizes", action="store_true")
    args = ap.parse_args()
    texts = load_texts(args.folder, args.limit)
    base, mine = Worker(args.base), Worker(REPO)
    try:
        b, t = compare(base, mine, texts, args.rounds)
        print(f"{len(texts)} articles x {args.rounds}: median ms/article "
              f"base {b:.2f}  this {t:.2f}  ratio {t / b:.2f}")
        if args.sizes:
            # Distinct articles joined (a repeated one would be read as page furniture).
            joined = "\n\n".join(text for _, text in texts)
            for size in (10_000, 100_000, 1_000_000, 10_000_000):
                big = (joined + "\n\n") * (size // (len(joined) + 2) + 1)
                b, t = compare(base, mine, [("Size test", big[:size])], 1)
                print(f"{size:>10,} chars: base {b:9.1f} ms  this {t:9.1f} ms  "
                      f"this {t / size * 1e6:.0f} ms/MB of input")
    finally:
        base.close()
        mine.close()


if __name__ == "__main__":
    main()
