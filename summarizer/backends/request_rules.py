"""How a request must be shaped for a model: which output-limit parameter, and whether a
temperature may be sent. The rules live in the model table (``summarizer/models.json``,
overridable per model in the config's ``[models."name"]``).

Why: OpenAI's reasoning models (the o1, o3 and o4 families and gpt-5) answer HTTP 400 to
``max_tokens`` ("Use 'max_completion_tokens' instead") and to any ``temperature`` but
their default, so without these rules every article of a run fails the same way.

Why looser matching than prices: a price must not be borrowed by another product
(``o3-pro`` is not priced like ``o3``), but request rules belong to a whole family, and
a new member (``o3-pro``, ``o4-mini-deep-research``, ``gpt-5.1-codex``) must not fail
because the table has not heard of it. So the rules of the longest table key that
starts the model name, followed by the end of the name or a non-alphanumeric character,
apply; routing prefixes (``openai/o3``, ``azure/gpt-5-mini``) are removed first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from summarizer.pricing import RULE_FIELDS, model_table

__all__ = ["RequestRules", "request_rules"]


@dataclass(frozen=True)
class RequestRules:
    """``source`` names the table entry the rules came from (None: the defaults)."""

    token_parameter: str = "max_tokens"
    temperature: bool = True
    source: str | None = None


def _starts_family(name: str, key: str) -> bool:
    return name == key or (name.startswith(key) and not name[len(key)].isalnum())


def request_rules(
    model: str, overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> RequestRules:
    """The rules for ``model``; never raises for a name."""
    table = model_table(overrides)
    with_rules = {
        key.rsplit("/", 1)[-1]: entry
        for key, entry in table.items()
        if any(field in entry for field in RULE_FIELDS)
    }
    name = model.strip().lower()
    candidates = [name]
    while "/" in candidates[-1]:
        candidates.append(candidates[-1].split("/", 1)[1])
    for candidate in candidates:
        matches = [key for key in with_rules if _starts_family(candidate, key)]
        if matches:
            entry = with_rules[max(matches, key=len)]
            return RequestRules(
                token_parameter=entry.get("token_parameter", "max_tokens"),
                temperature=entry.get("temperature", True),
                source=entry["name"],
            )
    return RequestRules()
