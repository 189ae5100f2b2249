"""Who speaks when the clause before the speech verb holds no speaker of its own.

Kept apart from ``sources`` (the words right around the verb) because these rules
look further: back over an apposition chain ('NAME, ROLE, who ..., said'), to the
subject of a sentence whose second verb speaks ('X did Y and said Z'), to the noun a
relative "who" stands for, or to the quotation a short 'X said.' sentence closes.
Each rule's docstring says which shape it reads and why it exists.
"""

from __future__ import annotations

import re

from .lexicon import ROLE_HEADS, ROLE_MODIFIERS, VERB_CERTAINTY, word_set
from .sources import WORD, after_source, same_length_quotes

_BE_AUX = word_set("be_forms") | word_set("aux_tail")

_NOT_SUBJECT = word_set("not_subject_words")
_PREPOSITIONS = word_set("prepositions")
_PLAIN_VERBS = word_set("plain_subject_verbs")
_IT_VERBS = word_set("it_speaks_verbs")


def plain_subject(src: str, verb: str) -> bool:
    """A lower-case noun phrase as the subject of a speech verb.

    Why: valid_source wants a name or a source noun, so "the network said that ...",
    "half of GOP primary voters said they were angry" and "the lawyers argued" were
    offered as the article's own assertions; in news the subject right before a
    speech verb is the one who speaks, whatever its head noun. Short phrases only
    (at most seven words), headed by a plain word (no adverb, auxiliary or object
    pronoun), so a clause the cut missed is not taken for a speaker.
    """
    words = WORD.findall(src)
    if not 1 <= len(words) <= 7:
        return False
    low = [w.lower() for w in words]
    verb = verb.lower()
    if not (verb in _PLAIN_VERBS or verb.endswith("ed")):
        return False
    if low[0] == "it":
        return len(low) == 1 and verb in _IT_VERBS
    if (low[0] in _PREPOSITIONS and low[0] != "about") or any(w in _NOT_SUBJECT for w in low):
        return False
    head = low[-1]
    return head.isalpha() and not head.endswith("ly") and head not in _BE_AUX



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
    found = apposed_subject(text, stext, s0, len(bare) - 1)
    # A proper name opening the sentence makes it an apposition ('Hogan Gidley, a
    # former director, said the base was angry'), not an inverted quote.
    opens = found is not None and all(
        w in _LEAD for w in WORD.findall(stext[: found[0] - s0].lower())
    )
    if am is not None and len(head.split()) >= 4 and not opens:
        end = len(head) if bare != head else len(head) - 1  # keep a closing quote mark
        return (s0, s0 + end), (ve + am.start(1), ve + am.end(1))
    if found is None:
        return None
    c0 = ve + (len(after) - len(after.lstrip(" ,:")))
    tm = re.match(r"\s+that\s+", after)
    if tm:
        c0 = ve + tm.end()
    if len(text[c0 : s0 + len(stext)].split()) < 3:
        return None
    return (c0, s0 + len(stext.rstrip())), found


_LEAD = word_set("lead_strip")
_DAYS = word_set("days_months")
_CHAIN_BREAK = re.compile(r"[;:“”\"]|—|–|\s-\s")
# How many comma-separated pieces an apposition chain may have before the verb
# ('Yin Myint May, 60, a doctor, said').
_MAX_APPOSITIONS = 4


def _name_like(words: list[str]) -> bool:
    return bool(words) and len(words) <= 8 and all(w[:1].isupper() for w in words[-2:])


