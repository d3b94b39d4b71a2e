"""A broker's request budget, kept from our own count and corrected by its headers: queue briefly or shed.

Alpaca: 200 requests per minute per account, `X-Ratelimit-Limit` / `-Remaining` / `-Reset` (epoch
seconds) on every response, 429 when exceeded. Binance: 6000 weight per minute per IP,
`X-MBX-USED-WEIGHT-1M` on every response, 429 with `Retry-After`, then a 418 ban if the client keeps
going. A request that fits the budget goes now; one that fits within `max_wait` seconds waits its turn;
any other is refused at once with the protocol's RateLimited (`retry_after_seconds` in `details`), so
the gateway never hammers a broker into a ban.

    limiter = RateLimiter(limit=200, window=60.0, clock=time.monotonic, max_wait=2.0)
    await limiter.acquire()                       # or: delay = limiter.reserve(); sleep(delay)
    response = await http.send(...)
    limiter.observe(alpaca_observation(response.status_code, response.headers, time.time()))
"""

from __future__ import annotations

import asyncio
import email.utils
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from tradewire.protocol.errors import RateLimited

__all__ = [
    "ALPACA_LIMIT",
    "BINANCE_WEIGHT_LIMIT",
    "Observation",
    "RateLimiter",
    "alpaca_observation",
    "binance_observation",
    "retry_after_seconds",
]

#: Alpaca's trading REST budget per minute on the basic plan (alpaca.md §9); its headers say more.
ALPACA_LIMIT = 200
#: Binance Spot's request weight per minute per IP (binance.md §9).
BINANCE_WEIGHT_LIMIT = 6000
#: Statuses that mean "stay away for a while": too many requests, and Binance's ban.
_BACK_OFF = frozenset({429, 418})
#: Alpaca's reset header has whole seconds: windows closer than this are the same window.
_SAME_WINDOW = 1.0


@dataclass(frozen=True, slots=True)
class Observation:
    """What one response said about the budget (None: it did not say)."""

    #: The budget per window.
    limit: int | None = None
    #: What is left of it in the current window.
    remaining: int | None = None
    #: Seconds until the current window ends.
    reset_in: float | None = None
    #: Seconds the broker asked us to stay away (429/418).
    retry_after: float | None = None


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _int(text: str | None) -> int | None:
    try:
        return None if text is None else int(text.strip())
    except ValueError:
        return None


def retry_after_seconds(value: str | None, wall_now: float) -> float | None:
    """A `Retry-After` header in seconds (it may be delta seconds or an HTTP date); None if unreadable."""
    if value is None:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - wall_now)


def alpaca_observation(status: int, headers: Mapping[str, str], wall_now: float) -> Observation:
    """Alpaca's `X-Ratelimit-*` headers (any case); on 429 the wait runs to the reset time."""
    h = _lower(headers)
    reset_at = _int(h.get("x-ratelimit-reset"))
    reset_in = None if reset_at is None else max(0.0, reset_at - wall_now)
    retry_after = None
    if status in _BACK_OFF:
        retry_after = retry_after_seconds(h.get("retry-after"), wall_now)
        if retry_after is None:
            retry_after = reset_in
    return Observation(
        limit=_int(h.get("x-ratelimit-limit")),
        remaining=_int(h.get("x-ratelimit-remaining")),
        reset_in=reset_in,
        retry_after=retry_after,
    )


def binance_observation(
    status: int, headers: Mapping[str, str], wall_now: float, limit: int = BINANCE_WEIGHT_LIMIT
) -> Observation:
    """Binance's `X-MBX-USED-WEIGHT-1M` (weight used in the current UTC minute) and `Retry-After`."""
    h = _lower(headers)
    used = _int(h.get("x-mbx-used-weight-1m"))
    retry_after = retry_after_seconds(h.get("retry-after"), wall_now) if status in _BACK_OFF else None
    return Observation(
        limit=limit,
        remaining=None if used is None else limit - used,
        # The weight counter resets on every whole UTC minute.
        reset_in=None if used is None else 60.0 - (wall_now % 60.0),
        retry_after=retry_after,
    )


