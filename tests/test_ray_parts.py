"""The Ray engine's parts that need no Ray: shares, ids, input kinds and the ledger.

The ledger is a plain async class that Ray runs as an actor, so its claim rules
(one caller per key, waiting duplicates, retries served, stop) are tested here on
an ordinary event loop; tests/test_ray_engine.py runs it inside Ray.
"""

from __future__ import annotations

import asyncio

import pytest

from summarizer.errors import ConfigError
from summarizer.options import BudgetOptions, TransportOptions
from summarizer.ray.inputs import input_kind
from summarizer.ray.ledger import Ledger
from summarizer.ray.options import RayOptions, actor_shares
from summarizer.ray.rows import Row, rows_to_table, unsafe_id


def test_limits_and_budget_are_divided_among_the_actors():
    options = RayOptions(actors=4, endpoints=("http://a/v1", "http://b/v1"))
    transport = TransportOptions(base_url="http://x/v1", rpm=100, tpm=40_000, concurrency=10)
    budget = BudgetOptions(max_cost_usd=2.0, max_total_tokens=1_000)
    shares = [actor_shares(options, transport, budget, i) for i in range(4)]
    assert [t.base_url for t, _ in shares] == ["http://a/v1", "http://b/v1"] * 2
    for share, money in shares:
        assert (share.rpm, share.tpm, share.concurrency) == (25, 10_000, 3)
        assert (money.max_cost_usd, money.max_total_tokens) == (0.5, 250)
    alone, _ = actor_shares(RayOptions(actors=2), TransportOptions(base_url="http://x/v1"),
                            BudgetOptions(), 1)  # fmt: skip
    assert (alone.base_url, alone.rpm, alone.tpm, alone.concurrency) == (
        "http://x/v1",
        None,
        None,
        4,
    )


def test_ray_options_are_checked():
    with pytest.raises(ConfigError, match="actors"):
        RayOptions(actors=0)
    with pytest.raises(ConfigError, match="concurrency_per_actor"):
        RayOptions(concurrency_per_actor=0)
    assert RayOptions(concurrency_per_actor=5).per_actor(TransportOptions(concurrency=99)) == 5


@pytest.mark.parametrize(
    ("row_id", "ok"),
    [("a", True), ("world/a.txt", True), ("../a", False), ("/etc/passwd", False),
     ("a/../../b", False), ("", False), ("a//b", False), ("C:evil", False), ("a\x00b", False)],
)  # fmt: skip
def test_ids_that_would_escape_the_output_folder_are_refused(row_id, ok):
    assert (unsafe_id(row_id) is None) == ok


def test_input_kind_is_read_from_the_name(tmp_path):
    assert input_kind(str(tmp_path)) == "folder"
    assert input_kind("s3://bucket/corpus.parquet") == "parquet"
    assert input_kind(str(tmp_path / "x.jsonl")) == "jsonl"
    with pytest.raises(ConfigError, match="no such file or folder"):
        input_kind(str(tmp_path / "missing"))
    (tmp_path / "a.csv").write_text("id,text\n")
    with pytest.raises(ConfigError, match=r"not a folder, a \.jsonl file"):
        input_kind(str(tmp_path / "a.csv"))


@pytest.mark.ray  # needs pyarrow, which the ray extra brings; runs in .ci/ray-tests
def test_rows_keep_one_schema_even_when_a_column_is_all_null():
    failed = rows_to_table([Row(id="a").failed("no text")])
    ok = rows_to_table([Row(id="b", status="ok", result="{}", key="k", latency_ms=1.0)])
    assert failed.schema == ok.schema
    assert failed.column("error").to_pylist() == ["no text"]


def test_the_ledger_grants_each_key_once_and_serves_waiters_and_retries():
    async def scenario() -> None:
        ledger = Ledger()
        assert await ledger.register("actor-1", 101, "node") == 0
        assert await ledger.register("actor-2", 102, "node") == 1
        assert await ledger.claim("k", "actor-1", "a.txt") == ("mine",)
        # An identical article elsewhere waits for the first outcome instead of calling.
        waiter = asyncio.create_task(ledger.claim("k", "actor-2", "copy.txt"))
        await asyncio.sleep(0.01)
        assert not waiter.done()
        await ledger.finish("k", "a.txt", '{"r": 1}', None, {"attempts": 1})
        assert await waiter == ("done", "a.txt", '{"r": 1}', None, {"attempts": 1})
        # The same row again (its block retried after a crash) gets its paid outcome.
        assert await ledger.claim("k", "actor-2", "a.txt") == (
            "done", "a.txt", '{"r": 1}', None, {"attempts": 1},
        )  # fmt: skip

    asyncio.run(scenario())


def test_a_restarted_actor_releases_its_open_claims_and_keeps_its_index():
    async def scenario() -> None:
        ledger = Ledger()
        await ledger.register("actor-1", 101, "node")
        await ledger.register("actor-2", 102, "node")
        assert await ledger.claim("k", "actor-2", "a.txt") == ("mine",)
        waiter = asyncio.create_task(ledger.claim("k", "actor-1", "a.txt"))
        await asyncio.sleep(0.01)
        assert await ledger.register("actor-2", 202, "node") == 1  # restarted: same index
        assert await waiter == ("mine",)  # the dead owner's claim went to the waiter
        actors = await ledger.actors()
        assert (actors["actor-2"]["pid"], actors["actor-2"]["starts"]) == (202, 2)

    asyncio.run(scenario())


def test_the_ledger_stops_granting_and_lets_an_abandoned_claim_go():
    async def scenario() -> None:
        ledger = Ledger(lease_seconds=0.05)
        assert await ledger.claim("k", "a", "1") == ("mine",)
        await ledger.abandon("k")
        assert await ledger.claim("k", "b", "2") == ("mine",)
        # An owner that never comes back loses its claim after the lease.
        assert await asyncio.wait_for(ledger.claim("k", "c", "3"), 2) == ("mine",)
        await ledger.stop("budget reached")
        await ledger.stop("interrupted")
        assert await ledger.claim("other", "a", "4") == ("stop", "budget reached")
        assert await ledger.stop_reason() == "budget reached"

    asyncio.run(scenario())
