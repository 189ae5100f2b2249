"""Context windows and prices for common models, from a table shipped with the package.

Nothing is fetched: a run must be costable offline and reproducibly, so the table
(``summarizer/models.json``) is a dated snapshot of list prices, and the config file
can correct or extend it (``[models."name"]`` entries with the same fields).

Lookup of a model name, case-insensitively:

1. exact match against the table (with the config's entries merged in);
2. the longest table key that is a *prefix* of the name at a version-like boundary,
   so dated snapshots and served variants find their family: ``gpt-4o-2024-08-06`` →
   ``gpt-4o``, ``llama3.1:8b`` → ``llama3.1``, ``Qwen2.5-7B-Instruct-AWQ`` → ``qwen2.5``.
   The boundary is ``:``, ``@`` or ``.``, or ``-`` followed by a digit, a version
   (``v0.3``), a quantisation (``Q4_K_M``) or a packaging word (``instruct``,
   ``latest``, ``awq``...). A plain word is *not* a boundary: ``mistral-large-latest``
   and ``gpt-4o-audio-preview`` are other products at other prices, and borrowing
   ``mistral``'s local price of 0 for them would under-report the cost;
3. both steps again with routing prefixes removed one ``/`` segment at a time
   (``ollama/llama3.1:8b``, ``openrouter/openai/gpt-4o``); table keys that carry an
   organisation (``meta-llama/...``) also answer to their bare name;
4. otherwise the ``default`` entry, with ``known=False`` and unknown (``None``) prices.

An exact table key always beats a prefix, which is how a snapshot priced differently
from its family (``gpt-4o-2024-05-13``) keeps its own price.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from summarizer.errors import ConfigError
from summarizer.prompting.tokens import ENCODINGS

DEFAULT_KEY = "default"
FIELDS = ("context_window", "max_output_tokens", "input_per_mtok", "output_per_mtok", "encoding")
# Optional: how requests to the model must be shaped (see summarizer/backends/request_rules.py).
RULE_FIELDS = {"token_parameter": ("max_tokens", "max_completion_tokens"), "temperature": None}
# Optional field: the price factor of the provider's batch API (0.5 = half price).
# The shipped table keeps it apart, under BATCH_KEY, so its model lines stay untouched.
OPTIONAL_FIELDS = ("batch_discount",)
BATCH_KEY = "_batch_discount"

_PACKAGING_WORDS = frozenset(
    {"instruct", "chat", "it", "latest", "preview", "gguf", "awq", "gptq", "fp8", "fp16",
     "bf16", "int4", "int8", "mlx", "hf"}
)
_SEGMENT = re.compile(r"[a-z0-9]+")
_VERSIONISH = re.compile(r"(?:\d|v\d|q\d)")

# Float noise in a sum of per-call costs must not stop a batch that is exactly on budget.
_COST_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ModelInfo:
    """What the pipeline needs to know about a model before calling it.

    ``name`` is the table key that matched (``"default"`` for an unknown model);
    prices are USD per million tokens, ``None`` when unknown.
    """

    name: str
    context_window: int
    max_output_tokens: int
    input_per_mtok: float | None
    output_per_mtok: float | None
    encoding: str
    known: bool
    batch_discount: float | None = None  # None: no batch price known for this model


def _check_entry(name: str, entry: Any, *, partial: bool, origin: str) -> dict[str, Any]:
    """Validate one entry so a typo in the config fails loudly instead of being ignored."""
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{origin}: model entry {name!r} must be a table of fields")
    unknown = sorted(set(entry) - set(FIELDS) - set(RULE_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        raise ConfigError(
            f"{origin}: model entry {name!r} has unknown field(s) {', '.join(unknown)} "
            f"(known: {', '.join((*FIELDS, *RULE_FIELDS, *OPTIONAL_FIELDS))})"
        )
    if not partial:
        missing = [field for field in FIELDS if field not in entry]
        if missing:
            raise ConfigError(f"{origin}: model entry {name!r} lacks {', '.join(missing)}")
    checked: dict[str, Any] = {}
    for field, value in entry.items():
        if field in ("context_window", "max_output_tokens"):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ConfigError(f"{origin}: {name}.{field} must be a positive integer")
            checked[field] = value
        elif field in ("input_per_mtok", "output_per_mtok"):
            if value is None:
                checked[field] = None
            elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError(f"{origin}: {name}.{field} must be a non-negative number")
            else:
                checked[field] = float(value)
        elif field == "token_parameter":
            if value not in RULE_FIELDS["token_parameter"]:
                raise ConfigError(
                    f"{origin}: {name}.token_parameter must be max_tokens or max_completion_tokens"
                )
            checked[field] = value
        elif field == "temperature":
            if not isinstance(value, bool):
                raise ConfigError(f"{origin}: {name}.temperature must be true or false")
            checked[field] = value
        elif field == "batch_discount":
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
                raise ConfigError(f"{origin}: {name}.batch_discount must be in (0, 1]")
            checked[field] = float(value)
        else:
            if value not in ENCODINGS:
                raise ConfigError(
                    f"{origin}: {name}.encoding must be one of {', '.join(ENCODINGS)}"
                )
            checked[field] = value
    return checked


@cache
def _builtin() -> dict[str, dict[str, Any]]:
    """The shipped table, validated once, keyed by its original spelling."""
    raw = json.loads((resources.files("summarizer") / "models.json").read_text(encoding="utf-8"))
    table = {
        name: _check_entry(name, entry, partial=False, origin="summarizer/models.json")
        for name, entry in raw.items()
        if not name.startswith("_")
    }
    for name, discount in raw.get(BATCH_KEY, {}).items():
        if name in table:
            table[name].update(
                _check_entry(name, {"batch_discount": discount}, partial=True, origin=BATCH_KEY)
            )
    return table


def _merged(overrides: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Built-in entries with the config's fields laid over them, keyed in lower case.

    A config entry for a new model only needs the fields it knows; the rest come from
    ``default`` (prices stay unknown unless given).
    """
    table = {name.lower(): (name, dict(entry)) for name, entry in _builtin().items()}
    for name, entry in (overrides or {}).items():
        fields = _check_entry(str(name), entry, partial=True, origin="config [models]")
        key = str(name).lower()
        if key in table:
            original, base = table[key]
            table[key] = (original, {**base, **fields})
        else:
            base = {**table[DEFAULT_KEY][1], "input_per_mtok": None, "output_per_mtok": None}
            table[key] = (str(name), {**base, **fields})
    return {key: {"name": name, **entry} for key, (name, entry) in table.items()}


