"""The rate limiter, driven by a fake clock: minutes of traffic run in milliseconds.

The fake ``sleep`` advances the clock by exactly what was asked, so every admission
time below is what a real run would see, and window sums are computed independently
from the recorded admissions (not from the limiter's own bookkeeping).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence

import pytest

from summarizer.backends.ratelimit import LEDGER_SECONDS, RateLimiter

Admission = tuple[float, int]


class FakeTime:
    """A clock that only moves when someone sleeps on it."""

    def __init__(self, limit: float = 1e6) -> None:
        self.now = 0.0
        self.slept = 0
        self.limit = limit  # a deadlock shows up as runaway virtual time, not a hang

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.slept += 1
        self.now += seconds
        if self.now > self.limit:
            raise AssertionError(f"virtual time ran past {self.limit} s: deadlock?")
        await asyncio.sleep(0)


def make(ft: FakeTime, **kwargs: float) -> RateLimiter:
    return RateLimiter(clock=ft.clock, sleep=ft.sleep, **kwargs)


def run(coro_factory: Callable[[], object]) -> object:
    return asyncio.run(coro_factory())  # type: ignore[arg-type]


async def admit_all(limiter: RateLimiter, ft: FakeTime, sizes: Sequence[int]) -> list[Admission]:
    """Start one acquirer per size, in order, and record when each was admitted."""
    admitted: list[Admission] = []

    async def one(tokens: int) -> None:
        await limiter.acquire(tokens)
        admitted.append((ft.now, tokens))

    await asyncio.gather(*(one(n) for n in sizes))
    return admitted


def max_window(
    admitted: Sequence[Admission], *, seconds: float = 60.0, count: bool = False
) -> float:
    """Largest total in any half-open window [t, t + seconds), tokens or requests."""
    events = sorted(admitted)
    best = 0.0
    total = 0.0
    j = 0
    for i, (start, _) in enumerate(events):
        while j < len(events) and events[j][0] < start + seconds:
            total += 1 if count else events[j][1]
            j += 1
        best = max(best, total)
        total -= 1 if count else events[i][1]
    return best


def per_minute(admitted: Sequence[Admission], *, count: bool = False) -> float:
    """Achieved rate over the run, from the first admission (t=0) to the last."""
    last = max(t for t, _ in admitted)
    amount = len(admitted) if count else sum(n for _, n in admitted)
    return amount / (last / 60.0)


# -- long runs: the window is never exceeded, the limit is nearly reached -------------


def test_tpm_run_never_exceeds_any_window_and_reaches_95_percent() -> None:
    ft = FakeTime()
    limiter = make(ft, tpm=60_000)
    admitted = run(lambda: admit_all(limiter, ft, [500] * 1000))
    assert len(admitted) == 1000
    assert max_window(admitted) <= 60_000
    assert per_minute(admitted) >= 0.95 * 60_000
    # Paced, not a whole minute's budget at once then a stall: one second never sees
    # more than the two-second burst plus a second's refill.
    assert max_window(admitted, seconds=1.0) <= 2_000 + 1_000


def test_rpm_run_never_exceeds_any_window_and_reaches_95_percent() -> None:
    ft = FakeTime()
    limiter = make(ft, rpm=120)
    admitted = run(lambda: admit_all(limiter, ft, [1] * 600))
    assert max_window(admitted, count=True) <= 120
    assert per_minute(admitted, count=True) >= 0.95 * 120
    assert max_window(admitted, seconds=1.0, count=True) <= 4 + 2


@pytest.mark.parametrize("rpm", [3, 45])
def test_small_rpm_where_one_request_exceeds_the_burst_still_holds(rpm: int) -> None:
    # rpm=3 gives a bucket of 0.1 request: every request is "larger than the bucket".
    ft = FakeTime()
    limiter = make(ft, rpm=rpm)
    admitted = run(lambda: admit_all(limiter, ft, [0] * (rpm * 10)))
    assert max_window(admitted, count=True) <= rpm
    assert per_minute(admitted, count=True) >= 0.95 * rpm


def test_mixed_sizes_some_larger_than_the_bucket_stay_near_the_limit() -> None:
    # The bucket holds 1,333 tokens; 2,500 and 4,000-token reservations go into debt.
    rng = random.Random(7)
    sizes = [rng.choice([50, 200, 800, 2_500, 4_000]) for _ in range(800)]
    ft = FakeTime()
    limiter = make(ft, tpm=40_000)
    admitted = run(lambda: admit_all(limiter, ft, sizes))
    assert sorted(n for _, n in admitted) == sorted(sizes)
    assert max_window(admitted) <= 40_000
    # Below the 96.7 % of uniform small requests: with a hard window and first come,
    # first served, a 4,000-token head request cannot use a gap smaller than itself.
    assert per_minute(admitted) >= 0.93 * 40_000


@pytest.mark.parametrize(
    ("size", "binding"),
    [(100, "rpm"), (1_500, "tpm")],  # 90 x 100 < 40,000; 40,000 / 1,500 < 90
)
def test_with_both_limits_each_window_holds_and_the_binding_one_is_used(
    size: int, binding: str
) -> None:
    ft = FakeTime()
    limiter = make(ft, rpm=90, tpm=40_000)
    admitted = run(lambda: admit_all(limiter, ft, [size] * 600))
    assert max_window(admitted) <= 40_000
    assert max_window(admitted, count=True) <= 90
    if binding == "rpm":
        assert per_minute(admitted, count=True) >= 0.95 * 90
    else:
        assert per_minute(admitted) >= 0.95 * 40_000


# -- requests larger than the bucket or the limit -------------------------------------


def test_requests_larger_than_the_bucket_or_the_limit_are_admitted() -> None:
    ft = FakeTime()
    limiter = make(ft, tpm=6_000)  # bucket: 200 tokens
    sizes = [150, 5_000, 150, 9_000, 150, 5_500, 150]
    admitted = run(lambda: admit_all(limiter, ft, sizes))
    assert [n for _, n in admitted] == sizes  # all admitted, in order
    huge_at = next(t for t, n in admitted if n == 9_000)
    # Larger than the whole minute: admitted alone, nothing else within 60 s of it.
    assert all(abs(t - huge_at) >= 60 for t, n in admitted if n != 9_000)
    assert max_window([a for a in admitted if a[1] != 9_000]) <= 6_000


def test_refill_is_not_lost_while_a_large_request_waits_for_the_window() -> None:
    # tpm=6,000: bucket 200, refill 5,800/60 per second. The second 5,000-token request
    # must wait for the first to leave the ledger (t=LEDGER_SECONDS, the 60 s window
    # plus the skew margin); the bucket keeps filling past
    # its 200 meanwhile, so the debt it leaves, and the third request's wait, is smaller.
    rate = 5_800 / 60

    async def scenario() -> list[Admission]:
        return await admit_all(limiter, ft, [5_000, 5_000, 200])

    ft = FakeTime()
    limiter = make(ft, tpm=6_000)
    admitted = run(scenario)
    assert admitted[1][0] == pytest.approx(LEDGER_SECONDS, abs=0.01)
    level_after_second = (200 - 5_000) + rate * admitted[1][0] - 5_000
    assert admitted[2][0] == pytest.approx(
        admitted[1][0] + (200 - level_after_second) / rate, abs=0.01
    )


# -- fairness -------------------------------------------------------------------------


def test_fifo_a_big_request_is_not_starved_by_later_small_ones() -> None:
    ft = FakeTime()
    limiter = make(ft, tpm=6_000)  # bucket 200, refill ~97 tokens/s
    order: list[str] = []

    async def one(name: str, tokens: int) -> None:
        await limiter.acquire(tokens)
        order.append(name)

    async def scenario() -> None:
        await limiter.acquire(200)  # empty the bucket
        big = asyncio.create_task(one("big", 190))
        await asyncio.sleep(0)  # the big one is now waiting
        smalls = []
        for i in range(30):  # a stream of small requests, each of which would fit sooner
            smalls.append(asyncio.create_task(one(f"s{i}", 5)))
            await asyncio.sleep(0)
        await asyncio.gather(big, *smalls)

    run(scenario)
    assert order == ["big"] + [f"s{i}" for i in range(30)]


def test_a_cancelled_waiter_consumes_nothing_and_lets_the_next_through() -> None:
    ft = FakeTime()
    limiter = make(ft, tpm=600)  # bucket 20 tokens

    async def scenario() -> None:
        await limiter.acquire(20)
        first = asyncio.create_task(limiter.acquire(20))
        second = asyncio.create_task(limiter.acquire(20))
        await asyncio.sleep(0)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        await second

    run(scenario)
    assert limiter.stats()["acquired"] == 2
    assert limiter.stats()["tokens_acquired"] == 40


def test_a_cancelled_large_waiter_stops_holding_room_in_the_bucket() -> None:
    ft = FakeTime()
    limiter = make(ft, tpm=600)  # bucket 20 tokens

    async def scenario() -> None:
        await limiter.acquire(20)
        large = asyncio.create_task(limiter.acquire(500))
        await asyncio.sleep(0)
        large.cancel()
        with pytest.raises(asyncio.CancelledError):
            await large
        ft.now += 100  # idle: the bucket refills to its capacity, not to 500
        await limiter.acquire(20)
        before = ft.now
        await limiter.acquire(20)
        assert ft.now > before

    run(scenario)


# -- 429s: pause, slow down, recover --------------------------------------------------


def test_penalize_pauses_every_acquirer_until_retry_after() -> None:
    ft = FakeTime()
    limiter = make(ft, rpm=600)

    async def scenario() -> list[Admission]:
        await limiter.acquire(1)
        limiter.penalize(7.5)
        return await admit_all(limiter, ft, [1, 1, 1])

    admitted = run(scenario)
    assert all(t >= 7.5 for t, _ in admitted)


def test_penalize_without_retry_after_uses_the_default_pause() -> None:
    ft = FakeTime()
    limiter = make(ft, tpm=60_000, default_retry_after=4.0)

    async def scenario() -> None:
        limiter.penalize(None)
        await limiter.acquire(10)

    run(scenario)
    assert ft.now == pytest.approx(4.0, abs=0.01)


def test_penalize_lowers_the_achieved_rate() -> None:
    ft = FakeTime()
    limiter = make(ft, rpm=600, recovery_interval=1e9)  # no recovery during this test
    limiter.penalize(0)
    assert limiter.effective_rpm == pytest.approx(480)
    admitted = run(lambda: admit_all(limiter, ft, [1] * 1_000))
    assert max_window(admitted, count=True) <= 480
    assert per_minute(admitted, count=True) >= 0.95 * 480


def test_429s_during_the_pause_do_not_compound_but_later_ones_do() -> None:
    ft = FakeTime()
    limiter = make(ft, rpm=100, tpm=10_000)
    for _ in range(5):  # a burst of 429s from requests that were already in flight
        limiter.penalize(5)
    assert limiter.effective_rpm == pytest.approx(80)
    assert limiter.effective_tpm == pytest.approx(8_000)
    ft.now = 6.0  # the pause is over: a new 429 means the lower rate is still too high
    limiter.penalize(5)
    assert limiter.effective_rpm == pytest.approx(64)
    stats = limiter.stats()
    assert (stats["penalties"], stats["rate_decreases"]) == (6, 2)


def test_rate_never_drops_below_ten_percent() -> None:
    ft = FakeTime()
    limiter = make(ft, rpm=100)
    for _ in range(40):
        limiter.penalize(1)
        ft.now += 2
    assert limiter.effective_rpm == pytest.approx(10)


def test_rate_recovers_additively_after_429s_stop() -> None:
    ft = FakeTime()
    limiter = make(ft, tpm=100_000)
    limiter.penalize(5)  # paused until t=5, rate 80 %
    ft.now = 5 + 9.9
    assert limiter.effective_tpm == pytest.approx(80_000)
    ft.now = 5 + 10
    assert limiter.effective_tpm == pytest.approx(85_000)
    ft.now = 5 + 30
    assert limiter.effective_tpm == pytest.approx(95_000)
    ft.now = 5 + 500
    assert limiter.effective_tpm == pytest.approx(100_000)


def test_recovered_rate_is_actually_used() -> None:
    ft = FakeTime()
    limiter = make(ft, rpm=600)
    limiter.penalize(0)
    ft.now = 1_000.0  # long after: fully recovered
    start = ft.now
    admitted = run(lambda: admit_all(limiter, ft, [1] * 1_000))
    shifted = [(t - start, n) for t, n in admitted]
    assert max_window(shifted, count=True) <= 600
    assert per_minute(shifted, count=True) >= 0.95 * 600


# -- no limits, stats, defaults, validation --------------------------------------------


def test_without_limits_acquire_never_waits() -> None:
    async def forbidden(seconds: float) -> None:
        raise AssertionError("an unlimited limiter slept")

    limiter = RateLimiter(clock=lambda: 0.0, sleep=forbidden)

    async def scenario() -> None:
        for _ in range(1_000):
            await limiter.acquire(1_000_000)

    run(scenario)
    assert limiter.effective_rpm is None and limiter.effective_tpm is None
    assert limiter.stats()["acquired"] == 1_000
    assert limiter.stats()["waits"] == 0


def test_without_limits_a_429_still_pauses() -> None:
    ft = FakeTime()
    limiter = make(ft)
    limiter.penalize(3)

    async def scenario() -> None:
        await limiter.acquire(1)

    run(scenario)
    assert ft.now >= 3
    assert limiter.effective_tpm is None


def test_stats_count_waits_and_waiting_time() -> None:
    ft = FakeTime()
    limiter = make(ft, tpm=600)

    async def scenario() -> None:
        await limiter.acquire(20)  # from the full bucket: no wait
        await limiter.acquire(20)  # waits for 20 tokens at 580/60 per second
        limiter.penalize(2)

    run(scenario)
    stats = limiter.stats()
    assert stats["waits"] == 1
    assert stats["wait_seconds"] == pytest.approx(20 / (580 / 60), abs=0.01)
    assert stats["penalties"] == 1
    assert stats["tokens_acquired"] == 40
    assert stats["rate_fraction"] == pytest.approx(0.8)


def test_real_clock_and_sleep_by_default() -> None:
    limiter = RateLimiter(rpm=60_000)  # bucket of 2,000 requests, ~967 more per second

    async def scenario() -> None:
        await asyncio.gather(*(limiter.acquire(1) for _ in range(2_010)))

    run(scenario)
    stats = limiter.stats()
    assert stats["acquired"] == 2_010
    assert 0 < stats["wait_seconds"] < 1.0


@pytest.mark.parametrize(
    "kwargs", [{"rpm": 0}, {"tpm": -5}, {"rpm": float("inf")}, {"burst_seconds": 60}]
)
def test_invalid_configuration_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RateLimiter(**kwargs)  # type: ignore[arg-type]


def test_negative_tokens_are_refused() -> None:
    with pytest.raises(ValueError):
        run(lambda: RateLimiter(tpm=10).acquire(-1))
