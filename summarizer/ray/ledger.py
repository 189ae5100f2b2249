"""The run's ledger: one small Ray actor that every summarizing actor asks first.

Why it exists: the local SQLite cache cannot be shared between nodes, yet a cluster
run must (1) call the model once per distinct article even when identical articles
sit in different blocks on different nodes, (2) never pay twice for an article whose
actor died after its answer came back (Ray retries the whole block on the restarted
actor), and (3) stop every actor when the run is interrupted or its budget is spent.
A claim per article key gives all three: the first claimant calls, the others wait
for its outcome; outcomes are kept for the whole run, so a retried block is served
from here.

Kept in memory for the run: a few KB per distinct article (the result JSON), so
about 10 GB for two million articles; split bigger corpora into several runs.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

# A claim whose owner never reports back (its node is gone and Ray cannot restart
# it) is handed to the next claimant after this long; a restarted owner releases its
# claims at once (see ``register``).
DEFAULT_LEASE_SECONDS = 900.0


@dataclass
class _Claim:
    owner: str
    row_id: str
    since: float
    done: asyncio.Event = field(default_factory=asyncio.Event)


class Ledger:
    """Claims, outcomes, the actors' registry and the run's stop flag.

    Runs as an async Ray actor (one event loop, so no locks); every method is cheap.
    Outcomes are ``(first_id, payload, error, stats)``: ``payload`` the result JSON
    or None, ``error`` the failure's one-line reason or None.
    """

    def __init__(self, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.lease_seconds = lease_seconds
        self._outcomes: dict[str, tuple[str, str | None, str | None, dict[str, Any]]] = {}
        self._claims: dict[str, _Claim] = {}
        self._actors: dict[str, dict[str, Any]] = {}
        self._stop_reason: str | None = None

    async def register(self, actor_id: str, pid: int, node: str) -> int:
        """The actor's index (its endpoint and share); a restarted actor keeps its
        index, and the claims its previous life left open are released."""
        known = self._actors.get(actor_id)
        if known is None:
            known = self._actors[actor_id] = {"index": len(self._actors), "starts": 0}
        known.update(pid=pid, node=node, starts=known["starts"] + 1)
        for key in [k for k, c in self._claims.items() if c.owner == actor_id]:
            self._claims.pop(key).done.set()
        return int(known["index"])

    async def actors(self) -> dict[str, dict[str, Any]]:
        """Who registered: index, pid, node and how many times each started."""
        return {actor: dict(info) for actor, info in self._actors.items()}

    async def claim(self, key: str, owner: str, row_id: str) -> tuple[Any, ...]:
        """``("mine",)``: call the model and report with :meth:`finish` or
        :meth:`abandon`; ``("done", first_id, payload, error, stats)``; or
        ``("stop", reason)`` once the run is stopping."""
        loop = asyncio.get_running_loop()
        while True:
            outcome = self._outcomes.get(key)
            if outcome is not None:
                return ("done", *outcome)
            claim = self._claims.get(key)
            if claim is None:
                if self._stop_reason is not None:
                    return ("stop", self._stop_reason)
                self._claims[key] = _Claim(owner, row_id, loop.time())
                return ("mine",)
            left = claim.since + self.lease_seconds - loop.time()
            if left <= 0:
                self._claims.pop(key).done.set()
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(claim.done.wait(), timeout=min(left, 5.0))

    async def finish(
        self, key: str, first_id: str, payload: str | None, error: str | None, stats: dict[str, Any]
    ) -> None:
        """Record an outcome (paid for: later claimants and retries reuse it)."""
        self._outcomes[key] = (first_id, payload, error, stats)
        claim = self._claims.pop(key, None)
        if claim is not None:
            claim.done.set()

    async def abandon(self, key: str) -> None:
        """Give a claim back unpaid (stopped before its first request)."""
        claim = self._claims.pop(key, None)
        if claim is not None:
            claim.done.set()

    async def stop(self, reason: str) -> None:
        """No claim is granted from now on; the first reason given is kept."""
        if self._stop_reason is None:
            self._stop_reason = reason

    async def stop_reason(self) -> str | None:
        return self._stop_reason
