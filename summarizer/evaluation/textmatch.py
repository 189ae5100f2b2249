"""Finding a quote again in a text, tolerant of what cleaning and models change.

Why the harness does its own text matching instead of trusting the envelope's
``evidence_spans``: the spans are produced by the system under test, and a harness
that believes them cannot catch a grounding bug. Every quote is re-located here, in
the cleaned text (grounding, boilerplate leaks) and in the RAW text (gold offsets
refer to the raw file, and cleaning shifts offsets), tolerant of whitespace, quote
marks, dashes, case and "..." elisions. See ``docs/eval.md``.
"""

from __future__ import annotations

import re
import unicodedata

from summarizer.output.validate import EQUIVALENT_CHARACTERS

# ------------------------------------------------------------------- text location

# The grounding check's table of interchangeable quote marks, dashes and spaces:
# the harness must locate quotes the same way validation accepted them.
_EQUIVALENT = EQUIVALENT_CHARACTERS
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\s*){3}\]|\.\.\.|\u2026)\s*")
_WRAPPING = "\"'\u201c\u201d\u2018\u2019 \n\t"


def _normalize(text: str, fold_case: bool) -> tuple[str, list[int]]:
    """Variants unified, whitespace runs collapsed, and each output char's source index."""
    chars: list[str] = []
    origin: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        if not char.isascii() and unicodedata.category(char) == "Cf":
            continue  # soft hyphens, zero-width spaces, BOMs: cleaning drops them
        mapped = char.translate(_EQUIVALENT)
        if mapped.isspace():
            if previous_space:
                continue
            mapped, previous_space = " ", True
        else:
            previous_space = False
        if fold_case:
            lowered = mapped.lower()
            mapped = lowered if len(lowered) == len(mapped) else mapped  # keep offsets 1:1
        if not mapped.isascii():
            # Compare base letters only: a raw file may hold "A" + combining tilde where
            # the cleaned (NFC) text holds "\u00c3"; both become "A".
            mapped = "".join(
                c for c in unicodedata.normalize("NFD", mapped) if not unicodedata.combining(c)
            )
        for piece in mapped:
            chars.append(piece)
            origin.append(index)
    return "".join(chars), origin


def _all_occurrences(haystack: str, needle: str) -> list[int]:
    out, at = [], haystack.find(needle)
    while at >= 0:
        out.append(at)
        at = haystack.find(needle, at + 1)
    return out


class TextIndex:
    """A text prepared once for repeated tolerant look-ups of quotes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._norm = _normalize(text, fold_case=False)
        self._folded = _normalize(text, fold_case=True)

    def find(
        self, quote: str, *, hint: int | None = None, tolerant: bool = False
    ) -> tuple[int, int, str] | None:
        """``(start, end, how)`` of ``quote`` in the text, or None.

        ``how`` is ``exact`` or ``normalized`` (whitespace, quote-mark and dash
        variants, combining accents, invisible format characters); with ``tolerant``
        also ``folded`` (case-insensitive) and ``elided`` (fragments around "..." found
        in order). When a quote occurs several times the
        occurrence nearest ``hint`` (a position in this text) wins.
        """
        candidate = quote.strip()
        if not candidate:
            return None
        hits = _all_occurrences(self.text, candidate)
        if hits:
            start = _nearest(hits, hint)
            return start, start + len(candidate), "exact"
        found = self._find_normalized(candidate, self._norm, False, hint)
        if found:
            return (*found, "normalized")
        if not tolerant:
            return None
        found = self._find_normalized(candidate, self._folded, True, hint)
        if found:
            return (*found, "folded")
        fragments = [f for f in _ELLIPSIS.split(candidate) if len(f.strip(_WRAPPING)) >= 3]
        if len(fragments) < 2:
            return None
        spans: list[tuple[int, int]] = []
        for fragment in fragments:
            floor = spans[-1][1] if spans else None
            piece = self._find_normalized(fragment, self._folded, True, floor, after=floor)
            if piece is None:
                return None
            spans.append(piece)
        return spans[0][0], spans[-1][1], "elided"

    @staticmethod
    def _find_normalized(
        quote: str,
        index: tuple[str, list[int]],
        fold_case: bool,
        hint: int | None,
        after: int | None = None,
    ) -> tuple[int, int] | None:
        normalized, origin = index
        needle = _normalize(quote.strip(_WRAPPING), fold_case)[0].strip()
        if not needle:
            return None
        hits = _all_occurrences(normalized, needle)
        if after is not None:
            hits = [h for h in hits if origin[h] >= after]
        if not hits:
            return None
        by_origin = {origin[h]: h for h in hits}
        at = by_origin[_nearest(list(by_origin), hint)]
        return origin[at], origin[at + len(needle) - 1] + 1


def _nearest(positions: list[int], hint: int | None) -> int:
    if hint is None:
        return positions[0]
    return min(positions, key=lambda p: (abs(p - hint), p))


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or None when nothing could be measured."""
    return numerator / denominator if denominator else None


_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """A deliberately simple splitter: good enough to check summary sentences for leaks."""
    out, start = [], 0
    for boundary in _SENTENCE_END.finditer(text):
        out.append(text[start : boundary.end()].strip())
        start = boundary.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


# ------------------------------------------------------------------------- scoring
