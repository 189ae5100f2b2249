"""The trie-built cue regex matches exactly what the plain longest-first alternation did.

``lexicon.cue_alternation`` exists for speed (the hedge list as one alternation cost
about 2 ms an article); it must not change a single match.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.offline.lexicon import HEDGES, cue_alternation, is_media


def _plain(cues: list[str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True))
    return re.compile(r"\b(?:" + alts + r")\b", re.IGNORECASE)


def _trie(cues: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + cue_alternation(cues) + r")\b", re.IGNORECASE)


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


_WORDS = ["may", "may be", "be", "maybe", "a", "ab", "a b", "it", "it is", "s", "is it"]


@settings(max_examples=300, deadline=None)
@given(
    cues=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6, unique=True),
    words=st.lists(st.sampled_from([*_WORDS, "May", "IT", "b"]), max_size=12),
    separators=st.lists(st.sampled_from([" ", " ", ", ", "-", ""]), min_size=12, max_size=12),
)
def test_same_matches_as_the_longest_first_alternation(
    cues: list[str], words: list[str], separators: list[str]
) -> None:
    text = "".join(w + sep for w, sep in zip(words, separators, strict=False))
    assert _spans(_trie(cues), text) == _spans(_plain(cues), text)


def test_the_longest_cue_wins() -> None:
    assert _spans(_trie(["may", "may be"]), "it may be so") == [(3, 9)]
    assert _spans(_trie(["may", "may be"]), "it may bet") == [(3, 6)]


def test_the_real_hedge_list_matches_the_same_spans() -> None:
    text = (
        "Officials may be able to confirm it, but it is unclear whether the talks could "
        "resume; reportedly, the minister might possibly resign. It appears that, if "
        "anything, he is expected to stay, according to some, though that remains to be seen."
    )
    hedges = list(HEDGES)
    spans = _spans(_trie(hedges), text)
    assert spans == _spans(_plain(hedges), text)
    assert len(spans) >= 5


def test_news_outlets_but_not_companies_or_agencies_that_share_their_words() -> None:
    for outlet in ("ABC News", "the Sydney Morning Herald", "Reuters", "Yonhap News Agency"):
        assert is_media(outlet), outlet
    for other in ("Central Intelligence Agency", "American Express", "Royal Mail", "Post Office"):
        assert not is_media(other), other
