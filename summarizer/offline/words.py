"""The records stakeholder detection works with: word tokens, mentions, entities.

Apart from ``entities`` (the scanning and merging rules) so that claims and the
brief can use an ``Entity`` without the detection machinery, and to keep modules
small.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r"[^\W_][\w&.\-’']*")
_ABBREV = re.compile(r"^(?:[A-Za-z]\.){2,}$")


@dataclass
class Token:
    """A word with absolute offsets; ``poss`` marks a stripped possessive ’s."""

    text: str
    start: int
    end: int
    poss: bool = False

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()


@dataclass
class Mention:
    start: int
    end: int
    sentence: int


@dataclass
class Entity:
    """A stakeholder candidate gathered over all its mentions."""

    name: str
    type: str
    role: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    first: int = 10**9
    claims: int = 0

    def add(self, start: int, end: int, sentence: int) -> None:
        self.mentions.append(Mention(start, end, sentence))
        self.first = min(self.first, start)


def tokenize(text: str, start: int, end: int) -> list[Token]:
    """Words of ``text[start:end]`` with possessives and trailing dots stripped."""
    out: list[Token] = []
    for m in _TOKEN.finditer(text, start, end):
        word, s = m.group(0), m.start()
        poss = False
        if word.endswith(("’s", "'s")) and len(word) > 2:
            word, poss = word[:-2], True
        if not _ABBREV.match(word):
            word = word.rstrip(".-’'")
        if not word:
            continue
        out.append(Token(word, s, s + len(word), poss))
    return out
