"""The header-aware rate limiter on a fake clock: send, queue within max_wait, else shed with RATE_LIMITED."""

from __future__ import annotations

import pytest

from tradewire.brokers._live.ratelimit import (
    Observation,
    RateLimiter,
    alpaca_observation,
    binance_observation,
    retry_after_seconds,
)
from tradewire.protocol.errors import RateLimited
from tradewire.protocol.messages import ErrorCode


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_requests_within_the_budget_go_at_once() -> None:
    clock = Clock()
    limiter = RateLimiter(limit=3, window=60, clock=clock, max_wait=0)
    assert [limiter.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.remaining == 0


def test_over_budget_sheds_with_rate_limited_and_retry_after_seconds() -> None:
    clock = Clock()
    limiter = RateLimiter(limit=2, window=60, clock=clock, max_wait=1.0)
    limiter.reserve(2)
    clock.now += 15.5
    with pytest.raises(RateLimited) as info:
        limiter.reserve()
    error = info.value
    assert error.code is ErrorCode.RATE_LIMITED and error.status == 429
    assert error.retry_after == pytest.approx(44.5)
    assert error.details == {"retry_after_seconds": 45}
    assert limiter.remaining == 0  # a shed request takes nothing


def test_requests_queue_into_the_next_windows_within_max_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(limit=2, window=10, clock=clock, max_wait=25)
    waits = [limiter.reserve() for _ in range(6)]
    assert waits == [0, 0, 10, 10, 20, 20]
    with pytest.raises(RateLimited):
        limiter.reserve()  # would wait 30 s
    clock.now += 10  # the window rolls: the queued debt is paid from the new budget
    assert limiter.remaining == -2


def test_the_budget_refills_when_the_window_rolls() -> None:
    clock = Clock()
    limiter = RateLimiter(limit=2, window=60, clock=clock, max_wait=0)
    limiter.reserve(2)
    clock.now += 60
    assert limiter.reserve() == 0.0
    clock.now += 600  # idle for many windows: refilled to the limit, never above
    assert limiter.remaining == 2


async def test_acquire_waits_what_reserve_says() -> None:
    clock = Clock()
    limiter = RateLimiter(limit=1, window=5, clock=clock, max_wait=10)
    await limiter.acquire(sleep=clock.sleep)
    start = clock.now
    await limiter.acquire(sleep=clock.sleep)
    assert clock.now - start == 5


def test_alpaca_headers_correct_our_count() -> None:
    clock, wall = Clock(), 1_700_000_000.0
    limiter = RateLimiter(limit=200, window=60, clock=clock, max_wait=0)
    limiter.reserve()
    # Another process used the same account: the broker says only 1 is left in a window ending in 30 s.
    headers = {
        "X-Ratelimit-Limit": "200",
        "X-Ratelimit-Remaining": "1",
        "X-Ratelimit-Reset": str(int(wall) + 30),
    }
    limiter.observe(alpaca_observation(200, headers, wall))
    assert limiter.remaining == 1
    limiter.reserve()
    with pytest.raises(RateLimited) as info:
        limiter.reserve()
    assert info.value.retry_after == pytest.approx(30)


def test_a_higher_plan_limit_from_the_headers_is_adopted() -> None:
    wall = 1_700_000_000.0
    limiter = RateLimiter(limit=200, window=60, clock=Clock(), max_wait=0)
    headers = {
        "x-ratelimit-limit": "1000",
        "x-ratelimit-remaining": "999",
        "x-ratelimit-reset": str(int(wall) + 60),
    }
    limiter.observe(alpaca_observation(200, headers, wall))
    assert limiter.limit == 1000


def test_a_higher_plan_limit_raises_the_budget_of_the_current_window() -> None:
    """A paid plan's gateway is not shed at the basic plan's 200 in its first minute."""
    clock, wall = Clock(), 1_700_000_000.0
    limiter = RateLimiter(limit=200, window=60, clock=clock, max_wait=0)
    for _ in range(10):
        limiter.reserve()
    headers = {
        "x-ratelimit-limit": "1000",
        "x-ratelimit-remaining": "990",
        "x-ratelimit-reset": str(int(wall) + 60),
    }
    limiter.observe(alpaca_observation(200, headers, wall))
    assert limiter.remaining == 990
    for _ in range(990):
        limiter.reserve()
    with pytest.raises(RateLimited):
        limiter.reserve()


def test_alpaca_429_blocks_until_the_reset_time() -> None:
    clock, wall = Clock(), 1_700_000_000.0
    limiter = RateLimiter(limit=200, window=60, clock=clock, max_wait=5)
    headers = {
        "X-Ratelimit-Limit": "200",
        "X-Ratelimit-Remaining": "0",
        "X-Ratelimit-Reset": str(int(wall) + 4),
    }
    seen = alpaca_observation(429, headers, wall)
    assert seen.retry_after == 4
    limiter.observe(seen)
    assert limiter.reserve() == pytest.approx(4)  # queued behind the block
    clock.now += 4
    assert limiter.reserve() == 0.0  # after the reset the budget is back


def test_a_block_longer_than_max_wait_sheds_everything_until_it_ends() -> None:
    clock = Clock()
    limiter = RateLimiter(limit=100, window=60, clock=clock, max_wait=2)
    limiter.block(30)
    with pytest.raises(RateLimited) as info:
        limiter.reserve()
    assert info.value.details == {"retry_after_seconds": 30}
    clock.now += 30
    assert limiter.reserve() == 0.0


async def test_a_429_seen_while_queued_holds_the_queued_request_too() -> None:
    clock = Clock()
    limiter = RateLimiter(limit=1, window=2, clock=clock, max_wait=10)
    limiter.reserve()

    async def sleep(seconds: float) -> None:
        if clock.now == 1000.0:  # while this request waits, another one comes back 429
            limiter.block(7)
        clock.now += seconds

    await limiter.acquire(sleep=sleep)
    assert clock.now == 1007.0


def test_binance_used_weight_header_and_minute_window() -> None:
    clock, wall = Clock(), 1_699_999_995.0  # 15 s into a UTC minute (1_699_999_980 = 60 × 28_333_333)
    limiter = RateLimiter(limit=6000, window=60, clock=clock, max_wait=0)
    seen = binance_observation(200, {"x-mbx-used-weight-1m": "5990"}, wall)
    assert seen == Observation(limit=6000, remaining=10, reset_in=45.0)
    limiter.observe(seen)
    assert limiter.reserve(10) == 0.0
    with pytest.raises(RateLimited) as info:
        limiter.reserve(4)
    assert info.value.retry_after == pytest.approx(45)


@pytest.mark.parametrize("status", [429, 418])
def test_binance_retry_after_on_429_and_418(status: int) -> None:
    seen = binance_observation(status, {"Retry-After": "120", "X-MBX-USED-WEIGHT-1M": "6001"}, 0.0)
    assert seen.retry_after == 120.0
    assert binance_observation(200, {"Retry-After": "120"}, 0.0).retry_after is None


def test_retry_after_reads_seconds_or_an_http_date() -> None:
    assert retry_after_seconds("7", 0.0) == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", 1445412480.0) == 30.0
    assert retry_after_seconds("soon", 0.0) is None
    assert retry_after_seconds(None, 0.0) is None


def test_garbage_headers_change_nothing() -> None:
    limiter = RateLimiter(limit=5, window=60, clock=Clock(), max_wait=0)
    limiter.observe(alpaca_observation(200, {"X-Ratelimit-Remaining": "lots"}, 0.0))
    assert limiter.remaining == 5


def test_a_cost_that_never_fits_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="never fits"):
        RateLimiter(limit=5, window=60, clock=Clock()).reserve(6)
