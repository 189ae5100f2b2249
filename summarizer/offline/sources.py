"""Where the source of a reported statement is: the shapes around a speech verb.

Kept apart from ``claims`` (which builds the claims) because these rules read only
the words around the verb: the clause before it, a speaker named after it, an
apposition, and quote marks as news writes them. Each rule's docstring says which
shape it reads and why it exists.
"""

from __future__ import annotations

import re

from .lexicon import PRONOUNS_PERSON, ROLE_HEADS, SOURCE_NOUNS, word_set

WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*")
_CLAUSE_BREAK = re.compile(r"(?:[,;:(]|—|–|\s-\s|[“\"]|\bthat\b|\bwho\b|\bwhich\b)")
PREP_CUT = re.compile(r"\s+(?:in|from|at|of|with|near|close to|inside|within|for|on)\s+")
# A speaker named after the verb may start with an abbreviated title ('said Mr.
# Schmidt'): the period of the title must not end the source there.
_AFTER_SOURCE = re.compile(
    r"\s*((?:(?:" + "|".join(sorted(word_set("abbrev_titles")))
    + r")\.\s+)?[^,.;]{2,60}?)(?=[,.;]|$)",
    re.IGNORECASE,
)
_AFTER_DET = re.compile(r"(?:a|an|the|another|one|two|three|several|some)\s", re.IGNORECASE)


def same_length_quotes(s: str) -> str:
    """``s`` with two-apostrophe quote marks ('' as the NYT writes them) read as ``"``.

    Why: PolNeAR's New York Times articles mark quotations with two apostrophes, so
    '\'\'It is bad,\'\' said X' was not seen as a quotation and its speaker was lost.
    The replacement keeps the length (a space and a straight quote), so offsets found
    in the result are offsets in ``s``.
    """
    return s.replace("''", ' "') if "''" in s else s


def valid_source(src: str) -> bool:
    words = WORD.findall(src)
    if not words or len(words) > 14:
        return False
    low = [w.lower() for w in words]
    if low[0] in ("it", "this", "there", "which", "what", "who"):
        return False
    if len(words) == 1 and (low[0] in PRONOUNS_PERSON or low[0] in ("they", "we", "i")):
        return True
    head_part = PREP_CUT.split(src, maxsplit=1)[0]
    head_words = [w.lower() for w in WORD.findall(head_part)] or low
    if any(w in SOURCE_NOUNS or w in ROLE_HEADS for w in head_words):
        return True
    # A capitalised name as head ("Dmitry Peskov", "Rover", "the Tories").
    return any(w[:1].isupper() for w in WORD.findall(head_part))


def clause_start(text: str, lo: int, verb_start: int) -> int:
    """Start of the clause whose subject precedes the verb."""
    seg = same_length_quotes(text[lo:verb_start])
    last = 0
    for m in _CLAUSE_BREAK.finditer(seg):
        last = m.end()
    return lo + last


def after_source(after: str) -> re.Match[str] | None:
    """A speaker named right after the verb: a name, or a determiner + source noun."""
    am = _AFTER_SOURCE.match(after)
    if am and (
        am.group(1)[:1].isupper()
        or (_AFTER_DET.match(am.group(1)) and valid_source(am.group(1)))
    ):
        return am
    return None


def inverted_or_apposed(
    text: str, stext: str, s0: int, m: re.Match[str], after: str
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """(content, source) when the clause before the verb is empty.

    Two common shapes leave nothing between the last comma and the verb: the
    inverted '..., said Steve Bell, a director.' (content before, speaker after) and
    the apposition 'Dan Kritenbrink, senior director at the NSC, said he ...'
    (speaker before the apposition, content after). Why: both were dropped, and the
    sentence was offered as the article's own assertion.
    """
    head = stext[: m.start()].rstrip()
    bare = head.rstrip("\"”’ ")
    if not bare.endswith(","):
        return None
    ve = s0 + m.end()
    am = after_source(after)
    if am is not None and len(head.split()) >= 4:
        end = len(head) if bare != head else len(head) - 1  # keep a closing quote mark
        return (s0, s0 + end), (ve + am.start(1), ve + am.end(1))
    head = bare
    # Apposition: the name before the comma that opens it.
    opener = max(head[:-1].rfind(","), head[:-1].rfind("("))
    if opener <= 0:
        return None
    name_start = clause_start(text, s0, s0 + opener) - s0
    name = stext[name_start:opener].strip()
    words = WORD.findall(name)
    if not words or len(words) > 5 or not all(w[:1].isupper() for w in words[-2:]):
        return None
    pos = s0 + stext.find(name, name_start, opener)
    c0 = ve + (len(after) - len(after.lstrip(" ,:")))
    tm = re.match(r"\s+that\s+", after)
    if tm:
        c0 = ve + tm.end()
    if len(text[c0 : s0 + len(stext)].split()) < 3:
        return None
    return (c0, s0 + len(stext.rstrip())), (pos, pos + len(name))
