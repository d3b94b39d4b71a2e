"""`AsyncClient`: the asyncio client for every REST route and the event stream."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from tradewire.sdk._http import Answer, Call
from tradewire.sdk._surface_async import AsyncRestSurface
from tradewire.sdk.config import ClientConfig

if TYPE_CHECKING:
    from tradewire.sdk.stream import AsyncEventStream

__all__ = ["AsyncClient"]


class AsyncClient(AsyncRestSurface):
    """Asyncio client of a Tradewire (or Tektii-compatible) gateway: the same methods as `Client`, awaited.

    Args:
        base_url: Gateway URL; default from `TEKTII_TRADING_GATEWAY_URL` / `TRADING_GATEWAY_URL`.
        api_key: Key; default from `TEKTII_TRADING_GATEWAY_API_KEY` / `TRADING_GATEWAY_API_KEY`.
        config: A full ClientConfig instead of the two above.
        transport: An httpx async transport (tests and proxies); the network edge.
        **options: Other ClientConfig fields.

    Example:
        >>> async with AsyncClient() as client:  # doctest: +SKIP
        ...     account = await client.get_account()
        ...     async with client.stream() as events:
        ...         async for delivery in events:
        ...             ...
        ...             await events.ack(delivery)
    """

    _transport_errors = (httpx.TransportError,)
    _timeout_errors = (httpx.TimeoutException,)

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        config: ClientConfig | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        **options: Any,
    ) -> None:
        self.config = config or ClientConfig.resolve(base_url, api_key, **options)
        self._http = httpx.AsyncClient(
            base_url=self.config.base_url,
            headers=self.config.headers(),
            timeout=self.config.timeout,
            transport=transport,
        )

    async def _send(self, call: Call) -> Answer:
        response = await self._http.request(
            call.method, call.path, params=call.params or None, content=call.body, headers=call.headers()
        )
        return response.status_code, response.headers, response.content

    def stream(self, *, reconnect: bool = True) -> AsyncEventStream:
        """The event stream (`/v1/ws`): `async for delivery in stream`, then `await stream.ack(delivery)`."""
        from tradewire.sdk.stream import AsyncEventStream

        return AsyncEventStream(self.config, reconnect=reconnect)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
