"""The BBC corpus through ``summarizer run --batch-api`` against the local simulator.

Usage (from the repository root)::

    PYTHONPATH=. python bench/bench_batch_api.py [--data DIR] [--lines-per-second 500]
                                                 [--poll-seconds 0.5] [--repeat 3]

Figures, measured side by side in one run and printed as medians over ``--repeat``:

1. requests submitted against the distinct articles (the same cleaned text is one
   request), and on a second run with the same cache: requests submitted (must be 0);
2. wall time of the whole ``summarizer run --batch-api`` process minus the simulated
   processing time (lines / ``--lines-per-second``): what the client adds (loading,
   request lines, upload, polling granularity, collection, validation, writing);
3. peak RSS of that process (``os.wait4``, the child only);
4. cost: ``summarizer estimate`` live and at the batch price, and the run's own
   ``cost_usd`` (batch prices over the tokens the simulator billed) next to the same
   tokens at live prices.

The simulator runs as a subprocess (``tests/openai_sim.py --batch-lines-per-second``)
so its CPU never mixes with the client's; every run gets a fresh simulator, output
folder and cache in a temporary folder that is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MODEL = "gpt-4o-mini"  # the simulator answers any name; this one has live and batch prices


def start_sim(lines_per_second: float) -> tuple[subprocess.Popen[str], str]:
    sim = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "openai_sim.py"), "--port", "0",
         "--batch-lines-per-second", str(lines_per_second)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert sim.stdout is not None
    line = sim.stdout.readline()
    if not line.startswith("PORT "):
        sim.kill()
        raise SystemExit(f"simulator did not start: {line!r}")
    return sim, f"http://127.0.0.1:{line.split()[1]}/v1"


def stop_sim(sim: subprocess.Popen[str]) -> None:
    sim.send_signal(signal.SIGTERM)
    try:
        sim.wait(timeout=10)
    except subprocess.TimeoutExpired:
        sim.kill()
        sim.wait()


def timed(command: list[str]) -> tuple[int, float, int, float]:
    """Exit code, wall seconds, peak RSS (KiB) and CPU seconds of one child process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    assert child.stderr is not None
    if os.waitstatus_to_exitcode(status) != 0:
        sys.stderr.write(child.stderr.read().decode()[-2000:])
    child.stderr.close()
    cpu = usage.ru_utime + usage.ru_stime
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss, cpu


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "summarizer.cli", *args]


def one_round(data: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    sim, url = start_sim(args.lines_per_second)
    try:
        out, cache = work / "out", work / "cache.sqlite3"
        command = cli(
            "run", str(data), "--out", str(out), "--batch-api", "--quiet",
            "--model", MODEL, "--base-url", url, "--api-key", "sk-bench",
            "--cache", str(cache), "--poll-seconds", str(args.poll_seconds),
        )  # fmt: skip
        code, wall, rss, cpu = timed(command)
        report = json.loads((out / "report.json").read_text())
        state = json.loads((out / ".summarizer-batch-api" / "state").read_text())
        submitted = sum(chunk["lines"] for chunk in state["chunks"])
        rerun_code, rerun_wall, _, rerun_cpu = timed(command)
        rerun = json.loads((out / "report.json").read_text())
        state = json.loads((out / ".summarizer-batch-api" / "state").read_text())
        resubmitted = sum(chunk["lines"] for chunk in state["chunks"]) - submitted
    finally:
        stop_sim(sim)
        shutil.rmtree(work / "out", ignore_errors=True)
        for leftover in work.glob("cache.sqlite3*"):
            leftover.unlink()
    return {
        "exit_code": code,
        "rerun_exit_code": rerun_code,
        "inputs": report["inputs"],
        "ok": report["ok"],
        "distinct": report["ok"] - report["duplicates"] - report["cache_hits"],
        "submitted": submitted,
        "rerun_submitted": resubmitted,
        "rerun_cache_hits": rerun["cache_hits"],
        "wall_s": wall,
        "simulated_s": submitted / args.lines_per_second,
        "rerun_wall_s": rerun_wall,
        "cpu_s": cpu,
        "rerun_cpu_s": rerun_cpu,
        "peak_rss_mib": rss / 1024,
        "tokens": report["tokens"],
        "cost_usd": report["cost_usd"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared/data/bbc/articles")
    parser.add_argument("--lines-per-second", type=float, default=500.0)
    parser.add_argument("--poll-seconds", type=float, default=0.5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"{args.data}: corpus not found")
    print(f"command: {' '.join(sys.argv)}")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; data {args.data}; "
          f"load average at start {os.getloadavg()[0]:.1f}")  # fmt: skip
    from summarizer.pricing import cost_usd, model_info

    estimate = subprocess.run(
        cli("estimate", str(args.data), "--model", MODEL, "--batch-api", "--json"),
        env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    figures = json.loads(estimate.stdout)
    rounds = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-api-") as temp:
        for _ in range(args.repeat):
            rounds.append(one_round(args.data, Path(temp), args))
    first = rounds[0]

    def median(key: str) -> float:
        return statistics.median(r[key] for r in rounds)

    overhead = [r["wall_s"] - r["simulated_s"] for r in rounds]
    tokens = first["tokens"]
    live_same_tokens = cost_usd(model_info(MODEL), tokens["prompt"], tokens["completion"])
    codes = [(r["exit_code"], r["rerun_exit_code"]) for r in rounds]
    print(f"inputs {first['inputs']}, ok {first['ok']}, exit codes (run, rerun) {codes}")
    print(f"requests submitted          {first['submitted']} (distinct uncached articles: "
          f"{first['distinct']})")  # fmt: skip
    print(f"rerun: submitted            {first['rerun_submitted']}, "
          f"wall {median('rerun_wall_s'):.2f} s")  # fmt: skip
    print(f"wall time (median of {len(rounds)})     {median('wall_s'):.2f} s")
    print(f"simulated processing        {first['simulated_s']:.2f} s "
          f"({args.lines_per_second:g} lines/s)")  # fmt: skip
    per_round = [round(o, 2) for o in overhead]
    print(f"beyond simulated (median)   {statistics.median(overhead):.2f} s "
          f"(poll interval {args.poll_seconds:g} s); per round {per_round}")  # fmt: skip
    print(f"client CPU (median)         {median('cpu_s'):.2f} s "
          f"({median('cpu_s') / first['inputs'] * 1000:.1f} ms per input); "
          f"rerun {median('rerun_cpu_s'):.2f} s")  # fmt: skip
    print(f"peak RSS (median)           {median('peak_rss_mib'):.1f} MiB")
    print(f"estimate, live              ${figures['cost_usd']:.4f}")
    print(f"estimate, batch API         ${figures['batch_cost_usd']:.4f} "
          f"(ratio {figures['batch_cost_usd'] / figures['cost_usd']:.2f})")  # fmt: skip
    print(f"run cost at batch prices    ${first['cost_usd']:.4f} for {tokens['total']:,} tokens "
          f"(same tokens live: ${live_same_tokens:.4f})")  # fmt: skip
    ok = all(r["submitted"] == r["distinct"] and r["rerun_submitted"] == 0 for r in rounds)
    return 0 if ok and all(r["exit_code"] == 0 for r in rounds) else 1


if __name__ == "__main__":
    sys.exit(main())