def apposed_subject(
    text: str, stext: str, s0: int, end: int, relative: bool = False
) -> tuple[int, int] | None:
    """The speaker of 'NAME, APPOSITION[, APPOSITION], said ...': its span in ``text``.

    ``end`` is where the chain ends in ``stext`` (the comma before the verb, or the
    comma before "who"). Walking back over the comma pieces, the first piece of the
    chain that is a proper name ('Hogan Gidley, a former director of X, whose roots
    are Y, said') is the speaker; failing that, the nearest piece that ends in a name
    ('the director of the FBI, James B. Comey, said'). Why: only one apposition of at
    most five words was read, so a speaker with a longer role, an age or a relative
    clause between name and verb was lost and the sentence offered as the article's
    own assertion.
    """
    nearest: tuple[int, int] | None = None
    proper: tuple[int, int] | None = None
    for _ in range(_MAX_APPOSITIONS):
        opener = max(stext.rfind(",", 0, end), stext.rfind("(", 0, end))
        start = opener + 1
        hard = [h.end() for h in _CHAIN_BREAK.finditer(stext, start, end)]
        if hard:
            start = hard[-1]
        piece = stext[start:end]
        words = WORD.findall(piece)
        while words and words[0].lower() in _LEAD:
            words = words[1:]
        if words and (words[0].lower() in _PREPOSITIONS or words[0].lower() in _DAYS):
            break  # an opening phrase ('On Wednesday, ...'): the chain starts after it
        if len(words) == 1 and words[0].lower().endswith("ly"):
            words = []  # an adverb piece ('Similarly, X, a former aide, said')
        if relative and not all(w[:1].isupper() for w in words):
            # 'supported by Sen. Dianne Feinstein of California, who said': the
            # relative stands for the name that ends the piece.
            k = len(words)
            while k > 0 and words[k - 1][:1].isupper():
                k -= 1
            words = words[k:] if len(words) - k <= 4 else []
        if _name_like(words):
            first = piece.rfind(words[0]) if relative else piece.find(words[0])
            span = (s0 + start + first, s0 + start + len(piece.rstrip()))
            if relative:
                return span  # "who" stands for the nearest name
            nearest = nearest or span
            if len(words) <= 4 and all(w[:1].isupper() for w in words):
                proper = span
        if opener < 0 or hard:
            break  # the chain starts here: the sentence start or another clause break
        end = opener
    return proper or nearest


_COORDINATORS = frozenset({"and", "but", "then", "yet", "and then", "but then"})
# The subject opening a sentence: a pronoun or a run of capitalised words (titles with
# periods and middle initials allowed), followed by a lower-case word (its verb).
_ROLE_WORDS = ROLE_HEADS | ROLE_MODIFIERS


def shared_subject(text: str, stext: str, s0: int, before: str) -> tuple[int, int] | None:
    """The speaker when the verb shares its subject with an earlier verb or a noun.

    Two shapes, both with no subject between the last clause break and the verb:
    'Carson did not name his rivals, but told supporters ...' (``before`` is the
    coordinator: the speaker is the sentence's subject, a pronoun or a name opening
    it) and 'X, the ranking Democrat on the committee, who said ...' (``before`` is
    "who": the speaker is the apposition chain ending at the comma before it), and a
    dash apposition ('X - who said Y - said ...'). Why:
    both were offered as the article's own assertions although the gold, and any
    reader, gives them the named speaker.
    """
    if before == "who":
        head = stext.rstrip()
        comma = head.rfind(",", 0, len(head) - 3)
        if comma < 0 or head[comma + 1 : -3].strip():
            return None
        return apposed_subject(text, stext, s0, comma, relative=True)
    if before == "dash":
        # 'GOP front-runner Donald Trump - who previously said X - said ...': the
        # speaker is the name before the opening dash.
        head = stext.rstrip()[:-1]
        opening = max(head.rfind(" - "), head.rfind("—"), head.rfind("–"))
        if opening <= 0:
            return None
        return apposed_subject(text, stext, s0, opening)
    if before not in _COORDINATORS and before != "participle":
        return None
    return sentence_subject(stext, s0)


_DETERMINERS = word_set("subject_determiners")
_VERB_NEXT = _DETERMINERS | {"to"}
# A determiner-led subject is at most this many words after the determiner.
_MAX_SUBJECT_WORDS = 5


