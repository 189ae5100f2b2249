"""Long articles end to end: split, parts through the simulator, one merged brief.

The simulator serves an 8,192-token context and refuses anything larger (as vLLM
does), so a test passes only if every part really fits; prompt tokens are counted
with the same tokenizer as the client's, like a real server's would be.
"""

from __future__ import annotations

import pytest
from longform_corpus import bbc_long_read, synthetic_long_read
from openai_sim import SimServer
from sim_context import ContextLimits

from summarizer.errors import ContextTruncated
from summarizer.input.article import Article
from summarizer.longform import TooManyParts
from summarizer.longform.stakeholders import name_tokens
from summarizer.options import GenerationOptions
from summarizer.output.schema import schema_errors
from summarizer.pipeline import Summarizer
from summarizer.prompting.tokens import get_encoding

WINDOW = 8192


def _count(text: str) -> int:
    return len(get_encoding("o200k_base").encode(text, disallowed_special=()))


def _summarizer(sim: SimServer, **generation: object) -> Summarizer:
    options = {"model": "sim-model", "context_window": WINDOW, "max_output_tokens": 1024}
    options.update(generation)
    return Summarizer(
        base_url=sim.base_url,
        api_key="test-key",
        generation=GenerationOptions(**options),  # type: ignore[arg-type]
        cache=False,
    )


def _check_long_brief(text: str, result_dict: dict, requests: int) -> None:
    assert schema_errors(result_dict, "result") == []
    chunks = result_dict["provenance"]["chunks"]
    assert chunks >= 3
    assert requests == chunks + 1  # one request per part, plus the merge call
    brief = result_dict["summary"]
    spans = {s["claim_id"]: s for s in result_dict["evidence_spans"]}
    assert brief["key_claims"]
    for claim in brief["key_claims"]:
        span = spans[claim["id"]]
        assert span["match"] == "exact"
        assert text[span["start"] : span["end"]] == claim["evidence"]
    starts = [spans[c["id"]]["start"] for c in brief["key_claims"]]
    assert max(starts) > 2 * len(text) // 3, "no claim from the last third"
    assert min(starts) < len(text) // 3
    names = [name_tokens(s["name"]) for s in brief["stakeholders"]]
    assert len(names) == len(set(names)), f"a stakeholder is listed twice: {names}"
    ids = {s["id"] for s in brief["stakeholders"]}
    assert all(c["claimant"] in ids for c in brief["key_claims"] if c["claimant"])


@pytest.fixture
def sim():
    limits = ContextLimits(limit=WINDOW)
    with SimServer(token_counter=_count, context=limits) as server:
        yield server


def test_bbc_long_read_in_parts(shared_data, sim):
    text = bbc_long_read(shared_data)
    assert 90_000 < len(text) < 130_000
    with _summarizer(sim, max_chunks=12) as summarizer:
        result = summarizer.summarize(Article(text, source="bbc-long.txt"))
    payload = result.to_dict()
    statuses = [r.status for r in sim.chat_requests]
    assert statuses == [200] * len(statuses), "a part did not fit the 8,192-token context"
    _check_long_brief(result.article.text, payload, len(statuses))


def test_synthetic_long_read_in_parts(sim):
    text = synthetic_long_read(60_000)
    with _summarizer(sim) as summarizer:
        result = summarizer.summarize(Article(text, source="synthetic.txt"))
    assert [r.status for r in sim.chat_requests] == [200] * len(sim.chat_requests)
    _check_long_brief(result.article.text, result.to_dict(), len(sim.chat_requests))
    # The merge call reads the part briefs, not the article.
    merge = sim.chat_requests[-1].body["messages"][0]["content"]
    assert "Part 1 of" in merge and text[5000:5200] not in merge


def test_short_article_is_one_request(sim):
    with _summarizer(sim) as summarizer:
        result = summarizer.summarize(Article(synthetic_long_read(3_000)))
    assert len(sim.chat_requests) == 1
    assert "chunks" not in result.provenance


def test_beyond_max_chunks_fails_with_a_clear_error(sim):
    with _summarizer(sim, max_chunks=2) as summarizer, pytest.raises(TooManyParts) as caught:
        summarizer.summarize(Article(synthetic_long_read(60_000), source="long.txt"))
    message = str(caught.value)
    assert message.startswith("long.txt: article needs ")
    assert "--max-chunks 2" in message and "--long truncate" in message
    assert sim.chat_requests == []  # refused before paying for anything


def test_long_truncate_summarises_the_first_part_and_says_so(sim):
    text = synthetic_long_read(60_000)
    with _summarizer(sim, max_chunks=2, long="truncate") as summarizer:
        result = summarizer.summarize(Article(text, source="long.txt"))
    assert len(sim.chat_requests) == 1
    provenance = result.provenance
    assert provenance["chunks"] == 1 and 0 < provenance["truncated_at"] < len(text) // 2
    assert any("--long truncate" in w and "only its first part" in w for w in result.warnings)
    spans = result.evidence_spans
    assert all(s.end is not None and s.end <= provenance["truncated_at"] for s in spans)
    assert schema_errors(result.to_dict(), "result") == []


