"""`Client`: the blocking client for every REST route and the event stream."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from tradewire.sdk import _http
from tradewire.sdk._http import Call
from tradewire.sdk._surface import RestSurface
from tradewire.sdk.config import ClientConfig

if TYPE_CHECKING:
    from tradewire.sdk.stream_sync import EventStream

__all__ = ["Client"]


class Client(RestSurface):
    """Blocking client of a Tradewire (or Tektii-compatible) gateway.

    Every method returns the generated protocol message for its route and raises the typed errors of
    `tradewire.sdk.errors`. Reads are retried with backoff; order submits carry a client order id.

    Args:
        base_url: Gateway URL; default from `TEKTII_TRADING_GATEWAY_URL` / `TRADING_GATEWAY_URL`.
        api_key: Key; default from `TEKTII_TRADING_GATEWAY_API_KEY` / `TRADING_GATEWAY_API_KEY`.
        config: A full ClientConfig instead of the two above.
        transport: An httpx transport (tests and proxies); the network edge.
        **options: Other ClientConfig fields (timeout, max_retries, allow_insecure, ...).

    Example:
        >>> with Client("http://127.0.0.1:8080") as client:  # doctest: +SKIP
        ...     handle = client.submit_order(symbol="AAPL", side="buy", quantity="10")
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        config: ClientConfig | None = None,
        transport: httpx.BaseTransport | None = None,
        **options: Any,
    ) -> None:
        self.config = config or ClientConfig.resolve(base_url, api_key, **options)
        self._http = httpx.Client(
            base_url=self.config.base_url,
            headers=self.config.headers(),
            timeout=self.config.timeout,
            transport=transport,
        )

    def _run(self, call: Call) -> Any:
        return _http.run_blocking(call, self.config, self._send, httpx.TransportError)

    def _send(self, call: Call) -> tuple[int, httpx.Headers, bytes]:
        response = self._http.request(
            call.method,
            call.path,
            params=call.params or None,
            content=call.body,
            headers=call.headers(),
        )
        return response.status_code, response.headers, response.content

    def stream(self, *, reconnect: bool = True) -> EventStream:
        """The event stream (`/v1/ws`): iterate deliveries, then `ack` each one.

        Uses the batched framing unless the config says `framing="single"`.
        """
        from tradewire.sdk.stream_sync import EventStream

        return EventStream(self.config, reconnect=reconnect)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
