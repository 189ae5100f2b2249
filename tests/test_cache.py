import json
import multiprocessing

from summarizer.cache import Cache, cache_key

BASE = dict(
    article_sha256="a" * 64,
    model="m",
    endpoint="h",
    prompt_sha256="p",
    schema_sha256="s",
    parameters={"temperature": 0.0},
)


def payload(key_marker: str) -> dict:
    return {"article": {"sha256": "a" * 64}, "provenance": {"model": "m"}, "marker": key_marker}


def test_every_input_of_the_key_changes_it():
    base = cache_key(**BASE)
    assert cache_key(**BASE) == base
    for field, other in [
        ("article_sha256", "b" * 64),
        ("model", "m2"),
        ("endpoint", "h2"),
        ("prompt_sha256", "p2"),
        ("schema_sha256", "s2"),
        ("parameters", {"temperature": 0.5}),
    ]:
        assert cache_key(**{**BASE, field: other}) != base, field


def test_roundtrip_stats_and_clear(tmp_path):
    cache = Cache(tmp_path / "c.sqlite3")
    assert cache.get("k") is None
    cache.put("k", payload("x"))
    assert cache.get("k")["marker"] == "x"
    stats = cache.stats()
    assert stats["entries"] == 1 and stats["models"] == {"m": 1}
    assert cache.clear() == 1
    assert cache.get("k") is None


def test_wal_mode(tmp_path):
    cache = Cache(tmp_path / "c.sqlite3")
    mode = cache._connect().execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def _writer(path: str, worker: int) -> None:
    cache = Cache(path)
    for i in range(50):
        cache.put(f"{worker}-{i}", payload(f"{worker}-{i}"))


def test_several_processes_write_at_once(tmp_path):
    path = str(tmp_path / "c.sqlite3")
    Cache(path)
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_writer, args=(path, w)) for w in range(4)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(60)
        assert p.exitcode == 0
    cache = Cache(path)
    assert cache.stats()["entries"] == 200
    assert json.dumps(cache.get("3-49")).count("3-49") == 1
