"""Turn a file (or in-memory text) into a cleaned :class:`~summarizer.input.article.Article`.

Why one loader for every format: the rest of the pipeline must not care whether an
article came as plain text, Markdown, a saved web page or a JSON record; it only sees
``Article.text`` after :func:`~summarizer.input.clean.clean_text`, so the same boilerplate
rules and the same evidence-matching text apply to all of them.

Why every failure is an :class:`~summarizer.errors.ArticleError`: batch runs over
thousands of files report a bad file and move on, so nothing raw (OSError,
UnicodeError, JSONDecodeError, a parser crash) may escape, and every message names the
file as it was given.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from summarizer.errors import ArticleError
from summarizer.input.article import Article
from summarizer.input.clean import clean_text
from summarizer.input.extractor import html_extractor

__all__ = [
    "SUPPORTED_SUFFIXES",
    "article_from_html",
    "article_from_text",
    "decode_bytes",
    "load_article",
]

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json")

# A headline: short, on its own, not ending like a sentence. Questions and exclamations
# are allowed ("Is the euro doomed?"), and so is a trailing ellipsis ("Rivals of the
# £400 Apple..."), but a single final period or a comma is not.
_MAX_TITLE_CHARS = 200
_TITLE_BAD_END = re.compile(r"(?<!\.\.)[.,;:]$")
_MD_HEADING = re.compile(r"^#{1,6}\s*")
# How much of a file to inspect for the NUL-byte pattern of BOM-less UTF-16.
_SNIFF_BYTES = 4096

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


# How every warning decode_bytes gives begins: a cached result carries the warnings
# of the file it was made from, and these are the ones that belong to that file only.
_DECODING_WARNING_PREFIXES = ("invalid ", "no byte-order mark;", "not valid UTF-8 (")


def is_decoding_warning(warning: str) -> bool:
    """Whether ``warning`` is about how one file's bytes were decoded."""
    return warning.startswith(_DECODING_WARNING_PREFIXES) and (
        "decoded as" in warning or warning.endswith("bytes replaced")
    )


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """Decode article bytes, returning the text and warnings about how it was decoded.

    Why not charset detection: news files are overwhelmingly UTF-8; the rest are old
    Windows/Latin-1 files, which cp1252 reads correctly (and flags with a warning so a
    wrong guess is visible in the result instead of being silent mojibake).

    Raises ``ValueError`` for data that looks binary; the caller turns it into an
    :class:`ArticleError` naming the file.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            warnings = [] if "\ufffd" not in text else [f"invalid {codec} bytes replaced"]
            return text.lstrip("\ufeff"), warnings
    if b"\x00" in data[:_SNIFF_BYTES]:
        codec = _sniff_utf16(data[:_SNIFF_BYTES])
        if codec is None:
            raise ValueError("looks like a binary file (NUL bytes), not text")
        text = data.decode(codec, errors="replace")
        return text, [f"no byte-order mark; decoded as {codec} (NUL-byte pattern)"]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        where = f"invalid byte 0x{data[exc.start]:02x} at offset {exc.start}"
    try:
        return data.decode("cp1252"), [f"not valid UTF-8 ({where}); decoded as cp1252"]
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte, so it never fails.
        return data.decode("latin-1"), [f"not valid UTF-8 ({where}); decoded as latin-1"]


def _sniff_utf16(sample: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII-heavy text has NUL in every other byte."""
    even = sample[0::2]
    odd = sample[1::2]
    pairs = max(len(odd), 1)
    if odd.count(0) / pairs > 0.3 and even.count(0) / pairs < 0.05:
        return "utf-16-le"
    if even.count(0) / pairs > 0.3 and odd.count(0) / pairs < 0.05:
        return "utf-16-be"
    return None


def detect_title(text: str) -> str | None:
    """The first line of ``text`` if it reads as a headline, else None.

    A headline is the first non-empty line, short, not ending like a sentence, and
    followed by a blank line (a first line that runs straight into the next is the
    article's opening sentence wrapped, not a title).
    """
    stripped = text.lstrip("\n")
    first, sep, rest = stripped.partition("\n")
    first = first.strip()
    if not first or not sep or not rest.startswith("\n") or not rest.strip():
        return None
    if len(first) >= _MAX_TITLE_CHARS or _TITLE_BAD_END.search(first):
        return None
    return first


def _require_text(text: str, source: str | None) -> str:
    cleaned = clean_text(text)
    if not cleaned.strip():
        if text.strip():
            raise ArticleError(source, "no article text left after removing boilerplate")
        raise ArticleError(source, "no text (empty or only whitespace)")
    return cleaned


def article_from_text(
    text: str,
    *,
    title: str | None = None,
    source: str | None = None,
    url: str | None = None,
    published: str | None = None,
    warnings: tuple[str, ...] = (),
) -> Article:
    """An :class:`Article` from text already in memory, cleaned like a loaded ``.txt``.

    The headline line, when there is one, stays in ``text`` so that it is summarised and
    quotable like the rest; ``title`` is detected from it unless given.
    """
    cleaned = _require_text(text, source)
    if title is None:
        title = detect_title(cleaned)
    return Article(
        text=cleaned,
        title=title,
        source=source,
        url=url,
        published=published,
        warnings=tuple(warnings),
    )


