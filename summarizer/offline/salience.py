"""Which candidates are stakeholders: salience from where and how often they appear.

Why a separate step: detection (``entities``, ``groups``) finds every name and group
an article mentions, most of them in passing; a brief should list the few the
article is about. GUM's salience annotation (an entity is salient when the article's
summaries mention it) shows what readers count: being in the headline, being
mentioned again and again, speaking, and appearing early. News outlets quoted as the
source of a report are how the article knows, not who it is about.
"""

from __future__ import annotations

from dataclasses import dataclass

from .claims import CandidateClaim
from .lexicon import is_media
from .words import Entity

MAX_STAKEHOLDERS = 15
MAX_SALIENT = 6
MIN_SCORE = 3


@dataclass(frozen=True)
class Salience:
    """What the ranking knows of one candidate."""

    mentions: int
    in_headline: bool
    in_lead: bool
    claims: int
    has_role: bool
    is_media: bool


def features(e: Entity, headline: int | None, lead_end: int) -> Salience:
    """``e``'s salience signals; the headline is counted apart from the body's mentions."""
    body = [m for m in e.mentions if m.sentence != headline]
    return Salience(
        mentions=len(body),
        in_headline=headline is not None and any(m.sentence == headline for m in e.mentions),
        in_lead=any(m.start < lead_end for m in body),
        claims=e.claims,
        has_role=bool(e.role),
        is_media=is_media(e.name),
    )


def score(f: Salience) -> float:
    """Mentions (capped: a long article repeats everything), plus where and how.

    Weights, each for a reason: the headline names what the article is about (+4);
    the lead introduces its actors (+2); a role given ("the foreign minister") marks
    a person the article presents (+1); speaking adds a little (+0.5 a claim, two at
    most), since quoted experts and spokespeople are how a story is told more often
    than what it is about; a news outlet is the article's source (-8).
    """
    return (
        min(f.mentions, 10)
        + 0.5 * min(f.claims, 2)
        + (1 if f.has_role else 0)
        + (2 if f.in_lead else 0)
        + (4 if f.in_headline else 0)
        - (8 if f.is_media else 0)
    )


def rank_stakeholders(
    candidates: list[Entity],
    claims: list[CandidateClaim],
    headline: int | None,
    lead_end: int,
) -> list[Entity]:
    """The few candidates the article is about, and whoever its claims quote.

    At most ``MAX_SALIENT`` by score, each scoring at least ``MIN_SCORE`` (a name met
    three times, or in the lead), plus every speaker of the brief's claims (a claim's
    claimant must be a listed stakeholder), who do not take the salient places;
    listed by score. A one-word name found only in the headline is most often a
    capitalised first word ("Interview with ...").
    """
    for c in claims:
        if c.claimant is not None:
            c.claimant.claims += 1
    scored = [
        (score(features(e, headline, lead_end)), e)
        for e in candidates
        if e.mentions
        and not (
            e.type == "other"
            and " " not in e.name
            and all(m.sentence == headline for m in e.mentions)
        )
    ]
    scored.sort(key=lambda se: (-se[0], se[1].first))
    scored_rank = {id(e): k for k, (_s, e) in enumerate(scored)}
    salient = [e for s, e in scored if s >= MIN_SCORE and not e.claims][:MAX_SALIENT]
    speakers = [e for _s, e in scored if e.claims]
    ranked = sorted(salient + speakers, key=lambda e: scored_rank[id(e)])
    return ranked[:MAX_STAKEHOLDERS]
