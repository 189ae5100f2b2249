"""The options of a Ray run, each default written once (like :mod:`summarizer.options`).

Why a group of its own: these say how the work is spread over a cluster, which
shapes neither the answer (generation) nor how one request travels (transport).
The run-wide limits stay in :class:`~summarizer.options.TransportOptions` and
:class:`~summarizer.options.BudgetOptions`; :func:`actor_shares` divides them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from summarizer.errors import ConfigError
from summarizer.options import BudgetOptions, TransportOptions


@dataclass(frozen=True)
class RayOptions:
    """How ``summarize_dataset`` spreads work.

    ``actors``: actors in the pool, each holding one ``Summarizer``;
    ``concurrency_per_actor``: model requests each actor keeps in flight (None: the
    transport's ``concurrency`` divided among the actors, so the total is the same
    as a one-machine run's); ``endpoints``: base URLs the actors are spread over,
    round robin (empty: the transport's ``base_url``); the columns name the input's
    id and its article text or HTML (``html_column`` wins when both are set).
    """

    actors: int = 2
    concurrency_per_actor: int | None = None
    endpoints: tuple[str, ...] = ()
    id_column: str = "id"
    text_column: str = "text"
    html_column: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.actors, bool) or self.actors < 1:
            raise ConfigError(f"actors must be a positive integer, not {self.actors!r}")
        per_actor = self.concurrency_per_actor
        if per_actor is not None and (isinstance(per_actor, bool) or per_actor < 1):
            raise ConfigError(
                f"concurrency_per_actor must be a positive integer, not {per_actor!r}"
            )
        object.__setattr__(self, "endpoints", tuple(self.endpoints))

    def per_actor(self, transport: TransportOptions) -> int:
        """Requests in flight per actor."""
        if self.concurrency_per_actor is not None:
            return self.concurrency_per_actor
        return max(1, math.ceil(transport.concurrency / self.actors))


def actor_shares(
    options: RayOptions, transport: TransportOptions, budget: BudgetOptions, index: int
) -> tuple[TransportOptions, BudgetOptions]:
    """Actor ``index``'s transport and budget: its endpoint (round robin), and an equal
    share of the run-wide RPM, TPM and budget, so the whole cluster stays under them
    whatever the actors' speeds (an actor never borrows another's unused share)."""
    n = options.actors
    endpoints = options.endpoints
    share = replace(
        transport,
        base_url=endpoints[index % len(endpoints)] if endpoints else transport.base_url,
        rpm=None if transport.rpm is None else transport.rpm / n,
        tpm=None if transport.tpm is None else transport.tpm / n,
        concurrency=options.per_actor(transport),
    )
    tokens = budget.max_total_tokens
    budget_share = BudgetOptions(
        max_cost_usd=None if budget.max_cost_usd is None else budget.max_cost_usd / n,
        max_total_tokens=None if tokens is None else max(1, tokens // n),
    )
    return share, budget_share
