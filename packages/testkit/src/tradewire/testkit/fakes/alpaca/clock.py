"""The fake's time: the wall clock or a frozen, test-driven one, and the equity market session."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

try:
    from zoneinfo import ZoneInfo

    _EASTERN: timezone | ZoneInfo = ZoneInfo("America/New_York")
except Exception:  # no tz database on this machine: Alpaca's clock is Eastern, EST is near enough
    _EASTERN = timezone(timedelta(hours=-5))

_HOUR = 3_600_000_000_000


class Clock:
    def __init__(self, frozen_ns: int | None = None, market_open: bool = True) -> None:
        self._frozen = frozen_ns
        self.set_open(market_open)

    def set_open(self, market_open: bool) -> None:
        """Open or close the session now; `next_open` / `next_close` follow (a 6.5 h session)."""
        self.market_open = market_open
        now = self.now_ns()
        self.next_open_ns = now + (24 * _HOUR if market_open else _HOUR)
        self.next_close_ns = now + (_HOUR if market_open else 7 * _HOUR + _HOUR // 2)

    def now_ns(self) -> int:
        return self._frozen if self._frozen is not None else time.time_ns()

    def advance(self, seconds: float) -> None:
        """Move a frozen clock forward (freezes a wall clock at now + seconds)."""
        self._frozen = self.now_ns() + int(seconds * 1_000_000_000)

    def json(self) -> dict[str, object]:
        """`GET /v2/clock`: Eastern time with its offset, as Alpaca answers."""

        def eastern(ns: int) -> str:
            moment = datetime.fromtimestamp(ns / 1e9, UTC).astimezone(_EASTERN)
            return moment.isoformat(timespec="microseconds")

        return {
            "timestamp": eastern(self.now_ns()),
            "is_open": self.market_open,
            "next_open": eastern(self.next_open_ns),
            "next_close": eastern(self.next_close_ns),
        }