def test_silent_truncation_by_the_server_fails_the_article():
    # Ollama-like: the server keeps the first 1,500 prompt tokens and says nothing.
    limits = ContextLimits(truncate_above=1500)
    with (
        SimServer(token_counter=_count, context=limits) as server,
        _summarizer(server, context_window=128_000) as summarizer,
        pytest.raises(ContextTruncated) as caught,
    ):
        summarizer.summarize(Article(synthetic_long_read(30_000), source="t.txt"))
    message = str(caught.value)
    assert message.startswith("t.txt: ") and "read only 1500 of the about" in message
    assert "num_ctx" in message and "--max-model-len" in message and "--n_ctx" in message


def test_server_context_is_probed_once_and_used():
    # The model table says 128k for gpt-4o-mini; the server says it serves 8,192.
    limits = ContextLimits(limit=WINDOW, max_model_len=WINDOW)
    with SimServer(token_counter=_count, context=limits, models=("gpt-4o-mini",)) as server:
        generation = GenerationOptions(model="gpt-4o-mini", max_output_tokens=1024)
        with Summarizer(
            base_url=server.base_url, api_key="k", generation=generation, cache=False
        ) as summarizer:
            first = summarizer.summarize(Article(synthetic_long_read(50_000)))
            summarizer.summarize(Article(synthetic_long_read(40_000, seed=2)))
        probes = [r for r in server.requests if r.method == "GET"]
        assert [r.path for r in probes] == ["/v1/models"]
        assert first.provenance["chunks"] >= 2
        assert all(r.status == 200 for r in server.chat_requests)


def test_parts_are_cached_by_their_own_keys(tmp_path, sim):
    text = synthetic_long_read(40_000)
    options = GenerationOptions(model="sim-model", context_window=WINDOW, max_output_tokens=1024)
    with Summarizer(
        base_url=sim.base_url, api_key="k", generation=options, cache=tmp_path / "c.sqlite3"
    ) as summarizer:
        summarizer.summarize(Article(text))
        calls = len(sim.chat_requests)
        again = summarizer.summarize(Article(text))
        assert again.cache_hit and len(sim.chat_requests) == calls
    # A longer article sharing the first parts' text pays only for what is new.
    with Summarizer(
        base_url=sim.base_url, api_key="k", generation=options, cache=tmp_path / "c.sqlite3"
    ) as summarizer:
        summarizer.summarize(Article(text + "\n" + synthetic_long_read(2_000, seed=9)))
    new_calls = len(sim.chat_requests) - calls
    assert new_calls < calls


def test_offline_long_article_is_merged_from_parts():
    text = synthetic_long_read(250_000)
    with Summarizer("offline", cache=False) as summarizer:
        result = summarizer.summarize(Article(text, source="offline-long.txt"))
    payload = result.to_dict()
    assert schema_errors(payload, "result") == []
    assert payload["provenance"]["chunks"] >= 3
    spans = payload["evidence_spans"]
    for claim, span in zip(payload["summary"]["key_claims"], spans, strict=True):
        assert text[span["start"] : span["end"]] == claim["evidence"]
    assert max(s["start"] for s in spans) > 2 * len(text) // 3
    names = [name_tokens(s["name"]) for s in payload["summary"]["stakeholders"]]
    assert len(names) == len(set(names))


def test_estimate_counts_the_parts_and_the_merge_call(tmp_path):
    import json

    from click.testing import CliRunner

    from summarizer.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "long.txt").write_text(synthetic_long_read(60_000), encoding="utf-8")
    (folder / "short.txt").write_text(synthetic_long_read(2_000, seed=3), encoding="utf-8")
    common = ["estimate", str(folder), "--model", "sim-model", "--json"]
    args = [*common, "--context-window", str(WINDOW), "--max-output-tokens", "1024"]
    figures = json.loads(CliRunner().invoke(main, args, catch_exceptions=False).stdout)
    assert figures["articles"] == 2 and figures["too_long"] == 0
    assert figures["long_articles"] == 1 and figures["merge_calls"] == 1
    assert figures["parts"] >= 3
    # The run makes exactly the requests the estimate counted.
    with SimServer(token_counter=_count, context=ContextLimits(limit=WINDOW)) as server:
        with _summarizer(server) as summarizer:
            summarizer.summarize(folder / "long.txt")
        assert len(server.chat_requests) == figures["parts"] + figures["merge_calls"]
    fewer = [*args, "--max-chunks", "2"]
    refused = json.loads(CliRunner().invoke(main, fewer, catch_exceptions=False).stdout)
    assert refused["articles"] == 1 and refused["too_long"] == 1


