"""One kept-alive `http.client` connection to a plain-http gateway, for `Client(transport="keepalive")`."""

# Why: a backtest over the wire is a lock-step ping-pong and each order a handler places is on its
# critical path. httpx's client layer costs several hundred µs per request here; the standard
# library's HTTPConnection a fraction of that (benchmarks/README.md, "REST clients"). Around it, what
# a long-lived connection needs: an idle connection the server has closed is noticed before sending,
# a reused one the server closed in the race is replaced once when the call may be repeated, and the
# read polls the socket for a short budget before blocking, like `tradewire.protocol.busy_poll`,
# because waking a sleeping process costs tens of microseconds on a VM.

from __future__ import annotations

import http.client
import select
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from tradewire.protocol.busy_poll import DEFAULT_BUDGET_S
from tradewire.sdk._http import Answer, Call

__all__ = ["KeepAliveSender"]

#: A reused connection that fails this way got no answer: the server had closed it.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class KeepAliveSender:
    """`Call`s one at a time over one persistent HTTP/1.1 connection to `base_url` (plain http); not thread-safe.

    A call goes out a second time, on a fresh connection, only when the kept-alive one turned out
    closed and `Call.retryable` allows it; every other failure is one of `errors`, which the retry
    policy judges.

    Args:
        base_url: `http://host[:port][/prefix]`.
        headers: Sent with every request (the config's, with Authorization when there is a key).
        timeout: Seconds for connecting and for each blocking read or send.
        busy_poll_s: How long a read polls the socket before it blocks (None: 1 ms; 0: block at once).
    """

    errors: tuple[type[BaseException], ...] = (OSError, http.client.HTTPException)
    timeouts: tuple[type[BaseException], ...] = (TimeoutError,)

    def __init__(
        self, base_url: str, headers: dict[str, str], timeout: float, busy_poll_s: float | None = None
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"a keep-alive connection needs an http:// URL, not {base_url!r}")
        self.prefix = parts.path.rstrip("/")
        self.headers = headers
        self.busy_poll_s = DEFAULT_BUDGET_S if busy_poll_s is None else busy_poll_s
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    def send(self, call: Call) -> Answer:
        target = self.prefix + call.path
        if call.params:
            target += "?" + urlencode([(k, _query_value(v)) for k, v in call.params])
        headers = {**self.headers, **call.headers()} if call.body is not None else self.headers
        conn = self.connection
        sock = conn.sock
        if sock is not None and select.select([sock], [], [], 0)[0]:
            conn.close()  # an idle connection with something to read: EOF, a reset or stray bytes
        reused = conn.sock is not None
        try:
            return self._exchange(call.method, target, call.body, headers)
        except _STALE:
            if not (reused and call.retryable):
                raise
        return self._exchange(call.method, target, call.body, headers)

    def close(self) -> None:
        """Close the connection (the next call opens a new one)."""
        self.connection.close()

    def _exchange(self, method: str, target: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        conn = self.connection
        try:
            conn.request(method, target, body, headers)
            if self.busy_poll_s > 0:
                self._poll()
            response = conn.getresponse()
            content = response.read()
        except BaseException:
            conn.close()
            raise
        return response.status, response.headers, content

    def _poll(self) -> None:
        """Spin until the answer is readable or the budget is spent (getresponse then blocks)."""
        sock = self.connection.sock
        if sock is None:
            return
        clock = time.perf_counter
        end = clock() + self.busy_poll_s
        ready = select.select
        while clock() < end:
            if ready([sock], [], [], 0)[0]:
                return


def _query_value(value: Any) -> str:
    # as httpx spells query values
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)
