"""One stakeholder per entity across the parts of a long article.

Each part's brief names the people and organisations it saw, with ids of its own.
The same entity reappears across parts under its full name, a surname ("Merkel"
for "Angela Merkel"), a title ("Mr Brown") or an acronym ("WHO" for "World Health
Organization"); those are one entry in the merged brief, with the fullest name
and every role the parts gave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from summarizer.longform.settings import settings

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def name_tokens(name: str) -> tuple[str, ...]:
    """Lower-case words of a name without leading titles or a possessive ending."""
    tuning = settings()
    words = [w.lower() for w in _WORD.findall(name)]
    words = [w[:-2] if w.endswith(("'s", "’s")) else w for w in words]
    while len(words) > 1 and words[0].rstrip(".") in tuning.honorifics:
        words.pop(0)
    return tuple(words)


def _initials(tokens: tuple[str, ...]) -> str:
    stop = settings().name_stopwords
    return "".join(t[0] for t in tokens if t not in stop)


@dataclass
class Entity:
    """A merged stakeholder; ``members`` are ``(part, local id)`` pairs it absorbed."""

    name: str
    tokens: tuple[str, ...]
    type: str
    roles: list[str] = field(default_factory=list)
    stances: list[str] = field(default_factory=list)
    members: list[tuple[int, str]] = field(default_factory=list)
    first_part: int = 0

    def same_as(self, other: tuple[str, ...], raw_name: str) -> bool:
        mine = self.tokens
        if not mine or not other:
            return False
        if mine == other or "".join(mine) == "".join(other):  # "TimeWarner", "Time Warner"
            return True
        # A surname, or a title plus surname, for a full name (either way round).
        if len(other) == 1 and len(mine) > 1 and mine[-1] == other[0]:
            return True
        if len(mine) == 1 and len(other) > 1 and other[-1] == mine[0]:
            return True
        # An acronym for a name of three or more significant words, or the reverse.
        if raw_name.isupper() and len(other) == 1 and len(other[0]) >= 2:
            return len(mine) >= 2 and _initials(mine) == other[0]
        if self.name.isupper() and len(mine) == 1 and len(mine[0]) >= 2:
            return len(other) >= 2 and _initials(other) == mine[0]
        return False

    def absorb(self, part: int, stakeholder: dict[str, Any]) -> None:
        tokens = name_tokens(stakeholder["name"])
        if len(tokens) > len(self.tokens) and not stakeholder["name"].isupper():
            self.name, self.tokens = stakeholder["name"], tokens
        if self.type == "other" and stakeholder["type"] != "other":
            self.type = stakeholder["type"]
        for value, into in (
            (stakeholder["role"], self.roles),
            (stakeholder["stance"], self.stances),
        ):
            if value and value.strip() and value.strip() not in into:
                into.append(value.strip())
        self.members.append((part, stakeholder["id"]))


def merge_stakeholders(part_briefs: list[dict[str, Any]]) -> list[Entity]:
    """Entities in order of first appearance, each absorbing its aliases."""
    entities: list[Entity] = []
    exact: dict[tuple[str, ...], Entity] = {}
    for part, brief in enumerate(part_briefs):
        for stakeholder in brief["stakeholders"]:
            tokens = name_tokens(stakeholder["name"])
            entity = exact.get(tokens)
            if entity is None:
                matches = [e for e in entities if e.same_as(tokens, stakeholder["name"])]
                entity = matches[0] if matches else None
            if entity is None:
                entity = Entity(stakeholder["name"], tokens, stakeholder["type"], first_part=part)
                entities.append(entity)
            entity.absorb(part, stakeholder)
            exact.setdefault(tokens, entity)
    return entities


def stakeholder_entries(
    entities: list[Entity], needed: set[int]
) -> tuple[list[dict[str, Any]], dict[tuple[int, str], str]]:
    """The merged list (entities making a kept claim first kept, then the most
    mentioned) and the map from each part's local id to the merged id."""
    limit = settings().max_stakeholders
    ranked = sorted(
        range(len(entities)),
        key=lambda i: (i not in needed, -len(entities[i].members), entities[i].first_part),
    )
    kept = sorted(ranked[: max(limit, len(needed))])
    entries: list[dict[str, Any]] = []
    ids: dict[tuple[int, str], str] = {}
    for number, index in enumerate(kept, 1):
        entity = entities[index]
        new_id = f"s{number}"
        entries.append(
            {
                "id": new_id,
                "name": entity.name,
                "type": entity.type,
                "role": "; ".join(entity.roles) or None,
                "stance": "; ".join(entity.stances) or None,
            }
        )
        for member in entity.members:
            ids[member] = new_id
    return entries, ids
