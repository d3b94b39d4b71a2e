"""The `engine` target: the engine's BacktestVenue in process, driven through `VenueClient` (no wire)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.market import DEFAULT, BarSeries, Market
from tradewire.testkit.conformance.session import Connection
from tradewire.testkit.conformance.stream import VenueTap
from tradewire.testkit.conformance.targets.base import Target, needs
from tradewire.testkit.conformance.targets.inprocess import VenueClient

__all__ = ["BACKTEST_CAPABILITIES", "EngineTarget", "build_venue"]

#: What a backtest venue behind the suite can do (order types come from the venue itself).
BACKTEST_CAPABILITIES = frozenset(
    {cap.MARKET_CONTROL, cap.DETERMINISTIC, cap.PACING, cap.MARGIN, cap.BRACKETS}
)


def build_venue(market: Market | None, venue_class: Callable[..., Any] | None = None) -> Any:
    """A BacktestVenue replaying `market` (default: the suite's standard market)."""
    needs("tradewire.engine", "tradewire-engine (pip install 'tradewire-testkit[engine]')")
    import tradewire.engine as engine

    market = market or DEFAULT
    series = []
    for s in market.series:
        ts = [t.isoformat().replace("+00:00", "Z") for t in s.times()]
        decimals = max((len(v.split(".")[1]) if "." in v else 0) for r in s.rows for v in r[:4])
        if isinstance(s, BarSeries):
            cols = list(zip(*s.rows, strict=True))
            series.append(
                engine.from_arrays(
                    s.symbol,
                    ts,
                    open=[float(v) for v in cols[0]],
                    high=[float(v) for v in cols[1]],
                    low=[float(v) for v in cols[2]],
                    close=[float(v) for v in cols[3]],
                    volume=[float(v) for v in cols[4]],
                    timeframe=s.timeframe,
                    price_decimals=decimals,
                )
            )
        else:
            cols = list(zip(*s.rows, strict=True))
            series.append(
                engine.from_arrays(
                    s.symbol,
                    ts,
                    bid=[float(v) for v in cols[0]],
                    ask=[float(v) for v in cols[1]],
                    bid_size=[float(v) for v in cols[2]],
                    ask_size=[float(v) for v in cols[3]],
                    price_decimals=decimals,
                )
            )
    cls = venue_class or engine.BacktestVenue
    return cls(series, engine.BacktestConfig(**market.config))


class EngineTarget(Target):
    """BacktestVenue in process: every scenario gets a fresh venue on its scripted market.

    Args:
        venue_class: A BacktestVenue subclass to run instead (tests of the suite itself).
    """

    name = "engine"

    def __init__(self, venue_class: Callable[..., Any] | None = None) -> None:
        self.venue_class = venue_class

    async def capabilities(self) -> frozenset[str]:
        venue = build_venue(None, self.venue_class)
        return BACKTEST_CAPABILITIES | cap.from_venue(await venue.capabilities())

    @asynccontextmanager
    async def connect(
        self, market: Market | None, server: Mapping[str, Any] | None = None
    ) -> AsyncIterator[Connection]:
        venue = build_venue(market, self.venue_class)
        await venue.connect()

        async def open_tap() -> VenueTap:
            tap = VenueTap(venue)
            await tap.start()
            return tap

        try:
            yield Connection(client=VenueClient(venue), open_tap=open_tap, venue=venue)
        finally:
            await venue.close()
