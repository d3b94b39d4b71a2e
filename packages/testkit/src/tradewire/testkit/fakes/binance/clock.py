"""The fake's time in milliseconds: the wall clock (or a frozen one), plus an injectable skew."""

from __future__ import annotations

import time


class Clock:
    def __init__(self, frozen_ms: int | None = None) -> None:
        self._frozen = frozen_ms
        #: Added to every server time: a test skews the server against the client for -1021.
        self.skew_ms = 0

    def now_ms(self) -> int:
        base = self._frozen if self._frozen is not None else time.time_ns() // 1_000_000
        return base + self.skew_ms

    def advance(self, seconds: float) -> None:
        """Move a frozen clock forward (freezes a wall clock at now + seconds)."""
        base = self._frozen if self._frozen is not None else time.time_ns() // 1_000_000
        self._frozen = base + int(seconds * 1000)
