"""The long-article path's tuning, read from ``longform.json`` beside this module.

Numbers and word lists are data, not code: changing one is a reviewable one-line
diff with a version, and the tests read the same values the code uses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class LongformSettings:
    """``overlap_fraction``/``max_overlap``: the overlap between parts, as a share of
    a part and at most this many tokens (or characters); ``count_margin``: the share
    of the room a part may fill, for the tokens a joined slice may count beyond the
    sum of its sentences; ``reask_reserve_tokens``: room kept for a re-ask's copy of
    the previous answer; ``near_duplicate_overlap``: word overlap above which two
    claims from neighbouring parts are one claim; ``max_conflicts``: conflicting-
    report items added at most; ``salience_bonus``: how far up a part's list a claim
    moves for having a claimant, or for its certainty; ``max_stakeholders``: the
    merged list's length (those making a kept claim always stay);
    ``max_uncertainty_items``: the parts' items kept (those about a kept claim first,
    the rest spread over the article; conflicting figures come on top);
    ``merge_claims_per_part``: claims shown per part to the merge call."""

    version: str
    overlap_fraction: float
    max_overlap: int
    count_margin: float
    reask_reserve_tokens: int
    default_claim_limit: int
    near_duplicate_overlap: float
    max_conflicts: int
    salience_bonus: dict[str, float]
    max_stakeholders: int
    max_uncertainty_items: int
    merge_claims_per_part: int
    summary_max_words: int
    honorifics: frozenset[str]
    name_stopwords: frozenset[str]


@cache
def settings() -> LongformSettings:
    raw = json.loads((resources.files("summarizer.longform") / "longform.json").read_text("utf-8"))
    raw.pop("_comment", None)
    raw["honorifics"] = frozenset(raw["honorifics"])
    raw["name_stopwords"] = frozenset(raw["name_stopwords"])
    return LongformSettings(**raw)
