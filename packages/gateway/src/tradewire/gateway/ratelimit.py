"""Token buckets per client: pure arithmetic on an injected clock, so tests never sleep."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

#: Buckets kept before idle (full) ones are forgotten: without a key, clients are addresses.
MAX_BUCKETS = 10_000


@dataclass(slots=True)
class TokenBucket:
    """`burst` tokens, refilled at `rate` per second; each request takes one."""

    rate: float
    burst: int
    tokens: float
    stamp: float

    def take(self, now: float) -> float:
        """0.0 when a token was taken, else the seconds until one will be there."""
        tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if tokens >= 1.0:
            self.tokens = tokens - 1.0
            return 0.0
        self.tokens = tokens
        return (1.0 - tokens) / self.rate

    def full(self, now: float) -> bool:
        """Whether the bucket has refilled completely (forgetting it changes nothing)."""
        return self.tokens + (now - self.stamp) * self.rate >= self.burst


class RateLimiter:
    """One TokenBucket per client key.

    Args:
        rate: Tokens added per second.
        burst: Bucket size: requests allowed at once.
        clock: Monotonic seconds (injected by tests).
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a rate limit needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.buckets: dict[Hashable, TokenBucket] = {}

    def take(self, client: Hashable) -> float:
        """0.0 when `client` may go ahead, else the seconds it should wait (nothing is taken then)."""
        now = self.clock()
        bucket = self.buckets.get(client)
        if bucket is None:
            if len(self.buckets) >= MAX_BUCKETS:
                self._forget_idle(now)
            bucket = self.buckets[client] = TokenBucket(self.rate, self.burst, float(self.burst), now)
        return bucket.take(now)

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, b in self.buckets.items() if b.full(now)]
        for k in idle:
            del self.buckets[k]
        if len(self.buckets) >= MAX_BUCKETS:  # every client busy: drop the oldest half
            for k in list(self.buckets)[: MAX_BUCKETS // 2]:
                del self.buckets[k]
