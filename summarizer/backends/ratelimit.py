"""Client-side rate limiting, so a batch stays under a provider's limits instead of
bouncing off 429s, and slows down as a whole (then recovers) when 429s come anyway.

Each configured limit (requests per minute, tokens per minute) is a :class:`_Budget`
made of two parts:

* a **token bucket** for pacing. Capacity ``C = limit * burst_seconds / 60`` (two
  seconds' worth by default) lets a run start, or resume after a lull, with a short
  burst; the bucket refills at ``(limit - C) / 60`` per second, *not* ``limit / 60``.
  That is what makes the bucket alone respect a rolling window: over any 60 s it can
  hand out at most what it held at the start (``<= C``) plus what flowed in
  (``(limit - C)``), i.e. ``<= limit``. The price is the sustained rate,
  ``1 - burst_seconds / 60`` of the limit: 96.7 % with the default, above the 95 %
  target, and the margin also absorbs small differences between our clock and the
  provider's. A bucket the size of a whole minute refilling at ``limit / 60`` would
  allow ``2 * limit`` in the first minute.
* a **ledger** of what was admitted over the last 61 s (the 60 s window plus a skew
  margin), the hard guarantee: a request is admitted only if that ledger plus the
  request stay within the limit. For requests that fit the bucket the bucket already
  ensures this and the ledger never makes anyone wait; it matters for large requests.

Requests larger than the bucket (common for tokens: prompt plus output allowance can
exceed two seconds' worth) are admitted once the bucket is *full*, which leaves it
in debt: later requests wait until the debt is repaid, so the average rate holds and
nothing deadlocks; the ledger keeps the window exact meanwhile. A request larger than
the whole per-minute limit can never fit a window; it is admitted alone, once nothing
has been admitted for 60 s (the provider may still refuse it, but the run moves on).

Tokens are counted as reserved (prompt plus the whole output allowance) and never
given back: providers such as OpenAI count ``max_tokens`` against the TPM limit when
a request arrives, so crediting unused output would overshoot their window.

Waiters are served strictly first come, first served: the oldest waiter holds an
asyncio lock while it sleeps, so a large request cannot be starved by a stream of
small ones (and, in turn, holds them back until it fits). It sleeps in slices of at
most a second, so a 429 arriving meanwhile is taken into account.

On a 429, :meth:`RateLimiter.penalize` pauses every acquirer until the provider's
``Retry-After`` (a few seconds by default) and multiplies the effective limits by
``decrease`` (0.8), never below ``min_fraction`` (10 %) of the configured ones; 429s
arriving during that pause are echoes of the same overload (requests sent before the
slowdown), so they extend the pause without cutting the rate again. After each
``recovery_interval`` (10 s) without a 429 the rate climbs back by ``recovery_step``
(5 % of the configured limit): additive increase, multiplicative decrease.

All of it runs on one event loop; time comes from the injected ``clock`` and waiting
from the injected ``sleep``, so tests drive minutes of traffic in milliseconds.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

WINDOW_SECONDS = 60.0
# The ledger remembers admissions a little longer than the provider's window: a
# request admitted here reaches the provider a moment later, and one delayed more
# than the next would otherwise still sit in the provider's window when the next
# arrives (seen as a lone 429 in bench/bench_batch.py's TPM run).
LEDGER_SECONDS = WINDOW_SECONDS + 1.0
DEFAULT_RETRY_AFTER = 5.0

# Sleep at least this long so float rounding can never spin the loop without the
# clock moving, and at most this long so 429s are noticed promptly.
_MIN_SLEEP = 0.001
_MAX_SLICE = 1.0
# A 429 with Retry-After 0 must still not let a burst of simultaneous 429s compound.
_MIN_DECREASE_INTERVAL = 1.0


class _Entry:
    """One admission in the ledger."""

    __slots__ = ("amount", "at")

    def __init__(self, at: float, amount: float) -> None:
        self.at = at
        self.amount = amount


class _Budget:
    """One per-minute limit: a pacing bucket plus the 60 s ledger that guarantees it."""

    def __init__(self, limit: float, burst_seconds: float, now: float) -> None:
        self.limit = limit
        self.capacity = limit * burst_seconds / WINDOW_SECONDS
        self.level = self.capacity
        self.updated = now
        self.ledger: deque[_Entry] = deque()  # oldest first
        self.in_window = 0.0
        self.waiting = 0.0  # size of the request at the head of the queue, if it waits
        self.eps = 1e-9 * max(1.0, limit)

    def advance(self, now: float, scale: float) -> None:
        """Refill for the time elapsed at the scale that was in force, drop aged entries."""
        if now > self.updated:
            rate = (self.limit - self.capacity) * scale / WINDOW_SECONDS
            self.level += rate * (now - self.updated)
            self.updated = now
        self.level = min(self.level, self.ceiling(scale))
        while self.ledger and self.ledger[0].at <= now - LEDGER_SECONDS:
            self.in_window -= self.ledger.popleft().amount
        if not self.ledger:
            self.in_window = 0.0  # no float residue once the window is empty

    def wait(self, amount: float, now: float, scale: float) -> float:
        """Seconds until ``amount`` fits both the bucket and the window; 0 if it fits now."""
        self.waiting = amount
        need = min(amount, self.capacity * scale)
        bucket_wait = 0.0
        if self.level < need - self.eps:
            rate = (self.limit - self.capacity) * scale / WINDOW_SECONDS
            bucket_wait = (need - self.level) / rate

        window_limit = self.limit * scale
        room_needed = window_limit - amount if amount <= window_limit else 0.0
        remaining = self.in_window
        ledger_wait = 0.0
        for entry in self.ledger:
            if remaining <= room_needed + self.eps:
                break
            remaining -= entry.amount
            # The entry leaves the window just after it is 60 s old.
            ledger_wait = entry.at + LEDGER_SECONDS - now + _MIN_SLEEP
        return max(bucket_wait, ledger_wait)

    def ceiling(self, scale: float) -> float:
        """How full the bucket may get: its capacity, or more for a large head waiter.

        A request larger than the bucket is admitted once the bucket is full, but it
        may also have to wait for the ledger; meanwhile the bucket may keep filling up
        to that request's size (at most a minute's worth) instead of spilling the
        refill, so the wait is not lost throughput and leaves less debt behind.
        """
        return max(self.capacity * scale, min(self.waiting, self.limit * scale))

    def consume(self, amount: float, now: float) -> None:
        self.waiting = 0.0
        self.level -= amount
        self.ledger.append(_Entry(now, amount))
        self.in_window += amount


class RateLimiter:
    """Keeps a run within requests-per-minute and tokens-per-minute limits.

    With neither limit set, :meth:`acquire` returns at once (only a pause after a 429
    can hold it up), so callers need not special-case an unlimited run.
    """

    def __init__(
        self,
        *,
        rpm: float | None = None,
        tpm: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        burst_seconds: float = 2.0,
        decrease: float = 0.8,
        min_fraction: float = 0.1,
        recovery_step: float = 0.05,
        recovery_interval: float = 10.0,
        default_retry_after: float = DEFAULT_RETRY_AFTER,
    ) -> None:
        for name, value in (("rpm", rpm), ("tpm", tpm)):
            if value is not None and not (value > 0 and math.isfinite(value)):
                raise ValueError(f"{name} must be a positive number, not {value!r}")
        if not 0 < burst_seconds < WINDOW_SECONDS:
            raise ValueError("burst_seconds must be between 0 and 60")
        if not (0 < decrease < 1 and 0 < min_fraction <= 1):
            raise ValueError("decrease must be in (0, 1) and min_fraction in (0, 1]")
        if recovery_step <= 0 or recovery_interval <= 0:
            raise ValueError("recovery_step and recovery_interval must be positive")
        self.rpm = rpm
        self.tpm = tpm
        self._clock = clock
        self._sleep = sleep
        self._decrease = decrease
        self._min_fraction = min_fraction
        self._recovery_step = recovery_step
        self._recovery_interval = recovery_interval
        self._default_retry_after = default_retry_after

        now = clock()
        self._requests = None if rpm is None else _Budget(rpm, burst_seconds, now)
        self._tokens = None if tpm is None else _Budget(tpm, burst_seconds, now)
        self._budgets = [b for b in (self._requests, self._tokens) if b is not None]

        self._queue = asyncio.Lock()  # FIFO: asyncio.Lock wakes waiters in arrival order
        self._state = threading.Lock()  # penalize may come from another thread
        self._scale = 1.0
        self._scale_base = 1.0
        self._paused_until = -math.inf
        self._decrease_guard = -math.inf
        self._stats: dict[str, float] = {
            "acquired": 0,
            "tokens_acquired": 0,
            "waits": 0,
            "wait_seconds": 0.0,
            "penalties": 0,
            "rate_decreases": 0,
        }

    # -- public API -------------------------------------------------------------------

    async def acquire(self, tokens: int) -> None:
        """Wait until one request of ``tokens`` tokens fits every limit, then consume it."""
        if tokens < 0:
            raise ValueError("tokens cannot be negative")
        if not self._budgets and self._clock() >= self._paused_until:
            self._count(tokens)
            return
        started = self._clock()
        async with self._queue:
            try:
                await self._wait_and_consume(tokens, started)
            except BaseException:
                # Cancelled while at the head: stop holding room for this request.
                for budget in self._budgets:
                    budget.waiting = 0.0
                raise

    def penalize(self, retry_after: float | None) -> None:
        """A 429 arrived: pause everyone, and cut the rate unless this 429 is an echo."""
        pause = self._default_retry_after if retry_after is None else max(0.0, retry_after)
        now = self._clock()
        with self._state:
            self._advance(now)
            self._stats["penalties"] += 1
            if now >= self._decrease_guard and self._budgets:
                self._scale = max(self._min_fraction, self._scale * self._decrease)
                self._stats["rate_decreases"] += 1
                for budget in self._budgets:
                    budget.level = min(budget.level, budget.ceiling(self._scale))
            self._paused_until = max(self._paused_until, now + pause)
            self._decrease_guard = max(self._paused_until, now + _MIN_DECREASE_INTERVAL)
            self._scale_base = self._scale

    @property
    def effective_rpm(self) -> float | None:
        """The requests-per-minute ceiling in force now (the configured one unless 429s)."""
        return None if self.rpm is None else self.rpm * self._scale_at(self._clock())

    @property
    def effective_tpm(self) -> float | None:
        """The tokens-per-minute ceiling in force now (the configured one unless 429s)."""
        return None if self.tpm is None else self.tpm * self._scale_at(self._clock())

    def stats(self) -> dict[str, Any]:
        """Counters for the run report: how much the limits slowed the run, and why."""
        with self._state:
            result: dict[str, Any] = dict(self._stats)
        result["rate_fraction"] = self._scale_at(self._clock())
        return result

    # -- internals --------------------------------------------------------------------

    async def _wait_and_consume(self, tokens: int, started: float) -> None:
        while True:
            now = self._clock()
            with self._state:
                self._advance(now)
                delay = max(
                    self._paused_until - now,
                    *(self._needs(budget, tokens, now) for budget in self._budgets),
                    0.0,
                )
                if delay <= 0:
                    for budget in self._budgets:
                        budget.consume(1 if budget is self._requests else tokens, now)
                    self._count(tokens)
                    if now > started:
                        self._stats["waits"] += 1
                        self._stats["wait_seconds"] += now - started
                    return
            await self._sleep(min(max(delay, _MIN_SLEEP), _MAX_SLICE))

    def _needs(self, budget: _Budget, tokens: int, now: float) -> float:
        return budget.wait(1 if budget is self._requests else tokens, now, self._scale)

    def _count(self, tokens: int) -> None:
        self._stats["acquired"] += 1
        self._stats["tokens_acquired"] += tokens

    def _scale_at(self, now: float) -> float:
        """Fraction of the configured limits in force at ``now``, recovery included."""
        if self._scale_base >= 1.0 or now <= self._paused_until:
            return self._scale_base
        steps = math.floor((now - self._paused_until) / self._recovery_interval)
        return min(1.0, self._scale_base + steps * self._recovery_step)

    def _advance(self, now: float) -> None:
        # Refill at the scale in force since the last update, then apply any recovery:
        # the conservative order, since recovery only ever raises the rate.
        for budget in self._budgets:
            budget.advance(now, self._scale)
        self._scale = self._scale_at(now)
