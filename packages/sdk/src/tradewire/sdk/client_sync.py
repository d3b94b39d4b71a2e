"""`Client`: the blocking client for every REST route and the event stream."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol

from tradewire.sdk._http import Answer, Call
from tradewire.sdk._surface import RestSurface
from tradewire.sdk.config import ClientConfig
from tradewire.sdk.errors import ConfigurationError

if TYPE_CHECKING:
    import httpx

    from tradewire.sdk.stream_sync import EventStream

__all__ = ["Client"]


class _Sender(Protocol):
    """One HTTP attempt at a time: the answer, or one of `errors` when the exchange failed."""

    errors: tuple[type[BaseException], ...]
    #: The `errors` that mean no answer came in time (each cost a whole timeout).
    timeouts: tuple[type[BaseException], ...]

    def send(self, call: Call) -> Answer: ...

    def close(self) -> None: ...


class Client(RestSurface):
    """Blocking client of a Tradewire (or Tektii-compatible) gateway.

    Every method returns the generated protocol message for its route and raises the typed errors of
    `tradewire.sdk.errors`. Reads are retried with backoff; order submits carry a client order id.

    Args:
        base_url: Gateway URL; default from `TEKTII_TRADING_GATEWAY_URL` / `TRADING_GATEWAY_URL`.
        api_key: Key; default from `TEKTII_TRADING_GATEWAY_API_KEY` / `TRADING_GATEWAY_API_KEY`.
        config: A full ClientConfig instead of the two above.
        transport: `"httpx"` (the default: a connection pool, http and https), `"keepalive"` (one
            persistent plain-http connection, a fraction of httpx's cost per call: what a backtest
            over the wire uses), or an httpx transport (tests and proxies; the network edge).
        busy_poll_s: With `"keepalive"`: seconds a read polls the socket before it blocks (default
            1 ms; 0 blocks at once).
        **options: Other ClientConfig fields (timeout, max_retries, allow_insecure, ...).

    Raises:
        ConfigurationError: `"keepalive"` with an https URL, or `busy_poll_s` without `"keepalive"`.

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
        transport: Literal["httpx", "keepalive"] | httpx.BaseTransport | None = None,
        busy_poll_s: float | None = None,
        **options: Any,
    ) -> None:
        self.config = config or ClientConfig.resolve(base_url, api_key, **options)
        if transport == "keepalive":
            self._sender: _Sender = _keepalive(self.config, busy_poll_s)
        elif isinstance(transport, str) and transport != "httpx":
            raise ConfigurationError(f"transport must be 'httpx' or 'keepalive', not {transport!r}")
        elif busy_poll_s is not None:
            raise ConfigurationError("busy_poll_s is an option of transport='keepalive'")
        else:
            self._sender = _HttpxSender(self.config, None if isinstance(transport, str) else transport)
        self._transport_errors = self._sender.errors
        self._timeout_errors = self._sender.timeouts

    def _send(self, call: Call) -> Answer:
        return self._sender.send(call)

    def stream(self, *, reconnect: bool = True) -> EventStream:
        """The event stream (`/v1/ws`): iterate deliveries, then `ack` each one.

        Uses the batched framing unless the config says `framing="single"`.
        """
        from tradewire.sdk.stream_sync import EventStream

        return EventStream(self.config, reconnect=reconnect)

    def close(self) -> None:
        """Close the connection pool (or the kept-alive connection)."""
        self._sender.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _keepalive(config: ClientConfig, busy_poll_s: float | None) -> _Sender:
    if not config.base_url.startswith("http://"):
        raise ConfigurationError(
            f"transport='keepalive' speaks plain http only; use the default transport for {config.base_url}"
        )
    from tradewire.sdk._keepalive import KeepAliveSender

    return KeepAliveSender(config.base_url, config.headers(), config.timeout, busy_poll_s)


class _HttpxSender:
    """Calls through an httpx connection pool (http and https)."""

    def __init__(self, config: ClientConfig, transport: httpx.BaseTransport | None) -> None:
        import httpx

        self.errors: tuple[type[BaseException], ...] = (httpx.TransportError,)
        self.timeouts: tuple[type[BaseException], ...] = (httpx.TimeoutException,)
        self._http = httpx.Client(
            base_url=config.base_url, headers=config.headers(), timeout=config.timeout, transport=transport
        )

    def send(self, call: Call) -> Answer:
        response = self._http.request(
            call.method, call.path, params=call.params or None, content=call.body, headers=call.headers()
        )
        return response.status_code, response.headers, response.content

    def close(self) -> None:
        self._http.close()
