"""The `url=` target: any running server that speaks the wire API, reached with the SDK client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from tradewire.protocol import platforms
from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.market import Market
from tradewire.testkit.conformance.session import Connection
from tradewire.testkit.conformance.targets.base import Target, TargetUnavailable
from tradewire.testkit.conformance.targets.gateway import sdk_connection

__all__ = ["LIVE_PLATFORMS", "UrlTarget"]

#: Platforms where an order is real money (re-exported from `tradewire.protocol.platforms`).
LIVE_PLATFORMS = platforms.LIVE


class UrlTarget(Target):
    """A server the suite does not start: no market control, state shared by every scenario.

    Args:
        base_url: `http://host:port` of the server.
        api_key: The server's key; with one, the `auth` scenarios run.
        symbol: A symbol the venue trades (scenarios without a scripted market use it).
        allow_live_orders: Run against a real-money platform; it also needs `TRADEWIRE_ALLOW_LIVE_ORDERS=true`
            (refused otherwise: scenarios place orders).
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        symbol: str = "AAPL",
        allow_live_orders: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.symbol = symbol
        self.allow_live_orders = allow_live_orders
        self.name = f"url={self.base_url}"
        self._caps: frozenset[str] | None = None

    async def capabilities(self) -> frozenset[str]:
        if self._caps is None:
            from tradewire.sdk import AsyncClient

            client: Any  # the SDK annotates AsyncClient's methods with the sync return types
            async with AsyncClient(self.base_url, self.api_key, max_retries=0) as client:
                reported = cap.from_venue(await client.capabilities())
                health = await client.health()
            from tradewire.protocol import codec

            served = {codec.enum_spelling(p.platform) for p in health.providers}
            live_money = sorted(p for p in served if platforms.is_live(p))
            try:
                for name in live_money:
                    platforms.check_live_opt_in(name, self.allow_live_orders)
            except platforms.LiveOptInMissing as e:
                raise TargetUnavailable(
                    f"{self.base_url} trades real money ({', '.join(live_money)}) and the scenarios submit "
                    f"orders: {e}"
                ) from e
            base = {cap.WIRE} | ({cap.AUTH} if self.api_key else set())
            # A backtest behind a URL is one run shared by every scenario (it cannot be restarted from
            # here), so the pacing scenarios, which need a fresh run, stay with the offline targets.
            if "backtest" not in served:
                base.add(cap.LIVE)
            self._caps = frozenset(base | reported)
        return self._caps

    @asynccontextmanager
    async def connect(
        self, market: Market | None, server: Mapping[str, Any] | None = None
    ) -> AsyncIterator[Connection]:
        conn = await sdk_connection(self.base_url, self.api_key, self.symbol)
        try:
            yield conn
        finally:
            for fn in conn.cleanup:
                await fn()
