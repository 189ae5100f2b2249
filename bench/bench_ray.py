"""``summarizer run --engine ray`` against the one-machine engine, side by side.

Usage::

    python bench/bench_ray.py [--data DIR] [--concurrency 32] [--actors 2]
                              [--latency 0.1] [--repeat 1] [--json OUT]

Both engines summarise the same folder (default: the BBC corpus, 2,225 articles,
``../shared/data/bbc/articles`` beside the checkout, read in place) against a fresh
simulator (``tests/openai_sim.py`` in its own process, ``--latency`` seconds per
answer) with the same total concurrency: ``-j N`` for the local engine, ``-j N``
divided among ``--actors`` actors for Ray. Each run is a whole ``summarizer run``
child process with no cache, so its wall time covers everything a user waits for,
Ray's start-up included. With ``--repeat N`` the engines alternate (ABAB...) and
medians are reported.

Printed figures:

1. local wall time, Ray wall time, and their ratio;
2. Ray's start-up on its own line: a child process that only starts and stops a
   local Ray instance (``ray.init(num_cpus=2)``, ``ray.shutdown()``), measured in the
   same alternation;
3. the Ray run's wall time minus that start-up, against the local run's, as a ratio.

Needs the ray extra (``pip install '.[ray]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_batch import API_KEY, DEFAULT_DATA, MODEL, REPO, Sim, log, run_child

RAY_START = (
    "import time, ray\n"
    "t = time.perf_counter()\n"
    "ray.init(num_cpus=2, include_dashboard=False, logging_level='ERROR')\n"
    "ray.shutdown()\n"
    "print(time.perf_counter() - t)\n"
)


def summarizer_run(
    data: Path, out: Path, sim: Sim, concurrency: int, extra: list[str], env: dict[str, str]
) -> tuple[float, dict[str, Any]]:
    cmd = [sys.executable, "-m", "summarizer.cli", "run", str(data), "--out", str(out),
           "-q", "-j", str(concurrency), "--no-cache", "--model", MODEL,
           "--base-url", sim.base_url, "--api-key", API_KEY, *extra]  # fmt: skip
    child = run_child(cmd, env=env, timeout=3600, cwd=REPO)
    if child.returncode not in (0, 1):
        raise SystemExit(child.describe_failure())
    report = json.loads((out / "report.json").read_text())
    return child.wall_s, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--actors", type=int, default=2)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        raise SystemExit(f"{args.data}: no such folder (the BBC corpus lives in ../shared/data)")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_MODEL", "RAY_ADDRESS"):
        env.pop(name, None)
    work = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    figures: dict[str, list[float]] = {
        f"{engine}_{what}": []
        for engine in ("local", "ray")
        for what in ("s", "first_answer_s", "calls_s")
    }
    figures["ray_start_s"] = []
    counts: dict[str, Any] = {}
    try:
        for rep in range(args.repeat):
            for engine in ("local", "ray"):
                out = work / f"{engine}-{rep}"
                extra = (
                    ["--engine", "ray", "--ray-actors", str(args.actors)] if engine == "ray" else []
                )
                started = time.time()
                with Sim(latency=args.latency) as sim:
                    wall, report = summarizer_run(args.data, out, sim, args.concurrency, extra, env)
                stats = sim.stats
                figures[f"{engine}_s"].append(wall)
                counts[engine] = {k: report[k] for k in ("inputs", "ok", "failed", "model_calls")}
                # Where the time went: before the first answer (start-up, walk, actors),
                # and from the first answer to the last (the calls themselves).
                first = stats["first_ok_at"] - started
                calls = stats["last_ok_at"] - stats["first_ok_at"]
                figures[f"{engine}_first_answer_s"].append(first)
                figures[f"{engine}_calls_s"].append(calls)
                log(f"{engine} run {rep + 1}: {wall:.1f} s (first answer after {first:.1f} s, "
                    f"calls over {calls:.1f} s, at most {stats['max_in_flight']} in flight), "
                    f"{counts[engine]}")  # fmt: skip
                shutil.rmtree(out, ignore_errors=True)
            start = run_child([sys.executable, "-c", RAY_START], env=env, timeout=600, cwd=REPO)
            if start.returncode != 0:
                raise SystemExit(start.describe_failure())
            figures["ray_start_s"].append(start.wall_s)
            log(f"ray start-up {rep + 1}: {start.wall_s:.1f} s (ray.init alone "
                f"{float(start.stdout.strip().splitlines()[-1]):.1f} s)")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    local = statistics.median(figures["local_s"])
    on_ray = statistics.median(figures["ray_s"])
    start_up = statistics.median(figures["ray_start_s"])
    summary = {
        "articles": counts["local"]["inputs"],
        "concurrency": args.concurrency,
        "actors": args.actors,
        "latency_s": args.latency,
        "repeat": args.repeat,
        "local_wall_s": round(local, 2),
        "ray_wall_s": round(on_ray, 2),
        "ray_over_local": round(on_ray / local, 3),
        "ray_start_up_s": round(start_up, 2),
        "ray_without_start_up_over_local": round((on_ray - start_up) / local, 3),
        **{
            name: round(statistics.median(values), 2)
            for name, values in figures.items()
            if "first_answer" in name or "calls" in name
        },
        "counts": counts,
        "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
    }
    print(f"articles {summary['articles']}, total concurrency {args.concurrency} "
          f"({args.actors} actors on Ray), simulator latency {args.latency} s, "
          f"medians of {args.repeat}")  # fmt: skip
    print(f"local engine wall time          {local:8.1f} s")
    print(f"ray engine wall time            {on_ray:8.1f} s")
    print(f"ray / local                     {on_ray / local:8.2f}x")
    print(f"ray start-up alone              {start_up:8.1f} s")
    print(f"(ray - start-up) / local        {(on_ray - start_up) / local:8.2f}x")
    for engine in ("local", "ray"):
        first = statistics.median(figures[f"{engine}_first_answer_s"])
        calls = statistics.median(figures[f"{engine}_calls_s"])
        print(f"{engine:5} first answer after {first:6.1f} s, first to last answer {calls:6.1f} s")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
