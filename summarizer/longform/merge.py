"""Merging the briefs of an article's parts into one brief of the whole article.

Claims (:mod:`.claims`) and stakeholders (:mod:`.stakeholders`) are merged here
into the brief's shape, with fresh ids and every reference rewritten: claimants
point at merged stakeholders, uncertainty items at merged claims. Uncertainty
comes from every part, plus a ``conflicting_reports`` item for each pair of parts
that give different figures for the same thing. Headline and summary are not made
here (:mod:`.summary`): they need the whole set of part briefs at once.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from summarizer.longform.claims import (
    Candidate,
    collapse_duplicates,
    find_conflicts,
    place_claims,
    resolve,
    select_claims,
)
from summarizer.longform.settings import settings
from summarizer.longform.split import Part
from summarizer.longform.stakeholders import merge_stakeholders, stakeholder_entries
from summarizer.output.result import Result
from summarizer.output.schema import load_schema

_LEVELS = ("low", "medium", "high")


@cache
def claim_limit() -> int:
    """The brief's claim limit: the schema's ``maxItems`` when it sets one, else the
    limit the prompt asks for (kept in ``longform.json``)."""
    schema = load_schema("summary")
    limit = schema["properties"]["key_claims"].get("maxItems")
    return int(limit) if limit else settings().default_claim_limit


def merge_parts(
    text: str, parts: list[Part], results: list[Result]
) -> tuple[dict[str, Any], list[str]]:
    """The merged brief without headline and summary, and the merge's warnings."""
    briefs = [r.brief for r in results]
    candidates, warnings = place_claims(text, parts, results)
    kept = collapse_duplicates(candidates)
    conflicts = find_conflicts(kept, text)
    for first, second, _, _ in conflicts:
        first.pinned = second.pinned = True
    chosen = select_claims(kept, claim_limit())
    claim_ids = {id(c): f"c{n}" for n, c in enumerate(chosen, 1)}

    entities = merge_stakeholders(briefs)
    member_of = {member: i for i, e in enumerate(entities) for member in e.members}
    needed = {
        member_of[(c.part, c.claim["claimant"])]
        for c in chosen
        if (c.part, c.claim["claimant"]) in member_of
    }
    stakeholders, stakeholder_ids = stakeholder_entries(entities, needed)

    key_claims = []
    for c in chosen:
        claimant = c.claim["claimant"]
        key_claims.append(
            {
                **c.claim,
                "id": claim_ids[id(c)],
                "claimant": stakeholder_ids.get((c.part, claimant)) if claimant else None,
            }
        )
    by_key = {c.key: c for c in candidates}

    def new_claim_id(part: int, old: str) -> str | None:
        candidate = by_key.get((part, old))
        return claim_ids.get(id(resolve(candidate))) if candidate is not None else None

    items = _bounded(_part_items(briefs, parts, new_claim_id), settings().max_uncertainty_items)
    for first, second, figure_a, figure_b in conflicts:
        items.append(_conflict_item(first, second, figure_a, figure_b, claim_ids))
    overall = max((b["uncertainty"]["overall"] for b in briefs), key=_LEVELS.index, default="low")
    if conflicts and overall == "low":
        overall = "medium"
    brief = {
        "stakeholders": stakeholders,
        "key_claims": key_claims,
        "uncertainty": {"overall": overall, "items": items},
    }
    return brief, warnings


def _part_items(briefs: list[dict[str, Any]], parts: list[Part], new_claim_id: Any) -> list[Any]:
    """Every part's uncertainty items, once each, pointing at merged claim ids."""
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for part, brief in zip(parts, briefs, strict=True):
        for item in brief["uncertainty"]["items"]:
            ids = [new_claim_id(part.index, old) for old in item["claim_ids"]]
            merged = {**item, "claim_ids": list(dict.fromkeys(i for i in ids if i))}
            signature = json.dumps(
                [item["kind"], " ".join(item["aspect"].lower().split()), sorted(item["cues"])]
            )
            if signature not in seen:
                seen.add(signature)
                items.append(merged)
    return items


def _bounded(items: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """At most ``limit`` items, in article order: those about a kept claim first, then
    the others evenly spread over the article (a 100-part transcript's items would
    otherwise bury the brief)."""
    if len(items) <= limit:
        return items
    about_claims = [i for i, item in enumerate(items) if item["claim_ids"]][:limit]
    others = [i for i, item in enumerate(items) if not item["claim_ids"]]
    room = limit - len(about_claims)
    if room > 0 and others:
        step = (len(others) - 1) / max(room - 1, 1)
        about_claims += sorted({others[round(k * step)] for k in range(min(room, len(others)))})
    return [items[i] for i in sorted(about_claims)]


def _conflict_item(
    first: Candidate, second: Candidate, figure_a: str, figure_b: str, claim_ids: dict[int, str]
) -> dict[str, Any]:
    ids = [claim_ids[id(c)] for c in (first, second) if id(c) in claim_ids]
    return {
        "aspect": f"conflicting figures: {figure_a} / {figure_b}",
        "description": (
            f"Different parts of the article give different figures for what appears to be "
            f"the same thing: {figure_a!r} (part {first.part + 1}) and {figure_b!r} "
            f"(part {second.part + 1})."
        ),
        "kind": "conflicting_reports",
        "cues": [figure_a, figure_b],
        "claim_ids": ids,
    }
