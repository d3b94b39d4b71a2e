"""The `gateway-*` targets: a venue behind the gateway app, on 127.0.0.1 and a free port, reached over the wire."""

from __future__ import annotations

import csv
import secrets
import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.market import DEFAULT, BarSeries, Market
from tradewire.testkit.conformance.session import Connection
from tradewire.testkit.conformance.stream import SdkTap
from tradewire.testkit.conformance.targets.base import Target, needs
from tradewire.testkit.conformance.targets.engine import BACKTEST_CAPABILITIES, build_venue
from tradewire.testkit.harness import running_gateway

__all__ = ["GatewayTarget", "sdk_connection"]

#: The mock's symbols (the gateway's defaults); the suite trades the first.
MOCK_SYMBOLS = ("AAPL", "MSFT", "SPY", "BTC/USD", "ETH/USD")


async def sdk_connection(base_url: str, api_key: str | None, symbol: str = "AAPL") -> Connection:
    """A Connection whose client is the SDK's AsyncClient and whose tap is the SDK's event stream."""
    from tradewire.sdk import AsyncClient

    client = AsyncClient(base_url, api_key, max_retries=0)

    async def open_tap() -> SdkTap:
        tap = SdkTap(client.stream(reconnect=False))
        await tap.start()
        return tap

    conn = Connection(client=client, open_tap=open_tap, base_url=base_url, api_key=api_key, symbol=symbol)
    conn.cleanup.append(client.aclose)
    return conn


def write_csv(market: Market, directory: Path) -> tuple[str, ...]:
    """One long-format CSV per series (a `symbol` column, so symbols may contain '/'); their paths."""
    paths = []
    for i, series in enumerate(market.series):
        path = directory / f"series-{i}.csv"
        bar = isinstance(series, BarSeries)
        head = [
            "timestamp",
            "symbol",
            *(("open", "high", "low", "close", "volume") if bar else ("bid", "ask", "bid_size", "ask_size")),
        ]
        with path.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(head)
            for t, row in zip(series.times(), series.rows, strict=True):
                w.writerow([t.isoformat().replace("+00:00", "Z"), series.symbol, *row])
        paths.append(str(path))
    return tuple(paths)


class GatewayTarget(Target):
    """`gateway-backtest` (the engine behind the gateway) or `gateway-mock`, with an API key set.

    Every scenario gets a fresh venue and a fresh server: scenarios never see each other's orders.

    Args:
        platform: "backtest" or "mock".
        venue_class: backtest only: a BacktestVenue subclass to serve instead (tests of the suite).
        data: backtest only: "csv" hands the scenario's market to the gateway's backtest provider as CSV
            files (what `tradewire-gateway serve --platform backtest --data` does); "memory" builds the
            BacktestVenue from in-memory arrays with the market's decimals, as the engine target does.
        mock_options: mock only: MockVenue keywords.
    """

    def __init__(
        self, platform: str, venue_class: Any = None, data: str = "csv", **mock_options: Any
    ) -> None:
        if platform not in ("backtest", "mock"):
            raise ValueError(f"unknown gateway platform {platform!r}")
        self.platform = platform
        self.name = f"gateway-{platform}"
        self.venue_class = venue_class
        if data not in ("csv", "memory"):
            raise ValueError(f"backtest data must be 'csv' or 'memory', not {data!r}")
        self.data = data
        self.mock_options = {"candle_interval": 0.05, "history_bars": 200, **mock_options}
        needs("tradewire.gateway", "tradewire-gateway (pip install 'tradewire-testkit[gateway]')")

    def _venue(self, market: Market | None, data_dir: Path | None = None) -> Any:
        if self.platform == "backtest":
            if self.venue_class is not None or data_dir is None or self.data == "memory":
                return build_venue(market, self.venue_class)
            # the operator's path: the scenario's market as CSV files, loaded by the gateway's provider
            from tradewire.gateway import load_settings
            from tradewire.gateway.providers.backtest import create_venue

            market = market or DEFAULT
            files = write_csv(market, data_dir)
            settings = load_settings(platform="backtest", backtest={"data": files, "options": market.config})
            return create_venue(settings)
        from tradewire.gateway.providers.mock import MockVenue

        return MockVenue(MOCK_SYMBOLS, **self.mock_options)

    async def capabilities(self) -> frozenset[str]:
        venue = self._venue(None)
        caps = await venue.capabilities()
        reported = cap.from_venue(caps)
        base = {cap.WIRE, cap.AUTH, cap.SERVER_CONTROL, cap.HEARTBEAT}
        if self.platform == "backtest":
            base |= BACKTEST_CAPABILITIES
        else:
            base.add(cap.LIVE)
            if caps.max_leverage is not None:
                base.add(cap.MARGIN)  # the mock runs the engine's margin account
        return frozenset(base | reported)

    @asynccontextmanager
    async def connect(
        self, market: Market | None, server: Mapping[str, Any] | None = None
    ) -> AsyncIterator[Connection]:
        key = "tk-" + secrets.token_hex(8)
        with tempfile.TemporaryDirectory(prefix="tradewire-conformance-") as tmp:
            venue = self._venue(market, Path(tmp))
            # `async with`: the start and the graceful shutdown are awaited off this loop, which keeps
            # reading the streams meanwhile (shutdown says DISCONNECTING before the sockets close)
            async with running_gateway(
                venue,
                api_key=key,
                platform=self.platform,
                shutdown_grace=0.1,
                ws_ping_interval=1.0,
                complete_ack_timeout=2.0,
                **(server or {}),
            ) as gateway:
                conn = await sdk_connection(gateway.url, key, MOCK_SYMBOLS[0])
                conn.shutdown = gateway.stop
                try:
                    yield conn
                finally:
                    for fn in conn.cleanup:
                        await fn()