def model_table(
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every entry (built-in with the config's laid over), keyed by lower-case name."""
    return _merged(overrides)


def _is_boundary(rest: str) -> bool:
    if rest[0] in ":@.":
        return True
    if rest[0] != "-":
        return False
    segment = _SEGMENT.match(rest[1:])
    if segment is None:
        return False
    word = segment.group()
    return word in _PACKAGING_WORDS or _VERSIONISH.match(word) is not None


def _find(candidate: str, index: dict[str, str]) -> str | None:
    if candidate in index:
        return index[candidate]
    best: str | None = None
    for key in index:
        if (
            len(key) < len(candidate)
            and candidate.startswith(key)
            and _is_boundary(candidate[len(key):])
            and (best is None or len(key) > len(best))
        ):
            best = key
    return None if best is None else index[best]


def model_info(model: str, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> ModelInfo:
    """Look ``model`` up as described in the module docstring; never raises for a name.

    ``overrides`` is the config's ``[models]`` mapping (name → partial entry); it can
    change any field of a built-in model, add models, or change ``default``.
    """
    table = _merged(overrides)
    # Full keys first, then organisation-less aliases, so an exact full key wins.
    index: dict[str, str] = {}
    for key in table:
        if key != DEFAULT_KEY and "/" in key:
            index.setdefault(key.rsplit("/", 1)[1], key)
    index.update({key: key for key in table if key != DEFAULT_KEY})

    wanted = model.strip().lower()
    candidates = [wanted]
    while "/" in candidates[-1]:
        candidates.append(candidates[-1].split("/", 1)[1])
    for candidate in candidates:
        found = _find(candidate, index)
        if found is not None:
            return _info(table[found], known=True)
    return _info(table[DEFAULT_KEY], known=False)


def _info(entry: Mapping[str, Any], *, known: bool) -> ModelInfo:
    return ModelInfo(
        name=entry["name"],
        context_window=entry["context_window"],
        max_output_tokens=entry["max_output_tokens"],
        input_per_mtok=entry["input_per_mtok"],
        output_per_mtok=entry["output_per_mtok"],
        encoding=entry["encoding"],
        known=known,
        batch_discount=entry.get("batch_discount"),
    )


def batch_priced(info: ModelInfo) -> ModelInfo | None:
    """``info`` at the provider's batch-API prices; None when no batch price is known
    (a cost limit or estimate must then say so rather than guess the live price)."""
    discount = info.batch_discount
    if discount is None or info.input_per_mtok is None or info.output_per_mtok is None:
        return None
    return replace(
        info,
        input_per_mtok=info.input_per_mtok * discount,
        output_per_mtok=info.output_per_mtok * discount,
    )


def cost_usd(info: ModelInfo, prompt_tokens: int, completion_tokens: int) -> float | None:
    """USD for one call or a total; ``None`` rather than a guess when a price is unknown."""
    if prompt_tokens < 0 or completion_tokens < 0:
        raise ValueError("token counts cannot be negative")
    if info.input_per_mtok is None or info.output_per_mtok is None:
        return None
    return (prompt_tokens * info.input_per_mtok + completion_tokens * info.output_per_mtok) / 1e6


class CostMeter:
    """Running spend of a batch, shared by concurrent workers (threads or tasks).

    Token totals are kept as integers and the cost is computed from them on demand,
    so the spend does not drift with the number of calls and a budget check compares
    exactly what the final report will show.
    """

    def __init__(self, info: ModelInfo) -> None:
        self.info = info
        self._lock = threading.Lock()
        self._prompt = 0
        self._completion = 0
        self._calls = 0

    def add(self, prompt_tokens: int, completion_tokens: int) -> None:
        if prompt_tokens < 0 or completion_tokens < 0:
            raise ValueError("token counts cannot be negative")
        with self._lock:
            self._prompt += prompt_tokens
            self._completion += completion_tokens
            self._calls += 1

    @property
    def prompt_tokens(self) -> int:
        return self._prompt

    @property
    def completion_tokens(self) -> int:
        return self._completion

    @property
    def calls(self) -> int:
        return self._calls

    @property
    def tokens(self) -> int:
        with self._lock:
            return self._prompt + self._completion

    @property
    def prices_known(self) -> bool:
        """Whether a cost budget can be enforced at all; check before promising one."""
        return self.info.input_per_mtok is not None and self.info.output_per_mtok is not None

    @property
    def spent_usd(self) -> float | None:
        """Spend so far; ``None`` when the model's price is unknown (not 0: unknown)."""
        with self._lock:
            return cost_usd(self.info, self._prompt, self._completion)

    def would_exceed(
        self,
        max_cost: float | None,
        max_tokens: int | None,
        next_prompt_tokens: int,
        next_completion_allowance: int,
    ) -> bool:
        """Whether the next call, if it used its whole output allowance, could pass a limit.

        Checked *before* the call, with the allowance rather than an expectation, so a
        batch stops cleanly instead of overshooting; landing exactly on a limit is
        allowed. A cost limit with an unknown price cannot be honoured, and silently
        ignoring it would spend money the user capped, so that raises ``ConfigError``.
        """
        if next_prompt_tokens < 0 or next_completion_allowance < 0:
            raise ValueError("token counts cannot be negative")
        with self._lock:
            prompt = self._prompt + next_prompt_tokens
            completion = self._completion + next_completion_allowance
        if max_tokens is not None and prompt + completion > max_tokens:
            return True
        if max_cost is not None:
            projected = cost_usd(self.info, prompt, completion)
            if projected is None:
                model = repr(self.info.name) if self.info.known else "(not in the built-in table)"
                raise ConfigError(
                    f"cannot enforce a cost limit: no price is known for the model {model}; "
                    'set input_per_mtok and output_per_mtok under [models."<name>"] in the '
                    "config file"
                )
            if projected > max_cost * (1 + _COST_TOLERANCE) + 1e-12:
                return True
        return False
