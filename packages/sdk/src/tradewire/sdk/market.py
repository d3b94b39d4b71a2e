"""Market data as strategies see it: `Candle` and `Tick`, light objects with float prices for analysis."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["Candle", "Tick", "ns_of"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US = dt.timedelta(microseconds=1)


def ns_of(value: dt.datetime) -> int:
    """Nanoseconds since the Unix epoch of a tz-aware datetime."""
    return ((value - _EPOCH) // _US) * 1000


def _time(ns: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=ns // 1000)


class Candle:
    """One completed bar, as passed to `Strategy.on_candle`.

    Prices and volume are floats, for indicators and signals (market data, not money). The exact
    decimal text the venue sent is `candle.exact` (a protocol `Bar`) or `candle.decimal("close")`;
    use those, never a float, for order prices.

    Attributes:
        symbol: Instrument, as the venue spells it.
        timeframe: Bar size (`"1m"`, `"1d"`, ...).
        ts: Bar start, nanoseconds since the Unix epoch (UTC). `time` gives it as a datetime.
        open, high, low, close, volume: Floats.
    """

    __slots__ = ("_exact", "close", "high", "low", "open", "symbol", "timeframe", "ts", "volume")

    def __init__(
        self,
        symbol: str,
        timeframe: str,
        ts: int,
        open: float,
        high: float,
        low: float,
        close: float,
        volume: float,
        exact: Any = None,
    ) -> None:
        self.symbol = symbol
        self.timeframe = timeframe
        self.ts = ts
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self._exact = exact

    @property
    def time(self) -> dt.datetime:
        """Bar start as a UTC datetime."""
        return _time(self.ts)

    @property
    def exact(self) -> Any:
        """The bar as the protocol `Bar` message, with exact decimal text."""
        value = self._exact
        if callable(value):
            value = self._exact = value()
        return value

    def decimal(self, name: str) -> Decimal:
        """One of open/high/low/close/volume as an exact Decimal (e.g. to derive a limit price)."""
        return Decimal(getattr(self.exact, name))

    def __repr__(self) -> str:
        return (
            f"Candle({self.symbol} {self.timeframe} {self.time.isoformat()} "
            f"o={self.open} h={self.high} l={self.low} c={self.close} v={self.volume})"
        )


class EngineCandle(Candle):
    """A Candle read from the engine's columns (in-process runs): same interface and values as `Candle`.

    It keeps its chunk of rows and row index instead of converting every field of every bar (the
    in-process hot path): `close` is set, the rest is read on access. `engine_candle_class` makes one
    subclass per symbol holding the per-symbol constants as class attributes.
    """

    __slots__ = ("_ch", "_i")
    _div: float
    _qdiv: float
    _wire: Any
    _sym: int

    def __init__(self, close: float, ch: Any, i: int) -> None:
        self.close = close
        self._ch = ch
        self._i = i

    @property
    def ts(self) -> int:  # type: ignore[override]
        return self._ch.start[self._i]  # type: ignore[no-any-return]

    @property
    def open(self) -> float:  # type: ignore[override]
        return self._ch.a[self._i] / self._div  # type: ignore[no-any-return]

    @property
    def high(self) -> float:  # type: ignore[override]
        return self._ch.b[self._i] / self._div  # type: ignore[no-any-return]

    @property
    def low(self) -> float:  # type: ignore[override]
        return self._ch.c[self._i] / self._div  # type: ignore[no-any-return]

    @property
    def volume(self) -> float:  # type: ignore[override]
        return self._ch.e[self._i] / self._qdiv  # type: ignore[no-any-return]

    @property
    def exact(self) -> Any:
        ch, i = self._ch, self._i
        return self._wire.bar(self._sym, ch.start[i], ch.a[i], ch.b[i], ch.c[i], ch.d[i], ch.e[i])


def engine_candle_class(
    symbol: str, timeframe: str, wire: Any, sym: int, div: float, qdiv: float
) -> type[EngineCandle]:
    """The EngineCandle subclass of one symbol (constants as class attributes; instances hold 3 slots)."""
    attrs = {
        "__slots__": (),
        "symbol": symbol,
        "timeframe": timeframe,
        "_wire": wire,
        "_sym": sym,
        "_div": div,
        "_qdiv": qdiv,
        "__module__": __name__,
        "__qualname__": "EngineCandle",
    }
    return type("EngineCandle", (EngineCandle,), attrs)


class Tick:
    """One quote, as passed to `Strategy.on_quote`: floats for analysis, `exact` for the protocol `Quote`.

    Attributes:
        symbol: Instrument.
        ts: Quote time, nanoseconds since the Unix epoch (UTC).
        bid, ask, last: Floats; `mid` is (bid + ask) / 2.
    """

    __slots__ = ("_exact", "ask", "bid", "last", "symbol", "ts")

    def __init__(self, symbol: str, ts: int, bid: float, ask: float, last: float, exact: Any = None) -> None:
        self.symbol = symbol
        self.ts = ts
        self.bid = bid
        self.ask = ask
        self.last = last
        self._exact = exact

    @property
    def mid(self) -> float:
        """(bid + ask) / 2."""
        return (self.bid + self.ask) / 2

    @property
    def time(self) -> dt.datetime:
        """Quote time as a UTC datetime."""
        return _time(self.ts)

    @property
    def exact(self) -> Any:
        """The quote as the protocol `Quote` message."""
        value = self._exact
        if callable(value):
            value = self._exact = value()
        return value

    def decimal(self, name: str) -> Decimal:
        """bid/ask/last as an exact Decimal."""
        return Decimal(getattr(self.exact, name))

    def __repr__(self) -> str:
        return f"Tick({self.symbol} {self.time.isoformat()} bid={self.bid} ask={self.ask} last={self.last})"