def test_run_writes_a_merged_brief_and_fails_only_the_article_beyond_max_chunks(tmp_path):
    import json

    from click.testing import CliRunner

    from summarizer.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "long.txt").write_text(synthetic_long_read(40_000), encoding="utf-8")
    (folder / "huge.txt").write_text(synthetic_long_read(150_000, seed=4), encoding="utf-8")
    (folder / "short.txt").write_text(synthetic_long_read(2_000, seed=5), encoding="utf-8")
    out = tmp_path / "out"
    with SimServer(token_counter=_count, context=ContextLimits(limit=WINDOW)) as server:
        args = ["run", str(folder), "--out", str(out), "-q", "--model", "sim-model",
                "--base-url", server.base_url, "--api-key", "k", "--no-cache",
                "--context-window", str(WINDOW), "--max-output-tokens", "1024",
                "--max-chunks", "4"]  # fmt: skip
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        requests = server.chat_requests
    assert result.exit_code == 1  # one input failed
    assert all(r.status == 200 for r in requests)
    index = {e["path"]: e for e in map(json.loads, (out / "index.jsonl").read_text().splitlines())}
    assert index["short.txt"]["status"] == index["long.txt"]["status"] == "ok"
    assert index["huge.txt"]["status"] == "failed"
    assert "--max-chunks 4" in index["huge.txt"]["reason"]
    brief = json.loads((out / "long.txt.json").read_text())
    assert schema_errors(brief, "result") == []
    chunks = brief["provenance"]["chunks"]
    assert chunks >= 2 and brief["provenance"]["attempts"] == chunks + 1
    report = json.loads((out / "report.json").read_text())
    assert report["attempts"] == len(requests) == chunks + 2  # + the short article's call


def test_a_refusal_naming_the_servers_context_splits_the_article():
    # No probe answers (like llama-cpp-python), the table says 128k, the server serves
    # 8,192 and refuses the whole article with vLLM's message: split and go on.
    limits = ContextLimits(limit=WINDOW)
    with SimServer(token_counter=_count, context=limits, models=("gpt-4o-mini",)) as server:
        generation = GenerationOptions(model="gpt-4o-mini", max_output_tokens=1024)
        with Summarizer(
            base_url=server.base_url, api_key="k", generation=generation, cache=False
        ) as summarizer:
            result = summarizer.summarize(Article(synthetic_long_read(50_000)))
            statuses = [r.status for r in server.chat_requests]
            assert statuses[0] == 400 and statuses[1:] == [200] * (len(statuses) - 1)
            assert result.provenance["chunks"] == len(statuses) - 2
            # Remembered: the next long article is split before anything is sent.
            summarizer.summarize(Article(synthetic_long_read(30_000, seed=8)))
            assert all(r.status == 200 for r in server.chat_requests[len(statuses) :])


def test_a_server_counting_somewhat_fewer_tokens_is_not_taken_for_truncation():
    # Served models' tokenizers differ from tiktoken's; 20% fewer is not a cut prompt.
    with (
        SimServer(token_counter=lambda s: int(_count(s) * 0.8)) as server,
        _summarizer(server, context_window=128_000) as summarizer,
    ):
        result = summarizer.summarize(Article(synthetic_long_read(30_000)))
    assert result.brief["key_claims"] and len(server.chat_requests) == 1


@pytest.mark.slow
def test_offline_ten_megabyte_article():
    # Linear by construction: no part holds more than PART_CHARS characters, so each
    # analysis is bounded and their number grows with the length (seconds per MB:
    # bench/bench_longform.py).
    from summarizer.backends.offline import PART_CHARS

    text = synthetic_long_read(10_000_000)
    with Summarizer("offline", cache=False) as summarizer:
        article = Article(text, source="ten-mb.txt")
        result = summarizer.summarize(article)
    payload = result.to_dict()
    assert schema_errors(payload, "result") == []
    assert payload["provenance"]["chunks"] >= len(text) // PART_CHARS
    spans = payload["evidence_spans"]
    assert all(text[s["start"] : s["end"]] == c["evidence"]
               for c, s in zip(payload["summary"]["key_claims"], spans, strict=True))  # fmt: skip
    assert max(s["start"] for s in spans) > 2 * len(text) // 3


def test_context_window_from_the_config_file_beats_the_table_and_skips_the_probe(
    tmp_path, monkeypatch
):
    config = tmp_path / "config.toml"
    config.write_text(f"context_window = {WINDOW}\n", encoding="utf-8")
    monkeypatch.setenv("SUMMARIZER_CONFIG", str(config))
    limits = ContextLimits(limit=WINDOW, max_model_len=128_000)  # the server's word loses
    with SimServer(token_counter=_count, context=limits, models=("gpt-4o-mini",)) as server:
        generation = GenerationOptions(model="gpt-4o-mini", max_output_tokens=1024)
        with Summarizer(
            base_url=server.base_url, api_key="k", generation=generation, cache=False
        ) as summarizer:
            result = summarizer.summarize(Article(synthetic_long_read(40_000)))
        assert [r.method for r in server.requests if r.method == "GET"] == []
        assert all(r.status == 200 for r in server.chat_requests)
    assert result.provenance["chunks"] >= 2
