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
# A closing quote mark ends the quotation before a speaker ('"...,” he said'), and
# "what" opens a clause whose subject speaks ('half of what researchers say').
_CLAUSE_BREAK = re.compile(
    r"(?:[,;:(]|—|–|\s-\s|[“”\"]|\bthat\b|\bwho\b|\bwhich\b|\bwhat\b)"
)
PREP_CUT = re.compile(r"\s+(?:in|from|at|of|with|near|close to|inside|within|for|on)\s+")
# A speaker named after the verb may start with an abbreviated title ('said Mr.
# Schmidt'), or a middle initial ('said Paul H. Chipok'): that period must not end the
# source there.
_AFTER_SOURCE = re.compile(
    r"\s*((?:(?:" + "|".join(sorted(word_set("abbrev_titles")))
    + r")\.\s+)?(?:[^,.;]|(?<=\b[A-Z])\.(?=\s+[A-Z])){2,60}?)(?=[,;]|(?<!\b[A-Z])\.|$)",
    re.IGNORECASE,
)
# Words that open no speaker after the verb ('said in Washington', 'said that X').
_NOT_SPEAKER = word_set("prepositions") | word_set("not_subject_words")
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
    """A speaker named right after the verb: a name, a determiner + source noun, or a
    lower-case role before a name ('said pollster Frank Luntz', 'says political
    scientist Dossym Satpayev in Almaty': news puts the role first; these were lost)."""
    am = _AFTER_SOURCE.match(after)
    if am is None:
        return None
    words = WORD.findall(am.group(1))
    if (
        am.group(1)[:1].isupper()
        or (_AFTER_DET.match(am.group(1)) and valid_source(am.group(1)))
        or (
            words
            and len(words) <= 8
            and words[0].lower() not in _NOT_SPEAKER
            and any(w[:1].isupper() for w in words[1:4])
        )
    ):
        return am
    return None
