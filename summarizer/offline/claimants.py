"""Who a source phrase names: the stakeholder a claim is linked to, and anonymity.

Kept apart from ``claims`` (which finds the source phrase around a speech verb)
because this reads only the phrase itself: a pronoun stands for the last person
named, a person inside the phrase wins over an organisation ("Dmitry Peskov" in
"Kremlin spokesperson Dmitry Peskov"), a role with no name is a role-only person,
and a phrase with no name behind it ("a military source") is anonymous.
"""

from __future__ import annotations

from .entities import Entity, EntityIndex
from .lexicon import ANONYMOUS_MARKERS, PRONOUNS_PERSON, ROLE_HEADS, ROLE_MODIFIERS, is_media
from .sources import PREP_CUT, WORD


def anonymous(src: str, claimant: Entity | None) -> bool:
    """Whether a source phrase names nobody ("a senior official", "sources close to").

    Why: an anonymous source makes the claim "reported" rather than "claimed".
    """
    if claimant is not None and claimant.type == "person":
        return False
    head = PREP_CUT.split(src, maxsplit=1)[0]
    words = [w.lower() for w in WORD.findall(head)]
    if any(w[:1].isupper() for w in WORD.findall(head)[1:]):
        return False
    return any(w in ANONYMOUS_MARKERS for w in words)


def resolve(index: EntityIndex, text: str, span: tuple[int, int]) -> Entity | None:
    """The stakeholder a source phrase names, unless it is a news outlet (see is_media)."""
    found = resolve_entity(index, text, span)
    return None if found is not None and is_media(found.name) else found


def resolve_entity(index: EntityIndex, text: str, span: tuple[int, int]) -> Entity | None:
    """The entity a source phrase names, preferring the head noun's entity."""
    src = text[span[0] : span[1]]
    words = src.strip().split()
    if len(words) == 1 and words[0].lower() in PRONOUNS_PERSON:
        return index.last_person_before(span[0])
    cut = PREP_CUT.search(src)
    head_end = span[0] + cut.start() if cut else span[1]
    ents = index.in_span(span[0], head_end)
    for e in ents:
        if e.type == "person":
            return e
    # Role-only people: "South Korea’s defense minister", "the Russian foreign minister".
    head = text[span[0] : head_end]
    hw = [w.lower().strip("’'") for w in head.split()]
    if (
        hw
        and hw[-1] in ROLE_HEADS
        and ("’s" in head or "'s" in head or any(e.type == "country" for e in ents))
        and all(
            w in ROLE_HEADS
            or w in ROLE_MODIFIERS
            or not w.isalpha()
            or "’" in w
            or w in ("the", "a")
            or w[:1].isupper()
            for w in head.split()[1:]
        )
    ):
        start = span[0] + (len(head) - len(head.lstrip()))
        return index.role_only_person(start, head_end, head.strip(), 0)
    for kind in ("organization", "government", "group", "country", "other"):
        for e in ents:
            if e.type == kind:
                if kind == "other" and 2 <= len(e.name.split()) <= 4:
                    e.type = "person"  # a full name that speaks, with no org word
                return e
    return None