class RateLimiter:
    """A fixed-window budget on an injected monotonic clock.

    `reserve(cost)` takes `cost` from the budget and says how long to wait first: 0 when it fits the
    current window, the time to the window (after queued requests) that has room when that is within
    `max_wait`. Past `max_wait`, it takes nothing and raises RateLimited. `observe` corrects the count
    from a response: the broker's count wins when it is lower than ours (other clients, other
    processes, requests we did not count), and a 429/418 blocks every request until its retry time.

    Args:
        limit: Budget per window (requests, or Binance weight).
        window: Window length, seconds.
        clock: Monotonic seconds (`time.monotonic`; a fake clock in tests).
        max_wait: Longest a request may be queued before it is shed, seconds.
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float], max_wait: float = 2.0) -> None:
        if limit < 1 or window <= 0 or max_wait < 0:
            raise ValueError("a rate limit needs limit >= 1, window > 0 and max_wait >= 0")
        self.limit = limit
        self.window = window
        self.max_wait = max_wait
        self._clock = clock
        # Negative when requests are queued for later windows: the debt is paid from their budgets.
        self._remaining = limit
        self._reset_at = clock() + window
        self._blocked_until = -math.inf

    @property
    def remaining(self) -> int:
        """Budget left in the current window (negative: that much is queued for later windows)."""
        self._roll(self._clock())
        return self._remaining

    def _roll(self, now: float) -> None:
        if now >= self._reset_at:
            windows = math.floor((now - self._reset_at) / self.window) + 1
            self._remaining = min(self.limit, self._remaining + windows * self.limit)
            self._reset_at += windows * self.window

    def reserve(self, cost: int = 1) -> float:
        """Take `cost` from the budget; seconds to wait before sending (0.0: send now).

        Raises:
            RateLimited: the wait would exceed `max_wait`; `retry_after` and
                `details["retry_after_seconds"]` say when the broker has room again.
            ValueError: `cost` is larger than a whole window's budget, so it never fits.
        """
        if cost > self.limit:
            raise ValueError(f"a request of cost {cost} never fits a budget of {self.limit}")
        now = self._clock()
        self._roll(now)
        after = self._remaining - cost
        wait = 0.0
        if after < 0:
            later_windows = math.ceil(-after / self.limit)
            wait = (self._reset_at - now) + (later_windows - 1) * self.window
        wait = max(wait, self._blocked_until - now)
        if wait > self.max_wait:
            raise RateLimited(
                f"the broker's rate limit is reached; retry in {wait:.1f} s",
                details={"retry_after_seconds": math.ceil(wait)},
                retry_after=wait,
            )
        self._remaining = after
        return wait

    async def acquire(
        self, cost: int = 1, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    ) -> None:
        """`reserve`, then wait the time it says (RateLimited as `reserve`).

        A 429 observed while waiting holds this request too: it waits on until the block ends.
        """
        wait = self.reserve(cost)
        while wait > 0:
            await sleep(wait)
            wait = self._blocked_until - self._clock()

    def observe(self, seen: Observation) -> None:
        """Correct the budget from what a response said (alpaca_observation, binance_observation)."""
        now = self._clock()
        self._roll(now)
        if seen.limit is not None and seen.limit >= 1:
            # A higher plan's budget is there at once: what we counted used stays used.
            self._remaining += seen.limit - self.limit
            self.limit = seen.limit
        if seen.remaining is not None and seen.reset_in is not None and seen.reset_in > 0:
            server_reset = now + seen.reset_in
            if server_reset > self._reset_at + _SAME_WINDOW:
                # The broker is already in the window after ours: its count is of that window.
                self._remaining = min(seen.remaining, self._remaining + self.limit)
            else:
                self._remaining = min(self._remaining, seen.remaining)
            self._reset_at = server_reset
        elif seen.remaining is not None:
            self._remaining = min(self._remaining, seen.remaining)
        if seen.retry_after is not None:
            self.block(seen.retry_after)

    def block(self, seconds: float) -> None:
        """Send nothing for `seconds` (a 429 or 418 hint); the budget starts afresh after it."""
        now = self._clock()
        until = now + max(0.0, seconds)
        self._blocked_until = max(self._blocked_until, until)
        self._remaining = min(self._remaining, 0)
        # The broker's hint is when it has room again: the next window starts then, not sooner or later.
        self._reset_at = self._blocked_until