def sentence_subject(stext: str, s0: int) -> tuple[int, int] | None:
    """The subject opening a sentence: a pronoun, a name, or a short determiner phrase.

    An opening phrase ('On Monday, ', 'In a statement, ') and connectives ('But') are
    skipped. A determiner phrase ('The Florida senator', 'other advisers') runs until
    a word that cannot be in its head: an auxiliary, a preposition (its complement adds
    nothing to who it is), a speech verb, a past tense after its first noun, a word
    followed by "to" or a determiner (a verb: 'sought to', 'took a'), a comma.
    """
    words = list(WORD.finditer(stext))
    k = 0
    while k < len(words) and words[k].group(0).lower() in _LEAD:
        k += 1
    if k < len(words) and words[k].group(0).lower() in _PREPOSITIONS:
        comma = stext.find(",", words[k].start())
        if comma < 0 or len(stext[words[k].start() : comma].split()) > 8:
            return None
        while k < len(words) and words[k].start() < comma:
            k += 1
    if k >= len(words):
        return None
    w0 = words[k]
    first = w0.group(0)
    if first.lower() in ("he", "she", "they"):
        return (s0 + w0.start(), s0 + w0.end())
    if first.lower() in _DETERMINERS:
        end = None
        for j in range(k + 1, min(len(words), k + 2 + _MAX_SUBJECT_WORDS)):
            w = words[j].group(0)
            low = w.lower()
            if (
                "," in stext[words[j - 1].end() : words[j].start()]
                or low in _BE_AUX
                or low in _NOT_SUBJECT
                or low in _PREPOSITIONS
                or (j > k + 1 and low.endswith("ed") and not w[:1].isupper())
                or low in VERB_CERTAINTY
                # a word before "to" or a determiner is a verb ('sought to', 'took a')
                or (
                    j > k + 1
                    and j + 1 < len(words)
                    and words[j + 1].group(0).lower() in _VERB_NEXT
                )
            ):
                break
            end = words[j].end()
        return (s0 + w0.start(), s0 + end) if end is not None else None
    if not first[:1].isupper() or first.lower() in ("it", "this", "there"):
        return None
    # A name, with role words inside it ('Kremlin spokesperson Dmitry Peskov').
    end = w0.end()
    for j in range(k + 1, min(len(words), k + 6)):
        w = words[j].group(0)
        gap = stext[words[j - 1].end() : words[j].start()]
        if gap.strip(". ") or not (w[:1].isupper() or w.lower() in _ROLE_WORDS):
            break
        if w[:1].isupper():
            end = words[j].end()
    name = stext[w0.start() : end]
    if name.endswith(("’s", "'s")):
        return None  # 'Clinton's campaign ...': the name is not the subject
    if any(w.lower().strip(".") in _DAYS for w in name.split()):
        return None
    return (s0 + w0.start(), s0 + end)


def quote_before(text: str, s0: int) -> int | None:
    """Where the quotation that ends right before ``s0`` opens, in the same paragraph.

    Why: the sentence splitter ends a quotation at its own '?' or '!' ('"It is all a
    show, no?" Ortega said.'), which leaves a sentence 'Ortega said.' with nothing to
    report; its content is the quotation before it.
    """
    pre = same_length_quotes(text[max(0, s0 - 1500) : s0])
    base = s0 - len(pre)
    stripped = pre.rstrip()
    if "\n" in pre[len(stripped) :] or not stripped.endswith(("”", '"')):
        return None
    opener = stripped.rfind("“") if stripped.endswith("”") else stripped.rfind('"', 0, -1)
    if opener < 0 or "\n" in stripped[opener:]:
        return None
    return base + opener


# 'Trump: "We will win."' / 'Insiders: Trump will rebound.': a name of at most five
# capitalised words (titles with periods allowed) and a colon open the sentence.
_COLON_SPEAKER = re.compile(r"\s*((?:[A-Z][\w.’'-]*\s+){0,4}[A-Z][\w’'-]*):\s+(?=\S)")


def colon_speaker(stext: str) -> tuple[int, int, int] | None:
    """(name start, name end, content start) of a 'NAME: statement' sentence.

    Why: headlines and summaries quote a speaker as 'Graham: Trump's rhetoric is
    destroying the party' or 'Reid: "Never underestimate Trump."'; with no speech
    verb the line was offered as the article's own assertion. The caller keeps it only
    when the name is a known entity or a source noun ('Poll:'), so 'Update:' and
    'The result:' are not speakers.
    """
    m = _COLON_SPEAKER.match(stext)
    if m is None or len(stext[m.end() :].split()) < 3:
        return None
    if m.group(1).split()[0].lower() in _DETERMINERS:
        return None
    return m.start(1), m.end(1), m.end()


def content_after(text: str, ve: int, after: str, s1: int) -> tuple[int, int] | None:
    """What a verb with a borrowed speaker reports: the rest of the sentence, from
    "that" when it opens within a few words ('told The Post on Monday that ...')."""
    tm = re.match(r"(?:\s+to\s+[^,.;]{1,60}?|\s+[^,.;“\"]{1,50}?)?\s+that\s+", after)
    if tm and len(after[: tm.end()].split()) <= 9:
        c0 = ve + tm.end()
    else:
        c0 = ve + (len(after) - len(after.lstrip(" ,:")))
    content = text[c0:s1].rstrip()
    return (c0, c0 + len(content)) if len(content.split()) >= 3 else None
