"""Role phrases around a name: "Kremlin spokesperson Dmitry Peskov", "X, India's
finance minister,", "X is the director of Y".

Apart from ``entities`` (which finds the names) because these rules read only the
words next to one name, and a role is what makes a capitalised run a person.
"""

from __future__ import annotations

import re

from .lexicon import ORG_WORDS, ROLE_HEADS, ROLE_MODIFIERS
from .sentences import Sentence
from .words import Token

_GAP_JOIN = re.compile(r"^[ \t]$")


def role_before(text: str, tokens: list[Token], name: Token) -> str | None:
    """A lowercase role phrase right before a name: "Kremlin spokesperson"."""
    idx = next((k for k, t in enumerate(tokens) if t.start == name.start), None)
    if not idx:
        return None
    k = idx - 1
    first = None
    head = False
    nxt = name
    while k >= 0 and idx - k <= 6:
        tok = tokens[k]
        if not _GAP_JOIN.match(text[tok.end : nxt.start]) and not (
            tok.poss and text[tok.end : nxt.start].startswith(("’s ", "'s "))
        ):
            break
        low = tok.text.lower()
        if not tok.cap and low in ROLE_HEADS:
            head = True
        elif not tok.cap and low in ROLE_MODIFIERS:
            pass
        elif tok.cap and first is not None:
            pass  # "Kremlin spokesperson", "North Korean leader"
        else:
            break
        first = tok
        nxt = tok
        k -= 1
    if first is None or not head:
        return None
    return text[first.start : name.start].strip() or None


def role_after(text: str, last: Token, sent: Sentence) -> str | None:
    """An appositive role after a name: ", India's finance minister," / "from X"."""
    rest = text[last.end : sent.end]
    m = re.match(r",\s+([^,;.()\"“”]{3,90}?)(?=[,;.]|$)", rest)
    if m:
        phrase = m.group(1).strip()
        words = [w.lower().strip("’'") for w in phrase.split()]
        if (
            1 <= len(words) <= 12
            and any(w in ROLE_HEADS for w in words[:5])
            and words[0] not in {"who", "which", "that", "and", "but", "said", "says"}
        ):
            return phrase
    # Copula: "Andrew Westphal is the director of Stardust @ home".
    m = re.match(r"\s+(?:is|was)\s+((?:the|a|an)\s+[^,;.()\"“”]{3,80}?)(?=[,;.]|$)", rest)
    if m:
        words = [w.lower() for w in m.group(1).split()]
        if any(w in ROLE_HEADS for w in words[1:4]):
            return m.group(1)
    m = re.match(r"\s+((?:from|of|at)\s+(?:the\s+)?[A-Z][^,;.()]{2,80}?)(?=\s+[a-z]|[,;.]|$)", rest)
    if m:
        phrase = m.group(1)
        if any(w.lower() in ORG_WORDS for w in re.findall(r"\w+", phrase)):
            return phrase
    return None
