"""Faults a test arms: per route and a number of times, for REST answers and the user-data sockets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: Before the handler: `delay`, `rate_limit` (429, then 418 if the client keeps sending). After it ran
#: (its effect stays, the outcome is unknown to the client): `server_error`, `timeout` (-1007), `drop`.
Kind = Literal["delay", "rate_limit", "server_error", "timeout", "drop_connection"]
StreamDrop = Literal["before_fill", "after_fill"]


@dataclass
class Fault:
    kind: Kind
    method: str | None  # None: any method
    path: str | None  # `/api/v3/order`; a trailing `*` matches a prefix; None: any path
    times: int
    seconds: float = 0.0  # delay, or Retry-After
    status: int = 500  # server_error's HTTP status

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is None:
            return True
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


class Faults:
    """Armed faults, each used up after `times` matching requests (or fills, for the user stream)."""

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
        self, retry_after: float = 2, method: str | None = None, path: str | None = None, times: int = 1
    ) -> Fault:
        """429 -1003 with `Retry-After`, unhandled; any request before it elapses is banned: 418."""
        return self._arm(Fault("rate_limit", method, path, times, retry_after))

    def server_error_after(
        self, method: str = "POST", path: str = "/api/v3/order", status: int = 500, times: int = 1
    ) -> Fault:
        """Handle the request (the order is placed), then answer a 5xx: the outcome is unknown."""
        return self._arm(Fault("server_error", method, path, times, status=status))

    def timeout_after(self, method: str = "POST", path: str = "/api/v3/order", times: int = 1) -> Fault:
        """Handle the request (the order is placed), then answer -1007: execution status unknown."""
        return self._arm(Fault("timeout", method, path, times))

    def drop_connection_after(
        self, method: str = "POST", path: str = "/api/v3/order", times: int = 1
    ) -> Fault:
        """Handle the request, then reset the TCP connection without an answer."""
        return self._arm(Fault("drop_connection", method, path, times))

    def drop_user_stream(self, when: StreamDrop = "after_fill", times: int = 1) -> None:
        """Reset every subscribed WS API socket at the next TRADE report: before it is sent (that fill
        is lost to the socket) or right after it (later reports of the same order are lost)."""
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
