"""Issue 13: self-hosted batch files (``batch-file export`` / ``import``), the format
``vllm run-batch`` reads and writes.

The results file is made the way vLLM's runner makes it: every request line's body
answered by a chat model (here the simulator's own answer logic, called directly,
with no server: exactly the offline situation of a GPU box), written as output lines
in the provider format, in another order than the requests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openai_sim import Brief, SimServer
from test_batch_api import batch_run, comparable, invoke, make_articles, read_index

from summarizer.cli import EXIT_FAILED_ITEMS


def answer_offline(requests: Path, results: Path, skip: int = 0) -> None:
    """What `vllm run-batch -i requests -o results` does, by the simulator's logic."""
    sim = SimServer()  # not started: only its answer logic is used
    lines = [json.loads(t) for t in requests.read_text().splitlines()]
    with results.open("w") as out:
        for line in reversed(lines[skip:]):  # output order is not input order
            code, payload, _ = sim._run_step(Brief(), line["body"])
            entry: dict[str, Any] = {
                "id": f"vllm-{line['custom_id']}",
                "custom_id": line["custom_id"],
                "response": {"status_code": code, "request_id": "r", "body": json.loads(payload)},
                "error": None,
            }
            out.write(json.dumps(entry) + "\n")


def test_export_then_import_writes_what_a_batch_api_run_writes(tmp_path: Path) -> None:
    articles = make_articles(tmp_path / "in", 4)
    (articles / "copy.txt").write_text((articles / "story001.txt").read_text())
    requests, results = tmp_path / "work" / "requests.jsonl", tmp_path / "work" / "results.jsonl"
    requests.parent.mkdir()
    with SimServer() as sim:
        args = ["--model", "sim-model", "--base-url", sim.base_url]
        exported = invoke("batch-file", "export", articles, "--out", requests,
                          "--cache", tmp_path / "files.db", *args)  # fmt: skip
        assert exported.exit_code == 0, exported.output
        reference = batch_run(sim, articles, tmp_path / "api", tmp_path / "api.db")
        assert reference.exit_code == 0, reference.output
        uploaded = sim.batch_api.contents[
            next(iter(sim.batch_api.batches.values()))["input_file_id"]
        ]
    lines = requests.read_text().splitlines()
    assert len(lines) == 4  # the duplicate shares a line
    # Byte for byte the file `run --batch-api` uploads, in the same order.
    assert requests.read_bytes() == uploaded
    manifest = json.loads(Path(f"{requests}.manifest.json").read_text())
    assert sorted(len(paths) for paths in manifest["lines"].values()) == [1, 1, 1, 2]

    answer_offline(requests, results)
    imported = invoke("batch-file", "import", results, "--out", tmp_path / "out",
                      "--cache", tmp_path / "files.db")  # fmt: skip
    assert imported.exit_code == 0, imported.output
    for name in ["copy.txt"] + [f"story{i:03}.txt" for i in range(4)]:
        mine = json.loads((tmp_path / "out" / f"{name}.json").read_text())
        theirs = json.loads((tmp_path / "api" / f"{name}.json").read_text())
        assert comparable(mine) == comparable(theirs), name
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["via"] == "batch" and report["ok"] == 5 and report["duplicates"] == 1

    # Everything is cached now: a second export has nothing to send.
    again = invoke("batch-file", "export", articles, "--out", requests,
                   "--cache", tmp_path / "files.db", *args)  # fmt: skip
    assert again.exit_code == 0 and requests.read_text() == ""


def test_a_line_missing_from_the_results_fails_and_the_next_export_has_only_it(
    tmp_path: Path,
) -> None:
    articles = make_articles(tmp_path / "in", 3)
    requests, results = tmp_path / "requests.jsonl", tmp_path / "results.jsonl"
    cache = tmp_path / "c.db"
    assert invoke("batch-file", "export", articles, "--out", requests, "--cache", cache,
                  "--model", "sim-model").exit_code == 0  # fmt: skip
    first = json.loads(requests.read_text().splitlines()[0])
    answer_offline(requests, results, skip=1)
    imported = invoke("batch-file", "import", results, "--out", tmp_path / "out", "--cache", cache)
    assert imported.exit_code == EXIT_FAILED_ITEMS
    statuses = sorted(e["status"] for e in read_index(tmp_path / "out").values())
    assert statuses == ["failed", "ok", "ok"]
    assert invoke("batch-file", "export", articles, "--out", requests, "--cache", cache,
                  "--model", "sim-model").exit_code == 0  # fmt: skip
    remaining = [json.loads(t)["custom_id"] for t in requests.read_text().splitlines()]
    assert remaining == [first["custom_id"]]
    answer_offline(requests, results)
    assert invoke("batch-file", "import", results, "--out", tmp_path / "out",
                  "--cache", cache).exit_code == 0  # fmt: skip
    assert {e["status"] for e in read_index(tmp_path / "out").values()} == {"ok"}
