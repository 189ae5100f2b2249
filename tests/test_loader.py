"""Tests of summarizer.input.loader: formats, encodings, title detection and error messages.

Files are written to tmp_path from synthetic strings; real files are read from
../shared/data (never copied here).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.errors import ArticleError
from summarizer.input import loader
from summarizer.input.article import Article
from summarizer.input.loader import SUPPORTED_SUFFIXES, article_from_text, load_article

STORY = (
    "Harbour bridge reopens after repairs\n\n"
    "The harbour bridge reopened on Friday after six months of repairs, the council said.\n\n"
    "Engineers replaced the cables. “It’s as good as new,” said Ana Müller — the lead engineer."
)


def _error(path: Path | str) -> ArticleError:
    with pytest.raises(ArticleError) as info:
        load_article(path)
    assert Path(path).name in str(info.value), "every error names the file"
    return info.value


# -- text files and title detection ----------------------------------------------------


def test_seed_article(seed_path: Path) -> None:
    article = load_article(seed_path)
    assert isinstance(article, Article)
    assert article.title == "The Implications of North Korean Troops Joining Russia in Ukraine"
    assert article.text.startswith(article.title + "\n\n")
    assert "Kremlin spokesperson Dmitry Peskov has dismissed claims" in article.text
    assert "KEEP READING" not in article.text and "Museveni" not in article.text
    assert article.source == str(seed_path)
    assert article.warnings == ()


def test_source_is_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_article("story.txt").source == "story.txt"
    assert load_article(Path("story.txt")).source == "story.txt"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (STORY, "Harbour bridge reopens after repairs"),
        ("Is the euro doomed?\n\nEconomists disagree about it.", "Is the euro doomed?"),
        ("Rivals of the £400 Apple...\n\nThe Mac mini is cheap.", "Rivals of the £400 Apple..."),
        ("This opening sentence ends in a period.\n\nMore text here.", None),
        ("A first line that runs on\ninto the next line without a break.", None),
        ("Only one line without a break", None),
        ("x" * 250 + "\n\nBody text.", None),
    ],
)
def test_title_detection(text: str, title: str | None) -> None:
    article = article_from_text(text)
    assert article.title == title
    assert article.text.startswith(text.split("\n")[0][:50])  # headline stays in the text


def test_markdown_title_strips_hashes(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text("## Bridge reopens\n\nThe bridge reopened on Friday.\n", encoding="utf-8")
    article = load_article(path)
    assert article.title == "Bridge reopens"
    assert article.text.startswith("## Bridge reopens\n\n")


def test_article_from_text_explicit_fields() -> None:
    article = article_from_text(
        STORY, title="Given", source="memo", url="https://example.test/a", published="2024-01-02"
    )
    assert (article.title, article.source, article.url, article.published) == (
        "Given",
        "memo",
        "https://example.test/a",
        "2024-01-02",
    )


@pytest.mark.parametrize("text", ["", "   \n\n\t", "Advertisement\n\nShare this article"])
def test_article_from_text_empty(text: str) -> None:
    with pytest.raises(ArticleError):
        article_from_text(text, source="memo")


def test_bbc_headlines_detected(shared_data: Path) -> None:
    files = sorted((shared_data / "bbc" / "articles").rglob("*.txt"))
    if not files:
        pytest.skip("no BBC articles")
    for path in files[::5]:
        article = load_article(path)
        first = path.read_text(encoding="utf-8", errors="replace").split("\n")[0].strip()
        assert article.title == first, path


# -- encodings -----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_unicode_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"story-{encoding}.txt"
    path.write_bytes(STORY.encode(encoding))
    article = load_article(path)
    assert article.text == STORY
    assert not article.text.startswith("\ufeff")
    assert article.title == "Harbour bridge reopens after repairs"


def test_bomless_utf16_is_flagged(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(STORY.encode("utf-16-le"))
    assert any("utf-16-le" in w for w in load_article(path).warnings)


def test_cp1252_fallback_warns(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes(
        "Prices rise\n\nA ticket costs £5 – up 20% – says “the club”.".encode("cp1252")
    )
    article = load_article(path)
    assert "£5 – up 20% – says “the club”" in article.text
    assert len(article.warnings) == 1
    assert "not valid UTF-8" in article.warnings[0] and "cp1252" in article.warnings[0]


def test_latin1_when_cp1252_cannot(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(b"Headline\n\nA byte \x81 undefined in cp1252 and \xa3 pound.")
    article = load_article(path)
    assert "\xa3 pound" in article.text
    assert "latin-1" in article.warnings[0]


def test_real_latin1_file(shared_data: Path) -> None:
    path = shared_data / "smoke_mixed" / "articles" / "bbc_sport_199_LATIN1_NOT_UTF8.txt"
    article = load_article(path)
    assert "£" in article.text
    assert "\ufffd" not in article.text
    assert article.warnings and "cp1252" in article.warnings[0]


def test_binary_file_rejected(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 4)
    assert "binary" in _error(path).reason


# -- HTML ----------------------------------------------------------------------------

PARAGRAPHS = [
    "The regional parliament voted on Thursday to expand the light-rail network by "
    "forty kilometres, ending a debate that had run for more than two years.",
    "Supporters said the new lines would cut commuting times across the valley, while "
    "opponents warned that the budget did not account for rising construction costs.",
    "The transport minister said tenders would open in the spring and that the first "
    "trams could run on the extended network within five years of the vote.",
]

HTML_PAGE = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Parliament backs rail expansion | Example News</title>
<meta property="og:title" content="Parliament backs rail expansion">
<meta property="og:url" content="https://news.example.test/rail">
<meta property="article:published_time" content="2024-03-14T09:00:00Z">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav>
<article><h1>Parliament backs rail expansion</h1>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
</article>
<footer><p>Subscribe to our newsletter</p><p>© 2024 Example News. All rights reserved.</p>
</footer></body></html>"""


