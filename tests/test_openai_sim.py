"""Tests of the OpenAI chat-completions simulator, through the real ``openai`` client.

Why through the real client: the simulator is only useful if the client maps its
answers to the same exceptions and headers a real provider would produce, so each
fault is checked as the retry layer will see it (exception class, ``Retry-After``).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import openai
import pytest
from openai_sim import SimServer, brief, content, drop_connection, hang, status

REPO = Path(__file__).resolve().parents[1]
SIM = Path(__file__).resolve().parent / "openai_sim.py"
SCHEMA = json.loads((REPO / "schemas" / "summary.schema.json").read_text(encoding="utf-8"))
ARTICLE = (
    "Council approves new bridge over the Avon\n"
    "\n"
    "The city council voted on Tuesday to fund a new footbridge. "
    "Mayor Jane Holloway said construction would start in spring. "
    "Opponents, led by Green Streets Alliance, say the cost of £4.2m is too high. "
    "The council has not published the full budget.\n"
)


def messages(article: str = ARTICLE) -> list[dict[str, str]]:
    """A prompt shaped like prompts/brief.md: instructions, then the delimited article."""
    return [
        {"role": "system", "content": "You are a careful news analyst."},
        {
            "role": "user",
            "content": "Return a brief as JSON.\n\nThe article follows between <article> and "
            f"</article>.\n\n<article>\n{article}\n</article>",
        },
    ]


@pytest.fixture
def sim() -> Iterator[SimServer]:
    with SimServer() as server:
        yield server


def client_for(server: SimServer, **kw: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0, **kw)


def ask(client: openai.OpenAI, **kw: Any) -> Any:
    kw.setdefault("messages", messages())
    kw.setdefault("model", "sim-model")
    return client.chat.completions.create(**kw)


def test_default_brief_is_schema_valid_and_grounded(sim: SimServer) -> None:
    resp = ask(client_for(sim), model="my-model", response_format={"type": "json_object"})
    assert resp.model == "my-model"
    choice = resp.choices[0]
    assert choice.finish_reason == "stop"
    data = json.loads(choice.message.content)
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    assert data["headline"] == "Council approves new bridge over the Avon"
    assert data["key_claims"]
    for claim in data["key_claims"]:
        assert claim["evidence"] in ARTICLE
        assert claim["claimant"] in (None, "s1")
    assert resp.usage.completion_tokens == (len(choice.message.content) + 3) // 4
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens


def test_last_article_block_wins_and_missing_block_is_400(sim: SimServer) -> None:
    client = client_for(sim)
    two = messages("Old headline\n\nOld text.")
    two[1]["content"] += "\n\nNow this one:\n<article>\nNew headline\n\nNew text here.\n</article>"
    data = json.loads(ask(client, messages=two).choices[0].message.content)
    assert data["headline"] == "New headline"
    with pytest.raises(openai.BadRequestError, match="article"):
        ask(client, messages=[{"role": "user", "content": "no delimiters here"}])


def test_article_without_sentences_or_names_still_validates(sim: SimServer) -> None:
    resp = ask(client_for(sim), messages=messages("only a headline without punctuation"))
    data = json.loads(resp.choices[0].message.content)
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    assert data["stakeholders"][0]["name"] == "the article"
    assert data["key_claims"][0]["evidence"] == "only a headline without punctuation"


def test_scripted_429_exposes_retry_after(sim: SimServer) -> None:
    sim.script(status(429, headers={"Retry-After": "1"}))
    client = client_for(sim)
    with pytest.raises(openai.RateLimitError) as info:
        ask(client)
    assert info.value.response.headers["retry-after"] == "1"
    assert info.value.status_code == 429
    ask(client)  # script exhausted: default behaviour resumes
    assert [r.status for r in sim.requests] == [429, 200]
    assert [r.step for r in sim.requests] == ["status", None]


@pytest.mark.parametrize(
    ("code", "exc"),
    [
        (500, openai.InternalServerError),
        (503, openai.InternalServerError),
        (400, openai.BadRequestError),
        (401, openai.AuthenticationError),
    ],
)
def test_scripted_status_maps_to_client_exception(
    sim: SimServer, code: int, exc: type[Exception]
) -> None:
    sim.script(status(code))
    with pytest.raises(exc):
        ask(client_for(sim))


def test_scripted_status_custom_body(sim: SimServer) -> None:
    sim.script(status(500, body={"error": {"message": "boom", "type": "x"}}))
    with pytest.raises(openai.InternalServerError, match="boom"):
        ask(client_for(sim))


def test_scripted_content_and_finish_reason(sim: SimServer) -> None:
    sim.script(content('```json\n{"headline": "x"}\n```'), content('{"headline": "tru', "length"))
    client = client_for(sim)
    first = ask(client).choices[0]
    assert first.message.content == '```json\n{"headline": "x"}\n```'
    second = ask(client).choices[0]
    assert (second.message.content, second.finish_reason) == ('{"headline": "tru', "length")
    assert sim.pending == 0


def test_scripted_brief_mutation(sim: SimServer) -> None:
    def ungrounded(data: dict[str, Any]) -> None:
        data["key_claims"][0]["evidence"] = "A sentence that is not in the article."

    sim.script(brief(mutate=ungrounded))
    data = json.loads(ask(client_for(sim)).choices[0].message.content)
    assert data["key_claims"][0]["evidence"] not in ARTICLE
    jsonschema.Draft202012Validator(SCHEMA).validate(data)


def test_hang_times_out_client_and_server_keeps_serving(sim: SimServer) -> None:
    # No wall-clock bounds (they fail at random on a loaded machine): the first handler
    # hangs far longer than the test, so an answer to the second request proves it
    # was served while the first was still sleeping.
    sim.script(hang(60))
    client = client_for(sim, timeout=0.5)
    with pytest.raises(openai.APITimeoutError):
        ask(client)
    ask(client)
    assert sim.requests[0].status is None  # the first is still hanging


def test_stop_is_prompt_while_a_handler_hangs() -> None:
    server = SimServer().start()
    server.script(hang(30))
    body = json.dumps({"model": "m", "messages": messages()})

    def call() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            conn.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
            conn.getresponse()
        except (OSError, http.client.HTTPException):
            pass  # the connection is closed without an answer on stop
        finally:
            conn.close()

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    deadline = time.monotonic() + 2
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    server.stop()
    caller.join(timeout=10)  # far below the 30 s hang: stop did not wait for it
    assert not caller.is_alive()
    assert server.requests[0].status is None


@pytest.mark.parametrize("reset", [False, True])
def test_drop_connection_is_a_connection_error(sim: SimServer, reset: bool) -> None:
    sim.script(drop_connection(reset=reset))
    client = client_for(sim)
    with pytest.raises(openai.APIConnectionError):
        ask(client)
    ask(client)
    assert sim.stats()["errors"] == 1


def test_reject_json_schema_like_llama_cpp() -> None:
    with SimServer(reject_json_schema=True) as server:
        server.script(status(503))
        client = client_for(server)
        schema_format = {
            "type": "json_schema",
            "json_schema": {"name": "brief", "schema": SCHEMA, "strict": True},
        }
        with pytest.raises(openai.InternalServerError) as info:
            ask(client, response_format=schema_format)
        assert "response_format" in str(info.value)
        assert "json_object" in str(info.value)
        assert server.pending == 1  # rejected request did not consume the script
        with pytest.raises(openai.InternalServerError, match="simulated 503"):
            ask(client, response_format={"type": "json_object"})
        ask(client, response_format={"type": "json_object"})


def test_rpm_limit_answers_429_with_headers() -> None:
    with SimServer(rpm=2) as server:
        client = client_for(server)
        ask(client)
        ask(client)
        with pytest.raises(openai.RateLimitError) as info:
            ask(client)
        headers = info.value.response.headers
        assert 55 <= int(headers["retry-after"]) <= 60
        assert headers["x-ratelimit-remaining-requests"] == "0"
        stats = server.stats()
        assert (stats["requests"], stats["ok"], stats["rate_limited"]) == (3, 2, 1)


def test_rpm_capacity_frees_after_the_window() -> None:
    with SimServer(rpm=1, window=0.5) as server:
        client = client_for(server)
        ask(client)
        with pytest.raises(openai.RateLimitError) as info:
            ask(client)
        assert info.value.response.headers["retry-after"] == "1"  # never below 1
        time.sleep(0.55)
        ask(client)


def test_tpm_limit_counts_prompt_plus_max_tokens() -> None:
    prompt_tokens = (sum(len(m["content"]) for m in messages()) + 3) // 4
    with SimServer(tpm=prompt_tokens * 2 + 500) as server:
        client = client_for(server)
        ok = ask(client, max_tokens=300)
        assert ok.usage.prompt_tokens == prompt_tokens
        with pytest.raises(openai.RateLimitError, match="TPM") as info:
            ask(client, max_completion_tokens=300)  # 2 * (prompt + 300) > limit
        headers = info.value.response.headers
        assert headers["x-ratelimit-remaining-tokens"] == str(prompt_tokens + 200)
        assert int(headers["retry-after"]) >= 1
        ask(client, max_tokens=100)  # fits in what is left; rejected one consumed nothing
        assert server.stats()["tokens_accepted"] == 2 * prompt_tokens + 400
        with pytest.raises(openai.RateLimitError, match="too large"):
            ask(client, max_tokens=10**6)


def test_token_counter_is_used() -> None:
    with SimServer(token_counter=lambda text: 7) as server:
        assert ask(client_for(server)).usage.prompt_tokens == 7


def test_error_rate_is_seeded() -> None:
    def run(seed: int) -> list[int | None]:
        with SimServer(error_rate=0.5, seed=seed) as server:
            client = client_for(server)
            for _ in range(12):
                with contextlib.suppress(openai.InternalServerError):
                    ask(client)
            return [r.status for r in server.requests]

    first = run(3)
    assert set(first) <= {200, 500, 503} and len(set(first)) > 1
    assert run(3) == first


def test_latency_and_concurrency() -> None:
    with SimServer(latency=0.3, jitter=0.05) as server:
        client = client_for(server)
        results: list[float] = []

        def one() -> None:
            t0 = time.monotonic()
            ask(client)
            results.append(time.monotonic() - t0)

        threads = [threading.Thread(target=one) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(results) == 8
        assert min(results) >= 0.25  # a lower bound: load only makes it longer
        # Served in parallel, not one after another (counted, not timed).
        assert server.stats()["max_in_flight"] >= 2


def test_records_requests_and_reuses_connections(sim: SimServer) -> None:
    client = client_for(sim)
    for _ in range(3):
        ask(client, temperature=0)
    assert [m.id for m in client.models.list()] == ["sim-model"]
    chats = [r for r in sim.requests if r.path == "/v1/chat/completions"]
    assert len(chats) == 3
    assert chats[0].method == "POST"
    assert chats[0].headers["authorization"] == "Bearer test"
    assert chats[0].body["temperature"] == 0
    assert chats[0].body["messages"] == messages()
    assert len({r.client for r in sim.requests}) == 1  # keep-alive: one TCP connection
    assert sim.requests[-1].path == "/v1/models"
    assert sim.handler_errors == []


def test_subprocess_mode_prints_port_and_stats_on_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, str(SIM), "--port", "0", "--latency", "0", "--rpm", "0", "--tpm", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("PORT ")
        port = int(line.split()[1])
        client = openai.OpenAI(
            base_url=f"http://127.0.0.1:{port}/v1", api_key="test", max_retries=0
        )
        ask(client)
        ask(client)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    stats = json.loads(out.strip().splitlines()[-1])
    assert set(stats) == {
        "requests",
        "ok",
        "rate_limited",
        "errors",
        "tokens_accepted",
        "first_ok_at",
        "last_ok_at",
        "max_in_flight",
    }
    assert (stats["requests"], stats["ok"]) == (2, 2)
    assert stats["max_in_flight"] == 1  # the two requests were sent one after the other
    assert stats["first_ok_at"] <= stats["last_ok_at"]
