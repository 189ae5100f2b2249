"""Splitting a long article into parts that each fit one request.

Parts are ``(start, end)`` slices of the cleaned article text, never rewritten
text, so every quote a part's brief copies is also a quote of the whole article
at ``start`` plus its offset in the part. Cuts fall at paragraph ends where that
keeps a part reasonably full, else at sentence ends, and only inside a sentence
longer than a whole part (then between words). Consecutive parts share a small
overlap (a sentence or two) so a claim that straddles a cut is seen whole once.

Every piece is measured once (tokens or characters, the caller's ``measure``), so
splitting is linear in the article's length: a 10 MB article is one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# A newline run ends a paragraph (or a line); a full stop, question or exclamation
# mark (with any closing quotes or brackets) followed by spaces ends a sentence.
# The lookahead lets the scan skip ahead to candidate characters (a third faster).
_GAP = re.compile(r"(?=[\n.!?])(?:(\n\s*)|[.!?][\"'\u201d\u2019)\]]*([ \t]+))")
_WORD = re.compile(r"\S+\s*")

Measure = Callable[[str], int]


@dataclass(frozen=True)
class Part:
    """One part: ``text[start:end]`` of the article, numbered from 0."""

    index: int
    start: int
    end: int


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    size: int
    paragraph_end: bool


def _sentences(text: str) -> list[tuple[int, int, bool]]:
    """``(start, end, ends_paragraph)`` of each sentence, whitespace excluded."""
    spans: list[tuple[int, int, bool]] = []
    start = 0
    for m in _GAP.finditer(text):
        group = 1 if m.group(1) is not None else 2
        gap_start, gap_end = m.span(group)
        if gap_start > start:
            spans.append((start, gap_start, group == 1))
        start = gap_end
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text.rstrip()), True))
    return spans


def _pieces(text: str, budget: int, measure: Measure) -> list[_Piece]:
    """Sentences, with any sentence larger than ``budget`` cut between words."""
    pieces: list[_Piece] = []
    for start, end, paragraph_end in _sentences(text):
        size = measure(text[start:end])
        if size <= budget:
            pieces.append(_Piece(start, end, size, paragraph_end))
            continue
        chunk_start, chunk_size = start, 0
        for m in _WORD.finditer(text, start, end):
            word_size = measure(m.group(0))
            if chunk_size and chunk_size + word_size > budget:
                pieces.append(_Piece(chunk_start, m.start(), chunk_size, False))
                chunk_start, chunk_size = m.start(), 0
            chunk_size += word_size
        pieces.append(_Piece(chunk_start, end, chunk_size, paragraph_end))
    return pieces


def split_text(
    text: str,
    budget: int,
    measure: Measure,
    *,
    overlap: int,
    min_fill: float = 0.6,
) -> list[Part]:
    """Parts of ``text`` whose ``measure`` is at most ``budget`` each.

    ``overlap`` (same unit as ``budget``) bounds the sentences a part repeats from
    the end of the one before; ``min_fill`` is how full a part must be before a
    paragraph end is preferred over the last sentence end that fits. Sizes are the
    sum of the pieces' sizes plus one per gap, which over-counts a joined slice by
    a little: a tokenizer merges nothing across a sentence gap.
    """
    if budget < 1:
        raise ValueError(f"budget must be positive, not {budget}")
    pieces = _pieces(text, budget, measure)
    parts: list[Part] = []
    first = 0
    while first < len(pieces):
        last, size, cut = first, 0, -1
        while last < len(pieces):
            grown = size + pieces[last].size + (1 if last > first else 0)
            if grown > budget and last > first:
                break
            size = grown
            if pieces[last].paragraph_end and size >= min_fill * budget:
                cut = last
            last += 1
        end = last - 1 if last >= len(pieces) or cut < 0 else cut
        parts.append(Part(len(parts), pieces[first].start, pieces[end].end))
        if end + 1 >= len(pieces):
            break
        # Step back over the trailing sentences that fit the overlap, never so far
        # that the next part would start where this one did.
        following, carried = end + 1, 0
        while following - 1 > first and carried + pieces[following - 1].size <= overlap:
            following -= 1
            carried += pieces[following].size
        first = following
    return parts
