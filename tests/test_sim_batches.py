"""The simulator's Files and Batch APIs behave as the provider's, through the real client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from openai_sim import SimServer, status

ARTICLE = "Minister Ana Lopez said on Monday that the Harbour Bridge will reopen in May."


def request(custom_id: str, model: str = "sim-model") -> str:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": f"Brief it.\n<article>\n{ARTICLE}\n</article>"}],
    }
    line = {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body}
    return json.dumps(line)


@pytest.fixture
def sim() -> Iterator[SimServer]:
    with SimServer() as server:
        yield server


def client(sim: SimServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=sim.base_url, api_key="sk-test", max_retries=0)


def submit(api: openai.OpenAI, lines: list[str]) -> Any:
    file = api.files.create(file=("in.jsonl", ("\n".join(lines) + "\n").encode()), purpose="batch")
    assert api.files.retrieve(file.id).bytes == len(("\n".join(lines) + "\n").encode())
    return api.batches.create(
        input_file_id=file.id, endpoint="/v1/chat/completions", completion_window="24h"
    )


def test_states_follow_the_clock_and_failures_go_to_the_error_file(sim: SimServer) -> None:
    clock = [0.0]
    batches = sim.batch_api
    batches.clock = lambda: clock[0]
    batches.validate_seconds, batches.lines_per_second, batches.finalize_seconds = 1, 2, 1
    batches.on_line = lambda cid, body: status(500) if cid == "b" else None
    api = client(sim)
    batch = submit(api, [request("a"), request("b"), request("c"), request("d")])
    seen = [batch.status]
    for step in (0.5, 1.0, 1.6, 2.6, 3.1, 4.2):
        clock[0] = step
        current = api.batches.retrieve(batch.id)
        seen.append((current.status, current.request_counts.completed))
    assert seen == [
        "validating",
        ("validating", 0),
        ("in_progress", 0),
        ("in_progress", 1),
        ("in_progress", 2),  # a, then b failed, then c: 3.2 lines at 2 lines/s
        ("finalizing", 3),
        ("completed", 3),
    ]
    assert current.request_counts.failed == 1
    output = [json.loads(t) for t in api.files.content(current.output_file_id).text.splitlines()]
    errors = [json.loads(t) for t in api.files.content(current.error_file_id).text.splitlines()]
    assert sorted(e["custom_id"] for e in output) == ["a", "c", "d"]
    assert all(e["response"]["status_code"] == 200 for e in output)
    assert [(e["custom_id"], e["response"]["status_code"]) for e in errors] == [("b", 500)]
    brief = json.loads(output[0]["response"]["body"]["choices"][0]["message"]["content"])
    assert brief["key_claims"]  # the chat endpoint's own answer


def test_rejected_input_expiry_cancellation_and_listing(sim: SimServer) -> None:
    api = client(sim)
    duplicate = submit(api, [request("a"), request("a")])
    assert api.batches.retrieve(duplicate.id).status == "failed"
    assert "not unique" in api.batches.retrieve(duplicate.id).errors.data[0].message
    mixed = submit(api, [request("a"), request("b", model="other")])
    assert api.batches.retrieve(mixed.id).status == "failed"

    clock = [0.0]
    sim.batch_api.clock = lambda: clock[0]
    sim.batch_api.lines_per_second, sim.batch_api.expire_after = 1, 2.5
    late = submit(api, [request(c) for c in "abcd"])
    clock[0] = 3
    expired = api.batches.retrieve(late.id)
    assert (expired.status, expired.request_counts.completed) == ("expired", 2)
    missing = api.files.content(expired.error_file_id).text.splitlines()
    assert [json.loads(t)["error"]["code"] for t in missing] == ["batch_expired"] * 2

    sim.batch_api.expire_after = None
    stopped = submit(api, [request(c) for c in "abc"])
    clock[0] = 4
    assert api.batches.cancel(stopped.id).status == "cancelling"
    cancelled = api.batches.retrieve(stopped.id)
    assert (cancelled.status, cancelled.request_counts.completed) == ("cancelled", 1)
    with pytest.raises(openai.ConflictError):
        api.batches.cancel(stopped.id)
    with pytest.raises(openai.NotFoundError):
        api.batches.retrieve("batch_nope")

    listed = [b.id for b in api.batches.list(limit=2)]  # auto-paginates, newest first
    assert listed == [stopped.id, late.id, mixed.id, duplicate.id]
    assert sim.batch_api.lines_answered == 2 + 1
