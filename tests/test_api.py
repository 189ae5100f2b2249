"""The Python API: inputs, results, many at once, configuration."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest

from summarizer import (
    Article,
    ArticleError,
    ConfigError,
    GenerationOptions,
    ItemError,
    Result,
    Summarizer,
    article_from_text,
)
from summarizer.config import resolve
from summarizer.output.schema import schema_errors

TEXT = "Council votes on budget\n\nThe city council said on Monday it will vote on the budget."


@pytest.fixture
def offline(tmp_path):
    with Summarizer(model="offline", cache=tmp_path / "c.sqlite3") as summarizer:
        yield summarizer


def test_accepts_text_paths_and_articles(offline, seed_path, tmp_path):
    from_path = offline.summarize(seed_path)
    from_str_path = offline.summarize(str(seed_path))
    from_text = offline.summarize(seed_path.read_text(encoding="utf-8"))
    from_article = offline.summarize(article_from_text(TEXT))
    assert from_path.article.source == str(seed_path)
    assert from_str_path.brief == from_path.brief
    assert from_text.article.source is None
    assert from_text.brief == from_path.brief  # same cleaned text, same brief
    assert isinstance(from_article, Result)
    for result in (from_path, from_text, from_article):
        assert schema_errors(result.to_dict(), "result") == []


def test_result_to_dict_is_json_and_typed_accessors_work(offline, seed_path):
    result = offline.summarize(seed_path)
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["summary"]["headline"] == result.headline
    assert result.key_claims and result.stakeholders
    assert result.uncertainty["overall"] in ("low", "medium", "high")
    spans = payload["evidence_spans"]
    text = result.article.text
    for claim, span in zip(result.key_claims, spans, strict=True):
        assert text[span["start"] : span["end"]] == claim["evidence"]


def test_summarize_many_yields_results_and_errors(offline, seed_path, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  ")
    sources = [seed_path, Path(empty), Article(text=TEXT), tmp_path / "missing.txt"]
    items = list(offline.summarize_many(sources, concurrency=2))
    assert len(items) == 4
    errors = [i for i in items if isinstance(i, ItemError)]
    assert len(errors) == 2
    assert all(isinstance(e.error, ArticleError) for e in errors)
    assert any("missing.txt" in str(e) for e in errors)


def test_asummarize_runs_concurrently_on_the_callers_loop(offline):
    async def main() -> list[Result]:
        texts = [f"{TEXT} Item {i}." for i in range(5)]
        return await asyncio.gather(*(offline.asummarize(t) for t in texts))

    results = asyncio.run(main())
    assert len({r.article.sha256 for r in results}) == 5


def test_unconfigured_runs_offline_with_one_notice(caplog, tmp_path):
    with caplog.at_level(logging.WARNING, logger="summarizer"):
        summarizer = Summarizer(cache=False)
    assert summarizer.model == "offline" and summarizer.settings.offline
    notices = [r for r in caplog.records if "offline analyzer" in r.getMessage()]
    assert len(notices) == 1
    assert "OPENAI_API_KEY" in notices[0].getMessage()


def test_settings_precedence(monkeypatch, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        'model = "from-file"\nbase_url = "http://file:1/v1"\ncache = "/tmp/x.sqlite3"\n'
    )
    monkeypatch.setenv("SUMMARIZER_CONFIG", str(config))
    settings = resolve()
    assert (settings.model, settings.base_url, settings.cache_path) == (
        "from-file",
        "http://file:1/v1",
        "/tmp/x.sqlite3",
    )
    monkeypatch.setenv("SUMMARIZER_MODEL", "from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env:2/v1")
    assert resolve().model == "from-env"
    assert resolve().base_url == "http://env:2/v1"
    assert resolve(model="from-arg").model == "from-arg"
    monkeypatch.setenv("SUMMARIZER_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match=r"nope\.toml"):
        resolve()


def test_key_alone_selects_default_api_model(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    settings = resolve()
    assert settings.model == "gpt-4o-mini" and not settings.offline
    assert "sk-x" not in repr(settings)


def test_bad_config_file_is_a_clear_error(monkeypatch, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("model = \n")
    monkeypatch.setenv("SUMMARIZER_CONFIG", str(config))
    with pytest.raises(ConfigError, match=r"config\.toml"):
        resolve()


def test_article_too_long_is_refused_not_truncated(tmp_path, monkeypatch):
    from summarizer import ArticleTooLong

    config = tmp_path / "config.toml"
    config.write_text('[models."tiny-model"]\ncontext_window = 3000\nmax_output_tokens = 1000\n')
    monkeypatch.setenv("SUMMARIZER_CONFIG", str(config))
    summarizer = Summarizer(
        base_url="http://127.0.0.1:9/v1",
        generation=GenerationOptions(model="tiny-model", max_output_tokens=1000),
        cache=False,
    )
    with pytest.raises(ArticleTooLong) as caught:
        summarizer.summarize(TEXT + " More words here." * 400)
    assert "allows at most 2000" in str(caught.value)


def test_every_public_name_is_exported_and_importable():
    # __all__ is spelled out for linters, _EXPORTS drives the lazy imports: the two
    # lists must name the same things, and each must import.
    import summarizer

    assert set(summarizer.__all__) == set(summarizer._EXPORTS) | {"__version__"}
    for name in summarizer.__all__:
        assert getattr(summarizer, name) is not None
