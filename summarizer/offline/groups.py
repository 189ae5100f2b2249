"""Unnamed stakeholders: groups of people and national institutions.

Why: much news is about people it never names ("over 900 asylum seekers", "pilgrims",
"worshippers of the ancient Greek religion") or about an institution it names only by
its country ("the Indian government", "a Greek court"). Scanning capitalised names
misses both; the GUM salience annotation counts them among the entities a summary
must mention. A group is read as a head noun from a word list (``group_heads``,
``institution_heads``) plus at most two modifiers immediately before it, read
leftwards until a function word, a number or a verb-like form stops them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from .entities import EntityIndex
from .lexicon import gazetteer, phrases, word_set
from .words import Entity, Mention, Token

GROUP_HEADS = word_set("group_heads")
INSTITUTION_HEADS = word_set("institution_heads")
BARE_GROUP_HEADS = word_set("bare_group_heads")
NP_STOP = word_set("np_stop")
# Each head of a [same_group] line stands for the line's first word.
SAME_GROUP = {w: line.split()[0] for line in phrases("same_group") for w in line.split()}
MAX_MODIFIERS = 2
_JOIN = re.compile(r"^[ \t]$")
# Lowercase words that are rarely a group's modifier: participles ("rescued",
# "swimming": verbs here), -s forms ("interviews experts": a verb or another noun),
# adverbs and superlatives ("largest"). Adjectives like "ancient" are unaffected.
_NOT_MODIFIER = re.compile(r"(?:ed|ing|ly|est|[^su]s)$")


def _nation_at(text: str, tokens: list[Token], j: int) -> int | None:
    """Start index of a gazetteer name ending at ``tokens[j]`` ("New Zealand"), if any."""
    gaz = gazetteer()
    for n in range(min(j + 1, 4), 0, -1):
        if text[tokens[j - n + 1].start : tokens[j].end] in gaz:
            return j - n + 1
    return None


def _modifiers(
    text: str, tokens: list[Token], k: int, first_start: int
) -> tuple[list[Token], str]:
    """The modifier tokens right before ``tokens[k]``, leftmost first, and the country
    their leftmost nationality names ("" when none does).

    At most one lowercase modifier (more are mostly a verb or a clause: "inspire young
    people"), and capitalised ones: a nationality from the gazetteer anywhere, another
    name only away from the sentence start (where every word is capitalised).
    """
    gaz = gazetteer()
    mods: list[Token] = []
    country = ""
    lowercase = 0
    j = k - 1
    nxt = tokens[k]
    while j >= 0 and len(mods) < MAX_MODIFIERS:
        tok = tokens[j]
        low = tok.text.lower()
        if not _JOIN.match(text[tok.end : nxt.start]) or tok.poss:
            break
        if low in NP_STOP or not tok.text[0].isalpha() or low in GROUP_HEADS:
            break
        if tok.cap:
            nation = _nation_at(text, tokens, j)
            if nation is not None:
                country = gaz[text[tokens[nation].start : tok.end]][0]
                mods[:0] = tokens[nation : j + 1]
                j = nation - 1
                nxt = tokens[nation]
                continue
            if tok.start == first_start:
                break
        elif lowercase or _NOT_MODIFIER.search(low):
            break
        else:
            lowercase += 1
        mods.insert(0, tok)
        nxt = tok
        j -= 1
    return mods, country


def _modifies_next(text: str, tokens: list[Token], k: int) -> bool:
    """Whether ``tokens[k]`` is itself a modifier ("military alliance", "police station")."""
    if k + 1 >= len(tokens):
        return False
    tok, nxt = tokens[k], tokens[k + 1]
    low = nxt.text.lower()
    return (
        bool(_JOIN.match(text[tok.end : nxt.start]))
        and not tok.poss
        and nxt.text[0].islower()
        and low not in NP_STOP
        and not _NOT_MODIFIER.search(low)
    )


def find_groups(index: EntityIndex) -> list[Entity]:
    """Group and institution stakeholders, one per head noun and nationality.

    Reads the sentences the name scan read (the body and the headline, with their
    tokens). Mentions without a nationality join the one entity with the same head,
    so "the Indian government ... the government" is one stakeholder. An institution
    or a vague group ("experts") with no modifier anywhere names nothing and is
    dropped.
    """
    text = index.text
    forms: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    mentions: defaultdict[tuple[str, str], list[Mention]] = defaultdict(list)
    for sent_index, tokens in index.tokens.items():
        if not tokens:
            continue
        first_start = tokens[0].start
        for k, tok in enumerate(tokens):
            head = tok.text.lower()
            if head not in GROUP_HEADS and head not in INSTITUTION_HEADS:
                continue
            if tok.cap and tok.start != first_start:
                continue  # "the Police" band, "Army" in a name: the name scan has them
            if head in INSTITUTION_HEADS and _modifies_next(text, tokens, k):
                continue
            mods, nation = _modifiers(text, tokens, k, first_start)
            key = (SAME_GROUP.get(head, head), nation)
            start = mods[0].start if mods else tok.start
            surface = text[start : tok.end]
            if not mods and start == first_start:
                surface = surface.lower()  # "Pilgrims were ..."; a nationality stays
            forms[key][surface] += 1
            mentions[key].append(Mention(start, tok.end, sent_index))
    # Bare mentions ("the government") join the one national entity with that head.
    for head, nation in list(forms):
        if nation:
            continue
        national = [key for key in forms if key[0] == head and key[1]]
        if len(national) == 1:
            forms[national[0]].update(forms.pop((head, "")))
            mentions[national[0]] += mentions.pop((head, ""))
    out = []
    for key, counts in forms.items():
        head = key[0]
        vague = head in INSTITUTION_HEADS or head in BARE_GROUP_HEADS
        # The most used form names the group ("asylum seekers"; the first on a tie);
        # a vague head needs its most used modified form ("Indian government").
        ranked = [
            f for f, _n in counts.most_common() if not (vague and (f == head or f in SAME_GROUP))
        ]
        if not ranked:
            continue
        name = ranked[0]
        ent = Entity(name=name, type="government" if head in INSTITUTION_HEADS else "group")
        for m in sorted(mentions[key], key=lambda m: m.start):
            ent.add(m.start, m.end, m.sentence)
        out.append(ent)
    return out
