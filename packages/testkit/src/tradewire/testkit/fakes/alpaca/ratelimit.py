"""Alpaca's request window: a count per key per minute, reported on every answer."""

from __future__ import annotations

import time

_WINDOW = 60


class RateLimiter:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._windows: dict[str, tuple[int, int]] = {}  # key -> (window reset epoch s, used)

    def hit(self, key: str) -> tuple[bool, dict[str, str]]:
        """(allowed, the X-Ratelimit-* headers of this answer)."""
        now = int(time.time())
        reset, used = self._windows.get(key, (0, 0))
        if now >= reset:
            reset, used = now + _WINDOW, 0
        allowed = used < self.limit
        used += 1 if allowed else 0
        self._windows[key] = (reset, used)
        return allowed, self.headers(self.limit - used, reset)

    def headers(self, remaining: int, reset: int) -> dict[str, str]:
        return {
            "X-Ratelimit-Limit": str(self.limit),
            "X-Ratelimit-Remaining": str(max(remaining, 0)),
            "X-Ratelimit-Reset": str(reset),
        }
