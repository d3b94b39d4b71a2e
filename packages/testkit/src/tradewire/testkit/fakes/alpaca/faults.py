"""Faults a test switches on: per route and a number of times, for REST answers and the trading stream."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: before_response: `delay`, `rate_limit`, `refuse`; after the handler ran (its effect stays):
#: `server_error`, `duplicate`, `drop_connection`.
Kind = Literal["delay", "rate_limit", "refuse", "server_error", "duplicate", "drop_connection"]
StreamDrop = Literal["before_fill", "after_fill"]


@dataclass
class Fault:
    kind: Kind
    method: str | None  # None: any method
    path: str | None  # a path under the API base (`/v2/orders`); a trailing `*` matches a prefix
    times: int
    seconds: float = 0.0  # delay, or how far away X-Ratelimit-Reset is
    status: int = 0  # refuse: the HTTP status
    message: str = ""  # refuse: Alpaca's words

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is None:
            return True
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


class Faults:
    """Armed faults, each used up after `times` matching requests (or fills, for the stream)."""

    def __init__(self) -> None:
        self._rest: list[Fault] = []
        self._stream: list[tuple[StreamDrop, list[int]]] = []

    def _arm(self, fault: Fault) -> Fault:
        self._rest.append(fault)
        return fault

    def delay(
        self, seconds: float, method: str | None = None, path: str | None = None, times: int = 1
    ) -> Fault:
        """Answer `seconds` late (the request is handled after the wait)."""
        return self._arm(Fault("delay", method, path, times, seconds))

    def rate_limit(
        self,
        method: str | None = "POST",
        path: str | None = "/v2/orders",
        reset_in: float = 3,
        times: int = 1,
    ) -> Fault:
        """Answer 429 `42910000` without handling, `X-Ratelimit-Remaining: 0`, reset `reset_in` s away."""
        return self._arm(Fault("rate_limit", method, path, times, reset_in))

    def refuse(
        self,
        message: str,
        status: int = 403,
        method: str | None = "POST",
        path: str | None = "/v2/orders",
        times: int = 1,
    ) -> Fault:
        """Answer `status` with Alpaca's code for it and `message`, without handling: a refusal the
        fake's own rules do not make (e.g. one Alpaca gives while the market is closed)."""
        return self._arm(Fault("refuse", method, path, times, status=status, message=message))

    def server_error_after(self, method: str = "POST", path: str = "/v2/orders", times: int = 1) -> Fault:
        """Handle the request (the order is created), then answer 500 `50010000`: an unknown outcome."""
        return self._arm(Fault("server_error", method, path, times))

    def duplicate_after(self, method: str = "POST", path: str = "/v2/orders", times: int = 1) -> Fault:
        """Create the order, then answer 422 `client_order_id must be unique`, as to a racing resend."""
        return self._arm(Fault("duplicate", method, path, times))

    def drop_connection_after(self, method: str = "POST", path: str = "/v2/orders", times: int = 1) -> Fault:
        """Handle the request, then reset the TCP connection without an answer."""
        return self._arm(Fault("drop_connection", method, path, times))

    def drop_trade_stream(self, when: StreamDrop = "before_fill", times: int = 1) -> None:
        """Drop every trade_updates socket at the next fill event: before it is sent (the fill is
        lost to that socket) or right after it."""
        self._stream.append((when, [times]))

    def clear(self) -> None:
        self._rest.clear()
        self._stream.clear()

    def take(self, method: str, path: str) -> list[Fault]:
        """The faults that apply to this request, each counted once."""
        hits = [f for f in self._rest if f.times > 0 and f.matches(method, path)]
        for fault in hits:
            fault.times -= 1
        self._rest = [f for f in self._rest if f.times > 0]
        return hits

    def take_stream_drop(self) -> StreamDrop | None:
        for when, left in self._stream:
            if left[0] > 0:
                left[0] -= 1
                self._stream = [s for s in self._stream if s[1][0] > 0]
                return when
        return None
