"""`KeepAliveClient`: the blocking REST client on one raw keep-alive connection, for plain-http gateways."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from tradewire.protocol.busy_poll import DEFAULT_BUDGET_S
from tradewire.sdk import _http
from tradewire.sdk._http import Call
from tradewire.sdk._keepalive import Connection
from tradewire.sdk._surface import RestSurface
from tradewire.sdk.config import ClientConfig
from tradewire.sdk.errors import ConfigurationError

if TYPE_CHECKING:
    from tradewire.sdk.stream_sync import EventStream

__all__ = ["KeepAliveClient"]


class KeepAliveClient(RestSurface):
    """The methods, errors and retry policy of `Client`, over one persistent `http://` connection.

    Built for the lock-step loop of a backtest over the wire, where each REST call waits on the
    gateway's answer: no connection pool, no httpx; the request is formatted directly and the answer
    parsed by httptools. Reads poll the socket for `busy_poll_s` before blocking. An idle connection
    the server has closed is replaced transparently, and a request is sent again on a fresh
    connection only when `Call.retryable` allows it. https URLs need `Client`. Not thread-safe.

    Args:
        base_url: Gateway URL (http only); default from the environment, as for `Client`.
        api_key: Key; default from the environment.
        config: A full ClientConfig instead of the two above.
        busy_poll_s: Seconds a read polls before it blocks (0: block at once).
        **options: Other ClientConfig fields (timeout, max_retries, ...).
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        config: ClientConfig | None = None,
        busy_poll_s: float = DEFAULT_BUDGET_S,
        **options: Any,
    ) -> None:
        self.config = config or ClientConfig.resolve(base_url, api_key, **options)
        if not self.config.base_url.startswith("http://"):
            raise ConfigurationError(
                f"KeepAliveClient speaks plain http only; use Client for {self.config.base_url}"
            )
        self._conn = Connection(
            self.config.base_url, self.config.headers(), self.config.timeout, busy_poll_s=busy_poll_s
        )

    def _run(self, call: Call) -> Any:
        return _http.run_blocking(call, self.config, self._send, OSError)

    def _send(self, call: Call) -> tuple[int, dict[str, str], bytes]:
        target = call.path
        if call.params:
            target += "?" + urlencode([(k, _query_value(v)) for k, v in call.params])
        return self._conn.request(call.method, target, call.body, call.headers(), retry_stale=call.retryable)

    def stream(self, *, reconnect: bool = True) -> EventStream:
        """The event stream (`/v1/ws`), as `Client.stream`."""
        from tradewire.sdk.stream_sync import EventStream

        return EventStream(self.config, reconnect=reconnect)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> KeepAliveClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _query_value(value: str | int | float | bool | None) -> str:
    # as httpx spells query values
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)
