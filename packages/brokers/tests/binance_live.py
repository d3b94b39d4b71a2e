"""A BinanceVenue on the fake Binance for the tests, and everything its stream emitted."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tradewire.brokers._live.backoff import Backoff
from tradewire.brokers.binance.config import BinanceConfig
from tradewire.brokers.binance.venue import BinanceVenue
from tradewire.protocol.messages import Order, ServerMessage, TradingPlatform


def venue_for(fake: Any, store: Path, **env: str) -> BinanceVenue:
    """A venue on `fake` keeping its state in `store`; `env` adds or overrides its variables."""
    config = BinanceConfig.from_env(
        testnet=True, env={**fake.env(), "TRADEWIRE_BINANCE_STORE": str(store), **env}
    )
    # Quick reconnects; a timeout a slow answer can exceed.
    return BinanceVenue(
        config, TradingPlatform.BINANCE_TESTNET, timeout=1.0, backoff=Backoff(initial=0.1, cap=0.3)
    )


def label(m: ServerMessage) -> str:
    kind = m.order or m.trade or m.position or m.account or m.connection or m.quote or m.candle
    assert kind is not None
    return getattr(kind, "event", type(kind)).name


class Live:
    """A connected venue and everything its stream emitted."""

    def __init__(self, fake: Any, venue: BinanceVenue) -> None:
        self.fake, self.venue = fake, venue
        self.out: list[ServerMessage] = []
        self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        async for batch in self.venue.stream():
            self.out.extend(batch.messages)

    def labels(self) -> list[str]:
        """The events' names, market data aside."""
        return [label(m) for m in self.out if m.quote is None and m.candle is None]

    async def until(self, name: str, count: int = 1) -> list[str]:
        async with asyncio.timeout(10):  # a bound against hanging, not a speed assertion
            while self.labels().count(name) < count:
                await asyncio.sleep(0.02)
        return self.labels()

    def trades(self) -> list[tuple[str, str]]:
        return [(t.trade.id, t.trade.order_id) for m in self.out
                if (t := m.trade) is not None and t.trade is not None]  # fmt: skip

    def orders(self, event: str) -> list[Order]:
        return [m.order.order for m in self.out if m.order is not None and m.order.event.name == event]

    async def close(self) -> None:
        await self.venue.close()
        await self._task
