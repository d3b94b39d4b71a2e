"""Scripted markets: the bars and quotes a scenario builds itself, handed to targets with `market_control`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = ["DEFAULT", "BarSeries", "Market", "QuoteSeries", "bars", "quotes", "ramp"]

START = "2024-03-01T14:30:00Z"
_STEP = {"1m": 60, "5m": 300, "15m": 900, "1h": 3600, "1d": 86400}


def _at(start: str, seconds: int) -> dt.datetime:
    t0 = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
    return t0 + dt.timedelta(seconds=seconds)


@dataclass(frozen=True)
class BarSeries:
    """OHLCV bars of one symbol: rows are (open, high, low, close, volume) decimal text, one per timeframe step."""

    symbol: str
    rows: tuple[tuple[str, str, str, str, str], ...]
    start: str = START
    timeframe: str = "1m"

    def times(self) -> list[dt.datetime]:
        """Bar start times."""
        step = _STEP[self.timeframe]
        return [_at(self.start, i * step) for i in range(len(self.rows))]


@dataclass(frozen=True)
class QuoteSeries:
    """Quotes of one symbol: rows are (bid, ask, bid_size, ask_size), `every` seconds apart."""

    symbol: str
    rows: tuple[tuple[str, str, str, str], ...]
    start: str = START
    every: int = 1

    def times(self) -> list[dt.datetime]:
        """Quote times."""
        return [_at(self.start, i * self.every) for i in range(len(self.rows))]


@dataclass(frozen=True)
class Market:
    """The data of one scenario plus engine account settings (`BacktestConfig` keywords)."""

    series: tuple[BarSeries | QuoteSeries, ...]
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def symbols(self) -> list[str]:
        """Symbols in the order they were given."""
        return list(dict.fromkeys(s.symbol for s in self.series))

    def bar_rows(self, symbol: str) -> BarSeries:
        """The bar series of `symbol`."""
        return next(s for s in self.series if isinstance(s, BarSeries) and s.symbol == symbol)

    def with_config(self, **config: Any) -> Market:
        """The same data with other account settings."""
        return Market(self.series, {**self.config, **config})


def bars(
    symbol: str, rows: Sequence[Sequence[str | int]], *, start: str = START, timeframe: str = "1m"
) -> BarSeries:
    """Bars from explicit rows (open, high, low, close, volume)."""
    return BarSeries(symbol, tuple(tuple(str(v) for v in r) for r in rows), start, timeframe)  # type: ignore[misc]


def quotes(
    symbol: str, rows: Sequence[Sequence[str | int]], *, start: str = START, every: int = 1
) -> QuoteSeries:
    """Quotes from explicit rows (bid, ask, bid_size, ask_size)."""
    return QuoteSeries(symbol, tuple(tuple(str(v) for v in r) for r in rows), start, every)  # type: ignore[misc]


def ramp(
    symbol: str,
    n: int,
    price: str,
    step: str = "0.10",
    *,
    spread: str = "0.50",
    volume: int = 1000,
    start: str = START,
    timeframe: str = "1m",
) -> BarSeries:
    """`n` bars whose open climbs by `step` each bar; high/low are open ± `spread`, close is the next open."""
    p, s, w = Decimal(price), Decimal(step), Decimal(spread)
    rows = []
    for i in range(n):
        o = p + s * i
        c = o + s
        rows.append((str(o), str(max(o, c) + w), str(min(o, c) - w), str(c), str(volume)))
    return BarSeries(symbol, tuple(rows), start, timeframe)


#: The market of scenarios that do not script their own: two symbols, 20 one-minute bars each.
DEFAULT = Market((ramp("AAPL", 20, "100.00"), ramp("MSFT", 20, "200.00", "-0.20")))