def test_synthetic_html(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    article = load_article(path)
    assert article.title == "Parliament backs rail expansion"
    assert article.url == "https://news.example.test/rail"
    assert article.published == "2024-03-14"
    for paragraph in PARAGRAPHS:
        assert paragraph in article.text
    assert article.text.startswith("Parliament backs rail expansion\n\n")
    assert "\n\n".join(PARAGRAPHS) in article.text  # paragraphs separated by blank lines
    for junk in ("Weather", "Subscribe", "All rights reserved"):
        assert junk not in article.text


def test_real_cnn_page(shared_data: Path) -> None:
    article = load_article(shared_data / "smoke_mixed" / "articles" / "cnn_page.html")
    assert article.title == "The 'birth lottery' and economic mobility"
    assert article.published == "2016-02-01"
    assert "birth lottery matters more in the U.S. than in most well-off countries" in (
        article.text
    )
    assert "Center on Poverty and Inequality calls that into question" in article.text
    for junk in ("Stockswatch", "Premarkets", "Log Out", "Microsoft unveils", "SmartAsset"):
        assert junk not in article.text


def test_html_without_article_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.htm"
    path.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    assert "no article text" in _error(path).reason


# -- JSON ----------------------------------------------------------------------------


def _json_file(tmp_path: Path, payload: object, name: str = "story.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return path


def test_json_full_record(tmp_path: Path) -> None:
    path = _json_file(
        tmp_path,
        {
            "title": "Bridge reopens",
            "text": "The bridge reopened.\n\nAdvertisement\n\nCars are back.",
            "url": "https://example.test/b",
            "published": "2024-05-01",
            "author": "ignored",
        },
    )
    article = load_article(path)
    assert article.title == "Bridge reopens"
    assert article.text == "Bridge reopens\n\nThe bridge reopened.\n\nCars are back."
    assert (article.url, article.published) == ("https://example.test/b", "2024-05-01")


@pytest.mark.parametrize("key", ["date", "published_at"])
def test_json_body_and_date_aliases(tmp_path: Path, key: str) -> None:
    article = load_article(_json_file(tmp_path, {"body": "Only a body.", key: "2020-02-02"}))
    assert article.text == "Only a body."
    assert article.title is None
    assert article.published == "2020-02-02"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ([{"text": "a list"}], "JSON is a list"),
        ({"title": "No body"}, "JSON has no 'text' or 'body' string"),
        ({"text": 42}, "JSON has no 'text' or 'body' string"),
        ({"text": "   "}, "JSON has no 'text' or 'body' string"),
        ("just a string", "JSON is str"),
    ],
)
def test_json_errors(tmp_path: Path, payload: object, reason: str) -> None:
    assert reason in _error(_json_file(tmp_path, payload, "bad.json")).reason


def test_json_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"text": "unterminated', encoding="utf-8")
    assert "invalid JSON" in _error(path).reason


# -- file errors ---------------------------------------------------------------------


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4")
    error = _error(path)
    assert "unsupported file type '.pdf'" in error.reason
    for suffix in SUPPORTED_SUFFIXES:
        assert suffix in error.reason


def test_missing_file(tmp_path: Path) -> None:
    assert "not found" in _error(tmp_path / "nowhere.txt").reason


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert "directory" in _error(folder).reason


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert "empty" in _error(path).reason


def test_whitespace_only_and_boilerplate_only(tmp_path: Path) -> None:
    blank = tmp_path / "blank.md"
    blank.write_text(" \n\n \t\n", encoding="utf-8")
    assert "no text" in _error(blank).reason
    junk = tmp_path / "junk.txt"
    junk.write_text("Advertisement\n\nSubscribe to our newsletter\n", encoding="utf-8")
    assert "boilerplate" in _error(junk).reason


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (PermissionError(13, "Permission denied"), "permission denied"),
        (OSError(5, "Input/output error"), "cannot read file: Input/output error"),
    ],
)
def test_unreadable_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: OSError, reason: str
) -> None:
    # Simulated: the tests may run as root, who can read a chmod 0 file.
    path = tmp_path / "secret.txt"
    path.write_text(STORY, encoding="utf-8")

    def failing_open(*args: object, **kwargs: object) -> None:
        raise exc

    monkeypatch.setattr(loader, "open", failing_open, raising=False)
    assert reason in _error(path).reason