def load_article(path: str | os.PathLike[str]) -> Article:
    """Read, decode, extract and clean one article file; see the module docstring.

    ``Article.source`` is the path exactly as given, so messages and results refer to
    the file the way the user named it.
    """
    source = os.fspath(path)
    suffix = Path(source).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{suffix}'" if suffix else "(no suffix)"
        raise ArticleError(
            source, f"unsupported file type {shown} (supported: {', '.join(SUPPORTED_SUFFIXES)})"
        )
    data = _read_bytes(source)
    # A file name that is not valid UTF-8 (the file system allows any bytes) is shown
    # with its odd bytes escaped: results, caches and logs are UTF-8 text.
    source = source.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if not data:
        raise ArticleError(source, "file is empty")
    try:
        raw, warnings = decode_bytes(data)
    except ValueError as exc:
        raise ArticleError(source, str(exc)) from None
    if suffix in (".html", ".htm"):
        return _from_html(raw, source, warnings)
    if suffix == ".json":
        return _from_json(raw, source, warnings)
    article = article_from_text(raw, source=source, warnings=tuple(warnings))
    if suffix == ".md" and article.title is not None:
        title = _MD_HEADING.sub("", article.title).strip()
        article = dataclasses.replace(article, title=title or None)
    return article


def _read_bytes(source: str) -> bytes:
    """The file's bytes, with every OS failure turned into a one-line reason."""
    try:
        # Non-blocking open: opening a FIFO for reading would otherwise wait forever
        # for a writer. Only regular files are read.
        with open(source, "rb", opener=_open_nonblocking) as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError
            if not stat.S_ISREG(mode):
                raise ArticleError(source, "not a regular file (a FIFO, socket or device)")
            return handle.read()
    except FileNotFoundError:
        raise ArticleError(source, "file not found") from None
    except IsADirectoryError:
        raise ArticleError(source, "is a directory, not a file") from None
    except PermissionError:
        raise ArticleError(source, "cannot read file: permission denied") from None
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        if os.path.isdir(source):  # Windows reports directories as PermissionError/EACCES
            reason = "is a directory, not a file"
        raise ArticleError(source, f"cannot read file: {reason}") from None


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _with_title(text: str, title: str | None) -> str:
    """Put the headline on top, as in a ``.txt`` file, unless the body already starts with it.

    Why: ``Article.text`` is what the model reads and what evidence is matched against;
    the headline often carries the main claim, so it belongs in the text for every format.
    """
    if title and not text.lstrip().startswith(title):
        return f"{title}\n\n{text}"
    return text


def article_from_html(html: str, *, source: str | None = None) -> Article:
    """An :class:`Article` from a web page already in memory (a dataset's HTML column),
    extracted and cleaned exactly like a loaded ``.html`` file."""
    return _from_html(html, source or "article", [])


def _from_html(html: str, source: str, warnings: list[str]) -> Article:
    """Main-text extraction with trafilatura, imported here because it costs ~0.5 s."""
    try:
        trafilatura = html_extractor()
    except ImportError as exc:
        raise ArticleError(source, str(exc)) from None
    try:
        body = trafilatura.extract(
            html,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            output_format="txt",
        )
        meta = trafilatura.extract_metadata(html)
    except Exception as exc:  # a parser crash on one page must not stop a batch
        raise ArticleError(source, f"HTML extraction failed: {exc}") from None
    if not body or not body.strip():
        raise ArticleError(source, "no article text found in the HTML page")
    title = _str_or_none(getattr(meta, "title", None)) if meta is not None else None
    url = _str_or_none(getattr(meta, "url", None)) if meta is not None else None
    date = _str_or_none(getattr(meta, "date", None)) if meta is not None else None
    # trafilatura puts one paragraph per line; the rest of the pipeline expects
    # paragraphs separated by a blank line, as in the text formats.
    text = _with_title(body.replace("\n", "\n\n"), title)
    return article_from_text(
        text, title=title, source=source, url=url, published=date, warnings=tuple(warnings)
    )


def _from_json(raw: str, source: str, warnings: list[str]) -> Article:
    """One article as a JSON object; only the documented keys are read."""
    try:
        record: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ArticleError(
            source, f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise ArticleError(source, "invalid JSON: nested too deeply to read") from None
    if not isinstance(record, dict):
        kind = "a list" if isinstance(record, list) else type(record).__name__
        raise ArticleError(
            source, f"JSON is {kind}, expected an object with a 'text' or 'body' string"
        )
    body = next(
        (
            record[key]
            for key in ("text", "body")
            if isinstance(record.get(key), str) and record[key].strip()
        ),
        None,
    )
    if body is None:
        raise ArticleError(source, "JSON has no 'text' or 'body' string")
    title = _str_or_none(record.get("title"))
    published = next(
        (
            value
            for key in ("published", "date", "published_at")
            if (value := _str_or_none(record.get(key))) is not None
        ),
        None,
    )
    return article_from_text(
        _with_title(body, title),
        title=title,
        source=source,
        url=_str_or_none(record.get("url")),
        published=published,
        warnings=tuple(warnings),
    )


def _str_or_none(value: object) -> str | None:
    """A stripped non-empty string, a number as text, or None for anything else."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


Source = str | os.PathLike[str] | Article


def load_source(source: Source) -> Article:
    """An :class:`Article` from a path, an Article, or text.

    A ``str`` is a path when it names an existing file and has no line break;
    otherwise it is article text. Pass a :class:`pathlib.Path` to be explicit.
    """
    if isinstance(source, Article):
        return source
    if isinstance(source, os.PathLike):
        return load_article(source)
    if "\n" not in source and len(source) < 4096 and Path(source).is_file():
        return load_article(source)
    return article_from_text(source)
