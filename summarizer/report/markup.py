"""Cut the cleaned article text into pieces that each carry the highlights covering them.

Why pieces rather than nested tags: evidence quotes may overlap without nesting
(claim c1 covers characters 10-50, c2 covers 30-80), and HTML elements cannot
cross. Sweeping over every span boundary gives runs of text in which the set of
covering claims (and whether an uncertainty cue is there) is constant; each run
becomes one element naming all its claims, so an overlap renders as split pieces
and a quote's highlight is the concatenation of the pieces that name its claim.
Offsets are character offsets into ``Article.text``, the same text the validator
grounded the quotes in, so the pieces' text joined back together is that text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

# Strongest doubt first: a piece covered by several claims takes the colour of the
# least certain one, so a disputed claim is never hidden under a confirmed one.
CERTAINTY_ORDER = ("denied", "disputed", "speculative", "claimed", "reported", "confirmed")


@dataclass(frozen=True)
class Piece:
    """A run of article text with the same highlights throughout."""

    text: str
    claims: tuple[str, ...]
    certainty: str | None
    cue: bool

    @property
    def ids(self) -> str:
        """The ``data-claims`` attribute: the covering claim ids, space-separated."""
        return " ".join(self.claims)

    @property
    def css(self) -> str:
        """The element's classes: colour by the weakest certainty, overlap, cue."""
        classes = ["ev", f"c-{self.certainty}"] if self.claims else []
        if len(self.claims) > 1:
            classes.append("overlap")
        if self.cue:
            classes.append("cue")
        return " ".join(classes)


@dataclass(frozen=True)
class Highlight:
    claim_id: str
    start: int
    end: int


def evidence_highlights(spans: Iterable[dict[str, Any]], text_length: int) -> list[Highlight]:
    """The grounded evidence spans that fit the text; ungrounded ones have no place."""
    found = []
    for span in spans:
        start, end = span.get("start"), span.get("end")
        if start is None or end is None or span.get("match") == "none":
            continue
        if 0 <= start < end <= text_length:
            found.append(Highlight(span["claim_id"], start, end))
    return found


def cue_ranges(text: str, cues: Iterable[str]) -> list[tuple[int, int]]:
    """Where each uncertainty cue occurs in the text (case-insensitive, whole words)."""
    ranges = []
    for cue in {c.strip() for c in cues if c and c.strip()}:
        pattern = re.compile(r"(?<!\w)" + re.escape(cue) + r"(?!\w)", re.IGNORECASE)
        ranges.extend(match.span() for match in pattern.finditer(text))
    return ranges


def pieces(
    text: str,
    highlights: Sequence[Highlight],
    cues: Sequence[tuple[int, int]],
    certainty_of: dict[str, str],
) -> list[Piece]:
    """Split ``text`` at every highlight and cue boundary; see the module docstring."""
    bounds = {0, len(text)}
    for item in highlights:
        bounds.update((item.start, item.end))
    for start, end in cues:
        bounds.update((start, end))
    ordered = sorted(bounds)
    # Events per boundary keep the sweep linear in the number of spans.
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for item in highlights:
        opens.setdefault(item.start, []).append(item.claim_id)
        closes.setdefault(item.end, []).append(item.claim_id)
    cue_delta: dict[int, int] = {}
    for start, end in cues:
        cue_delta[start] = cue_delta.get(start, 0) + 1
        cue_delta[end] = cue_delta.get(end, 0) - 1
    active: dict[str, int] = {}
    in_cue = 0
    result: list[Piece] = []
    for left, right in pairwise(ordered):
        for claim_id in closes.get(left, ()):
            active[claim_id] -= 1
            if not active[claim_id]:
                del active[claim_id]
        for claim_id in opens.get(left, ()):
            active[claim_id] = active.get(claim_id, 0) + 1
        in_cue += cue_delta.get(left, 0)
        claims = tuple(sorted(active, key=_claim_order))
        result.append(Piece(text[left:right], claims, _weakest(claims, certainty_of), in_cue > 0))
    return _merge_plain(result)


def _claim_order(claim_id: str) -> tuple[int, str]:
    digits = "".join(ch for ch in claim_id if ch.isdigit())
    return (int(digits) if digits else 0, claim_id)


def _weakest(claims: tuple[str, ...], certainty_of: dict[str, str]) -> str | None:
    levels = [certainty_of.get(c, "confirmed") for c in claims]
    for level in CERTAINTY_ORDER:
        if level in levels:
            return level
    return None


def _merge_plain(items: list[Piece]) -> list[Piece]:
    """Join neighbouring pieces with identical marking (boundaries that changed nothing)."""
    merged: list[Piece] = []
    for item in items:
        if not item.text:
            continue
        if merged and (merged[-1].claims, merged[-1].cue) == (item.claims, item.cue):
            last = merged[-1]
            merged[-1] = Piece(last.text + item.text, last.claims, last.certainty, last.cue)
        else:
            merged.append(item)
    return merged
