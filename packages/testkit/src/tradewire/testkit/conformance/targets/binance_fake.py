"""The `gateway-binance-fake` target: the gateway serving `binance-testnet` against the fake Binance.

Each scenario gets a fresh fake Binance on 127.0.0.1 (deep books and funds, so the suite's sizes fill
the way it expects; prices walk on their own: the suite has no market control) and a fresh gateway
serving the Binance venue, built by its `tradewire.venues` entry point as `tradewire-gateway serve
--platform binance-testnet` builds it, from the fake's `BINANCE_*` lines. The adapter is never
imported here (brokers-not-imported holds).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from decimal import Decimal
from importlib.metadata import entry_points
from typing import Any, Final

from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.market import Market
from tradewire.testkit.conformance.session import Connection
from tradewire.testkit.conformance.targets.base import Target, TargetUnavailable, needs
from tradewire.testkit.conformance.targets.gateway import sdk_connection

__all__ = ["BinanceFakeTarget"]

#: The symbol the scenarios trade, streamed by the venue (bookTicker quotes, trades, 1-minute klines).
SYMBOL: Final = "BTCUSDT"
PLATFORM: Final = "binance-testnet"
#: Seconds between the fake's price steps: each step is a quote on the stream, which scenarios wait on.
TICK: Final = 0.2


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """The adapter reads its keys and URLs from the environment only: set them for one scenario."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class BinanceFakeTarget(Target):
    """The Binance adapter behind the gateway, on the fake: the live pacing, Binance's capabilities."""

    name = "gateway-binance-fake"

    def __init__(self) -> None:
        needs("tradewire.gateway", "tradewire-gateway (pip install 'tradewire-testkit[gateway]')")
        needs("aiohttp", "the fake brokers (pip install 'tradewire-testkit[fakes]')")
        if not entry_points(group="tradewire.venues", name=PLATFORM):
            raise TargetUnavailable(f"no {PLATFORM} venue; install tradewire-brokers[binance]")
        self._caps: frozenset[str] | None = None

    async def capabilities(self) -> frozenset[str]:
        if self._caps is None:
            base = {cap.WIRE, cap.LIVE, cap.AUTH, cap.SERVER_CONTROL, cap.HEARTBEAT}
            async with self.connect(None) as conn:
                reported = cap.from_venue(await conn.client.capabilities())
            self._caps = frozenset(base | reported)
        return self._caps

    @staticmethod
    def _fake() -> Any:
        from tradewire.testkit.fakes.binance import FakeBinance, PricePath, SymbolSpec

        # Books deep enough and funds large enough for the suite's sizes (it trades tens of units), and
        # a book deeper than the funds, so an order beyond them is refused, not filled until it expires.
        # The filters' upper bounds are out of the way: an order beyond the funds must meet -2010.
        spec = SymbolSpec(
            SYMBOL, "BTC", "USDT", Decimal("60000.00"), Decimal("0.01"), Decimal("0.00001"),
            Decimal("0.00001"), Decimal("1000000000"), max_notional=Decimal("1000000000000000"),
            level_gap=Decimal("0.50"), level_qty=Decimal("1000000"),
        )  # fmt: skip
        fake = FakeBinance(
            symbols=[spec],
            balances={"USDT": Decimal("1000000000"), "BTC": Decimal("10000")},
            tick_interval=TICK,
        )
        fake.set_path(SYMBOL, PricePath.walk("60000.00", seed=1, step="0.0002"))
        return fake

    @asynccontextmanager
    async def connect(
        self, market: Market | None, server: Mapping[str, Any] | None = None
    ) -> AsyncIterator[Connection]:
        from tradewire.gateway import load_settings
        from tradewire.testkit.harness import running_gateway

        key = "tk-" + secrets.token_hex(8)
        with tempfile.TemporaryDirectory(prefix="tradewire-conformance-") as tmp:
            async with self._fake() as fake:
                env = {
                    **fake.env(),
                    "TRADEWIRE_BINANCE_SYMBOLS": SYMBOL,
                    "TRADEWIRE_BINANCE_STORE": os.path.join(tmp, "binance.sqlite3"),
                }
                with _environment(env):
                    [factory] = entry_points(group="tradewire.venues", name=PLATFORM)
                    venue = factory.load()(load_settings(platform=PLATFORM))
                async with running_gateway(
                    venue,
                    api_key=key,
                    platform=PLATFORM,
                    shutdown_grace=0.1,
                    ws_ping_interval=1.0,
                    **(server or {}),
                ) as gateway:
                    conn = await sdk_connection(gateway.url, key, SYMBOL)
                    conn.shutdown = gateway.stop
                    try:
                        yield conn
                    finally:
                        for fn in conn.cleanup:
                            await fn()
